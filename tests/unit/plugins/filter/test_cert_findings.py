# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
import re

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from ansible.errors import AnsibleFilterError

from ansible_collections.certops.vcenter.plugins.filter.cert_findings import FilterModule, cert_findings
from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.plugin_utils import _findings
from ansible_collections.certops.vcenter.tests.unit.utils import (  # noqa: F401 pylint: disable=unused-import
    NOW,
    PNID,
    make_cert,
    make_name,
    pem,
    pki,
    rsa_key,
    sha1_id,
)


SHA256_RSA = bytes.fromhex('06092a864886f70d01010b')
SHA1_RSA = bytes.fromhex('06092a864886f70d010105')


def sha1_signed(cert, key):
    """``cert`` (self-signed, RSA, SHA-256) signed again with SHA-1 (cryptography no longer signs with SHA-1):
    both algorithm identifiers are swapped (same length) and the signature is replaced (same length)."""
    tbs = cert.tbs_certificate_bytes.replace(SHA256_RSA, SHA1_RSA)
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    der = cert.public_bytes(serialization.Encoding.DER).replace(SHA256_RSA, SHA1_RSA)
    return x509.load_der_x509_certificate(der[:-len(signature)] + signature)


def summary(cert):
    return _certs.summary(cert, include_pem=True)


def chain(cert_list, chain_id=None):
    return {'chain_id': chain_id or sha1_id(cert_list[-1]), 'certificates': [summary(c) for c in cert_list]}


def healthy(pki):
    """A VMCA-issued vCenter as the three _info modules return it, registered under tls/trusted_roots/sts."""
    return {
        'vcenter': PNID,
        'tls': {'certificate': summary(pki.tls), 'served_fingerprint_sha256': _certs.fingerprint(pki.tls),
                'issued_by_vmca': True, 'vmca_root': _certs.summary(pki.vmca)},
        'trusted_roots': {'chains': [chain([pki.vmca], 'vmca')]},
        'sts': {'active_chain': [summary(pki.sts), summary(pki.vmca)],
                'signing_chains': [[summary(pki.sts), summary(pki.vmca)]]},
    }


def ids(found):
    return sorted(f['id'] for f in found)


def one(found, finding_id):
    matching = [f for f in found if f['id'] == finding_id]
    assert len(matching) == 1, found
    return matching[0]


def test_healthy_vcenter_has_no_findings(pki):
    assert cert_findings(healthy(pki)) == []


def test_filter_is_registered():
    assert FilterModule().filters()['cert_findings'] is cert_findings


def test_flat_shape_gives_the_same_answer(pki):
    data = healthy(pki)
    flat = {'vcenter': PNID, 'machine_ssl': data['tls']['certificate'],
            'served_sha256': data['tls']['served_fingerprint_sha256'],
            'trusted_roots': data['trusted_roots']['chains'], 'vmca_root': pem(pki.vmca),
            'sts': data['sts']}
    assert cert_findings(flat, warning_days=800) == cert_findings(data, warning_days=800)
    assert ids(cert_findings(flat, warning_days=800)) == ['machine_ssl_expiring']


@pytest.mark.parametrize('warning_days, critical_days, severity', [(800, 14, 'warning'), (800, 750, 'critical'),
                                                                   (600, 14, None)])
def test_machine_ssl_expiring_by_threshold(pki, warning_days, critical_days, severity):
    found = cert_findings(healthy(pki), warning_days=warning_days, critical_days=critical_days)
    if severity is None:
        assert found == []
        return
    finding = one(found, 'machine_ssl_expiring')
    assert finding['severity'] == severity
    assert finding['vcenter'] == PNID
    assert finding['certificate']['role'] == 'machine_ssl'
    assert finding['certificate']['sha256'] == _certs.fingerprint(pki.tls)
    assert finding['remedy']['action'] == 'certops.vcenter.rotate_machine_ssl'
    assert finding['remedy']['variables'] == {'rotate_machine_ssl_threshold_days': warning_days}


def test_expired_machine_ssl_is_critical(pki):
    data = healthy(pki)
    old = make_cert(make_name(PNID), pki.tls_key, pki.vmca, pki.vmca_key, days=-3, start_days=-100, sans=[PNID])
    data['tls']['certificate'] = summary(old)
    data['tls']['served_fingerprint_sha256'] = _certs.fingerprint(old)
    finding = one(cert_findings(data), 'machine_ssl_expired')
    assert finding['severity'] == 'critical'
    assert finding['certificate']['days_remaining'] == -3
    assert '(3 days ago)' in finding['evidence']


