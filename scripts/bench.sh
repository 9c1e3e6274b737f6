#!/usr/bin/env bash
# `make bench`: sync and read throughput of the release build, on a PostgreSQL of its own.
set -euo pipefail
. "$(dirname "$0")/common.sh"

scripts/ensure-tools.sh web postgres browser
[[ -f crates/web/dist/index.html ]] || build_web

# Durable settings (fsync on), as Tally runs for real; pg_stat_statements tells where the
# sync's database time goes.
PG_SETTINGS="-c shared_preload_libraries=pg_stat_statements" throwaway_postgres

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/tally"
export TALLY_SPA_DIR="$ROOT/crates/web/dist"
say "Building (release) and running the benchmark; it takes a few minutes${BENCH_ONLY:+ (only: $BENCH_ONLY)}"
cargo bench --locked -p tally-api --bench load
