#!/bin/sh
# Installs the Linux build for the current user: the binary in
# ~/.local/bin, the icon and signalbox.desktop where the desktop's menu
# finds them. Run after `wails build` (build/bin/signalbox). Undo with
# `build/linux/install.sh --uninstall`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin_dir="${XDG_BIN_HOME:-$HOME/.local/bin}"
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}"
icon_dir="$data_dir/icons/hicolor/256x256/apps"
app_dir="$data_dir/applications"
if [ "${1:-}" = "--uninstall" ]; then
	rm -f "$bin_dir/signalbox" "$icon_dir/signalbox.png" "$app_dir/signalbox.desktop"
	echo "Signalbox removed."
	exit 0
fi
[ -x "$here/../bin/signalbox" ] || { echo "build it first: wails build" >&2; exit 1; }
mkdir -p "$bin_dir" "$icon_dir" "$app_dir"
install -m 0755 "$here/../bin/signalbox" "$bin_dir/signalbox"
if command -v convert >/dev/null 2>&1; then
	convert "$here/../appicon.png" -resize 256x256 "$icon_dir/signalbox.png"
else
	install -m 0644 "$here/../appicon.png" "$icon_dir/signalbox.png"
fi
sed "s|^Exec=signalbox$|Exec=$bin_dir/signalbox|" "$here/signalbox.desktop" >"$app_dir/signalbox.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$app_dir" 2>/dev/null || true
echo "Signalbox installed: find it in the applications menu, or run $bin_dir/signalbox."
