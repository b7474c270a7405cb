# tracklingo — the README's commands. Works with Python 3.11+ and pip alone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PLUGINS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
STAMP  := $(VENV)/.installed
# The moment the demo's advice is given: the example feeds tell their stories up to it.
DEMO_NOW := 2026-11-20T12:00:00Z
DIST   ?= dist
DEPS   := core/pyproject.toml $(wildcard plugins/*/pyproject.toml) requirements-dev.txt

.PHONY: install demo test lint bench dist clean

install: $(STAMP)

$(STAMP): $(DEPS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt \
		-e ./core $(foreach p,$(PLUGINS),-e ./$(p))
	@touch $(STAMP)

demo: install
	@mkdir -p examples/out
	@echo "== 1. normalize every example feed (flat events and raw USPS/DHL/FedEx API responses)"
	$(VENV)/bin/tracklingo normalize examples/*.jsonl examples/*.json \
		--output examples/out/events.jsonl --rejects examples/out/rejects.jsonl
	@head -n 3 examples/out/events.jsonl
	@echo "... $$(wc -l < examples/out/events.jsonl) canonical events in examples/out/events.jsonl"
	@echo
	@echo "== 2. explain one status text"
	$(VENV)/bin/tracklingo explain "Item Returned From Import Customs"
	@echo
	@echo "== 3. advise every shipment, as of $(DEMO_NOW) (the example feeds run up to the day before)"
	$(VENV)/bin/tracklingo advise examples/out/events.jsonl --now $(DEMO_NOW)
	@echo
	@echo "== 4. keep the events in a store and list the stuck shipments, whom to contact first"
	@rm -f examples/out/demo.db examples/out/demo.db-wal examples/out/demo.db-shm
	$(VENV)/bin/tracklingo ingest examples/out/events.jsonl --db examples/out/demo.db
	$(VENV)/bin/tracklingo stuck --db examples/out/demo.db --now $(DEMO_NOW)

test: install
	TRACKLINGO_STRICT_PLUGINS=1 $(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check core plugins tests bench
	$(VENV)/bin/mypy core/src/tracklingo $(foreach p,$(PLUGINS),$(p)src $(p)tests) core/tests tests bench

bench: install
	$(PY) bench/run.py --big --karrio
	$(PY) bench/startup.py
	$(PY) bench/batch.py --events 1000000 --rounds 2 --memory 1000000,3000000
	$(PY) bench/ingest.py --events 300000 --rounds 3

# Wheels of the core and every plugin, for installing them where this checkout is not (offline:
# the build uses .venv's setuptools, no index). See docs/installing-adapters.md.
dist: install
	@rm -rf core/build $(foreach p,$(PLUGINS),$(p)build)
	@mkdir -p $(DIST)
	$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
		--wheel-dir $(DIST) ./core $(foreach p,$(PLUGINS),./$(p))
	@rm -rf core/build $(foreach p,$(PLUGINS),$(p)build)
	@ls -1 $(DIST)/*.whl

clean:
	rm -rf $(VENV) examples/out dist .pytest_cache .mypy_cache .ruff_cache
