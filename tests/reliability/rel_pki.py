# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test PKI of the reliability suite, made at test time with ``cryptography`` (nothing committed).

Every key made here is registered as a secret: :func:`secret_markers` returns the PEM body lines of
every encoding the suite hands to a module (PKCS#1, PKCS#8, encrypted PKCS#8) and of the unencrypted
PKCS#8 form the modules send to vCenter, plus the passwords. The leak scans look for exactly these.
"""

import datetime
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Distinctive secrets: the simulator's administrator password and the passphrase of encrypted keys.
# A random part makes every run's secrets different, so a stale log can never produce a false pass.
SIM_PASSWORD = 'RelSim-Pw!%s' % secrets.token_hex(8)
KEY_PASSPHRASE = 'RelKey-Pp!%s' % secrets.token_hex(8)
WRONG_PASSPHRASE = 'RelKey-Wrong!%s' % secrets.token_hex(8)
ADMIN = 'administrator@vsphere.local'

_SECRET_KEYS = []
_ENCRYPTED = {}  # id(key) -> the one encrypted PEM handed out (each encryption has a new salt)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def rsa_key(bits=2048):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    _SECRET_KEYS.append(key)
    return key


def ec_key():
    key = ec.generate_private_key(ec.SECP256R1())
    _SECRET_KEYS.append(key)
    return key


def name(cn, o='certops reliability', c=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if c:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, c))
    return x509.Name(attrs)


def _san(names):
    import ipaddress
    entries = []
    for value in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            entries.append(x509.DNSName(value))
    return x509.SubjectAlternativeName(entries)


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pkcs8(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode('ascii')


def key_traditional(key):
    """PKCS#1 (``RSA PRIVATE KEY``) or SEC1 (``EC PRIVATE KEY``)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode('ascii')


def key_encrypted(key, passphrase=KEY_PASSPHRASE):
    """Encrypted PKCS#8; the same text for the same key and passphrase during a run."""
    cache_key = (id(key), passphrase)
    if cache_key not in _ENCRYPTED:
        _ENCRYPTED[cache_key] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode('utf-8'))).decode('ascii')
    return _ENCRYPTED[cache_key]


def sha256(cert):
    return ':'.join('%02X' % b for b in cert.fingerprint(hashes.SHA256()))


def sha1(cert):
    return ':'.join('%02X' % b for b in cert.fingerprint(hashes.SHA1()))


class Issued(object):
    """A certificate with its key."""

    def __init__(self, cert, key):
        self.cert = cert
        self.key = key

    @property
    def pem(self):
        return pem(self.cert)

    @property
    def key_pem(self):
        return key_traditional(self.key)

    @property
    def key_pkcs8(self):
        return key_pkcs8(self.key)

    @property
    def sha256(self):
        return sha256(self.cert)


def issue(subject, issuer, key=None, days=365, start=None, san=None, ca=False, server=True,
          key_usage=('digital_signature', 'key_encipherment')):
    """Issue a certificate. ``issuer`` is an :class:`Issued` or None for self-signed."""
    key = key or rsa_key()
    start = start or (utcnow() - datetime.timedelta(minutes=5))
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_key = issuer.key if issuer else key
    flags = dict((f, False) for f in ('digital_signature', 'content_commitment', 'key_encipherment',
                                      'data_encipherment', 'key_agreement', 'key_cert_sign', 'crl_sign',
                                      'encipher_only', 'decipher_only'))
    for usage in key_usage:
        flags[usage] = True
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**flags), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if server and not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if san:
        builder = builder.add_extension(_san(san), critical=False)
    return Issued(builder.sign(issuer_key, hashes.SHA256()), key)


def ca(cn, issuer=None, days=3650):
    return issue(name(cn), issuer, days=days, ca=True, server=False,
                 key_usage=('digital_signature', 'key_cert_sign', 'crl_sign'))


class Pki(object):
    """The suite's CA hierarchy and the certificates the modules are given."""

    HOSTS = ('localhost', '127.0.0.1')

    def __init__(self):
        self.root = ca('Reliability Root CA')
        self.intermediate = ca('Reliability Intermediate CA', self.root)
        self.extra_root = ca('Reliability Extra Trusted Root')
        self.other_root = ca('Reliability Unrelated Root')

    def server(self, days=365, start=None, san=HOSTS, issuer=None, cn='localhost'):
        return issue(name(cn), issuer or self.intermediate, days=days, start=start, san=san)

    def server_chain_pem(self, leaf):
        return leaf.pem + self.intermediate.pem

    def sts(self, days=365, key_usage=('digital_signature', 'content_commitment')):
        return issue(name('Reliability STS Signing'), self.root, days=days, server=False, key_usage=key_usage)

    def sts_chain_pem(self, leaf):
        return leaf.pem + self.root.pem


def secret_markers():
    """Every string that must never appear in anything the suite captures."""
    markers = set([SIM_PASSWORD, KEY_PASSPHRASE, WRONG_PASSPHRASE])
    for key in _SECRET_KEYS:
        texts = [key_pkcs8(key), key_traditional(key)]
        texts.extend(text for (kid, dummy), text in _ENCRYPTED.items() if kid == id(key))
        for text in texts:
            for line in text.splitlines():
                line = line.strip()
                if line and not line.startswith('-----') and len(line) >= 40:
                    markers.add(line)
    return markers
