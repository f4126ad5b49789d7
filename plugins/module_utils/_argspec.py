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

from ansible.module_utils.basic import env_fallback


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
