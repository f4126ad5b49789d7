# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS signing certificate: get/set/refresh (7.0.3+, /api only) and the 9.1.1 CSR + PATCH flow."""

from cryptography import x509

from certsim_client import P, ThirdPartyCA, err_api, err_rest, key_pkcs1, key_pkcs8, new_key, pem

STS = P + "/signing-certificate"


def _certs(chain):
    return [x509.load_pem_x509_certificate(p.encode()) for p in chain["cert_chain"]]


def test_get_initial_chain(vc, token):
    r = vc.api("GET", STS, token=token)
    assert r.status == 200
    assert set(r.json) == {"active_cert_chain", "signing_cert_chains"}
    active = _certs(r.json["active_cert_chain"])
    assert len(r.json["signing_cert_chains"]) == 1
    assert _certs(r.json["signing_cert_chains"][0]) == active
    leaf, root = active
    assert root == vc.vmca_root()
    leaf.verify_directly_issued_by(root)
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature


def test_refresh_keeps_previous_chains(vc, token):
    first = _certs(vc.api("GET", STS, token=token).json["active_cert_chain"])
    r = vc.api("POST", STS + "?action=refresh", body={}, token=token)
    assert r.status == 200
    assert set(r.json) == {"cert_chain"}
    new = _certs(r.json)
    assert new[0] != first[0]
    new[0].verify_directly_issued_by(vc.vmca_root())
    assert vc.api("POST", STS + "?action=refresh", body={"force": True}, token=token).status == 200
    third = _certs(vc.api("POST", STS + "?action=refresh", token=token).json)
    info = vc.api("GET", STS, token=token).json
    assert _certs(info["active_cert_chain"]) == third
    chains = [_certs(c)[0] for c in info["signing_cert_chains"]]
    assert len(chains) == 4 and chains[0] == third[0] and chains[-1] == first[0] and chains[-2] == new[0]
    # no restart for STS operations
    assert vc.state()["in_restart"] is False
    # the OpenAPI-3 rendering (bare boolean) is not the documented body
    err_api(vc.api("POST", STS + "?action=refresh", raw=b"true", token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", STS + "?action=refresh", body={"force": "yes"}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("POST", STS + "?action=refresh", body={"forced": True}, token=token), 400, "UNEXPECTED_INPUT")


def test_set_custom_chain(vc, token):
    ca = ThirdPartyCA()
    leaf, key = ca.issue(cn="sts-signing", dns=(), ips=())
    spec = {"signing_cert_chain": {"cert_chain": [pem(leaf), ca.pem]}, "private_key": key_pkcs8(key)}
    r = vc.api("PUT", STS, body=spec, token=token)
    assert r.status == 204 and r.raw == b""
    info = vc.api("GET", STS, token=token).json
    assert _certs(info["active_cert_chain"]) == [leaf, ca.cert]
    assert len(info["signing_cert_chains"]) == 2
    assert vc.state()["in_restart"] is False


def test_set_validation(vc, token):
    ca = ThirdPartyCA()
    leaf, key = ca.issue(cn="sts-signing", dns=(), ips=())
    chain = {"cert_chain": [pem(leaf), ca.pem]}
    # PKCS#1 ("BEGIN RSA PRIVATE KEY") is not the required PKCS#8
    err_api(vc.api("PUT", STS, body={"signing_cert_chain": chain, "private_key": key_pkcs1(key)}, token=token),
            400, "INVALID_ARGUMENT")
    # a key that does not match the leaf
    err_api(vc.api("PUT", STS, body={"signing_cert_chain": chain, "private_key": key_pkcs8(new_key())},
                   token=token), 400, "INVALID_ARGUMENT")
    # leaf without digitalSignature
    nods, nods_key = ca.issue(cn="sts-signing", dns=(), ips=(), digital_signature=False)
    err_api(vc.api("PUT", STS, body={"signing_cert_chain": {"cert_chain": [pem(nods), ca.pem]},
                                     "private_key": key_pkcs8(nods_key)}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("PUT", STS, body={"signing_cert_chain": {"cert_chain": ["junk"]}, "private_key": key_pkcs8(key)},
                   token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("PUT", STS, body={"signing_cert_chain": chain}, token=token), 400, "INVALID_ARGUMENT")
    err_api(vc.api("PUT", STS, body={"signing_cert_chain": chain, "private_key": key_pkcs8(key), "x": 1},
                   token=token), 400, "UNEXPECTED_INPUT")
    err_api(vc.api("PUT", STS, body={"spec": {"signing_cert_chain": chain, "private_key": key_pkcs8(key)}},
                   token=token), 400, "UNEXPECTED_INPUT")
    assert len(vc.api("GET", STS, token=token).json["signing_cert_chains"]) == 1


def test_sts_absent_from_rest_and_9x_ops_absent_on_803(vc, token):
    for method, rel in (("GET", STS), ("PUT", STS), ("POST", STS + "?action=refresh")):
        body = err_rest(vc.rest(method, rel, body={}, token=token), 404, "NOT_FOUND")
        assert body["value"]["messages"][0]["id"] == "com.vmware.vapi.rest.operationsForUrlNotFound"
    err_api(vc.api("POST", STS, body={}, token=token), 404, "NOT_FOUND")
    err_api(vc.api("PATCH", STS, body={}, token=token), 404, "NOT_FOUND")


def test_911_csr_and_patch_flow(vc911):
    vc = vc911
    token = vc.login()
    # PATCH without a chain is a no-op success, even with nothing staged
    r = vc.api("PATCH", STS, body={}, token=token)
    assert r.status == 204 and r.raw == b""
    assert vc.stats()["writes_applied"] == 0
    # a chain but no staged key
    ca = ThirdPartyCA()
    leaf, _key = ca.issue(cn="sts", dns=(), ips=())
    err_api(vc.api("PATCH", STS, body={"signing_cert_chain": {"cert_chain": [pem(leaf), ca.pem]}}, token=token),
            404, "NOT_FOUND")
    # CSR: 201 {"csr": pem}, key staged
    r = vc.api("POST", STS, body={"common_name": "sts-signing", "key_size": 2048}, token=token)
    assert r.status == 201 and set(r.json) == {"csr"}
    csr = x509.load_pem_x509_csr(r.json["csr"].encode())
    assert csr.subject.rfc4514_string() == "CN=sts-signing"
    assert vc.state()["staged_sts_key"] is True
    err_api(vc.api("POST", STS, body={"bogus": 1}, token=token), 400, "UNEXPECTED_INPUT")
    err_api(vc.api("POST", STS, body={"key_size": 100}, token=token), 400, "INVALID_ARGUMENT")
    # a chain whose leaf does not match the staged key
    err_api(vc.api("PATCH", STS, body={"signing_cert_chain": {"cert_chain": [pem(leaf), ca.pem]}}, token=token),
            400, "INVALID_ARGUMENT")
    # leaf without digitalSignature
    nods = ca.sign_csr(r.json["csr"], digital_signature=False)
    err_api(vc.api("PATCH", STS, body={"signing_cert_chain": {"cert_chain": [pem(nods), ca.pem]}}, token=token),
            400, "INVALID_ARGUMENT")
    signed = ca.sign_csr(r.json["csr"])
    r = vc.api("PATCH", STS, body={"signing_cert_chain": {"cert_chain": [pem(signed), ca.pem]}}, token=token)
    assert r.status == 204
    info = vc.api("GET", STS, token=token).json
    assert _certs(info["active_cert_chain"]) == [signed, ca.cert]
    assert vc.state()["staged_sts_key"] is False
    # the staged key was used up
    err_api(vc.api("PATCH", STS, body={"signing_cert_chain": {"cert_chain": [pem(signed), ca.pem]}}, token=token),
            404, "NOT_FOUND")
    # still /api only
    err_rest(vc.rest("POST", STS, body={}, token=token), 404, "NOT_FOUND")
    err_rest(vc.rest("PATCH", STS, body={}, token=token), 404, "NOT_FOUND")
    # the rest of /rest still exists on 9.1.1
    assert vc.rest("GET", P + "/tls", token=token).status == 200
