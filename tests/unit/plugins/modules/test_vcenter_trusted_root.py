# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_trusted_root: the real AnsibleModule, the real CertApi and client logic, and a
fake vCenter behind ``VCenterClient.call`` (no HTTP).

The fake vCenter and the test PKI here are also used by the tests of vcenter_trusted_root_info and
vcenter_vmca_root.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible.module_utils.six.moves.urllib.parse import unquote
from ansible.module_utils.testing import patch_module_args

from ansible_collections.certops.vcenter.plugins.module_utils import _certs, _module
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import P
from ansible_collections.certops.vcenter.plugins.module_utils._client import VCenterClient
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    ConnectionFailure,
    NotFoundError,
    VCenterError,
)
from ansible_collections.certops.vcenter.plugins.modules import vcenter_trusted_root as module_under_test

TRC = P + '/trusted-root-chains'
NOW = datetime.datetime.now(datetime.timezone.utc)
PNID = 'vc.example.com'
VERIFY_FAILED = ('TLS verification of https://vc.example.com:443 failed (HTTPSConnectionPool: Max retries exceeded '
                 '(Caused by SSLError(SSLCertVerificationError(1, \'[SSL: CERTIFICATE_VERIFY_FAILED] certificate '
                 'verify failed: self-signed certificate in certificate chain\'))))')


# --------------------------------------------------------------------------- test PKI (made at test time)

def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def make_name(cn, o=None, ou=None, dcs=(), c=None, st=None, loc=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    attrs += [x509.NameAttribute(NameOID.DOMAIN_COMPONENT, dc) for dc in dcs]
    for oid, value in ((NameOID.COUNTRY_NAME, c), (NameOID.STATE_OR_PROVINCE_NAME, st),
                       (NameOID.LOCALITY_NAME, loc), (NameOID.ORGANIZATION_NAME, o),
                       (NameOID.ORGANIZATIONAL_UNIT_NAME, ou)):
        if value:
            attrs.append(x509.NameAttribute(oid, value))
    return x509.Name(attrs)


def make_cert(subject, key, issuer_cert=None, issuer_key=None, ca=False, days=365, start_days=-1, sans=None,
              cert_sign=True):
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW + datetime.timedelta(days=start_days))
               .not_valid_after(NOW + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca and cert_sign:
        # vCenter accepts only CA certificates with the keyCertSign key usage in its trust store
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode('ascii')


def fp(cert):
    return ':'.join('%02X' % b for b in bytearray(cert.fingerprint(hashes.SHA256())))


def load(text):
    return x509.load_pem_x509_certificate(text.encode('ascii'))


class Pki(object):
    """Everything the tests install, built once per test module."""

    def __init__(self):
        self.vmca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.vmca = make_cert(make_name('CA', o=PNID, ou='VMware Engineering', dcs=('vsphere', 'local'), c='US'),
                              self.vmca_key, ca=True, days=3650, start_days=-400)
        self.tls_key = ec_key()
        self.tls = make_cert(make_name(PNID, c='US'), self.tls_key, self.vmca, self.vmca_key, days=700,
                             sans=[PNID])
        self.sts_key = ec_key()
        self.sts = make_cert(make_name('ssoserverSign', ou='VMware Engineering'), self.sts_key, self.vmca,
                             self.vmca_key, days=3000)
        # a corporate CA: root, issuing intermediate, a machine SSL certificate it issued
        self.corp_key = ec_key()
        self.corp = make_cert(make_name('Corp Root CA', o='Corp'), self.corp_key, ca=True, days=3650)
        self.corp_int_key = ec_key()
        self.corp_int = make_cert(make_name('Corp Issuing CA', o='Corp'), self.corp_int_key, self.corp,
                                  self.corp_key, ca=True, days=1800)
        self.corp_tls_key = ec_key()
        self.corp_tls = make_cert(make_name(PNID, o='Corp'), self.corp_tls_key, self.corp_int, self.corp_int_key,
                                  days=365, sans=[PNID])
        # unrelated roots
        self.other_key = ec_key()
        self.other = make_cert(make_name('Other Root CA', o='Other'), self.other_key, ca=True, days=3650)
        self.other2 = make_cert(make_name('Other Root CA 2', o='Other'), ec_key(), ca=True, days=3650)
        self.expired = make_cert(make_name('Expired Root CA', o='Old'), ec_key(), ca=True, days=-5, start_days=-900)
        # keys for the roots the fake VmcaRoot.create makes (RSA, so key_size can be compared)
        self.root_keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for dummy in range(3)]


