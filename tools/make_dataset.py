#!/usr/bin/python3
"""make_dataset.py — write a training and a validation table in Neural Network
Console's CSV layout for sgd-influence, from data sets that need no download.

Sources:
  breast_cancer, digits, wine, iris   scikit-learn's shipped data (sklearn.datasets.load_*)
  fashion_mnist                       Debian's dataset-fashion-mnist package
                                      (/usr/share/datasets/fashion-mnist/*.gz, gzipped IDX);
                                      the pool is the 60,000-image training file.

What it does, in this order (every random choice is seeded by --seed):
  1. --rows N: keep N rows of the pool, drawn without replacement.
  2. Split into training and validation parts (--val-fraction of the rows to validation).
  3. Scale features. Tables (--scale standard, the default): standardise with the mean and
     standard deviation of the TRAINING part (constant columns are centred, not divided).
     Pixels: divided by 255 first; then standardised likewise with --scale standard (the
     default), or kept as raw /255 values in [0, 1] with --scale none.
  4. --flip F: flip round(F * n_train) TRAINING labels, each to a different class drawn
     uniformly among the others; the flipped rows (0-based rows of the training file)
     are written, one per line, to <train stem>.flipped.txt.

Output: <out-dir>/<train-name> and <out-dir>/<val-name> (default train.csv, val.csv) with
header `x__0:<feature name>,x__1:...,y:label`, one row per sample, '\n' line ends. Features
are float32 values printed so that they read back exactly (shortest round-trip form, at most
9 significant digits); with --decimals D they are first rounded to D decimals (smaller files,
e.g. for the bundled example) and printed exactly as those decimals.

Examples:
  /usr/bin/python3 tools/make_dataset.py breast_cancer --flip 0.05 --decimals 4 \
      --out-dir examples/breast_cancer
  /usr/bin/python3 tools/make_dataset.py fashion_mnist --rows 5000 --out-dir /tmp/fm
"""
import argparse
import gzip
import os
import re
import sys

import numpy as np

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]
SKLEARN_SETS = ("breast_cancer", "digits", "wine", "iris")


