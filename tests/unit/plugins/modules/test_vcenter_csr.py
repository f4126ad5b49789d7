# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vcenter_csr: the real AnsibleModule, CertApi and client logic; a fake vCenter behind the client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat

import pytest

from cryptography import x509

from ansible_collections.certops.vcenter.plugins.module_utils._errors import ConnectionFailure, VCenterError
from ansible_collections.certops.vcenter.plugins.modules import vcenter_csr
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import CSR, STS
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PNID,
    module_result,
)

# TlsCsr.Spec requires organization, locality, state_or_province, country and email_address (only
# organization_unit may be "", as the SDK documents): every machine SSL request of these tests gives them.
SUBJECT = {'organization': 'Example', 'locality': 'Berlin', 'state_or_province': 'Berlin', 'country': 'DE',
           'email_address': 'pki@example.com'}


def run(capsys, args, check=False, diff=True):
    return module_result(capsys, vcenter_csr.main, args, check=check, diff=diff)


def csr_of(text):
    return x509.load_pem_x509_csr(text.encode('ascii'))


def test_without_dest_always_generates(capsys, make_vcenter):
    vc = make_vcenter()
    for dummy in range(2):
        result, dummy2 = run(capsys, dict(SUBJECT, common_name=PNID, country='de'))
        assert result['changed'] is True
    assert [(c.method, c.path) for c in vc.writes] == [('POST', CSR), ('POST', CSR)]
    assert vc.writes[0].spec == dict(SUBJECT, organization_unit='', country='DE', common_name=PNID)
    assert result['subject'] == 'O=Example,L=Berlin,ST=Berlin,C=DE,CN=%s' % PNID
    assert result['subject_alt_name'] == ['DNS:%s' % PNID, 'email:pki@example.com']
    assert result['key_size'] == 3072
    assert csr_of(result['csr']).is_signature_valid
    assert 'no dest to compare with' in result['actions'][0]
    assert result['diff']['before'] is None
    assert result['diff']['after'] == {'subject': result['subject'], 'subject_alt_name': result['subject_alt_name'],
                                       'key_size': 3072}


def test_check_mode_without_dest_makes_no_call(capsys, make_vcenter):
    vc = make_vcenter()
    result, dummy = run(capsys, SUBJECT, check=True)
    assert result['changed'] is True
    assert vc.calls == [] and vc.logins == 0
    assert result['csr'] == ''
    assert result['diff']['after'] == {'requested_subject': SUBJECT, 'key_size': 3072}


def test_spec_carries_every_option(capsys, make_vcenter):
    vc = make_vcenter()
    run(capsys, {'common_name': PNID, 'organization': 'Example', 'organization_unit': 'IT', 'locality': 'Berlin',
                 'state_or_province': 'Berlin', 'country': 'DE', 'email_address': 'pki@example.com',
                 'subject_alt_name': ['DNS:' + PNID, '10.0.0.1'], 'key_size': 2048})
    assert vc.writes[0].spec == {'common_name': PNID, 'organization': 'Example', 'organization_unit': 'IT',
                                 'locality': 'Berlin', 'state_or_province': 'Berlin', 'country': 'DE',
                                 'email_address': 'pki@example.com', 'subject_alt_name': [PNID, '10.0.0.1'],
                                 'key_size': 2048}


def test_dest_is_written_then_left_alone_without_a_call(capsys, make_vcenter, tmp_path):
    vc = make_vcenter()
    dest = str(tmp_path / 'vc.csr')
    args = dict(SUBJECT, common_name=PNID, subject_alt_name=[PNID, '10.0.0.1'], dest=dest)
    first, dummy = run(capsys, args)
    assert first['changed'] is True
    with open(dest) as handle:
        assert handle.read() == first['csr']
    calls = list(vc.calls)
    second, dummy = run(capsys, args)
    assert second['changed'] is False
    assert vc.calls == calls and vc.logins == 1  # no login, no request
    assert second['csr'] == first['csr']
    assert second['subject'] == first['subject']
    assert second['diff']['before'] == second['diff']['after']
    # same request with the SANs in another order and spelling, in check mode
    third, dummy = run(capsys, dict(args, subject_alt_name=['IP:10.0.0.1', PNID.upper()]), check=True)
    assert third['changed'] is False


