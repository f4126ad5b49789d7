# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""The certificate health check: pure functions from one vCenter's certificates to findings.

No I/O and no Ansible: :func:`findings` takes the documented input dict (see the ``cert_findings`` filter) and
returns a list of findings, each with a stable ``id``, a ``severity``, the ``vcenter`` and ``certificate`` it is
about, one sentence of ``evidence`` and a ``remedy`` naming the module or role of this collection (and its
variables) that fixes it. :data:`CATALOGUE` is the list of rules; ``docs/docsite/rst/guide_health_check.rst``
documents it and a unit test keeps the two in step.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils import _vcenter_state

SEVERITIES = ('critical', 'warning', 'info')

KB_326288 = 'KB 326288 "Removing CA Certificates from the TRUSTED_ROOTS store in VECS"'
KB_318197 = 'KB 318197 "STS signing certificates are about to expire"'
REQ_80 = 'vSphere 8.0 Authentication, "Certificate Requirements for Different Solution Paths"'

# id -> (severity, source of the rule). "threshold" severities are critical below critical_days, warning below
# warning_days (and critical once expired).
CATALOGUE = {
    'machine_ssl_expired': ('critical', REQ_80),
    'machine_ssl_expiring': ('threshold', REQ_80),
    'sts_signing_expired': ('critical', KB_318197),
    'sts_signing_expiring': ('threshold', KB_318197),
    'vmca_root_expired': ('critical', 'vSphere 8.0 Authentication, "VMware Certificate Authority"'),
    'vmca_root_expiring': ('threshold', 'vSphere 8.0 Authentication, "VMware Certificate Authority"'),
    'trusted_root_expiring': ('threshold', KB_326288),
    'trusted_root_expired': ('warning', KB_326288),
    'trusted_root_expired_in_use': ('critical', KB_326288),
    'machine_ssl_san_missing_pnid': ('critical', REQ_80 + '; vSphere 7.0 Authentication (SubjectAltName must '
                                     'contain DNS Name=<machine FQDN>)'),
    'machine_ssl_not_anchored': ('critical', 'vSphere 7.0 Authentication, "Add a Trusted Root Certificate to the '
                                 'Certificate Store"'),
    'sts_signing_not_anchored': ('warning', 'vSphere 7.0 Authentication, "Refresh the STS signing certificate '
                                 'using the vSphere Client"'),
    'served_certificate_mismatch': ('warning', 'vSphere Automation API, Tls.get (the reported certificate) and '
                                    'the TLS handshake on port 443'),
    'weak_key': ('warning', REQ_80 + ' (RSA 2048 bits at least)'),
    'weak_signature': ('warning', REQ_80 + ' (no MD5 or SHA-1 signatures)'),
    'vmca_root_expires_first': ('warning', 'vSphere 8.0 Authentication, "VMware Certificate Authority" (a '
                                'certificate is valid only while its issuer is)'),
    'duplicate_trusted_root': ('info', KB_326288),
    'sts_verification_chain_expired': ('warning', KB_318197),
}


class FindingsInputError(ValueError):
    """The input does not describe a vCenter's certificates; the message says what is wrong."""


# --------------------------------------------------------------------------- input

def _pick(data, *paths):
    """The first value found at one of the dotted ``paths`` of ``data`` (None when none)."""
    for path in paths:
        value = data
        for part in path.split('.'):
            if not isinstance(value, dict) or value.get(part) is None:
                value = None
                break
            value = value[part]
        if value is not None:
            return value
    return None


def _pooled(item, what, pool):
    """The certificate of ``pool`` that has the SHA-256 fingerprint of the summary ``item`` (which has no pem)."""
    given = (item.get('fingerprints') or {}).get('sha256') or item.get('sha256')
    sha256 = _certs.normalise_fingerprint(given or '')
    for cert in pool:
        if sha256 and _certs.fingerprint(cert) == sha256:
            return [cert]
    raise FindingsInputError('%s has no pem (return the certificate summaries with pem, as the _info '
                             'modules of certops.vcenter do)' % what)


