# tty.sh — on a terminal (a pseudo-terminal from script(1)): one updating
# progress line and a summary on stderr; --quiet silences both. Skipped
# (exit 77) where script(1) is missing.
. "$(dirname "$0")/lib.sh"

if ! command -v script >/dev/null 2>&1; then
    echo "script(1) not found: skipped"
    exit 77
fi

make_table train.csv 60 61
make_table val.csv 20 62

# on_tty OUTPUT ARGS...: runs the tool on a pseudo-terminal, everything it
# prints going to OUTPUT; sets STATUS.
on_tty() {
    local output=$1 cmd
    shift
    cmd=$(printf '%q ' "$BIN" "$@")
    script -qec "$cmd" /dev/null >"$output" </dev/null
    STATUS=$?
}

on_tty tty.txt -t train.csv -v val.csv -e 2 -b 8 -o o.csv
check "exit 0 on a terminal" test "$STATUS" -eq 0
check "progress line updated in place" grep -q $'\r' tty.txt
check "progress shows a percentage" grep -q '%' tty.txt
check "progress shows the time left" grep -qF 'left' tty.txt
check "summary names the rows" grep -qF 'scored 60 rows' tty.txt
check "summary names the output" grep -qF 'o.csv' tty.txt
check "output written" test -s o.csv

on_tty quiet.txt -t train.csv -v val.csv -e 2 -b 8 -o q.csv --quiet
check "exit 0 with --quiet" test "$STATUS" -eq 0
check "--quiet prints nothing" test ! -s quiet.txt
check "--quiet: same scores" cmp -s o.csv q.csv
finish
