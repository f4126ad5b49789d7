# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running the real modules: in-process (fast; the real module code against the real simulator) and as
real ``ansible-playbook`` subprocesses.

The collection is imported as ``ansible_collections.certops.vcenter``: when the suite runs from a copy at
``.../ansible_collections/certops/vcenter`` (CI), that tree is used; from a plain checkout, a temporary
``ansible_collections/certops/vcenter`` symlink to it is made.
"""

import atexit
import contextlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import rel_pki

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collections_dir():
    parts = COLLECTION_ROOT.rstrip(os.sep).split(os.sep)
    if parts[-3:] == ['ansible_collections', 'certops', 'vcenter']:
        return os.sep.join(parts[:-3]) or os.sep
    base = tempfile.mkdtemp(prefix='certops-reliability-coll-')
    atexit.register(shutil.rmtree, base, True)
    os.makedirs(os.path.join(base, 'ansible_collections', 'certops'))
    os.symlink(COLLECTION_ROOT, os.path.join(base, 'ansible_collections', 'certops', 'vcenter'))
    return base


COLLECTIONS_DIR = _collections_dir()
if COLLECTIONS_DIR not in sys.path:
    sys.path.insert(0, COLLECTIONS_DIR)

MODULES = sorted(f[:-3] for f in os.listdir(os.path.join(COLLECTION_ROOT, 'plugins', 'modules'))
                 if f.startswith('vcenter_') and f.endswith('.py'))
ROLES = sorted(d for d in os.listdir(os.path.join(COLLECTION_ROOT, 'roles'))
               if os.path.isdir(os.path.join(COLLECTION_ROOT, 'roles', d))) \
    if os.path.isdir(os.path.join(COLLECTION_ROOT, 'roles')) else []


def connection(port, **extra):
    args = dict(vcenter_hostname='127.0.0.1', vcenter_port=port, vcenter_username=rel_pki.ADMIN,
                vcenter_password=rel_pki.SIM_PASSWORD, vcenter_validate_certs=False, vcenter_timeout=20)
    args.update(extra)
    return args


def run_inproc(module, args, check=False, diff=False, tmpdir=None):
    """Run ``main()`` of a module with ``args`` in this process; return its result dict.

    The module prints its JSON result and exits (``exit_json``/``fail_json``), exactly as under Ansible.
    """
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    mod = importlib.import_module('ansible_collections.certops.vcenter.plugins.modules.%s' % module)
    full = dict(args)
    full['_ansible_check_mode'] = check
    full['_ansible_diff'] = diff
    full['_ansible_remote_tmp'] = tmpdir or tempfile.gettempdir()
    full['_ansible_keep_remote_files'] = False
    _clear_global_warnings()
    out = io.StringIO()
    # A test in this process may have imported controller code (a filter plugin): ansible-core then sends module
    # warnings to the display instead of the result. A module runs as a module: not on the controller.
    from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
    was_controller, _internal.is_controller = _internal.is_controller, False
    try:
        with patch_module_args(full), contextlib.redirect_stdout(out):
            try:
                mod.main()
            except SystemExit:
                pass
    finally:
        _internal.is_controller = was_controller
    text = out.getvalue()
    try:
        result = json.loads(text)
    except ValueError:
        raise AssertionError('module %s printed no JSON result: %r' % (module, text[-2000:]))
    # ansible-core 2.19 returns warnings as structured summaries; keep the text, as the controller shows it
    result['warnings'] = [_warning_text(w) for w in result.get('warnings', [])]
    return result


def _clear_global_warnings():
    """Warnings are collected module-globally (one module per process under Ansible): start each run empty."""
    from ansible.module_utils.common import warnings as warnings_mod  # pylint: disable=import-outside-toplevel
    for name in ('_global_warnings', '_global_deprecations'):
        store = getattr(warnings_mod, name, None)
        if store is not None:
            store.clear()


def _warning_text(warning):
    if isinstance(warning, dict):
        return str((warning.get('event') or {}).get('msg') or warning)
    return str(warning)


def ansible_env(workdir, **extra):
    env = dict(os.environ)
    paths = [COLLECTIONS_DIR] + [p for p in env.get('ANSIBLE_COLLECTIONS_PATH', '').split(':') if p]
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': ':'.join(paths),
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'ansible-local'),
        'ANSIBLE_REMOTE_TEMP': os.path.join(workdir, 'ansible-remote'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_HOST_KEY_CHECKING': '0',
        'ANSIBLE_DEPRECATION_WARNINGS': '0',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
    })
    env.update(extra)
    return env


def ansible_playbook(workdir, playbook, *args, env=None, timeout=600):
    """Run ``ansible-playbook`` (of this Python's environment) and return the CompletedProcess."""
    exe = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    inventory = os.path.join(workdir, 'inventory.ini')
    if not os.path.exists(inventory):
        with open(inventory, 'w') as handle:
            handle.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    cmd = [exe, '-i', inventory, playbook] + list(args)
    return subprocess.run(cmd, cwd=workdir, env=env or ansible_env(workdir), capture_output=True, text=True,
                          timeout=timeout, check=False)