def _load_pem(pem, what):
    try:
        return _certs.load_certificates(pem, what)
    except _certs.CertificateInputError as exc:
        raise FindingsInputError(str(exc))


def _load_one(item, what, pool):
    """A certificate from a summary dict with ``pem``, a PEM string, or a summary without ``pem`` that a
    certificate of ``pool`` has the SHA-256 fingerprint of."""
    if isinstance(item, dict):
        if item.get('pem') is None:
            return _pooled(item, what, pool)
        return _load_pem(item['pem'], what)
    if isinstance(item, str):
        return _load_pem(item, what)
    raise FindingsInputError('%s must be a certificate summary with pem or a PEM string, got %s'
                             % (what, type(item).__name__))


def _load_list(items, what, pool=()):
    if items is None:
        return []
    if isinstance(items, (str, dict)):
        items = [items]
    certs = []
    for index, item in enumerate(items):
        certs.extend(_load_one(item, '%s certificate %d' % (what, index + 1), pool))
    return certs


def _trusted_chain(chain, index):
    """One chain of the trust store (``chain``, at ``index`` from 0) as ``{'chain_id', 'certs'}``."""
    if not isinstance(chain, dict):
        raise FindingsInputError('trusted root chain %d must be a dict with chain_id and certificates' % (index + 1))
    chain_id = str(chain.get('chain_id') or chain.get('id') or 'chain-%d' % (index + 1))
    certs = _load_list(chain.get('certificates', chain.get('certs')), 'trusted root chain %s' % chain_id)
    return {'chain_id': chain_id, 'certs': certs}


def _trusted_chains(data):
    """The chains of the trust store, in either shape of the input."""
    chains_in = _pick(data, 'trusted_roots.chains', 'trusted_roots', 'trusted_root_chains', 'chains') or []
    if not isinstance(chains_in, list):
        raise FindingsInputError('trusted_roots must be a list of chains (chain_id and certificates)')
    return [_trusted_chain(chain, index) for index, chain in enumerate(chains_in)]


def _machine_ssl_chain(data, pool):
    """The machine SSL certificate as a list: empty when the input has none."""
    machine = _pick(data, 'machine_ssl.certificate', 'machine_ssl', 'tls.certificate', 'certificate')
    return _load_list(machine, 'machine SSL', pool)[:1] if machine is not None else []


def _served_sha256(data):
    """The normalised SHA-256 fingerprint of the certificate port 443 serves, falsy when the input has none."""
    served = _pick(data, 'served_sha256', 'served_fingerprint_sha256', 'machine_ssl.served_fingerprint_sha256',
                   'tls.served_fingerprint_sha256')
    return served and _certs.normalise_fingerprint(served)


def _sts_chains(data, pool):
    """The active STS signing chain and the list of STS verification chains."""
    sts_active = _load_list(_pick(data, 'sts.active_chain', 'sts_signing.active_chain', 'sts_active_chain',
                                  'active_chain'), 'active STS signing chain', pool)
    sts_chains_in = _pick(data, 'sts.signing_chains', 'sts_signing.signing_chains', 'sts_signing_chains',
                          'signing_chains') or []
    sts_chains = [_load_list(chain, 'STS verification chain %d' % (index + 1), pool)
                  for index, chain in enumerate(sts_chains_in)]
    return sts_active, sts_chains


def _vmca_root(data, pool, machine_ssl, sts_active, chains):
    """The VMCA root: the one given, else the one found from the machine SSL and STS chains, else None."""
    vmca_in = _pick(data, 'vmca_root', 'tls.vmca_root', 'machine_ssl.vmca_root')
    vmca_root = _load_list(vmca_in, 'VMCA root', pool)[0] if vmca_in else None
    if vmca_root is None and machine_ssl:
        vmca_root, dummy = _vcenter_state.find_vmca_root(machine_ssl[0], sts_active or None, chains)
    return vmca_root


