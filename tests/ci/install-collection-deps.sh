#!/usr/bin/env bash
# Install the collections certops.vcenter depends on (galaxy.yml: community.crypto) into DEST without
# Ansible Galaxy (not reachable from CI machines here): take community.crypto from the `ansible` package on PyPI.
#   tests/ci/install-collection-deps.sh PYTHON DEST      -> DEST/ansible_collections/community/crypto
set -euo pipefail
PY="$1"
DEST="$2"
ANSIBLE_PKG_VERSION=12.3.0   # ships community.crypto 3.0.x (ansible-core >= 2.17)
if [ -f "$DEST/ansible_collections/community/crypto/MANIFEST.json" ]; then exit 0; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PY" -m pip download -q --no-deps "ansible==$ANSIBLE_PKG_VERSION" -d "$tmp" 2>&1 | grep -v "^WARNING: Location" || true
"$PY" - "$tmp" "$DEST" <<'PYEOF'
import glob, os, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(src, 'ansible-*.whl'))[0]
prefix = 'ansible_collections/community/crypto/'
with zipfile.ZipFile(wheel) as zf:
    members = [m for m in zf.namelist() if m.startswith(prefix)]
    zf.extractall(dest, members)
print('community.crypto: %d files -> %s' % (len(members), os.path.join(dest, prefix)))
PYEOF
