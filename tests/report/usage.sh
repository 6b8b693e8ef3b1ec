#!/usr/bin/env bash
# usage.sh — the command line of `sgd-influence report`: usage errors exit 2, bad
# inputs exit 1 naming the file, nothing is written on failure, a table's page is
# written (no browser needed).
. "$(dirname "$0")/../cli/lib.sh"

make_table train.csv 40 1
expect_status 0 "score a table" -t train.csv -v train.csv -o inf.csv -e 2 --threads 1 -q

expect_status 0 "--help" report --help
check "help on stdout" grep -q "Usage: sgd-influence report" out.txt
expect_status 2 "no -i" report -o page.html
stderr_has "the influence CSV (-i) is required"
expect_status 2 "unknown option" report -i inf.csv --bogus
stderr_has "unknown option '--bogus'"
expect_status 2 "--top 0" report -i inf.csv --top 0
expect_status 2 "--top with text" report -i inf.csv --top 5x
expect_status 2 "-o needs a value" report -i inf.csv -o
expect_status 2 "a stray argument" report -i inf.csv extra
expect_status 2 "the output is an input" report -i inf.csv -o inf.csv
check "the input is untouched" test "$(head -n 1 inf.csv)" = "index,influence,datasource_index"

expect_status 1 "missing CSV" report -i absent.csv -o page.html
stderr_has "sgd-influence: cannot open absent.csv"
printf '{"tool": "sgd-influence",\n "rows": 40,,\n}\n' >bad.json
expect_status 1 "malformed sidecar" report -i inf.csv --sidecar bad.json -o page.html
stderr_has "bad.json:2: malformed JSON"
expect_status 1 "evaluation is not evaluate's" report -i inf.csv --evaluation inf.csv.json -o page.html
stderr_has "inf.csv.json: points"
check "nothing written on failure" test ! -e page.html
no_temporaries .

expect_status 0 "a table's page" report -i inf.csv -o page.html --top 5
check "the page names its rows" grep -q '<span id="rows-scored">40</span>' page.html
check "5 rows at each end" test "$(grep -c '<tr class="sample' page.html)" -eq 10
check "the cells of the training table" grep -q '<th>x__0</th>' page.html
mkdir -p elsewhere
expect_status 1 "--train of another table" report -i inf.csv -t elsewhere/t.csv -o page2.html
stderr_has "elsewhere/t.csv"
make_table elsewhere/t.csv 30 2
expect_status 1 "--train with other rows" report -i inf.csv -t elsewhere/t.csv -o page2.html
stderr_has "has 30 data rows"
finish
