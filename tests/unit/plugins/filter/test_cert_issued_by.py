# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ansible.errors import AnsibleFilterError
from ansible.template import trust_as_template

from ansible_collections.certops.vcenter.plugins.filter.cert_issued_by import FilterModule, cert_issued_by
from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.tests.unit.utils import (  # noqa: F401 pylint: disable=unused-import
    NOW,
    ec_key,
    key_pem,
    make_cert,
    make_name,
    pem,
    pki,
)


def with_key_ids(subject, key, issuer_name=None, issuer_public_key=None, signing_key=None, ski=None, ca=False):
    """A certificate with subject and authority key identifiers, as real CAs issue them. ``ski`` overrides the
    subject key identifier (an impostor CA copying the real one's); the authority key identifier is computed from
    ``issuer_public_key``, or copied from ``ski`` for a self-signed certificate."""
    own_ski = ski or x509.SubjectKeyIdentifier.from_public_key(key.public_key()).digest
    if issuer_public_key is None:
        aki = x509.AuthorityKeyIdentifier(own_ski, None, None)
    else:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key)
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name or subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier(own_ski), critical=False)
            .add_extension(aki, critical=False)
            .sign(signing_key or key, hashes.SHA256()))


def test_registered():
    assert FilterModule().filters() == {'cert_issued_by': cert_issued_by}


def test_issued_by_its_direct_issuer(pki):
    assert cert_issued_by(pem(pki.corp_tls), pem(pki.corp_int)) is True
    assert cert_issued_by(pem(pki.tls), pem(pki.vmca)) is True
    assert cert_issued_by(pem(pki.corp), pem(pki.corp)) is True  # a self-signed root issued itself


def test_summaries_with_pem_and_tagged_strings(pki):
    leaf = _certs.summary(pki.corp_tls, include_pem=True)
    assert cert_issued_by(leaf, _certs.summary(pki.corp_int, include_pem=True)) is True
    assert cert_issued_by(leaf, pem(pki.corp_int)) is True
    # ansible-core 2.19 hands filters tagged strings
    assert cert_issued_by(trust_as_template(pem(pki.corp_tls)), trust_as_template(pem(pki.corp_int))) is True
    assert cert_issued_by(pem(pki.corp_tls).encode('ascii'), pem(pki.corp_int).encode('ascii')) is True


def test_not_issued(pki):
    assert cert_issued_by(pem(pki.corp_tls), pem(pki.vmca)) is False
    assert cert_issued_by(pem(pki.tls), pem(pki.corp_int)) is False
    # the root of the chain is not the direct issuer
    assert cert_issued_by(pem(pki.corp_tls), pem(pki.corp)) is False
    # nor is the certificate its own issuer
    assert cert_issued_by(pem(pki.corp_tls), pem(pki.corp_tls)) is False


def test_same_name_other_key(pki):
    impostor = make_cert(pki.corp_int.subject, ec_key(), ca=True)
    assert impostor.subject == pki.corp_int.subject
    assert cert_issued_by(pem(pki.corp_tls), pem(impostor)) is False


def test_same_name_and_key_identifier_other_key_is_not_the_issuer():
    """Where comparing authority and subject key identifiers (what the role did in Jinja) says yes."""
    ca_key = ec_key()
    ca = with_key_ids(make_name('Key Id CA'), ca_key, ca=True)
    leaf = with_key_ids(make_name('leaf.example.com'), ec_key(), ca.subject, ca_key.public_key(), signing_key=ca_key)
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    impostor = with_key_ids(ca.subject, ec_key(), ski=ca_ski, ca=True)

    leaf_aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert leaf_aki == ca_ski == impostor.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert cert_issued_by(pem(leaf), pem(ca)) is True
    assert cert_issued_by(pem(leaf), pem(impostor)) is False


def test_bundles_use_their_first_certificate(pki):
    leaf_and_chain = pem(pki.corp_tls) + pem(pki.corp_int) + pem(pki.corp)
    assert cert_issued_by(leaf_and_chain, pem(pki.corp_int) + pem(pki.corp)) is True
    assert cert_issued_by(leaf_and_chain, pem(pki.corp) + pem(pki.corp_int)) is False
    assert cert_issued_by(pem(pki.corp_int) + pem(pki.corp_tls), pem(pki.corp)) is True


@pytest.mark.parametrize('cert, issuer, message', [
    ('', 'ISSUER', 'the certificate is empty: expected one or more PEM certificates'),
    (None, 'ISSUER', 'the certificate is of type NoneType: give a PEM string or a certificate summary with pem'),
    (42, 'ISSUER', 'the certificate is of type int: give a PEM string or a certificate summary with pem'),
    ('LEAF', '   ', 'the issuer is empty: expected one or more PEM certificates'),
    ('LEAF', 'not a certificate', 'the issuer does not contain a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)'),
    ('LEAF', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'the issuer is not a valid PEM certificate: '),
    ({'subject': 'CN=vc', 'fingerprints': {}}, 'ISSUER',
     'the certificate is a dict without pem (keys: fingerprints, subject): give a PEM string, or a certificate summary'),
    ('LEAF', {}, 'the issuer is a dict without pem (keys: none)'),
])
def test_bad_input_says_what_is_wrong(pki, cert, issuer, message):
    cert = pem(pki.corp_tls) if cert == 'LEAF' else cert
    issuer = pem(pki.corp_int) if issuer == 'ISSUER' else issuer
    with pytest.raises(AnsibleFilterError) as exc:
        cert_issued_by(cert, issuer)
    assert str(exc.value).startswith('certops.vcenter.cert_issued_by: ' + message)


def test_a_private_key_is_refused_and_not_shown(pki):
    secret = key_pem(pki.corp_int_key)
    with pytest.raises(AnsibleFilterError) as exc:
        cert_issued_by(pem(pki.corp_tls), pem(pki.corp_int) + secret)
    assert 'the issuer contains a private key' in str(exc.value)
    assert secret.splitlines()[1] not in str(exc.value)
