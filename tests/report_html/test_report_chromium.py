# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTML report renders in a real browser: headless Chromium (Debian's ``chromium`` package; ``make test``
installs it with tests/ci/install-chromium.sh) loads the page the cert_report role wrote for two simulated vCenters
with findings (one machine SSL certificate 10 days from expiry, one expired root in a trust store) and one healthy,
takes a screenshot and dumps the DOM after the page's script ran. Chromium missing is a failure, not a skip.

The screenshot is kept (its path is printed) as the evidence CI logs show: tests/output/report-html/report.png, or
the directory in CERTOPS_SCREENSHOT_DIR.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'fleet'))
from test_sliced_report import FLEET, SIMULATOR, BIN, renew_for, sim  # noqa: E402  pylint: disable=wrong-import-position

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                  '--disable-component-update', '--no-first-run', '--disable-extensions', '--disable-sync',
                  '--window-size=1400,1800']


def chromium():
    found = shutil.which('chromium') or shutil.which('chromium-browser')
    if not found:
        pytest.fail('Chromium is missing: install Debian\'s chromium package (tests/ci/install-chromium.sh, which '
                    '"make test" runs)')
    return found


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    work = tmp_path_factory.mktemp('report-html')
    colls = work / 'collections' / 'ansible_collections' / 'certops'
    colls.mkdir(parents=True)
    os.symlink(REPO, str(colls / 'vcenter'))
    started = subprocess.run([sys.executable, FLEET, 'start', str(work / 'sim'), SIMULATOR, '8.0.3:3',
                              '--', '--restart-seconds', '0.3'], capture_output=True, text=True, check=True)
    vcenters = json.loads(started.stdout)['vcenters']
    try:
        urls = dict((v['name'], v['url']) for v in vcenters)
        renew_for(urls['vc803-01'], 10)
        sim(urls['vc803-02'], '/sim/seed/trusted-root', 'POST',
            {'cn': 'Old Corp Root', 'days': -3, 'start_days': -400, 'chain': 'old-corp-root'})
        hosts = dict((v['name'], {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'certops_vcenter_hostname': '127.0.0.1', 'certops_vcenter_port': v['port'],
            'certops_vcenter_username': 'administrator@vsphere.local', 'certops_vcenter_password': 'VMware1!',
            'certops_vcenter_ca_path': v['ca_path']}) for v in vcenters)
        inventory = work / 'inventory.json'
        inventory.write_text(json.dumps({'all': {'children': {'vcenters': {'hosts': hosts}}}}))
        env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(
            [str(work / 'collections')] + [p for p in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if p]))
        result = subprocess.run([os.path.join(BIN, 'ansible-playbook'), os.path.join(REPO, 'playbooks', 'report.yml'),
                                 '-i', str(inventory), '-e', 'certops_output_dir=%s' % work], env=env,
                                capture_output=True, text=True, cwd=str(work), check=False)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        yield work / 'cert-report'
    finally:
        subprocess.run([sys.executable, FLEET, 'stop', str(work / 'sim')], capture_output=True, check=False)


def run_chromium(args, work):
    profile = work / 'chromium-profile'
    result = subprocess.run([chromium()] + CHROMIUM_FLAGS + ['--user-data-dir=%s' % profile] + args,
                            capture_output=True, text=True, timeout=180, cwd=str(work), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_html_report_renders_in_headless_chromium(report):
    data = json.loads((report / 'vcenter-certificates.json').read_text())
    ids = sorted((f['vcenter'], f['id'], f['severity']) for r in data['vcenters'] for f in r['findings'])
    assert ids == [('vc803-01', 'machine_ssl_expiring', 'critical'), ('vc803-02', 'trusted_root_expired', 'warning')]

    page = 'file://%s' % (report / 'vcenter-certificates.html')
    out = os.environ.get('CERTOPS_SCREENSHOT_DIR') or os.path.join(REPO, 'tests', 'output', 'report-html')
    os.makedirs(out, exist_ok=True)
    png = os.path.join(out, 'report.png')
    if os.path.exists(png):
        os.remove(png)
    run_chromium(['--screenshot=%s' % png, page], report)
    with open(png, 'rb') as handle:
        head = handle.read(8)
    size = os.path.getsize(png)
    print('\nscreenshot of the HTML report (headless Chromium): %s (%d bytes)' % (png, size))
    assert head == b'\x89PNG\r\n\x1a\n'
    assert size > 50000, 'a blank page is a few kB; the report with its tables and chart is far more'

    dom = run_chromium(['--dump-dom', page], report)
    # the findings come first, grouped by severity, and the page's script ran (it fills the "N of M shown" counts)
    assert '<section id="findings">' in dom
    assert dom.index('id="findings-critical"') < dom.index('id="findings-warning"') < dom.index('id="chart"')
    assert 'machine_ssl_expiring' in dom and 'trusted_root_expired' in dom
    assert 'certops.vcenter.rotate_machine_ssl' in dom and 'certops.vcenter.trusted_roots' in dom
    assert '1 of 1 shown' in dom
    for name in ('vc803-01', 'vc803-02', 'vc803-03'):
        assert name in dom