@pytest.mark.parametrize('change, reason', [
    ({'organization': 'Other'}, "organization is 'Example', wanted 'Other'"),
    ({'organization_unit': None}, "organization_unit is 'IT', wanted ''"),
    ({'country': 'FR'}, "country is 'DE', wanted 'FR'"),
    ({'key_size': 2048}, 'key_size is 3072, wanted 2048'),
    ({'subject_alt_name': [PNID]}, 'subject_alt_name is'),
    ({'email_address': 'other@example.com'}, "email_address is"),
    ({'force': True}, 'force is set'),
])
def test_dest_mismatch_generates_again(capsys, make_vcenter, tmp_path, change, reason):
    vc = make_vcenter()
    dest = str(tmp_path / 'vc.csr')
    args = dict(SUBJECT, organization_unit='IT', subject_alt_name=[PNID, '10.0.0.1'], dest=dest)
    run(capsys, args)
    with open(dest) as handle:
        before = handle.read()
    args.update(change)
    args = dict((k, v) for k, v in args.items() if v is not None)
    predicted, dummy = run(capsys, args, check=True)
    assert predicted['changed'] is True
    assert reason in predicted['actions'][0]
    assert len(vc.writes) == 1
    with open(dest) as handle:
        assert handle.read() == before
    result, dummy = run(capsys, args)
    assert result['changed'] is True
    assert len(vc.writes) == 2
    with open(dest) as handle:
        assert handle.read() == result['csr'] != before


def test_dest_with_garbage_is_replaced(capsys, make_vcenter, tmp_path):
    make_vcenter()
    dest = tmp_path / 'vc.csr'
    dest.write_text('not a CSR')
    result, dummy = run(capsys, dict(SUBJECT, dest=str(dest)))
    assert result['changed'] is True
    assert 'is not a valid PEM certificate signing request' in result['actions'][0]
    assert dest.read_text() == result['csr']


def test_file_attributes_alone_are_a_change(capsys, make_vcenter, tmp_path):
    vc = make_vcenter()
    dest = str(tmp_path / 'vc.csr')
    run(capsys, dict(SUBJECT, dest=dest, mode='0644'))
    result, dummy = run(capsys, dict(SUBJECT, dest=dest, mode='0600'))
    assert result['changed'] is True
    assert len(vc.writes) == 1
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600


def test_dest_directory_is_refused(capsys, make_vcenter, tmp_path):
    vc = make_vcenter()
    result, dummy = run(capsys, dict(SUBJECT, dest=str(tmp_path)))
    assert result['failed'] is True
    assert 'is a directory' in result['msg']
    assert vc.calls == []


@pytest.mark.parametrize('country', ['DEU', 'D', '12', 'D-'])
def test_country_must_be_two_letters(capsys, make_vcenter, country):
    vc = make_vcenter()
    result, dummy = run(capsys, {'country': country})
    assert result['failed'] is True
    assert result['msg'] == ('Failed to generate a CSR for the machine SSL certificate: country must be a two-letter '
                             'ISO 3166 country code such as US or DE, got %r' % country)
    assert result['vcenter_state'] == 'unchanged'
    assert vc.calls == [] and vc.logins == 0


@pytest.mark.parametrize('drop, named', [
    (['organization'], 'organization is not given'),
    (['locality', 'state_or_province'], 'locality, state_or_province are not given'),
    (['country'], 'country is not given'),
    (['email_address'], 'email_address is not given'),
    (list(SUBJECT), 'organization, locality, state_or_province, country, email_address are not given'),
])
def test_subject_fields_the_api_requires_are_refused_before_any_call(capsys, make_vcenter, tmp_path, drop, named):
    # TlsCsr.Spec requires them; "" is documented as unset only for organization_unit: refuse, never send ""
    vc = make_vcenter()
    args = dict((k, v) for k, v in SUBJECT.items() if k not in drop)
    args['dest'] = str(tmp_path / 'vc.csr')
    for check in (True, False):
        result, dummy = run(capsys, args, check=check)
        assert result['failed'] is True
        assert result['msg'].startswith('Failed to generate a CSR for the machine SSL certificate: %s' % named)
        assert "vCenter's API (TlsCsr.Spec) requires the subject fields" in result['msg']
        assert 'Only organization_unit may be left out' in result['msg']
        assert result['vcenter_state'] == 'unchanged'
    assert vc.calls == [] and vc.logins == 0
    assert not os.path.exists(args['dest'])


