#!/bin/sh
# Renders the hicolor PNG icons from kvscope.svg (needs rsvg-convert, from
# Debian's librsvg2-bin). The PNGs are committed; run this after editing the
# SVG. png-source.sha256 records which SVG they came from: a test fails when
# the SVG changes and the PNGs are not rendered again.
set -eu
cd "$(dirname "$0")"
id=org.kvscope.KVScope
for size in 16 22 24 32 48 64 128 256 512; do
    dir=hicolor/${size}x${size}/apps
    mkdir -p "$dir"
    rsvg-convert --width "$size" --height "$size" --format png kvscope.svg -o "$dir/$id.png"
done
sha256sum kvscope.svg > png-source.sha256
