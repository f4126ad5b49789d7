#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_tls_cert
short_description: Manage the vCenter machine SSL certificate
version_added: 0.1.0
description:
  - Makes vCenter use a custom CA-signed machine SSL (TLS) certificate (O(state=present)), replaces it with
    a certificate signed by the VMware Certificate Authority (VMCA) (O(state=vmca_signed)), or renews the
    VMCA-issued certificate when it is about to expire (O(state=renewed)).
  - Every change restarts vCenter services. With O(wait=true) (the default) the module then waits until
    vCenter serves the new certificate and accepts a fresh login.
  - Input is checked before anything is sent to vCenter; each problem is reported by name.
  - Works on vCenter 6.7 U2 and later through C(/api) or the legacy C(/rest) dialect; O(state=vmca_signed)
    needs vCenter 7.0 or later.
options:
  state:
    description:
      - V(present) installs the custom CA-signed certificate O(certificate). Nothing changes when vCenter
        already uses a certificate with the same SHA-256 fingerprint; that check costs one login, one read
        of the certificate and a logout.
      - V(vmca_signed) replaces the certificate with a VMCA-signed one with the subject options given. Nothing
        changes when the current certificate is issued by the current VMCA root, matches every subject option
        that was given (and O(subject_alt_name) and O(key_size) when given), and has at least
        O(remaining_days) left.
      - V(renewed) renews the VMCA-issued certificate for O(duration) days when it has fewer than
        O(remaining_days) days left. A certificate not issued by the VMCA is refused before any change.
    type: str
    choices: [present, vmca_signed, renewed]
    default: present
  certificate:
    description:
      - With O(state=present), required. The certificate in PEM, optionally followed by its intermediate CA
        certificates (leaf first, then each issuer).
      - It must be valid now, and its subject alternative names must include vCenter's primary network
        identifier (PNID), which vCenter requires. The PNID is read from vCenter (its current machine SSL
        certificate), only when a change is coming; it is not taken from O(vcenter_hostname), so connecting by
        IP address or by an alias works. See O(skip_san_check).
      - When its subject alternative names do not include O(vcenter_hostname), the module warns that clients that
        connect by that name will reject the certificate.
    type: str
  private_key:
    description:
      - With O(state=present), the private key of O(certificate) in PEM (PKCS#1, SEC1 or PKCS#8). It is sent to
        vCenter as unencrypted PKCS#8.
      - Omit it to use the private key vCenter kept when it generated the CSR for O(certificate)
        (M(certops.vcenter.vcenter_csr)).
    type: str
  private_key_passphrase:
    description:
      - Passphrase of an encrypted O(private_key). The key is decrypted here; vCenter receives it unencrypted
        over the TLS connection.
    type: str
  root_certificate:
    description:
      - With O(state=present), the CA certificates (PEM) that O(certificate) chains up to - the root, optionally
        with intermediate CA certificates, in any order. Needed when vCenter does not trust that root yet.
      - Every CA certificate given must have the CA flag and the keyCertSign key usage, as vCenter requires.
      - How the CA certificates reach vCenter follows the three cases VMware's SDK documents for C(Tls.set).
        With O(private_key) and a root vCenter does not trust yet, the intermediates are sent after the leaf
        and the intermediates and the root as the C(root_cert) of the request, as the public clients that
        work against real vCenters do; vCenter then trusts them. Without O(private_key) (a CSR made on
        vCenter), on vCenter 6.7, or when vCenter already trusts the root, the module first adds the missing
        CA certificates through the trusted-root API and never sends C(root_cert).
    type: str
  duration:
    description:
      - With O(state=renewed), the validity of the renewed certificate in days, from 1 to 730.
    type: int
    default: 730
  remaining_days:
    description:
      - With O(state=vmca_signed) and O(state=renewed), the certificate is replaced or renewed when it has
        fewer than this many days left.
      - With O(state=renewed) it must be smaller than O(duration), or every run would renew again.
      - vCenter never issues a certificate past the end of its VMCA root. When the certificate already ends with
        the VMCA root, O(state=renewed) reports no change and warns that the VMCA root must be replaced, instead
        of renewing on every run.
    type: int
    default: 30
  force:
    description:
      - Replace (O(state=vmca_signed)) or renew (O(state=renewed)) even when the current certificate satisfies
        the request.
      - With O(state=present) it has no effect (with a warning) when vCenter already uses O(certificate), because
        vCenter refuses to install the certificate it already uses.
    type: bool
    default: false
  skip_san_check:
    description:
      - Skip both checks of the subject alternative names of O(certificate) (O(state=present)) or of
        O(subject_alt_name) (O(state=vmca_signed)) - the refusal when they lack vCenter's PNID, and the warning
        when they lack O(vcenter_hostname) - and let vCenter decide.
      - The PNID is read from vCenter's current machine SSL certificate - its common name when that is among
        its own subject alternative names (as on a VMCA-issued certificate), otherwise any of those names. Use
        this option when that reading is wrong for your vCenter; vCenter still refuses a certificate without
        its PNID, and nothing changes then.
    type: bool
    default: false
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._subject
  - certops.vcenter._wait
  - certops.vcenter._attributes
attributes:
  check_mode:
    description:
      - Reads vCenter and predicts exactly what a real run would do, including refusals; sends no
        state-changing request.
    support: full
  diff_mode:
    description:
      - Returns before/after certificate summaries (never key material). In check mode, for
        O(state=vmca_signed) and O(state=renewed), C(after) holds only the facts known before vCenter issues
        the certificate.
    support: full
  idempotent:
    description:
      - Compares certificate facts (fingerprint; issuer, subject, SANs, key size and days left), never PEM text.
      - O(force=true) with O(state=vmca_signed) or O(state=renewed) changes the certificate on every run.
    support: full
notes:
  - The subject options (O(common_name) to O(key_size)) apply only to O(state=vmca_signed); O(certificate),
    O(private_key), O(private_key_passphrase) and O(root_certificate) only to O(state=present). Giving them
    with another state is an error.
  - With O(state=vmca_signed), O(organization), O(locality), O(state_or_province), O(country) and
    O(email_address) are required, because vCenter's API (C(Tls.ReplaceSpec)) requires them; the task is
    refused before any request without them. O(organization_unit) may be left out; it is then sent as an
    empty string, which the API documents as unset.
  - With O(state=vmca_signed) and O(subject_alt_name), the names must include vCenter's PNID, read from
    vCenter as for O(certificate), when a change is coming.
  - After a change the module also trusts, for the rest of the task, the root of the new certificate
    (O(root_certificate), the root vCenter trusts that issued O(certificate), or the VMCA root), so TLS
    verification stays on while it waits. Later tasks need that root in O(vcenter_ca_path).
  - Whether a certificate is VMCA-issued is decided from vCenter's trusted roots and the active STS signing
    chain; see M(certops.vcenter.vcenter_tls_cert_info).
  - vCenter restarts services after every change; plan a maintenance window.
  - In an Enhanced Linked Mode SSO domain every vCenter has its own machine SSL certificate, so this module
    changes only the vCenter it connects to (one inventory host per vCenter). What it adds to the trust store
    for O(root_certificate) is domain-wide, like every trusted root (it is published to the directory
    service and synchronised into VECS, KB 326288).
  - Check mode cannot foresee what vCenter alone knows and checks only when the change is sent, for example
    whether it still holds the key of the CSR for O(certificate) when O(private_key) is omitted (each new CSR
    replaces that key). The PNID check is predicted from the PNID read from vCenter (see O(skip_san_check)).
seealso:
  - module: certops.vcenter.vcenter_tls_cert_info
  - module: certops.vcenter.vcenter_csr
  - module: certops.vcenter.vcenter_trusted_root
  - name: vCenter certificate management API (Tls)
    description: VMware's reference of the machine SSL certificate operations.
    link: https://developer.broadcom.com/xapis/vsphere-automation-api/latest/vcenter/certificate_management/
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Generate a CSR on vCenter (vCenter keeps the private key)
  certops.vcenter.vcenter_csr:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    common_name: vc.example.com
    organization: Example
    locality: Berlin
    state_or_province: Berlin
    country: DE
    email_address: pki@example.com
    subject_alt_name: [vc.example.com]
    dest: /srv/pki/vc.example.com.csr

- name: Install the certificate the CA issued for that CSR, with the CA's root
  certops.vcenter.vcenter_tls_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    state: present
    certificate: "{{ lookup('ansible.builtin.file', '/srv/pki/vc.example.com.crt') }}"
    root_certificate: "{{ lookup('ansible.builtin.file', '/srv/pki/example-root.crt') }}"
  register: machine_ssl

- name: Keep the previous certificate for a rollback
  ansible.builtin.copy:
    content: "{{ machine_ssl.previous_certificate.pem }}"
    dest: /srv/pki/vc.example.com.previous.crt
    mode: "0644"

- name: Install a certificate together with its private key
  certops.vcenter.vcenter_tls_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    certificate: "{{ lookup('ansible.builtin.file', '/srv/pki/vc-fullchain.crt') }}"
    private_key: "{{ vault_vc_private_key }}"
    root_certificate: "{{ lookup('ansible.builtin.file', '/srv/pki/example-root.crt') }}"

- name: Go back to a VMCA-signed certificate
  certops.vcenter.vcenter_tls_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    state: vmca_signed
    common_name: vc.example.com
    organization: Example
    locality: Berlin
    state_or_province: Berlin
    country: DE
    email_address: pki@example.com
    subject_alt_name: [vc.example.com]
    key_size: 3072

# vCenter checks the new certificate against its PNID (vc.example.com), not against the address you connect to;
# the module warns that clients connecting by 192.0.2.10 will reject it, and verifies it for the PNID while waiting.
- name: Connect by IP address, install a certificate that names only vCenter's PNID
  certops.vcenter.vcenter_tls_cert:
    vcenter_hostname: 192.0.2.10
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    certificate: "{{ lookup('ansible.builtin.file', '/srv/pki/vc.example.com.crt') }}"
    private_key: "{{ vault_vc_private_key }}"
    root_certificate: "{{ lookup('ansible.builtin.file', '/srv/pki/example-root.crt') }}"

- name: Renew the VMCA-signed certificate when it has less than 60 days left
  certops.vcenter.vcenter_tls_cert:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    state: renewed
    remaining_days: 60
    duration: 730
'''

RETURN = r'''
certificate:
  description:
    - Summary of the machine SSL certificate vCenter uses after the task, with C(pem). In check mode, the one it
      uses now (nothing was changed).
    - "The summary shape used by every module of this collection: C(subject), C(issuer), C(serial_number),
      C(not_before), C(not_after) (ISO 8601 UTC), C(days_remaining), C(fingerprints) (C(sha1) and C(sha256),
      upper-case colon-separated hex), C(subject_alt_name) (list like C(DNS:vc.example.com)), C(key_type),
      C(key_size), C(is_ca)."
    - Null only when O(wait=false) and vCenter could not be read right after the change (a warning says so).
  returned: success
  type: dict
  sample:
    subject: CN=vc.example.com,O=Example,C=DE
    issuer: CN=Example Root CA,O=Example
    serial_number: 4F1A2B
    not_before: "2026-01-01T00:00:00Z"
    not_after: "2027-01-01T00:00:00Z"
    days_remaining: 300
    fingerprints:
      sha1: "AB:CD:..."
      sha256: "01:23:..."
    subject_alt_name: ["DNS:vc.example.com"]
    key_type: RSA
    key_size: 3072
    is_ca: false
    pem: "-----BEGIN CERTIFICATE-----..."
previous_certificate:
  description:
    - Summary of the certificate vCenter used before the task, with C(pem) (same shape as RV(certificate)), so a
      playbook can keep it for a rollback. Equal to RV(certificate) when nothing changed.
  returned: success
  type: dict
actions:
  description: What the task did (or, in check mode, would do), with the reason.
  returned: when changed
  type: list
  elements: str
  sample: ["replace the machine SSL certificate"]
'''

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils import _inputs
from ansible_collections.certops.vcenter.plugins.module_utils._argspec import (
    SUBJECT_OPTION_NAMES,
    subject_argument_spec,
    wait_argument_spec,
)
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import subject_spec
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    ConnectionFailure,
    InputError,
    VCenterError,
    WaitTimeoutError,
    STATE_CHANGED,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module
from ansible_collections.certops.vcenter.plugins.module_utils._wait import Deadline, is_restarting, poll
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    anchor,
    fingerprint_der,
    has_vmca_marks,
    machine_ssl_state,
    trust_store,
    trusted_certs,
)

PRESENT_ONLY = ('certificate', 'private_key', 'private_key_passphrase', 'root_certificate')
MAX_DURATION = 730


class _MachineSsl(CertModule):
    """What every state shares: the checks of the options every state has, the checks of the names of the new
    certificate, and after a change: trust its root, wait until vCenter serves it, the result."""

    def __init__(self, module):
        super(_MachineSsl, self).__init__(module)
        self.hostname_missing = False  # the new SANs lack vcenter_hostname (a warning says so)
        self.pnid = None               # the PNID the new SANs hold, when it was checked (_check_pnid)

    # ------------------------------------------------------------------ input
    def validate(self):
        """The checks of every state; each state family adds its own after these."""
        p = self.params
        self.protect_pasted_keys('certificate', 'root_certificate')
        for names, state in ((PRESENT_ONLY, 'present'), (SUBJECT_OPTION_NAMES, 'vmca_signed')):
            given = _inputs.only_with(p, names, state)
            if given:
                raise InputError(self.operation, '%s only apply to state=%s' % (', '.join(given), state))
        if p['remaining_days'] < 0:
            raise InputError(self.operation, 'remaining_days must be 0 or more, got %d' % p['remaining_days'])
        if not 1 <= p['duration'] <= MAX_DURATION:
            raise InputError(self.operation, 'duration must be between 1 and %d days (vCenter\'s limit), got %d'
                             % (MAX_DURATION, p['duration']))
        if p['wait_timeout'] < 0:
            raise InputError(self.operation, 'wait_timeout must be 0 or more, got %d' % p['wait_timeout'])

    def _warn_hostname(self, sans, what):
        """vcenter_hostname missing from the new SANs: vCenter accepts that (it checks its PNID, see _check_pnid),
        but clients that connect by that name will reject the certificate."""
        hostname = self.params['vcenter_hostname']
        if self.params['skip_san_check'] or _certs.hostname_in_sans(hostname, sans):
            return
        self.hostname_missing = True
        kind = 'IP address' if _certs.is_ip_address(hostname) else 'name'
        self.warnings.append(
            '%s (%s) do not include vcenter_hostname %s: clients that connect to vCenter by that %s and verify '
            'its certificate will reject it. Connect by a name the certificate holds (vCenter\'s PNID), or add '
            '%s to the certificate; skip_san_check: true silences this warning.'
            % (what, ', '.join(sans) or 'none', hostname, kind, hostname))

    def _check_pnid(self, current, sans, what):
        """On the change path: vCenter refuses a machine SSL certificate whose SANs lack its PNID ("DNS Name must
        contain machine FQDN", vcenter-fidelity.md row 4); refuse it here, after the one read that tells the PNID
        (the current certificate, see _certs.pnid_from_certificate) and before any state-changing request."""
        if self.params['skip_san_check']:
            return
        names, exact = _certs.pnid_from_certificate(current['certificate'])
        present = [name for name in names if _certs.name_in_sans(name, sans)]
        if present:
            self.pnid = present[0]
            return
        if not names:
            self.warnings.append(
                'vCenter\'s PNID could not be read from its current machine SSL certificate (it names no DNS '
                'name or IP address), so whether %s hold it was not checked; vCenter refuses the change if not.'
                % what)
            return
        if exact:
            told = ('vCenter\'s PNID (primary network identifier) %s, the name vCenter requires in the subject '
                    'alternative names of its machine SSL certificate' % names[0])
        else:
            told = ('any name of vCenter\'s current machine SSL certificate (%s); one of them is vCenter\'s PNID '
                    '(primary network identifier), the name vCenter requires in the subject alternative names of '
                    'its machine SSL certificate' % ', '.join(names))
        raise InputError(self.operation, (
            '%s (%s) do not include %s ("DNS Name must contain machine FQDN"); vCenter would refuse the certificate. '
            'The PNID was read from the current machine SSL certificate, not taken from vcenter_hostname. Add it, '
            'or set skip_san_check: true to let vCenter decide') % (what, ', '.join(sans) or 'none', told))

    # ------------------------------------------------------------------ read
    def state_key(self, current):
        return current['sha256']

    # ------------------------------------------------------------------ change
    def after_recovered(self, plan, after):
        # The change went through although the call failed (for example the connection dropped during the
        # restart): still trust the new root and wait, as after a clean change.
        return self._finish(plan, after)

    def _trust_pems(self, current):
        """The root(s) of the new certificate, to trust for the rest of the task."""
        raise NotImplementedError

    def _new_certificate(self, deadline):
        """``{'certificate', 'sha256'}`` of the new certificate, or None when it could not be read (wait=false)."""
        raise NotImplementedError

    def _finish(self, plan, current):
        """After a change: trust the new root, learn the new certificate, wait until vCenter serves it."""
        deadline = Deadline(self.params['wait_timeout'])
        self.client.trust_additional(self._trust_pems(current))
        if self.hostname_missing and self.pnid:
            # The new certificate does not name vcenter_hostname: verify it for the PNID it names while waiting.
            self.client.verify_name(self.pnid)
        after = self._new_certificate(deadline)
        if after is None:
            plan.after = None
            return {'certificate': None, 'sha256': None}
        if self.params['wait']:
            self.client.wait_until_serving(after['sha256'], self.operation, deadline, fingerprint_der,
                                           ready=self.api.get_tls)
        plan.after = _certs.summary(after['certificate'])
        return after

    # ------------------------------------------------------------------ result
    def result(self, plan, current, after):
        previous = _certs.summary(current['certificate'], include_pem=True)
        new = after.get('certificate') if after else None
        return {
            'certificate': _certs.summary(new, include_pem=True) if new is not None else None,
            'previous_certificate': previous,
        }


class CaSigned(_MachineSsl):
    """state=present: install a certificate issued by the caller's CA, with its key or for the key vCenter kept
    when it generated the CSR."""

    operation = 'install the custom machine SSL certificate'

    def __init__(self, module):
        super(CaSigned, self).__init__(module)
        self.certs = []          # leaf first, then the intermediates given
        self.leaf = None
        self.root = None         # the self-signed root given (root_certificate), or None
        self.path = []           # the leaf's path through every CA certificate given
        self.cas_given = []      # every CA certificate given (intermediates and root)
        self.key_pem = None
        self.planned_trust_pem = None  # the root to trust after the change (kept for recovery)

    # ------------------------------------------------------------------ input
    def validate(self):
        super(CaSigned, self).validate()
        p = self.params
        self.certs = _inputs.load_chain(p['certificate'], 'certificate')
        self.leaf = self.certs[0]
        if _certs.is_ca(self.leaf):
            raise InputError(self.operation, 'certificate (subject %s) is a CA certificate, not a server '
                             'certificate; give the machine SSL certificate first'
                             % _certs.name_to_string(self.leaf.subject))
        self._validate_cas(p['root_certificate'])
        problems = _certs.machine_ssl_problems(self.leaf, [c for c in self.path[1:] if c is not self.root])
        if problems:
            raise InputError(self.operation, 'vCenter would refuse certificate (subject %s): %s'
                             % (_certs.name_to_string(self.leaf.subject), '; '.join(problems)))
        key = _inputs.load_key(p, 'private_key_passphrase was given without private_key')
        if key is not None:
            self.key_pem = _inputs.pkcs8_for(key, self.leaf, 'private_key does not match certificate (subject %s): '
                                             'it is the key of another certificate')
        self._warn_hostname(_certs.subject_alt_names(self.leaf), 'the subject alternative names of certificate')

    def _validate_cas(self, root_certificate):
        """Every CA certificate given (after the leaf, and in root_certificate) and the leaf's path through them."""
        given = self.certs[1:] + (_certs.load_certificates(root_certificate, 'root_certificate')
                                  if root_certificate is not None else [])
        for cert in given:
            _certs.check_validity(cert, 'CA certificate %s' % _certs.name_to_string(cert.subject))
            if not _certs.is_valid_ca(cert):
                raise InputError(self.operation, (
                    'CA certificate %s is not a valid CA certificate for vCenter: it needs the CA flag (basic '
                    'constraints CA=true) and the keyCertSign key usage') % _certs.name_to_string(cert.subject))
        self.cas_given = _certs.unique(given)
        self.path = _certs.build_chain(self.leaf, self.cas_given)
        top = self.path[-1]
        if _certs.is_self_signed(top):
            self.root = top
        elif root_certificate is not None:
            raise InputError(self.operation, (
                'the certificate chain does not lead to a root in root_certificate: the last certificate of the path '
                '(subject %s) is issued by %s, which is not given; add the missing CA certificates to '
                'root_certificate') % (_certs.name_to_string(top.subject), _certs.name_to_string(top.issuer)))
        unused = [c for c in self.cas_given if _certs.fingerprint(c) not in _certs.fingerprint_set(self.path)]
        if unused:
            raise InputError(self.operation, 'root_certificate holds CA certificates that are not on the path of '
                             'certificate: %s' % ', '.join(_certs.name_to_string(c.subject) for c in unused))

    # ------------------------------------------------------------------ read
    def read_current(self):
        # The no-change path costs exactly one read (Tls.get): the trust store is read only when a change
        # is coming, to decide how the CA certificates reach vCenter and which root to trust while waiting.
        current = machine_ssl_state(self.api)
        current.update(add_chain=[], root_cert=[], trust_pem=None)
        if current['sha256'] == _certs.fingerprint(self.leaf):
            return current
        self._check_pnid(current, _certs.subject_alt_names(self.leaf), 'the subject alternative names of certificate')
        chains = trust_store(self.api)
        trusted = _certs.fingerprint_set(trusted_certs(chains))
        root = self.root or anchor(self.path, chains)
        if root is None:
            raise InputError(self.operation, (
                'certificate (issuer %s) does not chain up to any root vCenter trusts, and root_certificate '
                'does not hold its root; give the issuing root (and intermediate CA certificates) as '
                'root_certificate') % _certs.name_to_string(self.path[-1].issuer))
        self._route_cas(current, root, trusted)
        current['trust_pem'] = _certs.certificate_pem(root)
        self.planned_trust_pem = current['trust_pem']
        return current

    def _route_cas(self, current, root, trusted):
        """How the CA certificates of the path reach vCenter: with the certificate (``root_cert``), or added to
        the trust store first (``add_chain``)."""
        cas = [c for c in self.path[1:] if c is not root] + [root]
        missing = [c for c in cas if _certs.fingerprint(c) not in trusted]
        if missing and self.key_pem is not None and _certs.fingerprint(root) not in trusted and \
                self.api.tls_set_takes_root_cert():
            # SDK scenario 3 (cert + key + root_cert, the root not yet trusted): the CA chain goes with the
            # certificate
            current['root_cert'] = cas
        else:
            # SDK scenarios 2 and 1 (cert + key with a trusted root; cert alone after a CSR on vCenter), and 6.7:
            # vCenter must already trust every CA certificate of the path
            current['add_chain'] = missing

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        before = _certs.summary(current['certificate'])
        if current['sha256'] == _certs.fingerprint(self.leaf):
            if self.params['force']:
                self.warnings.append('force has no effect with state=present: vCenter already uses this '
                                     'certificate and refuses to install it again')
            return Plan(changed=False, before=before, after=before)
        actions = []
        if current['add_chain']:
            actions.append('add %s to the trusted root chains' % ', '.join(
                _certs.name_to_string(c.subject) for c in current['add_chain']))
        actions.append('replace the machine SSL certificate')
        return Plan(changed=True, actions=actions, before=before, after=_certs.summary(self.leaf))

    # ------------------------------------------------------------------ change
    def apply(self, plan, current):
        if current['add_chain']:
            self.api.create_trusted_root([_certs.certificate_pem(c) for c in current['add_chain']])
        pems = [_certs.certificate_pem(c) for c in self.path]
        # Tls.Spec.cert: the leaf, then its intermediates (a vCenter that reads only the leaf finds them in
        # root_cert or in the trust store); root_cert: the intermediates and the root (reference §4.3,
        # vcenter-fidelity.md rows 2-3).
        self.api.set_tls(''.join(pems[:-1] if self.path[-1] is self.root else pems), key=self.key_pem,
                         root_cert=''.join(_certs.certificate_pem(c) for c in current['root_cert']) or None)
        return self._finish(plan, current)

    def compare_after_failure(self, plan, after):
        return after['sha256'] == _certs.fingerprint(self.leaf)

    def after_recovered(self, plan, after):
        return super(CaSigned, self).after_recovered(plan, dict(after, trust_pem=self.planned_trust_pem))

    def _trust_pems(self, current):
        return [current['trust_pem']] if current.get('trust_pem') else []

    def _new_certificate(self, deadline):
        # The caller gave it: nothing to read.
        return {'certificate': self.leaf, 'sha256': _certs.fingerprint(self.leaf)}


class _VmcaIssued(_MachineSsl):
    """state=vmca_signed and state=renewed: vCenter issues the new certificate itself, from its VMCA root."""

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        before = _certs.summary(current['certificate'])
        reasons = self._unsatisfied(current, before)
        if not reasons and not self.params['force']:
            return Plan(changed=False, before=before, after=before)
        self._check_new_names(current)
        action = self._action('; '.join(reasons or ['force is set']))
        return Plan(changed=True, actions=[action], before=before, after=self._predicted(current, before))

    def _unsatisfied(self, current, before):
        """Why the current certificate does not satisfy the request (empty: it does)."""
        raise NotImplementedError

    def _check_new_names(self, current):
        """Before a change: refuse names vCenter would refuse."""

    def _action(self, why):
        raise NotImplementedError

    def _predicted(self, current, before):
        """The facts of the new certificate that are known before vCenter issues it."""
        raise NotImplementedError

    def _too_few_days(self, before):
        """The reason to change when the certificate has fewer than remaining_days left, else None."""
        days, remaining = before['days_remaining'], self.params['remaining_days']
        if days < remaining:
            return '%d days left, fewer than remaining_days (%d)' % (days, remaining)
        return None

    @staticmethod
    def _vmca_root_name(current, otherwise):
        root = current.get('vmca_root')
        return _certs.name_to_string(root.subject) if root is not None else otherwise

    # ------------------------------------------------------------------ change
    def _trust_pems(self, current):
        if current.get('vmca_root') is not None:
            return [_certs.certificate_pem(current['vmca_root'])]
        # [INF] The VMCA root could not be told (custom certificate, no STS chain on this vCenter): trust, for this
        # task only, the roots in vCenter's own trust store that carry the VMCA marks (read over a verified
        # connection) so the VMCA-signed certificate can be verified while waiting.
        return [_certs.certificate_pem(c) for c in trusted_certs(current.get('chains') or [])
                if _certs.is_ca(c) and _certs.is_self_signed(c) and has_vmca_marks(c)]

    def _new_certificate(self, deadline):
        if self.params['wait']:
            return self._read_new_certificate(deadline)
        return self._read_once()

    def _read_new_certificate(self, deadline):
        """vCenter issues the new certificate itself: read it once the services answer again."""
        after, last = poll(lambda: machine_ssl_state(self.api), deadline)
        if after is None:
            raise WaitTimeoutError(self.operation, (
                'vCenter accepted the change but could not be read within wait_timeout (%ss): %s. The change '
                'WAS applied; check vCenter and rerun the task to converge')
                % (self.params['wait_timeout'], last), vcenter_state=STATE_CHANGED)
        return after

    def _read_once(self):
        try:
            return machine_ssl_state(self.api)
        except (VCenterError, ConnectionFailure) as exc:
            if not is_restarting(exc):
                raise
            self.warnings.append('The change was applied, but vCenter could not be read right after it (%s); '
                                 'certificate is not returned. Use wait: true to wait for vCenter.' % exc.reason)
            return None


class VmcaSigned(_VmcaIssued):
    """state=vmca_signed: replace the certificate with one the VMCA issues for the subject options given."""

    operation = 'replace the machine SSL certificate with a VMCA-signed one'

    def __init__(self, module):
        super(VmcaSigned, self).__init__(module)
        self.desired = {}

    # ------------------------------------------------------------------ input
    def validate(self):
        super(VmcaSigned, self).validate()
        self.desired = _inputs.subject_request(self.params, 'Tls.ReplaceSpec')
        sans = self.desired.get('subject_alt_name')
        if sans is not None:
            self._warn_hostname(sans, 'subject_alt_name')

    # ------------------------------------------------------------------ read
    def read_current(self):
        _inputs.require(self.operation, self.api.require_vmca_signed)
        return machine_ssl_state(self.api, with_vmca=True)

    # ------------------------------------------------------------------ plan
    def _unsatisfied(self, current, before):
        reasons = []
        if not current['issued_by_vmca']:
            reasons.append('not issued by the VMCA root: %s' % current['vmca_reason'])
        reasons.extend(_certs.subject_mismatches(current['certificate'], self.desired, self.params['key_size']))
        too_few_days = self._too_few_days(before)
        if too_few_days:
            reasons.append(too_few_days)
        return reasons

    def _check_new_names(self, current):
        if self.desired.get('subject_alt_name') is not None:
            self._check_pnid(current, self.desired['subject_alt_name'], 'subject_alt_name')

    def _action(self, why):
        return 'replace the machine SSL certificate with a VMCA-signed one (%s)' % why

    def _predicted(self, current, before):
        after = {'issuer': self._vmca_root_name(current, 'the VMCA root')}
        requested = dict((k, v) for k, v in self.desired.items() if v is not None)
        if requested:
            after['requested_subject'] = requested
        if self.params['key_size'] is not None:
            after['key_size'] = self.params['key_size']
        return after

    # ------------------------------------------------------------------ change
    def apply(self, plan, current):
        self.api.replace_tls_vmca_signed(subject_spec(self.desired, self.params['key_size']))
        return self._finish(plan, current)

    def compare_after_failure(self, plan, after):
        # Like a new plan, but without force: after a forced change, "satisfied" is what counts.
        return bool(after.get('issued_by_vmca')) and not self._unsatisfied(after, _certs.summary(after['certificate']))


class Renewed(_VmcaIssued):
    """state=renewed: renew the VMCA-issued certificate when it has fewer than remaining_days left."""

    operation = 'renew the machine SSL certificate'

    # ------------------------------------------------------------------ input
    def validate(self):
        super(Renewed, self).validate()
        p = self.params
        if p['remaining_days'] >= p['duration']:
            raise InputError(self.operation, (
                'remaining_days (%d) must be smaller than duration (%d): a certificate renewed for %d days '
                'has fewer than %d days left at once, so every run would renew it again')
                % (p['remaining_days'], p['duration'], p['duration'], p['remaining_days']))

    # ------------------------------------------------------------------ read
    def read_current(self):
        if not self.params['force']:
            # Nothing due costs one read (Tls.get): who issued the certificate (trust store, STS chain) matters only
            # when it is due, and a custom certificate is refused then, not before.
            current = machine_ssl_state(self.api)
            if _certs.days_remaining(current['certificate']) >= self.params['remaining_days']:
                current.update(issued_by_vmca=None, vmca_root=None)
                return current
        return machine_ssl_state(self.api, with_vmca=True)

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        if current['issued_by_vmca'] is False:
            before = _certs.summary(current['certificate'])
            raise InputError(self.operation, (
                'the machine SSL certificate (subject %s, issuer %s) is not issued by the VMCA (%s), and vCenter '
                'renews only VMCA-issued certificates; use state=present to install a new CA-signed certificate, '
                'or state=vmca_signed to replace it with a VMCA-signed one') % (
                before['subject'], before['issuer'], current['vmca_reason']))
        return super(Renewed, self).compare(current)

    def _unsatisfied(self, current, before):
        too_few_days = self._too_few_days(before)
        if not too_few_days:
            return []
        if _certs.capped_by_issuer(current['certificate'], current.get('vmca_root')):
            # VMCA never issues past its root's end (vcenter-fidelity.md row 10): renewing again would give the
            # same end date on every run
            self.warnings.append(
                'The machine SSL certificate has %d days left, fewer than remaining_days (%d), but it already '
                'ends when the VMCA root ends (%s), and vCenter never issues a certificate past its root: '
                'renewing cannot extend it. Replace the VMCA root (certops.vcenter.vcenter_vmca_root or the '
                'rotate_vmca role), which also renews this certificate.' % (
                    before['days_remaining'], self.params['remaining_days'],
                    _certs.iso(_certs.not_after(current['vmca_root']))))
            return []
        return [too_few_days]

    def _action(self, why):
        return 'renew the machine SSL certificate for %d days (%s)' % (self.params['duration'], why)

    def _predicted(self, current, before):
        return {'subject': before['subject'], 'issuer': self._vmca_root_name(current, before['issuer']),
                'subject_alt_name': before['subject_alt_name'], 'key_type': before['key_type'],
                'key_size': before['key_size'], 'validity_days': self.params['duration']}

    # ------------------------------------------------------------------ change
    def apply(self, plan, current):
        self.api.renew_tls(self.params['duration'])
        return self._finish(plan, current)

    def compare_after_failure(self, plan, after):
        # Like a new plan, but without force: after a forced change, "satisfied" is what counts.
        return after.get('issued_by_vmca') is not False and \
            not self._unsatisfied(after, _certs.summary(after['certificate']))


# One class per state family, chosen from the task's state (as community.crypto chooses a backend by provider).
STATE_FAMILIES = {'present': CaSigned, 'vmca_signed': VmcaSigned, 'renewed': Renewed}


class TlsCert(object):
    """What run_module builds for a task: an instance of its state family's class."""

    # run_module refuses a bad connection option before a family is chosen, in the words every module shares.
    operation = CertModule.operation

    def __new__(cls, module):
        return STATE_FAMILIES[module.params['state']](module)


def main():
    argument_spec = dict(
        state=dict(type='str', default='present', choices=['present', 'vmca_signed', 'renewed']),
        certificate=dict(type='str'),
        private_key=dict(type='str', no_log=True),
        private_key_passphrase=dict(type='str', no_log=True),
        root_certificate=dict(type='str'),
        duration=dict(type='int', default=MAX_DURATION),
        remaining_days=dict(type='int', default=30),
        force=dict(type='bool', default=False),
        skip_san_check=dict(type='bool', default=False),
    )
    argument_spec.update(subject_argument_spec())
    argument_spec.update(wait_argument_spec())
    run_module(TlsCert, argument_spec, required_if=[('state', 'present', ['certificate'])])


if __name__ == '__main__':
    main()
