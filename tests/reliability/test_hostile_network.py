# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trust nothing on the wire (issue 15): redirects, unexpected 2xx answers, garbage after an applied write, a
hashed CA directory after a change, non-ASCII credentials.

The modules talk to a programmable HTTPS front (``rel_front.Front``) in front of the simulator, with
``vcenter_validate_certs: true`` and the suite root as ``vcenter_ca_path`` (the front's certificate is issued
by the suite's CA). Redirects point at recording listeners on 127.0.0.2 whose certificate the module would
also trust: any connection they receive is a leak. What vCenter really did is read from the simulator
(write log, raw REST client), never from the module under test.
"""

import json
import os
import re
import subprocess

import pytest

import rel_checks
import rel_front
import rel_pki
import rel_report
import rel_run
import rel_sim

P = rel_sim.P
API = '/api' + P


class Net(object):
    """The front, two recording listeners (plain HTTP and HTTPS) on 127.0.0.2, and the CA file."""

    def __init__(self, sim, pki, workdir):
        tls = rel_front.front_tls(pki)
        self.front = rel_front.Front(sim.port, tls)
        self.plain = rel_front.Recorder(tls=None)
        self.secure = rel_front.Recorder(tls=tls)
        self.ca_path = os.path.join(workdir, 'suite-root.pem')
        with open(self.ca_path, 'w') as handle:
            handle.write(pki.root.pem)

    def recorder(self, scheme):
        return self.secure if scheme == 'https' else self.plain

    def other_origin(self):
        return self.plain.snapshot() + self.secure.snapshot()

    def clear(self):
        self.front.clear()
        self.plain.clear()
        self.secure.clear()

    def args(self, **extra):
        args = rel_run.connection(self.front.port, vcenter_validate_certs=True, vcenter_ca_path=self.ca_path)
        args.update(extra)
        return args

    def close(self):
        self.front.close()
        self.plain.close()
        self.secure.close()


@pytest.fixture(scope='module')
def net(sim, pki, tmp_path_factory):
    network = Net(sim, pki, str(tmp_path_factory.mktemp('hostile-net')))
    yield network
    network.close()


@pytest.fixture
def hv(vc, net):
    """A fresh simulator behind a front with no rules and empty recorders."""
    net.clear()
    yield vc
    net.clear()


class Material(object):

    def __init__(self, pki):
        self.pki = pki
        self.leaf = pki.server()
        self.new_root = rel_pki.ca('Reliability Hostile New Root')

    def tls_present(self, **extra):
        args = dict(state='present', certificate=self.pki.server_chain_pem(self.leaf),
                    private_key=self.leaf.key_pem, root_certificate=self.pki.root.pem, wait_timeout=60)
        args.update(extra)
        return args


@pytest.fixture(scope='module')
def mat(pki):
    return Material(pki)


def _add_chain(hv, mat, chain_id='rel-x'):
    with hv.rest() as rest:
        rest.call('POST', P + '/trusted-root-chains', {'cert_chain': {'cert_chain': [mat.pki.extra_root.pem]},
                                                       'chain': chain_id})


def _chain_ids(hv):
    with hv.rest() as rest:
        return [item['chain'] for item in rest.call('GET', P + '/trusted-root-chains')]


def _tls_sha256(hv):
    hv.wait_idle()
    with hv.rest() as rest:
        return rel_pki.sha256(rest.tls_cert())


# ====================================================================== 1. redirects

# (id, module, args(mat), request method, request path (front rule), status, target scheme, is a write, setup)
REDIRECTS = [
    ('login-302-http', 'vcenter_tls_cert_info', lambda m: {}, 'POST', '/api/session', 302, 'http', False, None),
    ('login-307-https', 'vcenter_trusted_root_info', lambda m: {}, 'POST', '/api/session', 307, 'https', False,
     None),
    ('login-308-https-tls-present', 'vcenter_tls_cert', lambda m: m.tls_present(), 'POST', '/api/session', 308,
     'https', False, None),
    ('read-302-http-trusted-roots', 'vcenter_trusted_root_info', lambda m: {}, 'GET', '/trusted-root-chains$', 302,
     'http', False, None),
    ('read-301-https-tls', 'vcenter_tls_cert_info', lambda m: {}, 'GET', P + '/tls', 301, 'https', False, None),
    ('read-303-http-sts', 'vcenter_sts_signing_cert_info', lambda m: {}, 'GET', '/signing-certificate', 303, 'http',
     False, None),
    ('write-307-https-put-tls-with-key', 'vcenter_tls_cert', lambda m: m.tls_present(wait_timeout=5), 'PUT',
     P + '/tls', 307, 'https', True, None),
    ('write-308-http-put-tls-with-key', 'vcenter_tls_cert', lambda m: m.tls_present(wait_timeout=5), 'PUT',
     P + '/tls', 308, 'http', True, None),
    ('write-307-http-post-trusted-root', 'vcenter_trusted_root',
     lambda m: dict(certificates=m.new_root.pem, chain_id='rel-new'), 'POST', '/trusted-root-chains', 307, 'http',
     True, None),
    ('write-302-https-post-trusted-root', 'vcenter_trusted_root',
     lambda m: dict(certificates=m.new_root.pem), 'POST', '/trusted-root-chains', 302, 'https', True, None),
    ('write-303-http-delete-trusted-root', 'vcenter_trusted_root', lambda m: dict(state='absent', chain_id='rel-x'),
     'DELETE', '/trusted-root-chains/rel-x', 303, 'http', True, _add_chain),
    ('write-307-http-post-csr', 'vcenter_csr',
     lambda m: dict(common_name='localhost', organization='Reliability', locality='Berlin', state_or_province='Berlin',
                    country='DE', email_address='pki@reliability.test', subject_alt_name=['localhost', '127.0.0.1']),
     'POST', '/tls-csr', 307, 'http', True, None),
]


@pytest.mark.parametrize('index', range(len(REDIRECTS)), ids=[c[0] for c in REDIRECTS])
def test_redirect_never_followed(index, hv, net, mat, report):
    case_id, module, make_args, method, path, status, scheme, is_write, setup = REDIRECTS[index]
    if setup is not None:
        setup(hv, mat)
    target = net.recorder(scheme)
    rule = net.front.add(method=method, path=path, count=1,
                         redirect=(status, target.url(API + '/moved')))
    hv.reset_stats()

    result = rel_checks.run_guarded(module, net.args(**make_args(mat)))

    rel_front.wait_quiet()
    stats = hv.stats()
    leaked = net.other_origin()
    row = report.add('hostile', order=100 + index, klass='redirect', case='%s: %d to %s://127.0.0.2 on %s %s' % (
        case_id, status, scheme, method, path.rstrip('$')), module=module, outcome=rel_report.outcome_of(result),
        vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats), other_origin=len(leaked),
        msg=result.get('msg'))
    assert net.front.hits()[rule.id] == 1, 'the front never saw the request to redirect: %r' % net.front.log
    # ---- nothing reaches the other origin: no connection, so no session id, password or key either
    texts = '\n'.join(r['raw'].decode('utf-8', 'replace') for r in leaked)
    markers = [m for m in rel_pki.secret_markers() if m in texts]
    row['msg'] = row['msg'] or ''
    assert not leaked, 'the client followed the redirect to %s (%d connection(s); session header sent: %s; '\
        'secret markers sent: %d):\n%s' % (target.url(), len(leaked), 'vmware-api-session-id' in texts.lower(),
                                           len(markers), texts[:1500])
    rel_checks.assert_clean(result)
    assert result.get('failed') is True, 'a redirect must fail the run: %r' % result
    msg = result['msg']
    assert msg.startswith('Failed to '), msg
    assert 'redirect' in msg.lower() and str(status) in msg, msg
    # ---- nothing was written: the one write was redirected, and never resent elsewhere
    assert stats['writes_attempted'] == 0, stats['write_log']
    assert result['vcenter_state'] == 'unchanged', result
    hv.wait_idle()
    assert stats['active_sessions'] == 0 or hv.stats()['active_sessions'] == 0, 'a session was left open'


def test_redirect_on_logout_sends_nothing_elsewhere(hv, net, report):
    """The logout carries the session id: a redirect there must not be followed either (the run's own
    outcome is already decided; logout is best effort)."""
    target = net.plain
    net.front.add(method='DELETE', path='/api/session', count=1, redirect=(307, target.url('/api/session')))
    hv.reset_stats()
    result = rel_checks.run_guarded('vcenter_tls_cert_info', net.args())
    rel_front.wait_quiet()
    stats = hv.stats()
    leaked = net.other_origin()
    report.add('hostile', order=199, klass='redirect', case='logout: 307 to http://127.0.0.2 on DELETE /api/session',
               module='vcenter_tls_cert_info', outcome=rel_report.outcome_of(result),
               vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats),
               other_origin=len(leaked), msg=result.get('msg') or '; '.join(result.get('warnings') or []))
    texts = '\n'.join(r['raw'].decode('utf-8', 'replace') for r in leaked)
    assert not leaked, 'the logout followed the redirect (session header sent: %s):\n%s' % (
        'vmware-api-session-id' in texts.lower(), texts[:1500])
    rel_checks.assert_clean(result)


def test_redirect_to_the_same_origin_not_followed(hv, net, report):
    """vCenter's API never redirects: a 3xx is an error even when it points back at the same host and port."""
    moved = API + '/moved-here'
    net.front.add(method='GET', path='/trusted-root-chains$', count=1,
                  redirect=(302, 'https://127.0.0.1:%d%s' % (net.front.port, moved)))
    hv.reset_stats()
    result = rel_checks.run_guarded('vcenter_trusted_root_info', net.args())
    followed = [e for e in net.front.log if e['path'].startswith(moved)]
    stats = hv.stats()
    report.add('hostile', order=198, klass='redirect',
               case='same-origin: 302 to https://127.0.0.1:<front port> on GET /trusted-root-chains',
               module='vcenter_trusted_root_info', outcome=rel_report.outcome_of(result),
               vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats),
               other_origin='%d (followed to the same origin: %d)' % (len(net.other_origin()), len(followed)),
               msg=result.get('msg'))
    rel_checks.assert_clean(result)
    assert not followed, 'the redirect was followed: %r' % followed
    assert result.get('failed') is True and result['msg'].startswith('Failed to '), result
    assert 'redirect' in result['msg'].lower() and '302' in result['msg'], result['msg']
    assert result['vcenter_state'] == 'unchanged'


