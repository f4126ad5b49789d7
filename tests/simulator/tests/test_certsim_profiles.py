# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Version profiles: what each one lacks answers like an unknown path/operation."""

import re

from certsim_client import P, ThirdPartyCA, err_api, err_rest, key_pkcs8, pem

SUBJECT = {"organization": "Example Corp", "organization_unit": "", "locality": "Berlin",
           "state_or_province": "Berlin", "country": "DE", "email_address": "", "key_size": 2048}


def _rest_404(resp, value_error_type=True):
    body = err_rest(resp, 404, "NOT_FOUND", value_error_type)
    assert body["value"]["messages"][0]["id"] == "com.vmware.vapi.rest.operationsForUrlNotFound"


def test_670_rest_only_without_replace_and_vmca_root(vc670):
    vc = vc670
    err_api(vc.login_raw("api", "administrator@vsphere.local", "VMware1!"), 404, "NOT_FOUND")
    token = vc.login("rest")
    err_api(vc.api("GET", P + "/tls", token=token), 404, "NOT_FOUND")
    assert vc.rest("GET", P + "/tls", token=token).status == 200
    assert vc.rest("GET", P + "/trusted-root-chains", token=token).status == 200
    version = vc.rest("GET", "/appliance/system/version", token=token).json["value"]["version"]
    assert re.match(r"^6\.7\.0\.\d{5}$", version)
    _rest_404(vc.rest("POST", P + "/tls?action=replace-vmca-signed", body={"spec": SUBJECT}, token=token), False)
    _rest_404(vc.rest("POST", P + "/vmca-root", body={}, token=token), False)
    _rest_404(vc.rest("GET", P + "/signing-certificate", token=token), False)
    # Tls.Spec.root_cert appeared in 7.0
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    err_rest(vc.rest("PUT", P + "/tls", body={"spec": {"cert": pem(cert), "key": key_pkcs8(key),
                                                       "root_cert": ca.pem}}, token=token), 400, "UNEXPECTED_INPUT",
             False)
    # 6.7 flow: trust the root first, then cert + key
    assert vc.rest("POST", P + "/trusted-root-chains", body={"spec": {"cert_chain": {"cert_chain": [ca.pem]}}},
                   token=token).status == 200
    r = vc.rest("PUT", P + "/tls", body={"spec": {"cert": pem(cert), "key": key_pkcs8(key)}}, token=token)
    assert r.status == 200
    vc.wait_restart_over()
    assert vc.served_cert() == cert
    token = vc.login("rest")
    assert vc.rest("POST", P + "/tls-csr", body={"spec": SUBJECT}, token=token).status == 200


def test_700_rest_only_with_replace_and_vmca_root(vc700):
    vc = vc700
    err_api(vc.login_raw("api", "administrator@vsphere.local", "VMware1!"), 404, "NOT_FOUND")
    token = vc.login("rest")
    before = vc.served_cert()
    assert vc.rest("POST", P + "/tls?action=replace-vmca-signed", body={"spec": SUBJECT}, token=token).status == 200
    vc.wait_restart_over()
    assert vc.served_cert() != before
    token = vc.login("rest")
    assert vc.rest("POST", P + "/vmca-root", body={"spec": {"key_size": 2048}}, token=token).status == 200
    vc.wait_restart_over()
    token = vc.login("rest")
    _rest_404(vc.rest("GET", P + "/signing-certificate", token=token))


def test_702_has_api_but_no_sts(vc702):
    vc = vc702
    token = vc.login("api")
    assert vc.api("GET", P + "/tls", token=token).status == 200
    assert vc.rest("GET", P + "/tls", token=token).status == 200
    assert vc.api("GET", "/appliance/system/version", token=token).json["version"].startswith("7.0.2.")
    err_api(vc.api("GET", P + "/signing-certificate", token=token), 404, "NOT_FOUND")
    err_api(vc.api("POST", P + "/signing-certificate?action=refresh", body={}, token=token), 404, "NOT_FOUND")
    assert vc.api("POST", P + "/tls?action=renew", body={"duration": 5}, token=token).status == 204


def test_911_version_and_sts(vc911):
    vc = vc911
    token = vc.login("api")
    assert vc.api("GET", "/appliance/system/version", token=token).json["version"].startswith("9.1.1.")
    assert vc.api("GET", P + "/signing-certificate", token=token).status == 200
    assert vc.api("POST", P + "/signing-certificate", body={"key_size": 2048}, token=token).status == 201
