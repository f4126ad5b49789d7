# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Odd connection options and input that costs a write before it is refused (issue 15).

Connection options are judged before anything is sent: a host name given as a URL or as ``host:port``, a port
outside 1..65535, a timeout that is not positive, a CA path that does not exist are refused naming the option,
with no request at all (the simulator's counters stay 0). Where the meaning is unambiguous the option is
normalised instead: a bracketed IPv6 literal ``[::1]`` works like ``::1``, also for the served-certificate check
after a change. Input that would cost a write (a CSR ``dest`` in a missing directory, an RSA key below 2048 bits)
is refused before any request, in check mode too; non-ASCII DNS names are sent as IDNA A-labels (checked on what
the simulator made from them). Pathological PEM input is refused with a clear message (its speed is measured in
``tests/bench``, not here).
"""

import socket

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import rel_checks
import rel_pki
import rel_report
import rel_run
import rel_sim

P = rel_sim.P
IDNA_U = 'bücher.example'
IDNA_A = 'xn--bcher-kva.example'


def _requests(stats):
    return sum(stats['requests'].values())


class Mat(object):

    def __init__(self, pki):
        self.pki = pki
        self.leaf = pki.server()
        self.new_root = rel_pki.ca('Reliability Options New Root')
        self.weak = rel_pki.issue(rel_pki.name('localhost'), pki.intermediate, key=rel_pki.rsa_key(1024),
                                  san=pki.HOSTS)

    def tls(self, leaf=None, **extra):
        leaf = leaf or self.leaf
        args = dict(state='present', certificate=self.pki.server_chain_pem(leaf), private_key=leaf.key_pem,
                    root_certificate=self.pki.root.pem)
        args.update(extra)
        return args


@pytest.fixture(scope='module')
def mat(pki):
    return Mat(pki)


# ====================================================================== 6. connection options

MODULE_ARGS = {
    'vcenter_tls_cert_info': lambda m: {},
    'vcenter_trusted_root': lambda m: dict(certificates=m.new_root.pem, chain_id='rel-opt'),
}

# (id, connection overrides (port -> value), option names the message must carry, modules)
OPTIONS = [
    ('hostname as URL', lambda port, t: dict(vcenter_hostname='https://vc.example.com'), ['vcenter_hostname'], None),
    ('hostname as URL with port', lambda port, t: dict(vcenter_hostname='https://127.0.0.1:%d/' % port),
     ['vcenter_hostname', 'vcenter_port'], None),
    ('hostname as host:port', lambda port, t: dict(vcenter_hostname='127.0.0.1:%d' % port),
     ['vcenter_hostname', 'vcenter_port'], None),
    ('hostname as host:443', lambda port, t: dict(vcenter_hostname='127.0.0.1:443'),
     ['vcenter_hostname', 'vcenter_port'], None),
    ('port 0', lambda port, t: dict(vcenter_port=0), ['vcenter_port'], None),
    ('port -1', lambda port, t: dict(vcenter_port=-1), ['vcenter_port'], None),
    ('port 65536', lambda port, t: dict(vcenter_port=65536), ['vcenter_port'], None),
    ('timeout 0', lambda port, t: dict(vcenter_timeout=0), ['vcenter_timeout'], None),
    ('timeout -5', lambda port, t: dict(vcenter_timeout=-5), ['vcenter_timeout'], None),
    ('ca_path does not exist',
     lambda port, t: dict(vcenter_validate_certs=True, vcenter_ca_path=str(t / 'missing' / 'ca.pem')),
     ['vcenter_ca_path'], None),
    ('wait_timeout -1 (state=renewed)', lambda port, t: dict(state='renewed', wait_timeout=-1), ['wait_timeout'],
     ['vcenter_tls_cert']),
    ('wait_timeout -1 with wait=false', lambda port, t: dict(wait=False, wait_timeout=-1), ['wait_timeout'],
     ['vcenter_vmca_root']),
]

OPTION_CASES = []
for _case in OPTIONS:
    for _module in (_case[3] or sorted(MODULE_ARGS)):
        OPTION_CASES.append((_module,) + _case[:3])


@pytest.mark.parametrize('index', range(len(OPTION_CASES)),
                         ids=['%s: %s' % (c[0], c[1]) for c in OPTION_CASES])
def test_connection_option_refused(index, mat, vc, tmp_path, report):
    module, case, overrides, names = OPTION_CASES[index]
    args = rel_run.connection(vc.port)
    args.update(MODULE_ARGS.get(module, lambda m: {})(mat))
    args.update(overrides(vc.port, tmp_path))
    vc.reset_stats()

    result = rel_checks.run_guarded(module, args)

    stats = vc.stats()
    requests = _requests(stats)
    report.add('bad_input', order=2000 + index, module=module, case='connection option: %s' % case,
               outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
               writes=stats['writes_attempted'], requests=requests, msg=result.get('msg'))
    rel_checks.assert_clean(result)
    assert result.get('failed') is True, 'accepted: %r' % result.get('msg', result)
    msg = result['msg']
    assert msg.startswith('Failed to '), msg
    for name in names:
        assert name in msg, 'the message must name %s: %s' % (name, msg)
    assert requests == 0, 'a connection option that can be judged alone was not judged before sending: %r' % (
        stats['requests'],)
    assert result['vcenter_state'] == 'unchanged', result


def _has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(('::1', 0))
        return True
    except OSError:
        return False


HAS_IPV6 = _has_ipv6_loopback()


@pytest.fixture(scope='module')
def v6_sim(tmp_path_factory):
    if not HAS_IPV6:
        yield None
        return
    proc = rel_sim.Simulator(str(tmp_path_factory.mktemp('certsim-v6')), '--host', '::1',
                             '--initial-key-size', '2048')
    yield proc
    assert proc.stop() == 0


IPV6 = [
    # id, hostname, what
    ('unbracketed-present (control)', '::1', 'present'),
    ('bracketed-present', '[::1]', 'present'),
    ('bracketed-info', '[::1]', 'info'),
]


@pytest.mark.parametrize('index', range(len(IPV6)), ids=[c[0] for c in IPV6])
def test_bracketed_ipv6(index, v6_sim, pki, tmp_path, report):
    case_id, hostname, what = IPV6[index]
    if v6_sim is None:
        return _bracketed_ipv6_without_ipv6(case_id, hostname, what, pki, report, index)
    control = v6_sim.control()
    control.reset()
    leaf = pki.server(san=('localhost', '::1'))
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text(control.vmca_root()['pem'] + pki.root.pem)
    args = rel_run.connection(v6_sim.port, vcenter_hostname=hostname, vcenter_validate_certs=True,
                              vcenter_ca_path=str(ca_file))
    module = 'vcenter_tls_cert' if what == 'present' else 'vcenter_tls_cert_info'
    if what == 'present':
        args.update(state='present', certificate=pki.server_chain_pem(leaf), private_key=leaf.key_pem,
                    root_certificate=pki.root.pem, wait_timeout=20)
    control.reset_stats()

    result = rel_checks.run_guarded(module, args)

    control.wait_idle()
    stats = control.stats()
    served = rel_sim.served_sha256(v6_sim.port, host='::1')
    report.add('hostile', order=600 + index, klass='connection options handled',
               case='ipv6 %s: vcenter_hostname %s against a simulator on ::1 (validate_certs on)%s' % (
                   case_id, hostname, ', state=present then the served-certificate check' if what == 'present' else ''),
               module=module, outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
               writes=rel_checks.writes_of(stats), other_origin='-', msg=result.get('msg'))
    rel_checks.assert_clean(result)
    assert not result.get('failed'), result.get('msg')
    if what == 'present':
        assert result['changed'] is True and served == leaf.sha256, 'not installed/served: %r' % result.get('msg')
        assert stats['writes_applied'] == 1, stats['write_log']
    assert stats['active_sessions'] == 0
    return None


def _bracketed_ipv6_without_ipv6(case_id, hostname, what, pki, report, index):
    """No IPv6 loopback here: the bracket normalisation is still checked where it is observable without a
    connection: the SAN check of state=present compares vcenter_hostname with the certificate's IP SAN ::1 (a
    bracketed literal must match it), and the run then fails to connect with vcenter_state, not with a SAN
    refusal."""
    leaf = pki.server(san=('localhost', '::1'))
    args = rel_run.connection(9, vcenter_hostname=hostname, vcenter_timeout=2)
    args.update(state='present', certificate=pki.server_chain_pem(leaf), private_key=leaf.key_pem,
                root_certificate=pki.root.pem)
    result = rel_checks.run_guarded('vcenter_tls_cert', args, check=True)
    report.add('hostile', order=600 + index, klass='connection options handled',
               case='ipv6 %s: no IPv6 loopback on this machine; vcenter_hostname %s checked against the IP SAN ::1 '
               'only' % (case_id, hostname), module='vcenter_tls_cert', outcome=rel_report.outcome_of(result),
               vcenter_state=result.get('vcenter_state'), writes='-', other_origin='-', msg=result.get('msg'))
    rel_checks.assert_clean(result)
    assert 'do not include vcenter_hostname' not in (result.get('msg') or ''), result['msg']
    # a missing vcenter_hostname is now a warning (vCenter checks its PNID): a bracketed literal must not cause it
    assert not [w for w in result.get('warnings', []) if 'do not include vcenter_hostname' in w], result['warnings']
    assert result.get('failed') and result['vcenter_state'] == 'unchanged', result


# ====================================================================== 7. input that costs a write

def _subject(**extra):
    # the five fields TlsCsr.Spec / Tls.ReplaceSpec require
    args = dict(common_name='localhost', organization='Reliability', locality='Berlin', state_or_province='Berlin',
                country='DE', email_address='pki@reliability.test', subject_alt_name=['localhost', '127.0.0.1'])
    args.update(extra)
    return args


# (id, module, args(mat, tmp_path), check mode, message fragments)
COSTLY = [
    ('CSR dest in a missing directory', 'vcenter_csr',
     lambda m, t: _subject(dest=str(t / 'no-such-dir' / 'vc.csr')), False, ['dest', 'no-such-dir']),
    ('CSR dest in a missing directory (check mode)', 'vcenter_csr',
     lambda m, t: _subject(dest=str(t / 'no-such-dir' / 'vc.csr')), True, ['dest', 'no-such-dir']),
    ('RSA 1024-bit key and certificate', 'vcenter_tls_cert', lambda m, t: m.tls(m.weak, wait_timeout=5), False,
     ['2048']),
    ('RSA 1024-bit key and certificate (check mode)', 'vcenter_tls_cert', lambda m, t: m.tls(m.weak, wait_timeout=5),
     True, ['2048']),
    ('1000 unterminated BEGIN CERTIFICATE lines', 'vcenter_trusted_root',
     lambda m, t: dict(certificates='-----BEGIN CERTIFICATE-----\n' * 1000), False, ['certificates']),
    ('1000 unterminated BEGIN lines before a valid certificate', 'vcenter_tls_cert',
     lambda m, t: m.tls(certificate='-----BEGIN CERTIFICATE-----\n' * 1000 + m.pki.server_chain_pem(m.leaf)), False,
     ['certificate']),
]


@pytest.mark.parametrize('index', range(len(COSTLY)), ids=[c[0] for c in COSTLY])
def test_costly_input_refused_first(index, mat, vc, tmp_path, report):
    case, module, make_args, check, fragments = COSTLY[index]
    args = rel_run.connection(vc.port)
    args.update(make_args(mat, tmp_path))
    vc.reset_stats()

    result = rel_checks.run_guarded(module, args, check=check)

    stats = vc.stats()
    requests = _requests(stats)
    report.add('bad_input', order=2100 + index, module=module, case=case, outcome=rel_report.outcome_of(result),
               vcenter_state=result.get('vcenter_state'), writes=stats['writes_attempted'], requests=requests,
               msg=result.get('msg'))
    rel_checks.assert_clean(result)
    assert stats['writes_attempted'] == 0, 'a write was sent for input that is refused: %r' % stats['write_log']
    assert result.get('failed') is True, 'accepted%s: %r' % (
        ' (check mode predicted success)' if check else '', result.get('msg', result))
    msg = result['msg']
    assert msg.startswith('Failed to '), msg
    for fragment in fragments:
        assert fragment in msg, 'expected %r in %r' % (fragment, msg)
    assert requests == 0, 'input that can be judged alone was sent to vCenter: %r' % stats['requests']
    assert result['vcenter_state'] == 'unchanged', result


def _dns_names(obj):
    try:
        ext = obj.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return ext.value.get_values_for_type(x509.DNSName)


def test_idna_san_in_csr(vc, tmp_path, report):
    dest = tmp_path / 'idna.csr'
    args = rel_run.connection(vc.port)
    args.update(_subject(subject_alt_name=['localhost', '127.0.0.1', IDNA_U], dest=str(dest), key_size=2048))
    vc.reset_stats()

    first = rel_checks.run_guarded('vcenter_csr', args)

    stats = vc.stats()
    names = []
    if dest.exists():
        names = _dns_names(x509.load_pem_x509_csr(dest.read_bytes()))
    row = report.add('hostile', order=700, klass='input that costs a write',
                     case='idna-csr: subject_alt_name %s; the CSR vCenter made carries %s' % (IDNA_U, names or '-'),
                     module='vcenter_csr', outcome=rel_report.outcome_of(first),
                     vcenter_state=first.get('vcenter_state'), writes=rel_checks.writes_of(stats), other_origin='-',
                     msg=first.get('msg'))
    rel_checks.assert_clean(first)
    assert not first.get('failed'), first.get('msg')
    assert IDNA_A in names and IDNA_U not in names, 'the CSR vCenter generated has DNS names %r' % names
    vc.reset_stats()
    second = rel_checks.run_guarded('vcenter_csr', args)
    row['outcome'] = '%s, rerun %s' % (row['outcome'], rel_report.outcome_of(second))
    rel_checks.assert_clean(second)
    assert not second.get('failed') and second['changed'] is False, 'not idempotent with an IDNA SAN: %r' % (
        second.get('msg') or second.get('actions'),)
    assert vc.stats()['writes_attempted'] == 0


def test_idna_san_vmca_signed(vc, report):
    args = rel_run.connection(vc.port)
    args.update(_subject(subject_alt_name=['localhost', '127.0.0.1', IDNA_U], state='vmca_signed', key_size=2048,
                         wait_timeout=60))
    vc.reset_stats()

    first = rel_checks.run_guarded('vcenter_tls_cert', args)

    vc.wait_idle()
    stats = vc.stats()
    with vc.rest() as rest:
        names = _dns_names(rest.tls_cert())
    row = report.add('hostile', order=701, klass='input that costs a write',
                     case='idna-vmca-signed: subject_alt_name %s; the certificate vCenter issued carries %s' % (
                         IDNA_U, names), module='vcenter_tls_cert', outcome=rel_report.outcome_of(first),
                     vcenter_state=first.get('vcenter_state'), writes=rel_checks.writes_of(stats), other_origin='-',
                     msg=first.get('msg'))
    rel_checks.assert_clean(first)
    assert not first.get('failed'), first.get('msg')
    assert IDNA_A in names and IDNA_U not in names, 'the certificate vCenter issued has DNS names %r' % names
    vc.reset_stats()
    second = rel_checks.run_guarded('vcenter_tls_cert', args)
    row['outcome'] = '%s, rerun %s' % (row['outcome'], rel_report.outcome_of(second))
    rel_checks.assert_clean(second)
    assert not second.get('failed') and second['changed'] is False, 'not idempotent with an IDNA SAN: %r' % (
        second.get('msg') or second.get('actions'),)


def test_weak_key_material_is_really_1024_bits(mat):
    """Guard of the case above: the refused key is what it claims to be."""
    key = serialization.load_pem_private_key(mat.weak.key_pem.encode('ascii'), password=None)
    assert key.key_size == 1024
