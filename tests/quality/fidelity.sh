#!/usr/bin/env bash
# The estimate against leave-one-out retraining of EVERY row of a real table
# (the bundled breast-cancer example), with the paper's curvature:
#   logistic regression, plain SGD, method all: Kendall's tau >= 0.95 (measured 0.985);
#   MLP 8-8 (tanh) with dropout and momentum: Pearson's r >= 0.9 (measured 0.994).
. "$(dirname "$0")/lib.sh" "$1"
status=0
tau=$(self_check tau --network logreg --solver sgd --hessian paper --method all \
    --weight-decay 0 --validate 455)
at_least "logreg/sgd/all tau" "$tau" 0.95 || status=1
r=$(self_check r --network mlp --activation tanh --dropout 0.2 --solver momentum --lr 0.01 \
    --validate 455)
at_least "mlp/dropout/momentum r" "$r" 0.9 || status=1
exit $status
