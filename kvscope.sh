#!/usr/bin/env bash
# KV Scope quick start: build and run the app, or build and run every test.
#
#   ./kvscope.sh run [args...]   build into ./build, then start the window
#                                (no display: print the CLI report instead)
#   ./kvscope.sh test            build with warnings as errors, run all tests
#
# Both install missing Debian 12 packages with apt-get first (as root, or
# through sudo) and do nothing more than needed when run again.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

# The one list of Debian packages the project needs.
# qt6-base-dev pulls in the OpenGL headers Qt6Gui's CMake files ask for, and
# qt6-qpa-plugins (xcb for the window, offscreen for headless tests).
# Qt6Charts' CMake files need Qt6OpenGL, which is only a recommendation of
# qt6-base-dev, so libqt6opengl6-dev is named here.
BUILD_DEPS=(
    g++ cmake ninja-build pkg-config
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
    libcairo2-dev fonts-dejavu-core
    libgtest-dev
)
# libcairo2-dev draws every figure (PDF, SVG, PNG, EPS; it brings the
# fontconfig, FreeType and libpng headers). libgtest-dev is above because a
# default configure builds the tests too.
# poppler-utils reads exported PDFs back, ghostscript renders the EPS
# figures; locales-all gives the tests a German
# locale, to prove number formats ignore it; the rest check the installed
# tree, the .deb (dpkg-shlibdeps, file), the desktop entry and the metainfo.
TEST_DEPS=(
    poppler-utils ghostscript
    locales-all
    dpkg-dev file
    desktop-file-utils appstream
)

# The seed's model, the window's embedded default.
SEED_MODEL=(--emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4
            --context_length 8192 --batch_size 1 --dtype bf16)

BUILD_DIR=build

say() { printf 'kvscope.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    cat <<'EOF'
usage: ./kvscope.sh run [args...]   build, then start KV Scope (args go to the app)
       ./kvscope.sh sanitize        clang build: every test under ASan + UBSan, then each fuzzer
       ./kvscope.sh test            build with warnings as errors and run all tests
EOF
}

install_missing() {
    local missing=() pkg
    for pkg in "$@"; do
        if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" != ii* ]]; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0

    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null ||
            die "need root (or sudo) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    say "installing: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -q install -y --no-install-recommends "${missing[@]}"
}

# Qt warns on a non-UTF-8 locale; C.UTF-8 ships with every Debian.
[[ -n "${LANG:-}${LC_ALL:-}" ]] || export LANG=C.UTF-8

# A new build folder uses Ninja; an existing one keeps its generator.
[[ -f "$BUILD_DIR/CMakeCache.txt" ]] || export CMAKE_GENERATOR=Ninja

cmd_run() {
    install_missing "${BUILD_DEPS[@]}"
    if [[ -f "$BUILD_DIR/CMakeCache.txt" ]]; then
        cmake -S . -B "$BUILD_DIR"
    else
        cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    fi
    cmake --build "$BUILD_DIR"

    local app="$BUILD_DIR/bin/kvscope" cli="$BUILD_DIR/bin/kvscope-cli"
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
        say "no display (DISPLAY and WAYLAND_DISPLAY are unset): printing the default model's report with kvscope-cli instead of opening the window"
    elif [[ ! -x "$app" ]]; then
        say "the window is not built yet: printing the default model's report with kvscope-cli"
    else
        exec "$app" "$@"
    fi
    [[ -x "$cli" ]] || die "$cli was not built"
    exec "$cli" "${SEED_MODEL[@]}" "$@"
}

cmd_test() {
    install_missing "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
    export QT_QPA_PLATFORM=offscreen
    # The dev preset builds into ./build with warnings as errors; its test
    # preset fails when no test ran.
    cmake --preset dev
    cmake --build --preset dev
    ctest --preset dev --output-on-failure --no-tests=error
}

# clang and its sanitizer runtimes (libFuzzer included) for the sanitize step.
SANITIZE_DEPS=(clang libclang-rt-14-dev)
# Seconds each libFuzzer target runs in the sanitize step.
FUZZ_SECONDS=${KVSCOPE_FUZZ_SECONDS:-60}

cmd_sanitize() {
    install_missing "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}" "${SANITIZE_DEPS[@]}"
    export QT_QPA_PLATFORM=offscreen
    cmake --preset sanitize
    cmake --build --preset sanitize
    ctest --preset sanitize --output-on-failure --no-tests=error

    # Each fuzzer starts from its committed seed corpus, copied so the run's
    # finds stay out of the source tree; any crash, leak, timeout or
    # sanitizer report fails the step.
    local target work
    for target in fuzz_estimate fuzz_cli_options fuzz_config_import fuzz_gguf fuzz_safetensors; do
        work=$(mktemp -d)
        cp -r "tests/fuzz/corpus/${target#fuzz_}/." "$work/"
        say "fuzzing $target for ${FUZZ_SECONDS}s"
        (cd "$work" && "$OLDPWD/build-sanitize/bin/$target" -max_total_time="$FUZZ_SECONDS" \
            -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>"$work.log") || {
            tail -n 60 "$work.log" >&2
            die "$target found a problem (its input is in $work)"
        }
        grep -E '^(stat::number_of_executed_units|Done)' "$work.log" >&2 || true
        rm -rf "$work" "$work.log"
    done
}

case "${1:-}" in
    run)  shift; cmd_run "$@" ;;
    test) shift; (($# == 0)) || die "test takes no arguments"; cmd_test ;;
    sanitize) shift; (($# == 0)) || die "sanitize takes no arguments"; cmd_sanitize ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