# ====================================================================== 2. unexpected 2xx answers to reads

JSON = 'application/json'
CUT = dict(status=200, content_type=JSON, body='[{"chain": "rel-x"}, {"chain": "' + 'A' * 400 + '"}]', cut=40)
UNEXPECTED_RE = re.compile(r'unexpected|not understood|understand', re.I)
CUT_RE = re.compile(r'unexpected|not understood|understand|incomplete|truncated|cut|broken|ended', re.I)


def _absent(m):
    return dict(state='absent', chain_id='rel-x')


def _absent_by_cert(m):
    return dict(state='absent', certificates=m.pki.extra_root.pem)


def _present_new(m):
    return dict(certificates=m.new_root.pem, chain_id='rel-new')


# (id, module, args(mat), rule path, answer, endpoint name the message must carry, setup)
ANSWERS = [
    ('html-list-absent', 'vcenter_trusted_root', _absent, '/trusted-root-chains$',
     dict(status=200, content_type='text/html; charset=utf-8', body=rel_front.HTML_PAGE), '/trusted-root-chains',
     _add_chain),
    ('html-list-present', 'vcenter_trusted_root', _present_new, '/trusted-root-chains$',
     dict(status=200, content_type='text/html', body=rel_front.HTML_PAGE), '/trusted-root-chains', None),
    ('json-string-for-list', 'vcenter_trusted_root', _absent, '/trusted-root-chains$',
     dict(status=200, content_type=JSON, body='"rel-x"'), '/trusted-root-chains', _add_chain),
    ('list-of-strings-for-list', 'vcenter_trusted_root_info', lambda m: {}, '/trusted-root-chains$',
     dict(status=200, content_type=JSON, body='["rel-x", "other"]'), '/trusted-root-chains', _add_chain),
    ('dict-for-list', 'vcenter_trusted_root', _absent_by_cert, '/trusted-root-chains$',
     dict(status=200, content_type=JSON, body='{"chain": "rel-x"}'), '/trusted-root-chains', _add_chain),
    ('chain-missing-cert_chain', 'vcenter_trusted_root', _absent_by_cert, '/trusted-root-chains/rel-x',
     dict(status=200, content_type=JSON, body='{"chain": "rel-x"}'), '/trusted-root-chains/rel-x', _add_chain),
    ('json-string-for-tls', 'vcenter_tls_cert_info', lambda m: {}, P + '/tls',
     dict(status=200, content_type=JSON, body='"ok"'), '/tls', None),
    ('tls-missing-fields', 'vcenter_tls_cert', lambda m: m.tls_present(), P + '/tls',
     dict(status=200, content_type=JSON, body='{"version": 3}'), '/tls', None),
    ('html-tls-renewed', 'vcenter_tls_cert', lambda m: dict(state='renewed'), P + '/tls',
     dict(status=200, content_type='text/html', body=rel_front.HTML_PAGE), '/tls', None),
    ('list-for-sts', 'vcenter_sts_signing_cert_info', lambda m: {}, '/signing-certificate',
     dict(status=200, content_type=JSON, body='[]'), '/signing-certificate', None),
    ('html-login', 'vcenter_tls_cert_info', lambda m: {}, '/api/session',
     dict(status=200, content_type='text/html', body=rel_front.HTML_PAGE), '/session', None),
    ('cut-body-list-absent', 'vcenter_trusted_root', _absent, '/trusted-root-chains$', CUT, '/trusted-root-chains',
     _add_chain),
    ('cut-body-tls', 'vcenter_tls_cert_info', lambda m: {}, P + '/tls',
     dict(status=200, content_type=JSON, body='{"cert": "-----BEGIN CERTIFICATE-----\\nMIIB' + 'A' * 500 + '"}',
          cut=60), '/tls', None),
]


