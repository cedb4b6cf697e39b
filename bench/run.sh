#!/usr/bin/env bash
# shellcheck disable=SC2086  # flag lists are split on purpose
# bench/run.sh: the whole benchmark of issue 4 in one command.
#
#   bench/run.sh                 everything (about 25 minutes with SOAK=600)
#   PARTS="cli mfo" bench/run.sh only some parts
#
# Builds a release mfo, seeds two databases (10 and 100,000 users), and
# measures, with the anchors' wrk harness (server pinned to CPU 0, wrk to
# CPU 1): mfo, the limit server and, when Debian's Flask-Security-Too is
# installed, the Flask app; then the CLI with hyperfine, the start-up
# time, a login storm with /account under load at the same time, and a
# soak run for memory growth. Prints one table (bench/report.py) and
# keeps every raw output in OUT.
#
# Environment (defaults in brackets):
#   ANCHORS   the reference systems [<repo>/../shared/anchors]; copied to a
#             temporary folder, never written
#   BUILD_DIR release build folder [<repo>/build-bench]
#   OUT       where raw outputs and table.md go [a new /tmp/mfo-bench.*]
#   PARTS     ["build cli start mfo storm limit fst soak"]
#   DURATION  seconds per wrk GET run [10]
#   SOAK      seconds of the memory soak run [600]
#   PORT      first of the ports used on 127.0.0.1 [5101]
#   SERVER_CPU [0]  CLIENT_CPU [1]
#   MFO_THREADS  `threads` in the instances' mfo.conf [0: mfo's default]
#
# It is a benchmark, not a test: nothing here fails on a slow figure. It
# stops only the servers it started, by PID.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ANCHORS=${ANCHORS:-$REPO/../shared/anchors}
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}
OUT=${OUT:-$(mktemp -d /tmp/mfo-bench.XXXXXX)}
PARTS=${PARTS:-build cli start mfo storm limit fst soak}
DURATION=${DURATION:-10}
SOAK=${SOAK:-600}
PORT=${PORT:-5101}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
MFO=$BUILD_DIR/mfo
# Connection threads of mfo serve; 0 is mfo's own default (64 here).
MFO_THREADS=${MFO_THREADS:-0}
UA="mfo-bench/1"
export SERVER_CPUS=$SERVER_CPU CLIENT_CPUS=$CLIENT_CPU

