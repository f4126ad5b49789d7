# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strictness and wider effects of a real vCenter (issue 11; README "Fidelity options"), over raw HTTP."""

import datetime
import ipaddress
import secrets
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certsim_client import (P, ThirdPartyCA, err_api, err_rest, fresh_vc_fixture, key_pkcs8, new_key,
                            now, pem, sha1_id, sim_fixture)

TRC = P + "/trusted-root-chains"
TLS = P + "/tls"
STS = P + "/signing-certificate"
CM_ERROR = "com.vmware.certificatemanagement.error"
SUBJECT = {"organization": "Example Corp", "organization_unit": "", "locality": "Berlin",
           "state_or_province": "Berlin", "country": "DE", "email_address": ""}
PARTNER = "partner.example.test"
LAG = 4.0


# --------------------------------------------------------------------------- simulators with options
sim_alt = sim_fixture("--cert-chain-in-cert", "used", "--duplicate-root", "accept",
                      "--vmca-replace", "vmca-issued-only", "--vmca-replace-sts", "reissue",
                      "--sts-refresh", "force-only", "--root-entry-shape", "clean", scope="module")
sim_lag = sim_fixture("--trust-store-lag", str(LAG), "--linked-partner", PARTNER, scope="module")
sim_partner = sim_fixture("--linked-partner", PARTNER, "--sts-anchor", "partner", scope="module")
sim_short_root = sim_fixture("--vmca-root-days", "100", scope="module")


alt = fresh_vc_fixture("sim_alt")
lag = fresh_vc_fixture("sim_lag")
partner = fresh_vc_fixture("sim_partner")
short_root = fresh_vc_fixture("sim_short_root")


# --------------------------------------------------------------------------- test PKI
def _name(**parts):
    order = (("C", NameOID.COUNTRY_NAME), ("ST", NameOID.STATE_OR_PROVINCE_NAME), ("L", NameOID.LOCALITY_NAME),
             ("O", NameOID.ORGANIZATION_NAME), ("OU", NameOID.ORGANIZATIONAL_UNIT_NAME), ("CN", NameOID.COMMON_NAME))
    return x509.Name([x509.NameAttribute(oid, parts[k]) for k, oid in order if k in parts])


def _cert(subject, public_key, issuer_name, issuer_key, *, ca=False, cert_sign=None, ku=True, dns=("localhost",),
          ips=("127.0.0.1",), pss=False):
    """A certificate with the given CA flags; cert_sign defaults to ca."""
    cert_sign = ca if cert_sign is None else cert_sign
    start = now() - datetime.timedelta(hours=1)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(public_key)
         .serial_number(x509.random_serial_number()).not_valid_before(start)
         .not_valid_after(start + datetime.timedelta(days=365))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ku:
        b = b.add_extension(x509.KeyUsage(True, False, not ca, False, False, cert_sign, ca, False, False),
                            critical=True)
    if not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        if names:
            b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if pss:
        return b.sign(issuer_key, hashes.SHA256(),
                      rsa_padding=padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32))
    return b.sign(issuer_key, hashes.SHA256())


_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")


def _resign(cert, issuer_key, last_byte, hash_algo):
    """The same certificate signed with md5/sha1WithRSAEncryption (cryptography refuses to build those)."""
    der = cert.public_bytes(serialization.Encoding.DER)
    tbs = cert.tbs_certificate_bytes
    assert tbs.count(_SHA256_RSA) == 1 and der.count(_SHA256_RSA) == 2
    alg = _SHA256_RSA[:-1] + bytes([last_byte])
    new_tbs = tbs.replace(_SHA256_RSA, alg)
    sig = issuer_key.sign(new_tbs, padding.PKCS1v15(), hash_algo)
    return x509.load_der_x509_certificate(der.replace(tbs, new_tbs).replace(_SHA256_RSA, alg)
                                          .replace(cert.signature, sig))


def _fake_rsa_public_key(bits):
    """An RSA public key of ``bits`` bits without generating the private key (for size limits only)."""
    n = secrets.randbits(bits) | (1 << (bits - 1)) | 1
    return rsa.RSAPublicNumbers(65537, n).public_key()


