#!/usr/bin/env bash
# evaluate.sh — the removal curve (`sgd-influence evaluate`) on a table and on pictures:
# test accuracy and loss after retraining without the k most harmful training rows against
# without k random rows, mean ± std over the eval seeds.
#
#   bench/evaluate.sh [SGD_INFLUENCE]            (default: build/sgd-influence)
#
# 1. Table: examples/breast_cancer (455 rows, 23 labels flipped), logistic regression, the
#    defaults. It has no test set: val.csv is split, its data rows 1, 3, 5, ... scoring the
#    rows (validation), rows 2, 4, 6, ... measuring the retrained models (test), so that the
#    scores never see the test rows.
# 2. Pictures: Fashion-MNIST from Debian's dataset-fashion-mnist, TRAIN training images
#    (default 2000) with 5 % of their labels flipped, 500 validation images, 1000 test
#    images from the test file (tools/make_image_dataset.py --seed 1), the built-in CNN,
#    -e EPOCHS (default 5), the defaults otherwise.
# Environment: TRAIN, EPOCHS, SEEDS (--eval-seeds, default 3), REMOVE (--remove, default:
# the tool's 0,1%,2%,5%,10%), THREADS (default: the tool's; 1 is faster on a busy machine),
# WORK (scratch directory). Minutes for the pictures (27 CNN trainings by
# default): run it at low priority on a shared machine (nice bench/evaluate.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
tool=$(readlink -f "${1:-$src/build/sgd-influence}")
train_images=${TRAIN:-2000}
epochs=${EPOCHS:-5}
seeds=${SEEDS:-3}
work=${WORK:-$(mktemp -d /tmp/sgdi-bench-evaluate.XXXXXX)}
extra=()
[ -n "${THREADS:-}" ] && extra=(--threads "$THREADS")
[ -n "${REMOVE:-}" ] && extra+=(--remove "$REMOVE")
mkdir -p "$work"

flipped_among_harmful() { # INFLUENCE_CSV FLIPPED_TXT K: flipped rows among the K most harmful
    tail -n +2 "$1" | head -n "$3" | awk -F, '{print $NF}' | grep -cxFf "$2" || true
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(getconf _NPROCESSORS_ONLN) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo

bc=$src/examples/breast_cancer
awk 'NR == 1 || NR % 2 == 0' "$bc/val.csv" > "$work/bc_val.csv"
awk 'NR == 1 || NR % 2 == 1' "$bc/val.csv" > "$work/bc_test.csv"
echo "## Table: breast_cancer, val.csv split into validation (data rows 1, 3, ...) and test (2, 4, ...)"
echo "\$ sgd-influence evaluate -t examples/breast_cancer/train.csv -v bc_val.csv --test bc_test.csv --eval-seeds $seeds ${extra[*]}"
start=$SECONDS
"$tool" evaluate -t "$bc/train.csv" -v "$work/bc_val.csv" --test "$work/bc_test.csv" \
    -o "$work/bc" --eval-seeds "$seeds" -q "${extra[@]}"
echo "($((SECONDS - start)) s; flipped rows among the 23 most harmful:" \
    "$(flipped_among_harmful "$work/bc.influence.csv" "$bc/train.flipped.txt" 23) of 23)"
echo

fm=$work/fm$train_images
[ -f "$fm/test.csv" ] ||
    /usr/bin/python3 "$src/tools/make_image_dataset.py" --train "$train_images" --val 500 \
        --test 1000 --flip 0.05 --seed 1 --out "$fm" > /dev/null
flips=$(wc -l < "$fm/train.flipped.txt")
echo "## Pictures: Fashion-MNIST, $train_images training images ($flips flipped), 500 validation, 1000 test"
echo "\$ sgd-influence evaluate -t train.csv -v val.csv --test test.csv -e $epochs --eval-seeds $seeds ${extra[*]}"
start=$SECONDS
"$tool" evaluate -t "$fm/train.csv" -v "$fm/val.csv" --test "$fm/test.csv" -o "$work/fm" \
    -e "$epochs" --eval-seeds "$seeds" -q "${extra[@]}"
echo "($((SECONDS - start)) s; flipped images among the $flips most harmful:" \
    "$(flipped_among_harmful "$work/fm.influence.csv" "$fm/train.flipped.txt" "$flips") of $flips)"
echo "outputs in $work"
