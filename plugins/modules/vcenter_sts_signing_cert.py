#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_sts_signing_cert
short_description: Refresh or replace the vCenter STS token-signing certificate
version_added: 0.1.0
description:
  - Manages the certificate the vCenter Security Token Service (STS) signs its tokens with, through the
    C(SigningCertificate) API (C(/api/vcenter/certificate-management/vcenter/signing-certificate)).
  - O(state=refreshed) has vCenter issue a new VMCA-signed signing certificate when the active one is close
    to expiry (or always, with O(force=true)).
  - O(state=present) installs a given certificate chain with its private key, or, on vCenter 9.1.1 and later,
    a chain for a key vCenter staged when it generated a CSR (M(certops.vcenter.vcenter_csr) with
    O(certops.vcenter.vcenter_csr#module:certificate=sts_signing)).
  - Needs vCenter 7.0 U3 or later and the C(/api) dialect; older vCenters get a clear version error.
  - Every input is checked before anything is sent to vCenter. The leaf certificate must carry the
    C(digitalSignature) key usage, the private key must match it, the chain must be in order (leaf first,
    then each issuer) and no certificate may be expired or not yet valid.
options:
  state:
    description:
      - V(present) makes the chain in O(certificate_chain) the active signing chain.
      - V(refreshed) has vCenter issue a new VMCA-signed signing certificate when the active one has
        fewer than O(remaining_days) days left, or always when O(force=true).
    type: str
    choices: [present, refreshed]
    default: present
  certificate_chain:
    description:
      - PEM certificates, the leaf (signing certificate) first, then each issuer in order.
      - Required with O(state=present).
      - The leaf must carry the C(digitalSignature) key usage (the API requires it).
      - Compared by the SHA-256 fingerprint of the leaf with the active chain's leaf; when they are the same,
        nothing is changed.
      - Not logged, so that a private key pasted here by mistake cannot leak; such input is refused without
        being shown. The certificates are reported in RV(active_chain).
    type: str
  private_key:
    description:
      - Private key of the leaf in O(certificate_chain), PEM. PKCS#8, PKCS#1 (C(RSA PRIVATE KEY)) and SEC1
        (C(EC PRIVATE KEY)) keys are accepted; vCenter wants unencrypted PKCS#8, so the module converts it.
      - An encrypted key needs O(private_key_passphrase).
      - Only with O(state=present). Omit it on vCenter 9.1.1 and later to install O(certificate_chain) for the
        key vCenter staged with M(certops.vcenter.vcenter_csr) O(certops.vcenter.vcenter_csr#module:certificate=sts_signing)
        (the PATCH form of the API). On older vCenters it is required.
      - Never logged or returned.
    type: str
  private_key_passphrase:
    description:
      - Passphrase of an encrypted O(private_key). Never logged or returned.
    type: str
  remaining_days:
    description:
      - With O(state=refreshed), refresh when the active signing certificate has fewer than this many whole
        days left.
    type: int
    default: 30
  force:
    description:
      - With O(state=refreshed), refresh whatever the remaining validity. The task then always reports a change.
      - Only with O(state=refreshed).
    type: bool
    default: false
  force_refresh:
    description:
      - Passes the API's own C(force) flag to the refresh.
      - VMware documents it for domains with vCenters of mixed versions; forcing the refresh there may leave
        the other nodes of the domain broken until their services are restarted. Leave it off unless VMware
        support tells you otherwise.
      - Only with O(state=refreshed); it does not make a refresh happen (see O(force) for that).
    type: bool
    default: false
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
attributes:
  check_mode:
    description: Reads vCenter and reports what would change; sends no state-changing request.
    support: full
    details:
      - With O(state=refreshed) the new certificate is issued by vCenter during the refresh, so in check mode
        the C(after) side of the diff describes it in words instead of a certificate summary.
  diff_mode:
    description: Shows the active chain before and after as certificate summaries (never key material).
    support: full
  idempotent:
    description: A second run with the same options changes nothing.
    support: partial
    details:
      - O(state=present) is idempotent (compared by the leaf fingerprint).
      - O(state=refreshed) is idempotent as long as O(remaining_days) is below the validity vCenter gives the
        new certificate. With O(force=true) every run refreshes and reports a change.
notes:
  - The new signing certificate takes effect immediately for newly issued tokens; the API restarts no vCenter
    service, so the module does not wait. VMware's documentation still asks for a restart, which this module
    does not do; plan it. After a refresh "you must restart the vCenter Server system, and any other vCenter
    Server system that is part of an Enhanced Linked Mode configuration" (vSphere 7.0 Authentication,
    "Refresh the STS signing certificate using the vSphere Client"), and "If you used a forced refresh, you
    must restart your vCenter Server and all linked services" (vSphere 8.0 Automation SDKs Programming Guide).
  - In an SSO domain with vCenters of mixed versions vCenter may refuse a plain refresh and allow only a forced
    one (VMware KB 318197 "STS signing certificates are about to expire"); the module's error then points to
    O(force_refresh).
  - A refreshed certificate never ends after the VMCA root that issues it. When the active certificate already
    ends with its root, O(state=refreshed) reports no change and warns, instead of refreshing on every run.
  - Tokens signed earlier stay verifiable while their chain is still among RV(signing_chains).
  - With O(state=refreshed) vCenter issues the certificate under its own CA policy (VMCA); its subject and
    validity are vCenter's choice.
seealso:
  - module: certops.vcenter.vcenter_sts_signing_cert_info
  - module: certops.vcenter.vcenter_csr
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Refresh the STS signing certificate when it has fewer than 60 days left
  certops.vcenter.vcenter_sts_signing_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    state: refreshed
    remaining_days: 60

- name: Install a signing certificate issued by the corporate CA
  certops.vcenter.vcenter_sts_signing_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    state: present
    certificate_chain: "{{ lookup('ansible.builtin.file', 'sts-chain.pem') }}"
    private_key: "{{ lookup('ansible.builtin.file', 'sts-key.pem') }}"
    private_key_passphrase: "{{ vault_sts_key_passphrase }}"
  register: sts

- name: Show the new active signing certificate
  ansible.builtin.debug:
    msg: "STS signs with {{ sts.active_chain[0].subject }} until {{ sts.active_chain[0].not_after }}"

# vCenter 9.1.1 and later: the key never leaves vCenter.
- name: Have vCenter stage a key and make a CSR for the STS signing certificate
  certops.vcenter.vcenter_csr:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    certificate: sts_signing
    common_name: vc.example.com STS
  register: sts_csr

# ... have the CSR signed by your CA ...

- name: Install the signed chain for the staged key
  certops.vcenter.vcenter_sts_signing_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    state: present
    certificate_chain: "{{ lookup('ansible.builtin.file', 'sts-signed-chain.pem') }}"
'''

RETURN = r'''
active_chain:
  description:
    - The active signing chain after the task, leaf first, as certificate summaries.
    - In check mode nothing is changed, so this is the chain active now; the diff shows what would change.
    - "Each summary has the shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name), C(key_type), C(key_size), C(is_ca)."
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
previous_active_chain:
  description:
    - The signing chain that was active when the task started, as certificate summaries (same shape as
      RV(active_chain)). Equal to RV(active_chain) when nothing changed.
  returned: success
  type: list
  elements: dict
signing_chains:
  description:
    - Every chain vCenter accepts for verifying tokens after the task, newest first; each is a list of
      summaries (same shape as RV(active_chain)), leaf first.
  returned: success
  type: list
  elements: list
actions:
  description: What the task did (or would do in check mode).
  returned: changed
  type: list
  elements: str
  sample: ["refresh the STS signing certificate: it has 12 days left, fewer than remaining_days (30)"]
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils import _inputs
from ansible_collections.certops.vcenter.plugins.module_utils._cert_inventory import parse_chain, parse_sts
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    CertOpsError,
    InputError,
    NotFoundError,
    UnsupportedVersionError,
    VCenterError,
    STATE_CHANGED,
    STATE_UNCHANGED,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module

# With state=refreshed, vCenter makes the new certificate: check mode cannot know it.
REFRESH_AFTER_UNKNOWN = 'a new chain that vCenter issues (VMCA-signed) during the refresh'
PRESENT_ONLY = ('certificate_chain', 'private_key', 'private_key_passphrase')
REFRESHED_ONLY = ('force', 'force_refresh')

ARGUMENT_SPEC = dict(
    state=dict(type='str', default='present', choices=['present', 'refreshed']),
    # no_log: a private key pasted here by mistake must not reach logs or the registered result.
    certificate_chain=dict(type='str', no_log=True),
    private_key=dict(type='str', no_log=True),
    private_key_passphrase=dict(type='str', no_log=True),
    remaining_days=dict(type='int', default=30),
    force=dict(type='bool', default=False),
    force_refresh=dict(type='bool', default=False),
)


def _is_encrypted(key_pem):
    return '-----BEGIN ENCRYPTED PRIVATE KEY-----' in key_pem or 'Proc-Type: 4,ENCRYPTED' in key_pem


def leaf_sha256(certs):
    return _certs.fingerprint(certs[0]) if certs else None


class StsSigningCert(CertModule):
    operation = 'manage the STS signing certificate'

    def __init__(self, module):
        super(StsSigningCert, self).__init__(module)
        self.desired = None
        self.key_pem = None
        self._staged_checked = False

    # ---------------------------------------------------------------- input
    def validate(self):
        params = self.params
        for names, state in ((PRESENT_ONLY, 'present'), (REFRESHED_ONLY, 'refreshed')):
            given = _inputs.only_with(params, names, state)
            if given:
                raise InputError(self.operation, '%s is used only with state=%s' % (given[0], state))
        if params['state'] == 'refreshed':
            if params['remaining_days'] < 0:
                raise InputError(self.operation, 'remaining_days must be 0 or more, not %d' % params['remaining_days'])
            return
        if params.get('certificate_chain') is None:
            raise InputError(self.operation, 'state=present needs certificate_chain')
        certs = _inputs.load_chain(params['certificate_chain'], 'certificate_chain', numbered=True)
        self._require_digital_signature(certs[0])
        key = _inputs.load_key(params, 'private_key_passphrase is given but private_key is not')
        if key is not None:
            if params.get('private_key_passphrase') is not None and not _is_encrypted(params['private_key']):
                self.warnings.append('private_key is not encrypted, so private_key_passphrase was not used')
            # vCenter wants an unencrypted PKCS#8 PEM key (reference 4.5).
            self.key_pem = _inputs.pkcs8_for(key, certs[0], 'private_key does not match the leaf of certificate_chain '
                                             '(subject %s)')
        self.desired = certs

    def _require_digital_signature(self, leaf):
        usages = _certs.key_usage(leaf)
        # The API requires the digitalSignature key usage on the leaf (reference 4.5). A leaf without a
        # key usage extension at all is refused as well: the safest reading of that requirement.
        if usages is None or 'digitalSignature' not in usages:
            raise InputError(self.operation, (
                'the leaf of certificate_chain (subject %s) does not carry the digitalSignature key usage '
                '(it has: %s); vCenter needs it to sign tokens' % (
                    _certs.name_to_string(leaf.subject),
                    ', '.join(usages) if usages else 'no key usage extension')))

    # ---------------------------------------------------------------- state
    def read_current(self):
        current = parse_sts(self.api.get_signing_certificate())
        if self.desired is not None and self.key_pem is None and not self._staged_checked:
            self._require_staged_key_api()
        return current

    def _require_staged_key_api(self):
        try:
            self.api.require_sts_csr()
        except UnsupportedVersionError:
            if self.client.dialect != 'api':
                raise
            raise UnsupportedVersionError(
                self.operation, 'private_key can be omitted only on vCenter 9.1.1 or later, to use the key vCenter '
                'staged with vcenter_csr certificate=sts_signing; this vCenter is %s, so give private_key'
                % '.'.join(str(v) for v in self.client.version()))
        self._staged_checked = True

    def state_key(self, current):
        return leaf_sha256(current['active'])

    # ---------------------------------------------------------------- plan
    def compare(self, current):
        before = {'active_chain': _certs.summaries(current['active'])}
        leaf = current['active'][0] if current['active'] else None
        if self.params['state'] == 'present':
            return self._compare_present(before, leaf)
        reason, why_not = self._refresh_reason(current, leaf)
        if reason is None:
            return Plan(False, before=before, after=before, reason=why_not)
        action = 'refresh the STS signing certificate: %s' % reason
        if self.params['force_refresh']:
            action += ' (with the API force flag)'
        return Plan(True, actions=[action], before=before, after={'active_chain': REFRESH_AFTER_UNKNOWN})

    def _compare_present(self, before, leaf):
        wanted = leaf_sha256(self.desired)
        if leaf is not None and _certs.fingerprint(leaf) == wanted:
            return Plan(False, before=before, after=before,
                        reason='the leaf of certificate_chain is already the active signing certificate')
        if self.key_pem is None:
            action = 'install the STS signing chain %s for the key vCenter staged with its CSR' % wanted
        else:
            action = 'install the STS signing chain %s with the given private key' % wanted
        return Plan(True, actions=[action], before=before, after={'active_chain': _certs.summaries(self.desired)})

    def _refresh_reason(self, current, leaf):
        """``(why a refresh is due, None)``, or ``(None, why it is not)``."""
        remaining = self.params['remaining_days']
        if self.params['force']:
            return 'force is set', None
        if leaf is None:
            return 'vCenter reports no active signing certificate', None
        days = _certs.days_remaining(leaf)
        if days >= remaining:
            return None, 'the active signing certificate has %d days left (remaining_days: %d)' % (days, remaining)
        if len(current['active']) > 1 and _certs.capped_by_issuer(leaf, current['active'][-1]):
            self.warnings.append(
                'The STS signing certificate has %d days left, fewer than remaining_days (%d), but it already ends '
                'when its VMCA root ends, and vCenter never issues a certificate past its root: a refresh cannot '
                'extend it. Replace the VMCA root first (certops.vcenter.vcenter_vmca_root or the rotate_vmca '
                'role).' % (days, remaining))
            return None, 'a refresh cannot extend the certificate: it ends with its VMCA root'
        return 'it has %d days left, fewer than remaining_days (%d)' % (days, remaining), None

    # ---------------------------------------------------------------- change
    def apply(self, plan, current):
        if self.params['state'] == 'present':
            return self._install(current)
        return self._refresh(plan, current)

    def _install(self, current):
        pems = [_certs.certificate_pem(c) for c in self.desired]
        if self.key_pem is not None:
            self.api.set_signing_certificate(pems, self.key_pem)
        else:
            try:
                self.api.update_signing_certificate(pems)
            except NotFoundError as exc:
                # Reference 4.5: UpdateSpec answers NotFound when no key is staged.
                exc.reason += ('; vCenter has no staged key: generate one with certops.vcenter.vcenter_csr '
                               'certificate=sts_signing, have that CSR signed, then install the chain')
                raise
        # SigningCertificate.set takes effect immediately (reference 5): read back and check.
        after = self.read_current()
        if leaf_sha256(after['active']) != leaf_sha256(self.desired):
            raise CertOpsError(
                self.operation, 'vCenter accepted the chain, but the active signing certificate it reports '
                'afterwards is %s, not the leaf of certificate_chain' % leaf_sha256(after['active']),
                vcenter_state=self._state_between(current, after))
        return after

    def _refresh(self, plan, current):
        try:
            issued = self.api.refresh_signing_certificate(force=self.params['force_refresh'])
        except VCenterError as exc:
            if not self.params['force_refresh'] and exc.status == 500:
                # KB 318197: in an SSO domain with vCenters of mixed versions only a forced refresh is allowed
                exc.reason += ('. If this vCenter shares its SSO domain with vCenters of other versions, vCenter '
                               'allows only a forced refresh: set force_refresh: true, then restart this vCenter '
                               'and every linked vCenter (VMware KB 318197)')
            raise
        after = self.read_current()
        if leaf_sha256(after['active']) == leaf_sha256(current['active']):
            raise CertOpsError(
                self.operation, 'vCenter answered the refresh, but the active signing certificate did not change',
                vcenter_state=STATE_UNCHANGED)
        if issued and leaf_sha256(parse_chain(issued, 'refreshed STS chain')) != leaf_sha256(after['active']):
            self.warnings.append('vCenter returned one certificate from the refresh but reports another one as '
                                 'active; active_chain shows what vCenter reports')
        self._record_refresh(plan, after)
        return after

    def _state_between(self, current, after):
        return STATE_UNCHANGED if self.state_key(current) == self.state_key(after) else STATE_CHANGED

    @staticmethod
    def _record_refresh(plan, after):
        # The refreshed certificate is known only now: let the diff show it instead of the check-mode words.
        plan.after = {'active_chain': _certs.summaries(after['active'])}

    def compare_after_failure(self, plan, after):
        if self.params['state'] == 'refreshed':
            # Called only when the active leaf differs from the one before: a refresh happened.
            return True
        return super(StsSigningCert, self).compare_after_failure(plan, after)

    def after_recovered(self, plan, after):
        if self.params['state'] == 'refreshed':
            self._record_refresh(plan, after)
        return after

    # ---------------------------------------------------------------- result
    def result(self, plan, current, after):
        return {
            'active_chain': _certs.summaries(after['active']),
            'previous_active_chain': _certs.summaries(current['active']),
            'signing_chains': [_certs.summaries(chain) for chain in after['signing']],
        }


def main():
    run_module(StsSigningCert, ARGUMENT_SPEC)


if __name__ == '__main__':
    main()
