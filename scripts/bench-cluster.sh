#!/usr/bin/env bash
# bench-cluster.sh: the relay of sbload with each pair split over two
# Signalbox servers of one cluster (every relay crosses NATS) beside the same
# load on one clustered server and on a standalone server, in one run, on
# loopback only. Prints each server's and NATS's CPU per relayed message,
# and each run's p99 also over the payloads that crossed no window in which
# the hypervisor stole processor time (internal/steal).
# Then the same split over two servers in embedded mode (each runs its own
# nats-server, joined by a route: the two-laptop setup); its server A and B
# columns are those two servers, NATS included.
# Last, what the hop adds read from one phase (sbload -mixed): half the
# pairs split over the two servers, half whole on one of them, so both
# halves relay under the same load, steal and scheduling; the difference of
# their percentiles is the hop's cost, over NATS and embedded.
#
#   scripts/bench-cluster.sh [OUTDIR]      PAIRS=250 RATE=10 DURATION=20s by default
#
# TABLES="hop" prints only the hop table (default "phases hop").
# BIN=DIR uses the signalbox, sbload and nats-server already built in DIR
# (an earlier run's OUTDIR/bin), to compare two versions under the same load.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d /tmp/signalbox-cluster-bench.XXXX)}
PAIRS=${PAIRS:-250}
RATE=${RATE:-10}
DURATION=${DURATION:-20s}
mkdir -p "$OUT/bin"
if [ -n "${BIN:-}" ]; then
	cp "$BIN/signalbox" "$BIN/sbload" "$BIN/nats-server" "$OUT/bin/"
else
	mkdir -p frontend/dist && [ -e frontend/dist/.gitkeep ] || touch frontend/dist/.gitkeep
	go build -o "$OUT/bin/signalbox" .
	go build -o "$OUT/bin/sbload" ./cmd/sbload
	go build -o "$OUT/bin/nats-server" github.com/nats-io/nats-server/v2
fi

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime, clock ticks
TICK=$(getconf CLK_TCK)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

NP=$(freeport)
"$OUT/bin/nats-server" -a 127.0.0.1 -p "$NP" -js -sd "$OUT/nats" >"$OUT/nats.log" 2>&1 &
NATS=$!; PIDS+=("$NATS")

start() { # name port [flags…]: runs in the background; its pid is $!
	local name=$1 port=$2; shift 2
	XDG_CONFIG_HOME="$OUT/$name" "$OUT/bin/signalbox" --headless --addr "127.0.0.1:$port" \
		--mdns=false --https=false --turn=false --log-level warn "$@" >"$OUT/$name.log" 2>&1 &
}
PA=$(freeport); start a "$PA" --cluster "nats://127.0.0.1:$NP"; A=$!; PIDS+=("$A")
PB=$(freeport); start b "$PB" --cluster "nats://127.0.0.1:$NP"; B=$!; PIDS+=("$B")
PS=$(freeport); start s "$PS"; S=$!; PIDS+=("$S")
# Two servers in embedded mode (the two-laptop setup): each runs its own
# nats-server, joined by a route; no separate NATS process.
RA=$(freeport); RB=$(freeport)
routes=(--cluster-route "127.0.0.1:$RA" --cluster-route "127.0.0.1:$RB")
PEA=$(freeport); start ea "$PEA" --cluster embedded --cluster-listen "127.0.0.1:$RA" "${routes[@]}"; EA=$!; PIDS+=("$EA")
PEB=$(freeport); start eb "$PEB" --cluster embedded --cluster-listen "127.0.0.1:$RB" "${routes[@]}"; EB=$!; PIDS+=("$EB")
for p in "$PA" "$PB" "$PS" "$PEA" "$PEB"; do
	for _ in $(seq 300); do
		curl -fs "http://127.0.0.1:$p/healthz" | grep -q '"status":"ok"' && break
		sleep 0.1
	done
done

