#!/usr/bin/env bash
# Loads completions/mfo.fish in Debian's fish and asks it, with
# `complete -C`, what it offers for partial command lines: the commands and
# options the built mfo's --help lists, and names from a temporary database.
# Exits 77 (skipped) when fish is not installed.
# Usage: fish_completion_test.sh MFO_BINARY SOURCE_DIR
set -uo pipefail

mfo=$(realpath "$1")
completion=$(realpath "$2")/completions/mfo.fish
command -v fish >/dev/null || { echo "fish is not installed" >&2; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# fish keeps its state under these; keep it out of the real home.
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data
export PATH=$(dirname "$mfo"):$PATH

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

if ! fish --no-execute "$completion" 2>"$work/stderr"; then
    fail "fish --no-execute: $(cat "$work/stderr")"
fi
{
    printf 'argon2_memory_kib = 19456\n' >mfo.conf
    mfo -q db init && mfo -q role create crew && mfo -q role create admin &&
        mfo -q user create ana@example.org --generate-password &&
        mfo -q user create bob@example.org --generate-password
} >/dev/null || { echo "FAIL: cannot make the test instance" >&2; exit 1; }

# One fish process answers every line, since starting fish is the slow
# part: each line's completions come back sorted on one line.
lines=()
wants=()
expect() {
    lines+=("mfo $1")
    wants+=("$2")
}

help_list() {
    local heading=$1
    shift
    mfo "$@" --help |
        awk -v heading="$heading" '
            /^[^ ]/ { inside = ($0 == heading) }
            inside && /^  [-a-z]/ { print $1 }' |
        tr ',' '\n' | grep -v '^-[^-]' | sort | paste -sd' '
}

global_options=$(help_list Options:)
merged_options() {
    printf '%s\n' $global_options $(help_list Options: "$@") | sort -u |
        paste -sd' '
}

expect "" "$(help_list Subcommands:)"
for group in $(help_list Subcommands:); do
    commands=$(help_list Subcommands: "$group")
    if [[ -z $commands ]]; then
        expect "$group --" "$(merged_options "$group")"
        continue
    fi
    expect "$group " "$commands"
    for command in $commands; do
        expect "$group $command --" "$(merged_options "$group" "$command")"
    done
done
expect "role grant " "admin crew"
expect "role grant crew " "ana@example.org bob@example.org"
expect "role revoke crew ana@example.org " ""
expect "user show b" "bob@example.org"
expect "user list --role " "admin crew"
expect "--db missing.db user show " ""

got_file=$work/got
printf '%s\n' "${lines[@]}" >"$work/lines"
fish --no-config -c '
    source $argv[1]
    while read -l line
        set -l items (complete -C"$line" | string split -f1 \t | sort)
        echo (string join " " -- $items)
    end <$argv[2]' "$completion" "$work/lines" >"$got_file" 2>"$work/stderr"
[[ -s $work/stderr ]] && fail "fish printed: $(cat "$work/stderr")"

mapfile -t gots <"$got_file"
for i in "${!lines[@]}"; do
    [[ ${gots[i]-} == "${wants[i]}" ]] ||
        fail "'${lines[i]}': got '${gots[i]-}', want '${wants[i]}'"
done
exit "$((failures > 0))"
