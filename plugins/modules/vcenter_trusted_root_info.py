#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_trusted_root_info
short_description: List vCenter's trusted root certificate chains and what each one anchors
version_added: 0.1.0
description:
  - Returns every chain in vCenter's trust store with its certificates, and for each chain what it
    anchors right now, so a playbook can find stale roots and remove them safely with
    M(certops.vcenter.vcenter_trusted_root).
  - A chain anchors C(machine_ssl) when it holds a certificate on the trust path of the machine SSL
    certificate (built through the chain vCenter serves on its TLS port, so the root of a certificate issued
    through an intermediate that is not in the store counts), C(sts_signing) when it holds one on the trust
    path of the active STS signing chain (vCenter 7.0 U3 and later, C(/api) only), and C(vmca_root) when it
    holds the current VMCA root of this vCenter as identified by M(certops.vcenter.vcenter_vmca_root) (see
    there for the rule).
  - C(linked_vmca_root) marks the VMCA root of another vCenter of the same SSO domain. In Enhanced Linked
    Mode the trust store is domain-wide (roots are published to the directory service and synchronised into
    VECS on every node, KB 326288), so it holds every node's VMCA root; such a root names its own node, never
    this one.
  - C(vmca_issued) marks any other VMCA root (subject with the VMCA marks), that is an earlier root of this vCenter,
    or one that cannot be told from the current one. It still signs the ESXi host and solution-user
    certificates it issued, which the API does not show, so the P(certops.vcenter.trusted_roots#role) role
    never removes it as unlisted.
  - Works on vCenter 6.7 U2 and later, through C(/api) or the legacy C(/rest) dialect.
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
  - certops.vcenter._attributes.INFO_MODULE
options:
  chain_id:
    description:
      - Return only the chain with this id (an empty list when there is none). The whole store is still
        read, because what a chain anchors depends on the other chains.
    type: str
notes:
  - Costs one read of the machine SSL certificate, one of the STS signing chain (where vCenter has it),
    one read per chain, and one TLS handshake to read the chain vCenter serves.
seealso:
  - module: certops.vcenter.vcenter_trusted_root
  - module: certops.vcenter.vcenter_vmca_root
  - module: certops.vcenter.vcenter_tls_cert_info
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Read the trust store
  certops.vcenter.vcenter_trusted_root_info:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
  register: trust

- name: Remove expired roots that anchor nothing
  certops.vcenter.vcenter_trusted_root:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    chain_id: "{{ item.chain_id }}"
    state: absent
  loop: "{{ trust.chains | rejectattr('anchors') | selectattr('certificates.0.days_remaining', 'lt', 0) }}"
  loop_control:
    label: "{{ item.chain_id }}"
'''

RETURN = r'''
chains:
  description: The chains in vCenter's order.
  returned: success
  type: list
  elements: dict
  contains:
    chain_id:
      description: The chain's id in vCenter.
      type: str
      returned: always
    anchors:
      description:
        - What the chain anchors now, drawn from C(machine_ssl), C(sts_signing), C(vmca_root),
          C(linked_vmca_root) and C(vmca_issued) (see the description). Empty when the chain anchors none of
          them.
      type: list
      elements: str
      returned: always
      sample: [machine_ssl, vmca_root]
    certificates:
      description:
        - The chain's certificates in the order vCenter holds them (leaf first), with C(pem).
        - A chain vCenter holds but that cannot be parsed has no certificates.
        - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
          C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
          upper-case colon-separated hex), C(subject_alt_name) (list like C(DNS:vc.example.com)), C(key_type),
          C(key_size), C(is_ca)."
      type: list
      elements: dict
      returned: always
      sample:
        - subject: CN=Corp Root CA,O=Corp
          issuer: CN=Corp Root CA,O=Corp
          serial_number: 4F1A2B
          not_before: "2026-01-01T00:00:00Z"
          not_after: "2036-01-01T00:00:00Z"
          days_remaining: 3300
          fingerprints:
            sha1: "AB:CD:..."
            sha256: "01:23:..."
          subject_alt_name: []
          key_type: RSA
          key_size: 3072
          is_ca: true
          pem: "-----BEGIN CERTIFICATE-----..."
vmca_root:
  description:
    - Summary of this vCenter's current VMCA root (same shape as the certificates above, without C(pem)), or
      V(null) when it cannot be told; then RV(identified_by) says why.
  returned: success
  type: dict
identified_by:
  description: How the current VMCA root was found, or why it could not be.
  returned: success
  type: str
  sample: "the VMCA root is the trusted root CN=CA,DC=vsphere,DC=local,... that anchors the machine SSL certificate"
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import read_anchor_state


class TrustedRootInfo(CertModule):
    operation = 'read the trusted root chains'

    def read_current(self):
        return read_anchor_state(self.api)

    def compare(self, current):
        return Plan(changed=False)

    def result(self, plan, current, after):
        wanted = self.params['chain_id']
        chains = []
        for chain in current['chains']:
            if wanted is not None and chain['chain_id'] != wanted:
                continue
            chains.append({
                'chain_id': chain['chain_id'],
                'anchors': current['anchors'].get(chain['chain_id'], []),
                'certificates': _certs.summaries(chain['certs'], include_pem=True),
            })
        root = current['vmca_root']
        return {'chains': chains, 'vmca_root': _certs.summary(root) if root is not None else None,
                'identified_by': current['vmca_reason']}


def main():
    run_module(TrustedRootInfo, dict(chain_id=dict(type='str')))


if __name__ == '__main__':
    main()
