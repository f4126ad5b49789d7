# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real X.509 work for the simulator (all of it through ``cryptography``)."""

import collections
import datetime
import hashlib
import ipaddress
import secrets
import threading

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

PEM_CERT_HEADER = "-----BEGIN CERTIFICATE-----"
PKCS8_HEADER = "-----BEGIN PRIVATE KEY-----"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def utcnow_precise():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339_ms(value):
    """``YYYY-MM-DDThh:mm:ss.sssZ`` in UTC, the form the vAPI runtime emits."""
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


def _generate(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


class KeyPool:
    """Keeps a few fresh RSA keys of one size generated ahead of time in a background thread, so that
    /sim/reset and 2048-bit operations answer quickly. Every key is used once; other sizes are generated
    on demand."""

    def __init__(self, bits, target):
        self.bits = bits
        self.target = target
        self.keys = collections.deque()
        self.cond = threading.Condition()
        self.stopped = False
        threading.Thread(target=self._run, name="keypool", daemon=True).start()

    def take(self):
        with self.cond:
            key = self.keys.popleft() if self.keys else None
            self.cond.notify()
        return key

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify()

    def _run(self):
        while True:
            with self.cond:
                while len(self.keys) >= self.target and not self.stopped:
                    self.cond.wait()
                if self.stopped:
                    return
            key = _generate(self.bits)
            with self.cond:
                self.keys.append(key)


_POOL = None


def start_key_pool(bits, target=6):
    global _POOL  # pylint: disable=global-statement
    _POOL = KeyPool(bits, target)
    return _POOL


def gen_rsa_key(bits):
    pool = _POOL
    if pool is not None and bits == pool.bits:
        key = pool.take()
        if key is not None:
            return key
    return _generate(bits)


def key_to_pem(key):
    """Unencrypted PKCS#8 PEM."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def key_from_pem(text):
    """Load an unencrypted private key; raises ValueError/TypeError on failure."""
    key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, dsa.DSAPrivateKey)):
        raise ValueError("unsupported key type")
    return key


def key_size_of(key, default=2048):
    if isinstance(key, rsa.RSAPrivateKey):
        return key.key_size
    return default


def cert_to_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certs_from_pem(text):
    """All certificates of a PEM string. ValueError when there is none or the text is not PEM."""
    if not isinstance(text, str) or PEM_CERT_HEADER not in text:
        raise ValueError("not a PEM certificate")
    return x509.load_pem_x509_certificates(text.encode("utf-8"))


def cert_from_pem(text):
    """Exactly one certificate from a PEM string."""
    certs = certs_from_pem(text)
    if len(certs) != 1:
        raise ValueError("expected exactly one certificate, got %d" % len(certs))
    return certs[0]


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def sha1_hex(cert):
    """40 upper-case hex characters (trust-store id form)."""
    return hashlib.sha1(der(cert)).hexdigest().upper()  # nosec - identifier, not security


def colon_hex(digest):
    return ":".join("%02X" % b for b in digest)


def sha1_thumbprint(cert):
    return colon_hex(hashlib.sha1(der(cert)).digest())  # nosec - thumbprint, not security


def sha256_thumbprint(cert):
    return colon_hex(hashlib.sha256(der(cert)).digest())


def public_key_der(key_or_cert):
    pub = key_or_cert.public_key()
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches_cert(key, cert):
    return public_key_der(key) == public_key_der(cert)


def issued_by(cert, issuer):
    """True when ``issuer`` names and signed ``cert``."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def is_self_signed(cert):
    return issued_by(cert, cert)


def is_ca(cert):
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def has_key_cert_sign(cert):
    try:
        return bool(cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign)
    except x509.ExtensionNotFound:
        return False


def is_valid_ca(cert):
    """What vCenter accepts as a CA certificate: BasicConstraints CA=true and the keyCertSign key usage
    ("To be valid, a CA certificate must have the CA bit and the keyCertSign bit set", vSphere 7.0
    Authentication, "Add a Trusted Root Certificate to the Certificate Store"). A certificate without a
    KeyUsage extension has no keyCertSign bit set and is refused."""
    return is_ca(cert) and has_key_cert_sign(cert)


def dn_string(name):
    """A DN the way vCenter's Java service prints it in errors: RFC 2253, most specific RDN first, no spaces
    ("CN=…,OU=IT,O=NGE,L=Chicago,ST=Illinois,C=US")."""
    return name.rfc4514_string()


_WEAK_SIG_HASHES = ("md5", "sha1")
PSS_OID = "1.2.840.113549.1.1.10"


def signature_problem(cert):
    """Why the certificate's signature algorithm is excluded by the vSphere 8.0 requirements, or None."""
    if cert.signature_algorithm_oid.dotted_string == PSS_OID:
        return "RSASSA-PSS signatures are not supported"
    algo = cert.signature_hash_algorithm
    if algo is not None and algo.name in _WEAK_SIG_HASHES:
        name = _SIG_NAMES.get(cert.signature_algorithm_oid.dotted_string, algo.name.upper())
        return "%s signatures are not supported" % name
    if algo is None and cert.signature_algorithm_oid.dotted_string not in _SIG_NAMES:
        return "the signature algorithm %s is not supported" % cert.signature_algorithm_oid.dotted_string
    return None


def wildcard_names(cert):
    """DNS names with a wildcard in the SAN (and a wildcard CN)."""
    out = [gn.value for gn in san_general_names(cert) if isinstance(gn, x509.DNSName) and "*" in gn.value]
    for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        if "*" in attr.value and attr.value not in out:
            out.append(attr.value)
    return out


def make_crl(issuer_cert, issuer_key, days=7):
    """An empty X509 CRL of a CA, PEM (what a VMCA root's trust-store entry carries after the certificate)."""
    start = utcnow()
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer_cert.subject)
               .last_update(start)
               .next_update(start + datetime.timedelta(days=days))
               .add_extension(x509.CRLNumber(1), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),
                              critical=False))
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")


