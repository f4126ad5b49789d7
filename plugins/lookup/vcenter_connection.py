# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: vcenter_connection
short_description: The connection options of this collection's modules, resolved from a role's variables
version_added: 0.1.0
author:
  - certops.vcenter maintainers (@certops)
description:
  - Returns a dict of the connection options (C(vcenter_hostname), C(vcenter_username), C(vcenter_password),
    C(vcenter_port), C(vcenter_validate_certs), C(vcenter_ca_path), C(vcenter_timeout), C(vcenter_api)) that are
    set, for C(module_defaults) of the C(group/certops.vcenter.vcenter) action group.
  - "For each option the first one set wins: the role variable C(<role>_vcenter_<option>) (when a role prefix is
    given), the collection-wide variable C(certops_vcenter_<option>), then, with O(environment=true) only, the
    E(VMWARE_*) environment variable the modules fall back to. An option set nowhere is left out, so the modules
    apply their own environment fallback and default. Every role of this collection resolves its connection with
    this lookup: the precedence is written once."
  - An empty string counts as not set.
options:
  _terms:
    description:
      - The role prefix, for example V(trusted_roots) for C(trusted_roots_vcenter_hostname). Without it only the
        C(certops_vcenter_<option>) variables (and the environment) are read.
    type: list
    elements: str
    required: false
  environment:
    description:
      - Also fall back to the E(VMWARE_HOST), E(VMWARE_USER), E(VMWARE_PASSWORD), E(VMWARE_PORT),
        E(VMWARE_VALIDATE_CERTS) and E(VMWARE_CA_PATH) environment variables of the controller. For tasks that are
        not modules of this collection (a TLS probe, a download) and so do not read them themselves.
    type: bool
    default: false
  overrides:
    description:
      - Values that win over every variable (a role's own decision, for example a CA bundle it wrote after
        installing a certificate from a new root). Keys are connection option names.
    type: dict
    default: {}
notes:
  - Runs on the controller and reads the variables of the host the task runs for.
'''

EXAMPLES = r'''
- name: Every module of the collection in this block connects as the role's variables say
  module_defaults:
    group/certops.vcenter.vcenter: "{{ lookup('certops.vcenter.vcenter_connection', 'my_role') }}"
  block:
    - name: Read the machine SSL certificate
      certops.vcenter.vcenter_tls_cert_info:

- name: The address for a TLS probe, from the variables or VMWARE_HOST
  ansible.builtin.set_fact:
    vcenter_address: "{{ lookup('certops.vcenter.vcenter_connection', 'my_role', environment=true).vcenter_hostname | default('') }}"
'''

RETURN = r'''
_raw:
  description:
    - One dict with the connection options that are set (the others are left out).
  type: list
  elements: dict
'''

import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.certops.vcenter.plugins.plugin_utils._connection import ConnectionVarsError, resolve


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) > 1:
            raise AnsibleLookupError('vcenter_connection takes one role prefix at most, got %d terms' % len(terms))
        variables = variables or {}

        def lookup_var(name):
            if name not in variables:
                return None
            return self._templar.template(variables[name])

        try:
            resolved = resolve(terms[0] if terms else None, lookup_var,
                               environ=os.environ if self.get_option('environment') else None,
                               overrides=self.get_option('overrides'))
        except ConnectionVarsError as exc:
            raise AnsibleLookupError('vcenter_connection: %s' % exc)
        return [resolved]
