# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""One method per certificate-management endpoint, plain values in and out.

Paths, bodies and result shapes follow shared/reference/vcenter-cert-api.md; the dialect differences
(``{"spec": ...}`` bodies and ``{"value": ...}`` results on ``/rest``) are handled by the client's
``call()``. Version requirements live here, next to the operations they guard.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certops.vcenter.plugins.module_utils._client import Shape, quote_id
from ansible_collections.certops.vcenter.plugins.module_utils._errors import NotFoundError

P = '/vcenter/certificate-management/vcenter'

# Minimum vCenter versions per operation (reference §1).
V_TRUST = (6, 7, 2)
V_TLS = (6, 7, 2)
V_VMCA = (7, 0, 0)           # VmcaRoot.create and Tls.replace_vmca_signed
V_STS = (7, 0, 3)            # SigningCertificate get/set/refresh, /api only
V_STS_CSR = (9, 1, 1)        # SigningCertificate create (CSR) and update (PATCH), /api only
V_TLS_ROOT_CERT = (7, 0, 0)  # Tls.Spec.root_cert (6.7 refuses the field as unexpected input)

STS_FEATURE = 'the STS signing certificate API (vcenter_sts_signing_cert)'
STS_CSR_FEATURE = 'the STS signing certificate CSR/staged-key API'
VMCA_FEATURE = 'VMCA root replacement (vcenter_vmca_root)'
VMCA_SIGNED_FEATURE = 'a VMCA-signed machine SSL certificate (Tls.replace_vmca_signed)'


# The results the collection reads, as the reference documents them (§3, §4); anything else is refused by the
# client's decoder with the endpoint named, never read as "empty".
PEMS = Shape(list, item=Shape(str), what='a list of PEM strings')
CHAIN = Shape(dict, {'cert_chain': PEMS}, what='a certificate chain (X509CertChain)')
TRUSTED_ROOT_LIST = Shape(list, item=Shape(dict, {'chain': Shape(str)}, what='a chain summary'),
                          what='a list of trusted root chain summaries')
# A real vCenter may answer a stored chain as null or without its list (vcenter-fidelity.md row 17, S6): read as
# a chain without certificates, which the state layer skips.
TRUSTED_ROOT = Shape(dict, {'cert_chain': Shape(dict, optional={'cert_chain': Shape(list, item=Shape(str),
                                                                                    nullable=True)},
                                                nullable=True, what='a certificate chain')},
                     what='a trusted root chain (TrustedRootChains.Info)')
CHAIN_ID = Shape(str, nullable=True, what='the id of the new chain')
TLS_INFO = Shape(dict, {'cert': Shape(str)}, what='the machine SSL certificate (Tls.Info)')
CSR = Shape(dict, {'csr': Shape(str)}, what='a CSR ({"csr": PEM})')
STS_INFO = Shape(dict, {'active_cert_chain': CHAIN}, optional={'signing_cert_chains': Shape(list, item=CHAIN)},
                 what='the STS signing certificates (SigningCertificate.Info)')


# The six subject strings TlsCsr.Spec and Tls.ReplaceSpec require (reference §4.2/4.3). The SDK documents ""
# as "unset" only for organization_unit; the other five must be real values, so the modules refuse a request
# without them before anything is sent (REQUIRED_SUBJECT_STRINGS) instead of sending "".
SUBJECT_STRINGS = ('organization', 'organization_unit', 'locality', 'state_or_province', 'country', 'email_address')
REQUIRED_SUBJECT_STRINGS = ('organization', 'locality', 'state_or_province', 'country', 'email_address')


def missing_subject_strings(desired):
    """The subject fields TlsCsr.Spec / Tls.ReplaceSpec require that ``desired`` lacks (None or empty)."""
    return [name for name in REQUIRED_SUBJECT_STRINGS if not (desired.get(name) or '').strip()]


