# Two entry points on a fresh clone: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := demo

.PHONY: demo test bench clean lock browser screenshots

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

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The browser tests (tests/test_web_e2e.py) drive the system's Chromium through Playwright (a
# test dependency). Installed with apt when we are root on a Debian-like system; otherwise those
# tests skip and say why. Playwright's own browser download is never used.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } || \
	  echo "make: no Chromium (apt-get install chromium): the browser tests will skip"

# PNGs of every page of the web UI (demo corpus, desktop and 390 px) into docs/screenshots/.
screenshots: $(STAMP) browser
	$(BIN)/python bench/ui.py --screenshots docs/screenshots

# Corpus-scale benchmarks (slow; read ../shared/corpus); results go to docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python bench/ingest.py

# Re-pin the dependency set after changing pyproject.toml.
lock:
	$(BIN)/python -m pip list --format=freeze --exclude-editable --disable-pip-version-check | grep -v "^marsad=" > constraints.txt

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
