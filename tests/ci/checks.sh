#!/usr/bin/env bash
# Every check CI runs (called by `make test`, which prepares the virtualenvs). Ends with "N passed, N failed".
# Needs: VENV (py3.11 + ansible-core 2.19 + dev tools), VENV_CORE221 (py3.12 + ansible-core 2.21), VENV_AWX
# (ansible-runner, galaxy-importer, ansible-builder: .ci/requirements-awx.txt), DEPS (collections).
# ONLY=name1,name2 runs a subset (for development).
set -uo pipefail
SECONDS=0
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
VENV="$REPO/${VENV:-.venv}"
VENV_CORE221="$REPO/${VENV_CORE221:-.venv-core2.21}"
VENV_AWX="$(case "${VENV_AWX:-.venv-awx}" in /*) echo "${VENV_AWX}" ;; *) echo "$REPO/${VENV_AWX:-.venv-awx}" ;; esac)"
DEPS="$REPO/${DEPS:-.deps/collections}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/certops-ci.XXXXXX")"
MODULES=$(cd plugins/modules && ls vcenter_*.py | sed 's/\.py$//')

# ansible-test and molecule keep caches under ~/.ansible: keep them in the repo's (ignored) .cache so reruns are
# warm; CI starts cold anyway.
export HOME="${CERTOPS_CI_HOME:-$REPO/.cache/ci-home}"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0 NO_COLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_DEPRECATION_WARNINGS=False
mkdir -p "$HOME"
tests/ci/pip-bootstrap-standin.sh "$HOME/.ansible/test/cache"
# ansible-test makes this key on its first integration run; with several lanes starting at once they would race
# (ssh-keygen asks "Overwrite (y/n)?" and fails): make it once, before the lanes start
[ -f "$HOME/.ansible/test/id_rsa" ] || ssh-keygen -m PEM -q -t rsa -N '' -f "$HOME/.ansible/test/id_rsa"


# ansible-test needs the collection at .../ansible_collections/certops/vcenter (a real directory, not a
# symlink). The checks run in five lanes at once (2 cores: one mostly installs and lints, one mostly runs tests
# against the simulator, three run the integration targets against stricter simulators and mostly wait out their
# long restarts); each lane gets its own copy so their tests/output and .ansible never collide.
copy_collection() {  # copy_collection DEST_WORK -> DEST_WORK/ansible_collections/certops/vcenter
  local coll="$1/ansible_collections/certops/vcenter"
  mkdir -p "$coll"
  ( git ls-files -z --cached --others --exclude-standard \
      | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ \
      | tar --null -T - -cf - ) | tar -C "$coll" -xf -
  git -C "$coll" init -q   # honour .gitignore in ansible-test and ansible-lint
}
LOGS="$WORK/logs"
mkdir -p "$LOGS"
for lane in lane1 lane2 lane3 lane4 lane5; do copy_collection "$WORK/$lane"; done

step() {  # step LANE NAME CMD...  (runs in the lane's copy with the 2.19/3.11 venv active; output to a log)
  local lane=$1 name=$2; shift 2
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then return; fi
  local coll="$WORK/$lane/ansible_collections/certops/vcenter" start=$SECONDS rc
  printf '[%4ss] %-26s started\n' "$SECONDS" "$name"
  ( cd "$coll" && export ANSIBLE_COLLECTIONS_PATH="$WORK/$lane:$DEPS" COLL="$coll" \
      && source "$VENV/bin/activate" && "$@" ) > "$LOGS/$name.log" 2>&1
  rc=$?
  echo "$rc" > "$LOGS/$name.rc"
  printf '[%4ss] %-26s %s (%ss)\n' "$SECONDS" "$name" "$([ $rc -eq 0 ] && echo PASS || echo "FAIL rc=$rc")" \
    "$((SECONDS - start))"
}

# pytest exits 5 when it collected nothing: a test step that finds no tests is a failure, said plainly.
pytest_strict() {
  python -m pytest "$@"; local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing (a check that tests nothing is a defect)"; fi
  return $rc
}

reliability_suite() {
  CERTOPS_REPORT_DIR="$REPO/docs" pytest_strict -q -p no:cacheprovider tests/reliability
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
  # the project's own EE definition (top of the repository; paths resolve from there)
  set -e
  rm -rf "$WORK/ee-context"
  ansible-builder create -f execution-environment.yml -c "$WORK/ee-context" -v 1
  test -f "$WORK/ee-context/Containerfile" -o -f "$WORK/ee-context/Dockerfile"
  grep -q requests "$WORK/ee-context/_build/requirements.txt"
  grep -q python3 "$WORK/ee-context/_build/bindep.txt"
}

