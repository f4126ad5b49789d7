# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vcenter_tls_cert: the real AnsibleModule, CertApi and client logic; a fake vCenter behind the client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils import _client, _wait
from ansible_collections.certops.vcenter.plugins.module_utils._errors import ConnectionFailure, VCenterError
from ansible_collections.certops.vcenter.plugins.modules import vcenter_tls_cert
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import TLS, TRC
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PNID,
    fp,
    key_pem,
    make_cert,
    make_name,
    module_result,
    pem,
    warnings_text,
)


# Tls.ReplaceSpec requires organization, locality, state_or_province, country and email_address (only
# organization_unit may be "", as the SDK documents): every state=vmca_signed request of these tests gives them.
SUBJECT = {'organization': 'Example', 'locality': 'Berlin', 'state_or_province': 'Berlin', 'country': 'DE',
           'email_address': 'pki@example.com'}


def vmca(**extra):
    args = dict(SUBJECT, state='vmca_signed')
    args.update(extra)
    return args


def use_vmca_tls_with_subject(vc, sans=(PNID,), **kw):
    """vCenter uses a VMCA-issued certificate carrying SUBJECT (the e-mail address as a SAN, as vCenter puts it)."""
    return vc.use_vmca_tls(make_name(PNID, o='Example', loc='Berlin', st='Berlin', c='DE'),
                           list(sans) + ['email:pki@example.com'], **kw)


def run(capsys, args, check=False, diff=True):
    # Ansible collects warnings module-globally (one module per process); ansible-test forks per test, plain
    # pytest does not: start every run empty, so a test can assert that a warning is absent
    from ansible.module_utils.common import warnings as warnings_mod  # pylint: disable=import-outside-toplevel
    for name in ('_global_warnings', '_global_deprecations'):
        store = getattr(warnings_mod, name, None)
        if store is not None:
            store.clear()
    return module_result(capsys, vcenter_tls_cert.main, args, check=check, diff=diff)


def corp_args(pki, **extra):
    args = {'certificate': pem(pki.corp_tls) + pem(pki.corp_int), 'private_key': key_pem(pki.corp_tls_key),
            'root_certificate': pem(pki.corp), 'wait_timeout': 5}
    args.update(extra)
    return args


# --------------------------------------------------------------------------- state=present

def test_present_check_mode_predicts_and_sends_nothing(capsys, make_vcenter, pki):
    vc = make_vcenter()
    result, dummy = run(capsys, corp_args(pki), check=True)
    assert result['changed'] is True
    assert vc.writes == []
    assert result['diff']['before']['fingerprints']['sha256'] == fp(pki.tls)
    assert result['diff']['after']['fingerprints']['sha256'] == fp(pki.corp_tls)
    assert 'pem' not in result['diff']['after']
    # nothing changed: vCenter still uses the old certificate
    assert result['certificate']['fingerprints']['sha256'] == fp(pki.tls)
    assert result['actions'] == ['replace the machine SSL certificate']
    assert vc.trusted == [] and vc.waited == []


def test_present_installs_trusts_root_and_waits(capsys, make_vcenter, pki):
    vc = make_vcenter()
    result, out = run(capsys, corp_args(pki))
    assert result['changed'] is True
    assert [(c.method, c.path) for c in vc.writes] == [('PUT', TLS)]
    spec = vc.writes[0].spec
    assert set(spec) == {'cert', 'key', 'root_cert'}
    assert spec['cert'] == pem(pki.corp_tls) + pem(pki.corp_int)  # leaf first, then the intermediate
    assert spec['key'].startswith('-----BEGIN PRIVATE KEY-----')
    # the CA chain goes in root_cert, intermediates and root (SDK case 1, as the public clients send it)
    assert spec['root_cert'] == pem(pki.corp_int) + pem(pki.corp)
    assert vc.leaf == pki.corp_tls
    assert vc.trusted == [pem(pki.corp)]
    assert vc.waited == [fp(pki.corp_tls)]
    assert result['certificate']['fingerprints']['sha256'] == fp(pki.corp_tls)
    assert result['certificate']['pem'] == pem(pki.corp_tls)
    assert result['previous_certificate']['fingerprints']['sha256'] == fp(pki.tls)
    assert result['previous_certificate']['pem'] == pem(pki.tls)
    assert result['diff']['after']['fingerprints']['sha256'] == fp(pki.corp_tls)
    assert 'PRIVATE KEY' not in out
    # before waiting, the client logs the first session out (best effort: after a restart vCenter has already ended
    # it, but a session made since to read the new certificate would otherwise stay open); the one made while
    # waiting is logged out at the end. This fake does not model the restart, so it counts both logouts.
    assert (vc.logins, vc.logouts) == (2, 2)


