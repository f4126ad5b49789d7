# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vCenter version profiles: which operations exist in which URL dialect (reference §1)."""

BASE_67 = frozenset({
    "session.create", "session.get", "session.delete", "version.get",
    "trc.list", "trc.create", "trc.get", "trc.delete",
    "csr.create", "tls.get", "tls.set", "tls.renew",
})
BASE_70 = BASE_67 | {"tls.replace", "vmca.create"}
SESSION_OPS = frozenset({"session.create", "session.get", "session.delete"})
STS_703 = frozenset({"sts.get", "sts.set", "sts.refresh"})
STS_911 = STS_703 | {"sts.create", "sts.update"}


class Profile:
    def __init__(self, name, full_version, build, releasedate, api_ops, rest_ops, tls_root_cert=True,
                 rest_error_type=True):
        self.name = name
        self.full_version = full_version
        self.build = build
        self.releasedate = releasedate
        self.api_ops = frozenset(api_ops)
        self.rest_ops = frozenset(rest_ops)
        self.tls_root_cert = tls_root_cert
        # /rest error bodies carry value.error_type (7.0.3, S27); 6.7 bodies do not (S29)
        self.rest_error_type = rest_error_type
        major = int(name.split(".", 1)[0])
        # TlsCsr.Spec / Tls.ReplaceSpec key_size default: "keySize will take 2048 bits if not modified" (API
        # reference TlsCsr.Spec 7.0U3; Tls.ReplaceSpec 7.0U2 "2048"), "If unset, the key size will be 3072 bits"
        # (8.0.3). [INF] 6.7.0 like 7.0 (no 3072 default documented before 8.0).
        self.default_key_size = 2048 if major < 8 else 3072
        # Largest RSA key Tls.set accepts: "Key size: 2048 bits (minimum) to 8192 bits (maximum)" (vSphere 8.0
        # Authentication, "Certificate Requirements for Different Solution Paths"); the 7.0 documents say 16384.
        # [INF] 6.7.0 like 7.0.
        self.max_import_key_size = 16384 if major < 8 else 8192

    @property
    def has_api(self):
        return bool(self.api_ops)

    def ops(self, dialect):
        return self.api_ops if dialect == "api" else self.rest_ops


# [INF] Full version numbers, build numbers and release dates are illustrative values of the
# right shape ("8.0.3.00100"); the reference does not list them.
PROFILES = {
    # 6.7 U2: /rest only; Tls.Spec has no root_cert yet (added in 7.0 [SDK]).
    "6.7.0": Profile("6.7.0", "6.7.0.30000", "13010631", "April 11, 2019", (), BASE_67, tls_root_cert=False,
                     rest_error_type=False),
    # 7.0: /rest only (7.0.0/7.0.1 spec files list only /rest [OAS]); adds VMCA root + replace-vmca-signed.
    "7.0.0": Profile("7.0.0", "7.0.0.10100", "16189094", "May 19, 2020", (), BASE_70),
    # [INF] 7.0.1 with /api/session answering but every other operation (certificate endpoints, version) on /rest
    # only: the case a client that takes a successful /api login as proof of the /api dialect gets wrong (fidelity
    # review §4.11: whether 7.0.0/7.0.1 served POST /api/session is unknown; the rest of /api was 404, S28).
    "7.0.1": Profile("7.0.1", "7.0.1.00000", "16858589", "October 6, 2020", SESSION_OPS, BASE_70),
    # 7.0 U2: /api form appears.
    "7.0.2": Profile("7.0.2", "7.0.2.00100", "17920168", "April 27, 2021", BASE_70, BASE_70),
    # 7.0 U3: SigningCertificate get/set/refresh, /api only (absent from /rest [OAS]).
    "7.0.3": Profile("7.0.3", "7.0.3.00100", "18700403", "October 5, 2021", BASE_70 | STS_703, BASE_70),
    "8.0.3": Profile("8.0.3", "8.0.3.00100", "24022515", "June 25, 2024", BASE_70 | STS_703, BASE_70),
    # 9.1.1: SigningCertificate create (CSR) / update (PATCH), /api only.
    # [INF] Whether 9.x still serves /rest is unverified (reference §1); we keep /rest for the
    # 6.7/7.0-era operations (deprecated, removal "no earlier than two major releases" later)
    # and serve every STS operation on /api only, as documented.
    "9.1.1": Profile("9.1.1", "9.1.1.00000", "24957454", "November 18, 2025", BASE_70 | STS_911, BASE_70),
}

DEFAULT_PROFILE = "8.0.3"