# Built once, when the test module is imported (collection time): ansible-test runs every test in a forked
# child (the ansible_forked plugin), so a session/module fixture would regenerate every key for every test.
_PKI = Pki()


@pytest.fixture(scope='module')
def pki():
    return _PKI


# --------------------------------------------------------------------------- fake vCenter

class FakeVCenter(object):
    """Trust store, machine SSL, STS chain and VMCA of one vCenter, and the requests it saw."""

    def __init__(self, pki, version=(8, 0, 3)):
        self.pki = pki
        self.version = version
        self.dialect = 'api' if version >= (7, 0, 2) else 'rest'
        self.chains = [(sha1_id(pki.vmca), [pem(pki.vmca)])]
        self.tls = pem(pki.tls)
        self.sts = [pem(pki.sts), pem(pki.vmca)]
        self.vmca, self.vmca_key = pki.vmca, pki.vmca_key
        self.calls = []
        self.logins = 0
        self.logouts = 0
        self.hidden = set()          # ids left out of the list (9.x: list lags a create)
        self.hide_created = 0        # hide new chains from this many list calls
        self.verify_fails_after_vmca = False
        self.tls_unverifiable = False
        self.vmca_roots_made = 0
        self.trusted = []            # PEMs the client was told to trust
        self.waited_for = []         # fingerprints the client waited for
        self.served_extra = []       # certificates the TLS port serves after the leaf
        self.tls_port_down = False   # the TLS port cannot be read
        self.lag_reads = 0           # --trust-store-lag: a new chain is hidden from this many reads (list or get),
        self.lagging = {}            # and a deleted one keeps being listed: {chain_id: reads left}
        self.lagging_deleted = {}
        self.duplicate_refuse = True  # vCenter refuses certificates it already trusts under a new id
        self.regenerate_all = False  # VmcaRoot.create re-issues a custom machine SSL certificate too

    # ---------------------------------------------------------------- helpers for tests
    @property
    def writes(self):
        return [c for c in self.calls if c[0] != 'GET']

    def add_chain(self, chain_id, certs):
        self.chains.append((chain_id, [pem(c) for c in certs]))

    def ids(self):
        return [cid for cid, dummy in self.chains]

    def chain(self, chain_id):
        for cid, pems in self.chains:
            if cid == chain_id:
                return pems
        return None

    def use_corp_tls(self):
        self.add_chain('corp', [self.pki.corp_int, self.pki.corp])
        self.tls = pem(self.pki.corp_tls)

    # ---------------------------------------------------------------- the API
    def handle(self, method, path, operation, spec, params, action):
        self.calls.append((method, path, action, spec, params))
        if self.tls_unverifiable:
            raise ConnectionFailure(operation, VERIFY_FAILED, method=method, path=path, tls_verification=True)
        if path == '/appliance/system/version' and method == 'GET':
            return {'version': '.'.join(str(v) for v in self.version) + '.00100', 'build': '1'}
        if path == TRC and method == 'GET':
            self._tick()
            listed = [{'chain': cid} for cid in self.ids() if cid not in self.hidden and cid not in self.lagging]
            listed += [{'chain': cid} for cid in self.lagging_deleted]
            if self.hide_created:
                self.hide_created -= 1
                if not self.hide_created:
                    self.hidden = set()
            return listed
        if path == TRC and method == 'POST':
            return self._create_chain(operation, spec)
        if path.startswith(TRC + '/'):
            chain_id = unquote(path[len(TRC) + 1:])
            pems = self.chain(chain_id)
            if method == 'GET':
                self._tick()
                if chain_id in self.lagging:
                    pems = None
                elif chain_id in self.lagging_deleted:
                    pems = self.lagging_deleted[chain_id][1]
            if pems is None:
                raise NotFoundError(operation, 'chain %s not found (HTTP 404, NOT_FOUND)' % chain_id,
                                    method=method, path=path, status=404)
            if method == 'GET':
                return {'cert_chain': {'cert_chain': list(pems)}}
            if method == 'DELETE':
                self.chains = [(cid, p) for cid, p in self.chains if cid != chain_id]
                if self.lag_reads:
                    self.lagging_deleted[chain_id] = [self.lag_reads, pems]
                return None
        if path == P + '/tls' and method == 'GET':
            return {'cert': self.tls, 'thumbprint': 'unused'}
        if path == P + '/signing-certificate' and method == 'GET':
            if self.dialect != 'api' or self.version < (7, 0, 3):
                raise NotFoundError(operation, 'not found (HTTP 404)', method=method, path=path, status=404)
            return {'active_cert_chain': {'cert_chain': list(self.sts)},
                    'signing_cert_chains': [{'cert_chain': list(self.sts)}]}
        if path == P + '/vmca-root' and method == 'POST':
            if self.version < (7, 0, 0):
                raise NotFoundError(operation, 'not found (HTTP 404)', method=method, path=path, status=404)
            return self._create_vmca_root(spec)
        raise AssertionError('unexpected call %s %s' % (method, path))

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

    def _tick(self):
        """One read of the store: lagging chains come one read closer to settled."""
        for table in (self.lagging, self.lagging_deleted):
            for cid in list(table):
                left = table[cid][0] if isinstance(table[cid], list) else table[cid]
                if left <= 1:
                    del table[cid]
                elif isinstance(table[cid], list):
                    table[cid][0] = left - 1
                else:
                    table[cid] = left - 1

    def _create_vmca_root(self, spec):
        spec = spec or {}
        assert set(spec) <= set(['key_size', 'common_name', 'organization', 'organization_unit', 'locality',
                                 'state_or_province', 'country', 'email_address', 'subject_alt_name'])
        key = self.pki.root_keys[self.vmca_roots_made % len(self.pki.root_keys)]
        self.vmca_roots_made += 1
        subject = make_name(spec.get('common_name') or PNID, o=spec.get('organization') or 'VMware',
                            ou=spec.get('organization_unit'), c=spec.get('country') or 'US',
                            st=spec.get('state_or_province') or 'California', loc=spec.get('locality') or 'Palo Alto')
        root = make_cert(subject, key, ca=True, days=3650, start_days=0, sans=spec.get('subject_alt_name') or [PNID])
        old = self.vmca
        self.vmca, self.vmca_key = root, key
        self.chains.append((sha1_id(root), [pem(root)]))
        tls = load(self.tls)
        if tls.issuer == old.subject or self.regenerate_all:
            self.tls = pem(make_cert(tls.subject, self.pki.tls_key, root, key, days=730, sans=[PNID]))
        if self.verify_fails_after_vmca:
            self.tls_unverifiable = True
        return None


