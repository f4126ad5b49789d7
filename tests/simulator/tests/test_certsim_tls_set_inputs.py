# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tls.set input combinations (issue 11; README "Fidelity options"), over raw HTTP.

The SDK documents three (S14 docstring, S37 API reference Tls.put): cert alone after a CSR made on vCenter;
cert + key when the root is already trusted; cert + key + root_cert when it is not. Each works; every other
combination is refused with the error shape of the simulator's other Tls.set input refusals and changes nothing
(served certificate, Tls.get, trust store, pending CSR key, restart state, applied writes)."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from certsim_client import P, SimProcess, ThirdPartyCA, err_api, err_rest, key_pkcs8, new_key, now, pem, sha1_id

TLS = P + "/tls"
TRC = P + "/trusted-root-chains"
CSR = P + "/tls-csr"
CM_ERROR = "com.vmware.certificatemanagement.error"
KEY_NOT_FOUND = "com.vmware.certificatemanagement.tls.key.not_found"
SPEC_ID = "com.vmware.vcenter.certificate_management.vcenter.tls.spec"
ROOT_WITHOUT_KEY = ("Invalid input : The root certificate can be provided only together with the private key. "
                    "Provide the certificate alone to use the private key of the certificate signing request "
                    "generated on vCenter Server.")
ROOT_TRUSTED = ("Invalid root certificate : The root certificate bearing subject %s is already one of the trusted "
                "roots. Provide the certificate and the private key only.")
SUBJECT = {"organization": "Example Corp", "organization_unit": "", "locality": "Berlin",
           "state_or_province": "Berlin", "country": "DE", "email_address": "", "key_size": 2048}


class IssuingCA(ThirdPartyCA):
    """An intermediate CA (CA, keyCertSign) issued by a ThirdPartyCA root; issues leaves like its root."""

    def __init__(self, root, name="Test Issuing CA"):  # pylint: disable=super-init-not-called
        self.key = new_key()
        start = now() - datetime.timedelta(days=1)
        self.cert = (x509.CertificateBuilder()
                     .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                                              x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Corp")]))
                     .issuer_name(root.cert.subject).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=1000))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(root.key, hashes.SHA256()))


@pytest.fixture(scope="module")
def sim_accept():
    sim = SimProcess("--port", "0", "--restart-seconds", "0.2", "--root-cert-trusted", "accept")
    yield sim
    assert sim.stop() == 0, sim.stderr


def _dn(cert):
    return cert.subject.rfc4514_string()


def _trust(vc, token):
    return sorted(e["chain"] for e in vc.api("GET", TRC, token=token).json)


def _snapshot(vc, token):
    """Everything a Tls.set could change."""
    return {"served": vc.served_cert(), "tls": vc.api("GET", TLS, token=token).json["cert"],
            "trust": _trust(vc, token), "state": vc.state(), "applied": vc.stats()["writes_applied"]}


def _cm_error(resp, text):
    body = err_api(resp, 500, "ERROR")
    assert body["messages"] == [{"id": CM_ERROR, "default_message": "Exception found (%s)" % text, "args": [text]}]


def _trust_root(vc, token, *certs):
    assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [pem(c) for c in certs]}},
                  token=token).status == 201


def _after_restart(vc):
    vc.wait_restart_over()
    return vc.login()


def _installed(vc, token, resp, cert):
    assert resp.status == 204 and resp.raw == b"", resp
    token = _after_restart(vc)
    assert vc.served_cert() == cert
    assert vc.api("GET", TLS, token=token).json["cert"] == pem(cert)
    return token


# --------------------------------------------------------------------------- refused
def test_no_cert_is_refused_by_the_structure_validation(vc, token):
    ca = ThirdPartyCA()
    _cert, key = ca.issue()
    before = _snapshot(vc, token)
    for body in ({}, {"key": key_pkcs8(key)}, {"root_cert": ca.pem}, {"key": key_pkcs8(key), "root_cert": ca.pem},
                 {"cert": None, "key": key_pkcs8(key), "root_cert": ca.pem}):
        resp = err_api(vc.api("PUT", TLS, body=body, token=token), 400, "INVALID_ARGUMENT")
        assert resp["messages"][0]["id"] == "vapi.data.structure.field.missing", (body, resp)
        assert resp["messages"][0]["args"] == ["cert", SPEC_ID], (body, resp)
    err_rest(vc.rest("PUT", TLS, body={"spec": {"key": key_pkcs8(key), "root_cert": ca.pem}}, token=token), 400,
             "INVALID_ARGUMENT")
    assert _snapshot(vc, token) == before


