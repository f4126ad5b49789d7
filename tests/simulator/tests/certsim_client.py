# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A second, independent client of the simulator written from the wire reference with http.client/ssl,
plus a small test CA (cryptography) to make third-party certificates. Shares no code with the simulator."""

import base64
import datetime
import hashlib
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIMULATOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "certsim.py")
ADMIN = "administrator@vsphere.local"
READONLY = "readonly@vsphere.local"
PASSWORD = "VMware1!"
P = "/vcenter/certificate-management/vcenter"
DROPPED = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError, ssl.SSLError,
           http.client.IncompleteRead)


# --------------------------------------------------------------------------- process
class SimProcess:
    """certsim.py as a subprocess: start, READY lines, clean SIGTERM stop."""

    def __init__(self, *args, count=1, timeout=120):
        self.args = list(args)
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, SIMULATOR] + self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd="/")
        self.urls = []
        self._stderr = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        ready = threading.Event()

        def _read():
            for line in self.proc.stdout:
                self.lines.append(line)
                if line.startswith("READY "):
                    self.urls.append(line.split()[1])
                    if len(self.urls) == count:
                        ready.set()
            ready.set()

        self.lines = []
        threading.Thread(target=_read, daemon=True).start()
        if not ready.wait(timeout) or len(self.urls) != count:
            self.proc.kill()
            raise AssertionError("simulator not READY: %r %r" % (self.lines, "".join(self._stderr)))

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    @property
    def stderr(self):
        return "".join(self._stderr)

    def stop(self):
        """SIGTERM and return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return None

    def kill(self):
        self.proc.kill()
        return self.proc.wait(30)

    def client(self, index=0):
        return VC(self.urls[index])


