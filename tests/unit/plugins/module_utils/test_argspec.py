# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection values checked (and normalised where they have one meaning) before anything is sent."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils._argspec import normalise_connection


def params(**overrides):
    values = dict(vcenter_hostname='vc.example.com', vcenter_port=443, vcenter_timeout=60, vcenter_ca_path=None)
    values.update(overrides)
    return values


@pytest.mark.parametrize('overrides,words', [
    (dict(vcenter_hostname='https://vc.example.com'), ['vcenter_hostname', 'not a URL']),
    (dict(vcenter_hostname='https://127.0.0.1:8443/'), ['vcenter_hostname', 'not a URL', 'vcenter_port']),
    (dict(vcenter_hostname='vc.example.com:443'), ['vcenter_hostname', 'without a port', 'vcenter_port']),
    (dict(vcenter_hostname='[::1]:443'), ['vcenter_hostname', 'without a port']),
    (dict(vcenter_hostname=''), ['vcenter_hostname', 'empty']),
    (dict(vcenter_hostname='admin@vc'), ['vcenter_hostname']),
    (dict(vcenter_port=0), ['vcenter_port', '1 and 65535']),
    (dict(vcenter_port=-1), ['vcenter_port']),
    (dict(vcenter_port=65536), ['vcenter_port']),
    (dict(vcenter_timeout=0), ['vcenter_timeout', 'more than 0']),
    (dict(vcenter_timeout=-5), ['vcenter_timeout']),
    (dict(wait_timeout=-1), ['wait_timeout']),
    (dict(vcenter_ca_path='/nonexistent/ca.pem'), ['vcenter_ca_path', 'does not exist']),
])
def test_bad_connection_values_are_named(overrides, words):
    problem = normalise_connection(params(**overrides))
    assert problem is not None
    for word in words:
        assert word in problem


@pytest.mark.parametrize('given,kept', [
    ('[::1]', '::1'),
    ('::1', '::1'),
    ('fe80::1%eth0', 'fe80::1%eth0'),
    (' vc.example.com ', 'vc.example.com'),
    ('10.0.0.5', '10.0.0.5'),
])
def test_unambiguous_hosts_are_normalised(given, kept):
    values = params(vcenter_hostname=given)
    assert normalise_connection(values) is None
    assert values['vcenter_hostname'] == kept


def test_a_ca_directory_is_accepted(tmp_path):
    assert normalise_connection(params(vcenter_ca_path=str(tmp_path), wait_timeout=0)) is None
