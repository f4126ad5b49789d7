#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_vmca_root
short_description: Replace the VMCA root certificate of vCenter when it does not satisfy the request
version_added: 0.1.0
description:
  - Makes vCenter's certificate authority (VMCA) generate a new self-signed root certificate
    (C(VmcaRoot.create)) when the current VMCA root does not have the subject fields and key size asked
    for, or has fewer than O(remaining_days) days left. Otherwise it changes nothing, so running the same
    task twice changes nothing the second time.
  - B(What vCenter does.) VMware's own SDK sample (vsphere-automation-sdk-python,
    C(samples/vsphere/vcenter/certificatemanagement/replace_vmca_root.py)) describes the operation as the
    "replacement of the VMCA ROOT certificate and regeneration of all the other certificates", and KB 438284
    (vCert) names the same operation "Replace VMCA certificate with a self-signed certificate and regenerate all
    certificates". So the machine SSL certificate is re-issued under the new root, B(also a custom CA-signed
    one). The module does not promise that a custom machine SSL certificate survives. It detects that it was
    regenerated, returns RV(machine_ssl_regenerated) and warns, so you can install your CA-signed certificate
    again with M(certops.vcenter.vcenter_tls_cert). Whether the STS signing chain is re-issued too is not
    documented; the module does not depend on it.
  - vCenter then restarts its services ("the services using the certificate will be restarted"), which after a
    regeneration of every certificate takes longer than after a machine SSL change (practitioners report 5-10
    minutes for the latter); O(wait_timeout) defaults to 30 minutes. The module finds the new root, waits until
    vCenter reports a machine SSL certificate issued by it (or, for a custom certificate that is not
    regenerated, a short while), and waits for vCenter to serve it (O(wait)).
  - B(vCenter's defaults) for the subject options not given (they are not sent, so vCenter applies them)
    are O(common_name) and O(subject_alt_name) the PNID (primary network identifier), O(organization)
    V(VMware), O(organization_unit) none, O(locality) V(Palo Alto), O(state_or_province) V(California),
    O(country) V(US), O(email_address) V(email@acme.com), O(key_size) V(3072).
  - Needs vCenter 7.0 or later (C(/api) or the legacy C(/rest) dialect); older versions get a clear error
    before anything is read.
  - B(How the current VMCA root is found.) The API has no read operation for the VMCA root, so the module
    works it out from what the VMCA has issued and from how VmcaRoot.create names a new root.
    (1) The trusted root that anchors the machine SSL certificate and the one that anchors the active STS
    signing chain (vCenter 7.0 U3 and later, C(/api) only) are candidates when their subject carries a VMCA
    mark (C(DC=vsphere), C(OU=VMware Engineering) or C(O=VMware)) or matches every subject option given to
    this task; a corporate root that anchors a custom machine SSL certificate does not count.
    (2) Any trusted self-signed CA certificate whose common name or a subject alternative name equals a name
    of the machine SSL certificate (its CN or a SAN) is a candidate, because VmcaRoot.create names a new root after
    the vCenter (its PNID) by default, whatever organization it is given. This finds a new root also when it has
    issued nothing visible yet.
    (3) The root vCenter made at install carries the VMCA marks and C(O=<PNID>); when its organization is a
    name of the machine SSL certificate it is a candidate too (so it is found in "hybrid mode", with a corporate
    machine SSL certificate and a corporate or missing STS chain).
    (4) In an Enhanced Linked Mode SSO domain the trust store is domain-wide (KB 326288), so it holds the VMCA
    roots of the other vCenters (C(O=<their PNID>), or named after them), and the STS signing chain may be
    anchored by one of them. A VMCA root that names another node and does not anchor this vCenter's machine
    SSL certificate is never this vCenter's VMCA root, however new.
    (5) Of the candidates, the newest (latest start of validity) is the current VMCA root.
    M(certops.vcenter.vcenter_trusted_root_info) and the guard rails of
    M(certops.vcenter.vcenter_trusted_root) use the same rule, without the subject options of a task.
  - When there is no candidate (for example a custom machine SSL certificate on a vCenter before 7.0 U3),
    the module cannot tell which root is current. It then fails and says why, and replaces the root only
    with O(force=true).
  - B(When the current root satisfies the request.) Every subject option given (O(common_name),
    O(organization), O(organization_unit), O(locality), O(state_or_province), O(country),
    O(email_address), O(subject_alt_name)) matches the root, O(key_size) (when given) equals its key size,
    and it has at least O(remaining_days) days left. Options not given are not compared.
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._attributes
  - certops.vcenter._subject
  - certops.vcenter._wait
options:
  wait_timeout:
    description:
      - Seconds to wait for vCenter to come back after the replacement, which regenerates every certificate
        and restarts vCenter's services.
    type: int
    default: 1800
  remaining_days:
    description:
      - Replace the root when it has fewer days left than this.
      - To replace the root unconditionally, set it above the root's remaining lifetime (the task then
        changes on every run).
    type: int
    default: 30
  force:
    description:
      - Replace the VMCA root even though the module cannot tell which trusted root is the current one
        (see the description). Has no effect when the current root is identified.
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads vCenter and reports whether it would replace the root; sends no state-changing request.
    support: full
  diff_mode:
    description:
      - C(before) is the current VMCA root; C(after) is the C(create_spec) that would be sent and, after a
        real run, the new root (V(null) in check mode, where it does not exist yet).
    support: full
  idempotent:
    description:
      - Idempotent as long as the current root can be identified (see the description) and O(remaining_days)
        is below a new root's lifetime.
    support: full
