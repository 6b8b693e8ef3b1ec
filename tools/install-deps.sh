#!/usr/bin/env bash
# Installs what sgd-influence needs from Debian's packages; installs only what is
# missing, so it is cheap to run again.
#
#   tools/install-deps.sh            build and run the tool
#   tools/install-deps.sh --tests    also what the test suite needs (tools/run-tests.sh)
#   tools/install-deps.sh --bench    also what bench/ needs
set -euo pipefail

packages=(
  build-essential cmake pkg-config                          # the C build
  libopenblas-openmp-dev                                    # BLAS in OpenMP's thread pool
  libxsmm-dev                                               # small products, JIT-compiled
  libzip-dev libprotobuf-c-dev protobuf-c-compiler libhdf5-dev   # reading and writing .nnp
  libpng-dev libjpeg62-turbo-dev                            # image datasets
  libjson-c-dev                                             # report: reading JSON
)
tests=(
  clang-format                                              # the formatting check
  clang libclang-rt-14-dev                                  # libFuzzer targets, sanitizers
  python3 python3-numpy python3-torch python3-sklearn       # the PyTorch baseline, datasets
  dataset-fashion-mnist                                     # the image quality test
  chromium                                                  # the report rendered headless
)
for arg in "$@"; do
  case $arg in
  --tests) packages+=("${tests[@]}") ;;
  --bench) packages+=("${tests[@]}" dataset-fashion-mnist time) ;;
  *) echo "usage: tools/install-deps.sh [--tests] [--bench]" >&2; exit 2 ;;
  esac
done

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
