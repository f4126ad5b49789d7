# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for every unit test, found by pytest (test files do not import them).

* ``pki``: the test PKI (``utils.PKI``, built once when the tests are collected).
* ``make_vcenter``: ``make_vcenter(version=(8, 0, 3))`` -> a ``FakeVCenter`` the modules will talk to (the last one
  made in a test is the one they reach).
* ``vcenter``: ``make_vcenter()``, for tests that need one vCenter of the default version.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils import _module
from ansible_collections.certops.vcenter.tests.unit.fake_vcenter import FakeClient, FakeVCenter
from ansible_collections.certops.vcenter.tests.unit.utils import PKI


@pytest.fixture(scope='session')
def pki():
    return PKI


@pytest.fixture
def make_vcenter(pki, monkeypatch):
    def factory(version=(8, 0, 3)):
        server = FakeVCenter(pki, version)
        monkeypatch.setattr(_module, 'client_from_params', lambda params: FakeClient(server, params))
        return server
    return factory


@pytest.fixture
def vcenter(make_vcenter):
    return make_vcenter()
