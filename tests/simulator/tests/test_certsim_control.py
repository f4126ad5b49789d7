# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The /sim control API: stats, faults of every kind, state, vmca-root, reset, loopback-only."""

import hashlib
import socket
import threading
import time

from cryptography.hazmat.primitives import serialization

from certsim_client import DROPPED, VC, P, SimProcess, ThirdPartyCA, err_api, err_rest, sha1_id

TRC = P + "/trusted-root-chains"


def _ids(vc, token):
    return [e["chain"] for e in vc.api("GET", TRC, token=token).json]


def test_stats_templates_and_write_accounting(vc):
    token = vc.login()
    ca = ThirdPartyCA()
    chain_id = vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).json
    vc.api("GET", TRC + "/" + chain_id, token=token)
    vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token)  # duplicate -> 400
    vc.api("DELETE", TRC + "/" + chain_id, token=token)
    vc.api("POST", P + "/tls?action=renew", body={"duration": 1000}, token=token)  # 400
    vc.api("DELETE", "/session", token=token)
    stats = vc.stats()
    req = stats["requests"]
    assert req["POST /api/session"] == 1
    assert req["DELETE /api/session"] == 1
    assert req["POST /api/vcenter/certificate-management/vcenter/trusted-root-chains"] == 2
    assert req["GET /api/vcenter/certificate-management/vcenter/trusted-root-chains/{chain}"] == 1
    assert req["DELETE /api/vcenter/certificate-management/vcenter/trusted-root-chains/{chain}"] == 1
    assert req["POST /api/vcenter/certificate-management/vcenter/tls?action=renew"] == 1
    assert stats["logins"] == 1 and stats["logouts"] == 1 and stats["active_sessions"] == 0
    assert stats["writes_attempted"] == 4
    assert stats["writes_applied"] == 2
    assert [(w["method"], w["status"], w["applied"]) for w in stats["write_log"]] == [
        ("POST", 201, True), ("POST", 400, False), ("DELETE", 204, True), ("POST", 400, False)]
    assert stats["write_log"][3]["path"] == "/api" + P + "/tls?action=renew"
    assert vc.sim("POST", "stats/reset").status == 204
    stats = vc.stats()
    assert stats["requests"] == {} and stats["writes_attempted"] == 0 and stats["write_log"] == []
    assert stats["logins"] == 0


def test_status_fault_in_both_dialects(vc):
    token = vc.login()
    ca = ThirdPartyCA()
    fid = vc.fault(method="POST", path="trusted-root-chains", count=2, status=503)
    listed = vc.sim("GET", "faults").json["faults"]
    assert [f["id"] for f in listed] == [fid] and listed[0]["count"] == 2
    body = err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token),
                   503, "SERVICE_UNAVAILABLE")
    assert body["messages"][0]["id"] == "com.vmware.vapi.endpoint.cis.ServiceUnavailable"
    # GET does not match the method filter
    assert vc.api("GET", TRC, token=token).status == 200
    err_rest(vc.rest("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": [ca.pem]}}}, token=token),
             503, "SERVICE_UNAVAILABLE")
    assert vc.sim("GET", "faults").json["faults"] == []
    assert sha1_id(ca.cert) not in _ids(vc, token)
    stats = vc.stats()
    assert stats["writes_attempted"] == 2 and stats["writes_applied"] == 0
    assert [w["status"] for w in stats["write_log"]] == [503, 503]
    # custom error type and message
    vc.fault(path="/tls", status=500, error_type="INTERNAL_SERVER_ERROR", message="disk full")
    body = err_api(vc.api("GET", P + "/tls", token=token), 500, "INTERNAL_SERVER_ERROR")
    assert body["messages"][0]["default_message"] == "disk full"
    vc.fault(path="/tls", status=409)
    err_rest(vc.rest("GET", P + "/tls", token=token), 409, "CONCURRENT_CHANGE")
    assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201


def test_drop_before_and_after(vc):
    token = vc.login()
    ca = ThirdPartyCA()
    vc.fault(method="POST", path="trusted-root-chains", drop="before")
    try:
        vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token)
        raise AssertionError("no drop")
    except DROPPED:
        pass
    assert sha1_id(ca.cert) not in _ids(vc, token)
    vc.fault(method="POST", path="trusted-root-chains", drop="after")
    try:
        vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token)
        raise AssertionError("no drop")
    except DROPPED:
        pass
    assert sha1_id(ca.cert) in _ids(vc, token)
    log = vc.stats()["write_log"]
    assert [(w["status"], w["applied"]) for w in log] == [(None, False), (None, True)]


def test_drop_after_on_a_restarting_operation(vc):
    token = vc.login()
    before = vc.served_cert()
    vc.fault(path="action=renew", drop="after")
    try:
        vc.api("POST", P + "/tls?action=renew", body={"duration": 20}, token=token)
        raise AssertionError("no drop")
    except DROPPED:
        pass
    vc.wait_restart_over()
    assert vc.served_cert() != before
    assert vc.stats()["writes_applied"] == 1


