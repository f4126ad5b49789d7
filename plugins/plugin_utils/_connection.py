# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.

"""The one place where a role's connection values are resolved (the vcenter_connection lookup uses it).

For each option the first one set wins: the role's variable ``<role>_vcenter_<option>``, the collection-wide
``certops_vcenter_<option>``, then (only when asked: for what is not a module of this collection, such as a TLS
probe) the module's ``VMWARE_*`` environment variable. An option set nowhere is left out, so the modules apply
their own environment fallback and default.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# option -> the environment variable the modules fall back to (plugins/module_utils/_argspec.py)
OPTIONS = (
    ('vcenter_hostname', 'VMWARE_HOST'),
    ('vcenter_username', 'VMWARE_USER'),
    ('vcenter_password', 'VMWARE_PASSWORD'),
    ('vcenter_port', 'VMWARE_PORT'),
    ('vcenter_validate_certs', 'VMWARE_VALIDATE_CERTS'),
    ('vcenter_ca_path', 'VMWARE_CA_PATH'),
    ('vcenter_timeout', None),
    ('vcenter_api', None),
)
OPTION_NAMES = tuple(name for name, dummy in OPTIONS)
_PREFIX = re.compile(r'^[a-z][a-z0-9_]*$')


class ConnectionVarsError(ValueError):
    """A prefix or an override that cannot be right."""


def _is_set(value):
    return value is not None and not (isinstance(value, str) and value == '')


def resolve(prefix, lookup_var, environ=None, overrides=None):
    """The connection options that are set, as a dict.

    ``lookup_var(name)``: the (templated) value of an inventory/play variable, or None when it is not defined.
    ``environ``: a mapping of environment variables to fall back to last, or None for no environment fallback.
    ``overrides``: values that win over everything (a role's own decision, such as a CA bundle it wrote).
    """
    _check(prefix, overrides)
    resolved = {}
    for option, env_name in OPTIONS:
        value = _first_set(_candidates(option, env_name, prefix, lookup_var, environ, overrides or {}))
        if value is not None:
            resolved[option] = value
    return resolved


def _check(prefix, overrides):
    if prefix is not None and not _PREFIX.match(prefix):
        raise ConnectionVarsError('the role prefix must look like a role name (letters, digits, _), got %r' % (prefix,))
    unknown = sorted(set(overrides or {}) - set(OPTION_NAMES))
    if unknown:
        raise ConnectionVarsError('unknown connection option(s) in overrides: %s (known: %s)'
                                  % (', '.join(unknown), ', '.join(OPTION_NAMES)))


def _candidates(option, env_name, prefix, lookup_var, environ, overrides):
    """The places an option may be set, in precedence order (a generator: later places are read only if needed)."""
    if option in overrides:
        yield overrides[option]
    if prefix:
        yield lookup_var('%s_%s' % (prefix, option))
    yield lookup_var('certops_%s' % option)
    if environ is not None and env_name:
        yield environ.get(env_name)


def _first_set(values):
    for value in values:
        if _is_set(value):
            return value
    return None
