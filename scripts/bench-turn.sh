#!/usr/bin/env bash
# The relay's capacity: Signalbox's built-in TURN relay (internal/turnrelay,
# pion/turn) and Debian's coturn, side by side in one run on the same
# traffic, inside a private network namespace (a veth pair with 10.99.0.1;
# nothing leaves it). cmd/turnbench drives N one-way flows of video-like
# traffic (1,200-byte packets, 1.5 Mbit/s each) through real TURN
# allocations, relay to relay as calls behind AP isolation go, for each
# step of N, and prints CPU per Mbit/s, added latency p50/p99 and loss.
#
# Needs root (a network namespace) and coturn (scripts/setup.sh installs it).
# Usage: scripts/bench-turn.sh [-flows 10,30,60] [-duration 10s] [other turnbench flags]
# SIGNALBOX_BIN reuses a built binary; SIGNALBOX_BEFORE_BIN adds a second
# Signalbox (say, the build before a change) as a target "Signalbox
# (before)" in the same run. The table goes to stdout; JSON to
# test-artifacts/bench-turn.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--inside" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench-turn: needs root (a private network namespace)" >&2; exit 1; }
	command -v turnserver >/dev/null || { echo "bench-turn: coturn is missing (run scripts/setup.sh)" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	if [ -z "${SIGNALBOX_BIN:-}" ]; then
		echo "bench-turn: building signalbox (headless)" >&2
		[ -n "$(ls frontend/dist 2>/dev/null)" ] || mkdir -p frontend/dist
		go build -o "$work/signalbox" .
		SIGNALBOX_BIN=$work/signalbox
	fi
	go build -o "$work/turnbench" ./cmd/turnbench
	mkdir -p test-artifacts
	export SIGNALBOX_BIN SIGNALBOX_BEFORE_BIN=${SIGNALBOX_BEFORE_BIN:-} WORK=$work
	exec unshare --net bash "$0" --inside "$@"
fi
shift

# Inside the private namespace: lo, and a veth pair whose one end holds
# 10.99.0.1 (a served, non-loopback address, as a laptop's Wi-Fi is).
ip link set lo up
ip link add sbxtb0 type veth peer name sbxtb1
ip addr add 10.99.0.1/24 dev sbxtb0
ip link set sbxtb0 up
ip link set sbxtb1 up

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

XDG_CONFIG_HOME=$WORK/config HOME=$WORK/config "$SIGNALBOX_BIN" --headless --addr 10.99.0.1:0 \
	--mdns=false --https=false --turn-port 0 --log-level warn >"$WORK/sbx.out" 2>"$WORK/sbx.err" &
pids+=($!)
sbx=$!
targets=()
if [ -n "$SIGNALBOX_BEFORE_BIN" ]; then
	XDG_CONFIG_HOME=$WORK/config-before HOME=$WORK/config-before "$SIGNALBOX_BEFORE_BIN" --headless --addr 10.99.0.1:0 \
		--mdns=false --https=false --turn-port 0 --log-level warn >"$WORK/before.out" 2>"$WORK/before.err" &
	pids+=($!)
	before=$!
fi
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
turnserver -n --no-cli --no-tls --no-dtls --listening-ip 10.99.0.1 --relay-ip 10.99.0.1 \
	--listening-port 3479 --use-auth-secret --static-auth-secret "$secret" --realm signalbox \
	--no-software-attribute --log-file stdout --simple-log >"$WORK/coturn.log" 2>&1 &
pids+=($!)
coturn=$!

tries=0
until grep -q 'Relay (TURN)' "$WORK/sbx.out" 2>/dev/null && grep -qi 'Total General servers' "$WORK/coturn.log" 2>/dev/null; do
	tries=$((tries + 1))
	if [ "$tries" -gt 100 ]; then
		echo "bench-turn: the servers did not start within 10 s" >&2
		cat "$WORK/sbx.err" "$WORK/coturn.log" >&2
		exit 1
	fi
	sleep 0.1
done
port=$(grep -Eo 'http://10\.99\.0\.1:[0-9]+/' "$WORK/sbx.out" | head -1 | grep -Eo '[0-9]+/$' | tr -d /)
if [ -n "$SIGNALBOX_BEFORE_BIN" ]; then
	tries=0
	until grep -q 'Relay (TURN)' "$WORK/before.out" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -le 100 ] || { echo "bench-turn: the before build did not start" >&2; cat "$WORK/before.err" >&2; exit 1; }
		sleep 0.1
	done
	bport=$(grep -Eo 'http://10\.99\.0\.1:[0-9]+/' "$WORK/before.out" | head -1 | grep -Eo '[0-9]+/$' | tr -d /)
	targets+=(-target "Signalbox (before)=signalbox:ws://10.99.0.1:$bport/ws:$before")
fi
echo "bench-turn: $(turnserver --version 2>/dev/null | head -1 || true) anchor; Signalbox $("$SIGNALBOX_BIN" --version 2>/dev/null || echo dev); $(nproc) cores" >&2

"$WORK/turnbench" -bind 10.99.0.1 -json test-artifacts/bench-turn.json \
	"${targets[@]}" -target "Signalbox=signalbox:ws://10.99.0.1:$port/ws:$sbx" \
	-target "coturn=secret:10.99.0.1:3479:$secret:$coturn" "$@"
# The kernel's UDP counters in the namespace, for where losses happened:
# RcvbufErrors are datagrams dropped because a socket's receive buffer was
# full (a reader that fell behind), SndbufErrors the same on sending.
awk '/^Udp:/ { if (!h) { split($0, k); h = 1 } else { for (i = 2; i <= NF; i++) printf "%s=%s ", k[i], $i; print "" } }' /proc/net/snmp >&2
