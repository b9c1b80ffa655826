#!/usr/bin/env bash
# Cross-builds the Windows desktop binary, build/bin/signalbox.exe, with
# the Wails CLI (Wails uses WebView2 there, which needs no C toolchain), and
# checks that the result is a Windows amd64 executable of this module.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
wails build -m -platform windows/amd64
exe=build/bin/signalbox.exe
info=$(go version -m "$exe")
for want in "path	signalbox" "GOOS=windows" "GOARCH=amd64"; do
  grep -qF "$want" <<<"$info" || { echo "build-windows: $exe lacks $want"; echo "$info"; exit 1; }
done
echo "build-windows: $exe ($(du -h "$exe" | cut -f1)), a Windows amd64 executable"
