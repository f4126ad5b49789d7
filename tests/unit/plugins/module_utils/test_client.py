# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VCenterClient with a fake ``requests`` session: dialects, status policy, retries, re-login, logout, trust."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest
import requests

from ansible_collections.certops.vcenter.plugins.module_utils import _client
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    AuthenticationError,
    ConnectionFailure,
    NotFoundError,
    ServiceUnavailableError,
    UnsupportedVersionError,
    VCenterError,
    WaitTimeoutError,
)

TOKEN = 'b00dcafe'


class FakeResponse(object):
    def __init__(self, status, body=None, reason='Reason', headers=None, content=None):
        self.status_code = status
        self._body = body
        self.content = content if content is not None else (b'' if body is None else json.dumps(body).encode('utf-8'))
        self.reason = reason
        self.headers = headers if headers is not None else (
            {} if body is None else {'Content-Type': 'application/json'})

    def json(self):
        if self._body is None:
            return json.loads(self.content.decode('utf-8'))  # raises ValueError for what is not JSON
        return self._body


class FakeSession(object):
    """Answers requests from a script (responses or exceptions, in order) and records them."""

    def __init__(self, script, verify):
        self.script = list(script)
        self.headers = {}
        self.verify = verify
        self.requests = []
        self.deleted = []
        self.closed = 0
        self.delete_error = None

    def request(self, method, url, **kwargs):
        self.requests.append({'method': method, 'url': url, 'headers': dict(self.headers), 'json': kwargs.get('json'),
                              'auth': kwargs.get('auth'), 'verify': kwargs.get('verify'),
                              'allow_redirects': kwargs.get('allow_redirects', True)})
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def delete(self, url, **kwargs):
        self.deleted.append((url, kwargs.get('headers'), kwargs.get('verify')))
        if self.delete_error is not None:
            raise self.delete_error

    def close(self):
        self.closed += 1

    def mount(self, prefix, adapter):
        pass


class _Request(object):
    def __init__(self):
        self.headers = {}


def _auth_header(auth):
    """The Authorization header the client's auth object puts on a request."""
    return auth(_Request()).headers['Authorization']


def make_client(script, sleeps=None, **kwargs):
    options = dict(hostname='vc.example.com', username='admin', password='pw', retries=3, backoff=0.5)
    options.update(kwargs)
    client = _client.VCenterClient(**options)
    client._session = FakeSession(script, client._session.verify)
    recorded = sleeps if sleeps is not None else []
    client._sleep = recorded.append
    return client


def api_error(status, error_type, text):
    return FakeResponse(status, {'error_type': error_type,
                                 'messages': [{'id': 'x', 'default_message': text, 'args': []}]})


def rest_error(status, kind, text):
    return FakeResponse(status, {'type': 'com.vmware.vapi.std.errors.%s' % kind,
                                 'value': {'messages': [{'id': 'x', 'default_message': text, 'args': []}]}})


def login_api():
    return FakeResponse(201, TOKEN)


# --------------------------------------------------------------------------- login and dialects

def test_login_api_sends_basic_auth_and_keeps_the_token():
    client = make_client([login_api(), FakeResponse(200, {'cert': 'x'})])
    assert client.call('GET', '/vcenter/x', 'read x') == {'cert': 'x'}
    login, read = client._session.requests
    assert (login['method'], login['url']) == ('POST', 'https://vc.example.com:443/api/session')
    assert _auth_header(login['auth']) == 'Basic YWRtaW46cHc='  # admin:pw
    assert read['url'] == 'https://vc.example.com:443/api/vcenter/x'
    assert read['headers'][_client.SESSION_HEADER] == TOKEN
    assert read['auth'] is None
    assert client.dialect == 'api'


def test_login_falls_back_to_rest_on_old_vcenter():
    client = make_client([FakeResponse(404, None), FakeResponse(200, {'value': TOKEN}),
                          FakeResponse(200, {'value': {'cert': 'x'}})])
    assert client.call('GET', '/vcenter/x', 'read x') == {'cert': 'x'}
    urls = [r['url'] for r in client._session.requests]
    assert urls == ['https://vc.example.com:443/api/session', 'https://vc.example.com:443/rest/com/vmware/cis/session',
                    'https://vc.example.com:443/rest/vcenter/x']
    assert client.dialect == 'rest'


def test_login_with_forced_dialect_tries_only_that_one():
    client = make_client([FakeResponse(200, {'value': TOKEN})], api='rest')
    client.login()
    assert [r['url'] for r in client._session.requests] == ['https://vc.example.com:443/rest/com/vmware/cis/session']