@pytest.mark.parametrize('index', range(len(ANSWERS)), ids=[c[0] for c in ANSWERS])
def test_unexpected_answer_to_a_read(index, hv, net, mat, report):
    case_id, module, make_args, path, answer, endpoint, setup = ANSWERS[index]
    if setup is not None:
        setup(hv, mat)
    before = _chain_ids(hv)
    method = 'POST' if path == '/api/session' else 'GET'
    net.front.add(method=method, path=path, count=None, answer=answer)  # every time: retries see it too
    hv.reset_stats()

    result = rel_checks.run_guarded(module, net.args(**make_args(mat)))

    stats = hv.stats()
    net.front.clear()
    row = report.add('hostile', order=200 + index, klass='unexpected 2xx (read)', case='%s: %s %s answers %s' % (
        case_id, method, path.rstrip('$'), _describe(answer)), module=module, outcome=rel_report.outcome_of(result),
        vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats),
        other_origin=len(net.other_origin()), msg=result.get('msg'))
    rel_checks.assert_clean(result)
    assert stats['writes_attempted'] == 0, 'an answer that was not understood led to a write: %r' % stats['write_log']
    assert _chain_ids(hv) == before
    assert result.get('failed') is True, 'an answer that was not understood was taken as a valid (empty?) one: %r' % (
        dict((k, v) for k, v in result.items() if k not in ('invocation',)),)
    msg = result['msg']
    assert msg.startswith('Failed to '), msg
    assert endpoint in msg, 'the message must name the endpoint (%s): %s' % (endpoint, msg)
    assert (CUT_RE if answer.get('cut') else UNEXPECTED_RE).search(msg), \
        'the message must say the answer was unexpected / not understood: %s' % msg
    assert result['vcenter_state'] == 'unchanged', result
    row['checked'] = True


