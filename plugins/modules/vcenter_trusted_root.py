#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_trusted_root
short_description: Add or remove a trusted root certificate chain in vCenter
version_added: 0.1.0
description:
  - Manages one chain in vCenter's trust store (the C(trusted-root-chains) of the certificate
    management API), that is a root certificate, optionally with its intermediates.
  - Chains are compared by the set of their certificates' SHA-256 fingerprints, never by PEM text or
    by id. O(state=present) changes nothing when a chain with the same certificates is already in the
    store, whatever its id.
  - Refuses to remove a chain that anchors the current machine SSL certificate, the active STS signing
    chain or the current VMCA root (see M(certops.vcenter.vcenter_trusted_root_info) for what each
    chain anchors), unless O(force=true).
  - Works on vCenter 6.7 U2 and later, through C(/api) or the legacy C(/rest) dialect.
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
options:
  state:
    description:
      - V(present) makes sure a chain with exactly the certificates of O(certificates) is in the store.
      - V(absent) removes the chain named by O(chain_id) and every chain with exactly the certificates
        of O(certificates).
    type: str
    choices: [present, absent]
    default: present
  certificates:
    description:
      - The chain as PEM, that is the root certificate, optionally with its intermediates, in any order (they
        are sent leaf first). Only certificates; a private key is refused (and never shown).
      - Not logged with the module arguments, in case a private key is pasted here by mistake.
      - Required with O(state=present).
    type: str
  chain_id:
    description:
      - With O(state=present), the id to create the chain with. Without it vCenter generates one.
        When a chain with this id exists and holds other certificates, the task fails, or with
        O(force=true) replaces it (deletes it, then creates it again with the same id).
      - With O(state=absent), the id of the chain to remove.
    type: str
  force:
    description:
      - Replace a chain named by O(chain_id) that holds other certificates.
      - Remove a chain even though it anchors the machine SSL certificate, the STS signing chain or the
        VMCA root. Doing so can make vCenter's own services fail to trust each other.
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads the store and reports what it would change; sends no state-changing request.
    support: full
  diff_mode:
    description:
      - Returns the whole store before and after (chain ids with certificate summaries).
      - In check mode the id of a chain vCenter would generate (no O(chain_id) given) is not known
        yet and shows as V(null).
    support: full
  idempotent:
    description: Compares sets of certificate fingerprints; a second run changes nothing.
    support: full
notes:
  - Right after a chain is created, some vCenter versions leave it out of the chain list for a few
    seconds. The module therefore reads a new chain back by the id vCenter returned, not from the list.
  - When the same certificate is held by two chains, both count as anchors; remove such a duplicate
    with O(force=true).
seealso:
  - module: certops.vcenter.vcenter_trusted_root_info
  - module: certops.vcenter.vcenter_tls_cert
  - module: certops.vcenter.vcenter_vmca_root
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Trust the corporate root CA (with its intermediate)
  certops.vcenter.vcenter_trusted_root:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    certificates: "{{ lookup('ansible.builtin.file', 'corp-root-and-intermediate.pem') }}"
    chain_id: corp-root-2026
  register: corp_root

- name: Replace what the chain id holds, for example after the root was re-keyed
  certops.vcenter.vcenter_trusted_root:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    certificates: "{{ lookup('ansible.builtin.file', 'corp-root-2026b.pem') }}"
    chain_id: corp-root-2026
    force: true

- name: Remove an old root by its certificates (refused while it still anchors something)
  certops.vcenter.vcenter_trusted_root:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    certificates: "{{ lookup('ansible.builtin.file', 'old-root.pem') }}"
    state: absent
'''

RETURN = r'''
chain_id:
  description:
    - Id of the chain that holds the certificates (O(state=present)), or of the chain removed
      (O(state=absent); the first one when several were removed).
    - V(null) in check mode when vCenter would generate the id, and when nothing was removed.
  returned: success
  type: str
  sample: corp-root-2026
removed_chain_ids:
  description: Ids of every chain removed (or that would be removed in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
certificates:
  description:
    - Summaries of the chain's certificates, leaf first (for O(state=absent), of the chain removed).
    - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name) (list like C(DNS:vc.example.com)), C(key_type),
      C(key_size), C(is_ca)."
  returned: success
  type: list
  elements: dict
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
actions:
  description: What the task did (or would do in check mode).
  returned: when changed
  type: list
  elements: str
  sample: ["create trusted root chain corp-root-2026"]