def missing_subject_message(missing, spec_name):
    """Why a TlsCsr.Spec / Tls.ReplaceSpec request is refused before it is sent (``missing`` from
    :func:`missing_subject_strings`)."""
    return ('%s %s not given: vCenter\'s API (%s) requires the subject fields organization, locality, '
            'state_or_province, country and email_address; give %s. Only organization_unit may be left out (it is '
            'then sent as "", which the API documents as unset). Nothing was sent to vCenter'
            % (', '.join(missing), 'is' if len(missing) == 1 else 'are', spec_name,
               'it' if len(missing) == 1 else 'them'))


def subject_spec(desired, key_size=None, required_strings=True):
    """``TlsCsr.Spec`` / ``Tls.ReplaceSpec`` / ``SigningCertificate.CreateSpec`` body from a ``desired`` dict
    (see ``_certs.subject_request``).

    ``required_strings``: the six subject strings are required fields of TlsCsr.Spec and ReplaceSpec. Five of
    them must be given (see :func:`missing_subject_strings`; a ``ValueError`` here means a module did not check);
    ``organization_unit`` not given is sent as ``""``, which the SDK documents as "unset" for that field alone.
    Where the strings are optional (CreateSpec of the STS CSR and the VMCA root) the ones not given are left out.
    ``common_name``, ``subject_alt_name`` and ``key_size`` are left out when not given, so vCenter's defaults
    apply.
    """
    if required_strings:
        missing = missing_subject_strings(desired)
        if missing:
            raise ValueError('subject fields required by the API are missing: %s' % ', '.join(missing))
    spec = {}
    for name in SUBJECT_STRINGS:
        value = desired.get(name)
        if value is not None:
            spec[name] = value
        elif required_strings:
            spec[name] = ''  # organization_unit only (checked above)
    if desired.get('common_name') is not None:
        spec['common_name'] = desired['common_name']
    if desired.get('subject_alt_name') is not None:
        spec['subject_alt_name'] = [s.split(':', 1)[1] for s in desired['subject_alt_name']]
    if key_size is not None:
        spec['key_size'] = int(key_size)
    return spec


def _chain(value):
    """``X509CertChain`` (checked by the decoder) -> list of PEM strings (leaf first)."""
    return list((value or {}).get('cert_chain') or [])


