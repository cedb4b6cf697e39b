#!/usr/bin/env bash
# `make run`: an instance folder with its database, a first admin whose
# password is generated and printed once, then the server in the foreground.
set -euo pipefail
mfo=$(realpath "$1")
instance=$2
admin_email=$3
port=$4

mkdir -p "$instance"
cd "$instance"
"$mfo" db init
if ! "$mfo" user show "$admin_email" >/dev/null 2>&1; then
    "$mfo" role create admin --description "May open the admin page" \
        >/dev/null 2>&1 || true
    "$mfo" user create "$admin_email" --role admin --generate-password
    echo "log in as $admin_email with the password above; it is not stored"
fi
exec "$mfo" serve --port "$port"
