# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for unit tests: a test PKI made at test time, a fake vCenter behind the real client, and a
runner for the real AnsibleModule.

* ``Pki``: a VMCA root with its machine SSL and STS certificates, a corporate CA (root, intermediate,
  a server certificate) and spare RSA keys (RSA so key sizes can be compared), all generated once.
* ``FakeVCenter``: machine SSL (get/set/renew/replace), CSRs, trusted root chains, STS chain, version;
  records every call (``calls``, ``writes``), can fail or answer 503 on demand.
* ``FakeClient``: the real ``VCenterClient`` (``require``, ``version``, ``wait_until_serving``) with its
  transport (login/logout/call/served certificate/extra trust) replaced by the fake vCenter.
* ``module_result(capsys, main, args, ...)``: runs a module's ``main()`` with ``patch_module_args`` and returns
  the JSON result it printed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import itertools
import json

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible.module_utils.six.moves.urllib.parse import unquote
from ansible.module_utils.testing import patch_module_args

from ansible_collections.certops.vcenter.plugins.module_utils import _module
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import P
from ansible_collections.certops.vcenter.plugins.module_utils._client import VCenterClient
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    NotFoundError,
    ServiceUnavailableError,
    VCenterError,
)

NOW = datetime.datetime.now(datetime.timezone.utc)
PNID = 'vc.example.com'
PASSWORD = 'secret-password'
TLS = P + '/tls'
TRC = P + '/trusted-root-chains'
SUBJECT_STRINGS = ('organization', 'organization_unit', 'locality', 'state_or_province', 'country', 'email_address')


# --------------------------------------------------------------------------- test PKI

def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def make_name(cn=None, o=None, ou=None, dcs=(), c=None, st=None, loc=None, email=None):
    attrs = []
    if cn:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    attrs += [x509.NameAttribute(NameOID.DOMAIN_COMPONENT, dc) for dc in dcs]
    for oid, value in ((NameOID.COUNTRY_NAME, c), (NameOID.STATE_OR_PROVINCE_NAME, st),
                       (NameOID.LOCALITY_NAME, loc), (NameOID.ORGANIZATION_NAME, o),
                       (NameOID.ORGANIZATIONAL_UNIT_NAME, ou), (NameOID.EMAIL_ADDRESS, email)):
        if value:
            attrs.append(x509.NameAttribute(oid, value))
    return x509.Name(attrs)


def general_names(sans):
    """``['vc.example.com', '10.0.0.1', 'email:a@b.c']`` -> GeneralNames."""
    import ipaddress
    names = []
    for san in sans or ():
        if san.startswith('email:'):
            names.append(x509.RFC822Name(san[len('email:'):]))
            continue
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(san)))
        except ValueError:
            names.append(x509.DNSName(san))
    return names


def make_cert(subject, key, issuer_cert=None, issuer_key=None, ca=False, days=365, start_days=-1, sans=None):
    """A certificate valid from ``start_days`` to ``days`` (relative to now); self-signed without an issuer."""
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW + datetime.timedelta(days=start_days))
               .not_valid_after(NOW + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:  # vCenter accepts a CA certificate only with the keyCertSign key usage
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(general_names(sans)), critical=False)
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def make_csr(subject, key, sans=None):
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(general_names(sans)), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode('ascii')


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pem(key, passphrase=None, traditional=False):
    encryption = (serialization.BestAvailableEncryption(passphrase.encode('utf-8')) if passphrase
                  else serialization.NoEncryption())
    fmt = serialization.PrivateFormat.TraditionalOpenSSL if traditional else serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode('ascii')


def fp(cert):
    return ':'.join('%02X' % b for b in bytearray(cert.fingerprint(hashes.SHA256())))


def sha1_id(cert):
    return ''.join('%02X' % b for b in bytearray(cert.fingerprint(hashes.SHA1())))


def load(text):
    return x509.load_pem_x509_certificate(text.encode('ascii'))


def vmca_name(pnid=PNID):
    return make_name('CA', o=pnid, ou='VMware Engineering', dcs=('vsphere', 'local'), c='US', st='California')


