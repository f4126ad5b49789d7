# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""POST /sim/seed/...: states the API refuses to create, for the certificate health check (issue 14)."""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from certsim_client import P, now, sha1_id

TRC = P + "/trusted-root-chains"


def _chain(vc, token, cid):
    resp = vc.api("GET", TRC + "/" + cid, token=token)
    assert resp.status == 200, resp
    return [x509.load_pem_x509_certificate(p.encode()) for p in resp.json["cert_chain"]["cert_chain"]]


def test_seed_trusted_root_expired_weak_sha1_and_copy(vc):
    token = vc.login()
    r = vc.sim("POST", "seed/trusted-root", {"cn": "Old Root", "days": -3, "start_days": -400, "chain": "old"})
    assert r.status == 201 and r.json["id"] == "old"
    old = _chain(vc, token, "old")[0]
    assert old.not_valid_after_utc < now() - datetime.timedelta(days=2)
    weak = vc.sim("POST", "seed/trusted-root", {"key_size": 1024, "signature": "sha1", "chain": "weak"})
    assert weak.status == 201
    cert = _chain(vc, token, "weak")[0]
    assert cert.public_key().key_size == 1024
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA1)
    root_id = sha1_id(vc.vmca_root())
    copy = vc.sim("POST", "seed/trusted-root", {"copy_of": root_id, "chain": "dup"})
    assert copy.status == 201
    assert _chain(vc, token, "dup") == _chain(vc, token, root_id)
    # the download zip carries the seeded certificates too (duplicates once)
    assert vc.request("GET", "/certs/download.zip").status == 200
    # refusals: taken id, unknown copy, unknown field, bad type
    assert vc.sim("POST", "seed/trusted-root", {"chain": "old"}).status == 400
    assert vc.sim("POST", "seed/trusted-root", {"copy_of": "nope"}).status == 400
    assert vc.sim("POST", "seed/trusted-root", {"bogus": 1}).status == 400
    assert vc.sim("POST", "seed/trusted-root", {"days": "3"}).status == 400
    assert vc.sim("GET", "seed/trusted-root").status == 404


def test_seed_machine_ssl_configured_and_served_only(vc):
    token = vc.login()
    r = vc.sim("POST", "seed/machine-ssl", {"days": 4000, "san": ["127.0.0.1", "other.example"]})
    assert r.status == 201
    reported = x509.load_pem_x509_certificate(vc.api("GET", P + "/tls", token=token).json["cert"].encode())
    assert reported == vc.served_cert()
    assert reported.not_valid_after_utc > vc.vmca_root().not_valid_after_utc  # outlives the VMCA root
    sans = reported.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["other.example"]
    served = vc.sim("POST", "seed/machine-ssl", {"served_only": True})
    assert served.status == 201
    again = x509.load_pem_x509_certificate(vc.api("GET", P + "/tls", token=token).json["cert"].encode())
    assert again == reported
    assert vc.served_cert() != reported
    assert vc.served_cert().fingerprint(hashes.SHA256()).hex().upper() == served.json["sha256"].replace(":", "")


def test_seed_sts_chain_kept_or_active(vc):
    token = vc.login()
    assert vc.sim("POST", "seed/sts-chain", {"days": -5, "start_days": -700}).status == 201
    info = vc.api("GET", P + "/signing-certificate", token=token).json
    chains = info["signing_cert_chains"]
    assert len(chains) == 2
    kept = x509.load_pem_x509_certificate(chains[-1]["cert_chain"][0].encode())
    assert kept.not_valid_after_utc < now()
    assert info["active_cert_chain"]["cert_chain"] == chains[0]["cert_chain"]
    r = vc.sim("POST", "seed/sts-chain", {"days": 10, "active": True})
    assert r.status == 201
    info = vc.api("GET", P + "/signing-certificate", token=token).json
    active = x509.load_pem_x509_certificate(info["active_cert_chain"]["cert_chain"][0].encode())
    assert active.not_valid_after_utc < now() + datetime.timedelta(days=11)


def test_seed_machine_ssl_from_a_seeded_expired_root(vc):
    token = vc.login()
    assert vc.sim("POST", "seed/trusted-root", {"days": -2, "start_days": -400, "chain": "oldca"}).status == 201
    r = vc.sim("POST", "seed/machine-ssl", {"days": 100, "issuer": "oldca"})
    assert r.status == 201
    leaf = x509.load_pem_x509_certificate(vc.api("GET", P + "/tls", token=token).json["cert"].encode())
    assert leaf.issuer == _chain(vc, token, "oldca")[0].subject
    assert vc.sim("POST", "seed/machine-ssl", {"issuer": "unknown"}).status == 400
    assert vc.sim("POST", "seed/sts-chain", {"issuer": "oldca", "active": True}).status == 201
    active = vc.api("GET", P + "/signing-certificate", token=token).json["active_cert_chain"]["cert_chain"]
    assert x509.load_pem_x509_certificate(active[1].encode()) == _chain(vc, token, "oldca")[0]
    assert vc.sim("POST", "seed/trusted-root", {"vmca_subject": True, "chain": "vmcalike"}).status == 201
    assert _chain(vc, token, "vmcalike")[0].subject == vc.vmca_root().subject
