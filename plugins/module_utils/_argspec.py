# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Argument specs shared by the modules. Each has a twin doc fragment in plugins/doc_fragments/
(``_connection``, ``_subject``, ``_wait``); change both together."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os

from ansible.module_utils.basic import _load_params, env_fallback


def connection_argument_spec():
    """Twin of doc fragment ``certops.vcenter._connection``."""
    return dict(
        vcenter_hostname=dict(type='str', required=True, fallback=(env_fallback, ['VMWARE_HOST'])),
        vcenter_username=dict(type='str', fallback=(env_fallback, ['VMWARE_USER'])),
        vcenter_password=dict(type='str', no_log=True, fallback=(env_fallback, ['VMWARE_PASSWORD'])),
        vcenter_port=dict(type='int', default=443, fallback=(env_fallback, ['VMWARE_PORT'])),
        vcenter_validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VMWARE_VALIDATE_CERTS'])),
        vcenter_ca_path=dict(type='path', fallback=(env_fallback, ['VMWARE_CA_PATH'])),
        vcenter_timeout=dict(type='int', default=60),
        vcenter_api=dict(type='str', default='auto', choices=['auto', 'api', 'rest']),
    )


def normalise_connection(params):
    """Check the connection values (and ``wait_timeout``) before anything is sent; normalise what has one
    meaning (``[::1]`` -> ``::1``). Returns the problem as a sentence naming the option, or None."""
    host = (params.get('vcenter_hostname') or '').strip()
    if host.startswith('[') and host.endswith(']') and _is_ipv6(host[1:-1]):
        host = host[1:-1]
    params['vcenter_hostname'] = host
    problem = _hostname_problem(host)
    if problem:
        return 'vcenter_hostname %s' % problem
    for check in (_port_problem, _timeout_problem, _ca_path_problem):
        problem = check(params)
        if problem:
            return problem
    return None


def _port_problem(params):
    port = params.get('vcenter_port')
    if port is not None and not 1 <= port <= 65535:
        return 'vcenter_port must be between 1 and 65535, got %d' % port
    return None


def _timeout_problem(params):
    if params.get('vcenter_timeout') is not None and params['vcenter_timeout'] <= 0:
        return 'vcenter_timeout must be more than 0 seconds, got %d' % params['vcenter_timeout']
    if params.get('wait_timeout') is not None and params['wait_timeout'] < 0:
        return 'wait_timeout must be 0 or more seconds, got %d' % params['wait_timeout']
    return None


def _ca_path_problem(params):
    ca_path = params.get('vcenter_ca_path')
    if ca_path and not os.path.exists(ca_path):
        return ('vcenter_ca_path %s does not exist: give a CA bundle file (PEM) or a directory of CA '
                'certificates that holds vCenter\'s root CA' % ca_path)
    return None


def _is_ipv6(text):
    try:
        return ipaddress.ip_address(text).version == 6
    except ValueError:
        return False


def _hostname_problem(host):
    if not host:
        return 'is empty: give vCenter\'s host name or IP address'
    if '://' in host or '/' in host:
        return ('must be a host name or IP address, not a URL (got %r): for example vc.example.com, with '
                'vcenter_port for a port other than 443' % host)
    if '@' in host or any(ch.isspace() for ch in host):
        return 'must be a host name or IP address (got %r)' % host
    if ':' in host and not _is_ipv6(host):
        return ('must be a host name or IP address without a port (got %r): give the port in vcenter_port'
                % host)
    return None


def validate_certs_source():
    """Where ``vcenter_validate_certs: false`` came from: the task (or module_defaults) or the environment
    (AWX's VMware credential injects VMWARE_VALIDATE_CERTS, false unless the credential says otherwise)."""
    try:
        raw = _load_params()  # the task's own arguments, before env fallbacks were applied
    except Exception:  # pylint: disable=broad-except
        raw = {}
    if 'vcenter_validate_certs' in raw:
        return 'set in the task or module_defaults'
    if 'VMWARE_VALIDATE_CERTS' in os.environ:
        return 'from the VMWARE_VALIDATE_CERTS environment variable, which AWX\'s VMware credential sets'
    return 'source unknown'


SUBJECT_OPTION_NAMES = ('common_name', 'organization', 'organization_unit', 'locality',
                        'state_or_province', 'country', 'email_address', 'subject_alt_name', 'key_size')


def subject_argument_spec():
    """Twin of doc fragment ``certops.vcenter._subject``. No defaults here: vCenter's own apply."""
    return dict(
        common_name=dict(type='str'),
        organization=dict(type='str'),
        organization_unit=dict(type='str'),
        locality=dict(type='str'),
        state_or_province=dict(type='str'),
        country=dict(type='str'),
        email_address=dict(type='str'),
        subject_alt_name=dict(type='list', elements='str'),
        key_size=dict(type='int', no_log=False, choices=[2048, 3072, 4096]),
    )


def wait_argument_spec():
    """Twin of doc fragment ``certops.vcenter._wait``."""
    return dict(
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
    )
