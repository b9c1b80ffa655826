#!/usr/bin/env bash
# HTTPS with the local CA and the built-in TURN relay, end to end: builds
# the browser client and a headless signalbox binary, then runs
# e2e/https/ in headless Chromium that trusts the CA through an NSS
# database (certutil, from libnss3-tools). Everything talks to loopback.
# Exits non-zero if a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v certutil >/dev/null; then
  echo "certutil missing: installing libnss3-tools"
  if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); else apt=(sudo apt-get); fi
  "${apt[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends libnss3-tools
fi

(cd frontend && { [ -d node_modules ] || npm ci --silent; } && npm run build --silent)
bin=$(mktemp -d)/signalbox
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" .
mkdir -p test-artifacts
SIGNALBOX_BIN="$bin" node --test --test-concurrency=1 e2e/https/
