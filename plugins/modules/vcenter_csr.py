#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_csr
short_description: Generate a certificate signing request on vCenter
version_added: 0.1.0
description:
  - Asks vCenter to generate a new private key and a certificate signing request (CSR) for it. The private key
    never leaves vCenter.
  - For the machine SSL certificate (O(certificate=machine_ssl)), vCenter keeps the key for a later
    M(certops.vcenter.vcenter_tls_cert) with O(certops.vcenter.vcenter_tls_cert#module:state=present) and no
    O(certops.vcenter.vcenter_tls_cert#module:private_key). Works on vCenter 6.7 U2 and later.
  - For the STS token-signing certificate (O(certificate=sts_signing)), vCenter stages the key for a later
    M(certops.vcenter.vcenter_sts_signing_cert). Needs vCenter 9.1.1 or later.
  - Optionally writes the CSR to O(dest), with the usual file attributes.
options:
  certificate:
    description:
      - Which certificate the CSR is for.
      - V(machine_ssl) uses C(TlsCsr.create) (vCenter 6.7 U2 and later).
      - V(sts_signing) uses C(SigningCertificate.create) (vCenter 9.1.1 and later, C(/api) only); an older
        vCenter is refused with a version error before anything changes.
    type: str
    choices: [machine_ssl, sts_signing]
    default: machine_ssl
  dest:
    description:
      - Path of a file to write the CSR (PEM) to.
      - When it already holds a CSR for the same subject, subject alternative names and key size, nothing is
        requested from vCenter and the task reports no change (unless O(force=true)).
      - Subject fields that are not given must be absent from that CSR. O(common_name) and
        O(subject_alt_name) that are not given are not compared (vCenter's default is its PNID). When
        O(key_size) is not given, a CSR for O(certificate=machine_ssl) with the default key size of a vCenter
        version (2048 up to 7.0, 3072 from 8.0) matches, so a 7.0 vCenter's CSR is not generated again.
    type: path
  force:
    description:
      - Generate a new CSR (and key) even when O(dest) already holds a matching one.
    type: bool
    default: false
extends_documentation_fragment:
  - certops.vcenter._connection
  - certops.vcenter._subject
  - certops.vcenter._attributes
  - ansible.builtin.files
attributes:
  check_mode:
    description:
      - Makes no request that generates anything. With O(certificate=machine_ssl) it makes no request at all;
        with O(certificate=sts_signing) it logs in and reads vCenter's version, so the version error is
        predicted too.
    support: full
  diff_mode:
    description:
      - C(before) is the CSR found in O(dest) (subject, SANs, key size), C(after) the requested (in check mode)
        or generated CSR.
    support: full
  idempotent:
    description:
      - Only with O(dest) and without O(force). vCenter makes a new private key every time it generates a
        CSR, so without O(dest), or with O(force=true), every run generates a new key and CSR and reports a
        change.
    support: partial
notes:
  - The key of the CSR stays on the vCenter the task connects to, and each new CSR replaces it; in an
    Enhanced Linked Mode SSO domain every vCenter has its own, so set the signed certificate
    (M(certops.vcenter.vcenter_tls_cert) without O(certops.vcenter.vcenter_tls_cert#module:private_key)) on the
    same vCenter.
  - With O(certificate=machine_ssl), O(organization), O(locality), O(state_or_province), O(country) and
    O(email_address) are required, because vCenter's API (C(TlsCsr.Spec)) requires them; the task is refused
    before any request without them. O(organization_unit) may be left out; it is then sent as an empty string,
    which the API documents as unset. With O(certificate=sts_signing) every subject field is optional.
  - Each CSR generated for the machine SSL certificate replaces the key vCenter kept for the previous one;
    sign and install the newest CSR.
  - O(country) must be two letters; it is checked before anything is sent.
seealso:
  - module: certops.vcenter.vcenter_tls_cert
  - module: certops.vcenter.vcenter_sts_signing_cert
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Generate a CSR for the machine SSL certificate and keep it in a file
  certops.vcenter.vcenter_csr:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    common_name: vc.example.com
    organization: Example
    organization_unit: IT
    locality: Berlin
    state_or_province: Berlin
    country: DE
    email_address: pki@example.com
    subject_alt_name: [vc.example.com, 192.0.2.10]
    key_size: 3072
    dest: /srv/pki/vc.example.com.csr
    mode: "0644"
  register: csr

- name: Show the subject of the CSR
  ansible.builtin.debug:
    msg: "{{ csr.subject }}"

- name: Generate a CSR for the STS signing certificate (vCenter 9.1.1+)
  certops.vcenter.vcenter_csr:
    vcenter_hostname: vc.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-ca.pem
    certificate: sts_signing
    common_name: ssoserverSign
    organization: Example
    country: DE
    dest: /srv/pki/vc-sts.csr
'''

RETURN = r'''
csr:
  description: The CSR in PEM (from vCenter, or the one found in O(dest) when nothing changed). Empty in check mode
    when a new CSR would be generated.
  returned: success
  type: str
subject:
  description: Subject of the CSR (RFC 4514); in check mode when a CSR would be generated, null.
  returned: success
  type: str
  sample: CN=vc.example.com,O=Example,C=DE
subject_alt_name:
  description: Subject alternative names of the CSR, for example C(DNS:vc.example.com).
  returned: success
  type: list
  elements: str
key_size:
  description: Size in bits of the key vCenter generated.
  returned: success
  type: int
  sample: 3072
actions:
  description: What the task did (or, in check mode, would do).
  returned: when changed
  type: list
  elements: str
'''

import os
import tempfile

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils import _inputs
from ansible_collections.certops.vcenter.plugins.module_utils._argspec import subject_argument_spec
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import subject_spec
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    CertOpsError,
    ConnectionFailure,
    InputError,
    VCenterError,
    STATE_UNCHANGED,
    STATE_UNKNOWN,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan, run_module

# TlsCsr.Spec.key_size default (reference §4.2): 3072 from vCenter 8.0, 2048 before (API reference TlsCsr.Spec
# 7.0U3 "keySize will take 2048 bits if not modified", 8.0.3 "3072").
TLS_CSR_DEFAULT_KEY_SIZE = 3072
TLS_CSR_DEFAULT_KEY_SIZE_BEFORE_80 = 2048
DEFAULT_KEY_SIZES = (TLS_CSR_DEFAULT_KEY_SIZE_BEFORE_80, TLS_CSR_DEFAULT_KEY_SIZE)
STRING_FIELDS = ('organization', 'organization_unit', 'locality', 'state_or_province', 'country', 'email_address')


def tls_csr_default_key_size(version):
    return TLS_CSR_DEFAULT_KEY_SIZE if tuple(version) >= (8, 0, 0) else TLS_CSR_DEFAULT_KEY_SIZE_BEFORE_80


def csr_facts(csr):
    dummy, key_size = _certs.public_key_facts(csr.public_key())
    return {'subject': _certs.name_to_string(csr.subject), 'subject_alt_name': _certs.subject_alt_names(csr),
            'key_size': key_size}


class Csr(CertModule):

    def __init__(self, module):
        super(Csr, self).__init__(module)
        self.kind = self.params['certificate']
        self.operation = ('generate a CSR for the machine SSL certificate' if self.kind == 'machine_ssl'
                          else 'generate a CSR for the STS signing certificate')
        self.desired = {}

    def validate(self):
        # Only TlsCsr.Spec requires subject strings; the STS CSR is requested without that rule (_request_csr).
        self.desired = _inputs.subject_request(self.params, 'TlsCsr.Spec' if self.kind == 'machine_ssl' else None)
        if self.params['dest']:
            self._check_dest(self.params['dest'])

    def _check_dest(self, dest):
        if os.path.isdir(dest):
            raise InputError(self.operation, 'dest %s is a directory; give a file path' % dest)
        # Generating a CSR replaces the key vCenter keeps for the outstanding one: a dest that cannot be written
        # must be refused before that, not found out after it.
        folder = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(folder):
            raise InputError(self.operation, 'the directory of dest (%s) does not exist; create it first, nothing was '
                             'requested from vCenter' % folder)
        if not os.access(folder, os.W_OK | os.X_OK) and not (os.path.exists(dest) and os.access(dest, os.W_OK)):
            raise InputError(self.operation, 'dest %s cannot be written (no write permission on %s); nothing was '
                             'requested from vCenter' % (dest, folder))

    # ------------------------------------------------------------------ read
    def read_current(self):
        current = {'existing': None, 'existing_pem': None, 'existing_problem': None}
        dest = self.params['dest']
        if dest and os.path.exists(dest):
            try:
                with open(dest, 'r') as handle:
                    text = handle.read()
                current['existing'] = _certs.load_csr(text, 'dest %s' % dest)
                current['existing_pem'] = text
            except (IOError, OSError, UnicodeDecodeError) as exc:
                current['existing_problem'] = 'dest cannot be read (%s)' % exc
            except _certs.CertificateInputError as exc:
                current['existing_problem'] = str(exc)
        if self.kind == 'sts_signing' and self._mismatches(current):
            # A CSR will be requested (or, in check mode, predicted): fail now, with a version error, on a
            # vCenter that has no STS CSR API. This is a read; nothing is generated.
            _inputs.require(self.operation, self.api.require_sts_csr)
        return current

    def _comparable(self):
        """What a CSR in dest must show: given fields, and absent ones that vCenter would leave out."""
        wanted = {}
        for name in STRING_FIELDS:
            value = self.desired.get(name)
            wanted[name] = value if value is not None else ''  # not given: sent as "" (OU) or left out: absent
        wanted['common_name'] = self.desired.get('common_name')
        sans = self.desired.get('subject_alt_name')
        if sans is None and self.kind == 'sts_signing':
            sans = []  # SigningCertificate.create adds no implicit SAN
        wanted['subject_alt_name'] = sans
        return wanted

    def _key_size(self):
        """The key size the CSR will have: the one given, or vCenter's default for its version (2048 up to 7.0,
        3072 from 8.0; reference §4.2, vcenter-fidelity.md row 11): the version's when it is known, else 8.0's."""
        if self.params['key_size'] is not None:
            return self.params['key_size']
        if self.kind != 'machine_ssl':
            return None
        if self.client.known_version is not None:
            return tls_csr_default_key_size(self.client.version())
        return TLS_CSR_DEFAULT_KEY_SIZE

    def _mismatches(self, current):
        """Why a new CSR is needed (empty: dest already holds a matching one)."""
        if not self.params['dest']:
            return ['no dest to compare with: vCenter makes a new key and CSR on every request']
        if self.params['force']:
            return ['force is set']
        if current['existing_problem']:
            return [current['existing_problem']]
        if current['existing'] is None:
            return ['dest does not exist yet']
        key_size = self._key_size()
        if self.params['key_size'] is None and self.kind == 'machine_ssl' and \
                _certs.public_key_facts(current['existing'].public_key())[1] in DEFAULT_KEY_SIZES:
            # key_size not given: a CSR with the default key size of some vCenter version (2048 up to 7.0, 3072
            # from 8.0) is what vCenter makes by default; accepting both keeps a matching dest free of any request
            key_size = None
        return _certs.subject_mismatches(current['existing'], self._comparable(), key_size)

    def state_key(self, current):
        return current['existing_pem']

    # ------------------------------------------------------------------ plan
    def compare(self, current):
        before = csr_facts(current['existing']) if current['existing'] is not None else None
        reasons = self._mismatches(current)
        if not reasons:
            return Plan(changed=False, before=before, after=before)
        requested = dict((k, v) for k, v in self.desired.items() if v is not None)
        after = {'requested_subject': requested, 'key_size': self._key_size()}
        action = 'generate a new key and CSR on vCenter (%s)' % '; '.join(reasons)
        actions = [action]
        if self.params['dest']:
            actions.append('write the CSR to %s' % self.params['dest'])
        return Plan(changed=True, actions=actions, before=before, after=after)

    # ------------------------------------------------------------------ change
    def apply(self, plan, current):
        try:
            pem = self._request_csr()
        except CertOpsError as exc:
            if exc.vcenter_state is None:
                self._tell_key_state(exc)
            raise
        if not pem:
            raise CertOpsError(self.operation, 'vCenter answered without a CSR', vcenter_state=STATE_UNKNOWN)
        csr = _certs.load_csr(pem, 'the CSR vCenter returned')
        if self.params['dest']:
            self._write(pem)
        plan.after = csr_facts(csr)
        return {'existing': csr, 'existing_pem': pem, 'existing_problem': None}

    def _request_csr(self):
        if self.kind == 'machine_ssl':
            return self.api.create_tls_csr(subject_spec(self.desired, self.params['key_size']))
        return self.api.create_signing_certificate_csr(
            subject_spec(self.desired, self.params['key_size'], required_strings=False))

    @staticmethod
    def _tell_key_state(exc):
        """Whether vCenter made (and kept) a new key cannot be read back: say so instead of guessing. A 3xx/4xx
        answer means the request was not processed; after no answer or a 5xx (a real vCenter has answered 503 to a
        write it then applied) a new key may have replaced the one of an outstanding CSR."""
        if isinstance(exc, VCenterError):
            # 4xx: refused; 3xx: answered by something in front of vCenter, redirect not followed
            refused = exc.status is not None and 300 <= exc.status < 500
        else:
            refused = not (isinstance(exc, ConnectionFailure) and exc.ambiguous)
        exc.vcenter_state = STATE_UNCHANGED if refused else STATE_UNKNOWN
        if not refused:
            exc.reason += ('; vCenter may have generated a new key before the error (it replaces the key of '
                           'an outstanding CSR), which cannot be read back: rerun the task to get a CSR for '
                           'the key vCenter now holds')

    def _write(self, pem):
        dest = self.params['dest']
        directory = os.path.dirname(os.path.abspath(dest))
        try:
            fd, tmp = tempfile.mkstemp(prefix='.vcenter_csr-', dir=directory)
            with os.fdopen(fd, 'w') as handle:
                handle.write(pem if pem.endswith('\n') else pem + '\n')
        except (IOError, OSError) as exc:
            raise CertOpsError(self.operation, 'vCenter generated the CSR, but it could not be written to %s (%s); '
                               'rerun the task' % (dest, exc), vcenter_state=STATE_UNKNOWN)
        self.module.atomic_move(tmp, dest)

    # ------------------------------------------------------------------ result
    def result(self, plan, current, after):
        csr = after['existing'] if after else None
        if csr is None or (plan.changed and self.module.check_mode):
            return {'csr': '', 'subject': None, 'subject_alt_name': self.desired.get('subject_alt_name') or [],
                    'key_size': self._key_size()}
        result = csr_facts(csr)
        result['csr'] = after['existing_pem']
        return result

    def run(self):
        result = super(Csr, self).run()
        dest = self.params['dest']
        if dest and os.path.exists(dest):
            file_args = self.module.load_file_common_arguments(self.params, path=dest)
            result['changed'] = self.module.set_fs_attributes_if_different(file_args, result['changed'])
        return result


def main():
    argument_spec = dict(
        certificate=dict(type='str', default='machine_ssl', choices=['machine_ssl', 'sts_signing']),
        dest=dict(type='path'),
        force=dict(type='bool', default=False),
    )
    argument_spec.update(subject_argument_spec())
    run_module(Csr, argument_spec, add_file_common_args=True)


if __name__ == '__main__':
    main()