class Pki(object):
    """Everything the tests install, built once per test module (use the ``pki`` fixture)."""

    def __init__(self):
        self.vmca_key = rsa_key()
        self.vmca = make_cert(vmca_name(), self.vmca_key, ca=True, days=3650, start_days=-400)
        self.tls_key = rsa_key()
        self.tls = make_cert(make_name(PNID, c='US'), self.tls_key, self.vmca, self.vmca_key, days=700,
                             sans=[PNID])
        self.sts_key = ec_key()
        self.sts = make_cert(make_name('ssoserverSign', ou='VMware Engineering'), self.sts_key, self.vmca,
                             self.vmca_key, days=3000)
        # a corporate CA: root, issuing intermediate, and a machine SSL certificate (key) it issued
        self.corp_key = ec_key()
        self.corp = make_cert(make_name('Corp Root CA', o='Corp'), self.corp_key, ca=True, days=3650)
        self.corp_int_key = ec_key()
        self.corp_int = make_cert(make_name('Corp Issuing CA', o='Corp'), self.corp_int_key, self.corp,
                                  self.corp_key, ca=True, days=1800)
        self.corp_tls_key = rsa_key()
        self.corp_tls = make_cert(make_name(PNID, o='Corp'), self.corp_tls_key, self.corp_int, self.corp_int_key,
                                  days=365, sans=[PNID, '10.0.0.1'])
        # another root, for "wrong root" cases
        self.other_key = ec_key()
        self.other = make_cert(make_name('Other Root CA', o='Other'), self.other_key, ca=True, days=3650)
        # keys vCenter "generates" (a pool, cycled: RSA generation is slow)
        self.keys = {2048: [rsa_key(2048) for dummy in range(3)], 3072: [rsa_key(3072) for dummy in range(2)]}
        self._cycles = {}

    def new_key(self, bits):
        if bits not in self.keys:
            self.keys[bits] = [rsa_key(bits)]
        cycle = self._cycles.setdefault(bits, itertools.cycle(self.keys[bits]))
        return next(cycle)

    def corp_leaf(self, sans=(PNID,), days=365, start_days=-1, key=None, issuer='int', cn=PNID):
        """A server certificate from the corporate CA (``issuer``: 'int' or 'root')."""
        issuer_cert, issuer_key = ((self.corp_int, self.corp_int_key) if issuer == 'int'
                                   else (self.corp, self.corp_key))
        return make_cert(make_name(cn, o='Corp'), key or self.corp_tls_key, issuer_cert, issuer_key, days=days,
                         start_days=start_days, sans=list(sans))


# Built once, when the test module is imported (collection time): ansible-test runs every test in a forked
# child (the ansible_forked plugin), so a session/module fixture would regenerate every key for every test.
_PKI = Pki()


@pytest.fixture(scope='session')
def pki():
    return _PKI


# --------------------------------------------------------------------------- fake vCenter

class FakeVCenter(object):
    """One vCenter's certificate state and the requests it saw (``calls``: ``(method, path, action, body)``)."""

    def __init__(self, pki, version=(8, 0, 3)):
        self.pki = pki
        self.version = tuple(version)
        self.dialect = 'api' if self.version >= (7, 0, 2) else 'rest'
        self.vmca, self.vmca_key = pki.vmca, pki.vmca_key
        self.tls_chain = [pki.tls, pki.vmca]
        self.tls_key = pki.tls_key
        self.chains = [(sha1_id(pki.vmca), [pem(pki.vmca)])]
        self.sts = [pem(pki.sts), pem(pki.vmca)]
        self.pending_csr_key = None
        self.staged_sts_key = None
        self.calls = []
        self.logins = 0
        self.logouts = 0
        self.failures = {}           # (method, path, action) -> exception raised once, before applying
        self.fail_after = {}         # (method, path, action) -> exception raised once, after applying
        self.unavailable_reads = 0   # answer this many reads with 503 after the next write
        self._unavailable = 0
        self.serve_old = False       # the TLS port keeps serving the previous certificate
        self.served = None           # certificate the TLS port serves (None: the current one)
        self.trusted = []            # PEMs the client was told to trust
        self.waited = []             # fingerprints the client waited for

    # -------------------------------------------------------------- helpers for tests
    @property
    def writes(self):
        return [c for c in self.calls if c[0] != 'GET']

    @property
    def leaf(self):
        return self.tls_chain[0]

    def use_corp_tls(self, trust=True):
        """vCenter uses the corporate certificate (and trusts the corporate root)."""
        if trust:
            self.chains.append(('corp', [pem(self.pki.corp)]))
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

    def chain(self, chain_id):
        for cid, pems in self.chains:
            if cid == chain_id:
                return pems
        return None

    # -------------------------------------------------------------- the API
    def handle(self, method, path, operation, spec, params, action):
        body = spec if spec is not None else params
        self.calls.append((method, path, action, body))
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
        if path == '/appliance/system/version' and method == 'GET':
            return {'version': '.'.join(str(v) for v in self.version) + '.00100', 'build': '1'}
        if path == TRC and method == 'GET':
            return [{'chain': cid} for cid, dummy in self.chains]
        if path == TRC and method == 'POST':
            pems = spec['cert_chain']['cert_chain']
            chain_id = spec.get('chain') or sha1_id(load(pems[-1]))
            if self.chain(chain_id) is not None:
                raise VCenterError(operation, 'already exists (HTTP 400, ALREADY_EXISTS)', method=method, path=path,
                                   status=400, error_type='ALREADY_EXISTS')
            self.chains.append((chain_id, list(pems)))
            return chain_id
        if path.startswith(TRC + '/') and method == 'GET':
            pems = self.chain(unquote(path[len(TRC) + 1:]))
            if pems is None:
                raise NotFoundError(operation, 'not found (HTTP 404)', method=method, path=path, status=404)
            return {'cert_chain': {'cert_chain': list(pems)}}
        if path == TLS and method == 'GET':
            return {'cert': pem(self.leaf), 'thumbprint': 'unused', 'is_CA': False}
        if path == TLS and method == 'PUT':
            return self._set_tls(operation, spec)
        if path == TLS and method == 'POST' and action == 'renew':
            return self._renew(operation, params)
        if path == TLS and method == 'POST' and action == 'replace-vmca-signed':
            return self._replace(operation, spec)
        if path == P + '/tls-csr' and method == 'POST':
            return self._csr(spec, required=True, default_san=True, stage='pending_csr_key')
        if path == P + '/signing-certificate' and method == 'GET':
            if self.dialect != 'api' or self.version < (7, 0, 3):
                raise NotFoundError(operation, 'not found (HTTP 404)', method=method, path=path, status=404)
            return {'active_cert_chain': {'cert_chain': list(self.sts)},
                    'signing_cert_chains': [{'cert_chain': list(self.sts)}]}
        if path == P + '/signing-certificate' and method == 'POST' and action is None:
            assert self.version >= (9, 1, 1)
            return self._csr(spec, required=False, default_san=False, stage='staged_sts_key')
        raise AssertionError('unexpected call %s %s %s' % (method, path, action))

    def _error(self, operation, text, status=500, error_type='ERROR'):
        return VCenterError(operation, '%s (HTTP %d, %s)' % (text, status, error_type), status=status,
                            error_type=error_type)

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


