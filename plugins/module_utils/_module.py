# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""The one shape every module has: validate -> read -> plan -> (apply) -> exit.

``changed``, check mode and the diff all come from the same :class:`Plan`. Input is validated before
the client logs in, so bad input never reaches vCenter. The client always logs out. After a failed
change the module reads vCenter back and says whether the change was applied.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils import _client
from ansible_collections.certops.vcenter.plugins.module_utils._argspec import (
    connection_argument_spec,
    normalise_connection,
    validate_certs_source,
)
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import CertApi
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    CertOpsError,
    ConnectionFailure,
    InputError,
    STATE_CHANGED,
    STATE_UNCHANGED,
    STATE_UNKNOWN,
)
from ansible_collections.certops.vcenter.plugins.module_utils._wait import Deadline, poll

# How long a read-back after a failed change may wait for vCenter to answer again, in modules without
# wait_timeout (their changes do not restart services, but the failure may come from a restart in progress).
READ_BACK_SECONDS = 120


class Plan(object):
    """What a run will do. ``actions`` are short descriptions; ``before``/``after`` are diff summaries."""

    def __init__(self, changed=False, actions=None, before=None, after=None, reason=None, **data):
        self.changed = bool(changed)
        self.actions = list(actions or [])
        self.before = before
        self.after = after
        self.reason = reason
        self.data = data

    def __getattr__(self, name):
        data = self.__dict__.get('data', {})
        if name in data:
            return data[name]
        raise AttributeError(name)


def client_from_params(params):
    return _client.VCenterClient(
        hostname=params['vcenter_hostname'],
        username=params.get('vcenter_username'),
        password=params.get('vcenter_password'),
        port=params.get('vcenter_port') or 443,
        validate_certs=params.get('vcenter_validate_certs', True),
        ca_path=params.get('vcenter_ca_path'),
        timeout=params.get('vcenter_timeout') or 60,
        api=params.get('vcenter_api') or 'auto',
    )


class CertModule(object):
    """Base class. Subclasses set ``module_name`` and ``operation`` and implement the hooks."""

    module_name = 'certops.vcenter'
    operation = 'manage vCenter certificates'

    def __init__(self, module, params=None, client=None, warnings=None):
        """``params``, ``client`` and ``warnings`` let one task run several instances (one per item of a list
        option) with their own options on one session and one list of warnings."""
        self.module = module
        self.params = module.params if params is None else params
        self.client = client_from_params(module.params) if client is None else client
        self.api = CertApi(self.client)
        self.warnings = [] if warnings is None else warnings

    # ---------------------------------------------------------------- hooks
    def validate(self):
        """Parse and check the input; raise InputError. Runs before any call to vCenter."""

    def read_current(self):
        """Read what vCenter has now (a plain dict)."""
        raise NotImplementedError

    def compare(self, current):
        """Pure: return a :class:`Plan` from the validated input and ``current``."""
        raise NotImplementedError

    def apply(self, plan, current):
        """Make the change; return the state after it (as read_current would)."""
        raise NotImplementedError

    def state_key(self, current):
        """A value that differs exactly when vCenter's relevant state differs (used after failures)."""
        return None

    def result(self, plan, current, after):
        """Module-specific return values."""
        return {}

    def protect_pasted_keys(self, *names):
        """Mask options that should hold certificates but hold a private key (a paste mistake): their values
        join ``no_log_values``, so neither the result nor ``invocation`` ever echoes the key."""
        for name in names:
            value = self.params.get(name)
            if isinstance(value, str) and _certs.contains_private_key(value):
                self.module.no_log_values.add(value)

    # ---------------------------------------------------------------- flow
    def run(self):
        try:
            self.validate()
            current = self.read_current()
            plan = self.compare(current)
        except CertOpsError as exc:
            # Nothing state-changing has been sent yet (login, version and read errors, refusals).
            if exc.vcenter_state is None:
                exc.vcenter_state = STATE_UNCHANGED
            raise
        after = current
        if plan.changed and not self.module.check_mode:
            after = self._apply_and_recover(plan, current)
        result = {'changed': plan.changed}
        result.update(self.result(plan, current, after))
        if plan.actions:
            result['actions'] = plan.actions
        if self.module._diff:
            result['diff'] = {'before': plan.before, 'after': plan.after}
        return result

    def _apply_and_recover(self, plan, current):
        try:
            return self.apply(plan, current)
        except InputError:
            raise
        except CertOpsError as exc:
            if exc.vcenter_state is not None:
                raise
            return self._explain_failure(exc, plan, current)
        except Exception as exc:  # pylint: disable=broad-except
            # Not ours (a damaged answer, a file that cannot be read...): vCenter may have been changed all the
            # same, so it is read back like after any other failure.
            return self._explain_failure(unexpected_error(self.operation, exc), plan, current)

    def read_back_seconds(self):
        return self.params.get('wait_timeout') or READ_BACK_SECONDS

    def _explain_failure(self, exc, plan, current):
        """Never guess: read vCenter back (waiting out a restart, up to wait_timeout) and say what state the
        failure left it in."""
        if isinstance(exc, ConnectionFailure) and exc.ambiguous:
            exc.reason += ' (the request was sent, but no answer came back)'
        after, last = self._read_back()
        state, words = self._failure_verdict(exc, plan, current, after, last)
        if state is None:
            self.warnings.append('%s. vCenter was read back afterwards and the change WAS applied.' % exc.message)
            return self.after_recovered(plan, after)
        exc.vcenter_state = state
        exc.reason += words
        raise exc

    def _read_back(self):
        """``(state, last reason)``; state is None when vCenter could not be read within the read-back time."""
        try:
            # Log the old session out (best effort; it may already be invalid after a restart) rather than
            # forget it: a forgotten session stays open on vCenter until it times out.
            self.client.logout()
            return poll(self.read_current, Deadline(self.read_back_seconds()))
        except CertOpsError as read_exc:
            return None, read_exc.reason
        except Exception as read_exc:  # pylint: disable=broad-except
            return None, unexpected_error(self.operation, read_exc).reason

    def _failure_verdict(self, exc, plan, current, after, last):
        """``(vcenter_state, words for the message)``; ``(None, None)`` when the change was applied as asked."""
        if after is None:
            return STATE_UNKNOWN, ('. vCenter could not be read back afterwards (%s), so whether the change was '
                                   'applied is unknown; check vCenter, then rerun the task' % last)
        unchanged = self.state_key(after) == self.state_key(current)
        if unchanged and isinstance(exc, ConnectionFailure) and exc.ambiguous and exc.timed_out:
            # The client gave up waiting, but vCenter may still be working on the request and apply it later:
            # "not applied yet" is all the read-back can show.
            return STATE_UNKNOWN, ('. vCenter was read back afterwards and does not show the change yet, but it may '
                                   'still be processing the request, so whether the change will be applied is '
                                   'unknown; wait, check vCenter, then rerun the task (consider a larger '
                                   'vcenter_timeout)')
        if unchanged:
            return STATE_UNCHANGED, ('. vCenter was read back afterwards: the change was NOT applied; it is safe to '
                                     'rerun the task')
        if not self.compare_after_failure(plan, after):
            return STATE_CHANGED, ('. vCenter was read back afterwards: its state changed but does not match the '
                                   'request; rerun the task to converge')
        return None, None

    def compare_after_failure(self, plan, after):
        """True when ``after`` is the state the plan wanted (default: a new plan would change nothing)."""
        return not self.compare(after).changed

    def after_recovered(self, plan, after):
        """Hook for modules that must still wait after a change that was applied despite an error."""
        return after


