# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One simulated vCenter: certificate state, persistence, sessions, faults, statistics."""

import base64
import datetime
import json
import os
import secrets
import socket
import ssl
import tempfile
import threading
import time

from cryptography.hazmat.primitives.asymmetric import rsa

from . import pki
from .errors import VapiError, cm_error, invalid_argument, not_found, unauthenticated

STATE_FILE = "state.json"
STATE_FORMAT = 1
TMP_PREFIX = ".state-"
WRITE_LOG_MAX = 10000
MIN_KEY_SIZE = 2048
MAX_KEY_SIZE = 16384
READONLY_USER = "readonly@vsphere.local"

SAN_ERROR_TEXT = ("Invalid input certificate : DNS in Subject Alternative Name is not correct. "
                  "DNS Name must contain machine FQDN.")
# TrustedRootChainProviderImpl.create refusing a non-CA certificate, as logged by a real vCenter
# (vmware-archive/vsphere-automation-sdk-python issue #384): id com.vmware.certificatemanagement.error,
# defaultMessage "Internal Server Error (<text>)", args [<text>], errorType ERROR. The real text ends with
# "certificate chain" (no full stop).
TRC_NOT_CA_TEXT = ("create trusted root chain failed : Certificate bearing subject %s is not a valid CA "
                   "certificate. Please retry with a valid certificate chain")
# [INF] Tls.set refusing a non-CA root_cert: the same sentence behind the Tls.set prefix.
TLS_ROOT_NOT_CA_TEXT = ("Invalid root certificate : Certificate bearing subject %s is not a valid CA "
                        "certificate. Please retry with a valid certificate chain")
MIN_IMPORT_KEY_SIZE = 2048
# Tls.set input combinations (README "Fidelity options"). The SDK documents three (S14 vcenter_client.py docstring,
# S37 API reference Tls.put): (1) cert alone, after TlsCsr.create left the private key on vCenter; (2) cert + key
# when the root is already trusted; (3) cert + key + root_cert when it is not. Texts [INF].
TLS_ROOT_WITHOUT_KEY_TEXT = ("Invalid input : The root certificate can be provided only together with the private "
                             "key. Provide the certificate alone to use the private key of the certificate signing "
                             "request generated on vCenter Server.")
TLS_ROOT_TRUSTED_TEXT = ("Invalid root certificate : The root certificate bearing subject %s is already one of the "
                         "trusted roots. Provide the certificate and the private key only.")


def _atomic_write(path, data, mode=0o600):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _pems(certs):
    return [pki.cert_to_pem(c) for c in certs]


class Session:
    __slots__ = ("token", "user", "readonly", "created", "last", "last_mono")

    def __init__(self, token, user, readonly):
        self.token = token
        self.user = user
        self.readonly = readonly
        self.created = pki.utcnow_precise()
        self.last = self.created
        self.last_mono = time.monotonic()


class Fault:
    _ids = iter(range(1, 1 << 62))
    _ids_lock = threading.Lock()

    def __init__(self, spec):
        with Fault._ids_lock:
            self.fid = "fault-%d" % next(Fault._ids)
        self.method = spec.get("method")
        self.path = spec.get("path")
        self.count = spec.get("count", 1)
        self.kind = None
        self.status = spec.get("status")
        self.error_type = spec.get("error_type")
        self.message = spec.get("message")
        self.drop = spec.get("drop")
        self.delay = spec.get("delay")
        self.expire_sessions = spec.get("expire_sessions")
        self.apply = bool(spec.get("apply"))
        for kind in ("status", "drop", "delay", "expire_sessions"):
            if spec.get(kind) is not None:
                self.kind = kind

    def matches(self, method, full_path):
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path and self.path not in full_path:
            return False
        return True

    def as_dict(self):
        out = {"id": self.fid, "method": self.method, "path": self.path, "count": self.count}
        if self.kind == "status":
            out.update(status=self.status, error_type=self.error_type, message=self.message, apply=self.apply)
        else:
            out[self.kind] = getattr(self, self.kind)
        return out


class Stats:
    def __init__(self):
        self.requests = {}
        self.logins = 0
        self.logouts = 0
        self.writes_attempted = 0
        self.writes_applied = 0
        self.write_log = []


