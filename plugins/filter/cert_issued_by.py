# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: cert_issued_by
short_description: Whether a certificate was issued by a given CA certificate
version_added: 0.1.0
author:
  - certops.vcenter maintainers (@certops)
description:
  - Returns C(true) when the CA certificate O(issuer) issued the certificate O(_input) - the issuer name of the
    certificate is the subject of O(issuer), and the signature of the certificate verifies with the public key of
    O(issuer).
  - The signature is checked, not only the key identifiers - a CA certificate with the same name, or even the same
    subject key identifier, but another key did not issue the certificate.
  - The same rule as the modules of this collection and the P(certops.vcenter.cert_findings#filter) filter use for
    the order of a chain and the root of a certificate. The role P(certops.vcenter.rotate_machine_ssl#role) uses it to
    tell whether the machine SSL certificate comes from the expected CA.
  - The filter reads nothing from vCenter and does not check validity dates, key usage or a chain to a root.
positional: _input, issuer
options:
  _input:
    description:
      - The certificate - a PEM string, or a certificate summary with C(pem) (as the C(_info) modules of this
        collection return it, for example RV(certops.vcenter.vcenter_tls_cert_info#module:certificate)).
      - Of a PEM bundle, the first certificate is the one checked.
    type: raw
    required: true
  issuer:
    description:
      - The CA certificate that should have issued O(_input) - a PEM string, or a certificate summary with C(pem).
      - Of a PEM bundle, the first certificate is the issuer.
    type: raw
    required: true
notes:
  - A signature algorithm that the Python library C(cryptography) cannot verify counts as not issued.
  - Input that is not a certificate (an empty string, a summary without C(pem), a private key) is an error that
    names the problem, never a silent C(false). Key material is never echoed.
seealso:
  - module: certops.vcenter.vcenter_tls_cert_info
'''

EXAMPLES = r'''
- name: Read the machine SSL certificate
  certops.vcenter.vcenter_tls_cert_info:
  register: tls

- name: Rotate when the certificate does not come from the corporate issuing CA
  ansible.builtin.set_fact:
    rotate: "{{ not (tls.certificate | certops.vcenter.cert_issued_by(lookup('ansible.builtin.file', 'issuing-ca.pem'))) }}"

- name: The same with PEM strings
  ansible.builtin.assert:
    that: leaf_pem | certops.vcenter.cert_issued_by(ca_pem)
'''

RETURN = r'''
_value:
  description: C(true) when O(issuer) issued O(_input) (its name and the signature match), else C(false).
  type: bool
'''

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.certops.vcenter.plugins.module_utils import _certs


def _certificate(value, what):
    """The first certificate of ``value`` (PEM text or a summary with ``pem``); CertificateInputError otherwise."""
    if isinstance(value, Mapping):
        if not value.get('pem'):
            keys = ', '.join(sorted(str(k) for k in value)) or 'none'
            raise _certs.CertificateInputError(
                '%s is a dict without pem (keys: %s): give a PEM string, or a certificate summary with pem as the '
                '_info modules of this collection return it' % (what, keys))
        value = value['pem']
    if isinstance(value, bytes):
        value = to_text(value, errors='surrogate_or_strict')
    if not isinstance(value, str):
        kind = type(value).__name__
        raise _certs.CertificateInputError('%s is of type %s: give a PEM string or a certificate summary with pem' % (what, kind))
    return _certs.load_certificates(value, what)[0]


def cert_issued_by(cert, issuer):
    if not _certs.HAS_CRYPTOGRAPHY:
        raise AnsibleFilterError('certops.vcenter.cert_issued_by needs the Python library cryptography: %s'
                                 % to_native(_certs.CRYPTOGRAPHY_IMPORT_ERROR))
    try:
        return _certs.is_issued_by(_certificate(cert, 'the certificate'), _certificate(issuer, 'the issuer'))
    except (TypeError, ValueError) as exc:  # CertificateInputError
        raise AnsibleFilterError('certops.vcenter.cert_issued_by: %s' % to_native(exc))


class FilterModule(object):

    def filters(self):
        return {'cert_issued_by': cert_issued_by}
