# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restarts in phases (R refused, P plain-text proxy 503, L login only) and the apply-then-error faults."""

import socket
import subprocess
import sys
import time

from certsim_client import ADMIN, PASSWORD, SIMULATOR, P, SimProcess, ThirdPartyCA, err_api, err_rest

TLS = P + "/tls"
TRC = P + "/trusted-root-chains"
PROXY_PREFIX = b"503 Service Unavailable (Failed to connect to endpoint: [N7Vmacore4Http20NamedPipeServiceSpecE"


def _refused(vc):
    try:
        with socket.create_connection((vc.host, vc.port), timeout=10):
            return False
    except ConnectionRefusedError:
        return True


def _plain_503(resp):
    return (resp.status == 503 and resp.headers.get("Content-Type", "").startswith("text/plain")
            and resp.raw.startswith(PROXY_PREFIX) and resp.json is None)


def _observe(vc):
    """One look at a restarting vCenter: 'R', 'P', 'L' or 'up' (and what proves it)."""
    if _refused(vc):
        return "R"
    try:
        r = vc.login_raw("api", ADMIN, PASSWORD)
    except ConnectionRefusedError:
        return "R"
    except (ConnectionResetError, ConnectionAbortedError):
        return None  # accepted just before the socket closed
    if _plain_503(r):
        return "P"
    assert r.status == 201, r
    t = vc.api("GET", TLS, token=r.json)
    if t.status == 503:
        body = err_api(t, 503, "SERVICE_UNAVAILABLE")
        assert body["messages"][0]["id"] == "com.vmware.vapi.endpoint.cis.ServiceUnavailable"
        return "L"
    assert t.status == 200, t
    return "up"


def test_one_restart_refuses_then_proxy_503_then_login_only():
    sim = SimProcess("--port", "0", "--count", "2", "--restart-seconds", "7.5", count=2)
    try:
        vc, other = sim.client(0), sim.client(1)
        token, other_token = vc.login(), other.login()
        # a /sim connection opened before the restart is not dropped by it and keeps answering in phase R
        control = vc.connection()
        assert vc.request("GET", "/sim/state", conn=control).json["restart_phase"] is None
        assert vc.api("POST", TLS + "?action=renew", body={}, token=token).status == 204
        seen = []
        checked = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            phase = _observe(vc)
            if phase and (not seen or seen[-1] != phase):
                seen.append(phase)
            if phase == "R" and "R" not in checked:
                # the other vCenter of the fleet keeps serving; the control API of this one cannot answer
                assert other.api("GET", "/session", token=other_token).status == 200
                assert vc.try_state() is None
                state = vc.request("GET", "/sim/state", conn=control).json
                assert state["in_restart"] is True and state["restart_phase"] in ("R", "P"), state
                checked.add("R")
            if phase == "P" and "P" not in checked:
                # every path gets the proxy's text, also unknown ones and /certs/download.zip; /sim answers
                for path in ("/rest/com/vmware/cis/session", "/api/nothing", "/certs/download.zip", "/"):
                    r = vc.request("POST" if "session" in path else "GET", path)
                    assert _plain_503(r), (path, r)
                state = vc.try_state()
                assert state is None or state["restart_phase"] in ("P", "L"), state
                checked.add("P")
            if phase == "L" and "L" not in checked:
                rest = vc.login("rest")
                err_rest(vc.rest("GET", TRC, token=rest), 503, "SERVICE_UNAVAILABLE")
                err_api(vc.api("GET", "/appliance/system/version", token=rest), 503, "SERVICE_UNAVAILABLE")
                checked.add("L")
            if phase == "up":
                break
            time.sleep(0.02)
        assert seen == ["R", "P", "L", "up"], seen
        # the same port serves again; every session from before the restart is gone, not the other vCenter's
        err_api(vc.api("GET", "/session", token=token), 401, "UNAUTHENTICATED")
        assert other.api("GET", "/session", token=other_token).status == 200
        assert vc.state()["in_restart"] is False and vc.state()["restart_phase"] is None
        control.close()
    finally:
        assert sim.stop() == 0


def test_proxy_phase_only_answers_plain_text_everywhere():
    sim = SimProcess("--port", "0", "--restart-seconds", "60", "--restart-phases", "0,1,0")
    try:
        vc = sim.client()
        token = vc.login()
        assert vc.api("PUT", TLS, body={"cert": "x"}, token=token).status == 500  # not applied: no restart
        assert vc.state()["in_restart"] is False
        assert vc.api("POST", TLS + "?action=renew", token=token).status == 204
        assert vc.state()["restart_phase"] == "P"
        for method, path in (("GET", "/api" + TLS), ("POST", "/api/session"), ("POST", "/rest/com/vmware/cis/session"),
                             ("GET", "/rest" + TRC), ("GET", "/certs/download.zip"), ("DELETE", "/api/whatever"),
                             ("PUT", "/api" + TLS)):
            r = vc.request(method, path, token=token)
            assert _plain_503(r), (method, path, r)
            assert b"{" not in r.raw
        assert vc.stats()["write_log"][-1] == {"method": "PUT", "path": "/api" + TLS, "status": 503,
                                               "applied": False}
    finally:
        assert sim.stop() == 0


