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
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
  - certops.vcenter._attributes.INFO_MODULE
seealso:
  - module: certops.vcenter.vcenter_tls_cert
  - module: certops.vcenter.vcenter_trusted_root_info
author:
  - certops.vcenter contributors
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
'''

RETURN = r'''
certificate:
  description: Summary of the machine SSL certificate vCenter reports.
  returned: success
  type: dict
  contains:
    subject: {description: Subject DN (RFC 4514)., type: str, returned: always}
    issuer: {description: Issuer DN (RFC 4514)., type: str, returned: always}
    serial_number: {description: Serial number in upper-case hex., type: str, returned: always}
    not_before: {description: Start of validity, ISO 8601 UTC., type: str, returned: always}
    not_after: {description: End of validity, ISO 8601 UTC., type: str, returned: always}
    days_remaining: {description: Whole days until O(ignore:not_after)., type: int, returned: always}
    fingerprints:
      description: C(sha1) and C(sha256) fingerprints, upper-case colon-separated hex.
      type: dict
      returned: always
    subject_alt_name: {description: "SANs, for example C(DNS:vc.example.com).", type: list, elements: str, returned: always}
    key_type: {description: Public key type (C(RSA), C(ECDSA), ...)., type: str, returned: always}
    key_size: {description: Public key size in bits., type: int, returned: always}
    is_ca: {description: Whether the certificate is a CA., type: bool, returned: always}
    pem: {description: The certificate in PEM., type: str, returned: always}
served_fingerprint_sha256:
  description:
    - SHA-256 fingerprint of the certificate the TLS port presents right now. It differs from
      RV(certificate.fingerprints.sha256) while vCenter restarts its services after a change.
  returned: success
  type: str
issued_by_vmca:
  description: Whether the certificate was issued by the current VMCA root (found among the trusted roots).
  returned: success
  type: bool
vmca_root:
  description: Summary of the trusted root that issued the certificate when it is VMCA-issued, else null.
  returned: success
  type: dict
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    machine_ssl_state,
)


class TlsCertInfo(CertModule):
    operation = 'read the machine SSL certificate'

    def read_current(self):
        return machine_ssl_state(self.api, with_served=True, with_vmca=True)

    def compare(self, current):
        return Plan(changed=False)

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
