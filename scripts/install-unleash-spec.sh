#!/usr/bin/env bash
# The Unleash client specification (npm @unleash/client-specification, pinned), into
# .cache/unleash-spec: tests/flags/test_specification.py runs every case of it through
# zwobs.flags. JSON documents only; nothing of it runs. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="6.1.0"
INTEGRITY="sha512-1LG5IPFb9ocM5yDpPBjZdNDtO8fC7UeRY+8wQgwtmuTL1fM+ZL7qqK7otV1fUQsKpioYG5vxN4EN7I57quygkQ=="
DEST=.cache/unleash-spec
PKG="$DEST/node_modules/@unleash/client-specification"
if [ -f "$PKG/package.json" ] && grep -q "\"version\": \"$VERSION\"" "$PKG/package.json"; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is required to install the Unleash specification" >&2; exit 2; }
echo "installing @unleash/client-specification@$VERSION into $DEST (npm)"
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{"name": "zwobs-unleash-spec", "private": true}' > "$DEST/package.json"
(cd "$DEST" && npm install "@unleash/client-specification@$VERSION" --save-exact \
  --no-audit --no-fund --loglevel=error >/dev/null)
# The lock file npm wrote records the tarball's integrity: refuse anything but the pinned one.
grep -q "\"integrity\": \"$INTEGRITY\"" "$DEST/package-lock.json" || {
  echo "@unleash/client-specification@$VERSION: integrity differs from the pinned one" >&2
  exit 2
}
test -f "$PKG/specifications/index.json"
