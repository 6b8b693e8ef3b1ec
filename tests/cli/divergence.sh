#!/usr/bin/env bash
# When the backward recursion blows up (step size x curvature > 2 at the final
# parameters), the run says so on stderr with the remedy and writes nothing; with
# --allow-divergence it warns and the sidecar records it; an ordinary run says nothing
# of the kind.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) # before lib.sh changes directory
. "$(dirname "$0")/lib.sh"
TRAIN=$ROOT/examples/breast_cancer/train.csv
VAL=$ROOT/examples/breast_cancer/val.csv

run_tool -t "$TRAIN" -v "$VAL" -o z.csv --method last --hessian paper --lr 2 --quiet
check "a blown-up recursion exits 1" test "$STATUS" -eq 1
check "with the remedy" grep -q 'error: the backward recursion grew.*--hessian plugin.*smaller --lr' err.txt
check "and writes nothing" test ! -e z.csv -a ! -e z.csv.json

run_tool -t "$TRAIN" -v "$VAL" -o a.csv --method last --hessian paper --lr 2 --quiet \
    --allow-divergence
check "--allow-divergence writes them" test "$STATUS" -eq 0 -a -e a.csv
check "and warns with the remedy" grep -q 'warning: the backward recursion grew.*smaller --lr' err.txt
check "the sidecar records it" grep -q '"diverged": true' a.csv.json

run_tool -t "$TRAIN" -v "$VAL" -o b.csv
check "an ordinary run does not warn" test ! -s err.txt
check "its sidecar says so" grep -q '"diverged": false' b.csv.json
exit "$FAILURES"