def read_idx(path):
    """A gzipped IDX file (LeCun's MNIST format) as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
             0x0E: ">f8"}[data[2]]
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim))
    arr = np.frombuffer(data, dtype=dtype, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {shape}, found {arr.size} values")
    return arr.reshape(shape)


def load(name):
    """(features float64 N×F, labels int64 N, feature names, is_pixels)."""
    if name in SKLEARN_SETS:
        import sklearn.datasets
        bunch = getattr(sklearn.datasets, "load_" + name)()
        x = np.asarray(bunch.data, dtype=np.float64)
        y = np.asarray(bunch.target, dtype=np.int64)
        names = getattr(bunch, "feature_names", None)
        names = list(names) if names is not None else [f"f{k}" for k in range(x.shape[1])]
        return x, y, [str(n) for n in names], name == "digits"
    if name == "fashion_mnist":
        images = os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")
        labels = os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")
        if not os.path.exists(images):
            sys.exit(f"make_dataset: {images} not found; install it with "
                     "`apt-get install dataset-fashion-mnist`")
        x = read_idx(images)
        y = read_idx(labels).astype(np.int64)
        h, w = x.shape[1], x.shape[2]
        names = [f"pixel_{r}_{c}" for r in range(h) for c in range(w)]
        return x.reshape(len(x), -1).astype(np.float64), y, names, True
    sys.exit(f"make_dataset: unknown data set {name!r}")


def header_name(text):
    # A header comment must not contain the CSV delimiter or quotes.
    return re.sub(r'[,"\r\n]', ";", text).strip()


def format_matrix(x, decimals):
    """Rows of text for the feature matrix (float32 values)."""
    if decimals is None:
        # numpy prints a float32 scalar in its shortest form that reads back to the
        # same float32 (at most 9 significant digits).
        x32 = x.astype(np.float32)
        x32[x32 == 0] = 0.0  # no "-0.0"
        flat = [str(v) for v in x32.ravel()]
        flat = ["0" if v == "0.0" else v for v in flat]
        f = x.shape[1]
        return [",".join(flat[i * f:(i + 1) * f]) for i in range(x.shape[0])]
    rounded = np.round(x, decimals)
    rounded[rounded == 0] = 0.0  # no "-0"
    out = np.char.mod("%.15g", rounded)
    return [",".join(row) for row in out]


def write_csv(path, x, y, names, decimals):
    head = ",".join([f"x__{k}:{header_name(n)}" for k, n in enumerate(names)] + ["y:label"])
    rows = format_matrix(x, decimals)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write(head + "\n")
        for row, label in zip(rows, y):
            f.write(f"{row},{int(label)}\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("dataset", choices=SKLEARN_SETS + ("fashion_mnist",))
    ap.add_argument("--rows", type=int, default=0,
                    help="keep N rows of the pool, drawn at random (0 = all)")
    ap.add_argument("--val-fraction", type=float, default=0.2,
                    help="fraction of the rows that go to validation (default 0.2)")
    ap.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    ap.add_argument("--scale", choices=("standard", "none"), default="standard",
                    help="standard: standardise with the training part's mean/std (pixels "
                         "are divided by 255 first); none: raw values (pixels /255)")
    ap.add_argument("--flip", type=float, default=0.0,
                    help="fraction of TRAINING labels flipped to another class")
    ap.add_argument("--decimals", type=int, default=None,
                    help="round features to this many decimals (default: full float32)")
    ap.add_argument("--out-dir", default=".")
    ap.add_argument("--train-name", default="train.csv")
    ap.add_argument("--val-name", default="val.csv")
    args = ap.parse_args(argv)
    if not 0.0 < args.val_fraction < 1.0:
        ap.error("--val-fraction must be in (0, 1)")
    if not 0.0 <= args.flip < 1.0:
        ap.error("--flip must be in [0, 1)")

    x, y, names, pixels = load(args.dataset)
    n_classes = int(y.max()) + 1
    # Independent streams for the independent choices, so that e.g. changing --flip
    # leaves the split unchanged.
    ss = np.random.SeedSequence(args.seed)
    rng_rows, rng_split, rng_flip = (np.random.default_rng(s) for s in ss.spawn(3))

    if args.rows:
        if not 2 <= args.rows <= len(x):
            ap.error(f"--rows must be between 2 and {len(x)}")
        keep = np.sort(rng_rows.choice(len(x), size=args.rows, replace=False))
        x, y = x[keep], y[keep]
    perm = rng_split.permutation(len(x))
    n_val = max(1, int(round(args.val_fraction * len(x))))
    val_idx, train_idx = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    xt, yt, xv, yv = x[train_idx], y[train_idx].copy(), x[val_idx], y[val_idx]

    if pixels and args.dataset == "fashion_mnist":
        xt, xv = xt / 255.0, xv / 255.0
    if args.scale == "standard":
        mean = xt.mean(axis=0)
        std = xt.std(axis=0)
        std[std < 1e-12] = 1.0
        xt, xv = (xt - mean) / std, (xv - mean) / std

    flipped = np.zeros(0, dtype=np.int64)
    if args.flip > 0:
        n_flip = int(round(args.flip * len(xt)))
        flipped = np.sort(rng_flip.choice(len(xt), size=n_flip, replace=False))
        shift = rng_flip.integers(1, n_classes, size=n_flip)
        yt[flipped] = (yt[flipped] + shift) % n_classes

    os.makedirs(args.out_dir, exist_ok=True)
    train_path = os.path.join(args.out_dir, args.train_name)
    val_path = os.path.join(args.out_dir, args.val_name)
    write_csv(train_path, xt, yt, names, args.decimals)
    write_csv(val_path, xv, yv, names, args.decimals)
    stem = os.path.splitext(train_path)[0]
    flip_path = stem + ".flipped.txt"
    if args.flip > 0:
        with open(flip_path, "w", newline="\n") as f:
            f.writelines(f"{int(r)}\n" for r in flipped)
    elif os.path.exists(flip_path):
        os.remove(flip_path)  # stale from an earlier run with --flip
    print(f"{args.dataset}: {len(xt)} training rows ({len(flipped)} labels flipped), "
          f"{len(xv)} validation rows, {x.shape[1]} features, {n_classes} classes -> "
          f"{train_path}, {val_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
