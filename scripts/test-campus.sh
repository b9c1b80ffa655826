#!/usr/bin/env bash
# Classroom in a box (issue 13): a school's Wi-Fi built from private network
# namespaces, and the whole story run through it as people do it
# (e2e/campus/campus.test.mjs): the teacher's laptop runs Signalbox with its
# defaults and its window (under Xvfb); students find it with `signalbox
# discover`, trust its CA through /trust (certutil into each browser's own
# NSS database), join, call each other (Chromium, Firefox, the socket.io
# tutorial page), roam, and the window shows it all. Run twice: an open
# network (direct calls) and one with AP isolation (relayed calls).
#
# The network: namespaces ${prefix}-ap (the access point: a bridge named
# wifi, one port per device, 10.42.0.254 as the LAN's would-be resolver),
# ${prefix}-lap (the laptop, 10.42.0.1) and ${prefix}-s1..s4 (students,
# 10.42.0.11..14), veth pairs, IPv4 only, no default route: nothing can
# leave. A sniffer on the bridge records every frame; the test fails on any
# DNS query or any packet addressed outside the LAN (mDNS is the only
# multicast expected). Everything is removed at the end.
#
# Needs root, iproute2, python3, and what scripts/setup.sh installs
# (chromium, firefox-esr, certutil, xvfb, imagemagick, the wails CLI,
# e2e/node_modules). Reuses build/bin/signalbox when it is newer than the
# sources (scripts/smoke-window.sh builds the same).
# Usage: scripts/test-campus.sh [extra node --test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin="$root/build/bin/signalbox"
export PATH="$PATH:$(go env GOPATH)/bin"

fail() { echo "test-campus: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root: it creates network namespaces (CI runs it as root)"
for cmd in ip bridge python3 certutil Xvfb import /usr/bin/chromium /usr/bin/firefox-esr; do
	command -v "$cmd" >/dev/null 2>&1 || fail "needs $cmd (run scripts/setup.sh)"
done
[ -d e2e/node_modules/puppeteer-core ] || fail "run npm ci in e2e/ first (scripts/setup.sh does)"

# One build, shared with the window smoke test: the desktop binary also runs
# headless and `discover`.
if [ ! -x "$bin" ] || ! go version -m "$bin" | grep -q -- '-tags=.*desktop' ||
	[ -n "$(find main.go discover.go security.go rlimit_*.go app signaling internal frontend/src frontend/public frontend/index.html frontend/window.html \
		-newer "$bin" -type f -print -quit 2>/dev/null)" ]; then
	command -v wails >/dev/null 2>&1 || fail "needs the wails CLI (scripts/setup.sh)"
	echo "test-campus: building with wails build -m"
	wails build -m >/tmp/test-campus-build.$$.log 2>&1 || { cat /tmp/test-campus-build.$$.log >&2; fail "wails build"; }
	rm -f /tmp/test-campus-build.$$.log
else
	echo "test-campus: reusing $bin"
fi

prefix="sbc$$"
ap="$prefix-ap"
nodes=(lap s1 s2 s3 s4)
declare -A addr=([lap]=10.42.0.1 [s1]=10.42.0.11 [s2]=10.42.0.12 [s3]=10.42.0.13 [s4]=10.42.0.14)
work=$(mktemp -d)
cleanup() {
	# The test stops what it started; this is the backstop for a crash.
	for n in "${nodes[@]}"; do
		ip netns pids "$prefix-$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$prefix-$n" 2>/dev/null || true
		rm -rf "/etc/netns/$prefix-$n"
	done
	ip netns pids "$ap" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	ip netns del "$ap" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The access point: a bridge named wifi, multicast flooded (mDNS), IPv6 off.
ip netns add "$ap"
ip netns exec "$ap" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ap" link set lo up
ip -n "$ap" link add wifi type bridge mcast_snooping 0
ip -n "$ap" addr add 10.42.0.254/24 dev wifi
ip -n "$ap" link set wifi up
for n in "${nodes[@]}"; do
	ns="$prefix-$n"
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add wlan0 netns "$ns" type veth peer name "$n" netns "$ap"
	ip -n "$ap" link set "$n" master wifi up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "${addr[$n]}/24" dev wlan0
	ip -n "$ns" link set wlan0 up
	# A resolver on the LAN (the bridge's address): any DNS query would
	# cross the bridge, where the sniffer counts it. None may be sent.
	mkdir -p "/etc/netns/$ns"
	echo "nameserver 10.42.0.254" >"/etc/netns/$ns/resolv.conf"
	# The machine's own name resolves locally (Firefox looks it up).
	printf '127.0.0.1 localhost\n127.0.1.1 %s\n%s %s\n' "$(hostname)" "${addr[$n]}" "$n" >"/etc/netns/$ns/hosts"
done
tries=0
until [ "$(ip -n "$ap" -br link show master wifi | grep -c ' UP ')" -eq "${#nodes[@]}" ]; do
	tries=$((tries + 1))
	[ "$tries" -le 50 ] || fail "the bridge ports did not come up within 5 s"
	sleep 0.1
done
[ -z "$(ip -n "$prefix-lap" route show default)" ] || fail "the laptop has a default route"

ip netns exec "$ap" python3 e2e/campus/sniff.py wifi 10.42.0.0/24 "$work/sniff.json" &
sniffer=$!

mkdir -p test-artifacts
rc=0
CAMPUS_BIN="$bin" CAMPUS_PREFIX="$prefix" CAMPUS_WORK="$work" \
	node --test --test-concurrency=1 --test-reporter=spec "$@" e2e/campus/ || rc=$?

kill -TERM "$sniffer"
wait "$sniffer" || true
echo "test-campus: on the bridge: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["frames"], "frames,", d["ipv4"], "IPv4,", d["mdns"], "mDNS,", d["arp"], "ARP,", d["ipv6"], "IPv6")' "$work/sniff.json")"
python3 - "$work/sniff.json" <<'PY' || rc=1
import json, sys
d = json.load(open(sys.argv[1]))
bad = False
if d["dns"]:
    print("test-campus: DNS queries crossed the bridge:", d["dns"], file=sys.stderr); bad = True
if d["outside"]:
    print("test-campus: packets addressed outside the LAN:", d["outside"], file=sys.stderr); bad = True
if d["other_ethertype"]:
    print("test-campus: unexpected frames:", d["other_ethertype"], file=sys.stderr); bad = True
if d["mdns"] == 0:
    print("test-campus: no mDNS seen: the sniffer saw nothing?", file=sys.stderr); bad = True
sys.exit(1 if bad else 0)
PY
[ "$rc" -eq 0 ] && echo "test-campus: PASS" || echo "test-campus: FAIL"
exit "$rc"
