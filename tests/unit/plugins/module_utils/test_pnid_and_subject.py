# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The subject body of TlsCsr.Spec / Tls.ReplaceSpec, and verifying vCenter by its PNID after a change."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.certops.vcenter.plugins.module_utils import _cert_api
from ansible_collections.certops.vcenter.plugins.module_utils._client import VCenterClient

FULL = {'organization': 'Example', 'locality': 'Berlin', 'state_or_province': 'Berlin', 'country': 'DE',
        'email_address': 'pki@example.com'}


@pytest.mark.parametrize('desired, required, expected', [
    # required strings: only organization_unit may go as "" (the SDK's "unset")
    (FULL, True, dict(FULL, organization_unit='')),
    (dict(FULL, organization_unit='IT', common_name='vc', subject_alt_name=['DNS:vc', 'IP:10.0.0.1']), True,
     dict(FULL, organization_unit='IT', common_name='vc', subject_alt_name=['vc', '10.0.0.1'])),
    # optional strings (VMCA root, STS CSR): left out
    ({'country': 'DE'}, False, {'country': 'DE'}),
    ({}, False, {}),
])
def test_subject_spec(desired, required, expected):
    assert _cert_api.subject_spec(desired, required_strings=required) == expected


@pytest.mark.parametrize('desired, missing', [
    ({}, ['organization', 'locality', 'state_or_province', 'country', 'email_address']),
    (dict(FULL, organization=''), ['organization']),
    (dict(FULL, locality='  '), ['locality']),
    (dict(FULL, email_address=None), ['email_address']),
    (FULL, []),
])
def test_missing_subject_strings_never_become_empty_strings(desired, missing):
    assert _cert_api.missing_subject_strings(desired) == missing
    if missing:
        with pytest.raises(ValueError):
            _cert_api.subject_spec(desired)


def test_missing_subject_message_names_the_fields_and_the_api():
    msg = _cert_api.missing_subject_message(['country'], 'TlsCsr.Spec')
    assert msg.startswith("country is not given: vCenter's API (TlsCsr.Spec) requires the subject fields")
    assert 'Only organization_unit may be left out' in msg


def test_verify_name_checks_the_certificate_for_that_name():
    client = VCenterClient('10.0.0.2', 'u', 'p')
    client.verify_name('vc.example.com')
    adapter = client._session.get_adapter('https://10.0.0.2/api')
    assert adapter.poolmanager.connection_pool_kw['assert_hostname'] == 'vc.example.com'


def test_verify_name_does_nothing_without_verification():
    client = VCenterClient('10.0.0.2', 'u', 'p', validate_certs=False)
    client.verify_name('vc.example.com')
    adapter = client._session.get_adapter('https://10.0.0.2/api')
    assert 'assert_hostname' not in adapter.poolmanager.connection_pool_kw
