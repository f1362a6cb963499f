# ogpu: `make install` sets everything up, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python

.PHONY: install test generate check snapshots contracts demo bench clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	node_modules/.bin/anvil --version >/dev/null
	node_modules/.bin/solcjs --version >/dev/null
	touch $@

test: install
	$(PYTHON) -m pytest -q

# After an ABI update: `python -m codegen import-abi <files> --network NAME`, then this.
generate:
	$(PYTHON) -m codegen generate
	$(PYTHON) -m pytest -q tests/codegen/test_snapshots.py --snapshot-update

# Fails, naming the files, when generated/ or the snapshots are stale; then type-checks.
check:
	$(PYTHON) -m codegen generate --check
	$(PYTHON) -m pytest -q tests/codegen/test_snapshots.py
	node contracts/build.mjs --check
	$(PYTHON) -m mypy

contracts:
	node contracts/build.mjs

demo: install
	$(PYTHON) -m ogpu.devnet.demo

bench: install
	$(PYTHON) scripts/bench_codegen.py
	$(PYTHON) scripts/bench_import.py
	$(PYTHON) scripts/bench_calls.py
	$(PYTHON) scripts/bench_watch.py
	$(PYTHON) scripts/bench_devnet.py

clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache dist build
