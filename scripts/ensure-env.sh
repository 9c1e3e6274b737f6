#!/usr/bin/env bash
# Creates .env from .env.template on first run, with a freshly generated encryption key.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then exit 0; fi
key=$(head -c 32 /dev/urandom | base64)
# Made unreadable to others from its first byte (umask), not after the key is in it.
(umask 077 && sed "s|^TALLY_ENCRYPTION_KEY=.*|TALLY_ENCRYPTION_KEY=$key|" .env.template > .env)
echo "Created .env (with a new encryption key). Edit it to change Tally's settings." >&2
