# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS front end: routing, the /api and /rest dialects, faults, restart window, /sim control API."""

import datetime
import ipaddress
import json
import re
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

from . import certzip
from . import schema as S
from . import seed
from .errors import (ERROR_TYPES, STATUS_DEFAULT_TYPE, VapiError, api_not_found, rest_operation_not_found,
                     service_unavailable, unauthenticated, unauthorized)

CM = "/vcenter/certificate-management/vcenter"

# Phase P of a restart: the reverse proxy's own plain-text answer while the service behind it is down. The text up to
# "NamedPipeServiceSpecE" is quoted in the fidelity review (row 30, S33); the rest (address, namespace, pipe) [INF].
PROXY_503_TEXT = ("503 Service Unavailable (Failed to connect to endpoint: [N7Vmacore4Http20NamedPipeServiceSpecE:"
                  "0x00007f3c1c0a5e40] _serverNamespace = / action = Allow _pipeName =/var/run/vmware/"
                  "vpxd-webserver-pipe)")


class Route:
    def __init__(self, method, rel, op, dialect=None, action=None, action_key="action"):
        self.method = method
        self.rel = rel
        self.op = op
        self.dialect = dialect
        self.action = action
        self.action_key = action_key
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(rel))
        self.regex = re.compile("^" + pattern + "$")

    def template(self, dialect):
        out = "%s /%s%s" % (self.method, dialect, self.rel)
        if self.action:
            out += "?%s=%s" % (self.action_key, self.action)
        return out


ROUTES = [
    Route("POST", "/session", "session.create", dialect="api"),
    Route("GET", "/session", "session.get", dialect="api"),
    Route("DELETE", "/session", "session.delete", dialect="api"),
    Route("POST", "/com/vmware/cis/session", "session.create", dialect="rest"),
    Route("POST", "/com/vmware/cis/session", "session.get", dialect="rest", action="get", action_key="~action"),
    Route("DELETE", "/com/vmware/cis/session", "session.delete", dialect="rest"),
    Route("GET", "/appliance/system/version", "version.get"),
    Route("GET", CM + "/trusted-root-chains", "trc.list"),
    Route("POST", CM + "/trusted-root-chains", "trc.create"),
    Route("GET", CM + "/trusted-root-chains/{chain}", "trc.get"),
    Route("DELETE", CM + "/trusted-root-chains/{chain}", "trc.delete"),
    Route("POST", CM + "/tls-csr", "csr.create"),
    Route("GET", CM + "/tls", "tls.get"),
    Route("PUT", CM + "/tls", "tls.set"),
    # [INF] Only the documented ?action=renew form; the SDK-metadata quirk "POST .../tls" without an
    # action (reference §5) answers like any unknown operation (404).
    Route("POST", CM + "/tls", "tls.renew", action="renew"),
    Route("POST", CM + "/tls", "tls.replace", action="replace-vmca-signed"),
    Route("POST", CM + "/vmca-root", "vmca.create"),
    Route("GET", CM + "/signing-certificate", "sts.get"),
    Route("PUT", CM + "/signing-certificate", "sts.set"),
    Route("POST", CM + "/signing-certificate", "sts.refresh", action="refresh"),
    Route("POST", CM + "/signing-certificate", "sts.create"),
    Route("PATCH", CM + "/signing-certificate", "sts.update"),
]

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# /api success statuses (reference §2.1 / §3): 201 for creates that return something, 200 for
# get/list/refresh, 204 for everything without a result.
API_STATUS = {
    "session.create": 201, "trc.create": 201, "csr.create": 201,
    "sts.create": 201,  # [INF] 201 per the reference's table (marked [INF] there); sts.update -> 204 [INF]
    "session.get": 200, "version.get": 200, "trc.list": 200, "trc.get": 200, "tls.get": 200,
    "sts.get": 200, "sts.refresh": 200,
}

