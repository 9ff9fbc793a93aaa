#!/usr/bin/env bash
# Prometheus + promtool + Alertmanager from Debian packages, when missing.
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null \
   && command -v prometheus-alertmanager >/dev/null; then
  exit 0
fi
echo "installing prometheus, promtool, alertmanager (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
