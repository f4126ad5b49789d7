# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible.errors import AnsibleFilterError

from ansible_collections.certops.vcenter.plugins.filter.cert_findings import cert_findings
from ansible_collections.certops.vcenter.plugins.filter.trust_store_plan import FilterModule, trust_store_plan
from ansible_collections.certops.vcenter.plugins.module_utils import _certs

NOW = '2026-06-01T12:00:00Z'
LATER = '2036-01-01T00:00:00Z'
EARLIER = '2026-05-29T00:00:00Z'
VMCA = {'subject': 'CN=CA,DC=vsphere,DC=local', 'fingerprints': {'sha256': 'F0'}}


# ------------------------------------------------------------------ input as vcenter_trusted_root_info returns it

def cert(fp, not_after=LATER, subject=None):
    return {'subject': subject or 'CN=%s' % fp, 'not_after': not_after, 'fingerprints': {'sha256': fp}}


def chain(chain_id, *certs, **kwargs):
    return {'chain_id': chain_id, 'anchors': kwargs.get('anchors', []),
            'certificates': [c if isinstance(c, dict) else cert(c) for c in certs]}


def store(*chains, **kwargs):
    return {'chains': list(chains), 'vmca_root': kwargs.get('vmca_root', VMCA)}


def listed(*fingerprints, **kwargs):
    entry = {'fingerprints': list(fingerprints), 'source': kwargs.get('source', '+'.join(fingerprints))}
    if 'chain_id' in kwargs:
        entry['chain_id'] = kwargs['chain_id']
    return entry


def plan(info, desired=(), **kwargs):
    kwargs.setdefault('now', NOW)
    return trust_store_plan(info, list(desired), **kwargs)


def ids(items):
    return [item['chain_id'] for item in items]


# ------------------------------------------------------------------ real certificates, for pem and expiry

