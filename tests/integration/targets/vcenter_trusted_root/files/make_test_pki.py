#!/usr/bin/env python
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test certificates made at test time (run with ansible_playbook_python; needs only ``cryptography``).

  make_test_pki.py ca DIR NAME [--intermediate] [--days N]
      a root CA (and an intermediate issued by it) -> JSON {root_pem, intermediate_pem, chain_pem}
  make_test_pki.py leaf DIR NAME COMMON_NAME SAN [SAN...]
      a server certificate issued by NAME's intermediate (or root) -> JSON {cert_pem, chain_pem, key_path, sha256}
  make_test_pki.py issued-by CERT_FILE ISSUER_FILE
  make_test_pki.py issued-by -          (stdin: JSON {cert: PEM, issuer: PEM})
      -> JSON {issued_by: bool} (signature and name checked)

Private keys are written to DIR with mode 0600 and never printed.
"""
import datetime
import ipaddress
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _now():
    return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)


def _name(common_name, organization):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, 'DE'),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def _write_key(path, key):
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)


def _read_key(path):
    with open(path, 'rb') as handle:
        return serialization.load_pem_private_key(handle.read(), password=None)


def _read_cert(path):
    with open(path, 'rb') as handle:
        return x509.load_pem_x509_certificate(handle.read())


def _ca_cert(subject, key, issuer_name, issuer_key, days, path_length):
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now()).not_valid_after(_now() + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(issuer_key, hashes.SHA256()))


def make_ca(directory, name, intermediate, days):
    os.makedirs(directory, exist_ok=True)
    root_key = _key()
    root_name = _name('%s Root CA' % name, '%s Corp' % name)
    root = _ca_cert(root_name, root_key, root_name, root_key, days, None)
    _write_key(os.path.join(directory, '%s-root.key' % name), root_key)
    with open(os.path.join(directory, '%s-root.pem' % name), 'w') as handle:
        handle.write(_pem(root))
    out = {'root_pem': _pem(root), 'intermediate_pem': None, 'chain_pem': _pem(root)}
    if intermediate:
        int_key = _key()
        inter = _ca_cert(_name('%s Issuing CA' % name, '%s Corp' % name), int_key, root_name, root_key, days, 0)
        _write_key(os.path.join(directory, '%s-int.key' % name), int_key)
        with open(os.path.join(directory, '%s-int.pem' % name), 'w') as handle:
            handle.write(_pem(inter))
        out['intermediate_pem'] = _pem(inter)
        out['chain_pem'] = _pem(inter) + _pem(root)
    return out


def make_leaf(directory, name, common_name, sans):
    base = os.path.join(directory, name)
    if os.path.exists(base + '-int.pem'):
        issuer, issuer_key = _read_cert(base + '-int.pem'), _read_key(base + '-int.key')
        chain = [issuer, _read_cert(base + '-root.pem')]
    else:
        issuer, issuer_key = _read_cert(base + '-root.pem'), _read_key(base + '-root.key')
        chain = [issuer]
    key = _key()
    names = []
    for san in sans:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(san)))
        except ValueError:
            names.append(x509.DNSName(san))
    cert = (x509.CertificateBuilder().subject_name(_name(common_name, '%s Corp' % name)).issuer_name(issuer.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now()).not_valid_after(_now() + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(issuer_key, hashes.SHA256()))
    key_path = base + '-leaf.key'
    _write_key(key_path, key)
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return {'cert_pem': _pem(cert), 'chain_pem': _pem(cert) + ''.join(_pem(c) for c in chain[:-1]),
            'key_path': key_path, 'sha256': ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))}


def issued_by(cert, issuer):
    if cert.issuer != issuer.subject:
        return {'issued_by': False}
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # pylint: disable=broad-except
        return {'issued_by': False}
    return {'issued_by': True}


def main(argv):
    if argv[0] == 'ca':
        days = int(argv[argv.index('--days') + 1]) if '--days' in argv else 3650
        result = make_ca(argv[1], argv[2], '--intermediate' in argv, days)
    elif argv[0] == 'leaf':
        result = make_leaf(argv[1], argv[2], argv[3], argv[4:])
    elif argv[0] == 'issued-by' and argv[1] == '-':
        pems = json.loads(sys.stdin.read())
        result = issued_by(x509.load_pem_x509_certificate(pems['cert'].encode('ascii')),
                           x509.load_pem_x509_certificate(pems['issuer'].encode('ascii')))
    elif argv[0] == 'issued-by':
        result = issued_by(_read_cert(argv[1]), _read_cert(argv[2]))
    else:
        sys.exit(__doc__)
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1:])