class Hierarchy:
    """root -> intermediate -> leaf (localhost)."""

    def __init__(self):
        self.root = ThirdPartyCA("Fidelity Root CA")
        self.int_key = new_key()
        self.intermediate = _cert(_name(O="Example Corp", CN="Fidelity Issuing CA"), self.int_key.public_key(),
                                  self.root.cert.subject, self.root.key, ca=True)
        self.leaf_key = new_key()
        self.leaf = _cert(_name(CN="localhost"), self.leaf_key.public_key(), self.intermediate.subject,
                          self.int_key)


def _ids(vc, token):
    r = vc.api("GET", TRC, token=token)
    assert r.status == 200, r
    return [e["chain"] for e in r.json]


def _after_restart(vc):
    vc.wait_restart_over()
    return vc.login()


def _poll(fn, what, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if fn():
            return
        time.sleep(0.2)
    raise AssertionError("never happened: " + what)


def _not_after(cert):
    return cert.not_valid_after_utc


# --------------------------------------------------------------------------- 1. CA check, trusted roots
REAL_DN = "CN=fqdn-of-online-depot-machine,OU=IT,O=NGE,L=Chicago,ST=Illinois,C=US"


def _real_text(dn):
    return ("create trusted root chain failed : Certificate bearing subject %s is not a valid CA certificate. "
            "Please retry with a valid certificate chain" % dn)


def test_trc_create_refuses_a_leaf_with_the_real_error(vc, token):
    ca = ThirdPartyCA()
    key = new_key()
    leaf = _cert(_name(C="US", ST="Illinois", L="Chicago", O="NGE", OU="IT", CN="fqdn-of-online-depot-machine"),
                 key.public_key(), ca.cert.subject, ca.key)
    r = vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [pem(leaf)]}}, token=token)
    body = err_api(r, 500, "ERROR")
    # vmware-archive/vsphere-automation-sdk-python#384, word for word
    assert body["messages"] == [{"id": CM_ERROR, "default_message": "Internal Server Error (%s)" % _real_text(REAL_DN),
                                 "args": [_real_text(REAL_DN)]}]
    # /rest shape
    token_rest = vc.login("rest")
    body = err_rest(vc.rest("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": [pem(leaf)]}}},
                            token=token_rest), 500, "ERROR")
    assert body["value"]["messages"][0]["args"] == [_real_text(REAL_DN)]
    assert _ids(vc, token) == [sha1_id(vc.vmca_root())]


def test_trc_create_refuses_a_ca_without_keycertsign_anywhere_in_the_chain(vc, token):
    root = ThirdPartyCA("Root With Sign")
    k = new_key()
    no_sign = _cert(_name(O="Example Corp", CN="No keyCertSign CA"), k.public_key(), root.cert.subject, root.key,
                    ca=True, cert_sign=False)
    no_ku = _cert(_name(O="Example Corp", CN="No KeyUsage CA"), k.public_key(), root.cert.subject, root.key,
                  ca=True, ku=False)
    for bad in (no_sign, no_ku):
        dn = bad.subject.rfc4514_string()
        body = err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [pem(bad), root.pem]}}, token=token),
                       500, "ERROR")
        assert body["messages"][0]["args"] == [_real_text(dn)]
        assert body["messages"][0]["id"] == CM_ERROR
    # a valid CA chain (intermediate + root) is accepted
    h = Hierarchy()
    r = vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [pem(h.intermediate), h.root.pem]}}, token=token)
    assert r.status == 201 and r.json == sha1_id(h.root.cert)
    assert vc.stats()["writes_applied"] == 1


# --------------------------------------------------------------------------- 6. duplicates
def test_duplicate_content_under_a_new_id_is_refused(vc, token):
    ca = ThirdPartyCA()
    assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201
    body = err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}, "chain": "again"}, token=token),
                   400, "ALREADY_EXISTS")
    assert body["messages"][0]["default_message"] == "Trusted root already exists"
    # the VMCA root under a client-chosen id
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [pem(vc.vmca_root())]}, "chain": "vmca"},
                   token=token), 400, "ALREADY_EXISTS")
    assert sorted(_ids(vc, token)) == sorted([sha1_id(vc.vmca_root()), sha1_id(ca.cert)])