def test_an_empty_required_subject_field_is_refused(capsys, make_vcenter):
    vc = make_vcenter()
    result, dummy = run(capsys, dict(SUBJECT, organization=''))
    assert result['failed'] is True
    assert 'organization is not given' in result['msg']
    assert vc.calls == []


def test_organization_unit_left_out_is_sent_as_documented_unset(capsys, make_vcenter):
    vc = make_vcenter()
    result, dummy = run(capsys, SUBJECT)
    assert result['changed'] is True
    assert vc.writes[0].spec == dict(SUBJECT, organization_unit='')
    assert 'OU=' not in result['subject']


def test_sts_signing_needs_911(capsys, make_vcenter):
    vc = make_vcenter((8, 0, 3))
    result, dummy = run(capsys, {'certificate': 'sts_signing'}, check=True)
    assert result['failed'] is True
    assert result['msg'] == ('Failed to generate a CSR for the STS signing certificate: the STS signing certificate '
                             'CSR/staged-key API needs vCenter 9.1.1 or later; this vCenter is 8.0.3')
    assert result['vcenter_state'] == 'unchanged'
    assert vc.writes == []


def test_sts_signing_on_911_leaves_out_what_was_not_given(capsys, make_vcenter):
    vc = make_vcenter((9, 1, 1))
    result, dummy = run(capsys, {'certificate': 'sts_signing', 'common_name': 'ssoserverSign', 'country': 'DE'})
    assert result['changed'] is True
    assert [(c.method, c.path) for c in vc.writes] == [('POST', STS)]
    assert vc.writes[0].spec == {'common_name': 'ssoserverSign', 'country': 'DE'}
    assert result['subject_alt_name'] == []
    assert vc.staged_sts_key is not None


def test_sts_signing_dest_compares_without_implicit_san(capsys, make_vcenter, tmp_path):
    vc = make_vcenter((9, 1, 1))
    dest = str(tmp_path / 'sts.csr')
    args = {'certificate': 'sts_signing', 'common_name': 'ssoserverSign', 'dest': dest}
    run(capsys, args)
    result, dummy = run(capsys, args)
    assert result['changed'] is False
    assert len(vc.writes) == 1


@pytest.mark.parametrize('error, state', [
    # refused: no key was made
    (VCenterError('generate a CSR on vCenter', 'bad (HTTP 400, INVALID_ARGUMENT)', status=400), 'unchanged'),
    # a 5xx or no answer: a new key may have replaced the pending one, which cannot be read back
    (VCenterError('generate a CSR on vCenter', 'boom (HTTP 500, ERROR)', status=500), 'unknown'),
    (VCenterError('generate a CSR on vCenter', 'restarting (HTTP 503)', status=503), 'unknown'),
    (ConnectionFailure('generate a CSR on vCenter', 'reset', ambiguous=True), 'unknown'),
])
def test_failed_request_says_what_is_known(capsys, make_vcenter, tmp_path, error, state):
    vc = make_vcenter()
    vc.failures[('POST', CSR, None)] = error
    dest = tmp_path / 'vc.csr'
    result, dummy = run(capsys, dict(SUBJECT, dest=str(dest)))
    assert result['failed'] is True
    assert result['vcenter_state'] == state
    assert not dest.exists()


def test_a_2048_bit_csr_of_a_70_vcenter_is_idempotent_without_key_size(capsys, make_vcenter, tmp_path):
    # vCenter 7.0 makes 2048-bit CSRs by default, 8.0 3072-bit ones: without key_size, both match (no request)
    vc = make_vcenter((7, 0, 3))
    dest = str(tmp_path / 'vc.csr')
    args = dict(SUBJECT, common_name=PNID, dest=dest)
    first, dummy = run(capsys, dict(args, key_size=2048))
    assert first['changed'] is True and first['key_size'] == 2048
    calls = list(vc.calls)
    second, dummy = run(capsys, args)
    assert second['changed'] is False
    assert vc.calls == calls
    third, dummy = run(capsys, dict(args, key_size=4096))
    assert third['changed'] is True and 'key_size is 2048, wanted 4096' in third['actions'][0]