def test_sts_expiring_and_vmca_root_expiring(pki):
    found = cert_findings(healthy(pki), warning_days=4000, critical_days=10)
    assert ids(found) == ['machine_ssl_expiring', 'sts_signing_expiring', 'trusted_root_expiring',
                          'vmca_root_expiring']
    assert one(found, 'sts_signing_expiring')['remedy']['action'] == 'certops.vcenter.vcenter_sts_signing_cert'
    assert one(found, 'vmca_root_expiring')['remedy']['variables']['rotate_vmca_replace_root'] is True
    assert one(found, 'trusted_root_expiring')['certificate']['chain_id'] == 'vmca'


def test_expired_chain_that_anchors_nothing(pki):
    data = healthy(pki)
    key = rsa_key()
    expired = make_cert(make_name('Old Root', o='Corp'), key, ca=True, days=-3, start_days=-400)
    data['trusted_roots']['chains'].append(chain([expired], 'old'))
    finding = one(cert_findings(data), 'trusted_root_expired')
    assert finding['severity'] == 'warning'
    assert finding['certificate']['chain_id'] == 'old'
    assert finding['certificate']['days_remaining'] == -3
    assert finding['remedy']['action'] == 'certops.vcenter.trusted_roots'
    assert finding['remedy']['kind'] == 'role'
    assert finding['remedy']['variables'] == {'trusted_roots_remove_expired': True}
    assert 'vcenter_trusted_root chain_id=old state=absent' in finding['remedy']['text']
    assert 'KB 326288' in finding['source']
    assert 'trusted_root_expired_in_use' not in ids(cert_findings(data))


def test_expired_chain_that_anchors_the_machine_ssl_is_critical_and_kept(pki):
    data = healthy(pki)
    ca_key = rsa_key()
    root = make_cert(make_name('Expired Corp Root', o='Corp'), ca_key, ca=True, days=-2, start_days=-400)
    leaf = make_cert(make_name(PNID), pki.corp_tls_key, root, ca_key, days=100, sans=[PNID])
    data['tls'] = {'certificate': summary(leaf), 'served_fingerprint_sha256': _certs.fingerprint(leaf)}
    data['trusted_roots']['chains'].append(chain([root], 'corp'))
    found = cert_findings(data)
    finding = one(found, 'trusted_root_expired_in_use')
    assert finding['severity'] == 'critical'
    assert 'machine_ssl' in finding['evidence']
    assert 'Keep chain corp' in finding['remedy']['text']
    assert finding['remedy']['action'] == 'certops.vcenter.rotate_machine_ssl'
    assert 'trusted_root_expired' not in ids(found)


def test_san_without_pnid(pki):
    data = healthy(pki)
    data['pnid'] = 'vc-pnid.example.com'
    finding = one(cert_findings(data), 'machine_ssl_san_missing_pnid')
    assert finding['severity'] == 'critical'
    assert 'vc-pnid.example.com' in finding['evidence']
    assert finding['remedy']['variables']['rotate_machine_ssl_subject'] == {
        'subject_alt_name': ['vc-pnid.example.com']}
    data['pnid'] = PNID
    assert cert_findings(data) == []


def test_machine_ssl_and_sts_not_anchored(pki):
    data = healthy(pki)
    data['trusted_roots']['chains'] = [chain([pki.corp], 'corp')]
    data['tls']['vmca_root'] = None
    found = cert_findings(data)
    assert one(found, 'machine_ssl_not_anchored')['severity'] == 'critical'
    assert one(found, 'sts_signing_not_anchored')['severity'] == 'warning'


def test_served_certificate_differs(pki):
    data = healthy(pki)
    data['tls']['served_fingerprint_sha256'] = _certs.fingerprint(pki.corp_tls).replace(':', '').lower()
    finding = one(cert_findings(data), 'served_certificate_mismatch')
    assert finding['severity'] == 'warning'
    assert _certs.fingerprint(pki.corp_tls) in finding['evidence']
    data['tls']['served_fingerprint_sha256'] = None  # port not reachable: no observation, no finding
    assert cert_findings(data) == []


def test_weak_key_and_sha1_signature_in_the_store(pki):
    data = healthy(pki)
    weak_key = rsa_key(1024)
    weak = make_cert(make_name('Weak Root'), weak_key, ca=True)
    sha1 = sha1_signed(make_cert(make_name('SHA1 Root'), pki.corp_tls_key, ca=True, days=900), pki.corp_tls_key)
    data['trusted_roots']['chains'] += [chain([weak], 'weak'), chain([sha1], 'sha1')]
    found = cert_findings(data)
    assert ids(found) == ['weak_key', 'weak_signature']
    assert one(found, 'weak_key')['certificate']['chain_id'] == 'weak'
    assert '1024-bit RSA' in one(found, 'weak_key')['evidence']
    assert one(found, 'weak_signature')['remedy']['variables'] == {'chain_id': 'sha1', 'state': 'absent'}


