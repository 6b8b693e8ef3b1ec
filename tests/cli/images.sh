# images.sh — image datasets end to end: tiny PNGs written here (by Python's zlib, no
# imaging library), NNC's layout with paths relative to each CSV's folder; the influence
# CSV in the image plugin's layout, naming the images from its own folder, loads again as
# a training set; a missing image fails the run naming the file and the CSV line and
# writes nothing; strict sizes; the same bytes whatever the thread count.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# make_set FOLDER CSV ROWS SEED [FLIPPED_ROWS...]: 8x8 grey PNGs in FOLDER/0 and FOLDER/1
# (dark and bright), listed as ./<label>/img_NN.png; the flipped rows get the wrong label.
make_set() {
    "$PY" - "$@" <<'EOF'
import os, random, struct, sys, zlib
folder, name, rows, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
flipped = {int(r) for r in sys.argv[5:]}

def chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data +
            struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))

def write_png(path, width, height, pixels):
    raw = b''.join(b'\x00' + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' +
                chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))

rnd = random.Random(seed)
lines = ['x:image,y:label']
for i in range(rows):
    label = i % 2
    base = 60 if label == 0 else 180
    pixels = [max(0, min(255, base + rnd.randint(-50, 50))) for _ in range(64)]
    name_i = '%d/img_%02d.png' % (label, i)
    write_png(os.path.join(folder, name_i), 8, 8, pixels)
    lines.append('./%s,%d' % (name_i, 1 - label if i in flipped else label))
with open(os.path.join(folder, name), 'w') as f:
    f.write('\n'.join(lines) + '\n')
EOF
}

make_set train train.csv 36 1 5 || exit 2
make_set val val.csv 16 2 || exit 2
mkdir -p out again strict missing

expect_status 0 "images: train and score" -t train/train.csv -v val/val.csv -o out/inf.csv \
    --network logreg -e 3 --threads 1
stdout_empty
check "header is the image plugin's" \
    test "$(head -n 1 out/inf.csv)" = "x:image,y:label,influence,datasource_index"
check "one line per training image" test "$(wc -l <out/inf.csv)" -eq 37
check "every training row once" \
    test "$(tail -n +2 out/inf.csv | cut -d, -f4 | sort -n | uniq | wc -l)" -eq 36
check "sorted by influence ascending" \
    sh -c 'tail -n +2 out/inf.csv | cut -d, -f3 | sort -g -c'
check "the flipped row 5 is the most harmful" \
    test "$(sed -n 2p out/inf.csv)" != "" -a "$(sed -n 2p out/inf.csv | cut -d, -f4)" = 5
unresolved=0
while IFS=, read -r image label influence row; do
    [ "$image" = "x:image" ] && continue
    [ -f "out/$image" ] || unresolved=$((unresolved + 1))
done <out/inf.csv
check "every image path resolves from out/" test "$unresolved" -eq 0
check "paths are relative" sh -c '! cut -d, -f1 out/inf.csv | grep -q "^/"'

# The output is itself a dataset.
expect_status 0 "the influence CSV loads as a training set" -t out/inf.csv -v val/val.csv \
    -o again/inf.csv --network logreg -e 1
check "its rows name the same images" \
    test "$(tail -n +2 again/inf.csv | wc -l)" -eq 36

# The same bytes whatever the thread count (decoding runs in parallel).
expect_status 0 "images: two threads" -t train/train.csv -v val/val.csv -o out/inf2.csv \
    --network logreg -e 3 --threads 2
check "same bytes with 1 and 2 threads" cmp -s out/inf.csv out/inf2.csv
expect_status 0 "images: no cache" -t train/train.csv -v val/val.csv -o out/inf3.csv \
    --network logreg -e 3 --threads 1 --image-cache 0
check "same bytes without a cache" cmp -s out/inf.csv out/inf3.csv

# A missing image: exit 1, the file and its CSV line named, nothing written.
mv train/1/img_07.png train/img_07.moved
expect_status 1 "a missing image fails" -t train/train.csv -v val/val.csv -o missing/inf.csv \
    --network logreg -e 1
stderr_has "train/train.csv:9: image './1/img_07.png' (train/./1/img_07.png)"
stderr_has "No such file or directory"
stdout_empty
check "nothing written" test -z "$(ls -A missing)"
mv train/img_07.moved train/1/img_07.png

# A training image of another size: resized, or refused with --strict-size.
"$PY" -c '
import struct, zlib
raw = b"".join(b"\x00" + bytes([99] * 10) for _ in range(12))
c = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xffffffff)
open("train/1/img_09.png", "wb").write(b"\x89PNG\r\n\x1a\n" + c(b"IHDR", struct.pack(">IIBBBBB", 10, 12, 8, 0, 0, 0, 0)) + c(b"IDAT", zlib.compress(raw)) + c(b"IEND", b""))
' || exit 2
expect_status 0 "another size is resized" -t train/train.csv -v val/val.csv -o strict/a.csv \
    --network logreg -e 1
expect_status 1 "--strict-size refuses it" -t train/train.csv -v val/val.csv -o strict/b.csv \
    --network logreg -e 1 --strict-size
stderr_has "train/train.csv:11: image './1/img_09.png'"
stderr_has "is 12x10 pixels (height x width) but the network takes 8x8"
check "nothing written with --strict-size" test ! -e strict/b.csv
expect_status 0 "--no-image-normalization" -t train/train.csv -v val/val.csv -o strict/c.csv \
    --network logreg -e 1 --lr 0.0001 --no-image-normalization

expect_status 2 "--image-cache takes megabytes" -t train/train.csv -v val/val.csv \
    --image-cache lots
stderr_has "--image-cache: 'lots' is not a non-negative integer (megabytes)"
run_tool --help
for opt in --image-cache --strict-size --no-image-normalization x:image; do
    if grep -qF -- "$opt" out.txt; then pass "help mentions $opt"; else fail "help lacks $opt"; fi
done
no_temporaries .
finish
