#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vcenter_root_ca_bundle
short_description: Put a vCenter's root CAs into a CA bundle file, before any password is sent
version_added: 0.1.0
description:
  - The first step of a new setup with certificate validation on. Downloads vCenter's trusted root certificates
    from its unauthenticated C(https://<vcenter>/certs/download.zip) and writes them into a PEM CA bundle file,
    which the other modules then use as O(ignore:vcenter_ca_path).
  - The module takes no user name or password and never sends any. It is not in the action group
    C(certops.vcenter.vcenter), so C(module_defaults) for the group do not reach it.
  - B(The download is not verified) the first time - there is no CA to verify it with yet; that is what this
    module makes. Whoever sits between the controller and vCenter could hand out their own roots. So the module
    refuses to write anything unless you either pin the expected root with O(expected_sha256) or set
    O(trust_on_first_use=true).
  - With O(expected_sha256), only the pinned certificates are written, and only when every pin is among the
    certificates vCenter offers; other certificates of the zip are reported in RV(ignored) and not trusted.
  - With O(trust_on_first_use=true) and no pin, every certificate of the zip is written. Once the bundle file
    holds certificates, later runs download over TLS verified against that bundle, and the module refuses when
    verification fails (vCenter serves a certificate no root of the bundle issued - a new CA, or an impostor).
  - Idempotent on the bundle file - it compares certificate fingerprints, never PEM text, and reports a change
    only when the set of certificates in the file changes.
  - Works with every vCenter that serves C(/certs/download.zip) (6.x and later); the module reads the
    C(certs/lin/) PEM files of the zip (the C(mac/) and C(win/) copies are the same certificates) and ignores the
    CRLs (C(.r0)).
options:
  vcenter_hostname:
    description:
      - Name or IP address of the vCenter Server.
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  vcenter_port:
    description:
      - HTTPS port of the vCenter Server.
      - If not set, the value of the E(VMWARE_PORT) environment variable is used.
    type: int
    default: 443
  vcenter_timeout:
    description:
      - Seconds to wait for vCenter's answer.
    type: int
    default: 60
  path:
    description:
      - "The CA bundle file to write (PEM), on the host the module runs on (the controller with
        C(connection: local) or C(delegate_to: localhost)). Its directory must exist."
      - Created with mode C(0644) unless O(mode) says otherwise; written atomically (a temporary file in the same
        directory, then renamed over it), so a reader never sees half a bundle.
    type: path
    required: true
  expected_sha256:
    description:
      - SHA-256 fingerprint of the root CA you expect, or a list of them (C(AB:CD:...), C(abcd...) or
        C(ab cd ...)). Every pin must be among the certificates vCenter offers, else the module refuses and
        writes nothing.
      - Read it where no one can tamper with it - on the vCenter console
        (C(/usr/lib/vmware-vmafd/bin/vecs-cli entry list --store TRUSTED_ROOTS --text)), or from your CA.
    type: list
    elements: str
  trust_on_first_use:
    description:
      - Write every certificate vCenter offers without a pin, the first time. Compare RV(certificates) with
        vCenter's console afterwards.
      - Ignored when O(expected_sha256) is given.
    type: bool
    default: false
  exclusive:
    description:
      - V(false) adds vCenter's roots to the certificates already in the file (one bundle for a fleet of
        vCenters). V(true) makes the file hold exactly the certificates written for this vCenter.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.files
attributes:
  check_mode:
    description: Downloads and compares, writes nothing, and reports what a real run would change.
    support: full
  diff_mode:
    description: Before and after are the certificates of the file (subject, SHA-256, expiry), never PEM text.
    support: full
  idempotent:
    description: A second run with the same vCenter roots changes nothing.
    support: full
  platform:
    description: Runs where the bundle file is written (usually the controller) and talks HTTPS to vCenter.
    support: full
    platforms: posix
notes:
  - Redirects are never followed; an answer that is not a zip, or a zip without a certificate, is an error that
    says so.
seealso:
  - module: certops.vcenter.vcenter_trusted_root_info
  - ref: ansible_collections.certops.vcenter.docsite.guide_authentication_awx
    description: The authentication guide; this module is its first step.
requirements:
  - requests
  - cryptography
author:
  - certops.vcenter maintainers (@certops)
'''

EXAMPLES = r'''
- name: Bootstrap trust, pinned (the fingerprint read on the vCenter console)
  certops.vcenter.vcenter_root_ca_bundle:
    vcenter_hostname: vc01.example.com
    path: /etc/pki/vcenter-roots.pem
    expected_sha256: "2B:32:CC:49:C2:E7:88:34:27:7E:F1:22:14:74:F0:E9:0D:F6:A0:C2:57:C8:E0:82:D2:3C:F5:29:F0:7F:A2:57"
  delegate_to: localhost

