#!/usr/bin/env bash
# Side-by-side benchmark of Signalbox, the WebRTC tutorial's Node.js
# socket.io server (bench/node-tutorial) and PeerJS server (bench/peerjs), on
# loopback, with the same load generator (cmd/sbload) and the same scenarios:
#
#   relay  1,000 pairs (2,000 connections), 5 msg/s each, 300-byte payloads
#   knee   the same 2,000 connections, rate stepped up until p99 > 10 ms or loss
#   idle   19,000 connections joined in rooms of two and held
#   churn  peers joining, signalling and leaving for 30 s
#
# Four columns: Node over socket.io, PeerJS server over its own protocol,
# Signalbox over socket.io, Signalbox over its native protocol. With the
# relay scenario it also measures the floor (bench/floor, built with gcc):
# a relay that only copies bytes, one read and one write per message, under
# the same load shape: what no server on this machine can go below. Each scenario
# gets a freshly started server, so every memory figure starts from the same
# point. During relay steps perf counts the server's system calls. Results
# (JSON per run and table.md) go to OUT_DIR (default
# /tmp/signalbox-bench-DATE).
#
#   scripts/bench-compare.sh [OUT_DIR]
#   QUICK=1 scripts/bench-compare.sh      # small sizes, a minute: checks the setup
#   SCENARIOS="relay idle" COLUMNS="peerjs signalbox-native" scripts/bench-compare.sh
#   SIGNALBOX_BEFORE=/path/to/old/signalbox scripts/bench-compare.sh   # adds that
#       build's two columns, "before" beside "after" in the same run
#
# Needs go, node, npm and gcc; installs socket.io and peer from the npm registry
# into a temporary directory (npm ci from each bench/*/package-lock.json) and
# perf (apt package linux-perf) when it is missing.
# Every connection stays on 127.0.0.0/8. Runs for about 15 minutes and uses
# both cores: do not run other heavy work meanwhile.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${TMPDIR:-/tmp}/signalbox-bench-$(date -u +%Y%m%d-%H%M%S)}

# Sizes (override by environment).
relay_pairs=${RELAY_PAIRS:-1000}
relay_rate=${RELAY_RATE:-5}
duration=${DURATION:-30s}
knee_rates=${KNEE_RATES:-0.5,1,1.5,2,3,4,5,6,8,10,12,15,20,25,30}
knee_step=${KNEE_STEP:-10s}
idle_pairs=${IDLE_PAIRS:-9500}
relay_connect_rate=${RELAY_CONNECT_RATE:-250} # pairs/s: every server sees the same ramp
idle_connect_rate=${IDLE_CONNECT_RATE:-1000}
idle_settle=${IDLE_SETTLE:-15s}
churn_concurrency=${CHURN_CONCURRENCY:-20}
workers=${IDLE_WORKERS:-4}
if [[ ${QUICK:-0} == 1 ]]; then
	relay_pairs=100 duration=3s knee_rates=2,8,32 knee_step=2s idle_pairs=500 idle_settle=2s churn_concurrency=4 workers=2
	relay_connect_rate=100 idle_connect_rate=500
fi

scenarios=${SCENARIOS:-relay knee idle churn}
want_columns=${COLUMNS:-node peerjs signalbox-socketio signalbox-native}

tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# Each connection is a file; 19,000 of them need the hard limit.
ulimit -n "$(ulimit -Hn)"

echo "== building Signalbox and sbload"
(cd "$root" && mkdir -p frontend/dist && go build -o "$tmp/signalbox" . && go build -o "$tmp/sbload" ./cmd/sbload)
mdns_flag=
if "$tmp/signalbox" --help 2>&1 | grep -q -- '-mdns'; then mdns_flag=--mdns=false; fi

echo "== installing the tutorial server (socket.io v4 from npm) and PeerJS server (peer from npm)"
for d in node:node-tutorial peerjs:peerjs; do
	mkdir -p "$tmp/${d%%:*}"
	cp "$root/bench/${d#*:}"/{server.js,package.json,package-lock.json} "$tmp/${d%%:*}/"
	(cd "$tmp/${d%%:*}" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
done
node_version=$(node --version)
sio_version=$(node -p "require('$tmp/node/node_modules/socket.io/package.json').version")
peer_version=$(node -p "require('$tmp/peerjs/node_modules/peer/package.json').version")

# perf counts the servers' system calls during relay steps.
if ! command -v perf >/dev/null; then
	echo "== installing perf (linux-perf)"
	sudo_=; [[ $(id -u) != 0 ]] && sudo_=sudo
	$sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends linux-perf >/dev/null
fi
syscalls_flag=-syscalls
if ! perf stat -e raw_syscalls:sys_enter -x, -- true 2>/dev/null; then
	echo "perf cannot count system calls here (tracepoints not allowed?): no system call figures" >&2
	syscalls_flag=
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # wait_port PORT: until something listens on 127.0.0.1:PORT
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	return 1
}