class VCenter:
    """State and behaviour of one simulated vCenter. Every public method takes ``self.lock``."""

    def __init__(self, index, opts, profile, state_dir, runtime_dir, loopback, loopback_ips):
        self.index = index
        self.opts = opts
        self.profile = profile
        self.pnid = opts.pnid.replace("{i}", str(index))
        self.state_dir = state_dir
        self.runtime_dir = runtime_dir
        self.loopback = loopback
        self.loopback_ips = list(loopback_ips)
        self.lock = threading.RLock()
        self.sessions = {}
        self.faults = []
        self.stats = Stats()
        self.restart_ends = None  # monotonic ends of the phases (R, P, L) of the current restart
        self.on_restart = None  # set by the server: wakes its accept loop (phase R closes the listening socket)
        self.ssl_context = None
        self.conns = set()
        self.conns_lock = threading.Lock()
        self.address = None
        # certificate state (cryptography objects)
        self.vmca_cert = None
        self.vmca_key = None
        self.tls_chain = []
        self.tls_key = None
        self.trust = {}
        self.sts_chains = []
        self.sts_key = None
        self.pending_csr_key = None
        self.staged_sts_key = None
        self.install_time = None
        # fidelity state (README "Fidelity options")
        self.partner_pnid = opts.linked_partner.replace("{i}", str(index)) if opts.linked_partner else None
        self.partner_cert = None
        self.partner_key = None
        self.vmca_root_ids = set()    # SHA-1 ids of every VMCA root (local old and current, partner)
        self.crls = {}                # SHA-1 id of a VMCA root -> PEM of its X509 CRL
        self.trust_visible_at = {}    # chain id -> monotonic time from which LIST/GET show it
        self.trust_ghosts = {}        # deleted chain id -> (chain, monotonic time until LIST/GET show it)

    # ------------------------------------------------------------------ state
    def state_path(self):
        return os.path.join(self.state_dir, STATE_FILE)

    def load_or_init(self):
        with self.lock:
            os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
            for name in os.listdir(self.state_dir):
                # leftovers of a write interrupted by a kill: the real file was never replaced
                if name.startswith(TMP_PREFIX) and name.endswith(".tmp"):
                    try:
                        os.unlink(os.path.join(self.state_dir, name))
                    except OSError:
                        pass
            path = self.state_path()
            if os.path.exists(path):
                with open(path, "rb") as handle:
                    self._from_json(json.loads(handle.read().decode("utf-8")))
            else:
                self._fresh()
                self._persist()
            self._rebuild_ssl_context()

    def _default_san_names(self):
        names = [self.pnid]
        if self.loopback:
            names.extend(self.loopback_ips)
        return names

    @staticmethod
    def _vmca_subject(pnid):
        # Subject like a real VMCA root: CN=CA, DC=vsphere, DC=local, C=US, ST=California, O=<pnid>, OU=VMware Engineering
        return pki.build_name(common_name="CA", domain_components=("vsphere", "local"), country="US",
                              state_or_province="California", organization=pnid,
                              organization_unit="VMware Engineering")

    def _note_vmca_root(self, cert, key):
        cid = pki.sha1_hex(cert)
        self.vmca_root_ids.add(cid)
        self.crls[cid] = pki.make_crl(cert, key)
        return cid

    def _fresh(self):
        bits = self.opts.initial_key_size
        root_key = pki.gen_rsa_key(bits)
        now = pki.utcnow()
        # with a linked partner the local root is the older one (the partner joined later / rotated last)
        local_nb = now - datetime.timedelta(hours=2) if self.partner_pnid else None
        root = pki.make_root(self._vmca_subject(self.pnid), root_key, days=self.opts.vmca_root_days,
                             not_before=local_nb)
        self.vmca_cert, self.vmca_key = root, root_key
        self.trust = {pki.sha1_hex(root): [root]}
        self.vmca_root_ids = set()
        self.crls = {}
        self.trust_visible_at = {}
        self.trust_ghosts = {}
        self._note_vmca_root(root, root_key)
        self.partner_cert = self.partner_key = None
        if self.partner_pnid:
            pkey = pki.gen_rsa_key(bits)
            proot = pki.make_root(self._vmca_subject(self.partner_pnid), pkey, days=self.opts.vmca_root_days,
                                  not_before=now - datetime.timedelta(hours=1))
            self.partner_cert, self.partner_key = proot, pkey
            self.trust[pki.sha1_hex(proot)] = [proot]
            self._note_vmca_root(proot, pkey)
        tls_key = pki.gen_rsa_key(bits)
        # [INF] initial machine SSL subject "C=US, CN=<pnid>"
        leaf = self._vmca_issue(pki.build_name(common_name=self.pnid, country="US"), tls_key,
                                pki.general_names(self._default_san_names()), 730)
        self.tls_chain, self.tls_key = [leaf, root], tls_key
        # The STS signing chain is issued on first use (see _ensure_sts): a fleet starts with two keys
        # per vCenter instead of three. It is always issued by the first VMCA root, as on a real vCenter.
        self.sts_chains = []
        self.sts_key = None
        self.pending_csr_key = None
        self.staged_sts_key = None
        self.install_time = pki.rfc3339_ms(pki.utcnow())

    def _vmca_issue(self, subject, key, san, days):
        # [INF] VMCA-issued machine certificates carry an AIA caIssuers URI pointing at the appliance.
        # A VMCA-issued certificate never outlives the VMCA root (S35): notAfter is capped at the root's.
        return pki.issue_certificate(
            subject, key.public_key(), self.vmca_cert.subject, self.vmca_key, days,
            issuer_cert=self.vmca_cert, san=san, aia_uri="https://%s/afd/vecs/ca" % self.pnid,
            not_after_cap=self.vmca_cert.not_valid_after_utc)

    def _ensure_sts(self):
        if not self.sts_chains:
            key = pki.gen_rsa_key(self.opts.initial_key_size)
            if self.opts.sts_anchor == "partner" and self.partner_cert is not None:
                # ELM: the domain-wide STS chain was issued on the partner node, anchored by its VMCA root
                issuer, issuer_key = self.partner_cert, self.partner_key
            else:
                issuer, issuer_key = self.vmca_cert, self.vmca_key
            self.sts_chains = [[self._sts_issue(key, issuer, issuer_key), issuer]]
            self.sts_key = key
            self._persist()

    def _sts_issue(self, key, issuer=None, issuer_key=None):
        issuer = issuer or self.vmca_cert
        issuer_key = issuer_key or self.vmca_key
        # [INF] subject of a VMCA-issued STS signing certificate; capped at the issuing root's notAfter (S35)
        return pki.issue_certificate(
            pki.build_name(common_name="ssoserverSign", organization_unit="VMware Engineering"),
            key.public_key(), issuer.subject, issuer_key, 3650,
            issuer_cert=issuer, key_usage=("digital_signature", "content_commitment"), eku=None,
            not_after_cap=issuer.not_valid_after_utc)

    def _to_json(self):
        return {
            "format": STATE_FORMAT,
            "pnid": self.pnid,
            "install_time": self.install_time,
            "vmca": {"cert": pki.cert_to_pem(self.vmca_cert), "key": pki.key_to_pem(self.vmca_key)},
            "tls": {"chain": _pems(self.tls_chain), "key": pki.key_to_pem(self.tls_key)},
            "trusted_root_chains": [[cid, _pems(chain)] for cid, chain in self.trust.items()],
            "sts": {"chains": [_pems(c) for c in self.sts_chains],
                    "key": pki.key_to_pem(self.sts_key) if self.sts_key else None},
            "pending_csr_key": pki.key_to_pem(self.pending_csr_key) if self.pending_csr_key else None,
            "staged_sts_key": pki.key_to_pem(self.staged_sts_key) if self.staged_sts_key else None,
            "vmca_root_ids": sorted(self.vmca_root_ids),
            "crls": dict(self.crls),
            "partner": ({"pnid": self.partner_pnid, "cert": pki.cert_to_pem(self.partner_cert),
                         "key": pki.key_to_pem(self.partner_key)} if self.partner_cert is not None else None),
        }

    def _from_json(self, data):
        if data.get("format") != STATE_FORMAT:
            raise ValueError("unsupported state format in %s" % self.state_path())

        def certs(pems):
            return [pki.cert_from_pem(p) for p in pems]

        self.install_time = data["install_time"]
        self.vmca_cert = pki.cert_from_pem(data["vmca"]["cert"])
        self.vmca_key = pki.key_from_pem(data["vmca"]["key"])
        self.tls_chain = certs(data["tls"]["chain"])
        self.tls_key = pki.key_from_pem(data["tls"]["key"])
        self.trust = {cid: certs(chain) for cid, chain in data["trusted_root_chains"]}
        self.sts_chains = [certs(c) for c in data["sts"]["chains"]]
        self.sts_key = pki.key_from_pem(data["sts"]["key"]) if data["sts"].get("key") else None
        self.pending_csr_key = pki.key_from_pem(data["pending_csr_key"]) if data.get("pending_csr_key") else None
        self.staged_sts_key = pki.key_from_pem(data["staged_sts_key"]) if data.get("staged_sts_key") else None
        self.vmca_root_ids = set(data.get("vmca_root_ids") or [pki.sha1_hex(self.vmca_cert)])
        self.crls = dict(data.get("crls") or {})
        if pki.sha1_hex(self.vmca_cert) not in self.crls:
            self._note_vmca_root(self.vmca_cert, self.vmca_key)
        partner = data.get("partner")
        if partner:
            self.partner_pnid = partner["pnid"]
            self.partner_cert = pki.cert_from_pem(partner["cert"])
            self.partner_key = pki.key_from_pem(partner["key"])

    def _persist(self):
        _atomic_write(self.state_path(), json.dumps(self._to_json(), indent=1).encode("utf-8"))

    def _rebuild_ssl_context(self):
        """New SSLContext for the current machine SSL chain; new handshakes use it at once."""
        blob = "".join(_pems(self.tls_chain)) + pki.key_to_pem(self.tls_key)
        fd, path = tempfile.mkstemp(prefix="tls-", suffix=".pem", dir=self.runtime_dir)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(blob)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
        self.ssl_context = ctx

    def reset(self):
        """/sim/reset: a fresh vCenter (new VMCA root, certificates, trust store), counters zeroed."""
        with self.lock:
            self._fresh()
            self._persist()
            self._rebuild_ssl_context()
            self.sessions.clear()
            self.faults = []
            self.stats = Stats()
            self.restart_ends = None
        self._wake()

    # -------------------------------------------------------------- connections
    def conn_add(self, info):
        with self.conns_lock:
            self.conns.add(info)

    def conn_remove(self, info):
        with self.conns_lock:
            self.conns.discard(info)

    def drop_connections(self, keep=None):
        """Abruptly close every open vCenter-API TLS connection (as a service restart does)."""
        with self.conns_lock:
            victims = [c for c in self.conns if c is not keep and c.vc_seen]
        for info in victims:
            try:
                socket.socket.shutdown(info.sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def drop_all_connections(self):
        with self.conns_lock:
            victims = list(self.conns)
        for info in victims:
            try:
                socket.socket.shutdown(info.sock, socket.SHUT_RDWR)
            except OSError:
                pass

    # ----------------------------------------------------------------- restart
    def restart_phase(self):
        """'R' (connections refused), 'P' (proxy plain-text 503), 'L' (login only) or None."""
        ends = self.restart_ends
        if not ends:
            return None
        now = time.monotonic()
        for name, end in zip("RPL", ends):
            if now < end:
                return name
        return None

    def in_restart(self):
        return self.restart_phase() is not None

    def listen_state(self):
        """(refuse connections now?, monotonic time at which that changes or None)."""
        ends = self.restart_ends
        if ends and time.monotonic() < ends[0]:
            return True, ends[0]
        return False, None

    def begin_restart(self):
        with self.lock:
            total = max(0.0, self.opts.restart_seconds)
            shares = tuple(getattr(self.opts, "restart_phases", None) or (1.0, 1.0, 1.0))
            weight = sum(shares) or 1.0
            now, acc, ends = time.monotonic(), 0.0, []
            for share in shares:
                acc += share
                ends.append(now + total * acc / weight)
            self.restart_ends = tuple(ends)
            self.sessions.clear()
        self._wake()

    def _wake(self):
        callback = self.on_restart
        if callback is not None:
            callback()

    # ---------------------------------------------------------------- sessions
    def _purge_sessions(self):
        limit = self.opts.session_timeout
        now = time.monotonic()
        for token in [t for t, s in self.sessions.items() if now - s.last_mono > limit]:
            del self.sessions[token]

    def login(self, authorization):
        """Basic-auth login; returns (token, user)."""
        if not authorization or not authorization.lower().startswith("basic "):
            raise unauthenticated()
        try:
            raw = base64.b64decode(authorization.split(None, 1)[1].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError, IndexError):
            raise unauthenticated() from None
        user, sep, password = raw.partition(":")
        if not sep:
            raise unauthenticated()
        admin = self.opts.username
        # Basic credentials are UTF-8 (the official SDK encodes them so); compare bytes: compare_digest refuses
        # non-ASCII str. surrogateescape keeps a non-UTF-8 command line's bytes as they were given.
        given = password.encode("utf-8")
        expected = self.opts.password.encode("utf-8", "surrogateescape")
        if user.lower() == admin.lower() and secrets.compare_digest(given, expected):
            canonical, readonly = admin, False
        elif user.lower() == READONLY_USER and secrets.compare_digest(given, expected):
            canonical, readonly = READONLY_USER, True
        else:
            raise unauthenticated()
        with self.lock:
            self._purge_sessions()
            limit = self.opts.max_sessions
            count = sum(1 for s in self.sessions.values() if s.user == canonical)
            if count >= limit:
                # per user, 503, id and text as a real vCenter before 8.0 U3 (fidelity review row 27, S19);
                # [INF] args [limit, count, user]
                raise VapiError("SERVICE_UNAVAILABLE",
                                "User session count is limited to %d. Existing session count is %d for user %s"
                                % (limit, count, canonical),
                                "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached",
                                [str(limit), str(count), canonical])
            token = secrets.token_hex(16)
            self.sessions[token] = Session(token, canonical, readonly)
            self.stats.logins += 1
            return token, canonical

    def authenticate(self, token):
        with self.lock:
            self._purge_sessions()
            session = self.sessions.get(token) if token else None
            if session is None:
                raise unauthenticated()
            session.last = pki.utcnow_precise()
            session.last_mono = time.monotonic()
            return session

    def session_info(self, session):
        return {"user": session.user, "created_time": pki.rfc3339_ms(session.created),
                "last_accessed_time": pki.rfc3339_ms(session.last)}

    def logout(self, session):
        with self.lock:
            if self.sessions.pop(session.token, None) is not None:
                self.stats.logouts += 1

    def expire_sessions(self):
        with self.lock:
            self.sessions.clear()

    def active_sessions(self):
        with self.lock:
            self._purge_sessions()
            return len(self.sessions)

    # ------------------------------------------------------------- faults/stats
    def add_fault(self, spec):
        fault = Fault(spec)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, method, full_path):
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, full_path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def count_request(self, template):
        with self.lock:
            self.stats.requests[template] = self.stats.requests.get(template, 0) + 1

    def record_write(self, method, full_path, status, applied):
        with self.lock:
            self.stats.writes_attempted += 1
            if applied:
                self.stats.writes_applied += 1
            self.stats.write_log.append({"method": method, "path": full_path, "status": status,
                                         "applied": bool(applied)})
            del self.stats.write_log[:-WRITE_LOG_MAX]

    def stats_dict(self):
        with self.lock:
            self._purge_sessions()
            s = self.stats
            return {"requests": dict(s.requests), "active_sessions": len(self.sessions), "logins": s.logins,
                    "logouts": s.logouts, "writes_attempted": s.writes_attempted,
                    "writes_applied": s.writes_applied, "write_log": list(s.write_log)}

    def reset_stats(self):
        with self.lock:
            self.stats = Stats()

    def sim_state(self):
        with self.lock:
            phase = self.restart_phase()
            return {"version": self.profile.name, "pnid": self.pnid, "in_restart": phase is not None,
                    "restart_phase": phase,
                    "pending_csr": self.pending_csr_key is not None,
                    "staged_sts_key": self.staged_sts_key is not None}

    def trusted_root_entries(self):
        """[(certificate, CRL PEM or None)] of the trust store, for /certs/download.zip. A VMCA root's entry
        carries its CRL (``self.crls``: chain id -> CRL PEM), as the real zip holds ``<hash>.r0`` files."""
        with self.lock:
            crls = self.crls
            out = []
            for cid, chain in self.trust.items():
                for i, cert in enumerate(chain):
                    out.append((cert, crls.get(cid) if i == 0 else None))
            return out

    def sim_partner_root(self, method):
        """/sim/partner-vmca-root: GET the linked partner's current VMCA root; POST replaces it (a partner's own
        VmcaRoot.create, replicated through vmdir): a new root newer than every certificate in the trust store,
        added to the trust store next to the old one. (status, payload)."""
        with self.lock:
            if method not in ("GET", "POST"):
                return 404, {"error": "unknown control endpoint %s /sim/partner-vmca-root" % method}
            if self.partner_cert is None:
                return 409, {"error": "no linked partner (start with --linked-partner PNID)"}
            if method == "POST":
                newest = max(c.not_valid_before_utc for chain in self.trust.values() for c in chain)
                nb = max(pki.utcnow(), newest + datetime.timedelta(seconds=1))
                key = pki.gen_rsa_key(self.opts.initial_key_size)
                root = pki.make_root(self._vmca_subject(self.partner_pnid), key, days=self.opts.vmca_root_days,
                                     not_before=nb)
                self.partner_cert, self.partner_key = root, key
                self._trust_add(pki.sha1_hex(root), [root], lag=False)
                self._note_vmca_root(root, key)
                self._persist()
            return 200, {"pnid": self.partner_pnid, "pem": pki.cert_to_pem(self.partner_cert),
                         "sha256": pki.sha256_thumbprint(self.partner_cert), "id": pki.sha1_hex(self.partner_cert)}

    def vmca_root_info(self):
        with self.lock:
            return {"pem": pki.cert_to_pem(self.vmca_cert), "sha256": pki.sha256_thumbprint(self.vmca_cert)}

    # ------------------------------------------------------------- operations
    def execute(self, op, params, path_params):
        """Run one vCenter operation. Returns (result, changed, restart)."""
        handler = getattr(self, "op_" + op.replace(".", "_"))
        with self.lock:
            return handler(params, path_params)

    def op_version_get(self, _params, _path):
        prof = self.profile
        return ({
            "version": prof.full_version,
            "build": prof.build,
            "product": "VMware vCenter Server",
            "type": "vCenter Server with an embedded Platform Services Controller",
            "summary": "VMware vCenter Server %s build-%s" % (prof.name, prof.build),  # [INF] wording
            "releasedate": prof.releasedate,
            "install_time": self.install_time,
        }, False, False)

    # trusted root chains ------------------------------------------------------
    # What LIST and GET see (--trust-store-lag): the store as vmdir has it, minus chains created less than
    # the lag ago, plus chains deleted less than the lag ago. Everything else (Tls.set path building,
    # duplicate checks, ids) works on the real store.
    def _trust_add(self, cid, chain, lag=True):
        self.trust[cid] = chain
        self.trust_ghosts.pop(cid, None)
        if lag and self.opts.trust_store_lag > 0:
            self.trust_visible_at[cid] = time.monotonic() + self.opts.trust_store_lag
        else:
            self.trust_visible_at.pop(cid, None)

    def _trust_visible(self):
        now = time.monotonic()
        for cid in [c for c, (_chain, until) in self.trust_ghosts.items() if until <= now]:
            del self.trust_ghosts[cid]
        out = {cid: chain for cid, chain in self.trust.items() if self.trust_visible_at.get(cid, 0.0) <= now}
        for cid, (chain, _until) in self.trust_ghosts.items():
            out.setdefault(cid, chain)
        return out

    def _render_chain(self, chain):
        pems = _pems(chain)
        if self.opts.root_entry_shape == "with-crl" and len(chain) == 1:
            cid = pki.sha1_hex(chain[0])
            if cid in self.vmca_root_ids and cid in self.crls:
                # A VMCA root's entry: the certificate followed by the VMCA's X509 CRL, with a leading newline
                # (Keyfactor vmware-vcenter-orchestrator Inventory.cs, bugfix #81594).
                pems[0] = "\n" + pems[0] + self.crls[cid]
        return pems

    def op_trc_list(self, _params, _path):
        return [{"chain": cid} for cid in self._trust_visible()], False, False

    def op_trc_get(self, _params, path):
        chain = self._trust_visible().get(path["chain"])
        if chain is None:
            raise _trc_not_found(path["chain"])
        return {"cert_chain": {"cert_chain": self._render_chain(chain)}}, False, False

    def op_trc_delete(self, _params, path):
        # [INF] deleting the VMCA root's entry is allowed (the API declares no error for it).
        cid = path["chain"]
        if cid not in self.trust:
            raise _trc_not_found(cid)
        chain = self.trust.pop(cid)
        was_visible = self.trust_visible_at.pop(cid, 0.0) <= time.monotonic()
        if was_visible and self.opts.trust_store_lag > 0:
            self.trust_ghosts[cid] = (chain, time.monotonic() + self.opts.trust_store_lag)
        self._persist()
        return None, True, False

    def op_trc_create(self, params, _path):
        spec = params["spec"]
        pems = spec["cert_chain"]["cert_chain"]
        if not pems:
            raise invalid_argument("The certificate chain is empty.", "com.vmware.certificatemanagement.chain.empty")
        certs = []
        for text in pems:
            try:
                # [INF] each list entry must hold exactly one PEM certificate ("one certificate in PEM each")
                certs.append(pki.cert_from_pem(text))
            except ValueError:
                raise invalid_argument("Invalid certificate chain: an entry is not a PEM-encoded X.509 certificate.",
                                       "com.vmware.certificatemanagement.chain.invalid") from None
        for cert in certs:
            if not pki.is_valid_ca(cert):
                text = TRC_NOT_CA_TEXT % pki.dn_string(cert.subject)
                raise VapiError("ERROR", "Internal Server Error (%s)" % text, "com.vmware.certificatemanagement.error",
                                [text])
        cid = spec.get("chain")
        if cid is None:
            # Generated ids look like 40 upper-case hex chars [FIELD]: SHA-1 of the root (last cert) DER.
            # [INF] the last certificate of the chain (the root of a leaf-first chain) is hashed.
            cid = pki.sha1_hex(certs[-1])
        elif not cid or "/" in cid:
            # [INF] an id that cannot be addressed in a URL path segment is refused.
            raise invalid_argument("Invalid trusted root chain identifier '%s'." % cid,
                                   "com.vmware.certificatemanagement.chain.id.invalid", [cid])
        if cid in self.trust:
            raise VapiError("ALREADY_EXISTS", "A trusted root certificate chain with identifier %s already exists." % cid,
                            "com.vmware.certificatemanagement.chain.already_exists", [cid])
        if self.opts.duplicate_root == "refuse":
            # [INF] content-based, as the vSphere Client words it (S32): every certificate of the chain is
            # already in the trust store under some id
            known = {pki.der(c) for c in self._anchors()}
            if all(pki.der(c) in known for c in certs):
                raise VapiError("ALREADY_EXISTS", "Trusted root already exists",
                                "com.vmware.certificatemanagement.chain.already_exists", [cid])
        self._trust_add(cid, certs)
        self._persist()
        return cid, True, False

    # TLS CSR ----------------------------------------------------------------------
    def _subject_from_spec(self, spec, err, default_cn=True):
        try:
            return pki.build_name(
                common_name=spec.get("common_name") or (self.pnid if default_cn else None),
                organization=spec.get("organization"), organization_unit=spec.get("organization_unit"),
                locality=spec.get("locality"), state_or_province=spec.get("state_or_province"),
                country=spec.get("country"))
        except ValueError as exc:
            # e.g. a country that is not a two-letter code
            raise err("Invalid subject: %s" % exc) from None

    def _key_size(self, spec, default, err):
        size = spec.get("key_size")
        if size is None:
            return default
        if not MIN_KEY_SIZE <= size <= MAX_KEY_SIZE:
            raise err("Invalid key size %d: must be between %d and %d bits." % (size, MIN_KEY_SIZE, MAX_KEY_SIZE))
        return size

    def op_csr_create(self, params, _path):
        spec = params["spec"]
        # TlsCsr.create declares only the generic error -> semantic problems are ERROR 500 [INF].
        size = self._key_size(spec, self.profile.default_key_size, cm_error)
        subject = self._subject_from_spec(spec, cm_error)
        names = spec.get("subject_alt_name")
        if names is None:
            names = [self.pnid]  # default: PNID
        san = pki.general_names(names, [spec.get("email_address")])
        key = pki.gen_rsa_key(size)
        csr = pki.make_csr(subject, key, san)
        self.pending_csr_key = key
        self._persist()
        return {"csr": csr}, True, False

    # TLS ----------------------------------------------------------------------------
    def op_tls_get(self, _params, _path):
        return pki.tls_info(self.tls_chain[0]), False, False

    def _anchors(self):
        return [c for chain in self.trust.values() for c in chain]

    @staticmethod
    def _build_path(leaf, intermediates, anchors):
        """Issuer path from leaf to a trust anchor (excluding the leaf), or None."""
        path = []
        current = leaf
        pool = list(intermediates)
        for _depth in range(10):
            for anchor in anchors:
                if pki.der(anchor) == pki.der(current):
                    return path
            for anchor in anchors:
                if pki.issued_by(current, anchor):
                    return path + ([anchor] if pki.der(anchor) != pki.der(current) else [])
            nxt = None
            for cand in pool:
                if pki.issued_by(current, cand) and pki.der(cand) != pki.der(current):
                    nxt = cand
                    break
            if nxt is None:
                return None
            pool.remove(nxt)
            path.append(nxt)
            current = nxt
        return None

    def _chain_root(self, leaf, path, bundle):
        """The root of the CA that issued the leaf: the top of its path, followed up through the trust store and
        root_cert to a self-signed certificate (the path stops at the first trusted certificate, which may be an
        intermediate). The top certificate found when no self-signed one is known."""
        top = path[-1] if path else leaf
        pool = self._anchors() + list(bundle)
        for _depth in range(10):
            if pki.is_self_signed(top):
                break
            nxt = next((c for c in pool if pki.der(c) != pki.der(top) and pki.issued_by(top, c)), None)
            if nxt is None:
                break
            top = nxt
        return top

    def op_tls_set(self, params, _path):
        spec = params["spec"]
        # The input combinations (S14/S37 docstring: "can be used in three scenarios"): cert alone after a CSR made
        # on vCenter; cert + key when the root is already trusted; cert + key + root_cert when it is not. A missing
        # cert is the runtime's structure validation (400 INVALID_ARGUMENT, schema.py). Everything else the service
        # itself refuses, and it can only answer the errors Tls.set declares (NotFound, AlreadyExists, Error: S14,
        # S37, Go bindings TlsTypes.go): the vAPI runtime turns an undeclared error such as InvalidArgument into
        # INTERNAL_SERVER_ERROR "Invalid error ... reported from method" (vmware/vsphere-automation-sdk-go
        # runtime/provider/local/LocalProvider.go validateError). So the refusals are the generic ERROR of the
        # certificate-management service, like every other Tls.set input refusal here. Checked first, before the
        # certificate is parsed [INF order].
        #   cert + root_cert without key: documented nowhere as a combination. The field docs (S37) are looser
        #   ("key: If unset the private key from the certificate store will be used"; "root_cert: If unset the new
        #   third party root CA certificate will not be added"), but scenario 1 says "cert (but not key and
        #   root_cert)"; no public client sends it over the API. Safest reading: refused (no option).
        if spec.get("root_cert") is not None and spec.get("key") is None:
            raise cm_error(TLS_ROOT_WITHOUT_KEY_TEXT)
        try:
            certs = pki.certs_from_pem(spec["cert"])
        except ValueError:
            raise cm_error("Invalid input certificate : Unable to parse the certificate.") from None
        leaf, intermediates = certs[0], certs[1:]
        if pki.der(leaf) == pki.der(self.tls_chain[0]):
            raise VapiError("ALREADY_EXISTS",
                            "The certificate with thumbprint %s is already the machine SSL certificate."
                            % pki.sha1_thumbprint(leaf),
                            "com.vmware.certificatemanagement.tls.already_exists", [pki.sha1_thumbprint(leaf)])
        if not pki.is_time_valid(leaf):
            raise cm_error("Invalid input certificate : Certificate has expired or is not yet valid.")
        if not pki.san_contains(leaf, self.pnid):
            raise cm_error(SAN_ERROR_TEXT)
        self._check_import_policy(leaf)
        used_pending = False
        if spec.get("key") is not None:
            try:
                key = pki.key_from_pem(spec["key"])
            except (ValueError, TypeError):
                raise cm_error("Invalid private key : Unable to parse the private key.") from None
            if not pki.key_matches_cert(key, leaf):
                raise cm_error("Invalid input certificate : Private key does not match the certificate.")
        else:
            # Scenario 1: use the key kept by TlsCsr.create; NotFound "private key not present in VECS".
            key = self.pending_csr_key
            if key is None:
                raise not_found("The private key is not present in the VECS store; generate a CSR first or "
                                "provide the key.", "com.vmware.certificatemanagement.tls.key.not_found")
            if not pki.key_matches_cert(key, leaf):
                raise not_found("No private key matching the certificate is present in the VECS store.",
                                "com.vmware.certificatemanagement.tls.key.not_found")
            used_pending = True
        # root_cert may be a bundle (intermediates and root, any order), as the public clients that report
        # success send it (S5, S6, S7); every certificate in it must be a valid CA (S3, S9).
        bundle = []
        if spec.get("root_cert") is not None:
            try:
                bundle = pki.certs_from_pem(spec["root_cert"])
            except ValueError:
                raise cm_error("Invalid root certificate : Unable to parse the root certificate.") from None
            for ca in bundle:
                if not pki.is_valid_ca(ca):
                    raise cm_error(TLS_ROOT_NOT_CA_TEXT % pki.dn_string(ca.subject))
                if not pki.is_time_valid(ca):
                    raise cm_error("Invalid root certificate : Certificate bearing subject %s has expired or is "
                                   "not yet valid." % pki.dn_string(ca.subject))
        # --cert-chain-in-cert ignored: 'cert' is "Certificate string in PEM format" (S37), only its first
        # certificate counts
        if self.opts.cert_chain_in_cert != "used":
            intermediates = []
        pool = list(intermediates) + [c for c in bundle if not pki.is_self_signed(c)]
        anchors = self._anchors() + [c for c in bundle if pki.is_self_signed(c)]
        path = self._build_path(leaf, pool, anchors)
        if path is None:
            raise cm_error("Invalid input certificate : Certificate chain could not be verified with the given "
                           "root certificate or the trusted root certificates.")
        for ca in path:
            # PKIX: every issuer on the path must be a CA with keyCertSign [INF wording]
            if not pki.is_valid_ca(ca):
                raise cm_error(TLS_ROOT_NOT_CA_TEXT % pki.dn_string(ca.subject))
            if not pki.is_self_signed(ca):
                problem = pki.signature_problem(ca)
                if problem:
                    raise cm_error("Invalid input certificate : %s (certificate bearing subject %s)."
                                   % (problem, pki.dn_string(ca.subject)))
        known = {pki.der(c) for c in self._anchors()}
        if bundle and self.opts.root_cert_trusted == "refuse":
            # cert + key + root_cert when the root is already trusted: scenario 2 of the docstring says "cert and
            # key (but not root_cert) must be provided" then; the field doc says root_cert is "required ... if the
            # root certificate of the third party is not already a trusted root" (S37), which does not forbid it,
            # and public clients send root_cert on every run (S6 Keyfactor, whose docs have the root enrolled as a
            # trusted root first; S7 certbot-deployer on every renewal) and report success. The strict reading is
            # the default; --root-cert-trusted accept models those clients' vCenters. "Trusted" counts chains still
            # hidden by --trust-store-lag, as path building does [INF].
            root = self._chain_root(leaf, path, bundle)
            if pki.der(root) in known:
                raise cm_error(TLS_ROOT_TRUSTED_TEXT % pki.dn_string(root.subject))
        for ca in bundle:
            # [INF] every CA certificate of root_cert goes into the trust store as its own entry (VECS keeps one
            # entry per certificate, alias = SHA-1, KB 326288), unless it is already there
            if pki.der(ca) not in known and pki.sha1_hex(ca) not in self.trust:
                self._trust_add(pki.sha1_hex(ca), [ca])
                known.add(pki.der(ca))
        self.tls_chain = [leaf] + path
        self.tls_key = key
        if used_pending:
            self.pending_csr_key = None
        self._persist()
        self._rebuild_ssl_context()
        return None, True, True

    def _check_import_policy(self, leaf):
        """vSphere 8.0 "Certificate Requirements for Different Solution Paths" (S9; 16384 bits on 7.0, S10):
        RSA keys only, 2048..8192 bits, no md5/sha1WithRSA, RSASSA-PSS, dsaWithSHA1, ecdsa_with_SHA1 signatures,
        no wildcard certificates. [INF] the wording of each refusal."""
        pub = leaf.public_key()
        if not isinstance(pub, rsa.RSAPublicKey):
            raise cm_error("Invalid input certificate : Only RSA keys are supported; the certificate has a %s key."
                           % type(pub).__name__.replace("PublicKey", "").replace("_", ""))
        maximum = self.profile.max_import_key_size
        if not MIN_IMPORT_KEY_SIZE <= pub.key_size <= maximum:
            raise cm_error("Invalid input certificate : RSA key size %d is not supported; the key size must be "
                           "between %d and %d bits." % (pub.key_size, MIN_IMPORT_KEY_SIZE, maximum))
        problem = pki.signature_problem(leaf)
        if problem:
            raise cm_error("Invalid input certificate : %s." % problem)
        wild = pki.wildcard_names(leaf)
        if wild:
            raise cm_error("Invalid input certificate : Wildcard certificates are not supported (%s)."
                           % ", ".join(wild))

    def _leaf_key_size(self):
        return pki.key_size_of(self.tls_key, self.opts.initial_key_size)

    def op_tls_renew(self, params, _path):
        duration = params.get("duration")
        if duration is None:
            duration = 730
        if not 1 <= duration <= 730:
            raise invalid_argument("Invalid duration %d: the duration must be between 1 and 730 days." % duration,
                                   "com.vmware.certificatemanagement.tls.renew.duration.invalid", [str(duration)])
        leaf = self.tls_chain[0]
        if not pki.issued_by(leaf, self.vmca_cert):
            raise VapiError("UNSUPPORTED", "Renewal is supported only for a VMCA-signed machine SSL certificate.",
                            "com.vmware.certificatemanagement.tls.renew.unsupported")
        key = pki.gen_rsa_key(self._leaf_key_size())
        new = self._vmca_issue(leaf.subject, key, pki.san_general_names(leaf), duration)
        self.tls_chain = [new, self.vmca_cert]
        self.tls_key = key
        self._persist()
        self._rebuild_ssl_context()
        return None, True, True

    def op_tls_replace(self, params, _path):
        spec = params["spec"]
        size = self._key_size(spec, self.profile.default_key_size, invalid_argument)
        subject = self._subject_from_spec(spec, invalid_argument)
        names = spec.get("subject_alt_name")
        if names is None:
            # default SAN: PNID (+ the loopback IP when serving on loopback) [INF]
            names = self._default_san_names()
        elif not any(n.lower() == self.pnid.lower() for n in names):
            # [INF] a VMCA certificate whose SAN lacks the PNID would break vCenter; refused.
            raise invalid_argument("The subject alternative name must contain the PNID %s." % self.pnid,
                                   "com.vmware.certificatemanagement.tls.san.invalid", [self.pnid])
        san = pki.general_names(names, [spec.get("email_address")])
        key = pki.gen_rsa_key(size)
        new = self._vmca_issue(subject, key, san, 730)
        self.tls_chain = [new, self.vmca_cert]
        self.tls_key = key
        self._persist()
        self._rebuild_ssl_context()
        return None, True, True

    # VMCA root ------------------------------------------------------------------------
    def op_vmca_create(self, params, _path):
        spec = params.get("spec") or {}
        size = self._key_size(spec, 3072, cm_error)
        # Defaults per reference §4.4.
        defaults = {"organization": "VMware", "locality": "Palo Alto", "state_or_province": "California",
                    "country": "US", "email_address": "email@acme.com"}
        merged = dict(spec)
        for k, v in defaults.items():
            if merged.get(k) is None:
                merged[k] = v
        subject = self._subject_from_spec(merged, cm_error)
        names = spec.get("subject_alt_name")
        if names is None:
            names = [self.pnid]
        root_key = pki.gen_rsa_key(size)
        try:
            root = pki.make_root(subject, root_key, days=self.opts.vmca_root_days,
                                 san=pki.general_names(names, [merged.get("email_address")]) or None)
        except ValueError as exc:
            raise cm_error("Invalid VMCA root specification: %s" % exc) from None
        self._ensure_sts()  # issued (if not yet) by the old root
        old_root = self.vmca_cert
        leaf = self.tls_chain[0]
        self.vmca_cert, self.vmca_key = root, root_key
        rid = pki.sha1_hex(root)
        if rid not in self.trust:
            self._trust_add(rid, [root], lag=False)
        self._note_vmca_root(root, root_key)
        # "replacement of the VMCA ROOT certificate and regeneration of all the other certificates" (S1, S36):
        # with --vmca-replace regenerate-all the machine SSL certificate is re-issued under the new root even when
        # it was a custom (CA-signed) one; vmca-issued-only re-issues only a certificate of the old VMCA root.
        # [INF] the re-issued certificate keeps the current subject and SAN, with a new key of the same size.
        if self.opts.vmca_replace == "regenerate-all" or pki.issued_by(leaf, old_root):
            key = pki.gen_rsa_key(self._leaf_key_size())
            new = self._vmca_issue(leaf.subject, key, pki.san_general_names(leaf), 730)
            self.tls_chain = [new, root]
            self.tls_key = key
        if self.opts.vmca_replace_sts == "reissue":
            # [INF] the STS signing chain re-issued under the new root and made active (old chains kept)
            sts_key = pki.gen_rsa_key(pki.key_size_of(self.sts_key, self.opts.initial_key_size))
            self._activate_sts([self._sts_issue(sts_key), root], sts_key)
        self._persist()
        self._rebuild_ssl_context()
        return None, True, True

    # STS signing certificate -------------------------------------------------------
    def op_sts_get(self, _params, _path):
        self._ensure_sts()
        return {"active_cert_chain": {"cert_chain": _pems(self.sts_chains[0])},
                "signing_cert_chains": [{"cert_chain": _pems(c)} for c in self.sts_chains]}, False, False

    @staticmethod
    def _parse_sts_chain(chain_struct):
        pems = chain_struct["cert_chain"]
        if not pems:
            raise invalid_argument("The signing certificate chain is empty.",
                                   "com.vmware.certificatemanagement.sts.chain.empty")
        try:
            certs = [pki.cert_from_pem(p) for p in pems]
        except ValueError:
            raise invalid_argument("The signing certificate chain contains an entry that is not a PEM certificate.",
                                   "com.vmware.certificatemanagement.sts.chain.invalid") from None
        for child, parent in zip(certs, certs[1:]):
            if not pki.issued_by(child, parent):
                raise invalid_argument("The signing certificate chain is not a valid chain (leaf first).",
                                       "com.vmware.certificatemanagement.sts.chain.invalid")
        leaf = certs[0]
        if not pki.has_digital_signature(leaf):
            raise invalid_argument("The signing certificate must have the digitalSignature key usage.",
                                   "com.vmware.certificatemanagement.sts.keyusage.invalid")
        if not pki.is_time_valid(leaf):
            raise invalid_argument("The signing certificate has expired or is not yet valid.",
                                   "com.vmware.certificatemanagement.sts.validity.invalid")
        return certs

    def _activate_sts(self, certs, key):
        self._ensure_sts()
        leaf_der = pki.der(certs[0])
        if pki.der(self.sts_chains[0][0]) == leaf_der:
            return False
        self.sts_chains = [certs] + [c for c in self.sts_chains if pki.der(c[0]) != leaf_der]
        self.sts_key = key
        return True

    def op_sts_set(self, params, _path):
        spec = params["spec"]
        certs = self._parse_sts_chain(spec["signing_cert_chain"])
        text = spec["private_key"]
        if not text.lstrip().startswith(pki.PKCS8_HEADER):
            raise invalid_argument("The private key must be an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----).",
                                   "com.vmware.certificatemanagement.sts.key.format")
        try:
            key = pki.key_from_pem(text)
        except (ValueError, TypeError):
            raise invalid_argument("The private key could not be parsed.",
                                   "com.vmware.certificatemanagement.sts.key.invalid") from None
        if not pki.key_matches_cert(key, certs[0]):
            raise invalid_argument("The private key does not match the signing certificate.",
                                   "com.vmware.certificatemanagement.sts.key.mismatch")
        changed = self._activate_sts(certs, key)
        if changed:
            self._persist()
        return None, changed, False

    def op_sts_refresh(self, params, _path):
        if self.opts.sts_refresh == "force-only" and not params.get("force"):
            # KB 318197: in a mixed-version SSO domain the Refresh button is replaced by "Force Refresh".
            # [INF] error type and wording.
            raise cm_error("The STS signing certificate cannot be refreshed in a mixed-version SSO domain; "
                           "use a forced refresh (force=true) and restart every linked vCenter Server afterwards.")
        self._ensure_sts()
        active_key = self.sts_key
        size = active_key.key_size if isinstance(active_key, rsa.RSAPrivateKey) else 2048
        key = pki.gen_rsa_key(size)
        certs = [self._sts_issue(key), self.vmca_cert]
        self._activate_sts(certs, key)
        self._persist()
        return {"cert_chain": _pems(certs)}, True, False

    def op_sts_create(self, params, _path):
        spec = params["spec"]
        # [INF] default key size 3072 (the VMCA default elsewhere); SigningCertificate.create declares
        # invalid_argument, so bad input is INVALID_ARGUMENT.
        size = self._key_size(spec, 3072, invalid_argument)
        subject = self._subject_from_spec(spec, invalid_argument)
        # no implicit PNID SAN [SDK]
        san = pki.general_names(spec.get("subject_alt_name") or [], [spec.get("email_address")])
        key = pki.gen_rsa_key(size)
        csr = pki.make_csr(subject, key, san)
        self.staged_sts_key = key
        self._persist()
        return {"csr": csr}, True, False

    def op_sts_update(self, params, _path):
        spec = params["spec"]
        if spec.get("signing_cert_chain") is None:
            return None, False, False  # documented no-op success
        if self.staged_sts_key is None:
            raise not_found("No staged signing key: create a signing certificate CSR first.",
                            "com.vmware.certificatemanagement.sts.staged_key.not_found")
        certs = self._parse_sts_chain(spec["signing_cert_chain"])
        if not pki.key_matches_cert(self.staged_sts_key, certs[0]):
            # [INF] mismatch with the staged key reported as INVALID_ARGUMENT
            raise invalid_argument("The signing certificate does not match the staged private key.",
                                   "com.vmware.certificatemanagement.sts.key.mismatch")
        self._activate_sts(certs, self.staged_sts_key)
        self.staged_sts_key = None
        self._persist()
        return None, True, False


def _trc_not_found(cid):
    return not_found("Trusted root certificate chain %s does not exist." % cid,
                     "com.vmware.certificatemanagement.chain.not_found", [cid])
