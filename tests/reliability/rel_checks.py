# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks shared by the hostile-network and connection-option suites: a module run that turns an uncaught
exception into a result (so a traceback is reported, not raised into pytest), and the "no traceback, every
failure says what it left behind" rule."""

import traceback

import rel_run

STATES = ('unchanged', 'changed', 'unknown')


def run_guarded(module, args, check=False, tmpdir=None):
    """``rel_run.run_inproc``; an exception escaping ``main()`` becomes a result carrying its traceback, the
    way Ansible shows it to the user (``module_stderr`` with ``Traceback``)."""
    try:
        return rel_run.run_inproc(module, args, check=check, tmpdir=tmpdir)
    except AssertionError:
        raise
    except Exception as exc:  # pylint: disable=broad-except
        text = traceback.format_exc()
        return {'failed': True, 'msg': 'MODULE FAILURE (uncaught %s: %s)' % (type(exc).__name__, exc),
                'module_stderr': text, 'exception': text, 'uncaught': True, 'warnings': []}


def traceback_of(result):
    """The traceback text a result carries, or None."""
    for name in ('exception', 'module_stderr', 'msg'):
        value = result.get(name)
        if value and 'Traceback' in str(value):
            return str(value)
    if result.get('uncaught'):
        return result.get('module_stderr')
    msg = str(result.get('msg') or '')
    if 'Module failed:' in msg or 'MODULE FAILURE' in msg:
        # ansible-core 2.19+ under ansible-playbook: an exception that escaped the module, its traceback hidden
        # unless DISPLAY_TRACEBACK asks for it (``exception: (traceback unavailable)``)
        return 'an exception escaped the module: %s (exception: %s)' % (msg, result.get('exception'))
    return None


def assert_clean(result):
    """No traceback anywhere; a failure starts with ``Failed to `` and carries ``vcenter_state``."""
    text = traceback_of(result)
    assert text is None, 'a Python traceback (an uncaught exception) reached the user:\n%s' % text[-3000:]
    if result.get('failed'):
        assert result.get('vcenter_state') in STATES, \
            'a failed run must say what it left behind (vcenter_state): %r' % (result,)


def writes_of(stats):
    return '%d (%d)' % (stats['writes_attempted'], stats['writes_applied'])
