# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 11, trusted roots and the VMCA root against a vCenter as strict, lagging and linked as a real one.

Each class of defect fixed for issue 11 stays fixed here, run through the real modules against simulators started
with the option that shows it:

* a trust store that settles after a write (``--trust-store-lag``): a create or delete the module made is waited for,
  so a rerun changes nothing; a create answered with an error or no answer after vCenter applied it is never
  reported as "NOT applied; safe to rerun";
* a linked SSO domain (``--linked-partner``, STS chain anchored by the partner, partner rotated last): this vCenter's
  VMCA root is identified, never the partner's, and the partner's root is never removed;
* a VMCA root replacement that regenerates a custom machine SSL certificate (``--vmca-replace regenerate-all``,
  the default): the module reports it;
* a VMCA root replacement whose new machine SSL certificate no longer verifies (validate_certs on, a restart of
  seconds): the module sends no credentials over that connection, waits out the restart anonymously, and says so.
"""

import time

import pytest

import rel_pki
import rel_report
import rel_run
import rel_sim

P = '/vcenter/certificate-management/vcenter'
TRC = P + '/trusted-root-chains'
PARTNER = 'vc2.example.test'


def _sim(tmp_path_factory, name, *args):
    proc = rel_sim.Simulator(str(tmp_path_factory.mktemp(name)), *args)
    return proc


@pytest.fixture(scope='module')
def lag_sim(tmp_path_factory):
    proc = _sim(tmp_path_factory, 'certsim-lag', '--trust-store-lag', '2')
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope='module')
def linked_sim(tmp_path_factory):
    proc = _sim(tmp_path_factory, 'certsim-linked', '--linked-partner', PARTNER, '--sts-anchor', 'partner')
    yield proc
    assert proc.stop() == 0


def _fresh(sim):
    control = sim.control()
    control.reset()
    control.clear_faults()
    control.reset_stats()
    return control


def _applied(control, method):
    return [w for w in control.stats()['write_log'] if w['method'] == method and w['applied']]


def _row(report, order, case, module, result, control, msg=None):
    stats = control.stats()
    return report.add('hostile', order=900 + order, klass='strict vCenter (issue 11)', case=case, module=module,
                      outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
                      writes='%d (%d)' % (stats['writes_attempted'], stats['writes_applied']),
                      msg=msg if msg is not None else (result.get('msg') or ' '.join(result.get('warnings') or [])))


def test_create_in_a_lagging_store_is_waited_for(lag_sim, pki, report):
    control = _fresh(lag_sim)
    args = rel_run.connection(control.port, certificates=pki.extra_root.pem, chain_id='rel-lag')
    first = rel_run.run_inproc('vcenter_trusted_root', args)
    second = rel_run.run_inproc('vcenter_trusted_root', args)
    _row(report, 1, 'create with --trust-store-lag 2, then the same task at once', 'vcenter_trusted_root', first,
         control, msg='1st %s, 2nd %s' % (rel_report.outcome_of(first), rel_report.outcome_of(second)))
    assert first.get('changed') is True and not first.get('failed'), first
    assert second.get('changed') is False and not second.get('failed'), second
    assert len(_applied(control, 'POST')) == 1


def test_delete_in_a_lagging_store_is_waited_for(lag_sim, pki, report):
    control = _fresh(lag_sim)
    with control.rest() as rest:
        rest.call('POST', TRC, {'chain': 'rel-lag-del', 'cert_chain': {'cert_chain': [pki.other_root.pem]}})
    args = rel_run.connection(control.port, chain_id='rel-lag-del', state='absent')
    time.sleep(2.5)  # the store lists the new chain only after the lag
    control.reset_stats()
    first = rel_run.run_inproc('vcenter_trusted_root', args)
    second = rel_run.run_inproc('vcenter_trusted_root', args)
    _row(report, 2, 'delete with --trust-store-lag 2, then the same task at once', 'vcenter_trusted_root', first,
         control, msg='1st %s, 2nd %s' % (rel_report.outcome_of(first), rel_report.outcome_of(second)))
    assert first.get('changed') is True and not first.get('failed'), first
    assert second.get('changed') is False and not second.get('failed'), second
    assert len(_applied(control, 'DELETE')) == 1


FAULTS = [dict(status=500, apply=True), dict(status=503, apply=True), dict(drop='after')]


@pytest.mark.parametrize('index', range(len(FAULTS)), ids=['apply-then-500', 'apply-then-503', 'apply-then-drop'])
def test_an_applied_create_is_never_called_not_applied(lag_sim, pki, report, index):
    fault = FAULTS[index]
    control = _fresh(lag_sim)
    control.add_fault(method='POST', path='trusted-root-chains', count=1, **fault)
    args = rel_run.connection(control.port, certificates=pki.extra_root.pem, chain_id='rel-lag-fault')
    first = rel_run.run_inproc('vcenter_trusted_root', args)
    rerun = rel_run.run_inproc('vcenter_trusted_root', args)
    _row(report, 3 + index, 'create answered %s after vCenter applied it, store '
         'lagging 2 s' % ', '.join('%s=%s' % kv for kv in sorted(fault.items())), 'vcenter_trusted_root', first,
         control)
    text = first.get('msg', '') + ' '.join(first.get('warnings') or [])
    assert 'NOT applied' not in text and 'safe to rerun' not in text, first
    if first.get('failed'):
        assert first['vcenter_state'] in ('changed', 'unknown'), first
    else:
        assert 'the change WAS applied' in text, first
    assert rerun.get('changed') is False and not rerun.get('failed'), rerun
    assert len(_applied(control, 'POST')) == 1


def test_linked_partner_root_is_never_this_vcenters_nor_removed(linked_sim, report):
    control = _fresh(linked_sim)
    control._call('POST', '/sim/partner-vmca-root')  # pylint: disable=protected-access
    partner = control._call('GET', '/sim/partner-vmca-root')  # pylint: disable=protected-access
    local = control.vmca_root()
    info = rel_run.run_inproc('vcenter_trusted_root_info', rel_run.connection(control.port))
    vmca = rel_run.run_inproc('vcenter_vmca_root', rel_run.connection(control.port), check=True)
    removal_args = rel_run.connection(control.port, state='absent', chain_id=partner['id'])
    removal = rel_run.run_inproc('vcenter_trusted_root', removal_args)
    _row(report, 10, 'linked partner (STS anchored by it, rotated last): remove its root', 'vcenter_trusted_root',
         removal, control)
    _row(report, 11, 'linked partner (STS anchored by it, rotated last): identify the VMCA root', 'vcenter_vmca_root',
         vmca, control, msg=vmca.get('identified_by'))
    assert info['vmca_root']['fingerprints']['sha256'] == local['sha256'], info['identified_by']
    partner_chain = [c for c in info['chains'] if c['chain_id'] == partner['id']][0]
    assert 'linked_vmca_root' in partner_chain['anchors'] and 'vmca_root' not in partner_chain['anchors']
    assert vmca.get('changed') is False and vmca['vmca_root']['fingerprints']['sha256'] == local['sha256'], vmca
    assert removal.get('failed') is True and removal['vcenter_state'] == 'unchanged', removal
    assert 'another vCenter of the SSO domain' in removal['msg']
    assert control.stats()['writes_attempted'] == 0


def test_a_regenerated_custom_machine_certificate_is_reported(sim, pki, report):
    control = _fresh(sim)
    leaf = pki.server()
    with control.rest() as rest:
        rest.call('PUT', P + '/tls', {'cert': leaf.pem, 'key': leaf.key_pem,
                                      'root_cert': pki.intermediate.pem + pki.root.pem})
    control.wait_idle()
    args = rel_run.connection(control.port, organization='Rel Regenerated', wait_timeout=60)
    result = rel_run.run_inproc('vcenter_vmca_root', args)
    _row(report, 12, 'VMCA root replaced over a custom machine SSL certificate (--vmca-replace regenerate-all)',
         'vcenter_vmca_root', result, control)
    assert result.get('changed') is True and not result.get('failed'), result
    assert result['machine_ssl_regenerated'] is True
    assert any('regenerated the custom machine SSL certificate' in w for w in result['warnings'])
    served = rel_sim.served_sha256(control.port)
    assert served != rel_pki.sha256(leaf.cert)


@pytest.fixture(scope='module')
def slow_restart_sim(tmp_path_factory):
    proc = rel_sim.Simulator(str(tmp_path_factory.mktemp('certsim-slow-restart')), restart_seconds='6')
    yield proc
    assert proc.stop() == 0


def test_an_unverifiable_vmca_root_replacement_waits_out_the_restart_without_credentials(
        slow_restart_sim, tmp_path, report):
    control = _fresh(slow_restart_sim)
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text(control.vmca_root()['pem'])
    args = rel_run.connection(control.port, vcenter_hostname='localhost', vcenter_validate_certs=True,
                              vcenter_ca_path=str(ca_file), organization='Rel Unverifiable', wait_timeout=60)
    result = rel_run.run_inproc('vcenter_vmca_root', args)
    # at once, no wait here: the restart the replacement started is over when the task ends
    status, _body = rel_sim._request(control.port, 'GET', '/certs/download.zip')  # pylint: disable=protected-access
    stats = control.stats()
    _row(report, 13, 'VMCA root replaced with validate_certs on: the new machine SSL certificate does not verify '
         '(restart 6 s)', 'vcenter_vmca_root', result, control)
    assert result.get('changed') is True and not result.get('failed'), result
    assert result['vmca_root'] is None
    text = ' '.join(result.get('warnings') or [])
    assert 'never sends credentials over a connection it cannot verify' in text, text
    assert 'until vCenter\'s services answered again' in text and 'the restart is over' in text, text
    assert status == 200
    # one login, before the replacement; none over the connection that no longer verifies
    assert stats['logins'] == 1, stats