start_server() { # start_server node|peerjs|signalbox PORT
	if [[ $1 == node || $1 == peerjs ]]; then
		PORT=$2 node "$tmp/$1/server.js" >"$tmp/server.log" 2>&1 &
	elif [[ $1 == before ]]; then
		"$SIGNALBOX_BEFORE" --headless --addr "127.0.0.1:$2" --room-size 2 $mdns_flag --socketio-logs=false --log-level warn >"$tmp/server.log" 2>&1 &
	else
		# No tutorial "log" events (narration, the echo of each message):
		# the Node server's log() is off too, so both do the same work.
		"$tmp/signalbox" --headless --addr "127.0.0.1:$2" --room-size 2 $mdns_flag --socketio-logs=false --log-level warn >"$tmp/server.log" 2>&1 &
	fi
	server_pid=$!
	wait_port "$2"
	sleep 1 # let the runtime settle before the baseline is read
}

stop_server() {
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

# run COLUMN SERVER PROTOCOL SCENARIO [sbload flags...]
run() {
	local col=$1 server=$2 proto=$3 scenario=$4
	shift 4
	local port
	port=$(free_port)
	mkdir -p "$out/$col"
	start_server "$server" "$port"
	echo "== $col: $scenario"
	"$tmp/sbload" -addr "127.0.0.1:$port" -protocol "$proto" -label "$col" -scenario "$scenario" \
		-server-pid "$server_pid" -json "$out/$col/$scenario.json" "$@" | tee "$out/$col/$scenario.txt"
	stop_server
}

has() { [[ " $1 " == *" $2 "* ]]; }

columns=("node node socketio" "peerjs peerjs peerjs" "signalbox-socketio signalbox socketio" "signalbox-native signalbox native")
if [[ -n ${SIGNALBOX_BEFORE:-} ]]; then
	columns+=("before-socketio before socketio" "before-native before native")
	want_columns="$want_columns before-socketio before-native"
fi
for c in "${columns[@]}"; do
	read -r col server proto <<<"$c"
	has "$want_columns" "$col" || continue
	if has "$scenarios" relay; then
		run "$col" "$server" "$proto" relay -pairs "$relay_pairs" -connect-rate "$relay_connect_rate" -rate "$relay_rate" -duration "$duration" $syscalls_flag
	fi
	if has "$scenarios" knee; then
		run "$col" "$server" "$proto" knee -pairs "$relay_pairs" -connect-rate "$relay_connect_rate" -rates "$knee_rates" -duration "$knee_step"
	fi
	if has "$scenarios" idle; then
		run "$col" "$server" "$proto" idle -pairs "$idle_pairs" -connect-rate "$idle_connect_rate" -workers "$workers" -spread-ips "$workers" -settle "$idle_settle"
	fi
	if has "$scenarios" churn; then
		run "$col" "$server" "$proto" churn -duration "$duration" -churn-concurrency "$churn_concurrency"
	fi
done

# The floor: the same relay load on a relay that only copies bytes.
if has "$scenarios" relay && [[ ${FLOOR:-1} == 1 ]]; then
	echo "== floor (bench/floor)"
	case $duration in
	*m) floor_secs=$((${duration%m} * 60)) ;;
	*s) floor_secs=${duration%s} ;;
	*) echo "DURATION must be whole seconds or minutes (30s, 1m) for the floor" >&2; exit 2 ;;
	esac
	bash "$root/scripts/bench-floor.sh" "$relay_pairs" "$relay_rate" "$floor_secs" | tee "$out/floor.txt"
fi

{
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); Go $(go version | awk '{print $3}'), Node $node_version, socket.io $sio_version, peer $peer_version."
	echo
	cols=()
	has "$want_columns" node && cols+=(-col "Node tutorial (socket.io)=$out/node")
	has "$want_columns" peerjs && cols+=(-col "PeerJS server=$out/peerjs")
	has "$want_columns" signalbox-socketio && cols+=(-col "Signalbox (socket.io)=$out/signalbox-socketio")
	has "$want_columns" signalbox-native && cols+=(-col "Signalbox (native)=$out/signalbox-native")
	has "$want_columns" before-socketio && cols+=(-col "Signalbox before (socket.io)=$out/before-socketio")
	has "$want_columns" before-native && cols+=(-col "Signalbox before (native)=$out/before-native")
	"$tmp/sbload" table -targets "${cols[@]}"
	if [[ -s $out/floor.txt ]]; then
		echo
		echo "The floor (bench/floor: one read and one write per message, no protocol), same load: $(cat "$out/floor.txt")"
	fi
} >"$out/table.md"
echo "== table: $out/table.md"
cat "$out/table.md"
