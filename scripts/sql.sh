#!/usr/bin/env bash
# `make sql`: a psql shell on Tally's database.
set -euo pipefail
. "$(dirname "$0")/common.sh"
exec psql "$(setting DATABASE_URL "$LOCAL_DATABASE_URL")"