def sha1_id(cert):
    return ''.join('%02X' % b for b in bytearray(cert.fingerprint(hashes.SHA1())))


class FakeClient(VCenterClient):
    """The real client (require, version) with the transport replaced by FakeVCenter."""

    def __init__(self, server, params):
        super(FakeClient, self).__init__(hostname=params['vcenter_hostname'], username=params['vcenter_username'],
                                         password=params['vcenter_password'], api=params['vcenter_api'])
        self.server = server
        self.trusted = []
        self.waited_for = []

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

    def trust_additional(self, pems):
        self.server.trusted.extend(pems)

    def served_chain_der(self):
        if self.server.tls_port_down:
            raise OSError('connection refused')
        return [load(c).public_bytes(serialization.Encoding.DER) if isinstance(c, str) else
                c.public_bytes(serialization.Encoding.DER) for c in [self.server.tls] + self.server.served_extra]

    def wait_until_serving(self, expected_sha256, operation, deadline, fingerprint_of_der, interval=1.0, ready=None):
        self.server.waited_for.append(expected_sha256)
        self.forget_session()
        self.login()


@pytest.fixture
def vcenter(pki, monkeypatch):
    server = FakeVCenter(pki)
    monkeypatch.setattr(_module, 'client_from_params', lambda params: FakeClient(server, params))
    return server


