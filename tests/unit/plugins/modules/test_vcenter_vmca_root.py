# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_vmca_root (the fake vCenter: fake_vcenter.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.certops.vcenter.plugins.modules import vcenter_vmca_root as module_under_test
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import VMCA_ROOT as VMCA
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PNID, ec_key, fp, make_cert, make_name, module_result, partner_root, pem, sha1_id, warnings_text,
)


def run(capsys, args, check=False, diff=True):
    return module_result(capsys, module_under_test.main, args, check=check, diff=diff)[0]


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(module_under_test, 'POLL_INTERVAL', 0)
    monkeypatch.setattr(module_under_test, 'CUSTOM_CERT_SETTLE_SECONDS', 0)


def creates(server):
    return [c for c in server.writes if c[1] == VMCA]


# --------------------------------------------------------------------------- deciding

def test_satisfied_root_changes_nothing(capsys, vcenter, pki):
    result = run(capsys, {'organization_unit': 'VMware Engineering', 'country': 'us', 'key_size': 2048})
    assert result['changed'] is False
    assert result['reasons'] == []
    assert result['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
    assert result['previous_vmca_root'] == result['vmca_root']
    assert 'anchors the machine SSL certificate' in result['identified_by']
    assert result['diff']['before'] == result['diff']['after']
    assert vcenter.writes == []


def test_check_mode_predicts_without_writing(capsys, vcenter, pki):
    result = run(capsys, {'organization': 'Example Corp', 'key_size': 4096}, check=True)
    assert result['changed'] is True
    assert vcenter.writes == []
    assert result['vmca_root'] is None
    assert result['previous_vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
    assert result['reasons'] == ["organization is '%s', wanted 'Example Corp'" % PNID, 'key_size is 2048, wanted 4096']
    assert result['diff']['after'] == {'vmca_root': None,
                                       'create_spec': {'organization': 'Example Corp', 'key_size': 4096}}
    assert result['diff']['before']['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)


def test_remaining_days_triggers_a_replacement(capsys, vcenter, pki):
    result = run(capsys, {'remaining_days': 5000}, check=True)
    assert result['changed'] is True
    assert result['reasons'][0].startswith('it has ')
    assert 'fewer than remaining_days (5000)' in result['reasons'][0]
    assert result['diff']['after']['create_spec'] == {}
    assert run(capsys, {'remaining_days': 30}, check=True)['changed'] is False


def test_replace_reads_back_trusts_and_waits_then_is_idempotent(capsys, vcenter, pki):
    args = {'organization': 'Example Corp', 'locality': 'Berlin', 'subject_alt_name': [PNID], 'key_size': 2048,
            'vcenter_validate_certs': False}
    result = run(capsys, args)
    assert result['changed'] is True
    post = creates(vcenter)
    assert len(post) == 1
    assert post[0].spec == {'organization': 'Example Corp', 'locality': 'Berlin', 'subject_alt_name': [PNID],
                            'key_size': 2048}
    new_root = vcenter.vmca
    assert result['vmca_root']['fingerprints']['sha256'] == fp(new_root)
    assert result['vmca_root']['subject'] == new_root.subject.rfc4514_string()
    assert result['previous_vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
    assert result['diff']['after']['vmca_root'] == result['vmca_root']
    assert result['diff']['after']['create_spec'] == post[0].spec
    # the new root was trusted and vCenter was awaited with the re-issued machine SSL certificate
    assert vcenter.trusted == [pem(new_root)]
    assert vcenter.waited == [fp(vcenter.leaf)]
    assert vcenter.leaf.issuer == new_root.subject
    # sessions die with the restart: the task forgets the session it had (no logout), logs in again after it, and
    # logs out the sessions it made since: wait_until_serving logs out before it polls, the task its last session
    assert vcenter.logins == 3
    assert vcenter.logged_out == ['session-2', 'session-3']
    # the same task again: the custom organization is recognised (the root anchors the machine SSL cert)
    again = run(capsys, args)
    assert again['changed'] is False
    assert again['vmca_root']['fingerprints']['sha256'] == fp(new_root)
    assert len(creates(vcenter)) == 1
    assert run(capsys, args, check=True)['changed'] is False


def test_unverifiable_new_certificate_is_reported_not_bypassed(capsys, vcenter, pki):
    vcenter.verify_fails_after_vmca = True
    result = run(capsys, {'organization': 'Example Corp', 'vcenter_port': 8443})
    assert result['changed'] is True
    assert result['vmca_root'] is None
    assert len(creates(vcenter)) == 1
    text = warnings_text(result)
    assert 'never sends credentials over a connection it cannot verify' in text
    assert 'https://vc.example.com:8443/certs/download.zip' in text
    assert vcenter.trusted == [] and vcenter.waited == []
    # it waited for the restart to end without credentials, and says so
    assert vcenter.anonymous_waits == 1
    assert 'sending no credentials, until vCenter\'s services answered again' in text


def test_unverifiable_and_still_restarting_says_the_restart_may_go_on(capsys, vcenter, pki):
    vcenter.verify_fails_after_vmca = True
    vcenter.tls_port_down_after_vmca = True
    result = run(capsys, {'organization': 'Example Corp', 'wait_timeout': 5})
    assert result['changed'] is True and result['vmca_root'] is None
    assert vcenter.anonymous_waits == 1
    assert 'did not within wait_timeout (5s: connection refused): the restart may still be running' in \
        warnings_text(result)


def test_custom_machine_ssl_certificate_new_root_found_by_name(capsys, vcenter, pki):
    vcenter.use_corp_tls(with_intermediate=True)
    # the corporate root anchors the machine SSL certificate but is no VMCA root; the STS anchor is
    result = run(capsys, {'organization': 'Example Corp', 'key_size': 2048})
    assert result['changed'] is True
    assert 'anchors the STS signing chain' in result['identified_by']
    new_root = vcenter.vmca
    assert vcenter.leaf == pki.corp_tls  # left alone
    assert result['vmca_root']['fingerprints']['sha256'] == fp(new_root)
    assert vcenter.trusted == [pem(new_root)]
    assert vcenter.waited == [fp(pki.corp_tls)]
    assert result['machine_ssl_regenerated'] is False
    assert 'may replace it with a VMCA-signed certificate' in json.dumps(result['warnings'])
    again = run(capsys, {'organization': 'Example Corp', 'key_size': 2048})
    assert again['changed'] is False
    assert 'names this vCenter' in again['identified_by']


def test_new_root_missing_from_the_list_for_a_while_is_waited_for(capsys, vcenter, pki):
    vcenter.hide_created = 3
    vcenter.use_corp_tls(with_intermediate=True)
    result = run(capsys, {'organization': 'Example Corp'})
    assert result['changed'] is True
    assert result['vmca_root']['fingerprints']['sha256'] == fp(vcenter.vmca)


def test_wait_false_does_not_read_back(capsys, vcenter, pki):
    result = run(capsys, {'organization': 'Example Corp', 'wait': False})
    assert result['changed'] is True
    assert result['vmca_root'] is None
    assert vcenter.calls[-1][1] == VMCA
    assert vcenter.waited == []


def test_hybrid_mode_finds_the_install_root_by_its_organization(capsys, make_vcenter, pki):
    # issue 11 (b): a custom machine SSL certificate and no STS API (7.0 U2) leave no evidence of what the VMCA
    # issued, but the root vCenter made at install carries O=<PNID> with the VMCA marks: it is the VMCA root
    vcenter = make_vcenter((7, 0, 2))
    vcenter.use_corp_tls(with_intermediate=True)
    result = run(capsys, {}, check=True)
    assert result['changed'] is False
    assert result['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
    assert 'organization' in result['identified_by']


def test_cannot_tell_fails_without_force(capsys, make_vcenter, pki):
    # a custom machine SSL certificate, no STS API (7.0 U2) and a VMCA root without marks or names of this vCenter
    vcenter = make_vcenter((7, 0, 2))
    vcenter.use_corp_tls(with_intermediate=True)
    vcenter.chains = [(cid, pems) for cid, pems in vcenter.chains if cid != sha1_id(pki.vmca)]
    custom = make_cert(make_name('Custom VMCA', o='Custom'), ec_key(), ca=True, days=3650)
    vcenter.add_chain(sha1_id(custom), [custom])
    result = run(capsys, {'organization': 'Example Corp'})
    assert result['failed'] is True
    assert result['msg'].startswith('Failed to replace the VMCA root certificate: cannot tell which trusted root '
                                    'is the current VMCA root: ')
    assert 'Set force: true' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vcenter.writes == []
    forced = run(capsys, {'organization': 'Example Corp', 'force': True}, check=True)
    assert forced['changed'] is True
    assert forced['previous_vmca_root'] is None
    assert 'cannot be identified' in forced['reasons'][0]
    assert vcenter.writes == []
    done = run(capsys, {'organization': 'Example Corp', 'force': True})
    assert done['changed'] is True
    # the new root names this vCenter: from now on it is identified, so no force is needed
    again = run(capsys, {'organization': 'Example Corp'})
    assert again['changed'] is False


def test_roots_of_other_vcenters_do_not_count(capsys, vcenter, pki):
    # another vCenter's newer replaced root (same SSO domain) carries its own name
    key = ec_key()
    other_vc = make_cert(make_name('vc2.example.com', o='VMware', c='US'), key, ca=True, days=3650, start_days=0,
                         sans=['vc2.example.com'])
    vcenter.add_chain(sha1_id(other_vc), [other_vc])
    result = run(capsys, {}, check=True)
    assert result['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)


def test_version_error_before_anything_is_read(capsys, make_vcenter):
    server = make_vcenter((6, 7, 0))
    result = run(capsys, {'organization': 'Example Corp'})
    assert result['failed'] is True
    assert 'needs vCenter 7.0 or later; this vCenter is 6.7.0' in result['msg']
    assert [c[1] for c in server.calls] == ['/appliance/system/version']


def test_legacy_rest_dialect(capsys, make_vcenter):
    server = make_vcenter((7, 0, 0))
    result = run(capsys, {'organization': 'Example Corp'})
    assert result['changed'] is True
    assert 'signing-certificate' not in ' '.join(c[1] for c in server.calls)
    assert result['vmca_root']['fingerprints']['sha256'] == fp(server.vmca)
    assert run(capsys, {'organization': 'Example Corp'})['changed'] is False


@pytest.mark.parametrize('args, expected', [
    ({'country': 'Germany'}, 'country must be a two-letter'),
    ({'remaining_days': -1}, 'remaining_days must be 0 or more'),
    ({'wait_timeout': 0}, 'wait_timeout must be at least 1 second'),
])
def test_bad_input_is_refused_before_any_call(capsys, vcenter, args, expected):
    result = run(capsys, args)
    assert result['failed'] is True
    assert expected in result['msg']
    assert vcenter.calls == [] and vcenter.logins == 0


def test_a_regenerated_custom_machine_ssl_certificate_is_detected_and_reported(capsys, vcenter, pki):
    # issue 11: VmcaRoot.create regenerates every certificate (SDK sample replace_vmca_root.py, KB 438284)
    vcenter.use_corp_tls(with_intermediate=True)
    vcenter.regenerate_all = True
    result = run(capsys, {'organization': 'Example Corp', 'key_size': 2048})
    assert result['changed'] is True
    new_root = vcenter.vmca
    assert vcenter.leaf.issuer == new_root.subject
    assert result['machine_ssl_regenerated'] is True
    assert 'regenerated the custom machine SSL certificate' in json.dumps(result['warnings'])
    assert vcenter.waited == [fp(vcenter.leaf)]
    again = run(capsys, {'organization': 'Example Corp', 'key_size': 2048})
    assert again['changed'] is False
    assert again['machine_ssl_regenerated'] is None


def test_linked_partner_that_rotated_last_is_never_taken_for_this_vcenters_root(capsys, vcenter, pki):
    partner, partner_key = partner_root(start_days=0)
    vcenter.add_chain(sha1_id(partner), [partner])
    sts = make_cert(make_name('ssoserverSign', ou='VMware Engineering'), ec_key(), partner, partner_key, days=3000)
    vcenter.activate_sts([pem(sts), pem(partner)])
    result = run(capsys, {}, check=True)
    assert result['changed'] is False
    assert result['vmca_root']['fingerprints']['sha256'] == fp(pki.vmca)