def has_digital_signature(cert):
    try:
        return bool(cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature)
    except x509.ExtensionNotFound:
        return False


def is_time_valid(cert, when=None):
    when = when or utcnow()
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def build_name(common_name=None, organization=None, organization_unit=None, locality=None,
               state_or_province=None, country=None, domain_components=None):
    """Subject built from the non-empty parts (empty strings are omitted, as CA/B Forum asks)."""
    attrs = []
    if common_name:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    for dc in domain_components or ():
        attrs.append(x509.NameAttribute(NameOID.DOMAIN_COMPONENT, dc))
    if country:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    if state_or_province:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, state_or_province))
    if locality:
        attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if organization_unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organization_unit))
    return x509.Name(attrs)


def general_names(names, emails=()):
    """DNS names, IP addresses (detected) and e-mail addresses as GeneralNames."""
    out = []
    seen = set()
    for name in names:
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    for mail in emails:
        if mail:
            out.append(x509.RFC822Name(mail))
    return out


def san_values(cert):
    """SAN entries as plain strings (DNS names, IPs, e-mails, URIs)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    out = []
    for gn in san:
        if isinstance(gn, x509.IPAddress):
            out.append(str(gn.value))
        elif isinstance(gn, (x509.DNSName, x509.RFC822Name, x509.UniformResourceIdentifier)):
            out.append(gn.value)
        else:
            out.append(str(gn.value))
    return out


def san_general_names(cert):
    try:
        return list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return []


def san_contains(cert, identifier):
    """Does the certificate's SAN name ``identifier`` (DNS case-insensitively, or as an IP)?"""
    try:
        wanted_ip = ipaddress.ip_address(identifier)
    except ValueError:
        wanted_ip = None
    for gn in san_general_names(cert):
        if wanted_ip is not None and isinstance(gn, x509.IPAddress) and gn.value == wanted_ip:
            return True
        if wanted_ip is None and isinstance(gn, x509.DNSName) and gn.value.lower() == identifier.lower():
            return True
    return False


def _serial():
    return secrets.randbits(127) | (1 << 120)