def test_root_cert_without_key_is_refused_without_a_csr(vc, token):
    ca = ThirdPartyCA()
    cert, _key = ca.issue()
    before = _snapshot(vc, token)
    assert before["state"]["pending_csr"] is False
    # "key": null is an unset key, as the runtime reads an optional field
    for body in ({"cert": pem(cert), "root_cert": ca.pem}, {"cert": pem(cert), "key": None, "root_cert": ca.pem}):
        _cm_error(vc.api("PUT", TLS, body=body, token=token), ROOT_WITHOUT_KEY)
    body = err_rest(vc.rest("PUT", TLS, body={"spec": {"cert": pem(cert), "root_cert": ca.pem}}, token=token), 500,
                    "ERROR")
    assert body["value"]["messages"] == [{"id": CM_ERROR, "default_message": "Exception found (%s)"
                                          % ROOT_WITHOUT_KEY, "args": [ROOT_WITHOUT_KEY]}]
    assert _snapshot(vc, token) == before
    assert sha1_id(ca.cert) not in before["trust"]


def test_root_cert_without_key_is_refused_after_a_csr_and_cert_alone_works(vc, token):
    ca = ThirdPartyCA()
    r = vc.api("POST", CSR, body=SUBJECT, token=token)
    assert r.status == 201
    cert = ca.sign_csr(r.json["csr"])
    before = _snapshot(vc, token)
    assert before["state"]["pending_csr"] is True
    _cm_error(vc.api("PUT", TLS, body={"cert": pem(cert), "root_cert": ca.pem}, token=token), ROOT_WITHOUT_KEY)
    # the issuing CA and its root in root_cert: the same refusal
    inter = IssuingCA(ca)
    _cm_error(vc.api("PUT", TLS, body={"cert": pem(cert), "root_cert": inter.pem + ca.pem}, token=token),
              ROOT_WITHOUT_KEY)
    # nothing changed: the CSR key is still pending, the root is not trusted
    assert _snapshot(vc, token) == before
    # scenario 1, the documented way for the same certificate: trust the root, then cert alone
    _trust_root(vc, token, ca.cert)
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(cert)}, token=token), cert)
    assert vc.state()["pending_csr"] is False


def test_cert_alone_needs_the_csr_key_of_that_certificate(vc, token):
    ca = ThirdPartyCA()
    _trust_root(vc, token, ca.cert)
    cert, key = ca.issue()
    before = _snapshot(vc, token)
    # no CSR made on vCenter: no private key in VECS (the NotFound Tls.set declares)
    body = err_api(vc.api("PUT", TLS, body={"cert": pem(cert)}, token=token), 404, "NOT_FOUND")
    assert body["messages"][0]["id"] == KEY_NOT_FOUND
    assert _snapshot(vc, token) == before
    # a CSR whose key is not the certificate's
    assert vc.api("POST", CSR, body=SUBJECT, token=token).status == 201
    before = _snapshot(vc, token)
    body = err_api(vc.api("PUT", TLS, body={"cert": pem(cert)}, token=token), 404, "NOT_FOUND")
    assert body["messages"][0]["id"] == KEY_NOT_FOUND
    err_rest(vc.rest("PUT", TLS, body={"spec": {"cert": pem(cert)}}, token=token), 404, "NOT_FOUND")
    assert _snapshot(vc, token) == before
    assert before["state"]["pending_csr"] is True
    # scenario 2 (cert + key, root trusted) for the same certificate
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key)}, token=token), cert)


