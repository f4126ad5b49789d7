# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Transport to the vSphere Automation REST API.

One ``requests.Session`` (connections are reused), session login/logout (``close()`` always logs out),
the ``/api`` and legacy ``/rest`` dialects behind one :meth:`VCenterClient.call`, a status policy that
turns every non-2xx answer into a :class:`VCenterError`, bounded retries with backoff for reads and
logins on 503 and connection errors only (writes are never retried blindly), TLS verification with a
CA bundle, and the wait for vCenter to come back after a service restart.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import importlib
import os
import socket
import ssl
import tempfile
import time
import warnings

try:
    from importlib.util import find_spec
except ImportError:  # pragma: no cover - Python 2 has no importlib.util
    find_spec = None

from ansible.module_utils.six.moves.urllib.parse import quote, urlsplit

from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    AuthenticationError,
    ConnectionFailure,
    MissingLibraryError,
    NotFoundError,
    RedirectRefusedError,
    UnexpectedAnswerError,
    UnsupportedVersionError,
    VCenterError,
    WaitTimeoutError,
    STATE_CHANGED,
)
from ansible_collections.certops.vcenter.plugins.module_utils._wait import POLL_INTERVAL, Deadline, NotYet, poll


class _LazyModule(object):
    """A module imported on first use. ``requests`` takes about 45 ms to import; a run that never talks to
    vCenter (input refused before any request, a CSR file that already matches) does not need it."""

    def __init__(self, name):
        self._name = name
        self._module = None

    def __getattr__(self, attr):
        if self._module is None:
            try:
                self._module = importlib.import_module(self._name)
            except ImportError as exc:
                raise MissingLibraryError('import %s' % self._name, '%s; install it where the module runs' % exc)
        return getattr(self._module, attr)


# Whether requests is installed is known without importing it; it is imported when the first session is made.
HAS_REQUESTS = find_spec is None or find_spec('requests') is not None
REQUESTS_IMPORT_ERROR = None if HAS_REQUESTS else 'No module named requests'
requests = _LazyModule('requests')

SESSION_HEADER = 'vmware-api-session-id'
_UNSET = object()
# Statuses a read or a login may be retried on: services restarting behind the reverse proxy. Nothing else.
RETRY_STATUSES = frozenset([502, 503, 504])
# The certificate endpoints are on /api from vCenter 7.0 U2, but a successful /api login proves less: [INF]
# 7.0.0/7.0.1 may answer POST /api/session while every other /api path is 404 (vcenter-fidelity.md row 22).
# Safest reading: an /api session proves only 7.0, and the first 404 "httpNotFound" on /api before any /api
# call worked moves the client to /rest.
API_DIALECT_MIN_VERSION = (7, 0, 0)
API_PATH_NOT_FOUND_ID = 'com.vmware.vapi.rest.httpNotFound'


class Shape(object):
    """What an endpoint documents as its result, checked before the result is used.

    ``kind`` is a Python type (``dict``, ``list``, ``str``, ``bool``); ``fields`` the keys a dict must have,
    each with its own shape (``optional``: keys it may have); ``item`` the shape of a list's elements;
    ``nullable`` allows null. Only what the collection reads is checked; other fields may be anything.
    """

    def __init__(self, kind, fields=None, item=None, nullable=False, what=None, optional=None):
        self.kind = kind
        self.fields = fields or {}
        self.optional = optional or {}
        self.item = item
        self.nullable = nullable
        self.what = what or {dict: 'an object', list: 'a list', str: 'a string', bool: 'a boolean'}[kind]

    def mismatch(self, value, where='the result'):
        """None when ``value`` has this shape, else a short description of the first difference."""
        if value is None:
            return None if self.nullable else '%s is null, not %s' % (where, self.what)
        if not isinstance(value, self.kind):
            return '%s is %s, not %s' % (where, _json_kind(value), self.what)
        return self._field_mismatch(value, where) or self._item_mismatch(value, where)

    def _field_mismatch(self, value, where):
        for name, shape in list(self.fields.items()) + list(self.optional.items()):
            if name in value:
                problem = shape.mismatch(value[name], '"%s"' % name)
            else:
                problem = None if name in self.optional else '%s has no "%s"' % (where, name)
            if problem:
                return problem
        return None

    def _item_mismatch(self, value, where):
        for index, element in enumerate(value if self.item is not None else ()):
            problem = self.item.mismatch(element, 'element %d of %s' % (index, where))
            if problem:
                return problem
        return None


