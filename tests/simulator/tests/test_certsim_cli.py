# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Process level: --count, --port ranges, --state-dir persistence (also after SIGKILL), --log-file, fleets."""

import json
import os
import socket

from certsim_client import PASSWORD, P, SimProcess, ThirdPartyCA, err_api, key_pkcs8, pem, sha1_id

TRC = P + "/trusted-root-chains"


def _free_port_pair():
    """Two consecutive free ports (best effort)."""
    for _attempt in range(50):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s2 = socket.socket()
        try:
            s2.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        finally:
            s.close()
            s2.close()
        return port
    raise AssertionError("no free port pair")


def test_count_gives_independent_vcenters():
    sim = SimProcess("--port", "0", "--count", "3", count=3)
    try:
        assert len(sim.urls) == 3 and len(set(sim.urls)) == 3
        vcs = [sim.client(i) for i in range(3)]
        roots = [vc.vmca_root() for vc in vcs]
        assert len({r.fingerprint(r.signature_hash_algorithm) for r in roots}) == 3
        served = [vc.served_cert() for vc in vcs]
        for cert, root in zip(served, roots):
            cert.verify_directly_issued_by(root)
        tokens = [vc.login() for vc in vcs]
        ca = ThirdPartyCA()
        assert vcs[0].api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=tokens[0]).status == 201
        assert len(vcs[0].api("GET", TRC, token=tokens[0]).json) == 2
        assert len(vcs[1].api("GET", TRC, token=tokens[1]).json) == 1
        # sessions are per vCenter
        err_api(vcs[2].api("GET", P + "/tls", token=tokens[0]), 401, "UNAUTHENTICATED")
        assert vcs[0].stats()["writes_applied"] == 1 and vcs[1].stats()["writes_applied"] == 0
    finally:
        assert sim.stop() == 0


def test_port_range_with_count():
    port = _free_port_pair()
    sim = SimProcess("--port", str(port), "--count", "2", "--pnid", "vc{i}.example.test", count=2)
    try:
        assert sim.urls == ["https://127.0.0.1:%d" % port, "https://127.0.0.1:%d" % (port + 1)]
        assert sim.client(0).state()["pnid"] == "vc0.example.test"
        assert sim.client(1).state()["pnid"] == "vc1.example.test"
        token = sim.client(1).login()
        info = sim.client(1).api("GET", P + "/tls", token=token).json
        assert "vc1.example.test" in info["subject_alternative_name"]
    finally:
        assert sim.stop() == 0


def test_state_dir_persistence_across_restart(tmp_path):
    state = str(tmp_path / "state")
    sim = SimProcess("--port", "0", "--restart-seconds", "0.1", "--state-dir", state)
    try:
        vc = sim.client()
        token = vc.login()
        ca = ThirdPartyCA()
        cert, key = ca.issue()
        assert vc.api("PUT", P + "/tls", body={"cert": pem(cert), "key": key_pkcs8(key), "root_cert": ca.pem},
                      token=token).status == 204
        vc.wait_restart_over()
        token = vc.login()
        assert vc.api("POST", P + "/tls-csr", body={"organization": "", "organization_unit": "", "locality": "",
                                                    "state_or_province": "", "country": "", "email_address": "",
                                                    "key_size": 2048}, token=token).status == 201
        assert vc.api("POST", P + "/signing-certificate?action=refresh", body={}, token=token).status == 200
        before = {
            "served": vc.served_cert(),
            "root": vc.vmca_root(),
            "trust": vc.api("GET", TRC, token=token).json,
            "sts": vc.api("GET", P + "/signing-certificate", token=token).json,
            "tls": vc.api("GET", P + "/tls", token=token).json,
            "version": vc.api("GET", "/appliance/system/version", token=token).json,
        }
    finally:
        assert sim.stop() == 0
    assert os.path.isdir(state)
    sim = SimProcess("--port", "0", "--state-dir", state)
    try:
        vc = sim.client()
        token = vc.login()
        assert vc.served_cert() == before["served"] == cert
        assert vc.vmca_root() == before["root"]
        assert vc.api("GET", TRC, token=token).json == before["trust"]
        assert sha1_id(ca.cert) in [e["chain"] for e in before["trust"]]
        assert vc.api("GET", P + "/signing-certificate", token=token).json == before["sts"]
        assert vc.api("GET", P + "/tls", token=token).json == before["tls"]
        assert vc.api("GET", "/appliance/system/version", token=token).json == before["version"]
        assert vc.state()["pending_csr"] is True
    finally:
        assert sim.stop() == 0


