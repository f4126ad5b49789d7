# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vcenter_tls_cert_info: the real AnsibleModule, CertApi and client logic; a fake vCenter behind the client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.modules import vcenter_tls_cert_info
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import TLS
from ansible_collections.certops.vcenter.tests.unit.utils import (
    fp,
    module_result,
    pem,
)

SUMMARY_KEYS = {'subject', 'issuer', 'serial_number', 'not_before', 'not_after', 'days_remaining', 'fingerprints',
                'subject_alt_name', 'key_type', 'key_size', 'is_ca', 'pem'}


def run(capsys, check=False):
    return module_result(capsys, vcenter_tls_cert_info.main, {}, check=check)


@pytest.mark.parametrize('version', [(8, 0, 3), (7, 0, 0), (6, 7, 0)])
@pytest.mark.parametrize('check', [False, True])
def test_vmca_issued_certificate(capsys, make_vcenter, pki, version, check):
    vc = make_vcenter(version)
    result, dummy = run(capsys, check=check)
    assert result['changed'] is False
    assert set(result['certificate']) == SUMMARY_KEYS
    assert result['certificate']['pem'] == pem(pki.tls)
    assert result['certificate']['fingerprints']['sha256'] == fp(pki.tls)
    assert result['served_fingerprint_sha256'] == fp(pki.tls)
    assert result['issued_by_vmca'] is True
    assert result['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
    assert vc.writes == []
    assert (vc.logins, vc.logouts) == (1, 1)


def test_custom_certificate(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys)
    assert result['issued_by_vmca'] is False
    assert result['vmca_root'] is None
    assert result['certificate']['issuer'] == 'O=Corp,CN=Corp Issuing CA'
    assert result['certificate']['subject_alt_name'] == ['DNS:vc.example.com', 'IP:10.0.0.1']


def test_served_differs_while_vcenter_restarts(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.served = pki.corp_tls
    result, dummy = run(capsys)
    assert result['certificate']['fingerprints']['sha256'] == fp(pki.tls)
    assert result['served_fingerprint_sha256'] == fp(pki.corp_tls)


def test_reads_only(capsys, make_vcenter, pki):
    vc = make_vcenter()
    run(capsys)
    assert set(c.method for c in vc.calls) == {'GET'}
    assert ('GET', TLS, None, None, None) in vc.calls
