#!/usr/bin/env bash
# bench-floor.sh: the floor of a relay on this machine (bench/floor): a
# relay that only copies bytes between paired loopback TCP connections,
# one read and one write per message, under the relay scenario's load
# shape. Prints the relay's CPU per message (and the kernel's part) and the
# one-way latency; exits non-zero if a message was lost.
#
#   scripts/bench-floor.sh [PAIRS RATE SECONDS]    1000 pairs, 5 msg/s each, 30 s by default
#
# Needs gcc. Every connection stays on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pairs=${1:-1000} rate=${2:-5} secs=${3:-30}
tmp=$(mktemp -d)
relay=
cleanup() { [[ -n $relay ]] && kill "$relay" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
gcc -O2 -Wall -Wextra -Werror -o "$tmp/relay" "$root/bench/floor/relay.c"
gcc -O2 -Wall -Wextra -Werror -o "$tmp/gen" "$root/bench/floor/gen.c"
"$tmp/relay" 0 "$pairs" >"$tmp/relay.out" &
relay=$!
port=
for _ in $(seq 50); do # until it listens, on a port of its choosing
	port=$(awk '/^listening/ {print $2}' "$tmp/relay.out")
	[[ -n $port ]] && break
	sleep 0.1
done
[[ -n $port ]] || { echo "bench-floor: the relay did not start" >&2; exit 1; }
"$tmp/gen" "$port" "$pairs" "$rate" "$secs" 300 "$relay"
