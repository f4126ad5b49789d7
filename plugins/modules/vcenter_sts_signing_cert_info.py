#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_sts_signing_cert_info
short_description: Read the vCenter STS token-signing certificate
version_added: 0.1.0
description:
  - Returns the chain the vCenter Security Token Service (STS) signs tokens with now, every chain it accepts for
    verifying tokens, and how many days the active signing certificate has left.
  - Needs vCenter 7.0 U3 or later and the C(/api) dialect; older vCenters get a clear version error.
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
  - certops.vcenter._attributes.INFO_MODULE
seealso:
  - module: certops.vcenter.vcenter_sts_signing_cert
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Read the STS signing certificate
  certops.vcenter.vcenter_sts_signing_cert_info:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
  register: sts

- name: Warn when it expires within 60 days
  ansible.builtin.debug:
    msg: "The STS signing certificate expires in {{ sts.days_remaining }} days"
  when: sts.days_remaining < 60
'''

RETURN = r'''
active_chain:
  description:
    - The chain vCenter signs tokens with now, leaf first, as certificate summaries with C(pem).
    - "Each summary has the shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name), C(key_type), C(key_size), C(is_ca), and here C(pem)."
  returned: success
  type: list
  elements: dict
  sample:
    - subject: CN=ssoserverSign,OU=VMware Engineering
      issuer: OU=VMware Engineering,O=vc.example.com,ST=California,C=US,DC=local,DC=vsphere,CN=CA
      serial_number: 5A3C9D
      not_before: "2026-01-10T08:00:00Z"
      not_after: "2036-01-08T08:00:00Z"
      days_remaining: 3650
      fingerprints:
        sha1: "AB:CD:..."
        sha256: "01:23:..."
      subject_alt_name: []
      key_type: RSA
      key_size: 3072
      is_ca: false
      pem: "-----BEGIN CERTIFICATE-----..."
signing_chains:
  description:
    - Every chain vCenter accepts for verifying tokens, newest first; each is a list of summaries with C(pem)
      (same shape as RV(active_chain)), leaf first.
  returned: success
  type: list
  elements: list
days_remaining:
  description:
    - Whole days until the active signing certificate expires (negative once expired); null when vCenter reports
      no active chain.
  returned: success
  type: int
  sample: 412
'''

from ansible_collections.certops.vcenter.plugins.module_utils._cert_inventory import InfoModule, parse_sts, sts_result
from ansible_collections.certops.vcenter.plugins.module_utils._module import run_module


class StsSigningCertInfo(InfoModule):
    operation = 'read the STS signing certificate'

    def read_current(self):
        return parse_sts(self.api.get_signing_certificate())

    def result(self, plan, current, after):
        return sts_result(current)


def main():
    run_module(StsSigningCertInfo, {})


if __name__ == '__main__':
    main()
