# The two commands a newcomer needs:
#   make run    set up and serve the hub with demo data on SQLite (http://127.0.0.1:8000)
#   make test   set up and run the whole suite on SQLite and PostgreSQL, plus lint and types
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: soak bench-smoke run test lint bench setup clean

# `make run` needs only what the hub runs on; `make test` adds the test and lint tools.
$(BIN)/hub: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BIN)/hub

$(BIN)/pytest: pyproject.toml $(BIN)/hub
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/pytest

setup: $(BIN)/pytest

run: $(BIN)/hub
	$(BIN)/hub db upgrade
	$(BIN)/hub demo --credentials demo-client.json
	@echo "web console: http://$(HOST):$(PORT)/  (sign in as hr.demo, password Demo-Jiangzhou-2026)"
	$(BIN)/hub serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -p no:cacheprovider

bench: setup
	$(BIN)/python -m bench.hiring_check
	$(BIN)/python -m bench.stack_floor
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.feed
	$(BIN)/python -m bench.hostile

# The same anchors on a small data set in under two minutes: a regression guard, not the
# figures (not part of `make test`).
bench-smoke: setup
	$(BIN)/python -m bench.hiring_check --records 20000 --persons 6000 --duration 5 \
		--warmup 1 --batch-size 1000 --profile 0 --sample 2000 --wait-quiet 0 \
		--database hub_bench_smoke

# Ten minutes at 70 % of the measured maximum (issue 15): zero 5xx, memory flat.
soak: setup
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) hub.db hub.db-wal hub.db-shm .hub-keys demo-client.json