def test_state_dir_survives_sigkill(tmp_path):
    state = str(tmp_path / "state")
    sim = SimProcess("--port", "0", "--restart-seconds", "0", "--state-dir", state)
    vc = sim.client()
    token = vc.login()
    for i in range(3):
        ca = ThirdPartyCA("kill CA %d" % i)
        assert vc.api("POST", TRC, body={"cert_chain": {"cert_chain": [ca.pem]}}, token=token).status == 201
        assert vc.api("POST", P + "/tls?action=renew", body={"duration": 5 + i}, token=token).status == 204
        token = vc.login()
    served = vc.served_cert()
    trust = vc.api("GET", TRC, token=token).json
    assert sim.kill() != 0
    sim = SimProcess("--port", "0", "--state-dir", state)
    try:
        vc = sim.client()
        token = vc.login()
        assert vc.served_cert() == served
        assert vc.api("GET", TRC, token=token).json == trust
        leftovers = [n for n in os.listdir(os.path.join(state, "vc0")) if n.endswith(".tmp")]
        assert leftovers == []
    finally:
        assert sim.stop() == 0


def test_state_dir_per_vcenter_with_count(tmp_path):
    state = str(tmp_path / "fleet")
    sim = SimProcess("--port", "0", "--count", "2", "--state-dir", state, count=2)
    try:
        roots = [sim.client(i).vmca_root() for i in range(2)]
    finally:
        assert sim.stop() == 0
    assert sorted(os.listdir(state)) == ["vc0", "vc1"]
    sim = SimProcess("--port", "0", "--count", "2", "--state-dir", state, count=2)
    try:
        assert [sim.client(i).vmca_root() for i in range(2)] == roots
    finally:
        assert sim.stop() == 0


def test_log_file_lines_and_no_secrets(sim, vc):
    token = vc.login()
    ca = ThirdPartyCA()
    cert, key = ca.issue()
    vc.api("PUT", P + "/tls", body={"cert": pem(cert), "key": key_pkcs8(key)}, token=token)  # 500: untrusted
    vc.api("GET", P + "/tls?foo=bar", token=token)
    text = sim.log_path.read_text()
    lines = text.splitlines()
    put = [line for line in lines if " PUT /api/vcenter/certificate-management/vcenter/tls " in line][-1]
    fields = put.split()
    assert fields[3] == "/api/vcenter/certificate-management/vcenter/tls"
    assert fields[4] == "500" and fields[5] == "administrator@vsphere.local"
    assert any("/api/vcenter/certificate-management/vcenter/tls?foo=bar 200" in line for line in lines)
    assert any(" POST /api/session 201 " in line for line in lines)
    assert token not in text
    assert PASSWORD not in text
    assert "PRIVATE KEY" not in text and "BEGIN CERTIFICATE" not in text


def test_fleet_of_fifty_is_ready():
    sim = SimProcess("--port", "0", "--count", "50", count=50, timeout=300)
    try:
        assert len(set(sim.urls)) == 50
        last = sim.client(49)
        assert last.login()
        assert json.dumps(last.state())
    finally:
        assert sim.stop() == 0


def test_bad_arguments_exit_non_zero():
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    from certsim_client import SIMULATOR  # pylint: disable=import-outside-toplevel
    r = subprocess.run([sys.executable, SIMULATOR, "--version", "5.5.0"], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 2 and "invalid choice" in r.stderr and r.stdout == ""
