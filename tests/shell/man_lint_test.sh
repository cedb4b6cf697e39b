#!/usr/bin/env bash
# man/mfo.1 formats without a single warning in groff (all warnings on)
# and, when installed, passes mandoc's lint at every level.
# Usage: man_lint_test.sh SOURCE_DIR
set -uo pipefail

page=$(realpath "$1")/man/mfo.1
status=0
command -v groff >/dev/null || { echo "groff is not installed" >&2; exit 77; }

warnings=$(groff -man -ww -z "$page" 2>&1) || status=1
if [[ -n $warnings ]]; then
    printf 'groff -man -ww -z:\n%s\n' "$warnings" >&2
    status=1
fi
if command -v mandoc >/dev/null; then
    warnings=$(mandoc -T lint "$page" 2>&1) || status=1
    if [[ -n $warnings ]]; then
        printf 'mandoc -T lint:\n%s\n' "$warnings" >&2
        status=1
    fi
else
    echo "note: mandoc is not installed; checked with groff only" >&2
fi
exit "$status"