run() { # label sbload-args...
	local label=$1; shift
	local a0 b0 n0 s0
	local A=${RUN_A:-$A} B=${RUN_B:-$B}
	a0=$(cpu "$A"); b0=$(cpu "$B"); n0=$(cpu "$NATS"); s0=$(cpu "$S")
	"$OUT/bin/sbload" -scenario relay -pairs "$PAIRS" -rate "$RATE" -duration "$DURATION" \
		-label "$label" -json "$OUT/$label.json" "$@" >"$OUT/$label.txt"
	python3 - "$OUT/$label.txt" "$label" "$TICK" \
		$(( $(cpu "$A") - a0 )) $(( $(cpu "$B") - b0 )) $(( $(cpu "$NATS") - n0 )) $(( $(cpu "$S") - s0 )) <<'PY'
import re, sys
txt = open(sys.argv[1]).read(); label = sys.argv[2]; tick = float(sys.argv[3])
a, b, n, s = (int(x) / tick for x in sys.argv[4:8])
m = re.search(r"relay p50 ([\d.]+ \w+) p90 \S+ \S+ p99 ([\d.]+ \w+).*?received (\d+) lost (\d+) out-of-order (\d+).*?generator lag p99 ([\d.]+ \w+)", txt, re.S)
p50, p99, recv, lost, ooo, lag = m.groups() if m else ("?", "?", "0", "?", "?", "?")
# The tail over the payloads that crossed no window with steal (sbload, internal/steal).
q = re.search(r"steal in (\d+) % of windows, relay p99 steal-free ([\d.]+ \w+|–) \((\d+) % of payloads\)", txt)
quiet, steal = ("%s (%s %%)" % (q.group(2), q.group(3)), q.group(1) + " %") if q else ("-", "-")
recv = int(recv)
def us(cpu): return "%.1f" % (cpu / recv * 1e6) if recv else "-"
print("| %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (label, p50, p99, quiet, steal, recv, lost, ooo, lag, us(a), us(b), us(n), us(s)))
PY
}
TABLES=${TABLES:-phases hop}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pairs $PAIRS, $RATE msg/s per peer ($((PAIRS * 2 * RATE)) msg/s), $DURATION each; results in $OUT"
if [[ $TABLES == *phases* ]]; then
echo "| run | relay p50 | relay p99 | p99 steal-free (payloads) | windows with steal | received | lost | out of order | generator lag p99 | CPU µs/msg server A | server B | NATS | standalone |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
run standalone -addr "127.0.0.1:$PS"
run cluster-one-server -addr "127.0.0.1:$PA"
run cluster-split -addr "127.0.0.1:$PA" -addr2 "127.0.0.1:$PB"
RUN_A=$EA RUN_B=$EB run embedded-split -addr "127.0.0.1:$PEA" -addr2 "127.0.0.1:$PEB"
run standalone-again -addr "127.0.0.1:$PS"
fi
# hop label sbload-args...: a -mixed run, as a row of the hop table, with
# each process's CPU per payload received (RUN_A, RUN_B as for run).
hop() {
	local label=$1; shift
	local A=${RUN_A:-$A} B=${RUN_B:-$B} a0 b0 n0
	a0=$(cpu "$A"); b0=$(cpu "$B"); n0=$(cpu "$NATS")
	"$OUT/bin/sbload" -scenario relay -pairs "$PAIRS" -rate "$RATE" -duration "$DURATION" \
		-label "$label" -json "$OUT/$label.json" -mixed "$@" >"$OUT/$label.txt"
	python3 - "$OUT/$label.txt" "$label" "$TICK" \
		$(( $(cpu "$A") - a0 )) $(( $(cpu "$B") - b0 )) $(( $(cpu "$NATS") - n0 )) <<'PY'
import re, sys
txt = open(sys.argv[1]).read(); tick = float(sys.argv[3])
V = r"([+\-]?[\d.]+ ms|–)"
m = re.search(("hop: local pairs p50 V p99 V steal-free p99 V, split pairs p50 V p99 V steal-free p99 V; "
               "added by the hop p50 V p99 V steal-free p99 V").replace("V", V), txt)
w = re.search(r"steal in (\d+) % of windows", txt)
l = re.search(r"received (\d+) lost (\d+) out-of-order (\d+)", txt)
recv, lost, ooo = (int(l.group(1)), l.group(2), l.group(3)) if l else (0, "?", "?")
cpu = ["%.1f" % (int(x) / tick / recv * 1e6) if recv else "-" for x in sys.argv[4:7]]
cells = [c.strip() for c in m.groups()] if m else ["?"] * 9
print("| %s | %s / %s | %s / %s | %s / %s | %s | **%s** | **%s** | %s | %s / %s | %s / %s / %s |" % (sys.argv[2],
      cells[0], cells[3], cells[1], cells[4], cells[2], cells[5], cells[6], cells[7], cells[8],
      (w.group(1) + " %") if w else "-", lost, ooo, *cpu))
PY
}
if [[ $TABLES == *hop* ]]; then
echo
echo "What the hop adds, read from one phase: half the pairs split over two servers, half whole on one"
echo "| run | p50 local / split | p99 local / split | p99 steal-free local / split | added p50 | added p99 | added p99 steal-free | windows with steal | lost / out of order | CPU µs/msg A / B / NATS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
hop cluster-mixed -addr "127.0.0.1:$PA" -addr2 "127.0.0.1:$PB"
RUN_A=$EA RUN_B=$EB hop embedded-mixed -addr "127.0.0.1:$PEA" -addr2 "127.0.0.1:$PEB"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
