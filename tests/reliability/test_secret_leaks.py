# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secret leaks: every module and role, run by real ``ansible-playbook`` with ``-vvvv``, diff mode, check
mode and failing inputs, against a simulator with a distinctive password. Everything produced is scanned
for the private keys (PEM body lines, every encoding) and the passwords used: zero hits.

Scanned: stdout and stderr of every run, the Ansible log (``ANSIBLE_LOG_PATH``), every registered result
written to a file, the files the roles write (backups, reports), and the simulator's stdout, stderr and
``--log-file``. Inputs (the vars file holding the secrets) are not scanned, except as the positive control
that shows the scanner finds the secrets where they are.
"""

import glob
import json
import os
import secrets
import sys

import pytest

import rel_pki
import rel_run
import rel_sim

WRONG_PASSWORD = 'RelWrong-Pw!%s' % secrets.token_hex(8)

MODULES_PLAYBOOK = r'''
- name: Every module, successes and failures
  hosts: vc1
  gather_facts: false
  vars_files: [secrets.json]
  module_defaults:
    group/certops.vcenter.vcenter: "{{ conn }}"
  tasks:
    - name: Machine SSL certificate info
      certops.vcenter.vcenter_tls_cert_info:
      register: r_tls_info

    - name: CSR on vCenter
      certops.vcenter.vcenter_csr:
        common_name: localhost
        organization: Reliability leak scan
        locality: Berlin
        state_or_province: Berlin
        country: DE
        email_address: pki@reliability.test
        subject_alt_name: [localhost, 127.0.0.1]
        key_size: 2048
        dest: "{{ playbook_dir }}/out/machine.csr"
      register: r_csr

    - name: Install a custom certificate with its PKCS#1 key
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ tls1_chain }}"
        private_key: "{{ tls1_key }}"
        root_certificate: "{{ root_pem }}"
        wait_timeout: 60
      register: r_tls_present

    - name: Install it again (no change)
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ tls1_chain }}"
        private_key: "{{ tls1_key }}"
        root_certificate: "{{ root_pem }}"
      register: r_tls_present_again

    - name: Install another certificate with an encrypted PKCS#8 key and its passphrase
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ tls2_chain }}"
        private_key: "{{ tls2_key_encrypted }}"
        private_key_passphrase: "{{ key_passphrase }}"
        root_certificate: "{{ root_pem }}"
        wait_timeout: 60
      register: r_tls_encrypted

    - name: Failing - mismatched key
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ tls1_chain }}"
        private_key: "{{ tls2_key }}"
        root_certificate: "{{ root_pem }}"
      register: r_fail_mismatch
      ignore_errors: true

    - name: Failing - wrong passphrase
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ tls2_chain }}"
        private_key: "{{ tls2_key_encrypted }}"
        private_key_passphrase: "{{ wrong_passphrase }}"
      register: r_fail_passphrase
      ignore_errors: true

    - name: Failing - private key pasted as the certificate
      certops.vcenter.vcenter_tls_cert:
        certificate: "{{ tls1_key }}"
        private_key: "{{ tls1_key }}"
      register: r_fail_pasted
      ignore_errors: true

    - name: Failing - wrong vCenter password
      certops.vcenter.vcenter_tls_cert_info:
        vcenter_password: "{{ wrong_password }}"
      register: r_fail_password
      ignore_errors: true

    - name: VMCA-signed machine certificate
      certops.vcenter.vcenter_tls_cert:
        state: vmca_signed
        common_name: localhost
        organization: Reliability leak scan
        locality: Berlin
        state_or_province: Berlin
        country: DE
        email_address: pki@reliability.test
        subject_alt_name: [localhost, 127.0.0.1]
        key_size: 2048
        wait_timeout: 60
      register: r_tls_vmca

    - name: Renew it
      certops.vcenter.vcenter_tls_cert:
        state: renewed
        force: true
        wait_timeout: 60
      register: r_tls_renew

    - name: Add a trusted root
      certops.vcenter.vcenter_trusted_root:
        certificates: "{{ extra_root_pem }}"
        chain_id: rel-leak
      register: r_root_present

    - name: Failing - private key pasted into the trusted root chain
      certops.vcenter.vcenter_trusted_root:
        certificates: "{{ extra_root_pem }}{{ tls1_key_pkcs8 }}"
      register: r_fail_root_pasted
      ignore_errors: true

    - name: Trusted roots info
      certops.vcenter.vcenter_trusted_root_info:
      register: r_root_info

    - name: Remove the trusted root
      certops.vcenter.vcenter_trusted_root:
        state: absent
        chain_id: rel-leak
      register: r_root_absent

    - name: Install an STS signing chain with an encrypted key
      certops.vcenter.vcenter_sts_signing_cert:
        certificate_chain: "{{ sts_chain }}"
        private_key: "{{ sts_key_encrypted }}"
        private_key_passphrase: "{{ key_passphrase }}"
      register: r_sts_present

    - name: Failing - STS key pasted as the chain
      certops.vcenter.vcenter_sts_signing_cert:
        certificate_chain: "{{ sts_key }}"
        private_key: "{{ sts_key }}"
      register: r_fail_sts_pasted
      ignore_errors: true

    - name: Failing - STS wrong passphrase
      certops.vcenter.vcenter_sts_signing_cert:
        certificate_chain: "{{ sts_chain }}"
        private_key: "{{ sts_key_encrypted }}"
        private_key_passphrase: "{{ wrong_passphrase }}"
      register: r_fail_sts_passphrase
      ignore_errors: true

    - name: Refresh the STS signing certificate
      certops.vcenter.vcenter_sts_signing_cert:
        state: refreshed
        force: true
      register: r_sts_refresh

    - name: STS info
      certops.vcenter.vcenter_sts_signing_cert_info:
      register: r_sts_info

    - name: Replace the VMCA root
      certops.vcenter.vcenter_vmca_root:
        organization: Reliability leak scan root
        key_size: 2048
        wait_timeout: 60
      register: r_vmca_root

    - name: Write every registered result to a file
      ansible.builtin.copy:
        content: "{{ dict(names | zip(names | map('extract', vars))) | to_nice_json }}"
        dest: "{{ playbook_dir }}/out/{{ run_name }}-results.json"
        mode: "0600"
      vars:
        names: "{{ query('ansible.builtin.varnames', '^r_') }}"
      check_mode: false
'''

ROLE_HEADER = '''
- name: Role {role}
  hosts: vc1
  gather_facts: false
  vars_files: [secrets.json]
  vars:
    certops_vcenter_hostname: "{{{{ conn.vcenter_hostname }}}}"
    certops_vcenter_port: "{{{{ conn.vcenter_port }}}}"
    certops_vcenter_username: "{{{{ conn.vcenter_username }}}}"
    certops_vcenter_password: "{{{{ conn.vcenter_password }}}}"
    certops_vcenter_validate_certs: false
  tasks:
'''

ROLE_TASKS = {
    'trusted_roots': r'''
    - name: Trusted roots
      ansible.builtin.include_role:
        name: certops.vcenter.trusted_roots
      vars:
        trusted_roots_present: [{pem: "{{ extra_root_pem }}", chain_id: rel-role}]
        trusted_roots_backup_dir: "{{ playbook_dir }}/out/backup"
        trusted_roots_wait_delay: 1
''',
    'cert_report': r'''
    - name: Report
      ansible.builtin.include_role:
        name: certops.vcenter.cert_report
      vars:
        cert_report_output_dir: "{{ playbook_dir }}/out/report-{{ run_name }}"
''',
    'rotate_machine_ssl': r'''
    - name: Machine SSL from the local CA (encrypted CA key)
      ansible.builtin.include_role:
        name: certops.vcenter.rotate_machine_ssl
      vars:
        rotate_machine_ssl_mode: ca_signed
        rotate_machine_ssl_force: true
        rotate_machine_ssl_subject:
          common_name: localhost
          organization: Reliability leak scan
          locality: Berlin
          state_or_province: Berlin
          country: DE
          email_address: pki@reliability.test
          subject_alt_name: [localhost, 127.0.0.1]
          key_size: 2048
        rotate_machine_ssl_local_ca_cert_path: "{{ playbook_dir }}/ca.pem"
        rotate_machine_ssl_local_ca_key_path: "{{ playbook_dir }}/ca.key"
        rotate_machine_ssl_local_ca_key_passphrase: "{{ ca_key_passphrase }}"
        rotate_machine_ssl_backup_dir: "{{ playbook_dir }}/out/backup"
        rotate_machine_ssl_wait_delay: 1
        rotate_machine_ssl_wait_timeout: 120
''',
    'rotate_vmca': r'''
    - name: VMCA rotation
      ansible.builtin.include_role:
        name: certops.vcenter.rotate_vmca
      vars:
        rotate_vmca_replace_root: true
        rotate_vmca_root_force: true
        rotate_vmca_root_subject: {organization: Reliability leak scan role, key_size: 2048}
        rotate_vmca_machine_ssl_subject: {key_size: 2048, organization: Reliability leak scan role, locality: Berlin,
                                          state_or_province: Berlin, country: DE, email_address: pki@reliability.test}
        rotate_vmca_sts_force: true
        rotate_vmca_backup_dir: "{{ playbook_dir }}/out/backup"
        rotate_vmca_wait_delay: 1
        rotate_vmca_wait_timeout: 120
''',
}

FAILING_ROLES_PLAYBOOK = r'''
- name: Roles with failing inputs
  hosts: vc1
  gather_facts: false
  vars_files: [secrets.json]
  vars:
    certops_vcenter_hostname: "{{ conn.vcenter_hostname }}"
    certops_vcenter_port: "{{ conn.vcenter_port }}"
    certops_vcenter_username: "{{ conn.vcenter_username }}"
    certops_vcenter_password: "{{ conn.vcenter_password }}"
    certops_vcenter_validate_certs: false
  tasks:
    - name: Local CA with the wrong key passphrase
      block:
        - name: Rotate
          ansible.builtin.include_role:
            name: certops.vcenter.rotate_machine_ssl
          vars:
            rotate_machine_ssl_mode: ca_signed
            rotate_machine_ssl_force: true
            rotate_machine_ssl_subject: {common_name: localhost, subject_alt_name: [localhost, 127.0.0.1],
                                         key_size: 2048, organization: Reliability leak scan, locality: Berlin,
                                         state_or_province: Berlin, country: DE,
                                         email_address: pki@reliability.test}
            rotate_machine_ssl_local_ca_cert_path: "{{ playbook_dir }}/ca.pem"
            rotate_machine_ssl_local_ca_key_path: "{{ playbook_dir }}/ca.key"
            rotate_machine_ssl_local_ca_key_passphrase: "{{ wrong_passphrase }}"
            rotate_machine_ssl_backup_dir: "{{ playbook_dir }}/out/backup"
      rescue:
        - name: Note the failure
          ansible.builtin.set_fact:
            r_failed_rotation: "{{ ansible_failed_result }}"

    - name: VMCA rotation with the wrong password
      block:
        - name: Rotate
          ansible.builtin.include_role:
            name: certops.vcenter.rotate_vmca
          vars:
            rotate_vmca_vcenter_password: "{{ wrong_password }}"
            rotate_vmca_backup_dir: "{{ playbook_dir }}/out/backup"
      rescue:
        - name: Note the failure
          ansible.builtin.set_fact:
            r_failed_vmca: "{{ ansible_failed_result }}"

    - name: Report with the wrong password
      block:
        - name: Report
          ansible.builtin.include_role:
            name: certops.vcenter.cert_report
          vars:
            cert_report_vcenter_password: "{{ wrong_password }}"
            cert_report_output_dir: "{{ playbook_dir }}/out/report-failing"
      rescue:
        - name: Note the failure
          ansible.builtin.set_fact:
            r_failed_report: "{{ ansible_failed_result }}"

    - name: Write the failures to a file
      ansible.builtin.copy:
        content: "{{ dict(names | zip(names | map('extract', vars))) | to_nice_json }}"
        dest: "{{ playbook_dir }}/out/failing-results.json"
        mode: "0600"
      vars:
        names: "{{ query('ansible.builtin.varnames', '^r_failed_') }}"
'''

PASTED_KEY_ROLE_PLAYBOOK = r'''
- name: A private key pasted where a role wants certificates
  hosts: vc1
  gather_facts: false
  vars_files: [secrets.json]
  vars:
    certops_vcenter_hostname: "{{ conn.vcenter_hostname }}"
    certops_vcenter_port: "{{ conn.vcenter_port }}"
    certops_vcenter_username: "{{ conn.vcenter_username }}"
    certops_vcenter_password: "{{ conn.vcenter_password }}"
    certops_vcenter_validate_certs: false
  tasks:
    - name: Trusted roots with a private key pasted as a chain
      block:
        - name: Trusted roots
          ansible.builtin.include_role:
            name: certops.vcenter.trusted_roots
          vars:
            trusted_roots_present: [{pem: "{{ extra_root_pem }}{{ sts_key }}"}]
            trusted_roots_backup_dir: "{{ playbook_dir }}/out/backup"
      rescue:
        - name: Note the failure
          ansible.builtin.set_fact:
            r_failed_trusted_roots: "{{ ansible_failed_result }}"

    - name: Write the failures to a file
      ansible.builtin.copy:
        content: "{{ dict(names | zip(names | map('extract', vars))) | to_nice_json }}"
        dest: "{{ playbook_dir }}/out/failing-results.json"
        mode: "0600"
      vars:
        names: "{{ query('ansible.builtin.varnames', '^r_failed_') }}"
'''


def _scan(paths, markers):
    hits, total = [], 0
    for path in paths:
        with open(path, 'rb') as handle:
            data = handle.read().decode('utf-8', 'replace')
        total += len(data)
        # JSON output escapes newlines and slashes; PEM body lines have neither, but '+' and '/' may be
        # escaped by some encoders: scan the text as is and with JSON escapes undone.
        variants = [data, data.replace('\\/', '/').replace('\\u002b', '+').replace('\\u002B', '+')]
        for marker in markers:
            if any(marker in text for text in variants):
                hits.append((os.path.basename(path), marker[:12] + '...'))
    return hits, total


SCENARIOS = [
    # id, playbook text, runs (label, extra args)
    ('modules', MODULES_PLAYBOOK, [('check', ['--check']), ('apply', [])]),
    ('roles trusted_roots + cert_report',
     ROLE_HEADER.format(role='trusted_roots') + ROLE_TASKS['trusted_roots'] + ROLE_TASKS['cert_report'],
     [('check', ['--check']), ('apply', [])]),
    ('role rotate_machine_ssl', ROLE_HEADER.format(role='rotate_machine_ssl') + ROLE_TASKS['rotate_machine_ssl'],
     [('check', ['--check']), ('apply', [])]),
    ('role rotate_vmca', ROLE_HEADER.format(role='rotate_vmca') + ROLE_TASKS['rotate_vmca'],
     [('check', ['--check']), ('apply', [])]),
    ('roles with failing inputs', FAILING_ROLES_PLAYBOOK, [('failing', [])]),
    ('role trusted_roots with a private key pasted as a chain', PASTED_KEY_ROLE_PLAYBOOK, [('failing', [])]),
]


def _write(path, text):
    with open(path, 'w') as handle:
        handle.write(text)


def _secrets_vars(pki, port, workdir):
    tls1, tls2 = pki.server(), pki.server()
    sts = pki.sts()
    ca_key_passphrase = 'RelCA-Pp!%s' % secrets.token_hex(8)
    local_ca = rel_pki.ca('Reliability Local Signing CA')
    _write(os.path.join(workdir, 'ca.pem'), local_ca.pem)
    _write(os.path.join(workdir, 'ca.key'), rel_pki.key_encrypted(local_ca.key, ca_key_passphrase))
    return {
        'conn': rel_run.connection(port, vcenter_timeout=30),
        'root_pem': pki.root.pem,
        'extra_root_pem': pki.extra_root.pem,
        'tls1_chain': pki.server_chain_pem(tls1), 'tls1_key': tls1.key_pem, 'tls1_key_pkcs8': tls1.key_pkcs8,
        'tls2_chain': pki.server_chain_pem(tls2), 'tls2_key': tls2.key_pem,
        'tls2_key_encrypted': rel_pki.key_encrypted(tls2.key),
        'sts_chain': pki.sts_chain_pem(sts), 'sts_key': sts.key_pem, 'sts_key_encrypted': rel_pki.key_encrypted(sts.key),
        'key_passphrase': rel_pki.KEY_PASSPHRASE, 'wrong_passphrase': rel_pki.WRONG_PASSPHRASE,
        'wrong_password': WRONG_PASSWORD, 'ca_key_passphrase': ca_key_passphrase,
    }


def _check_modules_ran(workdir, pki):
    """The module runs did what they claim (otherwise an empty scan would prove nothing)."""
    def results(run_name):
        with open(os.path.join(workdir, 'out', '%s-results.json' % run_name)) as handle:
            return json.load(handle)
    apply, check = results('apply'), results('check')
    for name in ('r_tls_present', 'r_tls_encrypted', 'r_sts_present', 'r_vmca_root', 'r_tls_vmca', 'r_root_present'):
        assert apply[name]['changed'] is True, name
        assert check[name]['changed'] is True, name
    assert apply['r_tls_present_again']['changed'] is False
    for name in ('r_fail_mismatch', 'r_fail_passphrase', 'r_fail_pasted', 'r_fail_password', 'r_fail_root_pasted',
                 'r_fail_sts_pasted', 'r_fail_sts_passphrase'):
        assert apply[name].get('failed') is True and check[name].get('failed') is True, name
    with open(os.path.join(workdir, 'out', 'apply.stdout')) as handle:
        verbose = handle.read()
    assert '"invocation"' in verbose and 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in verbose, 'not a -vvvv run'
    assert pki.root.pem.splitlines()[1] in verbose, 'results (with certificates) not in the output'


def _check_failing_roles_ran(workdir, expected):
    with open(os.path.join(workdir, 'out', 'failing-results.json')) as handle:
        failures = json.load(handle)
    assert sorted(failures) == expected, sorted(failures)


@pytest.mark.parametrize('scenario', range(len(SCENARIOS)), ids=[s[0] for s in SCENARIOS])
def test_no_secret_in_anything_produced(scenario, pki, tmp_path, report):
    name, playbook_text, runs = SCENARIOS[scenario]
    workdir = str(tmp_path)
    os.makedirs(os.path.join(workdir, 'out'))
    sim = rel_sim.Simulator(os.path.join(workdir, 'sim'))
    try:
        secrets_vars = _secrets_vars(pki, sim.port, workdir)
        secrets_file = os.path.join(workdir, 'secrets.json')
        _write(secrets_file, json.dumps(secrets_vars))
        _write(os.path.join(workdir, 'inventory.ini'),
               'vc1 ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
        playbook = os.path.join(workdir, 'playbook.yml')
        _write(playbook, playbook_text)
        log_path = os.path.join(workdir, 'out', 'ansible.log')
        env = rel_run.ansible_env(workdir, ANSIBLE_LOG_PATH=log_path)
        outputs = []
        for label, args in runs:
            proc = rel_run.ansible_playbook(workdir, playbook, '-vvvv', '--diff', '-e', 'run_name=%s' % label, *args,
                                            env=env)
            for stream, text in (('stdout', proc.stdout), ('stderr', proc.stderr)):
                path = os.path.join(workdir, 'out', '%s.%s' % (label, stream))
                _write(path, text)
                outputs.append(path)
            assert proc.returncode == 0, '%s %s failed (rc %s):\n%s\n%s' % (
                name, label, proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])
    finally:
        assert sim.stop() == 0
    if name == 'modules':
        _check_modules_ran(workdir, pki)
    elif name == 'roles with failing inputs':
        _check_failing_roles_ran(workdir, ['r_failed_report', 'r_failed_rotation', 'r_failed_vmca'])
    elif 'pasted' in name:
        _check_failing_roles_ran(workdir, ['r_failed_trusted_roots'])
    if 'pasted' not in name:  # that role refuses the input before it connects
        with open(sim.log_path) as handle:
            assert 'POST /api/session 201' in handle.read(), 'the simulator log recorded nothing'

    produced = sorted(set(outputs + [log_path] + sim.captured_files() +
                          [p for p in glob.glob(os.path.join(workdir, 'out', '**', '*'), recursive=True)
                           if os.path.isfile(p)]))
    markers = rel_pki.secret_markers() | set([WRONG_PASSWORD, secrets_vars['ca_key_passphrase']])
    control_hits, dummy = _scan([secrets_file, os.path.join(workdir, 'ca.key')], markers)
    assert len(control_hits) > 20, 'positive control: the scanner must find the secrets in the inputs'
    hits, total = _scan(produced, markers)
    report.add('secrets', order=scenario, scan=name, runs=', '.join('%s (-vvvv --diff%s)' % (
        label, ' --check' if '--check' in args else '') for label, args in runs), files=len(produced), bytes=total,
        markers=len(markers), hits=len(hits))
    assert not hits, 'secrets found in: %s' % sorted(set(h[0] for h in hits))
