# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""The plan of the ``trusted_roots`` role: pure functions from what ``vcenter_trusted_root_info`` returns and the
list of chains that must be present to what to add, replace, remove and keep.

No I/O and no Ansible: :func:`plan` takes the documented input (see the ``trust_store_plan`` filter). Chains are
compared as sorted lists of SHA-256 fingerprints, whatever their id, as ``vcenter_trusted_root`` does. Expiry follows
the rule of the ``cert_findings`` filter (:func:`_findings.is_expired`), so the chains this plan removes as expired
are the chains a ``trusted_root_expired`` finding names.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.plugin_utils import _findings

UNLISTED = 'unlisted'
EXPIRED = 'expired'


class TrustPlanInputError(ValueError):
    """The input does not describe a trust store or a list of chains; the message says what is wrong."""


def _fingerprint(value, what):
    text = str(value or '')
    if not re.match(r'^[0-9A-Fa-f]{2}([0-9A-Fa-f: ]*[0-9A-Fa-f])?$', text):
        raise TrustPlanInputError('%s must be a SHA-256 fingerprint in hex, got %r' % (what, value))
    return _certs.normalise_fingerprint(text)


def _fingerprints(values, what):
    if not isinstance(values, list) or not values:
        raise TrustPlanInputError('%s must be a non-empty list of SHA-256 fingerprints' % what)
    return sorted(_fingerprint(value, what) for value in values)


def _pem_chain(pem, source):
    """The sorted fingerprints of a PEM chain, and the certificates of it that are not a CA with the keyCertSign
    key usage (vCenter refuses them)."""
    if not _certs.HAS_CRYPTOGRAPHY:
        raise TrustPlanInputError('fingerprinting a PEM chain needs the Python library cryptography: %s'
                                  % _certs.CRYPTOGRAPHY_IMPORT_ERROR)
    # CertificateInputError (a ValueError) names the entry and never echoes its text (nor a private key)
    certs = _certs.load_certificates(pem, 'trusted_roots_present entry %s' % source)
    fingerprints = sorted(_certs.fingerprint(cert) for cert in certs)
    not_ca = ['%s (SHA-256 %s)' % (_certs.name_to_string(cert.subject), _certs.fingerprint(cert))
              for cert in certs if not _certs.is_valid_ca(cert)]
    return fingerprints, not_ca


def _desired_chain(entry, position):
    """One listed chain (``entry``, at ``position`` from 0) as :func:`desired_chains` returns it."""
    if not isinstance(entry, dict):
        raise TrustPlanInputError('listed chain %d must be a dict with pem or fingerprints' % (position + 1))
    index = entry.get('index') or position + 1
    source = entry.get('source') or 'pem #%d' % index
    if entry.get('pem') is not None:
        fingerprints, not_ca = _pem_chain(entry['pem'], source)
    else:
        fingerprints, not_ca = _fingerprints(entry.get('fingerprints'), 'listed chain %s: fingerprints' % source), []
    return {'index': index, 'source': source, 'chain_id': entry.get('chain_id') or None,
            'fingerprints': fingerprints, 'not_ca': not_ca}


def desired_chains(entries):
    """The chains that must be present, each ``{'index', 'source', 'chain_id', 'fingerprints', 'not_ca'}``.

    An entry gives its certificates as ``pem`` (fingerprinted here; ``not_ca`` names every certificate that is not a
    CA with the keyCertSign key usage, which vCenter refuses) or as ``fingerprints`` (``not_ca`` is then empty).
    """
    if not isinstance(entries, list):
        raise TrustPlanInputError('the listed chains must be a list, got %s' % type(entries).__name__)
    return [_desired_chain(entry, position) for position, entry in enumerate(entries)]


def _store_fingerprint(cert, what):
    """The SHA-256 fingerprint of a certificate summary of the trust store."""
    sha256 = ((cert.get('fingerprints') or {}).get('sha256')) if isinstance(cert, dict) else None
    if not sha256:
        raise TrustPlanInputError('%s has no fingerprints.sha256' % what)
    return _fingerprint(sha256, '%s: fingerprints.sha256' % what)


def _store_not_after(cert, what):
    """The end of validity of a certificate summary of the trust store, as a UTC datetime."""
    if cert.get('not_after') is None:
        raise TrustPlanInputError('%s has no not_after' % what)
    return _findings.parse_utc(cert['not_after'], '%s: not_after' % what)


