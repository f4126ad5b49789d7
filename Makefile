# certops.vcenter - the two commands a user needs: `make demo` and `make test`.
# Everything runs from a fresh clone: virtualenvs, dependencies and the simulator are set up here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 ?= $(shell tests/ci/find-python.sh 3.11)
PY312 ?= $(shell tests/ci/find-python.sh 3.12)
VENV := .venv
VENV_CORE221 := .venv-core2.21
VENV_AWX := .venv-awx
DEPS := .deps/collections

.PHONY: help demo test bench venv venv-core2.21 venv-awx deps chromium clean

help:
	@echo "make demo   - start the vCenter simulator and run a certificate rotation with before/after reports"
	@echo "make test   - run every check CI runs (sanity x2, units, simulator, integration, reliability, lint, molecule, build, EE, Galaxy import, AWX job)"
	@echo "make bench  - run the performance benchmark and regenerate docs/performance.md"

$(VENV)/.stamp: .ci/requirements-core2.19.txt requirements-dev.txt requirements.txt
	@test -n "$(PY311)" || { echo "Python 3.11 not found (set PY311=...)"; exit 1; }
	rm -rf $(VENV) && $(PY311) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -U pip 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV)/bin/python -m pip install -q -r .ci/requirements-core2.19.txt 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV)/bin/python -c 'import ansible, molecule, pytest, requests, cryptography' && touch $@

$(VENV_CORE221)/.stamp: .ci/requirements-core2.21.txt requirements-dev.txt requirements.txt
	@test -n "$(PY312)" || { echo "Python 3.12 not found (set PY312=...)"; exit 1; }
	rm -rf $(VENV_CORE221) && $(PY312) -m venv $(VENV_CORE221)
	$(VENV_CORE221)/bin/python -m pip install -q -U pip 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV_CORE221)/bin/python -m pip install -q ansible-core==2.21.5 requests==2.34.2 cryptography==50.0.2 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV_CORE221)/bin/python -c 'import ansible, requests, cryptography' && touch $@

# ansible-runner, galaxy-importer, ansible-builder: AWX, Galaxy and EE builds as they really run (pins of their own).
$(VENV_AWX)/.stamp: .ci/requirements-awx.txt
	@test -n "$(PY311)" || { echo "Python 3.11 not found (set PY311=...)"; exit 1; }
	rm -rf $(VENV_AWX) && $(PY311) -m venv $(VENV_AWX)
	$(VENV_AWX)/bin/python -m pip install -q -U pip 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV_AWX)/bin/python -m pip install -q -r .ci/requirements-awx.txt 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV_AWX)/bin/python -c 'import ansible, ansible_runner, galaxy_importer, ansible_builder, requests, cryptography' && touch $@

venv: $(VENV)/.stamp
venv-core2.21: $(VENV_CORE221)/.stamp
venv-awx: $(VENV_AWX)/.stamp

$(DEPS)/ansible_collections/community/crypto/MANIFEST.json: $(VENV)/.stamp
	tests/ci/install-collection-deps.sh $(VENV)/bin/python $(DEPS) && touch $@

deps: $(DEPS)/ansible_collections/community/crypto/MANIFEST.json

demo: venv deps
	VENV=$(VENV) DEPS=$(DEPS) bash playbooks/demo/run-demo.sh

# Headless Chromium renders the HTML report in the step html-report-chromium (installed from the distribution's packages).
chromium:
	tests/ci/install-chromium.sh

test: venv venv-core2.21 venv-awx deps chromium
	VENV=$(VENV) VENV_CORE221=$(VENV_CORE221) VENV_AWX=$(VENV_AWX) DEPS=$(DEPS) bash tests/ci/checks.sh

bench: venv deps
	VENV=$(VENV) DEPS=$(DEPS) bash tests/bench/run-bench.sh

clean:
	rm -rf $(VENV) $(VENV_CORE221) $(VENV_AWX) .deps .cache build context demo-output bench-output tests/output
