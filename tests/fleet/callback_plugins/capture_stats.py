# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: write the play's aggregated set_stats data (what ansible-runner saves as a job's artifacts and AWX
passes to the next workflow node) as JSON to the file named by CERTOPS_CAPTURE_STATS."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r'''
name: capture_stats
type: aggregate
short_description: test support, writes the aggregated set_stats data to a file
description: Writes the aggregated custom stats to the file in CERTOPS_CAPTURE_STATS.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'capture_stats'
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('CERTOPS_CAPTURE_STATS')
        if path:
            with open(path, 'w') as handle:
                json.dump(stats.custom.get('_run', {}), handle, default=str)