def test_vmca_root_expiring_before_what_it_issued(pki):
    data = healthy(pki)
    root = make_cert(make_name('CA', o=PNID, ou='VMware Engineering', dcs=('vsphere', 'local')), pki.vmca_key,
                     ca=True, days=300, start_days=-10)
    leaf = make_cert(make_name(PNID), pki.tls_key, root, pki.vmca_key, days=700, sans=[PNID])
    data['tls'] = {'certificate': summary(leaf), 'served_fingerprint_sha256': _certs.fingerprint(leaf)}
    data['trusted_roots']['chains'] = [chain([root], 'vmca')]
    data['sts'] = {}
    finding = one(cert_findings(data), 'vmca_root_expires_first')
    assert finding['certificate']['role'] == 'vmca_root'
    assert finding['certificate']['issued']['role'] == 'machine_ssl'
    assert finding['remedy']['action'] == 'certops.vcenter.rotate_vmca'


def test_duplicate_chains(pki):
    data = healthy(pki)
    data['trusted_roots']['chains'] += [chain([pki.corp], 'a'), chain([pki.corp], 'b')]
    finding = one(cert_findings(data), 'duplicate_trusted_root')
    assert finding['severity'] == 'info'
    assert finding['certificate']['chain_id'] == 'b'
    assert finding['remedy']['variables'] == {'chain_id': 'b', 'state': 'absent', 'force': False}


def test_expired_sts_verification_chain_still_kept(pki):
    data = healthy(pki)
    old = make_cert(make_name('ssoserverSign'), pki.sts_key, pki.vmca, pki.vmca_key, days=-5, start_days=-700)
    data['sts']['signing_chains'].append([summary(old), summary(pki.vmca)])
    finding = one(cert_findings(data), 'sts_verification_chain_expired')
    assert finding['severity'] == 'warning'
    assert finding['remedy']['kind'] == 'manual' and finding['remedy']['action'] is None


def test_list_of_vcenters_and_order(pki):
    first = healthy(pki)
    second = healthy(pki)
    second['vcenter'] = 'vc2'
    second['pnid'] = 'vc2'
    found = cert_findings([first, second], warning_days=800)
    assert [(f['vcenter'], f['severity']) for f in found] == [
        ('vc2', 'critical'), (PNID, 'warning'), ('vc2', 'warning')]


def test_now_is_used(pki):
    later = (NOW + datetime.timedelta(days=720)).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert one(cert_findings(healthy(pki), now=later), 'machine_ssl_expired')


@pytest.mark.parametrize('data, kwargs, message', [
    ('text', {}, 'must be a dict'),
    ({'trusted_roots': 'x'}, {}, 'trusted_roots must be a list'),
    ({'machine_ssl': {'subject': 'CN=x'}}, {}, 'has no pem'),
    ({'machine_ssl': 'not pem'}, {}, 'does not contain a PEM certificate'),
    ({}, {'warning_days': 5, 'critical_days': 10}, 'critical_days <= warning_days'),
    ({}, {'now': 'yesterday'}, 'now must be an ISO 8601'),
])
def test_bad_input_is_a_filter_error(data, kwargs, message):
    with pytest.raises(AnsibleFilterError) as exc:
        cert_findings(data, **kwargs)
    assert message in str(exc.value)


def test_every_rule_is_in_the_docsite_catalogue():
    here = os.path.dirname(__file__)
    path = os.path.join(here, '..', '..', '..', '..', 'docs', 'docsite', 'rst', 'guide_health_check.rst')
    if not os.path.exists(path):
        pytest.skip('the docsite is not part of this copy of the collection')
    with open(path) as handle:
        text = handle.read()
    documented = set(re.findall(r'^   \* - ``([a-z_]+)``', text, re.M))
    assert documented == set(_findings.CATALOGUE)


def test_every_rule_is_in_the_cert_report_readme_catalogue():
    here = os.path.dirname(__file__)
    path = os.path.join(here, '..', '..', '..', '..', 'roles', 'cert_report', 'README.md')
    if not os.path.exists(path):
        pytest.skip('the role is not part of this copy of the collection')
    with open(path) as handle:
        text = handle.read()
    documented = set(re.findall(r'^\| `([a-z_]+)` \| (?:critical|warning|info|threshold) \|', text, re.M))
    assert documented == set(_findings.CATALOGUE)
