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

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    AuthenticationError,
    ConnectionFailure,
    MissingLibraryError,
    NotFoundError,
    UnsupportedVersionError,
    VCenterError,
    WaitTimeoutError,
    STATE_CHANGED,
)


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
# Statuses a read or a login may be retried on: services restarting. Nothing else is retried.
RETRY_STATUSES = frozenset([503])
# The /api dialect appeared in vCenter 7.0 U2: a vCenter that answers /api is at least this version.
API_DIALECT_MIN_VERSION = (7, 0, 2)


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
        self.hostname = hostname
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
        self._token = None
        self._version = None
        self._extra_trust_file = None
        host = hostname
        if ':' in host and not host.startswith('['):
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
            path = '/api/session' if dialect == 'api' else '/rest/com/vmware/cis/session'
            response = self._send('POST', path, 'log in to vCenter', retry=True,
                                  auth=(self.username, self._password))
            if response.status_code == 404 and dialect == 'api' and len(dialects) > 1:
                continue  # vCenter before 7.0 U2: no /api, use the legacy /rest dialect
            if response.status_code >= 300:
                raise self._error('log in to vCenter', 'POST', path, response)
            token = self._decode(response, dialect)
            if not isinstance(token, str) or not token:
                raise VCenterError('log in to vCenter', 'vCenter answered the login without a session token',
                                   method='POST', path=path, status=response.status_code)
            self.dialect = dialect
            self._token = token
            self._session.headers[SESSION_HEADER] = token
            return

    def logout(self):
        token, self._token = self._token, None
        if self._http is not None:
            self._http.headers.pop(SESSION_HEADER, None)
        if token is None:
            return
        path = '/api/session' if self.dialect == 'api' else '/rest/com/vmware/cis/session'
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # InsecureRequestWarning when validate_certs is off
                self._session.delete(self.base_url + path, headers={SESSION_HEADER: token},
                                     timeout=min(self.timeout, 30), verify=self._session.verify)
        except Exception:  # pylint: disable=broad-except
            pass  # services restarting or gone: the session died with them or will time out

    def forget_session(self):
        """Drop a session vCenter has already invalidated (after a service restart)."""
        self._token = None
        if self._http is not None:
            self._http.headers.pop(SESSION_HEADER, None)

    # ------------------------------------------------------------------ calls
    def call(self, method, path, operation, spec=_UNSET, params=None, action=None):
        """Call ``path`` (relative to ``/api`` or ``/rest``) and return the decoded result (or None).

        ``spec``: a structure parameter (the whole body on ``/api``, ``{"spec": ...}`` on ``/rest``);
        ``params``: scalar parameters keyed by name (same on both dialects); ``action``: ``?action=``.
        """
        self.login()
        full = '/%s%s' % (self.dialect, path)
        if action:
            full += '?action=%s' % action
        if spec is not _UNSET:
            body = spec if self.dialect == 'api' else {'spec': spec}
        else:
            body = params
        read = method == 'GET'
        response = self._send(method, full, operation, retry=read, json_body=body)
        if response.status_code == 401 and self._token is not None:
            # The session expired or was invalidated (service restart). A 401 means vCenter did not process
            # the request, so logging in again and resending once is safe, for writes too.
            self.forget_session()
            self.login()
            response = self._send(method, full, operation, retry=read, json_body=body)
        if response.status_code >= 300:
            raise self._error(operation, method, full, response)
        return self._decode(response, self.dialect)

    def _send(self, method, path, operation, retry=False, json_body=None, auth=None):
        attempts = 1 + (self.retries if retry else 0)
        url = self.base_url + path
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')  # InsecureRequestWarning when validate_certs is off
                    # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override session.verify
                    kwargs = {'timeout': self.timeout, 'auth': auth, 'verify': self._session.verify}
                    if json_body is not None:
                        kwargs['json'] = json_body
                    response = self._session.request(method, url, **kwargs)
            except requests.exceptions.SSLError as exc:
                raise ConnectionFailure(operation, 'TLS verification of %s failed (%s); set vcenter_ca_path to a '
                                        'bundle that holds vCenter\'s root CA, or vcenter_validate_certs: false'
                                        % (self.base_url, _first_line(exc)), method=method, path=path)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                ambiguous = not _not_sent(exc) and method != 'GET'
                if last or ambiguous:
                    reason = 'no answer from %s (%s)' % (self.base_url, _first_line(exc))
                    if isinstance(exc, requests.exceptions.Timeout):
                        reason = 'vCenter did not answer within vcenter_timeout (%ss)' % self.timeout
                    raise ConnectionFailure(operation, reason, method=method, path=path, ambiguous=ambiguous,
                                            timed_out=isinstance(exc, requests.exceptions.Timeout))
                self._sleep(attempt)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                self._sleep(attempt)
                continue
            return response
        raise AssertionError('unreachable')  # pragma: no cover

    def _sleep(self, attempt):
        time.sleep(self.backoff * (2 ** attempt))

    @staticmethod
    def _decode(response, dialect):
        if response.status_code == 204 or not response.content:
            return None
        try:
            data = response.json()
        except ValueError:
            return None
        if dialect == 'rest' and isinstance(data, dict) and set(data) == set(['value']):
            return data['value']
        return data

    def _error(self, operation, method, path, response):
        error_type, messages = None, []
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            if 'value' in body and isinstance(body.get('value'), dict) and 'type' in body:  # /rest
                inner = body['value']
                error_type = inner.get('error_type') or str(body['type']).rsplit('.', 1)[-1].upper()
                items = inner.get('messages') or []
            else:  # /api
                error_type = body.get('error_type')
                items = body.get('messages') or []
            for item in items:
                if isinstance(item, dict):
                    messages.append(item.get('default_message') or item.get('id') or '')
        if not messages:
            messages = [response.reason or 'HTTP %s' % response.status_code]
        return VCenterError.from_response(operation, method, path, response.status_code, error_type, messages)

    # ------------------------------------------------------------------ version
    def version(self):
        """vCenter's version as a tuple, e.g. ``(8, 0, 3)`` (one read, cached)."""
        if self._version is None:
            info = self.call('GET', '/appliance/system/version', 'read the vCenter version') or {}
            self._version = parse_version(info.get('version', '0'))
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
                '%s exists only in the /api dialect; vcenter_api is set to rest' % feature)

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

    def trust_additional(self, pems):
        """Also trust these CA certificates from now on (a root vCenter was just told to use)."""
        if not self.validate_certs or not pems:
            return
        base = self.ca_path or requests.utils.DEFAULT_CA_BUNDLE_PATH
        with open(base, 'r') as handle:
            bundle = handle.read()
        fd, path = tempfile.mkstemp(prefix='certops-vcenter-ca-', suffix='.pem')
        with os.fdopen(fd, 'w') as handle:
            handle.write(bundle.rstrip('\n') + '\n' + ''.join(p if p.endswith('\n') else p + '\n' for p in pems))
        if self._extra_trust_file and os.path.exists(self._extra_trust_file):
            os.unlink(self._extra_trust_file)
        self._extra_trust_file = path
        self._session.verify = path
        self._session.close()  # drop pooled connections made with the old trust
        self._session.mount('https://', requests.adapters.HTTPAdapter())

    def wait_until_serving(self, expected_sha256, operation, wait_timeout, fingerprint_of_der, interval=1.0):
        """After a service restart: wait until the TLS port serves ``expected_sha256`` and a fresh login works.

        ``fingerprint_of_der`` turns DER bytes into our fingerprint format (kept out of the transport layer).
        """
        deadline = time.time() + wait_timeout
        # A real vCenter invalidates sessions when it restarts services, but the caller may have logged in again
        # since (to read the new certificate): log out (best effort) instead of forgetting, so no session is left.
        self.logout()
        self._session.close()
        last = 'vCenter did not answer yet'
        while True:
            try:
                served = fingerprint_of_der(self.served_certificate_der())
                if expected_sha256 is None or served == expected_sha256:
                    self.login()
                    return
                last = 'the TLS port still serves %s' % served
            except (OSError, ssl.SSLError) as exc:
                last = 'TLS port not ready (%s)' % _first_line(exc)
            except VCenterError as exc:
                if exc.status not in (401, 503):
                    raise
                last = 'login not possible yet (%s)' % exc.reason
            except ConnectionFailure as exc:
                last = exc.reason
            if time.time() >= deadline:
                raise WaitTimeoutError(
                    operation, 'vCenter accepted the change but did not come back with the new certificate '
                    'within wait_timeout (%ss): %s. The change WAS applied; check vCenter and rerun the task '
                    'to converge' % (wait_timeout, last), vcenter_state=STATE_CHANGED)
            time.sleep(interval)


def _not_sent(exc):
    """True when the request certainly never reached vCenter (connect phase failed)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
