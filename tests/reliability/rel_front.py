# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile network for the reliability suite: a recording listener on another origin, and a programmable
HTTPS front in front of the simulator.

:class:`Recorder` listens on a second loopback address (127.0.0.2), plain HTTP or HTTPS, and records every
connection and every byte it receives; it is the proof that nothing reached another origin.

:class:`Front` is a TLS-terminating reverse proxy on 127.0.0.1 in front of one simulator. Rules, matched per
request by method and path substring (first match wins, ``count`` uses), make it answer a redirect, answer
a canned 2xx (HTML, JSON of the wrong shape, a body cut mid-way), forward the request to the simulator and
then answer garbage or break the connection; unmatched requests pass through. Both run as threads of the
test process and share no code with the collection.
"""

import http.client
import os
import socket
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


HTML_PAGE = (b'<!DOCTYPE html>\n<html><head><title>Single Sign-On</title></head><body>'
             b'<form method="post" action="/websso/SAML2/SSO"><input name="username"/>'
             b'<input type="password" name="password"/></form></body></html>\n')


def _write_pem_files(issued, chain_pems, directory):
    cert_path = os.path.join(directory, 'cert.pem')
    key_path = os.path.join(directory, 'key.pem')
    with open(cert_path, 'w') as handle:
        handle.write(issued.pem + ''.join(chain_pems))
    with open(key_path, 'w') as handle:
        handle.write(issued.key_pkcs8)
    return cert_path, key_path


def _server_context(issued, chain_pems):
    directory = tempfile.mkdtemp(prefix='certops-rel-front-')
    cert_path, key_path = _write_pem_files(issued, chain_pems, directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    os.unlink(key_path)
    os.unlink(cert_path)
    os.rmdir(directory)
    return context


class Recorder(object):
    """Another origin: records every connection (and what was sent on it), answers 204 and closes."""

    def __init__(self, host='127.0.0.2', tls=None):
        """``tls``: ``(Issued, [chain pems])`` for HTTPS, None for plain HTTP."""
        self.host = host
        self.scheme = 'https' if tls else 'http'
        self._context = _server_context(*tls) if tls else None
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(50)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self.connections = []
        self._stop = False
        self._thread = threading.Thread(target=self._serve, name='rel-recorder', daemon=True)
        self._thread.start()

    def url(self, path='/'):
        return '%s://%s:%d%s' % (self.scheme, self.host, self.port, path)

    def _serve(self):
        self._sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, peer = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn, peer), daemon=True).start()

    def _handle(self, conn, peer):
        record = {'peer': '%s:%d' % peer, 'tls': self.scheme == 'https', 'handshake': None, 'raw': b''}
        with self._lock:
            self.connections.append(record)
        conn.settimeout(3)
        try:
            if self._context is not None:
                try:
                    conn = self._context.wrap_socket(conn, server_side=True)
                    record['handshake'] = 'ok'
                except (ssl.SSLError, OSError) as exc:
                    record['handshake'] = 'failed: %s' % exc
                    return
            data = b''
            while True:
                try:
                    chunk = conn.recv(65536)
                except (socket.timeout, OSError):
                    break
                if not chunk:
                    break
                data += chunk
                record['raw'] = data
                head, sep, body = data.partition(b'\r\n\r\n')
                if sep:
                    length = 0
                    for line in head.split(b'\r\n')[1:]:
                        name, dummy, value = line.partition(b':')
                        if name.strip().lower() == b'content-length':
                            length = int(value.strip() or 0)
                    if len(body) >= length:
                        break
            try:
                conn.sendall(b'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n')
            except OSError:
                pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def snapshot(self):
        with self._lock:
            return [dict(r) for r in self.connections]

    def requests_text(self):
        """Everything received, decoded loosely (for leak checks)."""
        return '\n'.join(r['raw'].decode('utf-8', 'replace') for r in self.snapshot())

    def clear(self):
        with self._lock:
            del self.connections[:]

    def close(self):
        self._stop = True
        self._sock.close()
        self._thread.join(5)


class _Rule(object):

    def __init__(self, rule_id, method, path, count, action):
        self.id = rule_id
        self.method = method
        self.path = path
        self.count = count  # None: unlimited
        self.action = action
        self.hits = 0

    def matches(self, method, path):
        if self.count is not None and self.hits >= self.count:
            return False
        if self.method and self.method != method:
            return False
        if self.path and self.path.endswith('$'):  # the path ends here (a list, not one of its items)
            return path.split('?', 1)[0].endswith(self.path[:-1])
        return not self.path or self.path in path


class Front(object):
    """Programmable HTTPS reverse proxy on 127.0.0.1 in front of the simulator on ``upstream_port``."""

    def __init__(self, upstream_port, tls, host='127.0.0.1'):
        self.upstream_port = upstream_port
        self._lock = threading.Lock()
        self._rules = []
        self._next = 1
        self.log = []  # one entry per request: {'method', 'path', 'rule', 'action'}
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # quiet
                pass

            def read_body(self):
                length = int(self.headers.get('Content-Length') or 0)
                return self.rfile.read(length) if length else None

            def dispatch(self):
                front.handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = dispatch

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = _server_context(*tls).wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='rel-front', daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ programming
    def add(self, method=None, path=None, count=None, **action):
        """One of: ``redirect=(status, location)``; ``answer=dict(status, content_type, body, cut)`` (``cut``:
        declare the full length but send only this many bytes, then close); ``forward_then=<answer dict>`` or
        ``forward_then='break'`` (the request reaches the simulator, then the answer is garbage or the
        connection breaks after a partial status line)."""
        assert len(action) == 1, action
        with self._lock:
            rule = _Rule('rule-%d' % self._next, method, path, count, action)
            self._next += 1
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            del self._rules[:]
            del self.log[:]

    def hits(self):
        with self._lock:
            return dict((r.id, r.hits) for r in self._rules)

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # ------------------------------------------------------------------ serving
    def _match(self, method, path):
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    return rule
        return None

    def handle(self, handler):
        method, path = handler.command, handler.path
        body = handler.read_body()
        rule = self._match(method, path)
        kind = list(rule.action)[0] if rule else 'pass'
        with self._lock:
            self.log.append({'method': method, 'path': path, 'rule': rule.id if rule else None, 'action': kind})
        if rule is None:
            return self._send(handler, *self._forward(handler, method, path, body))
        value = rule.action[kind]
        if kind == 'redirect':
            status, location = value
            return self._send(handler, status, [('Location', location), ('Content-Type', 'text/html')],
                              b'<html><body>Moved <a href="%s">here</a></body></html>' % location.encode('ascii'))
        if kind == 'answer':
            return self._answer(handler, value)
        if kind == 'forward_then':
            self._forward(handler, method, path, body)
            if value == 'break':
                handler.wfile.write(b'HTTP/1.1 20')
                handler.wfile.flush()
                handler.close_connection = True
                return None
            return self._answer(handler, value)
        raise AssertionError(kind)

    def _forward(self, handler, method, path, body):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection('127.0.0.1', self.upstream_port, context=context, timeout=60)
        try:
            headers = dict((k, v) for k, v in handler.headers.items()
                           if k.lower() not in ('host', 'connection', 'content-length', 'keep-alive'))
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            out = [(k, v) for k, v in response.getheaders()
                   if k.lower() not in ('connection', 'content-length', 'transfer-encoding', 'keep-alive')]
            return response.status, out, data
        finally:
            conn.close()

    @staticmethod
    def _send(handler, status, headers, data):
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header('Content-Length', str(len(data)))
        handler.end_headers()
        if handler.command != 'HEAD':
            handler.wfile.write(data)
        handler.wfile.flush()

    @staticmethod
    def _answer(handler, spec):
        body = spec.get('body', b'')
        if isinstance(body, str):
            body = body.encode('utf-8')
        cut = spec.get('cut')
        handler.send_response(spec.get('status', 200))
        handler.send_header('Content-Type', spec.get('content_type', 'application/json'))
        handler.send_header('Content-Length', str(len(body)))
        if cut is not None:
            handler.send_header('Connection', 'close')
        handler.end_headers()
        handler.wfile.write(body if cut is None else body[:cut])
        handler.wfile.flush()
        if cut is not None:
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def wait_quiet(seconds=0.3):
    """Give a late connection to the recorder a moment to show up before it is checked."""
    time.sleep(seconds)


def front_tls(pki):
    """Certificate of the front and the recorders: issued by the suite's intermediate CA, SANs for both
    loopback addresses, so ``vcenter_validate_certs: true`` with the suite root as ``vcenter_ca_path`` trusts
    the front and would also trust the other origin (the worst case for a leak)."""
    leaf = pki.server(san=('localhost', '127.0.0.1', '127.0.0.2'))
    return leaf, [pki.intermediate.pem]