def test_refused_phase_only_and_rebind_on_the_same_port():
    sim = SimProcess("--port", "0", "--restart-seconds", "1", "--restart-phases", "1,0,0")
    try:
        vc = sim.client()
        token = vc.login()
        assert vc.api("POST", TLS + "?action=renew", token=token).status == 204
        deadline = time.monotonic() + 60
        refused_seen = False
        while time.monotonic() < deadline:
            if _refused(vc):
                refused_seen = True
            elif refused_seen:
                break
            time.sleep(0.01)
        assert refused_seen
        vc.wait_restart_over()
        # straight back to everything (no P or L phase): a login and a certificate read work at once
        assert vc.api("GET", TLS, token=vc.login()).status == 200
    finally:
        assert sim.stop() == 0


def test_restart_phases_option_is_validated():
    for bad in ("1,1", "0,0,0", "1,-1,1", "a,b,c", "1,1,1,1"):
        r = subprocess.run([sys.executable, SIMULATOR, "--restart-phases", bad], capture_output=True, text=True,
                           timeout=60, check=False)
        assert r.returncode == 2 and "--restart-phases" in r.stderr and r.stdout == "", (bad, r.stderr)


# ------------------------------------------------------------------ apply-then-error faults
def test_apply_then_503_on_a_restarting_operation_starts_the_restart(vc):
    token = vc.login()
    before = vc.served_cert()
    fid = vc.fault(method="POST", path="action=renew", status=503, apply=True)
    assert vc.sim("GET", "faults").json["faults"] == [
        {"id": fid, "method": "POST", "path": "action=renew", "count": 1, "status": 503, "error_type": None,
         "message": None, "apply": True}]
    r = vc.api("POST", TLS + "?action=renew", body={"duration": 40}, token=token)
    body = err_api(r, 503, "SERVICE_UNAVAILABLE")
    assert body["messages"] == [{"args": [], "default_message": "Service unavailable.",
                                 "id": "com.vmware.vapi.endpoint.cis.ServiceUnavailable"}]
    assert r.headers.get("Connection") == "close"
    vc.wait_restart_over()
    # applied: new certificate; restarted: the session is gone
    assert vc.served_cert() != before
    err_api(vc.api("GET", "/session", token=token), 401, "UNAUTHENTICATED")
    stats = vc.stats()
    assert stats["writes_applied"] == 1
    assert stats["write_log"][-1] == {"method": "POST", "path": "/api" + TLS + "?action=renew", "status": 503,
                                      "applied": True}


def test_apply_then_500_on_trusted_root_create_in_both_dialects(vc):
    token = vc.login()
    vc.fault(method="POST", path="trusted-root-chains", status=500, apply=True, count=2)
    ca = ThirdPartyCA()
    r = vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token)
    body = err_api(r, 500, "ERROR")
    ids = [e["chain"] for e in vc.api("GET", TRC, token=token).json]
    assert len(ids) == 2  # the VMCA root and the new chain: applied despite the 500
    ca2 = ThirdPartyCA("Second")
    r = vc.rest("POST", TRC, body={"spec": {"cert_chain": {"cert_chain": [ca2.pem]}}}, token=token)
    err_rest(r, 500, "ERROR")
    assert len(vc.api("GET", TRC, token=token).json) == 3
    # no restart for a trusted-root create: the session lives on
    assert vc.state()["in_restart"] is False
    assert vc.api("GET", "/session", token=token).status == 200
    assert vc.stats()["writes_applied"] == 2
    assert body["messages"][0]["id"] == "certsim.fault.injected"


def test_apply_then_500_on_a_restarting_operation_also_restarts(vc):
    token = vc.login()
    before = vc.served_cert()
    vc.fault(path="replace-vmca-signed", status=500, apply=True)
    spec = {"organization": "Example Corp", "organization_unit": "", "locality": "Berlin",
            "state_or_province": "Berlin", "country": "DE", "email_address": ""}
    r = vc.api("POST", TLS + "?action=replace-vmca-signed", body=spec, token=token)
    err_api(r, 500, "ERROR")
    vc.wait_restart_over()
    assert vc.served_cert() != before
    err_api(vc.api("GET", "/session", token=token), 401, "UNAUTHENTICATED")


def test_apply_fault_validation(vc):
    for bad in ({"status": 404, "apply": True}, {"status": 503, "apply": "yes"}, {"drop": "after", "apply": True},
                {"delay": 1, "apply": False}):
        r = vc.sim("POST", "faults", bad)
        assert r.status == 400, (bad, r)
    # apply=false is today's status fault: nothing applied
    vc.fault(path="trusted-root-chains", status=503, apply=False)
    token = vc.login()
    err_api(vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ThirdPartyCA().pem]}}, token=token), 503,
            "SERVICE_UNAVAILABLE")
    assert len(vc.api("GET", TRC, token=token).json) == 1
