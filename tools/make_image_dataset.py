#!/usr/bin/python3
"""make_image_dataset.py — write Fashion-MNIST as an image data set in Neural Network
Console's CSV layout (one PNG per image, CSVs that name them), for sgd-influence.

Source: Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist/*.gz,
gzipped IDX). Training and validation images come from the 60,000-image training file,
test images from the 10,000-image test file.

What it does, in this order (every random choice is seeded by --seed, each from its own
stream, so that e.g. changing --flip or --test leaves the chosen images unchanged):
  1. --train N and --val M: draw N + M distinct images of the training file; the first N
     of the draw are the training rows, the next M the validation rows (each part then
     sorted by position in the source file). --test K: K images of the test file.
  2. --flip F: flip round(F * N) TRAINING labels, each to a different class drawn
     uniformly among the others (as tools/make_dataset.py does); the flipped rows
     (0-based rows of train.csv) are written, one per line, to flipped.txt and to
     train.flipped.txt (make_dataset.py's name, <train stem>.flipped.txt).
  3. Write every image as an 8-bit greyscale PNG to
     OUT/images/<split>/<label>/<row>.png (<label> is the label the CSV gives, flipped
     or not, as Neural Network Console files images in one folder per class; <row> is the
     0-based row in the split's CSV, zero-padded to 5 digits), and OUT/train.csv,
     OUT/val.csv (only with --val M > 0), OUT/test.csv (only with --test K > 0) with
     header `x:image,y:label` and paths relative to the CSV's folder
     (./images/train/3/00012.png), '\\n' line ends.
  PNGs an earlier run left in OUT/images/<split>/<digit>/ are removed or overwritten.

Example:
  /usr/bin/python3 tools/make_image_dataset.py --train 2000 --val 500 --flip 0.05 \\
      --out /tmp/fm-images
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

import numpy as np

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADER = "x:image,y:label"


def read_idx(path):
    """A gzipped IDX file (LeCun's MNIST format) as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim))
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {shape}, found {arr.size} values")
    return arr.reshape(shape)


def load(part):
    """(images uint8 N×H×W, labels int64 N) of `part` ("train" or "t10k")."""
    images = os.path.join(FASHION_DIR, f"{part}-images-idx3-ubyte.gz")
    labels = os.path.join(FASHION_DIR, f"{part}-labels-idx1-ubyte.gz")
    for path in (images, labels):
        if not os.path.exists(path):
            sys.exit(f"make_image_dataset: {path} not found; install it with "
                     "`apt-get install dataset-fashion-mnist`")
    x, y = read_idx(images), read_idx(labels).astype(np.int64)
    if x.ndim != 3 or y.shape != (len(x),):
        sys.exit(f"make_image_dataset: {images} and {labels} do not match "
                 f"({x.shape} images, {y.shape} labels)")
    return x, y


def chunk(kind, payload):
    return (struct.pack(">I", len(payload)) + kind + payload +
            struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def png_encoder(height, width):
    """A function image (uint8 H×W) -> bytes of an 8-bit greyscale PNG. The IHDR and IEND
    chunks are the same for every image of the size, so they are built once."""
    # width, height, bit depth 8, colour type 0 (greyscale), deflate, filter method 0,
    # no interlace
    head = PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    tail = chunk(b"IEND", b"")

    def encode(scanlines):
        # scanlines: the filtered image data, each row prefixed by its filter byte (0, None)
        return head + chunk(b"IDAT", zlib.compress(scanlines)) + tail

    return encode


def clear_split(folder, keep=frozenset()):
    """Removes the PNGs an earlier run left in folder/<digit>/ (and the emptied folders),
    except those named in `keep` ("<digit>/<name>.png"), which are about to be rewritten
    in place (cheaper than deleting and creating them again); anything else is left
    alone."""
    if not os.path.isdir(folder):
        return
    for entry in os.scandir(folder):
        if not (entry.is_dir(follow_symlinks=False) and entry.name.isdigit()):
            continue
        for f in os.scandir(entry.path):
            if (f.name.endswith(".png") and f.is_file(follow_symlinks=False) and
                    f"{entry.name}/{f.name}" not in keep):
                os.remove(f.path)
        try:
            os.rmdir(entry.path)
        except OSError:
            pass  # not empty: ours to keep, or not ours


def write_all(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def write_pngs(paths, scan):
    """Encodes and writes image i (scan[i]: its filtered scanlines) to paths[i]."""
    encode = png_encoder(scan.shape[1], scan.shape[2] - 1)
    for i in range(len(paths)):
        write_all(paths[i], encode(scan[i].tobytes()))


def write_split(out_dir, split, images, labels):
    """Writes the PNGs of one split and its CSV; returns the CSV's path."""
    folder = os.path.join(out_dir, "images", split)
    n = len(images)
    digits = max(5, len(str(n - 1)))
    names = [f"{int(label)}/{i:0{digits}d}.png" for i, label in enumerate(labels)]
    clear_split(folder, frozenset(names))
    for label in np.unique(labels):
        os.makedirs(os.path.join(folder, str(int(label))), exist_ok=True)
    paths = [os.path.join(folder, name) for name in names]
    # Every row of every image gets filter byte 0 (None) in one vectorised step.
    scan = np.zeros((n, images.shape[1], images.shape[2] + 1), dtype=np.uint8)
    scan[:, :, 1:] = images
    # Creating 60,000 small files costs more than encoding them (measured: forked
    # writers gained nothing on a 2-core machine), so one process writes them all.
    write_pngs(paths, scan)
    csv_path = os.path.join(out_dir, f"{split}.csv")
    tmp = csv_path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write(HEADER + "\n")
        f.writelines(f"./images/{split}/{name},{int(label)}\n"
                     for name, label in zip(names, labels))
    os.replace(tmp, csv_path)
    return csv_path


def write_rows(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.writelines(f"{int(r)}\n" for r in rows)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--train", type=int, default=1000,
                    help="training images, from the training file (default 1000)")
    ap.add_argument("--val", type=int, default=200,
                    help="validation images, from the training file, disjoint from the "
                         "training ones (default 200; 0: no val.csv)")
    ap.add_argument("--test", type=int, default=0,
                    help="test images, from the test file (default 0: no test.csv)")
    ap.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    ap.add_argument("--flip", type=float, default=0.0,
                    help="fraction of TRAINING labels flipped to another class")
    ap.add_argument("--out", "--out-dir", dest="out", required=True,
                    help="output folder (created if needed)")
    args = ap.parse_args(argv)
    if not 0.0 <= args.flip < 1.0:
        ap.error("--flip must be in [0, 1)")
    if args.train < 1 or args.val < 0 or args.test < 0:
        ap.error("--train must be at least 1, --val and --test at least 0")

    x, y = load("train")
    if args.train + args.val > len(x):
        ap.error(f"--train + --val must be at most {len(x)} (the training file's images)")
    xt_pool = yt_pool = None
    if args.test:
        xt_pool, yt_pool = load("t10k")
        if args.test > len(xt_pool):
            ap.error(f"--test must be at most {len(xt_pool)} (the test file's images)")
    n_classes = int(y.max()) + 1
    rng_pick, rng_test, rng_flip = (np.random.default_rng(s)
                                    for s in np.random.SeedSequence(args.seed).spawn(3))

    draw = rng_pick.permutation(len(x))
    train_idx = np.sort(draw[:args.train])
    val_idx = np.sort(draw[args.train:args.train + args.val])
    xt, yt = x[train_idx], y[train_idx].copy()

    flipped = np.zeros(0, dtype=np.int64)
    if args.flip > 0:
        n_flip = int(round(args.flip * len(xt)))
        flipped = np.sort(rng_flip.choice(len(xt), size=n_flip, replace=False))
        shift = rng_flip.integers(1, n_classes, size=n_flip)
        yt[flipped] = (yt[flipped] + shift) % n_classes

    splits = {"train": (xt, yt)}
    if args.val:
        splits["val"] = (x[val_idx], y[val_idx])
    if args.test:
        test_idx = np.sort(rng_test.choice(len(xt_pool), size=args.test, replace=False))
        splits["test"] = (xt_pool[test_idx], yt_pool[test_idx])
    os.makedirs(args.out, exist_ok=True)
    written = []
    for split in ("train", "val", "test"):
        if split in splits:
            written.append(write_split(args.out, split, *splits[split]))
            continue
        folder = os.path.join(args.out, "images", split)
        clear_split(folder)
        try:
            os.rmdir(folder)
        except OSError:
            pass  # absent, or holds files that are not ours
        stale = os.path.join(args.out, f"{split}.csv")
        if os.path.exists(stale):
            os.remove(stale)  # from an earlier run that wrote this split
    for name in ("flipped.txt", "train.flipped.txt"):
        path = os.path.join(args.out, name)
        if args.flip > 0:
            write_rows(path, flipped)
        elif os.path.exists(path):
            os.remove(path)  # stale from an earlier run with --flip
    print(f"fashion_mnist: {len(xt)} training images ({len(flipped)} labels flipped), "
          f"{len(val_idx)} validation, {args.test} test, {x.shape[1]}x{x.shape[2]} px, "
          f"{n_classes} classes -> {', '.join(written)}", file=sys.stderr)


if __name__ == "__main__":
    main()
