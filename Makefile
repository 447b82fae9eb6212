# Two entry points on a fresh clone: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := demo

.PHONY: demo test bench clean lock

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,spark]'
	touch $(STAMP)

# Analyse the bundled examples into the embedded SQLite store, write the report, summarise it.
demo: $(STAMP)
	mkdir -p $(DEMO)
	rm -f $(DEMO)/marsad.db $(DEMO)/marsad.db-wal $(DEMO)/marsad.db-shm
	$(BIN)/marsad ingest examples/corpus --db $(DEMO)/marsad.db
	$(BIN)/marsad report --db $(DEMO)/marsad.db --out $(DEMO)/report.json

test: $(STAMP)
	$(BIN)/python -m pytest

# Corpus-scale benchmarks (slow; read ../shared/corpus); results go to docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python bench/ingest.py

# Re-pin the dependency set after changing pyproject.toml.
lock:
	$(BIN)/python -m pip list --format=freeze --exclude-editable --disable-pip-version-check | grep -v "^marsad=" > constraints.txt

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
