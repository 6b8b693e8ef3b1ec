# bad_csv.sh — a malformed table (training or validation) is a failure: exit 1,
# a message naming the file (and the line where there is one), no output file.
. "$(dirname "$0")/lib.sh"

make_table good.csv 20 1
printf 'x__0,x__1,y\n0.5,1.5,0\n0.25,abc,1\n' >not_a_number.csv
printf 'x__0,x__1,y\n0.5,1.5,0\n0.25,1\n' >ragged.csv
printf 'x__0,x__1\n0.5,1.5\n0.25,1\n' >missing_y.csv
printf 'x__0,x__1,y\n0.5,1.5,0\n0.25,0.5,-1\n' >bad_label.csv
: >empty.csv

# bad_input DESCRIPTION FILE MENTION ARGS...
bad_input() {
    local what=$1 file=$2 mention=$3
    shift 3
    expect_status 1 "$what" "$@"
    stderr_has "sgd-influence: "
    stderr_has "$file"
    stderr_has "$mention"
    stdout_empty
    check "$what: no output written" test ! -e out.csv -a ! -e out.csv.json
}

bad_input "train: not a number" not_a_number.csv "not_a_number.csv:3" \
    -t not_a_number.csv -v good.csv -o out.csv -e 1
bad_input "train: ragged row" ragged.csv "ragged.csv:3" -t ragged.csv -v good.csv -o out.csv -e 1
bad_input "train: missing y" missing_y.csv "'y'" -t missing_y.csv -v good.csv -o out.csv -e 1
bad_input "train: negative label" bad_label.csv "bad_label.csv:3" \
    -t bad_label.csv -v good.csv -o out.csv -e 1
bad_input "train: empty file" empty.csv "empty.csv" -t empty.csv -v good.csv -o out.csv -e 1
bad_input "train: missing file" nowhere.csv "nowhere.csv" -t nowhere.csv -v good.csv -o out.csv -e 1
bad_input "val: not a number" not_a_number.csv "not_a_number.csv:3" \
    -t good.csv -v not_a_number.csv -o out.csv -e 1
bad_input "val: ragged row" ragged.csv "ragged.csv:3" -t good.csv -v ragged.csv -o out.csv -e 1
bad_input "val: missing y" missing_y.csv "'y'" -t good.csv -v missing_y.csv -o out.csv -e 1

# Validation columns that differ from training.
printf 'x__0,x__1,x__2,x__3,y\n0.5,1.5,0,1,0\n' >wider.csv
bad_input "val: other columns" wider.csv "good.csv" -t good.csv -v wider.csv -o out.csv -e 1
no_temporaries .

# An output that cannot be written fails before the run, so that no other output is
# written either (the trace is written after the CSV and its sidecar).
bad_input "output in a missing folder" "nowhere/out.csv" "cannot create" \
    -t good.csv -v good.csv -o nowhere/out.csv -e 1
bad_input "trace in a missing folder" "nowhere/trace.txt" "cannot create" \
    -t good.csv -v good.csv -o out.csv --trace nowhere/trace.txt -e 1
no_temporaries .
finish
