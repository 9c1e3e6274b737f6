# Sourced by the other scripts: paths and small helpers.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

DATA_DIR="$ROOT/.data"
LOCAL_PG_DIR="$DATA_DIR/postgres"
LOCAL_PG_PORT=55432
LOCAL_DATABASE_URL="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/tally"
TALLY_PID_FILE="$DATA_DIR/tally.pid"
TALLY_LOG="$DATA_DIR/tally.log"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The value of a setting: the environment first, then .env, then the given default.
setting() {
  local name=$1 default=${2:-} value=${!1:-}
  if [ -z "$value" ] && [ -f .env ]; then
    value=$(grep -E "^$name=" .env | tail -n 1 | cut -d= -f2- | sed -e 's/^"//' -e 's/"$//')
  fi
  printf '%s' "${value:-$default}"
}

# The pid of the Tally that `make start` started, if it still runs.
running_tally_pid() {
  local pid
  [ -f "$TALLY_PID_FILE" ] || return 1
  pid=$(cat "$TALLY_PID_FILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

stop_tally() {
  local pid
  pid=$(running_tally_pid) || { rm -f "$TALLY_PID_FILE"; return 0; }
  say "Stopping Tally (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -f "$TALLY_PID_FILE"
}

build_web() {
  say "Building the web app (trunk, release)"
  cargo fetch --locked -q
  # Trunk's wasm-bindgen step goes through scripts/wasm-split/wasm-bindgen, which first cuts the
  # lazily loaded pages out of the wasm (docs/performance.md, "Web app size").
  export TALLY_WASM_SPLIT_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/wasm-split"
  (cd crates/web && PATH="$ROOT/scripts/wasm-split:$PATH" trunk --log error build --release)
  place_split_parts crates/web/dist
  precompress crates/web/dist
}

# Puts the lazily loaded parts that scripts/wasm-split/wasm-bindgen cut out beside the app, in a
# folder named with trunk's hash of the whole wasm (`parts-<hash>/settings_route_view.wasm`, and
# `chunk_12.wasm` for code several parts share), so they are cached for a year like trunk's files
# and change name whenever any of them changes. Their loader `__wasm_split.js`, which the app's
# JS imports by that fixed name (so it is revalidated on each load), is pointed at trunk's hashed
# JS and at the folder. It is part of the first download: its comments are left out.
place_split_parts() {
  local dist=$1 loader="$TALLY_WASM_SPLIT_DIR/__wasm_split.js" app_js folder part short
  app_js=$(cd "$dist" && ls web-*.js)
  folder="parts-${app_js#web-}"
  folder=${folder%.js}
  mkdir -p "$dist/$folder"
  sed -e "s|\"./web.js\"|\"./$app_js\"|" -e '\|^/\* .* \*/$|d' "$loader" > "$dist/__wasm_split.js"
  for part in $(grep -o '"\./[A-Za-z0-9_]*\.wasm"' "$loader" | tr -d '"' | sed 's|^\./||' | sort -u); do
    short=$(printf '%s' "${part%.wasm}" | sed -E 's/^split_+//; s/_[0-9]{10,}$//').wasm
    cp "$TALLY_WASM_SPLIT_DIR/$part" "$dist/$folder/$short"
    sed -i "s|\"./$part\"|\"./$folder/$short\"|" "$dist/__wasm_split.js"
  done
}

# Writes a brotli (.br) and a gzip (.gz) copy of the app's code and styles at the strongest
# settings, which Tally sends to browsers that take them instead of compressing on each request.
precompress() {
  local file
  for file in "$1"/*.wasm "$1"/parts-*/*.wasm "$1"/*.js "$1"/*.css; do
    [[ -f "$file" ]] || continue
    brotli --force --keep --quality=11 "$file"
    gzip --force --keep -9 "$file"
  done
}

# A TCP port nothing listens on.
free_port() {
  local port
  for port in $(shuf -i 56000-59999 -n 200); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Starts a PostgreSQL of its own in a new temporary directory, removed on exit (even on failure
# or Ctrl-C), and exports PG_TMP and PG_PORT. "ephemeral" turns durability off (tests).
throwaway_postgres() {
  PG_TMP=$(mktemp -d /tmp/tally-pg.XXXXXX)
  chmod 755 "$PG_TMP"
  trap 'scripts/postgres.sh stop "$PG_TMP/data" || true; rm -rf "$PG_TMP"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  PG_PORT=$(free_port)
  say "Starting a throwaway PostgreSQL on port $PG_PORT"
  scripts/postgres.sh start "$PG_TMP/data" "$PG_PORT" ${1:-}
  export PG_TMP PG_PORT
}

# `sqlx::query!` checks each query at compile time against .sqlx/, the query data committed with
# the code (builds set SQLX_OFFLINE=true in .cargo/config.toml and need no database). This writes
# .sqlx/ afresh from a database migrated from migrations/ on the PostgreSQL at port $1; with
# --check it changes nothing and fails unless .sqlx/ is exactly what the code's queries need.
prepare_queries() {
  local url="postgres://postgres@127.0.0.1:$1/tally_queries" out
  shift
  say "Query data (.sqlx/) from a migrated database${1:+ ($1)}"
  DATABASE_URL=$url sqlx database reset -y --source migrations >/dev/null
  out=$(DATABASE_URL=$url cargo sqlx prepare --workspace "$@" -- --all-targets --locked) ||
    { printf '%s\n' "$out"; return 1; }
  printf '%s\n' "$out"
  # sqlx only warns about a file no query uses any more; a stale file is not current either.
  if [[ $out == *"potentially unused queries"* ]]; then
    say ".sqlx/ holds data for a query the code no longer has: run make sqlx-prepare"
    return 1
  fi
}
