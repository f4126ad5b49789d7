#!/usr/bin/env bash
# Every check CI runs (called by `make test`, which prepares the virtualenvs). Ends with "N passed, N failed".
# Needs: VENV (py3.11 + ansible-core 2.19 + dev tools), VENV_CORE221 (py3.12 + ansible-core 2.21), DEPS (collections).
# ONLY=name1,name2 runs a subset (for development).
set -uo pipefail
SECONDS=0
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
VENV="$REPO/${VENV:-.venv}"
VENV_CORE221="$REPO/${VENV_CORE221:-.venv-core2.21}"
DEPS="$REPO/${DEPS:-.deps/collections}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/certops-ci.XXXXXX")"
COLL="$WORK/ansible_collections/certops/vcenter"
MODULES=$(cd plugins/modules && ls vcenter_*.py | sed 's/\.py$//')

# ansible-test and molecule keep caches under ~/.ansible: keep them in the repo's (ignored) .cache so reruns are
# warm; CI starts cold anyway.
export HOME="${CERTOPS_CI_HOME:-$REPO/.cache/ci-home}"
export ANSIBLE_COLLECTIONS_PATH="$WORK:$DEPS"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0 NO_COLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_DEPRECATION_WARNINGS=False
mkdir -p "$HOME" "$COLL"
tests/ci/pip-bootstrap-standin.sh "$HOME/.ansible/test/cache"

log() { printf '\n=== [%4ss] %s\n' "$SECONDS" "$*"; }

# ansible-test needs the collection at .../ansible_collections/certops/vcenter (a real directory, not a
# symlink): copy tracked and untracked-but-not-ignored files, and make it a git repo so .gitignore is honoured.
( git ls-files -z --cached --others --exclude-standard \
    | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ \
    | tar --null -T - -cf - ) | tar -C "$COLL" -xf -
git -C "$COLL" init -q

PASS=0 FAIL=0 FAILED=()
step() {  # step NAME CMD... (runs in the collection copy, with the 2.19/3.11 venv active)
  local name=$1; shift
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then return; fi
  log "$name"
  if ( cd "$COLL" && source "$VENV/bin/activate" && "$@" ); then
    PASS=$((PASS+1))
  else
    FAIL=$((FAIL+1)); FAILED+=("$name")
  fi
}

# pytest exits 5 when it collected nothing: a test step that finds no tests is a failure, said plainly.
pytest_strict() {
  python -m pytest "$@"; local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing (a check that tests nothing is a defect)"; fi
  return $rc
}

sanity_221() {
  # ansible-core 2.21 runs its controller on Python 3.12
  deactivate 2>/dev/null || true
  source "$VENV_CORE221/bin/activate"
  ansible-test sanity --local --python 3.12 --color no
}

galaxy_check() {
  set -e
  local out="$WORK/galaxy"
  mkdir -p "$out"
  ansible-galaxy collection build --output-path "$out" --force .
  tarball="$out/certops-vcenter-0.1.0.tar.gz"
  test -f "$tarball"
  if tar -tzf "$tarball" | grep -E '(^|/)(\.venv|tests/output|\.deps|\.cache|__pycache__)(/|$)'; then
    echo "build output or virtualenv found in the tarball"; return 1
  fi
  # --no-deps: Galaxy is not reachable here; community.crypto comes from $DEPS.
  ansible-galaxy collection install --no-deps "$tarball" -p "$out/inst" --force
  local missing=0
  for m in $MODULES; do
    ANSIBLE_COLLECTIONS_PATH="$out/inst:$DEPS" ansible-doc "certops.vcenter.$m" > "$out/$m.txt" 2>&1
    if grep -q "^> MODULE certops.vcenter.$m" "$out/$m.txt"; then echo "ansible-doc ok: $m"; else
      echo "ansible-doc FAILED: $m"; cat "$out/$m.txt"; missing=1; fi
  done
  for r in $(ls roles); do
    ANSIBLE_COLLECTIONS_PATH="$out/inst:$DEPS" ansible-doc -t role "certops.vcenter.$r" > "$out/role-$r.txt" 2>&1
    if grep -q "^> ROLE: \*certops.vcenter.$r\*\|^> ROLE: certops.vcenter.$r\|certops.vcenter.$r" "$out/role-$r.txt" \
        && ! grep -q "not found" "$out/role-$r.txt"; then echo "ansible-doc ok: role $r"; else
      echo "ansible-doc FAILED: role $r"; cat "$out/role-$r.txt"; missing=1; fi
  done
  return $missing
}

ee_check() {
  set -e
  rm -rf "$WORK/ee-context"
  ansible-builder create -f meta/execution-environment.yml -c "$WORK/ee-context" -v 1
  test -f "$WORK/ee-context/Containerfile" -o -f "$WORK/ee-context/Dockerfile"
  grep -q requests "$WORK/ee-context/_build/requirements.txt"
}

step sanity-core2.19-py3.11   ansible-test sanity --local --python 3.11 --color no
step sanity-core2.21-py3.12   sanity_221
step units                    ansible-test units --local --python 3.11 --color no
step simulator                pytest_strict -q -p no:cacheprovider tests/simulator
step integration              ansible-test integration --local --python 3.11 --color no
# the suite regenerates docs/reliability.md from this run
step reliability              env CERTOPS_REPORT_DIR="$REPO/docs" pytest_strict -q -p no:cacheprovider tests/reliability
step changelog-lint           antsibull-changelog lint
step docs-lint                antsibull-docs lint-collection-docs --plugin-docs .
step ansible-lint             ansible-lint --offline --nocolor
step molecule                 molecule test --all
step galaxy-build-install-doc galaxy_check
step execution-environment    ee_check

log "done in ${SECONDS}s; failed: ${FAILED[*]:-none}"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && rm -rf "$WORK"
[ "$FAIL" -eq 0 ]
