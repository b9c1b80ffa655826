#!/usr/bin/env bash
# Installs everything Signalbox needs on a Debian 12 / Ubuntu machine:
# system packages (GTK/WebKit for the window, Xvfb and Chromium for tests,
# NSS tools to trust the local CA in tests, iproute2 for the mDNS namespace
# tests, a CJK font so Chinese renders, Firefox ESR and coturn for the
# classroom suite and the relay benchmark), the Wails CLI, staticcheck, and
# the npm packages of the frontend and of e2e/ (puppeteer-core). Safe to
# run again: it installs only what is missing. Needs Go >= 1.26 and
# Node >= 20 on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

WAILS_VERSION=v2.16.0      # @latest resolves to a version broken on Go 1.26
STATICCHECK_VERSION=v0.8.2

need() { command -v "$1" >/dev/null || { echo "setup: $1 is required ($2)" >&2; exit 1; }; }
need go "Go 1.26 or newer"
need node "Node.js 20 or newer with npm"
need npm "Node.js 20 or newer with npm"

packages=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev xvfb xauth imagemagick
  chromium libnss3-tools iproute2 ca-certificates fonts-wqy-microhei firefox-esr coturn python3 curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# coturn is only the relay benchmark's yardstick, started by it in a private
# namespace: never a system service (it would hold port 3478, Signalbox's
# relay port, and be an open relay on the LAN).
if command -v systemctl >/dev/null && systemctl is-enabled coturn >/dev/null 2>&1; then
  $sudo systemctl disable --now coturn >/dev/null 2>&1 || true
fi

gobin="$(go env GOPATH)/bin"
[ -x "$gobin/wails" ] || go install "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION"
[ -x "$gobin/staticcheck" ] || go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"

(cd frontend && npm ci --no-audit --no-fund --loglevel=error)
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
go mod download
echo "setup: done"
