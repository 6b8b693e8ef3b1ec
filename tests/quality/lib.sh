# Shared by the quality tests: the tool, the bundled example, and a few checks.
# Usage from a test: . "$(dirname "$0")/lib.sh" "$1"
set -euo pipefail
tool=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
train=$root/examples/breast_cancer/train.csv
val=$root/examples/breast_cancer/val.csv
flipped=$root/examples/breast_cancer/train.flipped.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# at_least NAME VALUE MINIMUM: fails the test unless VALUE >= MINIMUM.
at_least() {
    if awk -v v="$2" -v m="$3" 'BEGIN { exit !(v >= m) }'; then
        echo "ok   $1 = $2 (>= $3)"
    else
        echo "FAIL $1 = $2 (< $3)"
        return 1
    fi
}

# self_check FIELD ARGS...: runs the tool with --validate and prints the paper
# curvature's Kendall tau (FIELD=tau) or Pearson r (FIELD=r).
self_check() {
    local field=$1
    shift
    "$tool" -t "$train" -v "$val" -o "$work/v.csv" --quiet "$@" 2> "$work/err"
    local line
    line=$(grep "hessian paper" "$work/err")
    case $field in
    tau) echo "$line" | sed -E "s/.*Kendall's tau ([-0-9.]+).*/\1/" ;;
    r) echo "$line" | sed -E "s/.*Pearson's r ([-0-9.]+).*/\1/" ;;
    esac
}

# flipped_share ARGS...: the fraction of the flipped rows among the 5 % most harmful.
flipped_share() {
    "$tool" -t "$train" -v "$val" -o "$work/s.csv" --quiet "$@"
    local n k hits
    n=$(grep -c . "$flipped")
    k=$(( ($(wc -l < "$work/s.csv") - 1) * 5 / 100 ))
    hits=$(sed -n "2,$((k + 1))p" "$work/s.csv" | awk -F, '{ print $NF }' | grep -cxFf "$flipped" || true)
    awk -v h="$hits" -v n="$n" 'BEGIN { printf "%.3f\n", h / n }'
}