def _store_chain(chain, position, now):
    """One chain of the trust store (``chain``, at ``position`` from 0) as :func:`store_chains` returns it."""
    if not isinstance(chain, dict) or not chain.get('chain_id'):
        raise TrustPlanInputError('trust store chain %d must be a dict with chain_id' % (position + 1))
    chain_id = str(chain['chain_id'])
    fingerprints, subjects, expired = [], [], []
    for number, cert in enumerate(chain.get('certificates') or [], 1):
        what = 'trust store chain %s certificate %d' % (chain_id, number)
        fingerprints.append(_store_fingerprint(cert, what))
        subjects.append(cert.get('subject'))
        not_after = _store_not_after(cert, what)
        if _findings.is_expired(not_after, now):
            expired.append({'subject': cert.get('subject'), 'not_after': _certs.iso(not_after)})
    return {'chain_id': chain_id, 'anchors': list(chain.get('anchors') or []), 'subjects': subjects,
            'fingerprints': sorted(fingerprints), 'expired': expired}


def store_chains(info, now):
    """The chains of a ``vcenter_trusted_root_info`` result, each ``{'chain_id', 'anchors', 'subjects',
    'fingerprints', 'expired'}``; ``expired`` lists ``{'subject', 'not_after'}`` of the certificates expired at
    ``now``, in the chain's order."""
    if not isinstance(info, dict) or not isinstance(info.get('chains'), list):
        raise TrustPlanInputError('the trust store must be the result of vcenter_trusted_root_info (a dict with '
                                  'chains), got %s' % type(info).__name__)
    return [_store_chain(chain, position, now) for position, chain in enumerate(info['chains'])]


def _held(store):
    """The fingerprints of every chain of the store, and the set of every fingerprint the store holds."""
    exact = [chain['fingerprints'] for chain in store]
    return exact, set(fp for fps in exact for fp in fps)


def _to_add(store, desired):
    """The listed chains that are not present: present is in the store as such, or every certificate held by other
    chains (vCenter refuses duplicates)."""
    exact, held = _held(store)
    return [entry for entry in desired
            if entry['fingerprints'] not in exact and not set(entry['fingerprints']) <= held]


def _relied(store, desired):
    """The certificates of the listed chains that are present only as certificates of other chains."""
    exact, held = _held(store)
    return set(fp for entry in desired
               if entry['fingerprints'] not in exact and set(entry['fingerprints']) <= held
               for fp in entry['fingerprints'])


def _listed(store, desired):
    """The ids of the chains that count as listed: those that hold a listed chain exactly, and those that hold a
    certificate of a listed chain whose certificates are all in the store but in other chains (vCenter refuses the
    same certificates under another id, so those chains are how the listed one is present)."""
    relied = _relied(store, desired)
    wanted = [entry['fingerprints'] for entry in desired]
    return set(chain['chain_id'] for chain in store
               if chain['fingerprints'] in wanted or set(chain['fingerprints']) & relied)


def _conflicts(store, desired):
    """The listed chain_ids that the store holds with other certificates (once per such chain, in the list's
    order)."""
    return [entry['chain_id'] for entry in desired if entry['chain_id'] for chain in store
            if chain['chain_id'] == entry['chain_id'] and chain['fingerprints'] != entry['fingerprints']]


def _view(chain, *keys):
    return dict((key, chain[key]) for key in keys)


_STORE_VIEW = ('chain_id', 'anchors', 'subjects', 'fingerprints')


def _keep_ids(keep_chain_ids):
    """The ids of the chains kept whatever they hold, as a set of strings."""
    if not isinstance(keep_chain_ids, (list, tuple)):
        raise TrustPlanInputError('keep_chain_ids must be a list of chain ids, got %s' % type(keep_chain_ids).__name__)
    return set(str(chain_id) for chain_id in keep_chain_ids)


def _never_removed(chain, listed, keep):
    """Whether the chain is out of the removals' reach: it anchors a certificate, is listed or is kept by id."""
    return bool(chain['anchors']) or chain['chain_id'] in keep or chain['chain_id'] in listed


def _protected(chains, listed, remove_unlisted):
    """The unlisted chains that remove_unlisted leaves because they anchor a certificate."""
    if not remove_unlisted:
        return []
    return [_view(chain, *_STORE_VIEW) for chain in chains if chain['chain_id'] not in listed and chain['anchors']]