def test_delay_fault_makes_clients_time_out_but_is_processed(vc):
    token = vc.login()
    ca = ThirdPartyCA()
    vc.fault(method="POST", path="trusted-root-chains", delay=1.0)
    conn = vc.connection(timeout=30)
    conn.connect()  # connect with patience, then be impatient for the answer only
    conn.sock.settimeout(0.2)
    try:
        vc.request("POST", "/api" + TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token, conn=conn)
        raise AssertionError("expected a client timeout")
    except (socket.timeout, TimeoutError):
        pass
    finally:
        conn.close()
    deadline = time.monotonic() + 30
    while sha1_id(ca.cert) not in _ids(vc, token):
        assert time.monotonic() < deadline, "delayed request never processed"
        time.sleep(0.1)
    # a delay shorter than the client's patience is just slow
    vc.fault(path="/tls", delay=0.1)
    assert vc.api("GET", P + "/tls", token=token).status == 200


def test_expire_sessions_fault(vc):
    token = vc.login()
    other = vc.login("rest")
    vc.fault(path="/tls", expire_sessions=True)
    err_api(vc.api("GET", P + "/tls", token=token), 401, "UNAUTHENTICATED")
    err_rest(vc.rest("GET", P + "/tls", token=other), 401, "UNAUTHENTICATED")
    assert vc.stats()["active_sessions"] == 0
    assert vc.api("GET", P + "/tls", token=vc.login()).status == 200


def test_faults_listing_clearing_and_validation(vc):
    vc.fault(path="/a", status=503)
    vc.fault(method="PUT", drop="before", count=3)
    faults = vc.sim("GET", "faults").json["faults"]
    assert len(faults) == 2 and faults[1]["count"] == 3 and faults[1]["drop"] == "before"
    assert vc.sim("DELETE", "faults").status == 204
    assert vc.sim("GET", "faults").json["faults"] == []
    for bad in ({}, {"status": 200}, {"status": 503, "drop": "before"}, {"drop": "sideways"}, {"delay": -1},
                {"status": 503, "error_type": "NOPE"}, {"status": 503, "count": 0}, {"status": 503, "bogus": 1},
                {"expire_sessions": False}):
        r = vc.sim("POST", "faults", bad)
        assert r.status == 400, (bad, r)
    assert vc.sim("GET", "faults").json["faults"] == []


def test_control_api_is_never_faulted_nor_restarting(vc):
    vc.fault(status=503, count=5)
    assert vc.sim("GET", "stats").status == 200
    assert vc.sim("GET", "state").status == 200
    err_api(vc.api("GET", "/session"), 503, "SERVICE_UNAVAILABLE")
    assert len(vc.sim("GET", "faults").json["faults"]) == 1


def test_state_and_vmca_root(vc):
    state = vc.state()
    assert state == {"version": "8.0.3", "pnid": "localhost", "in_restart": False, "restart_phase": None,
                     "pending_csr": False, "staged_sts_key": False}
    r = vc.sim("GET", "vmca-root").json
    assert set(r) == {"pem", "sha256"}
    root = vc.vmca_root()
    digest = hashlib.sha256(root.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    assert r["sha256"] == ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
    assert "PRIVATE" not in str(vc.sim("GET", "state").raw)


def test_reset_gives_a_fresh_vcenter(vc):
    token = vc.login()
    old_root = vc.vmca_root()
    old_cert = vc.served_cert()
    vc.api("POST", P + "/tls-csr", body={"organization": "", "organization_unit": "", "locality": "",
                                         "state_or_province": "", "country": "", "email_address": "",
                                         "key_size": 2048}, token=token)
    vc.fault(path="/x", status=503)
    assert vc.state()["pending_csr"] is True
    vc.reset()
    assert vc.vmca_root() != old_root
    assert vc.served_cert() != old_cert
    assert vc.state()["pending_csr"] is False
    assert vc.stats()["requests"] == {}
    assert vc.sim("GET", "faults").json["faults"] == []
    err_api(vc.api("GET", P + "/tls", token=token), 401, "UNAUTHENTICATED")


def test_unknown_control_endpoint(vc):
    assert vc.sim("GET", "nope").status == 404


def _non_loopback_address():
    """An IPv4 address of this machine that is not loopback (routing lookup, then the host name)."""
    for target in ("192.0.2.123", "10.255.255.255", "198.51.100.1"):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect((target, 9))
            address = probe.getsockname()[0]
            if not address.startswith("127.") and address != "0.0.0.0":
                return address
        except OSError:
            pass
        finally:
            probe.close()
    for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
        if not info[4][0].startswith("127."):
            return info[4][0]
    return None


def test_control_api_refuses_non_loopback_peers():
    address = _non_loopback_address()
    assert address and not address.startswith("127."), address
    sim = SimProcess("--host", "0.0.0.0", "--port", "0")
    try:
        port = int(sim.urls[0].rsplit(":", 1)[1])
        remote = VC("https://%s:%d" % (address, port))
        r = remote.sim("GET", "stats")
        assert r.status == 403
        assert remote.login()  # the vCenter API itself answers any peer
        assert VC("https://127.0.0.1:%d" % port).sim("GET", "stats").status == 200
    finally:
        assert sim.stop() == 0


def test_concurrent_clients(vc):
    token = vc.login()
    cas = [ThirdPartyCA("CA %d" % i) for i in range(8)]
    errors = []

    def worker(ca):
        try:
            tok = vc.login()
            assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=tok).status == 201
            for _round in range(3):
                assert vc.api("GET", P + "/tls", token=tok).status == 200
                assert vc.api("GET", TRC, token=tok).status == 200
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ca,)) for ca in cas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    ids = _ids(vc, token)
    assert len(ids) == 9 and all(sha1_id(ca.cert) in ids for ca in cas)
    assert vc.stats()["logins"] == 9