def test_duplicate_content_accepted_with_duplicate_root_accept(alt):
    token = alt.login()
    ca = ThirdPartyCA()
    assert alt.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201
    r = alt.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}, "chain": "again"}, token=token)
    assert r.status == 201 and r.json == "again"
    # an id clash stays ALREADY_EXISTS
    err_api(alt.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}, "chain": "again"}, token=token),
            400, "ALREADY_EXISTS")


# --------------------------------------------------------------------------- 11. entry shape
def test_vmca_root_entry_carries_its_crl_after_a_newline(vc, token):
    root = vc.vmca_root()
    r = vc.api("GET", TRC + "/" + sha1_id(root), token=token)
    entry, = r.json["cert_chain"]["cert_chain"]
    assert entry.startswith("\n-----BEGIN CERTIFICATE-----")
    cert_part, crl_part = entry.split("-----END CERTIFICATE-----\n", 1)
    assert x509.load_pem_x509_certificate((cert_part.lstrip("\n") + "-----END CERTIFICATE-----\n").encode()) == root
    assert crl_part.startswith("-----BEGIN X509 CRL-----") and crl_part.rstrip().endswith("-----END X509 CRL-----")
    crl = x509.load_pem_x509_crl(crl_part.encode())
    assert crl.issuer == root.subject and crl.is_signature_valid(root.public_key())
    # a third-party root stays one clean PEM certificate
    ca = ThirdPartyCA()
    assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201
    assert vc.api("GET", TRC + "/" + sha1_id(ca.cert), token=token).json["cert_chain"]["cert_chain"] == [ca.pem]
    # a new VMCA root's entry has the same shape
    assert vc.api("POST", P + "/vmca-root", body={"key_size": 2048}, token=token).status == 204
    token = _after_restart(vc)
    new_root = vc.vmca_root()
    entry, = vc.api("GET", TRC + "/" + sha1_id(new_root), token=token).json["cert_chain"]["cert_chain"]
    assert entry.startswith("\n-----BEGIN CERTIFICATE-----") and "-----BEGIN X509 CRL-----" in entry
    rest = vc.rest("GET", TRC + "/" + sha1_id(new_root), token=token).json["value"]["cert_chain"]["cert_chain"]
    assert rest == [entry]


def test_vmca_root_entry_clean_shape(alt):
    token = alt.login()
    root = alt.vmca_root()
    assert alt.api("GET", TRC + "/" + sha1_id(root), token=token).json["cert_chain"]["cert_chain"] == [pem(root)]


# --------------------------------------------------------------------------- 2. Tls.set import limits
def _put(vc, token, cert, key, root_pem):
    body = {"cert": pem(cert), "key": key_pkcs8(key)}
    if root_pem is not None:
        body["root_cert"] = root_pem
    return vc.api("PUT", TLS, body=body, token=token)


def _refused(vc, token, cert, key, root_pem, *words):
    body = err_api(_put(vc, token, cert, key, root_pem), 500, "ERROR")
    msg = body["messages"][0]
    assert msg["id"] == CM_ERROR
    for word in words:
        assert word in msg["args"][0], msg
    return msg["args"][0]


