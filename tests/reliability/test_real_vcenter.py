# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How a real vCenter behaves and the simulator's defaults do not show in a few hundred milliseconds: a restart
that lasts (refused connections, then the reverse proxy's plain-text 503, then logins while the certificate
service still answers 503), an applied change answered with an error in the middle of it, and a 7.0.1 vCenter
that answers POST /api/session but serves the certificate endpoints on /rest only (vcenter-fidelity.md §4.7,
§4.11). Every module must end where a real one would: the change made and said, never "unknown" or "not
applied" because the wait gave up early or trusted a login too soon."""

import pytest

import rel_report
import rel_run
import rel_sim
import rel_variants

RESTART_SECONDS = 9   # three phases of 3 s each: far longer than the client's 3.5 s of read retries
RESTARTING = [rel_variants.TlsPresent, rel_variants.TlsRenewed, rel_variants.VmcaRoot]
FAULTS = [
    ('none', 'no fault: the change, then the whole restart', None),
    ('apply-503', 'applied, then answered 503', {'status': 503, 'apply': True}),
    ('drop-after', 'applied, then the connection dropped', {'drop': 'after'}),
]


@pytest.fixture(scope='module')
def slow_sim(tmp_path_factory):
    proc = rel_sim.Simulator(str(tmp_path_factory.mktemp('certsim-slow')), '--restart-phases', '1,1,1',
                             restart_seconds=str(RESTART_SECONDS))
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope='module')
def sim701(tmp_path_factory):
    proc = rel_sim.Simulator(str(tmp_path_factory.mktemp('certsim-701')), '--version', '7.0.1')
    yield proc
    assert proc.stop() == 0


def _fresh(sim):
    control = sim.control()
    control.wait_idle(timeout=60)
    control.reset()
    control.reset_stats()
    return control


@pytest.mark.parametrize('fault_id,description,spec', FAULTS, ids=[f[0] for f in FAULTS])
@pytest.mark.parametrize('variant_class', RESTARTING, ids=[v.__name__ for v in RESTARTING])
def test_a_long_phased_restart_is_waited_out(variant_class, fault_id, description, spec, slow_sim, pki, tmp_path,
                                             report):
    vc = _fresh(slow_sim)
    variant = variant_class(pki, str(tmp_path))
    with vc.rest() as rest:
        variant.setup(vc, rest)
    vc.wait_idle(timeout=60)
    vc.reset_stats()
    if spec is not None:
        vc.add_fault(method=variant.method, path=variant.path_part, **spec)

    result = rel_run.run_inproc(variant.module, variant.args(vc.port))

    vc.wait_idle(timeout=60)
    stats = vc.stats()
    row = report.add('real', order=RESTARTING.index(variant_class) * 10 + [f[0] for f in FAULTS].index(fault_id),
                     case='%s, %s s restart (refused, plain-text 503, login only): %s' % (
                         variant.label, RESTART_SECONDS, description),
                     outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
                     msg=result.get('msg') or '; '.join('warning: %s' % w for w in result.get('warnings', [])))
    with vc.rest() as rest:
        assert variant.desired(vc, rest), 'vCenter is not in the desired state: %r' % result
    if result.get('failed'):
        # the change was made: only "changed" is true (not "unknown": the read-back had time to wait)
        assert result['vcenter_state'] == 'changed', result
    else:
        assert result['changed'] is True, result
        if spec is not None:
            assert any('WAS applied' in w for w in result.get('warnings', [])), result
    assert stats['active_sessions'] == 0, 'a session was left open on vCenter'
    row['outcome'] = rel_report.outcome_of(result)


@pytest.mark.parametrize('module', ['vcenter_tls_cert_info', 'vcenter_trusted_root_info'])
def test_an_api_login_does_not_prove_the_endpoints_are_on_api(module, sim701, report):
    vc = _fresh(sim701)
    result = rel_run.run_inproc(module, rel_run.connection(vc.port))
    stats = vc.stats()
    report.add('real', order=100 + ['vcenter_tls_cert_info', 'vcenter_trusted_root_info'].index(module),
               case='%s on a 7.0.1 vCenter: POST /api/session answers, the endpoints are on /rest only' % module,
               outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
               msg=result.get('msg') or 'requests: %s' % ', '.join(sorted(stats['requests'])))
    assert not result.get('failed'), result
    assert any(r.startswith('GET /rest/vcenter/certificate-management') for r in stats['requests']), stats['requests']
    assert stats['active_sessions'] == 0, 'the /api session was left open when the client moved to /rest'
