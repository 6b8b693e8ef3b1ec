# plugin_spellings.sh — the NNC plugin's option spellings give the same run as
# the short options.
. "$(dirname "$0")/lib.sh"

make_table train.csv 40 21
make_table val.csv 20 22

expect_status 0 "short options" -t train.csv -v val.csv -o a.csv -s 3 -b 6 -e 2 --trials 2
expect_status 0 "plugin spellings" --input-train train.csv --input-val val.csv --output b.csv \
    --seed 3 --batch_size 6 --num-epochs 2 --n_trials 2
expect_status 0 "long options with =" --input-train=train.csv --input-val=val.csv \
    --output=c.csv --seed=3 --batch-size=6 --epochs=2 --trials=2
check "plugin spellings: same scores" cmp -s a.csv b.csv
check "long options: same scores" cmp -s a.csv c.csv
check "sidecar: batch size from --batch_size" grep -qF '"batch_size": 6' b.csv.json
check "sidecar: trials from --n_trials" grep -qF '"seeds": [3, 4]' b.csv.json
check "sidecar: epochs from --num-epochs" grep -qF '"epochs": 2' b.csv.json
finish
