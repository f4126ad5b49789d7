# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Shared attributes; modules add check_mode, diff_mode and idempotent with their own details.
    DOCUMENTATION = r'''
attributes:
  action_group:
    description: Use C(group/certops.vcenter.vcenter) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - certops.vcenter.vcenter
  platform:
    description: Runs on the controller (or the execution environment) and talks HTTPS to vCenter.
    support: full
    platforms: vcenter
'''

    INFO_MODULE = r'''
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Reads only; there is nothing to diff.
    support: N/A
  idempotent:
    description: Reads only.
    support: full
'''
