#!/usr/bin/env bash
# Smoke test of the desktop window: builds the app with `wails build -m`
# (unless build/bin/signalbox is newer than every source), runs it under
# Xvfb with its own config folder on a free loopback port and mDNS off,
# waits until the server answers /healthz and the window has drawn, joins a
# peer over WebSocket (e2e/cmd/wsjoin), checks that the window's peer list
# shows it (the window reports the rooms and peer rows in its DOM through
# the bound method ReportRendered, logged at debug level), screenshots the
# window into test-artifacts/window.png, then does the same in Chinese
# (test-artifacts/window-zh.png; three students by one class address show
# as a class of two rooms, and every Latin-script word the Chinese window
# shows must be on e2e/zh-allowlist.txt), quits with SIGTERM and checks the server
# stopped and the port is free. Then it starts the window on a port another
# Signalbox holds and checks the window shows the error
# (test-artifacts/window-port-busy.png). Finally it checks the same binary
# runs headless with no display at all.
#
# Needs: go, the wails CLI (~/go/bin), xvfb-run, ImageMagick's import,
# curl, GTK/WebKitGTK 4.1 runtime libraries, a CJK font for the Chinese
# screenshot (fonts-wqy-microhei or fonts-noto-cjk).
# Usage: scripts/smoke-window.sh        (SMOKE_REBUILD=1 forces a build)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
artifacts="$root/test-artifacts"
bin="$root/build/bin/signalbox"
export PATH="$PATH:$(go env GOPATH)/bin"

# Bounds of each wait, in tenths of a second.
readonly START_WAIT=300  # the window and server coming up (WebKit's first start is slow)
readonly UPDATE_WAIT=100 # the window showing a change (events are batched every 250 ms)
readonly STOP_WAIT=100   # the app quitting after SIGTERM

