# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vcenter_certificates_info: one session reads what the three _info modules read, and returns the same."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import P
from ansible_collections.certops.vcenter.plugins.module_utils._errors import VCenterError
from ansible_collections.certops.vcenter.plugins.modules import (
    vcenter_certificates_info,
    vcenter_sts_signing_cert_info,
    vcenter_tls_cert_info,
    vcenter_trusted_root_info,
)
from ansible_collections.certops.vcenter.tests.unit.utils import (
    fp,
    module_result,
    pem,
    sha1_id,
)


def run(capsys, args=None, check=False, main=vcenter_certificates_info.main):
    return module_result(capsys, main, args or {}, check=check)[0]


def reads(vc):
    return [(c.method, c.path) for c in vc.calls]


@pytest.mark.parametrize('check', [False, True])
def test_one_session_one_read_of_each(capsys, make_vcenter, pki, check):
    vc = make_vcenter((8, 0, 3))
    vc.chains.append(('corp', [pem(pki.corp)]))
    result = run(capsys, check=check)
    assert result['changed'] is False
    assert (vc.logins, vc.logouts) == (1, 1)
    # 1 TLS read + 1 list + 1 read per chain + 1 STS read (login and logout are the client's)
    assert sorted(reads(vc)) == sorted([
        ('GET', P + '/tls'), ('GET', P + '/trusted-root-chains'),
        ('GET', P + '/trusted-root-chains/' + sha1_id(pki.vmca)), ('GET', P + '/trusted-root-chains/corp'),
        ('GET', P + '/signing-certificate')])
    assert vc.writes == []


def test_same_values_as_the_three_info_modules(capsys, make_vcenter, pki):
    make_vcenter((8, 0, 3))
    result = run(capsys)
    tls = run(capsys, main=vcenter_tls_cert_info.main)
    roots = run(capsys, main=vcenter_trusted_root_info.main)
    sts = run(capsys, main=vcenter_sts_signing_cert_info.main)
    assert result['machine_ssl'] == {'certificate': tls['certificate'],
                                     'served_fingerprint_sha256': tls['served_fingerprint_sha256'],
                                     'issued_by_vmca': tls['issued_by_vmca']}
    assert result['vmca_root'] == tls['vmca_root']
    assert result['trusted_chains'] == roots['chains']
    assert result['sts_status'] == 'read'
    assert result['sts_active_chain'] == sts['active_chain']
    assert result['sts_signing_chains'] == sts['signing_chains']
    assert result['sts_days_remaining'] == sts['days_remaining']


def test_certificate_list_each_once_with_its_first_role(capsys, make_vcenter, pki):
    vc = make_vcenter((8, 0, 3))
    vc.chains.append(('copy', [pem(pki.vmca)]))
    vc.chains.append(('stale', [pem(pki.other)]))
    certs = run(capsys, {'include_pem': False})['certificates']
    assert [(c['kind'], c['label'], c['fingerprints']['sha256'], c['chain_id']) for c in certs] == [
        ('machine_ssl', 'Machine SSL', fp(pki.tls), None),
        ('vmca_root', 'VMCA root', fp(pki.vmca), sha1_id(pki.vmca)),
        ('sts_signing', 'STS signing (active)', fp(pki.sts), None),
        ('trusted_root', 'Trusted root', fp(pki.other), 'stale'),
    ]
    assert all('pem' not in c for c in certs)


def test_include_pem_false_leaves_pem_out(capsys, make_vcenter, pki):
    make_vcenter((8, 0, 3))
    result = run(capsys, {'include_pem': False})
    assert 'pem' not in result['machine_ssl']['certificate']
    assert all('pem' not in c for chain in result['trusted_chains'] for c in chain['certificates'])
    assert all('pem' not in c for c in result['sts_active_chain'])
    assert run(capsys)['machine_ssl']['certificate']['pem'] == pem(pki.tls)


@pytest.mark.parametrize('version', [(7, 0, 0), (6, 7, 0), (7, 0, 2)])
def test_without_the_sts_api(capsys, make_vcenter, pki, version):
    vc = make_vcenter(version)
    result = run(capsys)
    assert result['sts_status'].startswith('not available')
    assert result['sts_active_chain'] == [] and result['sts_signing_chains'] == []
    assert result['sts_days_remaining'] is None
    assert result['machine_ssl']['issued_by_vmca'] is True
    assert [c['kind'] for c in result['certificates']] == ['machine_ssl', 'vmca_root']
    assert (vc.logins, vc.logouts) == (1, 1)


def test_an_sts_error_is_reported_not_fatal(capsys, make_vcenter, pki):
    vc = make_vcenter((8, 0, 3))
    vc.failures[('GET', P + '/signing-certificate', None)] = VCenterError(
        'read the STS signing certificate', 'boom (HTTP 500, ERROR)', status=500)
    result = run(capsys)
    assert 'failed' not in result
    assert result['sts_status'].startswith('error: Failed to read the STS signing certificate: boom')
    assert [c['kind'] for c in result['certificates']] == ['machine_ssl', 'vmca_root']


def test_a_failed_read_fails_and_logs_out(capsys, make_vcenter, pki):
    vc = make_vcenter((8, 0, 3))
    vc.failures[('GET', P + '/trusted-root-chains', None)] = VCenterError(
        'list the trusted root chains', 'boom (HTTP 500, ERROR)', status=500)
    result = run(capsys)
    assert result['failed'] is True
    assert 'list the trusted root chains' in result['msg']
    assert (vc.logins, vc.logouts) == (1, 1)
