#!/usr/bin/env bash
# run_bench.sh — speed and memory of sgd-influence, side by side with the PyTorch baseline.
#
#   bench/run_bench.sh [SGD_INFLUENCE]        (default: build/sgd-influence)
#
# Environment: THREADS (default 1; both programs get the same count), REPS (default 3;
# the median is reported), WORK (scratch directory, default a fresh one under /tmp),
# SECTIONS (default "speed memory").
#
# (1) Speed. The same data, options, initial parameters and batch sequence for both (the
#     baseline replays the tool's --trace and --save-initial-params). "compute s" is the
#     time of training + scoring as each program reports it (the tool: the sidecar's
#     seconds.train + seconds.score; the baseline: --time), "wall s" the whole process including reading the
#     CSV and, for Python, importing torch. rows/s = training rows x epochs / compute s.
#     Medians of REPS runs; "best of" compares the fastest run of each, which is the
#     steadier figure on a shared machine.
# (2) Memory. Peak RSS (/usr/bin/time -f %M) of --method all for a run of about 10,000
#     steps, against T x P x 4 bytes (what storing every step's parameters would take),
#     with --method last (which stores theta_T only) as the floor of fixed costs.
#
# Prints Markdown tables for bench/README.md. Needs /usr/bin/python3 with numpy, torch
# and functorch, and /usr/bin/time (apt-get install time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
tool=$(readlink -f "${1:-$src/build/sgd-influence}")
threads=${THREADS:-1}
reps=${REPS:-3}
sections=${SECTIONS:-speed memory}
work=${WORK:-$(mktemp -d /tmp/sgdi-bench.XXXXXX)}
py=/usr/bin/python3
mkdir -p "$work"
[ -x "$tool" ] || { echo "run_bench: $tool is not an executable" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    echo "run_bench: /usr/bin/time is missing: apt-get install time" >&2
    exit 2
fi
cpus=$(getconf _NPROCESSORS_ONLN) # before OMP_NUM_THREADS, which nproc obeys
cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

dataset() { # name make_dataset-args...
    local dir=$work/data/$1
    shift
    if [ ! -f "$dir/train.csv" ]; then
        "$py" "$src/tools/make_dataset.py" "$@" --out-dir "$dir" 2>/dev/null
    fi
    echo "$dir"
}

minimum() { "$py" -c 'import sys; print(min(map(float, sys.argv[1:])))' "$@"; }
median() { "$py" -c 'import sys, statistics; print(statistics.median(map(float, sys.argv[1:])))' "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

# Seconds the tool spent training and scoring (sidecar "seconds": train + score).
tool_seconds() {
    "$py" -c 'import json, sys; s = json.load(open(sys.argv[1]))["seconds"]; print(s["train"] + s["score"])' "$1"
}

speed_case() { # title data_dir epochs options...
    local title=$1 dir=$2 epochs=$3
    shift 3
    local opts=("$@" -e "$epochs" --threads "$threads")
    local rows
    rows=$(($(wc -l <"$dir/train.csv") - 1))
    local tw=() tc=() bw=() bc=()
    for r in $(seq "$reps"); do
        local out=$work/speed.csv
        local t0 t1
        t0=$(now)
        "$tool" -t "$dir/train.csv" -v "$dir/val.csv" -o "$out" --quiet \
            --trace "$work/trace.txt" --save-initial-params "$work/init.f32" "${opts[@]}"
        t1=$(now)
        tw+=("$(elapsed "$t0" "$t1")")
        tc+=("$(tool_seconds "$out.json")")
        t0=$(now)
        "$py" "$here/baseline_torch.py" -t "$dir/train.csv" -v "$dir/val.csv" \
            -o "$work/speed.torch.csv" --trace "$work/trace.txt" --init "$work/init.f32" \
            --time "${opts[@]}" 2>"$work/torch.time"
        t1=$(now)
        bw+=("$(elapsed "$t0" "$t1")")
        bc+=("$(awk '/^(train|score)_seconds/ {s += $2} END {print s}' "$work/torch.time")")
    done
    local steps params
    steps=$(awk '/^steps/ {print $2}' "$work/torch.time")
    params=$(awk '/^parameters/ {print $2}' "$work/torch.time")
    local mtw mtc mbw mbc
    mtw=$(median "${tw[@]}"); mtc=$(median "${tc[@]}")
    mbw=$(median "${bw[@]}"); mbc=$(median "${bc[@]}")
    "$py" - "$title" "$rows" "$epochs" "$steps" "$params" "$mtc" "$mtw" "$mbc" "$mbw" \
        "$(minimum "${tc[@]}")" "$(minimum "${bc[@]}")" <<'EOF'
import sys
title, rows, epochs, steps, params = sys.argv[1], *map(int, sys.argv[2:6])
tc, tw, bc, bw, tmin, bmin = map(float, sys.argv[6:12])
work = rows * epochs
print(f"| {title} | {rows} | {steps} | {params} | {tc:.3f} | {bc:.3f} | "
      f"{work / tc:,.0f} | {work / bc:,.0f} | **{bc / tc:.1f}x** | {bmin / tmin:.1f}x | "
      f"{tw:.2f} | {bw:.2f} | {bw / tw:.1f}x |")
EOF
}

if [[ " $sections " == *" speed "* ]]; then
    fm=$(dataset fashion5000 fashion_mnist --rows 5000 --seed 0)
    fm2=$(dataset fashion2000 fashion_mnist --rows 2000 --seed 0)
    dg=$(dataset digits digits --seed 0)
    echo "### Speed ($cpus CPUs, $cpu_model," \
         "threads=$threads, median of $reps)"
    echo
    echo "| case | train rows | steps | P | tool compute s | torch compute s |" \
         "tool rows/s | torch rows/s | speed-up (compute) | speed-up (best of $reps) |" \
         "tool wall s | torch wall s | speed-up (wall) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    speed_case "MLP 8-8 dropout 0.5, Fashion-MNIST 784 px, all/plugin" "$fm" 20 \
        --network mlp --hidden 8,8 --dropout 0.5 --method all --hessian plugin -b 64
    speed_case "MLP 8-8 dropout 0.5, Fashion-MNIST 784 px, last/plugin" "$fm" 20 \
        --network mlp --hidden 8,8 --dropout 0.5 --method last --hessian plugin -b 64
    speed_case "MLP 8-8 dropout 0.5, digits 64 px, all/plugin" "$dg" 20 \
        --network mlp --hidden 8,8 --dropout 0.5 --method all --hessian plugin -b 64
    speed_case "logreg, Fashion-MNIST 784 px, all/paper" "$fm" 20 \
        --network logreg --method all --hessian paper -b 64
    speed_case "wide MLP 1024-1024 dropout 0.5, Fashion-MNIST 784 px, all/plugin" "$fm2" 2 \
        --network mlp --hidden 1024,1024 --dropout 0.5 --method all --hessian plugin -b 64
    speed_case "wide MLP 1024-1024 dropout 0.5, Fashion-MNIST 784 px, last/plugin" "$fm2" 2 \
        --network mlp --hidden 1024,1024 --dropout 0.5 --method last --hessian plugin -b 64
    echo
fi

if [[ " $sections " == *" memory "* ]]; then
    dg=$(dataset digits digits --seed 0)
    rows=$(($(wc -l <"$dg/train.csv") - 1))
    b=16
    spe=$(((rows + b - 1) / b))
    epochs=$(((10000 + spe - 1) / spe))
    steps=$((spe * epochs))
    echo "### Memory: --method all over $steps steps (digits, $rows rows, batch $b," \
         "$epochs epochs)"
    echo
    echo "| network | P | T·P·4 (storing every θ_t) | peak RSS, all | peak RSS, last |" \
         "RSS all / T·P·4 | (RSS all − RSS last) / T·P·4 |"
    echo "|---|---|---|---|---|---|---|"
    for hidden in 8,8 128,128 256,256; do
        declare -A rss=()
        for method in all last; do
            /usr/bin/time -f %M -o "$work/rss.txt" "$tool" -t "$dg/train.csv" -v "$dg/val.csv" \
                -o "$work/mem.csv" --quiet --network mlp --hidden "$hidden" --dropout 0.5 \
                -b $b -e "$epochs" --method $method --threads "$threads" \
                --save-initial-params "$work/mem.init.f32"
            rss[$method]=$(tail -1 "$work/rss.txt")
        done
        params=$(($(stat -c %s "$work/mem.init.f32") / 4))
        "$py" - "$hidden" "$params" "$steps" "${rss[all]}" "${rss[last]}" <<'EOF'
import sys
hidden, p, t, all_kb, last_kb = sys.argv[1], *map(int, sys.argv[2:])
full = t * p * 4
mb = lambda x: f"{x / 2**20:,.1f} MiB"
print(f"| MLP {hidden.replace(',', '-')} | {p:,} | {mb(full)} | {mb(all_kb * 1024)} | "
      f"{mb(last_kb * 1024)} | {100 * all_kb * 1024 / full:.2f} % | "
      f"{100 * (all_kb - last_kb) * 1024 / full:.2f} % |")
EOF
    done
    echo
fi
echo "(scratch files in $work)" >&2
