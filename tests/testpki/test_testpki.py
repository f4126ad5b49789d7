# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test PKI makes what its README promises: checked on the certificates and files themselves."""

import datetime
import io
import json
import os
import stat
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testpki  # noqa: E402  pylint: disable=wrong-import-position


def cli(capsys, *argv):
    testpki.main([str(a) for a in argv])
    return json.loads(capsys.readouterr().out)


def load_cert(path):
    with open(path, 'rb') as handle:
        return x509.load_pem_x509_certificate(handle.read())


def ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_root_intermediate_and_server_leaf(tmp_path, capsys):
    made = cli(capsys, 'batch', json.dumps([
        ['ca', str(tmp_path), 'root', '--subject', 'CN=corp Root CA,O=corp Corp,C=DE', '--days', '3650'],
        ['intermediate', str(tmp_path), 'int', '--ca', 'root'],
        ['leaf', str(tmp_path), 'vc.pem', '--ca', 'int', '--san', 'vc.example.test', '--san', '10.0.0.5',
         '--key-type', 'ec', '--key-size', '384', '--hash', 'sha384'],
    ]))
    root, inter, leaf = (load_cert(made[n]['cert']) for n in ('root', 'int', 'vc.pem'))

    assert made['root']['subject'] == 'CN=corp Root CA,O=corp Corp,C=DE' == root.subject.rfc4514_string()
    assert root.issuer == root.subject and testpki.issued_by(root, root)
    assert ext(root, x509.BasicConstraints).critical and ext(root, x509.BasicConstraints).value.ca
    assert ext(root, x509.KeyUsage).value.key_cert_sign and ext(root, x509.KeyUsage).value.crl_sign
    assert root.not_valid_after_utc - root.not_valid_before_utc == datetime.timedelta(days=3650)

    assert testpki.issued_by(inter, root) and not testpki.issued_by(inter, inter)
    assert ext(inter, x509.BasicConstraints).value.path_length == 0
    assert (ext(inter, x509.AuthorityKeyIdentifier).value.key_identifier
            == ext(root, x509.SubjectKeyIdentifier).value.digest)

    assert made['vc.pem']['cert'] == str(tmp_path / 'vc.pem') and made['vc.pem']['key'] == str(tmp_path / 'vc.key')
    assert testpki.issued_by(leaf, inter)
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == 'vc.example.test'
    assert made['vc.pem']['subject_alt_name'] == ['DNS:vc.example.test', 'IP:10.0.0.5']
    assert list(ext(leaf, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert not ext(leaf, x509.BasicConstraints).value.ca and ext(leaf, x509.KeyUsage).value.key_encipherment
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey) and leaf.public_key().curve.name == 'secp384r1'
    assert leaf.signature_hash_algorithm.name == 'sha384'
    assert made['vc.pem']['sha256'] == testpki.sha256(leaf) and made['vc.pem']['pem'] == testpki.cert_pem(leaf)
    with open(made['vc.pem']['key']) as handle:
        assert handle.read().startswith('-----BEGIN PRIVATE KEY-----')
    assert mode(made['vc.pem']['key']) == 0o600 and mode(made['vc.pem']['cert']) == 0o644


def test_validity_expired_and_not_yet_valid(tmp_path, capsys):
    now = testpki.utcnow()
    made = cli(capsys, 'batch', json.dumps([
        ['ca', str(tmp_path), 'old', '--start-days', '-400', '--end-days', '-5', '--key-usage', 'key_cert_sign'],
        ['ca', str(tmp_path), 'root'],
        ['leaf', str(tmp_path), 'future', '--ca', 'root', '--start-days', '10', '--days', '30'],
    ]))
    old, future = load_cert(made['old']['cert']), load_cert(made['future']['cert'])
    assert old.not_valid_after_utc < now - datetime.timedelta(days=4)
    assert old.not_valid_before_utc < now - datetime.timedelta(days=399)
    usage = ext(old, x509.KeyUsage).value
    assert usage.key_cert_sign and not usage.crl_sign and not usage.digital_signature
    assert future.not_valid_before_utc > now + datetime.timedelta(days=9)
    assert future.not_valid_after_utc - future.not_valid_before_utc == datetime.timedelta(days=30)


def test_sts_leaf_keys_and_bundles(tmp_path, capsys):
    d = str(tmp_path)
    made = cli(capsys, 'batch', json.dumps([
        ['ca', d, 'root'],
        ['key', d, 'k1'],
        ['sts', d, 'sts', '--ca', 'root', '--key', d + '/k1.key'],
        ['key', d, 'k1-enc', '--from', d + '/k1.key', '--passphrase', 'pp'],
        ['key', d, 'k1-rsa', '--from', d + '/k1.key', '--format', 'traditional'],
        ['key', d, 'ec', '--key-type', 'ec', '--format', 'traditional'],
        ['bundle', d + '/chain.pem', d + '/sts.crt', d + '/root.crt'],
        ['bundle', d + '/with-key.pem', d + '/sts.crt', d + '/k1.key'],
    ]))
    sts = load_cert(made['sts']['cert'])
    assert made['sts']['key'] == d + '/k1.key' and not os.path.exists(d + '/sts.key')
    key1 = testpki.load_key(d + '/k1.key')
    assert sts.public_key().public_numbers() == key1.public_key().public_numbers()
    usage = ext(sts, x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_encipherment and not usage.content_commitment
    with pytest.raises(x509.ExtensionNotFound):
        ext(sts, x509.ExtendedKeyUsage)
    with pytest.raises(x509.ExtensionNotFound):
        ext(sts, x509.SubjectAlternativeName)

    texts = {}
    for name in ('k1', 'k1-enc', 'k1-rsa', 'ec'):
        with open(made[name]['key']) as handle:
            texts[name] = handle.read()
        assert mode(made[name]['key']) == 0o600
    assert texts['k1'].startswith('-----BEGIN PRIVATE KEY-----')
    assert texts['k1-enc'].startswith('-----BEGIN ENCRYPTED PRIVATE KEY-----')
    assert testpki.load_key(made['k1-enc']['key'], 'pp').private_numbers() == key1.private_numbers()
    assert texts['k1-rsa'].startswith('-----BEGIN RSA PRIVATE KEY-----')
    assert testpki.load_key(made['k1-rsa']['key']).private_numbers() == key1.private_numbers()
    assert texts['ec'].startswith('-----BEGIN EC PRIVATE KEY-----')

    with open(d + '/chain.pem') as handle:
        assert handle.read() == made['sts']['pem'] + made['root']['pem']
    assert mode(d + '/chain.pem') == 0o644 and mode(d + '/with-key.pem') == 0o600


def test_sign_csr_as_server_and_sts(tmp_path, capsys):
    d = str(tmp_path)
    cli(capsys, 'ca', d, 'root')
    key = testpki.new_key()
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(testpki.name('vc.example.test', country='DE'))
           .add_extension(x509.SubjectAlternativeName(testpki.general_names(['vc.example.test', '192.0.2.1'])),
                          critical=False)
           .sign(key, hashes.SHA256()))
    with open(d + '/vc.csr', 'wb') as handle:
        handle.write(csr.public_bytes(serialization.Encoding.PEM))
    server = cli(capsys, 'sign', d, 'vc', '--ca', 'root', '--csr', d + '/vc.csr', '--days', '500')
    sts = cli(capsys, 'sign', d, 'sts', '--ca', 'root', '--csr', d + '/vc.csr', '--profile', 'sts')
    assert 'key' not in server and not os.path.exists(d + '/vc.key')
    assert server['subject'] == sts['subject'] == 'C=DE,O=certops tests,CN=vc.example.test'
    assert server['subject_alt_name'] == ['DNS:vc.example.test', 'IP:192.0.2.1']
    cert = load_cert(server['cert'])
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == datetime.timedelta(days=500)
    assert list(ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    with pytest.raises(x509.ExtensionNotFound):
        ext(load_cert(sts['cert']), x509.ExtendedKeyUsage)


def test_facts_issued_by_and_sts_info(capsys, monkeypatch):
    root = testpki.make_ca(testpki.name('Root'), days=3650)
    other = testpki.make_ca(testpki.name('Other'))
    leaf = testpki.make_sts(testpki.name('sts'), root, days=40)
    monkeypatch.setattr(sys, 'stdin', io.StringIO(json.dumps({'cert': leaf.pem, 'issuer': root.pem})))
    assert cli(capsys, 'issued-by', '-') == {'issued_by': True}
    assert not testpki.issued_by(leaf.cert, other.cert)
    document = {'active_cert_chain': {'cert_chain': [leaf.pem, root.pem]},
                'signing_cert_chains': [{'cert_chain': [leaf.pem, root.pem]}, {'cert_chain': [root.pem]}]}
    monkeypatch.setattr(sys, 'stdin', io.StringIO(json.dumps(document)))
    info = cli(capsys, 'sts-info', '-')
    assert info['active'] == [leaf.sha256, root.sha256]
    assert info['signing'] == [[leaf.sha256, root.sha256], [root.sha256]]
    assert info['active_issuer'] == info['signing_issuers'][0] == 'O=certops tests,CN=Root'
    assert info['active_days_remaining'] == 39
    assert [c.sha256 for c in leaf.chain()] == [leaf.sha256, root.sha256]
    assert isinstance(root.key, rsa.RSAPrivateKey) and root.key.key_size == 2048
    assert root.key_pem.startswith('-----BEGIN RSA PRIVATE KEY-----')


def test_refuses_unknown_key_usage_and_key_type():
    with pytest.raises(ValueError):
        testpki.make_ca(testpki.name('x'), key_usage=('key_cert_sign', 'sign_everything'))
    with pytest.raises(ValueError):
        testpki.new_key('dsa')