def run(capsys, args, check=False, diff=True, main=module_under_test.main):
    full = {'vcenter_hostname': PNID, 'vcenter_username': 'administrator@vsphere.local',
            'vcenter_password': 'secret-password', '_ansible_check_mode': check, '_ansible_diff': diff}
    full.update(args)
    with patch_module_args(full):
        with pytest.raises(SystemExit):
            main()
    out = capsys.readouterr().out
    return json.loads(out), out


def warnings_text(result):
    """The warnings as one string (ansible-core 2.19 returns them as structured events)."""
    return json.dumps(result.get('warnings', []))


def sha256s(summaries):
    return [s['fingerprints']['sha256'] for s in summaries]


def store_ids(view):
    return [c['chain_id'] for c in view['chains']]


# --------------------------------------------------------------------------- state=present

def test_present_check_mode_predicts_without_writing(capsys, vcenter, pki):
    before = list(vcenter.chains)
    result, dummy = run(capsys, {'certificates': pem(pki.corp) + pem(pki.corp_int), 'chain_id': 'corp'}, check=True)
    assert result['changed'] is True
    assert vcenter.writes == []
    assert vcenter.chains == before
    assert result['chain_id'] == 'corp'
    # sent leaf first whatever the order given
    assert sha256s(result['certificates']) == [fp(pki.corp_int), fp(pki.corp)]
    assert store_ids(result['diff']['before']) == [sha1_id(pki.vmca)]
    assert store_ids(result['diff']['after']) == [sha1_id(pki.vmca), 'corp']
    assert result['actions'] == ['create trusted root chain corp']
    assert 'pem' not in result['diff']['after']['chains'][1]['certificates'][0]


def test_present_creates_leaf_first_and_is_idempotent_whatever_the_id(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp) + pem(pki.corp_int), 'chain_id': 'corp'})
    assert result['changed'] is True
    assert vcenter.chain('corp') == [pem(pki.corp_int), pem(pki.corp)]
    posts = [c for c in vcenter.writes if c[0] == 'POST']
    assert len(posts) == 1 and posts[0][3]['chain'] == 'corp'
    assert store_ids(result['diff']['after']) == [sha1_id(pki.vmca), 'corp']
    # same certificates, other order, other id: nothing to do
    again, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp), 'chain_id': 'elsewhere'})
    assert again['changed'] is False
    assert again['chain_id'] == 'corp'
    assert len(vcenter.writes) == 1
    assert again['diff']['before'] == again['diff']['after']
    check, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp)}, check=True)
    assert check['changed'] is False


def test_present_generated_id_is_read_back_by_id_not_from_the_list(capsys, vcenter, pki):
    vcenter.hide_created = 5  # the list does not show the new chain for a while (reference §4.1 [FIELD])
    check, dummy = run(capsys, {'certificates': pem(pki.other)}, check=True)
    assert check['changed'] is True
    assert check['chain_id'] is None
    assert check['diff']['after']['chains'][-1]['chain_id'] is None
    result, dummy = run(capsys, {'certificates': pem(pki.other)})
    assert result['changed'] is True
    assert result['chain_id'] == sha1_id(pki.other)
    assert sha256s(result['certificates']) == [fp(pki.other)]
    assert result['diff']['after']['chains'][-1]['chain_id'] == sha1_id(pki.other)
    gets = [c[1] for c in vcenter.calls if c[0] == 'GET']
    # issue 11: read back by id, then the list is read until it shows the new chain (the next task sees it)
    assert TRC + '/' + sha1_id(pki.other) in gets
    assert gets[-1] == TRC
    assert not vcenter.hidden