# operation parameters: (name, schema, required)
OP_PARAMS = {
    "trc.create": [("spec", S.TRC_CREATE_SPEC, True)],
    "csr.create": [("spec", S.TLS_CSR_SPEC, True)],
    "tls.set": [("spec", S.TLS_SPEC, True)],
    "tls.renew": [("duration", S.Int(accept_digit_string=True), False)],
    "tls.replace": [("spec", S.TLS_REPLACE_SPEC, True)],
    # VmcaRoot.create: the spec parameter itself is optional. [INF] (reference §4.4) no body, {} and null
    # are all accepted on /api; {}, {"spec": null} and {"spec": {...}} on /rest.
    "vmca.create": [("spec", S.VMCA_ROOT_CREATE_SPEC, False)],
    "sts.set": [("spec", S.STS_SET_SPEC, True)],
    # [INF] refresh takes {"force": bool} (SDK, API reference); a bare boolean (OpenAPI-3 conversion
    # artefact) is refused as INVALID_ARGUMENT.
    "sts.refresh": [("force", S.Bool(), False)],
    # [INF] the spec parameter of the 9.1.1 create/update is required (its fields are optional): send {}.
    "sts.create": [("spec", S.STS_CREATE_SPEC, True)],
    "sts.update": [("spec", S.STS_UPDATE_SPEC, True)],
}

RESTART_OPS = ("tls.set", "tls.renew", "tls.replace", "vmca.create")


def match_route(method, path, query):
    """Return (dialect, route, path_params, template)."""
    if path.startswith("/api/"):
        dialect, rel = "api", path[4:]
    elif path.startswith("/rest/"):
        dialect, rel = "rest", path[5:]
    else:
        return None, None, {}, "%s %s" % (method, path)
    if len(rel) > 1 and rel.endswith("/"):
        rel = rel[:-1]  # a trailing slash before the query is accepted (S6 Keyfactor, S13 VMware's cURL sample)
    q = parse_qs(query, keep_blank_values=True)
    for route in ROUTES:
        if route.method != method or (route.dialect and route.dialect != dialect):
            continue
        m = route.regex.match(rel)
        if not m:
            continue
        if route.action:
            if q.get(route.action_key) != [route.action]:
                continue
        elif "action" in q or "~action" in q:
            # [INF] /rest certificate endpoints: only the documented ?action= form (not ?~action=).
            continue
        params = {k: unquote(v) for k, v in m.groupdict().items()}
        return dialect, route, params, route.template(dialect)
    return dialect, None, {}, "%s %s" % (method, path)


def decode_params(dialect, op, body, present, profile):
    """Turn a parsed JSON body into operation parameters, validating strictly."""
    params = OP_PARAMS.get(op)
    if not params:
        return {}
    if op == "tls.set" and not profile.tls_root_cert:
        params = [("spec", S.TLS_SPEC_67, True)]
    if body is None:
        present = False
    if dialect == "api" and len(params) == 1 and params[0][0] == "spec":
        # /api: the spec structure is the whole, unwrapped body
        _name, spec_schema, required = params[0]
        if not present:
            if required:
                raise S.missing_field("spec", "operation-input")
            return {"spec": None}
        return {"spec": S.validate(body, spec_schema, "spec")}
    # /rest (every operation) and /api scalar parameters: an object keyed by parameter name
    struct = S.Struct("operation-input", {name: (sch, req) for name, sch, req in params})
    return S.validate(body if present else {}, struct)


def is_loopback_peer(host):
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None) is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


class ConnInfo:
    __slots__ = ("sock", "vc_seen")

    def __init__(self, sock):
        self.sock = sock
        self.vc_seen = False


class RequestLog:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.handle = open(path, "a", encoding="utf-8") if path else None  # pylint: disable=consider-using-with

    def write(self, server, peer, method, path, status, user):
        if self.handle is None:
            return
        when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        # never bodies, passwords, tokens or keys
        shown = status if status is not None else "-"
        line = "%s %s %s %s %s %s server=%s\n" % (when, peer, method, path.replace(" ", "%20"), shown,
                                                  user or "-", server)
        with self.lock:
            self.handle.write(line)
            self.handle.flush()

    def close(self):
        if self.handle is not None:
            self.handle.close()


class VCServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, vcenter, request_log, family=socket.AF_INET):
        self.address_family = family
        self.vc = vcenter
        self.request_log = request_log
        super().__init__(address, Handler)
        self._setup_loop()

    def server_bind(self):
        # skip HTTPServer's socket.getfqdn() reverse lookup (slow with 50 servers)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    # ------------------------------------------------------------ listening socket
    # A restart's phase R closes the listening socket (new connections are refused by the kernel) and binds a
    # new one on the same address when it ends. The serve loop owns the socket; begin_restart() wakes it.
    def _setup_loop(self):
        if getattr(self, "_wake_r", None) is None:
            self._wake_r, self._wake_w = socket.socketpair()
            self._wake_r.setblocking(False)
            self._wake_w.setblocking(False)
            self._stop_loop = threading.Event()
            self._loop_done = threading.Event()
            self._listening = True
            self.vc.on_restart = self.wake

    def wake(self):
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _rebind(self):
        sock = socket.socket(self.address_family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(self.server_address)
            sock.listen(self.request_queue_size)
        except OSError:
            sock.close()
            return False
        self.socket = sock
        self._listening = True
        return True

    def serve_forever(self, poll_interval=0.5):
        self._setup_loop()
        self._loop_done.clear()
        try:
            while not self._stop_loop.is_set():
                refused, until = self.vc.listen_state()
                if refused and self._listening:
                    self._listening = False
                    self.socket.close()
                elif not refused and not self._listening:
                    if not self._rebind():
                        until = time.monotonic() + 0.05  # address busy for a moment: retry soon
                timeout = poll_interval
                if until is not None:
                    timeout = max(0.0, min(timeout, until - time.monotonic()))
                watch = [self._wake_r] + ([self.socket] if self._listening else [])
                try:
                    ready, _w, _x = select.select(watch, [], [], timeout)
                except (OSError, ValueError):
                    continue
                if self._wake_r in ready:
                    try:
                        while self._wake_r.recv(512):
                            pass
                    except OSError:
                        pass
                if self._stop_loop.is_set():
                    break
                if self._listening and self.socket in ready and not self.vc.listen_state()[0]:
                    self._handle_request_noblock()
        finally:
            self._loop_done.set()

    def shutdown(self):
        self._setup_loop()
        self._stop_loop.set()
        self.wake()
        self._loop_done.wait(10)

    def server_close(self):
        super().server_close()
        for s in (getattr(self, "_wake_r", None), getattr(self, "_wake_w", None)):
            if s is not None:
                s.close()

    def finish_request(self, request, client_address):
        ctx = self.vc.ssl_context  # the current machine SSL certificate for this handshake
        try:
            request.settimeout(30)
            tls = ctx.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            try:
                request.close()
            except OSError:
                pass
            return
        info = ConnInfo(tls)
        self.vc.conn_add(info)
        try:
            tls.settimeout(None)
            self.RequestHandlerClass(tls, client_address, self, info)
        except (OSError, ValueError, AttributeError, ssl.SSLError):
            pass
        finally:
            self.vc.conn_remove(info)
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass  # broken connections are normal here (drops, restarts)


class _Drop(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "envoy"
    sys_version = ""
    timeout = 300

    def __init__(self, request, client_address, server, info):
        self.info = info
        super().__init__(request, client_address, server)

    def setup(self):
        super().setup()
        # Answers go out in several small writes (status, headers, body): without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK hold each answer back ~40 ms on loopback.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    # silence the default stderr logging
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    # ------------------------------------------------------------------ helpers
    @property
    def vc(self):
        return self.server.vc

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, payload=None, raw=None, close=False, headers=(), content_type="application/json"):
        if raw is None and payload is not None:
            raw = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        if status != 204:
            if raw:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw or b"")))
        for name, value in headers:
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if raw and self.command != "HEAD" and status != 204:
            self.wfile.write(raw)
        self.wfile.flush()

    def drop(self):
        try:
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def log(self, status, user=None):
        self.server.request_log.write("%s:%s" % self.server.server_address[:2],
                                      "%s:%s" % self.client_address[:2], self.command, self.path, status, user)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self):
        path, _sep, query = self.path.partition("?")
        if path == "/sim" or path.startswith("/sim/"):
            self.handle_sim(path)
            return
        self.info.vc_seen = True
        body_bytes = self.read_body()
        method = self.command
        dialect, route, path_params, template = match_route(method, path, query)
        vc = self.vc
        vc.count_request(template)
        is_write = method in WRITE_METHODS and dialect is not None and path.startswith("/%s%s" % (dialect, CM))
        fault = vc.take_fault(method, self.path)
        if fault is not None and fault.kind == "delay":
            time.sleep(float(fault.delay))
            fault = None
        if fault is not None and fault.kind == "drop" and fault.drop == "before":
            if is_write:
                vc.record_write(method, self.path, None, False)
            self.log(None)
            self.drop()
            return
        if fault is not None and fault.kind == "status" and not fault.apply:
            err = self._fault_error(fault)
            self._finish(dialect, err.status, self.err_body(err, dialect or "api"), None, False, is_write)
            return
        if fault is not None and fault.kind == "expire_sessions":
            vc.expire_sessions()
            err = unauthenticated()
            self._finish(dialect, err.status, self.err_body(err, dialect or "api"), None, False, is_write)
            return
        phase = vc.restart_phase()
        if phase == "R":
            # a connection accepted just before the listening socket closed: reset, no answer
            if is_write:
                vc.record_write(method, self.path, None, False)
            self.log(None)
            self.drop()
            return
        if phase == "P":
            # the reverse proxy is up, the services behind it are not: plain-text 503 for every path
            if is_write:
                vc.record_write(method, self.path, 503, False)
            self.log(503)
            self.send(503, raw=PROXY_503_TEXT.encode("utf-8"), content_type="text/plain;charset=utf-8")
            return
        if phase is None and path == "/certs/download.zip" and method in ("GET", "HEAD"):
            data = certzip.download_zip(vc.trusted_root_entries())
            self.log(200)
            self.send(200, raw=data, content_type="application/zip")
            return
        status, payload, raw, user, applied, restart = self.process(dialect, route, path_params, body_bytes, is_write)
        if fault is not None and fault.kind == "status":
            # "apply": processed (and applied, restart started if any), then answered with the fault's error
            err = self._fault_error(fault)
            if is_write:
                vc.record_write(method, self.path, err.status, applied)
            self.log(err.status, user)
            if restart:
                vc.drop_connections(keep=self.info)
            self.send(err.status, self.err_body(err, dialect or "api"), close=restart)
            return
        if fault is not None:  # drop after: processed (and applied) but no answer
            if is_write:
                vc.record_write(method, self.path, None, applied)
            self.log(None, user)
            if restart:
                vc.drop_connections(keep=self.info)
            self.drop()
            return
        if is_write:
            vc.record_write(method, self.path, status, applied)
        self.log(status, user)
        if restart:
            # the services restart: every other open connection is dropped before this answer leaves,
            # and this one is closed after it
            vc.drop_connections(keep=self.info)
        headers = ()
        if route is not None and route.op == "session.create" and status in (200, 201):
            token = payload if dialect == "api" else payload["value"]
            # [INF] cookie attributes (Path=/, Secure, HttpOnly); the name is vCenter's (S39)
            headers = (("Set-Cookie", "vmware-api-session-id=%s; Path=/; Secure; HttpOnly" % token),)
        self.send(status, payload, raw=raw, close=restart, headers=headers)

    def err_body(self, err, dialect):
        return err.body(dialect, rest_error_type=self.vc.profile.rest_error_type)

    def _finish(self, _dialect, status, payload, user, applied, is_write):
        if is_write:
            self.vc.record_write(self.command, self.path, status, applied)
        self.log(status, user)
        self.send(status, payload)

    @staticmethod
    def _fault_error(fault):
        status = int(fault.status)
        etype = fault.error_type or STATUS_DEFAULT_TYPE.get(status, "ERROR")
        if etype == "SERVICE_UNAVAILABLE" and not fault.message:
            err = service_unavailable()
            err.status = status
            return err
        return VapiError(etype, fault.message or "Simulated fault.", "certsim.fault.injected", [], status=status)

    def process(self, dialect, route, path_params, body_bytes, is_write):
        """Returns (status, payload, raw, user, applied, restart)."""
        vc = self.vc
        user = None
        err_dialect = dialect or "api"
        try:
            phase = vc.restart_phase()
            if phase is not None:
                # phase L: the session service answers, the certificate endpoints (and the rest) do not yet
                if not (phase == "L" and route is not None and route.op.startswith("session.")
                        and route.op in vc.profile.ops(dialect)):
                    raise service_unavailable()
            if route is None or route.op not in vc.profile.ops(dialect):
                if dialect == "rest":
                    raise rest_operation_not_found(self.path.partition("?")[0])
                raise api_not_found()
            op = route.op
            if op == "session.create":
                # [INF] (reference §2.4) a real server may also set a vmware-api-session-id cookie; the
                # simulator sets none and accepts only the header, so a client that forgets the header fails.
                token, user = vc.login(self.headers.get("Authorization"))
                if dialect == "api":
                    return 201, token, None, user, False, False
                return 200, {"value": token}, None, user, False, False
            session = vc.authenticate(self.headers.get("vmware-api-session-id"))
            user = session.user
            if op == "session.get":
                info = vc.session_info(session)
                return 200, (info if dialect == "api" else {"value": info}), None, user, False, False
            if op == "session.delete":
                vc.logout(session)
                return (204, None, None, user, False, False) if dialect == "api" else (200, None, b"", user, False, False)
            if is_write and session.readonly:
                raise unauthorized()
            body, present = None, False
            if op in OP_PARAMS and body_bytes.strip():
                try:
                    body = json.loads(body_bytes.decode("utf-8"))
                    present = True
                except (ValueError, UnicodeDecodeError):
                    # [INF] malformed JSON -> 400 INVALID_REQUEST (message id/text ours)
                    raise VapiError("INVALID_REQUEST", "The request body is not valid JSON.",
                                    "com.vmware.vapi.rest.badRequest") from None
            params = decode_params(dialect, op, body, present, vc.profile)
            result, changed, restart = vc.execute(op, params, path_params)
            if restart:
                vc.begin_restart()
            if dialect == "api":
                status = API_STATUS.get(op, 204)
                if status == 204:
                    return 204, None, None, user, changed, restart
                return status, result, None, user, changed, restart
            if op in API_STATUS:
                return 200, {"value": result}, None, user, changed, restart
            return 200, None, b"", user, changed, restart
        except VapiError as err:
            return err.status, self.err_body(err, err_dialect), None, user, False, False
        except Exception:  # pylint: disable=broad-except
            # a simulator bug: say so loudly on stderr, answer like a real internal error
            traceback.print_exc(file=sys.stderr)
            err = VapiError("INTERNAL_SERVER_ERROR", "Internal error in the simulator (see its stderr).",
                            "certsim.internal_error")
            return err.status, self.err_body(err, err_dialect), None, user, False, False

    # --------------------------------------------------------------- control API
    def handle_sim(self, path):
        body_bytes = self.read_body()
        method = self.command
        vc = self.vc
        if not is_loopback_peer(self.client_address[0]):
            self.log(403)
            self.send(403, {"error": "the /sim control API only answers loopback peers"})
            return
        status, payload = 404, {"error": "unknown control endpoint %s %s" % (method, path)}
        if path == "/sim/stats" and method == "GET":
            status, payload = 200, vc.stats_dict()
        elif path == "/sim/stats/reset" and method == "POST":
            vc.reset_stats()
            status, payload = 204, None
        elif path == "/sim/faults" and method == "POST":
            try:
                spec = self._fault_spec(body_bytes)
            except ValueError as exc:
                status, payload = 400, {"error": str(exc)}
            else:
                status, payload = 201, {"id": vc.add_fault(spec).fid}
        elif path == "/sim/faults" and method == "GET":
            with vc.lock:
                status, payload = 200, {"faults": [f.as_dict() for f in vc.faults]}
        elif path == "/sim/faults" and method == "DELETE":
            with vc.lock:
                vc.faults = []
            status, payload = 204, None
        elif path == "/sim/expire-sessions" and method == "POST":
            vc.expire_sessions()
            status, payload = 204, None
        elif path == "/sim/reset" and method == "POST":
            vc.reset()
            status, payload = 204, None
        elif path == "/sim/vmca-root" and method == "GET":
            status, payload = 200, vc.vmca_root_info()
        elif path == "/sim/state" and method == "GET":
            status, payload = 200, vc.sim_state()
        elif path == "/sim/partner-vmca-root":  # --linked-partner (README "Fidelity options")
            status, payload = vc.sim_partner_root(method)
        elif path.startswith("/sim/seed/"):  # states the API refuses to create (README "Control API")
            status, payload = seed.handle(vc, method, path, body_bytes)
        self.log(status)
        self.send(status, payload)

    @staticmethod
    def _fault_spec(body_bytes):
        try:
            spec = json.loads(body_bytes.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError):
            raise ValueError("body is not valid JSON") from None
        if not isinstance(spec, dict):
            raise ValueError("body must be a JSON object")
        allowed = {"method", "path", "count", "status", "error_type", "message", "drop", "delay", "expire_sessions",
                   "apply"}
        extra = sorted(set(spec) - allowed)
        if extra:
            raise ValueError("unknown fault fields %s" % extra)
        kinds = [k for k in ("status", "drop", "delay", "expire_sessions") if spec.get(k) is not None]
        if len(kinds) != 1:
            raise ValueError("exactly one of status, drop, delay, expire_sessions is required")
        for name in ("method", "path", "error_type", "message"):
            if spec.get(name) is not None and not isinstance(spec[name], str):
                raise ValueError("%s must be a string" % name)
        count = spec.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        kind = kinds[0]
        if kind == "status":
            st = spec["status"]
            if isinstance(st, bool) or not isinstance(st, int) or not 400 <= st <= 599:
                raise ValueError("status must be an integer between 400 and 599")
            if spec.get("error_type") is not None and spec["error_type"] not in ERROR_TYPES:
                raise ValueError("unknown error_type %s" % spec["error_type"])
            if spec.get("apply") is not None:
                if not isinstance(spec["apply"], bool):
                    raise ValueError("apply must be a boolean")
                if spec["apply"] and st not in (500, 503):
                    raise ValueError("apply goes with status 500 or 503 only")
        elif spec.get("error_type") is not None or spec.get("message") is not None or spec.get("apply") is not None:
            raise ValueError("error_type, message and apply go with status only")
        if kind == "drop" and spec["drop"] not in ("before", "after"):
            raise ValueError("drop must be 'before' or 'after'")
        if kind == "delay":
            d = spec["delay"]
            if isinstance(d, bool) or not isinstance(d, (int, float)) or d < 0:
                raise ValueError("delay must be a non-negative number of seconds")
        if kind == "expire_sessions" and spec["expire_sessions"] is not True:
            raise ValueError("expire_sessions must be true")
        return spec
