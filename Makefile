# The two set-up commands: `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test bench check lint interop-deps contexts clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP)

run: $(STAMP)
	mkdir -p var
	MICROCRED_DATA_DIR=$${MICROCRED_DATA_DIR:-./var} $(BIN)/microcred seed && \
	MICROCRED_DATA_DIR=$${MICROCRED_DATA_DIR:-./var} $(BIN)/microcred serve --host 127.0.0.1 --port 8000

interop-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d tests/interop/js/node_modules ] || (cd tests/interop/js && npm ci --no-audit --no-fund --loglevel=error); \
	  [ -d tests/browser/js/node_modules ] || (cd tests/browser/js && npm ci --no-audit --no-fund --loglevel=error); \
	fi

test: $(DEVSTAMP) interop-deps
	$(BIN)/python -m pytest -q

bench: $(DEVSTAMP) interop-deps
	$(BIN)/python -m microcred.bench
	$(BIN)/python -m microcred.bench_cohort
	$(BIN)/python -m microcred.bench_catalog

check: $(DEVSTAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

contexts:
	cd tools/contexts && npm ci --no-audit --no-fund && node build.mjs

clean:
	rm -rf $(VENV) var
