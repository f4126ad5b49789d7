# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two verdicts every wait and read-back shares: "vCenter is restarting" and "vCenter did not process it"."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    ConnectionFailure,
    RedirectRefusedError,
    UnexpectedAnswerError,
    VCenterError,
)
from ansible_collections.certops.vcenter.plugins.module_utils._wait import Deadline, NotYet, is_restarting, \
    not_processed, poll


def answer(status, cls=VCenterError):
    return cls('do it', 'answered %d' % status, method='POST', path='/x', status=status)


@pytest.mark.parametrize('status, refused', [
    (400, True), (403, True), (404, True), (409, True),   # vCenter refused it
    (302, True), (307, True),                            # something in front answered; never followed
    (401, False), (408, False), (429, False),            # not proof that vCenter refused the request
    (500, False), (502, False), (503, False), (504, False),
])
def test_not_processed_only_for_answers_that_prove_it(status, refused):
    assert not_processed(answer(status)) is refused


def test_a_refused_redirect_counts_as_not_processed():
    assert not_processed(answer(307, RedirectRefusedError)) is True


def test_no_answer_is_never_not_processed():
    assert not_processed(ConnectionFailure('do it', 'reset', method='POST', path='/x', ambiguous=True)) is False
    assert not_processed(ValueError('not ours')) is False


@pytest.mark.parametrize('exc, restarting', [
    (answer(503), True), (answer(502), True), (answer(504), True),
    (answer(500), False), (answer(404), False),
    (answer(503, UnexpectedAnswerError), True),
    (answer(200, UnexpectedAnswerError), False),
    (ConnectionFailure('read', 'refused'), True),
    (ConnectionFailure('read', 'bad certificate', tls_verification=True), False),
])
def test_is_restarting(exc, restarting):
    assert is_restarting(exc) is restarting


def test_a_401_is_a_restart_only_when_the_session_may_have_died_with_it():
    assert is_restarting(answer(401)) is True
    assert is_restarting(answer(401), session_lost_counts=False) is False


def test_poll_retries_through_not_yet_and_restarts_then_returns_the_value():
    steps = iter([NotYet('not listed yet'), answer(503), 'done'])

    def attempt():
        step = next(steps)
        if isinstance(step, Exception):
            raise step
        return step

    assert poll(attempt, Deadline(10), interval=0) == ('done', 'answered 503')


def test_poll_raises_what_is_not_a_restart_and_stops_at_the_deadline():
    def refused():
        raise answer(404)

    with pytest.raises(VCenterError):
        poll(refused, Deadline(10), interval=0)

    def never():
        raise NotYet('still not there')

    assert poll(never, Deadline(0), interval=0) == (None, 'still not there')
