#!/usr/bin/env bash
# Starts `mfo serve` on a fresh instance and runs the browser test on it.
#   tests/e2e/run.sh MFO_BINARY [SCREENSHOT_DIR]
set -euo pipefail
mfo=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
shots=$(realpath -m "${2:-$here/screenshots}")

work=$(mktemp -d)
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" || true
    rm -rf "$work"
}
trap cleanup EXIT

cd "$here"
[[ -d node_modules/playwright-core ]] || npm ci --no-audit --no-fund >/dev/null

cd "$work"
printf 'argon2_memory_kib = 19456\nargon2_iterations = 2\n' >mfo.conf
"$mfo" -q db init
"$mfo" -q role create admin
echo 'admin-password-1' |
    "$mfo" -q user create admin@example.org --role admin --password-stdin
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$mfo" serve --port "$port" 2>server.log &
server_pid=$!
for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

node "$here/browser_test.mjs" "http://127.0.0.1:$port" "$shots" \
    admin@example.org admin-password-1 || { tail -20 server.log; exit 1; }