def test_present_chain_id_with_other_content_fails_without_force(capsys, vcenter, pki):
    vcenter.add_chain('corp', [pki.other])
    result, out = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp'})
    assert result['failed'] is True
    assert 'trusted root chain corp already exists and holds other certificates' in result['msg']
    assert 'CN=Other Root CA' in result['msg']
    assert 'force: true' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert vcenter.writes == []


def test_present_chain_id_with_other_content_mentions_what_it_anchors(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': sha1_id(pki.vmca)})
    assert result['failed'] is True
    assert 'it anchors the current machine SSL certificate' in result['msg']
    assert vcenter.writes == []


def test_present_force_replaces_with_the_same_id(capsys, vcenter, pki):
    vcenter.add_chain('corp', [pki.other])
    check, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True}, check=True)
    assert check['changed'] is True and vcenter.writes == []
    assert check['actions'] == ['delete trusted root chain corp', 'create trusted root chain corp']
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True})
    assert result['changed'] is True
    assert [(c[0], c[1]) for c in vcenter.writes] == [('DELETE', TRC + '/corp'), ('POST', TRC)]
    assert vcenter.chain('corp') == [pem(pki.corp)]
    assert result['diff']['after'] == check['diff']['after']
    again, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp', 'force': True})
    assert again['changed'] is False


def test_present_quotes_ids_in_urls(capsys, vcenter, pki):
    vcenter.add_chain('corp root/2026', [pki.other])
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp root/2026', 'force': True})
    assert result['changed'] is True
    assert vcenter.writes[0][1] == TRC + '/corp%20root%2F2026'
    assert vcenter.chain('corp root/2026') == [pem(pki.corp)]


def test_present_on_the_legacy_rest_dialect(capsys, pki, monkeypatch):
    server = FakeVCenter(pki, version=(7, 0, 0))
    monkeypatch.setattr(_module, 'client_from_params', lambda params: FakeClient(server, params))
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp'})
    assert result['changed'] is True
    assert server.chain('corp') == [pem(pki.corp)]


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize('text, expected', [
    ('', 'is empty'),
    ('   \n', 'is empty'),
    ('just some text', 'does not contain a PEM certificate'),
    ('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n', 'not a valid PEM certificate'),
])
def test_bad_pem_is_refused_before_any_call(capsys, vcenter, text, expected):
    result, dummy = run(capsys, {'certificates': text})
    assert result['failed'] is True
    assert expected in result['msg']
    assert result['msg'].startswith('Failed to add a trusted root chain: ')
    assert vcenter.calls == [] and vcenter.logins == 0


def test_private_key_is_refused_and_never_echoed(capsys, vcenter, pki):
    secret = key_pem(pki.corp_key)
    body = secret.splitlines()[1]
    result, out = run(capsys, {'certificates': pem(pki.corp) + secret})
    assert result['failed'] is True
    assert 'private key' in result['msg']
    assert body not in out
    assert vcenter.calls == [] and vcenter.logins == 0


def test_certificates_that_are_not_one_chain_are_refused(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp) + pem(pki.other)})
    assert result['failed'] is True
    assert 'must be one chain' in result['msg']
    assert '2 separate chains' in result['msg']
    assert vcenter.calls == []


def test_empty_chain_id_is_refused(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': ' '})
    assert result['failed'] is True
    assert 'chain_id must not be empty' in result['msg']
    assert vcenter.calls == []


def test_expired_certificate_is_added_with_a_warning(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.expired), 'chain_id': 'old'})
    assert result['changed'] is True
    assert 'expired on' in warnings_text(result)