def _describe(answer):
    if answer.get('cut') is not None:
        return '%d with a body cut after %d of %d bytes' % (answer['status'], answer['cut'], len(answer['body']))
    body = answer['body'] if isinstance(answer['body'], str) else answer['body'].decode('utf-8')
    kind = 'an HTML page' if 'html' in answer['content_type'] else body
    return '%d %s' % (answer['status'], kind if len(kind) < 40 else kind[:37] + '...')


# ====================================================================== 3. garbage after an applied write

# (id, module, args(mat), method, rule path, forward_then, how to tell it was applied)
AFTER_WRITE = [
    ('post-root-html', 'vcenter_trusted_root', _present_new, 'POST', '/trusted-root-chains',
     dict(status=200, content_type='text/html', body=rel_front.HTML_PAGE), 'root'),
    ('post-root-cut', 'vcenter_trusted_root', _present_new, 'POST', '/trusted-root-chains',
     dict(status=201, content_type=JSON, body='"rel-new' + ' ' * 200 + '"', cut=5), 'root'),
    ('post-root-break', 'vcenter_trusted_root', _present_new, 'POST', '/trusted-root-chains', 'break', 'root'),
    ('post-root-no-id-html', 'vcenter_trusted_root', lambda m: dict(certificates=m.new_root.pem), 'POST',
     '/trusted-root-chains', dict(status=201, content_type='text/html', body=rel_front.HTML_PAGE), 'root'),
    ('put-tls-cut', 'vcenter_tls_cert', lambda m: m.tls_present(wait=False), 'PUT', P + '/tls',
     dict(status=200, content_type=JSON, body=' ' * 300, cut=10), 'tls'),
    ('put-tls-html', 'vcenter_tls_cert', lambda m: m.tls_present(wait=False), 'PUT', P + '/tls',
     dict(status=200, content_type='text/html', body=rel_front.HTML_PAGE), 'tls'),
    ('put-tls-break', 'vcenter_tls_cert', lambda m: m.tls_present(wait=False), 'PUT', P + '/tls', 'break', 'tls'),
]


