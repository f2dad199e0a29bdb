# Two commands for a new user: `make run` (install, then open the sample) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
SAMPLE ?= resources/samples/hrf_01_h.jpg
PYINSTALLER ?= pyinstaller==6.22.3

.PHONY: install run test bench package clean

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/fundus-app gui $(SAMPLE)

test: install
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

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
