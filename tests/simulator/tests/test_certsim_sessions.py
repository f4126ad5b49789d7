# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sessions (both dialects), version endpoint, read-only user, session limits."""

import re
import time

from certsim_client import ADMIN, PASSWORD, READONLY, P, SimProcess, err_api, err_rest

RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_api_session_lifecycle(vc):
    r = vc.login_raw("api", ADMIN, PASSWORD)
    assert r.status == 201
    token = r.json
    assert isinstance(token, str) and len(token) >= 16
    r = vc.api("GET", "/session", token=token)
    assert r.status == 200
    assert r.json["user"] == ADMIN
    assert RFC3339_MS.match(r.json["created_time"]) and RFC3339_MS.match(r.json["last_accessed_time"])
    r = vc.api("DELETE", "/session", token=token)
    assert r.status == 204 and r.raw == b""
    err_api(vc.api("GET", "/session", token=token), 401, "UNAUTHENTICATED")
    err_api(vc.api("GET", P + "/tls", token=token), 401, "UNAUTHENTICATED")


def test_rest_session_lifecycle(vc):
    r = vc.login_raw("rest", ADMIN, PASSWORD)
    assert r.status == 200
    token = r.json["value"]
    r = vc.request("POST", "/rest/com/vmware/cis/session?~action=get", token=token)
    assert r.status == 200
    assert r.json["value"]["user"] == ADMIN
    assert set(r.json["value"]) == {"user", "created_time", "last_accessed_time"}
    r = vc.request("DELETE", "/rest/com/vmware/cis/session", token=token)
    assert r.status == 200 and r.raw == b""
    err_rest(vc.request("POST", "/rest/com/vmware/cis/session?~action=get", token=token), 401, "UNAUTHENTICATED")


def test_tokens_work_across_dialects(vc):
    token = vc.login("rest")
    assert vc.api("GET", P + "/tls", token=token).status == 200
    token = vc.login("api")
    assert vc.rest("GET", P + "/tls", token=token).status == 200


def test_bad_credentials_and_missing_tokens(vc):
    err_api(vc.login_raw("api", ADMIN, "wrong"), 401, "UNAUTHENTICATED")
    err_api(vc.login_raw("api", "nobody@vsphere.local", PASSWORD), 401, "UNAUTHENTICATED")
    err_rest(vc.login_raw("rest", ADMIN, "wrong"), 401, "UNAUTHENTICATED")
    err_api(vc.request("POST", "/api/session"), 401, "UNAUTHENTICATED")
    err_api(vc.api("GET", P + "/tls"), 401, "UNAUTHENTICATED")
    err_api(vc.api("GET", P + "/tls", token="0123456789abcdef0123456789abcdef"), 401, "UNAUTHENTICATED")
    err_rest(vc.rest("GET", P + "/trusted-root-chains"), 401, "UNAUTHENTICATED")
    err_api(vc.api("DELETE", "/session"), 401, "UNAUTHENTICATED")


def test_version_endpoint(vc, token):
    r = vc.api("GET", "/appliance/system/version", token=token)
    assert r.status == 200
    info = r.json
    assert set(info) == {"version", "build", "product", "type", "summary", "releasedate", "install_time"}
    assert re.match(r"^8\.0\.3\.\d{5}$", info["version"])
    assert info["product"] == "VMware vCenter Server"
    assert info["type"] == "vCenter Server with an embedded Platform Services Controller"
    r = vc.rest("GET", "/appliance/system/version", token=token)
    assert r.status == 200 and r.json["value"] == info
    err_api(vc.api("GET", "/appliance/system/version"), 401, "UNAUTHENTICATED")
    err_rest(vc.rest("GET", "/appliance/system/version"), 401, "UNAUTHENTICATED")


def test_expire_sessions_control(vc):
    token = vc.login()
    assert vc.api("GET", P + "/tls", token=token).status == 200
    assert vc.sim("POST", "expire-sessions").status == 204
    err_api(vc.api("GET", P + "/tls", token=token), 401, "UNAUTHENTICATED")
    assert vc.api("GET", P + "/tls", token=vc.login()).status == 200


def test_readonly_user_gets_403_on_every_write(vc):
    ro = vc.login("api", user=READONLY)
    assert vc.api("GET", "/session", token=ro).json["user"] == READONLY
    assert vc.api("GET", P + "/tls", token=ro).status == 200
    assert vc.api("GET", P + "/trusted-root-chains", token=ro).status == 200
    assert vc.api("GET", P + "/signing-certificate", token=ro).status == 200
    chain_id = vc.api("GET", P + "/trusted-root-chains", token=ro).json[0]["chain"]
    writes = [
        ("POST", P + "/trusted-root-chains", {"cert_chain": {"cert_chain": []}}),
        ("DELETE", P + "/trusted-root-chains/" + chain_id, None),
        ("POST", P + "/tls-csr", {}),
        ("PUT", P + "/tls", {"cert": "x"}),
        ("POST", P + "/tls?action=renew", {}),
        ("POST", P + "/tls?action=replace-vmca-signed", {}),
        ("POST", P + "/vmca-root", {}),
        ("PUT", P + "/signing-certificate", {}),
        ("POST", P + "/signing-certificate?action=refresh", {}),
    ]
    before = vc.stats()["writes_applied"]
    for method, rel, body in writes:
        err_api(vc.api(method, rel, body=body, token=ro), 403, "UNAUTHORIZED")
    ro_rest = vc.login("rest", user=READONLY)
    err_rest(vc.rest("POST", P + "/tls?action=renew", body={}, token=ro_rest), 403, "UNAUTHORIZED")
    err_rest(vc.rest("DELETE", P + "/trusted-root-chains/" + chain_id, token=ro_rest), 403, "UNAUTHORIZED")
    assert vc.stats()["writes_applied"] == before
    # nothing changed: the VMCA root entry is still there
    assert vc.api("GET", P + "/trusted-root-chains/" + chain_id, token=ro).status == 200


def test_session_limit():
    sim = SimProcess("--port", "0", "--max-sessions", "2")
    try:
        vc = sim.client()
        first = vc.login()
        vc.login()
        body = err_api(vc.login_raw("api", ADMIN, PASSWORD), 503, "SERVICE_UNAVAILABLE")
        assert "session" in body["messages"][0]["default_message"].lower()
        err_rest(vc.login_raw("rest", ADMIN, PASSWORD), 503, "SERVICE_UNAVAILABLE")
        assert vc.api("DELETE", "/session", token=first).status == 204
        assert vc.stats()["logouts"] == 1
        assert vc.login()
    finally:
        assert sim.stop() == 0


def test_session_idle_timeout():
    sim = SimProcess("--port", "0", "--session-timeout", "0.5")
    try:
        vc = sim.client()
        token = vc.login()
        time.sleep(1.0)  # twice the idle timeout
        err_api(vc.api("GET", "/session", token=token), 401, "UNAUTHENTICATED")
        assert vc.stats()["active_sessions"] == 0
    finally:
        assert sim.stop() == 0
