#!/usr/bin/env python
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Performance benchmark of certops.vcenter on the simulator (``make bench``); writes docs/performance.md.

Not a test: it asserts nothing about speed, it measures. Every figure in the document comes from one run.
Needs ANSIBLE_COLLECTIONS_PATH to hold the collection (run-bench.sh sets it up) and ansible-playbook of this
Python's environment.

  python tests/bench/bench.py --out docs/performance.md [--json results.json] [--baseline before.json] [--quick]
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'reliability'))

import rel_pki  # noqa: E402  pylint: disable=wrong-import-position
import rel_sim  # noqa: E402  pylint: disable=wrong-import-position

P = rel_sim.P
# The subject fields TlsCsr.Spec and Tls.ReplaceSpec require (vcenter_csr, vcenter_tls_cert state=vmca_signed).
BENCH_SUBJECT = {'organization': 'Bench', 'locality': 'Berlin', 'state_or_province': 'Berlin', 'country': 'DE',
                 'email_address': 'pki@bench.test'}
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(PYTHON), 'ansible-playbook')
MODULE_PKG = 'ansible_collections.certops.vcenter.plugins.modules'
PEM_CAP = 120  # seconds: time cap of one pathological-PEM measurement
MODULES = sorted(f[:-3] for f in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
                 if f.startswith('vcenter_') and f.endswith('.py'))


# --------------------------------------------------------------------------- helpers

def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    if value is None:
        return '-'
    return '%.*f' % (digits, value)


def load_average():
    try:
        return '%.2f %.2f %.2f' % os.getloadavg()
    except OSError:  # pragma: no cover
        return 'n/a'


