#!/usr/bin/env bash
# Models on the command line: --save-model writes a .nnp that --describe reads
# and -m trains (one epoch by default, the model's batch size and solver);
# a model the engine cannot train fails with its reason and writes nothing.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) # before lib.sh changes directory
. "$(dirname "$0")/lib.sh"
TRAIN=$ROOT/examples/breast_cancer/train.csv
VAL=$ROOT/examples/breast_cancer/val.csv

run_tool -t "$TRAIN" -v "$VAL" -o a.csv --network mlp --hidden 4 --solver nesterov --lr 0.05 \
    -b 32 --save-model m.nnp
check "built-in run with --save-model exits 0" test "$STATUS" -eq 0
check "the model is a zip with nnabla's three members" \
    bash -c "test \"\$(head -c 2 m.nnp)\" = PK && grep -aq nnp_version.txt m.nnp &&
             grep -aq network.nntxt m.nnp && grep -aq parameter.protobuf m.nnp"

run_tool --describe m.nnp
check "--describe exits 0" test "$STATUS" -eq 0
check "--describe names the solver and says it is supported" \
    bash -c "grep -q 'solver Nesterov' out.txt && grep -q 'status: supported' out.txt"
check "--describe prints to stdout only" test ! -s err.txt

run_tool -t "$TRAIN" -v "$VAL" -o b.csv -m m.nnp --trace trace.txt
check "-m run exits 0" test "$STATUS" -eq 0
check "-m trains one epoch in the model's batch size (455 rows / 32 = 15 steps)" \
    test "$(wc -l < trace.txt)" -eq 15
check "the sidecar records the model's solver" grep -q '"name": "nesterov"' b.csv.json
check "every row is scored" test "$(($(wc -l < b.csv) - 1))" -eq 455

run_tool -t "$TRAIN" -v "$VAL" -o c.csv -m m.nnp -e 2 -b 64 --trace trace2.txt
check "-e and -b override the model's" test "$(wc -l < trace2.txt)" -eq 16

printf 'not a zip' > bad.nnp
run_tool -t "$TRAIN" -v "$VAL" -o d.csv -m bad.nnp
check "a file that is not a zip exits 1" test "$STATUS" -eq 1
check "the message names the file" grep -q 'bad.nnp' err.txt
check "nothing is written" test ! -e d.csv

if [ -f "$ROOT/../shared/fixtures/nnabla-real/nnabla_lenet_010000.nnp" ]; then
    LENET=$ROOT/../shared/fixtures/nnabla-real/nnabla_lenet_010000.nnp
    run_tool --describe "$LENET"
    check "--describe of the real LeNet exits 0" test "$STATUS" -eq 0
    check "and lists its convolutions as supported" \
        bash -c "grep -q 'Convolution' out.txt && ! grep -q 'not supported' out.txt"
    run_tool -t "$TRAIN" -v "$VAL" -o e.csv -m "$LENET"
    check "training it exits 1 with the reason" \
        bash -c "test $STATUS -eq 1 && grep -q 'no optimizer' err.txt && test ! -e e.csv"
else
    echo "skipped: the real fixtures are absent"
fi
exit "$FAILURES"
