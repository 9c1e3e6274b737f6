#!/usr/bin/env bash
# `make clear-db`: stops Tally and erases its database's tables; the next start migrates afresh.
set -euo pipefail
. "$(dirname "$0")/common.sh"
database_url=$(setting DATABASE_URL "$LOCAL_DATABASE_URL")
if [ "$database_url" = "$LOCAL_DATABASE_URL" ]; then
  scripts/postgres.sh start "$LOCAL_PG_DIR" "$LOCAL_PG_PORT"
fi
stop_tally
say "Erasing every table in the database (Tally's and the simulator's)"
PGOPTIONS="--client-min-messages=warning" psql -q "$database_url" -v ON_ERROR_STOP=1 \
  -c "drop schema if exists plaid_sim cascade" \
  -c "drop schema public cascade" -c "create schema public"
say "Done. Run make start to start Tally again."
