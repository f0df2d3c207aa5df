# Casework: `make run` sets everything up and serves the app; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CASEWORK := $(BIN)/casework
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run serve test lint load bench chromium clean

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
	$(CASEWORK) build-facts
	$(CASEWORK) demo --if-empty
	$(CASEWORK) run --host $(HOST) --port $(PORT)

# Production: gunicorn with casework/gunicorn_conf.py; needs SECRET_KEY (docs/deploying.md).
serve: setup
	$(CASEWORK) db upgrade
	$(CASEWORK) build-facts
	$(BIN)/gunicorn --config python:casework.gunicorn_conf --bind $(HOST):$(PORT) casework.wsgi:app

# 50 practitioners on gunicorn and SQLite for 60 s, then a SIGKILL mid-load (bench/load.py --help).
load: setup
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process).
# COVERAGE= leaves branch coverage out: .ci/run measures it once, on SQLite.
TEST_WORKERS ?= auto
COVERAGE ?= --cov --cov-report=term:skip-covered
test: setup chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(COVERAGE)

# Benchmark at a chosen size: make bench BENCH_PEOPLE=200000 [BENCH_DATABASE_URL=postgresql+psycopg://...]
BENCH_PEOPLE ?= 20000
bench: setup
	BENCH_PEOPLE=$(BENCH_PEOPLE) $(BIN)/python bench/bench.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check casework tests

clean:
	rm -rf $(VENV) node_modules .pytest_cache .coverage
