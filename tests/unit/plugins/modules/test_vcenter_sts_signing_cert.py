# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_sts_signing_cert: the real AnsibleModule, the real CertApi and client logic
(require / explain_not_found), and the fake vCenter (fake_vcenter.py) behind ``VCenterClient.call`` (no HTTP)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from cryptography.hazmat.primitives import serialization

from ansible_collections.certops.vcenter.plugins.module_utils._errors import ServiceUnavailableError, VCenterError
from ansible_collections.certops.vcenter.plugins.modules import vcenter_sts_signing_cert as module_under_test
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import STS
from ansible_collections.certops.vcenter.tests.unit.utils import fp, key_pem, module_result, pem, sha256s

PASSPHRASE = 'correct horse battery staple'


@pytest.fixture(autouse=True)
def sts_with_9_days_left(vcenter, pki):
    """vCenter's STS signing certificate has 9 days left; it is the only one vCenter has used."""
    vcenter.use_sts([pem(pki.sts_short), pem(pki.vmca)])


def run(capsys, args, check=False, diff=True):
    return module_result(capsys, module_under_test.main, args, check=check, diff=diff)


# --------------------------------------------------------------------------- state=refreshed

def test_refreshed_no_change_when_enough_days_left(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'refreshed', 'remaining_days': 5})
    assert result['changed'] is False
    assert vcenter.writes == []
    assert sha256s(result['active_chain']) == [fp(pki.sts_short), fp(pki.vmca)]
    assert result['previous_active_chain'] == result['active_chain']
    assert result['diff']['before'] == result['diff']['after']
    assert 'actions' not in result
    assert vcenter.logins == vcenter.logouts == 1


def test_refreshed_check_mode_predicts_without_writing(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'refreshed'}, check=True)
    assert result['changed'] is True
    assert vcenter.writes == []
    assert sha256s(result['active_chain']) == [fp(pki.sts_short), fp(pki.vmca)]
    assert sha256s(result['diff']['before']['active_chain']) == [fp(pki.sts_short), fp(pki.vmca)]
    assert result['diff']['after'] == {'active_chain': module_under_test.REFRESH_AFTER_UNKNOWN}
    assert result['actions'] == ['refresh the STS signing certificate: it has 9 days left, fewer than '
                                 'remaining_days (30)']


def test_refreshed_refreshes_then_is_idempotent(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'refreshed'})
    assert result['changed'] is True
    assert [(c[0], c[2], c[4]) for c in vcenter.writes] == [('POST', 'refresh', {'force': False})]
    new_leaf = result['active_chain'][0]
    assert new_leaf['subject'] == 'CN=ssoserverSign'
    assert new_leaf['fingerprints']['sha256'] not in (fp(pki.sts_short),)
    assert sha256s(result['previous_active_chain']) == [fp(pki.sts_short), fp(pki.vmca)]
    assert result['diff']['after'] == {'active_chain': result['active_chain']}
    assert sha256s(result['diff']['before']['active_chain']) == [fp(pki.sts_short), fp(pki.vmca)]
    # the old chain stays among the verification chains
    assert [c[0]['fingerprints']['sha256'] for c in result['signing_chains']] == [
        new_leaf['fingerprints']['sha256'], fp(pki.sts_short)]

    again, dummy = run(capsys, {'state': 'refreshed'})
    assert again['changed'] is False
    assert len(vcenter.writes) == 1
    again_check, dummy = run(capsys, {'state': 'refreshed'}, check=True)
    assert again_check['changed'] is False
    assert len(vcenter.writes) == 1


@pytest.mark.parametrize('force_refresh', [False, True])
def test_refreshed_force_always_refreshes_and_passes_api_flag(capsys, vcenter, force_refresh):
    args = {'state': 'refreshed', 'remaining_days': 0, 'force': True, 'force_refresh': force_refresh}
    first, dummy = run(capsys, args)
    second, dummy = run(capsys, args)
    assert first['changed'] is True and second['changed'] is True
    assert [c[4] for c in vcenter.writes] == [{'force': force_refresh}, {'force': force_refresh}]
    assert first['actions'][0].startswith('refresh the STS signing certificate: force is set')
    assert first['actions'][0].endswith('(with the API force flag)') is force_refresh