def test_tls_set_refuses_what_the_80_requirements_exclude(vc, token):
    ca = ThirdPartyCA()
    served = vc.served_cert()
    subject = _name(CN="localhost")
    # EC key
    ec_key = ec.generate_private_key(ec.SECP256R1())
    _refused(vc, token, _cert(subject, ec_key.public_key(), ca.cert.subject, ca.key), ec_key, ca.pem, "RSA")
    # RSA below 2048
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    _refused(vc, token, _cert(subject, small.public_key(), ca.cert.subject, ca.key), small, ca.pem, "1024", "2048")
    # RSA above 8192 (the key parameter does not matter: refused before the key is looked at)
    big = _cert(subject, _fake_rsa_public_key(9216), ca.cert.subject, ca.key)
    _refused(vc, token, big, new_key(), ca.pem, "9216", "8192")
    # MD5, SHA-1, RSASSA-PSS signatures
    key = new_key()
    good = _cert(subject, key.public_key(), ca.cert.subject, ca.key)
    _refused(vc, token, _resign(good, ca.key, 0x04, hashes.MD5()), key, ca.pem, "MD5")
    _refused(vc, token, _resign(good, ca.key, 0x05, hashes.SHA1()), key, ca.pem, "SHA1")
    _refused(vc, token, _cert(subject, key.public_key(), ca.cert.subject, ca.key, pss=True), key, ca.pem, "PSS")
    # wildcard SAN (next to the PNID)
    wild = _cert(subject, key.public_key(), ca.cert.subject, ca.key, dns=("localhost", "*.example.test"))
    _refused(vc, token, wild, key, ca.pem, "Wildcard", "*.example.test")
    # nothing applied
    assert vc.served_cert() == served and vc.state()["in_restart"] is False
    assert vc.stats()["writes_applied"] == 0
    # the same certificate signed with SHA-256 is fine
    assert _put(vc, token, good, key, ca.pem).status == 204


def test_tls_set_key_size_limit_is_16384_on_70(vc702):
    vc = vc702
    token = vc.login()
    ca = ThirdPartyCA()
    # 9216 bits passes the size rule on 7.0 and fails only because the key does not match
    text = _refused(vc, token, _cert(_name(CN="localhost"), _fake_rsa_public_key(9216), ca.cert.subject, ca.key),
                    new_key(), ca.pem)
    assert "9216" not in text and "key" in text.lower()
    _refused(vc, token, _cert(_name(CN="localhost"), _fake_rsa_public_key(16392), ca.cert.subject, ca.key),
             new_key(), ca.pem, "16392", "16384")


# --------------------------------------------------------------------------- 1+3. Tls.set root_cert
def test_tls_set_refuses_a_root_cert_that_is_not_a_ca(vc, token):
    h = Hierarchy()
    # the leaf itself as root_cert
    text = _refused(vc, token, h.leaf, h.leaf_key, pem(h.leaf), "is not a valid CA certificate")
    assert h.leaf.subject.rfc4514_string() in text
    # a bundle holding a CA without keyCertSign
    k = new_key()
    no_sign = _cert(_name(CN="No Sign CA"), k.public_key(), h.root.cert.subject, h.root.key, ca=True,
                    cert_sign=False)
    _refused(vc, token, h.leaf, h.leaf_key, pem(h.intermediate) + pem(no_sign) + h.root.pem, "CN=No Sign CA",
             "is not a valid CA certificate")
    assert vc.stats()["writes_applied"] == 0


def test_tls_set_root_cert_bundle_in_any_order(vc, token):
    h = Hierarchy()
    # root first, then the intermediate
    assert _put(vc, token, h.leaf, h.leaf_key, h.root.pem + pem(h.intermediate)).status == 204
    token = _after_restart(vc)
    assert vc.served_cert() == h.leaf
    ids = _ids(vc, token)
    assert sha1_id(h.root.cert) in ids and sha1_id(h.intermediate) in ids
    got = vc.api("GET", TRC + "/" + sha1_id(h.intermediate), token=token).json["cert_chain"]["cert_chain"]
    assert got == [pem(h.intermediate)]


def test_tls_set_intermediates_in_cert_ignored_by_default(vc, token):
    h = Hierarchy()
    # leaf + intermediate in cert, root alone in root_cert: the intermediate is not used -> no path
    body = {"cert": pem(h.leaf) + pem(h.intermediate), "key": key_pkcs8(h.leaf_key), "root_cert": h.root.pem}
    body = err_api(vc.api("PUT", TLS, body=body, token=token), 500, "ERROR")
    assert "could not be verified" in body["messages"][0]["args"][0]
    assert vc.stats()["writes_applied"] == 0
    # the same with the intermediate also in root_cert works
    body = {"cert": pem(h.leaf) + pem(h.intermediate), "key": key_pkcs8(h.leaf_key),
            "root_cert": pem(h.intermediate) + h.root.pem}
    assert vc.api("PUT", TLS, body=body, token=token).status == 204
    _after_restart(vc)
    assert vc.served_cert() == h.leaf