fail() {
	echo "smoke-window: FAIL: $*" >&2
	for f in "${work:-/nonexistent}"/*.log; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
	done
	exit 1
}
say() { echo "smoke-window: $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Part 1, outside Xvfb: build, then run the rest inside xvfb-run.
if [ "${1:-}" != "--inner" ]; then
	for cmd in go xvfb-run import curl; do
		command -v "$cmd" >/dev/null 2>&1 || fail "needs $cmd"
	done
	stale=""
	if [ ! -x "$bin" ] || [ "${SMOKE_REBUILD:-0}" = 1 ]; then
		stale=yes
	elif [ -n "$(find main.go discover.go rlimit_*.go app signaling frontend/src frontend/index.html frontend/window.html build/appicon.png \
		-newer "$bin" -type f -print -quit 2>/dev/null)" ]; then
		stale=yes
	elif ! go version -m "$bin" | grep -q -- '-tags=.*desktop'; then
		stale=yes # a plain `go build`: it cannot open a window
	fi
	if [ -n "$stale" ]; then
		command -v wails >/dev/null 2>&1 || fail "needs the wails CLI: go install github.com/wailsapp/wails/v2/cmd/wails@v2.16.0"
		say "building with wails build -m"
		t0=$(now_ms)
		wails build -m >/tmp/smoke-window-build.$$.log 2>&1 || { cat /tmp/smoke-window-build.$$.log >&2; fail "wails build"; }
		rm -f /tmp/smoke-window-build.$$.log
		say "built $(du -h "$bin" | cut -f1) in $(($(now_ms) - t0)) ms"
	else
		say "reusing $bin (newer than the sources)"
	fi
	mkdir -p "$artifacts"
	exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" --inner
fi

# Part 2, inside Xvfb.
work=$(mktemp -d)
app_pid=""
peer_pid=""
cleanup() {
	[ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null || true
	for p in ${class_pids:-}; do kill "$p" 2>/dev/null || true; done
	[ -n "$app_pid" ] && kill -9 "$app_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/wsjoin" ./e2e/cmd/wsjoin

# wait_for FILE PATTERN TENTHS: waits until FILE has a line matching PATTERN.
wait_for() {
	local i=0
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le "$3" ] || return 1
		[ -z "$app_pid" ] || kill -0 "$app_pid" 2>/dev/null || fail "the app exited early"
		sleep 0.1
	done
}

# run_window LANGUAGE SHOT: one run of the window, in LANGUAGE ("" = system).
run_window() {
	local lang=$1 shot=$2 conf="$work/config-$1" log="$work/app-$1.log"
	mkdir -p "$conf/signalbox"
	if [ -n "$lang" ]; then
		printf '{"language": "%s", "mdns": false}\n' "$lang" >"$conf/signalbox/settings.json"
	fi
	local t0
	t0=$(now_ms)
	# A config, cache and data folder of its own: nothing of the real user's is read or written.
	XDG_CONFIG_HOME="$conf" XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data" \
		WEBKIT_DISABLE_DMABUF_RENDERER=1 \
		"$bin" --addr 127.0.0.1:0 --mdns=false --turn-port 0 --log-level debug --name "Smoke Lab" >"$log" 2>&1 &
	app_pid=$!
	wait_for "$log" 'msg=serving addrs=\[127\.0\.0\.1:[0-9]+\]' "$START_WAIT" || fail "the server did not start"
	local port
	port=$(grep -Eo 'msg=serving addrs=\[127\.0\.0\.1:[0-9]+\]' "$log" | head -1 | grep -Eo '[0-9]+\]$' | tr -d ']')
	curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' || fail "/healthz did not answer on port $port"
	[ -f "$conf/signalbox/settings.json" ] || fail "the first run did not save its settings in the isolated config folder"
	wait_for "$log" 'msg="window rendered" rooms=0 peers=0' "$START_WAIT" || fail "the window did not draw its room list"
	say "[$lang] server on port $port, window drawn after $(($(now_ms) - t0)) ms"

	"$work/wsjoin" --url "ws://127.0.0.1:$port/ws" --room "physics-7b" --name "Ana (smoke)" --hold 60s >"$work/peer-$1.log" 2>&1 &
	peer_pid=$!
	wait_for "$work/peer-$1.log" '^joined ' "$UPDATE_WAIT" || fail "the test peer did not join"
	t0=$(now_ms)
	wait_for "$log" 'msg="window rendered" rooms=1 peers=1' "$UPDATE_WAIT" || fail "the window's peer list did not show the peer"
	say "[$lang] the window showed the peer $(($(now_ms) - t0)) ms after it joined"
	curl -fsS "http://127.0.0.1:$port/api/rooms" | grep -q '"name":"Ana (smoke)"' || fail "/api/rooms does not list the peer"
	if [ -n "$lang" ]; then
		grep -q "msg=\"window rendered\" rooms=1 peers=1 locale=$lang" "$log" || fail "the window is not in $lang"
	fi
	# Three students open the board address "math" (as the browser client
	# does: a class address): the window groups math and math · 2.
	class_pids=""
	local who
	for who in 小明 小丽 小华; do
		"$work/wsjoin" --url "ws://127.0.0.1:$port/ws" --room math --overflow --name "$who" --hold 60s >>"$work/class-$1.log" 2>&1 &
		class_pids="$class_pids $!"
	done
	wait_for "$log" 'msg="window rendered" rooms=3 peers=4' "$UPDATE_WAIT" || fail "the window did not show the class's two rooms"
	curl -fsS "http://127.0.0.1:$port/api/rooms" | grep -q '"class":"math"' || fail "/api/rooms does not show the class"
	if [ "$lang" = "zh-CN" ]; then
		# Every Latin-script word the window shows in Chinese (all tabs) must
		# be allowed: protocol terms and names (e2e/zh-allowlist.txt), or
		# what this script typed (the server and peer names).
		sleep 0.5
		local words bad="" w
		words=$(grep "msg=\"window rendered\" rooms=3 peers=4 locale=zh-CN" "$log" | tail -1 | grep -o 'latin="[^"]*"\|latin=[^ ]*' | sed 's/^latin=//; s/"//g')
		for w in $words; do
			case " Ana smoke Smoke Lab " in *" $w "*) continue ;; esac
			grep -qx -- "$w" e2e/zh-allowlist.txt || bad="$bad $w"
		done
		[ -z "$bad" ] || fail "English words in the Chinese window:$bad"
		say "[$lang] no English outside the allowlist (Latin words shown: ${words:-none})"
	fi
	local rss=0 pid
	for pid in "$app_pid" $(pgrep -P "$app_pid" || true); do
		rss=$((rss + $(ps -o rss= -p "$pid" 2>/dev/null || echo 0)))
	done
	say "[$lang] memory: $((rss / 1024)) MiB RSS (the app and WebKit's processes)"
	sleep 1.2 # let "connected for" tick once, so the screenshot shows it
	import -window root "$shot" || fail "screenshot"
	say "[$lang] screenshot $shot"

	kill -TERM "$app_pid"
	local i=0
	while kill -0 "$app_pid" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le "$STOP_WAIT" ] || fail "the app did not quit within $((STOP_WAIT / 10)) s of SIGTERM"
		sleep 0.1
	done
	wait "$app_pid" || fail "the app exited with status $?"
	app_pid=""
	grep -q 'msg="server stopped"' "$log" || fail "the server did not stop gracefully"
	wait_for "$work/peer-$1.log" '^ended: closed 1001' "$UPDATE_WAIT" || fail "the peer was not told the server is going away (1001)"
	wait "$peer_pid" 2>/dev/null || true
	peer_pid=""
	local cp
	for cp in $class_pids; do wait "$cp" 2>/dev/null || true; done
	class_pids=""
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		fail "port $port still accepts connections after the app quit"
	fi
	say "[$lang] quit on SIGTERM: server stopped, port $port free"
}

run_window "" "$artifacts/window.png"
run_window "zh-CN" "$artifacts/window-zh.png"

# A busy port: another Signalbox (headless) holds it; the window must say
# so, with the fix, instead of failing.
holder_log="$work/holder.log"
XDG_CONFIG_HOME="$work/config-holder" "$bin" --headless --addr 127.0.0.1:0 --mdns=false --turn=false >"$holder_log" 2>&1 &
holder=$!
wait_for "$holder_log" '^Join from any device on this network: http://127\.0\.0\.1:[0-9]+/' "$START_WAIT" || fail "the port holder did not start"
busy=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+/' "$holder_log" | head -1 | grep -Eo '[0-9]+/$' | tr -d /)
log="$work/app-busy.log"
XDG_CONFIG_HOME="$work/config-busy" XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data" WEBKIT_DISABLE_DMABUF_RENDERER=1 \
	"$bin" --addr "127.0.0.1:$busy" --mdns=false --turn=false --log-level debug >"$log" 2>&1 &
app_pid=$!
wait_for "$log" 'msg="window rendered" rooms=0 peers=0 locale=en state=error' "$START_WAIT" || fail "the window did not show the busy port as an error"
grep -q "port already in use" "$log" || fail "the log does not say the port is in use"
sleep 0.5
import -window root "$artifacts/window-port-busy.png" || fail "screenshot"
kill -TERM "$app_pid"
wait "$app_pid" || fail "the app exited with status $? after a busy port"
app_pid=""
kill -TERM "$holder"
wait "$holder" || true
say "busy port $busy shown as an error: $artifacts/window-port-busy.png"

# The same binary without any display: headless, no GTK window needed.
log="$work/headless.log"
env -u DISPLAY -u WAYLAND_DISPLAY XDG_CONFIG_HOME="$work/config-headless" \
	"$bin" --addr 127.0.0.1:0 --mdns=false --turn-port 0 >"$log" 2>&1 &
app_pid=$!
wait_for "$log" '^Join from any device on this network: http://127\.0\.0\.1:[0-9]+/' "$START_WAIT" || fail "headless mode did not start without a display"
port=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+/' "$log" | head -1 | grep -Eo '[0-9]+/$' | tr -d /)
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' || fail "headless /healthz"
kill -TERM "$app_pid"
wait "$app_pid" || fail "headless exit status $?"
app_pid=""
[ ! -e "$work/config-headless/signalbox/settings.json" ] || fail "headless mode wrote a settings file"
say "headless without a display: OK (port $port)"
say "PASS"
