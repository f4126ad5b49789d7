# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: start N simulated vCenters, print READY lines, run until SIGTERM/SIGINT."""

import argparse
import ipaddress
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from . import pki
from .httpd import RequestLog, VCServer
from .profiles import DEFAULT_PROFILE, PROFILES
from .vcenter import VCenter


def parse_args(argv):
    p = argparse.ArgumentParser(prog="certsim.py",
                                description="vCenter certificate-management REST API simulator (HTTPS, real X.509).")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0,
                   help="port; 0 picks free ports; with --count N and P>0 uses P..P+N-1 (default 0)")
    p.add_argument("--count", type=int, default=1, help="number of independent vCenters (default 1)")
    p.add_argument("--state-dir", default=None,
                   help="persist all state here (one subdirectory vcN per vCenter); default: a temporary "
                        "directory removed at exit")
    p.add_argument("--version", dest="profile", default=DEFAULT_PROFILE, choices=sorted(PROFILES),
                   help="vCenter version profile (default %s)" % DEFAULT_PROFILE)
    p.add_argument("--pnid", default="localhost",
                   help="primary network identifier; '{i}' is replaced by the vCenter index (default localhost)")
    p.add_argument("--username", default="administrator@vsphere.local")
    p.add_argument("--password", default="VMware1!")
    p.add_argument("--restart-seconds", type=float, default=2.0,
                   help="total length of the restart after a restarting operation (default 2; see --restart-phases)")
    p.add_argument("--session-timeout", type=float, default=1800.0, help="idle session timeout in seconds")
    p.add_argument("--max-sessions", type=int, default=500, help="concurrent session limit per user (default 500)")
    p.add_argument("--log-file", default=None, help="append one line per request here")
    p.add_argument("--initial-key-size", type=int, default=2048,
                   help="RSA size of the simulator's own initial keys (default 2048)")
    # --- restarts and sessions (sim-a) ---
    p.add_argument("--restart-phases", default="1,1,1", metavar="R,P,L",
                   help="shares of --restart-seconds for the restart phases: R connections refused, P plain-text "
                        "503 from the reverse proxy, L only the session endpoints answer (default 1,1,1; 0 skips)")
    _add_fidelity_options(p)
    args = p.parse_args(argv)
    try:
        shares = tuple(float(x) for x in args.restart_phases.split(","))
    except ValueError:
        shares = ()
    if len(shares) != 3 or any(not x >= 0 for x in shares) or not sum(shares) > 0:
        p.error("--restart-phases needs three non-negative numbers R,P,L, not all 0")
    args.restart_phases = shares
    _check_fidelity_options(p, args)
    if args.count < 1:
        p.error("--count must be >= 1")
    if not 0 <= args.port <= 65535 or (args.port and args.port + args.count - 1 > 65535):
        p.error("--port out of range")
    if args.initial_key_size < 1024:
        p.error("--initial-key-size must be >= 1024")
    if args.max_sessions < 1:
        p.error("--max-sessions must be >= 1")
    if args.restart_seconds < 0 or args.session_timeout <= 0:
        p.error("--restart-seconds must be >= 0 and --session-timeout > 0")
    return args