def _json_kind(value):
    for kind, text in ((bool, 'a boolean'), (dict, 'an object'), (list, 'a list'), (str, 'a string'),
                       (int, 'a number'), (float, 'a number')):
        if isinstance(value, kind):
            return text
    return 'a %s' % type(value).__name__


TOKEN = Shape(str, what='a session token')


class _BasicAuth(object):
    """HTTP Basic credentials encoded as UTF-8, as vCenter and VMware's SDK expect (requests would use
    Latin-1: a wrong 401 for "ü", a crash for "€"). Also keeps ~/.netrc from replacing them."""

    def __init__(self, username, password):
        raw = ('%s:%s' % (username, password)).encode('utf-8')
        self._header = 'Basic ' + base64.b64encode(raw).decode('ascii')

    def __call__(self, request):
        request.headers['Authorization'] = self._header
        return request


def quote_id(value):
    """URL-quote an id used as a path segment (ids are user input)."""
    return quote(str(value), safe='')


def format_version(version):
    """How VMware names a release: ``(7, 0, 3)`` -> ``'7.0 U3'``, ``(8, 0, 0)`` -> ``'8.0'``; from 9 on the
    releases are plain numbers: ``(9, 1, 1)`` -> ``'9.1.1'``."""
    major, minor, update = (tuple(version) + (0, 0, 0))[:3]
    text = '%d.%d' % (major, minor)
    if major >= 9:
        return '%s.%d' % (text, update) if update else text
    return '%s U%d' % (text, update) if update else text


def parse_version(text):
    parts = []
    for piece in str(text).split('.')[:3]:
        digits = ''.join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