diff:
  description:
    - The store before and after, each a dict with key C(chains), a list of C(chain_id) and
      C(certificates) (summaries, no PEM).
  returned: in diff mode
  type: dict
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    CertOpsError,
    InputError,
    NotFoundError,
    STATE_UNCHANGED,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    read_anchor_state,
    trust_store,
)

ANCHOR_TEXT = {
    'machine_ssl': 'the current machine SSL certificate',
    'sts_signing': 'the current STS signing chain',
    'vmca_root': 'the current VMCA root',
}


def describe_anchors(labels):
    texts = [ANCHOR_TEXT[label] for label in labels]
    return texts[0] if len(texts) == 1 else '%s and %s' % (', '.join(texts[:-1]), texts[-1])


def store_view(chains):
    """The whole store as it appears in the diff (a dict: Ansible renders dict diffs)."""
    return {'chains': [chain_view(c['chain_id'], c['certs']) for c in chains]}


def chain_view(chain_id, certs):
    """One chain as it appears in the diff."""
    return {'chain_id': chain_id, 'certificates': _certs.summaries(certs)}


class TrustedRoot(CertModule):

    def __init__(self, module):
        super(TrustedRoot, self).__init__(module)
        self.state = self.params['state']
        self.operation = 'add a trusted root chain' if self.state == 'present' else 'remove a trusted root chain'
        self.desired = None

    # ------------------------------------------------------------------ input
    def validate(self):
        chain_id = self.params['chain_id']
        if chain_id is not None and not chain_id.strip():
            raise InputError(self.operation, 'chain_id must not be empty')
        if self.params['certificates'] is not None:
            try:
                certs = _certs.load_certificates(self.params['certificates'], 'certificates')
                self.desired = _certs.order_chain(certs, 'certificates')
            except _certs.CertificateInputError as exc:
                raise InputError(self.operation, str(exc))
            for cert in self.desired:
                if _certs.days_remaining(cert) < 0:
                    self.warnings.append('certificates: %s expired on %s' % (
                        _certs.name_to_string(cert.subject), _certs.iso(_certs.not_after(cert))))

    # ------------------------------------------------------------------ read
    def _targets(self, chains):
        """Chains this task would remove (absent) or replace (present with a clashing chain_id)."""
        chain_id = self.params['chain_id']
        wanted = _certs.fingerprint_set(self.desired) if self.desired else None
        if self.state == 'absent':
            same_content = [c for c in chains if wanted is not None and _certs.fingerprint_set(c['certs']) == wanted]
            return [c for c in chains if c['chain_id'] == chain_id or c in same_content]
        if any(_certs.fingerprint_set(c['certs']) == wanted for c in chains):
            return []
        return [c for c in chains if c['chain_id'] == chain_id]

    def read_current(self):
        chains = trust_store(self.api)
        anchors = {}
        if self._targets(chains):
            # Only a task that would remove something pays for the reads that tell what each chain anchors.
            state = read_anchor_state(self.api, chains=chains)
            chains, anchors = state['chains'], state['anchors']
        return {'chains': chains, 'anchors': anchors}

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        chains = current['chains']
        before = store_view(chains)
        targets = self._targets(chains)
        if self.state == 'absent':
            return self._plan_absent(current, before, targets)
        wanted = _certs.fingerprint_set(self.desired)
        for chain in chains:
            if _certs.fingerprint_set(chain['certs']) == wanted:
                return Plan(False, before=before, after=before, chain_id=chain['chain_id'], certs=chain['certs'])
        chain_id = self.params['chain_id']
        new_view = chain_view(chain_id, self.desired)
        if not targets:
            return Plan(True, actions=['create trusted root chain %s' % (chain_id or '(id generated by vCenter)')],
                        before=before, after={'chains': before['chains'] + [new_view]}, chain_id=chain_id,
                        certs=self.desired,
                        deletes=[], create=True)
        # chain_id names a chain with other certificates
        labels = current['anchors'].get(chain_id) or []
        if not self.params['force']:
            raise CertOpsError(self.operation, 'trusted root chain %s already exists and holds other certificates '
                               '(%s)%s; set force: true to replace it' % (
                                   chain_id, '; '.join(_certs.name_to_string(c.subject) for c in targets[0]['certs']),
                                   ', and it anchors %s' % describe_anchors(labels) if labels else ''),
                               vcenter_state=STATE_UNCHANGED)
        after = {'chains': [new_view if c['chain_id'] == chain_id else chain_view(c['chain_id'], c['certs'])
                            for c in chains]}
        return Plan(True, actions=['delete trusted root chain %s' % chain_id,
                                   'create trusted root chain %s' % chain_id],
                    before=before, after=after, chain_id=chain_id, certs=self.desired, deletes=[chain_id],
                    create=True)

    def _plan_absent(self, current, before, targets):
        if not targets:
            return Plan(False, before=before, after=before, chain_id=None, certs=[], deletes=[])
        if not self.params['force']:
            refused = [(c['chain_id'], current['anchors'].get(c['chain_id'])) for c in targets
                       if current['anchors'].get(c['chain_id'])]
            if refused:
                raise CertOpsError(self.operation, '; '.join(
                    'refusing to remove trusted root chain %s: it anchors %s' % (cid, describe_anchors(labels))
                    for cid, labels in refused) + '. Set force: true to remove it anyway', vcenter_state=STATE_UNCHANGED)
        ids = [c['chain_id'] for c in targets]
        after = {'chains': [view for view in before['chains'] if view['chain_id'] not in ids]}
        return Plan(True, actions=['delete trusted root chain %s' % cid for cid in ids], before=before,
                    after=after, chain_id=ids[0], certs=targets[0]['certs'], deletes=ids, create=False)

    # ------------------------------------------------------------------ apply
    def apply(self, plan, current):
        chains = [dict(c) for c in current['chains']]
        for chain_id in plan.deletes:
            try:
                self.api.delete_trusted_root(chain_id)
            except NotFoundError:
                if self.state == 'present':
                    raise
                # someone removed it meanwhile: the desired state is reached
            chains = [c for c in chains if c['chain_id'] != chain_id]
        created = None
        if plan.create:
            pems = [_certs.certificate_pem(c) for c in self.desired]
            new_id = self.api.create_trusted_root(pems, self.params['chain_id']) or self.params['chain_id']
            # Read the new chain by its id: some vCenter versions leave a new chain out of the list for a
            # few seconds after the create [FIELD], so the list is not asked.
            stored = self.api.get_trusted_root(new_id)
            certs = []
            for pem in stored:
                certs.extend(_certs.load_certificates(pem, 'trusted root chain %s' % new_id))
            created = {'chain_id': new_id, 'certs': certs}
            position = [i for i, c in enumerate(current['chains']) if c['chain_id'] == new_id]
            if position:
                chains.insert(min(position[0], len(chains)), created)
            else:
                chains.append(created)
            # the id vCenter generated is only known now
            plan.after = store_view(chains)
        return {'chains': chains, 'anchors': current['anchors'], 'created': created}

    def state_key(self, current):
        return frozenset((c['chain_id'], _certs.fingerprint_set(c['certs'])) for c in current['chains'])

    def compare_after_failure(self, plan, after):
        try:
            return not self.compare(after).changed
        except CertOpsError:
            return False

    # ------------------------------------------------------------------ result
    def result(self, plan, current, after):
        chain_id = plan.chain_id
        certs = plan.certs
        created = after.get('created') if after is not current else None
        if created:
            chain_id = created['chain_id']
            certs = created['certs']
        result = {'chain_id': chain_id, 'certificates': _certs.summaries(certs or [])}
        if self.state == 'absent':
            result['removed_chain_ids'] = list(plan.deletes)
        return result


def main():
    run_module(
        TrustedRoot,
        dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            # no_log: a private key pasted here by mistake must not be logged with the module arguments
            certificates=dict(type='str', no_log=True),
            chain_id=dict(type='str'),
            force=dict(type='bool', default=False),
        ),
        required_if=[
            ('state', 'present', ('certificates',)),
            ('state', 'absent', ('chain_id', 'certificates'), True),
        ],
    )


if __name__ == '__main__':
    main()