def test_login_refused():
    client = make_client([api_error(401, 'UNAUTHENTICATED', 'Authentication required.')])
    with pytest.raises(AuthenticationError) as exc:
        client.login()
    assert exc.value.message == 'Failed to log in to vCenter: Authentication required. (HTTP 401, UNAUTHENTICATED)'
    assert 'pw' not in exc.value.message


def test_login_needs_credentials_before_any_request():
    client = make_client([], password=None)
    with pytest.raises(AuthenticationError) as exc:
        client.login()
    assert 'vcenter_username and vcenter_password are required' in exc.value.message
    assert client._session.requests == []


def test_login_without_token():
    client = make_client([FakeResponse(201, {'not': 'a token'})])
    with pytest.raises(VCenterError) as exc:
        client.login()
    assert 'without a session token' in exc.value.message


# --------------------------------------------------------------------------- bodies and results

@pytest.mark.parametrize('dialect, kwargs, body, url_suffix', [
    ('api', {'spec': {'cert': 'c'}}, {'cert': 'c'}, '/api/vcenter/tls'),
    ('rest', {'spec': {'cert': 'c'}}, {'spec': {'cert': 'c'}}, '/rest/vcenter/tls'),
    ('api', {'params': {'duration': 30}, 'action': 'renew'}, {'duration': 30}, '/api/vcenter/tls?action=renew'),
    ('rest', {'params': {'duration': 30}, 'action': 'renew'}, {'duration': 30}, '/rest/vcenter/tls?action=renew'),
    ('api', {'spec': {}, 'action': 'replace-vmca-signed'}, {}, '/api/vcenter/tls?action=replace-vmca-signed'),
    ('api', {}, None, '/api/vcenter/tls'),
])
def test_bodies_per_dialect(dialect, kwargs, body, url_suffix):
    login = login_api() if dialect == 'api' else FakeResponse(200, {'value': TOKEN})
    client = make_client([login, FakeResponse(204 if dialect == 'api' else 200, None)], api=dialect)
    assert client.call('POST', '/vcenter/tls', 'change tls', **kwargs) is None
    sent = client._session.requests[1]
    assert sent['json'] == body
    assert sent['url'] == 'https://vc.example.com:443' + url_suffix


@pytest.mark.parametrize('dialect, answer, expected', [
    ('api', FakeResponse(200, [{'chain': 'A'}]), [{'chain': 'A'}]),
    ('rest', FakeResponse(200, {'value': [{'chain': 'A'}]}), [{'chain': 'A'}]),
    ('api', FakeResponse(201, 'new-id'), 'new-id'),
    ('rest', FakeResponse(200, {'value': 'new-id'}), 'new-id'),
    ('api', FakeResponse(200, {'value': 1, 'other': 2}), {'value': 1, 'other': 2}),
    ('api', FakeResponse(204, None), None),
])
def test_results_are_unwrapped(dialect, answer, expected):
    login = login_api() if dialect == 'api' else FakeResponse(200, {'value': TOKEN})
    client = make_client([login, answer], api=dialect)
    assert client.call('GET', '/x', 'read x') == expected


@pytest.mark.parametrize('answer, klass, message, error_type', [
    (api_error(404, 'NOT_FOUND', 'No such chain.'), NotFoundError, 'No such chain. (HTTP 404, NOT_FOUND)', 'NOT_FOUND'),
    (api_error(400, 'ALREADY_EXISTS', 'Exists.'), VCenterError, 'Exists. (HTTP 400, ALREADY_EXISTS)', 'ALREADY_EXISTS'),
    (api_error(500, 'ERROR', 'Invalid input certificate.'), VCenterError,
     'Invalid input certificate. (HTTP 500, ERROR)', 'ERROR'),
    (rest_error(404, 'not_found', 'Gone.'), NotFoundError, 'Gone. (HTTP 404, NOT_FOUND)', 'NOT_FOUND'),
    (FakeResponse(400, None, reason='Bad Request'), VCenterError, 'Bad Request (HTTP 400)', None),
])
def test_errors_are_classified(answer, klass, message, error_type):
    client = make_client([login_api(), answer])
    with pytest.raises(klass) as exc:
        client.call('PUT', '/vcenter/tls', 'replace the machine SSL certificate', spec={'cert': 'c'})
    assert exc.value.message == 'Failed to replace the machine SSL certificate: ' + message
    assert exc.value.error_type == error_type
    assert exc.value.to_fail_kwargs()['path'] == '/api/vcenter/tls'
    assert exc.value.to_fail_kwargs()['method'] == 'PUT'


# --------------------------------------------------------------------------- retries and re-login

