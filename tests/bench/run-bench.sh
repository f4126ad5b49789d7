#!/usr/bin/env bash
# `make bench`: the performance benchmark on the simulator; regenerates docs/performance.md.
# Needs: VENV (py3.11 + ansible-core 2.19), DEPS (collections: community.crypto). Extra arguments go to bench.py
# (for example --quick while developing). Not part of `make test`: it measures, it does not judge.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
VENV="$REPO/${VENV:-.venv}"
DEPS="$REPO/${DEPS:-.deps/collections}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/certops-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# ansible needs the collection under .../ansible_collections/certops/vcenter: point one at this checkout
mkdir -p "$WORK/collections/ansible_collections/certops"
ln -s "$REPO" "$WORK/collections/ansible_collections/certops/vcenter"
# shellcheck disable=SC1091
source "$VENV/bin/activate"
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections:$DEPS"
export BENCH_COLLECTIONS_DIR="$WORK/collections"
export ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=False
export HOME="${CERTOPS_BENCH_HOME:-$REPO/.cache/bench-home}"
mkdir -p "$HOME"
SECONDS=0
python tests/bench/bench.py --out docs/performance.md --json "$WORK/results.json" \
  --baseline tests/bench/baseline-before.json "$@"
mkdir -p bench-output
cp "$WORK/results.json" bench-output/results.json
echo "make bench: done in ${SECONDS}s; docs/performance.md regenerated (raw figures in bench-output/results.json)"
