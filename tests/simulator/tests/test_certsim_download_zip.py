# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /certs/download.zip: unauthenticated, trusted roots named by OpenSSL's subject hash (checked with the
openssl command line), collisions numbered, lin/mac/win copies."""

import datetime
import io
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from certsim_client import P, ThirdPartyCA, now

TRC = P + "/trusted-root-chains"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def _openssl(args, data):
    return subprocess.run(["openssl"] + args, input=data, capture_output=True, check=True).stdout.decode().strip()


def _zip(vc):
    r = vc.request("GET", "/certs/download.zip")  # no session, no Authorization
    assert r.status == 200, r
    assert r.headers["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(r.raw))


def _store(vc, token):
    certs = []
    for entry in vc.api("GET", TRC, token=token).json:
        pems = vc.api("GET", TRC + "/" + entry["chain"], token=token).json["cert_chain"]["cert_chain"]
        certs += [x509.load_pem_x509_certificate(p.encode()) for p in pems]
    return certs


def _check(vc, token):
    archive = _zip(vc)
    names = archive.namelist()
    assert all(n.startswith(("certs/lin/", "certs/mac/", "certs/win/")) for n in names), names
    lin_all = sorted(n for n in names if n.startswith("certs/lin/"))
    assert sorted("certs/mac/" + n[len("certs/lin/"):] for n in lin_all) == sorted(
        n for n in names if n.startswith("certs/mac/"))
    # CRLs (<hash>.rN) sit next to the certificates (<hash>.N); on win they end in .crl, certificates in .crt
    lin = [n for n in lin_all if n.rpartition(".")[2].isdigit()]
    crls = [n for n in lin_all if n not in lin]
    assert sorted(["certs/win/" + n[len("certs/lin/"):] + ".crt" for n in lin] +
                  ["certs/win/" + n[len("certs/lin/"):] + ".crl" for n in crls]) == sorted(
        n for n in names if n.startswith("certs/win/"))
    for name in crls:
        data = archive.read(name)
        base, _dot, num = os.path.basename(name).rpartition(".")
        assert num[:1] == "r" and num[1:].isdigit(), name
        # a CRL is named after its issuer's subject hash
        assert base == _openssl(["crl", "-noout", "-hash"], data), name
    found = []
    for name in lin:
        data = archive.read(name)
        assert archive.read(name.replace("/lin/", "/mac/")) == data
        assert archive.read(name.replace("/lin/", "/win/") + ".crt") == data
        base, _dot, num = os.path.basename(name).rpartition(".")
        assert num.isdigit()
        # the file name is OpenSSL's subject hash of the certificate it holds
        assert base == _openssl(["x509", "-noout", "-subject_hash"], data), name
        found.append((base, int(num), x509.load_pem_x509_certificate(data)))
    store = _store(vc, token)
    assert sorted(c.fingerprint(hashes.SHA256()) for _b, _n, c in found) == sorted(
        {c.fingerprint(hashes.SHA256()) for c in store})
    return found


def test_download_zip_without_authentication(vc, token):
    found = _check(vc, token)
    assert [c for _b, _n, c in found] == [vc.vmca_root()]
    assert found[0][1] == 0
    # the VMCA root's CRL is in the zip too, as on a real vCenter (S38)
    assert "certs/lin/%s.r0" % found[0][0] in _zip(vc).namelist()


def test_download_zip_names_collisions_and_tracks_the_store(vc, token):
    same1, same2 = ThirdPartyCA("Same Subject CA"), ThirdPartyCA("Same Subject CA")
    other = ThirdPartyCA("  Other   Root  CA ")
    for ca in (same1, same2, other):
        assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201
    found = _check(vc, token)
    assert len(found) == 4
    same_hash = {b for b, _n, c in found if c.subject == same1.cert.subject}
    assert len(same_hash) == 1
    assert sorted(n for b, n, _c in found if b in same_hash) == [0, 1]
    # a deleted root leaves the zip
    ids = [e["chain"] for e in vc.api("GET", TRC, token=token).json]
    assert vc.api("DELETE", TRC + "/" + ids[-1], token=token).status == 204
    assert len(_check(vc, token)) == 3


def test_subject_hash_and_crl_names_match_openssl(tmp_path):
    """The zip builder itself, on names that exercise OpenSSL's canonical form, and CRL naming (.r0/.r0.crl)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from certsim_lib import certzip  # pylint: disable=import-outside-toplevel
    from cryptography.x509.name import _ASN1Type  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel
    ca = ThirdPartyCA()
    attr, rdn = x509.NameAttribute, x509.RelativeDistinguishedName
    names = [
        x509.Name([attr(NameOID.COMMON_NAME, "  Mixed   CASE\tName  "),
                   attr(NameOID.ORGANIZATION_NAME, "Ünï € Org")]),
        x509.Name([attr(NameOID.COUNTRY_NAME, "US"),
                   attr(NameOID.COMMON_NAME, "Printable", _ASN1Type.PrintableString),
                   attr(NameOID.EMAIL_ADDRESS, "Foo@Example.COM"),
                   attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "BMP Ünit", _ASN1Type.BMPString)]),
        x509.Name([rdn([attr(NameOID.COMMON_NAME, "zz"), attr(NameOID.ORGANIZATION_NAME, "AA")]),
                   rdn([attr(NameOID.DOMAIN_COMPONENT, "vsphere")])]),
        x509.Name([]),
    ]
    start = now() - datetime.timedelta(hours=1)
    certs = []
    for name in names:
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca.cert.subject)
                .public_key(ca.key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=1))
                .sign(ca.key, hashes.SHA256()))
        certs.append(cert)
        assert certzip.subject_hash(cert) == _openssl(
            ["x509", "-noout", "-subject_hash"], cert.public_bytes(serialization.Encoding.PEM)), name
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject).last_update(start)
           .next_update(start + datetime.timedelta(days=7)).sign(ca.key, hashes.SHA256()))
    crl_pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    crl_hash = _openssl(["crl", "-noout", "-hash"], crl_pem.encode())
    archive = zipfile.ZipFile(io.BytesIO(certzip.download_zip([(ca.cert, crl_pem)] + [(c, None) for c in certs])))
    names_in = archive.namelist()
    ca_hash = _openssl(["x509", "-noout", "-subject_hash"], ca.pem.encode())
    assert names_in[:6] == ["certs/lin/%s.0" % ca_hash, "certs/mac/%s.0" % ca_hash, "certs/win/%s.0.crt" % ca_hash,
                            "certs/lin/%s.r0" % crl_hash, "certs/mac/%s.r0" % crl_hash,
                            "certs/win/%s.r0.crl" % crl_hash]
    assert x509.load_pem_x509_crl(archive.read("certs/win/%s.r0.crl" % crl_hash)) == crl
    assert len(names_in) == 6 + 3 * len(certs)
