# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for vcenter_sts_signing_cert: the real AnsibleModule, the real CertApi and client logic
(require / explain_not_found), and a fake vCenter behind ``VCenterClient.call`` (no HTTP)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible.module_utils.testing import patch_module_args

from ansible_collections.certops.vcenter.plugins.module_utils import _module
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import P
from ansible_collections.certops.vcenter.plugins.module_utils._client import VCenterClient
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    NotFoundError,
    ServiceUnavailableError,
    VCenterError,
)
from ansible_collections.certops.vcenter.plugins.modules import vcenter_sts_signing_cert as module_under_test

STS = P + '/signing-certificate'
NOW = datetime.datetime.now(datetime.timezone.utc)
PASSPHRASE = 'correct horse battery staple'


# --------------------------------------------------------------------------- test PKI (made at test time)

def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(subject_cn, key, issuer_cert=None, issuer_key=None, ca=False, days=365, start_days=-1,
              key_usage='signing'):
    """``key_usage``: 'signing' (digitalSignature), 'encipher' (keyEncipherment only), None (no extension)."""
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject_cn))
               .issuer_name(issuer_cert.subject if issuer_cert is not None else name(subject_cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW + datetime.timedelta(days=start_days))
               .not_valid_after(NOW + datetime.timedelta(days=days)))
    builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    elif key_usage is not None:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=key_usage == 'signing', content_commitment=False,
            key_encipherment=key_usage == 'encipher', data_encipherment=False, key_agreement=False,
            key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pem(key, fmt='pkcs8', passphrase=None):
    formats = {'pkcs8': serialization.PrivateFormat.PKCS8,
               'traditional': serialization.PrivateFormat.TraditionalOpenSSL}
    encryption = (serialization.BestAvailableEncryption(passphrase.encode('utf-8')) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, formats[fmt], encryption).decode('ascii')


def fp(cert):
    return ':'.join('%02X' % b for b in bytearray(cert.fingerprint(hashes.SHA256())))


class Pki(object):
    """Everything the tests install, built once."""

    def __init__(self):
        self.vmca_key = ec_key()
        self.vmca = make_cert('CA', self.vmca_key, ca=True, days=3650)
        self.root_key = ec_key()
        self.root = make_cert('Test Root CA', self.root_key, ca=True, days=3650)
        self.inter_key = ec_key()
        self.inter = make_cert('Test Intermediate CA', self.inter_key, self.root, self.root_key, ca=True, days=1800)
        self.leaf_key = ec_key()
        self.leaf = make_cert('sts-custom', self.leaf_key, self.inter, self.inter_key, days=400)
        self.leaf2_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.leaf2 = make_cert('sts-custom-rsa', self.leaf2_key, self.root, self.root_key, days=300)
        self.short_key = ec_key()
        self.short = make_cert('sts-short', self.short_key, self.vmca, self.vmca_key, days=10)
        self.no_ds = make_cert('sts-no-ds', self.leaf_key, self.inter, self.inter_key, key_usage='encipher')
        self.no_ku = make_cert('sts-no-ku', self.leaf_key, self.inter, self.inter_key, key_usage=None)
        self.expired = make_cert('sts-expired', self.leaf_key, self.inter, self.inter_key, days=-2, start_days=-30)
        self.old_inter = make_cert('Test Intermediate CA', self.inter_key, self.root, self.root_key, ca=True,
                                   days=-1, start_days=-400)
        self.other_key = ec_key()
        self.staged_key = ec_key()
        self.staged_leaf = make_cert('sts-staged', self.staged_key, self.root, self.root_key, days=500)

    def chain(self):
        return pem(self.leaf) + pem(self.inter) + pem(self.root)


# Built once, when the test module is imported (collection time): ansible-test runs every test in a forked
# child (the ansible_forked plugin), so a session/module fixture would regenerate every key for every test.
_PKI = Pki()


@pytest.fixture(scope='module')
def pki():
    return _PKI


# --------------------------------------------------------------------------- fake vCenter

