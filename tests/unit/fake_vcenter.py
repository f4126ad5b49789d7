# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one fake vCenter of the unit tests, behind the real client (no HTTP).

* ``FakeVCenter``: one vCenter's certificate state (machine SSL get/set/renew/replace and CSRs, trusted root
  chains, STS signing chains, VMCA root, version and dialect), every request it saw, and the faults tests ask of
  it. Tests get one from the ``vcenter`` or ``make_vcenter`` fixture (conftest.py).
* ``FakeClient``: the real ``VCenterClient`` (``require``, ``version``, ``explain_not_found``,
  ``wait_until_serving``) with its transport (login/logout/call, the certificates the TLS port serves, extra
  trust) replaced by the fake vCenter.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ansible.module_utils.six.moves.urllib.parse import unquote

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import P
from ansible_collections.certops.vcenter.plugins.module_utils._client import VCenterClient
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    ConnectionFailure,
    NotFoundError,
    ServiceUnavailableError,
    VCenterError,
)
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PNID,
    SIGNING,
    ec_key,
    fp,
    load,
    make_cert,
    make_csr,
    make_name,
    pem,
    san_values,
    sha1_id,
)

VERSION = '/appliance/system/version'
TLS = P + '/tls'
CSR = P + '/tls-csr'
TRC = P + '/trusted-root-chains'
STS = P + '/signing-certificate'
VMCA_ROOT = P + '/vmca-root'
SUBJECT_STRINGS = ('organization', 'organization_unit', 'locality', 'state_or_province', 'country', 'email_address')
VMCA_ROOT_FIELDS = ('key_size', 'common_name', 'organization', 'organization_unit', 'locality', 'state_or_province',
                    'country', 'email_address', 'subject_alt_name')
VERIFY_FAILED = ('TLS verification of https://vc.example.com:443 failed (HTTPSConnectionPool: Max retries exceeded '
                 '(Caused by SSLError(SSLCertVerificationError(1, \'[SSL: CERTIFICATE_VERIFY_FAILED] certificate '
                 'verify failed: self-signed certificate in certificate chain\'))))')

# One request as the fake saw it; compares equal to the plain 5-tuple.
Call = collections.namedtuple('Call', 'method path action spec params')


