#!/bin/sh
# Draws build/appicon.png (1024x1024), Signalbox's original icon: a box
# with two status lights sending a signal, on a blue rounded square. Needs
# ImageMagick 6 (`convert`). The PNG is committed; run this only to change
# it, then delete build/windows/icon.ico so `wails build` makes it anew.
set -eu
cd "$(dirname "$0")"
waves=$(mktemp --suffix=.png)
trap 'rm -f "$waves"' EXIT
convert -size 1024x1024 xc:none -fill none -stroke white -strokewidth 48 \
	-draw "circle 512,468 512,338" -draw "circle 512,468 512,228" \
	\( -size 1024x1024 xc:none -fill white -stroke none -draw "polygon 512,468 120,60 904,60" \) \
	-compose DstIn -composite "$waves"
convert -size 1024x1024 gradient:'#2563eb-#1e3a8a' \
	\( -size 1024x1024 xc:black -fill white -draw "roundrectangle 64,64 960,960 200,200" \) \
	-alpha off -compose CopyOpacity -composite -compose Over \
	-fill none -stroke white -strokewidth 56 -draw "roundrectangle 292,560 732,840 56,56" \
	-stroke none -fill white -draw "circle 512,468 512,426" \
	"$waves" -composite \
	-stroke none -fill '#fbbf24' -draw "circle 420,700 420,664" \
	-fill '#34d399' -draw "circle 604,700 604,664" \
	-depth 8 -strip appicon.png
