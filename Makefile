# The README's two commands: `make run` and `make test`. Both work on a fresh machine
# with only python3 and make: they create .venv, install msrsim into it, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache
export MPLBACKEND ?= Agg

.PHONY: run test lint bench validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/msrsim run

lint: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks

# MSRSIM_REQUIRE_PEERS=1: a peer cross-check whose library is missing fails instead of skipping
test: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks
	MSRSIM_REQUIRE_PEERS=1 $(BIN)/python -m pytest

# Regenerates docs/validation.md from the cases in src/msrsim/validation.py (a few minutes)
validate: $(STAMP_TEST)
	$(BIN)/python -m msrsim.validation --out docs/validation.md

bench: $(STAMP_TEST)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .numba_cache out .pytest_cache .ruff_cache
