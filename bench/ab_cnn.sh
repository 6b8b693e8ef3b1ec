#!/usr/bin/env bash
# ab_cnn.sh — two builds' CNN steps compared on a shared machine: runs their bench_cnn
# binaries alternately, ROUNDS times each, and prints each binary's fastest training and
# scoring step and prediction batch (ms). The alternation spreads the host's slow moments
# over both; the minimum is each build's best figure. This is how bench/README.md's
# "fastest of N alternating runs" figures are taken.
#
#   bench/ab_cnn.sh BENCH_CNN_A BENCH_CNN_B [ROUNDS]     (default 6 rounds)
#
# Environment: THREADS (default 2), REPS (bench_cnn --reps per run, default 5).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: bench/ab_cnn.sh BENCH_CNN_A BENCH_CNN_B [ROUNDS]" >&2
    exit 2
fi
a=$1 b=$2 rounds=${3:-6}
threads=${THREADS:-2} reps=${REPS:-5}
for bin in "$a" "$b"; do
    [ -x "$bin" ] || { echo "ab_cnn.sh: $bin is not an executable" >&2; exit 2; }
done
for _ in $(seq "$rounds"); do
    for bin in "$a" "$b"; do
        "$bin" --threads "$threads" --reps "$reps" --peak 0 |
            awk -v bin="$bin" '/^\| train/ { t = $4 } /^\| score/ { s = $4 } /^\| predict/ { p = $4 }
                END { print bin, t, s, p }'
    done
done | awk '{
    if (!($1 in train) || $2 < train[$1]) train[$1] = $2
    if (!($1 in score) || $3 < score[$1]) score[$1] = $3
    if (!($1 in predict) || $4 < predict[$1]) predict[$1] = $4
} END {
    for (bin in train)
        printf "%s: train %.1f ms, score %.1f ms, predict %.1f ms (fastest of each)\n", bin,
            train[bin], score[bin], predict[bin]
}'