def _kept_anchoring(chains, remove_expired):
    """The expired chains that remove_expired leaves because they still anchor a certificate."""
    if not remove_expired:
        return []
    return [{'chain_id': chain['chain_id'], 'anchors': chain['anchors'], 'subject': chain['expired'][0]['subject'],
             'not_after': chain['expired'][0]['not_after']}
            for chain in chains if chain['expired'] and chain['anchors']]


def _listed_in(chain_id, listed, keep):
    """The variable that lists the chain (the listed chains first), None when neither does."""
    if chain_id in listed:
        return 'trusted_roots_present'
    if chain_id in keep:
        return 'trusted_roots_keep_chain_ids'
    return None


def _kept_listed(chains, listed, keep, remove_expired):
    """The expired chains that anchor nothing and that remove_expired leaves because they are listed."""
    if not remove_expired:
        return []
    kept = []
    for chain in chains:
        listed_in = _listed_in(chain['chain_id'], listed, keep)
        if chain['expired'] and not chain['anchors'] and listed_in:
            first = chain['expired'][0]
            kept.append({'chain_id': chain['chain_id'], 'subject': first['subject'], 'not_after': first['not_after'],
                         'listed_in': listed_in})
    return kept


def _reasons(chain, remove_unlisted, remove_expired):
    """Why the options would remove the chain (an empty list when they would not)."""
    reasons = []
    if remove_unlisted:
        reasons.append(UNLISTED)
    if remove_expired and chain['expired']:
        reasons.append(EXPIRED)
    return reasons


def _removals(chains, listed, keep, remove_unlisted, remove_expired):
    """The chains to remove, as pairs of the chain and its removal (its view with the reasons)."""
    removals = []
    for chain in chains:
        reasons = _reasons(chain, remove_unlisted, remove_expired)
        if reasons and not _never_removed(chain, listed, keep):
            removals.append((chain, dict(_view(chain, *_STORE_VIEW), reasons=reasons)))
    return removals


def _may_be_vmca_root(chain, reasons):
    """Whether removing the chain may remove the VMCA root, were it unidentified.

    Unidentified, the VMCA root may be any chain that anchors nothing: removing an unlisted one is a guess. A chain
    whose certificates have all expired cannot anchor a valid certificate, whatever it is; one that still holds a
    valid certificate may be the VMCA root.
    """
    return UNLISTED in reasons or len(chain['expired']) < len(chain['fingerprints'])


def _needs_vmca_root(removals, vmca_unknown):
    """The removals that need the VMCA root identified first."""
    if not vmca_unknown:
        return []
    return [_view(removal, 'chain_id', 'reasons') for chain, removal in removals
            if _may_be_vmca_root(chain, removal['reasons'])]


def plan(info, desired, remove_unlisted=False, remove_expired=False, keep_chain_ids=(), replace_conflicting=False,
         now=None):
    """What the role does to the trust store ``info`` (a ``vcenter_trusted_root_info`` result) so that it holds
    ``desired`` (see :func:`desired_chains`). See the ``trust_store_plan`` filter for the returned dict."""
    now = _findings.parse_utc(now, 'now') if now is not None else _certs.utcnow()
    keep = _keep_ids(keep_chain_ids)
    store = store_chains(info, now)
    wanted = desired_chains(desired)
    to_add = _to_add(store, wanted)
    conflicts = _conflicts(store, wanted)
    listed = _listed(store, wanted)
    # a conflicting chain that is replaced holds the listed certificates once the additions are made: the removals,
    # which come after, must not take it for the unlisted chain it was
    replaced = set(conflicts) if replace_conflicting else set()
    chains = [chain for chain in store if chain['chain_id'] not in replaced]
    removals = _removals(chains, listed, keep, remove_unlisted, remove_expired)
    to_remove = [removal for dummy, removal in removals]
    return {
        'store': [_view(chain, *_STORE_VIEW) for chain in store],
        'desired': wanted,
        'to_add': to_add,
        'conflicts': conflicts,
        'to_remove': to_remove,
        'protected': _protected(chains, listed, remove_unlisted),
        'kept_expired_anchoring': _kept_anchoring(chains, remove_expired),
        'kept_expired_listed': _kept_listed(chains, listed, keep, remove_expired),
        'needs_vmca_root': _needs_vmca_root(removals, info.get('vmca_root') is None),
        'any_change': bool(to_add or to_remove or (conflicts and replace_conflicting)),
    }