# --------------------------------------------------------------------------- HTTP
class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.json = None
        if raw and headers.get("Content-Type", "application/json").startswith("application/json"):
            self.json = json.loads(raw.decode("utf-8"))

    def __repr__(self):
        return "<Response %s %r>" % (self.status, self.raw[:300])


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class VC:
    """One simulated vCenter, spoken to like a careful third-party client."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.url = url
        self.host = parts.hostname
        self.port = parts.port

    def connection(self, timeout=30):
        return http.client.HTTPSConnection(self.host, self.port, context=client_context(), timeout=timeout)

    def request(self, method, path, body=None, token=None, headers=None, raw=None, conn=None, timeout=30):
        hdrs = {"Accept": "application/json"}
        if token:
            hdrs["vmware-api-session-id"] = token
        if body is not None:
            raw = json.dumps(body).encode("utf-8")
        if raw is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        own = conn is None
        conn = conn or self.connection(timeout)
        try:
            conn.request(method, path, body=raw, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, dict(resp.getheaders()), data)
        finally:
            if own:
                conn.close()

    # sessions
    def login(self, dialect="api", user=ADMIN, password=PASSWORD):
        auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        if dialect == "api":
            r = self.request("POST", "/api/session", headers={"Authorization": auth})
            assert r.status == 201, r
            assert isinstance(r.json, str)
            return r.json
        r = self.request("POST", "/rest/com/vmware/cis/session", headers={"Authorization": auth})
        assert r.status == 200, r
        return r.json["value"]

    def login_raw(self, dialect, user, password):
        auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        path = "/api/session" if dialect == "api" else "/rest/com/vmware/cis/session"
        return self.request("POST", path, headers={"Authorization": auth})

    def api(self, method, rel, body=None, token=None, raw=None):
        return self.request(method, "/api" + rel, body=body, token=token, raw=raw)

    def rest(self, method, rel, body=None, token=None, raw=None):
        return self.request(method, "/rest" + rel, body=body, token=token, raw=raw)

    # control API
    def sim(self, method, path, body=None):
        r = self.request(method, "/sim/" + path, body=body)
        return r

    def reset(self):
        r = self.sim("POST", "reset")
        assert r.status == 204, r

    def stats(self):
        return self.sim("GET", "stats").json

    def state(self):
        return self.sim("GET", "state").json

    def vmca_root(self):
        return x509.load_pem_x509_certificate(self.sim("GET", "vmca-root").json["pem"].encode())

    def fault(self, **spec):
        r = self.sim("POST", "faults", spec)
        assert r.status == 201, r
        return r.json["id"]

    def try_state(self):
        """/sim/state, or None while the port refuses connections (restart phase R: /sim is on the same port)."""
        try:
            return self.state()
        except (ConnectionRefusedError, ConnectionResetError):
            return None

    def wait_restart_over(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.try_state()
            if state is not None and not state["in_restart"]:
                return
            time.sleep(0.02)
        raise AssertionError("restart window never ended")

    # TLS level
    def served_chain(self):
        ctx = client_context()
        with socket.create_connection((self.host, self.port), timeout=30) as sock:
            with ctx.wrap_socket(sock, server_hostname=self.host) as tls:
                der = tls.getpeercert(binary_form=True)
                chain = None
                if hasattr(tls, "get_unverified_chain"):  # Python 3.13+
                    chain = tls.get_unverified_chain()
        return x509.load_der_x509_certificate(der), chain

    def served_cert(self):
        return self.served_chain()[0]


def err_api(resp, status, error_type):
    """Assert an /api-shaped error."""
    assert resp.status == status, resp
    body = resp.json
    assert set(body) >= {"error_type", "messages"}, body
    assert body["error_type"] == error_type, body
    assert body["messages"], body
    for msg in body["messages"]:
        assert isinstance(msg["id"], str) and isinstance(msg["default_message"], str), msg
        assert isinstance(msg["args"], list), msg
    return body


def err_rest(resp, status, error_type, value_error_type=True):
    """Assert a /rest-shaped error (6.7: value_error_type=False, the value has no error_type)."""
    assert resp.status == status, resp
    body = resp.json
    assert body["type"] == "com.vmware.vapi.std.errors." + error_type.lower(), body
    if value_error_type:
        assert body["value"]["error_type"] == error_type, body
    else:
        assert "error_type" not in body["value"], body
    for msg in body["value"]["messages"]:
        assert set(msg) >= {"id", "default_message", "args"}, msg
    return body


# --------------------------------------------------------------------------- test PKI
def now():
    return datetime.datetime.now(datetime.timezone.utc)


def sha1_colon(cert):
    d = hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(d[i:i + 2] for i in range(0, len(d), 2))


def sha1_id(cert):
    return hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pkcs8(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def key_pkcs1(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class ThirdPartyCA:
    """A third-party CA (root) that issues leaves."""

    def __init__(self, name="Test Third-Party Root CA"):
        self.key = new_key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Corp")])
        start = now() - datetime.timedelta(days=1)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))

    @property
    def pem(self):
        return pem(self.cert)

    def issue(self, public_key=None, cn="localhost", dns=("localhost",), ips=("127.0.0.1",), days=365,
              start=None, digital_signature=True, key=None):
        """Return (cert, key) — key is None when public_key was given."""
        import ipaddress  # pylint: disable=import-outside-toplevel
        if public_key is None:
            key = key or new_key()
            public_key = key.public_key()
        start = start or (now() - datetime.timedelta(hours=1))
        names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
             .issuer_name(self.cert.subject).public_key(public_key).serial_number(x509.random_serial_number())
             .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(digital_signature, False, True, False, False, False, False, False, False),
                            critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        if names:
            b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return b.sign(self.key, hashes.SHA256()), key

    def sign_csr(self, csr_pem, days=365, digital_signature=True):
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        assert csr.is_signature_valid
        try:
            san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            san = None
        start = now() - datetime.timedelta(hours=1)
        b = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(self.cert.subject)
             .public_key(csr.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(digital_signature, False, True, False, False, False, False, False, False),
                            critical=True))
        if san is not None:
            b = b.add_extension(san, critical=False)
        return b.sign(self.key, hashes.SHA256())


# --------------------------------------------------------------------------- pytest fixture factories
# One definition for conftest.py (the version profiles) and for the test files that start simulators with options.
RESTART = "0.2"


def sim_fixture(*args, scope="session"):
    """A fixture that starts ``certsim.py`` with ``args`` (and a short restart) and stops it cleanly at the end."""
    import pytest  # pylint: disable=import-outside-toplevel

    @pytest.fixture(scope=scope)
    def _fixture():
        sim = SimProcess("--port", "0", "--restart-seconds", RESTART, *args)
        yield sim
        rc = sim.stop()
        assert rc == 0, "simulator did not exit cleanly (rc=%s): %s" % (rc, sim.stderr)
    return _fixture


def fresh_vc_fixture(sim_name):
    """A fixture that gives the simulator fixture ``sim_name``'s vCenter, reset to a fresh state, per test."""
    import pytest  # pylint: disable=import-outside-toplevel

    @pytest.fixture
    def _fixture(request):
        vc = request.getfixturevalue(sim_name).client()
        vc.reset()
        return vc
    return _fixture
