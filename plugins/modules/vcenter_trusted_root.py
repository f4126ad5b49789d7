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
  - Refuses, before any request, a chain in which any certificate is not a CA certificate with the
    C(keyCertSign) key usage, naming that certificate. VMware, "Add a Trusted Root Certificate to the
    Certificate Store" (vSphere Authentication) says "To be valid, a CA certificate must have the CA bit and the
    keyCertSign bit set ... Ensure that the keyCertSign bit is set for all the certificates in the chain";
    vCenter answers anything else with a generic error ("... is not a valid CA certificate. Please retry with a
    valid certificate chain.").
  - vCenter refuses certificates it already trusts under another id ("Trusted root already exists"). When
    every certificate of O(certificates) is already in the store, held by other chains, the module changes
    nothing and says so in a warning; it never sends a create vCenter would refuse.
  - Refuses to remove a chain that anchors the current machine SSL certificate (its trust path is built
    through the chain vCenter serves on its TLS port, so the root of a certificate issued through an
    intermediate counts even when the intermediate is not in the store), the active STS signing chain, the
    current VMCA root of this vCenter, or the VMCA root of another vCenter of the same SSO domain (Enhanced
    Linked Mode the trust store is domain-wide, KB 326288), unless O(force=true). See
    M(certops.vcenter.vcenter_trusted_root_info) for what each chain anchors. When the machine SSL
    certificate's trust path reaches no trusted root, it refuses every removal without O(force=true), because which
    chain holds vCenter's own root cannot be told.
  - An earlier VMCA root (or one that cannot be told from the current one) still signs the ESXi host and
    solution-user certificates it issued. It is removed only when the task names it (O(chain_id) or
    O(certificates)), with a warning; M(certops.vcenter.vcenter_trusted_root_info) reports it as
    V(vmca_issued), and the P(certops.vcenter.trusted_roots#role) role never removes it as unlisted.
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
  chains:
    description:
      - Several chains in one task, each with its own O(chains[].certificates), O(chains[].chain_id) and
        O(chains[].state), as the single-chain options describe them. The store is read once (one list and one
        read per chain in the store) and every entry is compared against it, on one session, so three chains that
        are already trusted cost one login, one list, one read per chain in the store and one logout.
      - Entries are applied in order; each is planned against the store as the entries before it leave it, so
        check mode and the diff predict the whole run. A failed entry stops the task; the error names it, says
        which earlier entries were applied (then C(vcenter_state=changed)) and which later ones were not
        attempted.
      - O(force) and O(wait_timeout) apply to every entry. Mutually exclusive with O(certificates) and
        O(chain_id).
    type: list
    elements: dict
    suboptions:
      certificates:
        description:
          - As O(certificates). Required when the entry's state is V(present). Not logged.
        type: str
      chain_id:
        description:
          - As O(chain_id).
        type: str
      state:
        description:
          - V(present) or V(absent), as O(state); the task's O(state) when not given.
        type: str
        choices: [present, absent]
  force:
    description:
      - Replace a chain named by O(chain_id) that holds other certificates.
      - Remove a chain even though it anchors the machine SSL certificate, the STS signing chain, the
        VMCA root or another linked vCenter's VMCA root. Doing so can make vCenter's own services (or the
        linked vCenters) fail to trust each other.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait, after vCenter accepted a change, until its trust store shows it (a new chain
        readable by its id and listed, a deleted chain no longer listed), and, after a request that failed
        without a clear answer, until vCenter can be read back. Once it can, its store gets at most 30 more
        seconds to show the failed change (a real store has been seen to settle within 20 seconds); if it
        does not, the task fails saying whether the change was applied is unknown.
      - A real vCenter's trust store settles after a write; right after a create the list may not show the
        new chain yet, and a deleted chain may still be listed (it is published to the directory service and
        synchronised into VECS, KB 326288). Until this deadline a chain that is not listed yet counts as
        "not shown yet", never as "not created".
      - V(0) does not wait; the task then returns the certificates it sent for a new chain.
    type: int
    default: 120
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
  - Right after a chain is created, vCenter may leave it out of the chain list (and answer 404 for its id)
    for a while, and a deleted chain may still be listed. The module waits up to O(wait_timeout) until the
    store shows its change, so the next task sees it. When vCenter refuses a create because it already holds
    the certificates (a chain created moments ago and not listed yet), the module waits for it to be listed
    and reports no change.
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

- name: Several chains in one task (one read of the store, one session)
  certops.vcenter.vcenter_trusted_root:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    chains:
      - certificates: "{{ lookup('ansible.builtin.file', 'corp-root-2026.pem') }}"
        chain_id: corp-root-2026
      - certificates: "{{ lookup('ansible.builtin.file', 'partner-root.pem') }}"
      - chain_id: corp-root-2016
        state: absent
  register: roots
'''

RETURN = r'''
chain_id:
  description:
    - Id of the chain that holds the certificates (O(state=present)), or of the chain removed
      (O(state=absent); the first one when several were removed).
    - When every certificate of O(certificates) is already held by other chains (vCenter refuses them again), the
      first of those chains.
    - V(null) in check mode when vCenter would generate the id, and when nothing was removed.
  returned: success, without O(chains)
  type: str
  sample: corp-root-2026
removed_chain_ids:
  description: Ids of every chain removed (or that would be removed in check mode).
  returned: when O(state=absent), without O(chains)
  type: list
  elements: str
certificates:
  description:
    - Summaries of the chain's certificates, leaf first (for O(state=absent), of the chain removed).
    - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name) (list like C(DNS:vc.example.com)), C(key_type),
      C(key_size), C(is_ca)."
  returned: success, without O(chains)
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
chain_results:
  description:
    - With O(chains), one entry per item of O(chains), in order, with the item's C(chain_id), C(certificates) and
      (for V(absent)) C(removed_chain_ids) as described above, its C(state), and whether it C(changed).
    - RV(chain_id), RV(certificates) and RV(removed_chain_ids) are not returned with O(chains).
  returned: with O(chains)
  type: list
  elements: dict
  sample:
    - chain_id: corp-root-2026
      state: present
      changed: false
      certificates: []
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
    ConnectionFailure,
    InputError,
    NotFoundError,
    VCenterError,
    WaitTimeoutError,
    STATE_CHANGED,
    STATE_UNCHANGED,
    STATE_UNKNOWN,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module, \
    unexpected_error
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    read_anchor_state,
    trust_store,
    trusted_certs,
)
from ansible_collections.certops.vcenter.plugins.module_utils._wait import Deadline, NotYet, not_processed, poll