build_tarball() {  # build_tarball DIR -> DIR/certops-vcenter-<version>.tar.gz (echoes the path)
  mkdir -p "$1"
  ansible-galaxy collection build --output-path "$1" --force . > /dev/null
  ls "$1"/certops-vcenter-*.tar.gz
}

ee_introspect() {
  # What ansible-builder does with every collection it installs into an EE: read its meta/execution-environment.yml
  # and resolve the dependency files from the collection root. Run on the collection installed from the tarball.
  set -e
  local out="$WORK/ee-introspect" tarball
  rm -rf "$out"
  tarball=$(build_tarball "$out")
  ansible-galaxy collection install --no-deps "$tarball" -p "$out/inst" --force > /dev/null
  "$VENV_AWX/bin/ansible-builder" introspect --sanitize "$out/inst" > "$out/introspect.txt"
  cat "$out/introspect.txt"
  grep -q "^- 'requests.*# from collection certops.vcenter'" "$out/introspect.txt"
  grep -q "^- 'cryptography.*# from collection certops.vcenter'" "$out/introspect.txt"
  grep -q "^- 'python3.*# from collection certops.vcenter'" "$out/introspect.txt"
}

galaxy_importer() {
  # The checks Galaxy and Automation Hub run on upload, on the built tarball, without containers
  # (tests/ci/galaxy-importer.cfg). Any WARNING or ERROR line fails, except the dependency-only warnings listed and
  # explained in tests/ci/galaxy-importer-expected-warnings.txt.
  set -e
  local out="$WORK/galaxy-importer" tarball rc=0
  rm -rf "$out"
  tarball=$(build_tarball "$out")
  ( cd "$out" && PATH="$VENV_AWX/bin:$PATH" GALAXY_IMPORTER_CONFIG="$COLL/tests/ci/galaxy-importer.cfg" \
      "$VENV_AWX/bin/python" -m galaxy_importer.main "$tarball" ) > "$out/importer.log" 2>&1 || rc=$?
  cat "$out/importer.log"
  grep -v '^#' tests/ci/galaxy-importer-expected-warnings.txt | grep -v '^$' > "$out/expected.txt"
  grep -E '^(WARNING|ERROR)' "$out/importer.log" | grep -v -E -f "$out/expected.txt" > "$out/unexpected.txt" || true
  echo "----- galaxy-importer rc=$rc; warnings not explained by tests/ci/galaxy-importer-expected-warnings.txt:"
  cat "$out/unexpected.txt"
  [ "$rc" -eq 0 ] && grep -q 'Importer processing completed successfully' "$out/importer.log" && [ ! -s "$out/unexpected.txt" ]
}

awx_runner_job() {
  # An AWX job as AWX runs it (ansible-runner, the custom credential type, validation on) against the simulator:
  # tests/awx/run_awx_job.py
  set -e
  local out="$WORK/awx-job" tarball
  rm -rf "$out"
  tarball=$(build_tarball "$out/dist")
  "$VENV_AWX/bin/python" tests/awx/run_awx_job.py --tarball "$tarball" --deps "$DEPS" --work "$out/work"
}

# The integration targets of every state-changing module, again, against the simulator as strict and slow as a real
# vCenter (issue 11): a 30 s restart in all three phases, a trust store that settles 3 s after a write, a linked SSO
# partner, intermediates after the leaf ignored, every certificate regenerated by a VMCA root replacement; then the
# other readings of the unknowns (intermediates used, only VMCA-issued certificates regenerated). Each lane has its
# own copy of the collection: the settings reach setup_certsim through tests/integration/integration_config.yml.
# Every target of a state-changing module runs here (the strict lanes are a superset of the default simulator);
# the others (read-only modules) run in lane 2 against the default simulator.
FIDELITY_TARGETS_REST="vcenter_trusted_root vcenter_csr vcenter_sts_signing_cert vcenter_vmca_root"
READ_ONLY_TARGETS=$(cd tests/integration/targets && ls -d vcenter_* | grep -v -x -E \
  'vcenter_tls_cert|vcenter_trusted_root|vcenter_csr|vcenter_sts_signing_cert|vcenter_vmca_root' | tr '\n' ' ')
