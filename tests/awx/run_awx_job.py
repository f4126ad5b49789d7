"""An AWX job, as AWX runs it, against the vCenter simulator (make test step awx-runner-job).

What AWX does for a job template, done here with the same engine (ansible-runner) and the same rules:
- the collection is installed from the built tarball (as in an execution environment);
- the credential is the custom type shipped in extensions/awx/credential_type/: its injectors are rendered the way
  AWX renders a custom credential type (a Jinja2 ImmutableSandboxedEnvironment; the file injector written into
  <private data dir>/env/ and its path given as tower.filename), so the job gets VMWARE_HOST/PORT/USER/PASSWORD,
  VMWARE_CA_PATH (the simulator's VMCA root) and VMWARE_VALIDATE_CERTS=true;
- the project is a private copy (<private data dir>/project) holding the example playbooks;
- extra variables come from env/extravars; certops_output_dir names a directory outside the private data dir, as a
  path AWX exposes to jobs would be.

Jobs: cert_report (playbooks/report.yml), a forced VMCA rotation (playbooks/rotate.yml), the same rotation with the
role's default backup directory (the playbook's directory, i.e. the private project copy: must be refused before
anything changes), and cert_report with a CA bundle that does not sign the simulator (must fail: validation is on).

Then: reports and backups are where the docs say they survive, set_stats reached the job's artifacts, and no secret
(the password, any private key) is anywhere under the job's artifacts except artifacts/<job>/command, where
ansible-runner records the command line, cwd and full environment it ran ansible-playbook with (see
tests/awx/README.md). Ends with "N passed, N failed".
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml
from jinja2 import sandbox

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = 'Awx-job-s3cret!'   # the simulator is started with it (--password)
USERNAME = 'administrator@vsphere.local'
SECRET_MARKERS = [PASSWORD, 'PRIVATE KEY-----']

RESULTS = []


def check(name, ok, detail=''):
    RESULTS.append(bool(ok))
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, (': ' + detail) if detail and not ok else ''))
    sys.stdout.flush()


def start_simulator(work, python):
    out = open(os.path.join(work, 'certsim.out'), 'w')
    proc = subprocess.Popen([python, os.path.join(REPO, 'tests/simulator/certsim.py'), '--port', '0',
                             '--version', '8.0.3', '--restart-seconds', '1', '--password', PASSWORD,
                             '--state-dir', os.path.join(work, 'sim-state'),
                             '--log-file', os.path.join(work, 'certsim.log')],
                            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        with open(os.path.join(work, 'certsim.out')) as handle:
            for line in handle:
                if line.startswith('READY '):
                    return proc, line.split(' ', 1)[1].strip()
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit('the simulator did not start: see %s/certsim.out' % work)


def vmca_root(url):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE   # bootstrap only: this is how the test learns which root to trust
    with urllib.request.urlopen(url + '/sim/vmca-root', context=ctx, timeout=30) as resp:
        return json.load(resp)['pem']


def other_ca_pem():
    """A self-signed CA that did not sign anything the simulator serves (the project's test PKI, tests/testpki)."""
    sys.path.insert(0, os.path.join(REPO, 'tests', 'testpki'))
    import testpki  # pylint: disable=import-outside-toplevel
    return testpki.make_ca(testpki.name('not the VMCA', org=None), key=testpki.new_key('ec'), days=30).pem


def inject_credential(private_data_dir, inputs):
    """Render extensions/awx/credential_type/{inputs,injectors}.yml as AWX's CredentialType.inject_credential does."""
    base = os.path.join(REPO, 'extensions/awx/credential_type')
    with open(os.path.join(base, 'inputs.yml')) as handle:
        type_inputs = yaml.safe_load(handle)
    with open(os.path.join(base, 'injectors.yml')) as handle:
        injectors = yaml.safe_load(handle)
    missing = [f for f in type_inputs.get('required', []) if not inputs.get(f)]
    if missing:
        raise SystemExit('credential inputs missing: %s' % missing)
    known = set(f['id'] for f in type_inputs['fields'])
    unknown = set(inputs) - known
    if unknown:
        raise SystemExit('not inputs of the credential type: %s' % sorted(unknown))

    class TowerNamespace(object):
        pass

    tower = TowerNamespace()
    namespace = {'tower': tower}
    namespace.update({k: v for k, v in inputs.items() if v != ''})   # AWX leaves empty inputs out
    env_dir = os.path.join(private_data_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    sandbox_env = sandbox.ImmutableSandboxedEnvironment()
    for label, tmpl in injectors.get('file', {}).items():
        data = sandbox_env.from_string(tmpl).render(**namespace)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as out:
            out.write(data)
        os.chmod(path, 0o660)
        if '.' not in label:
            tower.filename = path
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = TowerNamespace()
            setattr(tower.filename, label.split('.', 1)[1], path)
    return {name: sandbox_env.from_string(tmpl).render(**namespace) for name, tmpl in injectors.get('env', {}).items()}


def job(private_data_dir, ident, playbook, env, extravars, venv_bin):
    """ansible-runner run, with env/envvars and env/extravars as AWX writes them. Returns (rc, stdout, events)."""
    with open(os.path.join(private_data_dir, 'env', 'envvars'), 'w') as handle:
        yaml.safe_dump(env, handle)
    with open(os.path.join(private_data_dir, 'env', 'extravars'), 'w') as handle:
        yaml.safe_dump(extravars, handle)
    run_env = dict(os.environ)
    run_env['PATH'] = venv_bin + os.pathsep + run_env.get('PATH', '')
    for name in list(run_env):   # nothing from the caller's shell leaks in (AWX starts from a clean environment)
        if name.startswith(('VMWARE_', 'ANSIBLE_', 'CERTOPS_')):
            del run_env[name]
    started = time.time()
    proc = subprocess.run([os.path.join(venv_bin, 'ansible-runner'), 'run', private_data_dir, '-p', playbook,
                           '--ident', ident], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, cwd=private_data_dir, check=False)
    artifacts = os.path.join(private_data_dir, 'artifacts', ident)
    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json'))):
        with open(path) as handle:
            events.append(json.load(handle))
    print('job %s (%s): rc=%s in %.1fs' % (ident, playbook, proc.returncode, time.time() - started))
    return proc.returncode, proc.stdout, events


def scan_for_secrets(root, allowed):
    """Every file under root that holds a secret marker, except the allowed paths."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as handle:
                data = handle.read().decode('utf-8', 'replace')
            hits = [m for m in SECRET_MARKERS if m in data]
            if hits:
                found.append((os.path.relpath(path, root), hits, path in allowed))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tarball', required=True, help='the built certops-vcenter tarball')
    parser.add_argument('--deps', required=True, help='collections path holding community.crypto')
    parser.add_argument('--work', required=True, help='an empty work directory')
    args = parser.parse_args()
    venv_bin = os.path.dirname(os.path.abspath(sys.executable))
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)

    # The execution environment: the collection installed from the tarball, community.crypto from DEPS.
    ee_collections = os.path.join(work, 'ee-collections')
    subprocess.run([os.path.join(venv_bin, 'ansible-galaxy'), 'collection', 'install', '--no-deps', '--force',
                    args.tarball, '-p', ee_collections], check=True, stdout=subprocess.DEVNULL)
    # Where an AWX administrator would expose a persistent path to jobs.
    persistent = os.path.join(work, 'persistent')
    os.makedirs(persistent)

    sim, url = start_simulator(work, sys.executable)
    try:
        port = url.rsplit(':', 1)[1]
        pdd = os.path.join(work, 'private-data-dir')
        os.makedirs(os.path.join(pdd, 'project'))
        os.makedirs(os.path.join(pdd, 'inventory'))
        for name in ('report.yml', 'rotate.yml'):
            shutil.copy(os.path.join(REPO, 'playbooks', name), os.path.join(pdd, 'project', name))
        with open(os.path.join(pdd, 'project', 'rotate_default_dir.yml'), 'w') as handle:
            handle.write('---\n- name: Rotate with the role defaults\n  hosts: vcenters\n  gather_facts: false\n'
                         '  roles:\n    - role: certops.vcenter.rotate_machine_ssl\n')
        with open(os.path.join(pdd, 'inventory', 'hosts.yml'), 'w') as handle:
            yaml.safe_dump({'all': {'children': {'vcenters': {'hosts': {'vc-sim': {
                'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}}}, handle)

        env = inject_credential(pdd, {'host': '127.0.0.1', 'port': port, 'username': USERNAME,
                                      'password': PASSWORD, 'ca_bundle': vmca_root(url)})
        check('credential type injects validation on with a CA bundle file',
              env.get('VMWARE_VALIDATE_CERTS') == 'true' and os.path.isfile(env.get('VMWARE_CA_PATH', ''))
              and env['VMWARE_CA_PATH'].startswith(os.path.join(pdd, 'env') + os.sep)
              and env.get('VMWARE_PORT') == port, json.dumps({k: v for k, v in env.items() if 'PASS' not in k}))
        job_env = dict(env)
        job_env['ANSIBLE_COLLECTIONS_PATH'] = ee_collections + os.pathsep + os.path.abspath(args.deps)
        job_env['ANSIBLE_DEPRECATION_WARNINGS'] = 'False'
        job_env['ANSIBLE_NOCOLOR'] = '1'
        out_vars = {'certops_output_dir': persistent}

        rc, stdout, events = job(pdd, 'report', 'report.yml', job_env, out_vars, venv_bin)
        check('cert_report job succeeds', rc == 0, stdout[-3000:])
        report_dir = os.path.join(persistent, 'cert-report')
        for ext in ('json', 'md', 'html'):
            path = os.path.join(report_dir, 'vcenter-certificates.' + ext)
            check('report %s survives in certops_output_dir' % ext, os.path.isfile(path), path)
        stats = [e for e in events if e.get('event') == 'playbook_on_stats']
        artifact = stats[0].get('event_data', {}).get('artifact_data', {}) if stats else {}
        files = artifact.get('cert_report', {}).get('files', {})
        check('set_stats reaches the job artifacts and names the surviving files',
              files.get('json') == os.path.join(report_dir, 'vcenter-certificates.json'), json.dumps(artifact)[:2000])

        rc, stdout, events = job(pdd, 'rotate', 'rotate.yml', job_env, dict(out_vars, rotate_machine_ssl_force=True),
                                 venv_bin)
        check('rotation job succeeds (validation on throughout)', rc == 0, stdout[-3000:])
        backups = glob.glob(os.path.join(persistent, 'certops-backup', 'vc-sim', 'machine_ssl-*.pem'))
        check('previous certificate backup survives in certops_output_dir', len(backups) == 1
              and os.path.isfile(backups[0][:-4] + '.json'), str(backups))

        rc, stdout, events = job(pdd, 'rotate-default-dir', 'rotate_default_dir.yml', job_env, {}, venv_bin)
        check('rotation into the private project copy is refused before any change',
              rc != 0 and 'private data directory of this ansible-runner job' in stdout
              and 'Nothing was changed' in stdout
              and not os.path.exists(os.path.join(pdd, 'project', 'certops-backup'))
              and not any(e.get('event_data', {}).get('task_action', '').endswith('vcenter_tls_cert') for e in events),
              stdout[-3000:])

        wrong_env = dict(job_env)
        wrong_ca = os.path.join(pdd, 'env', 'wrong-ca.pem')
        with open(wrong_ca, 'w') as handle:
            handle.write(other_ca_pem())
        wrong_env['VMWARE_CA_PATH'] = wrong_ca
        rc, stdout, events = job(pdd, 'report-wrong-ca', 'report.yml', wrong_env,
                                 {'certops_output_dir': os.path.join(work, 'wrong-ca-report')}, venv_bin)
        check('validation is really on: a CA bundle that does not sign vCenter fails the job',
              rc != 0 and 'CERTIFICATE_VERIFY_FAILED' in stdout.upper().replace(' ', '_'), stdout[-3000:])

        # Secrets: nothing under the artifacts except ansible-runner's own record of the environment.
        artifacts = os.path.join(pdd, 'artifacts')
        commands = set(glob.glob(os.path.join(artifacts, '*', 'command')))
        found = scan_for_secrets(artifacts, commands)
        leaks = [(p, h) for p, h, allowed in found if not allowed]
        check('no password or private key under the job artifacts (but artifacts/<job>/command)', not leaks,
              str(leaks))
        check('the scan sees the password where ansible-runner records the environment (artifacts/<job>/command)',
              any(allowed and PASSWORD in h for _p, h, allowed in found), str(found))
        out_leaks = scan_for_secrets(persistent, set())
        check('no password or private key in the surviving reports and backups', not out_leaks, str(out_leaks))
    finally:
        sim.send_signal(signal.SIGTERM)
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()
    passed = sum(RESULTS)
    print('%d passed, %d failed' % (passed, len(RESULTS) - passed))
    return 0 if passed == len(RESULTS) else 1


if __name__ == '__main__':
    sys.exit(main())