def normalise(data, vcenter=None):
    """Turn the documented input (either shape) into ``{'vcenter', 'pnid', 'machine_ssl', 'served_sha256',
    'chains', 'sts_active', 'sts_chains', 'vmca_root'}`` with ``x509`` certificates."""
    if not isinstance(data, dict):
        raise FindingsInputError('the input must be a dict describing one vCenter, got %s' % type(data).__name__)
    name = vcenter or _pick(data, 'vcenter', 'vcenter_hostname', 'hostname') or ''
    chains = _trusted_chains(data)
    pool = _vcenter_state.trusted_certs(chains)
    machine_ssl = _machine_ssl_chain(data, pool)
    sts_active, sts_chains = _sts_chains(data, pool)
    vmca_root = _vmca_root(data, pool, machine_ssl, sts_active, chains)
    pnid = _pick(data, 'pnid') or name
    return {'vcenter': name, 'pnid': pnid, 'machine_ssl': machine_ssl[0] if machine_ssl else None,
            'machine_ssl_chain': machine_ssl, 'served_sha256': _served_sha256(data),
            'chains': chains, 'sts_active': sts_active, 'sts_chains': sts_chains, 'vmca_root': vmca_root}


# --------------------------------------------------------------------------- findings

def _ref(cert, role, now, chain_id=None):
    ref = {'role': role, 'subject': _certs.name_to_string(cert.subject), 'sha256': _certs.fingerprint(cert),
           'not_after': _certs.iso(_certs.not_after(cert)), 'days_remaining': _certs.days_remaining(cert, now)}
    if chain_id is not None:
        ref['chain_id'] = chain_id
    return ref


def _remedy(text, action=None, kind=None, variables=None):
    return {'action': action, 'kind': kind, 'variables': variables or {}, 'text': text}


def _role(name, variables, text):
    return _remedy(text, 'certops.vcenter.%s' % name, 'role', variables)


def _module(name, variables, text):
    return _remedy(text, 'certops.vcenter.%s' % name, 'module', variables)