class VCenterClient(object):
    """A small vCenter REST client. Use as a context manager, or call :meth:`close`."""

    def __init__(self, hostname, username=None, password=None, port=443, validate_certs=True,
                 ca_path=None, timeout=60, api='auto', retries=3, backoff=0.5):
        self.hostname = unbracket(hostname)
        self.port = int(port or 443)
        self.username = username
        self._password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.api = api or 'auto'
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.dialect = None if self.api == 'auto' else self.api
        # True once a call other than login worked on /api: from then on /api is known to hold the endpoints.
        self._dialect_proven = self.api != 'auto'
        # True once a state-changing request has been sent: a failure after it needs a read-back.
        self.write_sent = False
        self._token = None
        self._version = None
        self._extra_trust_file = None
        host = self.hostname
        if ':' in host:
            host = '[%s]' % host  # IPv6 literal
        self.base_url = 'https://%s:%d' % (host, self.port)
        self._http = None  # the requests.Session, made on first use (see _session)

    @property
    def _session(self):
        if self._http is None:
            self._http = requests.Session()
            self._http.headers.update({'Accept': 'application/json'})
            self._http.verify = (self.ca_path or True) if self.validate_certs else False
        return self._http

    @_session.setter
    def _session(self, value):
        self._http = value

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def close(self):
        """Log out (best effort, never raises) and release the connection pool."""
        try:
            self.logout()
        finally:
            if self._http is not None:
                self._http.close()
            if self._extra_trust_file and os.path.exists(self._extra_trust_file):
                os.unlink(self._extra_trust_file)
                self._extra_trust_file = None

    @property
    def logged_in(self):
        return self._token is not None

    def login(self):
        if self._token is not None:
            return
        if not self.username or self._password is None:
            raise AuthenticationError('log in to vCenter', 'vcenter_username and vcenter_password are required '
                                      '(or the VMWARE_USER and VMWARE_PASSWORD environment variables)')
        dialects = ['api', 'rest'] if self.dialect is None else [self.dialect]
        for dialect in dialects:
            token = self._session_token(dialect, may_fall_back=len(dialects) > 1)
            if token is not None:
                self.dialect = dialect
                self._token = token
                self._session.headers[SESSION_HEADER] = token
                return

    def _session_token(self, dialect, may_fall_back):
        """A new session's token, or None when ``dialect`` does not exist there (and another may be tried)."""
        path = session_path(dialect)
        response = self._send('POST', path, 'log in to vCenter', retry=True,
                              auth=_BasicAuth(self.username, self._password))
        if response.status_code == 404 and dialect == 'api' and may_fall_back:
            return None  # vCenter before 7.0: no /api, use the legacy /rest dialect
        if response.status_code >= 300:
            raise self._error('log in to vCenter', 'POST', path, response)
        try:
            token = self._decode(response, dialect, 'log in to vCenter', 'POST', path, TOKEN)
        except UnexpectedAnswerError as exc:
            exc.reason = 'vCenter answered the login without a session token: %s' % exc.reason
            raise
        if not token:
            raise UnexpectedAnswerError('log in to vCenter', 'vCenter answered the login without a session token '
                                        '(an empty one)', method='POST', path=path, status=response.status_code)
        return token

    def logout(self):
        token, self._token = self._token, None
        if self._http is not None:
            self._http.headers.pop(SESSION_HEADER, None)
        if token is None:
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # InsecureRequestWarning: run_module warns once instead
                self._session.delete(self.base_url + session_path(self.dialect), headers={SESSION_HEADER: token},
                                     timeout=min(self.timeout, 30), verify=self._session.verify,
                                     allow_redirects=False)
        except Exception:  # pylint: disable=broad-except
            pass  # services restarting or gone: the session died with them or will time out

    def forget_session(self):
        """Drop a session vCenter has already invalidated (after a service restart)."""
        self._token = None
        if self._http is not None:
            self._http.headers.pop(SESSION_HEADER, None)

    # ------------------------------------------------------------------ calls
    def call(self, method, path, operation, spec=_UNSET, params=None, action=None, expect=None):
        """Call ``path`` (relative to ``/api`` or ``/rest``) and return the decoded result.

        ``spec``: a structure parameter (the whole body on ``/api``, ``{"spec": ...}`` on ``/rest``);
        ``params``: scalar parameters keyed by name (same on both dialects); ``action``: ``?action=``;
        ``expect``: the :class:`Shape` the endpoint documents for its result (None: any JSON, unchecked). An
        answer of another shape, or that is not JSON, raises :class:`UnexpectedAnswerError` naming the endpoint.
        """
        self.login()
        if method != 'GET':
            self.write_sent = True
        full, response = self._call_once(method, path, operation, spec, params, action)
        if response.status_code == 404 and self._api_path_missing(response):
            # [INF] 7.0.0/7.0.1: /api/session answered, but the endpoints are only on /rest (see
            # API_DIALECT_MIN_VERSION). A 404 means vCenter did not process the request: resending is safe.
            self.logout()
            self.dialect = 'rest'
            self._dialect_proven = True
            self.login()
            full, response = self._call_once(method, path, operation, spec, params, action)
        if response.status_code >= 300:
            raise self._error(operation, method, full, response)
        result = self._decode(response, self.dialect, operation, method, full, expect)
        self._dialect_proven = True
        return result

    def _call_once(self, method, path, operation, spec, params, action):
        full = '/%s%s' % (self.dialect, path)
        if action:
            full += '?action=%s' % action
        body = params if spec is _UNSET else (spec if self.dialect == 'api' else {'spec': spec})
        read = method == 'GET'
        response = self._send(method, full, operation, retry=read, json_body=body)
        if response.status_code == 401 and self._token is not None:
            # The session expired or was invalidated (service restart). A 401 means vCenter did not process
            # the request, so logging in again and resending once is safe, for writes too.
            self.forget_session()
            self.login()
            response = self._send(method, full, operation, retry=read, json_body=body)
        return full, response

    def _api_path_missing(self, response):
        if self._dialect_proven or self.dialect != 'api':
            return False
        body = _json_or_none(response)
        messages = body.get('messages') if isinstance(body, dict) else None
        return any(isinstance(m, dict) and m.get('id') == API_PATH_NOT_FOUND_ID for m in messages or [])

    def _send(self, method, path, operation, retry=False, json_body=None, auth=None):
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            response = self._attempt(method, path, operation, json_body, auth, last=attempt == attempts - 1)
            if response is not None:
                return response
            self._sleep(attempt)
        raise AssertionError('unreachable')  # pragma: no cover

    def _attempt(self, method, path, operation, json_body, auth, last):
        """One request: the answer, or None when it may be retried (services restarting, not sent)."""
        try:
            response = self._request(method, self.base_url + path, json_body, auth)
        except requests.exceptions.SSLError as exc:
            raise ConnectionFailure(operation, 'TLS verification of %s failed (%s); set vcenter_ca_path to a '
                                    'bundle that holds vCenter\'s root CA, or vcenter_validate_certs: false'
                                    % (self.base_url, _first_line(exc)), method=method, path=path,
                                    tls_verification=True)
        except requests.exceptions.RequestException as exc:
            # refused, reset, timed out, or an answer cut off mid-way (ChunkedEncodingError and the like)
            ambiguous = not _not_sent(exc) and method != 'GET'
            if last or ambiguous:
                raise self._no_answer(operation, method, path, exc, ambiguous)
            return None
        if 300 <= response.status_code < 400:
            raise self._redirect(operation, method, path, response)
        if response.status_code in RETRY_STATUSES and not last:
            return None
        return response

    def _request(self, method, url, json_body, auth):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # InsecureRequestWarning: run_module warns once instead
            # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override session.verify.
            # Redirects are never followed: vCenter's API does not redirect, and following one would send the
            # session id, the credentials or a private key to whatever origin the Location names.
            kwargs = {'timeout': self.timeout, 'auth': auth, 'verify': self._session.verify,
                      'allow_redirects': False}
            if json_body is not None:
                kwargs['json'] = json_body
            return self._session.request(method, url, **kwargs)

    def _no_answer(self, operation, method, path, exc, ambiguous):
        timed_out = isinstance(exc, requests.exceptions.Timeout)
        if timed_out:
            reason = 'vCenter did not answer within vcenter_timeout (%ss)' % self.timeout
        elif isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            reason = 'the answer to %s %s from %s was cut off (%s)' % (method, path, self.base_url, _first_line(exc))
        else:
            reason = 'no answer from %s (%s)' % (self.base_url, _first_line(exc))
        return ConnectionFailure(operation, reason, method=method, path=path, ambiguous=ambiguous, timed_out=timed_out)

    def _redirect(self, operation, method, path, response):
        target = urlsplit(response.headers.get('Location') or '')
        origin = '%s://%s' % (target.scheme, target.hostname) if target.scheme and target.hostname else 'elsewhere'
        if target.port:
            origin += ':%d' % target.port
        return RedirectRefusedError(
            operation, 'vCenter answered with a redirect (HTTP %d) to %s. vCenter\'s API never redirects: the '
            'redirect was not followed and nothing was sent there. Point vcenter_hostname at vCenter itself, '
            'not at a load balancer or portal in front of it' % (response.status_code, origin),
            method=method, path=path, status=response.status_code)

    def _sleep(self, attempt):
        time.sleep(self.backoff * (2 ** attempt))

    @staticmethod
    def _decode(response, dialect, operation, method, path, expect):
        """The result of a 2xx answer, checked against what the endpoint documents (``expect``)."""
        try:
            return _result_of(response, dialect, expect)
        except _Unexpected as exc:
            raise UnexpectedAnswerError(
                operation, 'vCenter answered %s %s with an unexpected answer, %s, where the API documents %s. '
                'Something other than vCenter\'s API may have answered (a portal, proxy or firewall page), or the '
                'answer was damaged'
                % (method, path, exc, expect.what if expect is not None else 'no result or a JSON result'),
                method=method, path=path, status=response.status_code)

    @staticmethod
    def _error(operation, method, path, response):
        error_type, messages = _error_details(_json_or_none(response))
        if not messages:
            messages = [response.reason or 'HTTP %s' % response.status_code]
        return VCenterError.from_response(operation, method, path, response.status_code, error_type, messages)

    # ------------------------------------------------------------------ version
    @property
    def known_version(self):
        """The version if it was read already (no request), else None."""
        return self._version

    def version(self):
        """vCenter's version as a tuple, e.g. ``(8, 0, 3)`` (one read, cached)."""
        if self._version is None:
            info = self.call('GET', '/appliance/system/version', 'read the vCenter version',
                             expect=Shape(dict, {'version': Shape(str)}))
            self._version = parse_version(info['version'])
        return self._version

    def require(self, minimum, feature, api_only=False, operation=None):
        """Fail with a version-aware message when ``feature`` needs a newer vCenter (or the /api dialect).

        Costs no request when the dialect already proves the version.
        """
        self.login()
        minimum = tuple(minimum)
        if self.dialect == 'api' and minimum <= API_DIALECT_MIN_VERSION:
            return
        version = self.version()
        if version < minimum:
            raise UnsupportedVersionError(
                operation or 'use %s' % feature,
                '%s needs vCenter %s or later; this vCenter is %s' % (
                    feature, format_version(minimum), '.'.join(str(v) for v in version)))
        if api_only and self.dialect != 'api':
            raise UnsupportedVersionError(
                operation or 'use %s' % feature,
                '%s exists only in the /api dialect; %s' % (
                    feature, 'vcenter_api is set to rest' if self.api == 'rest' else
                    'this vCenter serves the certificate endpoints on /rest only'))

    def explain_not_found(self, exc, minimum, feature):
        """Turn a 404 for an operation into a version error when the vCenter is too old for it."""
        if not isinstance(exc, NotFoundError):
            return exc
        try:
            version = self.version()
        except VCenterError:
            return exc
        if version < tuple(minimum):
            return UnsupportedVersionError(
                exc.operation, '%s needs vCenter %s or later; this vCenter is %s' % (
                    feature, format_version(minimum), '.'.join(str(v) for v in version)))
        return exc

    # ------------------------------------------------------------------ TLS port and waiting
    def served_certificate_der(self):
        """DER of the certificate the TLS port presents right now (no verification: this is observation)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection((self.hostname, self.port), timeout=min(self.timeout, 15)) as sock:
            with context.wrap_socket(sock, server_hostname=self.hostname) as tls:
                return tls.getpeercert(binary_form=True)

    def served_chain_der(self):
        """DER of every certificate the TLS port presents, leaf first (no verification: this is observation).

        Python 3.10 to 3.12 have the unverified chain only on the private ``_sslobj``; 3.13 made it public.
        Where neither exists, just the leaf.
        """
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection((self.hostname, self.port), timeout=min(self.timeout, 15)) as sock:
            with context.wrap_socket(sock, server_hostname=self.hostname) as tls:
                getter = getattr(tls, 'get_unverified_chain', None) or \
                    getattr(getattr(tls, '_sslobj', None), 'get_unverified_chain', None)
                chain = getter() if getter is not None else None
                if not chain:
                    return [tls.getpeercert(binary_form=True)]
                return [c if isinstance(c, bytes) else c.public_bytes(_DER) for c in chain]

    def trust_additional(self, pems):
        """Also trust these CA certificates from now on (a root vCenter was just told to use)."""
        if not self.validate_certs or not pems:
            return
        bundle = _read_ca_bundle(self.ca_path or requests.utils.DEFAULT_CA_BUNDLE_PATH)
        fd, path = tempfile.mkstemp(prefix='certops-vcenter-ca-', suffix='.pem')
        with os.fdopen(fd, 'w') as handle:
            handle.write(bundle.rstrip('\n') + '\n' + ''.join(p if p.endswith('\n') else p + '\n' for p in pems))
        if self._extra_trust_file and os.path.exists(self._extra_trust_file):
            os.unlink(self._extra_trust_file)
        self._extra_trust_file = path
        self._session.verify = path
        self._session.close()  # drop pooled connections made with the old trust
        self._session.mount('https://', requests.adapters.HTTPAdapter())

    def verify_name(self, name):
        """From now on, verify vCenter's certificate for ``name`` instead of the host connected to.

        Used after installing a certificate that names vCenter's PNID but not ``vcenter_hostname`` (an IP
        address or an alias): the chain is still verified against the trusted roots, and the name checked is the
        one vCenter itself insists on. Call it after :meth:`trust_additional`, which resets the adapter.
        """
        if not self.validate_certs or not name:
            return

        class _NameAdapter(requests.adapters.HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                kwargs['assert_hostname'] = name
                return super(_NameAdapter, self).init_poolmanager(*args, **kwargs)

        self._session.close()
        self._session.mount('https://', _NameAdapter())

    def wait_until_answering_anonymously(self, deadline, interval=POLL_INTERVAL):
        """Wait until vCenter's services answer again after a restart, sending no credentials and no session id.

        For a vCenter that now presents a certificate this client cannot verify: nothing secret may go over that
        connection, but an unauthenticated ``GET /certs/download.zip`` (the public trusted-root download, served
        once the reverse proxy and the directory service are back) is no secret, so the connection for it is not
        verified. Returns ``(True, last)`` once it answers 200, ``(None, last)`` when ``deadline`` passes first.
        """
        if not isinstance(deadline, Deadline):
            deadline = Deadline(deadline)
        probe = VCenterClient(self.hostname, port=self.port, validate_certs=False, timeout=self.timeout, retries=0)

        def answering():
            response = probe._send('GET', ANONYMOUS_PROBE_PATH, 'wait for vCenter\'s services')
            if response.status_code == 200:
                return True
            raise NotYet('GET %s answers HTTP %d' % (ANONYMOUS_PROBE_PATH, response.status_code))

        try:
            return poll(answering, deadline, interval=interval)
        except (ConnectionFailure, VCenterError) as exc:
            return None, exc.reason
        finally:
            probe.close()

    def wait_until_serving(self, expected_sha256, operation, deadline, fingerprint_of_der, interval=POLL_INTERVAL,
                           ready=None):
        """After a service restart: wait until the TLS port serves ``expected_sha256``, a fresh login works and
        ``ready()`` (a read of a certificate endpoint) answers: a real vCenter accepts logins before its
        certificate service is back (vcenter-fidelity.md §4.7), so a login alone does not end the wait.

        ``deadline``: a :class:`Deadline` shared with the caller's other waits (or seconds from now);
        ``fingerprint_of_der`` turns DER bytes into our fingerprint format (kept out of the transport layer).
        """
        if not isinstance(deadline, Deadline):
            deadline = Deadline(deadline)
        # A real vCenter invalidates sessions when it restarts services, but the caller may have logged in again
        # since (to read the new certificate): log out (best effort) instead of forgetting, so no session is left.
        self.logout()
        self._session.close()

        def serving():
            try:
                served = fingerprint_of_der(self.served_certificate_der())
            except (OSError, ssl.SSLError) as exc:
                raise NotYet('TLS port not ready (%s)' % _first_line(exc))
            if expected_sha256 is not None and served != expected_sha256:
                raise NotYet('the TLS port still serves %s' % served)
            self.login()
            if ready is not None:
                ready()
            return True

        done, last = poll(serving, deadline, interval=interval)
        if not done:
            raise WaitTimeoutError(
                operation, 'vCenter accepted the change but did not come back with the new certificate '
                'within wait_timeout (%ss): %s. The change WAS applied; check vCenter and rerun the task '
                'to converge' % (_seconds(deadline.seconds), last), vcenter_state=STATE_CHANGED)


# vCenter's unauthenticated trusted-root download (vSphere Authentication, "Download and Install vCenter Server Root
# Certificates"): what an anonymous wait asks for.
ANONYMOUS_PROBE_PATH = '/certs/download.zip'

# _ssl.ENCODING_DER (private, as the certificate objects of _sslobj.get_unverified_chain); 2 in every CPython.
_DER = getattr(getattr(ssl, '_ssl', None), 'ENCODING_DER', 2)


def session_path(dialect):
    return '/api/session' if dialect == 'api' else '/rest/com/vmware/cis/session'


def unbracket(hostname):
    """``[::1]`` -> ``::1``: an IPv6 literal is kept bare and bracketed only inside URLs."""
    if hostname and hostname.startswith('[') and hostname.endswith(']'):
        return hostname[1:-1]
    return hostname


def _seconds(value):
    return int(value) if float(value).is_integer() else value


class _Unexpected(Exception):
    """What was wrong with an answer (said in the UnexpectedAnswerError that names the endpoint)."""


def _result_of(response, dialect, expect):
    if response.status_code == 204 or not response.content:
        if expect is None or expect.nullable:
            return None
        raise _Unexpected('an empty body')
    data = _json_body(response)
    if dialect == 'rest':
        data = _unwrap_rest(data, expect)
    problem = expect.mismatch(data) if expect is not None else None
    if problem:
        raise _Unexpected('a result where %s' % problem)
    return data


def _json_body(response):
    content_type = (response.headers.get('Content-Type') or '').split(';')[0].strip().lower()
    if 'json' not in content_type:
        raise _Unexpected('a %s body' % (content_type or 'untyped'))
    data = _json_or_none(response, _UNSET)
    if data is _UNSET:
        raise _Unexpected('a body that is not valid JSON (cut off?)')
    return data


def _unwrap_rest(data, expect):
    """/rest results come as ``{"value": ...}``; an unchecked result without the wrapper is passed as it is."""
    if isinstance(data, dict) and 'value' in data:
        return data['value']
    if expect is None:
        return data
    raise _Unexpected('%s without the /rest "value" wrapper' % _json_kind(data))


def _error_details(body):
    """``(error_type, [message, ...])`` of an error body in either dialect (6.7's /rest has no error_type)."""
    if not isinstance(body, dict):
        return None, []
    if isinstance(body.get('value'), dict) and 'type' in body:  # /rest
        inner = body['value']
        error_type = inner.get('error_type') or str(body['type']).rsplit('.', 1)[-1].upper()
    else:  # /api
        inner = body
        error_type = body.get('error_type')
    items = inner.get('messages') if isinstance(inner.get('messages'), list) else []
    return error_type, [str(i.get('default_message') or i.get('id') or '') for i in items if isinstance(i, dict)]


def _json_or_none(response, default=None):
    try:
        return response.json()
    except ValueError:
        return default


def _read_ca_bundle(ca_path):
    """The PEM text of a CA bundle file, or of every certificate file in a CA directory (``/etc/ssl/certs``,
    hashed ``<hash>.0`` links and all); requests takes either, but a bundle with added roots must be one file."""
    if not os.path.isdir(ca_path):
        with open(ca_path, 'r') as handle:
            return handle.read()
    texts, seen = [], set()
    for name in sorted(os.listdir(ca_path)):
        path = os.path.realpath(os.path.join(ca_path, name))
        if path in seen or not os.path.isfile(path):
            continue
        seen.add(path)
        try:
            with open(path, 'r') as handle:
                text = handle.read()
        except (IOError, OSError, UnicodeDecodeError):
            continue
        if '-----BEGIN CERTIFICATE-----' in text:
            texts.append(text.rstrip('\n') + '\n')
    return ''.join(texts)


def _not_sent(exc):
    """True when the request certainly never reached vCenter (connect phase failed)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