def test_tls_set_intermediates_in_cert_used_when_configured(alt):
    token = alt.login()
    h = Hierarchy()
    body = {"cert": pem(h.leaf) + pem(h.intermediate), "key": key_pkcs8(h.leaf_key), "root_cert": h.root.pem}
    assert alt.api("PUT", TLS, body=body, token=token).status == 204
    token = _after_restart(alt)
    assert alt.served_cert() == h.leaf
    ids = _ids(alt, token)
    assert sha1_id(h.root.cert) in ids and sha1_id(h.intermediate) not in ids


# --------------------------------------------------------------------------- 4. key-size defaults
def _csr_bits(resp_json):
    return x509.load_pem_x509_csr(resp_json["csr"].encode()).public_key().key_size


def test_default_key_size_3072_from_80(vc, vc911):
    token = vc.login()
    assert _csr_bits(vc.api("POST", P + "/tls-csr", body=SUBJECT, token=token).json) == 3072
    token = vc911.login()
    assert _csr_bits(vc911.api("POST", P + "/tls-csr", body=SUBJECT, token=token).json) == 3072


def test_default_key_size_2048_up_to_70(vc702, vc700, vc670):
    token = vc702.login()
    assert _csr_bits(vc702.api("POST", P + "/tls-csr", body=SUBJECT, token=token).json) == 2048
    assert vc702.api("POST", TLS + "?action=replace-vmca-signed", body=SUBJECT, token=token).status == 204
    vc702.wait_restart_over()
    assert vc702.served_cert().public_key().key_size == 2048
    for vc in (vc700, vc670):
        token = vc.login("rest")
        r = vc.rest("POST", P + "/tls-csr", body={"spec": SUBJECT}, token=token)
        assert r.status == 200, r
        assert _csr_bits(r.json["value"]) == 2048
    token = vc700.login("rest")
    assert vc700.rest("POST", TLS + "?action=replace-vmca-signed", body={"spec": SUBJECT}, token=token).status == 200
    vc700.wait_restart_over()
    assert vc700.served_cert().public_key().key_size == 2048


# --------------------------------------------------------------------------- 5. capped validity
def test_vmca_issued_certificates_never_outlive_the_root(short_root):
    vc = short_root
    root = vc.vmca_root()
    assert (_not_after(root) - root.not_valid_before_utc).days == 100
    assert _not_after(vc.served_cert()) == _not_after(root)  # the initial 730-day certificate too
    token = vc.login()
    assert vc.api("POST", TLS + "?action=renew", body={"duration": 730}, token=token).status == 204
    token = _after_restart(vc)
    assert _not_after(vc.served_cert()) == _not_after(root)
    info = vc.api("GET", TLS, token=token).json
    assert info["valid_to"].startswith(_not_after(root).strftime("%Y-%m-%dT%H:%M:%S"))
    # a short duration is not affected
    assert vc.api("POST", TLS + "?action=renew", body={"duration": 10}, token=token).status == 204
    token = _after_restart(vc)
    served = vc.served_cert()
    assert (_not_after(served) - served.not_valid_before_utc).days == 10
    assert vc.api("POST", TLS + "?action=replace-vmca-signed", body=dict(SUBJECT, key_size=2048),
                  token=token).status == 204
    token = _after_restart(vc)
    assert _not_after(vc.served_cert()) == _not_after(root)
    r = vc.api("POST", STS + "?action=refresh", body={}, token=token)
    leaf = x509.load_pem_x509_certificate(r.json["cert_chain"][0].encode())
    assert _not_after(leaf) == _not_after(root)


