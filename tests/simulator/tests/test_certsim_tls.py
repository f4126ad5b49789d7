# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Machine SSL certificate: get, CSR, set, renew, replace-vmca-signed, VMCA root; served certificate."""

import datetime
import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from certsim_client import (DROPPED, P, ThirdPartyCA, err_api, err_rest, key_pkcs1, key_pkcs8, new_key, now, pem,
                            sha1_colon, sha1_id)

TLS = P + "/tls"
SAN_TEXT = ("Invalid input certificate : DNS in Subject Alternative Name is not correct. "
            "DNS Name must contain machine FQDN.")
SUBJECT = {"organization": "Example Corp", "organization_unit": "", "locality": "Berlin",
           "state_or_province": "Berlin", "country": "DE", "email_address": ""}


def _parse_time(text):
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


def _after_restart(vc):
    vc.wait_restart_over()
    return vc.login()


def test_get_returns_every_field_of_the_served_cert(vc, token):
    r = vc.api("GET", TLS, token=token)
    assert r.status == 200
    info = r.json
    assert set(info) == {"version", "serial_number", "signature_algorithm", "issuer_dn", "valid_from", "valid_to",
                         "subject_dn", "thumbprint", "is_CA", "path_length_constraint", "key_usage",
                         "extended_key_usage", "subject_alternative_name", "authority_information_access_uri",
                         "cert"}
    served = vc.served_cert()
    cert = x509.load_pem_x509_certificate(info["cert"].encode())
    assert cert == served
    assert info["thumbprint"] == sha1_colon(served)
    assert info["is_CA"] is False
    assert info["version"] == 3
    assert "localhost" in info["subject_alternative_name"] and "127.0.0.1" in info["subject_alternative_name"]
    assert "digitalSignature" in info["key_usage"] and "keyEncipherment" in info["key_usage"]
    assert "1.3.6.1.5.5.7.3.1" in info["extended_key_usage"]
    assert _parse_time(info["valid_from"]) < _parse_time(info["valid_to"])
    assert isinstance(info["authority_information_access_uri"], list)
    # VMCA-issued
    root = vc.vmca_root()
    assert served.issuer == root.subject
    served.verify_directly_issued_by(root)
    r = vc.rest("GET", TLS, token=token)
    assert r.status == 200 and r.json["value"] == info


def test_set_scenario_1_csr_then_cert_only(vc, token):
    ca = ThirdPartyCA()
    assert vc.api("POST", P + "/trusted-root-chains", body={"cert_chain": {"cert_chain": [ca.pem]}},
                  token=token).status == 201
    r = vc.api("POST", P + "/tls-csr", body=dict(SUBJECT, key_size=2048), token=token)
    assert r.status == 201 and set(r.json) == {"csr"}
    csr = x509.load_pem_x509_csr(r.json["csr"].encode())
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Example Corp"
    assert not csr.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert vc.state()["pending_csr"] is True
    cert = ca.sign_csr(r.json["csr"])
    before = vc.served_cert()
    r = vc.api("PUT", TLS, body={"cert": pem(cert)}, token=token)
    assert r.status == 204 and r.raw == b""
    token = _after_restart(vc)
    assert vc.served_cert() == cert != before
    assert vc.state()["pending_csr"] is False
    assert vc.api("GET", TLS, token=token).json["thumbprint"] == sha1_colon(cert)
    # served chain carries the issuer
    _leaf, chain = vc.served_chain()
    if chain is not None:
        assert len(chain) == 2


def test_set_scenario_3_cert_key_root(vc, token):
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    r = vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs1(key), "root_cert": ca.pem}, token=token)
    assert r.status == 204
    token = _after_restart(vc)
    assert vc.served_cert() == cert
    ids = [e["chain"] for e in vc.api("GET", P + "/trusted-root-chains", token=token).json]
    assert sha1_id(ca.cert) in ids
    # scenario 2: the issuer is now trusted, cert + key suffices
    cert2, key2 = ca.issue()
    assert vc.api("PUT", TLS, body={"cert": pem(cert2), "key": key_pkcs8(key2)}, token=token).status == 204
    _after_restart(vc)
    assert vc.served_cert() == cert2


