#!/usr/bin/env bash
# images.sh — scoring Fashion-MNIST training sets with the built-in CNN: sgd-influence and
# the PyTorch baseline (bench/baseline_torch_cnn.py, the same algorithm, forward-over-reverse,
# oneDNN convolutions) side by side: training and scoring seconds, wall time, peak RSS.
#
#   bench/images.sh [SGD_INFLUENCE]            (default: build/sgd-influence)
#
# Environment: SIZES (training images, default "10000"; "10000 60000" for the full set),
# EPOCHS (default 1: what the plugins train when given a model), THREADS (default 2, both
# programs), METHOD (default last, the image plugin's), WORK (scratch directory), REPEATS
# (default 1: runs of each pair, tool then baseline, one row each; on a shared machine
# compare the fastest run of each).
# Both run the same settings: CNN 32,64,128, batch 64, SGD lr 0.05, weight decay 1e-4,
# --hessian plugin; the baseline replays the tool's initial parameters and batch order.
# Prints a Markdown table for bench/README.md. Needs /usr/bin/time, numpy, torch and
# dataset-fashion-mnist (tools/install-deps.sh --bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
tool=$(readlink -f "${1:-$src/build/sgd-influence}")
sizes=${SIZES:-10000}
epochs=${EPOCHS:-1}
threads=${THREADS:-2}
method=${METHOD:-last}
repeats=${REPEATS:-1}
work=${WORK:-$(mktemp -d /tmp/sgdi-bench-images.XXXXXX)}
py=/usr/bin/python3
mkdir -p "$work"
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
common=(-e "$epochs" -b 64 --lr 0.05 --weight-decay 1e-4 --method "$method" --hessian plugin
        --channels 32,64,128 -s 0)

json() { "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# The model name alone ("AMD EPYC") hides which generation the VM runs on; the tool's
# steps are compute-bound and move with it (Zen 4 runs AVX-512 at half Zen 5's width),
# the baseline's much less: print the family and model too.
cpu_id=$(awk -F': *' '/^cpu family/ { f = $2 } /^model[ \t]*:/ { m = $2 } END { print "family " f ", model " m }' /proc/cpuinfo)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1) ($cpu_id), $(getconf _NPROCESSORS_ONLN) CPUs; threads $threads; epochs $epochs; method $method"
echo
echo "| training images | program | train s | score s | wall s | peak RSS MB | wall vs tool |"
echo "|---|---|---|---|---|---|---|"
for n in $sizes; do
    data=$work/fm$n
    if [ ! -f "$data/train.csv" ]; then
        if [ $((n + 1000)) -le 60000 ]; then
            "$py" "$src/tools/make_image_dataset.py" --train "$n" --val 1000 --flip 0.05 \
                --seed 0 --out "$data" > /dev/null
        else # the training file has no pictures left: validate on 1,000 of the test file's
            "$py" "$src/tools/make_image_dataset.py" --train "$n" --val 0 --test 1000 \
                --flip 0.05 --seed 0 --out "$data" > /dev/null
            cp "$data/test.csv" "$data/val.csv"
        fi
    fi
    best_tool=1e30 best_torch=1e30
    for rep in $(seq "$repeats"); do
        out=$work/tool$n
        mkdir -p "$out"
        /usr/bin/time -f "%e %M" -o "$out/time" "$tool" -t "$data/train.csv" -v "$data/val.csv" \
            -o "$out/inf.csv" --threads "$threads" --network cnn --trace "$out/trace" \
            --save-initial-params "$out/init" -q "${common[@]}"
        read -r tool_wall tool_kb < "$out/time"
        tool_train=$(json "$out/inf.csv.json" 'd["seconds"]["train"]')
        tool_score=$(json "$out/inf.csv.json" 'd["seconds"]["score"]')
        printf "| %d | sgd-influence | %.1f | %.1f | %.1f | %d | 1.00 |\n" "$n" "$tool_train" \
            "$tool_score" "$tool_wall" $((tool_kb / 1024))
        # PyTorch parallelises with its own OpenMP threads; Debian's torch calls the pthread
        # OpenBLAS (libblas.so.3), whose pool of $threads more threads competes with them:
        # with one BLAS thread the baseline took 543 s instead of 967 s on 60,000 pictures.
        OPENBLAS_NUM_THREADS=1 /usr/bin/time -f "%e %M" -o "$out/time.torch" "$py" \
            "$here/baseline_torch_cnn.py" \
            -t "$data/train.csv" -v "$data/val.csv" -o "$out/torch.csv" --threads "$threads" \
            --trace "$out/trace" --init "$out/init" --time "${common[@]}" 2> "$out/torch.err"
        read -r torch_wall torch_kb < "$out/time.torch"
        torch_train=$(sed -n 's/^train_seconds \([0-9.]*\)/\1/p' "$out/torch.err")
        torch_score=$(sed -n 's/^score_seconds \([0-9.]*\)/\1/p' "$out/torch.err")
        printf "| %d | PyTorch baseline | %s | %s | %.1f | %d | %.2f |\n" "$n" "${torch_train:-?}" \
            "${torch_score:-?}" "$torch_wall" $((torch_kb / 1024)) \
            "$(awk -v a="$torch_wall" -v b="$tool_wall" 'BEGIN { print a / b }')"
        best_tool=$(awk -v a="$best_tool" -v b="$tool_wall" 'BEGIN { print (b < a ? b : a) }')
        best_torch=$(awk -v a="$best_torch" -v b="$torch_wall" 'BEGIN { print (b < a ? b : a) }')
    done
    if [ "$repeats" -gt 1 ]; then
        echo "fastest of $repeats at $n images: sgd-influence $best_tool s, baseline $best_torch s," \
            "$(awk -v a="$best_torch" -v b="$best_tool" 'BEGIN { printf "%.2fx", a / b }')" >&2
    fi
done
