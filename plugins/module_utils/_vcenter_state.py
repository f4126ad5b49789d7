# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Readers of vCenter's certificate state, shared by the modules, and the one place that decides
which trusted root is the current VMCA root of THIS vCenter (the API has no read operation for it).

How the VMCA root is identified (documented to users in vcenter_vmca_root):
  0. This vCenter's names are the common name and the subject alternative names of its machine SSL
     certificate (vCenter requires the PNID among them, whoever issued the certificate).
  1. A VMCA root is a trusted self-signed CA certificate whose subject carries the VMCA's marks:
     ``DC=vsphere`` or ``OU=VMware Engineering`` (the root vCenter creates at install, with
     ``O=<PNID of its node>``), or ``O=VMware`` (the default of a root made by VmcaRoot.create), or that
     matches every subject field a caller says it asked for (``extra_marks``). A corporate root carries no
     mark and does not count.
  2. In an Enhanced Linked Mode SSO domain the trust store is domain-wide: it also holds the VMCA roots of
     the other vCenters (vcenter-fidelity.md §4.10, KB 326288), and the domain-wide STS signing chain may
     be anchored by one of them. A VMCA root is another node's when it names a node (its ``O`` for an
     install root, its CN and SANs for a replaced one) and none of those names is one of this vCenter's,
     and it does not anchor this vCenter's machine SSL certificate. Other nodes' roots are never this
     vCenter's VMCA root, however new.
  3. Candidates for this vCenter's current VMCA root: the VMCA root that anchors the machine SSL
     certificate; the VMCA root that anchors the active STS signing chain (vCenter 7.0 U3+ on ``/api``),
     unless it is another node's; a trusted self-signed CA whose CN or a SAN is one of this vCenter's names
     (VmcaRoot.create names a new root after the PNID by default, whatever organization it was given);
     and a VMCA root with the install marks whose ``O`` is one of this vCenter's names (the root vCenter
     made at install: found also when a corporate machine SSL certificate and a corporate or missing STS
     chain leave no other evidence, "hybrid mode").
  4. Of the candidates, the newest (latest notBefore) is the current VMCA root: replacing the VMCA root
     makes a newer root. On a tie, the anchor of the machine SSL certificate wins.
  5. None found: the VMCA root cannot be told, and callers say so (and act only with force).

What each chain anchors (:func:`chain_anchors`): ``machine_ssl`` (a certificate on the machine SSL
certificate's trust path, built through the chain the TLS port serves, so the root of a certificate issued
through an intermediate that is not in the store counts), ``sts_signing``, ``vmca_root`` (this vCenter's
current VMCA root), ``linked_vmca_root`` (another vCenter's VMCA root in the same SSO domain) and
``vmca_issued`` (any other VMCA root: an earlier root of this vCenter, or one that cannot be told, which
still signs the ESXi host and solution-user certificates it issued, which the API does not show).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    NotFoundError,
    UnsupportedVersionError,
)

VMCA_MARKS = ('DC=vsphere', 'OU=VMware Engineering', 'O=VMware')
# The marks of the root vCenter creates at install (CN=CA, DC=vsphere, DC=local, ..., O=<PNID>, OU=VMware
# Engineering): its O names the node.
INSTALL_MARKS = ('DC=vsphere', 'OU=VMware Engineering')
# Subject values of VMCA roots that name no node.
GENERIC_NAMES = frozenset(['ca', 'vmware'])


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


def _subject_parts(cert):
    return [p.strip() for p in _certs.name_to_string(cert.subject).split(',')]


def has_vmca_marks(cert, extra_marks=None):
    """True when the subject carries a VMCA mark, or matches every given (non-None) field of ``extra_marks``."""
    parts = _subject_parts(cert)
    for mark in VMCA_MARKS:
        if mark in parts:
            return True
    marks = dict((k, v) for k, v in (extra_marks or {}).items() if v is not None)
    # An empty request (no subject field given) must not make every root look like a VMCA root.
    if marks and not _certs.subject_mismatches(cert, marks):
        return True
    return False


def is_vmca_root_cert(cert, extra_marks=None):
    """A self-signed CA certificate with the VMCA's marks (this vCenter's or another node's)."""
    return _certs.is_ca(cert) and _certs.is_self_signed(cert) and has_vmca_marks(cert, extra_marks)


def _norm(value):
    return (value or '').strip().lower().rstrip('.')


def names_of(cert):
    """Lower-cased CN and SAN values (``vc.example.com``, ``10.0.0.1``) of a certificate."""
    names = set()
    common_name = _certs.subject_fields(cert.subject).get('common_name')
    if common_name:
        names.add(_norm(common_name))
    for san in _certs.subject_alt_names(cert):
        kind, dummy, value = san.partition(':')
        if kind in ('DNS', 'IP'):
            names.add(_norm(value))
    return names


def names_of_vcenter(tls_cert):
    """This vCenter's names (step 0): those of its machine SSL certificate (none when it is not known)."""
    return names_of(tls_cert) if tls_cert is not None else set()


