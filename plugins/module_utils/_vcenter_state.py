# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Readers of vCenter's certificate state, shared by the modules, and the one place that decides
which trusted root is the current VMCA root (the API has no read operation for it).

How the VMCA root is identified (documented to users in vcenter_vmca_root):
  1. Evidence: the trusted root that anchors the machine SSL certificate, and the trusted root that
     anchors the active STS signing chain (vCenter 7.0 U3+; a refreshed STS chain is VMCA-issued).
  2. A root counts as a VMCA root when its subject carries the VMCA's marks: ``DC=vsphere`` (the root
     vCenter creates at install), ``OU=VMware Engineering``, or ``O=VMware`` (the default of a root made by
     VmcaRoot.create), or when it matches the subject a caller says it asked for (``extra_marks``).
  3. Of the anchors that count, the newest (latest notBefore) is the current VMCA root: replacing the
     VMCA root makes a newer root and re-issues the machine SSL certificate under it.
  4. No anchor counts: the VMCA root cannot be told, and callers say so (and act only with force).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    NotFoundError,
    UnsupportedVersionError,
)

VMCA_MARKS = ('DC=vsphere', 'OU=VMware Engineering', 'O=VMware')


def trust_store(api):
    """``[{'chain_id': str, 'certs': [x509...]}, ...]`` in vCenter's order."""
    chains = []
    for chain_id, pems in api.get_trusted_roots():
        certs = []
        for pem in pems:
            try:
                certs.extend(_certs.load_certificates(pem, 'trusted root chain %s' % chain_id))
            except _certs.CertificateInputError:
                continue  # a chain vCenter holds but we cannot parse is reported without certificates
        chains.append({'chain_id': chain_id, 'certs': certs})
    return chains


def trusted_certs(chains):
    return [c for chain in chains for c in chain['certs']]


def anchor(certs, chains):
    """The trusted certificate (preferably self-signed) a chain ends at, or None."""
    if not certs:
        return None
    pool = trusted_certs(chains) + list(certs[1:])
    path = _certs.build_chain(certs[0], pool)
    trusted_fps = set(_certs.fingerprint(c) for c in trusted_certs(chains))
    anchors = [c for c in path if _certs.fingerprint(c) in trusted_fps]
    if not anchors:
        return None
    return anchors[-1]


def chain_anchoring(cert, chains):
    """Id of the trusted chain that holds ``cert`` (by fingerprint), or None."""
    if cert is None:
        return None
    fp = _certs.fingerprint(cert)
    for chain in chains:
        if fp in set(_certs.fingerprint(c) for c in chain['certs']):
            return chain['chain_id']
    return None


def has_vmca_marks(cert, extra_marks=None):
    subject = _certs.name_to_string(cert.subject)
    parts = [p.strip() for p in subject.split(',')]
    for mark in VMCA_MARKS:
        if mark in parts:
            return True
    if extra_marks and not _certs.subject_mismatches(cert, extra_marks):
        return True
    return False


def find_vmca_root(tls_cert, sts_chain, chains, extra_marks=None):
    """Return ``(root_or_None, explanation)``; see the module docstring for the rule."""
    candidates = []
    tls_anchor = anchor([tls_cert], chains) if tls_cert is not None else None
    sts_anchor = anchor(sts_chain, chains) if sts_chain else None
    for label, root in (('machine SSL certificate', tls_anchor), ('STS signing chain', sts_anchor)):
        if root is not None and _certs.is_ca(root) and has_vmca_marks(root, extra_marks):
            candidates.append((label, root))
    if not candidates:
        return None, ('no trusted root that anchors the machine SSL certificate%s looks like a VMCA root' % (
            ' or the STS signing chain' if sts_chain else ''))
    label, root = max(candidates, key=lambda item: _certs.not_before(item[1]))
    return root, 'the VMCA root is the trusted root %s that anchors the %s' % (
        _certs.name_to_string(root.subject), label)


def read_sts_chain(api):
    """Active STS chain as certificates, or None where the vCenter has no STS API (before 7.0 U3)."""
    try:
        pems = api.get_signing_certificate()['active_cert_chain']
    except (NotFoundError, UnsupportedVersionError):
        return None
    certs = []
    for pem in pems:
        certs.extend(_certs.load_certificates(pem, 'STS signing chain'))
    return certs


def machine_ssl_state(api, with_served=False, with_vmca=False, extra_marks=None):
    """What the modules need to know about the machine SSL certificate.

    Costs one read (``Tls.get``); ``with_served`` adds one TLS handshake; ``with_vmca`` adds the trust
    store and the STS chain reads needed to tell whether the certificate is VMCA-issued.
    """
    info = api.get_tls()
    cert = _certs.load_certificates(info.get('cert') or '', 'machine SSL certificate from vCenter')[0]
    state = {'certificate': cert, 'sha256': _certs.fingerprint(cert), 'served_sha256': None,
             'vmca_root': None, 'vmca_reason': None, 'chains': None}
    if with_served:
        try:
            der = api.client.served_certificate_der()
            state['served_sha256'] = fingerprint_der(der)
        except (OSError, ValueError):
            state['served_sha256'] = None
    if with_vmca:
        chains = trust_store(api)
        sts = read_sts_chain(api) if api.client.dialect == 'api' else None
        root, reason = find_vmca_root(cert, sts, chains, extra_marks)
        state['chains'] = chains
        state['vmca_root'] = root
        state['vmca_reason'] = reason
        state['issued_by_vmca'] = root is not None and anchor([cert], chains) is not None and \
            _certs.fingerprint(anchor([cert], chains)) == _certs.fingerprint(root)
    return state


def fingerprint_der(der):
    from cryptography import x509  # local: only needed when the served certificate is read
    return _certs.fingerprint(x509.load_der_x509_certificate(der))
