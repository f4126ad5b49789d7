# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_sts_signing_cert_info (the fake vCenter: fake_vcenter.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.modules import vcenter_sts_signing_cert_info as module_under_test
from ansible_collections.certops.vcenter.tests.unit.utils import fp, module_result, pem


def info(capsys, args=None, check=False):
    return module_result(capsys, module_under_test.main, args or {}, check=check)


@pytest.mark.parametrize('check', [False, True])
def test_info_returns_chains_with_pem_and_days(capsys, vcenter, pki, check):
    vcenter.use_sts([pem(pki.sts_short), pem(pki.vmca)])
    vcenter.activate_sts([pem(pki.sts_custom), pem(pki.sts_int), pem(pki.sts_ca)])
    result, dummy = info(capsys, check=check)
    assert result['changed'] is False
    assert [c['fingerprints']['sha256'] for c in result['active_chain']] == [
        fp(pki.sts_custom), fp(pki.sts_int), fp(pki.sts_ca)]
    assert [c['pem'] for c in result['active_chain']] == [pem(pki.sts_custom), pem(pki.sts_int), pem(pki.sts_ca)]
    assert result['active_chain'][0]['subject'] == 'CN=sts-custom'
    assert result['active_chain'][0]['issuer'] == 'CN=Test Intermediate CA'
    assert result['days_remaining'] == result['active_chain'][0]['days_remaining'] == 399
    assert [[c['fingerprints']['sha256'] for c in chain] for chain in result['signing_chains']] == [
        [fp(pki.sts_custom), fp(pki.sts_int), fp(pki.sts_ca)], [fp(pki.sts_short), fp(pki.vmca)]]
    assert all('pem' in c for chain in result['signing_chains'] for c in chain)
    assert vcenter.writes == []
    assert vcenter.logins == vcenter.logouts == 1


def test_info_without_active_chain(capsys, vcenter):
    vcenter.sts_active = []
    vcenter.sts_signing = []
    result, dummy = info(capsys)
    assert result['active_chain'] == []
    assert result['signing_chains'] == []
    assert result['days_remaining'] is None


@pytest.mark.parametrize('version,text', [((7, 0, 2), '7.0.2'), ((7, 0, 0), '7.0.0')])
def test_info_version_error(capsys, vcenter, version, text):
    vcenter.version = version
    vcenter.dialect = 'api' if version >= (7, 0, 2) else 'rest'
    result, dummy = info(capsys)
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to read the STS signing certificate: the STS signing certificate '
        'API (vcenter_sts_signing_cert) needs vCenter 7.0 U3 or later; this vCenter is %s' % text)
    assert vcenter.writes == []
    assert vcenter.logins == vcenter.logouts == 1