FIDELITY_STRICT='certsim_restart_seconds: 30
certsim_wait_timeout: 600
certsim_fidelity_args: [--restart-phases, "1,1,1", --trust-store-lag, "3", --cert-chain-in-cert, ignored,
                        --vmca-replace, regenerate-all, --linked-partner, partner.vsphere.test]'
FIDELITY_OTHER='certsim_fidelity_args: [--cert-chain-in-cert, used, --vmca-replace, vmca-issued-only]'
fidelity_integration() {  # fidelity_integration VARS_YAML TARGET...
  printf '%s\n' "$1" > tests/integration/integration_config.yml
  shift
  ansible-test integration --local --python 3.11 --color no "$@"
}

lane1() {
  step lane1 sanity-core2.19-py3.11   ansible-test sanity --local --python 3.11 --color no
  step lane1 sanity-core2.21-py3.12   sanity_221
  step lane1 changelog-lint           antsibull-changelog lint
  step lane1 docs-lint                antsibull-docs lint-collection-docs --plugin-docs .
  step lane1 ansible-lint             ansible-lint --offline --nocolor
  step lane1 galaxy-build-install-doc galaxy_check
  step lane1 execution-environment    ee_check
  step lane1 ee-introspect            ee_introspect     # ~3 s
  step lane1 galaxy-importer          galaxy_importer   # ~50 s idle (ansible-lint of the tarball, flake8 per file)
  step lane1 molecule                 molecule test --all
}
lane2() {
  step lane2 units                    ansible-test units --local --python 3.11 --color no
  step lane2 simulator                pytest_strict -q -p no:cacheprovider tests/simulator
  step lane2 testpki                  pytest_strict -q -p no:cacheprovider tests/testpki
  # the state-changing targets run in the fidelity lanes (lanes 3-5), against stricter simulators
  # shellcheck disable=SC2086
  step lane2 integration              ansible-test integration --local --python 3.11 --color no $READ_ONLY_TARGETS
  # the suite regenerates docs/reliability.md from this run
  step lane2 reliability              reliability_suite
}
lane3() {
  # vcenter_tls_cert makes most of the restarts: with 30 s each it gets a lane of its own (it mostly waits)
  step lane3 integration-fidelity-strict-tls fidelity_integration "$FIDELITY_STRICT" vcenter_tls_cert
}
lane4() {
  # shellcheck disable=SC2086
  step lane4 integration-fidelity-strict fidelity_integration "$FIDELITY_STRICT" $FIDELITY_TARGETS_REST
  # the sliced fleet report end to end (3 slices, shallow merge, render) against the simulator (~2 min)
  step lane4 sliced-report            pytest_strict -q -p no:cacheprovider tests/fleet
}
lane5() {
  # the other readings change only what Tls.set and VmcaRoot.create do: the targets of those two modules
  step lane5 integration-fidelity-other fidelity_integration "$FIDELITY_OTHER" vcenter_tls_cert vcenter_vmca_root
  # the HTML report of a simulated fleet with findings in headless Chromium: screenshot (path in the log) and DOM (~40 s)
  step lane5 html-report-chromium     pytest_strict -q -s -p no:cacheprovider tests/report_html
  # an AWX job (ansible-runner) against the simulator (~45 s)
  step lane5 awx-runner-job           awx_runner_job
}
lane1 &
LANE1=$!
lane3 &
LANE3=$!
lane4 &
LANE4=$!
lane5 &
LANE5=$!
lane2
wait $LANE1 $LANE3 $LANE4 $LANE5

PASS=0 FAIL=0 FAILED=()
for rcfile in "$LOGS"/*.rc; do
  [ -e "$rcfile" ] || continue
  name=$(basename "$rcfile" .rc)
  if [ "$(cat "$rcfile")" -eq 0 ]; then PASS=$((PASS+1)); else
    FAIL=$((FAIL+1)); FAILED+=("$name")
    printf '\n===== %s failed: last 120 lines of its log (%s) =====\n' "$name" "$LOGS/$name.log"
    tail -n 120 "$LOGS/$name.log"
  fi
done
[ -n "${VERBOSE:-}" ] && for f in "$LOGS"/*.log; do printf '\n===== %s =====\n' "$f"; cat "$f"; done

echo "done in ${SECONDS}s; failed: ${FAILED[*]:-none}"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && rm -rf "$WORK"
[ "$FAIL" -eq 0 ]
