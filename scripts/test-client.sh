#!/usr/bin/env bash
# Builds the browser client and the Go test server, then runs the browser
# end-to-end tests (e2e/client/*.test.mjs) in Debian's headless Chromium
# with fake camera and microphone, against the real server on loopback.
# Screenshots go to test-artifacts/ (not committed).
#
# Needs: Node.js with frontend/node_modules installed (npm ci), Go, and
# /usr/bin/chromium (apt-get install chromium; never a downloaded browser).
# Chinese screenshots need a CJK font (apt-get install fonts-wqy-microhei);
# the tests pass without one.
# Usage: scripts/test-client.sh [extra node --test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${SIGNALBOX_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "test-client: $chromium not found (apt-get install chromium)" >&2; exit 1; }
[ -d frontend/node_modules ] || { echo "test-client: run npm ci in frontend/ first" >&2; exit 1; }

echo "test-client: building the frontend (npm run build)"
(cd frontend && npm run build --silent)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "test-client: building the test server"
go build -o "$work/testserver" ./e2e/cmd/testserver

mkdir -p test-artifacts
echo "test-client: running the browser tests"
# One file at a time: each runs several Chromium pages with video, and the
# machines we test on have two cores.
SIGNALBOX_TESTSERVER="$work/testserver" node --test --test-concurrency=1 "$@" e2e/client/
