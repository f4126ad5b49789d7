#!/usr/bin/env python
# Test helper: start/stop the project's vCenter simulator and observe it independently of the modules.
#   certsim_ctl.py start SIMULATOR WORKDIR [certsim options...]  -> JSON {pid, port, url, ca_path, state_dir, log}
#   certsim_ctl.py stop WORKDIR
#   certsim_ctl.py served HOST PORT                                -> JSON {sha256, pem}
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request


def _fp(der):
    digest = hashlib.sha256(der).hexdigest().upper()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _sim_get(url, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url + path, context=ctx, timeout=30) as resp:
        return json.loads(resp.read().decode('utf-8'))


def start(simulator, workdir, args):
    os.makedirs(workdir, exist_ok=True)
    log = os.path.join(workdir, 'certsim.log')
    out = os.path.join(workdir, 'stdout.txt')
    state = os.path.join(workdir, 'state')
    with open(out, 'w') as stdout:
        proc = subprocess.Popen([sys.executable, simulator, '--port', '0', '--state-dir', state,
                                 '--log-file', log] + args,
                                stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    url = None
    while time.time() < deadline and url is None:
        if proc.poll() is not None:
            sys.stderr.write(open(out).read())
            sys.exit('simulator exited with %s' % proc.returncode)
        with open(out) as handle:
            for line in handle:
                if line.startswith('READY '):
                    url = line.split()[1].strip()
                    break
        time.sleep(0.1)
    if url is None:
        proc.kill()
        sys.exit('simulator did not print READY')
    with open(os.path.join(workdir, 'pid'), 'w') as handle:
        handle.write(str(proc.pid))
    root = _sim_get(url, '/sim/vmca-root')
    ca_path = os.path.join(workdir, 'vmca-root.pem')
    with open(ca_path, 'w') as handle:
        handle.write(root['pem'])
    port = int(url.rsplit(':', 1)[1])
    print(json.dumps({'pid': proc.pid, 'port': port, 'url': url, 'ca_path': ca_path, 'state_dir': state,
                      'log': log, 'workdir': workdir}))


def stop(workdir):
    pid_file = os.path.join(workdir, 'pid')
    if not os.path.exists(pid_file):
        print(json.dumps({'stopped': False}))
        return
    pid = int(open(pid_file).read())
    try:
        os.kill(pid, signal.SIGTERM)
        for dummy in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    os.unlink(pid_file)
    if not os.environ.get('CERTSIM_KEEP_WORKDIR'):
        shutil.rmtree(workdir, ignore_errors=True)  # state, keys and logs of a finished test
    print(json.dumps({'stopped': True}))


def served(host, port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        with ctx.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    print(json.dumps({'sha256': _fp(der), 'pem': ssl.DER_cert_to_PEM_cert(der)}))


if __name__ == '__main__':
    if sys.argv[1] == 'start':
        start(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == 'stop':
        stop(sys.argv[2])
    elif sys.argv[1] == 'served':
        served(sys.argv[2], sys.argv[3])
    else:
        sys.exit('usage: certsim_ctl.py start|stop|served ...')
