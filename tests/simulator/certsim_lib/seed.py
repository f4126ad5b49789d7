# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""POST /sim/seed/...: put states into the simulator that a real vCenter can end up in but its API refuses to
create (an expired or weak CA in the trust store, a duplicate chain, a machine SSL certificate that has expired or
lacks the PNID or outlives the VMCA root, a proxy serving another certificate, an expired STS verification chain).

Test knobs for the certificate health check (issue 14), not vCenter behaviour: no validation of what is seeded
(that is the point), no restart, no trust-store lag. Everything but ``served_only`` is persisted like any change.
"""

import datetime
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from . import pki

# sha256WithRSAEncryption and sha1WithRSAEncryption AlgorithmIdentifier OIDs (DER, same length)
_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")
_SHA1_RSA = bytes.fromhex("06092a864886f70d010105")

# keys of the roots seeded by /sim/seed/trusted-root, per vCenter (id of the object): not persisted
_SEED_KEYS = {}

_FIELDS = {
    "trusted-root": {"cn": str, "days": int, "start_days": int, "key_size": int, "signature": str, "chain": str,
                     "copy_of": str, "vmca_subject": bool},
    "machine-ssl": {"days": int, "start_days": int, "san": list, "served_only": bool, "issuer": str},
    "sts-chain": {"days": int, "start_days": int, "active": bool, "issuer": str},
}


def handle(vc, method, path, body_bytes):
    """(status, payload) for a /sim/seed/<kind> request."""
    kind = path[len("/sim/seed/"):]
    if method != "POST" or kind not in _FIELDS:
        return 404, {"error": "unknown control endpoint %s %s" % (method, path)}
    try:
        spec = _spec(kind, body_bytes)
        with vc.lock:
            return 201, globals()["_seed_" + kind.replace("-", "_")](vc, spec)
    except ValueError as exc:
        return 400, {"error": str(exc)}


def _spec(kind, body_bytes):
    try:
        spec = json.loads(body_bytes.decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        raise ValueError("body is not valid JSON") from None
    if not isinstance(spec, dict):
        raise ValueError("body must be a JSON object")
    fields = _FIELDS[kind]
    extra = sorted(set(spec) - set(fields))
    if extra:
        raise ValueError("unknown fields %s" % extra)
    for name, value in spec.items():
        if value is not None and (not isinstance(value, fields[name]) or
                                  (fields[name] is int and isinstance(value, bool))):
            raise ValueError("%s must be a %s" % (name, fields[name].__name__))
    if spec.get("signature", "sha256") not in ("sha256", "sha1"):
        raise ValueError("signature must be sha256 or sha1")
    if spec.get("key_size") is not None and not 1024 <= spec["key_size"] <= 8192:
        raise ValueError("key_size must be between 1024 and 8192")
    return spec


def _validity(spec, default_days):
    now = pki.utcnow()
    start = now + datetime.timedelta(days=spec.get("start_days") if spec.get("start_days") is not None else -1)
    end = now + datetime.timedelta(days=spec.get("days") if spec.get("days") is not None else default_days)
    if end <= start:
        raise ValueError("days must be after start_days")
    return start, (end - start).total_seconds() / 86400.0


def _sha1_signed(cert, key):
    """``cert`` signed again with SHA-1 (cryptography no longer signs with it): the two algorithm identifiers are
    swapped for the SHA-1 one of the same length and the signature is replaced (same length for RSA)."""
    tbs = cert.tbs_certificate_bytes.replace(_SHA256_RSA, _SHA1_RSA)
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())  # nosec - a weak certificate on purpose
    der = cert.public_bytes(serialization.Encoding.DER).replace(_SHA256_RSA, _SHA1_RSA)
    return x509.load_der_x509_certificate(der[:-len(signature)] + signature)


def _answer(cert, cid=None):
    out = {"pem": pki.cert_to_pem(cert), "sha256": pki.sha256_thumbprint(cert)}
    if cid is not None:
        out["id"] = cid
    return out


def _seed_trusted_root(vc, spec):
    if spec.get("copy_of") is not None:
        if spec["copy_of"] not in vc.trust:
            raise ValueError("no trusted root chain %s to copy" % spec["copy_of"])
        chain = list(vc.trust[spec["copy_of"]])
        cid = spec.get("chain") or "%s-copy" % spec["copy_of"]
    else:
        key = pki.gen_rsa_key(spec.get("key_size") or 2048)
        not_before, days = _validity(spec, 3650)
        if spec.get("vmca_subject"):
            subject = vc._vmca_subject(vc.pnid)  # pylint: disable=protected-access
        else:
            subject = pki.build_name(common_name=spec.get("cn") or "Seeded Root", organization="Seed")
        root = pki.make_root(subject, key, days=days, not_before=not_before)
        if spec.get("signature") == "sha1":
            root = _sha1_signed(root, key)
        chain = [root]
        cid = spec.get("chain") or pki.sha1_hex(root)
    if cid in vc.trust or "/" in cid:
        raise ValueError("chain id %s is taken or not valid" % cid)
    if spec.get("copy_of") is None:
        # kept in memory only, so /sim/seed/machine-ssl can issue from this root ("issuer")
        _SEED_KEYS.setdefault(id(vc), {})[cid] = (chain[0], key)
    vc._trust_add(cid, chain, lag=False)  # pylint: disable=protected-access
    vc._persist()  # pylint: disable=protected-access
    return _answer(chain[-1], cid)


def _issuer(vc, spec):
    """(certificate, key) of the issuer: a root seeded since the simulator started (``issuer``) or the VMCA root."""
    if spec.get("issuer") is None:
        return vc.vmca_cert, vc.vmca_key
    if spec["issuer"] not in _SEED_KEYS.get(id(vc), {}) or spec["issuer"] not in vc.trust:
        raise ValueError("issuer %s is not a root seeded since the simulator started" % spec["issuer"])
    return _SEED_KEYS[id(vc)][spec["issuer"]]


def _seed_machine_ssl(vc, spec):
    not_before, days = _validity(spec, 730)
    names = spec.get("san") if spec.get("san") is not None else vc._default_san_names()  # pylint: disable=protected-access
    issuer, issuer_key = _issuer(vc, spec)
    key = pki.gen_rsa_key(pki.key_size_of(vc.tls_key))
    # not capped at the VMCA root's notAfter: a certificate that outlives its root is one of the seeded states
    leaf = pki.issue_certificate(pki.build_name(common_name=vc.pnid, country="US"), key.public_key(),
                                 issuer.subject, issuer_key, days, issuer_cert=issuer,
                                 san=pki.general_names([str(n) for n in names]) or None, not_before=not_before)
    if spec.get("served_only"):
        # the TLS port serves the new certificate, Tls.get keeps reporting the configured one (until the next change)
        kept = vc.tls_chain, vc.tls_key
        vc.tls_chain, vc.tls_key = [leaf, issuer], key
        try:
            vc._rebuild_ssl_context()  # pylint: disable=protected-access
        finally:
            vc.tls_chain, vc.tls_key = kept
    else:
        vc.tls_chain, vc.tls_key = [leaf, issuer], key
        vc._persist()  # pylint: disable=protected-access
        vc._rebuild_ssl_context()  # pylint: disable=protected-access
    return _answer(leaf)


def _seed_sts_chain(vc, spec):
    vc._ensure_sts()  # pylint: disable=protected-access
    not_before, days = _validity(spec, 3650)
    issuer, issuer_key = _issuer(vc, spec)
    key = pki.gen_rsa_key(pki.key_size_of(vc.sts_key))
    leaf = pki.issue_certificate(
        pki.build_name(common_name="ssoserverSign", organization_unit="VMware Engineering"), key.public_key(),
        issuer.subject, issuer_key, days, issuer_cert=issuer,
        key_usage=("digital_signature", "content_commitment"), eku=None, not_before=not_before)
    if spec.get("active"):
        vc.sts_chains.insert(0, [leaf, issuer])
        vc.sts_key = key
    else:
        vc.sts_chains.append([leaf, issuer])
    vc._persist()  # pylint: disable=protected-access
    return _answer(leaf)