def test_absent_needs_chain_id_or_certificates(capsys, vcenter):
    result, dummy = run(capsys, {'state': 'absent'})
    assert result['failed'] is True
    assert 'chain_id' in result['msg'] and 'certificates' in result['msg']
    assert vcenter.calls == []


# --------------------------------------------------------------------------- state=absent

def test_absent_by_id_and_by_certificates(capsys, vcenter, pki):
    vcenter.add_chain('other', [pki.other])
    vcenter.add_chain('other-copy', [pki.other])
    vcenter.add_chain('corp', [pki.corp_int, pki.corp])
    check, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.other)}, check=True)
    assert check['changed'] is True and vcenter.writes == []
    assert check['removed_chain_ids'] == ['other', 'other-copy']
    assert store_ids(check['diff']['after']) == [sha1_id(pki.vmca), 'corp']
    result, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.other)})
    assert result['changed'] is True
    assert result['chain_id'] == 'other'
    assert sha256s(result['certificates']) == [fp(pki.other)]
    assert vcenter.ids() == [sha1_id(pki.vmca), 'corp']
    by_id, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp'})
    assert by_id['changed'] is True
    assert vcenter.ids() == [sha1_id(pki.vmca)]
    again, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp'})
    assert again['changed'] is False
    assert again['chain_id'] is None and again['removed_chain_ids'] == []
    assert again['diff']['before'] == again['diff']['after']


def test_absent_of_nothing_reads_no_anchor_state(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.other)})
    assert result['changed'] is False
    assert not [c for c in vcenter.calls if c[1] in (P + '/tls', P + '/signing-certificate')]


def test_guard_refuses_to_remove_the_vmca_root(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)})
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to remove a trusted root chain: refusing to remove trusted root chain %s: it anchors the current '
        'machine SSL certificate, the current STS signing chain and the current VMCA root. Set force: true to '
        'remove it anyway' % sha1_id(pki.vmca))
    assert vcenter.writes == []
    check, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)}, check=True)
    assert check['failed'] is True and vcenter.writes == []


def test_guard_refuses_to_remove_the_anchor_of_a_custom_machine_ssl_certificate(capsys, vcenter, pki):
    vcenter.use_corp_tls()
    result, dummy = run(capsys, {'state': 'absent', 'certificates': pem(pki.corp_int) + pem(pki.corp)})
    assert result['failed'] is True
    assert 'refusing to remove trusted root chain corp: it anchors the current machine SSL certificate.' in result['msg']
    assert 'VMCA' not in result['msg']
    assert vcenter.writes == []
    # the VMCA root now anchors only the STS chain (and is the VMCA root)
    vmca, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)})
    assert 'it anchors the current STS signing chain and the current VMCA root' in vmca['msg']


def test_guard_force_removes_anyway(capsys, vcenter, pki):
    vcenter.use_corp_tls()
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp', 'force': True})
    assert result['changed'] is True
    assert [(c[0], c[1]) for c in vcenter.writes] == [('DELETE', TRC + '/corp')]


def test_absent_tolerates_a_chain_removed_meanwhile(capsys, vcenter, pki, monkeypatch):
    vcenter.add_chain('other', [pki.other])
    original = vcenter.handle

    def racing(method, path, *args):
        if method == 'DELETE':
            vcenter.chains = [c for c in vcenter.chains if c[0] != 'other']
        return original(method, path, *args)

    monkeypatch.setattr(vcenter, 'handle', racing)
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'other'})
    assert result['changed'] is True
    assert 'failed' not in result


