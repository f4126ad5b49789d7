# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sliced fleet report end to end against the simulator, as an AWX workflow runs it.

One simulator process with 9 vCenters (7 on 8.0.3, 2 on 7.0.0 without the STS API; one made critical, one given an
expired trusted root). An unsliced run of playbooks/report.yml is the reference. Then playbooks/report_slice.yml runs
as 3 slices (AWX job slicing: host i of the inventory goes to slice i mod 3), each slice's set_stats data is captured
as ansible-runner saves it, the three are merged by a shallow update of top-level keys (what AWX does with the
artifacts of the slices before the next workflow node), and playbooks/report_render.yml writes the report from that
merged data alone, with the simulator's request counters checked to show it talked to no vCenter.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FLEET = os.path.join(REPO, 'extensions', 'molecule', 'shared', 'files', 'certsim_fleet.py')
SIMULATOR = os.path.join(REPO, 'tests', 'simulator', 'certsim.py')
BIN = os.path.dirname(sys.executable)
SLICES = 3


def _context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def sim(url, path, method='GET', body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers=dict({'Content-Type': 'application/json'}, **(headers or {})))
    with urllib.request.urlopen(request, context=_context(), timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


def renew_for(url, days):
    """Raw REST, not the collection: renew the machine SSL certificate for ``days`` days."""
    auth = base64.b64encode(b'administrator@vsphere.local:VMware1!').decode()
    session = sim(url, '/api/session', 'POST', headers={'Authorization': 'Basic ' + auth})
    sim(url, '/api/vcenter/certificate-management/vcenter/tls?action=renew', 'POST', {'duration': days},
        headers={'vmware-api-session-id': session})
    deadline = time.time() + 60  # the renewal restarts vCenter's services: wait until it answers again
    while True:
        try:
            if not sim(url, '/sim/state')['in_restart']:
                return
        except (OSError, ValueError):
            pass
        assert time.time() < deadline, 'the simulator did not come back after the renewal'
        time.sleep(0.2)


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    work = tmp_path_factory.mktemp('sliced')
    colls = work / 'collections' / 'ansible_collections' / 'certops'
    colls.mkdir(parents=True)
    os.symlink(REPO, str(colls / 'vcenter'))
    started = subprocess.run([sys.executable, FLEET, 'start', str(work / 'sim'), SIMULATOR, '8.0.3:7', '7.0.0:2',
                              '--', '--restart-seconds', '0.3'], capture_output=True, text=True, check=True)
    vcenters = json.loads(started.stdout)['vcenters']
    try:
        # vc803-02: machine SSL critical (10 days), vc803-03 warning (60 days).
        urls = dict((v['name'], v['url']) for v in vcenters)
        renew_for(urls['vc803-02'], 10)
        renew_for(urls['vc803-03'], 60)
        hosts = {}
        for v in vcenters:
            hosts[v['name']] = {
                'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                'certops_vcenter_hostname': '127.0.0.1', 'certops_vcenter_port': v['port'],
                'certops_vcenter_username': 'administrator@vsphere.local', 'certops_vcenter_password': 'VMware1!',
                'certops_vcenter_ca_path': v['ca_path']}
        inventory = work / 'inventory.json'
        inventory.write_text(json.dumps({'all': {'children': {'vcenters': {'hosts': hosts}}}}))
        yield {'work': work, 'vcenters': vcenters, 'inventory': str(inventory), 'names': [v['name'] for v in vcenters],
               'collections': str(work / 'collections')}
    finally:
        subprocess.run([sys.executable, FLEET, 'stop', str(work / 'sim')], capture_output=True, check=False)


def playbook(fleet, name, *args, stats=None):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(
               [fleet['collections']] + [p for p in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if p]),
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(__file__), 'callback_plugins'),
               ANSIBLE_CALLBACKS_ENABLED='capture_stats', ANSIBLE_NOCOLOR='1', ANSIBLE_FORKS='10')
    if stats:
        env['CERTOPS_CAPTURE_STATS'] = str(stats)
    result = subprocess.run([os.path.join(BIN, 'ansible-playbook'), os.path.join(REPO, 'playbooks', name)] + list(args),
                            env=env, capture_output=True, text=True, cwd=str(fleet['work']), check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(stats.read_text()) if stats else None


def requests_sent(fleet):
    return sum(sum(sim(v['url'], '/sim/stats')['requests'].values()) for v in fleet['vcenters'])


def load(path):
    with open(str(path)) as handle:
        return json.load(handle)


def by_name(report):
    return dict((r['name'], r) for r in report['vcenters'])


def test_sliced_report_equals_the_unsliced_one(fleet):
    work = fleet['work']
    playbook(fleet, 'report.yml', '-i', fleet['inventory'], '-e', 'certops_output_dir=%s' % (work / 'whole'),
             '-e', 'cert_report_fail_on_error=false')
    whole = load(work / 'whole' / 'cert-report' / 'vcenter-certificates.json')

    # AWX job slicing: slice k of N runs the hosts k, k+N, k+2N... of the inventory.
    merged = {}
    published = []
    for k in range(SLICES):
        limit = ','.join(fleet['names'][k::SLICES])
        stats = playbook(fleet, 'report_slice.yml', '-i', fleet['inventory'], '--limit', limit,
                         stats=work / ('slice%d.json' % k))
        assert not (work / 'cert-report').exists(), 'a collect run writes no report files'
        published.append(stats)
        merged.update(stats)  # the shallow update AWX applies to the artifacts of the slices
    (work / 'merged.json').write_text(json.dumps(merged))

    # Nothing lost by the shallow merge: one key per vCenter, each from exactly one slice.
    keys = [key for stats in published for key in stats if key != 'certops_report_schema_version']
    assert len(keys) == len(set(keys)) == len(fleet['names'])
    assert merged['certops_report_schema_version'] == 1

    before = requests_sent(fleet)
    playbook(fleet, 'report_render.yml', '-e', '@%s' % (work / 'merged.json'),
             '-e', 'certops_output_dir=%s' % (work / 'rendered'), '-e', 'cert_report_fail_on_error=false')
    assert requests_sent(fleet) == before, 'the render step talked to a vCenter'
    out = work / 'rendered' / 'cert-report'
    rendered = load(out / 'vcenter-certificates.json')

    # Every vCenter once, every certificate of each once, and the same as the unsliced run.
    names = [r['name'] for r in rendered['vcenters']]
    assert sorted(names) == sorted(fleet['names']) and len(names) == len(set(names))
    for record in rendered['vcenters']:
        fps = [c['sha256'] for c in record['certificates']]
        assert len(fps) == len(set(fps)) and fps, record['name']
        assert [(f['id'], f['severity']) for f in record['findings']] == {
            'vc803-02': [('machine_ssl_expiring', 'critical')], 'vc803-03': [('machine_ssl_expiring', 'warning')]}.get(
            record['name'], []), record
    assert by_name(rendered) == by_name(whole)
    assert rendered['summary'] == whole['summary']
    assert rendered['schema_version'] == whole['schema_version'] == 1
    assert rendered['report']['mode'] == 'render'
    assert rendered['summary']['critical'] == 1
    assert by_name(rendered)['vc803-02']['worst_status'] == 'critical'
    assert by_name(rendered)['vc700-01']['sts'].startswith('not available')

    # The Markdown and HTML name every vCenter and every certificate once (by fingerprint) in their full tables.
    html = (out / 'vcenter-certificates.html').read_text()
    markdown = (out / 'vcenter-certificates.md').read_text()
    for record in rendered['vcenters']:
        assert record['name'] in html and record['name'] in markdown
        for cert in record['certificates']:
            assert html.count(cert['sha256']) == markdown.count(cert['sha256']) == \
                sum(1 for r in rendered['vcenters'] for c in r['certificates'] if c['sha256'] == cert['sha256'])
    assert 'src=' not in html and 'http://' not in html and 'https://' not in html
    # The render step shows the findings the collect runs computed, first.
    assert rendered['summary']['findings'] == {'total': 2, 'critical': 1, 'warning': 1, 'info': 0, 'vcenters': 2}
    assert html.index('id="findings"') < html.index('id="chart"') and html.count('machine_ssl_expiring') >= 2
    assert markdown.index('## Findings') < markdown.index('## Needs attention') and 'machine_ssl_expiring' in markdown
