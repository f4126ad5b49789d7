# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test PKI of the reliability suite, made at test time with the project's test PKI (``tests/testpki``).

Every key made here is registered as a secret: :func:`secret_markers` returns the PEM body lines of
every encoding the suite hands to a module (PKCS#1, PKCS#8, encrypted PKCS#8) and of the unencrypted
PKCS#8 form the modules send to vCenter, plus the passwords. The leak scans look for exactly these.
"""

import os
import secrets
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'testpki'))

# the project's one test PKI (tests/testpki); this module only adds the suite's names and its secret registry
import testpki  # noqa: E402  pylint: disable=wrong-import-position
from testpki import Issued, sha1, sha256, utcnow  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

# Distinctive secrets: the simulator's administrator password and the passphrase of encrypted keys.
# A random part makes every run's secrets different, so a stale log can never produce a false pass.
SIM_PASSWORD = 'RelSim-Pw!%s' % secrets.token_hex(8)
KEY_PASSPHRASE = 'RelKey-Pp!%s' % secrets.token_hex(8)
WRONG_PASSPHRASE = 'RelKey-Wrong!%s' % secrets.token_hex(8)
ADMIN = 'administrator@vsphere.local'

_SECRET_KEYS = []
_ENCRYPTED = {}  # id(key) -> the one encrypted PEM handed out (each encryption has a new salt)


def _secret(key):
    _SECRET_KEYS.append(key)
    return key


def rsa_key(bits=2048):
    return _secret(testpki.new_key('rsa', bits))


def ec_key():
    return _secret(testpki.new_key('ec', 256))


def name(cn, o='certops reliability', c=None):
    return testpki.name(cn, org=o, country=c)


pem = testpki.cert_pem


def key_pkcs8(key):
    return testpki.key_pem(key, 'pkcs8')


def key_traditional(key):
    """PKCS#1 (``RSA PRIVATE KEY``) or SEC1 (``EC PRIVATE KEY``)."""
    return testpki.key_pem(key, 'traditional')


def key_encrypted(key, passphrase=KEY_PASSPHRASE):
    """Encrypted PKCS#8; the same text for the same key and passphrase during a run."""
    cache_key = (id(key), passphrase)
    if cache_key not in _ENCRYPTED:
        _ENCRYPTED[cache_key] = testpki.key_pem(key, 'pkcs8', passphrase)
    return _ENCRYPTED[cache_key]


def issue(subject, issuer, key=None, days=365, start=None, san=None, ca=False, server=True,
          key_usage=testpki.SERVER_KEY_USAGE):
    """Issue a certificate (a new registered RSA key unless ``key``). ``issuer`` is an :class:`Issued` or None
    for self-signed; ``server`` adds extended key usage serverAuth to a leaf."""
    return testpki.issue(subject, issuer, key=key or rsa_key(), days=days, start=start, san=san or (), ca=ca,
                         key_usage=key_usage, extended_key_usage=('server_auth',) if server and not ca else ())


def ca(cn, issuer=None, days=3650):
    return testpki.make_ca(name(cn), issuer, key=rsa_key(), days=days)


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
