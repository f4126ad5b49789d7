#!/usr/bin/env python
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test PKI for the STS signing certificate targets, made at test time with ``cryptography``.

  sts_pki.py make DIR PASSPHRASE   write the test chains and keys into DIR, print their facts as JSON
  sts_pki.py sign DIR CSR OUT      sign the CSR file with DIR's test CA as an STS signing certificate,
                                   write the chain (leaf, intermediate, root) to OUT, print its facts
  sts_pki.py facts                 read a SigningCertificate.Info JSON document (the raw API answer) from
                                   stdin, print the SHA-256 fingerprints of its chains and the issuer and
                                   days left of the active leaf

Fingerprints are upper-case colon-separated hex, as the modules report them.
"""

import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'certops test'),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def usage(signing=False, encipher=False, ca=False):
    return x509.KeyUsage(digital_signature=signing, content_commitment=False, key_encipherment=encipher,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def issue(subject, public_key, issuer=None, issuer_key=None, ca=False, days=365, start_days=-1, key_usage=None):
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer.subject if issuer is not None else subject)
               .public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW + datetime.timedelta(days=start_days))
               .not_valid_after(NOW + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pem(key, fmt, passphrase=None):
    encryption = (serialization.BestAvailableEncryption(passphrase.encode('utf-8')) if passphrase
                  else serialization.NoEncryption())
    fmt = {'pkcs8': serialization.PrivateFormat.PKCS8,
           'pkcs1': serialization.PrivateFormat.TraditionalOpenSSL}[fmt]
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode('ascii')


def fingerprint(cert):
    return ':'.join('%02X' % b for b in bytearray(cert.fingerprint(hashes.SHA256())))


def write(directory, filename, text, private=False):
    path = os.path.join(directory, filename)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, 'w') as handle:
        handle.write(text)
    return path


def make(directory, passphrase):
    os.makedirs(directory, exist_ok=True)
    root_key, inter_key = rsa_key(), rsa_key()
    root = issue(name('STS Test Root CA'), root_key.public_key(), issuer_key=root_key, ca=True, days=3650,
                 key_usage=usage(signing=True, ca=True))
    inter = issue(name('STS Test Intermediate CA'), inter_key.public_key(), root, root_key, ca=True, days=1800,
                  key_usage=usage(signing=True, ca=True))
    signing = usage(signing=True)
    key1, key2, other = rsa_key(), rsa_key(), rsa_key()
    ec1 = ec.generate_private_key(ec.SECP256R1())
    leaf1 = issue(name('sts-signing-1'), key1.public_key(), inter, inter_key, days=700, key_usage=signing)
    # close to expiry: a later refresh with the default remaining_days (30) must replace it
    leaf2 = issue(name('sts-signing-2'), key2.public_key(), root, root_key, days=10, key_usage=signing)
    no_ds = issue(name('sts-no-digital-signature'), key1.public_key(), inter, inter_key,
                  key_usage=usage(encipher=True))
    expired = issue(name('sts-expired'), key1.public_key(), inter, inter_key, days=-1, start_days=-60,
                    key_usage=signing)
    leaf_ec = issue(name('sts-signing-ec'), ec1.public_key(), inter, inter_key, days=200, key_usage=signing)
    files = {
        'ca_cert': write(directory, 'ca.crt', cert_pem(root)),
        'ca_key': write(directory, 'ca.key', key_pem(root_key, 'pkcs8'), private=True),
        'inter_cert': write(directory, 'inter.crt', cert_pem(inter)),
        'inter_key': write(directory, 'inter.key', key_pem(inter_key, 'pkcs8'), private=True),
        'chain1': write(directory, 'chain1.pem', cert_pem(leaf1) + cert_pem(inter) + cert_pem(root)),
        'key1_encrypted_pkcs8': write(directory, 'key1.enc.pem', key_pem(key1, 'pkcs8', passphrase), private=True),
        'key1_pkcs8': write(directory, 'key1.pem', key_pem(key1, 'pkcs8'), private=True),
        'chain2': write(directory, 'chain2.pem', cert_pem(leaf2) + cert_pem(root)),
        'key2_pkcs1': write(directory, 'key2.rsa.pem', key_pem(key2, 'pkcs1'), private=True),
        'other_key': write(directory, 'other.pem', key_pem(other, 'pkcs8'), private=True),
        'chain_no_ds': write(directory, 'no-ds.pem', cert_pem(no_ds) + cert_pem(inter) + cert_pem(root)),
        'chain_expired': write(directory, 'expired.pem', cert_pem(expired) + cert_pem(inter) + cert_pem(root)),
        'chain_out_of_order': write(directory, 'out-of-order.pem', cert_pem(leaf1) + cert_pem(root) + cert_pem(inter)),
        # a private key pasted into the chain by mistake
        'chain_with_key': write(directory, 'chain-with-key.pem', cert_pem(leaf1) + cert_pem(inter) + key_pem(key1, 'pkcs8'),
                                private=True),
        'chain_ec': write(directory, 'chain-ec.pem', cert_pem(leaf_ec) + cert_pem(inter) + cert_pem(root)),
        'key_ec_sec1': write(directory, 'key-ec.pem', key_pem(ec1, 'pkcs1'), private=True),
    }
    return {
        'dir': directory,
        'files': files,
        'sha256': {'root': fingerprint(root), 'inter': fingerprint(inter), 'leaf1': fingerprint(leaf1),
                   'leaf2': fingerprint(leaf2), 'leaf_ec': fingerprint(leaf_ec)},
        'subjects': {'root': root.subject.rfc4514_string(), 'leaf1': leaf1.subject.rfc4514_string(),
                     'leaf2': leaf2.subject.rfc4514_string()},
    }


def sign(directory, csr_path, out):
    with open(os.path.join(directory, 'inter.crt'), 'rb') as handle:
        inter = x509.load_pem_x509_certificate(handle.read())
    with open(os.path.join(directory, 'inter.key'), 'rb') as handle:
        inter_key = serialization.load_pem_private_key(handle.read(), password=None)
    with open(os.path.join(directory, 'ca.crt'), 'rb') as handle:
        root = x509.load_pem_x509_certificate(handle.read())
    with open(csr_path, 'rb') as handle:
        csr = x509.load_pem_x509_csr(handle.read())
    if not csr.is_signature_valid:
        sys.exit('the CSR signature is not valid')
    leaf = issue(csr.subject, csr.public_key(), inter, inter_key, days=500, key_usage=usage(signing=True))
    write(os.path.dirname(os.path.abspath(out)), os.path.basename(out),
          cert_pem(leaf) + cert_pem(inter) + cert_pem(root))
    return {'chain': out, 'sha256': fingerprint(leaf), 'subject': leaf.subject.rfc4514_string()}


def facts(info):
    def chain(struct):
        return [x509.load_pem_x509_certificate(p.encode('ascii')) for p in struct['cert_chain']]

    active = chain(info['active_cert_chain'])
    not_after = getattr(active[0], 'not_valid_after_utc', None) or active[0].not_valid_after.replace(
        tzinfo=datetime.timezone.utc)
    return {
        'active': [fingerprint(c) for c in active],
        'signing': [[fingerprint(c) for c in chain(s)] for s in info['signing_cert_chains']],
        'signing_issuers': [chain(s)[0].issuer.rfc4514_string() for s in info['signing_cert_chains']],
        'active_issuer': active[0].issuer.rfc4514_string(),
        'active_days_remaining': int((not_after - NOW).total_seconds() // 86400),
    }


def main(argv):
    if argv[:1] == ['make'] and len(argv) == 3:
        result = make(argv[1], argv[2])
    elif argv[:1] == ['sign'] and len(argv) == 4:
        result = sign(argv[1], argv[2], argv[3])
    elif argv == ['facts']:
        result = facts(json.loads(sys.stdin.read()))
    else:
        sys.exit(__doc__)
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1:])