# --------------------------------------------------------------------------- 7. VmcaRoot.create effects
def _custom_cert(vc, token):
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    assert vc.api("PUT", TLS, body={"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem},
                  token=token).status == 204
    return cert, _after_restart(vc)


def _sts_active(vc, token):
    chain = vc.api("GET", STS, token=token).json["active_cert_chain"]["cert_chain"]
    return [x509.load_pem_x509_certificate(p.encode()) for p in chain]


def test_vmca_root_create_regenerates_a_custom_machine_cert(vc, token):
    cert, token = _custom_cert(vc, token)
    sts_before = _sts_active(vc, token)
    assert vc.api("POST", P + "/vmca-root", body={"key_size": 2048}, token=token).status == 204
    token = _after_restart(vc)
    root = vc.vmca_root()
    served = vc.served_cert()
    assert served != cert
    served.verify_directly_issued_by(root)
    assert served.subject == cert.subject
    assert "localhost" in served.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    # --vmca-replace-sts keep (default): the STS chain is untouched
    assert _sts_active(vc, token) == sts_before


def test_vmca_root_create_vmca_issued_only_and_sts_reissue(alt):
    token = alt.login()
    sts_before = _sts_active(alt, token)
    cert, token = _custom_cert(alt, token)
    assert alt.api("POST", P + "/vmca-root", body={"key_size": 2048}, token=token).status == 204
    token = _after_restart(alt)
    assert alt.served_cert() == cert
    root = alt.vmca_root()
    sts = _sts_active(alt, token)
    assert sts != sts_before and sts[-1] == root
    sts[0].verify_directly_issued_by(root)
    chains = alt.api("GET", STS, token=token).json["signing_cert_chains"]
    assert len(chains) == 2
    # a VMCA-issued machine certificate is still re-issued
    assert alt.api("POST", TLS + "?action=replace-vmca-signed", body=dict(SUBJECT, key_size=2048),
                   token=token).status == 204
    token = _after_restart(alt)
    assert alt.api("POST", P + "/vmca-root", body={"key_size": 2048}, token=token).status == 204
    _after_restart(alt)
    alt.served_cert().verify_directly_issued_by(alt.vmca_root())


# --------------------------------------------------------------------------- 8. STS refresh force-only
def test_sts_refresh_force_only(alt):
    token = alt.login()
    before = _sts_active(alt, token)
    for body in ({}, {"force": False}, None):
        r = alt.api("POST", STS + "?action=refresh", body=body, token=token)
        msg = err_api(r, 500, "ERROR")["messages"][0]
        assert msg["id"] == CM_ERROR and "force" in msg["args"][0]
    assert _sts_active(alt, token) == before
    r = alt.api("POST", STS + "?action=refresh", body={"force": True}, token=token)
    assert r.status == 200
    assert _sts_active(alt, token)[0] != before[0]


def test_sts_refresh_allowed_by_default(vc, token):
    assert vc.api("POST", STS + "?action=refresh", body={}, token=token).status == 200


# --------------------------------------------------------------------------- 9. trust-store lag
def test_trust_store_lag_after_create_and_delete(lag):
    token = lag.login()
    ca = ThirdPartyCA()
    r = lag.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token)
    assert r.status == 201
    cid = r.json
    # not yet visible to LIST nor to GET /{id}
    assert cid not in _ids(lag, token)
    err_api(lag.api("GET", TRC + "/" + cid, token=token), 404, "NOT_FOUND")
    # the id is taken all the same
    err_api(lag.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token), 400, "ALREADY_EXISTS")
    _poll(lambda: cid in _ids(lag, token), "created chain listed")
    assert lag.api("GET", TRC + "/" + cid, token=token).status == 200
    # delete: still listed and served for a while, then gone
    assert lag.api("DELETE", TRC + "/" + cid, token=token).status == 204
    assert cid in _ids(lag, token)
    got = lag.api("GET", TRC + "/" + cid, token=token)
    assert got.status == 200 and got.json["cert_chain"]["cert_chain"] == [ca.pem]
    # a second delete of the deleted chain is NOT_FOUND
    err_api(lag.api("DELETE", TRC + "/" + cid, token=token), 404, "NOT_FOUND")
    _poll(lambda: cid not in _ids(lag, token), "deleted chain gone from LIST")
    err_api(lag.api("GET", TRC + "/" + cid, token=token), 404, "NOT_FOUND")


