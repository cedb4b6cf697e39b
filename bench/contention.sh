#!/usr/bin/env bash
# Contention benchmark (not a test): `mfo role grant/revoke` in a loop while
# `mfo serve` takes concurrent page loads (wrk) and logins (curl loops), all
# on 127.0.0.1 for a bounded time. Reports failed requests and failed CLI
# commands; the goal is zero of each.
#   bench/contention.sh MFO_BINARY [SECONDS=20] [LOGIN_CLIENTS=4]
set -euo pipefail

mfo=$(realpath "${1:?usage: bench/contention.sh MFO_BINARY [SECONDS] [CLIENTS]}")
seconds=${2:-20}
clients=${3:-4}
work=$(mktemp -d)
pids=()

cleanup() {
  touch "$work/stop" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

printf 'argon2_memory_kib = 19456\nargon2_iterations = 2\n' >mfo.conf
"$mfo" db init >/dev/null
"$mfo" role create editor >/dev/null
echo bench-password-1 | "$mfo" user create bench@example.org \
  --password-stdin >/dev/null
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mfo" serve --port "$port" >server.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/login" && break
  sleep 0.05
done

# Logins: GET the form for its CSRF cookie and token, POST the password,
# expect the 303 into the account. Anything else counts as a failure.
login_loop() {
  local jar token status ok=0 failed=0
  jar=$(mktemp -p "$work")
  while [ ! -e "$work/stop" ]; do
    rm -f "$jar"
    token=$(curl -s --max-time 10 -c "$jar" "http://127.0.0.1:$port/login" |
      sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1) ||
      true
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
      -b "$jar" -c "$jar" --data-urlencode "csrf_token=$token" \
      --data-urlencode "email=bench@example.org" \
      --data-urlencode "password=bench-password-1" \
      "http://127.0.0.1:$port/login") || true
    if [ "$status" = 303 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
  done
  echo "$ok $failed" >"$work/login.$BASHPID"
}

cli_loop() {
  local ok=0 failed=0 action
  while [ ! -e "$work/stop" ]; do
    for action in grant revoke; do
      if "$mfo" role "$action" editor bench@example.org >/dev/null \
          2>>"$work/cli.err"; then
        ok=$((ok + 1))
      else
        failed=$((failed + 1))
      fi
    done
  done
  echo "$ok $failed" >"$work/cli.result"
}

for _ in $(seq "$clients"); do
  login_loop &
  pids+=($!)
done
cli_loop &
cli_pid=$!
pids+=($cli_pid)
wrk -t 2 -c 16 -d "${seconds}s" --latency \
  "http://127.0.0.1:$port/login" >wrk.out 2>&1 || true
touch stop
wait "$cli_pid" 2>/dev/null || true
for pid in "${pids[@]:1}"; do
  wait "$pid" 2>/dev/null || true
done

sum() { awk -v c="$1" '{s += $c} END {print s + 0}' "${@:2}"; }
page_requests=$(awk '/requests in/ {print $1}' wrk.out)
page_errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {
  for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END {print n + 0}' \
  wrk.out)
echo "contention benchmark: ${seconds}s, 127.0.0.1, $clients login clients,"
echo "  wrk 2 threads x 16 connections on GET /login"
echo "page loads:   ${page_requests:-0} requests, $page_errors failed"
grep -E 'Requests/sec|50%|99%' wrk.out | sed 's/^/  /'
echo "logins:       $(sum 1 login.*) ok, $(sum 2 login.*) failed"
echo "CLI changes:  $(sum 1 cli.result) ok, $(sum 2 cli.result) failed"
if [ -s cli.err ]; then
  echo "CLI errors (first 5):"
  sort cli.err | uniq -c | sort -rn | head -n 5 | sed 's/^/  /'
fi
