# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Pure certificate facts with ``cryptography``: no I/O, no vCenter.

Everything the modules compare is a fact derived here (fingerprints, subject fields, SANs,
key size, validity), never PEM text. Errors are :class:`CertificateInputError` whose messages
name the problem and never echo key material.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import re
import traceback

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the module as missing_required_lib
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()


class CertificateInputError(ValueError):
    """A certificate, key or CSR given by the user is unusable. The message is safe to show."""


_PEM_BEGIN = '-----BEGIN CERTIFICATE-----'
_PEM_END = '-----END CERTIFICATE-----'
_PEM_KEY_MARKER_RE = re.compile(r'-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY)-----')

# The nine subject fields shared by vcenter_csr, vcenter_tls_cert (vmca_signed) and vcenter_vmca_root.
SUBJECT_FIELDS = (
    ('common_name', 'CN'),
    ('organization', 'O'),
    ('organization_unit', 'OU'),
    ('locality', 'L'),
    ('state_or_province', 'ST'),
    ('country', 'C'),
    ('email_address', 'emailAddress'),
)


def _name_oids():
    return {
        'common_name': NameOID.COMMON_NAME,
        'organization': NameOID.ORGANIZATION_NAME,
        'organization_unit': NameOID.ORGANIZATIONAL_UNIT_NAME,
        'locality': NameOID.LOCALITY_NAME,
        'state_or_province': NameOID.STATE_OR_PROVINCE_NAME,
        'country': NameOID.COUNTRY_NAME,
        'email_address': NameOID.EMAIL_ADDRESS,
    }


# --------------------------------------------------------------------------- parsing

def contains_private_key(text):
    """True when the text holds a PEM private key block (of any kind)."""
    return bool(text) and _PEM_KEY_MARKER_RE.search(text) is not None


def split_pem_bundle(text, what='certificate'):
    """Return the PEM blocks of every certificate in ``text``, in order.

    Refuses an empty bundle and a private key passed where certificates belong (without echoing it).
    """
    if text is None or not text.strip():
        raise CertificateInputError('%s is empty: expected one or more PEM certificates' % what)
    if contains_private_key(text):
        raise CertificateInputError(
            '%s contains a private key (a "PRIVATE KEY" PEM block); pass only certificates here. '
            'The key was not used and is not shown.' % what)
    blocks = _pem_certificate_blocks(text)
    if not blocks:
        raise CertificateInputError(
            '%s does not contain a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)' % what)
    return [_normalise_pem(b) for b in blocks]


def _pem_certificate_blocks(text):
    """Every ``BEGIN CERTIFICATE`` ... ``END CERTIFICATE`` block, in one left-to-right pass (linear in the
    input: thousands of unterminated BEGIN lines cost no more than one). A block runs from a BEGIN line to the
    next END line, stray BEGIN lines included (such a block is refused when it is parsed, as OpenSSL refuses
    it); a BEGIN without an END ends the search."""
    blocks = []
    start = text.find(_PEM_BEGIN)
    while start != -1:
        end = text.find(_PEM_END, start)
        if end == -1:
            break
        body = text[start + len(_PEM_BEGIN):end]
        if body.strip() and body[:1].isspace():
            blocks.append(text[start:end + len(_PEM_END)])
        start = text.find(_PEM_BEGIN, end)
    return blocks


def _normalise_pem(block):
    lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
    return '\n'.join(lines) + '\n'


def load_certificate(pem, what='certificate'):
    try:
        return x509.load_pem_x509_certificate(pem.encode('ascii') if not isinstance(pem, bytes) else pem)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise CertificateInputError('%s is not a valid PEM certificate: %s' % (what, _short(exc)))


def load_certificates(text, what='certificate'):
    """Split and parse a PEM bundle; returns a list of ``x509.Certificate`` in the given order."""
    certs = []
    for index, block in enumerate(split_pem_bundle(text, what)):
        label = what if index == 0 else '%s (PEM block %d)' % (what, index + 1)
        certs.append(load_certificate(block, label))
    return certs


