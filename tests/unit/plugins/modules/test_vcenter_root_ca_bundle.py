# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vcenter_root_ca_bundle: the real AnsibleModule; only the download is faked (a zip shaped like vCenter's)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import os
import stat
import zipfile

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._errors import ConnectionFailure
from ansible_collections.certops.vcenter.plugins.modules import vcenter_root_ca_bundle as mod
from ansible_collections.certops.vcenter.tests.unit.utils import (
    PASSWORD,
    as_module,
    fp,
    pem,
)

CRL = '-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n'


def make_zip(certs, crl=True):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as archive:
        for index, cert in enumerate(certs):
            for folder, suffix in (('lin', ''), ('mac', ''), ('win', '.crt')):
                archive.writestr('certs/%s/%08x.0%s' % (folder, index, suffix), pem(cert))
        if crl:
            archive.writestr('certs/lin/00000000.r0', CRL)
            archive.writestr('certs/win/00000000.r0.crl', CRL)
    return buf.getvalue()


class Download(object):
    """Stands in for the HTTPS download; records how it was asked to verify."""

    def __init__(self, data):
        self.data = data
        self.calls = []

    def __call__(self, params, verify_with):
        self.calls.append({'verify_with': verify_with, 'params': dict(params)})
        if isinstance(self.data, Exception):
            raise self.data
        return self.data


def run(capsys, monkeypatch, args, data, check=False, diff=True):
    fake = Download(data)
    monkeypatch.setattr(mod, 'download', fake)
    full = {'vcenter_hostname': 'vc.example.com', '_ansible_check_mode': check, '_ansible_diff': diff}
    full.update(args)
    with as_module(), patch_module_args(full):
        with pytest.raises(SystemExit):
            mod.main()
    return json.loads(capsys.readouterr().out), fake


@pytest.fixture
def bundle(tmp_path):
    return str(tmp_path / 'roots.pem')


def test_refuses_without_pin_or_tofu_before_any_request(capsys, monkeypatch, pki, bundle):
    result, fake = run(capsys, monkeypatch, {'path': bundle}, make_zip([pki.vmca]))
    assert result['failed']
    assert 'expected_sha256' in result['msg'] and 'trust_on_first_use' in result['msg']
    assert fake.calls == []
    assert not os.path.exists(bundle)


def test_takes_no_credentials(capsys, monkeypatch, pki, bundle):
    result, fake = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True,
                                             'vcenter_password': PASSWORD}, make_zip([pki.vmca]))
    assert result['failed'] and 'vcenter_password' in result['msg']
    assert fake.calls == []


def test_pin_right_writes_only_the_pinned_root_then_idempotent(capsys, monkeypatch, pki, bundle):
    data = make_zip([pki.vmca, pki.corp])
    args = {'path': bundle, 'expected_sha256': fp(pki.vmca).replace(':', '').lower()}
    check, dummy = run(capsys, monkeypatch, args, data, check=True)
    assert check['changed'] and not os.path.exists(bundle)
    result, fake = run(capsys, monkeypatch, args, data)
    assert result['changed'] and result['verified'] == 'pinned'
    assert fake.calls[0]['verify_with'] is None
    assert [c['sha256'] for c in result['certificates']] == [fp(pki.vmca)]
    assert [c['sha256'] for c in result['ignored']] == [fp(pki.corp)]
    assert result['added'] == [fp(pki.vmca)]
    assert result['diff']['before'] == {'certificates': []}
    assert [c['sha256'] for c in result['diff']['after']['certificates']] == [fp(pki.vmca)]
    with open(bundle) as handle:
        assert _certs.fingerprint_set(_certs.load_certificates(handle.read())) == frozenset([fp(pki.vmca)])
    assert stat.S_IMODE(os.stat(bundle).st_mode) == 0o644
    again, dummy = run(capsys, monkeypatch, args, data)
    assert not again['changed'] and again['added'] == [] and again['diff']['before'] == again['diff']['after']
    again_check, dummy = run(capsys, monkeypatch, args, data, check=True)
    assert not again_check['changed']


def test_pin_wrong_is_refused_and_nothing_written(capsys, monkeypatch, pki, bundle):
    result, dummy = run(capsys, monkeypatch, {'path': bundle, 'expected_sha256': [fp(pki.other)]},
                        make_zip([pki.vmca]))
    assert result['failed']
    assert 'does not offer the pinned root %s' % fp(pki.other) in result['msg']
    assert fp(pki.vmca) in result['msg']
    assert not os.path.exists(bundle)


@pytest.mark.parametrize('pin', ['AB:CD', 'z' * 64, ''])
def test_malformed_pin(capsys, monkeypatch, pki, bundle, pin):
    result, fake = run(capsys, monkeypatch, {'path': bundle, 'expected_sha256': [pin]}, make_zip([pki.vmca]))
    assert result['failed'] and 'is not a SHA-256 fingerprint' in result['msg']
    assert fake.calls == []