notes:
  - With O(vcenter_validate_certs=true) the module never sends credentials over a connection it cannot
    verify. When vCenter re-issues its machine SSL certificate under the new root (VMware's sample and
    KB 438284, every certificate is regenerated, a custom one too), that certificate no longer verifies
    against O(vcenter_ca_path), so the module cannot log in again to read the new root back. It then returns
    RV(vmca_root=null) with a warning, after waiting (within O(wait_timeout), sending no credentials) until
    vCenter's services answer its unauthenticated C(GET /certs/download.zip) again, so the restart is over
    when the task ends. Add the new root to O(vcenter_ca_path) (download it from
    C(https://<vcenter>/certs/download.zip) and check it, for example with
    M(certops.vcenter.vcenter_root_ca_bundle)) and rerun the task, which reports no change and returns the
    root. When the machine SSL certificate still verifies (a custom certificate from your own CA
    that this vCenter did not regenerate), the module reads the new root back, trusts it for the rest of the
    task and waits for vCenter.
  - With O(vcenter_validate_certs=false) the module reads the new root back after the restart and waits
    until vCenter serves the re-issued machine SSL certificate.
  - The previous root stays in the trust store, so certificates it issued (for example the STS signing
    chain) keep working. Remove it later with M(certops.vcenter.vcenter_trusted_root) once nothing
    depends on it.
seealso:
  - module: certops.vcenter.vcenter_trusted_root_info
  - module: certops.vcenter.vcenter_trusted_root
  - module: certops.vcenter.vcenter_tls_cert
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Make sure the VMCA root has the corporate subject, a 4096-bit key and a year left
  certops.vcenter.vcenter_vmca_root:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vmca-root.pem
    organization: Example Corp
    organization_unit: Virtualisation
    country: DE
    key_size: 4096
    remaining_days: 365
  register: vmca

- name: Show the current VMCA root
  ansible.builtin.debug:
    msg: "VMCA root {{ vmca.vmca_root.subject | default('not read back') }}"
'''

RETURN = r'''
vmca_root:
  description:
    - Summary of the VMCA root after the task (the new root after a replacement).
    - V(null) in check mode when a replacement is planned, with O(wait=false) after a replacement, and when
      the new root could not be read back (see the notes).
    - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name) (list like C(DNS:vc.example.com)), C(key_type),
      C(key_size), C(is_ca)."
  returned: success
  type: dict
  sample:
    subject: CN=vc.example.com,C=US,ST=California,L=Palo Alto,O=Example Corp
    issuer: CN=vc.example.com,C=US,ST=California,L=Palo Alto,O=Example Corp
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
machine_ssl_regenerated:
  description:
    - Whether the replacement regenerated a custom (not VMCA-issued) machine SSL certificate. V(true) when
      vCenter now reports (or serves) another certificate than the custom one it had, V(false) when the custom
      certificate stayed, V(null) when the certificate was VMCA-issued before (it is always re-issued), when
      nothing was replaced, in check mode and with O(wait=false).
    - When V(true) the module also warns; install your CA-signed certificate again with
      M(certops.vcenter.vcenter_tls_cert) O(certops.vcenter.vcenter_tls_cert#module:state=present).
  returned: success
  type: bool
previous_vmca_root:
  description:
    - Summary of the VMCA root before the task (same as RV(vmca_root) when nothing changed); V(null) when
      it could not be identified.
  returned: success
  type: dict
identified_by:
  description: How the module found the current VMCA root, or why it could not.
  returned: success
  type: str
  sample: "the VMCA root is the trusted root CN=CA,DC=vsphere,DC=local,... that anchors the machine SSL certificate"
reasons:
  description: Why the root is (or would be) replaced; empty when it satisfies the request.
  returned: success
  type: list
  elements: str
  sample: ["organization is 'VMware', wanted 'Example Corp'", "key_size is 3072, wanted 4096"]
actions:
  description: What the task did (or would do in check mode).
  returned: when changed
  type: list
  elements: str
diff:
  description: C(before) and C(after), see the diff_mode attribute.
  returned: in diff mode
  type: dict
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import subject_spec
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    CertOpsError,
    ConnectionFailure,
    InputError,
    WaitTimeoutError,
    STATE_CHANGED,
    STATE_UNCHANGED,
)
from ansible_collections.certops.vcenter.plugins.module_utils._argspec import (
    subject_argument_spec,
    wait_argument_spec,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module
from ansible_collections.certops.vcenter.plugins.module_utils._wait import Deadline, NotYet, poll
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    anchor,
    fingerprint_der,
    read_anchor_state,
    served_sha256,
    trusted_certs,
)

