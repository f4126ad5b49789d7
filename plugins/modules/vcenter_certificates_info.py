#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_certificates_info
short_description: Read every certificate of a vCenter with one login
version_added: 0.1.0
description:
  - Returns, from one session, what M(certops.vcenter.vcenter_tls_cert_info),
    M(certops.vcenter.vcenter_trusted_root_info) and M(certops.vcenter.vcenter_sts_signing_cert_info) return
    together, that is the machine SSL certificate and what the TLS port serves, every trusted chain with what it anchors,
    the current VMCA root, the active STS signing chain and the verification chains.
  - Also returns RV(certificates), every certificate once with the role it plays, the shape the
    C(certops.vcenter.cert_report) role reports.
  - A new module rather than a grown C(_info) module, so the three existing modules keep their return values and
    their cost; each of them reads a part of what this one reads.
  - Works on vCenter 6.7 U2 and later, through C(/api) or the legacy C(/rest) dialect. Where vCenter has no STS
    API (C(/rest), or before 7.0 U3) the STS values are empty and RV(sts_status) says why.
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
  - certops.vcenter._attributes.INFO_MODULE
options:
  include_pem:
    description:
      - Add C(pem) to the certificate summaries of RV(machine_ssl), RV(trusted_chains), RV(sts_active_chain) and
        RV(sts_signing_chains). RV(certificates) never carries PEM.
      - Set to V(false) for fleet reports, where the PEM of every certificate only makes the data larger.
    type: bool
    default: true
notes:
  - "Cost: one login, C(Tls.get), the trusted root chains (one list and one read per chain), the STS signing
    certificate (one read, on C(/api) only), a logout, and one TLS handshake with the vCenter port, so
    C(5 + chains) HTTP requests (one more on a vCenter without C(/api) when O(vcenter_api=auto), the dialect probe;
    C(4 + chains) with O(vcenter_api=rest), where there is no STS read). The three C(_info) modules together cost three logins and about twice the reads."
  - The API has no read operation for the VMCA root; it is found by the rule documented in
    M(certops.vcenter.vcenter_vmca_root).
  - The served fingerprint (RV(machine_ssl)) is read without verifying the certificate (an observation, not a
    trust decision); everything else goes over the verified API connection.
  - An error answer to the STS read does not fail the module (the other certificates are still reported);
    RV(sts_status) then starts with C(error). Any other failed read fails the module.
seealso:
  - module: certops.vcenter.vcenter_tls_cert_info
  - module: certops.vcenter.vcenter_trusted_root_info
  - module: certops.vcenter.vcenter_sts_signing_cert_info
  - module: certops.vcenter.vcenter_vmca_root
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Read every certificate of the vCenter
  certops.vcenter.vcenter_certificates_info:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    include_pem: false
  register: certs

- name: List the certificates that expire within 60 days
  ansible.builtin.debug:
    msg: "{{ item.label }} {{ item.subject }} expires in {{ item.days_remaining }} days"
  loop: "{{ certs.certificates | selectattr('days_remaining', 'lt', 60) }}"
  loop_control:
    label: "{{ item.fingerprints.sha256 }}"

- name: Check that vCenter serves the certificate it reports, and that the VMCA issued it
  ansible.builtin.assert:
    that:
      - certs.machine_ssl.served_fingerprint_sha256 == certs.machine_ssl.certificate.fingerprints.sha256
      - certs.machine_ssl.issued_by_vmca
'''

RETURN = r'''
machine_ssl:
  description: The machine SSL certificate, as M(certops.vcenter.vcenter_tls_cert_info) returns it.
  returned: success
  type: dict
  contains:
    certificate:
      description:
        - Summary of the machine SSL certificate vCenter reports (with C(pem) when O(include_pem)).
        - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
          C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
          upper-case colon-separated hex), C(subject_alt_name), C(key_type), C(key_size), C(is_ca)."
      type: dict
      returned: always
    served_fingerprint_sha256:
      description: SHA-256 fingerprint of the certificate the TLS port presents now; null when it could not be read.
      type: str
      returned: always
    issued_by_vmca:
      description: Whether the current VMCA root issued it.
      type: bool
      returned: always
vmca_root:
  description: Summary of the current VMCA root (see M(certops.vcenter.vcenter_vmca_root) for the rule); null when
    it cannot be told.
  returned: success
  type: dict
vmca_root_reason:
  description: How the VMCA root was found, or why it could not be.
  returned: success
  type: str
trusted_chains:
  description:
    - Every trusted root chain in vCenter's order, each a dict with C(chain_id), C(anchors) (what it anchors now, among
      C(machine_ssl), C(sts_signing), C(vmca_root)) and C(certificates) (summaries, leaf first), the same as
      RV(certops.vcenter.vcenter_trusted_root_info#module:chains).
  returned: success
  type: list
  elements: dict
sts_status:
  description:
    - "C(read); C(not available: ...) where vCenter has no STS API; C(error: ...) when the STS read failed."
  returned: success
  type: str
  sample: read
sts_active_chain:
  description: The chain vCenter signs tokens with now, leaf first, as summaries; empty when not read.
  returned: success
  type: list
  elements: dict
sts_signing_chains:
  description: Every chain vCenter accepts for verifying tokens, each a list of summaries; empty when not read.
  returned: success
  type: list
  elements: list
sts_days_remaining:
  description: Days until the active STS signing certificate expires; null when not read.
  returned: success
  type: int
certificates:
  description:
    - Every certificate of the vCenter once (by SHA-256 fingerprint), in the order of the first role it plays,
      the machine SSL certificate, the VMCA root, the STS signing chains, the trusted chains.
    - Each is a summary without C(pem), plus C(kind) (C(machine_ssl), C(vmca_root), C(sts_signing),
      C(trusted_root)), C(label) (for people) and C(chain_id) (the trusted chain that holds it, or null).
  returned: success
  type: list
  elements: dict
  sample:
    - kind: machine_ssl
      label: Machine SSL
      chain_id: null
      subject: CN=vc.example.com
      days_remaining: 400
      fingerprints:
        sha1: "AB:CD:..."
        sha256: "01:23:..."
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._cert_inventory import (
    InfoModule,
    certificate_list,
    chains_result,
    read_inventory,
    sts_result,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import run_module


class CertificatesInfo(InfoModule):
    operation = 'read the certificates of vCenter'

    def read_current(self):
        return read_inventory(self.api)

    def result(self, plan, current, after):
        pem = self.params['include_pem']
        root = current['vmca_root']
        sts = sts_result(current['sts'], include_pem=pem) if current['sts'] else \
            {'active_chain': [], 'signing_chains': [], 'days_remaining': None}
        return {
            'machine_ssl': {
                'certificate': _certs.summary(current['tls_cert'], include_pem=pem),
                'served_fingerprint_sha256': current['served_sha256'],
                'issued_by_vmca': current['issued_by_vmca'],
            },
            'vmca_root': _certs.summary(root) if root is not None else None,
            'vmca_root_reason': current['vmca_reason'],
            'trusted_chains': chains_result(current['chains'], current['anchors'], include_pem=pem),
            'sts_status': current['sts_note'],
            'sts_active_chain': sts['active_chain'],
            'sts_signing_chains': sts['signing_chains'],
            'sts_days_remaining': sts['days_remaining'],
            'certificates': certificate_list(current),
        }


def main():
    run_module(CertificatesInfo, dict(include_pem=dict(type='bool', default=True)))


if __name__ == '__main__':
    main()
