#!/usr/bin/env bash
# The reliability suite (issue 7), short form: what CI runs, in about a
# minute. Everything talks to loopback only.
#
#   scripts/test-reliability.sh            # short form
#   LONG=1 scripts/test-reliability.sh     # long form: 10-minute churn soak, 60 s per fuzz target
#
# What it runs:
#   - the native transport's tests (parking, timeouts, close codes) and the
#     black-box reliability tests against the real server
#     (cmd/sbload/loadtest: stalled reader, abrupt disconnect, half-open TCP,
#     silent TCP, floods, too many rooms, cross-site WebSockets, churn soak),
#     under the race detector;
#   - the churn soak without the race detector too, which also checks the
#     process RSS returns to its baseline (RSS means nothing under -race);
#   - every fuzz target for FUZZTIME each (native JSON, Engine.IO packets
#     and payloads, Socket.IO packets), corpora in testdata/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p frontend/dist

soak=30s fuzztime=${FUZZTIME:-10s}
if [[ ${LONG:-0} == 1 ]]; then soak=10m fuzztime=${FUZZTIME:-60s}; fi

go test -race -count=1 ./signaling/native/ ./cmd/sbload/loadtest/
SIGNALBOX_SOAK=$soak go test -count=1 -timeout 20m -run TestChurnSoak -v ./cmd/sbload/loadtest/ | grep -E '^(=== RUN|--- |\s+soak_test|ok|FAIL|PASS)'

fuzz() { # fuzz PACKAGE TARGET
	go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"
}
fuzz ./signaling/native FuzzDecodeRequest
fuzz ./signaling/socketio/engineio FuzzDecodePacket
fuzz ./signaling/socketio/engineio FuzzDecodePayload
fuzz ./signaling/socketio/sioproto FuzzSioDecode
