#!/usr/bin/env bash
# Crash-safety test: writers change the database through `mfo serve`
# (registrations over HTTP) and the CLI (role and user creation) while the
# server and the running CLI command are killed with SIGKILL at random
# moments. After every kill the database must pass integrity_check,
# foreign_key_check and `mfo db check`, and hold every write that was
# acknowledged (HTTP 303 or CLI exit 0) before the kill.
#   tests/kill/kill_test.sh MFO_BINARY [ROUNDS]
# ROUNDS defaults to $MFO_KILL_ROUNDS, else 20.
set -euo pipefail

mfo=$(realpath "$1")
rounds=${2:-${MFO_KILL_ROUNDS:-20}}
work=$(mktemp -d)
server_pid=
http_pid=
cli_pid=

cleanup() {
  touch "$work/stop" 2>/dev/null || true
  for pid in $server_pid $http_pid $cli_pid; do
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Bash reports every job it reaps after a SIGKILL on stderr; the rounds run
# with stderr silenced and failures go to the saved stderr on fd 3.
exec 3>&2
fail() {
  echo "kill test: $*" >&3
  exit 1
}

cd "$work"
# The OWASP minimum cost keeps each registration's hashing short.
printf 'argon2_memory_kib = 19456\nargon2_iterations = 2\n' >mfo.conf
"$mfo" db init >/dev/null
: >acked_emails
: >acked_roles
: >acked_users

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1])'
}

wait_for_server() {
  for _ in $(seq 100); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/login"; then
      return 0
    fi
    sleep 0.05
  done
  fail "the server did not start on port $1"
}

# One registration per loop: GET the form for its CSRF cookie and token,
# POST it, and record the email only when the answer is the 303 that
# follows a committed account.
http_writer() {
  local port=$1 round=$2 n=0 jar token email status
  jar=$(mktemp -p "$work")
  while [ ! -e "$work/stop" ]; do
    n=$((n + 1))
    email="Reg$round.$n@Example.org"
    rm -f "$jar"
    token=$(curl -s --max-time 5 -c "$jar" \
      "http://127.0.0.1:$port/register" |
      sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1) ||
      true
    [ -n "$token" ] || { sleep 0.05; continue; }
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
      -b "$jar" -c "$jar" \
      --data-urlencode "csrf_token=$token" \
      --data-urlencode "email=$email" \
      --data-urlencode "password=kill-test-password" \
      --data-urlencode "password_confirm=kill-test-password" \
      "http://127.0.0.1:$port/register") || true
    if [ "$status" = 303 ]; then
      echo "$email" >>"$work/acked_emails"
    fi
  done
}

# Alternates role and user creation; the command's pid is published so the
# killer can end it mid-write.
cli_writer() {
  local round=$1 n=0 status
  while [ ! -e "$work/stop" ]; do
    n=$((n + 1))
    if [ $((n % 2)) = 0 ]; then
      "$mfo" role create "r$round-$n" -p "perm$n" >/dev/null 2>>cli.err &
    else
      echo "cli-password-$n" | "$mfo" user create "cli$round.$n@example.org" \
        --password-stdin >/dev/null 2>>cli.err &
    fi
    echo $! >"$work/cli_child"
    status=0
    wait $! || status=$?
    # 137 is our SIGKILL; any other failure (a lock error) fails the test.
    if [ "$status" != 0 ] && [ "$status" != 137 ]; then
      echo "exit $status" >>"$work/cli_failures"
    fi
    if [ "$status" = 0 ]; then
      if [ $((n % 2)) = 0 ]; then
        echo "r$round-$n" >>"$work/acked_roles"
      else
        echo "cli$round.$n@example.org" >>"$work/acked_users"
      fi
    fi
  done
}

# The CLI command running now, if any; the pid file may be stale, so the
# pid must still be our mfo binary before it is killed.
kill_cli() {
  local pid
  pid=$(cat cli_child 2>/dev/null) || return 0
  if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$mfo" ]; then
    kill -9 "$pid" 2>/dev/null || true
  fi
}

check_database() {
  local round=$1 result missing
  if [ -s cli_failures ]; then
    fail "round $round: CLI commands failed: $(tail -n 3 cli.err)"
  fi
  result=$(sqlite3 mfo.db 'PRAGMA integrity_check')
  [ "$result" = ok ] || fail "round $round: integrity_check: $result"
  result=$(sqlite3 mfo.db 'PRAGMA foreign_key_check')
  [ -z "$result" ] || fail "round $round: foreign_key_check: $result"
  "$mfo" db check >/dev/null || fail "round $round: mfo db check failed"

  sqlite3 mfo.db 'SELECT email FROM users' | sort >present_emails
  sqlite3 mfo.db 'SELECT name FROM roles' | sort >present_roles
  missing=$(sort -u acked_emails acked_users | comm -23 - present_emails)
  [ -z "$missing" ] || fail "round $round: acknowledged users lost: $missing"
  missing=$(sort -u acked_roles | comm -23 - present_roles)
  [ -z "$missing" ] || fail "round $round: acknowledged roles lost: $missing"
  # A role always arrives with its permission: no half-written role.
  result=$(sqlite3 mfo.db "SELECT name FROM roles WHERE name LIKE 'r%-%'
    AND id NOT IN (SELECT role_id FROM role_permissions)")
  [ -z "$result" ] || fail "round $round: roles without permission: $result"
}

for round in $(seq "$rounds"); do {
  rm -f stop cli_child
  port=$(free_port)
  "$mfo" serve --port "$port" >>server.log 2>&1 &
  server_pid=$!
  wait_for_server "$port"
  # Bash's "Killed" job notices would drown the output.
  http_writer "$port" "$round" 2>/dev/null &
  http_pid=$!
  cli_writer "$round" 2>/dev/null &
  cli_pid=$!

  # Let a few writes land, then kill at a random moment: the server, the
  # CLI command running just then, or both.
  delay=$((RANDOM % 18 + 3))
  sleep "$((delay / 10)).$((delay % 10))"
  case $((RANDOM % 3)) in
    0) kill -9 "$server_pid" 2>/dev/null || true ;;
    1) kill_cli ;;
    *) kill -9 "$server_pid" 2>/dev/null || true; kill_cli ;;
  esac
  sleep "0.$((RANDOM % 3))"
  kill -9 "$server_pid" 2>/dev/null || true
  kill_cli

  # Writers stop on their own, so no acknowledgement is lost half-written.
  touch stop
  wait "$http_pid" "$cli_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid= http_pid= cli_pid=
  check_database "$round"
} 2>/dev/null; done

echo "kill test: $rounds rounds ok;" \
  "$(sort -u acked_emails | wc -l) registrations," \
  "$(sort -u acked_users acked_roles | wc -l) CLI writes acknowledged"