def certificate_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def load_private_key(pem, passphrase=None, what='private_key'):
    """Parse a PEM private key (PKCS#1, SEC1 or PKCS#8, encrypted or not)."""
    if pem is None or not pem.strip():
        raise CertificateInputError('%s is empty' % what)
    match = _PEM_KEY_MARKER_RE.search(pem)
    if match is None:
        raise CertificateInputError('%s is not a PEM private key (no "PRIVATE KEY" block)' % what)
    data = pem.encode('ascii', 'ignore')
    encrypted = match.group(1) == 'ENCRYPTED PRIVATE KEY' or 'Proc-Type: 4,ENCRYPTED' in pem
    if encrypted and not passphrase:
        raise CertificateInputError(
            '%s is encrypted; give its passphrase (private_key_passphrase) so it can be decrypted' % what)
    password = passphrase.encode('utf-8') if (passphrase and encrypted) else None
    try:
        return serialization.load_pem_private_key(data, password=password)
    except TypeError:
        raise CertificateInputError('%s is not encrypted but a passphrase was given, or the reverse' % what)
    except (ValueError, UnsupportedAlgorithm):
        if encrypted:
            raise CertificateInputError('%s could not be decrypted: wrong passphrase or damaged key' % what)
        raise CertificateInputError('%s is not a valid PEM private key' % what)


def private_key_to_pkcs8_pem(key):
    """Unencrypted PKCS#8 PEM, the form vCenter's STS API wants."""
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode('ascii')


def load_csr(pem, what='CSR'):
    try:
        return x509.load_pem_x509_csr(pem.encode('ascii') if not isinstance(pem, bytes) else pem)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise CertificateInputError('%s is not a valid PEM certificate signing request: %s' % (what, _short(exc)))


def _short(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


# --------------------------------------------------------------------------- facts

def fingerprint(cert, algorithm='sha256'):
    """Upper-case colon-separated hex, as vCenter prints thumbprints."""
    algo = hashes.SHA1() if algorithm == 'sha1' else hashes.SHA256()
    return ':'.join('%02X' % b for b in bytearray(cert.fingerprint(algo)))


def normalise_fingerprint(value):
    """Accept ``aa:bb``, ``AABB`` or ``aa bb``; return upper-case colon-separated hex."""
    hexdigits = re.sub(r'[^0-9A-Fa-f]', '', value or '').upper()
    return ':'.join(hexdigits[i:i + 2] for i in range(0, len(hexdigits), 2))


def _utc(dt):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc)


def not_before(cert):
    return _utc(getattr(cert, 'not_valid_before_utc', None) or cert.not_valid_before)


def not_after(cert):
    return _utc(getattr(cert, 'not_valid_after_utc', None) or cert.not_valid_after)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(dt):
    return _utc(dt).strftime('%Y-%m-%dT%H:%M:%SZ')


