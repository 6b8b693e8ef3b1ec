# usage.sh — usage errors exit 2 with a message naming the option and a hint,
# write nothing to stdout and create no output file.
. "$(dirname "$0")/lib.sh"

make_table train.csv 20 1
make_table val.csv 10 2

usage_error() {
    local what=$1 mention=$2
    shift 2
    expect_status 2 "$what" "$@"
    stderr_has "$mention"
    stderr_has "Try 'sgd-influence --help'."
    stdout_empty
}

usage_error "no arguments" "sgd-influence:"
usage_error "unknown option" "--frobnicate" -t train.csv -v val.csv --frobnicate
usage_error "unknown short option" "-Z" -t train.csv -v val.csv -Z
usage_error "missing -t" "--input-train" -v val.csv
usage_error "missing -v" "--input-val" -t train.csv
usage_error "extra positional argument" "extra.csv" -t train.csv -v val.csv extra.csv
usage_error "option without its value" "--lr" -t train.csv -v val.csv --lr
usage_error "--lr abc" "--lr" -t train.csv -v val.csv --lr abc
usage_error "--lr 1e" "--lr" -t train.csv -v val.csv --lr 1e
usage_error "--lr nan" "--lr" -t train.csv -v val.csv --lr nan
usage_error "--lr -1" "--lr" -t train.csv -v val.csv --lr -1
usage_error "-e 3x" "--epochs" -t train.csv -v val.csv -e 3x
usage_error "-e 1e3" "--epochs" -t train.csv -v val.csv -e 1e3
usage_error "-e out of range" "--epochs" -t train.csv -v val.csv -e 99999999999999999999
usage_error "-b 0" "--batch-size" -t train.csv -v val.csv -b 0
usage_error "--batch_size -4" "--batch-size" -t train.csv -v val.csv --batch_size -4
usage_error "-s -1" "--seed" -t train.csv -v val.csv -s -1
usage_error "--trials 0" "--trials" -t train.csv -v val.csv --trials 0
usage_error "--threads 0" "--threads" -t train.csv -v val.csv --threads 0
usage_error "--dropout 1" "--dropout" -t train.csv -v val.csv --dropout 1
usage_error "--dropout 1.5" "--dropout" -t train.csv -v val.csv --dropout 1.5
usage_error "--momentum 1" "--momentum" -t train.csv -v val.csv --momentum 1
usage_error "--weight-decay -0.1" "--weight-decay" -t train.csv -v val.csv --weight-decay -0.1
usage_error "--hidden 8,,8" "--hidden" -t train.csv -v val.csv --hidden 8,,8
usage_error "--hidden 8," "--hidden" -t train.csv -v val.csv --hidden 8,
usage_error "--hidden 0" "--hidden" -t train.csv -v val.csv --hidden 0
usage_error "--hidden too many" "--hidden" -t train.csv -v val.csv --hidden 1,2,3,4,5,6,7,8,9
usage_error "--validate -1" "--validate" -t train.csv -v val.csv --validate -1
usage_error "bad --method" "--method" -t train.csv -v val.csv --method first
usage_error "bad --hessian" "--hessian" -t train.csv -v val.csv --hessian exact
usage_error "bad --network" "--network" -t train.csv -v val.csv --network resnet
usage_error "bad --activation" "--activation" -t train.csv -v val.csv --activation gelu
usage_error "bad --solver" "--solver" -t train.csv -v val.csv --solver lbfgs
usage_error "empty --output" "--output" -t train.csv -v val.csv -o ""
usage_error "value given to a flag" "--quiet" -t train.csv -v val.csv --quiet=yes

usage_error "output over the training table" "training table" -t train.csv -v val.csv -o train.csv
usage_error "output over the validation table" "validation table" -t train.csv -v val.csv \
    -o ./val.csv
usage_error "trace over the output" "--trace" -t train.csv -v val.csv -o o.csv --trace o.csv
usage_error "parameters over the sidecar" "sidecar" -t train.csv -v val.csv -o o.csv \
    --save-initial-params o.csv.json
check "training table untouched" test "$(head -n 1 train.csv)" = "x__0,x__1,x__2,y"

check "no output file was created" test ! -e influence.csv
check "no sidecar was created" test ! -e influence.csv.json
finish