def test_present_idempotent_costs_one_read(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, corp_args(pki))
    assert result['changed'] is False
    assert vc.calls == [('GET', TLS, None, None, None)]
    assert (vc.logins, vc.logouts) == (1, 1)
    assert result['diff']['before'] == result['diff']['after']
    assert result['certificate'] == result['previous_certificate']
    assert 'actions' not in result


def test_present_force_cannot_reinstall(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, corp_args(pki, force=True))
    assert result['changed'] is False
    assert vc.writes == []
    assert 'force has no effect with state=present' in warnings_text(result)


def test_present_without_key_uses_the_csr_key(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.pending_csr_key = pki.corp_tls_key
    result, dummy = run(capsys, {'certificate': pem(pki.corp_tls) + pem(pki.corp_int),
                                 'root_certificate': pem(pki.corp)})
    assert result['changed'] is True
    # SDK case 3 (cert alone after a CSR on vCenter): the CA certificates go through the trusted-root API first
    assert [(c.method, c.path) for c in vc.writes] == [('POST', TRC), ('PUT', TLS)]
    assert vc.writes[0].spec['cert_chain']['cert_chain'] == [pem(pki.corp_int), pem(pki.corp)]
    assert set(vc.writes[1].spec) == {'cert'}  # no key, no root_cert
    assert vc.pending_csr_key is None


def test_present_with_a_trusted_root_adds_only_the_missing_intermediate(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.chains.append(('corp', [pem(pki.corp)]))
    result, dummy = run(capsys, corp_args(pki))
    assert result['changed'] is True
    # SDK case 2 (cert + key, root already trusted): root_cert is never sent
    assert [(c.method, c.path) for c in vc.writes] == [('POST', TRC), ('PUT', TLS)]
    assert vc.writes[0].spec['cert_chain']['cert_chain'] == [pem(pki.corp_int)]
    assert set(vc.writes[1].spec) == {'cert', 'key'}


def test_present_takes_intermediates_in_root_certificate(capsys, make_vcenter, pki):
    vc = make_vcenter()
    result, dummy = run(capsys, corp_args(pki, certificate=pem(pki.corp_tls),
                                          root_certificate=pem(pki.corp) + pem(pki.corp_int)))
    assert result['changed'] is True
    spec = vc.writes[-1].spec
    assert spec['cert'] == pem(pki.corp_tls) + pem(pki.corp_int)
    assert spec['root_cert'] == pem(pki.corp_int) + pem(pki.corp)
    assert vc.leaf == pki.corp_tls


def test_present_encrypted_key_is_sent_decrypted(capsys, make_vcenter, pki):
    vc = make_vcenter()
    args = corp_args(pki, private_key=key_pem(pki.corp_tls_key, passphrase='correct-horse', traditional=True),
                     private_key_passphrase='correct-horse')
    result, out = run(capsys, args)
    assert result['changed'] is True
    assert vc.writes[0].spec['key'] == key_pem(pki.corp_tls_key)
    assert 'correct-horse' not in out and 'PRIVATE KEY' not in out


def test_present_without_root_uses_a_root_vcenter_trusts(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.chains.append(('corp', [pem(pki.corp)]))
    result, dummy = run(capsys, corp_args(pki, root_certificate=None))
    assert result['changed'] is True
    assert 'root_cert' not in vc.writes[0].spec
    assert vc.trusted == [pem(pki.corp)]


def test_present_without_root_refused_when_not_trusted(capsys, make_vcenter, pki):
    vc = make_vcenter()
    result, dummy = run(capsys, corp_args(pki, root_certificate=None))
    assert result['failed'] is True
    assert 'does not chain up to any root vCenter trusts, and root_certificate does not hold its root' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vc.writes == []


@pytest.mark.parametrize('trusted_before, expected_writes, added', [
    ([], [('POST', TRC), ('PUT', TLS)], ['corp_int', 'corp']),
    (['corp'], [('POST', TRC), ('PUT', TLS)], ['corp_int']),
    (['corp_int', 'corp'], [('PUT', TLS)], []),
])
def test_present_on_67_adds_the_missing_cas_itself(capsys, make_vcenter, pki, trusted_before, expected_writes, added):
    vc = make_vcenter((6, 7, 0))
    for name in trusted_before:
        vc.chains.append((name, [pem(getattr(pki, name))]))
    result, dummy = run(capsys, corp_args(pki))
    assert result['changed'] is True
    assert [(c.method, c.path) for c in vc.writes] == expected_writes
    assert 'root_cert' not in vc.writes[-1].spec  # 6.7's Tls.Spec has no root_cert
    assert vc.leaf == pki.corp_tls
    if added:
        assert vc.writes[0].spec['cert_chain']['cert_chain'] == [pem(getattr(pki, name)) for name in added]
    assert any(a.endswith('to the trusted root chains') for a in result['actions']) is bool(added)


def test_present_on_70_sends_root_with_certificate(capsys, make_vcenter, pki):
    vc = make_vcenter((7, 0, 0))
    result, dummy = run(capsys, corp_args(pki))
    assert result['changed'] is True
    assert [(c.method, c.path) for c in vc.writes] == [('PUT', TLS)]
    assert 'root_cert' in vc.writes[0].spec
    assert ('GET', '/appliance/system/version', None, None, None) in vc.calls


def test_present_wait_false_does_not_wait(capsys, make_vcenter, pki):
    vc = make_vcenter()
    result, dummy = run(capsys, corp_args(pki, wait=False))
    assert result['changed'] is True
    assert vc.waited == []
    assert vc.trusted == [pem(pki.corp)]
    assert result['certificate']['fingerprints']['sha256'] == fp(pki.corp_tls)


def test_present_wait_timeout_says_the_change_was_applied(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.serve_old = True
    result, dummy = run(capsys, corp_args(pki, wait_timeout=0))
    assert result['failed'] is True
    assert result['vcenter_state'] == 'changed'
    assert 'The change WAS applied' in result['msg']
    assert vc.leaf == pki.corp_tls


def test_present_failed_write_is_read_back_as_not_applied(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.failures[('PUT', TLS, None)] = VCenterError('replace the machine SSL certificate',
                                                   'Invalid input certificate (HTTP 500, ERROR)', method='PUT',
                                                   path=TLS, status=500, error_type='ERROR')
    result, dummy = run(capsys, corp_args(pki))
    assert result['failed'] is True
    assert result['vcenter_state'] == 'unchanged'
    assert 'the change was NOT applied' in result['msg']
    assert result['status'] == 500


def test_present_lost_answer_but_applied_still_waits(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.fail_after[('PUT', TLS, None)] = ConnectionFailure('replace the machine SSL certificate', 'connection reset',
                                                          method='PUT', path=TLS, ambiguous=True)
    result, dummy = run(capsys, corp_args(pki))
    assert result['changed'] is True
    assert 'the change WAS applied' in warnings_text(result)
    assert vc.waited == [fp(pki.corp_tls)]
    assert result['certificate']['fingerprints']['sha256'] == fp(pki.corp_tls)


def test_present_recovery_trusts_the_root_vcenter_trusts(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.chains.append(('corp', [pem(pki.corp)]))
    vc.fail_after[('PUT', TLS, None)] = ConnectionFailure('replace the machine SSL certificate', 'connection reset',
                                                          method='PUT', path=TLS, ambiguous=True)
    result, dummy = run(capsys, corp_args(pki, root_certificate=None))
    assert result['changed'] is True
    assert vc.trusted == [pem(pki.corp)]
    assert vc.waited == [fp(pki.corp_tls)]


# --------------------------------------------------------------------------- bad input: refused before any call

# (id, overrides of corp_args built from the PKI, expected message part)
BAD_PRESENT = [
    ('not-pem', lambda p: {'certificate': 'not a certificate'}, 'certificate does not contain a PEM certificate'),
    ('bad-pem', lambda p: {'certificate': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'},
     'certificate is not a valid PEM certificate'),
    ('key-as-cert', lambda p: {'certificate': key_pem(p.corp_tls_key)}, 'certificate contains a private key'),
    ('key-after-cert', lambda p: {'certificate': pem(p.corp_tls) + key_pem(p.corp_tls_key)},
     'certificate contains a private key'),
    ('key-as-root', lambda p: {'root_certificate': key_pem(p.corp_tls_key, traditional=True)},
     'root_certificate contains a private key'),
    ('key-mismatch', lambda p: {'private_key': key_pem(p.other_key)}, 'private_key does not match certificate'),
    ('key-garbage', lambda p: {'private_key': 'garbage'}, 'private_key is not a PEM private key'),
    ('key-encrypted', lambda p: {'private_key': key_pem(p.corp_tls_key, passphrase='pw')}, 'private_key is encrypted'),
    ('key-wrong-passphrase', lambda p: {'private_key': key_pem(p.corp_tls_key, passphrase='pw'),
                                        'private_key_passphrase': 'wrong'}, 'private_key could not be decrypted'),
    ('passphrase-without-key', lambda p: {'private_key': None, 'private_key_passphrase': 'pw'},
     'private_key_passphrase was given without private_key'),
    ('expired', lambda p: {'certificate': pem(p.corp_leaf(days=-1, start_days=-30))}, 'certificate expired on'),
    ('not-yet-valid', lambda p: {'certificate': pem(p.corp_leaf(start_days=5, days=30))},
     'certificate is not valid before'),
    ('expired-intermediate', lambda p: {'certificate': pem(p.corp_tls) + pem(make_cert(
        p.corp_int.subject, p.corp_int_key, p.corp, p.corp_key, ca=True, days=-1, start_days=-30))},
     'certificate (PEM block 2) expired on'),
    ('chain-out-of-order', lambda p: {'certificate': pem(p.corp_tls) + pem(p.other)},
     'certificate is out of order or incomplete'),
    ('wrong-root', lambda p: {'root_certificate': pem(p.other)}, 'the certificate chain does not lead to a root in root_certificate'),
    ('missing-intermediate', lambda p: {'certificate': pem(p.corp_tls)},
     'the certificate chain does not lead to a root in root_certificate'),
    ('two-roots', lambda p: {'root_certificate': pem(p.corp) + pem(p.other)},
     'root_certificate holds CA certificates that are not on the path of certificate: O=Other,CN=Other Root CA'),
    ('root-not-ca', lambda p: {'root_certificate': pem(p.corp_tls)},
     'CA certificate O=Corp,CN=vc.example.com is not a valid CA certificate for vCenter'),
    ('leaf-is-ca', lambda p: {'certificate': pem(p.corp_int) + pem(p.corp)},
     'is a CA certificate, not a server certificate'),
    ('subject-option', lambda p: {'common_name': 'x'}, 'common_name only apply to state=vmca_signed'),
    ('duration-0', lambda p: {'duration': 0}, 'duration must be between 1 and 730 days'),
    ('remaining-negative', lambda p: {'remaining_days': -1}, 'remaining_days must be 0 or more'),
]

BAD_OTHER = [
    ('duration-731', lambda p: {'state': 'renewed', 'duration': 731}, 'duration must be between 1 and 730 days'),
    ('remaining-vs-duration', lambda p: {'state': 'renewed', 'duration': 30},
     'remaining_days (30) must be smaller than duration (30)'),
    ('country-3', lambda p: vmca(country='DEU'), 'country must be a two-letter ISO 3166 country code'),
    ('country-digit', lambda p: vmca(country='D1'), 'country must be a two-letter'),
    ('san-empty-entry', lambda p: vmca(subject_alt_name=[PNID, '']), 'subject_alt_name has an empty entry'),
    ('san-bad-ip', lambda p: vmca(subject_alt_name=['IP:not-an-ip']), 'is not a valid IP address'),
    ('subject-missing', lambda p: {'state': 'vmca_signed'},
     'organization, locality, state_or_province, country, email_address are not given: vCenter\'s API '
     '(Tls.ReplaceSpec) requires the subject fields'),
    ('subject-missing-one', lambda p: vmca(email_address=None), 'email_address is not given'),
    ('subject-empty-organization', lambda p: vmca(organization=''), 'organization is not given'),
    ('root-with-vmca', lambda p: {'state': 'vmca_signed', 'root_certificate': pem(p.corp)},
     'root_certificate only apply to state=present'),
    ('key-with-renewed', lambda p: {'state': 'renewed', 'private_key': key_pem(p.corp_tls_key)},
     'private_key only apply to state=present'),
    ('wait-timeout-negative', lambda p: {'state': 'renewed', 'wait_timeout': -1}, 'wait_timeout must be 0 or more'),
]


@pytest.mark.parametrize('overrides, expected', [c[1:] for c in BAD_PRESENT], ids=[c[0] for c in BAD_PRESENT])
def test_present_bad_input_refused_before_any_call(capsys, make_vcenter, pki, overrides, expected):
    vc = make_vcenter()
    args = corp_args(pki)
    args.update(overrides(pki))
    args = dict((k, v) for k, v in args.items() if v is not None)
    result, out = run(capsys, args)
    assert result['failed'] is True
    assert expected in result['msg']
    assert result['msg'].startswith('Failed to install the custom machine SSL certificate: ')
    assert result['vcenter_state'] == 'unchanged'
    assert vc.calls == [] and vc.logins == 0
    for key in (pki.corp_tls_key, pki.other_key):  # no key material is ever echoed
        for traditional in (False, True):
            assert key_pem(key, traditional=traditional).splitlines()[1] not in out


@pytest.mark.parametrize('args, expected', [c[1:] for c in BAD_OTHER], ids=[c[0] for c in BAD_OTHER])
def test_other_states_bad_input_refused_before_any_call(capsys, make_vcenter, pki, args, expected):
    vc = make_vcenter()
    result, dummy = run(capsys, dict((k, v) for k, v in args(pki).items() if v is not None))
    assert result['failed'] is True
    assert expected in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vc.calls == [] and vc.logins == 0


def test_skip_san_check_lets_other_names_through(capsys, make_vcenter, pki):
    vc = make_vcenter()
    result, dummy = run(capsys, corp_args(pki, vcenter_hostname='10.9.9.9', skip_san_check=True), check=True)
    assert result['changed'] is True
    assert vc.writes == []


def test_san_check_accepts_a_listed_ip_address(capsys, make_vcenter, pki):
    make_vcenter()
    result, dummy = run(capsys, corp_args(pki, vcenter_hostname='10.0.0.1'), check=True)
    assert result['changed'] is True
    assert 'vcenter_hostname' not in warnings_text(result)


# --------------------------------------------------------------------------- the PNID, not vcenter_hostname

def test_present_connected_by_ip_installs_a_certificate_naming_the_pnid(capsys, make_vcenter, pki, monkeypatch):
    # vCenter checks its PNID (read from its current certificate: CN = PNID, among its SANs), not the address the
    # task connects to: a certificate without that address is installed, with a warning
    vc = make_vcenter()
    named = []
    monkeypatch.setattr(_client.VCenterClient, 'verify_name', lambda self, name: named.append(name))
    args = corp_args(pki, vcenter_hostname='10.0.0.2')
    predicted, dummy = run(capsys, args, check=True)
    assert predicted['changed'] is True and vc.writes == []
    result, dummy = run(capsys, args)
    assert result['changed'] is True
    assert vc.leaf == pki.corp_tls
    text = warnings_text(result)
    assert 'do not include vcenter_hostname 10.0.0.2' in text
    assert 'clients that connect to vCenter by that IP address and verify its certificate will reject it' in text
    assert 'do not include vcenter_hostname 10.0.0.2' in warnings_text(predicted)
    # while waiting, the new certificate is verified for the PNID it names
    assert named == [PNID]


def test_present_without_the_pnid_is_refused_after_one_read(capsys, make_vcenter, pki):
    vc = make_vcenter()
    leaf = pki.corp_leaf(sans=['other.example.com'])
    args = corp_args(pki, certificate=pem(leaf) + pem(pki.corp_int), vcenter_hostname='other.example.com')
    for check in (True, False):
        result, dummy = run(capsys, args, check=check)
        assert result['failed'] is True
        assert result['msg'] == (
            'Failed to install the custom machine SSL certificate: the subject alternative names of certificate '
            '(DNS:other.example.com) do not include vCenter\'s PNID (primary network identifier) %s, the name '
            'vCenter requires in the subject alternative names of its machine SSL certificate ("DNS Name must '
            'contain machine FQDN"); vCenter would refuse the certificate. The PNID was read from the current '
            'machine SSL certificate, not taken from vcenter_hostname. Add it, or set skip_san_check: true to let '
            'vCenter decide' % PNID)
        assert result['vcenter_state'] == 'unchanged'
    assert vc.calls == [('GET', TLS, None, None, None)] * 2  # one read each, no write
    assert vc.leaf == pki.tls


def test_present_pnid_from_the_sans_when_the_cn_is_not_among_them(capsys, make_vcenter, pki):
    # [INF] a current certificate whose CN is not among its SANs: the PNID is one of its SANs
    vc = make_vcenter()
    vc.use_vmca_tls(make_name('Appliance', c='US'), [PNID, 'alias.example.com'])
    refused, dummy = run(capsys, corp_args(pki, certificate=pem(pki.corp_leaf(sans=['other.example.com'])) +
                                           pem(pki.corp_int), skip_san_check=False), check=True)
    assert refused['failed'] is True
    assert ('do not include any name of vCenter\'s current machine SSL certificate (%s, alias.example.com); one '
            'of them is vCenter\'s PNID' % PNID) in refused['msg']
    accepted, dummy = run(capsys, corp_args(pki), check=True)
    assert accepted['changed'] is True


def test_present_skip_san_check_lets_vcenter_decide(capsys, make_vcenter, pki):
    vc = make_vcenter()
    leaf = pki.corp_leaf(sans=['other.example.com'])
    result, dummy = run(capsys, corp_args(pki, certificate=pem(leaf) + pem(pki.corp_int), skip_san_check=True))
    assert result['failed'] is True
    assert 'DNS Name must contain machine FQDN' in result['msg']  # vCenter's own refusal
    assert result['vcenter_state'] == 'unchanged'
    assert 'vcenter_hostname' not in warnings_text(result)


def test_vmca_signed_san_without_the_pnid_is_refused_after_reading(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, vmca(subject_alt_name=['other.example.com']))
    assert result['failed'] is True
    assert ('subject_alt_name (DNS:other.example.com) do not include vCenter\'s PNID (primary network identifier) '
            '%s' % PNID) in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vc.writes == []


def test_vmca_signed_san_without_vcenter_hostname_warns(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, vmca(subject_alt_name=[PNID], vcenter_hostname='10.0.0.1'))
    assert result['changed'] is True
    assert vc.writes[0].spec['subject_alt_name'] == [PNID]
    assert 'subject_alt_name (DNS:%s) do not include vcenter_hostname 10.0.0.1' % PNID in warnings_text(result)


# --------------------------------------------------------------------------- state=vmca_signed

def test_vmca_signed_version_error_before_any_change(capsys, make_vcenter, pki):
    vc = make_vcenter((6, 7, 0))
    result, dummy = run(capsys, vmca())
    assert result['failed'] is True
    assert result['msg'] == ('Failed to replace the machine SSL certificate with a VMCA-signed one: a VMCA-signed '
                             'machine SSL certificate (Tls.replace_vmca_signed) needs vCenter 7.0 or later; this '
                             'vCenter is 6.7.0')
    assert result['vcenter_state'] == 'unchanged'
    assert vc.calls == [('GET', '/appliance/system/version', None, None, None)]


def test_vmca_signed_check_mode(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, vmca(), check=True)
    assert result['changed'] is True
    assert vc.writes == []
    assert result['diff']['after']['issuer'] == pki.vmca.subject.rfc4514_string()
    assert result['diff']['after']['requested_subject'] == SUBJECT
    assert 'not issued by the VMCA root' in result['actions'][0]


def test_vmca_signed_replaces_a_custom_certificate(capsys, make_vcenter, pki, monkeypatch):
    vc = make_vcenter()
    vc.use_corp_tls()
    vc.unavailable_reads = 2  # services restart: the first reads after the change get 503
    monkeypatch.setattr(_wait.time, 'sleep', lambda seconds: None)
    result, dummy = run(capsys, vmca(common_name=PNID, country='de', subject_alt_name=[PNID, '10.0.0.1'],
                                     wait_timeout=30))
    assert result['changed'] is True
    writes = vc.writes
    assert [(c.method, c.path, c.action) for c in writes] == [('POST', TLS, 'replace-vmca-signed')]
    assert writes[0].spec == {'organization': 'Example', 'organization_unit': '', 'locality': 'Berlin',
                              'state_or_province': 'Berlin', 'country': 'DE', 'email_address': 'pki@example.com',
                              'common_name': PNID, 'subject_alt_name': [PNID, '10.0.0.1']}
    assert vc.trusted == [pem(pki.vmca)]
    assert vc.waited == [fp(vc.leaf)]
    assert result['certificate']['fingerprints']['sha256'] == fp(vc.leaf)
    assert result['certificate']['issuer'] == pki.vmca.subject.rfc4514_string()
    assert result['previous_certificate']['fingerprints']['sha256'] == fp(pki.corp_tls)
    assert result['diff']['after']['fingerprints']['sha256'] == fp(vc.leaf)


def test_vmca_signed_leaves_out_what_was_not_given(capsys, make_vcenter, pki):
    # only organization_unit goes as "" (the SDK's "unset"); common_name, SANs and key_size are left out
    vc = make_vcenter()
    vc.use_corp_tls()
    run(capsys, vmca())
    assert vc.writes[0].spec == dict(SUBJECT, organization_unit='')


@pytest.mark.parametrize('args, changed, reason', [
    ({}, False, None),
    ({'common_name': PNID.upper(), 'country': 'de'}, False, None),
    ({'subject_alt_name': ['DNS:' + PNID]}, False, None),
    ({'organization': 'Other'}, True, "organization is 'Example', wanted 'Other'"),
    ({'country': 'FR'}, True, "country is 'DE', wanted 'FR'"),
    ({'subject_alt_name': [PNID, '10.0.0.1']}, True, 'subject_alt_name is'),
    ({'key_size': 3072}, True, 'key_size is 2048, wanted 3072'),
    ({'key_size': 2048}, False, None),
    ({'remaining_days': 800}, True, 'fewer than remaining_days (800)'),
    ({'force': True}, True, 'force is set'),
])
def test_vmca_signed_compares_certificate_facts(capsys, make_vcenter, pki, args, changed, reason):
    vc = make_vcenter()
    use_vmca_tls_with_subject(vc)
    full = vmca()
    full.update(args)
    result, dummy = run(capsys, full, check=True)
    assert result['changed'] is changed
    assert vc.writes == []
    if reason:
        assert reason in result['actions'][0]
    else:
        assert result['diff']['before'] == result['diff']['after']


def test_vmca_signed_email_goes_into_the_san(capsys, make_vcenter, pki):
    vc = make_vcenter()
    use_vmca_tls_with_subject(vc)
    result, dummy = run(capsys, vmca(subject_alt_name=[PNID]), check=True)
    assert result['changed'] is False


def test_vmca_signed_without_a_known_vmca_root_trusts_marked_roots(capsys, make_vcenter, pki):
    vc = make_vcenter((7, 0, 0))  # /rest: no STS chain to tell the VMCA root
    vc.use_corp_tls()
    result, dummy = run(capsys, vmca())
    assert result['changed'] is True
    assert vc.trusted == [pem(pki.vmca)]
    assert vc.leaf.issuer == pki.vmca.subject


def test_vmca_signed_wait_false_reads_once(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, vmca(wait=False))
    assert result['changed'] is True
    assert vc.waited == []
    assert result['certificate']['fingerprints']['sha256'] == fp(vc.leaf)


def test_vmca_signed_read_timeout_after_change(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    vc.unavailable_reads = 1000
    result, dummy = run(capsys, vmca(wait_timeout=0))
    assert result['failed'] is True
    assert result['vcenter_state'] == 'changed'
    assert 'could not be read within wait_timeout' in result['msg']


# --------------------------------------------------------------------------- state=renewed

def test_renewed_refuses_a_custom_certificate(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_corp_tls()
    result, dummy = run(capsys, {'state': 'renewed', 'force': True})
    assert result['failed'] is True
    assert 'is not issued by the VMCA' in result['msg']
    assert 'use state=present' in result['msg'] and 'state=vmca_signed' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vc.writes == []


@pytest.mark.parametrize('days_left, args, changed', [
    (700, {}, False),
    (10, {}, True),
    (10, {'remaining_days': 5, 'duration': 20}, False),
    (700, {'force': True}, True),
])
def test_renewed_when_few_days_are_left(capsys, make_vcenter, pki, days_left, args, changed):
    vc = make_vcenter()
    old = vc.use_vmca_tls(days=days_left)
    full = {'state': 'renewed'}
    full.update(args)
    result, dummy = run(capsys, full)
    assert result['changed'] is changed
    if changed:
        duration = args.get('duration', 730)
        assert vc.writes == [('POST', TLS, 'renew', None, {'duration': duration})]
        assert vc.trusted == [pem(pki.vmca)]
        assert vc.waited == [fp(vc.leaf)]
        assert result['certificate']['days_remaining'] in (duration - 1, duration)
        assert result['previous_certificate']['fingerprints']['sha256'] == fp(old)
        assert result['diff']['before']['fingerprints']['sha256'] == fp(old)
    else:
        assert vc.writes == []
        assert result['diff']['before'] == result['diff']['after']


def test_renewed_does_not_loop_when_the_vmca_root_ends_first(capsys, make_vcenter, pki):
    # VMCA never issues past its root: a certificate that already ends with the root cannot be extended
    vc = make_vcenter()
    short_root = make_cert(pki.vmca.subject, pki.vmca_key, ca=True, days=10)
    vc.vmca = short_root
    vc.chains = [('short', [pem(short_root)])]
    vc.sts = [pem(pki.sts), pem(short_root)]
    vc.use_vmca_tls(days=10)
    result, dummy = run(capsys, {'state': 'renewed'})
    assert result['changed'] is False
    assert vc.writes == []
    assert 'renewing cannot extend it' in warnings_text(result)
    # a certificate that ends before its root is still renewed
    vc.use_vmca_tls(days=5)
    again, dummy = run(capsys, {'state': 'renewed'})
    assert again['changed'] is True


def test_renewed_check_mode_predicts(capsys, make_vcenter, pki):
    vc = make_vcenter()
    vc.use_vmca_tls(days=10)
    result, dummy = run(capsys, {'state': 'renewed', 'duration': 100}, check=True)
    assert result['changed'] is True
    assert vc.writes == []
    assert result['diff']['after']['validity_days'] == 100
    assert result['diff']['after']['subject'] == result['diff']['before']['subject']
    assert 'renew the machine SSL certificate for 100 days' in result['actions'][0]


def test_renewed_on_67(capsys, make_vcenter, pki):
    vc = make_vcenter((6, 7, 0))
    vc.use_vmca_tls(days=3)
    result, dummy = run(capsys, {'state': 'renewed'})
    assert result['changed'] is True
    assert vc.writes[0].action == 'renew'