def days_remaining(cert, now=None):
    """Whole days left until notAfter; once expired, minus the whole days since it expired, as a person counts
    them (expired 3 days and 5 hours ago is -3, not -4), and never 0 for an expired certificate (-1 on its
    first day), so ``days_remaining < 0`` still means "expired"."""
    seconds = (not_after(cert) - (now or utcnow())).total_seconds()
    if seconds >= 0:
        return int(seconds // 86400)
    return -max(1, int(-seconds // 86400))


def name_to_string(name):
    return name.rfc4514_string()


def subject_fields(name):
    """Map an ``x509.Name`` to our subject option names (first value of each attribute)."""
    result = {}
    oids = _name_oids()
    for option, dummy in SUBJECT_FIELDS:
        attrs = name.get_attributes_for_oid(oids[option])
        if attrs:
            result[option] = attrs[0].value
    return result


def subject_alt_names(cert_or_csr):
    """``['DNS:vc.example.com', 'IP:10.0.0.1', ...]`` in the order of the extension."""
    try:
        ext = cert_or_csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    result = []
    for gn in ext.value:
        if isinstance(gn, x509.DNSName):
            result.append('DNS:%s' % gn.value)
        elif isinstance(gn, x509.IPAddress):
            result.append('IP:%s' % gn.value)
        elif isinstance(gn, x509.RFC822Name):
            result.append('email:%s' % gn.value)
        elif isinstance(gn, x509.UniformResourceIdentifier):
            result.append('URI:%s' % gn.value)
        else:
            result.append('other:%s' % gn.value)
    return result


def normalise_san(entry):
    """Turn a user SAN (``vc.example.com``, ``dns:VC.example.com``, ``10.0.0.1``, ``IP:10.0.0.1``)
    into the canonical ``DNS:...`` / ``IP:...`` form used in summaries and comparisons."""
    value = entry.strip()
    prefix, sep, rest = value.partition(':')
    kind = prefix.strip().upper() if sep else ''
    if kind in ('DNS', 'IP', 'EMAIL', 'URI'):
        value = rest.strip()
    else:
        kind = ''
    if kind in ('', 'IP'):
        try:
            return 'IP:%s' % ipaddress.ip_address(value)
        except ValueError:
            if kind == 'IP':
                raise CertificateInputError('subject_alt_name entry %r is not a valid IP address' % entry)
    if kind == 'EMAIL':
        return 'email:%s' % value
    if kind == 'URI':
        return 'URI:%s' % value
    return 'DNS:%s' % dns_a_label(value.lower().rstrip('.'), entry)


def dns_a_label(name, entry=None):
    """A DNS name as certificates carry it: non-ASCII labels become IDNA A-labels (``bücher.example`` ->
    ``xn--bcher-kva.example``), so what is sent to vCenter and compared is what the certificate holds."""
    try:
        name.encode('ascii')
        return name
    except UnicodeEncodeError:
        pass
    try:
        return '.'.join(label if label == '*' else label.encode('idna').decode('ascii') for label in name.split('.'))
    except UnicodeError as exc:
        raise CertificateInputError('subject_alt_name entry %r is not a valid internationalised DNS name (%s)'
                                    % (entry if entry is not None else name, exc))


def san_values_for_api(sans):
    """vCenter's specs take bare names/addresses (no ``DNS:`` prefix)."""
    return [s.split(':', 1)[1] for s in sans]


def _canonical_sans(sans):
    return sorted(normalise_san(s) for s in sans)


def public_key_facts(key):
    if isinstance(key, rsa.RSAPublicKey):
        return 'RSA', key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 'ECDSA', key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return 'DSA', key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return 'Ed25519', 256
    if isinstance(key, ed448.Ed448PublicKey):
        return 'Ed448', 456
    return 'unknown', None


# What vCenter accepts as a machine SSL certificate ("Certificate Requirements for Different Solution Paths",
# vSphere 8.0 Authentication; vcenter-fidelity.md row 6): RSA keys of 2048 to 8192 bits, no MD5/SHA-1 or
# RSASSA-PSS signatures, no wildcard names. 7.0 documents 16384 bits as the maximum; the 8.0 limit is used on
# every version, the safest reading.
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192


def machine_ssl_problems(leaf, intermediates=()):
    """Why vCenter would refuse this machine SSL certificate (a list of sentences; empty when none)."""
    problems = []
    kind, bits = public_key_facts(leaf.public_key())
    if kind != 'RSA':
        problems.append('its key is %s; vCenter accepts only RSA keys for the machine SSL certificate' % kind)
    elif not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
        problems.append('its RSA key has %d bits; vCenter accepts %d to %d bits' % (bits, MIN_RSA_BITS, MAX_RSA_BITS))
    for index, cert in enumerate([leaf] + list(intermediates)):
        weak = weak_signature(cert)
        if weak:
            problems.append('%s is signed with %s, which vCenter refuses (MD5, SHA-1 and RSASSA-PSS signatures are '
                            'not supported)' % ('it' if index == 0 else 'intermediate %s' % name_to_string(cert.subject),
                                                weak))
    wildcards = [san for san in subject_alt_names(leaf) if san.startswith('DNS:') and '*' in san]
    if wildcards:
        problems.append('it has wildcard names (%s); vCenter does not support wildcard certificates'
                        % ', '.join(wildcards))
    return problems


def weak_signature(cert):
    """The name of a signature algorithm vCenter refuses (MD5, SHA-1, RSASSA-PSS), or None."""
    if cert.signature_algorithm_oid == x509.oid.SignatureAlgorithmOID.RSASSA_PSS:
        return 'RSASSA-PSS'
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None
    if isinstance(algorithm, (hashes.MD5, hashes.SHA1)):
        return algorithm.name.upper().replace('SHA1', 'SHA-1')
    return None


def is_ca(cert):
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def is_valid_ca(cert):
    """A CA certificate vCenter accepts: basic constraints CA=true and the keyCertSign key usage (vSphere
    Authentication, "Add a Trusted Root Certificate to the Certificate Store"; vcenter-fidelity.md row 1)."""
    return is_ca(cert) and 'keyCertSign' in (key_usage(cert) or [])


def unique(certs):
    """``certs`` without repeats (same SHA-256 fingerprint), in their order."""
    seen, result = set(), []
    for cert in certs:
        fp = fingerprint(cert)
        if fp not in seen:
            seen.add(fp)
            result.append(cert)
    return result


def key_usage(cert):
    """Names of the key usages set, e.g. ``['digitalSignature', 'keyEncipherment']``; None when absent."""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    names = []
    for attr, label in (('digital_signature', 'digitalSignature'), ('content_commitment', 'nonRepudiation'),
                        ('key_encipherment', 'keyEncipherment'), ('data_encipherment', 'dataEncipherment'),
                        ('key_agreement', 'keyAgreement'), ('key_cert_sign', 'keyCertSign'),
                        ('crl_sign', 'cRLSign')):
        if getattr(ku, attr):
            names.append(label)
    return names


def has_server_auth(cert):
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no EKU extension means no restriction
    return ExtendedKeyUsageOID.SERVER_AUTH in eku


def summary(cert, include_pem=False, now=None):
    """The one summary shape used in every return value and diff (never key material)."""
    key_type, key_size = public_key_facts(cert.public_key())
    result = {
        'subject': name_to_string(cert.subject),
        'issuer': name_to_string(cert.issuer),
        'serial_number': '%X' % cert.serial_number,
        'not_before': iso(not_before(cert)),
        'not_after': iso(not_after(cert)),
        'days_remaining': days_remaining(cert, now),
        'fingerprints': {'sha1': fingerprint(cert, 'sha1'), 'sha256': fingerprint(cert, 'sha256')},
        'subject_alt_name': subject_alt_names(cert),
        'key_type': key_type,
        'key_size': key_size,
        'is_ca': is_ca(cert),
    }
    if include_pem:
        result['pem'] = certificate_pem(cert)
    return result


def summaries(certs, include_pem=False, now=None):
    return [summary(c, include_pem=include_pem, now=now) for c in certs]


# --------------------------------------------------------------------------- relations

def key_matches_certificate(key, cert):
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return key.public_key().public_bytes(enc, pub) == cert.public_key().public_bytes(enc, pub)


def is_issued_by(cert, issuer):
    """True when ``issuer``'s name and key signed ``cert``."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False


def is_self_signed(cert):
    return is_issued_by(cert, cert)


def capped_by_issuer(cert, issuer):
    """True when ``cert`` already ends (within a day) when ``issuer`` ends: a CA that never issues past its own
    end cannot give a new certificate a later end date."""
    if issuer is None:
        return False
    return not_after(cert) >= not_after(issuer) - datetime.timedelta(days=1)


def check_validity(cert, what='certificate', now=None):
    now = now or utcnow()
    if not_after(cert) <= now:
        raise CertificateInputError('%s expired on %s (subject %s)' % (
            what, iso(not_after(cert)), name_to_string(cert.subject)))
    if not_before(cert) > now:
        raise CertificateInputError('%s is not valid before %s (subject %s)' % (
            what, iso(not_before(cert)), name_to_string(cert.subject)))


def check_chain_order(certs, what='certificate chain'):
    """Each certificate must be issued by the next one (leaf first)."""
    for index in range(len(certs) - 1):
        if not is_issued_by(certs[index], certs[index + 1]):
            raise CertificateInputError(
                '%s is out of order or incomplete: PEM block %d (subject %s) is not issued by PEM block %d '
                '(subject %s); give the leaf first, then each issuer' % (
                    what, index + 1, name_to_string(certs[index].subject), index + 2,
                    name_to_string(certs[index + 1].subject)))


def build_chain(leaf, pool):
    """Walk issuers from ``leaf`` through ``pool``; returns ``[leaf, ..., top]`` (top may not be self-signed)."""
    chain = [leaf]
    current = leaf
    seen = set([fingerprint(leaf)])
    while not is_self_signed(current):
        issuer = None
        for candidate in pool:
            fp = fingerprint(candidate)
            if fp not in seen and is_issued_by(current, candidate):
                issuer = candidate
                break
        if issuer is None:
            break
        seen.add(fingerprint(issuer))
        chain.append(issuer)
        current = issuer
    return chain


def find_issuer(cert, candidates):
    for candidate in candidates:
        if is_issued_by(cert, candidate):
            return candidate
    return None


def fingerprint_set(certs):
    return frozenset(fingerprint(c) for c in certs)


def hostname_in_sans(hostname, sans):
    """True when ``hostname`` (DNS name or IP address) is covered by the SAN list (wildcards allowed)."""
    host = (hostname or '').strip().lower().rstrip('.')
    try:
        ip = ipaddress.ip_address(host)
        return 'IP:%s' % ip in sans
    except ValueError:
        pass
    for san in sans:
        if not san.startswith('DNS:'):
            continue
        name = san[4:].lower().rstrip('.')
        if name == host:
            return True
        if name.startswith('*.') and '.' in host and host.split('.', 1)[1] == name[2:]:
            return True
    return False


def name_in_sans(name, sans):
    """True when ``name`` (DNS name or IP address) is itself one of ``sans`` (no wildcard matching).

    vCenter's own check of its PNID ("DNS Name must contain machine FQDN") wants the name itself.
    """
    host = (name or '').strip().lower().rstrip('.')
    try:
        return 'IP:%s' % ipaddress.ip_address(host) in sans
    except ValueError:
        pass
    return any(san.startswith('DNS:') and san[4:].lower().rstrip('.') == host for san in sans)


def pnid_from_certificate(cert):
    """vCenter's primary network identifier (PNID) as its current machine SSL certificate tells it.

    Returns ``(names, exact)``. No API of the reference gives the PNID. [INF] The current machine SSL certificate
    holds it: a VMCA-issued one has CN = PNID and the PNID among its SANs (reference §4.2-4.3 defaults), and
    vCenter refused any other certificate whose SANs lack it (vcenter-fidelity.md row 4, S4 #4). The safest
    reading: a common name that is itself among the certificate's SANs is the PNID (``exact``); otherwise the
    PNID is one of its DNS/IP SANs, which one is not known, and a new certificate must hold at least one of
    them. Wildcard names are never a PNID. ``([], False)`` when the certificate names nothing usable.
    """
    sans = subject_alt_names(cert)
    for attribute in cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME):
        if name_in_sans(attribute.value, sans):
            return [attribute.value.strip().rstrip('.')], True
    names = [san.split(':', 1)[1] for san in sans if san.startswith(('DNS:', 'IP:')) and '*' not in san]
    return names, False


def is_ip_address(value):
    try:
        ipaddress.ip_address((value or '').strip())
        return True
    except ValueError:
        return False


# --------------------------------------------------------------------------- desired-vs-actual

def subject_mismatches(cert_or_csr, desired, key_size=None):
    """Compare the given (non-None) subject options, SANs and key size with a certificate or CSR.

    ``desired`` maps subject option names (and ``subject_alt_name``) to wanted values; options the user
    did not give are None and ignored. Returns a list of human-readable differences (empty = satisfied).
    """
    diffs = _subject_field_mismatches(cert_or_csr, desired)
    wanted_sans = desired.get('subject_alt_name')
    if wanted_sans is not None:
        diffs.extend(_san_mismatch(cert_or_csr, wanted_sans))
    if key_size is not None:
        dummy, have_size = public_key_facts(cert_or_csr.public_key())
        if have_size != key_size:
            diffs.append('key_size is %s, wanted %s' % (have_size, key_size))
    return diffs


def _subject_field_mismatches(cert_or_csr, desired):
    diffs = []
    actual = subject_fields(cert_or_csr.subject)
    for option, dummy in SUBJECT_FIELDS:
        wanted = desired.get(option)
        if wanted is None:
            continue
        have = actual.get(option)
        if not _field_matches(cert_or_csr, option, have, wanted):
            diffs.append('%s is %r, wanted %r' % (option, have, wanted))
    return diffs


def _field_matches(cert_or_csr, option, have, wanted):
    if option == 'country':
        return (have or '').upper() == wanted.upper()
    if option == 'email_address':
        return _email_matches(cert_or_csr, have, wanted)
    if option == 'common_name':
        return (have or '').lower() == wanted.lower()
    return (have or '') == wanted


def _san_mismatch(cert_or_csr, wanted_sans):
    """``[]`` when the SANs are the wanted ones, else the one difference to report."""
    wanted_set = set(_canonical_sans(wanted_sans))
    have_sans = subject_alt_names(cert_or_csr)
    if not any(s.startswith('email:') for s in wanted_set):
        # vCenter (VMCA) puts email_address into the SAN as an rfc822Name: that entry belongs to
        # email_address, not to the DNS/IP names compared here.
        have_sans = [s for s in have_sans if not s.startswith('email:')]
    if wanted_set != set(normalise_san(s) for s in have_sans):
        return ['subject_alt_name is %s, wanted %s' % (sorted(have_sans), sorted(wanted_set))]
    return []


def _email_matches(cert_or_csr, have, wanted):
    """email_address is satisfied by the subject's emailAddress or by an rfc822Name SAN (VMCA puts it there).

    An empty ``wanted`` means "no e-mail address at all" (the spec field was sent as ``""``).
    """
    san_emails = [s[len('email:'):].lower() for s in subject_alt_names(cert_or_csr) if s.startswith('email:')]
    if not wanted:
        return not have and not san_emails
    if have:
        return have.lower() == wanted.lower()
    return wanted.lower() in san_emails


# --------------------------------------------------------------------------- subject requests

_COUNTRY_RE = re.compile(r'^[A-Za-z]{2}$')


def subject_request(params):
    """Check the ``_subject`` options and return them as a ``desired`` dict for :func:`subject_mismatches`.

    Options not given stay None. ``country`` must be two letters (upper-cased here); SANs are
    canonicalised (``DNS:...``/``IP:...``) and de-duplicated. Raises :class:`CertificateInputError`.
    """
    desired = {}
    for option, dummy in SUBJECT_FIELDS:
        desired[option] = params.get(option)
    country = desired.get('country')
    if country is not None:
        if not _COUNTRY_RE.match(country):
            raise CertificateInputError('country must be a two-letter ISO 3166 country code such as US or DE, '
                                        'got %r' % country)
        desired['country'] = country.upper()
    sans = params.get('subject_alt_name')
    if sans is None:
        desired['subject_alt_name'] = None
    else:
        canonical = []
        for entry in sans:
            if entry is None or not str(entry).strip():
                raise CertificateInputError('subject_alt_name has an empty entry')
            value = normalise_san(str(entry))
            if value not in canonical:
                canonical.append(value)
        desired['subject_alt_name'] = canonical
    return desired


# --------------------------------------------------------------------------- one chain

def order_chain(certs, what='certificate chain'):
    """Order certificates that form ONE chain leaf first (each issued by the next); drop exact duplicates.

    Used for trusted root chains, where users may paste the root and its intermediates in any order.
    Raises :class:`CertificateInputError` when they are not one chain (two unrelated roots, a gap).
    """
    unique = []
    seen = set()
    for cert in certs:
        fp = fingerprint(cert)
        if fp not in seen:
            seen.add(fp)
            unique.append(cert)
    if len(unique) < 2:
        return unique
    # the leaf is the one certificate that issued none of the others
    leaves = [c for c in unique
              if not any(other is not c and is_issued_by(other, c) for other in unique)]
    if len(leaves) != 1:
        raise CertificateInputError(
            '%s must be one chain (a root, optionally with its intermediates); these %d certificates form '
            '%s. Add each chain with its own task' % (
                what, len(unique), '%d separate chains' % len(leaves) if leaves else 'a loop'))
    chain = build_chain(leaves[0], unique)
    if len(chain) != len(unique):
        missing = [name_to_string(c.subject) for c in unique if fingerprint(c) not in fingerprint_set(chain)]
        raise CertificateInputError(
            '%s must be one chain (a root, optionally with its intermediates): %s not part of the chain '
            'that starts at %s' % (what, ', '.join(missing) + (' is' if len(missing) == 1 else ' are'),
                                   name_to_string(leaves[0].subject)))
    return chain
