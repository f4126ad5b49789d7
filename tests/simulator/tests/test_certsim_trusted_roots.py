# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TrustedRootChains list/create/get/delete in both dialects, input validation."""

import re

from cryptography import x509

from certsim_client import P, ThirdPartyCA, err_api, err_rest, sha1_id

TRC = P + "/trusted-root-chains"


def test_initial_trust_store_holds_the_vmca_root(vc, token):
    root = vc.vmca_root()
    r = vc.api("GET", TRC, token=token)
    assert r.status == 200
    assert r.json == [{"chain": sha1_id(root)}]
    assert re.match(r"^[0-9A-F]{40}$", r.json[0]["chain"])
    r = vc.api("GET", TRC + "/" + sha1_id(root), token=token)
    assert r.status == 200
    assert set(r.json) == {"cert_chain"}
    pems = r.json["cert_chain"]["cert_chain"]
    assert len(pems) == 1
    # --root-entry-shape with-crl (default): newline, the certificate, then the VMCA's X509 CRL
    assert pems[0].startswith("\n-----BEGIN CERTIFICATE-----") and "-----BEGIN X509 CRL-----" in pems[0]
    assert x509.load_pem_x509_certificate(pems[0].lstrip().encode()) == root
    subject = root.subject.rfc4514_string()
    for part in ("CN=CA", "DC=vsphere", "DC=local", "C=US", "ST=California", "O=localhost", "OU=VMware Engineering"):
        assert part in subject


def test_api_create_get_delete(vc, token):
    ca = ThirdPartyCA()
    r = vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token)
    assert r.status == 201
    assert r.json == sha1_id(ca.cert)
    ids = [e["chain"] for e in vc.api("GET", TRC, token=token).json]
    assert sha1_id(ca.cert) in ids and len(ids) == 2
    got = vc.api("GET", TRC + "/" + r.json, token=token)
    assert got.status == 200
    assert x509.load_pem_x509_certificate(got.json["cert_chain"]["cert_chain"][0].encode()) == ca.cert
    # duplicate generated id
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token), 400, "ALREADY_EXISTS")
    # the same content under a new id (--duplicate-root refuse, the default)
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}, "chain": "dup"}, token=token),
            400, "ALREADY_EXISTS")
    # client-chosen id, and its duplicate
    ca2 = ThirdPartyCA("Second Test Root CA")
    r = vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca2.pem]}, "chain": "my-domain"}, token=token)
    assert r.status == 201 and r.json == "my-domain"
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca2.pem]}, "chain": "my-domain"}, token=token),
            400, "ALREADY_EXISTS")
    d = vc.api("DELETE", TRC + "/my-domain", token=token)
    assert d.status == 204 and d.raw == b""
    err_api(vc.api("GET", TRC + "/my-domain", token=token), 404, "NOT_FOUND")
    err_api(vc.api("DELETE", TRC + "/my-domain", token=token), 404, "NOT_FOUND")
    err_api(vc.api("DELETE", TRC + "/0000000000000000000000000000000000000000", token=token), 404, "NOT_FOUND")


def test_api_create_validation(vc, token):
    ca = ThirdPartyCA()
    # the /rest-style wrapper is refused on /api exactly like the real 9.x server did
    body = err_api(vc.api("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": [ca.pem]}}}, token=token),
                   400, "UNEXPECTED_INPUT")
    assert body["messages"][0]["default_message"] == (
        "Found unexpected fields [spec] in structure "
        "com.vmware.vcenter.certificate_management.vcenter.trusted_root_chains.create_spec")
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem], "extra": 1}}, token=token),
            400, "UNEXPECTED_INPUT")
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": ["not a certificate"]}}, token=token),
            400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]}}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": []}}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TRC, body={"chain": "x"}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": "not-a-list"}}, token=token), 400,
            "INVALID_ARGUMENT")
    err_api(vc.api("POST", TRC, token=token), 400, "INVALID_ARGUMENT")
    r = vc.api("POST", TRC, raw=b'{"cert_chain": ', token=token)
    assert r.status == 400 and r.json["error_type"] in ("INVALID_REQUEST", "INVALID_ARGUMENT")
    assert len(vc.api("GET", TRC, token=token).json) == 1


def test_rest_create_get_delete(vc):
    token = vc.login("rest")
    ca = ThirdPartyCA()
    r = vc.rest("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": [ca.pem]}}}, token=token)
    assert r.status == 200 and r.json == {"value": sha1_id(ca.cert)}
    r = vc.rest("GET", TRC, token=token)
    assert r.status == 200 and {"chain": sha1_id(ca.cert)} in r.json["value"]
    r = vc.rest("GET", TRC + "/" + sha1_id(ca.cert), token=token)
    assert r.status == 200 and r.json["value"]["cert_chain"]["cert_chain"]
    err_rest(vc.rest("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": [ca.pem]}}}, token=token),
             400, "ALREADY_EXISTS")
    # the unwrapped /api form is unknown input on /rest
    err_rest(vc.rest("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token), 400,
             "UNEXPECTED_INPUT")
    err_rest(vc.rest("POST", TRC, body={}, token=token), 400, "INVALID_ARGUMENT")
    err_rest(vc.rest("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": ["junk"]}}}, token=token),
             400, "INVALID_ARGUMENT")
    r = vc.rest("DELETE", TRC + "/" + sha1_id(ca.cert), token=token)
    assert r.status == 200 and r.raw == b""
    err_rest(vc.rest("GET", TRC + "/" + sha1_id(ca.cert), token=token), 404, "NOT_FOUND")
    err_rest(vc.rest("DELETE", TRC + "/" + sha1_id(ca.cert), token=token), 404, "NOT_FOUND")
    err_rest(vc.rest("POST", TRC, raw=b"{nope", token=token), 400, "INVALID_REQUEST")


def test_unknown_paths_and_operations(vc, token):
    body = err_rest(vc.rest("GET", P + "/no-such-thing", token=token), 404, "NOT_FOUND")
    assert body["value"]["messages"][0]["id"] == "com.vmware.vapi.rest.operationsForUrlNotFound"
    err_rest(vc.rest("PATCH", TRC, token=token), 404, "NOT_FOUND")
    err_api(vc.api("GET", P + "/no-such-thing", token=token), 404, "NOT_FOUND")
    err_api(vc.api("PATCH", P + "/tls", body={}, token=token), 404, "NOT_FOUND")
    err_api(vc.api("POST", P + "/tls?action=bogus", body={}, token=token), 404, "NOT_FOUND")
    # the SDK-metadata form without ?action=renew is not the documented operation
    err_api(vc.api("POST", P + "/tls", body={}, token=token), 404, "NOT_FOUND")