# A vCenter may leave a new root out of the chain list for a few seconds after creating it [FIELD];
# look for it this long once vCenter answers again, then stop waiting for it.
NEW_ROOT_SETTLE_SECONDS = 30
# Once the new root is listed, how long a custom machine SSL certificate may take to be regenerated under it before
# it is taken as kept (the vCenters that regenerate every certificate do it during the restart).
CUSTOM_CERT_SETTLE_SECONDS = 30
POLL_INTERVAL = 1.0


class NewRootWatch(object):
    """The wait after VmcaRoot.create, one read of vCenter per poll: has the new root appeared in the trusted root
    chains, and has the machine SSL certificate been re-issued under it (a custom one: been given the time to be)."""

    def __init__(self, api, marks, current, deadline, expect_reissue):
        self.api = api
        self.marks = marks
        self.old_fps = _certs.fingerprint_set(trusted_certs(current['chains']))
        self.deadline = deadline
        self.expect_reissue = expect_reissue
        self.state = None  # vCenter as last read
        self.root = None  # the new root, once found
        self.settle = None  # how long the new root may take to be listed, from vCenter's first answer on
        self.custom = None  # how long a custom certificate may take to be regenerated, once the new root is listed

    def attempt(self):
        """'settled', 'unverifiable' (vCenter's certificate no longer verifies), or NotYet."""
        try:
            state = read_anchor_state(self.api, extra_marks=self.marks)
        except ConnectionFailure as exc:
            if not exc.tls_verification:
                raise
            return 'unverifiable'
        self.state = state
        if self.settle is None:
            self.settle = Deadline(NEW_ROOT_SETTLE_SECONDS)
        self.root = self.new_root(state)
        if self.root is None:
            if self.settle.expired():
                return 'settled'
            raise NotYet('the new VMCA root is not in the trusted root chains yet')
        if self._certificate_settled(state['tls_cert']):
            return 'settled'
        raise NotYet('vCenter still reports the previous machine SSL certificate')

    def new_root(self, state):
        """The root the replacement made: new in the store, anchoring the re-issued machine SSL certificate,
        or else the VMCA root the documented rule finds, when that is new."""
        tls_anchor = anchor([state['tls_cert']], state['chains'])
        if tls_anchor is not None and _certs.fingerprint(tls_anchor) not in self.old_fps:
            return tls_anchor
        root = state['vmca_root']
        if root is not None and _certs.fingerprint(root) not in self.old_fps:
            return root
        return None

    def _certificate_settled(self, tls_cert):
        """Re-issued under the new root; or, for a custom certificate, not regenerated within its settle time. A
        custom certificate is regenerated too (SDK sample, KB 438284) on the vCenters that do so: give it the
        settle time to show before taking it as kept."""
        if _certs.is_issued_by(tls_cert, self.root):
            return True
        if self.expect_reissue:
            return False
        if self.custom is None:
            self.custom = Deadline(min(CUSTOM_CERT_SETTLE_SECONDS, self.deadline.remaining() / 3))
        return self.custom.expired()