ANCHOR_TEXT = {
    'machine_ssl': 'the current machine SSL certificate',
    'sts_signing': 'the current STS signing chain',
    'vmca_root': 'the current VMCA root',
    'linked_vmca_root': 'the certificates of another vCenter of the SSO domain (it is that vCenter\'s VMCA root)',
    'vmca_issued': 'ESXi host and solution-user certificates the VMCA issued (it is a VMCA root)',
}
NOT_SHOWN = object()  # the read-back's answer when the store did not show the change within the settle window
# Removing these needs force; a chain that is only 'vmca_issued' is removed when the task names it (with a warning).
GUARDED = ('machine_ssl', 'sts_signing', 'vmca_root', 'linked_vmca_root')
DEFAULT_WAIT_TIMEOUT = 120
# After a write that failed without a clear answer, how long a trust store that vCenter can be read from is given to
# show the change. Evidence (vcenter-fidelity.md row 16, S8, vCenter 9.x): a client had to retry LIST up to 5 x 4 s
# after a successful POST before the store settled. 30 s covers that with margin; after it the change may still
# appear, so the verdict stays "unknown", never "not applied". (Reaching vCenter at all may take up to wait_timeout.)
TRUST_STORE_SETTLE_SECONDS = 30


def not_a_ca(cert):
    """Why vCenter would refuse ``cert`` in a trusted root chain, naming it."""
    if not _certs.is_ca(cert):
        problem = 'is not a CA certificate (its basic constraints do not say CA=true)'
    elif _certs.key_usage(cert) is None:
        problem = 'has no key usage extension, so not the keyCertSign usage'
    else:
        problem = 'does not have the keyCertSign key usage (it has %s)' % (', '.join(_certs.key_usage(cert)) or 'none')
    return ('certificates: %s (SHA-256 %s) %s. vCenter accepts only valid CA certificates in a trusted root chain: '
            '"a CA certificate must have the CA bit and the keyCertSign bit set ... for all the certificates in the '
            'chain" (vSphere Authentication, "Add a Trusted Root Certificate to the Certificate Store"), and answers '
            'anything else with "is not a valid CA certificate". Nothing was sent to vCenter' % (
                _certs.name_to_string(cert.subject), _certs.fingerprint(cert), problem))


