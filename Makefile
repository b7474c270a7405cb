# tracklingo — the README's commands. Works with Python 3.11+ and pip alone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PLUGINS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
STAMP  := $(VENV)/.installed
DEPS   := core/pyproject.toml $(wildcard plugins/*/pyproject.toml) requirements-dev.txt

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): $(DEPS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt \
		-e ./core $(foreach p,$(PLUGINS),-e ./$(p))
	@touch $(STAMP)

demo: install
	@echo "== normalizing examples/feed.jsonl (events → examples/out/events.jsonl)"
	@mkdir -p examples/out
	$(VENV)/bin/tracklingo normalize examples/feed.jsonl examples/*.json \
		--output examples/out/events.jsonl --rejects examples/out/rejects.jsonl
	@head -n 5 examples/out/events.jsonl
	@echo "... ($$(wc -l < examples/out/events.jsonl) events; rejects in examples/out/rejects.jsonl)"

test: install
	TRACKLINGO_STRICT_PLUGINS=1 $(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check core plugins tests bench
	$(VENV)/bin/mypy core/src/tracklingo

bench: install
	$(PY) bench/run.py --big --karrio

clean:
	rm -rf $(VENV) examples/out .pytest_cache .mypy_cache .ruff_cache