class _Check(object):

    def __init__(self, state, warning_days, critical_days, min_rsa_bits, now):
        self.s = state
        self.warning_days = warning_days
        self.critical_days = critical_days
        self.min_rsa_bits = min_rsa_bits
        self.now = now
        self.found = []
        self.anchors = _vcenter_state.chain_anchors(state['chains'], state['machine_ssl'],
                                                    state['sts_active'] or None, state['vmca_root'])

    def add(self, finding_id, severity, ref, evidence, remedy):
        self.found.append({'id': finding_id, 'severity': severity, 'vcenter': self.s['vcenter'],
                           'certificate': ref, 'evidence': evidence, 'remedy': remedy,
                           'source': CATALOGUE[finding_id][1]})

    def expired(self, cert):
        return is_expired(_certs.not_after(cert), self.now)

    def threshold_severity(self, cert):
        days = _certs.days_remaining(cert, self.now)
        if days < self.critical_days:
            return 'critical'
        if days < self.warning_days:
            return 'warning'
        return None

    # -------------------------------------------------------------- dates
    def dates(self):
        s = self.s
        leaf = s['machine_ssl']
        rotate = _role('rotate_machine_ssl', {'rotate_machine_ssl_threshold_days': self.warning_days},
                       'Rotate the machine SSL certificate with the rotate_machine_ssl role (or vcenter_tls_cert '
                       'state=renewed with remaining_days).')
        if leaf is not None:
            self._date_finding(leaf, 'machine_ssl', 'the machine SSL certificate', rotate)
        if s['sts_active']:
            refresh = _module('vcenter_sts_signing_cert', {'state': 'refreshed', 'remaining_days': self.warning_days},
                              'Refresh the STS signing certificate with vcenter_sts_signing_cert state=refreshed '
                              '(or the rotate_vmca role), then restart the linked vCenters if the refresh was '
                              'forced.')
            self._date_finding(s['sts_active'][0], 'sts_signing', 'the active STS signing certificate', refresh)
        if s['vmca_root'] is not None:
            replace = _role('rotate_vmca', {'rotate_vmca_replace_root': True,
                                            'rotate_vmca_root_threshold_days': self.warning_days},
                            'Replace the VMCA root with the rotate_vmca role, which re-issues the machine SSL and '
                            'STS certificates under the new root.')
            self._date_finding(s['vmca_root'], 'vmca_root', 'the VMCA root', replace)

    def _date_finding(self, cert, role, label, remedy):
        ref = _ref(cert, role, self.now)
        if self.expired(cert):
            self.add('%s_expired' % role, 'critical', ref, '%s %s expired on %s (%d days ago).' % (
                label[0].upper() + label[1:], ref['subject'], ref['not_after'], -ref['days_remaining']), remedy)
            return
        severity = self.threshold_severity(cert)
        if severity:
            self.add('%s_expiring' % role, severity, ref, '%s %s expires on %s, in %d days (thresholds: critical '
                     'below %d, warning below %d).' % (label[0].upper() + label[1:], ref['subject'],
                                                       ref['not_after'], ref['days_remaining'], self.critical_days,
                                                       self.warning_days), remedy)

    # -------------------------------------------------------------- trust store
    def trust_store(self):
        seen = {}
        for chain in self.s['chains']:
            uses = self.anchors.get(chain['chain_id'], [])
            expired = [c for c in chain['certs'] if self.expired(c)]
            if expired:
                self._trusted_root_expired(chain['chain_id'], expired[0], uses)
            elif uses:
                self._trusted_root_expiring(chain, uses)
            self._duplicate_trusted_roots(chain, uses, seen)

    def _trusted_root_expired(self, chain_id, cert, uses):
        """A chain that holds the expired ``cert``: critical while it anchors ``uses``, a warning otherwise."""
        ref = _ref(cert, 'trusted_root', self.now, chain_id)
        if uses:
            self.add('trusted_root_expired_in_use', 'critical', ref,
                     'Trusted chain %s holds %s, expired on %s, and still anchors %s: it must be kept until '
                     'what it anchors is replaced.' % (chain_id, ref['subject'], ref['not_after'],
                                                       ', '.join(uses)),
                     self._replace_anchored(uses, chain_id))
        else:
            self.add('trusted_root_expired', 'warning', ref,
                     'Trusted chain %s holds %s, expired on %s, and anchors no current certificate.'
                     % (chain_id, ref['subject'], ref['not_after']),
                     _role('trusted_roots', {'trusted_roots_remove_expired': True},
                           'Remove expired chains that anchor nothing with the trusted_roots role '
                           '(trusted_roots_remove_expired), or this one with vcenter_trusted_root '
                           'chain_id=%s state=absent.' % chain_id))

    def _trusted_root_expiring(self, chain, uses):
        """A chain that anchors ``uses`` and whose soonest certificate to expire is within the thresholds."""
        soonest = min(chain['certs'], key=_certs.not_after) if chain['certs'] else None
        severity = self.threshold_severity(soonest) if soonest is not None else None
        if severity:
            chain_id = chain['chain_id']
            ref = _ref(soonest, 'trusted_root', self.now, chain_id)
            self.add('trusted_root_expiring', severity, ref,
                     'Trusted chain %s holds %s, which anchors %s and expires on %s, in %d days.'
                     % (chain_id, ref['subject'], ', '.join(uses), ref['not_after'], ref['days_remaining']),
                     self._replace_anchored(uses, chain_id))

    def _duplicate_trusted_roots(self, chain, uses, seen):
        """The certificates of ``chain`` that an earlier chain holds too; ``seen`` maps each fingerprint to the
        first chain that holds it."""
        chain_id = chain['chain_id']
        for cert in chain['certs']:
            fp = _certs.fingerprint(cert)
            if fp in seen and seen[fp] != chain_id:
                ref = _ref(cert, 'trusted_root', self.now, chain_id)
                self.add('duplicate_trusted_root', 'info', ref,
                         'Trusted chains %s and %s both hold %s.' % (seen[fp], chain_id, ref['subject']),
                         _module('vcenter_trusted_root', {'chain_id': chain_id, 'state': 'absent',
                                                          'force': bool(uses)},
                                 'Remove the later copy with vcenter_trusted_root chain_id=%s state=absent%s.'
                                 % (chain_id, ' force=true (the other copy keeps anchoring)' if uses else '')))
            seen.setdefault(fp, chain_id)

    def _replace_anchored(self, uses, chain_id):
        if 'machine_ssl' in uses:
            return _role('rotate_machine_ssl', {'rotate_machine_ssl_force': True},
                         'Keep chain %s; replace the machine SSL certificate it anchors with the rotate_machine_ssl '
                         'role (a certificate from a current CA), then remove the chain with the trusted_roots role '
                         '(trusted_roots_remove_expired) or vcenter_trusted_root chain_id=%s state=absent.'
                         % (chain_id, chain_id))
        if 'vmca_root' in uses:
            return _role('rotate_vmca', {'rotate_vmca_replace_root': True},
                         'Keep chain %s; replace the VMCA root with the rotate_vmca role, then remove the chain '
                         'with vcenter_trusted_root chain_id=%s state=absent.' % (chain_id, chain_id))
        return _module('vcenter_sts_signing_cert', {'state': 'refreshed', 'force': True},
                       'Keep chain %s; refresh the STS signing certificate with vcenter_sts_signing_cert '
                       'state=refreshed force=true, then remove the chain with the trusted_roots role '
                       '(trusted_roots_remove_expired) or vcenter_trusted_root chain_id=%s state=absent.'
                       % (chain_id, chain_id))

    # -------------------------------------------------------------- machine SSL
    def machine_ssl(self):
        leaf = self.s['machine_ssl']
        if leaf is None:
            return
        ref = _ref(leaf, 'machine_ssl', self.now)
        self._machine_ssl_san(leaf, ref)
        self._machine_ssl_anchored(leaf, ref)
        self._machine_ssl_served(ref)

    def _machine_ssl_san(self, leaf, ref):
        """The machine SSL certificate must name the PNID in its SAN."""
        pnid = self.s['pnid']
        sans = _certs.subject_alt_names(leaf)
        if pnid and not _certs.hostname_in_sans(pnid, sans):
            self.add('machine_ssl_san_missing_pnid', 'critical', ref,
                     'The machine SSL certificate %s does not name the PNID %s in its SAN (%s).'
                     % (ref['subject'], pnid, ', '.join(sans) or 'no SAN'),
                     _role('rotate_machine_ssl', {'rotate_machine_ssl_force': True,
                                                  'rotate_machine_ssl_subject': {'subject_alt_name': [pnid]}},
                           'Issue a machine SSL certificate whose SAN holds the PNID with the rotate_machine_ssl '
                           'role (rotate_machine_ssl_subject.subject_alt_name).'))

    def _machine_ssl_anchored(self, leaf, ref):
        """A chain of the trust store must anchor the machine SSL certificate (with its intermediates)."""
        if _vcenter_state.anchor([leaf] + self.s['machine_ssl_chain'][1:], self.s['chains']) is None:
            self.add('machine_ssl_not_anchored', 'critical', ref,
                     'No chain of the trust store anchors the machine SSL certificate %s (issuer %s).'
                     % (ref['subject'], _certs.name_to_string(leaf.issuer)),
                     _role('trusted_roots',
                           {'trusted_roots_present': ['<PEM of the root CA that issued %s>'
                                                      % _certs.name_to_string(leaf.issuer)]},
                           'Add the issuing root CA (with its intermediates) with the trusted_roots role or '
                           'vcenter_trusted_root state=present.'))

    def _machine_ssl_served(self, ref):
        """Port 443, when read, must serve the configured machine SSL certificate."""
        served = self.s['served_sha256']
        if served and served != ref['sha256']:
            self.add('served_certificate_mismatch', 'warning', ref,
                     'Port 443 serves the certificate %s, not the configured machine SSL certificate %s.'
                     % (served, ref['sha256']),
                     _role('rotate_machine_ssl', {'rotate_machine_ssl_force': True},
                           'Read again with vcenter_tls_cert_info once vCenter has finished restarting its '
                           'services; if it persists, rotate with the rotate_machine_ssl role, which waits until '
                           'the port serves the new certificate.'))

    def sts(self):
        s = self.s
        if not s['sts_active']:
            return
        leaf = s['sts_active'][0]
        ref = _ref(leaf, 'sts_signing', self.now)
        if _vcenter_state.anchor(s['sts_active'], s['chains']) is None:
            top = s['sts_active'][-1]
            self.add('sts_signing_not_anchored', 'warning', ref,
                     'No chain of the trust store anchors the active STS signing chain of %s (top %s).'
                     % (ref['subject'], _certs.name_to_string(top.subject)),
                     _module('vcenter_trusted_root', {'state': 'present', 'certificates': '<PEM of %s>'
                                                      % _certs.name_to_string(top.issuer)},
                             'Trust the STS chain\'s root with vcenter_trusted_root state=present (or the '
                             'trusted_roots role), or refresh the STS certificate under the VMCA root with '
                             'vcenter_sts_signing_cert state=refreshed.'))
        active_fps = _certs.fingerprint_set(s['sts_active'])
        for index, chain in enumerate(s['sts_chains']):
            if not chain or _certs.fingerprint(chain[0]) in active_fps:
                continue
            if self.expired(chain[0]):
                cref = _ref(chain[0], 'sts_verification', self.now)
                cref['index'] = index
                self.add('sts_verification_chain_expired', 'warning', cref,
                         'STS verification chain %d (%s) expired on %s and is still kept.'
                         % (index + 1, cref['subject'], cref['not_after']),
                         _remedy('No module of this collection can remove it: the vSphere Automation API has no '
                                 'operation that drops an STS verification chain. Remove it on the appliance as '
                                 'KB 318197 describes.', None, 'manual'))

    # -------------------------------------------------------------- algorithms
    def algorithms(self):
        s = self.s
        places = []
        if s['machine_ssl'] is not None:
            places.append(('machine_ssl', None, s['machine_ssl_chain']))
        if s['sts_active']:
            places.append(('sts_signing', None, s['sts_active']))
        for chain in s['chains']:
            places.append(('trusted_root', chain['chain_id'], chain['certs']))
        seen = set()
        for role, chain_id, certs in places:
            for cert in certs:
                key = (role, chain_id, _certs.fingerprint(cert))
                if key in seen:
                    continue
                seen.add(key)
                ref = _ref(cert, role, self.now, chain_id)
                kind, bits = _certs.public_key_facts(cert.public_key())
                if kind in ('RSA', 'DSA') and bits < self.min_rsa_bits:
                    self.add('weak_key', 'warning', ref, '%s has a %d-bit %s key, below %d bits.'
                             % (ref['subject'], bits, kind, self.min_rsa_bits), self._replace(role, chain_id))
                weak = _certs.weak_signature(cert)
                if weak in ('MD5', 'SHA-1'):
                    self.add('weak_signature', 'warning', ref, '%s is signed with %s.' % (ref['subject'], weak),
                             self._replace(role, chain_id))

    def _replace(self, role, chain_id):
        if role == 'machine_ssl':
            return _role('rotate_machine_ssl', {'rotate_machine_ssl_force': True},
                         'Replace the machine SSL certificate with the rotate_machine_ssl role.')
        if role == 'sts_signing':
            return _module('vcenter_sts_signing_cert', {'state': 'refreshed', 'force': True},
                           'Refresh the STS signing certificate with vcenter_sts_signing_cert state=refreshed '
                           'force=true.')
        if 'vmca_root' in self.anchors.get(chain_id, []):
            return _role('rotate_vmca', {'rotate_vmca_replace_root': True},
                         'Replace the VMCA root with the rotate_vmca role.')
        return _module('vcenter_trusted_root', {'chain_id': chain_id, 'state': 'absent'},
                       'Replace the CA behind chain %s, then remove the chain with vcenter_trusted_root '
                       'chain_id=%s state=absent (the module refuses while it anchors a current certificate).'
                       % (chain_id, chain_id))

    # -------------------------------------------------------------- VMCA
    def vmca(self):
        s = self.s
        root = s['vmca_root']
        if root is None:
            return
        issued = []
        if s['machine_ssl'] is not None and _certs.is_issued_by(s['machine_ssl'], root):
            issued.append(('machine_ssl', s['machine_ssl']))
        if s['sts_active'] and _certs.is_issued_by(s['sts_active'][0], root):
            issued.append(('sts_signing', s['sts_active'][0]))
        for role, cert in issued:
            if _certs.not_after(root) < _certs.not_after(cert):
                ref = _ref(root, 'vmca_root', self.now)
                ref['issued'] = _ref(cert, role, self.now)
                self.add('vmca_root_expires_first', 'warning', ref,
                         'The VMCA root %s expires on %s, before the %s certificate it issued (%s).'
                         % (ref['subject'], ref['not_after'], role.replace('_', ' '), ref['issued']['not_after']),
                         _role('rotate_vmca', {'rotate_vmca_replace_root': True},
                               'Replace the VMCA root with the rotate_vmca role, which re-issues the certificates '
                               'under the new root.'))


