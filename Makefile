# lrschedule: the README's two commands are `make run` and `make test`.
# Both create the virtual environment .venv when it is missing and install what they need.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export KERAS_BACKEND ?= tensorflow
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: run gallery test lint typecheck unit docs bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The package and matplotlib (its `plot` extra): what the main job needs.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[plot]'
	@touch $@

# The package with every test and lint dependency (the frameworks used as oracles included).
$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e . --group dev
	@touch $@ $(VENV)/.installed-run

# The main job: the Keras example schedule drawn to schedule.png, then printed as a table.
run: $(VENV)/.installed-run
	$(VENV)/bin/lrschedule plot --out schedule.png
	$(VENV)/bin/lrschedule table

# docs/gallery/<name>.png for every schedule listed in docs/gallery/specs.tsv, with the CLI.
gallery: $(VENV)/.installed-run
	@while IFS='	' read -r name steps options spec; do \
	  case "$$name" in ''|'#'*) continue ;; esac; \
	  if [ "$$options" = "-" ]; then options=""; else options=" $$options"; fi; \
	  echo "lrschedule plot '$$spec' --steps $$steps$$options --out docs/gallery/$$name.png"; \
	  $(VENV)/bin/lrschedule plot "$$spec" --steps $$steps$$options \
	    --out docs/gallery/$$name.png > /dev/null || exit 1; \
	done < docs/gallery/specs.tsv

test: $(VENV)/.installed-dev lint typecheck unit docs

# ruff, then the layer contracts of [tool.importlinter] in pyproject.toml (lazy imports count).
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m ruff format --check src tests benchmarks examples
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: $(VENV)/.installed-dev
	$(PY) -m mypy

unit: $(VENV)/.installed-dev
	$(PY) -m pytest

# The documentation site (mkdocs.yml) into site/; --strict: any warning, broken link or
# missing reference fails the build.
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir site

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_core.py
	$(PY) benchmarks/bench_frameworks.py
	$(PY) benchmarks/bench_plot.py
	$(PY) benchmarks/bench_import.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist schedule.png site