def test_tofu_first_use_then_verified_against_the_bundle(capsys, monkeypatch, pki, bundle):
    data = make_zip([pki.vmca, pki.corp])
    result, fake = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True}, data)
    assert result['changed'] and result['verified'] == 'first_use'
    assert fake.calls[0]['verify_with'] is None
    assert 'trusted on first use' in json.dumps(result['warnings'])
    assert sorted(result['added']) == sorted([fp(pki.vmca), fp(pki.corp)])
    again, fake = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True}, data)
    assert not again['changed'] and again['verified'] == 'bundle'
    assert fake.calls[0]['verify_with'] == bundle


def test_tofu_refuses_when_the_bundle_no_longer_verifies(capsys, monkeypatch, pki, bundle):
    with open(bundle, 'w') as handle:
        handle.write(pem(pki.other))
    failure = ConnectionFailure(mod.OPERATION, 'TLS verification of https://vc.example.com:443 failed (x)',
                                method='GET', path=mod.ZIP_PATH, tls_verification=True)
    result, dummy = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True}, failure)
    assert result['failed'] and 'not trusted on first use again' in result['msg']
    with open(bundle) as handle:
        assert handle.read() == pem(pki.other)


def test_adds_to_a_shared_bundle_or_replaces_it_when_exclusive(capsys, monkeypatch, pki, bundle):
    with open(bundle, 'w') as handle:
        handle.write('# another vCenter\n' + pem(pki.other))
    args = {'path': bundle, 'expected_sha256': [fp(pki.vmca)]}
    result, dummy = run(capsys, monkeypatch, args, make_zip([pki.vmca]))
    assert result['changed'] and result['removed'] == []
    with open(bundle) as handle:
        assert _certs.fingerprint_set(_certs.load_certificates(handle.read())) == frozenset(
            [fp(pki.other), fp(pki.vmca)])
    args['exclusive'] = True
    result, dummy = run(capsys, monkeypatch, args, make_zip([pki.vmca]))
    assert result['changed'] and result['removed'] == [fp(pki.other)]
    result, dummy = run(capsys, monkeypatch, args, make_zip([pki.vmca]))
    assert not result['changed']


def test_same_certificates_in_other_pem_text_is_not_a_change(capsys, monkeypatch, pki, bundle):
    with open(bundle, 'w') as handle:
        handle.write('\r\n'.join(pem(pki.vmca).splitlines()) + '\r\n')
    result, dummy = run(capsys, monkeypatch, {'path': bundle, 'expected_sha256': [fp(pki.vmca)]},
                        make_zip([pki.vmca]))
    assert not result['changed']


def test_mode_is_applied(capsys, monkeypatch, pki, bundle):
    result, dummy = run(capsys, monkeypatch, {'path': bundle, 'expected_sha256': [fp(pki.vmca)], 'mode': '0600'},
                        make_zip([pki.vmca]))
    assert result['changed']
    assert stat.S_IMODE(os.stat(bundle).st_mode) == 0o600


@pytest.mark.parametrize('data, message', [
    (b'<html>login</html>', 'is not a zip file'),
    (None, 'holds no certificate'),
])
def test_bad_downloads(capsys, monkeypatch, pki, bundle, data, message):
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w') as archive:
            archive.writestr('certs/lin/00000000.r0', CRL)
        data = buf.getvalue()
    result, dummy = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True}, data)
    assert result['failed'] and message in result['msg']
    assert not os.path.exists(bundle)


def test_existing_file_that_is_not_a_bundle_is_not_overwritten(capsys, monkeypatch, pki, bundle):
    with open(bundle, 'w') as handle:
        handle.write('not a certificate\n')
    result, fake = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True}, make_zip([pki.vmca]))
    assert result['failed'] and 'it is not overwritten' in result['msg']
    assert fake.calls == []


def test_bad_hostname_is_refused_before_any_request(capsys, monkeypatch, pki, bundle):
    result, fake = run(capsys, monkeypatch, {'path': bundle, 'trust_on_first_use': True,
                                             'vcenter_hostname': 'https://vc.example.com/'}, make_zip([pki.vmca]))
    assert result['failed'] and 'not a URL' in result['msg']
    assert fake.calls == []


def test_download_sends_no_credentials_and_refuses_redirects(monkeypatch):
    sent = []

    class Response(object):
        status_code = 302
        headers = {'Location': 'https://portal.example.com/login'}
        content = b''

    def request(self, method, url, **kwargs):
        sent.append((method, url, kwargs))
        return Response()

    monkeypatch.setattr('requests.Session.request', request)
    params = {'vcenter_hostname': 'vc.example.com', 'vcenter_port': 443, 'vcenter_timeout': 5}
    with pytest.raises(mod.CertOpsError) as exc:
        mod.download(params, None)
    assert 'redirect' in exc.value.reason and 'portal.example.com' in exc.value.reason
    method, url, kwargs = sent[0]
    assert (method, url) == ('GET', 'https://vc.example.com:443/certs/download.zip')
    assert kwargs['auth'] is None and kwargs['allow_redirects'] is False and kwargs['verify'] is False