def findings(data, vcenter=None, warning_days=60, critical_days=14, min_rsa_bits=2048, now=None):
    """Findings for one vCenter (``data`` a dict) or several (a list of dicts), most severe first."""
    if isinstance(data, list):
        result = []
        for item in data:
            result.extend(findings(item, None, warning_days, critical_days, min_rsa_bits, now))
        return sort_findings(result)
    if not isinstance(warning_days, int) or not isinstance(critical_days, int) or critical_days > warning_days:
        raise FindingsInputError('warning_days and critical_days must be integers with critical_days <= '
                                 'warning_days, got %r and %r' % (warning_days, critical_days))
    now = _parse_now(now)
    state = normalise(data, vcenter)
    check = _Check(state, warning_days, critical_days, min_rsa_bits, now)
    check.dates()
    check.trust_store()
    check.machine_ssl()
    check.sts()
    check.algorithms()
    check.vmca()
    return sort_findings(check.found)


def is_expired(not_after, now):
    """The expiry rule of every finding (and of the trusted_roots role's removal of expired chains): a certificate
    has expired from its notAfter second on. Both are aware UTC datetimes."""
    return not_after <= now


def parse_utc(value, what):
    """An aware UTC datetime from a datetime or an ISO 8601 UTC string like ``2026-01-31T12:00:00Z`` (what the
    modules return as ``not_after``); :class:`FindingsInputError` naming ``what`` otherwise."""
    if isinstance(value, datetime.datetime):
        return _certs._utc(value)
    try:
        return _certs._utc(datetime.datetime.strptime(str(value), '%Y-%m-%dT%H:%M:%SZ'))
    except ValueError:
        raise FindingsInputError('%s must be an ISO 8601 UTC time like 2026-01-31T12:00:00Z, got %r' % (what, value))


def _parse_now(now):
    if now is None:
        return _certs.utcnow()
    return parse_utc(now, 'now')


def sort_findings(items):
    return sorted(items, key=lambda f: (SEVERITIES.index(f['severity']), f['vcenter'], f['id'],
                                        f['certificate'].get('chain_id') or '', f['certificate']['sha256']))