- name: Bootstrap trust for a lab vCenter, trusting it on first use
  certops.vcenter.vcenter_root_ca_bundle:
    vcenter_hostname: vc-lab.example.com
    path: "{{ playbook_dir }}/vcenter-roots.pem"
    trust_on_first_use: true
  delegate_to: localhost

- name: Then every other module verifies vCenter with that bundle
  certops.vcenter.vcenter_tls_cert_info:
    vcenter_hostname: vc01.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vault_vcenter_password }}"
    vcenter_ca_path: /etc/pki/vcenter-roots.pem
'''

RETURN = r'''
path:
  description: The bundle file.
  returned: always
  type: str
certificates:
  description:
    - The certificates written for this vCenter (pinned ones, or all of the zip on first use), in the zip's order.
  returned: success
  type: list
  elements: dict
  contains:
    subject:
      description: Subject (RFC 4514).
      type: str
    sha256:
      description: SHA-256 fingerprint, upper-case colon-separated hex.
      type: str
    not_after:
      description: End of validity, ISO 8601 UTC.
      type: str
    is_ca:
      description: Whether the certificate is a CA certificate.
      type: bool
ignored:
  description: Certificates of the zip that were not written because they are not pinned (same shape).
  returned: success
  type: list
  elements: dict
added:
  description: SHA-256 fingerprints added to the file.
  returned: success
  type: list
  elements: str
removed:
  description: SHA-256 fingerprints removed from the file (only with O(exclusive=true)).
  returned: success
  type: list
  elements: str
verified:
  description:
    - How the download was trusted - C(pinned), C(first_use) (not verified, first use), or C(bundle) (TLS
      verified against the existing bundle, a later trust-on-first-use run).
  returned: success
  type: str
  sample: pinned
