# lrschedule: the README's two commands are `make run` and `make test`.
# Both create the virtual environment .venv when it is missing and install what they need.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export KERAS_BACKEND ?= tensorflow
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: run test lint typecheck unit bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The package alone: what the main job needs.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

# The package with every test and lint dependency (the frameworks used as oracles included).
$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e . --group dev
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) -m lrschedule

test: $(VENV)/.installed-dev lint typecheck unit

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(PY) -m mypy

unit: $(VENV)/.installed-dev
	$(PY) -m pytest

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_core.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist
