# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certificate health check on the simulator: every finding of the cert_findings filter is provoked on a
simulated vCenter (public API where it can create the state, /sim/seed/... where vCenter's API refuses to), read
back with the real _info modules, and checked for its id, severity and remedy; and a healthy vCenter (and the
provoking state, for the findings a case must not raise) must not show it."""

import pytest

import rel_run

from ansible_collections.certops.vcenter.plugins.filter.cert_findings import cert_findings
from ansible_collections.certops.vcenter.plugins.plugin_utils import _findings

P = '/vcenter/certificate-management/vcenter'


def read(vc):
    """What the three _info modules return, as the filter's input (registered results under tls/trusted_roots/sts)."""
    args = rel_run.connection(vc.port)
    data = {'vcenter': 'sim', 'pnid': vc.state()['pnid']}
    for key, module in (('tls', 'vcenter_tls_cert_info'), ('trusted_roots', 'vcenter_trusted_root_info'),
                        ('sts', 'vcenter_sts_signing_cert_info')):
        result = rel_run.run_inproc(module, args)
        assert not result.get('failed'), result
        data[key] = result
    return data


def seed(vc, kind, **body):
    return vc._call('POST', '/sim/seed/' + kind, body, expect=(201,))  # pylint: disable=protected-access


def renew_for_10_days(vc):
    with vc.rest() as rest:
        rest.call('POST', P + '/tls?action=renew', {'duration': 10})
    vc.wait_idle()


def delete_vmca_root_chain(vc):
    vmca = vc.vmca_root()['sha256']
    with vc.rest() as rest:
        rest.sts()  # the STS chain exists from its first read on
        for item in rest.call('GET', P + '/trusted-root-chains'):
            chain = rest.call('GET', P + '/trusted-root-chains/' + item['chain'])['cert_chain']['cert_chain']
            if any(vmca.replace(':', '') in _sha256(pem) for pem in chain):
                rest.call('DELETE', P + '/trusted-root-chains/' + item['chain'])


def _sha256(pem):
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    text = pem[pem.index('-----BEGIN CERTIFICATE-----'):]
    return x509.load_pem_x509_certificate(text.encode('ascii')).fingerprint(hashes.SHA256()).hex().upper()


def copy_vmca_root_chain(vc):
    vmca = vc.vmca_root()['sha256']
    with vc.rest() as rest:
        for item in rest.call('GET', P + '/trusted-root-chains'):
            chain = rest.call('GET', P + '/trusted-root-chains/' + item['chain'])['cert_chain']['cert_chain']
            if any(vmca.replace(':', '') in _sha256(pem) for pem in chain):
                seed(vc, 'trusted-root', copy_of=item['chain'], chain='vmca-copy')
                return


# (id, how it is provoked, provoke(vc), filter options, severity, remedy action, remedy variable, ids that must
# not appear in the same state)
CASES = [
    ('machine_ssl_expiring', 'Tls.renew with duration 10 (public API)', renew_for_10_days,
     {'critical_days': 5}, 'warning', 'certops.vcenter.rotate_machine_ssl', 'rotate_machine_ssl_threshold_days',
     ['machine_ssl_expired']),
    ('machine_ssl_expired', 'seed/machine-ssl days -3',
     lambda vc: seed(vc, 'machine-ssl', days=-3, start_days=-400), {}, 'critical',
     'certops.vcenter.rotate_machine_ssl', 'rotate_machine_ssl_threshold_days', ['machine_ssl_expiring']),
    ('sts_signing_expiring', 'seed/sts-chain active, 10 days',
     lambda vc: seed(vc, 'sts-chain', days=10, active=True), {'critical_days': 5}, 'warning',
     'certops.vcenter.vcenter_sts_signing_cert', 'remaining_days', ['sts_signing_expired']),
    ('sts_signing_expired', 'seed/sts-chain active, expired 2 days ago',
     lambda vc: seed(vc, 'sts-chain', days=-2, start_days=-300, active=True), {}, 'critical',
     'certops.vcenter.vcenter_sts_signing_cert', 'remaining_days', ['sts_signing_expiring']),
    ('vmca_root_expired', 'seed/trusted-root with a VMCA subject, expired; seed/machine-ssl and seed/sts-chain '
     '(active) issued by it',
     # the only VMCA root of this vCenter has expired (the original one is removed first, so nothing else can be it)
     lambda vc: (delete_vmca_root_chain(vc),
                 seed(vc, 'trusted-root', vmca_subject=True, days=-1, start_days=-3650, chain='oldvmca'),
                 seed(vc, 'machine-ssl', days=100, issuer='oldvmca'),
                 seed(vc, 'sts-chain', days=100, issuer='oldvmca', active=True)), {}, 'critical', 'certops.vcenter.rotate_vmca',
     'rotate_vmca_replace_root', ['vmca_root_expiring']),
    ('vmca_root_expiring', 'a 10-year VMCA root with warning_days 4000', None,
     {'warning_days': 4000, 'critical_days': 10}, 'warning', 'certops.vcenter.rotate_vmca',
     'rotate_vmca_replace_root', ['vmca_root_expired']),
    ('trusted_root_expiring', 'the VMCA root chain with warning_days 4000', None,
     {'warning_days': 4000, 'critical_days': 10}, 'warning', 'certops.vcenter.rotate_machine_ssl',
     'rotate_machine_ssl_force', ['trusted_root_expired', 'trusted_root_expired_in_use']),
    ('trusted_root_expired', 'seed/trusted-root expired 3 days ago, anchoring nothing',
     lambda vc: seed(vc, 'trusted-root', cn='Old Root', days=-3, start_days=-400, chain='old'), {}, 'warning',
     'certops.vcenter.trusted_roots', 'trusted_roots_remove_expired', ['trusted_root_expired_in_use']),
    ('trusted_root_expired_in_use', 'seed/trusted-root expired, then seed/machine-ssl issued by it',
     lambda vc: (seed(vc, 'trusted-root', cn='Expired Corp Root', days=-2, start_days=-400, chain='oldca'),
                 seed(vc, 'machine-ssl', days=100, issuer='oldca')), {}, 'critical',
     'certops.vcenter.rotate_machine_ssl', 'rotate_machine_ssl_force', ['trusted_root_expired']),
    ('machine_ssl_san_missing_pnid', 'seed/machine-ssl with SAN 127.0.0.1, other.example (PNID localhost)',
     lambda vc: seed(vc, 'machine-ssl', san=['127.0.0.1', 'other.example']), {}, 'critical',
     'certops.vcenter.rotate_machine_ssl', 'rotate_machine_ssl_subject', ['machine_ssl_not_anchored']),
    ('machine_ssl_not_anchored', 'TrustedRootChains.delete of the VMCA root chain (public API)',
     delete_vmca_root_chain, {}, 'critical', 'certops.vcenter.trusted_roots', 'trusted_roots_present',
     ['machine_ssl_san_missing_pnid']),
    ('sts_signing_not_anchored', 'TrustedRootChains.delete of the VMCA root chain (public API)',
     delete_vmca_root_chain, {}, 'warning', 'certops.vcenter.vcenter_trusted_root', 'certificates', []),
    ('served_certificate_mismatch', 'seed/machine-ssl served_only',
     lambda vc: seed(vc, 'machine-ssl', served_only=True), {}, 'warning', 'certops.vcenter.rotate_machine_ssl',
     'rotate_machine_ssl_force', []),
    ('weak_key', 'seed/trusted-root with a 1024-bit RSA key',
     lambda vc: seed(vc, 'trusted-root', cn='Weak Root', key_size=1024, chain='weak'), {}, 'warning',
     'certops.vcenter.vcenter_trusted_root', 'chain_id', ['weak_signature']),
    ('weak_signature', 'seed/trusted-root signed with SHA-1',
     lambda vc: seed(vc, 'trusted-root', cn='SHA-1 Root', signature='sha1', chain='sha1'), {}, 'warning',
     'certops.vcenter.vcenter_trusted_root', 'chain_id', ['weak_key']),
    ('vmca_root_expires_first', 'seed/machine-ssl valid 4000 days (the VMCA root: 3650)',
     lambda vc: seed(vc, 'machine-ssl', days=4000), {}, 'warning', 'certops.vcenter.rotate_vmca',
     'rotate_vmca_replace_root', []),
    ('duplicate_trusted_root', 'seed/trusted-root copy_of the VMCA root chain', copy_vmca_root_chain, {}, 'info',
     'certops.vcenter.vcenter_trusted_root', 'chain_id', []),
    ('sts_verification_chain_expired', 'seed/sts-chain kept, expired 5 days ago',
     lambda vc: seed(vc, 'sts-chain', days=-5, start_days=-700), {}, 'warning', None, None, []),
]


def test_every_finding_has_a_case():
    assert sorted(c[0] for c in CASES) == sorted(_findings.CATALOGUE)


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_finding_is_provoked_and_absent_when_healthy(vc, report, case):
    finding_id, how, provoke, options, severity, action, variable, not_here = case
    row = report.add('findings', order=[c[0] for c in CASES].index(finding_id), finding=finding_id, how=how,
                     severity='-', remedy='-', healthy='-')
    # a threshold case (nothing provoked) is absent with the default thresholds
    healthy = cert_findings(read(vc), **(options if provoke is not None else {}))
    assert finding_id not in [f['id'] for f in healthy], healthy
    row['healthy'] = 'absent'
    if provoke is not None:
        provoke(vc)
    found = cert_findings(read(vc), **options)
    matching = [f for f in found if f['id'] == finding_id]
    assert len(matching) == 1, found
    finding = matching[0]
    row.update(severity=finding['severity'], remedy=finding['remedy']['action'] or finding['remedy']['kind'])
    assert finding['severity'] == severity
    assert finding['vcenter'] == 'sim'
    assert finding['evidence'] and finding['source'] == _findings.CATALOGUE[finding_id][1]
    assert finding['remedy']['action'] == action
    if variable is not None:
        assert variable in finding['remedy']['variables'], finding['remedy']
    for other in not_here:
        assert other not in [f['id'] for f in found], (other, found)


def test_a_fresh_vcenter_has_no_finding(vc, report):
    row = report.add('findings', order=len(CASES), finding='(none)', how='a fresh simulated vCenter, default '
                     'thresholds', severity='-', remedy='-', healthy='-')
    assert cert_findings(read(vc)) == []
    row['healthy'] = 'no finding at all'
