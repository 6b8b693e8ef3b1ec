# trials_stats.sh — per-sample stability with --trials: the sidecar's "samples" (mean,
# std, sign agreement) equal what three single-trial runs with seeds s, s+1, s+2 give;
# --influence-std appends exactly the column influence_std (tables and images) and
# without it the CSV keeps the plugin's columns, byte for byte.
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd) # before lib.sh moves to its folder
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TABLE=(-t "$EXAMPLES/breast_cancer/train.csv" -v "$EXAMPLES/breast_cancer/val.csv" -e 2 -q)
SEED=17

expect_status 0 "three trials" "${TABLE[@]}" -s $SEED --trials 3 -o three.csv
expect_status 0 "three trials, --influence-std" "${TABLE[@]}" -s $SEED --trials 3 \
    --influence-std -o three_std.csv
for k in 0 1 2; do
    expect_status 0 "one trial, seed $((SEED + k))" "${TABLE[@]}" -s $((SEED + k)) -o one$k.csv
done

# The statistics of the three-trial run against the three single-trial runs.
check "samples: mean, std and sign agreement match the single-trial runs" \
    "$PY" - three.csv.json one0.csv.json one1.csv.json one2.csv.json <<'EOF'
import json, math, sys
three = json.load(open(sys.argv[1]))["samples"]
ones = [json.load(open(p))["samples"] for p in sys.argv[2:]]
n = len(three["mean"])
ok = n == 455 and all(len(three[k]) == n for k in ("mean", "std", "sign_agreement"))
ok = ok and ("prediction" not in three or len(three["prediction"]) == n)
for one in ones:  # one trial: nothing varies, every sign agrees with itself
    ok = ok and all(s == 0 for s in one["std"]) and all(a == 1 for a in one["sign_agreement"])

def close(a, b):
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b)) + 1e-300

def sign(x):
    return (x > 0) - (x < 0)

bad = 0
for i in range(n):
    xs = [one["mean"][i] for one in ones]
    mean = (xs[0] + xs[1] + xs[2]) / 3
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / 2)
    agree = sum(sign(x) == sign(mean) for x in xs) / 3
    if not (close(three["mean"][i], mean) and close(three["std"][i], std)
            and three["sign_agreement"][i] == agree):
        bad += 1
        if bad < 5:
            print("row", i, three["mean"][i], mean, three["std"][i], std,
                  three["sign_agreement"][i], agree, file=sys.stderr)
# The trials must differ, or the comparison proves nothing.
ok = ok and bad == 0 and any(s > 0 for s in three["std"]) and any(a < 1 for a in three["sign_agreement"])
sys.exit(0 if ok else 1)
EOF

check "without --influence-std: the plugin's header" \
    test "$(head -n 1 three.csv)" = "index,influence,datasource_index"
check "--influence-std: header gains influence_std" \
    test "$(head -n 1 three_std.csv)" = "index,influence,datasource_index,influence_std"
check "--influence-std: the plugin's columns unchanged" \
    cmp -s three.csv <(cut -d, -f1-3 three_std.csv | sed '1s/.*/index,influence,datasource_index/')
check "--influence-std: every row has exactly four cells" \
    test "$(awk -F, 'NR > 1 && NF == 4' three_std.csv | wc -l)" -eq 455
# std_matches CSV SIDECAR: every row's influence_std is the sidecar's std of its row.
std_matches() {
    "$PY" - "$1" "$2" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
std = json.load(open(sys.argv[2]))["samples"]["std"]
ok = len(rows) == len(std) and any(s > 0 for s in std) and all(
    float(r["influence_std"]) == std[int(r["datasource_index"])] for r in rows)
sys.exit(0 if ok else 1)
EOF
}
check "--influence-std: the column is the sidecar's std of that row" \
    std_matches three_std.csv three.csv.json
check "same sidecar samples with and without --influence-std" \
    "$PY" -c 'import json, sys; a, b = (json.load(open(p))["samples"] for p in sys.argv[1:]); sys.exit(a != b)' \
    three.csv.json three_std.csv.json

# Images: a few Fashion-MNIST pictures, logistic regression to stay quick.
head -n 25 "$EXAMPLES/fashion_mnist/train.csv" | sed "2,\$s|^\./|$EXAMPLES/fashion_mnist/|" >train.csv
head -n 11 "$EXAMPLES/fashion_mnist/val.csv" | sed "2,\$s|^\./|$EXAMPLES/fashion_mnist/|" >val.csv
IMAGES=(-t train.csv -v val.csv --network logreg -e 1 -b 8 --trials 2 -q)
expect_status 0 "images" "${IMAGES[@]}" -o img.csv
expect_status 0 "images, --influence-std" "${IMAGES[@]}" --influence-std -o img_std.csv
check "images without --influence-std: the image plugin's header" \
    test "$(head -n 1 img.csv)" = "x:image,y:label,influence,datasource_index"
check "images --influence-std: header gains influence_std" \
    test "$(head -n 1 img_std.csv)" = "x:image,y:label,influence,datasource_index,influence_std"
check "images --influence-std: the plugin's columns unchanged" \
    cmp -s img.csv <(cut -d, -f1-4 img_std.csv | sed '1s/.*/x:image,y:label,influence,datasource_index/')
check "images --influence-std: 24 rows of five cells" \
    test "$(awk -F, 'NR > 1 && NF == 5' img_std.csv | wc -l)" -eq 24
check "images --influence-std: the column is the sidecar's std of that row" \
    std_matches img_std.csv img_std.csv.json
expect_status 0 "--help" --help
check "--help mentions --influence-std" grep -qF -- "--influence-std" out.txt
no_temporaries .
finish
