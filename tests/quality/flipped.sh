#!/usr/bin/env bash
# Finding mislabelled rows: 5 % of the training labels flipped; at least 60 % of
# them must be among the 5 % most harmful rows, with the defaults and with
# --method last, on the bundled breast-cancer table (2 classes) and on
# scikit-learn's digits (10 classes, generated here); and the MLP on the first.
# Measured: >= 74 % in every case (bench/README.md).
. "$(dirname "$0")/lib.sh" "$1"
status=0
at_least "breast_cancer defaults" "$(flipped_share)" 0.6 || status=1
at_least "breast_cancer method last" "$(flipped_share --method last)" 0.6 || status=1
at_least "breast_cancer mlp" "$(flipped_share --network mlp)" 0.6 || status=1

/usr/bin/python3 "$root/tools/make_dataset.py" digits --seed 0 --flip 0.05 --out-dir "$work/digits" > /dev/null 2>&1
train=$work/digits/train.csv val=$work/digits/val.csv flipped=$work/digits/train.flipped.txt
at_least "digits defaults" "$(flipped_share)" 0.6 || status=1
at_least "digits method last" "$(flipped_share --method last)" 0.6 || status=1
exit $status
