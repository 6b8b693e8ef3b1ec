#!/usr/bin/env bash
# fidelity.sh — are the scores right? Two measurements, printed as Markdown tables.
#
#   bench/fidelity.sh [SGD_INFLUENCE]        (default: build/sgd-influence)
#
# Environment: SEEDS (default "0 1 2"), THREADS (default 1), WORK (scratch directory),
# SECTIONS (default "validate flip").
#
# (1) validate: the tool's own leave-one-out self-check (--validate N over ALL N training
#     rows: each row left out in turn, training repeated with the same batches and divisor,
#     the true change of the validation loss compared with the estimate): Kendall's tau and
#     Pearson's r, for logistic regression with plain SGD (all/paper, all/plugin, last/paper)
#     and for the MLP 8-8 with dropout, with SGD and with momentum (ReLU as the plugin's
#     network, and tanh, which keeps the true change itself non-chaotic). Momentum 0.9
#     runs use lr 0.005 (the same effective step as SGD at 0.05), and once lr 0.05.
#     Data: breast_cancer, standardised, no flipped labels.
# (2) flip: 5 % of the training labels flipped (tools/make_dataset.py --flip 0.05); the
#     fraction of the flipped rows found among the 5 % most harmful rows, for every
#     method x curvature, for logistic regression and for the default MLP 8-8 with dropout,
#     on breast_cancer and digits, mean (min-max) over SEEDS (data split, flips and the
#     tool's seed all vary). Chance is 5 %.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
tool=$(readlink -f "${1:-$src/build/sgd-influence}")
seeds=${SEEDS:-0 1 2}
threads=${THREADS:-1}
sections=${SECTIONS:-validate flip}
work=${WORK:-$(mktemp -d /tmp/sgdi-fidelity.XXXXXX)}
py=/usr/bin/python3
mkdir -p "$work"
[ -x "$tool" ] || { echo "fidelity: $tool is not an executable" >&2; exit 2; }

dataset() { # dir make_dataset-args...
    local dir=$1
    shift
    if [ ! -f "$dir/train.csv" ]; then
        "$py" "$src/tools/make_dataset.py" "$@" --out-dir "$dir" 2>/dev/null
    fi
}

if [[ " $sections " == *" validate "* ]]; then
    bc=$work/breast_cancer
    dataset "$bc" breast_cancer --seed 0
    n=$(($(wc -l <"$bc/train.csv") - 1))
    echo "### Leave-one-out self-check over all $n training rows (breast_cancer, 20 epochs," \
         "batch 64, weight decay 1e-4)"
    echo
    echo "| network | solver | lr | method | hessian | Kendall τ | Pearson r |" \
         "τ of paper | r of paper | seconds |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    validate_case() { # label solver lr method hessian options...
        local label=$1 solver=$2 lr=$3 method=$4 hessian=$5
        shift 5
        local out=$work/validate.csv
        local t0 t1
        t0=$(date +%s.%N)
        "$tool" -t "$bc/train.csv" -v "$bc/val.csv" -o "$out" --quiet --validate "$n" \
            --solver "$solver" --lr "$lr" --method "$method" --hessian "$hessian" \
            --threads "$threads" "$@" 2>"$work/validate.err" ||
            { cat "$work/validate.err" >&2; return 1; }
        t1=$(date +%s.%N)
        "$py" - "$out.json" "$label" "$solver" "$lr" "$method" "$hessian" "$t0" "$t1" <<'EOF'
import json, math, sys
v = json.load(open(sys.argv[1]))["validation"]
label, solver, lr, method, hessian, t0, t1 = sys.argv[2:]
f = lambda x: "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"
paper = (v.get("paper_kendall_tau"), v.get("paper_pearson_r"))
if hessian == "paper":
    paper = (None, None)
print(f"| {label} | {solver} | {lr} | {method} | {hessian} | {f(v['kendall_tau'])} | "
      f"{f(v['pearson_r'])} | {f(paper[0])} | {f(paper[1])} | "
      f"{float(t1) - float(t0):.1f} |")