def _add_fidelity_options(p):
    """Input strictness and wider effects of a real vCenter (issue 11; README "Fidelity options")."""
    g = p.add_argument_group("fidelity (strictness and effects of a real vCenter)")
    g.add_argument("--cert-chain-in-cert", choices=("used", "ignored"), default="ignored",
                   help="Tls.set: certificates after the leaf in 'cert' are used to build the path, or ignored "
                        "(default ignored)")
    g.add_argument("--root-cert-trusted", choices=("refuse", "accept"), default="refuse",
                   help="Tls.set with key and root_cert when the root of the chain is already trusted: refused "
                        "(the SDK's scenario 2: cert and key, but not root_cert) or accepted like scenario 3 "
                        "(default refuse)")
    g.add_argument("--duplicate-root", choices=("refuse", "accept"), default="refuse",
                   help="TrustedRootChains.create of certificates already in the trust store under a new id "
                        "(default refuse)")
    g.add_argument("--vmca-replace", choices=("regenerate-all", "vmca-issued-only"), default="regenerate-all",
                   help="VmcaRoot.create re-issues the machine SSL certificate always, or only when the old VMCA "
                        "root issued it (default regenerate-all)")
    g.add_argument("--vmca-replace-sts", choices=("keep", "reissue"), default="keep",
                   help="VmcaRoot.create keeps the STS signing chain or re-issues it under the new root "
                        "(default keep)")
    g.add_argument("--sts-refresh", choices=("allowed", "force-only"), default="allowed",
                   help="SigningCertificate.refresh without force=true is refused as in a mixed-version domain "
                        "with force-only (default allowed)")
    g.add_argument("--trust-store-lag", type=float, default=0.0, metavar="SECONDS",
                   help="a created trusted root chain is invisible to LIST/GET and a deleted one stays visible "
                        "for this long (default 0)")
    g.add_argument("--linked-partner", default=None, metavar="PNID",
                   help="Enhanced Linked Mode: the trust store also holds this partner node's VMCA root")
    g.add_argument("--sts-anchor", choices=("local", "partner"), default="local",
                   help="the root that anchors the active STS signing chain (partner needs --linked-partner; "
                        "default local)")
    g.add_argument("--root-entry-shape", choices=("clean", "with-crl"), default="with-crl",
                   help="a VMCA root's trusted-root entry is the certificate alone, or a newline, the "
                        "certificate and its X509 CRL (default with-crl)")
    g.add_argument("--vmca-root-days", type=int, default=3650, metavar="DAYS",
                   help="validity of the VMCA roots the simulator makes (default 3650)")


def _check_fidelity_options(p, args):
    if args.trust_store_lag < 0:
        p.error("--trust-store-lag must be >= 0")
    if args.vmca_root_days < 1:
        p.error("--vmca-root-days must be >= 1")
    if args.sts_anchor == "partner" and not args.linked_partner:
        p.error("--sts-anchor partner needs --linked-partner")


def _family_and_loopback(host):
    """(address family, serving on loopback?, loopback IPs for the SAN)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return socket.AF_INET, False, []
    family = infos[0][0]
    addrs = [ipaddress.ip_address(i[4][0].split("%", 1)[0]) for i in infos]
    loopback = all(a.is_loopback for a in addrs)
    ips = ["127.0.0.1"]
    for a in addrs:
        if a.is_loopback and str(a) not in ips:
            ips.append(str(a))
    return family, loopback, ips if loopback else []


def _url(host, port):
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    return "https://%s:%d" % (host, port)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()

    def _on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    temp_state = args.state_dir is None
    state_root = tempfile.mkdtemp(prefix="certsim-state-") if temp_state else os.path.abspath(args.state_dir)
    runtime_dir = tempfile.mkdtemp(prefix="certsim-run-")
    os.makedirs(state_root, mode=0o700, exist_ok=True)
    request_log = RequestLog(args.log_file)
    family, loopback, loopback_ips = _family_and_loopback(args.host)
    profile = PROFILES[args.profile]
    vcs = [VCenter(i, args, profile, os.path.join(state_root, "vc%d" % i), runtime_dir, loopback, loopback_ips)
           for i in range(args.count)]
    servers, threads = [], []
    rc = 0
    pool = None
    try:
        # key generation releases the GIL: a small pool makes a fleet start fast on 2 cores
        with ThreadPoolExecutor(max_workers=max(2, min(8, (os.cpu_count() or 2) * 2))) as pool:
            list(pool.map(lambda vc: vc.load_or_init(), vcs))
        for i, vc in enumerate(vcs):
            if stop.is_set():
                break
            port = args.port + i if args.port else 0
            srv = VCServer((args.host, port), vc, request_log, family=family)
            vc.address = srv.server_address[:2]
            thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                      name="vc%d" % i, daemon=True)
            thread.start()
            servers.append(srv)
            threads.append(thread)
            sys.stdout.write("READY %s\n" % _url(args.host, srv.server_address[1]))
            sys.stdout.flush()
        pool = pki.start_key_pool(args.initial_key_size)
        while not stop.wait(0.5):
            pass
    except OSError as exc:
        sys.stderr.write("certsim: %s\n" % exc)
        rc = 1
    finally:
        if pool is not None:
            pool.stop()
        stoppers = [threading.Thread(target=s.shutdown, daemon=True) for s in servers]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join(10)
        for srv in servers:
            srv.vc.drop_all_connections()
            srv.server_close()
        request_log.close()
        shutil.rmtree(runtime_dir, ignore_errors=True)
        if temp_state:
            shutil.rmtree(state_root, ignore_errors=True)
    return rc
