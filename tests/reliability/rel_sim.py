# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator as a subprocess, its /sim control API, and a raw REST client written with http.client.

The raw client is the independent path the suite verifies vCenter's state with: it shares no code with
the collection (no requests, no module_utils).
"""

import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time

from cryptography import x509

import rel_pki

SIMULATOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'simulator', 'certsim.py')
P = '/vcenter/certificate-management/vcenter'


def _context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # an observer, not a judge: still reach a simulator that was made to serve a weak (1024-bit) certificate
    context.set_ciphers('DEFAULT:@SECLEVEL=0')
    return context


class Simulator(object):
    """``certsim.py`` with its stdout, stderr and request log kept in files (the leak scan reads them)."""

    def __init__(self, workdir, *args, count=1, password=rel_pki.SIM_PASSWORD, restart_seconds='0.2'):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.stdout_path = os.path.join(workdir, 'certsim.stdout')
        self.stderr_path = os.path.join(workdir, 'certsim.stderr')
        self.log_path = os.path.join(workdir, 'certsim.log')
        cmd = [sys.executable, SIMULATOR, '--port', '0', '--restart-seconds', str(restart_seconds),
               '--password', password, '--log-file', self.log_path, '--count', str(count)] + list(args)
        self._out = open(self.stdout_path, 'w')
        self._err = open(self.stderr_path, 'w')
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, cwd='/')  # pylint: disable=consider-using-with
        self.urls = self._wait_ready(count)
        self.ports = [int(u.rsplit(':', 1)[1]) for u in self.urls]
        self.port = self.ports[0]
        # the listen address (``--host``), as a socket address: ``[::1]`` in the URL is ``::1`` here
        self.host = self.urls[0].split('://', 1)[1].rsplit(':', 1)[0].strip('[]')
        self._controls = {}

    def _wait_ready(self, count, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.stdout_path) as handle:
                urls = [line.split()[1] for line in handle if line.startswith('READY ')]
            if len(urls) == count:
                return urls
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        with open(self.stderr_path) as handle:
            raise RuntimeError('simulator not READY: %s' % handle.read()[-2000:])

    def stop(self):
        for control in getattr(self, '_controls', {}).values():
            control.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._out.close()
        self._err.close()
        return self.proc.returncode

    def control(self, index=0):
        if index not in self._controls:
            self._controls[index] = Control(self.ports[index], host=self.host)
        return self._controls[index]

    def captured_files(self):
        return [self.stdout_path, self.stderr_path, self.log_path]


def _request(port, method, path, body=None, headers=None, timeout=30, host='127.0.0.1'):
    conn = http.client.HTTPSConnection(host, port, context=_context(), timeout=timeout)
    try:
        data = None
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            hdrs['Content-Type'] = 'application/json'
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        raw = response.read()
        if 'json' in (response.getheader('Content-Type') or ''):
            payload = json.loads(raw.decode('utf-8')) if raw else None
        else:  # the reverse proxy's plain-text 503 during a restart
            payload = raw.decode('utf-8', 'replace') or None
        return response.status, payload
    finally:
        conn.close()


class Control(object):
    """The simulator's /sim control API for one vCenter, on one kept-alive connection (a /sim-only
    connection is never dropped by the simulator's restarts)."""

    def __init__(self, port, host='127.0.0.1'):
        self.port = port
        self.host = host
        self._conn = None

    def _call(self, method, path, body=None, expect=(200, 201, 204)):
        data = json.dumps(body).encode('utf-8') if body is not None else None
        headers = {'Content-Type': 'application/json'} if body is not None else {}
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPSConnection(self.host, self.port, context=_context(), timeout=30)
            try:
                self._conn.request(method, path, body=data, headers=headers)
            except (OSError, http.client.HTTPException):
                # a stale kept-alive connection fails while sending: nothing reached the simulator, reconnect
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
                continue
            response = self._conn.getresponse()
            raw = response.read()
            break
        payload = json.loads(raw.decode('utf-8')) if raw else None
        assert response.status in expect, '%s %s -> %s %s' % (method, path, response.status, payload)
        return payload

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stats(self):
        return self._call('GET', '/sim/stats')

    def reset_stats(self):
        self._call('POST', '/sim/stats/reset')

    def reset(self):
        self._call('POST', '/sim/reset')
        self.wait_idle()

    def state(self):
        return self._call('GET', '/sim/state')

    def vmca_root(self):
        return self._call('GET', '/sim/vmca-root')

    def add_fault(self, **spec):
        return self._call('POST', '/sim/faults', spec)['id']

    def faults(self):
        return self._call('GET', '/sim/faults')['faults']

    def clear_faults(self):
        self._call('DELETE', '/sim/faults')

    def expire_sessions(self):
        self._call('POST', '/sim/expire-sessions')

    def wait_idle(self, timeout=20):
        """Until the restart window (if any) is over."""
        deadline = time.time() + timeout
        while self.state()['in_restart']:
            assert time.time() < deadline, 'simulator stayed in its restart window'
            time.sleep(0.05)

    def wait_for_write(self, method, path_part, count=1, timeout=20):
        """Until ``count`` writes matching method/path are in the write log (a delayed write lands late)."""
        deadline = time.time() + timeout
        while True:
            writes = [w for w in self.stats()['write_log'] if w['method'] == method and path_part in w['path']]
            if len(writes) >= count or time.time() >= deadline:
                return writes
            time.sleep(0.1)

    def rest(self):
        return Rest(self.port, host=self.host)


