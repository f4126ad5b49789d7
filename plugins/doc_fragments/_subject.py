# -*- coding: utf-8 -*-
# Copyright: (c) 2026, certops.vcenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to certops.vcenter: may change in any release without notice.
# Twin of plugins/module_utils/_argspec.py subject_argument_spec(): change both together.

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  common_name:
    description:
      - Subject common name (CN). vCenter's default is its primary network identifier (PNID).
    type: str
  organization:
    description:
      - Subject organization (O).
      - Required for a machine SSL CSR and a VMCA-signed machine SSL certificate (vCenter's API requires it).
    type: str
  organization_unit:
    description:
      - Subject organizational unit (OU).
      - May be left out everywhere; for a machine SSL CSR or a VMCA-signed machine SSL certificate it is then sent
        as an empty string, which vCenter's API documents as unset.
    type: str
  locality:
    description:
      - Subject locality (L).
      - Required for a machine SSL CSR and a VMCA-signed machine SSL certificate (vCenter's API requires it).
    type: str
  state_or_province:
    description:
      - Subject state or province (ST).
      - Required for a machine SSL CSR and a VMCA-signed machine SSL certificate (vCenter's API requires it).
    type: str
  country:
    description:
      - Subject country (C), two letters.
      - Required for a machine SSL CSR and a VMCA-signed machine SSL certificate (vCenter's API requires it).
    type: str
  email_address:
    description:
      - Subject e-mail address.
      - Required for a machine SSL CSR and a VMCA-signed machine SSL certificate (vCenter's API requires it).
      - vCenter may put it into the subject alternative names (as an e-mail name) rather than the subject;
        comparisons accept either place, and that SAN entry is not counted against O(subject_alt_name).
    type: str
  subject_alt_name:
    description:
      - Subject alternative names, as DNS names or IP addresses (V(vc.example.com), V(10.0.0.1)); the
        prefixes V(DNS:) and V(IP:) are accepted. vCenter's default is its PNID.
      - When given, it is compared as a set with the certificate's SANs.
    type: list
    elements: str
  key_size:
    description:
      - RSA key size in bits. vCenter's default is 3072.
    type: int
    choices: [2048, 3072, 4096]
'''
