#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. dependencies (tools/install-deps.sh),
#   2. a release build and every CTest test,
#   3. an AddressSanitizer + UndefinedBehaviorSanitizer build and every CTest test,
#   4. the libFuzzer targets for a bounded time each,
#   5. clang-format on every C file.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

bash tools/install-deps.sh --tests

echo "== release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSGDI_SANITIZE=ON > /dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE slow

echo "== fuzzing"
# Every parser of ours for a bounded time (HDF5 included: it is read by our own
# reader, src/nnp/h5read.c, since libhdf5 crashed on hostile files).
bash fuzz/run.sh "${FUZZ_SECONDS:-20}" csv textformat protobin zip h5params model image

echo "== formatting"
unformatted=$(find include src cli tests fuzz bench -name '*.[ch]' -print0 |
  xargs -0 clang-format --dry-run 2>&1 | grep -c "warning:" || true)
if [ "$unformatted" != "0" ]; then
  echo "clang-format: $unformatted places differ from .clang-format; run clang-format -i" >&2
  find include src cli tests fuzz bench -name '*.[ch]' -print0 | xargs -0 clang-format --dry-run 2>&1 | head -20 >&2
  exit 1
fi
echo "all tests passed"
