# evaluate.sh — `sgd-influence evaluate`: the removal curve end to end on small tables (the
# table on stdout, PREFIX.csv, PREFIX.json, the scores' CSV), the same curve again from
# --influence without a validation table, the bundled breast-cancer table (removing the 5 %
# most harmful rows beats 5 % random ones), and bad input: clear errors, nothing written.
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
. "$(dirname "$0")/lib.sh"

make_table train.csv 40 21 3
make_table val.csv 20 22 3
make_table test.csv 30 23 3

nothing_written() {
    local left
    left=$(ls evaluation* ./*.tmp.* 2>/dev/null | head -n 5)
    if [ -z "$left" ]; then pass "nothing written"; else fail "written: $left"; fi
}

# bad EXIT DESCRIPTION MENTION ARGS...: fails with EXIT, names MENTION, writes nothing.
bad() {
    local code=$1 what=$2 mention=$3
    shift 3
    expect_status "$code" "$what" evaluate "$@"
    stderr_has "$mention"
    stdout_empty
    nothing_written
}

# --- Usage errors and bad input -------------------------------------------------------
expect_status 0 "--help" evaluate --help
check "help names --remove" grep -qF -- "--remove LIST" out.txt
bad 2 "missing --test" "missing the test table (--test)" -t train.csv -v val.csv
bad 2 "missing -t" "--input-train" -v val.csv --test test.csv
bad 2 "missing -v without --influence" "--input-val" -t train.csv --test test.csv
bad 2 "--test without a value" "'--test' requires a value" -t train.csv -v val.csv --test
bad 2 "bad percentage" "'5%x'" -t train.csv -v val.csv --test test.csv --remove 0,5%x
bad 2 "percentage over 100" "between 0% and 100%" -t train.csv -v val.csv --test test.csv \
    --remove 150%
bad 2 "negative size" "'-3'" -t train.csv -v val.csv --test test.csv --remove -3
bad 2 "empty size" "empty size" -t train.csv -v val.csv --test test.csv --remove 1,,2
bad 2 "--eval-seeds 0" "--eval-seeds" -t train.csv -v val.csv --test test.csv --eval-seeds 0
bad 2 "--eval-seeds x" "--eval-seeds" -t train.csv -v val.csv --test test.csv --eval-seeds x
bad 2 "common option checked" "--lr" -t train.csv -v val.csv --test test.csv --lr -1
bad 2 "--trace refused" "--trace is not an option of evaluate" -t train.csv -v val.csv \
    --test test.csv --trace t.txt
bad 2 "output over the test table" "would overwrite the test table" -t train.csv -v val.csv \
    --test test.csv -o test
cp train.csv data.csv
bad 2 "output over the training table" "would overwrite the training table" -t data.csv \
    -v val.csv --test test.csv -o data
rm data.csv
bad 1 "k larger than N" "'50' removes 50 of the 40 training rows" -t train.csv -v val.csv \
    --test test.csv --remove 0,50
bad 1 "k equal to N" "removes 40 of the 40" -t train.csv -v val.csv --test test.csv \
    --remove 100%
bad 1 "unreadable training table" "cannot open 'missing.csv'" -t missing.csv -v val.csv \
    --test test.csv
bad 1 "unreadable test table" "cannot open 'missing.csv'" -t train.csv -v val.csv \
    --test missing.csv
printf 'x__0,x__1,y\n1,2,0\n' > narrow.csv
bad 1 "test table with other columns" "feature columns" -t train.csv -v val.csv \
    --test narrow.csv
bad 1 "unreadable influence CSV" "cannot open 'missing.csv'" -t train.csv --test test.csv \
    --influence missing.csv
bad 1 "output in a missing folder, before retraining" "cannot create nowhere/ev.csv" \
    -t train.csv -v val.csv --test test.csv -o nowhere/ev
printf 'index,influence,datasource_index\n0,-1,0\n1,2,1\n' > short.csv
bad 1 "influence CSV of another table" "scores 2 rows, but the training table has 40" \
    -t train.csv --test test.csv --influence short.csv

# --- A good run -------------------------------------------------------------------------
expect_status 0 "curve on small tables" evaluate -t train.csv -v val.csv --test test.csv \
    --remove 0,2,10% --eval-seeds 2
check "stdout: the table's header" grep -qE "^ +k +fraction +harmful accuracy" out.txt
check "stdout: a line per size" test "$(grep -cE '^ +(0|2|4) +[0-9.]+%' out.txt)" -eq 3
check "stderr silent without a terminal" test ! -s err.txt
check "evaluation.csv header" test "$(head -n 1 evaluation.csv)" = \
    "k,fraction,harmful_accuracy_mean,harmful_accuracy_std,random_accuracy_mean,random_accuracy_std,harmful_loss_mean,harmful_loss_std,random_loss_mean,random_loss_std"
check "evaluation.csv: k column" test "$(tail -n +2 evaluation.csv | cut -d, -f1 | tr '\n' ' ')" = "0 2 4 "
check "scores written" test "$(head -n 1 evaluation.influence.csv)" = \
    "index,influence,datasource_index"
check "their sidecar" test -s evaluation.influence.csv.json
if /usr/bin/python3 -c 'import json' 2>/dev/null; then
    check "evaluation.json: the agreed schema" /usr/bin/python3 -c '
import json, sys
d = json.load(open("evaluation.json"))
assert d["tool"] == "sgd-influence evaluate" and d["test"] == "test.csv", d
assert d["influence_csv"] == "evaluation.influence.csv" and d["seeds"] == [0, 1], d
assert [p["k"] for p in d["points"]] == [0, 2, 4]
for p in d["points"]:
    for r in ("harmful", "random"):
        s = p[r]
        assert len(s["accuracy"]) == 2 and len(s["loss"]) == 2
        assert abs(s["accuracy_mean"] - sum(s["accuracy"]) / 2) < 1e-12
        assert abs(s["loss_mean"] - sum(s["loss"]) / 2) < 1e-12
        assert s["accuracy_std"] >= 0 and s["loss_std"] >= 0
assert d["points"][0]["harmful"] == d["points"][0]["random"]
assert abs(d["points"][2]["fraction"] - 0.1) < 1e-15
'
fi
no_temporaries .
mv evaluation.csv first.csv
mv evaluation.json first.json
expect_status 0 "again from --influence, no validation table" evaluate -t train.csv \
    --test test.csv --influence evaluation.influence.csv --remove 0,2,10% --eval-seeds 2 -o again
check "the same curve" cmp -s first.csv again.csv
check "no scores written with --influence" test ! -e again.influence.csv
check "the JSON names the influence CSV it read" grep -qF '"influence_csv": "evaluation.influence.csv"' again.json
expect_status 0 "other seeds" evaluate -t train.csv --test test.csv \
    --influence evaluation.influence.csv --remove 0,2,10% --eval-seeds 2 -s 5 -o seeded
check "another curve with other seeds" bash -c '! cmp -s first.csv seeded.csv'

# --- The bundled table: harmful beats random ---------------------------------------------
bc=$examples/breast_cancer
awk 'NR == 1 || NR % 2 == 0' "$bc/val.csv" > bc_val.csv
awk 'NR == 1 || NR % 2 == 1' "$bc/val.csv" > bc_test.csv
expect_status 0 "breast_cancer" evaluate -t "$bc/train.csv" -v bc_val.csv --test bc_test.csv \
    --remove 0,5% -o bc
check "removing the 5 % most harmful beats 5 % random rows (accuracy and loss)" awk -F, \
    'NR == 3 { exit !($3 > $5 && $7 < $9) }' bc.csv
finish
