#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_tls_cert_info
short_description: Read the vCenter machine SSL certificate
version_added: 0.1.0
description:
  - Returns the machine SSL (TLS) certificate vCenter reports, what its TLS port serves right now, and
    whether the certificate was issued by the current VMCA root.
  - Works on vCenter 6.7 U2 and later, through C(/api) or the legacy C(/rest) dialect.
notes:
  - "Cost: one login, C(Tls.get), the trusted root chains (one list and one read per chain), the active STS
    signing chain (on C(/api), vCenter 7.0 U3 and later), one TLS handshake with the vCenter port, and a logout."
  - The API has no read operation for the VMCA root. The module counts the certificate as VMCA-issued when the
    trusted root that anchors it is the current VMCA root, found by the rule documented in
    M(certops.vcenter.vcenter_vmca_root) (trusted roots with the VMCA's marks that anchor the machine SSL
    certificate or the STS signing chain, or that name this vCenter; the newest wins).
  - RV(served_fingerprint_sha256) is read without verifying the certificate (it is an observation, not a trust
    decision); everything else goes over the verified API connection.
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
  - certops.vcenter._attributes.INFO_MODULE
seealso:
  - module: certops.vcenter.vcenter_tls_cert
  - module: certops.vcenter.vcenter_trusted_root_info
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Read the machine SSL certificate
  certops.vcenter.vcenter_tls_cert_info:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
  register: tls

- name: Warn when it expires within 30 days
  ansible.builtin.debug:
    msg: "Machine SSL certificate expires in {{ tls.certificate.days_remaining }} days"
  when: tls.certificate.days_remaining < 30

- name: Renew it when it is VMCA-issued, replace it with a VMCA-signed one otherwise
  certops.vcenter.vcenter_tls_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    state: "{{ 'renewed' if tls.issued_by_vmca else 'vmca_signed' }}"

- name: Check that vCenter serves the certificate it reports (not in the middle of a restart)
  ansible.builtin.assert:
    that:
      - tls.served_fingerprint_sha256 == tls.certificate.fingerprints.sha256
'''

RETURN = r'''
certificate:
  description:
    - Summary of the machine SSL certificate vCenter reports, with C(pem).
    - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name) (list like C(DNS:vc.example.com)), C(key_type),
      C(key_size), C(is_ca)."
  returned: success
  type: dict
  sample:
    subject: CN=vc.example.com
    issuer: OU=VMware Engineering,O=vc.example.com,ST=California,C=US,DC=local,DC=vsphere,CN=CA
    serial_number: 4F1A2B
    not_before: "2026-01-01T00:00:00Z"
    not_after: "2028-01-01T00:00:00Z"
    days_remaining: 400
    fingerprints:
      sha1: "AB:CD:..."
      sha256: "01:23:..."
    subject_alt_name: ["DNS:vc.example.com"]
    key_type: RSA
    key_size: 3072
    is_ca: false
    pem: "-----BEGIN CERTIFICATE-----..."
served_fingerprint_sha256:
  description:
    - SHA-256 fingerprint of the certificate the TLS port presents right now. It differs from the
      reported certificate's fingerprint while vCenter restarts its services after a change.
    - Null when the TLS port could not be reached for this observation.
  returned: success
  type: str
  sample: "2B:32:CC:49:C2:E7:88:34:27:7E:F1:22:14:74:F0:E9:0D:F6:A0:C2:57:C8:E0:82:D2:3C:F5:29:F0:7F:A2:57"
issued_by_vmca:
  description: Whether the certificate was issued by the current VMCA root (found among the trusted roots).
  returned: success
  type: bool
vmca_root:
  description: Summary of the VMCA root that issued the certificate, when it is VMCA-issued; otherwise null.
  returned: success
  type: dict
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._cert_inventory import InfoModule
from ansible_collections.certops.vcenter.plugins.module_utils._module import run_module
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    machine_ssl_state,
)


class TlsCertInfo(InfoModule):
    operation = 'read the machine SSL certificate'

    def read_current(self):
        return machine_ssl_state(self.api, with_served=True, with_vmca=True)

    def result(self, plan, current, after):
        return {
            'certificate': _certs.summary(current['certificate'], include_pem=True),
            'served_fingerprint_sha256': current['served_sha256'],
            'issued_by_vmca': current['issued_by_vmca'],
            'vmca_root': _certs.summary(current['vmca_root']) if current['issued_by_vmca'] else None,
        }


def main():
    run_module(TlsCertInfo, {})


if __name__ == '__main__':
    main()
