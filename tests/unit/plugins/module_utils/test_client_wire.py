# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the client trusts on the wire: no redirects, answers checked against the endpoint's documented shape,
answers cut off, UTF-8 credentials, the 7.0.0/7.0.1 /api-login case, the one deadline and restart test."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest
import requests

from ansible_collections.certops.vcenter.plugins.module_utils import _cert_api, _wait
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    ConnectionFailure,
    NotFoundError,
    RedirectRefusedError,
    ServiceUnavailableError,
    UnexpectedAnswerError,
    VCenterError,
)
from ansible_collections.certops.vcenter.tests.unit.plugins.module_utils.test_client import (
    FakeResponse,
    _auth_header,
    login_api,
    make_client,
)

P = _cert_api.P


def html(status=200):
    return FakeResponse(status, None, headers={'Content-Type': 'text/html; charset=utf-8'}, content=b'<html>SSO</html>')


# --------------------------------------------------------------------------- redirects

@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
@pytest.mark.parametrize('method', ['GET', 'PUT'])
def test_a_redirect_is_refused_not_followed(status, method):
    moved = FakeResponse(status, None, headers={'Location': 'http://evil.example:8080/steal?token=x'})
    client = make_client([login_api(), moved])
    with pytest.raises(RedirectRefusedError) as exc:
        client.call(method, '/vcenter/tls', 'touch the certificate', spec={'key': 'secret'} if method == 'PUT' else None)
    assert 'redirect (HTTP %d) to http://evil.example:8080' % status in exc.value.message
    assert 'token=x' not in exc.value.message  # the path and query of the target are never repeated
    assert len(client._session.requests) == 2  # nothing more was sent, anywhere
    assert all(r['allow_redirects'] is False for r in client._session.requests)


def test_a_redirect_at_login_is_refused():
    client = make_client([FakeResponse(302, None, headers={'Location': 'https://portal.example/login'})])
    with pytest.raises(RedirectRefusedError) as exc:
        client.login()
    assert exc.value.status == 302 and not client.logged_in


# --------------------------------------------------------------------------- unexpected answers

@pytest.mark.parametrize('answer,described', [
    (html(), 'a text/html body'),
    (FakeResponse(200, 'just a string'), 'the result is a string, not a list of trusted root chain summaries'),
    (FakeResponse(200, {'chain': 'x'}), 'the result is an object, not a list'),
    (FakeResponse(200, ['A', 'B']), 'element 0 of the result is a string, not a chain summary'),
    (FakeResponse(200, None), 'an empty body'),
    (FakeResponse(200, None, headers={'Content-Type': 'application/json'}, content=b'[{"chain": "A"'),
     'not valid JSON'),
])
def test_a_list_that_is_not_a_list_is_an_error_naming_the_endpoint(answer, described):
    client = make_client([login_api(), answer])
    with pytest.raises(UnexpectedAnswerError) as exc:
        _cert_api.CertApi(client).list_trusted_root_ids()
    assert 'GET /api%s/trusted-root-chains' % P in exc.value.message
    assert described in exc.value.message


def test_tls_info_without_cert_is_an_error():
    client = make_client([login_api(), FakeResponse(200, {'subject_dn': 'CN=x'})])
    with pytest.raises(UnexpectedAnswerError) as exc:
        _cert_api.CertApi(client).get_tls()
    assert 'has no "cert"' in exc.value.message


def test_a_null_trusted_root_chain_reads_as_no_certificates():
    # a real vCenter may answer a stored chain as null (vcenter-fidelity.md row 17)
    client = make_client([login_api(), FakeResponse(200, {'cert_chain': None})])
    assert _cert_api.CertApi(client).get_trusted_root('X') == []


def test_rest_answer_without_value_wrapper_is_an_error():
    client = make_client([FakeResponse(200, {'value': 'tok'}), FakeResponse(200, [{'chain': 'A'}])], api='rest')
    with pytest.raises(UnexpectedAnswerError) as exc:
        _cert_api.CertApi(client).list_trusted_root_ids()
    assert 'without the /rest "value" wrapper' in exc.value.message


def test_an_answer_cut_off_on_a_write_is_ambiguous():
    client = make_client([login_api(), requests.exceptions.ChunkedEncodingError('IncompleteRead(10 bytes read)')])
    with pytest.raises(ConnectionFailure) as exc:
        client.call('PUT', '/vcenter/tls', 'replace it', spec={})
    assert exc.value.ambiguous and 'cut off' in exc.value.reason
    assert client.write_sent


