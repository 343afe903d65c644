#!/usr/bin/env bash
# bench.sh — the ADBench comparison: builds bench_adbench in build/ (as the README's
# quick start does), runs it, prints the markdown table and writes the plot.
#   bash scripts/bench.sh [--reps N] [--only NAME] [--png FILE] [--md FILE]
# The plot goes to build/adbench.png unless --png says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ADJ_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja >/dev/null
fi
cmake --build "$build" --target bench_adbench adjc
# Debian's python has matplotlib (python3-matplotlib); a pyenv python first on PATH may not.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" testsuite/bench/adbench/report.py --build "$build" --png "$build/adbench.png" "$@"