def test_read_is_retried_on_503_with_backoff():
    sleeps = []
    client = make_client([login_api(), api_error(503, 'SERVICE_UNAVAILABLE', 'Service unavailable.'),
                          api_error(503, 'SERVICE_UNAVAILABLE', 'Service unavailable.'), FakeResponse(200, {'a': 1})],
                         sleeps=sleeps)
    assert client.call('GET', '/x', 'read x') == {'a': 1}
    assert sleeps == [0, 1]


def test_read_gives_up_after_the_retries():
    client = make_client([login_api()] + [api_error(503, 'SERVICE_UNAVAILABLE', 'Service unavailable.')] * 4)
    with pytest.raises(ServiceUnavailableError):
        client.call('GET', '/x', 'read x')
    assert len(client._session.requests) == 5


def test_write_is_not_retried_on_503():
    client = make_client([login_api(), api_error(503, 'SERVICE_UNAVAILABLE', 'Service unavailable.')])
    with pytest.raises(ServiceUnavailableError):
        client.call('PUT', '/x', 'write x', spec={})
    assert len(client._session.requests) == 2


def test_expired_session_logs_in_again_and_resends_once():
    client = make_client([login_api(), api_error(401, 'UNAUTHENTICATED', 'expired'), FakeResponse(201, 'second'),
                          FakeResponse(204, None)])
    assert client.call('PUT', '/x', 'write x', spec={'a': 1}) is None
    methods = [(r['method'], r['url'].rsplit('/', 1)[-1]) for r in client._session.requests]
    assert methods == [('POST', 'session'), ('PUT', 'x'), ('POST', 'session'), ('PUT', 'x')]
    assert client._session.requests[3]['headers'][_client.SESSION_HEADER] == 'second'


def test_connection_error_on_read_is_retried():
    client = make_client([login_api(), requests.exceptions.ConnectionError('Connection reset by peer'),
                          FakeResponse(200, {'a': 1})])
    assert client.call('GET', '/x', 'read x') == {'a': 1}


def test_connection_error_on_write_is_ambiguous():
    client = make_client([login_api(), requests.exceptions.ConnectionError('Connection reset by peer')])
    with pytest.raises(ConnectionFailure) as exc:
        client.call('PUT', '/x', 'write x', spec={})
    assert exc.value.ambiguous is True
    assert 'no answer from https://vc.example.com:443' in exc.value.message


def test_refused_connection_on_write_is_not_ambiguous():
    client = make_client([login_api(), requests.exceptions.ConnectionError('NewConnectionError: Connection refused')])
    with pytest.raises(ConnectionFailure) as exc:
        client.call('PUT', '/x', 'write x', spec={})
    assert exc.value.ambiguous is False


def test_timeout_names_the_option():
    client = make_client([login_api(), requests.exceptions.ReadTimeout('read timed out')], timeout=7)
    with pytest.raises(ConnectionFailure) as exc:
        client.call('POST', '/x', 'write x', spec={})
    assert 'vCenter did not answer within vcenter_timeout (7s)' in exc.value.message


def test_tls_verification_failure_explains_the_fix():
    client = make_client([requests.exceptions.SSLError('certificate verify failed')])
    with pytest.raises(ConnectionFailure) as exc:
        client.login()
    assert 'set vcenter_ca_path to a bundle that holds vCenter\'s root CA' in exc.value.message


# --------------------------------------------------------------------------- verification and logout

@pytest.mark.parametrize('validate, ca_path, expected', [(True, None, True), (True, '/ca.pem', '/ca.pem'),
                                                         (False, '/ca.pem', False)])
def test_verify_is_passed_with_every_request(validate, ca_path, expected):
    client = make_client([login_api()], validate_certs=validate, ca_path=ca_path)
    client.login()
    assert client._session.requests[0]['verify'] == expected


@pytest.mark.parametrize('dialect, path', [('api', '/api/session'), ('rest', '/rest/com/vmware/cis/session')])
def test_close_logs_out(dialect, path):
    login = login_api() if dialect == 'api' else FakeResponse(200, {'value': TOKEN})
    client = make_client([login], api=dialect)
    client.login()
    client.close()
    assert client._session.deleted == [('https://vc.example.com:443' + path, {_client.SESSION_HEADER: TOKEN}, True)]
    assert client._session.closed == 1
    assert client.logged_in is False


def test_close_never_raises_and_skips_logout_without_session():
    client = make_client([login_api()])
    client.close()
    assert client._session.deleted == []
    client.login()
    client._session.delete_error = requests.exceptions.ConnectionError('gone')
    client.close()
    assert len(client._session.deleted) == 1


