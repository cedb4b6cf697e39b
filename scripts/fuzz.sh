#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz and runs each for
# a bounded time on its corpus in fuzz/corpus/<target>. New inputs the
# fuzzer finds go to a scratch folder, so the committed corpus stays small;
# a crash leaves its input in build-fuzz/findings/ and fails the script.
#   scripts/fuzz.sh [seconds per target, default 20] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
build=${MFO_FUZZ_BUILD:-build-fuzz}

CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug \
  -DMFO_FUZZ=ON -DMFO_SANITIZE=address,undefined -DMFO_BUILD_TESTS=OFF \
  >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_all

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(ls fuzz/corpus))
fi
mkdir -p "$build/findings"
for target in "${targets[@]}"; do
  scratch=$(mktemp -d)
  # -timeout: one input taking 10 s is a hang worth reporting; the RSS
  # limit catches an input that makes a parser allocate without bound.
  if ! "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=4096 -print_final_stats=0 \
      -artifact_prefix="$build/findings/$target-" \
      "$scratch" "fuzz/corpus/$target" >"$build/findings/$target.log" 2>&1
  then
    rm -rf "$scratch"
    echo "fuzz: $target failed; see $build/findings/$target.log" >&2
    tail -n 40 "$build/findings/$target.log" >&2
    exit 1
  fi
  rm -rf "$scratch"
  echo "fuzz: $target ok ($(grep -c . "$build/findings/$target.log") log lines)"
done
