# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Readers of vCenter's certificate state, shared by the modules, and the one place that decides
which trusted root is the current VMCA root (the API has no read operation for it).

How the VMCA root is identified (documented to users in vcenter_vmca_root):
  1. Evidence of what the VMCA has issued: the trusted root that anchors the machine SSL certificate, and
     the trusted root that anchors the active STS signing chain (vCenter 7.0 U3+ on ``/api``; a
     refreshed STS chain is VMCA-issued).
  2. An anchor counts as a VMCA root when its subject carries the VMCA's marks: ``DC=vsphere`` (the
     root vCenter creates at install), ``OU=VMware Engineering``, or ``O=VMware`` (the default of a
     root made by VmcaRoot.create), or when it matches every subject field a caller says it asked for
     (``extra_marks``, e.g. a root created with a custom organization). A corporate root that anchors a
     custom machine SSL certificate carries no mark and does not count.
  3. Also a VMCA root: a trusted self-signed CA certificate (not the machine SSL certificate itself) that
     names this vCenter: its common name or a subject alternative name equals a name of the machine SSL
     certificate (its CN or a SAN). VmcaRoot.create gives a new root the PNID as common name and SAN by
     default, whatever organization it was asked for, so this finds a replaced root even when it has
     issued nothing visible yet (a custom machine SSL certificate is left alone by the replacement, and
     the STS chain is not re-issued), and without knowing the subject it was created with. Roots of
     other vCenters in the same SSO domain carry their own names and do not count.
  4. Of the roots found by 2 and 3, the newest (latest notBefore) is the current VMCA root: replacing the
     VMCA root makes a newer root. On a tie, the anchor of the machine SSL certificate wins.
  5. None found: the VMCA root cannot be told, and callers say so (and act only with force).
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
    """True when the subject carries a VMCA mark, or matches every given (non-None) field of ``extra_marks``."""
    subject = _certs.name_to_string(cert.subject)
    parts = [p.strip() for p in subject.split(',')]
    for mark in VMCA_MARKS:
        if mark in parts:
            return True
    marks = dict((k, v) for k, v in (extra_marks or {}).items() if v is not None)
    # An empty request (no subject field given) must not make every root look like a VMCA root.
    if marks and not _certs.subject_mismatches(cert, marks):
        return True
    return False


def names_of(cert):
    """Lower-cased CN and SAN values (``vc.example.com``, ``10.0.0.1``) of a certificate."""
    names = set()
    common_name = _certs.subject_fields(cert.subject).get('common_name')
    if common_name:
        names.add(common_name.strip().lower().rstrip('.'))
    for san in _certs.subject_alt_names(cert):
        kind, dummy, value = san.partition(':')
        if kind in ('DNS', 'IP'):
            names.add(value.strip().lower().rstrip('.'))
    return names


def find_vmca_root(tls_cert, sts_chain, chains, extra_marks=None):
    """Return ``(root_or_None, explanation)``; see the module docstring for the rule."""
    candidates = []
    tls_anchor = anchor([tls_cert], chains) if tls_cert is not None else None
    sts_anchor = anchor(sts_chain, chains) if sts_chain else None
    # (label, root, needs a VMCA mark)
    evidence = [('anchors the machine SSL certificate', tls_anchor, True),
                ('anchors the STS signing chain', sts_anchor, True)]
    if tls_cert is not None:
        own_names = names_of(tls_cert)
        own_fp = _certs.fingerprint(tls_cert)
        for cert in trusted_certs(chains):
            is_root = _certs.is_ca(cert) and _certs.is_self_signed(cert)
            if _certs.fingerprint(cert) != own_fp and is_root and names_of(cert) & own_names:
                evidence.append(('names this vCenter (a root made by a VMCA root replacement)', cert, False))
    seen = set()
    for label, root, needs_mark in evidence:
        if root is None or not _certs.is_ca(root) or (needs_mark and not has_vmca_marks(root, extra_marks)):
            continue
        fp = _certs.fingerprint(root)
        if fp in seen:
            continue
        seen.add(fp)
        candidates.append((label, root))
    if not candidates:
        return None, ('no trusted root that anchors the machine SSL certificate%s, or that names this vCenter, '
                      'looks like a VMCA root' % (' or the STS signing chain' if sts_chain else ''))
    # max() keeps the first of equal keys: the machine SSL anchor wins a tie.
    label, root = max(candidates, key=lambda item: _certs.not_before(item[1]))
    return root, 'the VMCA root is the trusted root %s that %s' % (_certs.name_to_string(root.subject), label)


def trust_path_fingerprints(certs, chains):
    """Fingerprints of the trusted certificates on the path from ``certs[0]`` (leaf first) to its anchor."""
    if not certs:
        return set()
    trusted = trusted_certs(chains)
    trusted_fps = _certs.fingerprint_set(trusted)
    path = _certs.build_chain(certs[0], trusted + list(certs[1:]))
    return set(fp for fp in (_certs.fingerprint(c) for c in path) if fp in trusted_fps)


ANCHOR_LABELS = ('machine_ssl', 'sts_signing', 'vmca_root')


def chain_anchors(chains, tls_cert=None, sts_chain=None, vmca_root=None):
    """``{chain_id: [label, ...]}``: what each chain anchors, labels from :data:`ANCHOR_LABELS`.

    A chain anchors the machine SSL certificate (or the STS signing chain) when it holds a certificate
    on that certificate's trust path; it anchors the VMCA root when it holds the VMCA root. When two
    chains hold the same certificate, both count (removing either needs force).
    """
    paths = (
        ('machine_ssl', trust_path_fingerprints([tls_cert], chains) if tls_cert is not None else set()),
        ('sts_signing', trust_path_fingerprints(sts_chain, chains) if sts_chain else set()),
        ('vmca_root', set([_certs.fingerprint(vmca_root)]) if vmca_root is not None else set()),
    )
    result = {}
    for chain in chains:
        fps = _certs.fingerprint_set(chain['certs'])
        result[chain['chain_id']] = [label for label, path in paths if path & fps]
    return result


def read_anchor_state(api, extra_marks=None, chains=None):
    """Trust store plus what anchors what: ``{'chains', 'tls_cert', 'sts_chain', 'vmca_root', 'vmca_reason',
    'anchors'}``. Costs Tls.get, the trust store (unless ``chains`` is given), and (on ``/api``) the STS chain."""
    tls_cert = _certs.load_certificates(api.get_tls().get('cert') or '', 'machine SSL certificate from vCenter')[0]
    if chains is None:
        chains = trust_store(api)
    sts_chain = read_sts_chain(api) if api.client.dialect == 'api' else None
    root, reason = find_vmca_root(tls_cert, sts_chain, chains, extra_marks)
    return {'chains': chains, 'tls_cert': tls_cert, 'sts_chain': sts_chain, 'vmca_root': root,
            'vmca_reason': reason, 'anchors': chain_anchors(chains, tls_cert, sts_chain, root)}


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
