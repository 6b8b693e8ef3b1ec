# cleanse.sh — `sgd-influence cleanse` end to end: the rows removed are the influence
# CSV's first ones (-k, --fraction, --below), the rest keep their bytes and order, the
# training CSV is found from the sidecar, an image dataset cleansed into another folder
# trains again, and every usage error (exit 2) or bad input (exit 1) writes nothing.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

N=60
make_table train.csv $N 21 3
make_table val.csv 30 22 3
expect_status 0 "score the table" -t train.csv -v val.csv -e 2 -b 8 -o influence.csv
cp train.csv train.orig
cp influence.csv influence.orig

# removed_rows FILE K: the datasource_index of the influence CSV's first K rows, sorted.
removed_rows() {
    awk -F, -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "datasource_index") c = i }
                       NR > 1 && NR <= k + 1 { print $c }' "$1" | sort -n
}

# expect_cleansed OUT K: OUT is train.csv without the influence CSV's first K rows.
expect_cleansed() {
    local out=$1 k=$2
    removed_rows influence.csv "$k" >removed.txt
    awk -F, 'NR == FNR { gone[$1 + 2] = 1; next } !(FNR in gone)' removed.txt train.csv >want.csv
    check "$out: train.csv without the $k most harmful rows, in order" cmp -s want.csv "$out"
}

expect_status 0 "-k 5" cleanse -i influence.csv -t train.csv -k 5 -o k5.csv
expect_cleansed k5.csv 5
stdout_empty
stderr_has "removed 5 of $N rows"
check "summary is one line" test "$(wc -l <err.txt)" -eq 1

expect_status 0 "--fraction 0.1: round(6.0) rows" cleanse -i influence.csv -t train.csv \
    --fraction 0.1 -o f.csv
expect_cleansed f.csv 6
stderr_has "removed 6 of $N rows"

negative=$(awk -F, 'NR > 1 && $2 + 0 < 0' influence.csv | wc -l)
expect_status 0 "--below 0" cleanse -i influence.csv -t train.csv --below 0 -o b.csv
expect_cleansed b.csv "$negative"
stderr_has "removed $negative of $N rows"

expect_status 0 "training CSV from the sidecar, --quiet" cleanse -i influence.csv -k 3 \
    -o side.csv --quiet
expect_cleansed side.csv 3
check "--quiet: no summary" test ! -s err.txt
expect_status 0 "-k 0 copies every row" cleanse -i influence.csv -k 0 -o copy.csv
check "-k 0: the same bytes as the training CSV" cmp -s copy.csv train.csv
check "inputs untouched" cmp -s train.csv train.orig
check "influence CSV untouched" cmp -s influence.csv influence.orig
no_temporaries .

expect_status 0 "--help" cleanse --help
check "--help on stdout" grep -qF "Usage: sgd-influence cleanse" out.txt

# Usage errors: exit 2, nothing written.
for args in "-i influence.csv -k 2" "-t train.csv -k 2 -o u.csv" "-i influence.csv -o u.csv" \
    "-i influence.csv -k 2 --below 0 -o u.csv" "-i influence.csv -k two -o u.csv" \
    "-i influence.csv -k -2 -o u.csv" "-i influence.csv --fraction 1.5 -o u.csv" \
    "-i influence.csv --fraction nan -o u.csv" "-i influence.csv --below inf -o u.csv" \
    "-i influence.csv -k 2 -o u.csv --bogus" "-i influence.csv -k 2 -o u.csv extra" \
    "-i influence.csv -k"; do
    # shellcheck disable=SC2086
    expect_status 2 "usage: $args" cleanse $args
    stderr_has "Try 'sgd-influence cleanse --help'"
    check "usage: nothing written" test ! -e u.csv
done

# Bad inputs: exit 1, a message, nothing written, inputs untouched.
make_table other.csv 50 23 3
expect_status 1 "a training CSV of other rows" cleanse -i influence.csv -t other.csv -k 2 -o x.csv
stderr_has "other.csv has 50 rows (0 .. 49); these scores are not of this training CSV"
expect_status 1 "more rows than there are" cleanse -i influence.csv -k 61 -o x.csv
stderr_has "cannot remove 61 rows: there are only $N"
expect_status 1 "every row" cleanse -i influence.csv --fraction 1 -o x.csv
stderr_has "would leave no data"
expect_status 1 "-o is the training CSV" cleanse -i influence.csv -k 2 -o ./train.csv
stderr_has "is the input 'train.csv'"
expect_status 1 "-o is the influence CSV" cleanse -i influence.csv -t train.csv -k 2 \
    -o influence.csv
expect_status 1 "no influence CSV" cleanse -i nothing.csv -t train.csv -k 2 -o x.csv
stderr_has "cannot open 'nothing.csv'"
cp influence.csv lone.csv
expect_status 1 "no sidecar and no -t" cleanse -i lone.csv -k 2 -o x.csv
stderr_has "lone.csv.json"
awk 'NR != 3' influence.csv >short.csv
expect_status 1 "a row missing" cleanse -i short.csv -t train.csv -k 2 -o x.csv
stderr_has "short.csv has 59 rows but train.csv has $N"
check "failures wrote nothing" test ! -e x.csv
check "inputs still untouched" cmp -s train.csv train.orig
check "influence CSV still untouched" cmp -s influence.csv influence.orig
no_temporaries .

# Images: 8x8 grey PNGs named ./<label>/img_NN.png from data/; cleansed into out/sub.
mkdir -p data out/sub
"$PY" - data <<'EOF' || exit 2
import os, struct, sys, zlib
folder = sys.argv[1]
def chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data +
            struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
def write_png(path, level):
    raw = b''.join(b'\x00' + bytes([level] * 8) for _ in range(8))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 8, 8, 8, 0, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
for name, rows in (('train.csv', 24), ('val.csv', 10)):
    lines = ['x:image,y:label']
    for i in range(rows):
        label = i % 2
        image = '%s_%d/img_%02d.png' % (name[:-4], label, i)
        write_png(os.path.join(folder, image), 40 + 150 * label + (i * 7) % 30)
        lines.append('./%s,%d' % (image, 1 - label if i == 3 else label))
    with open(os.path.join(folder, name), 'w') as f:
        f.write('\n'.join(lines) + '\n')
EOF
expect_status 0 "score the images" -t data/train.csv -v data/val.csv -o out/inf.csv \
    --network logreg -e 2 --threads 1
expect_status 0 "cleanse images into another folder" cleanse -i out/inf.csv -k 4 \
    -o out/sub/clean.csv
check "images: 20 rows left" test "$(($(wc -l <out/sub/clean.csv) - 1))" -eq 20
check "images: names resolve from out/sub" \
    grep -qF "../../data/train_0/img_00.png" out/sub/clean.csv
expect_status 0 "the cleansed image CSV trains" -t out/sub/clean.csv -v data/val.csv \
    -o out/again.csv --network logreg -e 1 --threads 1
check "images: the cleansed CSV scores 20 rows" test "$(($(wc -l <out/again.csv) - 1))" -eq 20
no_temporaries .
finish
