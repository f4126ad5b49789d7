#!/usr/bin/env python
# Molecule helper (test support, not shipped code): start and stop simulated vCenters, and read them back through a
# path independent of the collection (plain urllib and ssl).
#   certsim_fleet.py start WORKDIR SIMULATOR VERSION:COUNT [VERSION:COUNT...] [-- extra certsim options]
#       -> writes WORKDIR/fleet.json {vcenters: [{name, url, port, version, ca_path}]} and prints it
#   certsim_fleet.py stop WORKDIR
#   certsim_fleet.py read URL [USER PASSWORD]
#       -> JSON {vmca_root_sha256, tls: {sha256, pem}, served_sha256, trusted_chains: {id: [sha256...]},
#                sts_active: [sha256...] or null, stats: {...}}
import base64
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

CERT_API = '/vcenter/certificate-management/vcenter'


def _context():
    # Observation only: the simulator's own certificate is what is being read.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _fp(der):
    digest = hashlib.sha256(der).hexdigest().upper()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _pem_fp(pem):
    # a real vCenter's VMCA root entry may start with a newline and carry its X509 CRL after the certificate
    # (the simulator's default --root-entry-shape with-crl): take the certificate block
    end = '-----END CERTIFICATE-----'
    start = pem.index('-----BEGIN CERTIFICATE-----')
    return _fp(ssl.PEM_cert_to_DER_cert(pem[start:pem.index(end, start) + len(end)] + '\n'))


def _request(url, method='GET', headers=None, body=None):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    with urllib.request.urlopen(req, context=_context(), timeout=30) as resp:
        raw = resp.read().decode('utf-8')
    return json.loads(raw) if raw else None


def start(workdir, simulator, specs, extra):
    os.makedirs(workdir, exist_ok=True)
    procs = []
    for index, spec in enumerate(specs):
        version, count = spec.split(':')
        out = os.path.join(workdir, 'stdout-%d.txt' % index)
        with open(out, 'w') as handle:
            proc = subprocess.Popen(
                [sys.executable, simulator, '--port', '0', '--count', count, '--version', version,
                 '--state-dir', os.path.join(workdir, 'state-%d' % index),
                 '--log-file', os.path.join(workdir, 'certsim-%d.log' % index)] + extra,
                stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append((proc, out, version, int(count)))
        with open(os.path.join(workdir, 'pids'), 'a') as handle:
            handle.write('%d\n' % proc.pid)
    vcenters = []
    deadline = time.time() + 180
    for proc, out, version, count in procs:
        urls = []
        while len(urls) < count:
            if proc.poll() is not None:
                sys.exit('simulator exited with %s:\n%s' % (proc.returncode, open(out).read()))
            if time.time() > deadline:
                sys.exit('simulator did not print %d READY lines' % count)
            with open(out) as handle:
                urls = [line.split()[1] for line in handle if line.startswith('READY ')]
            time.sleep(0.1)
        for number, url in enumerate(urls, 1):
            name = 'vc%s-%02d' % (version.replace('.', ''), number)
            root = _request(url + '/sim/vmca-root')
            ca_path = os.path.join(workdir, name + '-vmca-root.pem')
            with open(ca_path, 'w') as handle:
                handle.write(root['pem'])
            vcenters.append({'name': name, 'url': url, 'port': int(url.rsplit(':', 1)[1]), 'version': version,
                             'ca_path': ca_path})
    fleet = {'vcenters': vcenters}
    with open(os.path.join(workdir, 'fleet.json'), 'w') as handle:
        json.dump(fleet, handle, indent=1)
    print(json.dumps(fleet))


def stop(workdir):
    path = os.path.join(workdir, 'pids')
    stopped = []
    if os.path.exists(path):
        for line in open(path).read().split():
            pid = int(line)
            try:
                os.kill(pid, signal.SIGTERM)
                for dummy in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            stopped.append(pid)
        os.unlink(path)
    print(json.dumps({'stopped': stopped}))


def _served(url):
    host, port = url.split('://', 1)[1].rsplit(':', 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        with _context().wrap_socket(sock, server_hostname=host) as tls:
            return _fp(tls.getpeercert(binary_form=True))


def _bare(value):
    """/api answers are bare JSON."""
    return value


def _wrapped(value):
    """/rest answers are wrapped in {"value": ...}."""
    return value['value']


def read(url, user, password):
    """Everything the molecule checks compare with, straight from the wire (both REST dialects)."""
    auth = 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')
    try:
        token = _request(url + '/api/session', 'POST', {'Authorization': auth})
        base, unwrap = url + '/api', _bare
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
        token = _request(url + '/rest/com/vmware/cis/session', 'POST', {'Authorization': auth})['value']
        base, unwrap = url + '/rest', _wrapped
    headers = {'vmware-api-session-id': token}
    try:
        tls = unwrap(_request(base + CERT_API + '/tls', headers=headers))
        chains = {}
        for item in unwrap(_request(base + CERT_API + '/trusted-root-chains', headers=headers)):
            chain = unwrap(_request(base + CERT_API + '/trusted-root-chains/' + item['chain'], headers=headers))
            chains[item['chain']] = sorted(_pem_fp(pem) for pem in chain['cert_chain']['cert_chain'])
        sts = None
        if base.endswith('/api'):
            try:
                info = _request(base + CERT_API + '/signing-certificate', headers=headers)
                sts = [_pem_fp(pem) for pem in info['active_cert_chain']['cert_chain']]
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    raise
    finally:
        req = urllib.request.Request(base + ('/session' if base.endswith('/api') else '/com/vmware/cis/session'),
                                     method='DELETE', headers=headers)
        urllib.request.urlopen(req, context=_context(), timeout=30).close()
    print(json.dumps({
        'vmca_root_sha256': _request(url + '/sim/vmca-root')['sha256'],
        'tls': {'sha256': _pem_fp(tls['cert']), 'pem': tls['cert']},
        'served_sha256': _served(url),
        'trusted_chains': chains,
        'sts_active': sts,
        'stats': _request(url + '/sim/stats'),
    }))


if __name__ == '__main__':
    if len(sys.argv) >= 5 and sys.argv[1] == 'start':
        args = sys.argv[4:]
        extra = args[args.index('--') + 1:] if '--' in args else []
        specs = args[:args.index('--')] if '--' in args else args
        start(sys.argv[2], sys.argv[3], specs, extra)
    elif len(sys.argv) == 3 and sys.argv[1] == 'stop':
        stop(sys.argv[2])
    elif len(sys.argv) in (3, 5) and sys.argv[1] == 'read':
        read(sys.argv[2], *(sys.argv[3:5] or ['administrator@vsphere.local', 'VMware1!']))
    else:
        sys.exit('usage: certsim_fleet.py start WORKDIR SIMULATOR VERSION:COUNT... [-- options] | stop WORKDIR | read URL')
