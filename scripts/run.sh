#!/usr/bin/env bash
# Builds Signalbox and runs it: a window when a display is available, the
# headless server otherwise. Extra arguments go to signalbox (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$(go env GOPATH)/bin:$PATH"
wails build -m -ldflags "-X main.version=$(git describe --always --dirty 2>/dev/null || echo dev)"
exec ./build/bin/signalbox "$@"
