# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.
# Twin of plugins/module_utils/_argspec.py connection_argument_spec(): change both together.

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  vcenter_hostname:
    description:
      - Name or IP address of the vCenter Server, without a scheme, port or path (V(vc.example.com), V(10.0.0.5),
        V(fd00::5) or V([fd00::5])); a URL or C(host:port) is refused before anything is sent.
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  vcenter_username:
    description:
      - vCenter user, for example V(administrator@vsphere.local).
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
    type: str
  vcenter_password:
    description:
      - Password of O(vcenter_username). Never logged or returned.
      - If not set, the value of the E(VMWARE_PASSWORD) environment variable is used.
    type: str
  vcenter_port:
    description:
      - HTTPS port of the vCenter Server, 1 to 65535.
      - If not set, the value of the E(VMWARE_PORT) environment variable is used.
    type: int
    default: 443
  vcenter_validate_certs:
    description:
      - Verify vCenter's TLS certificate. Leave on in production; use O(vcenter_ca_path) for a private CA.
      - If not set, the value of the E(VMWARE_VALIDATE_CERTS) environment variable is used. AWX's built-in
        VMware vCenter credential sets that variable, to V(false) unless the credential says otherwise; use the
        collection's own credential type (see the AWX guide), which keeps validation on.
      - When it is V(false), every run warns, and says whether the value came from the task or the environment.
      - After a change that makes vCenter serve a certificate from a CA that was not trusted before, the
        module also trusts the root it just installed, so verification stays on while it waits for vCenter.
    type: bool
    default: true
  vcenter_ca_path:
    description:
      - PEM bundle of CA certificates to trust instead of the system store, for example the VMCA root
        downloaded from vCenter, or a directory of CA certificates (such as C(/etc/ssl/certs)). It must exist.
      - If not set, the value of the E(VMWARE_CA_PATH) environment variable is used.
    type: path
  vcenter_timeout:
    description:
      - Seconds to wait for each answer from vCenter; more than 0.
    type: int
    default: 60
  vcenter_api:
    description:
      - Which REST dialect to use.
      - V(auto) uses C(/api) where vCenter has it (7.0 U2 and later) and falls back to the legacy C(/rest)
        dialect otherwise (6.7 U2 to 7.0 U1).
    type: str
    choices: [auto, api, rest]
    default: auto
notes:
  - Each task logs in, does its work and logs out, also when it fails; no vCenter session is left behind.
  - Reads and logins are retried with backoff on HTTP 503 and connection errors (vCenter services restarting);
    state-changing calls are never retried blindly. After an ambiguous failure of a change, the module reads
    vCenter back and reports whether the change was applied (RV(ignore:vcenter_state) on failure).
requirements:
  - requests
  - cryptography
'''