def unexpected_error(operation, exc):
    """An exception that is not ours, as one of ours: its type and first line, never a traceback."""
    text = str(exc).strip().splitlines()
    return CertOpsError(operation, 'unexpected error (%s%s)' % (type(exc).__name__, ': %s' % text[0] if text else ''))


def _run(instance):
    """``(result, None)``, or ``(None, fail_json arguments)``: every error, ours or not, without a traceback."""
    try:
        return instance.run(), None
    except CertOpsError as exc:
        return None, exc.to_fail_kwargs()
    except _certs.CertificateInputError as exc:
        return None, InputError(instance.operation, str(exc)).to_fail_kwargs()
    except Exception as exc:  # pylint: disable=broad-except
        error = unexpected_error(instance.operation, exc)
        error.vcenter_state = STATE_UNKNOWN if instance.client.write_sent else STATE_UNCHANGED
        return None, error.to_fail_kwargs()


def run_module(module_class, argument_spec, **kwargs):
    """Build AnsibleModule with the connection options, run, map every error to fail_json (never a traceback)."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    kwargs.setdefault('supports_check_mode', True)
    module = AnsibleModule(argument_spec=spec, **kwargs)
    if not _client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)
    if not _certs.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib('cryptography'), exception=_certs.CRYPTOGRAPHY_IMPORT_ERROR)
    problem = normalise_connection(module.params)
    if problem:
        module.fail_json(**InputError(module_class.operation, problem).to_fail_kwargs())
    if not module.params['vcenter_validate_certs']:
        module.warn('vcenter_validate_certs is false (%s): the certificate vCenter presents is not verified, so '
                    'the password and certificates of this task may be sent to an impostor. Set '
                    'vcenter_validate_certs: true with vcenter_ca_path (a CA bundle that holds vCenter\'s root CA).'
                    % validate_certs_source())
    instance = module_class(module)
    result, failure = _run(instance)
    instance.client.close()
    for warning in instance.warnings:
        module.warn(warning)
    if failure is not None:
        module.fail_json(**failure)
    module.exit_json(**result)
