# Careloop: `make run` for the demo, `make test` for the whole suite. `make` lists targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# One thing at a time: two apt-get installs at once would fight over dpkg's lock.
.NOTPARALLEL:

VENV ?= .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app server
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
LINT_PATHS := $(wildcard server sync seed tests bench scripts)
# no_skips (scripts/no_skips.py) fails the run on any skipped test; --durations keeps an
# eye on the 8-minute budget of make test. The legs run on pytest-xdist workers
# (PYTEST_WORKERS, default one per core): each worker has its own database (tests/conftest.py).
PYTEST_WORKERS ?= auto
PYTEST := env PYTHONPATH=$(CURDIR)/scripts$${PYTHONPATH:+:$$PYTHONPATH} $(PYTHON) -m pytest -q \
	-p no:cacheprovider -p no_skips --durations=10
# loadfile: each test file runs whole on one worker, in order (a module- or class-wide
# fixture, such as the demo built once, is built once; tests/test_app_fixture.py's pair
# runs in order).
PYTEST_LEG := $(PYTEST) -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: help run test install ensure-postgres ensure-chromium ensure-nginx ensure-pdf-libs test-sqlite \
	test-postgres test-deployment lint check-tooling bench bench-smoke screenshots screenshots-check \
	clean

help: ## List the targets
	@echo "Careloop. Usage: make TARGET"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-18s %s\n", $$1, $$2}'

run: install ## Set up, load demo data when empty, serve on http://127.0.0.1:5000 (HOST, PORT)
	$(FLASK) db upgrade
	$(FLASK) seed --if-empty
	$(FLASK) demo-logins
	@echo "Careloop is at http://$(HOST):$(PORT)/ (Ctrl-C stops it)."
	$(FLASK) run --host $(HOST) --port $(PORT)

# Every step runs even when one fails, so one run reports every failure: the pytest legs
# first, then the tooling checks (lint, make and its scripts, the bench at tiny sizes, the
# screenshots), which are make targets rather than tests. scripts/run_steps.py runs
# TEST_JOBS steps side by side (the two legs, then the tooling steps as a lane frees up),
# prints each step's output whole when it ends, and the time each step took.
TEST_STEPS := test-sqlite test-postgres test-deployment lint check-layers check-tooling bench-smoke \
	screenshots-check
TEST_JOBS ?= 2
test: install ensure-postgres ensure-chromium ensure-nginx ensure-pdf-libs ## Install what is missing; run the tests on SQLite, the db tests on PostgreSQL, the deployment test, then the tooling checks
	@$(PYTHON) scripts/run_steps.py --jobs $(TEST_JOBS) $(TEST_STEPS)

# The deployment test and the screenshots have targets of their own (each runs once).
test-sqlite: install ## Run the suite on SQLite (all but the deployment test and the screenshots)
	@echo "== Tests on SQLite"
	$(PYTEST_LEG) -m "not deployment and not screenshots"

test-postgres: install ensure-postgres ## Run the database-facing tests on a throwaway PostgreSQL cluster
	@echo "== Database-facing tests (-m db) on PostgreSQL"
	scripts/with-postgres.sh $(PYTEST_LEG) -m db

test-deployment: install ensure-nginx ensure-chromium ## Run the HTTPS deployment test: nginx, gunicorn with two workers, the PWA
	@echo "== Deployment: nginx + gunicorn over HTTPS"
	$(PYTEST) -m deployment tests/test_deployment.py

install: $(STAMP) ## Create .venv and install Careloop with its dev extra

$(PYTHON):
	@python3 -m venv $(VENV) || { \
		echo "error: could not create $(VENV). On Debian: apt-get install -y python3-venv" >&2; \
		exit 1; }

# Reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

ensure-postgres: ## Install Debian's postgresql when initdb or pg_ctl is missing
	@scripts/ensure-postgres.sh

ensure-chromium: ## Install Debian's chromium when /usr/bin/chromium is missing
	@scripts/ensure-chromium.sh

ensure-pdf-libs: ## Install the Pango and font libraries WeasyPrint needs when missing
	@scripts/ensure-pdf-libs.sh

ensure-nginx: ## Install Debian's nginx when it is missing (HTTPS deployment test)
	@scripts/ensure-nginx.sh

# ruff format is the one layout; a module it pushes past ~400 lines is split by responsibility.
lint: install ## Check the code with ruff (rules and format)
	@echo "== Lint (ruff check, ruff format --check)"
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

.PHONY: check-layers
check-layers: install ## Check that imports point one way: the contracts in pyproject.toml
	@echo "== Layers (lint-imports)"
	$(VENV)/bin/lint-imports

check-tooling: install ensure-postgres ## Check make's help, the no-skips rule and the throwaway PostgreSQL script
	@echo "== Tooling: make, no_skips, with-postgres.sh"
	$(PYTHON) scripts/check_tooling.py

# The PostgreSQL figures run on a throwaway cluster (scripts/with-postgres.sh); the large
# provider is built once into ~/.cache/careloop-bench and reused (bench/large.py).
bench: install ensure-postgres ensure-chromium ## Run the benchmarks and print one table (BENCH_ARGS=--quick for a smoke run)
	scripts/with-postgres.sh $(PYTHON) -m bench $(BENCH_ARGS)

# Checks that every figure is there, never a speed (bench/smoke.py).
bench-smoke: install ensure-postgres ensure-chromium ## Run the benchmarks at tiny sizes on SQLite and PostgreSQL; check every row
	@echo "== Bench smoke run"
	$(PYTHON) -m bench.smoke sqlite
	scripts/with-postgres.sh $(PYTHON) -m bench.smoke postgresql

screenshots: install ensure-chromium ## Save the main screens into docs/screenshots/
	CARELOOP_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(PYTEST) -m screenshots \
		tests/browser/test_screenshots.py tests/browser/test_screenshots_desk.py

screenshots-check: install ensure-chromium ## Take the main screens into a temporary folder: each still renders
	@echo "== Screenshots (into a temporary folder)"
	env -u CARELOOP_SCREENSHOT_DIR $(PYTEST) -m screenshots tests/browser/test_screenshots.py \
		tests/browser/test_screenshots_desk.py

clean: ## Remove .venv, caches and build files (instance/ with the demo database stays)
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
