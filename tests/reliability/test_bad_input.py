# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every refused input across all modules, in one table.

Each case runs the real module against the simulator after ``POST /sim/stats/reset`` and asserts the
message and that vCenter saw no state-changing request. Inputs that can be judged alone are refused before
any request at all (``requests`` == 0); a few refusals need vCenter's state (a certificate that is not
VMCA-issued cannot be renewed, a chain that anchors the machine certificate is not removed, a version
without the API) and may read, but never write.
"""

import datetime
import json
import os

import pytest

import rel_pki
import rel_report
import rel_run
import rel_sim

P = '/vcenter/certificate-management/vcenter'


class Bad(object):
    """The bad material, made once per session."""

    def __init__(self, pki):
        self.pki = pki
        now = rel_pki.utcnow()
        self.leaf = pki.server()
        self.other = pki.server()
        self.expired = pki.server(days=10, start=now - datetime.timedelta(days=40))
        self.future = pki.server(days=10, start=now + datetime.timedelta(days=5))
        self.no_san = pki.server(san=('vc.elsewhere.example',))
        self.sts = pki.sts()
        self.sts_no_ds = pki.sts(key_usage=('key_encipherment',))
        self.sts_expired = rel_pki.issue(
            rel_pki.name('Reliability expired STS'), pki.root, days=5, start=now - datetime.timedelta(days=30),
            server=False, key_usage=('digital_signature',))
        self.ec_leaf = rel_pki.issue(rel_pki.name('localhost'), pki.intermediate, key=rel_pki.ec_key(),
                                     san=pki.HOSTS)
        # issue 11: vCenter trusts only CA certificates with keyCertSign, for every certificate of a chain
        self.ca_no_cert_sign = rel_pki.issue(rel_pki.name('Reliability CA without keyCertSign'), None, ca=True,
                                             server=False, key_usage=('digital_signature', 'crl_sign'))
        self.intermediate_no_cert_sign = rel_pki.issue(rel_pki.name('Reliability Issuing CA without keyCertSign'),
                                                       pki.root, ca=True, server=False,
                                                       key_usage=('digital_signature',))

    @property
    def chain(self):
        return self.pki.server_chain_pem(self.leaf)

    @staticmethod
    def damaged(pem_text):
        lines = pem_text.strip().splitlines()
        return '\n'.join([lines[0]] + [line[::-1] for line in lines[1:-1]] + [lines[-1]]) + '\n'


@pytest.fixture(scope='session')
def bad(pki):
    return Bad(pki)


def tls(b, **kw):
    args = dict(state='present', certificate=b.chain, private_key=b.leaf.key_pem, root_certificate=b.pki.root.pem)
    args.update(kw)
    return args


def sts(b, **kw):
    args = dict(state='present', certificate_chain=b.pki.sts_chain_pem(b.sts), private_key=b.sts.key_pem)
    args.update(kw)
    return args


def subject(**kw):
    # organization, locality, state_or_province, country and email_address: required by TlsCsr.Spec / ReplaceSpec
    args = dict(common_name='localhost', organization='Reliability', locality='Berlin', state_or_province='Berlin',
                country='DE', email_address='pki@reliability.test', subject_alt_name=['localhost', '127.0.0.1'])
    args.update(kw)
    return args


def _install_custom_cert(vc, b):
    with vc.rest() as rest:
        # the CA chain in root_cert, as the public clients that work against real vCenters send it
        rest.call('PUT', P + '/tls', {'cert': b.chain, 'key': b.leaf.key_pkcs8,
                                      'root_cert': b.pki.intermediate.pem + b.pki.root.pem})
    vc.wait_idle()


def _add_chain(vc, b):
    with vc.rest() as rest:
        rest.call('POST', P + '/trusted-root-chains', {'cert_chain': {'cert_chain': [b.pki.extra_root.pem]},
                                                       'chain': 'rel-x'})


def _vmca_chain_id(vc):
    sha1 = vc.vmca_root()['pem']
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    return rel_pki.sha1(x509.load_pem_x509_certificate(sha1.encode('ascii'))).replace(':', '')


# (module, case, args(bad, tmp_path, vc), expected message fragment, may read vCenter, setup(vc, bad))
CASES = [
    # ---------------------------------------------------------------- vcenter_tls_cert
    ('vcenter_tls_cert', 'malformed PEM certificate', lambda b, t, v: tls(b, certificate=Bad.damaged(b.leaf.pem)),
     'certificate is not a valid PEM certificate', False, None),
    ('vcenter_tls_cert', 'text without a PEM block', lambda b, t, v: tls(b, certificate='just some text'),
     'does not contain a PEM certificate', False, None),
    ('vcenter_tls_cert', 'mismatched private key', lambda b, t, v: tls(b, private_key=b.other.key_pem),
     'private_key does not match certificate', False, None),
    ('vcenter_tls_cert', 'expired certificate',
     lambda b, t, v: tls(b, certificate=b.pki.server_chain_pem(b.expired), private_key=b.expired.key_pem),
     'certificate expired on', False, None),
    ('vcenter_tls_cert', 'certificate not yet valid',
     lambda b, t, v: tls(b, certificate=b.pki.server_chain_pem(b.future), private_key=b.future.key_pem),
     'is not valid before', False, None),
    ('vcenter_tls_cert', 'wrong chain order (intermediate first)',
     lambda b, t, v: tls(b, certificate=b.pki.intermediate.pem + b.leaf.pem),
     'is out of order or incomplete', False, None),
    # vCenter checks its PNID (localhost here), read from its current certificate on the change path: one read
    ('vcenter_tls_cert', "certificate without vCenter's PNID (connected by IP)",
     lambda b, t, v: tls(b, certificate=b.pki.server_chain_pem(b.no_san), private_key=b.no_san.key_pem),
     "(DNS:vc.elsewhere.example) do not include vCenter's PNID (primary network identifier) localhost", True, None),
    ('vcenter_tls_cert', 'encrypted key without passphrase',
     lambda b, t, v: tls(b, private_key=rel_pki.key_encrypted(b.leaf.key)),
     'private_key is encrypted; give its passphrase', False, None),
    ('vcenter_tls_cert', 'wrong passphrase',
     lambda b, t, v: tls(b, private_key=rel_pki.key_encrypted(b.leaf.key),
                         private_key_passphrase=rel_pki.WRONG_PASSPHRASE),
     'could not be decrypted: wrong passphrase', False, None),
    ('vcenter_tls_cert', 'private key pasted as certificate', lambda b, t, v: tls(b, certificate=b.leaf.key_pem),
     'contains a private key', False, None),
    ('vcenter_tls_cert', 'private key pasted as root_certificate',
     lambda b, t, v: tls(b, root_certificate=b.leaf.key_pkcs8), 'contains a private key', False, None),
    ('vcenter_tls_cert', 'CA certificate as the leaf', lambda b, t, v: tls(b, certificate=b.pki.root.pem,
                                                                           private_key=b.pki.root.key_pem),
     'is a CA certificate, not a server certificate', False, None),
    ('vcenter_tls_cert', 'root_certificate is not a CA', lambda b, t, v: tls(b, root_certificate=b.other.pem),
     'CA certificate O=certops reliability,CN=localhost is not a valid CA certificate for vCenter', False, None),
    ('vcenter_tls_cert', 'root_certificate of another CA',
     lambda b, t, v: tls(b, root_certificate=b.pki.other_root.pem), 'does not lead to a root in root_certificate', False, None),
    ('vcenter_tls_cert', 'two certificates in root_certificate',
     lambda b, t, v: tls(b, root_certificate=b.pki.root.pem + b.pki.other_root.pem),
     'root_certificate holds CA certificates that are not on the path of certificate', False, None),
    ('vcenter_tls_cert', 'passphrase without private_key',
     lambda b, t, v: tls(b, private_key=None, private_key_passphrase=rel_pki.KEY_PASSPHRASE),
     'private_key_passphrase was given without private_key', False, None),
    ('vcenter_tls_cert', 'state=present without certificate', lambda b, t, v: dict(state='present'),
     'state is present but all of the following are missing: certificate', False, None),
    ('vcenter_tls_cert', 'certificate with state=renewed', lambda b, t, v: dict(state='renewed', certificate=b.chain),
     'certificate only apply to state=present', False, None),
    ('vcenter_tls_cert', 'subject options with state=present', lambda b, t, v: tls(b, organization='X'),
     'organization only apply to state=vmca_signed', False, None),
    ('vcenter_tls_cert', 'wrong type: duration', lambda b, t, v: dict(state='renewed', duration='two years'),
     "argument 'duration' is of type", False, None),
    ('vcenter_tls_cert', 'out-of-range duration (731)', lambda b, t, v: dict(state='renewed', duration=731),
     'duration must be between 1 and 730 days', False, None),
    ('vcenter_tls_cert', 'out-of-range duration (0)', lambda b, t, v: dict(state='renewed', duration=0),
     'duration must be between 1 and 730 days', False, None),
    ('vcenter_tls_cert', 'remaining_days not below duration',
     lambda b, t, v: dict(state='renewed', duration=60, remaining_days=60), 'must be smaller than duration', False,
     None),
    ('vcenter_tls_cert', 'negative remaining_days', lambda b, t, v: dict(state='renewed', remaining_days=-1),
     'remaining_days must be 0 or more', False, None),
    ('vcenter_tls_cert', 'invalid state', lambda b, t, v: dict(state='gone'), 'value of state must be one of',
     False, None),
    ('vcenter_tls_cert', 'country not two letters (vmca_signed)',
     lambda b, t, v: dict(subject(country='Germany'), state='vmca_signed'), 'country must be a two-letter', False,
     None),
    ('vcenter_tls_cert', 'key_size not allowed (vmca_signed)',
     lambda b, t, v: dict(subject(key_size=1024), state='vmca_signed'), 'value of key_size must be one of', False,
     None),
    ('vcenter_tls_cert', "SANs without vCenter's PNID (vmca_signed, connected by IP)",
     lambda b, t, v: dict(subject(subject_alt_name=['vc.elsewhere.example', '127.0.0.1']), state='vmca_signed'),
     "do not include vCenter's PNID (primary network identifier) localhost", True, None),
    ('vcenter_tls_cert', 'subject fields the API requires missing (vmca_signed)',
     lambda b, t, v: dict(state='vmca_signed', organization='Reliability', country='DE'),
     "locality, state_or_province, email_address are not given: vCenter's API (Tls.ReplaceSpec) requires", False,
     None),
    ('vcenter_tls_cert', 'empty organization (vmca_signed)',
     lambda b, t, v: dict(subject(organization=''), state='vmca_signed'), 'organization is not given', False, None),
    ('vcenter_tls_cert', 'invalid IP SAN (vmca_signed)',
     lambda b, t, v: dict(subject(subject_alt_name=['IP:300.1.2.3', '127.0.0.1']), state='vmca_signed'),
     'is not a valid IP address', False, None),
    # refused when it is due (here: fewer than 700 days left), not before: nothing due costs one read
    ('vcenter_tls_cert', 'renew a certificate not issued by the VMCA, when it is due',
     lambda b, t, v: dict(state='renewed', remaining_days=700), 'is not issued by the VMCA', True, _install_custom_cert),
    ('vcenter_tls_cert', 'wrong password', lambda b, t, v: tls(b, vcenter_password='not-the-password'),
     'Failed to log in to vCenter', True, None),
    ('vcenter_tls_cert', 'missing vcenter_hostname', lambda b, t, v: tls(b, vcenter_hostname=None),
     'missing required arguments: vcenter_hostname', False, None),
    ('vcenter_tls_cert', 'wrong type: vcenter_port', lambda b, t, v: tls(b, vcenter_port='https'),
     "argument 'vcenter_port' is of type", False, None),
    # ---------------------------------------------------------------- vcenter_csr
    ('vcenter_csr', 'country not two letters', lambda b, t, v: subject(country='DEU', dest=str(t / 'a.csr')),
     'country must be a two-letter', False, None),
    ('vcenter_csr', 'key_size not allowed', lambda b, t, v: subject(key_size=1000), 'value of key_size must be one of',
     False, None),
    ('vcenter_csr', 'wrong type: key_size', lambda b, t, v: subject(key_size='big'), "argument 'key_size' is of type",
     False, None),
    ('vcenter_csr', 'dest is a directory', lambda b, t, v: subject(dest=str(t)), 'is a directory', False, None),
    ('vcenter_csr', 'subject fields the API requires missing',
     lambda b, t, v: dict(common_name='localhost', organization='Reliability'),
     "locality, state_or_province, country, email_address are not given: vCenter's API (TlsCsr.Spec) requires",
     False, None),
    ('vcenter_csr', 'empty email_address', lambda b, t, v: subject(email_address=''), 'email_address is not given',
     False, None),
    ('vcenter_csr', 'empty SAN entry', lambda b, t, v: subject(subject_alt_name=['localhost', ' ']),
     'subject_alt_name has an empty entry', False, None),
    ('vcenter_csr', 'invalid certificate choice', lambda b, t, v: subject(certificate='esxi'),
     'value of certificate must be one of', False, None),
    ('vcenter_csr', 'STS CSR on vCenter 8.0.3', lambda b, t, v: subject(certificate='sts_signing'),
     'needs vCenter 9.1.1 or later; this vCenter is 8.0.3', True, None),
    # ---------------------------------------------------------------- vcenter_trusted_root
    ('vcenter_trusted_root', 'malformed PEM', lambda b, t, v: dict(certificates=Bad.damaged(b.pki.extra_root.pem)),
     'certificates is not a valid PEM certificate', False, None),
    ('vcenter_trusted_root', 'private key pasted as certificates',
     lambda b, t, v: dict(certificates=b.pki.extra_root.pem + b.leaf.key_pem), 'contains a private key', False, None),
    ('vcenter_trusted_root', 'two unrelated roots as one chain',
     lambda b, t, v: dict(certificates=b.pki.extra_root.pem + b.pki.other_root.pem), 'must be one chain', False,
     None),
    ('vcenter_trusted_root', 'a server certificate (not a CA) as a trusted root',
     lambda b, t, v: dict(certificates=b.leaf.pem), 'is not a CA certificate', False, None),
    ('vcenter_trusted_root', 'a CA without the keyCertSign key usage',
     lambda b, t, v: dict(certificates=b.ca_no_cert_sign.pem), 'does not have the keyCertSign key usage', False, None),
    ('vcenter_trusted_root', 'a chain whose intermediate lacks keyCertSign',
     lambda b, t, v: dict(certificates=b.pki.root.pem + b.intermediate_no_cert_sign.pem),
     'Reliability Issuing CA without keyCertSign', False, None),
    ('vcenter_trusted_root', 'empty chain_id', lambda b, t, v: dict(certificates=b.pki.extra_root.pem, chain_id=' '),
     'chain_id must not be empty', False, None),
    ('vcenter_trusted_root', 'state=present without certificates', lambda b, t, v: dict(chain_id='x'),
     'state is present but any of the following are missing: certificates, chains', False, None),
    ('vcenter_trusted_root', 'state=absent without chain_id or certificates', lambda b, t, v: dict(state='absent'),
     'state is absent but any of the following are missing: chain_id, certificates', False, None),
    ('vcenter_trusted_root', 'remove the chain that anchors the machine certificate',
     lambda b, t, v: dict(state='absent', chain_id=_vmca_chain_id(v)), 'refusing to remove trusted root chain',
     True, None),
    ('vcenter_trusted_root', 'chain_id taken by other certificates',
     lambda b, t, v: dict(certificates=b.pki.other_root.pem, chain_id='rel-x'),
     'already exists and holds other certificates', True, _add_chain),
    # ---------------------------------------------------------------- vcenter_vmca_root
    ('vcenter_vmca_root', 'country not two letters', lambda b, t, v: dict(country='USA'),
     'country must be a two-letter', False, None),
    ('vcenter_vmca_root', 'negative remaining_days', lambda b, t, v: dict(remaining_days=-5),
     'remaining_days must be 0 or more', False, None),
    ('vcenter_vmca_root', 'wait_timeout 0 with wait', lambda b, t, v: dict(wait_timeout=0),
     'wait_timeout must be at least 1 second', False, None),
    ('vcenter_vmca_root', 'key_size not allowed', lambda b, t, v: dict(key_size=512), 'value of key_size must be one of',
     False, None),
    ('vcenter_vmca_root', 'wrong type: remaining_days', lambda b, t, v: dict(remaining_days='soon'),
     "argument 'remaining_days' is of type", False, None),
    # ---------------------------------------------------------------- vcenter_sts_signing_cert
    ('vcenter_sts_signing_cert', 'leaf without digitalSignature',
     lambda b, t, v: sts(b, certificate_chain=b.pki.sts_chain_pem(b.sts_no_ds), private_key=b.sts_no_ds.key_pem),
     'does not carry the digitalSignature key usage', False, None),
    ('vcenter_sts_signing_cert', 'mismatched private key', lambda b, t, v: sts(b, private_key=b.leaf.key_pem),
     'private_key does not match the leaf of certificate_chain', False, None),
    ('vcenter_sts_signing_cert', 'expired certificate',
     lambda b, t, v: sts(b, certificate_chain=b.pki.sts_chain_pem(b.sts_expired), private_key=b.sts_expired.key_pem),
     'expired on', False, None),
    ('vcenter_sts_signing_cert', 'wrong chain order (root first)',
     lambda b, t, v: sts(b, certificate_chain=b.pki.root.pem + b.sts.pem), 'is out of order or incomplete', False,
     None),
    ('vcenter_sts_signing_cert', 'malformed PEM', lambda b, t, v: sts(b, certificate_chain=Bad.damaged(b.sts.pem)),
     'is not a valid PEM certificate', False, None),
    ('vcenter_sts_signing_cert', 'encrypted key without passphrase',
     lambda b, t, v: sts(b, private_key=rel_pki.key_encrypted(b.sts.key)), 'private_key is encrypted', False, None),
    ('vcenter_sts_signing_cert', 'wrong passphrase',
     lambda b, t, v: sts(b, private_key=rel_pki.key_encrypted(b.sts.key),
                         private_key_passphrase=rel_pki.WRONG_PASSPHRASE), 'could not be decrypted', False, None),
    ('vcenter_sts_signing_cert', 'private key pasted as certificate_chain',
     lambda b, t, v: sts(b, certificate_chain=b.sts.key_pem), 'contains a private key', False, None),
    ('vcenter_sts_signing_cert', 'not a private key', lambda b, t, v: sts(b, private_key=b.sts.pem),
     'private_key is not a PEM private key', False, None),
    ('vcenter_sts_signing_cert', 'state=present without certificate_chain', lambda b, t, v: dict(state='present'),
     'state=present needs certificate_chain', False, None),
    ('vcenter_sts_signing_cert', 'force with state=present', lambda b, t, v: sts(b, force=True),
     'force is used only with state=refreshed', False, None),
    ('vcenter_sts_signing_cert', 'certificate_chain with state=refreshed',
     lambda b, t, v: dict(state='refreshed', certificate_chain=b.sts.pem), 'is used only with state=present', False,
     None),
    ('vcenter_sts_signing_cert', 'negative remaining_days', lambda b, t, v: dict(state='refreshed', remaining_days=-5),
     'remaining_days must be 0 or more', False, None),
    ('vcenter_sts_signing_cert', 'staged-key install on vCenter 8.0.3', lambda b, t, v: sts(b, private_key=None),
     'private_key can be omitted only on vCenter 9.1.1', True, None),
    # ---------------------------------------------------------------- info modules
    ('vcenter_tls_cert_info', 'invalid vcenter_api', lambda b, t, v: dict(vcenter_api='soap'),
     'value of vcenter_api must be one of', False, None),
    ('vcenter_trusted_root_info', 'wrong type: vcenter_timeout', lambda b, t, v: dict(vcenter_timeout='long'),
     "argument 'vcenter_timeout' is of type", False, None),
    ('vcenter_sts_signing_cert_info', 'wrong password', lambda b, t, v: dict(vcenter_password='wrong'),
     'Failed to log in to vCenter', True, None),
]


@pytest.mark.parametrize('index', range(len(CASES)), ids=['%s: %s' % (c[0], c[1]) for c in CASES])
def test_refused(index, bad, vc, tmp_path, report):
    module, case, make_args, expected, may_read, setup = CASES[index]
    if setup is not None:
        setup(vc, bad)
    args = rel_run.connection(vc.port)
    for name, value in make_args(bad, tmp_path, vc).items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    vc.reset_stats()

    result = rel_run.run_inproc(module, args)

    stats = vc.stats()
    requests = sum(stats['requests'].values())
    row = report.add('bad_input', order=index, module=module, case=case, outcome=rel_report.outcome_of(result),
                     vcenter_state=result.get('vcenter_state'), writes=stats['writes_attempted'], requests=requests,
                     msg=result.get('msg'))
    assert result.get('failed') is True, result
    assert expected in result['msg'], 'expected %r in %r' % (expected, result['msg'])
    assert stats['writes_attempted'] == 0 and stats['writes_applied'] == 0, stats['write_log']
    if not may_read:
        assert requests == 0, 'input that can be judged alone was sent to vCenter: %r' % stats['requests']
    if result['msg'].startswith('Failed to '):  # our own refusals (argument-spec errors come from Ansible)
        assert result.get('vcenter_state') == 'unchanged', result
    assert stats['active_sessions'] == 0, 'a refused run left a session open'
    text = json.dumps(result)
    leaked = [m for m in rel_pki.secret_markers() if m in text]
    assert not leaked, 'secret material in the result of a refused run'
    row['leak_checked'] = True
    assert os.listdir(str(tmp_path)) == [], 'a refused run wrote files'


def test_connect_by_ip_installs_a_certificate_naming_only_the_pnid(bad, vc, report):
    """Connected by 127.0.0.1, a certificate whose only name is vCenter's PNID (localhost) is what vCenter checks
    and accepts: installed, with a warning that clients connecting by 127.0.0.1 will reject it."""
    leaf = bad.pki.server(san=('localhost',))
    args = rel_run.connection(vc.port)
    args.update(tls(bad, certificate=bad.pki.server_chain_pem(leaf), private_key=leaf.key_pem, wait_timeout=60))
    vc.reset_stats()

    result = rel_run.run_inproc('vcenter_tls_cert', args)

    vc.wait_idle()
    stats = vc.stats()
    served = rel_sim.served_sha256(vc.port)
    warnings = ' '.join(result.get('warnings', []))
    row = report.add('hostile', order=750, klass="vCenter checks its PNID, not vcenter_hostname",
                     case='connected by 127.0.0.1, state=present with a certificate whose only SAN is the PNID '
                     '(localhost): installed, served, with a warning', module='vcenter_tls_cert',
                     outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
                     writes='%d (%d)' % (stats['writes_attempted'], stats['writes_applied']), other_origin='-',
                     msg=result.get('msg') or warnings)
    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is True
    assert served == leaf.sha256, 'vCenter does not serve the new certificate'
    assert stats['writes_applied'] >= 1, stats['write_log']
    assert 'do not include vcenter_hostname 127.0.0.1' in warnings, warnings
    assert 'clients that connect to vCenter by that IP address and verify its certificate will reject it' in warnings
    assert stats['active_sessions'] == 0
    row['checked'] = True