class FakeVCenter(object):
    """A vCenter's STS state and the requests it saw."""

    def __init__(self, pki, version=(8, 0, 3)):
        self.pki = pki
        self.version = version
        # vCenters before 7.0 U2 have only /rest
        self.dialect = 'api' if version >= (7, 0, 2) else 'rest'
        self.active = [pem(pki.short), pem(pki.vmca)]
        self.signing = [list(self.active)]
        self.staged_key = None
        self.calls = []
        self.logins = 0
        self.logouts = 0
        self.fail = {}           # method -> (exception, apply_anyway)
        self.ignore_writes = False

    @property
    def writes(self):
        return [c for c in self.calls if c[0] != 'GET']

    def activate(self, pems):
        self.active = list(pems)
        self.signing = [list(pems)] + [c for c in self.signing if c[0] != pems[0]]

    def handle(self, method, path, operation, spec, params, action):
        self.calls.append((method, path, action, spec, params))
        if path == '/appliance/system/version' and method == 'GET':
            return {'version': '.'.join(str(v) for v in self.version) + '.00100', 'build': '1'}
        if path != STS or self.dialect != 'api' or self.version < (7, 0, 3):
            raise NotFoundError(operation, 'not found (HTTP 404, NOT_FOUND)', method=method, path=path, status=404)
        failure = self.fail.pop(method, None)
        if failure is not None and not failure[1]:
            raise failure[0]
        result = self._sts(method, operation, spec, params, action)
        if failure is not None:
            raise failure[0]
        return result

    def _sts(self, method, operation, spec, params, action):
        if method == 'GET':
            return {'active_cert_chain': {'cert_chain': list(self.active)},
                    'signing_cert_chains': [{'cert_chain': list(c)} for c in self.signing]}
        if method == 'PUT':
            assert set(spec) == set(['signing_cert_chain', 'private_key'])
            assert spec['private_key'].startswith('-----BEGIN PRIVATE KEY-----')
            key = serialization.load_pem_private_key(spec['private_key'].encode('ascii'), password=None)
            leaf = x509.load_pem_x509_certificate(spec['signing_cert_chain']['cert_chain'][0].encode('ascii'))
            assert key.public_key().public_numbers() == leaf.public_key().public_numbers()
            if not self.ignore_writes:
                self.activate(spec['signing_cert_chain']['cert_chain'])
            return None
        if method == 'POST' and action == 'refresh':
            assert set(params) == set(['force'])
            new_key = ec_key()
            new = [pem(make_cert('ssoserverSign', new_key, self.pki.vmca, self.pki.vmca_key, days=730)),
                   pem(self.pki.vmca)]
            if not self.ignore_writes:
                self.activate(new)
            return {'cert_chain': new}
        if method == 'PATCH':
            if self.version < (9, 1, 1):
                raise NotFoundError(operation, 'not found (HTTP 404)', method=method, path=STS, status=404)
            if self.staged_key is None:
                raise NotFoundError(operation, 'No staged signing key (HTTP 404, NOT_FOUND)', method=method,
                                    path=STS, status=404)
            self.activate(spec['signing_cert_chain']['cert_chain'])
            self.staged_key = None
            return None
        raise AssertionError('unexpected call %s %s' % (method, action))


class FakeClient(VCenterClient):
    """The real client (require, explain_not_found, version) with the transport replaced by FakeVCenter."""

    def __init__(self, server, params):
        super(FakeClient, self).__init__(hostname=params['vcenter_hostname'], username=params['vcenter_username'],
                                         password=params['vcenter_password'], api=params['vcenter_api'])
        self.server = server

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


@pytest.fixture
def vcenter(pki, monkeypatch):
    server = FakeVCenter(pki)
    monkeypatch.setattr(_module, 'client_from_params', lambda params: FakeClient(server, params))
    return server


def run(capsys, args, check=False, diff=True, main=module_under_test.main):
    full = {'vcenter_hostname': 'vc.example.com', 'vcenter_username': 'administrator@vsphere.local',
            'vcenter_password': 'secret-password', '_ansible_check_mode': check, '_ansible_diff': diff}
    full.update(args)
    with patch_module_args(full):
        with pytest.raises(SystemExit):
            main()
    out = capsys.readouterr().out
    return json.loads(out), out


def sha256s(summaries):
    return [s['fingerprints']['sha256'] for s in summaries]


# --------------------------------------------------------------------------- state=refreshed

def test_refreshed_no_change_when_enough_days_left(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'refreshed', 'remaining_days': 5})
    assert result['changed'] is False
    assert vcenter.writes == []
    assert sha256s(result['active_chain']) == [fp(pki.short), fp(pki.vmca)]
    assert result['previous_active_chain'] == result['active_chain']
    assert result['diff']['before'] == result['diff']['after']
    assert 'actions' not in result
    assert vcenter.logins == vcenter.logouts == 1


