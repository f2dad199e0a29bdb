# Two commands for a new user: `make run` (install, then open the sample) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
SAMPLE ?= resources/samples/hrf_01_h.jpg

.PHONY: install run test bench clean

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

clean:
	rm -rf build dist out .pytest_cache