@pytest.mark.parametrize('index', range(len(AFTER_WRITE)), ids=[c[0] for c in AFTER_WRITE])
def test_garbage_after_applied_write(index, hv, net, mat, report):
    case_id, module, make_args, method, path, then, what = AFTER_WRITE[index]
    before_tls = _tls_sha256(hv)
    net.front.add(method=method, path=path, count=1, forward_then=then)
    hv.reset_stats()

    result = rel_checks.run_guarded(module, net.args(**make_args(mat)))

    hv.wait_idle()
    stats = hv.stats()
    writes = [w for w in stats['write_log'] if w['method'] == method and path in w['path']]
    if what == 'root':
        with hv.rest() as rest:
            applied = any(rel_pki.sha256(c) == rel_pki.sha256(mat.new_root.cert)
                          for chain in rest.trusted_roots().values() for c in chain)
    else:
        applied = _tls_sha256(hv) == mat.leaf.sha256 != before_tls
    row = report.add('hostile', order=300 + index, klass='garbage after an applied write',
                     case='%s: %s %s forwarded and applied, then %s' % (
                         case_id, method, path, 'the connection breaks mid-status-line' if then == 'break'
                         else 'answered ' + _describe(then)),
                     module=module, outcome=rel_report.outcome_of(result), vcenter_state=result.get('vcenter_state'),
                     writes=rel_checks.writes_of(stats), other_origin=len(net.other_origin()),
                     msg=result.get('msg') or '; '.join('warning: %s' % w for w in result.get('warnings') or []))
    assert len(writes) == 1 and applied, 'the write did not reach the simulator once: %r' % stats['write_log']
    rel_checks.assert_clean(result)
    if result.get('failed'):
        assert result['msg'].startswith('Failed to '), result['msg']
        assert result['vcenter_state'] == 'changed', 'the change WAS applied: %r' % result
    else:
        assert result['changed'] is True, result
        assert any('WAS applied' in w for w in result.get('warnings') or []), \
            'the answer to the write was not understood: a success must warn that the change WAS applied ' \
            '(read back), not look like a clean run: %r' % result.get('warnings')
    hv.wait_idle()
    assert hv.stats()['active_sessions'] == 0, 'a session was left open'