def describe_anchors(labels):
    texts = [ANCHOR_TEXT[label] for label in labels]
    return texts[0] if len(texts) == 1 else '%s and %s' % (', '.join(texts[:-1]), texts[-1])


def store_view(chains):
    """The whole store as it appears in the diff (a dict: Ansible renders dict diffs)."""
    return {'chains': [chain_view(c['chain_id'], c['certs']) for c in chains]}


def chain_view(chain_id, certs):
    """One chain as it appears in the diff."""
    return {'chain_id': chain_id, 'certificates': _certs.summaries(certs)}


def already_exists(exc):
    return exc.status == 400 and (exc.error_type or '').upper() == 'ALREADY_EXISTS'


def holds_exactly(chain, wanted):
    """True when ``chain`` holds exactly the certificates whose fingerprints are ``wanted`` (never for None)."""
    return wanted is not None and _certs.fingerprint_set(chain['certs']) == wanted


def chain_holding(certs, chains):
    """The first chain that holds exactly ``certs``, or None."""
    wanted = _certs.fingerprint_set(certs)
    return next((c for c in chains if holds_exactly(c, wanted)), None)


def covering_chains(desired, chains):
    """Ids of the chains that together hold every certificate of ``desired`` (in store order), or None when some
    certificate is not trusted yet."""
    held = _certs.fingerprint_set(trusted_certs(chains))
    if not desired or not _certs.fingerprint_set(desired) <= held:
        return None
    wanted = _certs.fingerprint_set(desired)
    return [c['chain_id'] for c in chains if _certs.fingerprint_set(c['certs']) & wanted]


def chain_ids(chains):
    return set(c['chain_id'] for c in chains)


def unchanged(before, chain_id, certs):
    """The plan of a task that finds the store as it asks."""
    return Plan(False, before=before, after=before, chain_id=chain_id, certs=certs, deletes=[])


def nothing_added(plan, chains):
    """The plan, corrected after vCenter refused the create as a duplicate: the task added nothing. When it deleted
    a chain first (a forced replace), that deletion stands: still changed, the diff shows the store as it is."""
    if plan.deletes:
        plan.actions = [a for a in plan.actions if not a.startswith('create ')]
        plan.after = store_view(chains)
        return
    plan.changed = False
    plan.actions = []
    plan.after = plan.before


def with_created(chains, created, before):
    """``chains`` with the ``created`` chain where a chain of its id stood ``before`` (a replaced chain keeps its
    place in the diff), else at the end."""
    chains = list(chains)
    position = [i for i, c in enumerate(before) if c['chain_id'] == created['chain_id']]
    if position:
        chains.insert(min(position[0], len(chains)), created)
    else:
        chains.append(created)
    return chains


def read_store(api, tasks):
    """The trust store (1 list + 1 read per chain) and, only when one of ``tasks`` would remove or replace a
    chain, what each chain anchors (the reads that tell cost more)."""
    chains = trust_store(api)
    if not any(task._targets(chains) for task in tasks):  # pylint: disable=protected-access
        return {'chains': chains, 'anchors': {}}
    state = read_anchor_state(api, chains=chains)
    return {'chains': state['chains'], 'anchors': state['anchors'], 'tls_cert': state['tls_cert'],
            'tls_anchor_unknown': state['tls_anchor'] is None and not _certs.is_self_signed(state['tls_cert'])}


