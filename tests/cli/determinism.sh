# determinism.sh — the same inputs, seed and threads give byte-identical
# output; another seed gives other scores.
. "$(dirname "$0")/lib.sh"

make_table train.csv 80 41 5
make_table val.csv 30 42 5

for threads in 1 2; do
    expect_status 0 "run 1, $threads thread(s)" -t train.csv -v val.csv -e 3 -b 8 -s 5 \
        --threads $threads -o a$threads.csv --trace ta$threads.txt
    expect_status 0 "run 2, $threads thread(s)" -t train.csv -v val.csv -e 3 -b 8 -s 5 \
        --threads $threads -o b$threads.csv --trace tb$threads.txt
    check "same seed, $threads thread(s): identical CSV" cmp -s a$threads.csv b$threads.csv
    check "same seed, $threads thread(s): identical trace" cmp -s ta$threads.txt tb$threads.txt
done

expect_status 0 "another seed" -t train.csv -v val.csv -e 3 -b 8 -s 6 --threads 1 -o c.csv \
    --trace tc.txt
check "another seed: other scores" test "$(cut -d, -f2 a1.csv | sort)" != "$(cut -d, -f2 c.csv | sort)"
check "another seed: other batches" test "$(cat ta1.txt)" != "$(cat tc.txt)"

expect_status 0 "method last, run 1" -t train.csv -v val.csv -e 3 -b 8 --method last -o l1.csv
expect_status 0 "method last, run 2" -t train.csv -v val.csv -e 3 -b 8 --method last -o l2.csv
check "method last: identical CSV" cmp -s l1.csv l2.csv
finish
