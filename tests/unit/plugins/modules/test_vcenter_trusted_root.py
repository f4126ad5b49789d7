# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_trusted_root: the real AnsibleModule, the real CertApi and client logic, and the fake
vCenter (fake_vcenter.py) behind ``VCenterClient.call`` (no HTTP)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import P
from ansible_collections.certops.vcenter.plugins.module_utils._errors import ConnectionFailure, VCenterError
from ansible_collections.certops.vcenter.plugins.modules import vcenter_trusted_root as module_under_test
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import TRC
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PNID,
    ec_key,
    fp,
    key_pem,
    make_cert,
    make_name,
    module_result,
    partner_root,
    pem,
    rsa_key,
    sha1_id,
    sha256s,
    warnings_text,
)


def run(capsys, args, check=False, diff=True):
    return module_result(capsys, module_under_test.main, args, check=check, diff=diff)


def store_ids(view):
    return [c['chain_id'] for c in view['chains']]


# --------------------------------------------------------------------------- state=present

def test_present_check_mode_predicts_without_writing(capsys, vcenter, pki):
    before = list(vcenter.chains)
    result, dummy = run(capsys, {'certificates': pem(pki.corp) + pem(pki.corp_int), 'chain_id': 'corp'}, check=True)
    assert result['changed'] is True
    assert vcenter.writes == []
    assert vcenter.chains == before
    assert result['chain_id'] == 'corp'
    # sent leaf first whatever the order given
    assert sha256s(result['certificates']) == [fp(pki.corp_int), fp(pki.corp)]
    assert store_ids(result['diff']['before']) == [sha1_id(pki.vmca)]
    assert store_ids(result['diff']['after']) == [sha1_id(pki.vmca), 'corp']
    assert result['actions'] == ['create trusted root chain corp']
    assert 'pem' not in result['diff']['after']['chains'][1]['certificates'][0]


def test_present_creates_leaf_first_and_is_idempotent_whatever_the_id(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp) + pem(pki.corp_int), 'chain_id': 'corp'})
    assert result['changed'] is True
    assert vcenter.chain('corp') == [pem(pki.corp_int), pem(pki.corp)]
    posts = [c for c in vcenter.writes if c[0] == 'POST']
    assert len(posts) == 1 and posts[0][3]['chain'] == 'corp'
    assert store_ids(result['diff']['after']) == [sha1_id(pki.vmca), 'corp']
    # same certificates, other order, other id: nothing to do
    again, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp), 'chain_id': 'elsewhere'})
    assert again['changed'] is False
    assert again['chain_id'] == 'corp'
    assert len(vcenter.writes) == 1
    assert again['diff']['before'] == again['diff']['after']
    check, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp)}, check=True)
    assert check['changed'] is False


def test_present_generated_id_is_read_back_by_id_not_from_the_list(capsys, vcenter, pki):
    vcenter.hide_created = 5  # the list does not show the new chain for a while (reference §4.1 [FIELD])
    check, dummy = run(capsys, {'certificates': pem(pki.other)}, check=True)
    assert check['changed'] is True
    assert check['chain_id'] is None
    assert check['diff']['after']['chains'][-1]['chain_id'] is None
    result, dummy = run(capsys, {'certificates': pem(pki.other)})
    assert result['changed'] is True
    assert result['chain_id'] == sha1_id(pki.other)
    assert sha256s(result['certificates']) == [fp(pki.other)]
    assert result['diff']['after']['chains'][-1]['chain_id'] == sha1_id(pki.other)
    gets = [c[1] for c in vcenter.calls if c[0] == 'GET']
    # issue 11: read back by id, then the list is read until it shows the new chain (the next task sees it)
    assert TRC + '/' + sha1_id(pki.other) in gets
    assert gets[-1] == TRC
    assert not vcenter.hidden


def test_present_chain_id_with_other_content_fails_without_force(capsys, vcenter, pki):
    vcenter.add_chain('corp', [pki.other])
    result, out = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp'})
    assert result['failed'] is True
    assert 'trusted root chain corp already exists and holds other certificates' in result['msg']
    assert 'CN=Other Root CA' in result['msg']
    assert 'force: true' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vcenter.writes == []


def test_present_chain_id_with_other_content_mentions_what_it_anchors(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': sha1_id(pki.vmca)})
    assert result['failed'] is True
    assert 'it anchors the current machine SSL certificate' in result['msg']
    assert vcenter.writes == []


def test_present_force_replaces_with_the_same_id(capsys, vcenter, pki):
    vcenter.add_chain('corp', [pki.other])
    check, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True}, check=True)
    assert check['changed'] is True and vcenter.writes == []
    assert check['actions'] == ['delete trusted root chain corp', 'create trusted root chain corp']
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True})
    assert result['changed'] is True
    assert [(c[0], c[1]) for c in vcenter.writes] == [('DELETE', TRC + '/corp'), ('POST', TRC)]
    assert vcenter.chain('corp') == [pem(pki.corp)]
    assert result['diff']['after'] == check['diff']['after']
    again, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True})
    assert again['changed'] is False


