# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Session leaks: hundreds of module runs (successes, no-ops, check mode, refusals, failed writes), then
vCenter must hold no session of ours.

Phase A sends nothing that makes vCenter invalidate sessions itself (no service restart, no expiry), so every
login must be matched by a logout. Phase B adds service restarts, expired sessions and dropped connections
(vCenter ends those sessions, so logins exceed logouts by design) and real ``ansible-playbook`` runs; the
simulator must still end with no active session.
"""

import json
import os
import sys

from cryptography import x509

import rel_pki
import rel_run
import rel_sim

P = rel_sim.P
# The subject fields TlsCsr.Spec / Tls.ReplaceSpec require (only organization_unit may be left out).
REQUIRED = dict(locality='Berlin', state_or_province='Berlin', country='DE', email_address='pki@reliability.test')

PLAYBOOK = r'''
- name: Session leak runs
  hosts: vc1
  gather_facts: false
  vars_files: [vars.json]
  module_defaults:
    group/certops.vcenter.vcenter: "{{ conn }}"
  tasks:
    - name: A write that fails (fault armed by the test; a short read-back, the session is what is checked)
      certops.vcenter.vcenter_trusted_root:
        certificates: "{{ other_root_pem }}"
        wait_timeout: 2
      ignore_errors: true
    - name: Info
      certops.vcenter.vcenter_tls_cert_info:
    - name: Trusted roots info
      certops.vcenter.vcenter_trusted_root_info:
    - name: STS info
      certops.vcenter.vcenter_sts_signing_cert_info:
    - name: Add a root
      certops.vcenter.vcenter_trusted_root:
        certificates: "{{ root_pem }}"
        chain_id: rel-session-play
    - name: Add it again
      certops.vcenter.vcenter_trusted_root:
        certificates: "{{ root_pem }}"
        chain_id: rel-session-play
    - name: Remove it
      certops.vcenter.vcenter_trusted_root:
        state: absent
        chain_id: rel-session-play
    - name: Refresh the STS certificate
      certops.vcenter.vcenter_sts_signing_cert:
        state: refreshed
        force: true
    - name: VMCA-signed, in check mode
      certops.vcenter.vcenter_tls_cert:
        state: vmca_signed
        organization: Other
        locality: Berlin
        state_or_province: Berlin
        country: DE
        email_address: pki@reliability.test
      check_mode: true
    - name: Wrong password
      certops.vcenter.vcenter_tls_cert_info:
        vcenter_password: wrong
      ignore_errors: true
    - name: Refused input
      certops.vcenter.vcenter_csr:
        country: Germany
      ignore_errors: true
    - name: Refused removal of an anchor
      certops.vcenter.vcenter_trusted_root:
        state: absent
        certificates: "{{ vmca_root_pem }}"
      ignore_errors: true
'''
PLAYBOOK_TASKS = 12


class Runs(object):
    def __init__(self, port):
        self.port = port
        self.count = 0
        self.failed = 0

    def __call__(self, module, check=False, **args):
        result = rel_run.run_inproc(module, rel_run.connection(self.port, **args), check=check)
        self.count += 1
        self.failed += 1 if result.get('failed') else 0
        return result


def _playbook(workdir, port, pki, vc, runs):
    with open(os.path.join(workdir, 'vars.json'), 'w') as handle:
        json.dump({'conn': rel_run.connection(port), 'root_pem': pki.extra_root.pem,
                   'other_root_pem': pki.other_root.pem, 'vmca_root_pem': vc.vmca_root()['pem']}, handle)
    with open(os.path.join(workdir, 'inventory.ini'), 'w') as handle:
        handle.write('vc1 ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    playbook = os.path.join(workdir, 'session.yml')
    with open(playbook, 'w') as handle:
        handle.write(PLAYBOOK)
    vc.add_fault(method='POST', path='trusted-root-chains', status=500, count=1)
    proc = rel_run.ansible_playbook(workdir, playbook)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert 'failed=0' in proc.stdout and 'ignored=4' in proc.stdout, proc.stdout[-2000:]
    runs.count += PLAYBOOK_TASKS
    runs.failed += 4


def test_no_session_left_behind(pki, tmp_path, report):
    workdir = str(tmp_path)
    sim = rel_sim.Simulator(os.path.join(workdir, 'sim'))
    try:
        vc = sim.control()
        _run_phases(sim, vc, pki, workdir, report)
    finally:
        assert sim.stop() == 0


def _run_phases(sim, vc, pki, workdir, report):
    run = Runs(sim.port)
    with vc.rest() as rest:
        current_pem = rest.tls()['cert']
    sts_a, sts_b = pki.sts(), pki.sts()
    vmca_chain_id = rel_pki.sha1(x509.load_pem_x509_certificate(
        vc.vmca_root()['pem'].encode('ascii'))).replace(':', '')
    vc.reset_stats()

    # ---------------------------------------------------------------- phase A: no session ended by vCenter
    for round_no in range(13):
        sts = sts_a if round_no % 2 == 0 else sts_b
        assert not run('vcenter_tls_cert_info').get('failed')
        assert run('vcenter_tls_cert', certificate=current_pem)['changed'] is False        # machine SSL check
        assert not run('vcenter_trusted_root_info').get('failed')
        assert not run('vcenter_sts_signing_cert_info').get('failed')
        assert run('vcenter_trusted_root', certificates=pki.extra_root.pem, chain_id='rel-s')['changed'] is True
        assert run('vcenter_trusted_root', state='absent', chain_id='rel-s')['changed'] is True
        assert run('vcenter_sts_signing_cert', certificate_chain=pki.sts_chain_pem(sts),
                   private_key=sts.key_pem)['changed'] is True
        assert not run('vcenter_sts_signing_cert', state='refreshed', force=True).get('failed')
        assert not run('vcenter_csr', organization='Session', key_size=2048, **REQUIRED).get('failed')
        assert run('vcenter_tls_cert', check=True, state='vmca_signed', organization='Other',
                   **REQUIRED)['changed'] is True
        assert run('vcenter_vmca_root', check=True, organization='Other')['changed'] is True
        # failures
        assert run('vcenter_tls_cert_info', vcenter_password='wrong-%d' % round_no)['failed']        # login refused
        assert run('vcenter_csr', country='Germany')['failed']                                       # input refused
        assert run('vcenter_trusted_root', state='absent', chain_id=vmca_chain_id)['failed']         # guard rail
        assert run('vcenter_csr', certificate='sts_signing', organization='X')['failed']             # version
        fault = [{'status': 500}, {'status': 503}, {'drop': 'before'}][round_no % 3]
        vc.add_fault(method='POST', path='trusted-root-chains', count=1, **fault)
        assert run('vcenter_trusted_root', certificates=pki.other_root.pem,
                   wait_timeout=2)['failed']                                                         # failed write
        vc.add_fault(method='GET', path='signing-certificate', status=500, count=1)
        assert run('vcenter_sts_signing_cert_info')['failed']                                        # failed read
    _playbook(workdir, sim.port, pki, vc, run)
    stats = vc.stats()
    row = report.add('sessions', order=0, phase='A: successes, no-ops, check mode, refusals, failed reads and '
                     'writes (no session ended by vCenter); in-process runs and one ansible-playbook run',
                     runs=run.count, failed=run.failed, logins=stats['logins'], logouts=stats['logouts'],
                     invalidated=0, active=stats['active_sessions'])
    assert run.count >= 200
    assert stats['logins'] > 150, 'the runs did not log in'
    assert stats['active_sessions'] == 0, stats
    assert stats['logins'] == stats['logouts'], (stats['logins'], stats['logouts'])
    row['checked'] = True

    # ---------------------------------------------------------------- phase B: restarts, expiry, drops
    vc.reset_stats()
    before = run.count, run.failed
    leaf = pki.server()
    tls_args = dict(certificate=pki.server_chain_pem(leaf), private_key=leaf.key_pem,
                    root_certificate=pki.root.pem, wait_timeout=60)
    assert run('vcenter_tls_cert', **tls_args)['changed'] is True                                   # restart
    assert run('vcenter_tls_cert', **tls_args)['changed'] is False
    vc.add_fault(method='POST', path='replace-vmca-signed', drop='after')
    assert not run('vcenter_tls_cert', state='vmca_signed', organization='Session B', key_size=2048,
                   wait_timeout=60, **REQUIRED).get('failed')                                                    # drop + restart
    vc.add_fault(method='POST', path='trusted-root-chains', expire_sessions=True)
    assert run('vcenter_trusted_root', certificates=pki.extra_root.pem)['changed'] is True          # 401 + re-login
    vc.expire_sessions()
    assert not run('vcenter_trusted_root_info').get('failed')
    vc.add_fault(method='POST', path='tls?action=renew', delay=2)
    assert run('vcenter_tls_cert', state='renewed', force=True, vcenter_timeout=1)['failed']        # slow answer
    vc.wait_for_write('POST', 'tls?action=renew')
    vc.wait_idle()
    assert not run('vcenter_tls_cert', state='renewed', force=True, wait_timeout=60).get('failed')  # restart
    assert not run('vcenter_vmca_root', organization='Session B root', key_size=2048,
                   wait_timeout=60).get('failed')                                                    # restart
    vc.wait_idle()
    _playbook(workdir, sim.port, pki, vc, run)
    stats = vc.stats()
    report.add('sessions', order=1, phase='B: service restarts, expired sessions, dropped and slow answers, '
               'one ansible-playbook run', runs=run.count - before[0], failed=run.failed - before[1],
               logins=stats['logins'], logouts=stats['logouts'], invalidated='by design (restarts, expiry)',
               active=stats['active_sessions'])
    assert stats['active_sessions'] == 0, stats
    assert stats['logins'] >= stats['logouts']
