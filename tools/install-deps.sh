#!/usr/bin/env bash
# Installs what building, testing and benchmarking sgd-influence need, from
# Debian's packages. Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format   # the C build and its formatting check
  libopenblas-dev                                   # BLAS for the matrix work
  libzip-dev libprotobuf-c-dev protobuf-c-compiler libhdf5-dev   # reading and writing .nnp
  clang libclang-rt-14-dev                          # libFuzzer targets and their sanitizers
  python3 python3-numpy python3-torch python3-sklearn   # the PyTorch baseline test
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(dataset-fashion-mnist time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