# --------------------------------------------------------------------------- 10. linked partner
def _vmca_marks(cert, org):
    subject = cert.subject.rfc4514_string()
    for part in ("CN=CA", "DC=vsphere", "DC=local", "C=US", "ST=California", "O=" + org, "OU=VMware Engineering"):
        assert part in subject, subject


def _partner_root(vc):
    r = vc.sim("GET", "partner-vmca-root")
    assert r.status == 200, r
    assert r.json["pnid"] == PARTNER
    return x509.load_pem_x509_certificate(r.json["pem"].encode())


def test_linked_partner_root_in_the_trust_store(lag):
    token = lag.login()
    local = lag.vmca_root()
    proot = _partner_root(lag)
    assert sorted(_ids(lag, token)) == sorted([sha1_id(local), sha1_id(proot)])
    _vmca_marks(local, "localhost")
    _vmca_marks(proot, PARTNER)
    assert proot.not_valid_before_utc > local.not_valid_before_utc
    entry, = lag.api("GET", TRC + "/" + sha1_id(proot), token=token).json["cert_chain"]["cert_chain"]
    assert "-----BEGIN X509 CRL-----" in entry
    # --sts-anchor local (default): the STS chain is the local root's
    assert _sts_active(lag, token)[-1] == local


def test_sts_anchored_by_the_partner_and_partner_rotation(partner):
    vc = partner
    token = vc.login()
    local = vc.vmca_root()
    proot = _partner_root(vc)
    sts = _sts_active(vc, token)
    assert sts[-1] == proot and sts[-1] != local
    sts[0].verify_directly_issued_by(proot)
    # the partner rotates its root: a new root, newer than everything, next to the old one
    r = vc.sim("POST", "partner-vmca-root")
    assert r.status == 200
    new = x509.load_pem_x509_certificate(r.json["pem"].encode())
    assert new != proot and _partner_root(vc) == new
    _vmca_marks(new, PARTNER)
    ids = _ids(vc, token)
    assert sorted(ids) == sorted([sha1_id(local), sha1_id(proot), sha1_id(new)])
    for cid in ids:
        entry = vc.api("GET", TRC + "/" + cid, token=token).json["cert_chain"]["cert_chain"][0]
        other = x509.load_pem_x509_certificate(entry.lstrip().encode())
        if other != new:
            assert new.not_valid_before_utc > other.not_valid_before_utc
    # after a local VmcaRoot.create and another partner rotation the partner's is still the newest
    assert vc.api("POST", P + "/vmca-root", body={"key_size": 2048}, token=token).status == 204
    token = _after_restart(vc)
    newer = x509.load_pem_x509_certificate(vc.sim("POST", "partner-vmca-root").json["pem"].encode())
    assert newer.not_valid_before_utc > vc.vmca_root().not_valid_before_utc
    assert len(_ids(vc, token)) == 5


def test_partner_control_endpoint_without_a_partner(vc):
    assert vc.sim("POST", "partner-vmca-root").status == 409
    assert vc.sim("GET", "partner-vmca-root").status == 409
    assert vc.sim("DELETE", "partner-vmca-root").status == 404


def test_fidelity_option_errors():
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    from certsim_client import SIMULATOR  # pylint: disable=import-outside-toplevel
    for args in (["--sts-anchor", "partner"], ["--trust-store-lag", "-1"], ["--vmca-root-days", "0"],
                 ["--cert-chain-in-cert", "maybe"], ["--duplicate-root", "x"], ["--vmca-replace", "x"],
                 ["--vmca-replace-sts", "x"], ["--sts-refresh", "x"], ["--root-entry-shape", "x"],
                 ["--root-cert-trusted", "x"]):
        proc = subprocess.run([sys.executable, SIMULATOR] + args, capture_output=True, text=True, timeout=60,
                              check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == ""