def has_install_marks(cert):
    """The subject carries the marks of the root vCenter creates at install (whose ``O`` names the node)."""
    parts = _subject_parts(cert)
    return any(mark in parts for mark in INSTALL_MARKS)


def organization(cert):
    return _certs.subject_fields(cert.subject).get('organization')


def asked_names(extra_marks):
    """The subject values a caller asked for (they name no node)."""
    return set(_norm(v) for v in (extra_marks or {}).values() if isinstance(v, str))


def node_names(root, extra_marks=None):
    """The names of the vCenter node a VMCA root belongs to, as far as its subject tells: the ``O`` of an install
    root (``O=<PNID>``), the CN and SANs of a root made by VmcaRoot.create (PNID by default). Generic values
    (``CA``, ``VMware``) and the subject values a caller asked for name no node."""
    names = set(names_of(root))
    if has_install_marks(root) and organization(root):
        names.add(_norm(organization(root)))
    not_names = GENERIC_NAMES | asked_names(extra_marks)
    return set(n for n in names if n and n not in not_names)


def is_other_nodes_root(root, own_names, tls_anchor=None, extra_marks=None):
    """True for the VMCA root of another vCenter of the SSO domain: it names a node, none of whose names is this
    vCenter's, and it does not anchor this vCenter's machine SSL certificate."""
    if not own_names:
        return False
    if tls_anchor is not None and _certs.fingerprint(tls_anchor) == _certs.fingerprint(root):
        return False
    names = node_names(root, extra_marks)
    return bool(names) and not names & own_names


def find_vmca_root(tls_cert, sts_chain, chains, extra_marks=None):
    """Return ``(root_or_None, explanation)``; see the module docstring for the rule."""
    candidates = vmca_root_candidates(tls_cert, sts_chain, chains, extra_marks)
    if not candidates:
        return None, ('no trusted root that anchors the machine SSL certificate%s, or that names this vCenter, '
                      'looks like a VMCA root of this vCenter' % (' or the STS signing chain' if sts_chain else ''))
    # max() keeps the first of equal keys: the machine SSL anchor wins a tie.
    label, root = max(candidates, key=lambda item: _certs.not_before(item[1]))
    return root, 'the VMCA root is the trusted root %s that %s' % (_certs.name_to_string(root.subject), label)


def vmca_root_candidates(tls_cert, sts_chain, chains, extra_marks=None):
    """Step 3: ``[(label, root), ...]``, each root once, the machine SSL anchor first: the anchors that are VMCA
    roots, then the trusted roots that name this vCenter."""
    evidence = anchor_evidence(tls_cert, sts_chain, chains, extra_marks) + name_evidence(tls_cert, chains)
    candidates, seen = [], set()
    for label, root, needs_mark in evidence:
        if root is None or not _certs.is_ca(root) or (needs_mark and not has_vmca_marks(root, extra_marks)):
            continue
        fp = _certs.fingerprint(root)
        if fp not in seen:
            seen.add(fp)
            candidates.append((label, root))
    return candidates


def anchor_evidence(tls_cert, sts_chain, chains, extra_marks=None):
    """``[(label, root or None, needs a VMCA mark)]``: the anchor of the machine SSL certificate, and the anchor of
    the STS signing chain unless it is another node's VMCA root."""
    tls_anchor = anchor([tls_cert], chains) if tls_cert is not None else None
    sts_anchor = anchor(sts_chain, chains) if sts_chain else None
    evidence = [('anchors the machine SSL certificate', tls_anchor, True)]
    if sts_anchor is not None and not is_other_nodes_root(sts_anchor, names_of_vcenter(tls_cert), tls_anchor, extra_marks):
        evidence.append(('anchors the STS signing chain', sts_anchor, True))
    return evidence


def name_evidence(tls_cert, chains):
    """``[(label, root, needs a VMCA mark)]``: the trusted self-signed CAs (other than the machine SSL certificate)
    that name this vCenter, by CN or SAN, or as the ``O`` of a VMCA install root."""
    if tls_cert is None:
        return []
    own_fp, names = _certs.fingerprint(tls_cert), names_of_vcenter(tls_cert)
    evidence = []
    for cert in trusted_certs(chains):
        if _certs.fingerprint(cert) == own_fp or not (_certs.is_ca(cert) and _certs.is_self_signed(cert)):
            continue
        if names_of(cert) & names:
            evidence.append(('names this vCenter (a root made by a VMCA root replacement)', cert, False))
        elif is_vmca_root_cert(cert) and has_install_marks(cert) and _norm(organization(cert)) in names:
            evidence.append(('carries this vCenter\'s name as the organization of a VMCA install root', cert, False))
    return evidence


def trust_path_fingerprints(certs, chains):
    """Fingerprints of the trusted certificates on the path from ``certs[0]`` (leaf first) to its anchor."""
    if not certs:
        return set()
    trusted = trusted_certs(chains)
    trusted_fps = _certs.fingerprint_set(trusted)
    path = _certs.build_chain(certs[0], trusted + list(certs[1:]))
    return set(fp for fp in (_certs.fingerprint(c) for c in path) if fp in trusted_fps)


