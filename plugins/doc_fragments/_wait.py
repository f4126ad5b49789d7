# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.
# Twin of plugins/module_utils/_argspec.py wait_argument_spec(): change both together.

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  wait:
    description:
      - After a change that restarts vCenter services, wait until the TLS port serves the expected
        certificate and a fresh login works.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for vCenter to come back after a change, 0 or more. A real vCenter restarts its services
        for minutes after a certificate change ("Please allow 5-10 minutes for services to update with the new
        certificate and restart automatically") - it refuses connections, answers 503 pages, then accepts logins
        before its certificate service is back; the wait ends when the certificate service answers.
      - Also the longest a read-back after a failed or interrupted change waits for vCenter to answer again.
    type: int
    default: 600
'''
