#!/usr/bin/python3
"""agreement_cnn.py — the tool and the PyTorch baseline of the built-in CNN
(bench/baseline_torch_cnn.py) compute the same scores on images: for each configuration, run
sgd-influence with --trace and --save-initial-params, run the baseline from the same initial
parameters and batch sequence, and require the relative L2 error of the two score vectors to
be below 1e-3.

The images are uniform noise (16x16 grey PNGs written here): on real pictures, flat
backgrounds make max-pooling windows tie exactly, and which of two equal values wins then
depends on the order of float operations, so two correct programs part ways after a few
steps (measured: 1e-3 on Fashion-MNIST, 1e-6 on noise). A small step size keeps training
away from chaos for the same reason.

Usage: agreement_cnn.py SGD_INFLUENCE SOURCE_DIR [WORK_DIR]
"""
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np

TOOL = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "bench"))
sys.path.insert(0, os.path.join(SRC, "tools"))
import baseline_torch_cnn  # noqa: E402
import make_image_dataset  # noqa: E402

TOLERANCE = 1e-3
COMMON = ["--channels", "4,8", "-e", "2", "-b", "16", "--lr", "0.01", "--weight-decay", "1e-4",
          "-s", "5"]
CASES = [
    ("cnn last plugin", ["--method", "last", "--hessian", "plugin"]),
    ("cnn last paper", ["--method", "last", "--hessian", "paper"]),
    ("cnn all paper", ["--method", "all", "--hessian", "paper"]),
    ("cnn all none", ["--method", "all", "--hessian", "none"]),
    ("cnn momentum all paper", ["--solver", "momentum", "--momentum", "0.9", "--method", "all",
                                "--hessian", "paper"]),
]


def write_noise_set(folder, name, rows, classes, rng):
    encode = make_image_dataset.png_encoder(16, 16)
    os.makedirs(os.path.join(folder, name), exist_ok=True)
    lines = ["x:image,y:label"]
    for r in range(rows):
        image = rng.integers(0, 256, size=(16, 16), dtype=np.uint8)
        scan = b"".join(b"\0" + image[i].tobytes() for i in range(16))
        path = os.path.join(name, f"{r:04d}.png")
        with open(os.path.join(folder, path), "wb") as f:
            f.write(encode(scan))
        lines.append(f"./{path},{int(rng.integers(0, classes))}")
    with open(os.path.join(folder, name + ".csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return os.path.join(folder, name + ".csv")


def read_scores(path, n):
    rows = [line.rsplit(",", 2) for line in open(path).read().splitlines()[1:]]
    scores = np.full(n, np.nan)
    for _, influence, index in rows:
        scores[int(index)] = float(influence)
    if np.isnan(scores).any():
        raise RuntimeError(f"{path}: not every training row is scored")
    return scores


def main():
    work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="sgdi-agreement-cnn-")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(11)
    train = write_noise_set(work, "train", 80, 3, rng)
    val = write_noise_set(work, "val", 24, 3, rng)
    failed = 0
    print("| case | rel. L2 error | max abs diff | |s| |")
    print("|---|---|---|---|")
    for k, (name, opts) in enumerate(CASES):
        tag = os.path.join(work, f"case{k}")
        tool_out, torch_out = tag + ".tool.csv", tag + ".torch.csv"
        trace, init = tag + ".trace.txt", tag + ".init.f32"
        cmd = [TOOL, "-t", train, "-v", val, "-o", tool_out, "--trace", trace,
               "--save-initial-params", init, "--quiet", "--threads", "1",
               "--network", "cnn"] + COMMON + opts
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: the tool exited {run.returncode}\n  {shlex.join(cmd)}\n"
                  f"{run.stderr}")
            failed += 1
            continue
        baseline_torch_cnn.main(["-t", train, "-v", val, "-o", torch_out, "--trace", trace,
                                 "--init", init, "--threads", "1"] + COMMON + opts)
        a, b = read_scores(tool_out, 80), read_scores(torch_out, 80)
        err = float(np.linalg.norm(a - b) / np.linalg.norm(a))
        ok = err < TOLERANCE
        failed += not ok
        print(f"| {name} | {err:.2e}{'' if ok else ' FAIL'} | {np.abs(a - b).max():.2e} | "
              f"{np.linalg.norm(a):.3e} |", flush=True)
    print(f"{len(CASES) - failed} of {len(CASES)} CNN cases agree within {TOLERANCE:g} "
          f"(files in {work})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