class FakeVCenter(object):
    """One vCenter's certificate state, the requests it saw (``calls``) and the faults it shows on demand.

    Faults: ``failures`` / ``fail_after`` (``{(method, path, action): exception}``, raised once, before / after the
    request is applied), ``unavailable_reads`` (that many reads after each write answer 503),
    ``verify_fails_after_vmca`` (after a new VMCA root, every request fails TLS verification), ``serve_old`` /
    ``served`` / ``served_extra`` / ``tls_port_down`` (what the TLS port presents), ``hide_created`` and
    ``lag_reads`` (a trust store whose list and reads lag behind creates and deletes), ``sts_writes_ignored``
    (vCenter answers an STS install or refresh but keeps the active chain), ``regenerate_all`` (a new VMCA root
    re-issues a custom machine SSL certificate too).
    """

    def __init__(self, pki, version=(8, 0, 3)):
        self.pki = pki
        self.version = tuple(version)
        self.dialect = 'api' if self.version >= (7, 0, 2) else 'rest'  # vCenters before 7.0 U2 have only /rest
        # state
        self.vmca, self.vmca_key = pki.vmca, pki.vmca_key
        self.tls_chain = [pki.tls, pki.vmca]
        self.tls_key = pki.tls_key
        self.chains = [(sha1_id(pki.vmca), [pem(pki.vmca)])]
        self.sts_active = [pem(pki.sts), pem(pki.vmca)]
        self.sts_signing = [list(self.sts_active)]
        self.pending_csr_key = None
        self.staged_sts_key = None
        # what it saw
        self.calls = []
        self.logins = 0
        self.logged_out = []         # the sessions the client logged out: 'session-<n>' is the n-th login
        self.trusted = []            # PEMs the client was told to trust
        self.waited = []             # fingerprints the client waited for
        # faults
        self.failures = {}
        self.fail_after = {}
        self.unavailable_reads = 0
        self._unavailable = 0
        self.verify_fails_after_vmca = False
        self.anonymous_waits = 0  # waits for the services without credentials (after an unverifiable change)
        self.tls_unverifiable = False
        self.serve_old = False       # the TLS port keeps serving the certificate it served when the task began
        self.served = None           # certificate the TLS port serves (None: the current one)
        self.served_extra = []       # certificates the TLS port serves after the leaf
        self.tls_port_down = False   # the TLS port cannot be read
        self.tls_port_down_after_vmca = False  # ... from the VMCA root replacement on (a restart that goes on)
        self.hidden = set()          # ids left out of the list (9.x: the list lags a create)
        self.hide_created = 0        # hide new chains from this many list calls
        self.lag_reads = 0           # a new chain is hidden from this many reads (list or get),
        self.lagging = {}            # and a deleted one keeps being listed: {chain_id: reads left}
        self.lagging_deleted = {}    # {chain_id: [reads left, pems]}
        self.duplicate_refuse = True  # vCenter refuses certificates it already trusts under a new id
        self.sts_writes_ignored = False
        self.regenerate_all = False

    # -------------------------------------------------------------- helpers for tests
    @property
    def writes(self):
        return [c for c in self.calls if c.method != 'GET']

    @property
    def logouts(self):
        return len(self.logged_out)

    @property
    def leaf(self):
        return self.tls_chain[0]

    def use_corp_tls(self, trust=True, with_intermediate=False):
        """vCenter uses the corporate certificate and (``trust``) trusts the corporate root in chain ``corp``,
        ``with_intermediate``: the issuing CA in the same chain."""
        if trust:
            self.add_chain('corp', [self.pki.corp_int, self.pki.corp] if with_intermediate else [self.pki.corp])
        self.tls_chain = [self.pki.corp_tls, self.pki.corp_int, self.pki.corp]
        self.tls_key = self.pki.corp_tls_key

    def use_vmca_tls(self, subject=None, sans=(PNID,), days=700, key=None):
        """vCenter uses a VMCA-issued certificate with this subject, SANs and validity."""
        key = key or self.pki.tls_key
        cert = make_cert(subject or make_name(PNID, c='US'), key, self.vmca, self.vmca_key, days=days,
                         sans=list(sans))
        self.tls_chain = [cert, self.vmca]
        self.tls_key = key
        return cert

    def add_chain(self, chain_id, certs):
        self.chains.append((chain_id, [pem(c) for c in certs]))

    def ids(self):
        return [cid for cid, dummy in self.chains]

    def chain(self, chain_id):
        for cid, pems in self.chains:
            if cid == chain_id:
                return pems
        return None

    def use_sts(self, pems):
        """``pems`` is the active STS signing chain and the only one vCenter has used."""
        self.sts_active = list(pems)
        self.sts_signing = [list(pems)]

    def activate_sts(self, pems):
        """``pems`` becomes the active STS signing chain; the chains used before stay for verification."""
        self.sts_active = list(pems)
        self.sts_signing = [list(pems)] + [c for c in self.sts_signing if c[0] != pems[0]]

    # -------------------------------------------------------------- the API
    def handle(self, method, path, operation, spec, params, action):
        self.calls.append(Call(method, path, action, spec, params))
        if self.tls_unverifiable:
            raise ConnectionFailure(operation, VERIFY_FAILED, method=method, path=path, tls_verification=True)
        key = (method, path, action)
        if key in self.failures:
            raise self.failures.pop(key)
        if method == 'GET' and self._unavailable:
            self._unavailable -= 1
            raise ServiceUnavailableError(operation, 'Service unavailable. (HTTP 503, SERVICE_UNAVAILABLE)',
                                          method=method, path=path, status=503, error_type='SERVICE_UNAVAILABLE')
        result = self._dispatch(method, path, operation, spec, params, action)
        if method != 'GET':
            self._unavailable = self.unavailable_reads
        if key in self.fail_after:
            raise self.fail_after.pop(key)
        return result

    def _dispatch(self, method, path, operation, spec, params, action):
        if path == VERSION and method == 'GET':
            return {'version': '.'.join(str(v) for v in self.version) + '.00100', 'build': '1'}
        if path == TRC:
            if method == 'GET':
                return self._list_chains()
            if method == 'POST':
                return self._create_chain(operation, spec)
        if path.startswith(TRC + '/'):
            return self._chain(method, unquote(path[len(TRC) + 1:]), operation, path)
        if path == TLS:
            if method == 'GET':
                return {'cert': pem(self.leaf), 'thumbprint': 'unused', 'is_CA': False}
            if method == 'PUT':
                return self._set_tls(operation, spec)
            if method == 'POST' and action == 'renew':
                return self._renew(operation, params)
            if method == 'POST' and action == 'replace-vmca-signed':
                return self._replace(operation, spec)
        if path == CSR and method == 'POST':
            return self._csr(spec, required=True, default_san=True, stage='pending_csr_key')
        if path == STS:
            return self._sts(method, operation, spec, params, action)
        if path == VMCA_ROOT and method == 'POST':
            if self.version < (7, 0, 0):
                raise _not_found(operation, 'not found', method, path)
            return self._create_vmca_root(spec)
        raise AssertionError('unexpected call %s %s %s' % (method, path, action))

    def _error(self, operation, text, status=500, error_type='ERROR'):
        return VCenterError(operation, '%s (HTTP %d, %s)' % (text, status, error_type), status=status,
                            error_type=error_type)

    # -------------------------------------------------------------- trusted root chains
    def _list_chains(self):
        self._tick()
        listed = [{'chain': cid} for cid in self.ids() if cid not in self.hidden and cid not in self.lagging]
        listed += [{'chain': cid} for cid in self.lagging_deleted]
        if self.hide_created:
            self.hide_created -= 1
            if not self.hide_created:
                self.hidden = set()
        return listed

    def _create_chain(self, operation, spec):
        assert set(spec) <= set(['cert_chain', 'chain'])
        pems = spec['cert_chain']['cert_chain']
        assert pems and all(p.count('BEGIN CERTIFICATE') == 1 for p in pems)
        for text in pems:
            cert = load(text)
            if not _certs.is_valid_ca(cert):
                raise VCenterError(operation, 'create trusted root chain failed : Certificate bearing subject %s is '
                                   'not a valid CA certificate (HTTP 500, ERROR)' % cert.subject.rfc4514_string(),
                                   method='POST', path=TRC, status=500, error_type='ERROR')
        chain_id = spec.get('chain') or sha1_id(load(pems[-1]))
        if self.chain(chain_id) is not None:
            raise VCenterError(operation, 'already exists (HTTP 400, ALREADY_EXISTS)', method='POST', path=TRC,
                               status=400, error_type='ALREADY_EXISTS')
        held = set(fp(load(p)) for dummy, chain in self.chains for p in chain)
        if self.duplicate_refuse and all(fp(load(p)) in held for p in pems):
            raise VCenterError(operation, 'Trusted root already exists (HTTP 400, ALREADY_EXISTS)', method='POST',
                               path=TRC, status=400, error_type='ALREADY_EXISTS')
        self.chains.append((chain_id, list(pems)))
        if self.hide_created:
            self.hidden.add(chain_id)
        if self.lag_reads:
            self.lagging[chain_id] = self.lag_reads
        return chain_id

    def _chain(self, method, chain_id, operation, path):
        pems = self.chain(chain_id)
        if method == 'GET':
            self._tick()
            if chain_id in self.lagging:
                pems = None
            elif chain_id in self.lagging_deleted:
                pems = self.lagging_deleted[chain_id][1]
        if pems is None:
            raise _not_found(operation, 'chain %s not found' % chain_id, method, path)
        if method == 'GET':
            return {'cert_chain': {'cert_chain': list(pems)}}
        if method == 'DELETE':
            self.chains = [(cid, p) for cid, p in self.chains if cid != chain_id]
            if self.lag_reads:
                self.lagging_deleted[chain_id] = [self.lag_reads, pems]
            return None
        raise AssertionError('unexpected call %s %s' % (method, path))

    def _tick(self):
        """One read of the store: lagging chains come one read closer to settled."""
        for cid in list(self.lagging):
            if self.lagging[cid] <= 1:
                del self.lagging[cid]
            else:
                self.lagging[cid] -= 1
        for cid in list(self.lagging_deleted):
            if self.lagging_deleted[cid][0] <= 1:
                del self.lagging_deleted[cid]
            else:
                self.lagging_deleted[cid][0] -= 1

    # -------------------------------------------------------------- machine SSL
    def _set_tls(self, operation, spec):
        allowed = {'cert', 'key'} | ({'root_cert'} if self.version >= (7, 0, 0) else set())
        if set(spec) - allowed:
            raise self._error(operation, 'unexpected fields %s' % sorted(set(spec) - allowed), 400,
                              'UNEXPECTED_INPUT')
        certs = x509.load_pem_x509_certificates(spec['cert'].encode('ascii'))
        leaf = certs[0]
        if fp(leaf) == fp(self.leaf):
            raise self._error(operation, 'same thumbprint', 400, 'ALREADY_EXISTS')
        if PNID not in san_values(leaf):  # vCenter checks its PNID (vcenter-fidelity.md row 4)
            raise self._error(operation, 'Invalid input certificate : DNS in Subject Alternative Name is not '
                              'correct. DNS Name must contain machine FQDN.')
        if 'key' in spec:
            key = serialization.load_pem_private_key(spec['key'].encode('ascii'), password=None)
        else:
            key = self.pending_csr_key
            if key is None:
                raise NotFoundError(operation, 'no private key in VECS (HTTP 404)', status=404)
            self.pending_csr_key = None
        if 'root_cert' in spec:
            root = load(spec['root_cert'])
            if all(fp(root) != fp(load(p)) for dummy, pems in self.chains for p in pems):
                self.chains.append((sha1_id(root), [spec['root_cert']]))
        self.tls_chain = certs
        self.tls_key = key
        return None

    def _renew(self, operation, params):
        assert set(params or {}) <= {'duration'}
        duration = (params or {}).get('duration', 730)
        if self.leaf.issuer != self.vmca.subject:
            raise self._error(operation, 'not VMCA-signed', 400, 'UNSUPPORTED')
        leaf = self.leaf
        self.use_vmca_tls(leaf.subject, san_values(leaf), days=duration,
                          key=self.pki.new_key(leaf.public_key().key_size))
        return None

    def _replace(self, operation, spec):
        assert self.version >= (7, 0, 0)
        for name in SUBJECT_STRINGS:
            assert isinstance(spec.get(name), str), 'ReplaceSpec needs %s' % name
        key = self.pki.new_key(spec.get('key_size', 3072))
        sans = list(spec.get('subject_alt_name') or [PNID])
        if spec.get('email_address'):
            sans.append('email:' + spec['email_address'])
        subject = make_name(spec.get('common_name') or PNID, o=spec['organization'], ou=spec['organization_unit'],
                            c=spec['country'], st=spec['state_or_province'], loc=spec['locality'])
        self.use_vmca_tls(subject, sans, days=730, key=key)
        return None

    def _csr(self, spec, required, default_san, stage):
        if required:
            for name in SUBJECT_STRINGS:
                assert isinstance(spec.get(name), str), 'TlsCsr.Spec needs %s' % name
        key = self.pki.new_key(spec.get('key_size', 3072))
        sans = list(spec.get('subject_alt_name') or ([PNID] if default_san else []))
        if spec.get('email_address'):
            sans.append('email:' + spec['email_address'])
        subject = make_name(spec.get('common_name') or PNID, o=spec.get('organization'),
                            ou=spec.get('organization_unit'), c=spec.get('country'),
                            st=spec.get('state_or_province'), loc=spec.get('locality'))
        setattr(self, stage, key)
        return {'csr': make_csr(subject, key, sans)}

    # -------------------------------------------------------------- STS signing certificate
    def _sts(self, method, operation, spec, params, action):
        if method == 'POST' and action is None:  # the STS CSR: vCenter stages the key
            assert self.version >= (9, 1, 1)
            return self._csr(spec, required=False, default_san=False, stage='staged_sts_key')
        if self.dialect != 'api' or self.version < (7, 0, 3):
            raise _not_found(operation, 'not found', method, STS)
        if method == 'GET':
            return {'active_cert_chain': {'cert_chain': list(self.sts_active)},
                    'signing_cert_chains': [{'cert_chain': list(c)} for c in self.sts_signing]}
        if method == 'PUT':
            assert set(spec) == set(['signing_cert_chain', 'private_key'])
            assert spec['private_key'].startswith('-----BEGIN PRIVATE KEY-----')
            key = serialization.load_pem_private_key(spec['private_key'].encode('ascii'), password=None)
            leaf = load(spec['signing_cert_chain']['cert_chain'][0])
            assert key.public_key().public_numbers() == leaf.public_key().public_numbers()
            if not self.sts_writes_ignored:
                self.activate_sts(spec['signing_cert_chain']['cert_chain'])
            return None
        if method == 'POST' and action == 'refresh':
            assert set(params) == set(['force'])
            new = [pem(make_cert(make_name('ssoserverSign'), ec_key(), self.vmca, self.vmca_key, days=730,
                                 key_usage=SIGNING)),
                   pem(self.vmca)]
            if not self.sts_writes_ignored:
                self.activate_sts(new)
            return {'cert_chain': new}
        if method == 'PATCH':  # install a chain for the staged key (9.1.1)
            if self.version < (9, 1, 1):
                raise _not_found(operation, 'not found', method, STS)
            if self.staged_sts_key is None:
                raise _not_found(operation, 'No staged signing key', method, STS)
            self.activate_sts(spec['signing_cert_chain']['cert_chain'])
            self.staged_sts_key = None
            return None
        raise AssertionError('unexpected call %s %s %s' % (method, STS, action))

    # -------------------------------------------------------------- VMCA root
    def _create_vmca_root(self, spec):
        spec = spec or {}
        assert set(spec) <= set(VMCA_ROOT_FIELDS)
        key = self.pki.new_key(spec.get('key_size', 2048))
        subject = make_name(spec.get('common_name') or PNID, o=spec.get('organization') or 'VMware',
                            ou=spec.get('organization_unit'), c=spec.get('country') or 'US',
                            st=spec.get('state_or_province') or 'California', loc=spec.get('locality') or 'Palo Alto')
        root = make_cert(subject, key, ca=True, days=3650, start_days=0, sans=spec.get('subject_alt_name') or [PNID])
        old = self.vmca
        self.vmca, self.vmca_key = root, key
        self.chains.append((sha1_id(root), [pem(root)]))
        leaf = self.leaf
        if leaf.issuer == old.subject or self.regenerate_all:  # VMCA-issued certificates are re-issued
            self.use_vmca_tls(leaf.subject, sans=[PNID], days=730, key=self.pki.tls_key)
        if self.verify_fails_after_vmca:
            self.tls_unverifiable = True
        if self.tls_port_down_after_vmca:
            self.tls_port_down = True
        return None