def test_present_quotes_ids_in_urls(capsys, vcenter, pki):
    vcenter.add_chain('corp root/2026', [pki.other])
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp root/2026', 'force': True})
    assert result['changed'] is True
    assert vcenter.writes[0][1] == TRC + '/corp%20root%2F2026'
    assert vcenter.chain('corp root/2026') == [pem(pki.corp)]


def test_present_on_the_legacy_rest_dialect(capsys, make_vcenter, pki):
    server = make_vcenter((7, 0, 0))
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp'})
    assert result['changed'] is True
    assert server.chain('corp') == [pem(pki.corp)]


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize('text, expected', [
    ('', 'is empty'),
    ('   \n', 'is empty'),
    ('just some text', 'does not contain a PEM certificate'),
    ('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n', 'not a valid PEM certificate'),
])
def test_bad_pem_is_refused_before_any_call(capsys, vcenter, text, expected):
    result, dummy = run(capsys, {'certificates': text})
    assert result['failed'] is True
    assert expected in result['msg']
    assert result['msg'].startswith('Failed to add a trusted root chain: ')
    assert vcenter.calls == [] and vcenter.logins == 0


def test_private_key_is_refused_and_never_echoed(capsys, vcenter, pki):
    secret = key_pem(pki.corp_key)
    body = secret.splitlines()[1]
    result, out = run(capsys, {'certificates': pem(pki.corp) + secret})
    assert result['failed'] is True
    assert 'private key' in result['msg']
    assert body not in out
    assert vcenter.calls == [] and vcenter.logins == 0


def test_certificates_that_are_not_one_chain_are_refused(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp) + pem(pki.other)})
    assert result['failed'] is True
    assert 'must be one chain' in result['msg']
    assert '2 separate chains' in result['msg']
    assert vcenter.calls == []


def test_empty_chain_id_is_refused(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': ' '})
    assert result['failed'] is True
    assert 'chain_id must not be empty' in result['msg']
    assert vcenter.calls == []


def test_expired_certificate_is_added_with_a_warning(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.expired_root), 'chain_id': 'old'})
    assert result['changed'] is True
    assert 'expired on' in warnings_text(result)


def test_absent_needs_chain_id_or_certificates(capsys, vcenter):
    result, dummy = run(capsys, {'state': 'absent'})
    assert result['failed'] is True
    assert 'chain_id' in result['msg'] and 'certificates' in result['msg']
    assert vcenter.calls == []


# --------------------------------------------------------------------------- state=absent

def test_absent_by_id_and_by_certificates(capsys, vcenter, pki):
    vcenter.add_chain('other', [pki.other])
    vcenter.add_chain('other-copy', [pki.other])
    vcenter.add_chain('corp', [pki.corp_int, pki.corp])
    check, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.other)}, check=True)
    assert check['changed'] is True and vcenter.writes == []
    assert check['removed_chain_ids'] == ['other', 'other-copy']
    assert store_ids(check['diff']['after']) == [sha1_id(pki.vmca), 'corp']
    result, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.other)})
    assert result['changed'] is True
    assert result['chain_id'] == 'other'
    assert sha256s(result['certificates']) == [fp(pki.other)]
    assert vcenter.ids() == [sha1_id(pki.vmca), 'corp']
    by_id, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp'})
    assert by_id['changed'] is True
    assert vcenter.ids() == [sha1_id(pki.vmca)]
    again, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp'})
    assert again['changed'] is False
    assert again['chain_id'] is None and again['removed_chain_ids'] == []
    assert again['diff']['before'] == again['diff']['after']


def test_absent_of_nothing_reads_no_anchor_state(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.other)})
    assert result['changed'] is False
    assert not [c for c in vcenter.calls if c[1] in (P + '/tls', P + '/signing-certificate')]


def test_guard_refuses_to_remove_the_vmca_root(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)})
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to remove a trusted root chain: refusing to remove trusted root chain %s: it anchors the current '
        'machine SSL certificate, the current STS signing chain and the current VMCA root. Set force: true to '
        'remove it anyway' % sha1_id(pki.vmca))
    assert vcenter.writes == []
    check, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)}, check=True)
    assert check['failed'] is True and vcenter.writes == []


