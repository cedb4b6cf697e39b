#!/usr/bin/env bash
# Loads completions/_mfo in Debian's zsh, both from fpath through compinit
# and by `source`, then completes partial command lines in an interactive
# zsh (tests/shell/zsh_complete.zsh) and checks the commands, options and
# database names offered. Exits 77 (skipped) when zsh is not installed.
# Usage: zsh_completion_test.sh MFO_BINARY SOURCE_DIR
set -uo pipefail

mfo=$(realpath "$1")
source_dir=$(realpath "$2")
command -v zsh >/dev/null || { echo "zsh is not installed" >&2; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export HOME=$work
export PATH=$(dirname "$mfo"):$PATH

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Loading prints nothing and registers _mfo for mfo.
load_output=$(zsh -f -c '
    fpath=("$1/completions" $fpath)
    autoload -U compinit && compinit -u -D
    [[ ${_comps[mfo]} == _mfo ]] || print "fpath: mfo not registered"
    autoload +X _mfo || print "fpath: _mfo does not load"' \
    zsh "$source_dir" 2>&1)
[[ -z $load_output ]] || fail "$load_output"
load_output=$(zsh -f -c '
    autoload -U compinit && compinit -u -D
    source "$1/completions/_mfo"
    [[ ${_comps[mfo]} == _mfo ]] || print "source: mfo not registered"' \
    zsh "$source_dir" 2>&1)
[[ -z $load_output ]] || fail "$load_output"

{
    printf 'argon2_memory_kib = 19456\n' >mfo.conf
    mfo -q db init && mfo -q role create crew && mfo -q role create admin &&
        mfo -q user create ana@example.org --generate-password &&
        mfo -q user create bob@example.org --generate-password &&
        mkdir other &&
        (cd other && mfo -q db init && mfo -q role create elsewhere)
} >/dev/null || { echo "FAIL: cannot make the test instance" >&2; exit 1; }

help_list() {
    local heading=$1
    shift
    mfo "$@" --help |
        awk -v heading="$heading" '
            /^[^ ]/ { inside = ($0 == heading) }
            inside && /^  [-a-z]/ { print $1 }' |
        tr ',' '\n' | grep -v '^-[^-]' | sort | paste -sd' '
}

# want[line]: the exact candidates, or with a leading "+" the candidates
# that must be among those offered (options: zsh adds its own kinds).
declare -A want=()
want["mfo "]=$(help_list Subcommands:)
for group in $(help_list Subcommands:); do
    commands=$(help_list Subcommands: "$group")
    if [[ -z $commands ]]; then
        want["mfo $group --"]="+$(help_list Options: "$group")"
        continue
    fi
    want["mfo $group "]=$commands
    for command in $commands; do
        options=$(help_list Options: "$group" "$command")
        want["mfo $group $command --"]="+$options"
    done
done
want["mfo role grant "]="admin crew"
want["mfo role grant crew "]="ana@example.org bob@example.org"
want["mfo user show b"]="bob@example.org"
want["mfo user list --role "]="admin crew"
want["mfo --db other/mfo.db role show "]="elsewhere"
want["mfo user show --db other/mfo.db "]=""

zsh -f "$source_dir/tests/shell/zsh_complete.zsh" "$source_dir/completions" \
    "$work/out" "${!want[@]}" 2>"$work/stderr"
[[ -s $work/stderr ]] && fail "zsh printed: $(cat "$work/stderr")"

# Candidates of each line, deduplicated and sorted; options are left out
# where the line does not ask for them, since zsh offers them when no
# argument matches.
declare -A got=()
current=""
while IFS= read -r candidate; do
    case $candidate in
        "<line>"*) current=${candidate#<line>}; got[$current]="" ;;
        "<done>") ;;
        "<timeout>") fail "'$current': no answer from zsh" ;;
        "") ;;
        -*) [[ $current == *- ]] && got[$current]+="$candidate"$'\n' ;;
        *) got[$current]+="$candidate"$'\n' ;;
    esac
done <"$work/out"

for line in "${!want[@]}"; do
    offered=$(printf '%s' "${got[$line]-}" | sort -u | paste -sd' ')
    expected=${want[$line]}
    if [[ $expected == +* ]]; then
        for option in ${expected#+}; do
            [[ " $offered " == *" $option "* ]] ||
                fail "'$line' does not offer $option"
        done
    elif [[ $offered != "$expected" ]]; then
        fail "'$line': got '$offered', want '$expected'"
    fi
done
exit "$((failures > 0))"