class Bench(object):

    def __init__(self, workdir, quick=False):
        self.workdir = workdir
        self.quick = quick
        # 2 repetitions (was 3) and N = 5 (was 9): the fleet of 200 vCenters needs the time (15 minutes on 2 cores)
        self.n_tasks = 4 if quick else 5
        self.reps = 1 if quick else 2
        self.results = {'started': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
                        'load_start': load_average(), 'n_tasks': self.n_tasks, 'reps': self.reps}
        self.env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                        ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp-local'),
                        ANSIBLE_REMOTE_TEMP=os.path.join(workdir, 'tmp-remote'), ANSIBLE_SYSTEM_WARNINGS='0')
        self.pki = rel_pki.Pki()

    # ------------------------------------------------------------------ plumbing
    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, 'w') as handle:
            handle.write(text)
        return path

    def inventory(self, name, ports, ca_path, validate=True):
        lines = ['[vcenters]']
        for index, port in enumerate(ports):
            lines.append('vc%d ansible_connection=local ansible_python_interpreter=%s certops_vcenter_port=%d'
                         % (index, PYTHON, port))
        lines += ['[vcenters:vars]', 'certops_vcenter_hostname=127.0.0.1',
                  'certops_vcenter_username=%s' % rel_pki.ADMIN, 'certops_vcenter_password=%s' % rel_pki.SIM_PASSWORD,
                  'certops_vcenter_validate_certs=%s' % ('true' if validate else 'false'),
                  'certops_vcenter_ca_path=%s' % ca_path]
        return self.write(name, '\n'.join(lines) + '\n')

    def playbook(self, name, tasks, hosts='vcenters', extra_vars=None):
        """``tasks``: YAML text of the tasks (indented by 4)."""
        text = ['- name: Benchmark', '  hosts: %s' % hosts, '  gather_facts: false']
        if extra_vars:
            text.append('  vars_files: [%s]' % extra_vars)
        text += ['  module_defaults:', '    group/certops.vcenter.vcenter:',
                 '      vcenter_hostname: "{{ certops_vcenter_hostname }}"',
                 '      vcenter_port: "{{ certops_vcenter_port }}"',
                 '      vcenter_username: "{{ certops_vcenter_username }}"',
                 '      vcenter_password: "{{ certops_vcenter_password }}"',
                 '      vcenter_validate_certs: "{{ certops_vcenter_validate_certs }}"',
                 '      vcenter_ca_path: "{{ certops_vcenter_ca_path }}"',
                 '  tasks:', tasks]
        return self.write(name, '\n'.join(text) + '\n')

    def run(self, playbook, inventory, *args, env=None):
        """Wall time of one ansible-playbook run (fails loudly: a broken benchmark must not print figures).
        ``self.last_rss_mb``: peak resident memory of the controller (ansible-playbook and its reaped workers: the
        largest of them, from wait4)."""
        argv = [ANSIBLE_PLAYBOOK] + (['-i', inventory] if inventory else []) + [playbook] + list(args)
        out_path = os.path.join(self.workdir, 'last-run.out')
        start = time.monotonic()
        with open(out_path, 'w+') as out:
            proc = subprocess.Popen(argv, cwd=self.workdir, env=env or self.env, stdout=out,  # pylint: disable=consider-using-with
                                    stderr=subprocess.STDOUT, text=True)
            dummy, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            elapsed = time.monotonic() - start
            out.seek(0)
            stdout = out.read()
        self.last_rss_mb = usage.ru_maxrss / 1024.0
        if proc.returncode != 0:
            raise RuntimeError('%s failed:\n%s' % (playbook, stdout[-6000:]))
        return elapsed, stdout

    @staticmethod
    def requests_of(stats):
        return sum(stats['requests'].values())

    # ------------------------------------------------------------------ 0: the simulator itself
    def simulator_round_trip(self, sim):
        """Round trip of one small request on a kept-alive connection: part of every "module work" figure."""
        control = sim.control()
        control.stats()
        times = []
        for dummy in range(20):
            start = time.perf_counter()
            control.stats()
            times.append(time.perf_counter() - start)
        self.results['sim_rtt'] = median(times)

    # ------------------------------------------------------------------ 1+2: per-task time and requests
    def noop_cases(self, vc):
        """(label, task YAML, preparation) for each module's idempotent no-op, and ping."""
        sts = self.pki.sts()
        sts_vars = self.write('sts.json', json.dumps({'sts_chain': self.pki.sts_chain_pem(sts),
                                                      'sts_key': sts.key_pkcs8}))
        with vc.rest() as rest:
            rest.call('PUT', P + '/signing-certificate', {
                'signing_cert_chain': {'cert_chain': [sts.pem, self.pki.root.pem]}, 'private_key': sts.key_pkcs8})
            # a VMCA-signed certificate with the subject the "vmca_signed, satisfied" no-op asks for (Tls.ReplaceSpec
            # requires these fields; only organization_unit may be "")
            rest.call('POST', P + '/tls?action=replace-vmca-signed', dict(BENCH_SUBJECT, organization_unit=''))
        vc.wait_idle()
        with vc.rest() as rest:
            current = rest.tls()['cert']
        self.write('current.pem', current)
        csr_dest = os.path.join(self.workdir, 'noop.csr')
        # (label, task, timed): every no-op is timed (N = 5 and 2 repetitions keep `make bench` within its budget)
        cases = [
            ('ansible.builtin.ping (floor)', 'ansible.builtin.ping:', True),
            ('vcenter_tls_cert (present, the current certificate)',
             'certops.vcenter.vcenter_tls_cert:\n        certificate: "{{ lookup(\'file\', \'current.pem\') }}"', True),
            ('vcenter_tls_cert (vmca_signed, satisfied)', 'certops.vcenter.vcenter_tls_cert:\n        state: vmca_signed\n'
             + ''.join('        %s: %s\n' % item for item in sorted(BENCH_SUBJECT.items())).rstrip('\n'), True),
            ('vcenter_tls_cert (renewed, not due)', 'certops.vcenter.vcenter_tls_cert:\n        state: renewed', True),
            ('vcenter_tls_cert_info', 'certops.vcenter.vcenter_tls_cert_info:', True),
            ('vcenter_certificates_info', 'certops.vcenter.vcenter_certificates_info:', True),
            ('vcenter_csr (dest holds a matching CSR)',
             'certops.vcenter.vcenter_csr:\n'
             + ''.join('        %s: %s\n' % item for item in sorted(BENCH_SUBJECT.items()))
             + '        key_size: 2048\n        dest: %s' % csr_dest, True),
            ('vcenter_trusted_root (present, already trusted)',
             'certops.vcenter.vcenter_trusted_root:\n        certificates: "{{ lookup(\'file\', \'vmca.pem\') }}"', True),
            ('vcenter_trusted_root (absent, not there)',
             'certops.vcenter.vcenter_trusted_root:\n        state: absent\n        chain_id: not-there', True),
            ('vcenter_trusted_root_info', 'certops.vcenter.vcenter_trusted_root_info:', True),
            ('vcenter_vmca_root (satisfied)', 'certops.vcenter.vcenter_vmca_root:', True),
            ('vcenter_sts_signing_cert (present, the active chain)',
             'certops.vcenter.vcenter_sts_signing_cert:\n        certificate_chain: "{{ sts_chain }}"\n'
             '        private_key: "{{ sts_key }}"', True),
            ('vcenter_sts_signing_cert (refreshed, not due)',
             'certops.vcenter.vcenter_sts_signing_cert:\n        state: refreshed', True),
            ('vcenter_sts_signing_cert_info', 'certops.vcenter.vcenter_sts_signing_cert_info:', True),
        ]
        return cases, sts_vars

    def per_task(self, sim, ca_path):
        vc = sim.control()
        vc.reset()
        self.write('vmca.pem', vc.vmca_root()['pem'])
        self.write(os.path.basename(ca_path), vc.vmca_root()['pem'])  # a reset makes a new VMCA root
        inventory = self.inventory('one.ini', [sim.port], ca_path)
        cases, sts_vars = self.noop_cases(vc)
        books = []
        for index, (label, task, timed) in enumerate(cases):
            book = {}
            for n in (1, self.n_tasks):
                tasks = ''.join('    - name: task %d\n      %s\n' % (i, task) for i in range(n))
                book[n] = self.playbook('noop-%d-%d.yml' % (index, n), tasks, extra_vars=sts_vars)
            books.append(book)
            if index == 0 or 'vcenter_csr' in label:
                # a first run warms Ansible's caches, and prepares what the CSR no-op needs (the file)
                self.run(book[1], inventory)
        times = [{1: [], self.n_tasks: []} for dummy in cases]
        stats = [None] * len(cases)

        def measure(index, n):
            label = cases[index][0]
            vc.reset_stats()
            elapsed, out = self.run(books[index][n], inventory)
            if 'changed=0' not in out:
                raise RuntimeError('%s is not a no-op:\n%s' % (label, out[-3000:]))
            times[index][n].append(elapsed)
            if n == 1 and stats[index] is None:
                stats[index] = vc.stats()

        for index, case in enumerate(cases):
            if not case[2]:
                measure(index, 1)  # counted, not timed
        # rounds over all timed cases, so that a burst of load on the shared machine spreads over the cases
        # instead of hitting every repetition of one of them
        for dummy in range(self.reps):
            for index, case in enumerate(cases):
                if case[2]:
                    measure(index, 1)
                    measure(index, self.n_tasks)
        rows = []
        for index, (label, task, timed) in enumerate(cases):
            row = {'case': label, 'timed': timed, 'requests': self.requests_of(stats[index]),
                   'breakdown': stats[index]['requests'], 'writes': stats[index]['writes_attempted'],
                   't1': None, 'tn': None, 'per_task': None}
            if timed:
                row['t1'], row['tn'] = median(times[index][1]), median(times[index][self.n_tasks])
                row['per_task'] = (row['tn'] - row['t1']) / (self.n_tasks - 1)
            rows.append(row)
        floor = rows[0]['per_task']
        for row in rows:
            row['ratio'] = row['per_task'] / floor if row['per_task'] is not None and floor > 0 else None
        self.results['per_task'] = rows

    # ------------------------------------------------------------------ 2b: module work in-process
    def inprocess(self, sim, ca_path):
        """Time of the module's own work (HTTP + certificate logic) in a warm process, imports excluded."""
        script = r'''
import contextlib, io, json, sys, time, statistics
from ansible.module_utils.testing import patch_module_args
import importlib
cases = json.loads(sys.argv[1])
out = {}
for label, module, args in cases:
    mod = importlib.import_module('%s.' + module)
    times = []
    for i in range(6):
        buf = io.StringIO()
        with patch_module_args(dict(args, _ansible_remote_tmp=sys.argv[2])), contextlib.redirect_stdout(buf):
            start = time.perf_counter()
            try:
                mod.main()
            except SystemExit:
                pass
            times.append(time.perf_counter() - start)
        result = json.loads(buf.getvalue())
        assert not result.get('failed') and not result.get('changed'), (label, result)
    out[label] = statistics.median(times[1:])
print(json.dumps(out))
''' % MODULE_PKG
        vc = sim.control()
        with vc.rest() as rest:
            current = rest.tls()['cert']
        conn = dict(vcenter_hostname='127.0.0.1', vcenter_port=sim.port, vcenter_username=rel_pki.ADMIN,
                    vcenter_password=rel_pki.SIM_PASSWORD, vcenter_validate_certs=True, vcenter_ca_path=ca_path)
        with open(os.path.join(self.workdir, 'sts.json')) as handle:
            sts_vars = json.load(handle)
        with open(os.path.join(self.workdir, 'vmca.pem')) as handle:
            vmca_pem = handle.read()
        cases = [
            ('vcenter_tls_cert (present, the current certificate)', 'vcenter_tls_cert', dict(conn, certificate=current)),
            ('vcenter_tls_cert (vmca_signed, satisfied)', 'vcenter_tls_cert',
             dict(conn, state='vmca_signed', **BENCH_SUBJECT)),
            ('vcenter_tls_cert (renewed, not due)', 'vcenter_tls_cert', dict(conn, state='renewed')),
            ('vcenter_tls_cert_info', 'vcenter_tls_cert_info', conn),
            ('vcenter_certificates_info', 'vcenter_certificates_info', conn),
            ('vcenter_csr (dest holds a matching CSR)', 'vcenter_csr',
             dict(conn, key_size=2048, dest=os.path.join(self.workdir, 'noop.csr'), **BENCH_SUBJECT)),
            ('vcenter_trusted_root (present, already trusted)', 'vcenter_trusted_root', dict(conn, certificates=vmca_pem)),
            ('vcenter_trusted_root (absent, not there)', 'vcenter_trusted_root',
             dict(conn, state='absent', chain_id='not-there')),
            ('vcenter_trusted_root_info', 'vcenter_trusted_root_info', conn),
            ('vcenter_vmca_root (satisfied)', 'vcenter_vmca_root', conn),
            ('vcenter_sts_signing_cert (present, the active chain)', 'vcenter_sts_signing_cert',
             dict(conn, certificate_chain=sts_vars['sts_chain'], private_key=sts_vars['sts_key'])),
            ('vcenter_sts_signing_cert (refreshed, not due)', 'vcenter_sts_signing_cert', dict(conn, state='refreshed')),
            ('vcenter_sts_signing_cert_info', 'vcenter_sts_signing_cert_info', conn),
        ]
        env = dict(self.env, PYTHONPATH=os.environ['BENCH_COLLECTIONS_DIR'])
        proc = subprocess.run([PYTHON, '-c', script, json.dumps(cases), self.workdir], env=env,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError('in-process timing failed:\n%s' % proc.stderr[-3000:])
        timings = json.loads(proc.stdout.strip().splitlines()[-1])
        for row in self.results['per_task']:
            row['work'] = timings.get(row['case'])

    # ------------------------------------------------------------------ 3: ansible.builtin.uri vs modules
    def uri_jobs(self, sim, ca_path):
        vc = sim.control()
        leaf = self.pki.server()
        roots = [rel_pki.ca('Bench Root %d' % i) for i in range(3)]
        bundle = os.path.join(self.workdir, 'bundle.pem')
        job_vars = self.write('job.json', json.dumps({
            'wanted_chain': self.pki.server_chain_pem(leaf), 'wanted_key': leaf.key_pkcs8,
            # root_cert of Tls.set: the CA bundle (intermediate and root), as the public clients that succeed send it
            'wanted_cas': self.pki.intermediate.pem + self.pki.root.pem,
            'wanted_root': self.pki.root.pem, 'wanted_roots': [r.pem for r in roots],
            'api': 'https://127.0.0.1:%d/api' % sim.port, 'bundle': bundle}))
        inventory = self.inventory('uri.ini', [sim.port], bundle)
        books = {
            ('machine SSL certificate', 'ansible.builtin.uri'): self.playbook('uri-tls.yml', URI_TLS, extra_vars=job_vars),
            ('machine SSL certificate', 'certops.vcenter'): self.playbook('mod-tls.yml', MOD_TLS, extra_vars=job_vars),
            ('3 trusted roots', 'ansible.builtin.uri'): self.playbook('uri-roots.yml', URI_ROOTS, extra_vars=job_vars),
            ('3 trusted roots', 'certops.vcenter'): self.playbook('mod-roots.yml', MOD_ROOTS, extra_vars=job_vars),
        }
        rows = []
        for (job, impl), book in books.items():
            with open(book) as handle:
                static_tasks = len(re.findall(r'^    - name:', handle.read(), re.M))
            vc.reset()
            self.write('bundle.pem', vc.vmca_root()['pem'] + self.pki.root.pem)  # a reset makes a new VMCA root
            vc.reset_stats()
            change_time, out = self.run(book, inventory)
            change_stats = vc.stats()
            change_runs = _task_runs(out)
            vc.wait_idle()
            times, noop_stats, noop_runs = [], None, None
            for dummy in range(self.reps):
                vc.reset_stats()
                elapsed, out = self.run(book, inventory)
                if 'changed=0' not in out:
                    raise RuntimeError('%s/%s: second run is not a no-op:\n%s' % (job, impl, out[-3000:]))
                times.append(elapsed)
                noop_stats, noop_runs = vc.stats(), _task_runs(out)
            if change_stats['writes_applied'] < 1:
                raise RuntimeError('%s/%s did not change anything on the first run' % (job, impl))
            rows.append({'job': job, 'impl': impl, 'tasks': static_tasks, 'change_runs': change_runs,
                         'change_requests': self.requests_of(change_stats), 'change_time': change_time,
                         'noop_runs': noop_runs, 'noop_requests': self.requests_of(noop_stats),
                         'noop_time': median(times), 'noop_breakdown': noop_stats['requests']})
        self.results['uri'] = rows

    # ------------------------------------------------------------------ 4: cert_report over a fleet
    @staticmethod
    def sim_peak_reset(sim):
        """Reset the simulator process's peak RSS (Linux: clear_refs 5), so VmHWM is the peak of the next run."""
        try:
            with open('/proc/%d/clear_refs' % sim.proc.pid, 'w') as handle:
                handle.write('5')
        except OSError:
            pass

    @staticmethod
    def sim_peak_mb(sim):
        try:
            with open('/proc/%d/status' % sim.proc.pid) as handle:
                for line in handle:
                    if line.startswith('VmHWM:'):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return None

    def report_run(self, fleet_sim, label, book, inventory, forks, count, out_dir, env=None, extra=()):
        vc0 = fleet_sim.control(0)
        vc0.reset_stats()
        self.sim_peak_reset(fleet_sim)
        elapsed, dummy = self.run(book, inventory, '-f', str(forks), '-e', 'out_dir=%s' % out_dir, *extra, env=env)
        html = os.path.join(out_dir, 'vcenter-certificates.html')
        row = {'case': label, 'vcenters': count, 'forks': forks, 'time': elapsed, 'per_vcenter': elapsed / count,
               'requests_per_vcenter': self.requests_of(vc0.stats()), 'controller_mb': self.last_rss_mb,
               'simulator_mb': self.sim_peak_mb(fleet_sim),
               'html_kb': os.path.getsize(html) / 1024.0 if os.path.exists(html) else None}
        print('bench: %s %d vCenters, %d forks: %.1f s' % (label, count, forks, elapsed), flush=True)
        return row

    def fleet(self, fleet_sim):
        size = len(fleet_sim.ports)
        bundle = self.write('fleet-ca.pem', ''.join(fleet_sim.control(i).vmca_root()['pem'] for i in range(size)))
        book = self.write('report.yml', REPORT_PLAYBOOK)
        combos = [(1, 1), (10, 1), (10, 10), (50, 1), (50, 10), (50, 50), (200, 1), (200, 10), (200, 50)]
        if self.quick:
            combos = [(1, 1), (10, 1), (10, 10), (20, 10)]
        combos = [(count, forks) for count, forks in combos if count <= size]
        rows = []
        for count, forks in combos:
            inventory = self.inventory('fleet-%d.ini' % count, fleet_sim.ports[:count], bundle)
            rows.append(self.report_run(fleet_sim, 'report', book, inventory, forks, count,
                                        os.path.join(self.workdir, 'report-%d-%d' % (count, forks))))
        self.results['fleet'] = rows
        big = max(count for count, dummy in combos)
        forks = 10
        inventory = self.inventory('fleet-%d.ini' % big, fleet_sim.ports[:big], bundle)
        extra = []
        # the same fleet with certificate validation off (the rows above have it on, as in production)
        off = self.inventory('fleet-%d-novalidate.ini' % big, fleet_sim.ports[:big], bundle, validate=False)
        extra.append(self.report_run(fleet_sim, 'validation off', book, off, forks, big,
                                     os.path.join(self.workdir, 'report-novalidate')))
        # before: the role as it was (three _info modules per vCenter), from git, same fleet, same run
        old_role = self.old_role()
        if old_role:
            old_book = self.write('report-before.yml', REPORT_PLAYBOOK.replace('certops.vcenter.cert_report', old_role))
            for count in [50 if size >= 50 else size]:  # at 50 only: the old role costs 3 module runs per vCenter
                if count <= size:
                    inv = self.inventory('fleet-%d.ini' % count, fleet_sim.ports[:count], bundle)
                    extra.append(self.report_run(fleet_sim, 'before (3 modules per vCenter)', old_book, inv, forks,
                                                 count, os.path.join(self.workdir, 'report-before-%d' % count)))
        self.results['fleet_extra'] = extra
        self.results['sliced'] = self.sliced(fleet_sim, inventory, big, forks, slices=4)

    def old_role(self):
        """The cert_report role of BEFORE_REV, extracted with git into the work directory (None without git)."""
        target = os.path.join(self.workdir, 'before')
        try:
            os.makedirs(target)
            archive = subprocess.run(['git', '-C', REPO, 'archive', BEFORE_REV, 'roles/cert_report'],
                                     capture_output=True, check=True).stdout
            subprocess.run(['tar', '-x', '-C', target], input=archive, check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        return os.path.join(target, 'roles', 'cert_report')

    def sliced(self, fleet_sim, inventory, count, forks, slices):
        """AWX job slicing by hand: slice k runs hosts k, k+N, ... with cert_report_mode=collect; the slices'
        set_stats data (captured as ansible-runner saves artifacts) merged by a shallow update; then the render."""
        collect = self.write('report-slice.yml', REPORT_PLAYBOOK.replace(
            '      cert_report_output_dir: "{{ out_dir }}"', '      cert_report_mode: collect'))
        render = self.write('report-render.yml', RENDER_PLAYBOOK)
        env = dict(self.env, ANSIBLE_CALLBACK_PLUGINS=os.path.join(REPO, 'tests', 'fleet', 'callback_plugins'),
                   ANSIBLE_CALLBACKS_ENABLED='capture_stats')
        names = ['vc%d' % i for i in range(count)]
        rows, merged = [], {}
        for k in range(slices):
            part = names[k::slices]
            env['CERTOPS_CAPTURE_STATS'] = os.path.join(self.workdir, 'slice-%d.json' % k)
            vc0 = fleet_sim.control(0)
            vc0.reset_stats()
            self.sim_peak_reset(fleet_sim)
            elapsed, dummy = self.run(collect, inventory, '-f', str(forks), '--limit', ','.join(part), env=env)
            with open(env['CERTOPS_CAPTURE_STATS']) as handle:
                data = json.load(handle)
            merged.update(data)
            rows.append({'step': 'slice %d of %d (%d vCenters)' % (k + 1, slices, len(part)), 'vcenters': len(part),
                         'time': elapsed, 'controller_mb': self.last_rss_mb, 'simulator_mb': self.sim_peak_mb(fleet_sim),
                         'published_kb': len(json.dumps(data)) / 1024.0, 'html_kb': None})
            print('bench: slice %d: %.1f s' % (k + 1, elapsed), flush=True)
        merged_path = self.write('merged.json', json.dumps(merged))
        out_dir = os.path.join(self.workdir, 'report-rendered')
        elapsed, dummy = self.run(render, None, '-e', '@' + merged_path, '-e', 'out_dir=%s' % out_dir)
        with open(os.path.join(out_dir, 'vcenter-certificates.json')) as handle:
            rendered = json.load(handle)
        rows.append({'step': 'render (no vCenter contacted)', 'vcenters': len(rendered['vcenters']), 'time': elapsed,
                     'controller_mb': self.last_rss_mb, 'simulator_mb': None,
                     'published_kb': len(json.dumps(merged)) / 1024.0,
                     'html_kb': os.path.getsize(os.path.join(out_dir, 'vcenter-certificates.html')) / 1024.0})
        print('bench: render: %.1f s' % elapsed, flush=True)
        if len(rendered['vcenters']) != count:
            raise RuntimeError('the rendered report lists %d vCenters, not %d' % (len(rendered['vcenters']), count))
        return rows

    # ------------------------------------------------------------------ 5: module start-up
    def imports(self):
        env = dict(self.env, PYTHONPATH=os.environ['BENCH_COLLECTIONS_DIR'])

        def measure(target, reps=5):
            basic, extra = [], []
            for dummy in range(reps):
                out = subprocess.run([PYTHON, '-c', probe % target.replace('; ', '\n')], env=env,
                                     capture_output=True, text=True, check=True).stdout.split()
                basic.append(float(out[0]))
                extra.append(float(out[1]))
            return median(basic), median(extra)

        probe = ('import time; t0 = time.perf_counter(); import ansible.module_utils.basic; t1 = time.perf_counter(); '
                 'exec(%r); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)')
        rows = []
        for module in MODULES:
            basic, extra = measure('import %s.%s' % (MODULE_PKG, module))
            dummy, eager = measure('import %s.%s; import requests' % (MODULE_PKG, module))
            tree = subprocess.run([PYTHON, '-X', 'importtime', '-c', 'import ansible.module_utils.basic; import %s.%s'
                                   % (MODULE_PKG, module)], env=env, capture_output=True, text=True, check=True).stderr
            rows.append({'module': module, 'basic': basic, 'module_and_deps': extra, 'with_requests': eager,
                         'requests': _cumulative(tree, 'requests'), 'cryptography': _cumulative_prefix(tree, 'cryptography'),
                         'urllib3': _cumulative(tree, 'urllib3')})
        libs = {}
        for lib in ('requests', 'cryptography.x509', 'cryptography.hazmat.primitives.serialization'):
            libs[lib] = measure('import %s' % lib)[1]
        self.results['imports'] = {'modules': rows, 'libraries': libs}

    # ------------------------------------------------------------------ 8: pathological PEM input
    def pem_parsing(self, sizes=(1000, 4000, 8000), cap=None):
        """The collection's PEM parsing (``_certs.load_certificates``: split, then load) on input with thousands
        of unterminated ``-----BEGIN CERTIFICATE-----`` lines, alone and in front of one valid certificate.
        Each size runs in a fresh interpreter with a time cap (a quadratic parser takes minutes at 8,000)."""
        script = r'''
import json, sys, time
from ansible_collections.certops.vcenter.plugins.module_utils import _certs
text = sys.stdin.read()
reps = int(sys.argv[1])
times, outcome = [], None
for dummy in range(reps):
    start = time.perf_counter()
    try:
        certs = _certs.load_certificates(text, 'certificate')
        outcome = 'accepted (%d certificates)' % len(certs)
    except _certs.CertificateInputError as exc:
        outcome = 'refused: %s' % str(exc)[:160]
    except Exception as exc:
        outcome = 'crashed: %s: %s' % (type(exc).__name__, str(exc)[:120])
    times.append(time.perf_counter() - start)
    if times[-1] > 5:
        break
times.sort()
print(json.dumps({'seconds': times[len(times) // 2], 'runs': len(times), 'outcome': outcome}))
'''
        cap = cap or PEM_CAP
        valid = self.pki.server_chain_pem(self.pki.server())
        env = dict(self.env, PYTHONPATH=os.environ.get('BENCH_COLLECTIONS_DIR', ''))
        rows = []
        for variant, tail in (('alone', ''), ('before a valid certificate', valid)):
            for lines in sizes:
                text = '-----BEGIN CERTIFICATE-----\n' * lines + tail
                row = {'lines': lines, 'variant': variant, 'bytes': len(text), 'seconds': None, 'runs': 0,
                       'outcome': None}
                try:
                    proc = subprocess.run([PYTHON, '-c', script, str(1 if self.quick else 3)], input=text, env=env,
                                          capture_output=True, text=True, check=False, timeout=cap)
                except subprocess.TimeoutExpired:
                    row['outcome'] = 'not finished within %d s (stopped)' % cap
                else:
                    if proc.returncode != 0:
                        raise RuntimeError('PEM timing failed:\n%s' % proc.stderr[-3000:])
                    row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
                print('bench: PEM, %d unterminated BEGIN lines %s: %s s (%s)' % (
                    lines, variant, fmt(row['seconds'], 3), row['outcome']), flush=True)
                rows.append(row)
        self.results['pem'] = rows


def pem_section(rows):
    out = ['## 8. Pathological PEM input\n',
           'The collection\'s PEM parsing (`plugins/module_utils/_certs.py` `load_certificates`: split the bundle, '
           'then load each certificate) on input made of N lines `-----BEGIN CERTIFICATE-----` without an END line, '
           'alone and followed by one valid certificate chain; each size in a fresh interpreter, median of up to 3 '
           'runs, stopped after %d s. Linear parsing keeps 8,000 lines at about 8 times the 1,000-line figure; a '
           'quadratic one multiplies it by about 64.\n' % PEM_CAP,
           '| input | lines | bytes | parse time (s) | runs | outcome |', '|---|---|---|---|---|---|']
    for row in rows:
        out.append('| %s | %d | %d | %s | %s | %s |' % (
            row['variant'], row['lines'], row['bytes'], fmt(row['seconds'], 3), row['runs'],
            str(row['outcome']).replace('|', '\\|')))
    out.append('')
    return '\n'.join(out)


def _task_runs(output):
    """ok + changed from the recap (task executions, loops counted per item as Ansible does per task)."""
    match = re.search(r'ok=(\d+)\s+changed=(\d+)', output)
    return int(match.group(1)) if match else None


def _cumulative(tree, name):
    for line in tree.splitlines():
        parts = line.split('|')
        if len(parts) == 3 and parts[2].strip() == name:
            return int(parts[1]) / 1e6
    return 0.0


def _cumulative_prefix(tree, prefix):
    """Cumulative import time of a package: its outermost entries (importtime prints a child before its parent,
    the parent one indentation level less deep)."""
    entries = []
    for line in tree.splitlines():
        parts = line.split('|')
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        entries.append((len(name) - len(name.lstrip(' ')), name.strip(), int(parts[1]) / 1e6))
    total = 0.0
    for index, (depth, name, cumulative) in enumerate(entries):
        if name.split('.')[0] != prefix:
            continue
        parent = next((e for e in entries[index + 1:] if e[0] < depth), None)
        if parent is None or parent[1].split('.')[0] != prefix:
            total += cumulative
    return total


# --------------------------------------------------------------------------- the jobs, as users write them

URI_LOGIN = '''    - name: Log in to vCenter
      ansible.builtin.uri:
        url: "{{ api }}/session"
        method: POST
        url_username: "{{ certops_vcenter_username }}"
        url_password: "{{ certops_vcenter_password }}"
        force_basic_auth: true
        ca_path: "{{ bundle }}"
        status_code: 201
      register: login
      no_log: true
'''

URI_TLS = URI_LOGIN + '''    - name: Read the machine SSL certificate
      ansible.builtin.uri:
        url: "{{ api }}/vcenter/certificate-management/vcenter/tls"
        headers: {vmware-api-session-id: "{{ login.json }}"}
        ca_path: "{{ bundle }}"
      register: current
    - name: Fingerprint the wanted certificate
      community.crypto.x509_certificate_info:
        content: "{{ wanted_chain }}"
      register: wanted
    - name: Install the certificate when it differs
      ansible.builtin.uri:
        url: "{{ api }}/vcenter/certificate-management/vcenter/tls"
        method: PUT
        headers: {vmware-api-session-id: "{{ login.json }}"}
        body_format: json
        body: {cert: "{{ wanted_chain }}", key: "{{ wanted_key }}", root_cert: "{{ wanted_cas }}"}
        ca_path: "{{ bundle }}"
        status_code: 204
      when: (current.json.thumbprint | upper) != (wanted.fingerprints.sha1 | upper)
      register: install
      changed_when: true
      no_log: true
    - name: Wait until vCenter is back and accepts a login
      ansible.builtin.uri:
        url: "{{ api }}/session"
        method: POST
        url_username: "{{ certops_vcenter_username }}"
        url_password: "{{ certops_vcenter_password }}"
        force_basic_auth: true
        ca_path: "{{ bundle }}"
        status_code: 201
      register: relogin
      until: relogin.status == 201
      retries: 60
      delay: 1
      when: install is changed
      no_log: true
    - name: Log out
      ansible.builtin.uri:
        url: "{{ api }}/session"
        method: DELETE
        headers: {vmware-api-session-id: "{{ relogin.json if install is changed else login.json }}"}
        ca_path: "{{ bundle }}"
        status_code: 204
'''

MOD_TLS = '''    - name: Make vCenter use this machine SSL certificate
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ wanted_chain }}"
        private_key: "{{ wanted_key }}"
        root_certificate: "{{ wanted_root }}"
        vcenter_ca_path: "{{ bundle }}"
'''

URI_ROOTS = URI_LOGIN + '''    - name: List the trusted root chains
      ansible.builtin.uri:
        url: "{{ api }}/vcenter/certificate-management/vcenter/trusted-root-chains"
        headers: {vmware-api-session-id: "{{ login.json }}"}
        ca_path: "{{ bundle }}"
      register: listed
    - name: Read each chain
      ansible.builtin.uri:
        url: "{{ api }}/vcenter/certificate-management/vcenter/trusted-root-chains/{{ item.chain }}"
        headers: {vmware-api-session-id: "{{ login.json }}"}
        ca_path: "{{ bundle }}"
      loop: "{{ listed.json }}"
      register: chains
    - name: Fingerprint the trusted roots
      community.crypto.x509_certificate_info:
        content: "{{ item.json.cert_chain.cert_chain[0] }}"
      loop: "{{ chains.results }}"
      loop_control: {label: "{{ item.item.chain }}"}
      register: trusted
    - name: Fingerprint the wanted roots
      community.crypto.x509_certificate_info:
        content: "{{ item }}"
      loop: "{{ wanted_roots }}"
      loop_control: {label: "{{ item[28:60] }}"}
      register: wanted
    - name: Add the missing roots
      ansible.builtin.uri:
        url: "{{ api }}/vcenter/certificate-management/vcenter/trusted-root-chains"
        method: POST
        headers: {vmware-api-session-id: "{{ login.json }}"}
        body_format: json
        body: {cert_chain: {cert_chain: ["{{ item.item }}"]}}
        ca_path: "{{ bundle }}"
        status_code: 201
      loop: "{{ wanted.results }}"
      loop_control: {label: "{{ item.fingerprints.sha256 }}"}
      when: item.fingerprints.sha256 not in (trusted.results | map(attribute='fingerprints.sha256') | list)
      changed_when: true
    - name: Log out
      ansible.builtin.uri:
        url: "{{ api }}/session"
        method: DELETE
        headers: {vmware-api-session-id: "{{ login.json }}"}
        ca_path: "{{ bundle }}"
        status_code: 204
'''

MOD_ROOTS = '''    - name: Make these roots trusted (one task, one read of the store)
      certops.vcenter.vcenter_trusted_root:
        chains: >-
          {%- set ns = namespace(out=[]) -%}
          {%- for pem in wanted_roots -%}{%- set ns.out = ns.out + [{'certificates': pem}] -%}{%- endfor -%}
          {{ ns.out }}
'''

REPORT_PLAYBOOK = '''- name: Certificate report
  hosts: vcenters
  gather_facts: false
  roles:
    - role: certops.vcenter.cert_report
      cert_report_output_dir: "{{ out_dir }}"
'''

RENDER_PLAYBOOK = '''- name: Render the fleet report from the slices' published records
  hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: certops.vcenter.cert_report
      cert_report_mode: render
      cert_report_output_dir: "{{ out_dir }}"
'''

# The code before issue 12 (main's tip when the fleet work started): its cert_report role is the "before" of section 4.
BEFORE_REV = 'dfe8619'


# --------------------------------------------------------------------------- the document

def render(results, baseline=None):
    r = results
    out = []
    w = out.append
    w('# Performance\n')
    w('Generated by `make bench` (`tests/bench/run-bench.sh`, `tests/bench/bench.py`) from one run on the project\'s '
      'vCenter simulator; do not edit by hand. The benchmark is not a test: it asserts nothing about speed.\n')
    w('- run: %s on %s (%s CPUs), Python %s, ansible-core %s; load average at start %s, at end %s' % (
        r['started'], platform.machine(), os.cpu_count(), platform.python_version(), r['ansible_version'],
        r['load_start'], r['load_end']))
    w('- every figure below is from this run; the machine is shared, so absolute seconds move with its load, '
      'ratios and request counts much less')
    w('- connection: TLS verified against the simulator\'s VMCA root (`vcenter_validate_certs: true`, '
      '`vcenter_ca_path`), as in production')
    w('- the simulator answers one small request on a kept-alive connection in %s ms (median of 20 `GET '
      '/sim/stats`); every HTTP request of a module pays that, so "module work" below is mostly this round trip '
      'times the number of requests\n' % fmt(r.get('sim_rtt', 0) * 1000, 1))

    w('## 1. Per-task wall time of an idempotent no-op, against `ansible.builtin.ping`\n')
    w('Playbooks with 1 and with N = %d identical tasks on one host (local connection); per task = '
      '(T_N - T_1) / (N - 1), each T the median of %d runs. `ping` is the floor: the cost of a task that starts '
      'a Python module and does nothing. "module work" is the time `main()` itself takes in a warm process '
      '(HTTP requests and certificate logic, imports excluded; median of 5).\n' % (r['n_tasks'], r['reps']))
    w('| task (idempotent no-op) | T_1 (s) | T_%d (s) | per task (s) | × ping | module work (s) | HTTP requests |'
      % r['n_tasks'])
    w('|---|---|---|---|---|---|---|')
    for row in r['per_task']:
        if not row.get('timed', True):
            continue
        w('| %s | %s | %s | %s | %s | %s | %s |' % (
            row['case'], fmt(row['t1']), fmt(row['tn']), fmt(row['per_task'], 3), fmt(row['ratio']),
            fmt(row.get('work'), 3), row['requests']))
    w('')

    w('## 2. HTTP requests per idempotent no-op\n')
    w('From the simulator\'s `GET /sim/stats` around one single-task run. No no-op sends a state-changing '
      'request. A machine SSL check (`vcenter_tls_cert` `state: present` with the certificate vCenter already '
      'uses) costs a login, one read and a logout.\n')
    w('| task | requests | login | reads | logout | which reads | module work (s) |')
    w('|---|---|---|---|---|---|---|')
    for row in r['per_task'][1:]:
        b = row['breakdown']
        logins = sum(v for k, v in b.items() if k.startswith('POST') and k.endswith('/session'))
        logouts = sum(v for k, v in b.items() if k.startswith('DELETE') and k.endswith('/session'))
        reads = dict((k.split(' ', 1)[1].replace('/api/vcenter/certificate-management/vcenter', ''), v)
                     for k, v in b.items() if k.startswith('GET '))
        w('| %s | %d | %d | %d | %d | %s | %s |' % (
            row['case'], row['requests'], logins, sum(reads.values()), logouts,
            ', '.join('%s ×%d' % (k, v) for k, v in sorted(reads.items())) or 'none (nothing to ask vCenter)',
            fmt(row.get('work'), 3)))
    w('')

    w('## 3. The same jobs with `ansible.builtin.uri`, as users write them today\n')
    w('Two jobs, each written as a hand-made `ansible.builtin.uri` playbook (log in, read, compare fingerprints '
      'with `community.crypto.x509_certificate_info`, write when different, wait, log out) and with the '
      'collection. "change" is the first run on a fresh vCenter, "no-op" the rerun (median of %d). Task runs '
      'are `ok` from the recap (each loop counts once per task).\n' % r['reps'])
    w('| job | written with | tasks | change: task runs / requests / wall (s) | no-op: task runs / requests / '
      'wall (s) |')
    w('|---|---|---|---|---|')
    for row in r['uri']:
        w('| %s | %s | %d | %s / %d / %s | %s / %d / %s |' % (
            row['job'], row['impl'], row['tasks'], row['change_runs'], row['change_requests'], fmt(row['change_time']),
            row['noop_runs'], row['noop_requests'], fmt(row['noop_time'])))
    w('')
    w('The hand-written versions compare only what their author thought of: the `uri` machine SSL playbook '
      'checks the SHA-1 thumbprint but not the SAN, the validity, the key or the chain, and the trusted-roots '
      'playbook compares only the first certificate of each chain; the modules check all of that before '
      'sending anything, report a diff and support check mode.\n')

    w(fleet_section(r))

    w('## 5. Module start-up: imports\n')
    w('Each module imported in a fresh interpreter (median of 5), after `ansible.module_utils.basic` (which '
      '`ping` pays too); the library columns are cumulative times from `python -X importtime` of the same '
      'import.\n')
    w('"+ requests" is the same import followed by `import requests`: what every run paid before `requests` '
      'became a lazy import (section 6), and what a run that talks to vCenter still pays, later.\n')
    w('| module | ansible basic (s) | module + its imports (s) | of which requests (s) | of which cryptography (s) '
      '| module + its imports + requests (s) |')
    w('|---|---|---|---|---|---|')
    for row in r['imports']['modules']:
        w('| %s | %s | %s | %s | %s | %s |' % (
            row['module'], fmt(row['basic'], 3), fmt(row['module_and_deps'], 3), fmt(row['requests'], 3),
            fmt(row['cryptography'], 3), fmt(row.get('with_requests'), 3)))
    w('')
    libs = r['imports']['libraries']
    w('Alone, in a fresh interpreter: `import requests` %s s, `import cryptography.x509` %s s, '
      '`import cryptography.hazmat.primitives.serialization` %s s.\n' % (
          fmt(libs['requests'], 3), fmt(libs['cryptography.x509'], 3),
          fmt(libs['cryptography.hazmat.primitives.serialization'], 3)))
    if r.get('pem'):
        w(pem_section(r['pem']))
    if baseline:
        w(compare_with_baseline(results, baseline))
    w(analysis(results))
    w('_`make bench` took %.0f s for this run._' % r.get('seconds', 0))
    return '\n'.join(out) + '\n'


def fleet_section(r):
    out = ['## 4. `cert_report` over a fleet\n']
    size = max(row['vcenters'] for row in r['fleet'])
    out.append('One simulator process with %d vCenters (`--count %d`), certificate validation on (the CA bundle of '
               'every VMCA root). The role reads every certificate of every vCenter with one '
               '`vcenter_certificates_info` run (one login, one read of each resource) and writes one report (JSON, '
               'Markdown, HTML). One run per combination; forks above the number of vCenters are skipped. '
               '"controller" is the peak resident memory of the largest controller process (ansible-playbook or one '
               'of its workers), "simulator" the peak of the simulator process during the run.\n' % (size, size))
    out.append('| vCenters | forks | wall (s) | s per vCenter | HTTP requests per vCenter | controller peak (MB) | '
               'simulator peak (MB) | HTML (KB) |')
    out.append('|---|---|---|---|---|---|---|---|')
    for row in r['fleet']:
        out.append('| %d | %d | %s | %s | %d | %s | %s | %s |' % (
            row['vcenters'], row['forks'], fmt(row['time']), fmt(row['per_vcenter']), row['requests_per_vcenter'],
            fmt(row.get('controller_mb'), 0), fmt(row.get('simulator_mb'), 0), fmt(row.get('html_kb'), 0)))
    out.append('')
    wanted = [(1, 1), (10, 1), (10, 10), (50, 1), (50, 10), (50, 50), (200, 1), (200, 10), (200, 50)]
    missing = [c for c in wanted if c not in set((row['vcenters'], row['forks']) for row in r['fleet'])]
    if missing:
        out.append('**Not measured in this run**: %s (vCenters/forks). This run simulated %d vCenters '
                   '(`--fleet-size %d`, or `CERTOPS_BENCH_FLEET`), because %s.\n' % (
                       ', '.join('%d/%d' % c for c in missing), size, size,
                       r.get('fleet_size_reason') or 'it was asked to'))
    out.append(fleet_comment(r['fleet']))
    out.append('')
    extra = r.get('fleet_extra') or []
    if extra:
        out.append('### Validation off, and the role before this change (same run)\n')
        out.append('"before" is the `cert_report` role of commit `%s` (taken from git by the benchmark): three module '
                   'runs per vCenter (`vcenter_tls_cert_info`, `vcenter_trusted_root_info`, '
                   '`vcenter_sts_signing_cert_info`), three logins, and the fleet assembled with Jinja loops that copy '
                   'the list on every step.\n' % BEFORE_REV)
        out.append('| case | vCenters | forks | wall (s) | s per vCenter | HTTP requests per vCenter | controller peak '
                   '(MB) | simulator peak (MB) | HTML (KB) |')
        out.append('|---|---|---|---|---|---|---|---|---|')
        same = dict(((row['vcenters'], row['forks']), row) for row in r['fleet'])
        for row in extra:
            ref = same.get((row['vcenters'], row['forks']))
            for line in ([('after (validation on)', ref)] if ref and row['case'] != 'validation off' else []) + \
                    [(row['case'], row)]:
                name, item = line
                out.append('| %s | %d | %d | %s | %s | %d | %s | %s | %s |' % (
                    name, item['vcenters'], item['forks'], fmt(item['time']), fmt(item['per_vcenter']),
                    item['requests_per_vcenter'], fmt(item.get('controller_mb'), 0), fmt(item.get('simulator_mb'), 0),
                    fmt(item.get('html_kb'), 0)))
        out.append('')
    sliced = r.get('sliced') or []
    if sliced:
        total = sum(row['time'] for row in sliced)
        slices = [row for row in sliced if row['step'].startswith('slice')]
        render_row = sliced[-1]
        count = sum(row['vcenters'] for row in slices)
        out.append('### The same fleet as %d slices plus the render step\n' % len(slices))
        out.append('What an AWX workflow runs (docs/docsite/rst/guide_sliced_report.rst): job slicing gives slice k '
                   'the hosts k, k+%d, ...; each slice runs `cert_report_mode: collect` (10 forks) and publishes one '
                   '`set_stats` key per vCenter; the slices\' data merged by a shallow update (as AWX passes '
                   'artifacts on) feeds `cert_report_mode: render` on localhost. Here the slices run one after the '
                   'other on one machine; on AWX they run at the same time on different execution nodes, so the '
                   'wall time there is about the slowest slice plus the render.\n' % len(slices))
        out.append('| step | vCenters | wall (s) | controller peak (MB) | simulator peak (MB) | published data (KB) | '
                   'HTML (KB) |')
        out.append('|---|---|---|---|---|---|---|')
        for row in sliced:
            out.append('| %s | %d | %s | %s | %s | %s | %s |' % (
                row['step'], row['vcenters'], fmt(row['time']), fmt(row.get('controller_mb'), 0),
                fmt(row.get('simulator_mb'), 0), fmt(row.get('published_kb'), 0), fmt(row.get('html_kb'), 0)))
        out.append('')
        out.append('All steps one after the other: %s s, %s s per vCenter; slowest slice plus render (the wall time '
                   'of the workflow when the slices run in parallel): %s s, %s s per vCenter.\n' % (
                       fmt(total), fmt(total / count), fmt(max(row['time'] for row in slices) + render_row['time']),
                       fmt((max(row['time'] for row in slices) + render_row['time']) / count)))
    return '\n'.join(out)


def fleet_comment(rows):
    by = dict(((row['vcenters'], row['forks']), row) for row in rows)
    parts = []
    if (1, 1) in by and (10, 1) in by and (50, 1) in by:
        at_200 = ', %s s at 200' % fmt(by[(200, 1)]['per_vcenter']) if (200, 1) in by else ''
        parts.append('With one fork the time grows linearly with the number of vCenters (%s s per vCenter at 10, '
                     '%s s at 50%s).' % (fmt(by[(10, 1)]['per_vcenter']), fmt(by[(50, 1)]['per_vcenter']), at_200))
    if (10, 1) in by and (10, 10) in by:
        speedup = by[(10, 1)]['time'] / by[(10, 10)]['time']
        parts.append('10 forks make 10 vCenters %s× faster than one fork.' % fmt(speedup, 1))
    if (50, 1) in by and (50, 10) in by and (50, 50) in by:
        parts.append('At 50 vCenters, 10 forks are %s× faster than one and 50 forks %s×; on %d CPUs the module '
                     'processes compete for the CPU, so forks beyond a few per CPU buy little.' % (
                         fmt(by[(50, 1)]['time'] / by[(50, 10)]['time'], 1),
                         fmt(by[(50, 1)]['time'] / by[(50, 50)]['time'], 1), os.cpu_count()))
    if (50, 10) in by:
        parts.append('The goal of issue 12, at most 0.5 s per vCenter at 50 vCenters and 10 forks, is %s here (%s s).'
                     % ('met' if by[(50, 10)]['per_vcenter'] <= 0.5 else 'not met', fmt(by[(50, 10)]['per_vcenter'])))
    return ' '.join(parts)


def compare_with_baseline(results, baseline):
    out = ['## 6. An earlier change (lazy `requests`), against its recorded baseline\n',
           'Before: the recorded run `tests/bench/baseline-before.json` (%s, same machine, N = %s, the code before '
           'the changes listed below); after: this run.\n' % (baseline.get('started', '?'), baseline.get('n_tasks'))]
    before = dict((row['case'], row) for row in baseline.get('per_task', []))
    out.append('| task (idempotent no-op) | per task before (s) | after (s) | × ping before | after | '
               'requests before | after | module work before (s) | after (s) |')
    out.append('|---|---|---|---|---|---|---|---|---|')
    for row in results['per_task']:
        old = before.get(row['case'])
        if not old:
            continue
        out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            row['case'], fmt(old['per_task'], 3), fmt(row['per_task'], 3), fmt(old.get('ratio')),
            fmt(row.get('ratio')), old['requests'], row['requests'], fmt(old.get('work'), 3),
            fmt(row.get('work'), 3)))
    out.append('')
    old_imports = dict((m['module'], m) for m in baseline.get('imports', {}).get('modules', []))
    out.append('| module | import of module + deps before (s) | after (s) |')
    out.append('|---|---|---|')
    for row in results['imports']['modules']:
        old = old_imports.get(row['module'])
        if old:
            out.append('| %s | %s | %s |' % (row['module'], fmt(old['module_and_deps'], 3),
                                             fmt(row['module_and_deps'], 3)))
    out.append('')
    csr_label = 'vcenter_csr (dest holds a matching CSR)'
    old, new = before.get(csr_label), dict((row['case'], row) for row in results['per_task']).get(csr_label)
    if old and new and old.get('per_task') and new.get('per_task'):
        csr = 'the CSR no-op went from %s s to %s s per task (%s× to %s× `ping`)' % (
            fmt(old['per_task'], 3), fmt(new['per_task'], 3), fmt(old.get('ratio')), fmt(new.get('ratio')))
    else:
        csr = 'see the CSR no-op above'
    out.append(CHANGES.format(csr=csr))
    return '\n'.join(out)


