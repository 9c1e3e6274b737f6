#!/usr/bin/env bash
# `make test`: everything CI checks, on a PostgreSQL of its own that it removes afterwards.
set -euo pipefail
. "$(dirname "$0")/common.sh"

scripts/ensure-tools.sh web postgres browser sqlx plaid-sdk axe

say "cargo fmt --check"
cargo fmt --all --check

say "clippy (server and shared crates)"
cargo clippy --locked --all-targets -- -D warnings
say "clippy (web app, wasm32)"
cargo clippy --locked -p web --target wasm32-unknown-unknown -- -D warnings

build_web

throwaway_postgres ephemeral

prepare_queries "$PG_PORT" --check

# #[sqlx::test] makes a fresh database per test from this server.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export TALLY_SPA_DIR="$ROOT/crates/web/dist"
# Plaid's Python SDK, for the test that it accepts every simulator answer.
export TALLY_PLAID_PYTHON="$ROOT/target/plaid-python/bin/python"
mkdir -p target/screenshots

say "Tests"
test_log="$PG_TMP/cargo-test.log"
# Three at once: each test's pool (sqlx's, 5 connections, shared by the test, its app and the app's
# simulator) takes its connections from one pool of 20 for the whole run, which also creates and
# drops the tests' databases. With four tests at once a test could be left 3 connections: its
# live-events listener and two syncs (each holding one while it calls the simulator) took them
# all, the simulator waited 30 s for one and answered 500 (CI failed so once).
cargo test --locked --all-targets -- --test-threads "${TALLY_TEST_THREADS:-3}" 2>&1 | tee "$test_log"

# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$test_log"
