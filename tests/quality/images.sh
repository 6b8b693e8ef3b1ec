#!/usr/bin/env bash
# Finding mislabelled pictures: 2,048 Fashion-MNIST training images (Debian's
# dataset-fashion-mnist; 32 full batches of 64) with 5 % of their labels flipped; with the
# defaults for images (the image plugin's CNN, --method last, plugin curvature, step 0.05)
# over 5 epochs and 3 trials (as the plugins average them), at least 25 % of the flipped
# images must be among the 5 % most harmful (chance: 5 %). The issue's aim is 40 %; one
# trial gives 14-46 % depending on the seed, and the 3-trial average 30-40 % depending on
# nothing but the float rounding of training (thread count, convolution algorithm): which
# flipped images stand out is chaotic in a ReLU network. The bound sits below that spread,
# so that the test fails on a broken estimator (chance level), not on rounding. Full
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
at_least "fashion-mnist defaults (cnn, last, plugin), 3 trials" "$(flipped_share -e 5 --trials 3)" 0.25