class CertApi(object):
    """Certificate-management endpoints of one vCenter, on a logged-in-on-demand client."""

    def __init__(self, client):
        self.client = client

    # -------------------------------------------------------------- trusted root chains
    def list_trusted_root_ids(self):
        result = self.client.call('GET', P + '/trusted-root-chains', 'list the trusted root chains',
                                  expect=TRUSTED_ROOT_LIST)
        return [item['chain'] for item in result]

    def get_trusted_root(self, chain_id):
        result = self.client.call('GET', '%s/trusted-root-chains/%s' % (P, quote_id(chain_id)),
                                  'read trusted root chain %s' % chain_id, expect=TRUSTED_ROOT)
        return _chain(result['cert_chain'])

    def get_trusted_roots(self):
        """``[(chain_id, [pem, ...]), ...]``; a chain deleted between list and get is skipped."""
        chains = []
        for chain_id in self.list_trusted_root_ids():
            try:
                chains.append((chain_id, self.get_trusted_root(chain_id)))
            except NotFoundError:
                continue
        return chains

    def create_trusted_root(self, pems, chain_id=None):
        spec = {'cert_chain': {'cert_chain': list(pems)}}
        if chain_id:
            spec['chain'] = chain_id
        return self.client.call('POST', P + '/trusted-root-chains', 'add a trusted root chain', spec=spec,
                                expect=CHAIN_ID)

    def delete_trusted_root(self, chain_id):
        self.client.call('DELETE', '%s/trusted-root-chains/%s' % (P, quote_id(chain_id)),
                         'delete trusted root chain %s' % chain_id)

    # -------------------------------------------------------------- machine SSL (TLS)
    def get_tls(self):
        """``Tls.Info`` (dict, wire field names; ``cert`` is the PEM)."""
        return self.client.call('GET', P + '/tls', 'read the machine SSL certificate', expect=TLS_INFO)

    def tls_set_takes_root_cert(self):
        """Whether ``Tls.Spec`` has ``root_cert`` (vCenter 7.0+); costs a version read only on ``/rest``."""
        self.client.login()
        if self.client.dialect == 'api':
            return True
        return tuple(self.client.version()) >= V_TLS_ROOT_CERT

    def set_tls(self, cert, key=None, root_cert=None):
        spec = {'cert': cert}
        if key:
            spec['key'] = key
        if root_cert:
            spec['root_cert'] = root_cert
        self.client.call('PUT', P + '/tls', 'replace the machine SSL certificate', spec=spec)

    def renew_tls(self, duration=None):
        params = {} if duration is None else {'duration': int(duration)}
        self.client.call('POST', P + '/tls', 'renew the machine SSL certificate', params=params, action='renew')

    def require_vmca_signed(self):
        self.client.require(V_VMCA, VMCA_SIGNED_FEATURE)

    def replace_tls_vmca_signed(self, spec):
        self.require_vmca_signed()
        self.client.call('POST', P + '/tls', 'replace the machine SSL certificate with a VMCA-signed one',
                         spec=spec, action='replace-vmca-signed')

    def create_tls_csr(self, spec):
        result = self.client.call('POST', P + '/tls-csr', 'generate a CSR on vCenter', spec=spec, expect=CSR)
        return result['csr']

    # -------------------------------------------------------------- VMCA root
    def require_vmca_root(self):
        self.client.require(V_VMCA, VMCA_FEATURE)

    def create_vmca_root(self, spec):
        self.require_vmca_root()
        self.client.call('POST', P + '/vmca-root', 'replace the VMCA root certificate', spec=spec or {})

    # -------------------------------------------------------------- STS signing certificate
    def require_sts(self):
        if self.client.api == 'rest' or (self.client.logged_in and self.client.dialect == 'rest'):
            self.client.require(V_STS, STS_FEATURE, api_only=True, operation='read the STS signing certificate')

    def get_signing_certificate(self):
        """``{'active_cert_chain': [pem...], 'signing_cert_chains': [[pem...], ...]}``."""
        self.client.login()
        self.require_sts()
        try:
            info = self.client.call('GET', P + '/signing-certificate', 'read the STS signing certificate',
                                    expect=STS_INFO)
        except NotFoundError as exc:
            raise self.client.explain_not_found(exc, V_STS, STS_FEATURE)
        return {
            'active_cert_chain': _chain(info['active_cert_chain']),
            'signing_cert_chains': [_chain(c) for c in info.get('signing_cert_chains') or []],
        }

    def set_signing_certificate(self, chain_pems, private_key_pem):
        self.client.call('PUT', P + '/signing-certificate', 'replace the STS signing certificate',
                         spec={'signing_cert_chain': {'cert_chain': list(chain_pems)},
                               'private_key': private_key_pem})

    def refresh_signing_certificate(self, force=False):
        result = self.client.call('POST', P + '/signing-certificate', 'refresh the STS signing certificate',
                                  params={'force': bool(force)}, action='refresh', expect=CHAIN)
        return _chain(result)

    def require_sts_csr(self):
        self.client.require(V_STS_CSR, STS_CSR_FEATURE, api_only=True)

    def create_signing_certificate_csr(self, spec):
        self.require_sts_csr()
        result = self.client.call('POST', P + '/signing-certificate', 'generate an STS signing certificate CSR',
                                  spec=spec, expect=CSR)
        return result['csr']

    def update_signing_certificate(self, chain_pems):
        self.require_sts_csr()
        self.client.call('PATCH', P + '/signing-certificate',
                         'install the STS signing certificate for the staged key',
                         spec={'signing_cert_chain': {'cert_chain': list(chain_pems)}})
