# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault matrix: every state-changing module run, with a fault injected on its state-changing request.

For each case the first run must reach the desired state or fail with ``Failed to <operation>: ...`` and a
``vcenter_state`` that matches what the simulator really did (write log + raw REST read); the write must
not be resent blindly; nothing may be half-done; a rerun without the fault converges and a third run
changes nothing.
"""

import pytest

import rel_report
import rel_run
import rel_variants

SLOW_TIMEOUT = 1     # vcenter_timeout of the run that meets the slow answer
SLOW_DELAY = 2     # the simulator answers after this many seconds (and then applies the change)

FAULTS = [
    # id, description, fault spec (None: on the write itself), needs the write request
    ('login-503', '503 at login (services restarting), then the write',
     {'method': 'POST', 'path': '/session', 'status': 503, 'count': 1}),
    ('write-503', '503 on the write', {'status': 503}),
    ('drop-before', 'connection dropped before the write is processed', {'drop': 'before'}),
    ('drop-after', 'connection dropped after the write was applied', {'drop': 'after'}),
    ('expired-401', 'session expired between read and write (401)', {'expire_sessions': True}),
    ('write-500', '500 on the write', {'status': 500}),
    ('slow', 'answer slower than vcenter_timeout (%ss > %ss)' % (SLOW_DELAY, SLOW_TIMEOUT), {'delay': SLOW_DELAY}),
    # a real PUT .../tls answered the restart 503 (vcenter-fidelity.md row 8): the change may be applied all the same
    ('apply-503', 'the write is applied, then answered 503 (restart)', {'status': 503, 'apply': True}),
    ('apply-500', 'the write is applied, then answered 500', {'status': 500, 'apply': True}),
]

STATES = ('unchanged', 'changed', 'unknown')


def _check_failure_message(result):
    msg = result.get('msg', '')
    assert msg.startswith('Failed to '), msg
    state = result.get('vcenter_state')
    assert state in STATES, 'a failed run must say what it left behind (vcenter_state): %r' % result
    if state == 'unchanged':
        assert 'WAS applied' not in msg, msg
    if state == 'changed':
        assert 'NOT applied' not in msg, msg
    return state


@pytest.mark.parametrize('fault_id,description,spec', FAULTS, ids=[f[0] for f in FAULTS])
@pytest.mark.parametrize('variant_class', rel_variants.VARIANTS, ids=[v.__name__ for v in rel_variants.VARIANTS])
def test_fault(variant_class, fault_id, description, spec, vc, pki, tmp_path, report):
    variant = variant_class(pki, str(tmp_path))
    with vc.rest() as rest:
        variant.setup(vc, rest)
    vc.wait_idle()
    with vc.rest() as rest:  # a new session: a setup that restarts vCenter ends the old one
        before = variant.snapshot(vc, rest)
    vc.reset_stats()

    fault = dict(spec)
    if 'path' not in fault:
        fault.update(method=variant.method, path=variant.path_part)
    vc.add_fault(**fault)
    args = variant.args(vc.port)
    if fault_id == 'slow':
        args['vcenter_timeout'] = SLOW_TIMEOUT

    first = rel_run.run_inproc(variant.module, args)

    # a delayed write lands after the client gave up: wait for it, and for the restart window to end
    writes = vc.wait_for_write(variant.method, variant.path_part, count=1, timeout=15)
    vc.wait_idle()
    assert vc.faults() == [], 'the fault was not triggered: the module sent no such request'
    stats = vc.stats()
    writes = [w for w in stats['write_log'] if w['method'] == variant.method and variant.path_part in w['path']]
    applied = [w for w in writes if w['applied']]
    with vc.rest() as rest:
        after = variant.snapshot(vc, rest)
        reached = variant.desired(vc, rest)
        variant.check_consistent(vc, rest)

    order = rel_variants.VARIANTS.index(variant_class) * 100 + [f[0] for f in FAULTS].index(fault_id)
    row = report.add('fault', order=order, variant=variant.label, fault=description,
                     first=rel_report.outcome_of(first), vcenter_state=first.get('vcenter_state'),
                     msg=first.get('msg') or '; '.join('warning: %s' % w for w in first.get('warnings', [])),
                     writes='%d (%d)' % (len(writes), len(applied)), rerun='-', third='-')

    # ---- the first run: desired state, or an honest failure
    if first.get('failed'):
        state = _check_failure_message(first)
        if state == 'unchanged':
            assert not applied and after == before, 'reported unchanged, but vCenter changed: %r' % first
        elif state == 'changed':
            assert applied or after != before, 'reported changed, but vCenter did not change: %r' % first
    else:
        assert first['changed'] is True, first
        assert reached, 'the run reported success, but vCenter is not in the desired state: %r' % first

    # ---- what each fault must lead to
    if fault_id in ('write-503', 'write-500'):
        # a CSR's new key cannot be read back: after a 5xx answer that is all the module can say
        expected = 'unknown' if variant.unobservable else 'unchanged'
        assert first.get('failed') and first['vcenter_state'] == expected, first
    elif fault_id == 'drop-before':
        assert first.get('failed') and first['vcenter_state'] in ('unchanged', 'unknown'), first
    elif fault_id == 'drop-after':
        assert applied, 'drop "after" applies the change'
        if not first.get('failed'):
            assert any('WAS applied' in w for w in first.get('warnings', [])), \
                'a change applied despite a lost answer must be reported as a warning: %r' % first
        else:
            assert first['vcenter_state'] in ('changed', 'unknown'), first
    elif fault_id in ('apply-503', 'apply-500'):
        # the read-back waits out the restart, so it can tell: never "not applied"; "unknown" only where the state
        # cannot be read back (a CSR's key) or may show the change only later (a trust store that settles)
        assert applied, 'the fault applies the change'
        if not first.get('failed'):
            assert any('WAS applied' in w for w in first.get('warnings', [])), \
                'a change applied despite an error answer must be reported as a warning: %r' % first
        else:
            assert first['vcenter_state'] in (('changed', 'unknown') if variant.unobservable else ('changed',)), first
    elif fault_id in ('expired-401', 'login-503'):
        assert not first.get('failed'), first
    elif fault_id == 'slow':
        assert first.get('failed'), first

    # ---- writes are never retried blindly (a 401 means vCenter did not process it: one re-login + resend)
    if fault_id == 'expired-401':
        assert len(writes) == 2, writes
        assert writes[0]['status'] == 401 and not writes[0]['applied'], writes
        assert writes[1]['applied'], writes
    else:
        assert len(writes) == 1, 'the write was sent %d times: %r' % (len(writes), writes)

    # ---- no session is left open, whatever happened
    assert stats['active_sessions'] == 0, 'the faulted run left a session open on vCenter'

    # ---- a rerun converges, a third run changes nothing
    second = rel_run.run_inproc(variant.module, variant.args(vc.port))
    third = rel_run.run_inproc(variant.module, variant.args(vc.port))
    row.update(rerun=rel_report.outcome_of(second), third=rel_report.outcome_of(third))
    assert not second.get('failed'), second
    assert not third.get('failed') and third['changed'] is False, third
    vc.wait_idle()
    with vc.rest() as rest:
        assert variant.desired(vc, rest), 'not converged after the rerun'
        variant.check_consistent(vc, rest)
    assert vc.stats()['active_sessions'] == 0, 'a rerun left a session open on vCenter'