def san_values(cert):
    """SANs in the form ``general_names`` takes (``vc.example.com``, ``10.0.0.1``, ``email:a@b.c``)."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return ['email:%s' % n.value if isinstance(n, x509.RFC822Name) else str(n.value) for n in ext.value]


class FakeClient(VCenterClient):
    """The real client (``require``, ``version``, ``wait_until_serving``) with the transport replaced."""

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
            self._token = 'session-token'

    def logout(self):
        if self._token is not None:
            self.server.logouts += 1
        self._token = None

    def call(self, method, path, operation, spec=None, params=None, action=None, expect=None):
        self.login()
        if method != 'GET':
            self.write_sent = True
        result = self.server.handle(method, path, operation, spec, params, action)
        # the fake vCenter answers what the API documents: the module's declared shape must accept it
        assert expect is None or expect.mismatch(result) is None, (path, expect.mismatch(result))
        return result

    def served_certificate_der(self):
        cert = self.server.served or (self._previous if self.server.serve_old else self.server.leaf)
        return cert.public_bytes(serialization.Encoding.DER)

    def trust_additional(self, pems):
        self.server.trusted.extend(pems)

    def wait_until_serving(self, expected_sha256, operation, deadline, fingerprint_of_der, interval=1.0, ready=None):
        self.server.waited.append(expected_sha256)
        return super(FakeClient, self).wait_until_serving(expected_sha256, operation, deadline,
                                                          fingerprint_of_der, interval=0.01, ready=ready)


@pytest.fixture
def make_vcenter(pki, monkeypatch):
    """``make_vcenter(version=(8, 0, 3))`` -> a FakeVCenter the modules will talk to."""
    def factory(version=(8, 0, 3)):
        server = FakeVCenter(pki, version)
        monkeypatch.setattr(_module, 'client_from_params', lambda params: FakeClient(server, params))
        return server
    return factory


# --------------------------------------------------------------------------- running a module

def module_result(capsys, main, args, check=False, diff=True):
    """Run a module's ``main()`` with ``args`` (connection options added) through the real AnsibleModule;
    return ``(result dict, raw stdout)``."""
    full = {'vcenter_hostname': PNID, 'vcenter_username': 'administrator@vsphere.local',
            'vcenter_password': PASSWORD, '_ansible_check_mode': check, '_ansible_diff': diff}
    full.update(args)
    with patch_module_args(full):
        with pytest.raises(SystemExit):
            main()
    out = capsys.readouterr().out
    return json.loads(out), out


def warnings_text(result):
    """The warnings as one string (ansible-core 2.19 returns them as structured events)."""
    return json.dumps(result.get('warnings', []))