def _openssl_hash(pem_path):
    return subprocess.run(['openssl', 'x509', '-hash', '-noout', '-in', pem_path], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_hashed_ca_directory_after_a_change(hv, mat, tmp_path, report):
    """vcenter_ca_path is a hashed CA directory (like /etc/ssl/certs): after installing a certificate under a
    new root, the module trusts that root too (``trust_additional``), which must not crash."""
    directory = tmp_path / 'certs'
    directory.mkdir()
    vmca = tmp_path / 'vmca.pem'
    vmca.write_text(hv.vmca_root()['pem'])
    (directory / ('%s.0' % _openssl_hash(str(vmca)))).write_text(vmca.read_text())
    (directory / 'unrelated.pem').write_text(mat.pki.other_root.pem)  # a directory holds other files too
    args = rel_run.connection(hv.port, vcenter_validate_certs=True, vcenter_ca_path=str(directory))
    args.update(mat.tls_present(wait_timeout=30))
    hv.reset_stats()

    result = rel_checks.run_guarded('vcenter_tls_cert', args)

    hv.wait_idle()
    stats = hv.stats()
    applied = _tls_sha256(hv) == mat.leaf.sha256
    report.add('hostile', order=400, klass='garbage after an applied write',
               case='hashed-ca-dir: vcenter_ca_path is a directory of <hash>.0 files; state=present under a new root',
               module='vcenter_tls_cert', outcome=rel_report.outcome_of(result),
               vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats), other_origin='-',
               msg=result.get('msg') or '; '.join('warning: %s' % w for w in result.get('warnings') or []))
    rel_checks.assert_clean(result)
    assert applied, 'the certificate was not installed: %r' % result
    if result.get('failed'):
        assert result['vcenter_state'] == 'changed', result
    else:
        assert result['changed'] is True, result
    assert hv.stats()['active_sessions'] == 0


# ====================================================================== 5. non-ASCII credentials

CREDENTIALS = [
    # id, username, password
    ('latin1-password', rel_pki.ADMIN, 'pässwörd-%s' % rel_pki.SIM_PASSWORD[-6:]),
    ('euro-password', rel_pki.ADMIN, 'pässwörd€-%s' % rel_pki.SIM_PASSWORD[-6:]),
    ('umlaut-user-euro-password', 'verwaltür@vsphere.local', 'Pässwörd€ü-%s' % rel_pki.SIM_PASSWORD[-6:]),
]


@pytest.fixture(scope='module', params=CREDENTIALS, ids=[c[0] for c in CREDENTIALS])
def utf8_sim(request, tmp_path_factory):
    case_id, username, password = request.param
    proc = rel_sim.Simulator(str(tmp_path_factory.mktemp('certsim-utf8')), '--username', username,
                             '--initial-key-size', '2048', password=password)
    yield case_id, username, password, proc
    assert proc.stop() == 0


def test_non_ascii_credentials(utf8_sim, report):
    case_id, username, password, proc = utf8_sim
    control = proc.control()
    control.reset_stats()
    simulator_accepts, raw_error = True, ''
    try:
        with rel_sim.Rest(proc.port, username=username, password=password):
            pass
    except AssertionError as exc:
        simulator_accepts, raw_error = False, ' (%s)' % exc
    control.reset_stats()
    args = rel_run.connection(proc.port, vcenter_username=username, vcenter_password=password)

    result = rel_checks.run_guarded('vcenter_tls_cert_info', args)

    stats = control.stats()
    report.add('hostile', order=500 + [c[0] for c in CREDENTIALS].index(case_id), klass='non-ASCII credentials',
               case='%s: user %s, password with %s (simulator accepts UTF-8 Basic auth: %s)' % (
                   case_id, 'ASCII' if username.isascii() else 'non-ASCII (ü)',
                   'ä/ö/€/ü' if '€' in password else 'ä/ö', 'yes' if simulator_accepts else 'NO' + raw_error),
               module='vcenter_tls_cert_info', outcome=rel_report.outcome_of(result),
               vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats), other_origin='-',
               msg=result.get('msg'))
    rel_checks.assert_clean(result)  # the collection's own: whatever the simulator does, never a traceback
    assert simulator_accepts, 'the simulator refuses a UTF-8 Basic auth login by the raw client (a simulator ' \
        'bug, not the collection\'s)%s' % raw_error
    assert not result.get('failed'), 'the module could not log in with UTF-8 credentials: %r' % result.get('msg')
    assert stats['logins'] == 1 and stats['active_sessions'] == 0, stats
    assert password not in str(result)


