# Casework: `make run` sets everything up and serves the app; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CASEWORK := $(BIN)/casework
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run serve test lint chromium clean bench

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(CASEWORK) db upgrade
	$(CASEWORK) demo --if-empty
	$(CASEWORK) run --host $(HOST) --port $(PORT)

serve: setup
	$(CASEWORK) db upgrade
	$(BIN)/gunicorn --workers 2 --threads 4 --timeout 30 --bind $(HOST):$(PORT) 'casework:create_app()'

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

test: setup chromium
	$(BIN)/pytest --cov --cov-report=term:skip-covered

# Benchmark at a chosen size: make bench BENCH_PEOPLE=200000 [BENCH_DATABASE_URL=postgresql+psycopg://...]
BENCH_PEOPLE ?= 20000
bench: setup
	BENCH_PEOPLE=$(BENCH_PEOPLE) $(BIN)/python bench/bench.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check casework tests

clean:
	rm -rf $(VENV) node_modules .pytest_cache .coverage
