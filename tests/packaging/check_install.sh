#!/usr/bin/env bash
# Installs the build into a temporary DESTDIR with prefix /usr, as the Debian
# package does, and checks the tree: every file where the desktop, the icon
# theme, AppStream and man look for it, and nothing else.
#
# usage: check_install.sh <cmake> <build dir> <source dir> <version> <window built: 0|1>
set -euo pipefail
cmake=$1 build=$2 src=$3 version=$4 window=$5
id=org.kvscope.KVScope

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvscope-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

DESTDIR="$tmp/root" "$cmake" --install "$build" --prefix /usr >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; echo "FAIL: cmake --install failed" >&2; exit 1; }
root=$tmp/root

expected=(
    usr/bin/kvscope-cli
    "usr/share/applications/$id.desktop"
    "usr/share/metainfo/$id.metainfo.xml"
    "usr/share/icons/hicolor/scalable/apps/$id.svg"
    usr/share/doc/kvscope/copyright
)
((window)) && expected+=(usr/bin/kvscope)
sizes=(16 22 24 32 48 64 128 256 512)
for s in "${sizes[@]}"; do
    expected+=("usr/share/icons/hicolor/${s}x${s}/apps/$id.png")
done
if command -v gzip >/dev/null; then
    expected+=(usr/share/man/man1/kvscope-cli.1.gz)
else
    expected+=(usr/share/man/man1/kvscope-cli.1)
fi
expected+=(usr/share/doc/kvscope/guide.md)
while IFS= read -r f; do
    expected+=("usr/share/doc/kvscope/${f##*/}")
done < <(find "$src/docs" -maxdepth 1 -type f \( -name 'guide-*.png' -o -name screenshot.png \))
if [[ -d "$src/resources/presets" ]]; then
    while IFS= read -r f; do
        expected+=("usr/share/kvscope/presets/${f#"$src/resources/presets/"}")
    done < <(find "$src/resources/presets" -type f -name '*.json')
fi

# Exactly the expected files: no library, header or test binary leaks in.
diff -u <(printf '%s\n' "${expected[@]}" | sort) \
        <(cd "$root" && find . -type f -printf '%P\n' | sort) >"$tmp/diff" ||
    { cat "$tmp/diff" >&2; fail "installed files differ from the expected list (- expected, + installed)"; }

# Binaries run from where they are installed.
for exe in kvscope-cli kvscope; do
    [[ -e "$root/usr/bin/$exe" ]] || continue
    [[ -x "$root/usr/bin/$exe" ]] || fail "usr/bin/$exe is not executable"
done
out=$("$root/usr/bin/kvscope-cli" --version 2>&1) || fail "installed kvscope-cli --version failed: $out"
[[ "${out%%$'\n'*}" == "kvscope-cli $version" ]] || fail "installed kvscope-cli --version printed '$out', expected 'kvscope-cli $version' first"
report=$("$root/usr/bin/kvscope-cli" --emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4 \
         --context_length 131072 --batch_size 1 --dtype bf16 2>&1) || fail "installed kvscope-cli report failed: $report"
grep -qx 'MHA total KV cache  : 51.94 GB' <<<"$report" || fail "installed kvscope-cli: no 'MHA ... 51.94 GB' line in: $report"
# Every format and the report from the installed kvscope-cli alone, with no
# display; nothing is installed beside it.
seed=(--emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4)
[[ -e "$root/usr/libexec/kvscope" ]] && fail "usr/libexec/kvscope is installed: kvscope-cli writes every file itself"
for f in c.pdf c.svg c.png c.eps; do
    out=$("$root/usr/bin/kvscope-cli" "${seed[@]}" --chart context --out "$tmp/$f" 2>&1) || fail "installed kvscope-cli --out $f failed: $out"
    [[ -s "$tmp/$f" ]] || fail "installed kvscope-cli wrote no $f"
done
out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$root/usr/bin/kvscope-cli" "${seed[@]}" --report "$tmp/r.pdf" 2>&1) || fail "installed kvscope-cli --report failed: $out"
[[ "$(head -c 5 "$tmp/r.pdf" 2>/dev/null)" == "%PDF-" ]] || fail "installed kvscope-cli --report wrote no PDF"

# PNG sizes match their folders (width and height from the IHDR chunk).
for s in "${sizes[@]}"; do
    png="$root/usr/share/icons/hicolor/${s}x${s}/apps/$id.png"
    [[ -f "$png" ]] || continue
    read -r w h < <(od -An -tu1 -j16 -N8 "$png" |
        awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }')
    [[ "$w" == "$s" && "$h" == "$s" ]] || fail "${s}x${s}/apps/$id.png is ${w}x${h}"
done
grep -q '<svg' "$root/usr/share/icons/hicolor/scalable/apps/$id.svg" || fail "the scalable icon is not an SVG"

# The desktop entry: opens a config path, names an installed icon and binary.
desk="$root/usr/share/applications/$id.desktop"
if [[ -f "$desk" ]]; then
    grep -qx 'Exec=kvscope %f' "$desk" || fail "$id.desktop: Exec is not 'kvscope %f'"
    grep -qx "Icon=$id" "$desk" || fail "$id.desktop: Icon is not $id"
    grep -q '^MimeType=.*application/json;' "$desk" || fail "$id.desktop: no application/json in MimeType"
    grep -q '^Categories=.*Science;' "$desk" || fail "$id.desktop: not in the Science category"
fi

# The metainfo: its launchable is the installed desktop file, its newest
# release is this version, the binaries it provides are installed.
meta="$root/usr/share/metainfo/$id.metainfo.xml"
if [[ -f "$meta" ]]; then
    grep -q "<id>$id</id>" "$meta" || fail "metainfo id is not $id"
    grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$meta" || fail "metainfo launchable is not $id.desktop"
    first_release=$(grep -o '<release version="[^"]*"' "$meta" | head -n1)
    [[ "$first_release" == "<release version=\"$version\"" ]] ||
        fail "metainfo's newest release is '$first_release', the project version is $version (add a <release>)"
    for b in $(grep -o '<binary>[^<]*</binary>' "$meta" | sed 's/<[^>]*>//g'); do
        [[ $b == kvscope && $window == 0 ]] && continue   # the window is not built in this tree yet
        [[ -x "$root/usr/bin/$b" ]] || fail "metainfo provides binary $b, which is not installed"
    done
fi

# The man page is readable roff.
man=$root/usr/share/man/man1/kvscope-cli.1.gz
if [[ -f "$man" ]]; then
    gzip -t "$man" || fail "kvscope-cli.1.gz is not valid gzip"
    gzip -dc "$man" | grep -q '^\.TH KVSCOPE-CLI 1' || fail "kvscope-cli.1.gz has no .TH header"
fi

cmp -s "$src/LICENSE" "$root/usr/share/doc/kvscope/copyright" ||
    fail "usr/share/doc/kvscope/copyright is not the LICENSE"

# Presets are byte-identical to the source.
for f in "${expected[@]}"; do
    [[ $f == usr/share/kvscope/presets/* && -f "$root/$f" ]] || continue
    cmp -s "$src/resources/presets/${f#usr/share/kvscope/presets/}" "$root/$f" ||
        fail "$f differs from its source in resources/presets"
done

((fails == 0)) || { echo "$fails check(s) failed" >&2; exit 1; }
echo "installed tree OK: $(cd "$root" && find . -type f | wc -l) files under /usr"