def test_force_refresh_alone_does_not_refresh(capsys, vcenter):
    result, dummy = run(capsys, {'state': 'refreshed', 'remaining_days': 1, 'force_refresh': True})
    assert result['changed'] is False
    assert vcenter.writes == []


def test_refresh_that_changes_nothing_is_reported(capsys, vcenter):
    vcenter.sts_writes_ignored = True
    result, dummy = run(capsys, {'state': 'refreshed'})
    assert result['failed'] is True
    assert result['msg'] == ('Failed to manage the STS signing certificate: vCenter answered the refresh, but the '
                             'active signing certificate did not change')
    assert result['vcenter_state'] == 'unchanged'


def test_refresh_applied_despite_an_error_is_recognised(capsys, vcenter):
    # applied, then answered with an error
    vcenter.fail_after[('POST', STS, 'refresh')] = ServiceUnavailableError(
        'refresh the STS signing certificate', 'Service unavailable. (HTTP 503, SERVICE_UNAVAILABLE)', status=503)
    result, dummy = run(capsys, {'state': 'refreshed'})
    assert result['changed'] is True
    assert 'failed' not in result
    # ansible-core 2.19 returns warnings as structured events: look for the text anywhere in them
    assert 'vCenter was read back afterwards and the change WAS applied' in json.dumps(result['warnings'])
    assert result['diff']['after'] == {'active_chain': result['active_chain']}


# --------------------------------------------------------------------------- state=present

def test_present_check_apply_idempotent(capsys, vcenter, pki):
    args = {'certificate_chain': pki.sts_custom_chain(), 'private_key': key_pem(pki.sts_custom_key)}
    check, dummy = run(capsys, args, check=True)
    assert check['changed'] is True
    assert vcenter.writes == []
    assert sha256s(check['diff']['after']['active_chain']) == [fp(pki.sts_custom), fp(pki.sts_int), fp(pki.sts_ca)]

    applied, dummy = run(capsys, args)
    assert applied['changed'] is True
    assert applied['diff'] == check['diff']
    (method, path, action, spec, params), = vcenter.writes
    assert (method, path, action, params) == ('PUT', STS, None, None)
    assert spec['signing_cert_chain']['cert_chain'] == [pem(pki.sts_custom), pem(pki.sts_int), pem(pki.sts_ca)]
    assert sha256s(applied['active_chain']) == [fp(pki.sts_custom), fp(pki.sts_int), fp(pki.sts_ca)]
    assert sha256s(applied['previous_active_chain']) == [fp(pki.sts_short), fp(pki.vmca)]
    assert applied['actions'] == ['install the STS signing chain %s with the given private key' % fp(pki.sts_custom)]

    for check_mode in (False, True):
        again, dummy = run(capsys, args, check=check_mode)
        assert again['changed'] is False
        assert again['diff']['before'] == again['diff']['after']
    assert len(vcenter.writes) == 1


def test_present_same_leaf_with_other_intermediates_is_no_change(capsys, vcenter, pki):
    vcenter.activate_sts([pem(pki.sts_custom), pem(pki.sts_int), pem(pki.sts_ca)])
    result, dummy = run(capsys, {'certificate_chain': pem(pki.sts_custom) + pem(pki.sts_int),
                                 'private_key': key_pem(pki.sts_custom_key)})
    assert result['changed'] is False
    assert vcenter.writes == []


