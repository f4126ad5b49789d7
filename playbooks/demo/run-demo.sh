#!/usr/bin/env bash
# make demo: start the vCenter simulator, run playbooks/demo/demo.yml against it (a machine SSL certificate left with
# 20 days, report before, rotation with a CA the demo creates, report after), print where the reports are and the
# findings sections of both reports. The simulator is always stopped.
# Environment: VENV (virtualenv with ansible-core), DEPS (collections path with community.crypto), both relative to
# the repository root or absolute. Output goes to demo-output/ (git-ignored).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
abs() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$REPO/$1" ;; esac; }
VENV="$(abs "${VENV:-.venv}")"
DEPS="$(abs "${DEPS:-.deps/collections}")"
OUT="$REPO/demo-output"
PY="$VENV/bin/python"

for need in "$PY" "$VENV/bin/ansible-playbook" "$DEPS/ansible_collections/community/crypto"; do
  [ -e "$need" ] || { echo "demo: $need is missing; run 'make venv deps' first" >&2; exit 1; }
done

# A fresh start every time: a new simulated vCenter, new CA, new reports.
rm -rf "$OUT/sim-state" "$OUT/ca" "$OUT/backup" "$OUT/report-before" "$OUT/report-after"
mkdir -p "$OUT/ca" "$OUT/collections/ansible_collections/certops"
# certops.vcenter resolves to this checkout.
ln -sfn "$REPO" "$OUT/collections/ansible_collections/certops/vcenter"

SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill "$SIM_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SIM_PID" 2>/dev/null || true
    echo "demo: simulator stopped"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "demo: starting the vCenter simulator (tests/simulator/certsim.py, profile 8.0.3)"
"$PY" tests/simulator/certsim.py --port 0 --version 8.0.3 --restart-seconds 1 \
  --state-dir "$OUT/sim-state" --log-file "$OUT/certsim.log" > "$OUT/certsim.out" 2>&1 &
SIM_PID=$!
URL=""
for _ in $(seq 600); do
  URL="$(sed -n 's/^READY //p' "$OUT/certsim.out" | head -1)"
  [ -n "$URL" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || { cat "$OUT/certsim.out" >&2; echo "demo: the simulator exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "demo: the simulator did not start within 60 s" >&2; exit 1; }
PORT="${URL##*:}"
echo "demo: simulated vCenter at $URL"

# The VMCA root to trust, from the simulator's control API (on a real vCenter: https://<vcenter>/certs/download.zip).
"$PY" - "$URL" "$OUT/vmca-root.pem" <<'PYEOF'
import json, ssl, sys, urllib.request
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with urllib.request.urlopen(sys.argv[1] + '/sim/vmca-root', context=ctx, timeout=30) as resp:
    root = json.load(resp)
with open(sys.argv[2], 'w') as handle:
    handle.write(root['pem'])
print('demo: VMCA root SHA-256 %s' % root['sha256'])
PYEOF

cat > "$OUT/inventory.yml" <<INVEOF
---
all:
  children:
    vcenters:
      hosts:
        vc-demo:
          ansible_connection: local
          ansible_python_interpreter: $PY
          certops_vcenter_hostname: 127.0.0.1
          certops_vcenter_port: $PORT
          certops_vcenter_username: administrator@vsphere.local
          certops_vcenter_password: VMware1!
          certops_vcenter_ca_path: $OUT/vmca-root.pem
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: $PY
INVEOF

export ANSIBLE_COLLECTIONS_PATH="$OUT/collections:$DEPS"
export ANSIBLE_DEPRECATION_WARNINGS=False ANSIBLE_RETRY_FILES_ENABLED=False
export ANSIBLE_DISPLAY_SKIPPED_HOSTS="${ANSIBLE_DISPLAY_SKIPPED_HOSTS:-false}"
"$VENV/bin/ansible-playbook" -i "$OUT/inventory.yml" playbooks/demo/demo.yml -e "demo_output=$OUT"

echo
echo "demo: reports written by the cert_report role (open the HTML files in a browser):"
for which in before after; do
  for ext in html md json; do
    f="$OUT/report-$which/vcenter-certificates.$ext"
    [ -f "$f" ] && echo "  $which: $f"
  done
done
for which in before after; do
  md="$OUT/report-$which/vcenter-certificates.md"
  [ -f "$md" ] || continue
  echo
  echo "demo: findings $which the rotation (from $md):"
  sed -n '/^## Findings/,/^## Needs attention/p' "$md" | sed '$d'
done
echo "demo: simulator request log: $OUT/certsim.log"
