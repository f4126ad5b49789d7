# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: trust_store_plan
short_description: Plan the changes that make a vCenter trust store hold a list of chains
version_added: 0.1.0
author:
  - certops.vcenter maintainers (@certops)
description:
  - The decisions of the P(certops.vcenter.trusted_roots#role) role, in one place - which listed chains to add, which
    listed chain ids are taken by other certificates, which chains to remove (unlisted, expired) and which to keep
    although they are unlisted or expired, because they anchor something or are listed.
  - The filter reads nothing from vCenter and changes nothing. Give it the registered result of
    M(certops.vcenter.vcenter_trusted_root_info).
  - Chains are matched by the set of their certificates' SHA-256 fingerprints, whatever their id. A listed chain whose
    every certificate the store already holds in other chains counts as present (vCenter refuses the same
    certificates under another id), and the chains that hold them count as listed.
  - A chain that anchors something (its C(anchors) are not empty), that counts as listed in O(desired), or whose id
    is in O(keep_chain_ids) is never removed.
  - A certificate has expired from its C(not_after) second on, the rule of the P(certops.vcenter.cert_findings#filter)
    filter, so the chains removed with O(remove_expired) are those its C(trusted_root_expired) findings name.
positional: _input, desired
options:
  _input:
    description:
      - The result of M(certops.vcenter.vcenter_trusted_root_info) - C(chains) (each with C(chain_id), C(anchors) and
        C(certificates) with C(fingerprints.sha256), C(subject) and C(not_after)) and C(vmca_root).
    type: dict
    required: true
  desired:
    description:
      - The chains that must be present, each a dict with C(pem) (the chain in PEM, fingerprinted by the filter) or
        C(fingerprints) (the SHA-256 fingerprints of its certificates), and optionally C(chain_id) (the id to create
        it with), C(source) (its name in messages) and C(index).
    type: list
    elements: dict
    required: true
  remove_unlisted:
    description: Remove the chains that are not listed and anchor nothing (unless kept by O(keep_chain_ids)).
    type: bool
    default: false
  remove_expired:
    description:
      - Remove the chains that hold an expired certificate, are not listed and anchor nothing (unless kept by
        O(keep_chain_ids)).
      - An expired chain that anchors something is kept and returned in RV(_value.kept_expired_anchoring); an expired
        chain that is listed, or kept by id, is kept and returned in RV(_value.kept_expired_listed).
    type: bool
    default: false
  keep_chain_ids:
    description: Ids of chains never to remove.
    type: list
    elements: str
    default: []
  replace_conflicting:
    description: A listed C(chain_id) the store holds with other certificates will be replaced (counts as a change).
    type: bool
    default: false
  now:
    description:
      - The time to judge expiry at, ISO 8601 UTC (C(2026-01-31T12:00:00Z)); the current time when not given.
    type: str
notes:
  - "When the VMCA root cannot be identified (C(vmca_root) is null), any chain that anchors nothing may be it. A
    removal is then a guess, returned in RV(_value.needs_vmca_root) - every removal of an unlisted chain, and the
    removal of an expired chain that still holds a certificate that has not expired. A chain whose certificates
    have all expired needs no guess: nothing issued under it can be valid."
seealso:
  - module: certops.vcenter.vcenter_trusted_root_info
  - module: certops.vcenter.vcenter_trusted_root
  - plugin: certops.vcenter.cert_findings
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Read the trust store
  certops.vcenter.vcenter_trusted_root_info:
  register: roots

- name: Plan
  ansible.builtin.set_fact:
    trust_plan: >-
      {{ roots | certops.vcenter.trust_store_plan([{'pem': lookup('ansible.builtin.file', 'corp-root.pem'),
                                                     'chain_id': 'corp-root', 'source': 'corp-root.pem'}],
                                                   remove_expired=true) }}

- name: Remove what the plan says
  certops.vcenter.vcenter_trusted_root:
    chain_id: "{{ item.chain_id }}"
    state: absent
  loop: "{{ trust_plan.to_remove }}"
  loop_control:
    label: "{{ item.chain_id }} ({{ item.reasons | join(', ') }})"
'''

RETURN = r'''
_value:
  description: The plan.
  type: dict
  contains:
    store:
      description: The chains of the store - C(chain_id), C(anchors), C(subjects), C(fingerprints) (sorted).
      type: list
      elements: dict
    desired:
      description:
        - The listed chains - C(index), C(source), C(chain_id), C(fingerprints) (sorted) and C(not_ca) (each listed
          certificate that is not a CA with the keyCertSign key usage, which vCenter refuses; empty for an entry
          given as C(fingerprints)).
      type: list
      elements: dict
    to_add:
      description: The listed chains (as in RV(_value.desired)) that the store does not hold.
      type: list
      elements: dict
    conflicts:
      description: The listed C(chain_id)s that the store holds with other certificates.
      type: list
      elements: str
    to_remove:
      description:
        - The chains to remove, as in RV(_value.store), with C(reasons) - C(unlisted), C(expired) or both.
      type: list
      elements: dict
    protected:
      description: With O(remove_unlisted), the unlisted chains kept because they anchor something.
      type: list
      elements: dict
    kept_expired_anchoring:
      description:
        - With O(remove_expired), the expired chains kept because they anchor something - C(chain_id), C(anchors),
          and the C(subject) and C(not_after) of the first expired certificate. Each is a C(critical) finding
          (C(trusted_root_expired_in_use)) - what it anchors must be replaced before it can go.
      type: list
      elements: dict
    kept_expired_listed:
      description:
        - With O(remove_expired), the expired chains that anchor nothing kept because they are listed - C(chain_id),
          C(subject), C(not_after) and C(listed_in) (C(trusted_roots_present) or C(trusted_roots_keep_chain_ids)).
      type: list
      elements: dict
    needs_vmca_root:
      description:
        - The removals that would be a guess because the VMCA root is not identified - C(chain_id) and C(reasons).
          Empty when C(vmca_root) is known.
      type: list
      elements: dict
    any_change:
      description: Whether anything is to be added, removed or replaced.
      type: bool
  sample:
    store:
      - {chain_id: vmca, anchors: [machine_ssl, vmca_root], subjects: ["CN=CA,DC=vsphere,DC=local"],
         fingerprints: ["01:23:..."]}
      - {chain_id: old-root, anchors: [], subjects: ["CN=Old Corp Root"], fingerprints: ["5E:0A:..."]}
    desired: [{index: 1, source: corp-root.pem, chain_id: corp-root, fingerprints: ["AB:CD:..."], not_ca: []}]
    to_add: [{index: 1, source: corp-root.pem, chain_id: corp-root, fingerprints: ["AB:CD:..."], not_ca: []}]
    conflicts: []
    to_remove:
      - {chain_id: old-root, anchors: [], subjects: ["CN=Old Corp Root"], fingerprints: ["5E:0A:..."],
         reasons: [expired]}
    protected: []
    kept_expired_anchoring: []
    kept_expired_listed: []
    needs_vmca_root: []
    any_change: true
'''

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.certops.vcenter.plugins.plugin_utils import _trust_plan


def trust_store_plan(info, desired, remove_unlisted=False, remove_expired=False, keep_chain_ids=None,
                     replace_conflicting=False, now=None):
    try:
        return _trust_plan.plan(info, desired, remove_unlisted=boolean(remove_unlisted),
                                remove_expired=boolean(remove_expired), keep_chain_ids=keep_chain_ids or [],
                                replace_conflicting=boolean(replace_conflicting), now=now)
    except (TypeError, ValueError) as exc:  # TrustPlanInputError, FindingsInputError, CertificateInputError
        raise AnsibleFilterError('certops.vcenter.trust_store_plan: %s' % to_native(exc))


class FilterModule(object):

    def filters(self):
        return {'trust_store_plan': trust_store_plan}