def test_trust_additional_extends_the_bundle(tmp_path):
    base = tmp_path / 'ca.pem'
    base.write_text('BASE\n')
    client = make_client([], ca_path=str(base))
    client.trust_additional(['ROOT1', 'ROOT2\n'])
    extra = client._session.verify
    assert extra != str(base)
    with open(extra) as handle:
        assert handle.read() == 'BASE\nROOT1\nROOT2\n'
    client.close()
    assert not os.path.exists(extra)


def test_trust_additional_is_a_no_op_without_verification():
    client = make_client([], validate_certs=False)
    client.trust_additional(['ROOT'])
    assert client._session.verify is False


# --------------------------------------------------------------------------- versions

@pytest.mark.parametrize('text, expected', [('8.0.3.00100', (8, 0, 3)), ('7.0.0', (7, 0, 0)), ('6.7', (6, 7, 0)),
                                            ('9.1.1a', (9, 1, 1)), ('', (0, 0, 0))])
def test_parse_version(text, expected):
    assert _client.parse_version(text) == expected


@pytest.mark.parametrize('version, expected', [((7, 0, 3), '7.0 U3'), ((8, 0, 0), '8.0'), ((6, 7), '6.7'),
                                               ((9, 1, 1), '9.1.1'), ((9, 0, 0), '9.0')])
def test_format_version(version, expected):
    assert _client.format_version(version) == expected


@pytest.mark.parametrize('value, expected', [('a/b c', 'a%2Fb%20c'), ('ABC123', 'ABC123'), (42, '42')])
def test_quote_id(value, expected):
    assert _client.quote_id(value) == expected


def test_require_on_api_costs_no_request_for_old_features():
    client = make_client([login_api()])
    client.require((7, 0, 0), 'feature')
    assert len(client._session.requests) == 1  # the login only


def test_require_reads_the_version_on_rest():
    client = make_client([FakeResponse(200, {'value': TOKEN}),
                          FakeResponse(200, {'value': {'version': '6.7.0.30000'}})], api='rest')
    with pytest.raises(UnsupportedVersionError) as exc:
        client.require((7, 0, 0), 'a feature')
    assert exc.value.message == 'Failed to use a feature: a feature needs vCenter 7.0 or later; this vCenter is 6.7.0'
    client.require((6, 7, 0), 'a feature')  # cached: no second read
    assert len(client._session.requests) == 2


def test_require_api_only_feature_on_rest():
    client = make_client([FakeResponse(200, {'value': TOKEN}),
                          FakeResponse(200, {'value': {'version': '7.0.3.00100'}})], api='rest')
    with pytest.raises(UnsupportedVersionError) as exc:
        client.require((7, 0, 3), 'the STS API', api_only=True)
    assert 'exists only in the /api dialect' in exc.value.message


def test_explain_not_found_turns_404_into_a_version_error():
    client = make_client([login_api(), FakeResponse(200, {'version': '7.0.2.00100'})])
    client.login()
    error = NotFoundError('read x', 'not found (HTTP 404)', status=404)
    explained = client.explain_not_found(error, (7, 0, 3), 'the STS API')
    assert isinstance(explained, UnsupportedVersionError)
    assert 'needs vCenter 7.0 U3 or later; this vCenter is 7.0.2' in explained.message
    assert client.explain_not_found(error, (7, 0, 0), 'x') is error


# --------------------------------------------------------------------------- waiting for a restart

def test_wait_until_serving_waits_for_the_new_certificate(monkeypatch):
    client = make_client([login_api(), api_error(503, 'SERVICE_UNAVAILABLE', 'Service unavailable.'),
                          login_api()], retries=0)
    client.login()
    served = iter([b'old', b'new', b'new'])
    monkeypatch.setattr(client, 'served_certificate_der', lambda: next(served))
    client.wait_until_serving('NEW', 'replace it', 10, lambda der: der.decode().upper(), interval=0)
    assert client.logged_in
    assert len(client._session.requests) == 3  # first login, refused login (503), login with the new certificate


def test_wait_until_serving_times_out_saying_the_change_was_applied(monkeypatch):
    client = make_client([])
    monkeypatch.setattr(client, 'served_certificate_der', lambda: b'old')
    with pytest.raises(WaitTimeoutError) as exc:
        client.wait_until_serving('NEW', 'replace it', 0, lambda der: der.decode().upper(), interval=0)
    assert exc.value.vcenter_state == 'changed'
    assert 'The change WAS applied' in exc.value.message
    assert 'the TLS port still serves OLD' in exc.value.message