def make_cert(cn, days=3650, start_days=-1, ca=True, cert_sign=True, issuer=None):
    """A certificate valid from now + start_days to now + days, self-signed unless ``issuer`` is (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    signer_cert, signer_key = issuer if issuer else (None, key)
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(signer_cert.subject if signer_cert is not None else name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + datetime.timedelta(days=start_days))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=cert_sign, crl_sign=True, encipher_only=False,
            decipher_only=False), critical=True)
    return builder.sign(signer_key, hashes.SHA256()), key


def pem(cert_obj):
    return cert_obj.public_bytes(serialization.Encoding.PEM).decode('ascii')


def info_chain(chain_id, certs, anchors=()):
    """A chain as vcenter_trusted_root_info returns it (summaries with pem)."""
    return {'chain_id': chain_id, 'anchors': list(anchors),
            'certificates': [_certs.summary(c, include_pem=True) for c in certs]}


# ------------------------------------------------------------------ registration and defaults

def test_filter_is_registered():
    assert FilterModule().filters()['trust_store_plan'] is trust_store_plan


def test_defaults_add_what_is_missing_and_remove_nothing():
    result = plan(store(chain('vmca', 'F0', anchors=['vmca_root']), chain('old', cert('AA', EARLIER))),
                  [listed('BB', chain_id='corp')])
    assert ids(result['desired']) == ['corp']
    assert [e['source'] for e in result['to_add']] == ['BB']
    assert result['to_remove'] == [] and result['protected'] == [] and result['needs_vmca_root'] == []
    assert result['kept_expired_anchoring'] == [] and result['kept_expired_listed'] == []
    assert result['any_change'] is True


def test_nothing_to_do_is_no_change():
    result = plan(store(chain('vmca', 'F0', anchors=['vmca_root']), chain('corp', 'BB')), [listed('BB')],
                  remove_unlisted=True, remove_expired=True)
    assert result['to_add'] == [] and result['to_remove'] == [] and result['conflicts'] == []
    assert result['any_change'] is False


def test_store_view_has_sorted_fingerprints_and_subjects():
    result = plan(store(chain('two', cert('bb:02', subject='CN=leaf'), cert('AA:01', subject='CN=root'),
                              anchors=['machine_ssl'])))
    assert result['store'] == [{'chain_id': 'two', 'anchors': ['machine_ssl'], 'subjects': ['CN=leaf', 'CN=root'],
                                'fingerprints': ['AA:01', 'BB:02']}]


# ------------------------------------------------------------------ what is present

def test_a_chain_is_present_by_its_fingerprints_whatever_its_id_order_or_case():
    result = plan(store(chain('some-generated-id', 'AA:01', 'BB:02')), [listed('bb02', 'aa:01', chain_id='corp')])
    assert result['to_add'] == []
    assert result['desired'][0]['fingerprints'] == ['AA:01', 'BB:02']


def test_a_listed_chain_held_by_other_chains_is_present_and_they_count_as_listed():
    # vCenter refuses certificates it already trusts under another id: AA and BB held apart make [AA, BB] present
    result = plan(store(chain('a', 'AA'), chain('b', 'BB'), chain('c', 'CC')), [listed('AA', 'BB')],
                  remove_unlisted=True)
    assert result['to_add'] == []
    assert ids(result['to_remove']) == ['c']


def test_a_listed_chain_only_partly_held_is_added_and_does_not_protect_the_partial_holder():
    # the existing rule: only a listed chain held entirely elsewhere makes its holders listed
    result = plan(store(chain('a', 'AA')), [listed('AA', 'DD')], remove_unlisted=True)
    assert [e['fingerprints'] for e in result['to_add']] == [['AA', 'DD']]
    assert ids(result['to_remove']) == ['a']


def test_a_chain_that_holds_more_than_a_listed_one_is_not_that_chain():
    result = plan(store(chain('ab', 'AA', 'BB')), [listed('AA')], remove_unlisted=True)
    # AA is held (by ab), so the listed chain is present and ab counts as listed
    assert result['to_add'] == []
    assert result['to_remove'] == []


# ------------------------------------------------------------------ chain id conflicts

def test_a_listed_id_held_with_other_certificates_is_a_conflict():
    info = store(chain('corp', 'AA'), chain('same', 'BB'))
    result = plan(info, [listed('CC', chain_id='corp'), listed('BB', chain_id='same'), listed('DD')])
    assert result['conflicts'] == ['corp']


def test_a_conflict_alone_is_a_change_only_when_it_is_replaced():
    info = store(chain('corp', 'AA'), chain('other', 'BB'))
    # BB is listed under the id corp, and held by "other": present, but corp holds AA
    desired = [listed('BB', chain_id='corp')]
    assert plan(info, desired)['conflicts'] == ['corp']
    assert plan(info, desired)['any_change'] is False
    assert plan(info, desired, replace_conflicting=True)['any_change'] is True


def test_a_replaced_chain_is_neither_removed_nor_kept():
    # corp is replaced (deleted, created again with the listed certificates under the same id) before the removals:
    # removing "corp" afterwards would remove the listed chain
    info = store(chain('corp', cert('C4', EARLIER)), chain('stale', 'C3'))
    result = plan(info, [listed('AA', chain_id='corp')], replace_conflicting=True, remove_unlisted=True,
                  remove_expired=True)
    assert result['conflicts'] == ['corp']
    assert ids(result['to_remove']) == ['stale']
    assert result['kept_expired_listed'] == [] and result['protected'] == []
    anchoring = store(chain('corp', 'C4', anchors=['machine_ssl']))
    assert plan(anchoring, [listed('AA', chain_id='corp')], replace_conflicting=True,
                remove_unlisted=True)['protected'] == []
    # not replaced, it is an unlisted chain like any other (and the role stops on the conflict first)
    assert ids(plan(info, [listed('AA', chain_id='corp')], remove_unlisted=True)['to_remove']) == ['corp', 'stale']


# ------------------------------------------------------------------ removal of unlisted chains

def test_remove_unlisted_never_removes_an_anchor_a_kept_id_or_a_listed_chain():
    info = store(chain('vmca', 'F0', anchors=['machine_ssl', 'vmca_root']),
                 chain('partner', 'D1', anchors=['linked_vmca_root']), chain('kept', 'C1'), chain('listed', 'C2'),
                 chain('stale', 'C3'))
    result = plan(info, [listed('C2')], remove_unlisted=True, keep_chain_ids=['kept'])
    assert ids(result['to_remove']) == ['stale']
    assert result['to_remove'][0]['reasons'] == ['unlisted']
    assert ids(result['protected']) == ['vmca', 'partner']
    assert result['protected'][1]['anchors'] == ['linked_vmca_root']
    assert result['any_change'] is True


def test_a_kept_id_that_anchors_is_still_reported_protected():
    result = plan(store(chain('vmca', 'F0', anchors=['vmca_root'])), remove_unlisted=True, keep_chain_ids=['vmca'])
    assert ids(result['protected']) == ['vmca']
    assert result['to_remove'] == []


def test_without_remove_unlisted_nothing_is_protected_or_removed():
    result = plan(store(chain('vmca', 'F0', anchors=['vmca_root']), chain('stale', 'C3')))
    assert result['protected'] == [] and result['to_remove'] == []


def test_removing_unlisted_chains_needs_the_vmca_root():
    info = store(chain('stale', 'C3'), chain('kept', 'C1'), vmca_root=None)
    result = plan(info, remove_unlisted=True)
    assert result['needs_vmca_root'] == [{'chain_id': 'stale', 'reasons': ['unlisted']},
                                         {'chain_id': 'kept', 'reasons': ['unlisted']}]
    assert plan(info, remove_unlisted=True, keep_chain_ids=['stale', 'kept'])['needs_vmca_root'] == []
    assert plan(store(chain('stale', 'C3')), remove_unlisted=True)['needs_vmca_root'] == []


def test_a_missing_vmca_root_key_counts_as_not_identified():
    assert ids(plan({'chains': [chain('stale', 'C3')]}, remove_unlisted=True)['needs_vmca_root']) == ['stale']


# ------------------------------------------------------------------ removal of expired chains

def test_remove_expired_removes_an_expired_chain_that_anchors_nothing():
    info = store(chain('vmca', 'F0', anchors=['vmca_root']), chain('old', cert('C4', EARLIER)), chain('stale', 'C3'))
    result = plan(info, remove_expired=True)
    assert ids(result['to_remove']) == ['old']
    assert result['to_remove'][0]['reasons'] == ['expired']
    assert result['any_change'] is True


def test_an_expired_chain_that_anchors_something_is_kept_and_named():
    info = store(chain('oldca', cert('C4', EARLIER, 'CN=Old CA'), anchors=['machine_ssl']))
    result = plan(info, remove_expired=True)
    assert result['to_remove'] == []
    assert result['kept_expired_anchoring'] == [{'chain_id': 'oldca', 'anchors': ['machine_ssl'],
                                                 'subject': 'CN=Old CA', 'not_after': EARLIER}]
    assert result['any_change'] is False


def test_an_expired_chain_that_anchors_and_is_listed_is_named_as_anchoring():
    info = store(chain('oldca', cert('C4', EARLIER), anchors=['sts_signing']))
    result = plan(info, [listed('C4')], remove_expired=True)
    assert ids(result['kept_expired_anchoring']) == ['oldca']
    assert result['kept_expired_listed'] == []


def test_an_expired_listed_chain_is_kept_and_said_so():
    info = store(chain('old', cert('C4', EARLIER, 'CN=Old')), chain('b', cert('BB', EARLIER)),
                 chain('c', cert('CC', EARLIER)))
    # OO is listed as such; BB+CC is listed as one chain that the store holds in two (so both count as listed)
    result = plan(info, [listed('C4'), listed('BB', 'CC')], remove_expired=True, remove_unlisted=True)
    assert result['to_remove'] == []
    assert result['kept_expired_listed'] == [
        {'chain_id': 'old', 'subject': 'CN=Old', 'not_after': EARLIER, 'listed_in': 'trusted_roots_present'},
        {'chain_id': 'b', 'subject': 'CN=BB', 'not_after': EARLIER, 'listed_in': 'trusted_roots_present'},
        {'chain_id': 'c', 'subject': 'CN=CC', 'not_after': EARLIER, 'listed_in': 'trusted_roots_present'}]


def test_an_expired_chain_with_a_kept_id_is_kept_and_said_so():
    result = plan(store(chain('old', cert('C4', EARLIER))), remove_expired=True, keep_chain_ids=['old'])
    assert result['to_remove'] == []
    assert result['kept_expired_listed'][0]['listed_in'] == 'trusted_roots_keep_chain_ids'


def test_remove_expired_alone_keeps_valid_unlisted_chains():
    result = plan(store(chain('stale', 'C3'), chain('old', cert('C4', EARLIER))), remove_expired=True)
    assert ids(result['to_remove']) == ['old']


def test_both_switches_give_both_reasons():
    info = store(chain('old', cert('C4', EARLIER)), chain('stale', 'C3'))
    result = plan(info, remove_expired=True, remove_unlisted=True)
    reasons = [(c['chain_id'], c['reasons']) for c in result['to_remove']]
    assert reasons == [('old', ['unlisted', 'expired']), ('stale', ['unlisted'])]


def test_one_expired_certificate_makes_the_chain_expired_and_the_first_one_is_named():
    info = store(chain('mixed', cert('E1', '2026-05-01T00:00:00Z', 'CN=Issuing'), cert('E2', EARLIER, 'CN=Root'),
                       anchors=['machine_ssl']))
    result = plan(info, remove_expired=True)
    assert result['kept_expired_anchoring'][0]['subject'] == 'CN=Issuing'
    assert result['kept_expired_anchoring'][0]['not_after'] == '2026-05-01T00:00:00Z'


@pytest.mark.parametrize('not_after, expired', [('2026-06-01T12:00:00Z', True), ('2026-06-01T12:00:01Z', False),
                                                ('2026-06-01T11:59:59Z', True)])
def test_a_certificate_has_expired_from_its_not_after_second_on(not_after, expired):
    result = plan(store(chain('edge', cert('E3', not_after))), remove_expired=True)
    assert ids(result['to_remove']) == (['edge'] if expired else [])


def test_an_expired_chain_whose_certificates_all_expired_needs_no_vmca_root():
    info = store(chain('old', cert('C4', EARLIER)), vmca_root=None)
    result = plan(info, remove_expired=True)
    assert ids(result['to_remove']) == ['old']
    assert result['needs_vmca_root'] == []


def test_an_expired_chain_that_still_holds_a_valid_certificate_needs_the_vmca_root():
    # an expired intermediate in front of a valid root: the root may be the VMCA root that cannot be identified
    info = store(chain('mixed', cert('E1', EARLIER), cert('E2', LATER)), vmca_root=None)
    result = plan(info, remove_expired=True)
    assert ids(result['to_remove']) == ['mixed']
    assert result['needs_vmca_root'] == [{'chain_id': 'mixed', 'reasons': ['expired']}]
    assert plan(dict(info, vmca_root=VMCA), remove_expired=True)['needs_vmca_root'] == []


def test_without_now_the_current_time_judges():
    info = store(chain('old', cert('C4', '2001-01-01T00:00:00Z')), chain('new', cert('D2', '2999-01-01T00:00:00Z')))
    assert ids(trust_store_plan(info, [], remove_expired=True)['to_remove']) == ['old']


def test_expired_chains_are_the_ones_cert_findings_names():
    """The role removes, with remove_expired, the chains that trusted_root_expired findings name (one rule)."""
    root, root_key = make_cert('Valid Root')
    old, dummy = make_cert('Old Root', days=-3, start_days=-400)
    young, dummy = make_cert('Young Root', days=1, start_days=-400)
    expired_intermediate, dummy = make_cert('Old Issuing CA', days=-1, start_days=-300, issuer=(root, root_key))
    chains = [info_chain('valid', [root]), info_chain('old', [old]), info_chain('young', [young]),
              info_chain('mixed', [expired_intermediate, root])]
    findings = cert_findings({'vcenter': 'vc', 'trusted_roots': chains})
    named = sorted(f['certificate']['chain_id'] for f in findings if f['id'] == 'trusted_root_expired')
    result = trust_store_plan({'chains': chains, 'vmca_root': VMCA}, [], remove_expired=True)
    assert named == ['mixed', 'old']
    assert sorted(ids(result['to_remove'])) == named


# ------------------------------------------------------------------ listed chains given as PEM

def test_pem_entries_are_fingerprinted_and_non_ca_certificates_named():
    root, root_key = make_cert('Corp Root')
    leaf, dummy = make_cert('vc.example.com', ca=False, issuer=(root, root_key))
    no_sign, dummy = make_cert('No Sign CA', cert_sign=False)
    result = plan(store(chain('corp', _certs.fingerprint(root))),
                  [{'pem': pem(root), 'source': 'root.pem', 'chain_id': 'corp', 'index': 1},
                   {'pem': pem(leaf) + pem(no_sign), 'source': 'pem #2', 'chain_id': None, 'index': 2}])
    first, second = result['desired']
    assert first == {'index': 1, 'source': 'root.pem', 'chain_id': 'corp',
                     'fingerprints': [_certs.fingerprint(root)], 'not_ca': []}
    assert second['fingerprints'] == sorted([_certs.fingerprint(leaf), _certs.fingerprint(no_sign)])
    assert second['not_ca'] == ['CN=vc.example.com (SHA-256 %s)' % _certs.fingerprint(leaf),
                                'CN=No Sign CA (SHA-256 %s)' % _certs.fingerprint(no_sign)]
    assert second['chain_id'] is None
    assert [e['index'] for e in result['to_add']] == [2]
    assert result['conflicts'] == []


def test_a_private_key_in_a_pem_entry_is_refused_without_showing_it():
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode('ascii')
    root, dummy = make_cert('Corp Root')
    with pytest.raises(AnsibleFilterError) as exc:
        plan(store(), [{'pem': pem(root) + key_pem, 'source': 'bundle.pem'}])
    message = str(exc.value)
    assert 'trusted_roots_present entry bundle.pem contains a private key' in message
    assert key_pem.splitlines()[1] not in message


@pytest.mark.parametrize('info, desired, kwargs, message', [
    ('text', [], {}, 'the result of vcenter_trusted_root_info'),
    ({'chains': 'x'}, [], {}, 'the result of vcenter_trusted_root_info'),
    ({'chains': [{'anchors': []}]}, [], {}, 'trust store chain 1 must be a dict with chain_id'),
    ({'chains': [{'chain_id': 'c', 'certificates': [{'not_after': LATER}]}]}, [], {},
     'chain c certificate 1 has no fingerprints.sha256'),
    ({'chains': [chain('c', 'not-a-fingerprint')]}, [], {},
     'chain c certificate 1: fingerprints.sha256 must be a SHA-256'),
    ({'chains': []}, [listed('AA', 'XY')], {}, 'listed chain AA+XY: fingerprints must be a SHA-256 fingerprint'),
    ({'chains': [{'chain_id': 'c', 'certificates': [{'fingerprints': {'sha256': 'AA'}}]}]}, [], {},
     'chain c certificate 1 has no not_after'),
    ({'chains': [{'chain_id': 'c', 'certificates': [cert('AA', 'soon')]}]}, [], {},
     'not_after must be an ISO 8601 UTC time'),
    ({'chains': []}, 'x', {}, 'the listed chains must be a list'),
    ({'chains': []}, [{'source': 'a.pem'}], {}, 'listed chain a.pem: fingerprints must be a non-empty list'),
    ({'chains': []}, [{'pem': 'not pem', 'source': 'a.pem'}], {},
     'trusted_roots_present entry a.pem does not contain a PEM certificate'),
    ({'chains': []}, [], {'keep_chain_ids': 'old'}, 'keep_chain_ids must be a list'),
    ({'chains': []}, [], {'now': 'yesterday'}, 'now must be an ISO 8601 UTC time'),
    ({'chains': []}, [], {'remove_expired': 'perhaps'}, 'perhaps'),
])
def test_bad_input_is_a_filter_error(info, desired, kwargs, message):
    with pytest.raises(AnsibleFilterError) as exc:
        trust_store_plan(info, desired, **kwargs)
    assert 'certops.vcenter.trust_store_plan: ' in str(exc.value)
    assert message in str(exc.value)


def test_switches_take_ansible_booleans():
    info = store(chain('old', cert('C4', EARLIER)), chain('stale', 'C3'))
    assert ids(plan(info, remove_expired='yes')['to_remove']) == ['old']
    assert ids(plan(info, remove_unlisted='true', remove_expired='no')['to_remove']) == ['old', 'stale']
