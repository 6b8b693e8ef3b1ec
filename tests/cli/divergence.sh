#!/usr/bin/env bash
# When the backward recursion blows up (step size x curvature > 2 at the final
# parameters), the run says so on stderr, with the remedy, and records it in the
# sidecar; an ordinary run says nothing of the kind.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) # before lib.sh changes directory
. "$(dirname "$0")/lib.sh"
TRAIN=$ROOT/examples/breast_cancer/train.csv
VAL=$ROOT/examples/breast_cancer/val.csv

run_tool -t "$TRAIN" -v "$VAL" -o a.csv --method last --hessian paper --lr 2 --quiet
check "a blown-up recursion still exits 0" test "$STATUS" -eq 0
check "and warns with the remedy" grep -q 'warning: the backward recursion grew.*smaller --lr' err.txt
check "the sidecar records it" grep -q '"diverged": true' a.csv.json

run_tool -t "$TRAIN" -v "$VAL" -o b.csv
check "an ordinary run does not warn" test ! -s err.txt
check "its sidecar says so" grep -q '"diverged": false' b.csv.json
exit "$FAILURES"
