# Two commands for a new user: `make run` (install, then open the sample) and `make test`.
# Developers: `make lint`, `make test-slow`; CI (.ci/run) runs lint, test, test-slow and package.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
EXTRAS ?= train,test,cluster,lint
SAMPLE ?= resources/samples/hrf_01_h.jpg
PYINSTALLER ?= pyinstaller==6.22.3
PYTEST := QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

.PHONY: install run lint test test-slow bench package clean

# the run time alone (ONNX Runtime, no torch): what `make run` needs
$(VENV)/.runtime: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# everything for development: training and export (torch, pinned), tests, cluster batches, checks
$(VENV)/.installed: $(VENV)/.runtime
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.runtime
	$(VENV)/bin/fundus-app gui $(SAMPLE)

# ruff, the import contracts (layers; Qt, torch, pydicom, reportlab, Dask each in its own package), mypy on the core
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# the fast tier: about a minute; what to run before every commit
test: install
	$(PYTEST) -m "not slow"

# the slow tier: training steps, dataset evaluations, cluster processes, 3504x2336 end to end, the lab's tests
test-slow: install
	$(PYTEST) -m slow
	$(PYTEST) experiments/tests

bench: install
	$(PY) benchmarks/bench_pipeline.py

$(VENV)/.packaging: $(VENV)/.installed
	$(PY) -m pip install --quiet "$(PYINSTALLER)"
	touch $@

# Linux one-folder bundle, .deb and .tar.gz in dist/, then the smoke test on the bundle.
package: $(VENV)/.packaging
	PYTHON="$(abspath $(PY))" packaging/build_linux.sh

clean:
	rm -rf build dist out .pytest_cache