def test_no_diff_without_diff_mode(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificates': pem(pki.corp)}, diff=False)
    assert result['changed'] is True
    assert 'diff' not in result
    assert vcenter.logins == vcenter.logouts == 1


# --------------------------------------------------------------------------- issue 11: a strict, lagging, linked vCenter

@pytest.mark.parametrize('what', ['leaf', 'ca_without_key_usage', 'intermediate_without_key_usage'])
def test_a_certificate_that_is_not_a_valid_ca_is_refused_before_any_call(capsys, vcenter, pki, what):
    key = ec_key()
    if what == 'leaf':
        bad = make_cert(make_name('leaf.example.com'), key, pki.corp, pki.corp_key)
        text = pem(bad) + pem(pki.corp)
        problem = 'is not a CA certificate'
    elif what == 'ca_without_key_usage':
        bad = make_cert(make_name('No KU Root CA'), key, ca=True, days=3650, cert_sign=False)
        text = pem(bad)
        problem = 'has no key usage extension'
    else:
        bad = make_cert(make_name('No KU Issuing CA'), key, pki.corp, pki.corp_key, ca=True, cert_sign=False)
        text = pem(pki.corp) + pem(bad)
        problem = 'has no key usage extension'
    result, dummy = run(capsys, {'certificates': text})
    assert result['failed'] is True
    assert result['vcenter_state'] == 'unchanged'
    assert bad.subject.rfc4514_string() in result['msg']
    assert problem in result['msg']
    assert 'keyCertSign' in result['msg']
    assert vcenter.calls == [] and vcenter.logins == 0


def test_create_waits_for_a_lagging_store_and_the_rerun_changes_nothing(capsys, vcenter, pki):
    vcenter.lag_reads = 3  # the new chain is hidden from list and get for three reads
    result, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp), 'chain_id': 'corp'})
    assert result['changed'] is True
    assert result['chain_id'] == 'corp'
    assert sha256s(result['certificates']) == [fp(pki.corp_int), fp(pki.corp)]
    assert not vcenter.lagging
    writes = len(vcenter.writes)
    again, dummy = run(capsys, {'certificates': pem(pki.corp_int) + pem(pki.corp), 'chain_id': 'corp'})
    assert again['changed'] is False
    assert len(vcenter.writes) == writes


def test_a_create_refused_as_duplicate_while_the_store_lags_is_waited_for_not_repeated(capsys, vcenter, pki):
    # an earlier run created the chain; the store does not show it yet, so this run plans a create
    vcenter.lag_reads = 4
    vcenter.chains.append(('corp-earlier', [pem(pki.corp)]))
    vcenter.lagging['corp-earlier'] = 4
    result, dummy = run(capsys, {'certificates': pem(pki.corp)})
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['chain_id'] == 'corp-earlier'
    assert 'already held these certificates' in warnings_text(result)
    assert [w[0] for w in vcenter.writes] == ['POST']
    assert vcenter.ids().count('corp-earlier') == 1


def test_certificates_already_trusted_in_other_chains_are_never_sent_again(capsys, vcenter, pki):
    vcenter.add_chain('corp', [pki.corp_int, pki.corp])
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'chain_id': 'corp-root'})
    assert result['changed'] is False
    assert result['chain_id'] == 'corp'
    assert 'Trusted root already exists' in warnings_text(result)
    assert vcenter.writes == []


def test_delete_waits_for_a_lagging_store_and_the_rerun_changes_nothing(capsys, vcenter, pki):
    vcenter.add_chain('other', [pki.other])
    vcenter.lag_reads = 3  # a deleted chain keeps being listed for three reads
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'other'})
    assert result['changed'] is True
    assert not vcenter.lagging_deleted
    again, dummy = run(capsys, {'state': 'absent', 'chain_id': 'other'})
    assert again['changed'] is False
    assert [w[0] for w in vcenter.writes] == ['DELETE']


def test_a_created_chain_not_listed_by_the_deadline_is_never_called_not_applied(capsys, vcenter, pki, monkeypatch):
    vcenter.lag_reads = 10 ** 6  # never settles within wait_timeout
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    original = vcenter.handle

    def dropped(method, path, operation, *args):
        result = original(method, path, operation, *args)
        if method == 'POST':  # applied, then the answer is lost
            raise ConnectionFailure(operation, 'the answer was cut off', method=method, path=path, ambiguous=True)
        return result

    monkeypatch.setattr(vcenter, 'handle', dropped)
    result, dummy = run(capsys, {'certificates': pem(pki.corp), 'wait_timeout': 1})
    assert result['failed'] is True
    assert result['vcenter_state'] == 'unknown'
    assert 'NOT applied' not in result['msg'] and 'safe to rerun' not in result['msg']
    assert 'may still appear' in result['msg']