die() { echo "run.sh: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }
has_part() { [[ " $PARTS " == *" $1 "* ]]; }

[ -d "$ANCHORS/bench" ] || die "no anchors in $ANCHORS (set ANCHORS)"
# wrk, hyperfine, the compiler and the Flask app's packages: only the
# missing ones are installed.
"$REPO/scripts/install-deps.sh" bench
mkdir -p "$OUT"
SCRATCH=$(mktemp -d /tmp/mfo-bench-scratch.XXXXXX)
SERVER=
stop_server() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
  fi
}
cleanup() {
  stop_server
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# ---- build ---------------------------------------------------------------------
build() {
  step "release build in $BUILD_DIR"
  cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DMFO_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target mfo >/dev/null
}
has_part build && build
[ -x "$MFO" ] || die "no $MFO (run with PARTS including build)"

cp -r "$ANCHORS" "$SCRATCH/anchors"
chmod -R u+w "$SCRATCH/anchors"
A=$SCRATCH/anchors
step "building the limit server and pwhash_time"
"$A/limit/build.sh"

# ---- databases ----------------------------------------------------------------
# make_site DIR USERS: an mfo instance with admin@ (role admin), user@ and
# bench users up to USERS, at mfo's default argon2 cost.
make_site() {
  local dir=$1 users=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  (
    cd "$dir"
    printf 'argon2_memory_kib = 65536\nargon2_iterations = 2\nthreads = %s\n' \
      "$MFO_THREADS" > mfo.conf
    "$MFO" db init >/dev/null
    "$MFO" role create admin >/dev/null
    printf 'admin-password-1\n' |
      "$MFO" user create admin@example.com --role admin --password-stdin >/dev/null
    printf 'user-password-1\n' |
      "$MFO" user create user@example.com --password-stdin >/dev/null
    python3 "$HERE/seed.py" mfo.db "$users" admin@example.com
  )
}
SITE10=$SCRATCH/site-10
SITE100K=$SCRATCH/site-100k
step "seeding"
# What report.py needs to compute the memory budget: the server's hash gate
# admits one password hash per core it may run on (nproc under the same
# pinning tells how many).
printf 'hash_slots=%s\nargon2_memory_kib=65536\n' \
  "$(taskset -c "$SERVER_CPU" nproc)" > "$OUT/params.txt"
make_site "$SITE10" 10 | tee "$OUT/seed.txt"
make_site "$SITE100K" 100000 | tee -a "$OUT/seed.txt"

# One hash at the configured cost, timed on the server's core: the
# login ceiling is (cores given to the server) / this time.
step "timing one argon2id verification at mfo's cost"
USER_HASH=$(sqlite3 "$SITE10/mfo.db" \
  "SELECT password_hash FROM users WHERE email_key = 'user@example.com'")
taskset -c "$SERVER_CPU" "$A/limit/pwhash_time" 5 "$USER_HASH" user-password-1 |
  tee "$OUT/pwhash.txt"

# ---- servers ---------------------------------------------------------------------
wait_port() { # PORT [SECONDS]
  local i
  for i in $(seq $((${2:-10} * 20))); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.05
  done
  die "nothing answers on port $1"
}
start_mfo() { # SITE PORT
  (cd "$1" && exec taskset -c "$SERVER_CPU" "$MFO" serve --port "$2") \
    2> "$OUT/mfo-$2.log" &
  SERVER=$!
  wait_port "$2"
}
# time_hash NAME: one verification timed again on the server's core while
# the server is idle. This VM's speed drifts by 10-30 % within minutes, so
# each login storm's ceiling comes from timings taken just before and
# after it rather than from the one at the start.
time_hash() {
  taskset -c "$SERVER_CPU" "$A/limit/pwhash_time" 5 "$USER_HASH" user-password-1 \
    > "$OUT/pwhash-$1.txt"
}
bench() { # NAME URL [VAR=VALUE...]: the anchors' harness, table to OUT/NAME.md
  local name=$1 url=$2
  shift 2
  step "bench $name"
  env SERVER_PID="$SERVER" LABEL="$name" "$@" \
    "$A/bench/bench.sh" "$url" "$DURATION" > "$OUT/$name.md" 2> "$OUT/$name.log"
  cat "$OUT/$name.md"
}

# ---- login storm and /account at the same time --------------------------------
# Logs in like bench.sh (GET /login, CSRF token, POST), prepares login
# browsers for login.lua, measures /account alone, then runs the storm and,
# from 3 s into it, the same /account load. Writes the three wrk outputs.
form_token() { # JAR: GET /login into JAR, print the csrf_token
  curl -sS -A "$UA" -c "$1" -b "$1" "http://127.0.0.1:$PORT_NOW/login" |
    grep -o '<input[^>]*name="csrf_token"[^>]*>' | head -1 |
    sed -n 's/.*value="\([^"]*\)".*/\1/p'
}
jar_cookies() { # JAR: Cookie header value
  awk -F'\t' '/^#HttpOnly_/ { sub(/^#HttpOnly_/, "") }
    /^#/ || NF < 7 { next } { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$1"
}
login_body() { # TOKEN
  printf 'email=user%%40example.com&password=user-password-1&csrf_token=%s' "$1"
}
# prepare_logins PORT [BROWSERS]: USER_COOKIE gets the user's logged-in
# session, and SCRATCH/login.reqs BROWSERS (default 4) browsers (anonymous
# cookie, form) for login.lua.
prepare_logins() {
  local i tok jar=$SCRATCH/storm.jar
  PORT_NOW=$1
  rm -f "$jar"
  tok=$(form_token "$jar")
  curl -sS -A "$UA" -c "$jar" -b "$jar" -o /dev/null --data "$(login_body "$tok")" \
    "http://127.0.0.1:$PORT_NOW/login"
  USER_COOKIE=$(jar_cookies "$jar")
  : > "$SCRATCH/login.reqs"
  for i in $(seq "${2:-4}"); do
    rm -f "$jar"
    tok=$(form_token "$jar")
    printf '%s\t%s\n' "$(jar_cookies "$jar")" "$(login_body "$tok")" >> "$SCRATCH/login.reqs"
  done
}
account_load() { # PORT OUTPUT: wrk on /account with the user's session
  taskset -c "$CLIENT_CPU" timeout 60 wrk -t1 -c32 -d${DURATION}s --timeout 10s --latency \
    -H "User-Agent: $UA" -H "Cookie: $USER_COOKIE" \
    "http://127.0.0.1:$1/account" > "$2"
}
storm_with_account() { # NAME PORT LOGIN_CONNS
  local name=$1 port=$2 conns=$3
  step "login storm ($conns connections) with /account under load ($name)"
  prepare_logins "$port" "$conns"
  # The same load without the storm first, on the same server and warm
  # caches: the p99 the storm's is compared with.
  account_load "$port" "$OUT/$name-base.txt"
  taskset -c "$CLIENT_CPU" timeout 60 wrk -t1 -c"$conns" -d$((DURATION + 6))s --timeout 30s \
    --latency -s "$A/bench/login.lua" "http://127.0.0.1:$port/login" -- \
    "$SCRATCH/login.reqs" "$UA" /login > "$OUT/$name-login.txt" &
  local storm=$!
  sleep 3
  account_load "$port" "$OUT/$name-account.txt"
  wait "$storm"
  sleep 3 # the logins wrk abandoned
}

# ---- soak: memory over a long run ------------------------------------------------
soak() { # PORT
  local port=$1 end t rss
  step "soak: ${SOAK}s of /account (32 connections) and logins (4)"
  prepare_logins "$port"
  taskset -c "$CLIENT_CPU" timeout $((SOAK + 60)) wrk -t1 -c4 -d${SOAK}s --timeout 30s \
    -s "$A/bench/login.lua" "http://127.0.0.1:$port/login" -- \
    "$SCRATCH/login.reqs" "$UA" /login > "$OUT/soak-login.txt" &
  local storm=$!
  taskset -c "$CLIENT_CPU" timeout $((SOAK + 60)) wrk -t1 -c32 -d${SOAK}s --timeout 10s \
    --latency -H "User-Agent: $UA" -H "Cookie: $USER_COOKIE" \
    "http://127.0.0.1:$port/account" > "$OUT/soak-account.txt" &
  local load=$!
  : > "$OUT/soak-rss.txt"
  end=$((SECONDS + SOAK))
  while [ $SECONDS -lt "$end" ]; do
    t=$((SOAK - (end - SECONDS)))
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER/status")
    echo "$t $rss" >> "$OUT/soak-rss.txt"
    sleep 5
  done
  wait "$load" "$storm" || true
}

P_MFO=$PORT P_STORM=$((PORT + 1)) P_BIG=$((PORT + 2)) P_LIMIT=$((PORT + 3))
P_FST=$((PORT + 4)) P_START=$((PORT + 5)) P_SOAK=$((PORT + 6))

if has_part cli; then
  step "CLI timings (hyperfine, 100,000 users)"
  (
    cd "$SITE100K"
    hyperfine -N --warmup 2 --runs 20 --export-json "$OUT/cli-grant.json" \
      "$MFO role grant admin user@example.com"
    hyperfine -N --warmup 2 --runs 20 --export-json "$OUT/cli-show.json" \
      "$MFO user show user@example.com"
    hyperfine -N --warmup 1 --runs 5 --export-json "$OUT/cli-list.json" \
      "$MFO user list --json"
    # The grant above must not leak into the server runs.
    "$MFO" role revoke admin user@example.com >/dev/null
  ) > "$OUT/cli.txt"
  cat "$OUT/cli.txt"
fi

if has_part start; then
  step "start-up: spawn to first answer"
  (cd "$SITE10" && python3 "$HERE/first_request.py" "$P_START" 10 -- \
    taskset -c "$SERVER_CPU" "$MFO" serve --port "$P_START") | tee "$OUT/start.txt"
fi

if has_part mfo; then
  start_mfo "$SITE10" "$P_MFO"
  time_hash mfo-10-before
  bench mfo-10 "http://127.0.0.1:$P_MFO"
  time_hash mfo-10-after
  bench mfo-10-login32 "http://127.0.0.1:$P_MFO" ENDPOINTS=login LOGIN_CONNS=32
  time_hash mfo-10-login32-after
  stop_server
  start_mfo "$SITE100K" "$P_BIG"
  bench mfo-100k "http://127.0.0.1:$P_BIG" ENDPOINTS="admin account"
  stop_server
fi

if has_part storm; then
  start_mfo "$SITE10" "$P_STORM"
  storm_with_account storm "$P_STORM" 4
  storm_with_account storm32 "$P_STORM" 32
  stop_server
fi

if has_part limit; then
  step "limit server"
  taskset -c "$SERVER_CPU" "$A/limit/limit" "$P_LIMIT" > "$OUT/limit.server.log" 2>&1 &
  SERVER=$!
  wait_port "$P_LIMIT"
  bench limit "http://127.0.0.1:$P_LIMIT" ENDPOINTS="home account admin"
  stop_server
fi

if has_part fst; then
  if /usr/bin/python3 -c 'import flask_security, gunicorn' 2>/dev/null; then
    step "Flask-Security-Too app (gunicorn, 2 sync workers)"
    taskset -c "$SERVER_CPU" "$A/fst/run.sh" "$P_FST" > "$OUT/fst.server.log" 2>&1 &
    SERVER=$!
    wait_port "$P_FST" 180 # it first makes its users with its own CLI
    bench fst "http://127.0.0.1:$P_FST" ENDPOINTS="home account admin"
    stop_server
  else
    echo "Flask-Security-Too not installed: no Flask rows" > "$OUT/fst.md"
  fi
fi

if has_part soak && [ "$SOAK" -gt 0 ]; then
  start_mfo "$SITE10" "$P_SOAK"
  soak "$P_SOAK"
  stop_server
fi

{
  echo "Machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM," \
    "kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  python3 "$HERE/report.py" "$OUT"
} | tee "$OUT/table.md"
echo "raw outputs: $OUT" >&2
