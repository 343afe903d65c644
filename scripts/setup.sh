#!/usr/bin/env bash
# setup.sh — install every Debian package adjoint's build and tests need.
#
# Idempotent: packages already present are not touched, and apt is not called at
# all when nothing is missing. Runs as root, or through sudo when not root.
# Nothing is downloaded from anywhere but Debian's package archive.
set -euo pipefail

packages=(
  build-essential   # gcc, make, libc headers
  cmake ninja-build pkg-config
  clang-19          # second compiler for generated code
  libclang-rt-19-dev  # clang's ASan/UBSan runtime (only Recommended by clang-19)
  libclang-19-dev   # adjc's frontend (libclang >= 17 for operator kinds)
  llvm-19-tools     # FileCheck, not, and lit.py for the compiler tests
  libopenblas-dev   # CBLAS for the runtime's matmul
  libsleef-dev      # vectorized transcendental functions for the runtime
  python3           # runs lit
  g++ libadolc-dev  # ADOL-C, the established AD tool the benchmarks compare with
  python3-matplotlib  # the benchmark report's plot (testsuite/bench/adbench/report.py)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