@pytest.mark.parametrize('fmt,passphrase,header', [
    ('traditional', None, 'BEGIN RSA PRIVATE KEY'),
    ('pkcs8', PASSPHRASE, 'BEGIN ENCRYPTED PRIVATE KEY'),
    ('traditional', PASSPHRASE, 'Proc-Type: 4,ENCRYPTED'),
])
def test_present_converts_rsa_keys_to_unencrypted_pkcs8(capsys, vcenter, pki, fmt, passphrase, header):
    given = key_pem(pki.sts_custom_rsa_key, passphrase, traditional=fmt == 'traditional')
    assert header in given
    args = {'certificate_chain': pem(pki.sts_custom_rsa) + pem(pki.sts_ca), 'private_key': given}
    if passphrase:
        args['private_key_passphrase'] = passphrase
    result, out = run(capsys, args)
    assert result['changed'] is True
    sent = vcenter.writes[0][3]['private_key']
    assert sent.startswith('-----BEGIN PRIVATE KEY-----')
    loaded = serialization.load_pem_private_key(sent.encode('ascii'), password=None)
    assert loaded.private_numbers() == pki.sts_custom_rsa_key.private_numbers()
    assert 'PRIVATE KEY' not in out
    assert result['invocation']['module_args']['private_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_present_accepts_ec_sec1_key(capsys, vcenter, pki):
    given = key_pem(pki.sts_custom_key, traditional=True)
    assert 'BEGIN EC PRIVATE KEY' in given
    result, dummy = run(capsys, {'certificate_chain': pki.sts_custom_chain(), 'private_key': given})
    assert result['changed'] is True
    assert vcenter.writes[0][3]['private_key'].startswith('-----BEGIN PRIVATE KEY-----')


def test_present_passphrase_for_a_plain_key_is_a_warning(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificate_chain': pki.sts_custom_chain(),
                                 'private_key': key_pem(pki.sts_custom_key),
                                 'private_key_passphrase': PASSPHRASE})
    assert result['changed'] is True
    assert 'private_key is not encrypted, so private_key_passphrase was not used' in json.dumps(result['warnings'])


def test_present_applied_despite_a_lost_answer_is_recognised(capsys, vcenter, pki):
    vcenter.fail_after[('PUT', STS, None)] = ServiceUnavailableError(
        'replace the STS signing certificate', 'Service unavailable. (HTTP 503, SERVICE_UNAVAILABLE)', status=503)
    result, dummy = run(capsys, {'certificate_chain': pki.sts_custom_chain(),
                                 'private_key': key_pem(pki.sts_custom_key)})
    assert result['changed'] is True
    assert 'failed' not in result
    assert 'vCenter was read back afterwards and the change WAS applied' in json.dumps(result['warnings'])
    assert sha256s(result['active_chain']) == [fp(pki.sts_custom), fp(pki.sts_int), fp(pki.sts_ca)]


def test_present_install_that_vcenter_ignores_is_an_error(capsys, vcenter, pki):
    vcenter.sts_writes_ignored = True
    result, dummy = run(capsys, {'certificate_chain': pki.sts_custom_chain(),
                                 'private_key': key_pem(pki.sts_custom_key)})
    assert result['failed'] is True
    assert 'vCenter accepted the chain, but the active signing certificate it reports afterwards is %s' % (
        fp(pki.sts_short)) in result['msg']
    assert result['vcenter_state'] == 'unchanged'


def test_present_rejected_by_vcenter_is_reported_unchanged(capsys, vcenter, pki):
    vcenter.failures[('PUT', STS, None)] = VCenterError(
        'replace the STS signing certificate', 'Exception found (HTTP 500, ERROR)', method='PUT', path=STS, status=500)
    result, dummy = run(capsys, {'certificate_chain': pki.sts_custom_chain(),
                                 'private_key': key_pem(pki.sts_custom_key)})
    assert result['failed'] is True
    assert result['msg'].startswith('Failed to replace the STS signing certificate: Exception found (HTTP 500, ERROR)')
    assert 'the change was NOT applied' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert result['status'] == 500


# --------------------------------------------------------------------------- staged key (9.1.1)

