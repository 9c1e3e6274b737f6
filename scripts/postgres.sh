#!/usr/bin/env bash
# A PostgreSQL cluster of Tally's own, in a directory, on a port, with no system service.
#   scripts/postgres.sh start DIR PORT [ephemeral]
#        create (first time) and start; creates database "tally". "ephemeral" turns off fsync:
#        only for throwaway test clusters, never for data anyone keeps.
#   scripts/postgres.sh stop DIR          stop it if it runs
# PG_SETTINGS adds server settings at start, e.g. "-c shared_preload_libraries=pg_stat_statements".
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PGBIN" ] || PGBIN=$(dirname "$(command -v initdb)")

# initdb refuses to run as root, so as root the cluster belongs to the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir=$1 port=$2 durability=""
  if [ "${3:-}" = ephemeral ]; then durability="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"; fi
  if [ ! -s "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    as_owner "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-instructions >/dev/null
  fi
  if ! as_owner "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 $durability ${PG_SETTINGS:-}" start >/dev/null
  fi
  local url="postgres://postgres@127.0.0.1:$port"
  if ! psql "$url/postgres" -tAc "select 1 from pg_database where datname = 'tally'" | grep -q 1; then
    psql "$url/postgres" -qc "create database tally" >/dev/null
  fi
}

stop() {
  local dir=$1
  if [ -s "$dir/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_owner "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  start) start "$2" "$3" "${4:-}" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
