# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /certs/download.zip: the trusted roots named by OpenSSL's subject hash, as a real vCenter serves them."""

import hashlib
import io
import struct
import zipfile

from cryptography.hazmat.primitives import serialization

# DER tags of the string types OpenSSL canonicalises (ASN1_MASK_CANON in crypto/x509/x_name.c)
_UTF8, _PRINTABLE, _T61, _IA5, _VISIBLE, _UNIVERSAL, _BMP = 0x0C, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E
_CANON = {_UTF8: "utf-8", _PRINTABLE: "latin-1", _T61: "latin-1", _IA5: "latin-1", _VISIBLE: "latin-1",
          _UNIVERSAL: "utf-32-be", _BMP: "utf-16-be"}
_SPACE = b" \t\n\v\f\r"  # ossl_isspace


def _tlv(data, pos):
    """(tag, content start, content end) of the DER element at pos."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    return tag, pos, pos + length


def _der(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + head + content


def _canon_string(tag, content):
    """asn1_string_canon: UTF-8, outer whitespace stripped, inner runs folded to one space, ASCII lower-cased."""
    text = content.decode(_CANON[tag]).encode("utf-8")
    text = text.strip(_SPACE)
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c >= 0x80:
            out.append(c)
            i += 1
        elif c in _SPACE:
            out.append(0x20)
            while i < len(text) and text[i] in _SPACE:
                i += 1
        else:
            out.append(c + 32 if 0x41 <= c <= 0x5A else c)
            i += 1
    return _der(_UTF8, bytes(out))


def canonical_name(name_der):
    """x509_name_canon: each RDN's SET with canonical values, concatenated, without the outer SEQUENCE."""
    tag, start, end = _tlv(name_der, 0)
    if tag != 0x30:
        raise ValueError("not a Name")
    out = b""
    pos = start
    while pos < end:
        _t, set_start, set_end = _tlv(name_der, pos)
        entries = []
        p = set_start
        while p < set_end:
            _t2, seq_start, seq_end = _tlv(name_der, p)
            _t3, oid_start, oid_end = _tlv(name_der, seq_start)
            oid = name_der[seq_start:oid_end]
            vtag, v_start, v_end = _tlv(name_der, oid_end)
            if vtag in _CANON:
                value = _canon_string(vtag, name_der[v_start:v_end])
            else:
                value = name_der[oid_end:v_end]
            entries.append(_der(0x30, oid + value))
            p = seq_end
        out += _der(0x31, b"".join(sorted(entries)))  # DER SET OF: sorted encodings
        pos = set_end
    return out


def subject_hash(cert):
    """OpenSSL's X509_subject_name_hash (`openssl x509 -subject_hash`): SHA-1 of the canonical subject encoding,
    first four bytes as a little-endian unsigned 32-bit number, printed as 8 hex digits."""
    digest = hashlib.sha1(canonical_name(cert.subject.public_bytes())).digest()
    return "%08x" % struct.unpack("<I", digest[:4])[0]


def crl_hash(crl_pem):
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    crl = x509.load_pem_x509_crl(crl_pem.encode("ascii") if isinstance(crl_pem, str) else crl_pem)
    digest = hashlib.sha1(canonical_name(crl.issuer.public_bytes())).digest()
    return "%08x" % struct.unpack("<I", digest[:4])[0]


def download_zip(entries):
    """entries: [(certificate, CRL PEM or None)] in store order. Certificates (deduplicated) as
    certs/{lin,mac}/<hash>.N and certs/win/<hash>.N.crt, CRLs as certs/{lin,mac}/<hash>.rN and
    certs/win/<hash>.rN.crl; N counts up from 0 per hash (collisions), as OpenSSL's c_rehash numbers them."""
    seen, crls_seen = set(), set()
    used = {}
    files = []
    for cert, crl in entries:
        der = cert.public_bytes(serialization.Encoding.DER)
        if der not in seen:
            seen.add(der)
            h = subject_hash(cert)
            n = used.get((h, "c"), 0)
            used[(h, "c")] = n + 1
            data = cert.public_bytes(serialization.Encoding.PEM)
            files += [("certs/lin/%s.%d" % (h, n), data), ("certs/mac/%s.%d" % (h, n), data),
                      ("certs/win/%s.%d.crt" % (h, n), data)]
        if crl and crl.strip() not in crls_seen:
            crls_seen.add(crl.strip())
            h = crl_hash(crl.strip())
            n = used.get((h, "r"), 0)
            used[(h, "r")] = n + 1
            data = (crl.strip() + "\n").encode("ascii")
            files += [("certs/lin/%s.r%d" % (h, n), data), ("certs/mac/%s.r%d" % (h, n), data),
                      ("certs/win/%s.r%d.crl" % (h, n), data)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buf.getvalue()
