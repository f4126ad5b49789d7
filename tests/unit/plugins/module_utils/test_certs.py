# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Table-driven tests of the pure certificate helpers in _certs.py (certificates made at test time)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._certs import CertificateInputError
from ansible_collections.certops.vcenter.tests.unit.utils import (
    NOW,
    PNID,
    ec_key,
    key_pem,
    make_cert,
    make_csr,
    make_name,
    pem,
)


def der_fingerprint(cert, algorithm):
    from cryptography.hazmat.primitives import serialization
    digest = getattr(hashlib, algorithm)(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


# --------------------------------------------------------------------------- fingerprints

@pytest.mark.parametrize('algorithm', ['sha256', 'sha1'])
def test_fingerprint_is_upper_colon_hex_of_der(pki, algorithm):
    assert _certs.fingerprint(pki.tls, algorithm) == der_fingerprint(pki.tls, algorithm)


@pytest.mark.parametrize('given, expected', [
    ('aa:bb:cc', 'AA:BB:CC'),
    ('AABBCC', 'AA:BB:CC'),
    ('aa bb cc', 'AA:BB:CC'),
    ('', ''),
    (None, ''),
])
def test_normalise_fingerprint(given, expected):
    assert _certs.normalise_fingerprint(given) == expected


# --------------------------------------------------------------------------- parsing

@pytest.mark.parametrize('text, expected', [
    ('', 'certificate is empty'),
    ('   \n', 'certificate is empty'),
    (None, 'certificate is empty'),
    ('hello', 'certificate does not contain a PEM certificate'),
    ('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', 'certificate contains a private key'),
    ('-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----', 'certificate contains a private key'),
    ('-----BEGIN EC PRIVATE KEY-----\nMIIB\n-----END EC PRIVATE KEY-----', 'certificate contains a private key'),
    ('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----',
     'certificate contains a private key'),
    ('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----', 'certificate contains a private key'),
])
def test_split_pem_bundle_refuses(text, expected):
    with pytest.raises(CertificateInputError) as exc:
        _certs.split_pem_bundle(text)
    assert expected in str(exc.value)
    assert 'MIIB' not in str(exc.value) and 'b3Bl' not in str(exc.value)


def test_split_pem_bundle_keeps_order_and_normalises(pki):
    messy = '\r\n  ' + pem(pki.corp_int).replace('\n', '\r\n') + 'junk between\n' + pem(pki.corp)
    blocks = _certs.split_pem_bundle(messy)
    assert blocks == [pem(pki.corp_int), pem(pki.corp)]
    assert _certs.load_certificates(messy) == [pki.corp_int, pki.corp]


def test_split_pem_bundle_stray_and_unterminated_begin_lines(pki):
    begin = '-----BEGIN CERTIFICATE-----\n'
    # BEGIN lines without an END after them are not blocks
    assert _certs.split_pem_bundle(pem(pki.corp) + begin * 50) == [pem(pki.corp)]
    # stray BEGIN lines before a certificate belong to its block, which is refused (as OpenSSL refuses it)
    with pytest.raises(CertificateInputError) as exc:
        _certs.load_certificates(begin * 1000 + pem(pki.corp))
    assert 'is not a valid PEM certificate' in str(exc.value)
    with pytest.raises(CertificateInputError) as exc:
        _certs.split_pem_bundle(begin * 5000)
    assert 'does not contain a PEM certificate' in str(exc.value)


def test_non_ascii_dns_names_become_a_labels():
    assert _certs.normalise_san('bücher.example') == 'DNS:xn--bcher-kva.example'
    assert _certs.normalise_san('DNS:*.Bücher.example') == 'DNS:*.xn--bcher-kva.example'
    assert _certs.normalise_san('vc.example.com') == 'DNS:vc.example.com'


def test_load_certificates_names_the_bad_block(pki):
    with pytest.raises(CertificateInputError) as exc:
        _certs.load_certificates(pem(pki.corp) + '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
                                 'root_certificate')
    assert str(exc.value).startswith('root_certificate (PEM block 2) is not a valid PEM certificate')


@pytest.mark.parametrize('fmt', ['pkcs8', 'traditional'])
@pytest.mark.parametrize('passphrase', [None, 'pass phrase'])
def test_load_private_key_formats(pki, fmt, passphrase):
    text = key_pem(pki.corp_tls_key, passphrase=passphrase, traditional=fmt == 'traditional')
    key = _certs.load_private_key(text, passphrase)
    assert _certs.key_matches_certificate(key, pki.corp_tls)
    assert not _certs.key_matches_certificate(key, pki.tls)
    assert _certs.private_key_to_pkcs8_pem(key) == key_pem(pki.corp_tls_key)


@pytest.mark.parametrize('text, passphrase, expected', [
    ('', None, 'private_key is empty'),
    ('not a key', None, 'private_key is not a PEM private key'),
    ('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', None, 'private_key is not a valid PEM private key'),
    ('ENCRYPTED', None, 'private_key is encrypted; give its passphrase'),
    ('ENCRYPTED', 'wrong', 'private_key could not be decrypted'),
    ('PLAIN', 'unneeded', None),
])
def test_load_private_key_refuses(pki, text, passphrase, expected):
    if text == 'ENCRYPTED':
        text = key_pem(pki.corp_tls_key, passphrase='right')
    elif text == 'PLAIN':
        text = key_pem(pki.corp_tls_key)
    if expected is None:  # a passphrase for a key that is not encrypted is ignored
        assert _certs.key_matches_certificate(_certs.load_private_key(text, passphrase), pki.corp_tls)
        return
    with pytest.raises(CertificateInputError) as exc:
        _certs.load_private_key(text, passphrase)
    assert expected in str(exc.value)


def test_load_csr(pki):
    csr = _certs.load_csr(make_csr(make_name(PNID, o='Example'), pki.tls_key, [PNID, '10.0.0.1']))
    assert _certs.subject_alt_names(csr) == ['DNS:%s' % PNID, 'IP:10.0.0.1']
    with pytest.raises(CertificateInputError) as exc:
        _certs.load_csr('nope', 'dest x')
    assert str(exc.value).startswith('dest x is not a valid PEM certificate signing request')


# --------------------------------------------------------------------------- names and SANs

@pytest.mark.parametrize('entry, expected', [
    ('vc.example.com', 'DNS:vc.example.com'),
    ('VC.Example.COM.', 'DNS:vc.example.com'),
    ('dns:vc.example.com', 'DNS:vc.example.com'),
    ('DNS: vc.example.com ', 'DNS:vc.example.com'),
    ('10.0.0.1', 'IP:10.0.0.1'),
    ('ip:10.0.0.1', 'IP:10.0.0.1'),
    ('2001:db8::1', 'IP:2001:db8::1'),
    ('IP:2001:DB8:0::1', 'IP:2001:db8::1'),
    ('email:pki@example.com', 'email:pki@example.com'),
    ('URI:https://vc.example.com', 'URI:https://vc.example.com'),
    ('*.example.com', 'DNS:*.example.com'),
])
def test_normalise_san(entry, expected):
    assert _certs.normalise_san(entry) == expected


def test_normalise_san_refuses_a_bad_ip():
    with pytest.raises(CertificateInputError) as exc:
        _certs.normalise_san('IP:300.1.1.1')
    assert 'is not a valid IP address' in str(exc.value)


@pytest.mark.parametrize('hostname, sans, expected', [
    ('vc.example.com', ['DNS:vc.example.com'], True),
    ('VC.example.com.', ['DNS:vc.example.com'], True),
    ('vc.example.com', ['DNS:*.example.com'], True),
    ('a.b.example.com', ['DNS:*.example.com'], False),
    ('example.com', ['DNS:*.example.com'], False),
    ('vc.example.com', ['DNS:other.example.com', 'IP:10.0.0.1'], False),
    ('10.0.0.1', ['DNS:vc.example.com', 'IP:10.0.0.1'], True),
    ('10.0.0.1', ['DNS:10.0.0.1'], False),
    ('10.0.0.2', ['IP:10.0.0.1'], False),
    ('2001:db8::1', ['IP:2001:db8::1'], True),
    ('vc.example.com', [], False),
])
def test_hostname_in_sans(hostname, sans, expected):
    assert _certs.hostname_in_sans(hostname, sans) is expected


@pytest.mark.parametrize('name, sans, expected', [
    ('vc.example.com', ['DNS:vc.example.com'], True),
    ('VC.example.com.', ['DNS:vc.example.com'], True),
    ('vc.example.com', ['DNS:*.example.com'], False),  # vCenter wants the PNID itself, never a wildcard
    ('10.0.0.1', ['IP:10.0.0.1'], True),
    ('10.0.0.1', ['DNS:10.0.0.1'], False),
    ('vc.example.com', ['email:vc.example.com'], False),
])
def test_name_in_sans(name, sans, expected):
    assert _certs.name_in_sans(name, sans) is expected


@pytest.mark.parametrize('cn, sans, expected', [
    ('vc.example.com', ['vc.example.com', '10.0.0.1'], (['vc.example.com'], True)),   # VMCA-issued: CN = PNID
    ('10.0.0.5', ['10.0.0.5'], (['10.0.0.5'], True)),                                 # a PNID that is an IP
    ('Appliance', ['vc.example.com', '*.example.com', '10.0.0.1', 'email:a@example.com'],
     (['vc.example.com', '10.0.0.1'], False)),                                         # CN not among the SANs
    ('vc.example.com', [], ([], False)),
])
def test_pnid_from_certificate(cn, sans, expected):
    cert = make_cert(make_name(cn), ec_key(), sans=sans or None)
    assert _certs.pnid_from_certificate(cert) == expected


@pytest.mark.parametrize('params, expected', [
    ({}, {'common_name': None, 'organization': None, 'organization_unit': None, 'locality': None,
          'state_or_province': None, 'country': None, 'email_address': None, 'subject_alt_name': None}),
    ({'country': 'de'}, {'country': 'DE'}),
    ({'subject_alt_name': ['vc.example.com', 'DNS:VC.example.com', '10.0.0.1']},
     {'subject_alt_name': ['DNS:vc.example.com', 'IP:10.0.0.1']}),
    ({'subject_alt_name': []}, {'subject_alt_name': []}),
])
def test_subject_request(params, expected):
    desired = _certs.subject_request(params)
    for name, value in expected.items():
        assert desired[name] == value


@pytest.mark.parametrize('params, expected', [
    ({'country': 'DEU'}, "country must be a two-letter ISO 3166 country code such as US or DE, got 'DEU'"),
    ({'country': 'D'}, 'country must be a two-letter'),
    ({'country': '1A'}, 'country must be a two-letter'),
    ({'country': ''}, 'country must be a two-letter'),
    ({'subject_alt_name': ['vc.example.com', ' ']}, 'subject_alt_name has an empty entry'),
    ({'subject_alt_name': ['IP:x']}, "subject_alt_name entry 'IP:x' is not a valid IP address"),
])
def test_subject_request_refuses(params, expected):
    with pytest.raises(CertificateInputError) as exc:
        _certs.subject_request(params)
    assert expected in str(exc.value)


def _vmca_style(pki, sans, **subject):
    return make_cert(make_name(**subject), pki.tls_key, pki.vmca, pki.vmca_key, sans=sans)


@pytest.mark.parametrize('subject, sans, desired, key_size, expected', [
    ({'cn': PNID, 'c': 'US'}, [PNID], {}, None, []),
    ({'cn': PNID, 'c': 'US'}, [PNID], {'common_name': PNID.upper(), 'country': 'us'}, None, []),
    ({'cn': PNID, 'c': 'US'}, [PNID], {'organization': 'Example'}, None, ["organization is None, wanted 'Example'"]),
    ({'cn': PNID, 'o': 'Example'}, [PNID], {'organization': 'example'}, None,
     ["organization is 'Example', wanted 'example'"]),
    ({'cn': PNID}, [PNID], {'organization': ''}, None, []),
    ({'cn': PNID, 'o': 'X'}, [PNID], {'organization': ''}, None, ["organization is 'X', wanted ''"]),
    ({'cn': PNID}, [PNID, '10.0.0.1'], {'subject_alt_name': ['10.0.0.1', PNID]}, None, []),
    ({'cn': PNID}, [PNID, PNID], {'subject_alt_name': [PNID]}, None, []),
    ({'cn': PNID}, [PNID], {'subject_alt_name': [PNID, '10.0.0.1']}, None,
     ["subject_alt_name is ['DNS:vc.example.com'], wanted ['DNS:vc.example.com', 'IP:10.0.0.1']"]),
    # VMCA puts email_address into the SAN: it satisfies email_address and is ignored when comparing SANs
    ({'cn': PNID}, [PNID, 'email:pki@example.com'], {'email_address': 'pki@example.com',
                                                     'subject_alt_name': [PNID]}, None, []),
    ({'cn': PNID, 'email': 'pki@example.com'}, [PNID], {'email_address': 'PKI@example.com'}, None, []),
    ({'cn': PNID}, [PNID, 'email:pki@example.com'], {'email_address': ''}, None,
     ["email_address is None, wanted ''"]),
    ({'cn': PNID}, [PNID, 'email:pki@example.com'], {'subject_alt_name': [PNID, 'email:pki@example.com']}, None, []),
    ({'cn': PNID}, [PNID], {}, 2048, []),
    ({'cn': PNID}, [PNID], {}, 3072, ['key_size is 2048, wanted 3072']),
])
def test_subject_mismatches(pki, subject, sans, desired, key_size, expected):
    cert = _vmca_style(pki, sans, **subject)
    assert _certs.subject_mismatches(cert, desired, key_size) == expected


def test_subject_mismatches_on_a_csr(pki):
    csr = _certs.load_csr(make_csr(make_name(PNID, o='Example', c='DE'), pki.tls_key, [PNID]))
    assert _certs.subject_mismatches(csr, {'organization': 'Example', 'country': 'DE', 'locality': ''}, 2048) == []
    assert _certs.subject_mismatches(csr, {'locality': 'Berlin'}) == ["locality is None, wanted 'Berlin'"]


# --------------------------------------------------------------------------- validity and chains

@pytest.mark.parametrize('start_days, days, expected', [
    (-10, 10, None),
    (-10, -1, 'certificate expired on'),
    (2, 10, 'certificate is not valid before'),
])
def test_check_validity(pki, start_days, days, expected):
    cert = make_cert(make_name('x'), pki.corp_key, start_days=start_days, days=days)
    if expected is None:
        _certs.check_validity(cert)
        return
    with pytest.raises(CertificateInputError) as exc:
        _certs.check_validity(cert)
    assert str(exc.value).startswith(expected)
    assert '(subject CN=x)' in str(exc.value)


@pytest.mark.parametrize('days_after_now, expected', [
    (10, 9), (0.5, 0), (-0.5, -1), (730, 729), (-1, -1), (-3, -3), (-3.5, -3), (-30, -30)])
def test_days_remaining_counts_whole_days(pki, days_after_now, expected):
    cert = make_cert(make_name('x'), pki.corp_key, start_days=min(-1, days_after_now - 1), days=days_after_now)
    # one minute after creation, so "exactly N days" is just under N days
    assert _certs.days_remaining(cert, now=NOW + datetime.timedelta(minutes=1)) == expected


@pytest.mark.parametrize('order, ok', [
    (['corp_tls', 'corp_int', 'corp'], True),
    (['corp_tls', 'corp_int'], True),
    (['corp_tls'], True),
    (['corp_int', 'corp_tls'], False),
    (['corp_tls', 'corp'], False),
    (['corp_tls', 'corp_int', 'other'], False),
])
def test_check_chain_order(pki, order, ok):
    certs = [getattr(pki, name) for name in order]
    if ok:
        _certs.check_chain_order(certs)
        return
    with pytest.raises(CertificateInputError) as exc:
        _certs.check_chain_order(certs, 'certificate')
    assert str(exc.value).startswith('certificate is out of order or incomplete: PEM block')


@pytest.mark.parametrize('pool, expected', [
    (['corp_int', 'corp', 'other'], ['corp_tls', 'corp_int', 'corp']),
    (['corp', 'corp_int'], ['corp_tls', 'corp_int', 'corp']),
    (['corp'], ['corp_tls']),
    ([], ['corp_tls']),
    (['corp_int'], ['corp_tls', 'corp_int']),
])
def test_build_chain(pki, pool, expected):
    chain = _certs.build_chain(pki.corp_tls, [getattr(pki, name) for name in pool])
    assert chain == [getattr(pki, name) for name in expected]


@pytest.mark.parametrize('cert, issuer, expected', [
    ('corp_tls', 'corp_int', True),
    ('corp_int', 'corp', True),
    ('corp', 'corp', True),
    ('corp_tls', 'corp', False),
    ('tls', 'vmca', True),
    ('tls', 'corp', False),
])
def test_is_issued_by(pki, cert, issuer, expected):
    assert _certs.is_issued_by(getattr(pki, cert), getattr(pki, issuer)) is expected


def test_same_name_other_key_is_not_the_issuer(pki):
    impostor = make_cert(pki.corp_int.subject, ec_key(), ca=True)
    assert _certs.is_issued_by(pki.corp_tls, impostor) is False


@pytest.mark.parametrize('order', [['corp', 'corp_int'], ['corp_int', 'corp'], ['corp', 'corp_int', 'corp']])
def test_order_chain(pki, order):
    assert _certs.order_chain([getattr(pki, n) for n in order]) == [pki.corp_int, pki.corp]


def test_order_chain_refuses_two_chains(pki):
    with pytest.raises(CertificateInputError) as exc:
        _certs.order_chain([pki.corp, pki.other])
    assert 'must be one chain' in str(exc.value)


# --------------------------------------------------------------------------- summary

def test_summary_shape(pki):
    summary = _certs.summary(pki.corp_tls, include_pem=True)
    assert summary == {
        'subject': 'O=Corp,CN=vc.example.com',
        'issuer': 'O=Corp,CN=Corp Issuing CA',
        'serial_number': '%X' % pki.corp_tls.serial_number,
        'not_before': _certs.iso(_certs.not_before(pki.corp_tls)),
        'not_after': _certs.iso(_certs.not_after(pki.corp_tls)),
        'days_remaining': _certs.days_remaining(pki.corp_tls),
        'fingerprints': {'sha1': der_fingerprint(pki.corp_tls, 'sha1'),
                         'sha256': der_fingerprint(pki.corp_tls, 'sha256')},
        'subject_alt_name': ['DNS:vc.example.com', 'IP:10.0.0.1'],
        'key_type': 'RSA',
        'key_size': 2048,
        'is_ca': False,
        'pem': pem(pki.corp_tls),
    }
    assert 'pem' not in _certs.summary(pki.corp_tls)
    assert _certs.summary(pki.corp)['key_type'] == 'ECDSA' and _certs.summary(pki.corp)['is_ca'] is True


@pytest.mark.parametrize('text, expected', [
    ('-----BEGIN CERTIFICATE-----', False),
    ('x -----BEGIN PRIVATE KEY----- y', True),
    ('-----BEGIN DSA PRIVATE KEY-----', True),
    ('', False),
    (None, False),
])
def test_contains_private_key(text, expected):
    assert _certs.contains_private_key(text) is expected


@pytest.mark.parametrize('eku, server_auth', [
    (None, True),
    ([ExtendedKeyUsageOID.CLIENT_AUTH], False),
    ([ExtendedKeyUsageOID.SERVER_AUTH], True),
])
def test_key_usage_and_server_auth(pki, eku, server_auth):
    builder = (x509.CertificateBuilder().subject_name(make_name('x')).issuer_name(make_name('x'))
               .public_key(pki.corp_key.public_key()).serial_number(1)
               .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=1))
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True))
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    cert = builder.sign(pki.corp_key, hashes.SHA256())
    assert _certs.key_usage(cert) == ['digitalSignature', 'keyEncipherment']
    assert _certs.key_usage(pki.tls) is None
    assert _certs.has_server_auth(cert) is server_auth