class VmcaRoot(CertModule):
    operation = 'replace the VMCA root certificate'

    def __init__(self, module):
        super(VmcaRoot, self).__init__(module)
        self.desired = None
        self.marks = None
        self.spec = None

    # ------------------------------------------------------------------ input
    def validate(self):
        try:
            self.desired = _certs.subject_request(self.params)
        except _certs.CertificateInputError as exc:
            raise InputError(self.operation, str(exc))
        if self.params['remaining_days'] < 0:
            raise InputError(self.operation, 'remaining_days must be 0 or more, got %d' % self.params['remaining_days'])
        if self.params['wait'] and self.params['wait_timeout'] < 1:
            raise InputError(self.operation, 'wait_timeout must be at least 1 second')
        # The subject asked for also marks a root as a VMCA root (a root made with a custom organization).
        self.marks = dict((k, v) for k, v in self.desired.items() if v is not None) or None
        self.spec = subject_spec(self.desired, self.params['key_size'], required_strings=False)

    # ------------------------------------------------------------------ read
    def read_current(self):
        self.api.require_vmca_root()  # a clear version error (6.7) before anything else is read
        return read_anchor_state(self.api, extra_marks=self.marks)

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        root = current['vmca_root']
        before = {'vmca_root': _certs.summary(root) if root is not None else None}
        if root is None:
            if not self.params['force']:
                raise CertOpsError(self.operation, 'cannot tell which trusted root is the current VMCA root: %s. '
                                   'Set force: true to replace the VMCA root anyway' % current['vmca_reason'],
                                   vcenter_state=STATE_UNCHANGED)
            reasons = ['the current VMCA root cannot be identified (%s) and force is set' % current['vmca_reason']]
        else:
            reasons = _certs.subject_mismatches(root, self.desired, self.params['key_size'])
            days = _certs.days_remaining(root)
            if days < self.params['remaining_days']:
                reasons.append('it has %d days left, fewer than remaining_days (%d)' % (days, self.params['remaining_days']))
        if not reasons:
            return Plan(False, before=before, after=before, reasons=[])
        if not self._vmca_issued(current):
            self.warnings.append(
                'The machine SSL certificate (issued by %s) is not VMCA-issued. VMware documents the VMCA root '
                'replacement as "replacement of the VMCA ROOT certificate and regeneration of all the other '
                'certificates" (SDK sample replace_vmca_root.py; KB 438284), so vCenter may replace it with a '
                'VMCA-signed certificate under the new root; install your CA-signed certificate again afterwards '
                'with certops.vcenter.vcenter_tls_cert state=present' % _certs.name_to_string(current['tls_cert'].issuer))
        after = {'vmca_root': None, 'create_spec': self.spec}
        return Plan(True, actions=['create a new VMCA root'], before=before, after=after, reasons=reasons)

    @staticmethod
    def _vmca_issued(current):
        previous = current['vmca_root']
        old_anchor = anchor([current['tls_cert']], current['chains'])
        return previous is not None and old_anchor is not None and \
            _certs.fingerprint(old_anchor) == _certs.fingerprint(previous)

    # ------------------------------------------------------------------ apply
    def apply(self, plan, current):
        self.api.create_vmca_root(self.spec)
        if not self.params['wait']:
            return {'vmca_root': None, 'regenerated': None}
        new_root, regenerated = self._wait_for_new_root(current)
        plan.after['vmca_root'] = _certs.summary(new_root) if new_root is not None else None
        if regenerated:
            self.warnings.append(
                'The VMCA root replacement regenerated the custom machine SSL certificate (issued by %s): vCenter '
                'now uses a VMCA-signed certificate under the new root, as VMware documents the operation '
                '("regeneration of all the other certificates", SDK sample replace_vmca_root.py; KB 438284). '
                'Install your CA-signed certificate again with certops.vcenter.vcenter_tls_cert state=present.'
                % _certs.name_to_string(current['tls_cert'].issuer))
        return {'vmca_root': new_root, 'regenerated': regenerated}

    def _wait_for_new_root(self, current):
        """After VmcaRoot.create: read the new root back over a verified connection, trust it, wait for vCenter."""
        deadline = Deadline(self.params['wait_timeout'])
        # [INF] A VMCA-issued machine SSL certificate is re-issued under the new root (reference §5 infers it from
        # certificate-manager; the simulator does it). Safest reading: when the previous certificate was
        # VMCA-issued, keep polling until vCenter reports one issued by the new root (or wait_timeout ends),
        # rather than waiting for a certificate that is about to be replaced.
        expect_reissue = self._vmca_issued(current)
        custom_fp = None if expect_reissue else _certs.fingerprint(current['tls_cert'])
        self.client.forget_session()  # vCenter restarts its services; the session dies with them
        watch = NewRootWatch(self.api, self.marks, current, deadline, expect_reissue)
        outcome, last = poll(watch.attempt, deadline, interval=POLL_INTERVAL)
        if outcome is None:
            raise WaitTimeoutError(self.operation, 'vCenter accepted the new VMCA root but could not be read back '
                                   'within wait_timeout (%ss): %s. The change WAS applied; check vCenter and rerun '
                                   'the task' % (self.params['wait_timeout'], last), vcenter_state=STATE_CHANGED)
        if outcome == 'unverifiable':
            return None, self._wait_out_unverifiable(deadline, custom_fp)
        return self._trust_and_wait(watch.state, watch.root, custom_fp, deadline)

    def _wait_out_unverifiable(self, deadline, custom_fp):
        """vCenter's certificate no longer verifies: wait without credentials and warn; returns whether a custom
        machine SSL certificate was regenerated (None when not custom, or not known)."""
        # The restart goes on for minutes on a real vCenter: wait it out without credentials, so the next task
        # (or the user who adds the new root to vcenter_ca_path) does not meet a vCenter still restarting.
        back, last = self.client.wait_until_answering_anonymously(deadline)
        self._warn_unverifiable(back, last)
        if custom_fp is None:
            return None
        # the TLS port now presents a certificate that does not verify: read it (observation only)
        served = served_sha256(self.api)
        return None if served is None else served != custom_fp

    def _trust_and_wait(self, state, new_root, custom_fp, deadline):
        """vCenter was read back: trust the new root, and wait until the TLS port serves the machine SSL certificate
        vCenter reports. Returns ``(new root, regenerated)``."""
        regenerated = None if custom_fp is None else _certs.fingerprint(state['tls_cert']) != custom_fp
        if new_root is None:
            self.warnings.append('The VMCA root was replaced, but the new root could not be identified in the trusted '
                                 'root chains (%s); vmca_root is not returned.' % state['vmca_reason'])
        else:
            # The new root was read over a verified connection: trust it for the rest of the task.
            self.client.trust_additional([_certs.certificate_pem(new_root)])
        self.client.wait_until_serving(_certs.fingerprint(state['tls_cert']), self.operation, deadline,
                                       fingerprint_der, ready=self.api.get_tls)
        return new_root, regenerated

    def _warn_unverifiable(self, back, last):
        if back:
            waited = ('It waited, sending no credentials, until vCenter\'s services answered again (GET '
                      '/certs/download.zip): the restart is over.')
        else:
            waited = ('It waited, sending no credentials, for vCenter\'s services to answer again, but they did not '
                      'within wait_timeout (%ss: %s): the restart may still be running.' % (
                          self.params['wait_timeout'], last))
        self.warnings.append(
            'The VMCA root was replaced. vCenter now presents a certificate that does not verify against '
            'vcenter_ca_path (it was re-issued under the new VMCA root), so this task did not log in again and did '
            'not read the new root back: it never sends credentials over a connection it cannot verify. %s Add the '
            'new VMCA root to vcenter_ca_path (download it from https://%s/certs/download.zip and check it, for '
            'example with certops.vcenter.vcenter_root_ca_bundle and expected_sha256) and rerun the task; the rerun '
            'reports no change and returns the root.' % (waited, self._address()))

    def _address(self):
        host = self.params['vcenter_hostname']
        if ':' in host and not host.startswith('['):
            host = '[%s]' % host
        port = self.params['vcenter_port'] or 443
        return host if port == 443 else '%s:%d' % (host, port)

    def state_key(self, current):
        root = current.get('vmca_root')
        return (_certs.fingerprint(root) if root is not None else None,
                _certs.fingerprint_set(trusted_certs(current['chains'])))

    def compare_after_failure(self, plan, after):
        try:
            return not self.compare(after).changed
        except CertOpsError:
            return False

    # ------------------------------------------------------------------ result
    def result(self, plan, current, after):
        previous = current['vmca_root']
        if plan.changed:
            now = after['vmca_root'] if after is not current else None
        else:
            now = previous
        return {
            'vmca_root': _certs.summary(now) if now is not None else None,
            'previous_vmca_root': _certs.summary(previous) if previous is not None else None,
            'identified_by': current['vmca_reason'],
            'reasons': plan.reasons,
            'machine_ssl_regenerated': after.get('regenerated') if plan.changed and after is not current else None,
        }


def main():
    spec = subject_argument_spec()
    spec.update(wait_argument_spec())
    spec.update(
        # a replacement regenerates every certificate: a longer restart than a machine SSL change
        wait_timeout=dict(type='int', default=1800),
        remaining_days=dict(type='int', default=30),
        force=dict(type='bool', default=False),
    )
    run_module(VmcaRoot, spec)


if __name__ == '__main__':
    main()
