# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: cert_findings
short_description: Health check of one vCenter's certificates, as findings with remedies
version_added: 0.1.0
author:
  - certops.vcenter maintainers (@certops)
description:
  - Turns what the C(_info) modules of this collection return about one vCenter (or a list of vCenters) into
    findings. Each finding has a stable C(id), a C(severity) (C(critical), C(warning) or C(info)), the C(vcenter)
    and the C(certificate) it is about, one sentence of C(evidence), the C(remedy) (which module or role of this
    collection fixes it, with which variables) and the C(source) of the rule (a KB article or a VMware document).
  - The catalogue of findings (ids, severities, sources) is in the collection's docsite, guide
    "Certificate health check".
  - The filter reads nothing from vCenter. Give it the registered results of
    M(certops.vcenter.vcenter_tls_cert_info), M(certops.vcenter.vcenter_trusted_root_info) and
    M(certops.vcenter.vcenter_sts_signing_cert_info) under the keys C(tls), C(trusted_roots) and C(sts), or the
    flat shape below (which a module returning everything at once can return directly).
  - Certificates are certificate summaries with C(pem) (as the C(_info) modules return them) or PEM strings. A
    VMCA root summary without C(pem) (as M(certops.vcenter.vcenter_tls_cert_info) returns it) is found in the
    trust store by its SHA-256 fingerprint.
positional: _input
options:
  _input:
    description:
      - One vCenter's certificates, a dict; or a list of such dicts (the findings of all of them, in one list).
      - "Keys (each found under the first name given, then the others): C(vcenter) (name used in the findings;
        also C(vcenter_hostname)); C(pnid) (the name the machine SSL certificate must carry, defaults to
        C(vcenter)); C(machine_ssl) (the machine SSL certificate; also C(tls.certificate), C(certificate));
        C(served_sha256) (SHA-256 of the certificate the TLS port serves; also C(served_fingerprint_sha256),
        C(tls.served_fingerprint_sha256)); C(trusted_roots) (list of chains, each with C(chain_id) and
        C(certificates); also C(trusted_roots.chains), C(chains)); C(sts.active_chain) and C(sts.signing_chains)
        (also C(active_chain), C(signing_chains) at the top); C(vmca_root) (also C(tls.vmca_root); when absent it
        is found by the rule of M(certops.vcenter.vcenter_vmca_root))."
      - Missing parts are not checked (a vCenter without the STS API has no STS findings).
    type: raw
    required: true
  vcenter:
    description: Name of the vCenter in the findings, when the input does not carry one.
    type: str
  warning_days:
    description: An C(_expiring) finding is raised with severity C(warning) when fewer days than this are left.
    type: int
    default: 60
  critical_days:
    description: Below this many days left an C(_expiring) finding is C(critical). At most O(warning_days).
    type: int
    default: 14
  min_rsa_bits:
    description: RSA (and DSA) keys smaller than this are a C(weak_key) finding.
    type: int
    default: 2048
  now:
    description:
      - The time to judge expiry at, ISO 8601 UTC (C(2026-01-31T12:00:00Z)); the current time when not given.
    type: str
notes:
  - C(days_remaining) counts whole days; an expired certificate has a negative count of the whole days since it
    expired (expired 3 days and some hours ago is C(-3)), never C(0).
seealso:
  - module: certops.vcenter.vcenter_tls_cert_info
  - module: certops.vcenter.vcenter_trusted_root_info
  - module: certops.vcenter.vcenter_sts_signing_cert_info
'''

EXAMPLES = r'''
- name: Read the certificates
  certops.vcenter.vcenter_tls_cert_info:
  register: tls

- name: Read the trust store
  certops.vcenter.vcenter_trusted_root_info:
  register: roots

- name: Read the STS signing chains
  certops.vcenter.vcenter_sts_signing_cert_info:
  register: sts

- name: Check them
  ansible.builtin.set_fact:
    findings: >-
      {{ {'vcenter': inventory_hostname, 'tls': tls, 'trusted_roots': roots, 'sts': sts}
         | certops.vcenter.cert_findings(warning_days=60, critical_days=14) }}

- name: Fail on critical findings
  ansible.builtin.assert:
    that: findings | selectattr('severity', 'eq', 'critical') | list | length == 0
    fail_msg: "{{ findings | selectattr('severity', 'eq', 'critical') | map(attribute='evidence') | list }}"
'''

RETURN = r'''
_value:
  description: The findings, most severe first (then by vCenter and id). An empty list when all is well.
  type: list
  elements: dict
  contains:
    id:
      description: Stable id of the rule, for example C(machine_ssl_expiring) or C(trusted_root_expired).
      type: str
    severity:
      description: C(critical), C(warning) or C(info).
      type: str
    vcenter:
      description: The vCenter the finding is about.
      type: str
    certificate:
      description:
        - The certificate the finding is about - C(role) (C(machine_ssl), C(sts_signing), C(sts_verification),
          C(vmca_root), C(trusted_root)), C(subject), C(sha256), C(not_after), C(days_remaining), and C(chain_id)
          for trust store certificates.
      type: dict
    evidence:
      description: One sentence saying what was seen.
      type: str
    remedy:
      description:
        - What fixes it - C(action) (the module or role, fully qualified; null when no part of this collection
          can), C(kind) (C(module), C(role) or C(manual)), C(variables) (the options or role variables to set)
          and C(text) (one sentence).
      type: dict
    source:
      description: The KB article or VMware document the rule comes from.
      type: str
  sample:
    - id: trusted_root_expired
      severity: warning
      vcenter: vc01.example.com
      certificate:
        role: trusted_root
        chain_id: 5E0A2B...
        subject: CN=Old Corp Root
        sha256: "01:23:..."
        not_after: "2025-11-29T00:00:00Z"
        days_remaining: -3
      evidence: Trusted chain 5E0A2B... holds CN=Old Corp Root, expired on 2025-11-29T00:00:00Z, and anchors no
        current certificate.
      remedy:
        action: certops.vcenter.trusted_roots
        kind: role
        variables:
          trusted_roots_remove_expired: true
        text: Remove expired chains that anchor nothing with the trusted_roots role (trusted_roots_remove_expired), or
          this one with vcenter_trusted_root chain_id=5E0A2B... state=absent.
      source: KB 326288 "Removing CA Certificates from the TRUSTED_ROOTS store in VECS"
'''

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.plugin_utils import _findings


def cert_findings(data, vcenter=None, warning_days=60, critical_days=14, min_rsa_bits=2048, now=None):
    if not _certs.HAS_CRYPTOGRAPHY:
        raise AnsibleFilterError('certops.vcenter.cert_findings needs the Python library cryptography: %s'
                                 % to_native(_certs.CRYPTOGRAPHY_IMPORT_ERROR))
    try:
        return _findings.findings(data, vcenter=vcenter, warning_days=warning_days, critical_days=critical_days,
                                  min_rsa_bits=min_rsa_bits, now=now)
    except ValueError as exc:  # FindingsInputError, CertificateInputError
        raise AnsibleFilterError('certops.vcenter.cert_findings: %s' % to_native(exc))


class FilterModule(object):

    def filters(self):
        return {'cert_findings': cert_findings}
