#!/usr/bin/env bash
# Unleash server 8 (npm, into .cache/unleash) and PostgreSQL 15 (Debian), when missing.
# The flags integration tests start both on loopback ports (tests/servers/unleash.py).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "installing postgresql (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

DEST=.cache/unleash
if [ -f "$DEST/node_modules/unleash-server/package.json" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is required to install unleash-server" >&2; exit 2; }
echo "installing unleash-server@8.2.0 into $DEST (npm)"
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{"name": "zwobs-unleash", "private": true}' > "$DEST/package.json"
# Unleash 8 asks for Node >= 22 (EBADENGINE warning) but runs on Node 20 for what the tests use.
(cd "$DEST" && npm install unleash-server@8.2.0 --no-audit --no-fund --loglevel=error >/dev/null)
test -f "$DEST/node_modules/unleash-server/package.json"