class Rest(object):
    """Raw ``/api`` client (http.client): logs in with the simulator password, logs out on exit."""

    def __init__(self, port, username=rel_pki.ADMIN, password=rel_pki.SIM_PASSWORD, host='127.0.0.1'):
        self.port = port
        self.host = host
        self.username = username
        self.password = password
        self.token = None

    def __enter__(self):
        auth = base64.b64encode(('%s:%s' % (self.username, self.password)).encode('utf-8')).decode('ascii')
        deadline = time.monotonic() + 60
        while True:
            try:
                status, payload = _request(self.port, 'POST', '/api/session',
                                           headers={'Authorization': 'Basic ' + auth}, host=self.host)
            except ConnectionRefusedError:  # restart window, first phase: the port is closed
                status, payload = 503, None
            if status != 503 or time.monotonic() > deadline:  # 503: restart window (or the login-only phase)
                break
            time.sleep(0.05)
        assert status == 201, 'raw login failed: %s' % status
        self.token = payload
        return self

    def __exit__(self, *exc):
        try:
            _request(self.port, 'DELETE', '/api/session', headers={'vmware-api-session-id': self.token},
                     host=self.host)
        except (ConnectionRefusedError, ConnectionResetError):
            # a write in the block restarted vCenter: the restart ended the session (the port is closed, or it
            # closed while this logout's handshake was under way)
            pass
        self.token = None
        return False

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        status, payload = _request(self.port, method, '/api' + path, body,
                                   headers={'vmware-api-session-id': self.token}, host=self.host)
        assert status in expect, 'raw %s %s -> %s %s' % (method, path, status, payload)
        return payload

    # readers
    def tls(self):
        return self.call('GET', P + '/tls')

    def tls_cert(self):
        return x509.load_pem_x509_certificate(self.tls()['cert'].encode('ascii'))

    def trusted_roots(self):
        """``{chain_id: [x509, ...]}``."""
        result = {}
        for item in self.call('GET', P + '/trusted-root-chains'):
            chain = self.call('GET', P + '/trusted-root-chains/' + item['chain'])['cert_chain']['cert_chain']
            result[item['chain']] = [x509.load_pem_x509_certificate(p.encode('ascii')) for p in chain]
        return result

    def sts(self):
        info = self.call('GET', P + '/signing-certificate')

        def load(chain):
            return [x509.load_pem_x509_certificate(p.encode('ascii')) for p in chain['cert_chain']]
        return {'active': load(info['active_cert_chain']),
                'signing': [load(c) for c in info['signing_cert_chains']]}


def served_sha256(port, host='127.0.0.1'):
    """SHA-256 (colon hex) of the certificate the TLS port presents now."""
    with socket.create_connection((host, port), timeout=10) as sock:
        with _context().wrap_socket(sock, server_hostname='localhost') as tls:
            der = tls.getpeercert(binary_form=True)
    return ':'.join('%02X' % b for b in hashlib.sha256(der).digest())