EOF
    }
    relu=(--network mlp --hidden 8,8 --dropout 0.5 --activation relu)
    tanh=(--network mlp --hidden 8,8 --dropout 0.5 --activation tanh)
    validate_case "logreg" sgd 0.05 all paper --network logreg
    validate_case "logreg" sgd 0.05 all plugin --network logreg
    validate_case "logreg" sgd 0.05 last paper --network logreg
    validate_case "logreg" sgd 0.05 last plugin --network logreg
    validate_case "MLP 8-8 ReLU, dropout 0.5" sgd 0.05 all paper "${relu[@]}"
    validate_case "MLP 8-8 ReLU, dropout 0.5" sgd 0.05 all plugin "${relu[@]}"
    validate_case "MLP 8-8 tanh, dropout 0.5" sgd 0.05 all paper "${tanh[@]}"
    # Momentum 0.9 multiplies the effective step by 10: lr 0.005 is the SGD rows' step;
    # lr 0.05 (an effective 0.5) is shown as the regime where linearisation breaks down.
    validate_case "MLP 8-8 ReLU, dropout 0.5" momentum 0.005 all paper "${relu[@]}"
    validate_case "MLP 8-8 ReLU, dropout 0.5" momentum 0.005 all plugin "${relu[@]}"
    validate_case "MLP 8-8 tanh, dropout 0.5" momentum 0.005 all paper "${tanh[@]}"
    validate_case "MLP 8-8 tanh, dropout 0.5" momentum 0.005 last paper "${tanh[@]}"
    validate_case "MLP 8-8 ReLU, dropout 0.5" momentum 0.05 all paper "${relu[@]}"
    validate_case "MLP 8-8 tanh, dropout 0.5" momentum 0.05 all paper "${tanh[@]}"
    echo
fi

if [[ " $sections " == *" flip "* ]]; then
    results=$work/flip.tsv
    : >"$results"
    for data in breast_cancer digits; do
        for seed in $seeds; do
            dir=$work/flip/$data.$seed
            dataset "$dir" "$data" --seed "$seed" --flip 0.05
            n=$(($(wc -l <"$dir/train.csv") - 1))
            k=$(((n + 19) / 20)) # the 5 % most harmful, rounded up
            for network in logreg mlp mlp-8-8; do
                # mlp: the tool's default MLP; mlp-8-8: the tabular plugin's network.
                case $network in
                mlp-8-8) net=(--network mlp --hidden 8,8 --dropout 0.5 --lr 0.05) ;;
                *) net=(--network "$network") ;;
                esac
                for method in all last; do
                    for hessian in paper plugin none; do
                        out=$work/flip.csv
                        "$tool" -t "$dir/train.csv" -v "$dir/val.csv" -o "$out" --quiet \
                            -s "$seed" "${net[@]}" --method "$method" \
                            --hessian "$hessian" --threads "$threads"
                        found=$(awk -F, -v k="$k" 'NR == FNR { f[$1] = 1; next }
                                FNR > 1 && FNR <= k + 1 && ($3 in f) { c++ }
                                END { print c + 0 }' "$dir/train.flipped.txt" "$out")
                        flipped=$(wc -l <"$dir/train.flipped.txt")
                        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$data" "$seed" "$network" \
                            "$method" "$hessian" "$found" "$flipped" >>"$results"
                    done
                done
            done
        done
    done
    echo "### Flipped labels found among the 5 % most harmful rows (5 % of training labels" \
         "flipped; defaults otherwise: SGD, lr 0.1, batch 64, 20 epochs; mlp = --network mlp" \
         "(32-32 ReLU, dropout 0.2); mlp-8-8 = the plugin's network, dropout 0.5, lr 0.05;" \
         "seeds: $seeds)"
    echo
    "$py" - "$results" <<'EOF'
import collections, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
frac = collections.defaultdict(list)
datasets = []
for data, seed, net, method, hessian, found, flipped in rows:
    frac[(net, method, hessian, data)].append(int(found) / int(flipped))
    if data not in datasets:
        datasets.append(data)
print("| network | method | hessian | " + " | ".join(datasets) + " |")
print("|---|---|---|" + "---|" * len(datasets))
for net in ("logreg", "mlp", "mlp-8-8"):
    for method in ("all", "last"):
        for hessian in ("paper", "plugin", "none"):
            cells = []
            for d in datasets:
                v = frac[(net, method, hessian, d)]
                cells.append(f"{100 * sum(v) / len(v):.0f} % ({100 * min(v):.0f}–"
                             f"{100 * max(v):.0f})")
            default = " (default)" if (net, method, hessian) == ("logreg", "all", "paper") else ""
            print(f"| {net} | {method} | {hessian}{default} | " + " | ".join(cells) + " |")
EOF
    echo
fi
echo "(scratch files in $work)" >&2