def _not_found(operation, text, method, path):
    return NotFoundError(operation, '%s (HTTP 404, NOT_FOUND)' % text, method=method, path=path, status=404)


class FakeClient(VCenterClient):
    """The real client (``require``, ``version``, ``explain_not_found``, ``wait_until_serving``) with the transport
    replaced by a ``FakeVCenter``."""

    def __init__(self, server, params):
        super(FakeClient, self).__init__(hostname=params['vcenter_hostname'], username=params['vcenter_username'],
                                         password=params['vcenter_password'], api=params['vcenter_api'],
                                         validate_certs=params['vcenter_validate_certs'],
                                         ca_path=params['vcenter_ca_path'])
        self.server = server
        self._previous = server.leaf

    def login(self):
        if self._token is None:
            self.server.logins += 1
            self.dialect = self.server.dialect if self.api == 'auto' else self.api
            self._token = 'session-%d' % self.server.logins

    def logout(self):
        if self._token is not None:
            self.server.logged_out.append(self._token)
        self._token = None

    def call(self, method, path, operation, spec=None, params=None, action=None, expect=None):
        self.login()
        if method != 'GET':
            self.write_sent = True
        result = self.server.handle(method, path, operation, spec, params, action)
        # the fake vCenter answers what the API documents: the module's declared shape must accept it
        assert expect is None or expect.mismatch(result) is None, (path, expect.mismatch(result))
        return result

    def _served(self):
        """The certificates the TLS port presents, leaf first."""
        if self.server.tls_port_down:
            raise OSError('connection refused')
        leaf = self.server.served or (self._previous if self.server.serve_old else self.server.leaf)
        return [leaf] + list(self.server.served_extra)

    def served_certificate_der(self):
        return self._served()[0].public_bytes(serialization.Encoding.DER)

    def served_chain_der(self):
        return [cert.public_bytes(serialization.Encoding.DER) for cert in self._served()]

    def trust_additional(self, pems):
        self.server.trusted.extend(pems)

    def wait_until_answering_anonymously(self, deadline, interval=1.0):
        # the real one is proven against the simulator (tests/reliability/test_strict_vcenter.py); here: recorded
        self.server.anonymous_waits += 1
        return (None, 'connection refused') if self.server.tls_port_down else (True, 'answered')

    def wait_until_serving(self, expected_sha256, operation, deadline, fingerprint_of_der, interval=1.0, ready=None):
        self.server.waited.append(expected_sha256)
        return super(FakeClient, self).wait_until_serving(expected_sha256, operation, deadline,
                                                          fingerprint_of_der, interval=0.01, ready=ready)
