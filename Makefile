# Two commands from a fresh clone: `make run` (the pipeline on the offline snapshot) and `make test`.
# Only Python 3.11+ is needed: uv is bootstrapped into .tools/ when it is not on PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# `setup` syncs the environment (quietly); each target then runs in it as synced, without a second sync
# (which would also print its bytecode compilation).
RUN := $(UV) run --no-sync

# Settings are not read here: `miners` resolves them (environment, then .env, then defaults) for every target.
PORT ?= 3000

.PHONY: run test test-fast lint bench dev settings dbt-docs snapshot setup clean

run: setup ## Materialize everything (extract, dbt, gates, publish, report) on the configured sources (default: snapshot); VERBOSE=1 prints everything
	$(RUN) miners run$(if $(filter 1,$(VERBOSE)), --verbose)

test: lint ## Lint, then the whole offline test suite
	$(RUN) pytest

test-fast: setup ## The fast tier (under two minutes): no pipeline run, nothing marked slow
	$(RUN) pytest -m "not slow and not pipeline"

# sqlfluff renders the models through dbt, whose profile opens a warehouse: a throwaway one, so no warehouse is
# needed, with a small memory limit of its own.
lint: setup ## Ruff (lint, security rules, format) and sqlfluff on the dbt project
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	data_dir="$$(mktemp -d)" && trap 'rm -rf "$$data_dir"' EXIT \
	  && MINERS_DATA_DIR="$$data_dir" MINERS_DBT_MEMORY_LIMIT=256MB $(RUN) sqlfluff lint dbt_project

bench: setup ## Benchmarks P1-P5 (about 30 min): benchmarks/results.json and the README table
	$(RUN) python -m benchmarks

dev: setup ## The Dagster UI on http://127.0.0.1:$(PORT)
	$(RUN) miners dev --port $(PORT)

settings: setup ## Print the settings a run would use (environment > .env > defaults)
	@$(RUN) miners settings

snapshot: setup ## Regenerate the bundled synthetic market and SEC snapshots (deterministic)
	$(RUN) python -m tools.snapshot

dbt-docs: setup ## dbt docs, generated offline and served on http://127.0.0.1:8080 (warehouse as `make settings` says)
	export MINERS_DATA_DIR="$$($(RUN) miners settings | sed -n 's/^MINERS_DATA_DIR=//p')" && cd dbt_project \
	  && $(abspath $(UV)) run --no-sync dbt docs generate && $(abspath $(UV)) run --no-sync dbt docs serve --host 127.0.0.1 --port 8080

setup: .env $(UV)
	@$(UV) sync --frozen --quiet

.env:
	cp .env.example .env

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

clean: ## Remove the default warehouse folder and dbt's build artefacts (keeps .env)
	rm -rf warehouse dbt_project/target dbt_project/logs
