# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for unit tests: a test PKI made at test time and a runner for the real AnsibleModule.

* ``Pki``: a VMCA root with its machine SSL and STS certificates, a corporate CA (root, intermediate,
  a server certificate), a test CA with custom STS signing certificates, other roots and spare RSA keys (RSA so
  key sizes can be compared), all generated once (``PKI``; tests get it from the ``pki`` fixture).
* ``module_result(capsys, main, args, ...)``: runs a module's ``main()`` with ``patch_module_args`` and returns
  the JSON result it printed.

The fake vCenter is in ``fake_vcenter.py``; the fixtures (``pki``, ``vcenter``, ``make_vcenter``) are in
``conftest.py``, where pytest finds them: test files import helpers from here, never fixtures.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import datetime
import ipaddress
import itertools
import json

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible.module_utils import _internal
from ansible.module_utils.testing import patch_module_args

NOW = datetime.datetime.now(datetime.timezone.utc)
PNID = 'vc.example.com'
PARTNER = 'vc2.example.com'  # a vCenter linked to this one (same SSO domain)
PASSWORD = 'secret-password'
KEY_USAGE_BITS = ('digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment',
                  'key_agreement', 'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only')
CA_USAGE = ('key_cert_sign', 'crl_sign')  # vCenter trusts a CA certificate only with keyCertSign
SIGNING = ('digital_signature',)          # what an STS signing certificate needs
STS_CA_USAGE = ('digital_signature',) + CA_USAGE


# --------------------------------------------------------------------------- certificates

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


def san_values(cert):
    """SANs in the form ``general_names`` takes (``vc.example.com``, ``10.0.0.1``, ``email:a@b.c``)."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return ['email:%s' % n.value if isinstance(n, x509.RFC822Name) else str(n.value) for n in ext.value]


def make_cert(subject, key, issuer_cert=None, issuer_key=None, ca=False, days=365, start_days=-1, sans=None,
              key_usage=None):
    """A certificate valid from ``start_days`` to ``days`` (relative to now); self-signed without an issuer.

    ``key_usage``: the KeyUsage bits to set (a critical extension), from ``KEY_USAGE_BITS``; by default
    ``CA_USAGE`` on a CA and no extension on a leaf; ``()`` for no extension.
    """
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW + datetime.timedelta(days=start_days))
               .not_valid_after(NOW + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if key_usage is None:
        key_usage = CA_USAGE if ca else ()
    if key_usage:
        assert set(key_usage) <= set(KEY_USAGE_BITS), key_usage
        builder = builder.add_extension(x509.KeyUsage(**dict((bit, bit in key_usage) for bit in KEY_USAGE_BITS)),
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


def vmca_name(pnid=PNID, st='California'):
    return make_name('CA', o=pnid, ou='VMware Engineering', dcs=('vsphere', 'local'), c='US', st=st)


def partner_root(start_days=0):
    """A linked partner's VMCA root (newer than the local one, as after the partner rotated last) and its key."""
    key = rsa_key()
    return make_cert(vmca_name(PARTNER, st=None), key, ca=True, days=3650, start_days=start_days), key


def sha256s(summaries):
    """The SHA-256 fingerprints of certificate summaries (as the modules return them)."""
    return [s['fingerprints']['sha256'] for s in summaries]


