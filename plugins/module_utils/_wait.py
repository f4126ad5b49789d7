# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Waiting for vCenter: one deadline on the monotonic clock, one test of "vCenter is restarting", and one
test of "vCenter did not process the request".

Every wait of the collection (the read-back after a failed write, the wait for a new certificate, the wait
until the TLS port serves it) uses the first two, so they all survive the same restart: a real vCenter
restarts its services for minutes after a certificate change, and meanwhile refuses connections, answers
plain-text 503 pages from its reverse proxy (or 502/504), then accepts logins while the certificate service
still answers 503, and ends every session (vcenter-fidelity.md §4.7, rows 7, 8 and 30). The third tells,
after a failed write, the answers that need no waiting or reading back: the change was not applied.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    ConnectionFailure,
    UnexpectedAnswerError,
    VCenterError,
)

# What the reverse proxy answers while the services behind it restart.
RESTART_STATUSES = frozenset([502, 503, 504])
POLL_INTERVAL = 1.0


class Deadline(object):
    """A point in time ``seconds`` from now, on the monotonic clock (immune to clock changes)."""

    def __init__(self, seconds):
        self.seconds = max(0.0, float(seconds))
        self._end = time.monotonic() + self.seconds

    def remaining(self):
        return max(0.0, self._end - time.monotonic())

    def expired(self):
        return self.remaining() <= 0.0

    def sleep(self, interval=POLL_INTERVAL):
        """Sleep ``interval`` seconds, never past the deadline."""
        time.sleep(min(interval, self.remaining()))


def is_restarting(exc, session_lost_counts=True):
    """True when ``exc`` is what vCenter answers while its services restart.

    No answer (refused, reset, cut off, timed out), a 502/503/504 whatever its body (JSON from the API, plain
    text or HTML from the proxy), and, when ``session_lost_counts`` (after a change, when the credentials are
    known to be good), a 401: the restart ended the session. A certificate that does not verify is not a
    restart, and neither is a 200 answer that is not the API's (a portal page): waiting would not change them.
    """
    if isinstance(exc, ConnectionFailure):
        return not exc.tls_verification
    if isinstance(exc, VCenterError):
        if exc.status in RESTART_STATUSES:
            return True
        if isinstance(exc, UnexpectedAnswerError):
            return False
        return session_lost_counts and exc.status == 401
    return False


# Answers in the 3xx/4xx range that do not prove the request went unprocessed: 401 (the session ended, as a
# restart ends it), 408 and 429 (a timeout or a throttle, which may come after the request reached vCenter).
NOT_PROOF_OF_REFUSAL = frozenset([401, 408, 429])


def not_processed(exc):
    """True when ``exc`` is an answer that means vCenter did not process the request: a 4xx (vCenter refused it)
    or a 3xx (something in front of vCenter answered: vCenter never redirects, and redirects are not followed),
    other than :data:`NOT_PROOF_OF_REFUSAL`. After one of these the change was NOT applied; after anything else
    (no answer, a 5xx) it may have been."""
    return isinstance(exc, VCenterError) and exc.status is not None and 300 <= exc.status < 500 and \
        exc.status not in NOT_PROOF_OF_REFUSAL


class NotYet(Exception):
    """Raised by a poll's ``attempt`` when vCenter answered but is not there yet; the text says why."""


def poll(attempt, deadline, interval=POLL_INTERVAL, restarting=is_restarting):
    """Call ``attempt()`` until it returns something other than None, retrying while vCenter restarts.

    Returns ``(value, last_reason)``: ``value`` is None when the deadline passed first, ``last_reason`` says
    what was seen last (``attempt`` may raise :class:`NotYet` with a reason). Errors that are not a restart
    are raised at once.
    """
    last = 'vCenter did not answer yet'
    while True:
        try:
            value = attempt()
            if value is not None:
                return value, last
        except NotYet as exc:
            last = str(exc)
        except (ConnectionFailure, VCenterError) as exc:
            if not restarting(exc):
                raise
            last = exc.reason
        if deadline.expired():
            return None, last
        deadline.sleep(interval)