# --------------------------------------------------------------------------- credentials

def test_credentials_are_sent_as_utf8():
    client = make_client([login_api()], username='admin@vsphere.local', password='pässwörd€')
    client.login()
    header = _auth_header(client._session.requests[0]['auth'])
    assert base64.b64decode(header.split(' ', 1)[1]).decode('utf-8') == 'admin@vsphere.local:pässwörd€'


# --------------------------------------------------------------------------- dialect detection

NOT_ON_API = FakeResponse(404, {'error_type': 'NOT_FOUND', 'messages': [
    {'args': [], 'default_message': 'Not found.', 'id': 'com.vmware.vapi.rest.httpNotFound'}]})


def test_api_login_on_701_falls_back_to_rest_for_the_endpoints():
    client = make_client([login_api(), NOT_ON_API, FakeResponse(200, {'value': 'rest-token'}),
                          FakeResponse(200, {'value': {'cert': 'PEM'}})])
    assert _cert_api.CertApi(client).get_tls() == {'cert': 'PEM'}
    urls = [r['url'].split(':443')[1] for r in client._session.requests]
    assert urls == ['/api/session', '/api%s/tls' % P, '/rest/com/vmware/cis/session', '/rest%s/tls' % P]
    assert client.dialect == 'rest'
    assert len(client._session.deleted) == 1  # the /api session was logged out, not left open


def test_an_object_not_found_on_a_proven_api_is_not_a_dialect_change():
    client = make_client([login_api(), FakeResponse(200, {'cert': 'PEM'}), NOT_ON_API])
    api = _cert_api.CertApi(client)
    api.get_tls()
    with pytest.raises(NotFoundError):
        api.get_trusted_root('GONE')
    assert client.dialect == 'api'


# --------------------------------------------------------------------------- one restart test, one deadline

@pytest.mark.parametrize('exc,restarting', [
    (ConnectionFailure('x', 'refused'), True),
    (ConnectionFailure('x', 'CERTIFICATE_VERIFY_FAILED', tls_verification=True), False),
    (ServiceUnavailableError('x', 'plain-text proxy page', status=503), True),
    (VCenterError('x', 'bad gateway', status=502), True),
    (VCenterError('x', 'gateway timeout', status=504), True),
    (VCenterError('x', 'session ended', status=401), True),
    (VCenterError('x', 'refused', status=500), False),
    (UnexpectedAnswerError('x', 'portal page', status=200), False),
])
def test_is_restarting(exc, restarting):
    assert _wait.is_restarting(exc) is restarting


def test_poll_waits_out_a_restart_then_returns(monkeypatch):
    monkeypatch.setattr(_wait.time, 'sleep', lambda seconds: None)
    answers = iter([ConnectionFailure('x', 'refused'), ServiceUnavailableError('x', '503', status=503), 'state'])

    def attempt():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer
    assert _wait.poll(attempt, _wait.Deadline(60)) == ('state', '503')


def test_poll_raises_what_is_not_a_restart():
    def attempt():
        raise VCenterError('x', 'refused', status=400)
    with pytest.raises(VCenterError):
        _wait.poll(attempt, _wait.Deadline(60))


def test_poll_stops_at_the_deadline_with_the_last_reason():
    def attempt():
        raise _wait.NotYet('still the old certificate')
    assert _wait.poll(attempt, _wait.Deadline(0), interval=0) == (None, 'still the old certificate')


def test_wait_until_serving_waits_for_the_certificate_service_not_only_the_login(monkeypatch):
    # phase L of a real restart: logins work while the certificate endpoints still answer 503
    client = make_client([login_api(), login_api(), login_api()], retries=0)
    monkeypatch.setattr(client, 'served_certificate_der', lambda: b'new')
    answers = iter([ServiceUnavailableError('read it', 'Service unavailable.', status=503), {'cert': 'PEM'}])

    def ready():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer
    client.wait_until_serving('NEW', 'replace it', 10, lambda der: der.decode().upper(), interval=0, ready=ready)
    assert client.logged_in
    assert next(answers, 'used up') == 'used up'  # ready() was asked until it answered
