#!/usr/bin/env bash
# Runs a validator and fails (never skips) when it is missing or complains.
# Hints are fine; errors and warnings are not.
#
# usage: run_tool.sh <debian package> <tool> [args...]
set -uo pipefail
pkg=$1 tool=$2
shift 2
command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (install the Debian package $pkg)" >&2; exit 1; }
out=$("$tool" "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
((rc == 0)) || { echo "FAIL: $tool exited with $rc" >&2; exit 1; }
if grep -Eq '(^| )(error|warning):|^[EW]: ' <<<"$out"; then
    echo "FAIL: $tool reported errors or warnings" >&2
    exit 1
fi
exit 0
