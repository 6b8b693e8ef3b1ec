#!/bin/sh
# fuzz/run.sh — builds the libFuzzer targets with clang and runs each for a bounded time.
#
#   fuzz/run.sh [seconds-per-target] [target ...]     (default: 30 s, every target)
#
# Environment: BUILD_DIR (default build-fuzz in the repository), CC (default clang),
# JOBS (default 2). Each target starts from fuzz/corpus/<name>/ and writes new inputs to
# $BUILD_DIR/corpus/<name>/ (the checked-in corpus is never modified). A crash stops the
# run with a non-zero status and leaves the input in $BUILD_DIR/artifacts/<name>/; fix the
# bug, then save the input under fuzz/crashers/<name>/ so tests/test_fuzz_replay keeps it
# fixed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-csv zip h5params textformat protobin model image}
build=${BUILD_DIR:-$root/build-fuzz}
cc=${CC:-clang}
jobs=${JOBS:-2}

case $cc in
*clang*) ;;
*) echo "run.sh: CC must be clang (got '$cc')" >&2; exit 2 ;;
esac

CC=$cc cmake -S "$root" -B "$build" -DSGDI_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do
    cmake --build "$build" --target "fuzz_$t" -j "$jobs"
done

status=0
for t in $targets; do
    corpus=$build/corpus/$t
    artifacts=$build/artifacts/$t
    mkdir -p "$corpus" "$artifacts"
    echo "run.sh: fuzzing $t for $seconds s"
    if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "$here/corpus/$t" >"$build/fuzz_$t.log" 2>&1; then
        echo "run.sh: fuzz_$t FAILED; see $build/fuzz_$t.log and $artifacts/" >&2
        tail -n 40 "$build/fuzz_$t.log" >&2
        status=1
    else
        grep -E '^stat::number_of_executed_units|^Done' "$build/fuzz_$t.log" || true
    fi
done
exit $status
