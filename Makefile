# The newcomer's two commands are `make run` and `make test` (README). Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
GONGZHI := $(BIN)/gongzhi
PORT ?= 8000
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/gongzhi_bench
BENCH_SCALE ?= 1000000

.PHONY: run test install install-dev frontend messages lint typecheck pytest bench clean demo

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files make repeated runs fast; they are redone whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed messages
install-dev: $(VENV)/.installed-dev node_modules/.installed messages
frontend: node_modules/.installed

# Compiles translations with polib (pure Python), so no gettext binary is needed.
messages: | $(PY)
	@GONGZHI_DEBUG=1 $(GONGZHI) compilemessages_py

run: install
	mkdir -p var
	GONGZHI_DEBUG=1 $(GONGZHI) migrate --noinput
	GONGZHI_DEBUG=1 $(GONGZHI) demo --scale 500 --if-empty
	GONGZHI_DEBUG=1 $(GONGZHI) demo_logins
	GONGZHI_DEBUG=1 $(GONGZHI) runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-dev
	GONGZHI_DEBUG=1 $(BIN)/mypy

# The API fuzz runs again in one process: under xdist schemathesis makes a single test of its 107 operations and
# calls only one of them (seen with schemathesis 4.32 and pytest-xdist), so the parallel run alone would hide a
# regression in any other endpoint.
pytest: install-dev
	$(BIN)/pytest -n 2 --dist loadfile -q -rs $(PYTEST_ARGS)
	$(BIN)/pytest -p no:xdist -q -rs tests/api/test_fuzz.py

test: install-dev lint typecheck pytest

# Benchmarks on PostgreSQL at the scale the issues name (one million dwellings); prints name=value lines.
# Set-up output goes to stderr, so stdout carries only the name=value lines.
bench:
	@$(MAKE) --no-print-directory install-dev 1>&2
	@DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_SCALE=$(BENCH_SCALE) $(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules var
