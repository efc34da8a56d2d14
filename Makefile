# Two commands make a fresh clone useful (README, "Quick start"):
#   make demo   creates .venv, installs wijksim, runs the default scenario into results/
#   make test   creates .venv, installs wijksim with its test tools, checks the import
#               layers (lint-imports), runs the whole suite,
#               then a smoke subset under Python 3.12+ with the newest Mesa, if present.

PYTHON ?= python3
VENV ?= .venv
# A newer Python for the newest Mesa (3.5 needs Python >= 3.12): on PATH, or from pyenv.
# A pyenv shim may exist on PATH yet refuse to run, so a candidate must actually start.
PYTHON_NEWEST ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(shell for p in python3.12 python3.13; do $$p -c '' 2>/dev/null && command -v $$p && break; done))
VENV_NEWEST ?= .venv-newest
# The suite runs on this many pytest-xdist workers (the CI machine has 2 cores). A test
# file stays on one worker (--dist loadfile), so its module-scoped fixtures are built once;
# files start in collection order, the slowest first (tests/conftest.py).
TEST_WORKERS ?= 2
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: demo test lint-imports test-suite newest-venv test-newest lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/wijksim run old_system --seed 0 --out results/old_system-seed0

# The newest Python's environment is built while the suite runs (a pip install mostly
# waits on downloads and disk); either failing fails `make test`, after both have ended.
test: $(VENV)/.installed
	$(MAKE) --no-print-directory lint-imports
	$(MAKE) --no-print-directory -j2 test-suite newest-venv
	$(MAKE) --no-print-directory test-newest

# The import-linter contract of pyproject.toml: the layers import one way (issue 20).
lint-imports: $(VENV)/.installed
	$(VENV)/bin/python .ci/lint_imports.py

test-suite: $(VENV)/.installed
	$(VENV)/bin/python -m pytest $(PYTEST_PARALLEL)

newest-venv:
	@if [ -n "$(PYTHON_NEWEST)" ] && [ ! -f $(VENV_NEWEST)/.installed ]; then \
		$(PYTHON_NEWEST) -m venv $(VENV_NEWEST) && \
		$(VENV_NEWEST)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' && \
		touch $(VENV_NEWEST)/.installed; \
	fi

test-newest: newest-venv
	@if [ -z "$(PYTHON_NEWEST)" ]; then \
		echo "test-newest: no Python >= 3.12 found; smoke tests under the newest Mesa skipped"; \
	else \
		set -e; \
		$(VENV_NEWEST)/bin/python -c 'import sys, mesa; print("smoke tests on Python", sys.version.split()[0], "with Mesa", mesa.__version__)'; \
		$(VENV_NEWEST)/bin/python -m pytest -m smoke -q $(PYTEST_PARALLEL); \
	fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) $(VENV_NEWEST) build *.egg-info