class StoreReadBack(object):
    """After a failed write vCenter may have processed: read the store until it shows the write, up to the task's
    read-back time and, from vCenter's first answer on, for the settle window only; then the verdict."""

    def __init__(self, task, plan):
        self.task = task
        self.plan = plan
        self.wanted = _certs.fingerprint_set(task.desired) if plan.create else None
        self.deleting = set(plan.deletes)
        self.deadline = Deadline(task.read_back_seconds())
        self.last_read = None  # the store as vCenter last showed it: None while it has not answered
        self.settle = None  # the settle window, opened by vCenter's first answer

    def run(self):
        """``(the store showing the write, or None; what was seen last)``."""
        try:
            self.task.client.logout()
            after, last = poll(self._attempt, self.deadline)
        except CertOpsError as read_exc:
            return None, read_exc.reason
        except Exception as read_exc:  # pylint: disable=broad-except
            return None, unexpected_error(self.task.operation, read_exc).reason
        return (None if after is NOT_SHOWN else after), last

    def _attempt(self):
        after = self.task.read_current()
        self.last_read = after
        if self._shows_the_change(after['chains']):
            return after
        # vCenter answers: from the first answer on, the store gets the settle window, not all of wait_timeout
        if self.settle is None:
            self.settle = Deadline(min(TRUST_STORE_SETTLE_SECONDS, self.deadline.remaining()))
        if self.settle.expired():
            return NOT_SHOWN
        raise NotYet('the trust store does not show the change (yet)')

    def _shows_the_change(self, chains):
        created = self.wanted is None or any(holds_exactly(c, self.wanted) for c in chains)
        return created and not (self.deleting & chain_ids(chains))

    def verdict(self, last):
        """``(vcenter_state, words for the message)`` when the store was not seen to show the write."""
        if self.last_read is None:
            return STATE_UNKNOWN, ('. vCenter could not be read back afterwards (%s), so whether the change was '
                                   'applied is unknown; check vCenter, then rerun the task' % last)
        plan = self.plan
        partly = plan.create and plan.deletes and not (self.deleting & chain_ids(self.last_read['chains']))
        waited = int(round(self.settle.seconds)) if self.settle is not None else self.task.params['wait_timeout']
        return (STATE_CHANGED if partly else STATE_UNKNOWN), (
            '. vCenter was read back for %ss afterwards and %s. Its trust store settles after a write (it is published '
            'to the directory service and synchronised into VECS, KB 326288), so the change may still appear: check '
            'with certops.vcenter.vcenter_trusted_root_info, then rerun the task (a rerun does not add a chain twice)'
            % (waited, 'shows the old chain deleted but not the new one' if partly else 'does not show the change yet'))