def test_present_without_key_uses_staged_key_on_911(capsys, vcenter, pki):
    vcenter.version = (9, 1, 1)
    vcenter.staged_sts_key = pki.sts_staged_key
    args = {'certificate_chain': pem(pki.sts_staged) + pem(pki.sts_ca)}
    check, dummy = run(capsys, args, check=True)
    assert check['changed'] is True
    assert vcenter.writes == []
    result, dummy = run(capsys, args)
    assert result['changed'] is True
    (method, path, action, spec, params), = vcenter.writes
    assert (method, path) == ('PATCH', STS)
    assert spec == {'signing_cert_chain': {'cert_chain': [pem(pki.sts_staged), pem(pki.sts_ca)]}}
    assert result['actions'] == ['install the STS signing chain %s for the key vCenter staged with its CSR'
                                 % fp(pki.sts_staged)]
    assert result['diff']['after'] == check['diff']['after']
    again, dummy = run(capsys, args)
    assert again['changed'] is False
    assert len(vcenter.writes) == 1


def test_present_without_key_and_nothing_staged(capsys, vcenter, pki):
    vcenter.version = (9, 1, 1)
    result, dummy = run(capsys, {'certificate_chain': pem(pki.sts_staged) + pem(pki.sts_ca)})
    assert result['failed'] is True
    assert result['msg'].startswith(
        'Failed to install the STS signing certificate for the staged key: No staged signing key (HTTP 404, '
        'NOT_FOUND); vCenter has no staged key: generate one with certops.vcenter.vcenter_csr '
        'certificate=sts_signing, have that CSR signed, then install the chain. vCenter was read back')
    assert result['vcenter_state'] == 'unchanged'


@pytest.mark.parametrize('version', [(7, 0, 3), (8, 0, 3)])
def test_present_without_key_before_911_is_a_version_error(capsys, vcenter, pki, version):
    vcenter.version = version
    result, dummy = run(capsys, {'certificate_chain': pem(pki.sts_staged) + pem(pki.sts_ca)}, check=True)
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to manage the STS signing certificate: private_key can be omitted only on vCenter 9.1.1 or later, '
        'to use the key vCenter staged with vcenter_csr certificate=sts_signing; this vCenter is %s, so give '
        'private_key' % '.'.join(str(v) for v in version))
    assert vcenter.writes == []


# --------------------------------------------------------------------------- versions

@pytest.mark.parametrize('version,text', [((7, 0, 2), '7.0.2'), ((7, 0, 0), '7.0.0'), ((6, 7, 0), '6.7.0')])
@pytest.mark.parametrize('state', ['refreshed', 'present'])
def test_version_error_before_703(capsys, vcenter, pki, version, text, state):
    vcenter.version = version
    vcenter.dialect = 'api' if version >= (7, 0, 2) else 'rest'
    args = {'state': state}
    if state == 'present':
        args.update(certificate_chain=pki.sts_custom_chain(), private_key=key_pem(pki.sts_custom_key))
    result, dummy = run(capsys, args)
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to read the STS signing certificate: the STS signing certificate '
        'API (vcenter_sts_signing_cert) needs vCenter 7.0 U3 or later; this vCenter is %s' % text)
    assert vcenter.writes == []


def test_rest_dialect_forced_on_new_vcenter(capsys, vcenter):
    result, dummy = run(capsys, {'state': 'refreshed', 'vcenter_api': 'rest'})
    assert result['failed'] is True
    assert result['msg'].endswith('exists only in the /api dialect; vcenter_api is set to rest')
    assert [c[1] for c in vcenter.calls] == ['/appliance/system/version']


# --------------------------------------------------------------------------- bad input: refused before any call

