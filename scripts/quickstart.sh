#!/usr/bin/env bash
# quickstart.sh — from a fresh clone to a differentiated, running program.
#
#   bash scripts/quickstart.sh
#
# 1. installs missing Debian packages (scripts/setup.sh),
# 2. configures and builds the compiler adjc and the runtime libadjoint in build/
#    (Release, Ninja, two jobs),
# 3. runs adjc on examples/quickstart/quickstart.c, writing build/quickstart.adj.c
#    (the input with its generated gradient function appended),
# 4. compiles that with gcc against libadjoint and runs it: the program prints the
#    function's value, its gradient, and the gradient's agreement with finite
#    differences.
# Every step stops the script with a message naming it if it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
example=examples/quickstart/quickstart.c
step=""

begin() {
  step="$1"
  printf '\n==> %s\n' "$step"
}
trap 'status=$?; [ "$status" -eq 0 ] || echo "quickstart: FAILED (exit $status) at step: $step" >&2' EXIT

begin "install packages (scripts/setup.sh)"
bash scripts/setup.sh

begin "configure $build/ (Release)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

begin "build adjc and libadjoint"
cmake --build "$build" -j 2 --target adjc adjoint

begin "differentiate $example"
if [ ! -f "$example" ]; then
  echo "quickstart: $example is missing from this checkout" >&2
  exit 1
fi
"$build/compiler/adjc" "$example" -o "$build/quickstart.adj.c"
echo "wrote $build/quickstart.adj.c"

begin "compile the generated code with libadjoint"
# The libraries CMake found for the runtime, so the link matches the build.
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
cblas=$(cache_value CBLAS_LIBRARY)
sleef=$(cache_value SLEEF_LIBRARY)
gcc -std=c11 -O2 -Wall -Wextra -I runtime/include -I "$(dirname "$example")" \
  "$build/quickstart.adj.c" "$build/runtime/libadjoint.a" "$cblas" "$sleef" -lm -lpthread \
  -o "$build/quickstart"

begin "run $build/quickstart"
"$build/quickstart"
echo
echo "quickstart: OK. The generated code is in $build/quickstart.adj.c;"
echo "run the whole test suite with: bash scripts/test.sh"