def test_root_cert_of_an_already_trusted_root_is_refused(vc, token):
    ca = ThirdPartyCA()
    _trust_root(vc, token, ca.cert)
    cert, key = ca.issue()
    inter = IssuingCA(ca)
    leaf2, key2 = inter.issue()
    before = _snapshot(vc, token)
    text = ROOT_TRUSTED % _dn(ca.cert)
    _cm_error(vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem},
                     token=token), text)
    spec = {"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem}
    body = err_rest(vc.rest("PUT", TLS, body={"spec": spec}, token=token), 500, "ERROR")
    assert body["value"]["messages"][0]["args"] == [text]
    # root_cert holding only the issuing CA of a trusted root (a certbot chain file, S7), or the issuing CA and
    # the trusted root (S6): the root is trusted, so scenario 2 applies
    for root_cert in (inter.pem, inter.pem + ca.pem):
        _cm_error(vc.api("PUT", TLS, body={"cert": pem(leaf2), "key": key_pkcs8(key2), "root_cert": root_cert},
                         token=token), text)
    assert _snapshot(vc, token) == before
    assert sha1_id(inter.cert) not in before["trust"]
    # scenario 2 for the same certificate works
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key)}, token=token), cert)


def test_second_certificate_of_the_same_ca_goes_without_root_cert(vc, token):
    """The first certificate of a CA brings its root (scenario 3); the next one (a renewal) is scenario 2."""
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    token = _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key),
                                                           "root_cert": ca.pem}, token=token), cert)
    assert sha1_id(ca.cert) in _trust(vc, token)
    renewed, renewed_key = ca.issue()
    before = _snapshot(vc, token)
    _cm_error(vc.api("PUT", TLS, body={"cert": pem(renewed), "key": key_pkcs8(renewed_key), "root_cert": ca.pem},
                     token=token), ROOT_TRUSTED % _dn(ca.cert))
    assert _snapshot(vc, token) == before
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(renewed), "key": key_pkcs8(renewed_key)},
                                 token=token), renewed)


# --------------------------------------------------------------------------- documented, accepted
def test_scenario_3_with_a_bundle_trusts_the_root_and_the_issuing_ca(vc, token):
    ca = ThirdPartyCA()
    inter = IssuingCA(ca)
    leaf, key = inter.issue()
    trust = _trust(vc, token)
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(leaf), "key": key_pkcs8(key),
                                                   "root_cert": inter.pem + ca.pem}, token=token), leaf)
    token = vc.login()
    assert _trust(vc, token) == sorted(trust + [sha1_id(ca.cert), sha1_id(inter.cert)])


def test_scenario_3_when_only_the_issuing_ca_is_trusted(vc, token):
    """The root, not an intermediate, decides: an untrusted root in root_cert is scenario 3."""
    ca = ThirdPartyCA()
    inter = IssuingCA(ca)
    _trust_root(vc, token, inter.cert)
    leaf, key = inter.issue()
    trust = _trust(vc, token)
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(leaf), "key": key_pkcs8(key), "root_cert": ca.pem},
                                 token=token), leaf)
    token = vc.login()
    assert _trust(vc, token) == sorted(trust + [sha1_id(ca.cert)])


def test_scenario_2_and_3_over_rest(vc):
    token = vc.login("rest")
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    r = vc.rest("PUT", TLS, body={"spec": {"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem}},
                token=token)
    assert r.status == 200 and r.raw == b""
    vc.wait_restart_over()
    assert vc.served_cert() == cert
    token = vc.login("rest")
    cert2, key2 = ca.issue()
    r = vc.rest("PUT", TLS, body={"spec": {"cert": pem(cert2), "key": key_pkcs8(key2)}}, token=token)
    assert r.status == 200 and r.raw == b""
    vc.wait_restart_over()
    assert vc.served_cert() == cert2


def test_root_cert_trusted_accept(sim_accept):
    """--root-cert-trusted accept: root_cert of a trusted root is accepted (the clients of S6/S7) and nothing is
    added twice; root_cert without key stays refused."""
    vc = sim_accept.client()
    vc.reset()
    token = vc.login()
    ca = ThirdPartyCA()
    _trust_root(vc, token, ca.cert)
    cert, key = ca.issue()
    before = _snapshot(vc, token)
    _cm_error(vc.api("PUT", TLS, body={"cert": pem(cert), "root_cert": ca.pem}, token=token), ROOT_WITHOUT_KEY)
    assert _snapshot(vc, token) == before
    _installed(vc, token, vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem},
                                 token=token), cert)
    token = vc.login()
    assert _trust(vc, token) == before["trust"]
