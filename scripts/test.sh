#!/usr/bin/env bash
# Runs every Signalbox test: installs what is missing, then static checks,
# the frontend's type check and unit tests, the Go tests under the race
# detector, mDNS in private network namespaces, the browser and socket.io
# end-to-end suites in headless Chromium, the desktop window under Xvfb,
# and the Windows cross-build.
# Prints one line per suite and a summary; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$(go env GOPATH)/bin:$PATH"
mkdir -p test-artifacts

passed=0 failed=0 failures=()
suite() {
  local name=$1; shift
  echo "=== suite: $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "=== PASS: $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== FAIL: $name ($((SECONDS - start))s)"
  fi
}

gofmt_clean() { local out; out=$(gofmt -l $(git ls-files '*.go')); [ -z "$out" ] || { echo "gofmt would change: $out"; return 1; }; }

suite "frontend build and type check" bash -c 'cd frontend && npm run build --silent'
suite "frontend unit tests" bash -c 'cd frontend && npx vitest run'
suite "gofmt" gofmt_clean
suite "go vet" go vet ./...
suite "staticcheck" staticcheck ./...
suite "go test -race" go test -race -timeout 15m ./...
# The abuse suite again without the race detector, which would swamp its
# memory figures (docs/security.md); -v prints the FIGURES lines.
suite "abuse suite (figures)" bash -c 'go test -count=1 -v -timeout 5m ./internal/abuse | grep -E "FIGURES|^(---|ok|FAIL|PASS)"; exit ${PIPESTATUS[0]}'
for s in test-mdns test-client test-socketio test-https smoke-window test-campus build-windows; do
  [ -f "scripts/$s.sh" ] && suite "$s" bash "scripts/$s.sh"
done
# A short run of the relay benchmark (scripts/bench-turn.sh), with the
# window's binary: it must still drive both relays; the numbers come from
# the full run (docs/benchmarks.md).
suite "bench-turn (smoke)" env SIGNALBOX_BIN=build/bin/signalbox bash scripts/bench-turn.sh -flows 4 -duration 2s
# The floor relay (bench/floor) must build warning-free and lose nothing.
suite "bench-floor (smoke)" bash scripts/bench-floor.sh 10 5 2

echo
for f in "${failures[@]}"; do echo "failed suite: $f"; done
echo "Suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
