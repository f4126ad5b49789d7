# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test PKI of certops.vcenter: every test certificate and key the suites use is made here, at test time.

One module, two faces (see README.md beside this file):

- a Python API (``make_ca``, ``make_server``, ``make_sts``, ``sign_csr``, ``new_key``, ``key_pem``...) for the
  reliability suite (``tests/reliability/rel_pki.py``) and the AWX job (``tests/awx/run_awx_job.py``);
- a CLI that writes PEM files and prints JSON facts, for the integration targets (through ``setup_testpki``) and the
  molecule prepare steps: ``python testpki.py COMMAND ...``.

Needs only ``cryptography``. Not the simulated vCenter's VMCA (``tests/simulator/certsim_lib/pki.py``): that one
is part of the simulator and stands alone.
"""

import argparse
import datetime
import ipaddress
import json
import os
import socket
import ssl
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_USAGES = ('digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment', 'key_agreement',
              'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only')
CA_KEY_USAGE = ('digital_signature', 'key_cert_sign', 'crl_sign')
SERVER_KEY_USAGE = ('digital_signature', 'key_encipherment')
STS_KEY_USAGE = ('digital_signature',)
EXTENDED_KEY_USAGES = {'server_auth': ExtendedKeyUsageOID.SERVER_AUTH, 'client_auth': ExtendedKeyUsageOID.CLIENT_AUTH}
HASHES = {'sha256': hashes.SHA256, 'sha384': hashes.SHA384, 'sha512': hashes.SHA512}
EC_CURVES = {256: ec.SECP256R1, 384: ec.SECP384R1, 521: ec.SECP521R1}
DEFAULT_ORG = 'certops tests'
# notBefore is set a little in the past, so a certificate made now is valid now on a host whose clock lags
CLOCK_SKEW = datetime.timedelta(minutes=5)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------------------- keys

def new_key(key_type='rsa', size=None):
    """A new private key: RSA (``size`` bits, 2048 by default) or EC (``size`` 256, 384 or 521; 256 by default)."""
    if key_type == 'rsa':
        return rsa.generate_private_key(public_exponent=65537, key_size=size or 2048)
    if key_type == 'ec':
        return ec.generate_private_key(EC_CURVES[size or 256]())
    raise ValueError('key_type must be rsa or ec, not %r' % key_type)


def key_pem(key, fmt='pkcs8', passphrase=None):
    """The private key as PEM text: ``pkcs8`` (``PRIVATE KEY``; ``ENCRYPTED PRIVATE KEY`` with a passphrase) or
    ``traditional`` (``RSA PRIVATE KEY`` PKCS#1 / ``EC PRIVATE KEY`` SEC1)."""
    formats = {'pkcs8': serialization.PrivateFormat.PKCS8,
               'traditional': serialization.PrivateFormat.TraditionalOpenSSL}
    encryption = (serialization.BestAvailableEncryption(passphrase.encode('utf-8')) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, formats[fmt], encryption).decode('ascii')


def load_key(path, passphrase=None):
    with open(path, 'rb') as handle:
        return serialization.load_pem_private_key(handle.read(),
                                                  password=passphrase.encode('utf-8') if passphrase else None)


# --------------------------------------------------------------------------------------------------- certificates

def name(cn, org=DEFAULT_ORG, country=None):
    """A subject of CN, O and C, in that order (``O=...,CN=...`` in RFC 4514 text). ``org=None`` leaves O out."""
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if country:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    return x509.Name(attrs)


def parse_name(text):
    """A subject from its RFC 4514 text, exactly as ``rfc4514_string()`` prints it (``CN=a,O=b,C=DE``)."""
    return x509.Name.from_rfc4514_string(text)


def general_names(values):
    """Subject alternative names: IP addresses as IP entries, everything else as DNS names."""
    names = []
    for value in values:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            names.append(x509.DNSName(value))
    return names


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def _colon_hex(digest):
    return ':'.join('%02X' % b for b in bytearray(digest))


def sha256(cert):
    """Upper-case colon-separated SHA-256 fingerprint, as the modules report it."""
    return _colon_hex(cert.fingerprint(hashes.SHA256()))


def sha1(cert):
    """SHA-1 fingerprint (vCenter names a trusted root chain by the SHA-1 of its first certificate)."""
    return _colon_hex(cert.fingerprint(hashes.SHA1()))


class Issued(object):
    """A certificate with its private key (None for a certificate signed from a CSR) and its issuer (None when
    self-signed)."""

    def __init__(self, cert, key, issuer=None):
        self.cert = cert
        self.key = key
        self.issuer = issuer

    @property
    def pem(self):
        return cert_pem(self.cert)

    @property
    def key_pem(self):
        """The key as OpenSSL traditionally writes it: PKCS#1 (RSA) or SEC1 (EC)."""
        return key_pem(self.key, 'traditional')

    @property
    def key_pkcs8(self):
        return key_pem(self.key, 'pkcs8')

    @property
    def sha256(self):
        return sha256(self.cert)

    @property
    def sha1(self):
        return sha1(self.cert)

    def chain(self):
        """This certificate, then its issuers up to the root."""
        certs, link = [], self
        while link is not None:
            certs.append(link)
            link = link.issuer
        return certs


def validity(start=None, days=365, end=None):
    """(notBefore, notAfter): from ``start`` (default: now less a few minutes) for ``days``, or up to ``end``.
    Both may lie in the past (an expired certificate) or in the future (one not yet valid)."""
    start = start or (utcnow() - CLOCK_SKEW)
    return start, end or (start + datetime.timedelta(days=days))


def _key_usage(usages):
    unknown = set(usages) - set(KEY_USAGES)
    if unknown:
        raise ValueError('unknown key usage %s (known: %s)' % (', '.join(sorted(unknown)), ', '.join(KEY_USAGES)))
    return x509.KeyUsage(**dict((usage, usage in usages) for usage in KEY_USAGES))


def issue(subject, issuer=None, key=None, public_key=None, days=365, start=None, end=None, ca=False,
          path_length=None, key_usage=SERVER_KEY_USAGE, extended_key_usage=(), san=(), hash_name='sha256'):
    """Issue a certificate for ``key`` (made when neither it nor ``public_key`` is given), signed by ``issuer``
    (an :class:`Issued`) or self-signed. Extensions: basic constraints and key usage (critical), the subject key
    id, the authority key id when issued by a CA, extended key usage and subject alternative names when given."""
    if public_key is None:
        key = key or new_key()
        public_key = key.public_key()
    if isinstance(subject, str):
        subject = parse_name(subject)
    signing_key = issuer.key if issuer is not None else key
    not_before, not_after = validity(start, days, end)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer is not None else subject)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
               .add_extension(_key_usage(key_usage), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if extended_key_usage:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([EXTENDED_KEY_USAGES[usage] for usage in extended_key_usage]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(general_names(san)), critical=False)
    return Issued(builder.sign(signing_key, HASHES[hash_name]()), key, issuer)


def make_ca(subject, issuer=None, key_usage=CA_KEY_USAGE, **kwargs):
    """A root CA (no ``issuer``) or an intermediate CA. ``key_usage`` without ``key_cert_sign`` makes the CA
    certificate vCenter refuses."""
    return issue(subject, issuer, ca=True, key_usage=key_usage, **kwargs)


def make_server(subject, issuer, san=(), key_usage=SERVER_KEY_USAGE, extended_key_usage=('server_auth',),
                **kwargs):
    """A TLS server (machine SSL) certificate."""
    return issue(subject, issuer, san=san, key_usage=key_usage, extended_key_usage=extended_key_usage, **kwargs)


def make_sts(subject, issuer, key_usage=STS_KEY_USAGE, **kwargs):
    """An STS signing certificate: digitalSignature, no extended key usage, no subject alternative names."""
    return issue(subject, issuer, key_usage=key_usage, **kwargs)


PROFILES = {'server': make_server, 'sts': make_sts}


def sign_csr(csr, issuer, profile='server', **kwargs):
    """Sign a CSR (subject and subject alternative names taken from it) as a ``server`` or ``sts`` certificate."""
    if not csr.is_signature_valid:
        raise ValueError('the CSR signature is not valid')
    try:
        san = [gn.value if isinstance(gn, x509.DNSName) else str(gn.value)
               for gn in csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value]
    except x509.ExtensionNotFound:
        san = []
    if san:
        kwargs['san'] = san
    return PROFILES[profile](csr.subject, issuer, public_key=csr.public_key(), **kwargs)


# ------------------------------------------------------------------------------------------------------- facts

def facts(obj):
    """Facts of a certificate or CSR: subject, subject_alt_name, key_size; for a certificate also issuer, sha256,
    sha1, not_before, not_after and pem."""
    try:
        san_list = []
        for gn in obj.extensions.get_extension_for_class(x509.SubjectAlternativeName).value:
            prefix = {x509.DNSName: 'DNS', x509.IPAddress: 'IP', x509.RFC822Name: 'email'}.get(type(gn), 'other')
            san_list.append('%s:%s' % (prefix, gn.value))
    except x509.ExtensionNotFound:
        san_list = []
    out = {'subject': obj.subject.rfc4514_string(), 'subject_alt_name': san_list,
           'key_size': obj.public_key().key_size}
    if isinstance(obj, x509.Certificate):
        out.update(issuer=obj.issuer.rfc4514_string(), sha256=sha256(obj), sha1=sha1(obj),
                   not_before=obj.not_valid_before_utc.strftime('%Y-%m-%dT%H:%M:%SZ'),
                   not_after=obj.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%SZ'), pem=cert_pem(obj))
    return out


def issued_by(cert, issuer):
    """Whether ``issuer`` signed ``cert`` (names and signature checked)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # pylint: disable=broad-except
        return False
    return True


def sts_info(info):
    """Fingerprints of a SigningCertificate.Info document (the raw API answer): its chains, the issuers of their
    leaves, and the days left of the active leaf."""
    def chain(struct):
        return [x509.load_pem_x509_certificate(p.encode('ascii')) for p in struct['cert_chain']]

    active = chain(info['active_cert_chain'])
    return {
        'active': [sha256(c) for c in active],
        'signing': [[sha256(c) for c in chain(s)] for s in info['signing_cert_chains']],
        'signing_issuers': [chain(s)[0].issuer.rfc4514_string() for s in info['signing_cert_chains']],
        'active_issuer': active[0].issuer.rfc4514_string(),
        'active_days_remaining': int((active[0].not_valid_after_utc - utcnow()).total_seconds() // 86400),
    }


# ------------------------------------------------------------------------------------------------------- files

def write_pem(path, text, private=False):
    """Write PEM text; mode 0600 from the start when it holds a private key (``private``), 0644 otherwise."""
    mode = 0o600 if private else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as handle:
        handle.write(text)
    os.chmod(path, mode)
    return path


def _paths(directory, name):
    """NAME -> (certificate file, key file): DIR/NAME.crt and DIR/NAME.key, or DIR/NAME and DIR/<NAME less its
    extension>.key when NAME ends in .pem or .crt."""
    stem, ext = os.path.splitext(name)
    if ext in ('.pem', '.crt'):
        return os.path.join(directory, name), os.path.join(directory, stem + '.key')
    return os.path.join(directory, name + '.crt'), os.path.join(directory, name + '.key')


def load(directory, name):
    """The :class:`Issued` saved as NAME in DIR (its issuer is not loaded)."""
    cert_path, key_path = _paths(directory, name)
    with open(cert_path, 'rb') as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    return Issued(cert, load_key(key_path) if os.path.exists(key_path) else None)


def save(directory, name, issued, write_key=True):
    """Write the certificate (and its key, PKCS#8, mode 0600) as NAME in DIR; return their paths and facts."""
    cert_path, key_path = _paths(directory, name)
    out = {'cert': write_pem(cert_path, issued.pem)}
    if write_key and issued.key is not None:
        out['key'] = write_pem(key_path, issued.key_pkcs8, private=True)
    out.update(facts(issued.cert))
    return out


# --------------------------------------------------------------------------------------------------------- CLI

def _cert_kwargs(args):
    kwargs = {'hash_name': args.hash}
    now = utcnow()
    kwargs['start'] = now + datetime.timedelta(days=args.start_days) - CLOCK_SKEW
    if args.end_days is not None:
        kwargs['end'] = now + datetime.timedelta(days=args.end_days)
    else:
        kwargs['days'] = args.days
    if args.key_usage:
        kwargs['key_usage'] = tuple(args.key_usage)
    if getattr(args, 'key', None):
        kwargs['key'] = load_key(args.key)
    elif hasattr(args, 'key_type'):
        kwargs['key'] = new_key(args.key_type, args.key_size)
    if getattr(args, 'san', None):
        kwargs['san'] = args.san
    return kwargs


def _subject(args, default_cn):
    if args.subject:
        return parse_name(args.subject)
    return name(args.cn or default_cn, args.org)


def _save_new(args, issued):
    """Save a certificate made for a new key (written beside it) or for the existing key --key."""
    out = save(args.dir, args.name, issued, write_key=not args.key)
    if args.key:
        out['key'] = args.key
    return out


def cmd_ca(args):
    issuer = load(args.dir, args.ca) if args.ca else None
    default = 'certops test %s %s' % ('intermediate' if issuer else 'root', args.name)
    path_length = args.path_length
    if path_length is None and args.command == 'intermediate':
        path_length = 0
    return _save_new(args, make_ca(_subject(args, default), issuer, path_length=path_length, **_cert_kwargs(args)))


def cmd_leaf(args):
    issuer = load(args.dir, args.ca)
    kwargs = _cert_kwargs(args)
    if args.no_eku:
        kwargs['extended_key_usage'] = ()
    return _save_new(args, make_server(_subject(args, (args.san or ['localhost'])[0]), issuer, **kwargs))


def cmd_sts(args):
    issuer = load(args.dir, args.ca)
    return _save_new(args, make_sts(_subject(args, 'certops test STS signing %s' % args.name), issuer,
                                    **_cert_kwargs(args)))


def cmd_sign(args):
    issuer = load(args.dir, args.ca)
    with open(args.csr, 'rb') as handle:
        csr = x509.load_pem_x509_csr(handle.read())
    try:
        issued = sign_csr(csr, issuer, args.profile, **_cert_kwargs(args))
    except ValueError as exc:
        sys.exit(str(exc))
    return save(args.dir, args.name, issued)


def cmd_key(args):
    key = load_key(args.source) if args.source else new_key(args.key_type, args.key_size)
    path = os.path.join(args.dir, args.name if os.path.splitext(args.name)[1] in ('.pem', '.key') else args.name + '.key')
    write_pem(path, key_pem(key, args.format, args.passphrase), private=True)
    return {'key': path, 'format': args.format, 'encrypted': bool(args.passphrase)}


def _read_input(path):
    if path == '-':
        return sys.stdin.read().encode('ascii')
    with open(path, 'rb') as handle:
        return handle.read()


def cmd_info(args):
    data = _read_input(args.file)
    if b'CERTIFICATE REQUEST' in data:
        return facts(x509.load_pem_x509_csr(data))
    return facts(x509.load_pem_x509_certificate(data))


def cmd_served(args):
    """Facts of the certificate a TLS port presents now (raw handshake, no verification: observation only)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((args.host, args.port), timeout=30) as sock:
        with context.wrap_socket(sock, server_hostname=args.host) as tls:
            der = tls.getpeercert(binary_form=True)
    return facts(x509.load_der_x509_certificate(der))


def cmd_observe(args):
    """``served`` plus the simulator's counters (GET /sim/stats) in one process: one task per observation."""
    import urllib.request
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(args.url + '/sim/stats', context=context, timeout=30) as response:
        stats = json.loads(response.read().decode('utf-8'))
    return {'served': cmd_served(args), 'stats': stats}


def cmd_bundle(args):
    """Concatenate PEM files (certificates, or a key pasted in on purpose) into OUT, in the order given."""
    parts = []
    for path in args.files:
        with open(path, 'r') as handle:
            text = handle.read()
        parts.append(text if text.endswith('\n') else text + '\n')
    text = ''.join(parts)
    write_pem(args.out, text, private='PRIVATE KEY-----' in text)
    return {'path': args.out}


def cmd_issued_by(args):
    if args.cert == '-':
        pems = json.loads(sys.stdin.read())
        cert, issuer = pems['cert'].encode('ascii'), pems['issuer'].encode('ascii')
    else:
        cert, issuer = _read_input(args.cert), _read_input(args.issuer)
    return {'issued_by': issued_by(x509.load_pem_x509_certificate(cert), x509.load_pem_x509_certificate(issuer))}


def cmd_sts_info(args):
    return sts_info(json.loads(_read_input(args.file).decode('utf-8')))


def cmd_batch(args):
    """Run several commands in one process (RSA key generation dominates; one interpreter start is enough)."""
    results = {}
    for argv in json.loads(args.commands):
        sub_args = _parser().parse_args(argv)
        _prepare(sub_args)
        results[getattr(sub_args, 'name', None) or str(len(results))] = sub_args.func(sub_args)
    return results


def _cert_options(cmd, new_key_options=True):
    cmd.add_argument('dir', help='directory of the files (made when missing)')
    cmd.add_argument('name', help='files DIR/NAME.crt and DIR/NAME.key (NAME ending in .pem or .crt: DIR/NAME)')
    cmd.add_argument('--subject', help='the whole subject as RFC 4514 text, e.g. "CN=corp Root CA,O=corp Corp,C=DE"')
    cmd.add_argument('--cn', help='subject CN (with O=--org) when --subject is not given')
    cmd.add_argument('--org', default=DEFAULT_ORG, help='subject O with --cn (default: %(default)s)')
    cmd.add_argument('--days', type=int, default=365, help='validity from notBefore (default: %(default)s)')
    cmd.add_argument('--start-days', type=int, default=0, help='notBefore, days from now (negative: in the past)')
    cmd.add_argument('--end-days', type=int, help='notAfter, days from now, instead of --days (negative: expired)')
    cmd.add_argument('--hash', choices=sorted(HASHES), default='sha256', help='signature hash (default: %(default)s)')
    cmd.add_argument('--key-usage', action='append', choices=KEY_USAGES,
                     help='replaces the default key usage (repeat for each)')
    if new_key_options:
        cmd.add_argument('--key', help='an existing private key file to certify instead of a new key')
        cmd.add_argument('--key-type', choices=('rsa', 'ec'), default='rsa')
        cmd.add_argument('--key-size', type=int, help='RSA bits (default 2048) or EC curve size (256, 384, 521)')


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    for command, func, what in (('ca', cmd_ca, 'a root CA, or an intermediate CA with --ca'),
                                ('intermediate', cmd_ca, 'an intermediate CA (--ca required; path length 0)'),
                                ('leaf', cmd_leaf, 'a TLS server certificate'),
                                ('sts', cmd_sts, 'an STS signing certificate'),
                                ('sign', cmd_sign, 'a certificate from a CSR (subject and SANs taken from it)')):
        cmd = sub.add_parser(command, help=what)
        cmd.set_defaults(func=func)
        _cert_options(cmd, new_key_options=command != 'sign')
        cmd.add_argument('--ca', required=command != 'ca', help='the issuer: a NAME made earlier in DIR')
        if command in ('ca', 'intermediate'):
            cmd.add_argument('--path-length', type=int, help='basic constraints path length')
        if command in ('leaf', 'sts'):
            cmd.add_argument('--san', action='append', help='subject alternative name: DNS name or IP (repeat)')
        if command == 'leaf':
            cmd.add_argument('--no-eku', action='store_true', help='leave out extended key usage serverAuth')
        if command == 'sign':
            cmd.add_argument('--csr', required=True)
            cmd.add_argument('--profile', choices=sorted(PROFILES), default='server')
    key = sub.add_parser('key', help='a private key file (mode 0600)')
    key.set_defaults(func=cmd_key)
    key.add_argument('dir')
    key.add_argument('name', help='file DIR/NAME.key (DIR/NAME when NAME ends in .pem or .key)')
    key.add_argument('--from', dest='source', help='re-encode this key file instead of making a new key')
    key.add_argument('--key-type', choices=('rsa', 'ec'), default='rsa')
    key.add_argument('--key-size', type=int)
    key.add_argument('--format', choices=('pkcs8', 'traditional'), default='pkcs8',
                     help='pkcs8 (default) or traditional: PKCS#1 for RSA, SEC1 for EC')
    key.add_argument('--passphrase', help='encrypt (PKCS#8 only)')
    info = sub.add_parser('info', help='facts of a certificate or CSR file (- for standard input)')
    info.set_defaults(func=cmd_info)
    info.add_argument('file')
    served = sub.add_parser('served', help='facts of the certificate a TLS port presents')
    served.set_defaults(func=cmd_served)
    served.add_argument('host')
    served.add_argument('port', type=int)
    observe = sub.add_parser('observe', help='served, plus the simulator counters')
    observe.set_defaults(func=cmd_observe)
    observe.add_argument('host')
    observe.add_argument('port', type=int)
    observe.add_argument('url', help='simulator base URL (for /sim/stats)')
    bundle = sub.add_parser('bundle', help='concatenate PEM files')
    bundle.set_defaults(func=cmd_bundle)
    bundle.add_argument('out')
    bundle.add_argument('files', nargs='+')
    issued = sub.add_parser('issued-by', help='whether ISSUER signed CERT (- : JSON {cert, issuer} on stdin)')
    issued.set_defaults(func=cmd_issued_by)
    issued.add_argument('cert')
    issued.add_argument('issuer', nargs='?')
    sts = sub.add_parser('sts-info', help='fingerprints of a SigningCertificate.Info JSON document (- : stdin)')
    sts.set_defaults(func=cmd_sts_info)
    sts.add_argument('file')
    batch = sub.add_parser('batch', help='several commands in one process; prints {NAME: result}')
    batch.set_defaults(func=cmd_batch)
    batch.add_argument('commands', help='JSON list of argument lists, each one command above')
    return parser


def _prepare(args):
    if args.command in ('ca', 'intermediate', 'leaf', 'sts', 'sign', 'key'):
        os.makedirs(args.dir, exist_ok=True)
    if args.command == 'issued-by' and args.cert != '-' and not args.issuer:
        sys.exit('issued-by CERT ISSUER, or issued-by - with JSON {cert, issuer} on standard input')


def main(argv=None):
    args = _parser().parse_args(argv)
    _prepare(args)
    print(json.dumps(args.func(args)))


if __name__ == '__main__':
    main()
