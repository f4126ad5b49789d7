#!/usr/bin/env bash
# Copy the working tree (tracked + untracked, not ignored files) to DEST/ansible_collections/certops/vcenter,
# where ansible-test needs it, and install ansible-test's pip bootstrap stand-in. Prints the collection path.
#   tests/dev-sync.sh [DEST]     (default /tmp/certops-dev)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-/tmp/certops-dev}"
COLL="$DEST/ansible_collections/certops/vcenter"
mkdir -p "$COLL"
# keep ansible-test's output dir, replace everything else
find "$COLL" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} +
[ -d "$COLL/tests" ] && find "$COLL/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
( cd "$REPO" && git ls-files -z --cached --others --exclude-standard \
    | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ \
    | tar --null -T - -cf - ) | tar -C "$COLL" -xf -
[ -d "$COLL/.git" ] || git -C "$COLL" init -q
"$REPO/tests/ci/pip-bootstrap-standin.sh" "${HOME}/.ansible/test/cache"
echo "$COLL"
