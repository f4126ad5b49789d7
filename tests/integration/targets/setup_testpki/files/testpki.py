#!/usr/bin/env python
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test PKI for the integration targets: CAs, server certificates, CSR signing, facts. See ../README.md."""

import argparse
import datetime
import hashlib
import ipaddress
import json
import os
import socket
import ssl
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _write(path, data, mode=0o644):
    with open(path, 'wb') as handle:
        handle.write(data)
    os.chmod(path, mode)


def _save(directory, name, cert, key=None):
    out = {'cert': os.path.join(directory, name + '.crt')}
    _write(out['cert'], cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        out['key'] = os.path.join(directory, name + '.key')
        _write(out['key'], key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()), 0o600)
    out['sha256'] = _sha256(cert)
    return out


def _sha256(cert):
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _load_ca(directory, name):
    with open(os.path.join(directory, name + '.crt'), 'rb') as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    with open(os.path.join(directory, name + '.key'), 'rb') as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    return cert, key


def _general_names(values):
    names = []
    for value in values:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            names.append(x509.DNSName(value))
    return names


def _builder(subject, public_key, issuer_name, start_days, days):
    start = _now() + datetime.timedelta(days=start_days) - datetime.timedelta(minutes=5)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _ca_extensions(builder, path_length=None):
    return (builder.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True))


def _leaf_extensions(builder, sans, issuer):
    builder = (builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),
                              critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder


def cmd_ca(args):
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, args.cn or 'certops test root %s' % args.name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'certops tests')])
    cert = _ca_extensions(_builder(name, key.public_key(), name, args.start_days, args.days)).sign(key, hashes.SHA256())
    return _save(args.dir, args.name, cert, key)


def cmd_intermediate(args):
    ca_cert, ca_key = _load_ca(args.dir, args.ca)
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, args.cn or 'certops test intermediate %s' % args.name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'certops tests')])
    builder = _ca_extensions(_builder(name, key.public_key(), ca_cert.subject, args.start_days, args.days), 0)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                    critical=False)
    return _save(args.dir, args.name, builder.sign(ca_key, hashes.SHA256()), key)


def cmd_leaf(args):
    ca_cert, ca_key = _load_ca(args.dir, args.ca)
    key = _key(args.key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, args.cn or (args.san or ['localhost'])[0]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'certops tests')])
    builder = _builder(name, key.public_key(), ca_cert.subject, args.start_days, args.days)
    cert = _leaf_extensions(builder, _general_names(args.san or []), ca_key).sign(ca_key, hashes.SHA256())
    return _save(args.dir, args.name, cert, key)


def cmd_sign(args):
    ca_cert, ca_key = _load_ca(args.dir, args.ca)
    with open(args.csr, 'rb') as handle:
        csr = x509.load_pem_x509_csr(handle.read())
    if not csr.is_signature_valid:
        sys.exit('CSR signature is not valid')
    try:
        sans = list(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        sans = []
    builder = _builder(csr.subject, csr.public_key(), ca_cert.subject, args.start_days, args.days)
    cert = _leaf_extensions(builder, sans, ca_key).sign(ca_key, hashes.SHA256())
    return _save(args.dir, args.name, cert)


def _facts(obj):
    try:
        sans = obj.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        san_list = []
        for gn in sans:
            prefix = {x509.DNSName: 'DNS', x509.IPAddress: 'IP', x509.RFC822Name: 'email'}.get(type(gn), 'other')
            san_list.append('%s:%s' % (prefix, gn.value))
    except x509.ExtensionNotFound:
        san_list = []
    facts = {'subject': obj.subject.rfc4514_string(), 'subject_alt_name': san_list,
             'key_size': obj.public_key().key_size}
    if isinstance(obj, x509.Certificate):
        facts.update(issuer=obj.issuer.rfc4514_string(), sha256=_sha256(obj),
                     not_after=obj.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%SZ'),
                     pem=obj.public_bytes(serialization.Encoding.PEM).decode('ascii'))
    return facts


def cmd_info(args):
    if args.file == '-':
        data = sys.stdin.read().encode('ascii')
    else:
        with open(args.file, 'rb') as handle:
            data = handle.read()
    if b'CERTIFICATE REQUEST' in data:
        return _facts(x509.load_pem_x509_csr(data))
    return _facts(x509.load_pem_x509_certificate(data))


def cmd_served(args):
    """Facts of the certificate a TLS port presents now (raw handshake, no verification: observation only)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((args.host, args.port), timeout=30) as sock:
        with context.wrap_socket(sock, server_hostname=args.host) as tls:
            der = tls.getpeercert(binary_form=True)
    return _facts(x509.load_der_x509_certificate(der))


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
    parts = []
    for path in args.files:
        with open(path, 'r') as handle:
            text = handle.read()
        parts.append(text if text.endswith('\n') else text + '\n')
    with open(args.out, 'w') as handle:
        handle.write(''.join(parts))
    return {'path': args.out}


def cmd_batch(args):
    """Run several commands in one process (RSA key generation dominates; one interpreter start is enough)."""
    results = {}
    for argv in json.loads(args.commands):
        sub_args = _parser().parse_args(argv)
        if getattr(sub_args, 'dir', None):
            os.makedirs(sub_args.dir, exist_ok=True)
        results[getattr(sub_args, 'name', None) or str(len(results))] = sub_args.func(sub_args)
    return results


def _parser():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest='command', required=True)
    for name, func in (('ca', cmd_ca), ('intermediate', cmd_intermediate), ('leaf', cmd_leaf), ('sign', cmd_sign)):
        cmd = sub.add_parser(name)
        cmd.set_defaults(func=func)
        cmd.add_argument('dir')
        cmd.add_argument('name')
        cmd.add_argument('--cn')
        cmd.add_argument('--days', type=int, default=365)
        cmd.add_argument('--start-days', type=int, default=0)
        if name != 'ca':
            cmd.add_argument('--ca', required=True)
        if name == 'leaf':
            cmd.add_argument('--san', action='append')
            cmd.add_argument('--key-size', type=int, default=2048)
        if name == 'sign':
            cmd.add_argument('--csr', required=True)
    info = sub.add_parser('info')
    info.set_defaults(func=cmd_info)
    info.add_argument('file')
    served = sub.add_parser('served')
    served.set_defaults(func=cmd_served)
    served.add_argument('host')
    served.add_argument('port', type=int)
    observe = sub.add_parser('observe')
    observe.set_defaults(func=cmd_observe)
    observe.add_argument('host')
    observe.add_argument('port', type=int)
    observe.add_argument('url', help='simulator base URL (for /sim/stats)')
    bundle = sub.add_parser('bundle')
    bundle.set_defaults(func=cmd_bundle)
    bundle.add_argument('out')
    bundle.add_argument('files', nargs='+')
    batch = sub.add_parser('batch')
    batch.set_defaults(func=cmd_batch)
    batch.add_argument('commands', help='JSON list of argument lists, each one command above')
    return parser


def main():
    args = _parser().parse_args()
    if getattr(args, 'dir', None):
        os.makedirs(args.dir, exist_ok=True)
    print(json.dumps(args.func(args)))


if __name__ == '__main__':
    main()