def test_guard_refuses_to_remove_the_anchor_of_a_custom_machine_ssl_certificate(capsys, vcenter, pki):
    vcenter.use_corp_tls(with_intermediate=True)
    result, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.corp_int) + pem(pki.corp)})
    assert result['failed'] is True
    assert 'refusing to remove trusted root chain corp: it anchors the current machine SSL certificate.' in result['msg']
    assert 'VMCA' not in result['msg']
    assert vcenter.writes == []
    # the VMCA root now anchors only the STS chain (and is the VMCA root)
    vmca, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)})
    assert 'it anchors the current STS signing chain and the current VMCA root' in vmca['msg']


def test_guard_force_removes_anyway(capsys, vcenter, pki):
    vcenter.use_corp_tls(with_intermediate=True)
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp', 'force': True})
    assert result['changed'] is True
    assert [(c[0], c[1]) for c in vcenter.writes] == [('DELETE', TRC + '/corp')]


def test_absent_tolerates_a_chain_removed_meanwhile(capsys, vcenter, pki, monkeypatch):
    vcenter.add_chain('other', [pki.other])
    original = vcenter.handle

    def racing(method, path, *args):
        if method == 'DELETE':
            vcenter.chains = [c for c in vcenter.chains if c[0] != 'other']
        return original(method, path, *args)

    monkeypatch.setattr(vcenter, 'handle', racing)
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'other'})
    assert result['changed'] is True
    assert 'failed' not in result


def test_no_diff_without_diff_mode(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp)}, diff=False)
    assert result['changed'] is True
    assert 'diff' not in result
    assert vcenter.logins == vcenter.logouts == 1


# --------------------------------------------------------------------------- issue 11: a strict, lagging, linked vCenter

@pytest.mark.parametrize('what', ['leaf', 'ca_without_key_usage', 'intermediate_without_key_usage'])
def test_a_certificate_that_is_not_a_valid_ca_is_refused_before_any_call(capsys, vcenter, pki, what):
    key = ec_key()
    if what == 'leaf':
        bad = make_cert(make_name('leaf.example.com'), key, pki.corp, pki.corp_key)
        text = pem(bad) + pem(pki.corp)
        problem = 'is not a CA certificate'
    elif what == 'ca_without_key_usage':
        bad = make_cert(make_name('No KU Root CA'), key, ca=True, days=3650, key_usage=())
        text = pem(bad)
        problem = 'has no key usage extension'
    else:
        bad = make_cert(make_name('No KU Issuing CA'), key, pki.corp, pki.corp_key, ca=True, key_usage=())
        text = pem(pki.corp) + pem(bad)
        problem = 'has no key usage extension'
    result, dummy = run(capsys, {'certificates': text})
    assert result['failed'] is True
    assert result['vcenter_state'] == 'unchanged'
    assert bad.subject.rfc4514_string() in result['msg']
    assert problem in result['msg']
    assert 'keyCertSign' in result['msg']
    assert vcenter.calls == [] and vcenter.logins == 0


def test_create_waits_for_a_lagging_store_and_the_rerun_changes_nothing(capsys, vcenter, pki):
    vcenter.lag_reads = 3  # the new chain is hidden from list and get for three reads
    result, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp), 'chain_id': 'corp'})
    assert result['changed'] is True
    assert result['chain_id'] == 'corp'
    assert sha256s(result['certificates']) == [fp(pki.corp_int), fp(pki.corp)]
    assert not vcenter.lagging
    writes = len(vcenter.writes)
    again, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp), 'chain_id': 'corp'})
    assert again['changed'] is False
    assert len(vcenter.writes) == writes


def test_a_create_refused_as_duplicate_while_the_store_lags_is_waited_for_not_repeated(capsys, vcenter, pki):
    # an earlier run created the chain; the store does not show it yet, so this run plans a create
    vcenter.lag_reads = 4
    vcenter.chains.append(('corp-earlier', [pem(pki.corp)]))
    vcenter.lagging['corp-earlier'] = 4
    result, dummy = run(capsys, {'certificates': pem(pki.corp)})
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['chain_id'] == 'corp-earlier'
    assert 'already held these certificates' in warnings_text(result)
    assert [w[0] for w in vcenter.writes] == ['POST']
    assert vcenter.ids().count('corp-earlier') == 1


def test_a_forced_replace_whose_create_is_refused_as_duplicate_still_reports_the_deletion(capsys, vcenter, pki):
    # chain 'corp' holds other certificates; the wanted ones are already in a chain the lagging store hides
    vcenter.add_chain('corp', [pki.other])
    vcenter.lag_reads = 4
    vcenter.chains.append(('corp-earlier', [pem(pki.corp)]))
    vcenter.lagging['corp-earlier'] = 4
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True})
    assert 'failed' not in result
    # the old chain under 'corp' was deleted: vCenter changed, even though nothing was added
    assert result['changed'] is True
    assert result['actions'] == ['delete trusted root chain corp']
    assert 'corp' not in vcenter.ids()
    assert [w[0] for w in vcenter.writes] == ['DELETE', 'POST']


