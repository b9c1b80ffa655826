#!/usr/bin/env bash
# HTTPS with the local CA and the built-in TURN relay, end to end: builds
# the browser client and a headless signalbox binary, then runs
# e2e/https/*.test.mjs: the real binary on loopback, and Debian's headless
# Chromium trusting the CA through an NSS database (certutil, from
# libnss3-tools; never --ignore-certificate-errors). Screenshots go to
# test-artifacts/ (not committed). Exits non-zero if a test fails.
#
# Needs what scripts/setup.sh installs: Go, Node.js with frontend/node_modules,
# /usr/bin/chromium and certutil.
# Usage: scripts/test-https.sh [extra node --test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${SIGNALBOX_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "test-https: $chromium not found (run scripts/setup.sh)" >&2; exit 1; }
command -v certutil >/dev/null || { echo "test-https: certutil not found (run scripts/setup.sh: libnss3-tools)" >&2; exit 1; }
[ -d frontend/node_modules ] || { echo "test-https: run npm ci in frontend/ first" >&2; exit 1; }

echo "test-https: building the frontend (npm run build)"
(cd frontend && npm run build --silent)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "test-https: building signalbox (headless)"
go build -o "$work/signalbox" .

mkdir -p test-artifacts
echo "test-https: running the HTTPS and relay tests"
SIGNALBOX_BIN="$work/signalbox" node --test --test-concurrency=1 "$@" e2e/https/
