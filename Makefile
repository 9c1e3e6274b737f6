# Tally. `make help` lists the targets; the real work is in scripts/.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: help start stop logs test bench web sqlx-prepare clear-db sql fmt lint

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  \033[1mmake %-12s\033[0m %s\n", $$1, $$2}'

start: ## Install what is missing, start PostgreSQL, build, and run Tally at http://localhost:3001
	@scripts/start.sh

stop: ## Stop Tally and the local PostgreSQL that `make start` started
	@scripts/stop.sh

logs: ## Follow Tally's log
	@mkdir -p .data && touch .data/tally.log && tail -n 100 -f .data/tally.log

test: ## Run every check: fmt, clippy, .sqlx/ current, unit, integration and browser tests (own PostgreSQL)
	@scripts/test.sh

bench: ## Benchmark sync (vs PostgreSQL's ceiling; 2 processes), reads (first calls right after the sync; spending over a month, a year and all time; recurring, forecasts, budgets; each with its target; the dashboard from Chromium), the detector, rules, the CSV export and removing a bank at 250k transactions, memory (after the bench; make start's process idle and after a 100k link), app size (release build, own PostgreSQL; BENCH_ONLY=ingest for the sync only, BENCH_ONLY=memory for make start's process only)
	@scripts/bench.sh

web: ## Build the web app only (trunk, release) into crates/web/dist
	@source scripts/common.sh && scripts/ensure-tools.sh web && build_web

sqlx-prepare: ## After changing a query or a migration: regenerate .sqlx/ (own PostgreSQL)
	@source scripts/common.sh && scripts/ensure-tools.sh postgres sqlx && throwaway_postgres ephemeral && prepare_queries "$$PG_PORT"

clear-db: ## Stop Tally and erase every table in its database (it re-creates them at next start)
	@scripts/clear-db.sh

sql: ## Open a psql shell on Tally's database
	@scripts/sql.sh

fmt: ## Format the code
	cargo fmt --all

lint: ## cargo fmt --check and clippy, as CI runs them
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked -p web --target wasm32-unknown-unknown -- -D warnings