def _bad_inputs(pki):
    chain = pki.sts_custom_chain()
    good_key = key_pem(pki.sts_custom_key)
    return [
        ('no digitalSignature',
         {'certificate_chain': pem(pki.sts_no_ds) + pem(pki.sts_int), 'private_key': good_key},
         'the leaf of certificate_chain (subject CN=sts-no-ds) does not carry the digitalSignature key usage '
         '(it has: keyEncipherment)'),
        ('no key usage extension',
         {'certificate_chain': pem(pki.sts_no_ku) + pem(pki.sts_int), 'private_key': good_key},
         '(it has: no key usage extension)'),
        ('key does not match',
         {'certificate_chain': chain, 'private_key': key_pem(pki.other_key)},
         'private_key does not match the leaf of certificate_chain (subject CN=sts-custom)'),
        ('out of order',
         {'certificate_chain': pem(pki.sts_custom) + pem(pki.sts_ca) + pem(pki.sts_int), 'private_key': good_key},
         'certificate_chain is out of order or incomplete: PEM block 1 (subject CN=sts-custom) is not issued by '
         'PEM block 2'),
        ('expired leaf',
         {'certificate_chain': pem(pki.sts_expired) + pem(pki.sts_int), 'private_key': good_key},
         'certificate_chain PEM block 1 expired on'),
        ('expired intermediate',
         {'certificate_chain': pem(pki.sts_custom) + pem(pki.sts_old_int), 'private_key': good_key},
         'certificate_chain PEM block 2 expired on'),
        ('not PEM',
         {'certificate_chain': 'this is not a certificate', 'private_key': good_key},
         'certificate_chain does not contain a PEM certificate'),
        ('damaged PEM',
         {'certificate_chain': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
          'private_key': good_key},
         'certificate_chain is not a valid PEM certificate'),
        ('key is not PEM',
         {'certificate_chain': chain, 'private_key': 'not a key'},
         'private_key is not a PEM private key'),
        ('encrypted without passphrase',
         {'certificate_chain': chain, 'private_key': key_pem(pki.sts_custom_key, PASSPHRASE)},
         'private_key is encrypted; give its passphrase (private_key_passphrase)'),
        ('wrong passphrase',
         {'certificate_chain': chain, 'private_key': key_pem(pki.sts_custom_key, PASSPHRASE),
          'private_key_passphrase': 'not-the-passphrase'},
         'private_key could not be decrypted: wrong passphrase or damaged key'),
        ('key pasted into the chain',
         {'certificate_chain': chain + good_key, 'private_key': good_key},
         'certificate_chain contains a private key'),
        ('chain missing',
         {'private_key': good_key},
         'state=present needs certificate_chain'),
        ('passphrase without key',
         {'certificate_chain': chain, 'private_key_passphrase': PASSPHRASE},
         'private_key_passphrase is given but private_key is not'),
        ('force with present',
         {'certificate_chain': chain, 'private_key': good_key, 'force': True},
         'force is used only with state=refreshed'),
        ('force_refresh with present',
         {'certificate_chain': chain, 'private_key': good_key, 'force_refresh': True},
         'force_refresh is used only with state=refreshed'),
        ('chain with refreshed',
         {'state': 'refreshed', 'certificate_chain': chain},
         'certificate_chain is used only with state=present'),
        ('key with refreshed',
         {'state': 'refreshed', 'private_key': good_key},
         'private_key is used only with state=present'),
        ('negative remaining_days',
         {'state': 'refreshed', 'remaining_days': -1},
         'remaining_days must be 0 or more, not -1'),
    ]


@pytest.mark.parametrize('case', range(19))
@pytest.mark.parametrize('check', [False, True])
def test_bad_input_is_refused_before_any_request(capsys, vcenter, pki, case, check):
    cases = _bad_inputs(pki)
    assert len(cases) == 19
    label, args, expected = cases[case]
    result, out = run(capsys, args, check=check)
    assert result['failed'] is True, label
    assert result['msg'].startswith('Failed to manage the STS signing certificate: '), label
    assert expected in result['msg'], label
    assert result['vcenter_state'] == 'unchanged'
    assert vcenter.calls == [] and vcenter.logins == 0, label
    # no key material in the output, whatever was given where
    assert 'PRIVATE KEY-----' not in out, label
    for given in args.values():
        if isinstance(given, str) and 'PRIVATE KEY' in given:
            body = [line for line in given.splitlines() if line and not line.startswith('-----')]
            assert not any(line in out for line in body), label
    if 'private_key' in args:
        assert result['invocation']['module_args']['private_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
