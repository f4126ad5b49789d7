# Copyright: (c) certops.vcenter contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Implementation package of the vCenter certificate-management simulator (tests/simulator/certsim.py)."""
