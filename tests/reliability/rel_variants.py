# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state-changing module runs of the fault matrix: for each, the task, its precondition, the one
state-changing request it sends, and how to read the result through the raw REST path.

``snapshot`` is what identifies vCenter's relevant state (compared before/after a faulted run);
``desired`` says whether the task's goal is reached; ``check_consistent`` asserts nothing is half-done.
"""

import datetime
import glob
import os

from cryptography import x509
from cryptography.x509.oid import NameOID

import rel_pki
import rel_run
import rel_sim

P = rel_sim.P


def _org(cert):
    attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return attrs[0].value if attrs else None


def _days_left(cert):
    end = getattr(cert, 'not_valid_after_utc', None) or cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return (end - rel_pki.utcnow()).days


def _issued_by(cert, issuer):
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:  # pylint: disable=broad-except
        return False


def _vmca_root(vc):
    return x509.load_pem_x509_certificate(vc.vmca_root()['pem'].encode('ascii'))


def tls_consistent(vc, rest):
    """The TLS port serves what the API reports."""
    cert = rest.tls_cert()
    assert rel_sim.served_sha256(vc.port) == rel_pki.sha256(cert), \
        'half-done: the TLS port serves another certificate than Tls.get reports'


def sts_consistent(rest):
    sts = rest.sts()
    assert sts['signing'] and [rel_pki.sha256(c) for c in sts['signing'][0]] == \
        [rel_pki.sha256(c) for c in sts['active']], 'the active STS chain is not the first signing chain'


class Variant(object):
    module = None
    label = None
    method = None
    path_part = None
    # True when vCenter's state after the write cannot be read back (the key a CSR request makes), or may show the
    # change only later (the trust store settles after a write, issue 11): an error answer then leaves it unknown,
    # never "not applied"
    unobservable = False

    def __init__(self, pki, tmpdir):
        self.pki = pki
        self.tmpdir = tmpdir

    def args(self, port):
        raise NotImplementedError

    def setup(self, vc, rest):
        """Precondition, made through the raw REST path."""

    def snapshot(self, vc, rest):
        raise NotImplementedError

    def desired(self, vc, rest):
        raise NotImplementedError

    def check_consistent(self, vc, rest):
        tls_consistent(vc, rest)
        sts_consistent(rest)


class TlsPresent(Variant):
    module = 'vcenter_tls_cert'
    label = 'vcenter_tls_cert (present)'
    method = 'PUT'
    path_part = P + '/tls'

    def __init__(self, pki, tmpdir):
        super(TlsPresent, self).__init__(pki, tmpdir)
        self.leaf = pki.server()

    def args(self, port):
        return rel_run.connection(port, state='present', certificate=self.pki.server_chain_pem(self.leaf),
                                  private_key=self.leaf.key_pem, root_certificate=self.pki.root.pem,
                                  wait_timeout=60)

    def snapshot(self, vc, rest):
        return rel_pki.sha256(rest.tls_cert())

    def desired(self, vc, rest):
        return self.snapshot(vc, rest) == self.leaf.sha256 and rel_sim.served_sha256(vc.port) == self.leaf.sha256


class TlsVmcaSigned(Variant):
    module = 'vcenter_tls_cert'
    label = 'vcenter_tls_cert (vmca_signed)'
    method = 'POST'
    path_part = P + '/tls?action=replace-vmca-signed'
    ORG = 'Reliability VMCA-signed Org'

    def args(self, port):
        return rel_run.connection(port, state='vmca_signed', common_name='localhost', organization=self.ORG,
                                  locality='Berlin', state_or_province='Berlin', country='DE',
                                  email_address='pki@reliability.test', subject_alt_name=['localhost', '127.0.0.1'],
                                  key_size=2048, wait_timeout=60)

    def snapshot(self, vc, rest):
        return rel_pki.sha256(rest.tls_cert())

    def desired(self, vc, rest):
        cert = rest.tls_cert()
        return _org(cert) == self.ORG and _issued_by(cert, _vmca_root(vc))


class TlsRenewed(Variant):
    module = 'vcenter_tls_cert'
    label = 'vcenter_tls_cert (renewed)'
    method = 'POST'
    path_part = P + '/tls?action=renew'

    def args(self, port):
        return rel_run.connection(port, state='renewed', duration=730, remaining_days=200, wait_timeout=60)

    def setup(self, vc, rest):
        rest.call('POST', P + '/tls?action=renew', {'duration': 100})  # 100 days left: due for renewal
        vc.wait_idle()

    def snapshot(self, vc, rest):
        return rel_pki.sha256(rest.tls_cert())

    def desired(self, vc, rest):
        cert = rest.tls_cert()
        return _days_left(cert) >= 700 and _issued_by(cert, _vmca_root(vc))


def _store_view(rest):
    return frozenset((cid, frozenset(rel_pki.sha256(c) for c in certs)) for cid, certs in rest.trusted_roots().items())


class TrustedRootPresent(Variant):
    module = 'vcenter_trusted_root'
    label = 'vcenter_trusted_root (present)'
    method = 'POST'
    path_part = P + '/trusted-root-chains'

    unobservable = True  # the store may list a created chain only later

    def args(self, port):
        # wait_timeout bounds the read-back after a failure (it polls until then for a chain that may still appear)
        return rel_run.connection(port, state='present', certificates=self.pki.extra_root.pem, wait_timeout=5)

    def snapshot(self, vc, rest):
        return _store_view(rest)

    def desired(self, vc, rest):
        wanted = frozenset([self.pki.extra_root.sha256])
        return sum(1 for dummy, fps in _store_view(rest) if fps == wanted) == 1

    def check_consistent(self, vc, rest):
        super(TrustedRootPresent, self).check_consistent(vc, rest)
        holding = [fps for dummy, fps in _store_view(rest) if self.pki.extra_root.sha256 in fps]
        assert len(holding) <= 1, 'the root was added twice (a write was resent blindly)'


class TrustedRootAbsent(TrustedRootPresent):
    label = 'vcenter_trusted_root (absent)'
    method = 'DELETE'
    path_part = P + '/trusted-root-chains/rel-extra'

    def args(self, port):
        return rel_run.connection(port, state='absent', chain_id='rel-extra', wait_timeout=5)

    def setup(self, vc, rest):
        rest.call('POST', P + '/trusted-root-chains',
                  {'cert_chain': {'cert_chain': [self.pki.extra_root.pem]}, 'chain': 'rel-extra'})

    def desired(self, vc, rest):
        return not any(cid == 'rel-extra' for cid, dummy in _store_view(rest))


class VmcaRoot(Variant):
    module = 'vcenter_vmca_root'
    label = 'vcenter_vmca_root'
    method = 'POST'
    path_part = P + '/vmca-root'
    ORG = 'Reliability VMCA Root Org'

    def args(self, port):
        return rel_run.connection(port, organization=self.ORG, key_size=2048, wait_timeout=60)

    def snapshot(self, vc, rest):
        return vc.vmca_root()['sha256']

    def desired(self, vc, rest):
        root = _vmca_root(vc)
        return _org(root) == self.ORG and _issued_by(rest.tls_cert(), root)

    def check_consistent(self, vc, rest):
        super(VmcaRoot, self).check_consistent(vc, rest)
        root = _vmca_root(vc)
        assert _issued_by(rest.tls_cert(), root), 'half-done: the VMCA-signed machine certificate is not issued ' \
            'by the current VMCA root'
        assert any(rel_pki.sha256(c) == rel_pki.sha256(root) for chain in rest.trusted_roots().values()
                   for c in chain), 'half-done: the current VMCA root is not in the trust store'


class StsRefreshed(Variant):
    module = 'vcenter_sts_signing_cert'
    label = 'vcenter_sts_signing_cert (refreshed)'
    method = 'POST'
    path_part = P + '/signing-certificate?action=refresh'

    def __init__(self, pki, tmpdir):
        super(StsRefreshed, self).__init__(pki, tmpdir)
        self.short = pki.sts(days=20)

    def args(self, port):
        return rel_run.connection(port, state='refreshed', remaining_days=30)

    def setup(self, vc, rest):
        rest.call('PUT', P + '/signing-certificate', {
            'signing_cert_chain': {'cert_chain': [self.short.pem, self.pki.root.pem]},
            'private_key': self.short.key_pkcs8})

    def snapshot(self, vc, rest):
        return rel_pki.sha256(rest.sts()['active'][0])

    def desired(self, vc, rest):
        leaf = rest.sts()['active'][0]
        return _days_left(leaf) >= 30 and rel_pki.sha256(leaf) != self.short.sha256


class StsPresent(Variant):
    module = 'vcenter_sts_signing_cert'
    label = 'vcenter_sts_signing_cert (present)'
    method = 'PUT'
    path_part = P + '/signing-certificate'

    def __init__(self, pki, tmpdir):
        super(StsPresent, self).__init__(pki, tmpdir)
        self.leaf = pki.sts()

    def args(self, port):
        return rel_run.connection(port, state='present', certificate_chain=self.pki.sts_chain_pem(self.leaf),
                                  private_key=rel_pki.key_encrypted(self.leaf.key),
                                  private_key_passphrase=rel_pki.KEY_PASSPHRASE)

    def snapshot(self, vc, rest):
        return rel_pki.sha256(rest.sts()['active'][0])

    def desired(self, vc, rest):
        return self.snapshot(vc, rest) == self.leaf.sha256


class Csr(Variant):
    module = 'vcenter_csr'
    label = 'vcenter_csr'
    method = 'POST'
    path_part = P + '/tls-csr'
    unobservable = True
    ORG = 'Reliability CSR Org'

    def __init__(self, pki, tmpdir):
        super(Csr, self).__init__(pki, tmpdir)
        self.dest = os.path.join(tmpdir, 'machine.csr')

    def args(self, port):
        return rel_run.connection(port, common_name='localhost', organization=self.ORG, locality='Berlin',
                                  state_or_province='Berlin', country='DE', email_address='pki@reliability.test',
                                  subject_alt_name=['localhost', '127.0.0.1'], key_size=2048, dest=self.dest)

    def setup(self, vc, rest):
        if os.path.exists(self.dest):
            os.unlink(self.dest)

    def snapshot(self, vc, rest):
        return (vc.state()['pending_csr'], os.path.exists(self.dest))

    def desired(self, vc, rest):
        if not os.path.exists(self.dest) or not vc.state()['pending_csr']:
            return False
        with open(self.dest, 'rb') as handle:
            csr = x509.load_pem_x509_csr(handle.read())
        return _org(csr) == self.ORG

    def check_consistent(self, vc, rest):
        super(Csr, self).check_consistent(vc, rest)
        assert not glob.glob(os.path.join(os.path.dirname(self.dest), '.vcenter_csr-*')), 'temporary file left'
        if os.path.exists(self.dest):
            with open(self.dest, 'rb') as handle:
                x509.load_pem_x509_csr(handle.read())  # never a partial file


VARIANTS = [TlsPresent, TlsVmcaSigned, TlsRenewed, TrustedRootPresent, TrustedRootAbsent, VmcaRoot,
            StsRefreshed, StsPresent, Csr]
