#!/usr/bin/env bash
# `make stop`: stops the Tally and the local PostgreSQL that `make start` started.
set -euo pipefail
. "$(dirname "$0")/common.sh"
stop_tally
if [ -s "$LOCAL_PG_DIR/postmaster.pid" ]; then
  say "Stopping the local PostgreSQL"
  scripts/postgres.sh stop "$LOCAL_PG_DIR"
fi
