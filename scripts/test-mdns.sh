#!/bin/sh
# Runs the multicast tests of app/mdns inside private network namespaces, so
# nothing is ever advertised on a real interface.
#
#   1. one host: `unshare --net` with only lo, multicast enabled on it; runs
#      every test of the package (the unit tests and TestLoopback*).
#   2. two hosts: namespaces A and B joined by a veth pair (IPv4 and IPv6);
#      TestTwoHosts advertises in A and starts the same test binary in B to
#      browse, open the join URL, resolve the host name and see the goodbye.
#   3. the real program on those two hosts: `signalbox --headless` in A,
#      `signalbox discover` (table and --json) in B; gone after SIGTERM.
#
# Needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN) and iproute2. The test binary
# is built first, outside the namespaces, so modules are downloaded there.
# Usage: scripts/test-mdns.sh [test flags for part 1, e.g. -test.run Update]
set -eu

cd "$(dirname "$0")/.."
pkg=./app/mdns

fail() {
	echo "test-mdns: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root: it creates network namespaces (CI runs it as root)"
command -v ip >/dev/null 2>&1 || fail "needs iproute2 (the ip command)"
command -v unshare >/dev/null 2>&1 || fail "needs unshare (util-linux)"
unshare --net true 2>/dev/null ||
	fail "unshare --net is not permitted here: the tests need a private network namespace (run as root, or in a privileged container)"

work=$(mktemp -d)
ns_a="sbx-mdns-a-$$"
ns_b="sbx-mdns-b-$$"
cleanup() {
	ip netns del "$ns_a" 2>/dev/null || true
	ip netns del "$ns_b" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# now_ms prints a millisecond clock for the timings.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# report prints a go test-style summary line for one part.
report() { # status name start_ms
	secs=$(($(now_ms) - $3))
	secs="$((secs / 1000)).$(printf '%03d' $((secs % 1000)))s"
	if [ "$1" -eq 0 ]; then
		printf 'ok  \tsignalbox/app/mdns [%s]\t%s\n' "$2" "$secs"
	else
		printf 'FAIL\tsignalbox/app/mdns [%s]\t%s\n' "$2" "$secs"
	fi
}

bin="$work/mdns.test"
echo "test-mdns: building the test binary (go test -race -c)"
go test -race -c -o "$bin" "$pkg"

# Tests refuse to multicast in this (the outer) namespace.
SIGNALBOX_OUTER_NETNS=$(readlink /proc/self/ns/net)
export SIGNALBOX_OUTER_NETNS
status=0

# 1. One host: lo only.
echo "test-mdns: one host (lo in a private namespace)"
start=$(now_ms)
rc=0
unshare --net sh -ec '
	ip link set lo up
	ip link set lo multicast on
	ip route add 224.0.0.0/4 dev lo
	SIGNALBOX_NETNS=1 exec "$@"' sh "$bin" -test.v -test.timeout=60s "$@" || rc=$?
report "$rc" "netns lo" "$start"
[ "$rc" -eq 0 ] || status=1

# 2. Two hosts: A (va, 10.77.0.1, fd77::1) <-> B (vb, 10.77.0.2, fd77::2).
echo "test-mdns: two hosts (veth pair between two namespaces)"
start=$(now_ms)
ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add va netns "$ns_a" type veth peer name vb netns "$ns_b"
for side in "$ns_a va 1" "$ns_b vb 2"; do
	# shellcheck disable=SC2086 # split "ns iface n" on purpose
	set -- $side
	ip -n "$1" link set lo up
	# No duplicate address detection: the link-local address is usable at
	# once, instead of after ~2 s of DAD.
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.accept_dad=0"
	ip -n "$1" addr add "10.77.0.$3/24" dev "$2"
	ip -n "$1" addr add "fd77::$3/64" dev "$2" nodad
	ip -n "$1" link set "$2" up
done
# Wait (bounded) until both ends have carrier and no tentative address.
tries=0
until ip -n "$ns_a" link show va | grep -q LOWER_UP &&
	ip -n "$ns_b" link show vb | grep -q LOWER_UP &&
	[ -z "$(ip -n "$ns_a" -6 addr show dev va tentative)" ] &&
	[ -z "$(ip -n "$ns_b" -6 addr show dev vb tentative)" ]; do
	tries=$((tries + 1))
	[ "$tries" -le 50 ] || fail "the veth pair did not come up within 5 s"
	sleep 0.1
done
rc=0
ip netns exec "$ns_a" env SIGNALBOX_NETNS=1 SIGNALBOX_PEER_NS="$ns_b" \
	"$bin" -test.v -test.timeout=60s -test.run '^TestTwoHosts$' || rc=$?
report "$rc" "two netns over veth" "$start"
[ "$rc" -eq 0 ] || status=1

# 3. The real program on the same two hosts: `signalbox` (headless) in A
#    advertises itself after it listens; `signalbox discover` in B finds it
#    with its join URL and TXT record; after SIGTERM it is gone.
echo "test-mdns: signalbox in A, signalbox discover in B"
start=$(now_ms)
rc=0
sbx="$work/signalbox"
go build -o "$sbx" . || rc=$?
if [ "$rc" -eq 0 ]; then
	ip netns exec "$ns_a" env XDG_CONFIG_HOME="$work/config" \
		"$sbx" --headless --addr :0 --mdns=true --turn-port 0 --name "Netns Lab" >"$work/server.out" 2>"$work/server.err" &
	server=$!
	tries=0
	until grep -q 'msg="mdns: advertising"' "$work/server.err" 2>/dev/null; do
		tries=$((tries + 1))
		if [ "$tries" -gt 100 ] || ! kill -0 "$server" 2>/dev/null; then
			echo "test-mdns: signalbox did not advertise within 10 s" >&2
			rc=1
			break
		fi
		sleep 0.1
	done
	port=$(grep -Eo 'https?://10\.77\.0\.1:[0-9]+/' "$work/server.out" | head -1 | grep -Eo '[0-9]+/$' | tr -d /)
	# HTTPS is on by default: the TXT record carries the local CA's fingerprint.
	fp=$(grep -Eo 'msg="HTTPS on" fingerprint=[0-9A-F:]+' "$work/server.err" | head -1 | sed 's/.*fingerprint=//')
	[ -n "$fp" ] || { echo "test-mdns: signalbox did not serve HTTPS" >&2; rc=1; }
	if [ "$rc" -eq 0 ]; then
		ip netns exec "$ns_b" "$sbx" discover --wait 2s --interface vb >"$work/discover.out" 2>&1 || rc=$?
		ip netns exec "$ns_b" "$sbx" discover --wait 2s --interface vb --json >"$work/discover.json" 2>&1 || rc=$?
		cat "$work/discover.out"
		grep -Eq "^Netns Lab +https://10\.77\.0\.1:$port/ +signalbox\.local\. +1 +$fp +-\$" "$work/discover.out" ||
			{ echo "test-mdns: discover did not list Netns Lab at https://10.77.0.1:$port/ with fingerprint $fp" >&2; rc=1; }
		for want in '"path": "/ws"' '"scheme": "https"' '"version": "1"' '"id": "[0-9a-f]{16}"' '"fd77::1"' "\"fingerprint\": \"$fp\""; do
			grep -Eq "$want" "$work/discover.json" || { echo "test-mdns: discover --json lacks $want" >&2; rc=1; }
		done
	fi
	kill -TERM "$server" 2>/dev/null || true
	wait "$server" || { echo "test-mdns: signalbox exited with $? on SIGTERM" >&2; rc=1; }
	grep -q 'msg="mdns: stopped advertising"' "$work/server.err" || { echo "test-mdns: no goodbye logged" >&2; rc=1; }
	ip netns exec "$ns_b" "$sbx" discover --wait 1s --interface vb >"$work/discover-after.out" 2>&1 || rc=$?
	grep -q '^no Signalbox server found$' "$work/discover-after.out" ||
		{ echo "test-mdns: still found after quitting:" >&2; cat "$work/discover-after.out" >&2; rc=1; }
	[ "$rc" -eq 0 ] || { echo "--- server log" >&2; cat "$work/server.err" >&2; }
fi
report "$rc" "signalbox discover over veth" "$start"
[ "$rc" -eq 0 ] || status=1

if [ "$status" -eq 0 ]; then
	echo "PASS"
else
	echo "FAIL"
fi
exit "$status"
