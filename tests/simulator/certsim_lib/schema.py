# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strict input validation of request bodies, the way the vAPI runtime does it.

Unknown fields anywhere -> UNEXPECTED_INPUT (400, [FIELD]); missing required fields and
wrong JSON types -> INVALID_ARGUMENT (400). [INF] The message ids/texts for missing fields
and type mismatches are ours; the unexpected-field text follows the [FIELD] example
"Found unexpected fields [spec] in structure com.vmware...create_spec".
"""

from .errors import VapiError

NS = "com.vmware.vcenter.certificate_management"


class Str:
    name = "string"


class Bool:
    name = "boolean"


class Int:
    name = "long"

    def __init__(self, accept_digit_string=False):
        self.accept_digit_string = accept_digit_string


class ListOf:
    name = "list"

    def __init__(self, item):
        self.item = item


class Struct:
    name = "structure"

    def __init__(self, struct_id, fields):
        self.struct_id = struct_id
        # field name -> (schema, required)
        self.fields = fields


def _type_error(field, struct_id, expected, value):
    got = type(value).__name__
    return VapiError(
        "INVALID_ARGUMENT",
        "Expected type '%s' for field '%s' of structure '%s', found '%s'." % (expected, field, struct_id, got),
        "vapi.data.validate.mismatch", [expected, field, struct_id, got])


def missing_field(field, struct_id):
    return VapiError("INVALID_ARGUMENT", "Field '%s' missing from structure '%s'." % (field, struct_id),
                     "vapi.data.structure.field.missing", [field, struct_id])


def validate(value, schema, field="value", struct_id="operation-input"):
    """Return the cleaned value (None for JSON null) or raise VapiError."""
    if value is None:
        return None
    if isinstance(schema, Str):
        if not isinstance(value, str):
            raise _type_error(field, struct_id, "string", value)
        return value
    if isinstance(schema, Bool):
        if not isinstance(value, bool):
            raise _type_error(field, struct_id, "boolean", value)
        return value
    if isinstance(schema, Int):
        if isinstance(value, bool):
            raise _type_error(field, struct_id, "long", value)
        if isinstance(value, int):
            return value
        # VMware's own cURL sample sends "730" for Tls.renew duration [DOC]; the real server
        # apparently coerces, so digit strings are accepted where the operation says so.
        if schema.accept_digit_string and isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        raise _type_error(field, struct_id, "long", value)
    if isinstance(schema, ListOf):
        if not isinstance(value, list):
            raise _type_error(field, struct_id, "list", value)
        out = []
        for item in value:
            if item is None:
                raise _type_error(field, struct_id, schema.item.name, item)
            out.append(validate(item, schema.item, field, struct_id))
        return out
    if isinstance(schema, Struct):
        if not isinstance(value, dict):
            raise _type_error(field, struct_id, schema.struct_id, value)
        unexpected = [k for k in value if k not in schema.fields]
        if unexpected:
            names = ", ".join(unexpected)
            raise VapiError(
                "UNEXPECTED_INPUT",
                "Found unexpected fields [%s] in structure %s" % (names, schema.struct_id),
                "vapi.data.structure.field.unexpected", ["[%s]" % names, schema.struct_id])
        out = {}
        for fname, (fschema, required) in schema.fields.items():
            raw = value.get(fname)
            if raw is None:
                if required:
                    raise missing_field(fname, schema.struct_id)
                out[fname] = None
                continue
            out[fname] = validate(raw, fschema, fname, schema.struct_id)
        return out
    raise TypeError("unknown schema %r" % (schema,))


# --- structures of the certificate-management services (reference §4) --------------------

X509_CHAIN = Struct(NS + ".x509_cert_chain", {"cert_chain": (ListOf(Str()), True)})

TRC_CREATE_SPEC = Struct(NS + ".vcenter.trusted_root_chains.create_spec", {
    "cert_chain": (X509_CHAIN, True),
    "chain": (Str(), False),
})


def _subject_fields(required):
    return {
        "key_size": (Int(), False),
        "common_name": (Str(), False),
        "organization": (Str(), required),
        "organization_unit": (Str(), required),
        "locality": (Str(), required),
        "state_or_province": (Str(), required),
        "country": (Str(), required),
        "email_address": (Str(), required),
        "subject_alt_name": (ListOf(Str()), False),
    }


TLS_CSR_SPEC = Struct(NS + ".vcenter.tls_csr.spec", _subject_fields(True))
TLS_REPLACE_SPEC = Struct(NS + ".vcenter.tls.replace_spec", _subject_fields(True))
VMCA_ROOT_CREATE_SPEC = Struct(NS + ".vcenter.vmca_root.create_spec", _subject_fields(False))
STS_CREATE_SPEC = Struct(NS + ".vcenter.signing_certificate.create_spec", _subject_fields(False))

TLS_SPEC = Struct(NS + ".vcenter.tls.spec", {
    "cert": (Str(), True),
    "key": (Str(), False),
    "root_cert": (Str(), False),
})
# Tls.Spec.root_cert appeared in 7.0 (API 6.9.1) [SDK]; 6.7 servers do not know the field.
TLS_SPEC_67 = Struct(NS + ".vcenter.tls.spec", {
    "cert": (Str(), True),
    "key": (Str(), False),
})

STS_SET_SPEC = Struct(NS + ".vcenter.signing_certificate.set_spec", {
    "signing_cert_chain": (X509_CHAIN, True),
    "private_key": (Str(), True),
})
STS_UPDATE_SPEC = Struct(NS + ".vcenter.signing_certificate.update_spec", {
    "signing_cert_chain": (X509_CHAIN, False),
})