def test_set_validation_errors(vc, token):
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    other = new_key()
    served = vc.served_cert()
    # key that does not match
    err_api(vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(other), "root_cert": ca.pem}, token=token),
            500, "ERROR")
    # SAN without the PNID: the real message shape
    bad_san, bad_key = ca.issue(dns=("other.example.com",), ips=())
    body = err_api(vc.api("PUT", TLS, body={"cert": pem(bad_san), "key": key_pkcs8(bad_key), "root_cert": ca.pem},
                          token=token), 500, "ERROR")
    assert body["messages"][0]["id"] == "com.vmware.certificatemanagement.error"
    assert body["messages"][0]["args"] == [SAN_TEXT]
    assert SAN_TEXT in body["messages"][0]["default_message"]
    # a chain that cannot be built (issuer not trusted, no root_cert)
    err_api(vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key)}, token=token), 500, "ERROR")
    # expired certificate
    old, old_key = ca.issue(start=now() - datetime.timedelta(days=30), days=10)
    err_api(vc.api("PUT", TLS, body={"cert": pem(old), "key": key_pkcs8(old_key), "root_cert": ca.pem}, token=token),
            500, "ERROR")
    # not PEM
    err_api(vc.api("PUT", TLS, body={"cert": "garbage"}, token=token), 500, "ERROR")
    # the current certificate again
    current = vc.api("GET", TLS, token=token).json["cert"]
    err_api(vc.api("PUT", TLS, body={"cert": current}, token=token), 400, "ALREADY_EXISTS")
    # no key and no pending CSR key (the other input combinations: test_certsim_tls_set_inputs.py)
    err_api(vc.api("PUT", TLS, body={"cert": pem(cert)}, token=token), 404, "NOT_FOUND")
    # no key and a pending CSR key that does not match
    assert vc.api("POST", P + "/tls-csr", body=dict(SUBJECT, key_size=2048), token=token).status == 201
    err_api(vc.api("PUT", TLS, body={"cert": pem(cert)}, token=token), 404, "NOT_FOUND")
    # input structure
    err_api(vc.api("PUT", TLS, body={"key": key_pkcs8(key)}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("PUT", TLS, body={"cert": pem(cert), "chain": "x"}, token=token), 400, "UNEXPECTED_INPUT")
    err_api(vc.api("PUT", TLS, body={"spec": {"cert": pem(cert)}}, token=token), 400, "UNEXPECTED_INPUT")
    err_api(vc.api("PUT", TLS, body={"cert": 12}, token=token), 400, "INVALID_ARGUMENT")
    # nothing was applied, nothing restarted
    assert vc.served_cert() == served
    assert vc.state()["in_restart"] is False
    assert ca.pem not in str(vc.api("GET", P + "/trusted-root-chains", token=token).json)
    assert vc.stats()["writes_applied"] == 1  # the CSR only


def test_rest_csr_and_set(vc):
    token = vc.login("rest")
    ca = ThirdPartyCA()
    r = vc.rest("POST", P + "/tls-csr", body={"spec": dict(SUBJECT, key_size=2048, common_name="localhost",
                                                           subject_alt_name=["localhost", "127.0.0.1"])},
                token=token)
    assert r.status == 200 and "BEGIN CERTIFICATE REQUEST" in r.json["value"]["csr"]
    err_rest(vc.rest("POST", P + "/tls-csr", body=dict(SUBJECT), token=token), 400, "UNEXPECTED_INPUT")
    missing = dict(SUBJECT)
    del missing["country"]
    err_rest(vc.rest("POST", P + "/tls-csr", body={"spec": missing}, token=token), 400, "INVALID_ARGUMENT")
    cert = ca.sign_csr(r.json["value"]["csr"])
    # scenario 1 (cert alone after the CSR): the issuing root is trusted first, root_cert needs the key
    assert vc.rest("POST", P + "/trusted-root-chains", body={"spec": {"cert_chain": {"cert_chain": [ca.pem]}}},
                   token=token).status == 200
    r = vc.rest("PUT", TLS, body={"spec": {"cert": pem(cert)}}, token=token)
    assert r.status == 200 and r.raw == b""
    vc.wait_restart_over()
    assert vc.served_cert() == cert


def test_csr_validation(vc, token):
    missing = dict(SUBJECT)
    del missing["email_address"]
    err_api(vc.api("POST", P + "/tls-csr", body=missing, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", P + "/tls-csr", body=dict(SUBJECT, bogus=1), token=token), 400, "UNEXPECTED_INPUT")
    err_api(vc.api("POST", P + "/tls-csr", body={"spec": SUBJECT}, token=token), 400, "UNEXPECTED_INPUT")
    err_api(vc.api("POST", P + "/tls-csr", body=dict(SUBJECT, key_size=512), token=token), 500, "ERROR")
    err_api(vc.api("POST", P + "/tls-csr", body=dict(SUBJECT, country="Germany", key_size=2048), token=token),
            500, "ERROR")
    assert vc.state()["pending_csr"] is False


def test_renew_restart_window_and_served_cert(vc, token):
    before = vc.served_cert()
    keepalive = vc.connection()
    assert vc.request("GET", "/api" + TLS, token=token, conn=keepalive).status == 200
    r = vc.api("POST", TLS + "?action=renew", body={"duration": 30}, token=token)
    assert r.status == 204 and r.raw == b""
    # the open connection was dropped by the restart
    try:
        vc.request("GET", "/api" + TLS, token=token, conn=keepalive)
        raise AssertionError("kept-alive connection survived the restart")
    except DROPPED:
        pass
    finally:
        keepalive.close()
    # during the restart: refused, plain-text 503 or the JSON 503 (which one depends on how fast we are)
    try:
        r = vc.api("GET", TLS, token=token)
    except ConnectionRefusedError:
        r = None
    if r is not None and r.headers.get("Content-Type", "").startswith("application/json") and r.status == 503:
        body = err_api(r, 503, "SERVICE_UNAVAILABLE")
        assert body["messages"] == [{"args": [], "default_message": "Service unavailable.",
                                     "id": "com.vmware.vapi.endpoint.cis.ServiceUnavailable"}]
    vc.wait_restart_over()
    assert vc.stats()["requests"]["POST /api/vcenter/certificate-management/vcenter/tls?action=renew"] == 1
    # old session is gone after the restart
    err_api(vc.api("GET", TLS, token=token), 401, "UNAUTHENTICATED")
    token = vc.login()
    info = vc.api("GET", TLS, token=token).json
    served = vc.served_cert()
    assert served != before
    assert info["thumbprint"] == sha1_colon(served)
    assert (_parse_time(info["valid_to"]) - _parse_time(info["valid_from"])).days == 30
    assert served.subject == before.subject
    served.verify_directly_issued_by(vc.vmca_root())


def test_renew_window_answers_503_while_in_restart():
    """Phase L alone (--restart-phases 0,0,1): logins answer, everything else is the JSON 503."""
    from certsim_client import SimProcess  # pylint: disable=import-outside-toplevel
    sim = SimProcess("--port", "0", "--restart-seconds", "30", "--restart-phases", "0,0,1")
    try:
        vc = sim.client()
        token = vc.login()
        assert vc.api("POST", TLS + "?action=renew", body={}, token=token).status == 204
        assert vc.state()["in_restart"] is True
        assert vc.state()["restart_phase"] == "L"
        body = err_api(vc.api("GET", TLS, token=token), 503, "SERVICE_UNAVAILABLE")
        assert body["messages"][0]["id"] == "com.vmware.vapi.endpoint.cis.ServiceUnavailable"
        # the session service is back: both logins work, the old token is gone, the new one gets the 503 too
        new = vc.login("api")
        rest_token = vc.login("rest")
        err_api(vc.api("GET", "/session", token=token), 401, "UNAUTHENTICATED")
        assert vc.api("GET", "/session", token=new).status == 200
        err_api(vc.api("GET", TLS, token=new), 503, "SERVICE_UNAVAILABLE")
        err_rest(vc.rest("GET", TLS, token=rest_token), 503, "SERVICE_UNAVAILABLE")
        err_api(vc.api("GET", "/appliance/system/version", token=new), 503, "SERVICE_UNAVAILABLE")
        # the control API is not affected in phase L
        assert vc.sim("GET", "stats").status == 200
    finally:
        assert sim.stop() == 0


def test_renew_durations(vc, token):
    for bad in (0, 731, -5, "abc", True, 1.5):
        err_api(vc.api("POST", TLS + "?action=renew", body={"duration": bad}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TLS + "?action=renew", body={"duration": 30, "x": 1}, token=token), 400,
            "UNEXPECTED_INPUT")
    assert vc.stats()["writes_applied"] == 0
    # VMware's cURL sample sends a string
    assert vc.api("POST", TLS + "?action=renew", body={"duration": "730"}, token=token).status == 204
    token = _after_restart(vc)
    info = vc.api("GET", TLS, token=token).json
    assert (_parse_time(info["valid_to"]) - _parse_time(info["valid_from"])).days == 730
    # no body at all: default 730
    assert vc.api("POST", TLS + "?action=renew", token=token).status == 204
    token = _after_restart(vc)
    info = vc.api("GET", TLS, token=token).json
    assert (_parse_time(info["valid_to"]) - _parse_time(info["valid_from"])).days == 730
    # /rest
    r = vc.rest("POST", TLS + "?action=renew", body={"duration": 10}, token=token)
    assert r.status == 200 and r.raw == b""
    token = _after_restart(vc)
    info = vc.rest("GET", TLS, token=token).json["value"]
    assert (_parse_time(info["valid_to"]) - _parse_time(info["valid_from"])).days == 10
    err_rest(vc.rest("POST", TLS + "?action=renew", body={"duration": 999}, token=token), 400, "INVALID_ARGUMENT")


def test_renew_unsupported_for_custom_cert(vc, token):
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    assert vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem},
                  token=token).status == 204
    token = _after_restart(vc)
    err_api(vc.api("POST", TLS + "?action=renew", body={"duration": 30}, token=token), 400, "UNSUPPORTED")
    err_rest(vc.rest("POST", TLS + "?action=renew", body={}, token=token), 400, "UNSUPPORTED")
    assert vc.served_cert() == cert


def test_replace_vmca_signed(vc, token):
    before = vc.served_cert()
    spec = dict(SUBJECT, key_size=2048, organization_unit="Ops", email_address="ops@example.com")
    r = vc.api("POST", TLS + "?action=replace-vmca-signed", body=spec, token=token)
    assert r.status == 204 and r.raw == b""
    token = _after_restart(vc)
    served = vc.served_cert()
    assert served != before
    served.verify_directly_issued_by(vc.vmca_root())
    assert served.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Example Corp"
    assert served.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert served.public_key().key_size == 2048
    san = served.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    # validation
    missing = dict(SUBJECT)
    del missing["locality"]
    err_api(vc.api("POST", TLS + "?action=replace-vmca-signed", body=missing, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TLS + "?action=replace-vmca-signed", body={"spec": SUBJECT}, token=token), 400,
            "UNEXPECTED_INPUT")
    err_api(vc.api("POST", TLS + "?action=replace-vmca-signed", body=dict(SUBJECT, key_size=1024), token=token),
            400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", TLS + "?action=replace-vmca-signed", body=dict(SUBJECT, country="DEU"), token=token),
            400, "INVALID_ARGUMENT")
    # /rest, default key size 3072
    r = vc.rest("POST", TLS + "?action=replace-vmca-signed", body={"spec": SUBJECT}, token=token)
    assert r.status == 200 and r.raw == b""
    _after_restart(vc)
    assert vc.served_cert().public_key().key_size == 3072


def test_vmca_root_create_variants(vc, token):
    old_root = vc.vmca_root()
    before = vc.served_cert()
    # no body at all: every default (key size 3072, CN = PNID, O=VMware, ...)
    r = vc.api("POST", P + "/vmca-root", token=token)
    assert r.status == 204 and r.raw == b""
    token = _after_restart(vc)
    root = vc.vmca_root()
    assert root != old_root
    assert root.public_key().key_size == 3072
    subject = root.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "VMware"
    assert subject.get_attributes_for_oid(NameOID.LOCALITY_NAME)[0].value == "Palo Alto"
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    served = vc.served_cert()
    assert served != before and served.subject == before.subject
    served.verify_directly_issued_by(root)
    san = served.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    ids = [e["chain"] for e in vc.api("GET", P + "/trusted-root-chains", token=token).json]
    assert sha1_id(old_root) in ids and sha1_id(root) in ids
    # {} and null bodies
    assert vc.api("POST", P + "/vmca-root", body={"key_size": 2048, "common_name": "Test Root"},
                  token=token).status == 204
    token = _after_restart(vc)
    assert vc.vmca_root().subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Test Root"
    assert vc.api("POST", P + "/vmca-root", raw=b"null", token=token).status == 204
    token = _after_restart(vc)
    assert vc.api("POST", P + "/vmca-root", body={}, token=token).status == 204
    token = _after_restart(vc)
    assert len(vc.api("GET", P + "/trusted-root-chains", token=token).json) == 5
    err_api(vc.api("POST", P + "/vmca-root", body={"bogus": 1}, token=token), 400, "UNEXPECTED_INPUT")
    # /rest: {"spec": ...} and {}
    r = vc.rest("POST", P + "/vmca-root", body={"spec": {"key_size": 2048}}, token=token)
    assert r.status == 200 and r.raw == b""
    token = _after_restart(vc)
    assert vc.rest("POST", P + "/vmca-root", body={}, token=token).status == 200
    token = _after_restart(vc)
    vc.served_cert().verify_directly_issued_by(vc.vmca_root())
    err_rest(vc.rest("POST", P + "/vmca-root", body={"key_size": 2048}, token=token), 400, "UNEXPECTED_INPUT")
