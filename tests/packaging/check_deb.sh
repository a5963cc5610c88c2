#!/usr/bin/env bash
# Builds the Debian package with CPack into a temporary folder and inspects it:
# its control fields, its files (dpkg-deb -c), and its Depends: every Qt
# library a packaged binary links (readelf NEEDED) must be there, computed by
# dpkg-shlibdeps, plus the fonts and the SVG plugins nothing links.
#
# usage: check_deb.sh <cpack> <build dir> <version> <window built: 0|1>
set -euo pipefail
cpack=$1 build=$2 version=$3 window=$4
id=org.kvscope.KVScope

# Every tool this needs, with the Debian package that has it.
missing=()
need() { command -v "$1" >/dev/null || missing+=("$1 (package $2)"); }
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev
need file file
need readelf binutils
[[ -x "$cpack" ]] || missing+=("$cpack (package cmake)")
if ((${#missing[@]})); then
    printf 'FAIL: missing tool: %s\n' "${missing[@]}" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvscope-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# -B keeps CPack's staging and output out of the build folder, so a parallel
# `cmake --build --target package` does not collide with this.
(cd "$build" && "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out") >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log" >&2; echo "FAIL: cpack -G DEB failed" >&2; exit 1; }
shopt -s nullglob
debs=("$tmp/out"/kvscope_"$version"_*.deb)
((${#debs[@]} == 1)) || { ls -l "$tmp/out" >&2; cat "$tmp/cpack.log" >&2; echo "FAIL: expected one kvscope_${version}_<arch>.deb" >&2; exit 1; }
deb=${debs[0]}
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == kvscope ]] || fail "Package is '$(field Package)'"
[[ "$(field Version)" == "$version" ]] || fail "Version is '$(field Version)', expected $version"
[[ "$(field Section)" == science ]] || fail "Section is '$(field Section)'"
[[ "$(field Maintainer)" == "KV Scope developers <"*">" ]] || fail "Maintainer is '$(field Maintainer)'"
[[ "$(field Architecture)" == "$(dpkg --print-architecture)" ]] || fail "Architecture is '$(field Architecture)'"
[[ "$(field Description | head -n1)" == "LLM KV-cache memory explorer"* ]] || fail "Description's first line is '$(field Description | head -n1)'"
(($(field Description | wc -l) >= 2)) || fail "Description has no long text"
depends=$(field Depends)
echo "Depends: $depends"

# The file list.
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./||' >"$tmp/files"
want=(
    usr/bin/kvscope-cli
    "usr/share/applications/$id.desktop"
    "usr/share/metainfo/$id.metainfo.xml"
    "usr/share/icons/hicolor/scalable/apps/$id.svg"
    "usr/share/icons/hicolor/16x16/apps/$id.png"
    "usr/share/icons/hicolor/512x512/apps/$id.png"
    usr/share/man/man1/kvscope-cli.1.gz
    usr/share/doc/kvscope/copyright
    usr/share/doc/kvscope/guide.md
)
((window)) && want+=(usr/bin/kvscope)
for f in "${want[@]}"; do
    grep -qx "$f" "$tmp/files" || fail "the package lacks /$f"
done
grep -E '(^|/)(include|lib)/|\.a$|tst_' "$tmp/files" && fail "the package ships build leftovers (listed above)"
grep -q '^usr/libexec/' "$tmp/files" && fail "the package ships a helper in /usr/libexec: kvscope-cli writes every file itself"

# Depends: one package name per entry, without versions.
dep_names=$(tr ',' '\n' <<<"$depends" | sed 's/[(|].*//; s/ //g' | sort -u)
has_dep() { grep -qx "$1" <<<"$dep_names"; }
# libqt6network6: kvscope-cli reads models from the Hugging Face Hub.
for d in libc6 libstdc++6 libqt6core6 libqt6network6 fonts-dejavu-core libqt6svg6 libcairo2 libfontconfig1 libfreetype6 libpng16-16; do
    has_dep "$d" || fail "Depends lacks $d"
done
((window)) && { has_dep libqt6widgets6 || fail "Depends lacks libqt6widgets6 (the window)"; }
grep -q -- '-dev$' <<<"$dep_names" && fail "Depends names a -dev package"

# Every linked Qt library's package is a dependency: libQt6Charts.so.6 -> libqt6charts6.
dpkg-deb -x "$deb" "$tmp/root"
for exe in "$tmp/root/usr/bin/"*; do
    name=${exe#"$tmp/root/"}
    file -b "$exe" | grep -q 'ELF' || { fail "$exe is not ELF"; continue; }
    file -b "$exe" | grep -q ', stripped' || fail "$name is not stripped"
    while read -r lib; do
        pkg=$(sed -E 's/^libQt6([A-Za-z]+)\.so\.6$/libqt6\L\1\E6/' <<<"$lib")
        has_dep "$pkg" || fail "$name links $lib but Depends lacks $pkg"
    done < <(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(libQt6[A-Za-z]*\.so\.6\)\].*/\1/p')
done

((fails == 0)) || { echo "$fails check(s) failed" >&2; exit 1; }
echo "package OK"
