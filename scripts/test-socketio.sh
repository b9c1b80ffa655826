#!/usr/bin/env bash
# Builds the frontend (which copies the socket.io-client bundle into
# frontend/dist/socket.io/) and the Go test server, then runs the socket.io
# end-to-end suite (e2e/socketio/*.test.mjs) with node's test runner: the
# stock socket.io-client v4 from npm against the real server on loopback,
# and the /tutorial/ page in Debian's headless Chromium with a fake camera;
# binary both ways (e2e/socketio/binary.test.mjs). First, the Engine.IO
# conformance suite (e2e/eioconform) runs against two test server
# processes started with its short settings.
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
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait "${pids[@]}" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
echo "test-socketio: building the test server"
go build -o "$work/testserver" ./e2e/cmd/testserver

# start_server NAME ARGS... runs a test server and sets url_NAME to its
# base URL once it listens.
start_server() {
	local name=$1; shift
	mkfifo "$work/$name.out"
	"$work/testserver" -exit-on-eof=false "$@" >"$work/$name.out" &
	pids+=($!)
	local line
	read -r -t 20 line <"$work/$name.out" || { echo "test-socketio: the $name server did not start" >&2; return 1; }
	printf -v "url_$name" '%s' "${line#LISTEN }"
}

echo "test-socketio: the Engine.IO conformance suite (e2e/eioconform) against the test server binary"
# The settings e2e/eioconform/client_test.go expects of its two servers.
start_server main -socketio-ping-interval 10s -socketio-ping-timeout 5s -socketio-max-http-buffer-size 4096
start_server heartbeat -socketio-ping-interval 300ms -socketio-ping-timeout 1s -socketio-max-http-buffer-size 4096
SIGNALBOX_EIO_URL="$url_main" SIGNALBOX_EIO_HEARTBEAT_URL="$url_heartbeat" go test -count=1 ./e2e/eioconform/

echo "test-socketio: running the socket.io tests"
# One file at a time: the Chromium test runs two video calls' worth of
# pages, and the machines we test on have two cores.
SIGNALBOX_TESTSERVER="$work/testserver" SIGNALBOX_CHROMIUM="$chromium" \
	node --test --test-concurrency=1 --test-reporter=spec "$@" e2e/socketio/
