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
# eye on the 20-minute budget of make test.
PYTEST := env PYTHONPATH=$(CURDIR)/scripts$${PYTHONPATH:+:$$PYTHONPATH} $(PYTHON) -m pytest -q \
	-p no:cacheprovider -p no_skips --durations=10

.PHONY: help run test install ensure-postgres ensure-chromium ensure-nginx ensure-pdf-libs test-sqlite \
	test-postgres lint bench screenshots clean

help: ## List the targets
	@echo "Careloop. Usage: make TARGET"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-16s %s\n", $$1, $$2}'

run: install ## Set up, load demo data when empty, serve on http://127.0.0.1:5000 (HOST, PORT)
	$(FLASK) db upgrade
	$(FLASK) seed --if-empty
	$(FLASK) demo-logins
	@echo "Careloop is at http://$(HOST):$(PORT)/ (Ctrl-C stops it)."
	$(FLASK) run --host $(HOST) --port $(PORT)

# Both legs run even when the first fails, so one run reports every failure.
test: install ensure-postgres ensure-chromium ensure-nginx ensure-pdf-libs ## Install what is missing, run all tests on SQLite, then the db tests on PostgreSQL
	@failed=""; \
	$(MAKE) --no-print-directory test-sqlite || failed="$$failed SQLite"; \
	$(MAKE) --no-print-directory test-postgres || failed="$$failed PostgreSQL"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED on$$failed" >&2; exit 1; fi

test-sqlite: install ## Run the whole suite on SQLite
	@echo "== Whole suite on SQLite"
	$(PYTEST)

test-postgres: install ensure-postgres ## Run the database-facing tests on a throwaway PostgreSQL cluster
	@echo "== Database-facing tests (-m db) on PostgreSQL"
	scripts/with-postgres.sh $(PYTEST) -m db

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

# ruff check only: the code keeps a compact layout (line length 100) that ruff format would
# spread out, pushing modules past the ~400 lines a person can hold in their head.
lint: install ## Check the code with ruff
	$(VENV)/bin/ruff check $(LINT_PATHS)

# The PostgreSQL figures run on a throwaway cluster (scripts/with-postgres.sh); the large
# provider is built once into ~/.cache/careloop-bench and reused (bench/large.py).
bench: install ensure-postgres ensure-chromium ## Run the benchmarks and print one table (BENCH_ARGS=--quick for a smoke run)
	scripts/with-postgres.sh $(PYTHON) -m bench $(BENCH_ARGS)

screenshots: install ## Save the main screens into docs/screenshots/
	CARELOOP_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(PYTEST) tests/browser/test_screenshots.py

clean: ## Remove .venv, caches and build files (instance/ with the demo database stays)
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