def issue_certificate(subject, public_key, issuer_name, issuer_key, days, *,
                      issuer_cert=None, san=None, ca=False, path_length=None,
                      key_usage=("digital_signature", "key_encipherment"),
                      eku=(ExtendedKeyUsageOID.SERVER_AUTH,), aia_uri=None,
                      not_before=None, not_after_cap=None):
    """Sign a certificate. ``key_usage`` lists cryptography KeyUsage attribute names. ``not_after_cap``: the
    certificate never outlives this instant (a VMCA-issued certificate never outlives the VMCA root)."""
    not_before = not_before or utcnow()
    not_after = not_before + datetime.timedelta(days=days)
    if not_after_cap is not None and not_after > not_after_cap:
        not_after = not_after_cap
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
    )
    ku_flags = {name: False for name in (
        "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
        "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")}
    for name in key_usage:
        ku_flags[name] = True
    builder = builder.add_extension(x509.KeyUsage(**ku_flags), critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False)
    if aia_uri:
        builder = builder.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                   x509.UniformResourceIdentifier(aia_uri))]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_root(subject, key, days=3650, san=None, not_before=None):
    return issue_certificate(
        subject, key.public_key(), subject, key, days, san=san, ca=True, path_length=None,
        key_usage=("digital_signature", "key_cert_sign", "crl_sign"), eku=None, not_before=not_before)


def make_csr(subject, key, san):
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")


# --- Tls.Info rendering -----------------------------------------------------

_SIG_NAMES = {
    "1.2.840.113549.1.1.4": "MD5withRSA",
    "1.2.840.113549.1.1.5": "SHA1withRSA",
    "1.2.840.10040.4.3": "SHA1withDSA",
    "1.2.840.10045.4.1": "SHA1withECDSA",
    "1.2.840.113549.1.1.11": "SHA256withRSA",
    "1.2.840.113549.1.1.12": "SHA384withRSA",
    "1.2.840.113549.1.1.13": "SHA512withRSA",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.10045.4.3.2": "SHA256withECDSA",
    "1.2.840.10045.4.3.3": "SHA384withECDSA",
    "1.2.840.10045.4.3.4": "SHA512withECDSA",
    "1.3.101.112": "Ed25519",
}

_KU_NAMES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)


def tls_info(cert):
    """Tls.Info with every (required) field.

    [INF] The reference says the string formats of thumbprint, serial, DN and usage names
    are specified nowhere. Choices (mirroring what a Java X509Certificate-based service would
    naturally print): version 3 for X.509v3; serial_number in decimal; signature_algorithm
    as Java names (SHA256withRSA); DNs as RFC 4514 strings; thumbprint SHA-1 upper-case
    colon hex; path_length_constraint -1 for a non-CA certificate (Java getBasicConstraints)
    and 2147483647 for a CA without a limit; key_usage as RFC 5280 names; extended_key_usage
    as dotted OIDs; subject_alternative_name as plain values; AIA as the caIssuers and OCSP URIs.
    """
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        ca = bool(bc.ca)
        if not ca:
            plc = -1
        else:
            plc = bc.path_length if bc.path_length is not None else 2147483647
    except x509.ExtensionNotFound:
        ca, plc = False, -1
    key_usage = []
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        for attr, name in _KU_NAMES:
            if getattr(ku, attr):
                key_usage.append(name)
        if ku.key_agreement:
            if ku.encipher_only:
                key_usage.append("encipherOnly")
            if ku.decipher_only:
                key_usage.append("decipherOnly")
    except x509.ExtensionNotFound:
        pass
    try:
        eku = [oid.dotted_string for oid in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value]
    except x509.ExtensionNotFound:
        eku = []
    try:
        aia = [d.access_location.value for d in
               cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
               if isinstance(d.access_location, x509.UniformResourceIdentifier)]
    except x509.ExtensionNotFound:
        aia = []
    sig_oid = cert.signature_algorithm_oid.dotted_string
    return {
        "version": cert.version.value + 1,
        "serial_number": str(cert.serial_number),
        "signature_algorithm": _SIG_NAMES.get(sig_oid, sig_oid),
        "issuer_dn": cert.issuer.rfc4514_string(),
        "valid_from": rfc3339_ms(cert.not_valid_before_utc),
        "valid_to": rfc3339_ms(cert.not_valid_after_utc),
        "subject_dn": cert.subject.rfc4514_string(),
        "thumbprint": sha1_thumbprint(cert),
        "is_CA": ca,
        "path_length_constraint": plc,
        "key_usage": key_usage,
        "extended_key_usage": eku,
        "subject_alternative_name": san_values(cert),
        "authority_information_access_uri": aia,
        "cert": cert_to_pem(cert),
    }
