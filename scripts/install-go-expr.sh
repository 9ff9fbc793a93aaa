#!/usr/bin/env bash
# Go and the expression engine Argo Rollouts evaluates analysis conditions with (Debian's
# golang-go and golang-github-antonmedv-expr-dev, a GOPATH tree under /usr/share/gocode):
# the tests build tests/servers/argoexpr with them, offline. Idempotent.
set -euo pipefail
if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/antonmedv/expr ]; then
  exit 0
fi
echo "installing Go and github.com/antonmedv/expr (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends golang-go golang-github-antonmedv-expr-dev >/dev/null
