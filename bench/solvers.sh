#!/usr/bin/env bash
# solvers.sh — leave-one-out agreement (--validate over every training row) for each
# solver sgd-influence supports, on the bundled breast-cancer table with the paper's
# curvature: logistic regression and the MLP 8-8 (tanh, dropout 0.2). Sgd, Momentum
# and Nesterov are differentiated exactly; the adaptive solvers' influence freezes
# each step's per-coordinate step size (sgd-influence.md, "Other optimisers").
#
#   bench/solvers.sh [SGD_INFLUENCE]        (default: build/sgd-influence)
#
# Prints a Markdown table for bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool=${1:-$root/build/sgd-influence}
train=$root/examples/breast_cancer/train.csv
val=$root/examples/breast_cancer/val.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=$(($(wc -l < "$train") - 1))

echo "| solver | lr | network | Kendall τ | Pearson r |"
echo "|---|---|---|---|---|"
# solver, step size (Momentum/Nesterov: lr/(1-mu) matches SGD's 0.05; Adadelta's lr is 1 by design)
for case in "sgd 0.05" "momentum 0.005" "nesterov 0.005" "adam 0.01" "adamw 0.01" \
            "adagrad 0.05" "rmsprop 0.01" "adadelta 1.0"; do
    set -- $case
    for net in "logreg" "mlp"; do
        args=(--network "$net")
        [ "$net" = mlp ] && args+=(--hidden 8,8 --activation tanh --dropout 0.2)
        "$tool" -t "$train" -v "$val" -o "$work/s.csv" --quiet --solver "$1" --lr "$2" \
            --hessian paper --validate "$rows" "${args[@]}" 2> "$work/err"
        line=$(grep "hessian paper" "$work/err")
        tau=$(echo "$line" | sed -E "s/.*Kendall's tau ([-0-9.]+).*/\1/")
        r=$(echo "$line" | sed -E "s/.*Pearson's r ([-0-9.]+).*/\1/")
        label=$net
        [ "$net" = mlp ] && label="MLP 8-8 tanh, dropout 0.2"
        echo "| $1 | $2 | $label | $tau | $r |"
    done
done
