# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session-scoped simulator processes (one per version profile used); each test resets its vCenter."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from certsim_client import SimProcess  # noqa: E402  pylint: disable=wrong-import-position

RESTART = "0.2"


def _start(request, *args):
    sim = SimProcess("--port", "0", "--restart-seconds", RESTART, *args)

    def _stop():
        rc = sim.stop()
        assert rc == 0, "simulator did not exit cleanly (rc=%s): %s" % (rc, sim.stderr)

    request.addfinalizer(_stop)
    return sim


@pytest.fixture(scope="session")
def sim(request, tmp_path_factory):
    log = tmp_path_factory.mktemp("certsim-log") / "requests.log"
    proc = _start(request, "--log-file", str(log))
    proc.log_path = log
    return proc


def _profile_fixture(version):
    @pytest.fixture(scope="session")
    def _fixture(request):
        return _start(request, "--version", version)
    return _fixture


sim670 = _profile_fixture("6.7.0")
sim700 = _profile_fixture("7.0.0")
sim701 = _profile_fixture("7.0.1")
sim702 = _profile_fixture("7.0.2")
sim911 = _profile_fixture("9.1.1")


def _fresh(proc):
    vc = proc.client()
    vc.reset()
    return vc


@pytest.fixture
def vc(sim):
    """The default (8.0.3) vCenter, reset to a fresh state."""
    return _fresh(sim)


@pytest.fixture
def vc670(sim670):
    return _fresh(sim670)


@pytest.fixture
def vc700(sim700):
    return _fresh(sim700)


@pytest.fixture
def vc701(sim701):
    return _fresh(sim701)


@pytest.fixture
def vc702(sim702):
    return _fresh(sim702)


@pytest.fixture
def vc911(sim911):
    return _fresh(sim911)


@pytest.fixture
def token(vc):
    return vc.login("api")
