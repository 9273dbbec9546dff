# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The locks: every package pinned, with the hash of every file PyPI has for it (`make lock` writes them).
LOCKS := requirements/runtime.txt requirements/test.txt
SOURCES := service tests bench

.PHONY: run test install schema clean lock lint lint-ruff typecheck imports fmt wrk bench bench-pg bench-stall \
	bench-outbox bench-usage

# The test lock holds the runtime's pins too; the project itself goes in without resolving anything.
$(STAMP): pyproject.toml $(LOCKS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/test.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m service serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: $(STAMP)
	$(PY) -m pytest

schema: $(STAMP)
	$(PY) -m service schema generate

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Pins kept where pyproject.toml still allows them; `make lock LOCK_ARGS=--upgrade` moves all to the newest.
# --universal: one lock for every platform a developer may use (x86_64 Linux and CPython 3.11 among them).
# The runtime lock constrains the test lock, so the two never pin a package differently.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--quiet --custom-compile-command "make lock" $(LOCK_ARGS)
lock: $(STAMP)
	$(UV_COMPILE) -o requirements/runtime.txt
	$(UV_COMPILE) --extra test -c requirements/runtime.txt -o requirements/test.txt

# `make -k lint` runs every check even after one fails (.ci/run does).
lint: lint-ruff typecheck imports

lint-ruff: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: $(STAMP)
	$(BIN)/mypy

# import-linter's contracts (pyproject.toml), then the whole graph's cycles, package __init__s included.
imports: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests/test_imports.py  # runs lint-imports and the whole-graph check

# Fixes first, so what they change is formatted too.
fmt: $(STAMP)
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

# Benchmark: the line against the framework's floor, on loopback (see README).
# wrk is the machine's to provide: nothing here installs system packages.
wrk:
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk (brew install wrk, dnf install wrk)" >&2; exit 1; }

BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

bench: wrk $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-pg: wrk $(STAMP)
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) --workers 1,2 $(BENCH_ARGS)

# /healthz while forged floods hit /sms: an unauthenticated request must not stall the process.
bench-stall: $(STAMP)
	$(PY) bench/stall.py $(BENCH_ARGS)

# The outbox's sender, one worker, against the fake Africa's Talking API run as a process (target >= 200 sends/s).
bench-outbox: $(STAMP)
	$(PY) bench/outbox.py $(BENCH_ARGS)

# /admin/usage and /admin/usage.csv over a month of 2,000,000 records and their rollups (target <= 200 ms).
bench-usage: $(STAMP)
	$(PY) bench/usage_scale.py $(BENCH_ARGS)
