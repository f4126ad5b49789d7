# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one connection precedence of the roles: <role>_vcenter_<option>, certops_vcenter_<option>, VMWARE_* (asked)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible import constants as C

from ansible.errors import AnsibleLookupError
from ansible.template import Templar, trust_as_template
from ansible.parsing.dataloader import DataLoader

from ansible_collections.certops.vcenter.plugins.lookup.vcenter_connection import DOCUMENTATION, LookupModule
from ansible_collections.certops.vcenter.plugins.plugin_utils._connection import (
    OPTION_NAMES,
    ConnectionVarsError,
    resolve,
)


NAME = 'certops.vcenter.vcenter_connection'


def getter(values):
    return values.get


def test_the_role_variable_wins_over_the_collection_wide_one():
    values = {'my_role_vcenter_hostname': 'role.example.com', 'certops_vcenter_hostname': 'all.example.com',
              'certops_vcenter_port': 8443}
    assert resolve('my_role', getter(values)) == {'vcenter_hostname': 'role.example.com', 'vcenter_port': 8443}


def test_unset_and_empty_options_are_left_out_so_the_module_fallback_applies():
    values = {'certops_vcenter_username': '', 'certops_vcenter_password': None, 'certops_vcenter_api': 'rest'}
    assert resolve('my_role', getter(values)) == {'vcenter_api': 'rest'}


def test_the_environment_is_read_only_when_asked_and_comes_last():
    env = {'VMWARE_HOST': 'env.example.com', 'VMWARE_USER': 'env-user', 'VMWARE_VALIDATE_CERTS': 'false'}
    values = {'certops_vcenter_hostname': 'all.example.com'}
    assert resolve('my_role', getter(values)) == {'vcenter_hostname': 'all.example.com'}
    assert resolve('my_role', getter(values), environ=env) == {
        'vcenter_hostname': 'all.example.com', 'vcenter_username': 'env-user', 'vcenter_validate_certs': 'false'}


def test_validate_certs_false_is_a_value_not_unset():
    assert resolve('r', getter({'r_vcenter_validate_certs': False})) == {'vcenter_validate_certs': False}


def test_overrides_win_over_everything():
    values = {'r_vcenter_ca_path': '/role.pem', 'certops_vcenter_ca_path': '/all.pem'}
    assert resolve('r', getter(values), overrides={'vcenter_ca_path': '/written.pem'}) == {
        'vcenter_ca_path': '/written.pem'}


def test_without_a_prefix_only_the_collection_wide_variables_count():
    values = {'None_vcenter_hostname': 'x', 'certops_vcenter_hostname': 'all.example.com'}
    assert resolve(None, getter(values)) == {'vcenter_hostname': 'all.example.com'}


@pytest.mark.parametrize('prefix, overrides, text', [
    ('Bad-Prefix', None, 'must look like a role name'),
    ('r', {'vcenter_hots': 'x'}, 'unknown connection option(s) in overrides: vcenter_hots'),
])
def test_mistakes_are_named(prefix, overrides, text):
    with pytest.raises(ConnectionVarsError) as info:
        resolve(prefix, getter({}), overrides=overrides)
    assert text in str(info.value)


def test_every_module_connection_option_is_resolved():
    values = dict(('certops_%s' % name, 'v-%s' % name) for name in OPTION_NAMES)
    assert sorted(resolve(None, getter(values))) == sorted(OPTION_NAMES)


def _lookup():
    # as the plugin loader prepares it: the options come from the plugin's DOCUMENTATION
    C.config.initialize_plugin_configuration_definitions('lookup', NAME, yaml.safe_load(DOCUMENTATION)['options'])
    lookup = LookupModule(loader=DataLoader(), templar=Templar(loader=DataLoader()))
    lookup._load_name = NAME  # pylint: disable=protected-access
    return lookup


def test_the_lookup_templates_the_variables_and_returns_one_dict():
    # a template from the inventory (trusted, as ansible-core marks what it loads from files)
    variables = {'certops_vcenter_hostname': trust_as_template('{{ "vc" ~ ".example.com" }}'), 'r_vcenter_port': 443}
    assert _lookup().run(['r'], variables=variables) == [{'vcenter_hostname': 'vc.example.com', 'vcenter_port': 443}]


def test_the_lookup_reads_the_environment_only_when_asked(monkeypatch):
    monkeypatch.setenv('VMWARE_PASSWORD', 'from-env')
    assert _lookup().run(['r'], variables={}) == [{}]
    assert _lookup().run(['r'], variables={}, environment=True) == [{'vcenter_password': 'from-env'}]


def test_the_lookup_refuses_two_prefixes_and_names_a_bad_override():
    with pytest.raises(AnsibleLookupError, match='one role prefix at most'):
        _lookup().run(['a', 'b'], variables={})
    with pytest.raises(AnsibleLookupError, match='unknown connection option'):
        _lookup().run(['a'], variables={}, overrides={'hostname': 'x'})
