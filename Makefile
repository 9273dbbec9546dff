# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install clean bench bench-pg bench-stall

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m service serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: $(STAMP)
	$(PY) -m pytest

schema: $(STAMP)
	$(PY) -m service schema generate

clean:
	rm -rf $(VENV) var .pytest_cache

# Benchmark: the line against the framework's floor, on loopback (see README).
# wrk comes from Debian's packages.
WRK := command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

bench: $(STAMP)
	@$(WRK)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-pg: $(STAMP)
	@$(WRK)
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# /healthz while forged floods hit /sms: an unauthenticated request must not stall the process.
bench-stall: $(STAMP)
	$(PY) bench/stall.py $(BENCH_ARGS)
