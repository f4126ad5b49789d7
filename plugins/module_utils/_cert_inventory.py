# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Every certificate of one vCenter from one session, and the result shapes the ``_info`` modules share.

``read_inventory()`` costs ``1 login + Tls.get + 1 list + 1 read per trusted chain + 1 STS read + 1 logout``
(no STS read where the vCenter has no STS API: ``/rest`` dialect or before 7.0 U3), plus one TLS handshake with
the vCenter port for what it serves. Everything else (anchors, VMCA root, the flat certificate list) is worked out
from those reads, with the rules of ``_vcenter_state``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    NotFoundError,
    UnsupportedVersionError,
    VCenterError,
)
from ansible_collections.certops.vcenter.plugins.module_utils._module import CertModule, Plan
from ansible_collections.certops.vcenter.plugins.module_utils._vcenter_state import (
    anchor,
    chain_anchors,
    find_vmca_root,
    read_machine_ssl,
    served_sha256,
    trust_store,
)


class InfoModule(CertModule):
    """A module that only reads: never a change, the same in check mode."""

    def compare(self, current):
        return Plan(changed=False)


def parse_chain(pems, what):
    """PEM strings (each may hold several certificates) -> certificates, in order."""
    certs = []
    for pem in pems or []:
        certs.extend(_certs.load_certificates(pem, what))
    return certs


def parse_sts(info):
    """``SigningCertificate.Info`` as :meth:`CertApi.get_signing_certificate` returns it -> certificates."""
    return {
        'active': parse_chain(info['active_cert_chain'], 'active STS signing chain from vCenter'),
        'signing': [parse_chain(chain, 'STS signing chain %d from vCenter' % (index + 1))
                    for index, chain in enumerate(info['signing_cert_chains'])],
    }


def sts_result(sts, include_pem=True):
    """The return values of vcenter_sts_signing_cert_info from :func:`parse_sts`."""
    active = sts['active']
    return {
        'active_chain': _certs.summaries(active, include_pem=include_pem),
        'signing_chains': [_certs.summaries(chain, include_pem=include_pem) for chain in sts['signing']],
        'days_remaining': _certs.days_remaining(active[0]) if active else None,
    }


def chains_result(chains, anchors, include_pem=True, wanted=None):
    """The ``chains`` return value of vcenter_trusted_root_info (and ``trusted_chains`` of
    vcenter_certificates_info): every chain with what it anchors."""
    return [{'chain_id': chain['chain_id'],
             'anchors': anchors.get(chain['chain_id'], []),
             'certificates': _certs.summaries(chain['certs'], include_pem=include_pem)}
            for chain in chains if wanted is None or chain['chain_id'] == wanted]


def read_sts(api):
    """``(parsed STS chains, 'read')``; ``(None, 'not available: ...')`` where this vCenter has no STS API;
    ``(None, 'error: ...')`` when vCenter answers the STS read with an error (the other reads still count)."""
    if api.client.dialect != 'api':
        return None, 'not available: the STS signing certificate API is only in the /api dialect (vCenter 7.0 U3+)'
    try:
        return parse_sts(api.get_signing_certificate()), 'read'
    except (NotFoundError, UnsupportedVersionError) as exc:
        return None, 'not available: %s' % exc.message
    except VCenterError as exc:
        return None, 'error: %s' % exc.message


def read_inventory(api):
    """Read every certificate of the vCenter behind ``api`` once; see the module docstring for the cost."""
    tls_cert = read_machine_ssl(api)
    served = served_sha256(api)
    chains = trust_store(api)
    sts, sts_note = read_sts(api)
    active = sts['active'] if sts else None
    root, reason = find_vmca_root(tls_cert, active, chains)
    tls_anchor = anchor([tls_cert], chains)
    issued = root is not None and tls_anchor is not None and \
        _certs.fingerprint(tls_anchor) == _certs.fingerprint(root)
    return {'tls_cert': tls_cert, 'served_sha256': served, 'chains': chains, 'sts': sts, 'sts_note': sts_note,
            'vmca_root': root, 'vmca_reason': reason, 'issued_by_vmca': issued,
            'anchors': chain_anchors(chains, tls_cert, active, root)}


def certificate_list(inventory):
    """Every certificate once, in the order of the role it plays first: machine SSL, VMCA root, STS signing
    chains, trusted chains. Each is a summary (no PEM) with ``kind``, ``label`` and ``chain_id``."""
    roles = [('machine_ssl', 'Machine SSL', inventory['tls_cert'], None)]
    roles += vmca_root_roles(inventory['chains'], inventory['anchors'])
    roles += sts_roles(inventory['sts'])
    roles += trusted_roles(inventory['chains'])
    seen = set()
    result = []
    for kind, label, cert, chain_id in roles:
        fp = _certs.fingerprint(cert)
        if fp in seen:
            continue
        seen.add(fp)
        item = _certs.summary(cert)
        item.update({'kind': kind, 'label': label, 'chain_id': chain_id})
        result.append(item)
    return result


def vmca_root_roles(chains, anchors):
    """``[(kind, label, cert, chain_id)]`` for the certificates of the chains that hold the VMCA root."""
    roles = []
    for chain in chains:
        if 'vmca_root' in anchors.get(chain['chain_id'], []):
            roles.extend(('vmca_root', 'VMCA root', cert, chain['chain_id']) for cert in chain['certs'])
    return roles


def sts_roles(sts):
    """``[(kind, label, cert, chain_id)]`` for the certificates of the STS signing chains, active chain first."""
    if not sts:
        return []
    active_fp = _certs.fingerprint(sts['active'][0]) if sts['active'] else None
    return [('sts_signing', sts_label(cert, index, active_fp), cert, None)
            for chain in [sts['active']] + sts['signing'] for index, cert in enumerate(chain)]


def sts_label(cert, index, active_fp):
    if _certs.fingerprint(cert) == active_fp:
        return 'STS signing (active)'
    return 'STS signing' if index == 0 else 'STS chain CA'


def trusted_roles(chains):
    """``[(kind, label, cert, chain_id)]`` for the certificates of the trusted chains."""
    return [('trusted_root', 'Trusted root' if _certs.is_ca(cert) else 'Trusted chain certificate', cert, chain['chain_id'])
            for chain in chains for cert in chain['certs']]
