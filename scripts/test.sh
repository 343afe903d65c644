#!/usr/bin/env bash
# test.sh — build everything and run the whole test suite, as CI does.
#
#   bash scripts/test.sh
#
# Installs missing Debian packages (scripts/setup.sh), configures build/ with
# warnings as errors and the sanitizer variant on, builds with two jobs, and runs
# every test through ctest (two at a time): unit.*, runtime.*, lit.* and their
# asan.* twins. ctest's summary ("100% tests passed, 0 tests failed out of N", the
# total time, then any failed tests) ends the output, and the script exits with
# ctest's status.
# Needs no terminal and no standard input (CI runs it with CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=2
build=build

echo "==> scripts/setup.sh"
bash scripts/setup.sh

echo "==> configuring $build/ (ADJ_WERROR=ON, ADJ_SANITIZE=ON)"
cmake -S . -B "$build" -G Ninja -DADJ_WERROR=ON -DADJ_SANITIZE=ON -DADJ_TESTS=ON

echo "==> building with $jobs jobs"
cmake --build "$build" -j "$jobs"

echo "==> ctest -j$jobs"
status=0
ctest --test-dir "$build" --output-on-failure --no-label-summary -j "$jobs" --timeout 600 || status=$?
exit "$status"
