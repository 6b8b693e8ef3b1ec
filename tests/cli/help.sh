# help.sh — --help and --version exit 0 on stdout; the help states the sign
# convention, the sort order and every option.
. "$(dirname "$0")/lib.sh"

for flag in --help -h; do
    expect_status 0 "$flag" "$flag"
    check "$flag prints to stdout" test -s out.txt
    check "$flag prints nothing to stderr" test ! -s err.txt
done
check "help states the sign convention" \
    grep -qF "negative = removing the row lowers the validation loss = the row is harmful" out.txt
check "help states the order" grep -qF "most harmful first" out.txt
for opt in --input-train --input-val --output --seed --batch-size --epochs --trials --method \
    --hessian --network --hidden --dropout --activation --solver --lr --momentum \
    --weight-decay --threads --validate --trace --save-initial-params --quiet --help \
    --version --batch_size --n_trials --num-epochs; do
    if grep -qF -- "$opt" out.txt; then pass "help mentions $opt"; else fail "help lacks $opt"; fi
done
for word in all last plugin paper none influence.csv .json "(default: "; do
    if grep -qF -- "$word" out.txt; then pass "help mentions $word"; else fail "help lacks $word"; fi
done

for flag in --version -V; do
    expect_status 0 "$flag" "$flag"
    check "$flag prints 'sgd-influence X.Y.Z'" grep -qxE 'sgd-influence [0-9]+\.[0-9]+\.[0-9]+' out.txt
done
finish
