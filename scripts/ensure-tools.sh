#!/usr/bin/env bash
# Installs what Tally's build, server and tests need, skipping whatever is already there.
#   scripts/ensure-tools.sh web        wasm target, trunk, wasm-bindgen-cli, wasm-split-cli, brotli
#   scripts/ensure-tools.sh postgres   PostgreSQL server binaries
#   scripts/ensure-tools.sh browser    Chromium and ChromeDriver (browser tests)
#   scripts/ensure-tools.sh sqlx       sqlx-cli (migrating a database, regenerating .sqlx/)
#   scripts/ensure-tools.sh plaid-sdk  Plaid's Python SDK in target/plaid-python (a fidelity test)
#   scripts/ensure-tools.sh axe        axe-core in target/axe-core (the accessibility browser test)
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
WASM_SPLIT_VERSION=0.2.4       # wasm-split-cli, for the wasm_split_helpers that leptos uses
SQLX_CLI_VERSION=0.8.6         # the sqlx version in Cargo.lock
PLAID_PYTHON_VERSION=46.0.0    # Plaid's official Python SDK, which must accept every simulator answer
PLAID_PYTHON_VENV="$(cd "$(dirname "$0")/.." && pwd)/target/plaid-python"
AXE_CORE_VERSION=4.14.1        # the accessibility checker the browser tests run on every page
AXE_CORE_DIR="$(cd "$(dirname "$0")/.." && pwd)/target/axe-core"

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_updated=""
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    say "Missing $*: please install it (Debian/Ubuntu: sudo apt-get install $*) and run again."
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "Installing $* (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# rust-toolchain.toml pins the toolchain by version. Where the machine's one toolchain is that
# version under another name (stable), give it the pinned name too instead of downloading it.
ensure_toolchain() {
  local want home host dir
  want=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
  home=${RUSTUP_HOME:-$HOME/.rustup}
  host=$(rustc +stable -vV 2>/dev/null | sed -n 's/^host: //p')
  dir="$home/toolchains/$want-$host"
  if [ -n "$host" ] && [ ! -e "$dir" ] && rustc +stable --version 2>/dev/null | grep -q "^rustc $want "; then
    say "Using the installed stable toolchain as $want"
    ln -s "$home/toolchains/stable-$host" "$dir"
  fi
}
ensure_toolchain

ensure_web() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
    say "Installing trunk $TRUNK_VERSION (takes a few minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    # Not --locked: its lockfile pins a crate version the registry no longer serves.
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a couple of minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  # Cuts the lazily loaded pages out of the wasm (scripts/wasm-split/wasm-bindgen); it has no
  # --version, so cargo's list of installed packages says which one is there.
  if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    say "Installing wasm-split-cli $WASM_SPLIT_VERSION (takes a couple of minutes, once)"
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked \
      --features build-binary
  fi
  # The build compresses the app ahead of time (scripts/common.sh: precompress).
  if ! command -v brotli >/dev/null || ! command -v gzip >/dev/null; then
    apt_install brotli gzip
  fi
}

ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    apt_install postgresql postgresql-contrib
  fi
  if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
    apt_install postgresql-client
  fi
}

ensure_browser() {
  if ! command -v chromedriver >/dev/null || ! [ -x /usr/bin/chromium ]; then
    apt_install chromium chromium-driver
  fi
}

ensure_sqlx() {
  if ! sqlx --version 2>/dev/null | grep -q " $SQLX_CLI_VERSION\$"; then
    # PostgreSQL only; rustls for servers that want TLS.
    say "Installing sqlx-cli $SQLX_CLI_VERSION (takes a couple of minutes, once)"
    cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked \
      --no-default-features --features rustls,postgres
  fi
}

ensure_plaid_sdk() {
  local python="$PLAID_PYTHON_VENV/bin/python"
  if "$python" -c "import plaid, sys; sys.exit(plaid.__version__ != '$PLAID_PYTHON_VERSION')" 2>/dev/null; then
    return
  fi
  if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    apt_install python3 python3-venv
  fi
  say "Installing Plaid's Python SDK $PLAID_PYTHON_VERSION (once)"
  rm -rf "$PLAID_PYTHON_VENV"
  python3 -m venv "$PLAID_PYTHON_VENV"
  "$PLAID_PYTHON_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "plaid-python==$PLAID_PYTHON_VERSION"
}

ensure_axe() {
  local installed="$AXE_CORE_DIR/node_modules/axe-core/package.json"
  if [ -f "$installed" ] && grep -q "\"version\": \"$AXE_CORE_VERSION\"" "$installed"; then
    return
  fi
  if ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  say "Installing axe-core $AXE_CORE_VERSION (once)"
  rm -rf "$AXE_CORE_DIR"
  mkdir -p "$AXE_CORE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AXE_CORE_DIR" "axe-core@$AXE_CORE_VERSION"
}

for what in "$@"; do
  case "$what" in
    web) ensure_web ;;
    postgres) ensure_postgres ;;
    browser) ensure_browser ;;
    sqlx) ensure_sqlx ;;
    plaid-sdk) ensure_plaid_sdk ;;
    axe) ensure_axe ;;
    *) echo "unknown tool set: $what" >&2; exit 2 ;;
  esac
done
