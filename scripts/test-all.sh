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