def test_refreshed_check_mode_predicts_without_writing(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'refreshed'}, check=True)
    assert result['changed'] is True
    assert vcenter.writes == []
    assert sha256s(result['active_chain']) == [fp(pki.short), fp(pki.vmca)]
    assert sha256s(result['diff']['before']['active_chain']) == [fp(pki.short), fp(pki.vmca)]
    assert result['diff']['after'] == {'active_chain': module_under_test.REFRESH_AFTER_UNKNOWN}
    assert result['actions'] == ['refresh the STS signing certificate: it has 9 days left, fewer than '
                                 'remaining_days (30)']


def test_refreshed_refreshes_then_is_idempotent(capsys, vcenter, pki):
    result, dummy = run(capsys, {'state': 'refreshed'})
    assert result['changed'] is True
    assert [(c[0], c[2], c[4]) for c in vcenter.writes] == [('POST', 'refresh', {'force': False})]
    new_leaf = result['active_chain'][0]
    assert new_leaf['subject'] == 'CN=ssoserverSign'
    assert new_leaf['fingerprints']['sha256'] not in (fp(pki.short),)
    assert sha256s(result['previous_active_chain']) == [fp(pki.short), fp(pki.vmca)]
    assert result['diff']['after'] == {'active_chain': result['active_chain']}
    assert sha256s(result['diff']['before']['active_chain']) == [fp(pki.short), fp(pki.vmca)]
    # the old chain stays among the verification chains
    assert [c[0]['fingerprints']['sha256'] for c in result['signing_chains']] == [
        new_leaf['fingerprints']['sha256'], fp(pki.short)]

    again, dummy = run(capsys, {'state': 'refreshed'})
    assert again['changed'] is False
    assert len(vcenter.writes) == 1
    again_check, dummy = run(capsys, {'state': 'refreshed'}, check=True)
    assert again_check['changed'] is False
    assert len(vcenter.writes) == 1


@pytest.mark.parametrize('force_refresh', [False, True])
def test_refreshed_force_always_refreshes_and_passes_api_flag(capsys, vcenter, force_refresh):
    args = {'state': 'refreshed', 'remaining_days': 0, 'force': True, 'force_refresh': force_refresh}
    first, dummy = run(capsys, args)
    second, dummy = run(capsys, args)
    assert first['changed'] is True and second['changed'] is True
    assert [c[4] for c in vcenter.writes] == [{'force': force_refresh}, {'force': force_refresh}]
    assert first['actions'][0].startswith('refresh the STS signing certificate: force is set')
    assert first['actions'][0].endswith('(with the API force flag)') is force_refresh


def test_force_refresh_alone_does_not_refresh(capsys, vcenter):
    result, dummy = run(capsys, {'state': 'refreshed', 'remaining_days': 1, 'force_refresh': True})
    assert result['changed'] is False
    assert vcenter.writes == []


def test_refresh_that_changes_nothing_is_reported(capsys, vcenter):
    vcenter.ignore_writes = True
    result, dummy = run(capsys, {'state': 'refreshed'})
    assert result['failed'] is True
    assert result['msg'] == ('Failed to manage the STS signing certificate: vCenter answered the refresh, but the '
                             'active signing certificate did not change')
    assert result['vcenter_state'] == 'unchanged'


def test_refresh_applied_despite_an_error_is_recognised(capsys, vcenter):
    vcenter.fail['POST'] = (ServiceUnavailableError('refresh the STS signing certificate', 'Service unavailable. '
                                                    '(HTTP 503, SERVICE_UNAVAILABLE)', status=503), True)
    result, dummy = run(capsys, {'state': 'refreshed'})
    assert result['changed'] is True
    assert 'failed' not in result
    # ansible-core 2.19 returns warnings as structured events: look for the text anywhere in them
    assert 'vCenter was read back afterwards and the change WAS applied' in json.dumps(result['warnings'])
    assert result['diff']['after'] == {'active_chain': result['active_chain']}


# --------------------------------------------------------------------------- state=present

