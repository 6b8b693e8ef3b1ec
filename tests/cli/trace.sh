# trace.sh — --trace writes one line per training step, "epoch step lr rows…",
# each epoch visiting every row once; --save-initial-params writes P float32.
. "$(dirname "$0")/lib.sh"

N=50
B=8
E=3
make_table train.csv $N 31
make_table val.csv 20 32

expect_status 0 "run with --trace and --save-initial-params" -t train.csv -v val.csv \
    -b $B -e $E --lr 0.05 --trace trace.txt --save-initial-params theta0.bin
PER_EPOCH=$(((N + B - 1) / B))
STEPS=$((PER_EPOCH * E))
check "trace: one line per step ($STEPS)" test "$(wc -l <trace.txt)" -eq $STEPS
check "sidecar: steps = trace lines" grep -qF "\"steps\": $STEPS," influence.csv.json
check "trace: epoch and step numbering" awk -v per=$PER_EPOCH \
    '$1 != int((NR - 1) / per) || $2 != (NR - 1) % per { exit 1 }' trace.txt
check "trace: batch sizes" awk -v n=$N -v b=$B -v per=$PER_EPOCH \
    '{ want = ($2 < per - 1) ? b : n - b * (per - 1); if (NF - 3 != want) exit 1 }' trace.txt
check "trace: lr is the step size" awk '$3 + 0 < 0.0499 || $3 + 0 > 0.0501 { exit 1 }' trace.txt
check "trace: every epoch covers every row once" awk -v n=$N '
    { for (k = 4; k <= NF; k++) { if ($k < 0 || $k >= n || seen[$1, $k]++) exit 1; count[$1]++ } }
    END { for (e in count) if (count[e] != n) exit 1 }' trace.txt
check "trace: epochs shuffled differently" \
    test "$(awk '$1 == 0 && $2 == 0' trace.txt | cut -d' ' -f4-)" != \
    "$(awk '$1 == 1 && $2 == 0' trace.txt | cut -d' ' -f4-)"

P=$(sed -n 's/^ *"parameters": \([0-9]*\),$/\1/p' influence.csv.json)
check "sidecar: parameters ($P)" test -n "$P"
check "initial parameters: 4 bytes each" test "$(wc -c <theta0.bin)" -eq $((4 * ${P:-0}))

# One batch per epoch when the batch is larger than the table.
expect_status 0 "trace with -b 64 (one batch per epoch)" -t train.csv -v val.csv -b 64 -e 2 \
    --trace t2.txt -o o2.csv
check "trace: 2 lines" test "$(wc -l <t2.txt)" -eq 2
check "trace: whole table per batch" awk -v n=$N 'NF - 3 != n { exit 1 }' t2.txt
finish
