#!/usr/bin/env bash
# Builds the frontend (which copies the socket.io-client bundle into
# frontend/dist/socket.io/) and the Go test server, then runs the socket.io
# end-to-end suite (e2e/socketio/*.test.mjs) with node's test runner: the
# stock socket.io-client v4 from npm against the real server on loopback,
# and the /tutorial/ page in Debian's headless Chromium with a fake camera.
# Prints node's test runner summary; exits non-zero if a test failed.
#
# Needs: Go, Node.js with frontend/node_modules installed (npm ci), and
# /usr/bin/chromium (apt-get install chromium; never a downloaded browser).
# Usage: scripts/test-socketio.sh [extra node --test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${SIGNALBOX_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "test-socketio: $chromium not found (apt-get install chromium)" >&2; exit 1; }
[ -d frontend/node_modules/socket.io-client ] || { echo "test-socketio: run npm ci in frontend/ first" >&2; exit 1; }

echo "test-socketio: building the frontend (npm run build)"
(cd frontend && npm run build --silent)
[ -f frontend/dist/socket.io/socket.io.js ] || { echo "test-socketio: the build has no socket.io/socket.io.js" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "test-socketio: building the test server"
go build -o "$work/testserver" ./e2e/cmd/testserver

echo "test-socketio: running the socket.io tests"
# One file at a time: the Chromium test runs two video calls' worth of
# pages, and the machines we test on have two cores.
SIGNALBOX_TESTSERVER="$work/testserver" SIGNALBOX_CHROMIUM="$chromium" \
	node --test --test-concurrency=1 --test-reporter=spec "$@" e2e/socketio/