def test_a_created_chain_that_appears_during_the_read_back_counts_as_applied(capsys, vcenter, pki, monkeypatch):
    vcenter.lag_reads = 2
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    original = vcenter.handle

    def answer_500(method, path, operation, *args):
        result = original(method, path, operation, *args)
        if method == 'POST':  # applied, then 500
            raise VCenterError(operation, 'Internal Server Error (HTTP 500, ERROR)', method=method, path=path,
                               status=500, error_type='ERROR')
        return result

    monkeypatch.setattr(vcenter, 'handle', answer_500)
    result, dummy = run(capsys, {'certificates': pem(pki.corp)})
    assert 'failed' not in result
    assert result['changed'] is True
    assert 'the change WAS applied' in warnings_text(result)


def test_guard_counts_the_root_of_a_certificate_issued_through_an_intermediate_not_in_the_store(capsys, vcenter, pki):
    # the rotation guide's setup: an issuing CA under a root; only the root is in the store, vCenter serves the
    # intermediate on its TLS port
    vcenter.add_chain('corp-root', [pki.corp])
    vcenter.tls = pem(pki.corp_tls)
    vcenter.served_extra = [pki.corp_int, pki.corp]
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp-root'})
    assert result['failed'] is True
    assert 'it anchors the current machine SSL certificate' in result['msg']
    assert vcenter.writes == []
    # the TLS port cannot be read: the trust path reaches no trusted root, so nothing is removed without force
    vcenter.tls_port_down = True
    other, dummy = run(capsys, {'state': 'absent', 'chain_id': 'corp-root'})
    assert other['failed'] is True
    assert 'cannot be told' in other['msg']
    assert vcenter.writes == []


def test_hybrid_mode_protects_the_install_vmca_root(capsys, pki, monkeypatch):
    # corporate machine SSL certificate and no STS API (7.0 U2): the VMCA root still signs ESXi and solution-user
    # certificates; it is found by O=<PNID> with the VMCA marks
    vcenter = FakeVCenter(pki, version=(7, 0, 2))
    vcenter.use_corp_tls()
    monkeypatch.setattr(_module, 'client_from_params', lambda params: FakeClient(vcenter, params))
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(pki.vmca)})
    assert result['failed'] is True
    assert 'the current VMCA root' in result['msg']
    assert vcenter.writes == []


PARTNER = 'vc2.example.com'


def partner_root(start_days=0):
    """A linked partner's VMCA root (newer than the local one, as after the partner rotated last) and its key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return make_cert(make_name('CA', o=PARTNER, ou='VMware Engineering', dcs=('vsphere', 'local'), c='US'), key,
                     ca=True, days=3650, start_days=start_days), key


def test_linked_partner_root_is_never_this_vcenters_vmca_root_nor_removed(capsys, vcenter, pki):
    partner, dummy = partner_root()
    vcenter.add_chain(sha1_id(partner), [partner])
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': sha1_id(partner)})
    assert result['failed'] is True
    assert 'another vCenter of the SSO domain' in result['msg']
    assert vcenter.writes == []


def test_an_earlier_vmca_root_is_removed_only_when_named_with_a_warning(capsys, vcenter, pki):
    old_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    old = make_cert(make_name('CA', o=PNID, ou='VMware Engineering', dcs=('vsphere', 'local'), c='US'), old_key,
                    ca=True, days=3000, start_days=-900)
    vcenter.add_chain('old-vmca', [old])
    result, dummy = run(capsys, {'state': 'absent', 'chain_id': 'old-vmca'})
    assert result['changed'] is True
    assert 'ESXi host and solution-user certificates' in warnings_text(result)