def test_present_check_apply_idempotent(capsys, vcenter, pki):
    args = {'certificate_chain': pki.chain(), 'private_key': key_pem(pki.leaf_key)}
    check, dummy = run(capsys, args, check=True)
    assert check['changed'] is True
    assert vcenter.writes == []
    assert sha256s(check['diff']['after']['active_chain']) == [fp(pki.leaf), fp(pki.inter), fp(pki.root)]

    applied, dummy = run(capsys, args)
    assert applied['changed'] is True
    assert applied['diff'] == check['diff']
    (method, path, action, spec, params), = vcenter.writes
    assert (method, path, action, params) == ('PUT', STS, None, None)
    assert spec['signing_cert_chain']['cert_chain'] == [pem(pki.leaf), pem(pki.inter), pem(pki.root)]
    assert sha256s(applied['active_chain']) == [fp(pki.leaf), fp(pki.inter), fp(pki.root)]
    assert sha256s(applied['previous_active_chain']) == [fp(pki.short), fp(pki.vmca)]
    assert applied['actions'] == ['install the STS signing chain %s with the given private key' % fp(pki.leaf)]

    for check_mode in (False, True):
        again, dummy = run(capsys, args, check=check_mode)
        assert again['changed'] is False
        assert again['diff']['before'] == again['diff']['after']
    assert len(vcenter.writes) == 1


def test_present_same_leaf_with_other_intermediates_is_no_change(capsys, vcenter, pki):
    vcenter.activate([pem(pki.leaf), pem(pki.inter), pem(pki.root)])
    result, dummy = run(capsys, {'certificate_chain': pem(pki.leaf) + pem(pki.inter),
                                 'private_key': key_pem(pki.leaf_key)})
    assert result['changed'] is False
    assert vcenter.writes == []


@pytest.mark.parametrize('fmt,passphrase,header', [
    ('traditional', None, 'BEGIN RSA PRIVATE KEY'),
    ('pkcs8', PASSPHRASE, 'BEGIN ENCRYPTED PRIVATE KEY'),
    ('traditional', PASSPHRASE, 'Proc-Type: 4,ENCRYPTED'),
])
def test_present_converts_rsa_keys_to_unencrypted_pkcs8(capsys, vcenter, pki, fmt, passphrase, header):
    given = key_pem(pki.leaf2_key, fmt, passphrase)
    assert header in given
    args = {'certificate_chain': pem(pki.leaf2) + pem(pki.root), 'private_key': given}
    if passphrase:
        args['private_key_passphrase'] = passphrase
    result, out = run(capsys, args)
    assert result['changed'] is True
    sent = vcenter.writes[0][3]['private_key']
    assert sent.startswith('-----BEGIN PRIVATE KEY-----')
    loaded = serialization.load_pem_private_key(sent.encode('ascii'), password=None)
    assert loaded.private_numbers() == pki.leaf2_key.private_numbers()
    assert 'PRIVATE KEY' not in out
    assert result['invocation']['module_args']['private_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_present_accepts_ec_sec1_key(capsys, vcenter, pki):
    given = key_pem(pki.leaf_key, 'traditional')
    assert 'BEGIN EC PRIVATE KEY' in given
    result, dummy = run(capsys, {'certificate_chain': pki.chain(), 'private_key': given})
    assert result['changed'] is True
    assert vcenter.writes[0][3]['private_key'].startswith('-----BEGIN PRIVATE KEY-----')


def test_present_passphrase_for_a_plain_key_is_a_warning(capsys, vcenter, pki):
    result, dummy = run(capsys, {'certificate_chain': pki.chain(), 'private_key': key_pem(pki.leaf_key),
                                 'private_key_passphrase': PASSPHRASE})
    assert result['changed'] is True
    assert 'private_key is not encrypted, so private_key_passphrase was not used' in json.dumps(result['warnings'])


def test_present_applied_despite_a_lost_answer_is_recognised(capsys, vcenter, pki):
    vcenter.fail['PUT'] = (ServiceUnavailableError('replace the STS signing certificate', 'Service unavailable. '
                                                   '(HTTP 503, SERVICE_UNAVAILABLE)', status=503), True)
    result, dummy = run(capsys, {'certificate_chain': pki.chain(), 'private_key': key_pem(pki.leaf_key)})
    assert result['changed'] is True
    assert 'failed' not in result
    assert 'vCenter was read back afterwards and the change WAS applied' in json.dumps(result['warnings'])
    assert sha256s(result['active_chain']) == [fp(pki.leaf), fp(pki.inter), fp(pki.root)]


def test_present_install_that_vcenter_ignores_is_an_error(capsys, vcenter, pki):
    vcenter.ignore_writes = True
    result, dummy = run(capsys, {'certificate_chain': pki.chain(), 'private_key': key_pem(pki.leaf_key)})
    assert result['failed'] is True
    assert 'vCenter accepted the chain, but the active signing certificate it reports afterwards is %s' % (
        fp(pki.short)) in result['msg']
    assert result['vcenter_state'] == 'unchanged'


def test_present_rejected_by_vcenter_is_reported_unchanged(capsys, vcenter, pki):
    vcenter.fail['PUT'] = (VCenterError('replace the STS signing certificate', 'Exception found (HTTP 500, ERROR)',
                                        method='PUT', path=STS, status=500), False)
    result, dummy = run(capsys, {'certificate_chain': pki.chain(), 'private_key': key_pem(pki.leaf_key)})
    assert result['failed'] is True
    assert result['msg'].startswith('Failed to replace the STS signing certificate: Exception found (HTTP 500, ERROR)')
    assert 'the change was NOT applied' in result['msg']
    assert result['vcenter_state'] == 'unchanged'
    assert result['status'] == 500


# --------------------------------------------------------------------------- staged key (9.1.1)

def test_present_without_key_uses_staged_key_on_911(capsys, vcenter, pki):
    vcenter.version = (9, 1, 1)
    vcenter.staged_key = pki.staged_key
    args = {'certificate_chain': pem(pki.staged_leaf) + pem(pki.root)}
    check, dummy = run(capsys, args, check=True)
    assert check['changed'] is True
    assert vcenter.writes == []
    result, dummy = run(capsys, args)
    assert result['changed'] is True
    (method, path, action, spec, params), = vcenter.writes
    assert (method, path) == ('PATCH', STS)
    assert spec == {'signing_cert_chain': {'cert_chain': [pem(pki.staged_leaf), pem(pki.root)]}}
    assert result['actions'] == ['install the STS signing chain %s for the key vCenter staged with its CSR'
                                 % fp(pki.staged_leaf)]
    assert result['diff']['after'] == check['diff']['after']
    again, dummy = run(capsys, args)
    assert again['changed'] is False
    assert len(vcenter.writes) == 1


def test_present_without_key_and_nothing_staged(capsys, vcenter, pki):
    vcenter.version = (9, 1, 1)
    result, dummy = run(capsys, {'certificate_chain': pem(pki.staged_leaf) + pem(pki.root)})
    assert result['failed'] is True
    assert result['msg'].startswith(
        'Failed to install the STS signing certificate for the staged key: No staged signing key (HTTP 404, '
        'NOT_FOUND); vCenter has no staged key: generate one with certops.vcenter.vcenter_csr '
        'certificate=sts_signing, have that CSR signed, then install the chain. vCenter was read back')
    assert result['vcenter_state'] == 'unchanged'


@pytest.mark.parametrize('version', [(7, 0, 3), (8, 0, 3)])
def test_present_without_key_before_911_is_a_version_error(capsys, vcenter, pki, version):
    vcenter.version = version
    result, dummy = run(capsys, {'certificate_chain': pem(pki.staged_leaf) + pem(pki.root)}, check=True)
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to manage the STS signing certificate: private_key can be omitted only on vCenter 9.1.1 or later, '
        'to use the key vCenter staged with vcenter_csr certificate=sts_signing; this vCenter is %s, so give '
        'private_key' % '.'.join(str(v) for v in version))
    assert vcenter.writes == []


