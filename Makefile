# kubenova developer entry points. `make run` and `make test` are the README's contract.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GOTOOLCHAIN := local

.PHONY: run test lint typecheck crds controlplane bench e2e-kind clean venv

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "kubenova needs Python 3.11"'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements-dev.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

controlplane:
	@tools/controlplane/build.sh

run: $(STAMP) controlplane
	$(BIN)/python -m kubenova_localstack run

test: $(STAMP) controlplane
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m kubenova.crdgen --check crds/
	$(BIN)/pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

crds: $(STAMP)
	$(BIN)/python -m kubenova.crdgen crds/

bench: $(STAMP) controlplane
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .state
