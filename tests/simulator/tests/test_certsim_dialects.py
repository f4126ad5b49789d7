# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dialect details of a real vCenter: not-found bodies word for word, the 6.7 /rest error shape, the 7.0.1
profile (/api login, /rest certificate endpoints), per-user session limit, cookie, trailing slash, UTF-8 login."""

import base64
import re

from certsim_client import ADMIN, PASSWORD, READONLY, P, SimProcess, ThirdPartyCA, err_api

TLS = P + "/tls"
TRC = P + "/trusted-root-chains"


def test_rest_not_found_body_word_for_word(vc):
    for path in ("/rest/com/vmware/nothing", "/rest" + P + "/nothing"):
        r = vc.request("GET", path + "?x=1")
        assert r.status == 404
        rel = path[len("/rest"):]
        assert r.json == {"type": "com.vmware.vapi.std.errors.not_found",
                          "value": {"error_type": "NOT_FOUND",
                                    "messages": [{"args": [rel],
                                                  "default_message": "Unable to find operations for URL: %s." % rel,
                                                  "id": "com.vmware.vapi.rest.operationsForUrlNotFound"}]}}


def test_api_not_found_body_word_for_word(vc):
    for method, path in (("GET", "/api/nothing"), ("POST", "/api" + P + "/nothing"), ("DELETE", "/api/session/x")):
        r = vc.request(method, path)
        assert r.status == 404
        assert r.json == {"error_type": "NOT_FOUND",
                          "messages": [{"args": [], "default_message": "Not found.",
                                        "id": "com.vmware.vapi.rest.httpNotFound"}]}


def test_670_rest_errors_have_no_error_type_in_value(vc670):
    r = vc670.request("GET", "/rest/com/vmware/nothing")
    assert r.json == {"type": "com.vmware.vapi.std.errors.not_found",
                      "value": {"messages": [{
                          "args": ["/com/vmware/nothing"],
                          "default_message": "Unable to find operations for URL: /com/vmware/nothing.",
                          "id": "com.vmware.vapi.rest.operationsForUrlNotFound"}]}}
    r = vc670.request("GET", "/rest" + TLS)
    assert r.status == 401
    assert r.json["type"] == "com.vmware.vapi.std.errors.unauthenticated"
    assert set(r.json["value"]) == {"messages"}
    # the 8.0.3 profile keeps error_type in the value (7.0.3 shape)
    assert vc670.request("GET", "/api/nothing").json["error_type"] == "NOT_FOUND"


def test_701_api_login_but_certificate_endpoints_only_on_rest(vc701):
    vc = vc701
    token = vc.login("api")
    assert vc.api("GET", "/session", token=token).json["user"] == ADMIN
    for rel in (TLS, TRC, "/appliance/system/version"):
        r = vc.api("GET", rel, token=token)
        assert r.status == 404 and r.json["messages"][0]["id"] == "com.vmware.vapi.rest.httpNotFound", (rel, r)
    # the same token works on /rest, where the endpoints are
    assert vc.rest("GET", TLS, token=token).status == 200
    assert vc.rest("GET", TRC, token=token).status == 200
    version = vc.rest("GET", "/appliance/system/version", token=token).json["value"]["version"]
    assert re.match(r"^7\.0\.1\.\d{5}$", version)
    assert vc.login("rest")
    assert vc.api("DELETE", "/session", token=token).status == 204


def test_session_limit_is_per_user_with_the_real_message():
    sim = SimProcess("--port", "0", "--max-sessions", "2")
    try:
        vc = sim.client()
        first = vc.login()
        vc.login("rest")
        r = vc.login_raw("api", ADMIN, PASSWORD)
        body = err_api(r, 503, "SERVICE_UNAVAILABLE")
        assert body["messages"][0]["id"] == "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached"
        assert body["messages"][0]["default_message"] == (
            "User session count is limited to 2. Existing session count is 2 for user %s" % ADMIN)
        r = vc.login_raw("rest", ADMIN.upper(), PASSWORD)
        assert r.status == 503
        msg_id = r.json["value"]["messages"][0]["id"]
        assert msg_id == "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached"
        # another user has a limit of its own
        ro1 = vc.login(user=READONLY)
        vc.login("rest", user=READONLY)
        body = err_api(vc.login_raw("api", READONLY, PASSWORD), 503, "SERVICE_UNAVAILABLE")
        assert body["messages"][0]["default_message"] == (
            "User session count is limited to 2. Existing session count is 2 for user %s" % READONLY)
        assert vc.api("DELETE", "/session", token=first).status == 204
        assert vc.login()
        assert vc.api("DELETE", "/session", token=ro1).status == 204
        assert vc.login(user=READONLY)
        assert vc.stats()["active_sessions"] == 4
    finally:
        assert sim.stop() == 0


def test_login_sets_the_session_cookie(vc):
    r = vc.login_raw("api", ADMIN, PASSWORD)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("vmware-api-session-id=%s;" % r.json), cookie
    r = vc.login_raw("rest", ADMIN, PASSWORD)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("vmware-api-session-id=%s;" % r.json["value"]), cookie
    assert "Set-Cookie" not in vc.login_raw("api", ADMIN, "wrong").headers


def test_trailing_slash_before_the_query(vc, token):
    listed = vc.api("GET", TRC, token=token).json
    r = vc.api("GET", TRC + "/", token=token)
    assert r.status == 200 and r.json == listed
    assert vc.rest("GET", TRC + "/", token=vc.login("rest")).json == {"value": listed}
    chain = listed[0]["chain"]
    assert vc.api("GET", TRC + "/" + chain + "/", token=token).status == 200
    ca = ThirdPartyCA()
    assert vc.api("POST", TRC + "/", body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201
    before = vc.served_cert()
    assert vc.api("POST", TLS + "/?action=renew", body={"duration": 10}, token=token).status == 204
    vc.wait_restart_over()
    assert vc.served_cert() != before
    stats = vc.stats()["requests"]
    assert stats["POST /api" + TLS + "?action=renew"] == 1
    # one slash only
    assert vc.api("GET", TRC + "//", token=vc.login()).status == 404


def _basic(user_bytes, password_bytes):
    return "Basic " + base64.b64encode(user_bytes + b":" + password_bytes).decode("ascii")


def test_non_ascii_credentials_are_utf8():
    user, password = "admïn@vsphere.local", "pässwörd€"
    sim = SimProcess("--port", "0", "--username", user, "--password", password)
    try:
        vc = sim.client()
        r = vc.request("POST", "/api/session",
                       headers={"Authorization": _basic(user.encode("utf-8"), password.encode("utf-8"))})
        assert r.status == 201, r
        assert vc.api("GET", "/session", token=r.json).json["user"] == user
        r = vc.request("POST", "/rest/com/vmware/cis/session",
                       headers={"Authorization": _basic(user.upper().encode("utf-8"), password.encode("utf-8"))})
        assert r.status == 200, r
        # the same password in Latin-1 (as some HTTP libraries encode it) is not the UTF-8 one
        r = vc.request("POST", "/api/session",
                       headers={"Authorization": _basic(user.encode("utf-8"),
                                                        "pässwörd".encode("latin-1"))})
        err_api(r, 401, "UNAUTHENTICATED")
        err_api(vc.login_raw("api", user, "pässwörd"), 401, "UNAUTHENTICATED")
        err_api(vc.login_raw("api", user, PASSWORD), 401, "UNAUTHENTICATED")
    finally:
        assert sim.stop() == 0
