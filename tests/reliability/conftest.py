# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the reliability suite: the test PKI, simulators (distinctive password, request log kept),
and the collector of the generated report (docs/reliability.md, written when CERTOPS_REPORT_DIR is set)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rel_pki  # noqa: E402  pylint: disable=wrong-import-position
import rel_report  # noqa: E402  pylint: disable=wrong-import-position
# rel_run sets up the import path of the collection
import rel_run  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
import rel_sim  # noqa: E402  pylint: disable=wrong-import-position

REPORT = rel_report.Report()


@pytest.fixture(scope='session')
def pki():
    return rel_pki.Pki()


def _start(tmp_path_factory, name, *args):
    return rel_sim.Simulator(str(tmp_path_factory.mktemp(name)), *args)


@pytest.fixture(scope='session')
def sim(tmp_path_factory):
    """The default (8.0.3) vCenter."""
    proc = _start(tmp_path_factory, 'certsim-803')
    yield proc
    assert proc.stop() == 0


@pytest.fixture
def vc(sim):
    """The default vCenter, fresh: reset state, no faults, counters zeroed."""
    control = sim.control()
    control.reset()
    control.reset_stats()
    yield control
    control.clear_faults()


class _Recorder(object):
    """Rows for the report, carried in the test's user_properties (so they also travel from xdist workers)."""

    def __init__(self, node):
        self.node = node

    def add(self, section, **row):
        self.node.user_properties.append((rel_report.PROPERTY, (section, row)))
        return row  # the same dict: later updates in the test still reach the report


@pytest.fixture
def report(request):
    return _Recorder(request.node)


def pytest_runtest_logreport(report):
    """Runs in the controlling process (also under xdist): collect rows with the test's outcome."""
    if report.when == 'call' or (report.when == 'setup' and report.failed):
        for name, value in report.user_properties:
            if name == rel_report.PROPERTY:
                section, row = value
                REPORT.add(section, report.nodeid, report.outcome, row)


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    if hasattr(session.config, 'workerinput'):
        return  # an xdist worker: the controller writes the report
    directory = os.environ.get('CERTOPS_REPORT_DIR')
    if directory and REPORT.has_rows():
        REPORT.write(os.path.join(directory, 'reliability.md'))
