# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vcenter_trusted_root with a list of chains (issue 12), against the simulator.

* the request budget: chains already trusted cost 1 login + 1 list + 1 read per chain in the store + 1 logout;
* check mode predicts the whole run (each entry planned against the store the entries before it leave), and the
  real run does what it predicted;
* a failed entry stops the run: the error names it, says what the entries before it changed
  (``vcenter_state=changed``) and that the ones after it were not attempted, and vCenter holds exactly that;
* bad input in any entry is refused before anything is sent.
"""

import rel_pki
import rel_run

P = '/vcenter/certificate-management/vcenter'
TRC = P + '/trusted-root-chains'


def _ids(vc):
    with vc.rest() as rest:
        listed = rest.call('GET', TRC)
    return sorted(c['chain'] for c in listed)


def _roots():
    return [rel_pki.ca('Reliability List Root %d' % n) for n in range(3)]


def test_three_chains_already_trusted_cost_one_read_of_the_store(vc):
    roots = _roots()
    chains = [dict(certificates=r.pem, chain_id='rel-list-%d' % n) for n, r in enumerate(roots)]
    first = rel_run.run_inproc('vcenter_trusted_root', rel_run.connection(vc.port, chains=chains))
    assert first.get('changed') is True and not first.get('failed'), first
    assert [r['chain_id'] for r in first['chain_results']] == ['rel-list-0', 'rel-list-1', 'rel-list-2']
    assert all(r['changed'] and r['state'] == 'present' for r in first['chain_results'])
    in_store = len(_ids(vc))
    vc.reset_stats()

    again = rel_run.run_inproc('vcenter_trusted_root', rel_run.connection(vc.port, chains=chains))

    stats = vc.stats()
    assert again.get('changed') is False and not again.get('failed'), again
    assert [r['changed'] for r in again['chain_results']] == [False, False, False]
    assert stats['writes_attempted'] == 0
    assert stats['logins'] == 1 and stats['logouts'] == 1, stats
    requests = stats['requests']
    login_logout = sum(n for path, n in requests.items() if 'session' in path)
    lists = sum(n for path, n in requests.items() if path.rstrip('/').endswith('trusted-root-chains'))
    reads = sum(n for path, n in requests.items() if 'trusted-root-chains/' in path)
    assert login_logout == 2, requests
    assert lists == 1, requests
    assert reads == in_store, (reads, in_store, requests)
    assert sum(requests.values()) == 2 + 1 + in_store, requests


def test_chains_without_ids_are_each_created_once(vc):
    roots = _roots()
    chains = [dict(certificates=r.pem) for r in roots]
    args = rel_run.connection(vc.port, chains=chains)
    predicted = rel_run.run_inproc('vcenter_trusted_root', args, check=True)
    before = _ids(vc)

    first = rel_run.run_inproc('vcenter_trusted_root', args)

    assert [r['changed'] for r in predicted['chain_results']] == [True, True, True], predicted
    assert first.get('changed') is True and not first.get('failed'), first
    created = [r['chain_id'] for r in first['chain_results']]
    assert len(set(created)) == 3 and None not in created, created
    assert sorted(set(_ids(vc)) - set(before)) == sorted(created)
    assert rel_run.run_inproc('vcenter_trusted_root', args).get('changed') is False


def test_check_mode_predicts_the_whole_list_and_the_run_matches(vc, pki):
    roots = _roots()
    with vc.rest() as rest:
        rest.call('POST', TRC, {'chain': 'rel-list-old', 'cert_chain': {'cert_chain': [roots[0].pem]}})
    chains = [
        dict(certificates=roots[1].pem, chain_id='rel-list-new'),
        dict(chain_id='rel-list-old', state='absent'),
        dict(certificates=roots[1].pem),                       # already there after the first entry: no change
        dict(certificates=roots[2].pem, chain_id='rel-list-gone', state='absent'),   # not there: no change
    ]
    args = rel_run.connection(vc.port, chains=chains)
    vc.reset_stats()

    predicted = rel_run.run_inproc('vcenter_trusted_root', args, check=True, diff=True)

    assert vc.stats()['writes_attempted'] == 0
    assert predicted.get('changed') is True, predicted
    assert [r['changed'] for r in predicted['chain_results']] == [True, True, False, False], predicted
    assert predicted['actions'] == ['create trusted root chain rel-list-new', 'delete trusted root chain rel-list-old']

    done = rel_run.run_inproc('vcenter_trusted_root', args, diff=True)

    assert done.get('changed') is True and not done.get('failed'), done
    assert [r['changed'] for r in done['chain_results']] == [True, True, False, False]
    assert done['actions'] == predicted['actions']
    assert done['diff']['after'] == predicted['diff']['after']
    ids = _ids(vc)
    assert 'rel-list-new' in ids and 'rel-list-old' not in ids
    assert done['chain_results'][1]['removed_chain_ids'] == ['rel-list-old']
    assert rel_run.run_inproc('vcenter_trusted_root', args).get('changed') is False


def test_a_failed_entry_stops_the_run_and_says_what_was_applied(vc):
    roots = _roots()
    with vc.rest() as rest:
        rest.call('POST', TRC, {'chain': 'rel-stop-victim', 'cert_chain': {'cert_chain': [roots[1].pem]}})
    chains = [dict(certificates=roots[0].pem, chain_id='rel-stop-0'),
              dict(chain_id='rel-stop-victim', state='absent'),
              dict(certificates=roots[2].pem, chain_id='rel-stop-2')]
    vc.add_fault(method='DELETE', path='trusted-root-chains/rel-stop-victim', status=400, count=1)
    result = rel_run.run_inproc('vcenter_trusted_root', rel_run.connection(vc.port, chains=chains))

    assert result.get('failed') is True, result
    assert result['vcenter_state'] == 'changed', result
    msg = result['msg']
    assert msg.index('chains[1] (absent, chain_id rel-stop-victim)') < msg.index('the change was NOT applied') \
        < msg.index('Before it, this task changed chains[0] (present, chain_id rel-stop-0)'), msg
    assert 'Not attempted: chains[2] (present, chain_id rel-stop-2)' in msg, msg
    ids = _ids(vc)
    assert 'rel-stop-0' in ids and 'rel-stop-victim' in ids and 'rel-stop-2' not in ids
    assert vc.stats()['active_sessions'] == 0


def test_bad_input_in_any_entry_is_refused_before_anything_is_sent(vc, pki):
    leaf = pki.server()
    cases = [
        ([dict(certificates=pki.extra_root.pem), dict(certificates=leaf.pem)], 'chains[1] (present)',
         'is not a CA certificate'),
        ([dict(certificates=pki.extra_root.pem), dict(state='absent')], 'chains[1] (absent)',
         'chain_id or certificates is required'),
        ([dict(chain_id='x', state='present')], 'chains[0] (present, chain_id x)', 'certificates is required'),
    ]
    for chains, who, what in cases:
        vc.reset_stats()
        result = rel_run.run_inproc('vcenter_trusted_root', rel_run.connection(vc.port, chains=chains))
        stats = vc.stats()
        assert result.get('failed') is True and result['vcenter_state'] == 'unchanged', result
        assert who in result['msg'] and what in result['msg'], result['msg']
        assert sum(stats['requests'].values()) == 0, stats['requests']
