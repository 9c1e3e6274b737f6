#!/usr/bin/env bash
# `make start`: install what is missing, ensure PostgreSQL, build, run Tally in the background.
set -euo pipefail
. "$(dirname "$0")/common.sh"

scripts/ensure-tools.sh web postgres
scripts/ensure-env.sh
mkdir -p "$DATA_DIR"

database_url=$(setting DATABASE_URL "$LOCAL_DATABASE_URL")
if [ "$database_url" != "$LOCAL_DATABASE_URL" ] && pg_isready -q -t 3 -d "$database_url"; then
  say "Using the PostgreSQL at DATABASE_URL"
else
  [ "$database_url" = "$LOCAL_DATABASE_URL" ] || say "DATABASE_URL does not answer; using a local cluster instead"
  say "Starting PostgreSQL in .data/postgres (port $LOCAL_PG_PORT)"
  scripts/postgres.sh start "$LOCAL_PG_DIR" "$LOCAL_PG_PORT"
  database_url=$LOCAL_DATABASE_URL
fi

build_web
say "Building the server (release)"
cargo build --release --locked -p tally-api

stop_tally
port=$(setting PORT 3001)
url=$(setting PUBLIC_URL "http://localhost:$port")
# glibc's allocator would keep an arena per thread that allocated; two keep Tally's memory
# after a 100,000-transaction link at about 75 MiB instead of 90 (docs/performance.md, "Memory").
DATABASE_URL="$database_url" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" \
  nohup target/release/tally >>"$TALLY_LOG" 2>&1 &
echo $! >"$TALLY_PID_FILE"

for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/health" 2>/dev/null; then
    say "Tally is running at $url   (logs: make logs · stop: make stop)"
    exit 0
  fi
  if ! running_tally_pid >/dev/null; then
    say "Tally exited during start. The end of its log:"
    tail -n 30 "$TALLY_LOG" >&2
    exit 1
  fi
  sleep 0.5
done
say "Tally did not answer within 60 seconds; see make logs"
exit 1