CHANGES = """What was changed (in `plugins/module_utils/_client.py`; behaviour unchanged: the unit tests and the
reliability fault, session and bad-input suites pass):

- `requests` is imported on first use (a small lazy-module wrapper; `HAS_REQUESTS` comes from
  `importlib.util.find_spec`, so a missing library is still reported before anything runs), and the
  `requests.Session` is made when the first request is sent. Every module imported `requests` (about 45 ms)
  at start-up, also on runs that never talk to vCenter.
- `logout()` no longer prints an `InsecureRequestWarning` when `vcenter_validate_certs` is off (cosmetic).

What it bought: the module's start-up import (module + its own imports, after `ansible.module_utils.basic`)
roughly halves, measured in the same run in section 5 (with and without `import requests`) and against the
recorded baseline above. A run that never talks to vCenter (a CSR file that already matches, input refused before
any request) saves that outright: {csr}. A run that talks to vCenter still imports `requests`, only later, so its
per-task time is not expected to change; between the two runs those figures move by up to about 0.1 s either way,
the run-to-run noise of this shared two-CPU machine (see the load averages).
"""


def analysis(results):
    """Where the time of the machine SSL check goes, and what else could be made faster (from this run)."""
    rows = dict((row['case'], row) for row in results['per_task'])
    ping = rows['ansible.builtin.ping (floor)']['per_task']
    check = rows['vcenter_tls_cert (present, the current certificate)']
    imports = dict((m['module'], m) for m in results['imports']['modules'])
    rtt = results.get('sim_rtt') or 0
    fleet = dict(((row['vcenters'], row['forks']), row) for row in results['fleet'])
    uri = dict(((row['job'], row['impl']), row) for row in results['uri'])
    extra = check['per_task'] - ping
    imp = imports['vcenter_tls_cert']['module_and_deps']
    work = check.get('work') or 0
    out = ['## 7. Where the time goes, and what else would make it faster\n']
    out.append(
        'The machine SSL check costs %s s per task, %s s more than `ping` (%s×). Of that, about %s s is importing the '
        'module with `requests` and `cryptography`, and %s s is the module\'s work (%d HTTP requests at the '
        'simulator\'s %s ms round trip, certificate parsing and comparison being below a millisecond); the rest '
        '(%s s) is Ansible shipping and starting a larger module payload and returning a larger result. A module '
        'cannot beat `ping` plus its own round trips to vCenter; the check is within %s s of that.\n' % (
            fmt(check['per_task'], 3), fmt(extra, 3), fmt(check['ratio']), fmt(imp, 3), fmt(work, 3),
            check['requests'], fmt(rtt * 1000, 0), fmt(max(0.0, extra - imp - work), 3),
            fmt(max(0.0, extra - work), 3)))
    out.append('The goal of issue 12 for this check is within 1.3× of `ping`: %s (%s×).\n' % (
        'met' if check['ratio'] is not None and check['ratio'] <= 1.3 else 'not met', fmt(check['ratio'])))
    out.append('The changes of issue 12, each measured in this run:\n')
    if rtt < 0.02:
        out.append('1. **The simulator\'s `TCP_NODELAY` fix** is in: one small request round trip takes %s ms on '
                   'this (loaded) machine, against 44 ms in the recorded baseline run, so the HTTP figures above are '
                   'no longer dominated by the simulator.' % fmt(rtt * 1000, 1))
    else:
        out.append('1. **The simulator answers every request about %s ms late** (Nagle\'s algorithm meeting delayed '
                   'ACKs); every HTTP figure above includes it.' % fmt(rtt * 1000, 0))
    extra = dict((row['case'], row) for row in results.get('fleet_extra') or [])
    before = extra.get('before (3 modules per vCenter)')
    big = max(fleet) if fleet else None
    if before and big in fleet:
        after = fleet.get((before['vcenters'], before['forks']))
        out.append(
            '2. **`cert_report` reads each vCenter with one module run** (`vcenter_certificates_info`: one login, '
            'one read of each resource): %d HTTP requests per vCenter, %d before (three `_info` modules, three '
            'logins). Section 4 compares the role before and after in this run: at %d vCenters and %d forks '
            '%s s before, %s s after.' % (
                after['requests_per_vcenter'] if after else fleet[big]['requests_per_vcenter'],
                before['requests_per_vcenter'], before['vcenters'], before['forks'], fmt(before['time']),
                fmt(after['time']) if after else '-'))
    roots = uri.get(('3 trusted roots', 'certops.vcenter'))
    roots_uri = uri.get(('3 trusted roots', 'ansible.builtin.uri'))
    if roots and roots_uri:
        out.append(
            '3. **3 trusted roots ensured** cost %d requests in their no-op (the hand-written `uri` playbook: %d). %s' % (
                roots['noop_requests'], roots_uri['noop_requests'],
                'The module ensures the list of chains in one run (option `chains`): a login, the list, one read '
                'per chain in the store and a logout.' if roots['noop_requests'] <= 8 else
                'The list form of `vcenter_trusted_root` (option `chains`) should cost a login, the list, one read '
                'per chain in the store and a logout; this run measured more: look at section 3.'))
    renewed = rows.get('vcenter_tls_cert (renewed, not due)')
    if renewed:
        out.append(
            '4. **`vcenter_tls_cert` `state: renewed`, not due**, costs %d requests. %s' % (
                renewed['requests'], 'That is a login, one read and a logout.' if renewed['requests'] <= 3 else
                'The cheap path (login, one read, logout) is built by another helper and not in the code measured '
                'here.'))
    out.append(
        '5. **Import cost that remains**: `cryptography.x509` (about %s s) is needed by every run that looks at a '
        'certificate, and `requests` (about %s s) by every run that talks to vCenter. Dropping `requests` for '
        'Ansible\'s own `open_url` or `http.client` would save the latter on every task, but it is a rewrite of '
        'the transport (sessions, retries, CA handling), not a small change.\n' % (
            fmt(results['imports']['libraries']['cryptography.x509'], 3),
            fmt(results['imports']['libraries']['requests'], 3)))
    return '\n'.join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join(REPO, 'docs', 'performance.md'))
    parser.add_argument('--json', help='also write the raw figures here')
    parser.add_argument('--baseline', help='raw figures of an earlier run to compare with (section 6)')
    parser.add_argument('--quick', action='store_true', help='fewer repetitions and a smaller fleet (development)')
    parser.add_argument('--only', default='per_task,uri,fleet,imports,pem')
    parser.add_argument('--fleet-size', type=int, default=int(os.environ.get('CERTOPS_BENCH_FLEET', '200')),
                        help='simulated vCenters for section 4 (default 200; cases above it are reported as not run)')
    parser.add_argument('--fleet-size-reason', default=os.environ.get('CERTOPS_BENCH_FLEET_REASON', ''),
                        help='why the fleet is smaller than 200 (written into the document)')
    parser.add_argument('--render', metavar='RESULTS_JSON', help='only write the document from saved figures')
    args = parser.parse_args()
    if args.render:
        with open(args.render) as handle:
            results = json.load(handle)
        baseline = None
        if args.baseline and os.path.exists(args.baseline):
            with open(args.baseline) as handle:
                baseline = json.load(handle)
        with open(args.out, 'w') as handle:
            handle.write(render(results, baseline))
        return
    workdir = tempfile.mkdtemp(prefix='certops-bench-')
    bench = Bench(workdir, quick=args.quick)
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    bench.results['ansible_version'] = __version__
    bench.results['fleet_size_reason'] = args.fleet_size_reason
    only = args.only.split(',')
    started = time.monotonic()
    sim = rel_sim.Simulator(os.path.join(workdir, 'sim'))
    try:
        ca_path = bench.write('vmca-ca.pem', sim.control().vmca_root()['pem'])
        bench.simulator_round_trip(sim)
        if 'per_task' in only:
            print('bench: per-task no-op timings ...', flush=True)
            bench.per_task(sim, ca_path)
            bench.inprocess(sim, ca_path)
        if 'uri' in only:
            print('bench: uri playbooks vs modules ...', flush=True)
            bench.uri_jobs(sim, ca_path)
    finally:
        sim.stop()
    if 'fleet' in only:
        print('bench: cert_report over a fleet ...', flush=True)
        fleet_sim = rel_sim.Simulator(os.path.join(workdir, 'fleet'), count=20 if args.quick else args.fleet_size)
        try:
            bench.fleet(fleet_sim)
        finally:
            fleet_sim.stop()
    if 'imports' in only:
        print('bench: imports ...', flush=True)
        bench.imports()
    if 'pem' in only:
        print('bench: pathological PEM input ...', flush=True)
        bench.pem_parsing()
    bench.results['load_end'] = load_average()
    bench.results['seconds'] = time.monotonic() - started
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(bench.results, handle, indent=1, sort_keys=True)
    if set(only) >= set(['per_task', 'uri', 'fleet', 'imports']):
        baseline = None
        if args.baseline and os.path.exists(args.baseline):
            with open(args.baseline) as handle:
                baseline = json.load(handle)
        with open(args.out, 'w') as handle:
            handle.write(render(bench.results, baseline))
        print('bench: wrote %s in %.0f s' % (args.out, bench.results['seconds']))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