ANCHOR_LABELS = ('machine_ssl', 'sts_signing', 'vmca_root', 'linked_vmca_root', 'vmca_issued')


def chain_anchors(chains, tls_cert=None, sts_chain=None, vmca_root=None, tls_chain=None):
    """``{chain_id: [label, ...]}``: what each chain anchors, labels from :data:`ANCHOR_LABELS`.

    A chain anchors the machine SSL certificate (or the STS signing chain) when it holds a certificate
    on that certificate's trust path; the machine SSL path is built through ``tls_chain`` (the chain the TLS
    port serves, leaf first) when given, so an intermediate that is not in the store still leads to its root.
    It anchors the VMCA root when it holds the VMCA root; another node's VMCA root is ``linked_vmca_root``; any
    other VMCA root (an earlier one, or one that cannot be told) is ``vmca_issued``. When two chains hold the
    same certificate, both count (removing either needs force).
    """
    tls_path_certs = list(tls_chain) if tls_chain else ([tls_cert] if tls_cert is not None else [])
    vmca_fp = _certs.fingerprint(vmca_root) if vmca_root is not None else None
    linked, issued = other_vmca_roots(chains, names_of_vcenter(tls_cert), anchor(tls_path_certs, chains), vmca_fp)
    paths = (
        ('machine_ssl', trust_path_fingerprints(tls_path_certs, chains)),
        ('sts_signing', trust_path_fingerprints(sts_chain, chains)),
        ('vmca_root', set([vmca_fp]) if vmca_fp is not None else set()),
        ('linked_vmca_root', linked),
        ('vmca_issued', issued),
    )
    result = {}
    for chain in chains:
        fps = _certs.fingerprint_set(chain['certs'])
        result[chain['chain_id']] = [label for label, path in paths if path & fps]
    return result


def other_vmca_roots(chains, names, tls_anchor, vmca_fp):
    """``(linked, issued)``: the fingerprints of the trusted VMCA roots other than the current one (``vmca_fp``),
    split into other nodes' roots and the rest (an earlier root of this vCenter, or one that cannot be told)."""
    linked, issued = set(), set()
    for cert in trusted_certs(chains):
        if not is_vmca_root_cert(cert):
            continue
        fp = _certs.fingerprint(cert)
        if fp == vmca_fp:
            continue
        if is_other_nodes_root(cert, names, tls_anchor):
            linked.add(fp)
        else:
            issued.add(fp)
    return linked, issued


def served_chain(api, tls_cert):
    """The chain the TLS port serves (leaf first) when its leaf is the machine SSL certificate vCenter reports,
    else ``[tls_cert]`` (vCenter restarting, or the chain cannot be read). Costs one TLS handshake."""
    try:
        ders = api.client.served_chain_der()
    except (OSError, ValueError, AttributeError):
        return [tls_cert]
    from cryptography import x509  # local: only needed when the served chain is read
    try:
        certs = [x509.load_der_x509_certificate(der) for der in ders]
    except ValueError:
        return [tls_cert]
    if not certs or _certs.fingerprint(certs[0]) != _certs.fingerprint(tls_cert):
        return [tls_cert]
    return [tls_cert] + [c for c in certs[1:] if _certs.is_ca(c)]


def read_machine_ssl(api):
    """The machine SSL certificate vCenter reports (``Tls.get``), parsed: the one reader of it."""
    return _certs.load_certificates(api.get_tls().get('cert') or '', 'machine SSL certificate from vCenter')[0]


def served_sha256(api):
    """SHA-256 of the certificate the TLS port presents now (one handshake, no verification), or None."""
    try:
        return fingerprint_der(api.client.served_certificate_der())
    except (OSError, ValueError):
        return None


def read_anchor_state(api, extra_marks=None, chains=None, with_served=True):
    """Trust store plus what anchors what: ``{'chains', 'tls_cert', 'tls_chain', 'tls_anchor', 'sts_chain',
    'vmca_root', 'vmca_reason', 'anchors'}``. Costs Tls.get, the trust store (unless ``chains`` is given), (on
    ``/api``) the STS chain, and with ``with_served`` one TLS handshake to read the chain the TLS port serves."""
    tls_cert = read_machine_ssl(api)
    if chains is None:
        chains = trust_store(api)
    sts_chain = read_sts_chain(api) if api.client.dialect == 'api' else None
    tls_chain = served_chain(api, tls_cert) if with_served else [tls_cert]
    root, reason = find_vmca_root(tls_cert, sts_chain, chains, extra_marks)
    return {'chains': chains, 'tls_cert': tls_cert, 'tls_chain': tls_chain,
            'tls_anchor': anchor(tls_chain, chains), 'sts_chain': sts_chain, 'vmca_root': root,
            'vmca_reason': reason, 'anchors': chain_anchors(chains, tls_cert, sts_chain, root, tls_chain)}


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
    cert = read_machine_ssl(api)
    state = {'certificate': cert, 'sha256': _certs.fingerprint(cert), 'served_sha256': None,
             'vmca_root': None, 'vmca_reason': None, 'chains': None}
    if with_served:
        state['served_sha256'] = served_sha256(api)
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
