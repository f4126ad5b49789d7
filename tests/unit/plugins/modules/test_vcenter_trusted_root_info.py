# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_trusted_root_info (the fake vCenter: fake_vcenter.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.modules import vcenter_trusted_root_info as module_under_test
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PARTNER, ec_key, fp, make_cert, make_name, module_result, partner_root, pem, sha1_id, sha256s,
)


def run(capsys, args, check=False):
    return module_result(capsys, module_under_test.main, args, check=check, diff=False)[0]


def by_id(result):
    return dict((c['chain_id'], c) for c in result['chains'])


def test_fresh_vcenter_root_anchors_everything(capsys, vcenter, pki):
    result = run(capsys, {})
    assert result['changed'] is False
    assert [c['chain_id'] for c in result['chains']] == [sha1_id(pki.vmca)]
    chain = result['chains'][0]
    assert chain['anchors'] == ['machine_ssl', 'sts_signing', 'vmca_root']
    assert sha256s(chain['certificates']) == [fp(pki.vmca)]
    assert chain['certificates'][0]['pem'] == pem(pki.vmca)
    assert vcenter.writes == []


def test_anchors_after_a_custom_machine_ssl_certificate(capsys, vcenter, pki):
    vcenter.use_corp_tls(with_intermediate=True)
    vcenter.add_chain('stale', [pki.other])
    result = by_id(run(capsys, {}))
    assert result['corp']['anchors'] == ['machine_ssl']
    assert result[sha1_id(pki.vmca)]['anchors'] == ['sts_signing', 'vmca_root']
    assert result['stale']['anchors'] == []
    assert sha256s(result['corp']['certificates']) == [fp(pki.corp_int), fp(pki.corp)]


def test_duplicates_both_count_as_anchors(capsys, vcenter, pki):
    vcenter.add_chain('copy', [pki.vmca])
    result = by_id(run(capsys, {}))
    assert result['copy']['anchors'] == result[sha1_id(pki.vmca)]['anchors'] == \
        ['machine_ssl', 'sts_signing', 'vmca_root']


def test_chain_id_filter(capsys, vcenter, pki):
    vcenter.add_chain('stale', [pki.other])
    result = run(capsys, {'chain_id': 'stale'})
    assert [c['chain_id'] for c in result['chains']] == ['stale']
    assert run(capsys, {'chain_id': 'missing'})['chains'] == []


def test_check_mode_reads_the_same(capsys, vcenter, pki):
    assert run(capsys, {}, check=True) == run(capsys, {})
    assert vcenter.writes == []


@pytest.mark.parametrize('version', [(7, 0, 0), (7, 0, 2)])
def test_without_the_sts_api_there_is_no_sts_anchor(capsys, make_vcenter, version):
    make_vcenter(version)
    result = run(capsys, {})
    assert result['chains'][0]['anchors'] == ['machine_ssl', 'vmca_root']


# --------------------------------------------------------------------------- issue 11: linked mode, hybrid mode

@pytest.mark.parametrize('sts_anchor', ['local', 'partner'])
def test_linked_partner_root_is_labelled_and_never_the_vmca_root(capsys, vcenter, pki, sts_anchor):
    partner, partner_key = partner_root()
    vcenter.add_chain(sha1_id(partner), [partner])
    if sts_anchor == 'partner':
        # the domain-wide STS chain was issued on the partner node
        sts = make_cert(make_name('ssoserverSign', ou='VMware Engineering'), ec_key(), partner, partner_key,
                        days=3000)
        vcenter.activate_sts([pem(sts), pem(partner)])
    result = run(capsys, {})
    chains = by_id(result)
    assert result['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
    assert 'vmca_root' in chains[sha1_id(pki.vmca)]['anchors']
    assert 'linked_vmca_root' in chains[sha1_id(partner)]['anchors']
    assert 'vmca_root' not in chains[sha1_id(partner)]['anchors']
    assert ('sts_signing' in chains[sha1_id(partner)]['anchors']) == (sts_anchor == 'partner')
    assert PARTNER not in result['identified_by']


def test_hybrid_mode_still_identifies_the_vmca_root(capsys, make_vcenter, pki):
    vcenter = make_vcenter((7, 0, 2))
    vcenter.use_corp_tls(with_intermediate=True)
    result = run(capsys, {})
    chains = by_id(result)
    assert chains[sha1_id(pki.vmca)]['anchors'] == ['vmca_root']
    assert chains['corp']['anchors'] == ['machine_ssl']
