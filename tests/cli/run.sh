# run.sh — a good run: the influence CSV (exact header, every row once,
# index = datasource_index, ascending), the JSON sidecar, silence without a
# terminal, the --validate report, and the main option combinations.
. "$(dirname "$0")/lib.sh"

N=60
make_table train.csv $N 11 4
make_table val.csv 30 12 4

# check_influence FILE ROWS: the layout of an influence CSV.
check_influence() {
    local file=$1 rows=$2
    check "$file: exact header" test "$(head -n 1 "$file")" = "index,influence,datasource_index"
    check "$file: $rows rows" test "$(($(wc -l <"$file") - 1))" -eq "$rows"
    check "$file: \\n line ends" test "$(grep -c $'\r' "$file")" -eq 0
    check "$file: index = datasource_index, 0-based ints" \
        awk -F, 'NR > 1 && !($1 ~ /^[0-9]+$/ && $1 == $3 && NF == 3) { exit 1 }' "$file"
    check "$file: every row exactly once" \
        test "$(tail -n +2 "$file" | cut -d, -f1 | sort -n | uniq | awk -v n="$rows" \
            '$1 == NR - 1 { k++ } END { print (k == n && NR == n) ? "yes" : "no" }')" = yes
    check "$file: sorted by influence ascending" \
        awk -F, 'NR > 2 && ($2 + 0 < prev || ($2 + 0 == prev && $1 + 0 < row)) { exit 1 }
                 NR > 1 { prev = $2 + 0; row = $1 + 0 }' "$file"
    check "$file: scores are finite numbers" \
        awk -F, 'NR > 1 && $2 !~ /^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$/ { exit 1 }' "$file"
}

json_valid() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"
    fi
}

expect_status 0 "default run" -t train.csv -v val.csv -e 3 -b 8
check_influence influence.csv $N
check "sidecar written" test -s influence.csv.json
check "sidecar: sign convention" grep -qF \
    '"sign_convention": "negative = removing the row lowers the validation loss = harmful"' \
    influence.csv.json
check "sidecar: valid JSON" json_valid influence.csv.json
check "sidecar: rows" grep -qF "\"rows\": $N," influence.csv.json
check "sidecar: method" grep -qF '"method": "all"' influence.csv.json
check "sidecar: train path as given" grep -qF '"train": "train.csv"' influence.csv.json
check "sidecar: no validation" grep -qF '"validation": null' influence.csv.json
stdout_empty
check "stderr silent without a terminal" test ! -s err.txt
no_temporaries .

expect_status 0 "-o into a subdirectory, --quiet" -t train.csv -v val.csv -e 2 -b 8 \
    -o sub.csv --quiet
check_influence sub.csv $N
check "sidecar beside -o" test -s sub.csv.json

expect_status 0 "--validate 4" -t train.csv -v val.csv -e 3 -b 8 --validate 4 -o v.csv \
    --network logreg --hessian plugin
stderr_has "Kendall"
stderr_has "Pearson"
stderr_has "paper"
stdout_empty
check "sidecar: validation block" grep -qF '"kendall_tau": ' v.csv.json
check "sidecar: validation count" grep -qF '"count": 4' v.csv.json
check "sidecar with validation: valid JSON" json_valid v.csv.json

# --momentum alone selects the momentum solver.
expect_status 0 "--momentum implies --solver momentum" -t train.csv -v val.csv -e 2 -b 8 \
    --momentum 0.5 -o m.csv
check "sidecar: solver momentum" grep -qF '"name": "momentum"' m.csv.json
check "sidecar: momentum value" grep -qF '"momentum": 0.5' m.csv.json

k=0
for combo in "--method last" "--hessian paper" "--hessian none" "--network logreg" \
    "--solver nesterov --lr 0.01" "--solver sgd --momentum 0.3" "--hidden 16 --activation tanh" \
    "--hidden 4,4,4 --activation elu --dropout 0" "--activation sigmoid --weight-decay 0" \
    "--activation leaky_relu --trials 2" "--threads 1" "-b 200"; do
    k=$((k + 1))
    # shellcheck disable=SC2086
    expect_status 0 "run with $combo" -t train.csv -v val.csv -e 2 -b 8 $combo -o c$k.csv
    check_influence c$k.csv $N
done
check "--solver sgd wins over --momentum" grep -qF '"name": "sgd"' c6.csv.json
check "--trials 2: two seeds" grep -qF '"seeds": [0, 1]' c10.csv.json
no_temporaries .
finish
