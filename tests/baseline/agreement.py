#!/usr/bin/python3
"""agreement.py — the tool and the PyTorch baseline (bench/baseline_torch.py) compute the
same scores: for each configuration, run sgd-influence with --trace and
--save-initial-params, run the baseline from the same initial parameters and the same
batch sequence, and require the relative L2 error of the two score vectors
(|s_tool - s_torch| / |s_tool|) to be below 1e-3.

Usage: agreement.py SGD_INFLUENCE SOURCE_DIR [WORK_DIR]
"""
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

TOOL = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "bench"))
import baseline_torch  # noqa: E402

TOLERANCE = 1e-3
DATA = os.path.join(SRC, "examples", "breast_cancer")  # 455 x 30, 2 classes, 5 % flipped
MLP = ["--network", "mlp", "--hidden", "8,8", "--dropout", "0.5"]
LOGREG = ["--network", "logreg"]
# (name, options shared by the tool and the baseline)
CASES = [
    ("logreg sgd all paper", LOGREG + ["--method", "all", "--hessian", "paper"]),
    ("logreg sgd all plugin", LOGREG + ["--method", "all", "--hessian", "plugin"]),
    ("logreg sgd last paper", LOGREG + ["--method", "last", "--hessian", "paper"]),
    ("logreg sgd last plugin", LOGREG + ["--method", "last", "--hessian", "plugin"]),
    ("logreg momentum all paper", LOGREG + ["--solver", "momentum", "--method", "all",
                                            "--hessian", "paper"]),
    ("mlp relu dropout sgd all paper", MLP + ["--method", "all", "--hessian", "paper"]),
    ("mlp relu dropout sgd all plugin", MLP + ["--method", "all", "--hessian", "plugin"]),
    ("mlp relu dropout sgd last paper", MLP + ["--method", "last", "--hessian", "paper"]),
    ("mlp relu dropout sgd last plugin", MLP + ["--method", "last", "--hessian", "plugin"]),
    ("mlp tanh dropout momentum all paper", MLP + ["--activation", "tanh", "--solver",
                                                   "momentum", "--momentum", "0.8",
                                                   "--method", "all",
                                                   "--hessian", "paper"]),
    ("mlp relu dropout momentum last plugin", MLP + ["--solver", "momentum", "--method",
                                                     "last", "--hessian", "plugin"]),
    ("mlp tanh dropout nesterov all paper", MLP + ["--activation", "tanh", "--solver",
                                                   "nesterov", "--method", "all",
                                                   "--hessian", "paper"]),
    ("mlp relu dropout nesterov all none", MLP + ["--solver", "nesterov", "--method", "all",
                                                  "--hessian", "none"]),
    # The baseline draws theta_0 (Glorot) and the batch order itself, by the same Philox
    # conventions: no --init, no --trace.
    ("mlp relu dropout sgd all plugin, own init+batches", MLP + ["--method", "all",
                                                                "--hessian", "plugin"]),
    # The baseline's other ways of differentiating (see class Engine).
    ("mlp tanh dropout nesterov last paper, functorch", MLP + ["--activation", "tanh",
                                                              "--solver", "nesterov",
                                                              "--method", "last",
                                                              "--hessian", "paper"]),
    ("mlp relu dropout momentum all plugin, split leaves", MLP + ["--solver", "momentum",
                                                                 "--method", "all",
                                                                 "--hessian", "plugin"]),
]
OWN = "own init+batches"
# No --momentum here: the tool takes --momentum without --solver as --solver momentum.
COMMON = ["-e", "3", "-b", "32", "--lr", "0.05", "--weight-decay", "1e-4", "-s", "7"]


def read_scores(path, n):
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    scores = np.full(n, np.nan)
    scores[data[:, 2].astype(np.int64)] = data[:, 1]
    if np.isnan(scores).any():
        raise RuntimeError(f"{path}: not every training row is scored")
    if not (np.diff(data[:, 1]) >= 0).all():
        raise RuntimeError(f"{path}: not sorted by influence ascending")
    return scores


def main():
    work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="sgdi-agreement-")
    os.makedirs(work, exist_ok=True)
    train, val = os.path.join(DATA, "train.csv"), os.path.join(DATA, "val.csv")
    n = sum(1 for _ in open(train)) - 1
    failed = 0
    print("| case | rel. L2 error | max abs diff | |s| | tool s | torch s |")
    print("|---|---|---|---|---|---|")
    for k, (name, opts) in enumerate(CASES):
        tag = os.path.join(work, f"case{k}")
        tool_out, torch_out = tag + ".tool.csv", tag + ".torch.csv"
        trace, init = tag + ".trace.txt", tag + ".init.f32"
        cmd = [TOOL, "-t", train, "-v", val, "-o", tool_out, "--trace", trace,
               "--save-initial-params", init, "--quiet"] + COMMON + opts
        t0 = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True)
        t1 = time.perf_counter()
        if run.returncode != 0:
            print(f"FAIL {name}: the tool exited {run.returncode}\n  {shlex.join(cmd)}\n"
                  f"{run.stderr}")
            failed += 1
            continue
        replay = [] if OWN in name else ["--trace", trace, "--init", init]
        if name.endswith("functorch"):
            replay += ["--engine", "functorch", "--leaves", "split"]
        if name.endswith("split leaves"):
            replay += ["--leaves", "split"]
        baseline_torch.main(["-t", train, "-v", val, "-o", torch_out] + replay + COMMON + opts)
        t2 = time.perf_counter()
        a, b = read_scores(tool_out, n), read_scores(torch_out, n)
        err = float(np.linalg.norm(a - b) / np.linalg.norm(a))
        ok = err < TOLERANCE
        failed += not ok
        print(f"| {name} | {err:.2e}{'' if ok else ' FAIL'} | {np.abs(a - b).max():.2e} | "
              f"{np.linalg.norm(a):.3e} | {t1 - t0:.2f} | {t2 - t1:.2f} |", flush=True)
        if not ok:
            print(f"  tool:  {shlex.join(cmd)}\n  torch: bench/baseline_torch.py -t {train} "
                  f"-v {val} --trace {trace} --init {init} {shlex.join(COMMON + opts)}")
    print(f"{len(CASES) - failed} of {len(CASES)} cases agree within {TOLERANCE:g} "
          f"(files in {work})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
