# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""One small exception hierarchy shared by the client, the API layer and the modules.

Every error renders as ``Failed to <operation>: <reason>`` and turns itself into a stable
``fail_json`` payload. Messages never contain request bodies, keys or passwords.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


# What a failed run left behind on vCenter; returned as ``vcenter_state`` on failure.
STATE_UNCHANGED = 'unchanged'
STATE_CHANGED = 'changed'
STATE_UNKNOWN = 'unknown'


class CertOpsError(Exception):
    """Base class: ``Failed to <operation>: <reason>``."""

    def __init__(self, operation, reason, method=None, path=None, status=None,
                 error_type=None, vcenter_state=None):
        self.operation = operation
        self.reason = reason
        self.method = method
        self.path = path
        self.status = status
        self.error_type = error_type
        self.vcenter_state = vcenter_state
        super(CertOpsError, self).__init__(self.message)

    @property
    def message(self):
        return 'Failed to %s: %s' % (self.operation, self.reason)

    def to_fail_kwargs(self):
        result = {'msg': self.message, 'operation': self.operation}
        for name in ('method', 'path', 'status', 'error_type', 'vcenter_state'):
            value = getattr(self, name)
            if value is not None:
                result[name] = value
        return result


class InputError(CertOpsError):
    """The task's input is wrong; raised before anything is sent to vCenter."""

    def __init__(self, operation, reason):
        super(InputError, self).__init__(operation, reason, vcenter_state=STATE_UNCHANGED)


class VCenterError(CertOpsError):
    """vCenter answered with an error status."""

    @classmethod
    def from_response(cls, operation, method, path, status, error_type, messages):
        text = '; '.join(m for m in messages if m) or 'no error message'
        reason = '%s (HTTP %s%s)' % (text, status, ', %s' % error_type if error_type else '')
        if status == 401:
            klass = AuthenticationError
        elif status == 403:
            klass = AuthorizationError
        elif status == 404:
            klass = NotFoundError
        elif status == 503:
            klass = ServiceUnavailableError
        else:
            klass = cls
        return klass(operation, reason, method=method, path=path, status=status, error_type=error_type)


class AuthenticationError(VCenterError):
    """401: bad credentials, or the session is unknown/expired."""


class AuthorizationError(VCenterError):
    """403: the user lacks the privilege."""


class NotFoundError(VCenterError):
    """404: unknown object, or an operation this vCenter does not have."""


class ServiceUnavailableError(VCenterError):
    """503: vCenter services are (re)starting."""


class UnexpectedAnswerError(VCenterError):
    """vCenter (or something in front of it) answered with a status, content type or shape the API does not
    document for this endpoint: an HTML portal page, a JSON value of the wrong shape, a cut body."""


class RedirectRefusedError(VCenterError):
    """A 3xx answer. vCenter's API never redirects; the redirect is not followed, so nothing (no credentials,
    no session id, no request body) is sent to another origin."""


class ConnectionFailure(CertOpsError):
    """No HTTP answer at all: refused, reset, TLS failure or timeout."""

    def __init__(self, operation, reason, method=None, path=None, ambiguous=False, timed_out=False,
                 tls_verification=False):
        super(ConnectionFailure, self).__init__(operation, reason, method=method, path=path)
        # True when a state-changing request may have reached vCenter (sent, no answer).
        self.ambiguous = ambiguous
        # True when the client gave up waiting (vcenter_timeout): vCenter may still be processing the request.
        self.timed_out = timed_out
        # True when vCenter answered but its certificate did not verify: not an outage, never retried.
        self.tls_verification = tls_verification


class UnsupportedVersionError(CertOpsError):
    """The operation does not exist on this vCenter version or API dialect."""


class WaitTimeoutError(CertOpsError):
    """vCenter did not come back with the expected certificate in time."""


class MissingLibraryError(CertOpsError):
    """A Python library the module needs is not installed."""