def test_certificates_already_trusted_in_other_chains_are_never_sent_again(capsys, vcenter, pki):
    vcenter.add_chain('corp', [pki.corp_int, pki.corp])
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp-root'})
    assert result['changed'] is False
    assert result['chain_id'] == 'corp'
    assert 'Trusted root already exists' in warnings_text(result)
    assert vcenter.writes == []


def test_delete_waits_for_a_lagging_store_and_the_rerun_changes_nothing(capsys, vcenter, pki):
    vcenter.add_chain('other', [pki.other])
    vcenter.lag_reads = 3  # a deleted chain keeps being listed for three reads
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'other'})
    assert result['changed'] is True
    assert not vcenter.lagging_deleted
    again, dummy = run(capsys, {'state': 'absent', 'chain_id': 'other'})
    assert again['changed'] is False
    assert [w[0] for w in vcenter.writes] == ['DELETE']


def test_a_created_chain_not_listed_by_the_deadline_is_never_called_not_applied(capsys, vcenter, pki, monkeypatch):
    vcenter.lag_reads = 10 ** 6  # never settles within wait_timeout
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    original = vcenter.handle

    def dropped(method, path, operation, *args):
        result = original(method, path, operation, *args)
        if method == 'POST':  # applied, then the answer is lost
            raise ConnectionFailure(operation, 'the answer was cut off', method=method, path=path, ambiguous=True)
        return result

    monkeypatch.setattr(vcenter, 'handle', dropped)
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'wait_timeout': 1})
    assert result['failed'] is True
    assert result['vcenter_state'] == 'unknown'
    assert 'NOT applied' not in result['msg'] and 'safe to rerun' not in result['msg']
    assert 'may still appear' in result['msg']


def test_a_created_chain_that_appears_during_the_read_back_counts_as_applied(capsys, vcenter, pki, monkeypatch):
    vcenter.lag_reads = 2
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    original = vcenter.handle

    def answer_500(method, path, operation, *args):
        result = original(method, path, operation, *args)
        if method == 'POST':  # applied, then 500
            raise VCenterError(operation, 'Internal Server Error (HTTP 500, ERROR)', method=method, path=path,
                               status=500, error_type='ERROR')
        return result

    monkeypatch.setattr(vcenter, 'handle', answer_500)
    result, dummy = run(capsys, {'certificates': pem(pki.corp)})
    assert 'failed' not in result
    assert result['changed'] is True
    assert 'the change WAS applied' in warnings_text(result)


def test_guard_counts_the_root_of_a_certificate_issued_through_an_intermediate_not_in_the_store(capsys, vcenter, pki):
    # the rotation guide's setup: an issuing CA under a root; only the root is in the store, vCenter serves the
    # intermediate on its TLS port
    vcenter.add_chain('corp-root', [pki.corp])
    vcenter.use_corp_tls(trust=False)
    vcenter.served_extra = [pki.corp_int, pki.corp]
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp-root'})
    assert result['failed'] is True
    assert 'it anchors the current machine SSL certificate' in result['msg']
    assert vcenter.writes == []
    # the TLS port cannot be read: the trust path reaches no trusted root, so nothing is removed without force
    vcenter.tls_port_down = True
    other, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp-root'})
    assert other['failed'] is True
    assert 'cannot be told' in other['msg']
    assert vcenter.writes == []


def test_hybrid_mode_protects_the_install_vmca_root(capsys, make_vcenter, pki):
    # corporate machine SSL certificate and no STS API (7.0 U2): the VMCA root still signs ESXi and solution-user
    # certificates; it is found by O=<PNID> with the VMCA marks
    vcenter = make_vcenter((7, 0, 2))
    vcenter.use_corp_tls(with_intermediate=True)
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)})
    assert result['failed'] is True
    assert 'the current VMCA root' in result['msg']
    assert vcenter.writes == []


def test_linked_partner_root_is_never_this_vcenters_vmca_root_nor_removed(capsys, vcenter, pki):
    partner, dummy = partner_root()
    vcenter.add_chain(sha1_id(partner), [partner])
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(partner)})
    assert result['failed'] is True
    assert 'another vCenter of the SSO domain' in result['msg']
    assert vcenter.writes == []


def test_an_earlier_vmca_root_is_removed_only_when_named_with_a_warning(capsys, vcenter, pki):
    old_key = rsa_key()
    old = make_cert(make_name('CA', o=PNID, ou='VMware Engineering', dcs=('vsphere', 'local'), c='US'), old_key,
                    ca=True, days=3000, start_days=-900)
    vcenter.add_chain('old-vmca', [old])
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'old-vmca'})
    assert result['changed'] is True
    assert 'ESXi host and solution-user certificates' in warnings_text(result)