# --------------------------------------------------------------------------- versions

@pytest.mark.parametrize('version,text', [((7, 0, 2), '7.0.2'), ((7, 0, 0), '7.0.0'), ((6, 7, 0), '6.7.0')])
@pytest.mark.parametrize('state', ['refreshed', 'present'])
def test_version_error_before_703(capsys, vcenter, pki, version, text, state):
    vcenter.version = version
    vcenter.dialect = 'api' if version >= (7, 0, 2) else 'rest'
    args = {'state': state}
    if state == 'present':
        args.update(certificate_chain=pki.chain(), private_key=key_pem(pki.leaf_key))
    result, dummy = run(capsys, args)
    assert result['failed'] is True
    assert result['msg'] == (
        'Failed to read the STS signing certificate: the STS signing certificate '
        'API (vcenter_sts_signing_cert) needs vCenter 7.0 U3 or later; this vCenter is %s' % text)
    assert vcenter.writes == []


def test_rest_dialect_forced_on_new_vcenter(capsys, vcenter):
    result, dummy = run(capsys, {'state': 'refreshed', 'vcenter_api': 'rest'})
    assert result['failed'] is True
    assert result['msg'].endswith('exists only in the /api dialect; vcenter_api is set to rest')
    assert [c[1] for c in vcenter.calls] == ['/appliance/system/version']


# --------------------------------------------------------------------------- bad input: refused before any call

