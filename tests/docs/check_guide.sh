#!/bin/bash
# Runs every command of docs/guide.md and checks what it prints.
#
# usage: check_guide.sh <kvscope-cli> <guide.md>
#
# In the guide:
#   - a ```console block holds commands, each a line "$ kvscope-cli ..."
#     (a line ending in "\" continues on the next); the lines up to the next
#     "$ " line or the end of the block are its exact expected stdout;
#   - a command that prints nothing must write files (--out, --report), which
#     must exist and be valid for their extension (PDF, SVG, PNG, EPS, CSV);
#   - a block opened as ```<lang> <file> (```json config.json) is written to
#     <file> in the working directory before any command runs;
#   - every docs/guide-*.png the guide references must exist beside it.
# Commands run with bash in one temporary directory, the built kvscope-cli
# first on PATH, so quoting ("Gemma 3 27B") and pipes work as a user types them.
set -u -o pipefail

cli=$1
guide=$2
[[ -x $cli ]] || { echo "FAIL: no executable kvscope-cli at $cli"; exit 1; }
[[ -f $guide ]] || { echo "FAIL: no guide at $guide"; exit 1; }
docdir=$(cd "$(dirname "$guide")" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")" "$work/bin/kvscope-cli"
export PATH="$work/bin:$PATH"
export QT_QPA_PLATFORM=offscreen
export LC_ALL=C.UTF-8

failures=0
commands=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Pass 1: the files the guide's blocks define.
mapfile -t lines < "$guide"
n=${#lines[@]}
i=0
while (( i < n )); do
    line=${lines[i]}
    if [[ $line =~ ^\`\`\`[A-Za-z0-9_-]+[[:space:]]+([A-Za-z0-9._-]+)[[:space:]]*$ ]]; then
        file=${BASH_REMATCH[1]}
        : > "$work/$file"
        i=$((i + 1))
        while (( i < n )) && [[ ${lines[i]} != '```' ]]; do
            printf '%s\n' "${lines[i]}" >> "$work/$file"
            i=$((i + 1))
        done
    fi
    i=$((i + 1))
done

check_file() {  # $1 file, $2 the command that wrote it
    local f=$work/$1
    if [[ ! -s $f ]]; then fail "'$2' did not write $1"; return; fi
    case $1 in
        *.pdf) [[ $(head -c 5 "$f") == '%PDF-' ]] && tail -c 64 "$f" | grep -q '%%EOF' \
                   || fail "$1 is not a PDF" ;;
        *.svg) grep -q '<svg' "$f" && grep -q '</svg>' "$f" || fail "$1 is not an SVG" ;;
        *.eps) [[ $(head -c 23 "$f") == '%!PS-Adobe-3.0 EPSF-3.0' ]] || fail "$1 is not an EPS" ;;
        *.png) [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] \
                   || fail "$1 is not a PNG" ;;
        *.csv) local cols; cols=$(head -1 "$f" | awk -F, '{print NF}')
               (( cols >= 2 )) && (( $(wc -l < "$f") >= 2 )) \
                   && awk -F, -v c="$cols" 'NF != c {exit 1}' "$f" || fail "$1 is not a CSV table" ;;
        *) fail "$1: unknown export format" ;;
    esac
}

run_command() {  # $1 command, $2 expected output (may be empty)
    local cmd=$1 expected=$2 actual rc
    commands=$((commands + 1))
    actual=$(cd "$work" && bash -c "set -o pipefail; $cmd" 2> "$work/.stderr"; echo "rc=$?")
    rc=${actual##*rc=}
    actual=${actual%rc=*}
    actual=${actual%$'\n'}
    while [[ $expected == *$'\n' ]]; do expected=${expected%$'\n'}; done
    if [[ $rc != 0 ]]; then
        fail "'$cmd' exited with $rc: $(cat "$work/.stderr")"
        return
    fi
    if [[ -n $expected || -n $actual ]]; then
        if [[ $actual != "$expected" ]]; then
            fail "'$cmd' printed something else:"
            diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") | sed 's/^/    /'
        fi
        return
    fi
    # Prints nothing: it must write files, each valid.
    local outs
    outs=$(grep -oE -- '--(out|report)[ =][^ ]+' <<< "$cmd" | sed -E 's/^--(out|report)[ =]//')
    if [[ -z $outs ]]; then
        fail "'$cmd' prints nothing and writes no file: nothing to check"
        return
    fi
    local f
    for f in $outs; do check_file "$f" "$cmd"; done
}

# Pass 2: the console blocks.
i=0
while (( i < n )); do
    if [[ ${lines[i]} == '```console' ]]; then
        i=$((i + 1))
        block_commands=0
        cmd='' expected='' have=0
        while (( i < n )) && [[ ${lines[i]} != '```' ]]; do
            line=${lines[i]}
            if [[ $line == '$ '* ]]; then
                (( have )) && run_command "$cmd" "$expected"
                cmd=${line#\$ }
                expected='' have=1 first_line=1
                block_commands=$((block_commands + 1))
                while [[ $cmd == *'\' ]] && (( i + 1 < n )); do
                    i=$((i + 1))
                    cmd="${cmd%\\} ${lines[i]#"${lines[i]%%[! ]*}"}"
                done
                [[ $cmd == kvscope-cli* ]] || fail "a guide command must start with kvscope-cli: $cmd"
            elif (( have )); then
                if (( first_line )); then expected=$line; first_line=0; else expected+=$'\n'$line; fi
            else
                fail "console block line before any command: $line"
            fi
            i=$((i + 1))
        done
        (( have )) && run_command "$cmd" "$expected"
        (( block_commands )) || fail "a console block without a command"
    fi
    i=$((i + 1))
done

(( commands > 0 )) || fail "no commands found in $guide"

# The screenshots the guide shows.
shots=0
while read -r png; do
    shots=$((shots + 1))
    [[ -f $docdir/$png ]] || fail "the guide shows $png, which does not exist in docs/"
    [[ $(head -c 8 "$docdir/$png" 2>/dev/null | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] \
        || fail "$png is not a PNG"
done < <(grep -oE 'guide-[A-Za-z0-9_-]+\.png' "$guide" | sort -u)
(( shots > 0 )) || fail "the guide shows no screenshot"

echo "$commands commands, $shots screenshots checked, $failures failures"
(( failures == 0 ))
