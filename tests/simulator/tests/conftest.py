# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session-scoped simulator processes (one per version profile used); each test resets its vCenter."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from certsim_client import SimProcess, RESTART, fresh_vc_fixture, sim_fixture  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    log = tmp_path_factory.mktemp("certsim-log") / "requests.log"
    proc = SimProcess("--port", "0", "--restart-seconds", RESTART, "--log-file", str(log))
    proc.log_path = log
    yield proc
    rc = proc.stop()
    assert rc == 0, "simulator did not exit cleanly (rc=%s): %s" % (rc, proc.stderr)


sim670 = sim_fixture("--version", "6.7.0")
sim700 = sim_fixture("--version", "7.0.0")
sim701 = sim_fixture("--version", "7.0.1")
sim702 = sim_fixture("--version", "7.0.2")
sim911 = sim_fixture("--version", "9.1.1")

vc = fresh_vc_fixture("sim")  # the default (8.0.3) vCenter, reset to a fresh state
vc670 = fresh_vc_fixture("sim670")
vc700 = fresh_vc_fixture("sim700")
vc701 = fresh_vc_fixture("sim701")
vc702 = fresh_vc_fixture("sim702")
vc911 = fresh_vc_fixture("sim911")


@pytest.fixture
def token(vc):
    return vc.login("api")