# ====================================================================== 4. the same, through real ansible-playbook

PLAYBOOK = r'''
- name: Hostile network, as a user runs it
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/certops.vcenter.vcenter: "{{ conn }}"
  tasks:
    - name: Login redirected to a plain-HTTP origin
      certops.vcenter.vcenter_trusted_root_info:
      register: r_redirect
      ignore_errors: true

    - name: Machine SSL certificate read, body cut mid-way
      certops.vcenter.vcenter_tls_cert_info:
      register: r_cut
      ignore_errors: true

    - name: Trusted root chains answered by an HTML page
      certops.vcenter.vcenter_trusted_root:
        state: absent
        chain_id: rel-x
      register: r_html
      ignore_errors: true

    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'redirect': r_redirect, 'cut': r_cut, 'html': r_html} | to_json }}"
        dest: "{{ playbook_dir }}/results.json"
        mode: '0600'
'''


def test_hostile_network_through_ansible_playbook(hv, net, mat, tmp_path, report):
    """Real ansible-playbook runs: the module runs in its own process, so a traceback would reach the user as
    ``module_stderr`` / ``MODULE FAILURE``; none may, and nothing may reach the other origin."""
    _add_chain(hv, mat)
    net.front.add(method='POST', path='/api/session', count=1, redirect=(302, net.plain.url(API + '/moved')))
    net.front.add(method='GET', path=P + '/tls', count=None,
                  answer=dict(status=200, content_type=JSON, body='{"cert": "' + 'A' * 400 + '"}', cut=30))
    net.front.add(method='GET', path='/trusted-root-chains$', count=None,
                  answer=dict(status=200, content_type='text/html', body=rel_front.HTML_PAGE))
    workdir = str(tmp_path)
    with open(os.path.join(workdir, 'play.yml'), 'w') as handle:
        handle.write(PLAYBOOK)
    with open(os.path.join(workdir, 'conn.json'), 'w') as handle:
        json.dump({'conn': net.args()}, handle)
    hv.reset_stats()

    proc = rel_run.ansible_playbook(workdir, os.path.join(workdir, 'play.yml'), '-e', '@conn.json')

    rel_front.wait_quiet()
    stats = hv.stats()
    leaked = net.other_origin()
    output = proc.stdout + proc.stderr
    results = {}
    if os.path.exists(os.path.join(workdir, 'results.json')):
        with open(os.path.join(workdir, 'results.json')) as handle:
            results = json.load(handle)
    for index, (name, label) in enumerate((
            ('redirect', 'login 302 to http://127.0.0.2'), ('cut', 'GET tls body cut mid-way'),
            ('html', 'GET trusted-root-chains answers HTML, state=absent'))):
        result = results.get(name) or {}
        report.add('hostile', order=800 + index, klass='through ansible-playbook', case=label,
                   module={'redirect': 'vcenter_trusted_root_info', 'cut': 'vcenter_tls_cert_info',
                           'html': 'vcenter_trusted_root'}[name],
                   outcome=rel_report.outcome_of(result) if result else 'no result',
                   vcenter_state=result.get('vcenter_state'), writes=rel_checks.writes_of(stats),
                   other_origin=len(leaked) if name == 'redirect' else '-', msg=result.get('msg'))
    assert results, 'the playbook did not finish:\n%s' % output[-3000:]
    assert 'Traceback' not in output, 'a Python traceback reached the user:\n%s' % output[-4000:]
    for name in ('redirect', 'cut', 'html'):
        rel_checks.assert_clean(results[name])
    assert not leaked, 'the client followed the redirect to another origin'
    for name, fragment in (('redirect', 'redirect'), ('cut', '/tls'), ('html', '/trusted-root-chains')):
        result = results[name]
        assert result.get('failed') is True, '%s: %r' % (name, result)
        assert result['msg'].startswith('Failed to ') and fragment in result['msg'].lower(), result['msg']
        assert result['vcenter_state'] == 'unchanged', result
    assert stats['writes_attempted'] == 0, stats['write_log']
    assert 'rel-x' in _chain_ids(hv)
