# no_clobber.sh — a failed run leaves an existing output file as it was and
# leaves no partial or temporary file behind.
. "$(dirname "$0")/lib.sh"

make_table train.csv 30 51
make_table val.csv 10 52
printf 'precious\n' >influence.csv
printf 'precious sidecar\n' >influence.csv.json

expect_status 1 "validation table missing" -t train.csv -v missing.csv
stderr_has "missing.csv"
check "existing CSV untouched" test "$(cat influence.csv)" = precious
check "existing sidecar untouched" test "$(cat influence.csv.json)" = "precious sidecar"

printf 'x__0,x__1,x__2,y\n1,2,3,0\n1,2,oops,1\n' >bad.csv
expect_status 1 "bad validation table" -t train.csv -v bad.csv
check "existing CSV untouched after a bad table" test "$(cat influence.csv)" = precious

expect_status 2 "usage error" -t train.csv -v val.csv --lr zero
check "existing CSV untouched after a usage error" test "$(cat influence.csv)" = precious

# The output cannot be written: its directory does not exist, or it is a directory.
expect_status 1 "output directory missing" -t train.csv -v val.csv -e 1 -o nodir/out.csv
stderr_has "nodir/out.csv"
check "nothing created" test ! -e nodir
mkdir outdir
expect_status 1 "output is a directory" -t train.csv -v val.csv -e 1 -o outdir
stderr_has "outdir"
check "directory untouched" test -d outdir

# The CSV can be written but the trace cannot: exit 1, with a message.
expect_status 1 "trace not writable" -t train.csv -v val.csv -e 1 -o t.csv --trace nodir/t.txt
stderr_has "nodir/t.txt"

# A successful run replaces the old file.
expect_status 0 "good run" -t train.csv -v val.csv -e 1
check "CSV replaced" test "$(head -n 1 influence.csv)" = "index,influence,datasource_index"
no_temporaries .
finish
