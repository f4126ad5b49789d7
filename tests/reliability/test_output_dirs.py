# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The example playbooks never fall back to their own (the installed collection's) directory for reports and
backups: with PWD unset (systemd, cron, some job runners) and no output directory given, they stop before
anything is done and say which variable to set; nothing is written next to the playbooks."""

import os

import pytest

import rel_run

PLAYBOOKS_DIR = os.path.join(rel_run.COLLECTION_ROOT, 'playbooks')
PLAYBOOKS = ['report.yml', 'rotate.yml', 'rotate_vmca.yml', 'trusted_roots.yml']


def _tree(path):
    return sorted(os.path.join(d, f) for d, _dirs, files in os.walk(path) for f in files)


@pytest.mark.parametrize('playbook', PLAYBOOKS)
def test_no_output_directory_stops_the_play(playbook, tmp_path, report):
    workdir = str(tmp_path)
    with open(os.path.join(workdir, 'inventory.ini'), 'w') as handle:
        # never reached: the play must stop before any module talks to vCenter
        handle.write('[vcenters]\nvc.invalid ansible_connection=local ansible_python_interpreter=%s\n'
                     % rel_run.sys.executable)
    env = rel_run.ansible_env(workdir)
    for name in ('PWD', 'CERTOPS_OUTPUT_DIR'):
        env.pop(name, None)
    before = _tree(PLAYBOOKS_DIR)

    done = rel_run.ansible_playbook(workdir, os.path.join(PLAYBOOKS_DIR, playbook), env=env, timeout=300)

    output = done.stdout + done.stderr
    stopped = 'certops_output_dir' in output and 'PWD is not set' in output
    report.add('hostile', order=900 + PLAYBOOKS.index(playbook), klass='output directory',
               case='playbooks/%s with PWD and CERTOPS_OUTPUT_DIR unset, no certops_output_dir' % playbook,
               module='ansible-playbook', outcome='refused' if done.returncode and stopped else 'rc=%d' % done.returncode,
               vcenter_state='-', writes=0, other_origin='-',
               msg='stops and names certops_output_dir' if stopped else output[-300:])
    assert done.returncode != 0, output[-2000:]
    assert stopped, 'the play must say which variable to set: %s' % output[-2000:]
    assert 'Traceback' not in output
    assert _tree(PLAYBOOKS_DIR) == before, 'something was written next to the playbooks'