def _bad_inputs(pki):
    chain = pki.chain()
    good_key = key_pem(pki.leaf_key)
    return [
        ('no digitalSignature',
         {'certificate_chain': pem(pki.no_ds) + pem(pki.inter), 'private_key': good_key},
         'the leaf of certificate_chain (subject CN=sts-no-ds) does not carry the digitalSignature key usage '
         '(it has: keyEncipherment)'),
        ('no key usage extension',
         {'certificate_chain': pem(pki.no_ku) + pem(pki.inter), 'private_key': good_key},
         '(it has: no key usage extension)'),
        ('key does not match',
         {'certificate_chain': chain, 'private_key': key_pem(pki.other_key)},
         'private_key does not match the leaf of certificate_chain (subject CN=sts-custom)'),
        ('out of order',
         {'certificate_chain': pem(pki.leaf) + pem(pki.root) + pem(pki.inter), 'private_key': good_key},
         'certificate_chain is out of order or incomplete: PEM block 1 (subject CN=sts-custom) is not issued by '
         'PEM block 2'),
        ('expired leaf',
         {'certificate_chain': pem(pki.expired) + pem(pki.inter), 'private_key': good_key},
         'certificate_chain PEM block 1 expired on'),
        ('expired intermediate',
         {'certificate_chain': pem(pki.leaf) + pem(pki.old_inter), 'private_key': good_key},
         'certificate_chain PEM block 2 expired on'),
        ('not PEM',
         {'certificate_chain': 'this is not a certificate', 'private_key': good_key},
         'certificate_chain does not contain a PEM certificate'),
        ('damaged PEM',
         {'certificate_chain': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
          'private_key': good_key},
         'certificate_chain is not a valid PEM certificate'),
        ('key is not PEM',
         {'certificate_chain': chain, 'private_key': 'not a key'},
         'private_key is not a PEM private key'),
        ('encrypted without passphrase',
         {'certificate_chain': chain, 'private_key': key_pem(pki.leaf_key, 'pkcs8', PASSPHRASE)},
         'private_key is encrypted; give its passphrase (private_key_passphrase)'),
        ('wrong passphrase',
         {'certificate_chain': chain, 'private_key': key_pem(pki.leaf_key, 'pkcs8', PASSPHRASE),
          'private_key_passphrase': 'not-the-passphrase'},
         'private_key could not be decrypted: wrong passphrase or damaged key'),
        ('key pasted into the chain',
         {'certificate_chain': chain + good_key, 'private_key': good_key},
         'certificate_chain contains a private key'),
        ('chain missing',
         {'private_key': good_key},
         'state=present needs certificate_chain'),
        ('passphrase without key',
         {'certificate_chain': chain, 'private_key_passphrase': PASSPHRASE},
         'private_key_passphrase is given but private_key is not'),
        ('force with present',
         {'certificate_chain': chain, 'private_key': good_key, 'force': True},
         'force is used only with state=refreshed'),
        ('force_refresh with present',
         {'certificate_chain': chain, 'private_key': good_key, 'force_refresh': True},
         'force_refresh is used only with state=refreshed'),
        ('chain with refreshed',
         {'state': 'refreshed', 'certificate_chain': chain},
         'certificate_chain is used only with state=present'),
        ('key with refreshed',
         {'state': 'refreshed', 'private_key': good_key},
         'private_key is used only with state=present'),
        ('negative remaining_days',
         {'state': 'refreshed', 'remaining_days': -1},
         'remaining_days must be 0 or more, not -1'),
    ]


@pytest.mark.parametrize('case', range(19))
@pytest.mark.parametrize('check', [False, True])
def test_bad_input_is_refused_before_any_request(capsys, vcenter, pki, case, check):
    cases = _bad_inputs(pki)
    assert len(cases) == 19
    label, args, expected = cases[case]
    result, out = run(capsys, args, check=check)
    assert result['failed'] is True, label
    assert result['msg'].startswith('Failed to manage the STS signing certificate: '), label
    assert expected in result['msg'], label
    assert result['vcenter_state'] == 'unchanged'
    assert vcenter.calls == [] and vcenter.logins == 0, label
    # no key material in the output, whatever was given where
    assert 'PRIVATE KEY-----' not in out, label
    for given in args.values():
        if isinstance(given, str) and 'PRIVATE KEY' in given:
            body = [line for line in given.splitlines() if line and not line.startswith('-----')]
            assert not any(line in out for line in body), label
    if 'private_key' in args:
        assert result['invocation']['module_args']['private_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
