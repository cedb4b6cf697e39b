#!/usr/bin/env bash
# Sources completions/mfo.bash and checks what COMPREPLY offers for partial
# command lines: every command and option the built mfo's --help lists, and
# role names and emails read from a temporary database. Runs twice: plain
# bash, and with Debian's bash-completion loaded.
# Usage: bash_completion_test.sh MFO_BINARY SOURCE_DIR
set -uo pipefail

mfo=$(realpath "$1")
source_dir=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# A database with two roles and two users, and a second one elsewhere.
make_instance() {
    printf 'argon2_memory_kib = 19456\n' >mfo.conf
    "$mfo" -q db init &&
        "$mfo" -q role create crew &&
        "$mfo" -q role create admin &&
        "$mfo" -q user create ana@example.org --generate-password &&
        "$mfo" -q user create bob@example.org --generate-password &&
        mkdir other &&
        (cd other && "$mfo" -q db init && "$mfo" -q role create elsewhere) &&
        touch flask.db
} >/dev/null
make_instance || { echo "FAIL: cannot make the test instance" >&2; exit 1; }

# The names a --help page lists under "Subcommands:" or "Options:" (long
# options only), sorted, on one line.
help_list() {
    local heading=$1
    shift
    "$mfo" "$@" --help |
        awk -v heading="$heading" '
            /^[^ ]/ { inside = ($0 == heading) }
            inside && /^  [-a-z]/ { print $1 }' |
        tr ',' '\n' | grep -v '^-[^-]' | sort | paste -sd' '
}

# COMPREPLY for `line`, whose last word is the one being completed, sorted
# on one line. The first word is the binary, which dynamic completion runs.
complete_line() {
    local line=$1
    COMP_LINE=$line
    COMP_POINT=${#line}
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _mfo "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
        "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}

failures=0
fail() {
    echo "FAIL ($mode): $*" >&2
    failures=$((failures + 1))
}

expect() {
    local line=$1 want=$2 got
    got=$(complete_line "$mfo $line" 2>"$work/stderr")
    [[ $got == "$want" ]] || fail "'mfo $line': got '$got', want '$want'"
    [[ -s $work/stderr ]] && fail "'mfo $line' printed: $(cat "$work/stderr")"
}

# Both ways: every option --help lists is offered, and nothing else but
# the global options.
expect_options() {
    local want offered option
    want=$(help_list Options: "$@")
    offered=$(complete_line "$mfo $* --")
    for option in $want; do
        [[ " $offered " == *" $option "* ]] ||
            fail "'mfo $* --' does not offer $option"
    done
    for option in $offered; do
        [[ " $want $global_options " == *" $option "* ]] ||
            fail "'mfo $* --' offers $option, which --help does not list"
    done
}

check_commands_and_options() {
    local group command
    expect "" "$(help_list Subcommands:)"
    expect_options
    for group in $(help_list Subcommands:); do
        local commands
        commands=$(help_list Subcommands: "$group")
        if [[ -z $commands ]]; then
            expect_options "$group"
            continue
        fi
        expect "$group " "$commands"
        for command in $commands; do
            expect_options "$group" "$command"
        done
    done
}

check_prefixes_and_files() {
    expect "us" "user"
    expect "user s" "show"
    expect "role add" "add-permission"
    expect "db import-flask-security fla" "flask.db"
    expect "--config mfo.c" "mfo.conf"
}

check_names_from_database() {
    expect "role grant " "admin crew"
    expect "role grant crew " "ana@example.org bob@example.org"
    expect "role grant crew a" "ana@example.org"
    expect "role revoke crew ana@example.org " ""
    expect "user show " "ana@example.org bob@example.org"
    expect "user create --role c" "crew"
    expect "user list -r " "admin crew"
    expect "user create new@example.org " ""
    expect "--db other/mfo.db role show " "elsewhere"
    expect "role show --db other/mfo.db " "elsewhere"
    expect "--db missing.db user show " ""
}

run_checks() {
    mode=$1
    source "$source_dir/completions/mfo.bash" || fail "cannot source"
    complete -p mfo >/dev/null 2>&1 || fail "mfo is not registered"
    global_options=$(help_list Options:)
    check_commands_and_options
    check_prefixes_and_files
    check_names_from_database
    return "$((failures > 0))"
}

status=0
(run_checks plain) || status=1
bash_completion=/usr/share/bash-completion/bash_completion
if [[ -r $bash_completion ]]; then
    (
        source "$bash_completion"
        declare -F _init_completion >/dev/null || {
            echo "FAIL: bash-completion did not load" >&2
            exit 1
        }
        run_checks bash-completion
    ) || status=1
else
    echo "note: $bash_completion missing; checked plain bash only" >&2
fi
exit "$status"
