#!/usr/bin/env bash
# Everything `make test` runs, in order. Each stage builds into its own
# folder so a sanitizer build never mixes with the normal one.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

stage() { printf '\n== %s\n' "$*"; }

stage "build (warnings are errors)"
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Debug -DMFO_WERROR=ON >/dev/null
cmake --build build-ci -j "$jobs"

stage "unit, CLI and server tests"
ctest --test-dir build-ci --output-on-failure -j "$jobs"

stage "end-to-end test in headless chromium"
tests/e2e/run.sh build-ci/mfo build-ci/screenshots

stage "kill test: SIGKILL the server and the CLI mid-write (${MFO_KILL_ROUNDS:-20} rounds)"
tests/kill/kill_test.sh build-ci/mfo "${MFO_KILL_ROUNDS:-20}"

# The whole suite once under ASan and UBSan, straight from the Catch2
# binary: ctest would start one slow sanitized process per test case.
stage "whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DMFO_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j "$jobs" --target mfo_tests
build-asan/tests/mfo_tests

stage "server tests under ThreadSanitizer"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DMFO_SANITIZE=thread \
  >/dev/null
cmake --build build-tsan -j "$jobs" --target mfo_tests
build-tsan/tests/mfo_tests "[server]"

stage "libFuzzer targets, ${MFO_FUZZ_SECONDS:-20} s each"
scripts/fuzz.sh "${MFO_FUZZ_SECONDS:-20}"
