# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""Input recipes: the checks the modules run on a task's options before they change anything.

A recipe raises :class:`_certs.CertificateInputError` with a sentence that names the option. ``run_module``
turns it into the same failure as an ``InputError`` raised by the module itself: ``Failed to <operation>:
<reason>``, with ``operation`` and ``vcenter_state: unchanged``. Where two modules word a refusal differently,
the module passes its own words, so what users read does not depend on which recipe found the problem.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certops.vcenter.plugins.module_utils import _certs
from ansible_collections.certops.vcenter.plugins.module_utils._cert_api import (
    missing_subject_message,
    missing_subject_strings,
)
from ansible_collections.certops.vcenter.plugins.module_utils._errors import (
    UnsupportedVersionError,
    STATE_UNCHANGED,
)


def only_with(params, names, state):
    """The options of ``names`` the task sets although its ``state`` is not ``state``, the one they apply to.

    An option counts as set when it is neither None nor false (a flag left at its default is not set).
    """
    if params['state'] == state:
        return []
    return [name for name in names if params.get(name) is not None and params.get(name) is not False]


def load_chain(text, what, numbered=False):
    """A PEM bundle, leaf first: every certificate valid now and issued by the next one.

    A block that is not valid is named ``<what>`` (the leaf) or ``<what> (PEM block n)``, as
    :func:`_certs.load_certificates` names them; with ``numbered``, every block is ``<what> PEM block n``.
    """
    certs = _certs.load_certificates(text, what)
    for index, cert in enumerate(certs):
        if numbered:
            label = '%s PEM block %d' % (what, index + 1)
        else:
            label = what if index == 0 else '%s (PEM block %d)' % (what, index + 1)
        _certs.check_validity(cert, label)
    _certs.check_chain_order(certs, what)
    return certs


def load_key(params, without_key):
    """The key in ``private_key``, decrypted with ``private_key_passphrase``; None when the task gives no key.

    ``without_key`` is the refusal when the task gives a passphrase but no key.
    """
    if params.get('private_key') is None:
        if params.get('private_key_passphrase') is not None:
            raise _certs.CertificateInputError(without_key)
        return None
    return _certs.load_private_key(params['private_key'], params.get('private_key_passphrase'), 'private_key')


def pkcs8_for(key, leaf, mismatch):
    """``key`` as the unencrypted PKCS#8 PEM vCenter wants, once it is known to be the key of ``leaf``.

    ``mismatch`` is the refusal when it is not; its ``%s`` is the leaf's subject.
    """
    if not _certs.key_matches_certificate(key, leaf):
        raise _certs.CertificateInputError(mismatch % _certs.name_to_string(leaf.subject))
    return _certs.private_key_to_pkcs8_pem(key)


def subject_request(params, spec_name=None):
    """The subject fields the task gives (see :func:`_certs.subject_request`).

    With ``spec_name``, the API structure the fields go into (``TlsCsr.Spec``, ``Tls.ReplaceSpec``), every
    subject string that structure requires must be given.
    """
    desired = _certs.subject_request(params)
    missing = missing_subject_strings(desired) if spec_name else []
    if missing:
        raise _certs.CertificateInputError(missing_subject_message(missing, spec_name))
    return desired


def require(operation, check):
    """Run a version check of the API layer (``api.require_vmca_signed`` ...) for the task's ``operation``.

    The request is refused before anything is changed: the refusal names the task's operation, not the
    feature, and says that vCenter was left unchanged.
    """
    try:
        check()
    except UnsupportedVersionError as exc:
        exc.operation = operation
        exc.vcenter_state = STATE_UNCHANGED
        raise