'''

import io
import os
import re
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils import _client
from ansible_collections.certops.vcenter.plugins.module_utils._argspec import normalise_connection
from ansible_collections.certops.vcenter.plugins.module_utils._errors import CertOpsError, InputError
from ansible_collections.certops.vcenter.plugins.module_utils._module import Plan

OPERATION = 'write the vCenter root CA bundle'
ZIP_PATH = '/certs/download.zip'
MAX_ZIP_BYTES = 16 * 1024 * 1024
MAX_MEMBER_BYTES = 1024 * 1024
MAX_MEMBERS = 10000
_CRL_NAME = re.compile(r'\.r\d+(\.crl)?$')


class BundleError(CertOpsError):
    """The download or the file cannot be used; nothing was written."""


def parse_pins(values):
    """Normalised SHA-256 pins; raises InputError naming a malformed one."""
    pins = []
    for value in values or []:
        pin = _certs.normalise_fingerprint(value)
        if len(pin.replace(':', '')) != 64 or re.search(r'[^0-9A-Fa-f:\s]', value):
            raise InputError(OPERATION, 'expected_sha256 %r is not a SHA-256 fingerprint (64 hex digits, '
                                        'colons allowed)' % value)
        if pin not in pins:
            pins.append(pin)
    return pins


def zip_error(reason):
    """What is wrong with vCenter's answer to GET download.zip."""
    return BundleError(OPERATION, reason, method='GET', path=ZIP_PATH)


def certificates_from_zip(data):
    """The certificates of vCenter's download.zip, in order, once each; CRLs are skipped. Raises BundleError."""
    archive = open_zip(data)
    certs = []
    for info in certificate_members(archive):
        certs.extend(member_certificates(archive, info))
    certs = _certs.unique(certs)
    if not certs:
        raise zip_error('the zip from GET %s holds no certificate' % ZIP_PATH)
    return certs


def open_zip(data):
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipfile, ValueError):
        raise zip_error('the answer to GET %s is not a zip file (%d bytes starting %r): is vcenter_hostname a vCenter '
                        'Server?' % (ZIP_PATH, len(data), data[:16]))


def certificate_members(archive):
    """The files that may hold certificates: those under certs/lin/ when there are any (the zip holds the same
    certificates once more for mac/ and win/), else every file; never a CRL."""
    members = [i for i in archive.infolist() if not i.filename.endswith('/')]
    if len(members) > MAX_MEMBERS:
        raise zip_error('the zip holds %d files, more than a vCenter trust store would' % len(members))
    lin = [i for i in members if i.filename.startswith('certs/lin/')]
    return [i for i in lin or members if not _CRL_NAME.search(i.filename)]


def member_certificates(archive, info):
    """The certificates of one zip member ([] for a file that holds none)."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise zip_error('the zip member %s is %d bytes, too large for a certificate' % (info.filename, info.file_size))
    try:
        text = archive.read(info).decode('ascii', 'ignore')
    except (zipfile.BadZipfile, ValueError, RuntimeError, NotImplementedError) as exc:
        raise zip_error('the zip member %s cannot be read (%s)' % (info.filename, exc))
    if '-----BEGIN CERTIFICATE-----' not in text:
        return []
    try:
        return _certs.load_certificates(text, 'zip member %s' % info.filename)
    except _certs.CertificateInputError as exc:
        raise zip_error(str(exc))


def read_bundle(path):
    """Certificates of the existing bundle file ([] when it does not exist or is empty)."""
    if not os.path.exists(path):
        return []
    if os.path.isdir(path):
        raise InputError(OPERATION, 'path %s is a directory; give the bundle file name' % path)
    with open(path, 'r') as handle:
        text = handle.read()
    if not text.strip():
        return []
    try:
        return _certs.unique(_certs.load_certificates(text, 'the bundle file %s' % path))
    except _certs.CertificateInputError as exc:
        raise InputError(OPERATION, '%s; it is not overwritten. Remove it or choose another path' % exc)


def brief(cert):
    return {'subject': _certs.name_to_string(cert.subject), 'sha256': _certs.fingerprint(cert),
            'not_after': _certs.iso(_certs.not_after(cert)), 'is_ca': _certs.is_ca(cert)}


def bundle_text(certs):
    parts = []
    for cert in certs:
        parts.append('# %s\n# SHA256 %s\n%s' % (_certs.name_to_string(cert.subject), _certs.fingerprint(cert),
                                                _certs.certificate_pem(cert)))
    return ''.join(parts)


def chosen_by_pins(offered, pins):
    """The offered certificates the pins name (all of them without pins). Raises BundleError when a pin is not
    among them: vCenter must offer every pinned root."""
    if not pins:
        return list(offered)
    offered_fps = [_certs.fingerprint(c) for c in offered]
    missing = [p for p in pins if p not in offered_fps]
    if missing:
        raise zip_error('vCenter does not offer the pinned root%s %s (it offers %s). Nothing was written: this is '
                        'another vCenter, the pin is wrong, or someone between you and vCenter answered instead' % (
                            's' if len(missing) > 1 else '', ', '.join(missing), ', '.join(
                                '%s (%s)' % (_certs.fingerprint(c), _certs.name_to_string(c.subject)) for c in offered)))
    return [c for c in offered if _certs.fingerprint(c) in pins]


def desired_bundle(current, chosen, exclusive):
    """With exclusive, the chosen certificates; else the file's certificates, then the chosen ones it lacks."""
    if exclusive:
        return chosen
    current_fps = _certs.fingerprint_set(current)
    return list(current) + [c for c in chosen if _certs.fingerprint(c) not in current_fps]


def fingerprints_not_in(certs, others):
    """The fingerprints of ``certs`` that are not among ``others``, in order."""
    others_fps = _certs.fingerprint_set(others)
    return [_certs.fingerprint(c) for c in certs if _certs.fingerprint(c) not in others_fps]


def plan(current, offered, pins, exclusive):
    """Pure: what the file should hold. Raises BundleError when a pin is not among the offered certificates."""
    chosen = chosen_by_pins(offered, pins)
    desired = desired_bundle(current, chosen, exclusive)
    added = fingerprints_not_in(desired, current)
    removed = fingerprints_not_in(current, desired)
    actions = ['add %s (%s)' % (_certs.fingerprint(c), _certs.name_to_string(c.subject)) for c in desired
               if _certs.fingerprint(c) in added]
    actions += ['remove %s' % fp for fp in removed]
    return Plan(changed=bool(added or removed), actions=actions,
                before={'certificates': [brief(c) for c in current]},
                after={'certificates': [brief(c) for c in desired]},
                desired=desired, chosen=chosen, ignored=[c for c in offered if c not in chosen], added=added,
                removed=removed)


def download(params, verify_with):
    client = _client.VCenterClient(params['vcenter_hostname'], port=params['vcenter_port'],
                                   validate_certs=verify_with is not None, ca_path=verify_with,
                                   timeout=params['vcenter_timeout'])
    try:
        # no credentials, no session: _send with auth=None sends none; redirects are refused, not followed
        response = client._send('GET', ZIP_PATH, OPERATION, retry=True)
        if response.status_code != 200:
            raise BundleError(OPERATION, 'vCenter answered HTTP %d to GET %s' % (response.status_code, ZIP_PATH),
                              method='GET', path=ZIP_PATH, status=response.status_code)
        data = response.content
    finally:
        client.close()
    if len(data) > MAX_ZIP_BYTES:
        raise zip_error('the answer to GET %s is %d bytes, more than a trust store zip would be' % (ZIP_PATH, len(data)))
    return data


def write_bundle(module, path, certs):
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(handle, 'w') as out:
            out.write(bundle_text(certs))
            out.flush()
            os.fsync(out.fileno())
        if not os.path.exists(path):
            os.chmod(tmp, 0o644)
        module.atomic_move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def checked_pins(params):
    """The pins, once the input is known to give a bundle that can be trusted; refuses anything else before any
    request."""
    problem = normalise_connection(params)
    if problem:
        raise InputError(OPERATION, problem)
    pins = parse_pins(params['expected_sha256'])
    if not pins and not params['trust_on_first_use']:
        raise InputError(OPERATION, 'refusing to trust what an unverified download says: give expected_sha256 (the '
                                    'root\'s SHA-256 fingerprint, read on the vCenter console) or set '
                                    'trust_on_first_use: true')
    if not os.path.isdir(os.path.dirname(os.path.abspath(params['path']))):
        raise InputError(OPERATION, 'the directory of path %s does not exist' % params['path'])
    return pins


def verification(pins, current, path):
    """``(how the download is verified, the CA bundle that verifies vCenter's TLS certificate)``: by the pins
    (after the download), by the roots already in the file, or not at all (trust on first use)."""
    if pins:
        return 'pinned', None
    if current:
        return 'bundle', path
    return 'first_use', None


def download_verified(params, verify_with):
    """The zip; a TLS certificate that does not verify against the file's roots is explained as such."""
    try:
        return download(params, verify_with)
    except CertOpsError as exc:
        if verify_with and (getattr(exc, 'tls_verification', False) or 'TLS verification' in exc.reason):
            exc.reason = ('vCenter\'s certificate does not verify against the roots already in %s, so the download '
                          'is not trusted on first use again (a new CA, or an impostor). Pin the new root with '
                          'expected_sha256, or remove the file to trust on first use again. (%s)'
                          % (verify_with, exc.reason))
        raise


def ensure_file(module, path, the_plan):
    """Write the bundle the plan wants (not in check mode) and the file attributes; returns whether either
    changed."""
    if the_plan.changed and not module.check_mode:
        write_bundle(module, path, the_plan.desired)
    if not os.path.exists(path):
        return the_plan.changed
    return module.set_fs_attributes_if_different(module.load_file_common_arguments(module.params), the_plan.changed)


def run(module):
    params = module.params
    pins = checked_pins(params)
    path = params['path']
    current = read_bundle(path)
    verified, verify_with = verification(pins, current, path)
    the_plan = plan(current, certificates_from_zip(download_verified(params, verify_with)), pins, params['exclusive'])
    changed = ensure_file(module, path, the_plan)
    if verified == 'first_use':
        module.warn('trusted on first use: the certificates of %s were written without verification; compare their '
                    'SHA-256 fingerprints (certificates[].sha256) with the vCenter console, then pin them with '
                    'expected_sha256' % params['vcenter_hostname'])
    result = {'changed': changed, 'path': path, 'certificates': [brief(c) for c in the_plan.chosen],
              'ignored': [brief(c) for c in the_plan.ignored], 'added': the_plan.added,
              'removed': the_plan.removed, 'verified': verified}
    if the_plan.actions:
        result['actions'] = the_plan.actions
    if module._diff:
        result['diff'] = {'before': the_plan.before, 'after': the_plan.after}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            vcenter_hostname=dict(type='str', required=True, fallback=(env_fallback, ['VMWARE_HOST'])),
            vcenter_port=dict(type='int', default=443, fallback=(env_fallback, ['VMWARE_PORT'])),
            vcenter_timeout=dict(type='int', default=60),
            path=dict(type='path', required=True),
            expected_sha256=dict(type='list', elements='str'),
            trust_on_first_use=dict(type='bool', default=False),
            exclusive=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
        add_file_common_args=True,
    )
    if not _client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)
    if not _certs.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib('cryptography'), exception=_certs.CRYPTOGRAPHY_IMPORT_ERROR)
    try:
        result = run(module)
    except CertOpsError as exc:
        failure = exc.to_fail_kwargs()
        failure.pop('vcenter_state', None)  # nothing is ever changed on vCenter
        failure['path'] = module.params['path']
        module.fail_json(**failure)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