class TrustedRoot(CertModule):

    def __init__(self, module, params=None, client=None, warnings=None):
        super(TrustedRoot, self).__init__(module, params=params, client=client, warnings=warnings)
        self.state = self.params['state']
        self.operation = 'add a trusted root chain' if self.state == 'present' else 'remove a trusted root chain'
        self.desired = None

    # ------------------------------------------------------------------ input
    def validate(self):
        chain_id = self.params['chain_id']
        if chain_id is not None and not chain_id.strip():
            raise InputError(self.operation, 'chain_id must not be empty')
        if self.params['wait_timeout'] < 0:
            raise InputError(self.operation, 'wait_timeout must be 0 or more seconds, got %d' % self.params['wait_timeout'])
        if self.params['certificates'] is not None:
            self.desired = self._load_desired()

    def _load_desired(self):
        """The chain given, leaf first; refused when vCenter would refuse it, with a warning per expired certificate."""
        try:
            desired = _certs.order_chain(_certs.load_certificates(self.params['certificates'], 'certificates'),
                                         'certificates')
        except _certs.CertificateInputError as exc:
            raise InputError(self.operation, str(exc))
        for cert in desired:
            if not _certs.is_valid_ca(cert):
                raise InputError(self.operation, not_a_ca(cert))
        for cert in desired:
            if _certs.days_remaining(cert) < 0:
                self.warnings.append('certificates: %s expired on %s' % (
                    _certs.name_to_string(cert.subject), _certs.iso(_certs.not_after(cert))))
        return desired

    # ------------------------------------------------------------------ read
    def _targets(self, chains):
        """Chains this task would remove (absent) or replace (present with a clashing chain_id, unless a chain
        already holds exactly its certificates)."""
        if self.state == 'absent':
            return self._removal_targets(chains)
        if chain_holding(self.desired, chains) is not None:
            return []
        # no chain_id: vCenter generates one, nothing is replaced (a chain planned by an earlier entry of O(chains)
        # has no id yet either)
        return [c for c in chains if self._names(c)]

    def _removal_targets(self, chains):
        """The chain named by chain_id and every chain that holds exactly the certificates given."""
        wanted = _certs.fingerprint_set(self.desired) if self.desired else None
        return [c for c in chains if self._names(c) or holds_exactly(c, wanted)]

    def _names(self, chain):
        """True when the task's chain_id names ``chain`` (never without a chain_id)."""
        return self.params['chain_id'] is not None and chain['chain_id'] == self.params['chain_id']

    def read_current(self):
        return read_store(self.api, [self])

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        targets = self._targets(current['chains'])
        if self.state == 'absent':
            return self._plan_removal(current, targets)
        return self._plan_present(current, targets)

    def _plan_present(self, current, targets):
        chains = current['chains']
        before = store_view(chains)
        same = chain_holding(self.desired, chains)
        if same is not None:
            return unchanged(before, same['chain_id'], same['certs'])
        # a chain this task would replace (chain_id with other certificates, force) does not count: it goes
        holders = covering_chains(self.desired, [c for c in chains if c not in targets])
        if holders is not None:
            self._warn_held_by_other_chains(holders)
            return unchanged(before, holders[0], list(self.desired))
        if not targets:
            return self._plan_create(before)
        self._refuse_replacing(targets[0], current['anchors'])
        return self._plan_replace(chains, before)

    def _warn_held_by_other_chains(self, holders):
        # vCenter refuses certificates it already trusts, under any id ("Trusted root already exists"): the
        # request is satisfied as far as vCenter allows, and a create would only be refused.
        self.warnings.append(
            'every certificate of certificates is already trusted, in chain%s %s; vCenter refuses the same '
            'certificates under another id ("Trusted root already exists"), so no chain was added' % (
                's' if len(holders) > 1 else '', ', '.join(holders)))

    def _plan_create(self, before):
        chain_id = self.params['chain_id']
        return Plan(True, actions=['create trusted root chain %s' % (chain_id or '(id generated by vCenter)')],
                    before=before, after={'chains': before['chains'] + [chain_view(chain_id, self.desired)]},
                    chain_id=chain_id, certs=self.desired, deletes=[], create=True)

    def _refuse_replacing(self, clash, anchors):
        """chain_id names a chain with other certificates: replacing it needs force."""
        if self.params['force']:
            return
        labels = anchors.get(clash['chain_id']) or []
        raise CertOpsError(self.operation, 'trusted root chain %s already exists and holds other certificates '
                           '(%s)%s; set force: true to replace it' % (
                               clash['chain_id'], '; '.join(_certs.name_to_string(c.subject) for c in clash['certs']),
                               ', and it anchors %s' % describe_anchors(labels) if labels else ''),
                           vcenter_state=STATE_UNCHANGED)

    def _plan_replace(self, chains, before):
        chain_id = self.params['chain_id']
        new_view = chain_view(chain_id, self.desired)
        after = {'chains': [new_view if c['chain_id'] == chain_id else chain_view(c['chain_id'], c['certs'])
                            for c in chains]}
        return Plan(True, actions=['delete trusted root chain %s' % chain_id,
                                   'create trusted root chain %s' % chain_id],
                    before=before, after=after, chain_id=chain_id, certs=self.desired, deletes=[chain_id],
                    create=True)

    def _plan_removal(self, current, targets):
        before = store_view(current['chains'])
        if not targets:
            return unchanged(before, None, [])
        if not self.params['force']:
            self._refuse_guarded(targets, current['anchors'])
            self._refuse_blind(targets, current)
        self._warn_vmca_issued(targets, current['anchors'])
        ids = [c['chain_id'] for c in targets]
        after = {'chains': [view for view in before['chains'] if view['chain_id'] not in ids]}
        return Plan(True, actions=['delete trusted root chain %s' % cid for cid in ids], before=before,
                    after=after, chain_id=ids[0], certs=targets[0]['certs'], deletes=ids, create=False)

    def _refuse_guarded(self, targets, anchors):
        """Removing a chain that anchors what vCenter runs on (GUARDED) needs force; the refusal names each."""
        refused = [(c['chain_id'], [label for label in anchors.get(c['chain_id']) or [] if label in GUARDED])
                   for c in targets]
        refused = [(cid, labels) for cid, labels in refused if labels]
        if refused:
            raise CertOpsError(self.operation, '; '.join(
                'refusing to remove trusted root chain %s: it anchors %s' % (cid, describe_anchors(labels))
                for cid, labels in refused) + '. Set force: true to remove it anyway', vcenter_state=STATE_UNCHANGED)

    def _refuse_blind(self, targets, current):
        """When the machine SSL certificate's trust path reaches no trusted root, which chain holds vCenter's own
        root cannot be told: every removal needs force."""
        if not current.get('tls_anchor_unknown'):
            return
        raise CertOpsError(self.operation, (
            'refusing to remove trusted root chain%s %s: the trust path of the machine SSL certificate (%s, '
            'issued by %s) does not reach any trusted root, through the store or the chain vCenter serves on '
            'its TLS port, so whether %s the root of vCenter\'s own certificate cannot be told. Set force: '
            'true to remove it anyway') % (
                's' if len(targets) > 1 else '', ', '.join(c['chain_id'] for c in targets),
                _certs.name_to_string(current['tls_cert'].subject),
                _certs.name_to_string(current['tls_cert'].issuer),
                'they hold' if len(targets) > 1 else 'it holds'), vcenter_state=STATE_UNCHANGED)

    def _warn_vmca_issued(self, targets, anchors):
        """An earlier VMCA root is removed when the task names it, with a warning: what it issued stops being
        trusted."""
        for target in targets:
            if 'vmca_issued' in (anchors.get(target['chain_id']) or []):
                self.warnings.append(
                    'trusted root chain %s holds a VMCA root (%s) that is not the current one: the ESXi host and '
                    'solution-user certificates it issued, which the API does not show, stop being trusted' % (
                        target['chain_id'], _certs.name_to_string(target['certs'][-1].subject)))

    # ------------------------------------------------------------------ apply
    def apply(self, plan, current):
        deadline = Deadline(self.params['wait_timeout'])
        chains = self._delete_chains(plan.deletes, current['chains'], deadline)
        if not plan.create:
            return {'chains': chains, 'anchors': current['anchors'], 'created': None}
        try:
            new_id = self._send_create()
        except VCenterError as exc:
            if not already_exists(exc):
                raise
            # The certificates (or the id) are already in a store that does not list them yet: a chain created
            # moments ago, by an earlier run, is not listed until the store settles (vcenter-fidelity.md row 16).
            held = self._wait_for_refused_duplicate(deadline, exc)
            nothing_added(plan, chains + [held])
            return {'chains': chains + [held], 'anchors': current['anchors'], 'created': held}
        certs = list(self.desired)
        if self.params['wait_timeout'] > 0:
            certs = self._wait_until_settled(deadline, created_id=new_id)
        created = {'chain_id': new_id, 'certs': certs}
        chains = with_created(chains, created, current['chains'])
        # the id vCenter generated is only known now
        plan.after = store_view(chains)
        return {'chains': chains, 'anchors': current['anchors'], 'created': created}

    def _delete_chains(self, ids, chains, deadline):
        """Delete the chains ``ids`` and wait until the store no longer lists them; returns ``chains`` without them."""
        chains = [dict(c) for c in chains]
        for chain_id in ids:
            try:
                self.api.delete_trusted_root(chain_id)
            except NotFoundError:
                if self.state == 'present':
                    raise
                # someone removed it meanwhile (or it is still listed after an earlier delete): the desired state
                # is reached
            chains = [c for c in chains if c['chain_id'] != chain_id]
        if ids and self.params['wait_timeout'] > 0:
            self._wait_until_settled(deadline, gone=list(ids))
        return chains

    def _send_create(self):
        """Create the chain; returns its id (the one given, or the one vCenter generated)."""
        pems = [_certs.certificate_pem(c) for c in self.desired]
        return self.api.create_trusted_root(pems, self.params['chain_id']) or self.params['chain_id']

    def _wait_until_settled(self, deadline, created_id=None, gone=()):
        """After a write vCenter accepted: read the store until it shows the write (a new chain readable by its id
        and listed, deleted chains no longer listed), within wait_timeout. Returns the new chain's certificates."""
        seen = {}

        def settled():
            if created_id is not None and 'certs' not in seen:
                seen['certs'] = self._read_new_chain(created_id)
            listed = set(self.api.list_trusted_root_ids())
            if created_id is not None and created_id not in listed:
                raise NotYet('vCenter does not list the new chain %s yet' % created_id)
            left = [cid for cid in gone if cid in listed]
            if left:
                raise NotYet('vCenter still lists the deleted chain%s %s' % ('s' if len(left) > 1 else '',
                                                                             ', '.join(left)))
            return True

        done, last = poll(settled, deadline)
        if done is None:
            raise self._not_settled(created_id, gone, last)
        return seen.get('certs')

    def _read_new_chain(self, chain_id):
        """The certificates of a chain just created, read by its id (NotYet while vCenter does not serve it)."""
        try:
            stored = self.api.get_trusted_root(chain_id)
        except NotFoundError:
            raise NotYet('vCenter does not serve the new chain %s yet' % chain_id)
        certs = []
        for pem in stored:
            certs.extend(_certs.load_certificates(pem, 'trusted root chain %s' % chain_id))
        return certs

    def _not_settled(self, created_id, gone, last):
        what = ('created trusted root chain %s' % created_id) if created_id is not None else \
            ('deleted trusted root chain%s %s' % ('s' if len(gone) > 1 else '', ', '.join(gone)))
        return WaitTimeoutError(self.operation, (
            'vCenter accepted the request (it %s) but its trust store did not show it within wait_timeout '
            '(%ss): %s. The change WAS accepted; vCenter\'s trust store settles after a write (it is published '
            'to the directory service and synchronised into VECS, KB 326288), so it should show soon: check with '
            'certops.vcenter.vcenter_trusted_root_info, or rerun the task with a larger wait_timeout (a rerun '
            'does not add the chain twice)') % (what, self.params['wait_timeout'], last),
            vcenter_state=STATE_CHANGED)

    def _wait_for_refused_duplicate(self, deadline, exc):
        """vCenter refused the create because it already holds these certificates (or the id): wait until the
        store lists them, and report them as present, unchanged by this task."""
        chain_id = self.params['chain_id']

        def listed():
            chains = trust_store(self.api)
            same = chain_holding(self.desired, chains)
            if same is not None:
                return same
            holders = covering_chains(self.desired, chains)
            if holders is not None:
                return {'chain_id': holders[0], 'certs': list(self.desired)}
            if chain_id is not None and chain_id in chain_ids(chains):
                return 'clash'
            raise NotYet('vCenter says it already holds the chain but does not list it yet')

        found, last = poll(listed, deadline) if self.params['wait_timeout'] > 0 else (None, exc.reason)
        if found == 'clash':
            raise CertOpsError(self.operation, 'trusted root chain %s already exists and holds other certificates; '
                               'set force: true to replace it' % chain_id, vcenter_state=STATE_UNCHANGED)
        if found is None:
            exc.reason += ('. vCenter refused the create because it already holds these certificates (or the id), but '
                           'did not list them within wait_timeout (%ss: %s): a chain created moments ago is listed only '
                           'once the trust store settles. Nothing was changed by this task; check with '
                           'certops.vcenter.vcenter_trusted_root_info' % (self.params['wait_timeout'], last))
            exc.vcenter_state = STATE_UNCHANGED
            raise exc
        self.warnings.append('vCenter already held these certificates (a chain created moments ago, not listed yet '
                             'when this task read the store) as chain %s; nothing was added' % found['chain_id'])
        return found

    def _explain_failure(self, exc, plan, current):
        """After a failed write: an answer that says vCenter did not process it means NOT applied. Otherwise read the
        store back until it shows the write, up to wait_timeout: a chain that is not listed yet may still appear (the
        store settles after a write), so until the deadline that is "unknown", never "not applied"."""
        if not_processed(exc):
            # 4xx: vCenter refused it; 3xx: something in front of vCenter answered (vCenter never redirects) and
            # the redirect was not followed
            exc.vcenter_state = STATE_UNCHANGED
            exc.reason += '. The request was not processed by vCenter: the change was NOT applied'
            raise exc
        if isinstance(exc, ConnectionFailure) and exc.ambiguous:
            exc.reason += ' (the request was sent, but no answer came back)'
        read_back = StoreReadBack(self, plan)
        after, last = read_back.run()
        if after is not None:
            self.warnings.append('%s. vCenter was read back afterwards and the change WAS applied.' % exc.message)
            return after
        exc.vcenter_state, words = read_back.verdict(last)
        exc.reason += words
        raise exc

    def read_back_seconds(self):
        return self.params['wait_timeout']

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


