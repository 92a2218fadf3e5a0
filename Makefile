# kubenova developer entry points. `make run` and `make test` are the README's contract: both work
# from a clean clone on a machine with Python 3.11, Go >= 1.26, make and network access to PyPI and
# the Go module proxy. Everything else (venv, pinned deps, control-plane binaries) is created here.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Prefer an explicit python3.11; fall back to python3 (checked to be 3.11 below).
PY ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8
PYTEST_ARGS ?=
BENCH_ARGS ?=
export GOTOOLCHAIN := local
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run test conformance lint typecheck crds controlplane bench e2e-kind lint-deploy clean venv

help:
	@echo "make run    start the local stack (control plane + simulator + operator + gateway) in the foreground"
	@echo "make test   everything CI runs: ruff, mypy, import rules, CRD drift check, pytest"
	@echo "make conformance   only the clients' own functional compute suites (part of make test)"
	@echo "make bench  benchmarks on a stack of its own (README \"Performance\"); options: BENCH_ARGS=\"--help\""
	@echo "make lint | crds | controlplane | venv | clean"
	@echo "make lint-deploy   hadolint, shellcheck, schema + policy checks of the rendered manifests"
	@echo "make e2e-kind      kind + real KubeVirt: build the image, kubectl apply -k manifests/, tests/e2e"

# The venv is (re)created when missing or not Python 3.11, then synced to the pinned requirements.
# The .pth line puts the source roots on sys.path, so packages added after the install import as
# regular packages (setuptools' editable finder only knows the packages present at install time).
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "kubenova needs Python 3.11; set PY=/path/to/python3.11")'
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  echo "creating $(VENV) with $(PY)"; rm -rf $(VENV); $(PY) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements-dev.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@purelib="$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"; \
	  printf '%s\n' "$(CURDIR)/operator" "$(CURDIR)/api_gateway" "$(CURDIR)/tools/localstack" > "$$purelib/_kubenova_src.pth"
	touch $(STAMP)

venv: $(STAMP)

controlplane:
	@tools/controlplane/build.sh >/dev/null

run: $(STAMP) controlplane
	$(BIN)/python -m kubenova_localstack run

# pytest exits 5 when it collects nothing (e.g. a filter in PYTEST_ARGS matched no test): that is not
# a failure. Every other non-zero exit code is.
test: $(STAMP) controlplane
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m kubenova.crdgen --check crds/
	$(BIN)/python -m kubenova.crdgen.admission --check manifests/admission/server-policy.yaml
	@rc=0; $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS) || rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests; nothing failed"; rc=0; fi; \
	  exit $$rc

# The OpenStack clients' functional compute suites against a stack of their own (tests/conformance/;
# `make test` runs the same module with the rest of tests/).
conformance: $(STAMP) controlplane
	$(BIN)/pytest -p no:cacheprovider -rA tests/conformance $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

crds: $(STAMP)
	$(BIN)/python -m kubenova.crdgen crds/
	$(BIN)/python -m kubenova.crdgen.admission manifests/admission/server-policy.yaml

bench: $(STAMP) controlplane
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

# Deployment files only (Dockerfile, hack/*.sh, manifests/): no control plane is started.
lint-deploy: $(STAMP) controlplane
	$(BIN)/pytest -p no:cacheprovider tests/deploy/test_lint.py tests/deploy/test_manifests.py tests/deploy/test_image.py

# Needs docker, kind and network access; see hack/e2e-kind.sh for the knobs.
e2e-kind: $(STAMP)
	PYTEST_ARGS="$(PYTEST_ARGS)" hack/e2e-kind.sh

clean:
	rm -rf $(VENV) .state