class Pki(object):
    """Everything the tests install, built once (use the ``pki`` fixture)."""

    def __init__(self):
        # the VMCA root and the certificates it issued at install
        self.vmca_key = rsa_key()
        self.vmca = make_cert(vmca_name(), self.vmca_key, ca=True, days=3650, start_days=-400)
        self.tls_key = rsa_key()
        self.tls = make_cert(make_name(PNID, c='US'), self.tls_key, self.vmca, self.vmca_key, days=700,
                             sans=[PNID])
        self.sts_key = ec_key()
        self.sts = make_cert(make_name('ssoserverSign', ou='VMware Engineering'), self.sts_key, self.vmca,
                             self.vmca_key, days=3000)
        # an STS signing certificate with 9 days left
        self.sts_short = make_cert(make_name('sts-short'), ec_key(), self.vmca, self.vmca_key, days=10,
                                   key_usage=SIGNING)
        # a corporate CA: root, issuing intermediate, and a machine SSL certificate (key) it issued
        self.corp_key = ec_key()
        self.corp = make_cert(make_name('Corp Root CA', o='Corp'), self.corp_key, ca=True, days=3650)
        self.corp_int_key = ec_key()
        self.corp_int = make_cert(make_name('Corp Issuing CA', o='Corp'), self.corp_int_key, self.corp,
                                  self.corp_key, ca=True, days=1800)
        self.corp_tls_key = rsa_key()
        self.corp_tls = make_cert(make_name(PNID, o='Corp'), self.corp_tls_key, self.corp_int, self.corp_int_key,
                                  days=365, sans=[PNID, '10.0.0.1'])
        # other roots, for "wrong root" and "expired root" cases
        self.other_key = ec_key()
        self.other = make_cert(make_name('Other Root CA', o='Other'), self.other_key, ca=True, days=3650)
        self.expired_root = make_cert(make_name('Expired Root CA', o='Old'), ec_key(), ca=True, days=-5,
                                      start_days=-900)
        # a test CA (root, intermediate) and custom STS signing certificates it issued, good and bad
        self.sts_ca_key = ec_key()
        self.sts_ca = make_cert(make_name('Test Root CA'), self.sts_ca_key, ca=True, days=3650, key_usage=STS_CA_USAGE)
        self.sts_int_key = ec_key()
        self.sts_int = make_cert(make_name('Test Intermediate CA'), self.sts_int_key, self.sts_ca, self.sts_ca_key,
                                 ca=True, days=1800, key_usage=STS_CA_USAGE)
        self.sts_old_int = make_cert(make_name('Test Intermediate CA'), self.sts_int_key, self.sts_ca,
                                     self.sts_ca_key, ca=True, days=-1, start_days=-400, key_usage=STS_CA_USAGE)
        self.sts_custom_key = ec_key()
        self.sts_custom = make_cert(make_name('sts-custom'), self.sts_custom_key, self.sts_int, self.sts_int_key,
                                    days=400, key_usage=SIGNING)
        self.sts_custom_rsa_key = rsa_key()
        self.sts_custom_rsa = make_cert(make_name('sts-custom-rsa'), self.sts_custom_rsa_key, self.sts_ca,
                                        self.sts_ca_key, days=300, key_usage=SIGNING)
        self.sts_no_ds = make_cert(make_name('sts-no-ds'), self.sts_custom_key, self.sts_int, self.sts_int_key,
                                   key_usage=('key_encipherment',))
        self.sts_no_ku = make_cert(make_name('sts-no-ku'), self.sts_custom_key, self.sts_int, self.sts_int_key,
                                   key_usage=())
        self.sts_expired = make_cert(make_name('sts-expired'), self.sts_custom_key, self.sts_int, self.sts_int_key,
                                     days=-2, start_days=-30, key_usage=SIGNING)
        # a certificate for the key vCenter 9.1.1 stages with an STS CSR
        self.sts_staged_key = ec_key()
        self.sts_staged = make_cert(make_name('sts-staged'), self.sts_staged_key, self.sts_ca, self.sts_ca_key,
                                    days=500, key_usage=SIGNING)
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

    def sts_custom_chain(self):
        """The custom STS signing chain as PEM text, leaf first."""
        return pem(self.sts_custom) + pem(self.sts_int) + pem(self.sts_ca)


# Built once, when the tests are collected: ansible-test runs every test in a forked child (the ansible_forked
# plugin), so a session/module fixture would regenerate every key for every test.
PKI = Pki()

# The fixture of that name is in conftest.py; tests/unit/plugins/filter/test_cert_findings.py still imports the
# name from here (drop this line once it no longer does).
pki = PKI


# --------------------------------------------------------------------------- running a module

@contextlib.contextmanager
def as_module():
    """Run a module as a module, not on the controller. Once a test in this process has imported controller code
    (the filter plugin tests do), ansible-core sends module warnings to the display instead of the result; under
    ansible-test every test runs in a fresh child, but not in a plain ``pytest tests/unit`` run."""
    was_controller, _internal.is_controller = _internal.is_controller, False
    try:
        yield
    finally:
        _internal.is_controller = was_controller


def module_result(capsys, main, args, check=False, diff=True):
    """Run a module's ``main()`` with ``args`` (connection options added) through the real AnsibleModule;
    return ``(result dict, raw stdout)``."""
    full = {'vcenter_hostname': PNID, 'vcenter_username': 'administrator@vsphere.local',
            'vcenter_password': PASSWORD, '_ansible_check_mode': check, '_ansible_diff': diff}
    full.update(args)
    with as_module(), patch_module_args(full):
        with pytest.raises(SystemExit):
            main()
    out = capsys.readouterr().out
    return json.loads(out), out


def warnings_text(result):
    """The warnings as one string (ansible-core 2.19 returns them as structured events)."""
    return json.dumps(result.get('warnings', []))