class TrustedRootList(CertModule):
    """O(chains): every entry is a TrustedRoot task with its own certificates, chain_id and state, run in order on
    one session against one read of the store. Each entry is planned against the store as the entries before it
    leave it, so check mode predicts the whole run; a failed entry stops the run and the error says what the
    entries before it changed and that the ones after it were not attempted."""

    operation = 'manage trusted root chains'

    def __init__(self, module):
        super(TrustedRootList, self).__init__(module)
        self.tasks = []
        for entry in self.params['chains']:
            params = dict(self.params, certificates=entry.get('certificates'), chain_id=entry.get('chain_id'),
                          state=entry.get('state') or self.params['state'], chains=None)
            self.tasks.append(TrustedRoot(module, params=params, client=self.client, warnings=self.warnings))

    def _name(self, index):
        task = self.tasks[index]
        return 'chains[%d] (%s%s)' % (index, task.state, ', chain_id %s' % task.params['chain_id']
                                      if task.params['chain_id'] else '')

    def validate(self):
        for index, task in enumerate(self.tasks):
            if task.state == 'present' and task.params['certificates'] is None:
                raise InputError(self.operation, '%s: certificates is required with state present' % self._name(index))
            if task.state == 'absent' and task.params['certificates'] is None and task.params['chain_id'] is None:
                raise InputError(self.operation, '%s: chain_id or certificates is required with state absent'
                                 % self._name(index))
            try:
                task.validate()
            except InputError as exc:
                exc.reason = '%s: %s' % (self._name(index), exc.reason)
                raise

    def read_current(self):
        return read_store(self.api, self.tasks)

    def compare(self, current):
        plans, view = [], current
        for index, task in enumerate(self.tasks):
            try:
                plan = task.compare(view)
            except CertOpsError as exc:
                exc.reason = '%s: %s' % (self._name(index), exc.reason)
                raise
            plans.append(plan)
            if plan.changed:
                chains = [c for c in view['chains'] if c['chain_id'] not in plan.deletes]
                if plan.create:
                    chains.append({'chain_id': plan.chain_id, 'certs': list(task.desired)})
                view = dict(view, chains=chains)
        return Plan(any(p.changed for p in plans), actions=[a for p in plans for a in p.actions],
                    before=store_view(current['chains']), after=store_view(view['chains']), plans=plans,
                    afters=[None] * len(plans))

    def apply(self, plan, current):
        view = current
        for index, (task, item) in enumerate(zip(self.tasks, plan.plans)):
            if not item.changed:
                plan.afters[index] = view
                continue
            try:
                view = task._apply_and_recover(item, view)  # pylint: disable=protected-access
            except CertOpsError as exc:
                self._explain_stop(exc, index, plan)
                raise
            plan.afters[index] = view
        plan.after = store_view(view['chains'])  # ids vCenter generated are known now
        return view

    def _explain_stop(self, exc, index, plan):
        done = [self._name(i) for i in range(index) if plan.plans[i].changed]
        left = [self._name(i) for i in range(index + 1, len(self.tasks)) if plan.plans[i].changed]
        exc.reason = '%s: %s' % (self._name(index), exc.reason)
        if done:
            exc.reason += '. Before it, this task changed %s' % ', '.join(done)
            exc.vcenter_state = STATE_CHANGED
        if left:
            exc.reason += '. Not attempted: %s' % ', '.join(left)

    def result(self, plan, current, after):
        items = []
        for task, item, item_after in zip(self.tasks, plan.plans, plan.afters):
            entry = task.result(item, current, item_after if item_after is not None else current)
            entry.update(state=task.state, changed=item.changed)
            items.append(entry)
        return {'chain_results': items}


class TrustedRootTask(object):
    """What run_module builds: the list form (O(chains)) or the single-chain form."""

    operation = TrustedRootList.operation

    def __new__(cls, module):
        return TrustedRootList(module) if module.params['chains'] is not None else TrustedRoot(module)


def main():
    run_module(
        TrustedRootTask,
        dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            # no_log: a private key pasted here by mistake must not be logged with the module arguments
            certificates=dict(type='str', no_log=True),
            chain_id=dict(type='str'),
            chains=dict(type='list', elements='dict', options=dict(
                certificates=dict(type='str', no_log=True),
                chain_id=dict(type='str'),
                state=dict(type='str', choices=['present', 'absent']),
            )),
            force=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=DEFAULT_WAIT_TIMEOUT),
        ),
        mutually_exclusive=[('chains', 'certificates'), ('chains', 'chain_id')],
        required_if=[
            ('state', 'present', ('certificates', 'chains'), True),
            ('state', 'absent', ('chain_id', 'certificates', 'chains'), True),
        ],
    )


if __name__ == '__main__':
    main()
