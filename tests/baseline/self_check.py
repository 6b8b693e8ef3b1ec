#!/usr/bin/python3
"""self_check.py — checks of the PyTorch baseline on its own (no sgd-influence binary):

1. its numpy Philox4x32-10, epoch permutation, dropout masks and Glorot draws equal the C
   ones of src/util/rng.c (a tiny C program compiled into a temporary directory);
2. its per-sample dot products <grad l_j, v> (one functorch.jvp) and its Hessian-vector
   product (jvp of grad) equal a naive per-sample-gradient loop and a finite difference
   of the gradient, in float64, on a tiny MLP with dropout and weight decay.

Usage: self_check.py SOURCE_DIR   (exit 0 = pass)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import functorch

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "bench"))
import baseline_torch as bt  # noqa: E402

C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include "util/rng.h"
int main(void) {
    const uint64_t seeds[3] = {0, 12345, 0x123456789abcdefULL};
    for (int s = 0; s < 3; s++)
        for (uint32_t i = 0; i < 50; i++) {
            uint32_t ctr[4] = {i * 2654435761u, i % 7, i / 3, SGDI_RNG_DROPOUT | (i % 3)};
            uint32_t out[4];
            sgdi_philox(seeds[s], ctr, out);
            printf("%u %u %u %u\n", out[0], out[1], out[2], out[3]);
        }
    int64_t perm[101];
    for (uint64_t e = 0; e < 3; e++) {
        sgdi_epoch_permutation(7, e, 101, perm);
        for (int i = 0; i < 101; i++) printf("%lld ", (long long)perm[i]);
        printf("\n");
    }
    return 0;
}
"""


def check_philox():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "philox_check.c")
        exe = os.path.join(tmp, "philox_check")
        with open(src, "w") as f:
            f.write(C_PROGRAM)
        subprocess.run(["cc", "-std=c17", "-O1", "-I", os.path.join(SRC, "src"), src,
                        os.path.join(SRC, "src", "util", "rng.c"), "-o", exe], check=True)
        lines = subprocess.run([exe], check=True, capture_output=True,
                               text=True).stdout.splitlines()
    got = []
    for seed in (0, 12345, 0x123456789abcdef):
        i = np.arange(50, dtype=np.uint64)
        c0 = (i * np.uint64(2654435761)) & bt.MASK32
        out = bt.philox(seed, c0, i % np.uint64(7), i // np.uint64(3),
                        np.uint64(bt.RNG_DROPOUT) | (i % np.uint64(3)))
        got += [" ".join(str(int(w[k])) for w in out) for k in range(50)]
    assert got == lines[:150], "Philox4x32-10 differs from src/util/rng.c"
    for e in range(3):
        perm = bt.epoch_permutation(7, e, 101)
        assert " ".join(map(str, perm)) == lines[150 + e].strip(), f"permutation, epoch {e}"
    print("philox, permutation: same as src/util/rng.c")


def check_derivatives():
    torch.manual_seed(0)
    dt = torch.float64
    n_in, n_classes, batch = 5, 3, 7
    net = bt.Net(n_in, n_classes, "mlp", [6, 4], "tanh", 0.3, 1e-2)
    theta = torch.from_numpy(net.glorot(3).astype(np.float64))
    theta = theta + 0.1 * torch.randn(net.P, dtype=dt)  # nonzero biases too
    x = torch.randn(batch, n_in, dtype=dt)
    y = torch.randint(0, n_classes, (batch,))
    rows = np.arange(10, 10 + batch)
    masks = net.masks(11, rows, 4, dt)
    assert masks and (masks[0] == 0).any(), "the test should exercise dropout"
    v = torch.randn(net.P, dtype=dt)

    def mean_loss_list(th):
        ls = net.sample_losses(th, x, y, masks)
        return ls.sum() / batch, ls

    def mean_loss(th_flat):  # the same on the flat vector, for the naive checks
        return mean_loss_list(net.split_view(th_flat))

    engines = [bt.Engine(kind, net, leaves) for kind in ("functorch", "autograd")
               for leaves in ("flat", "split")]
    dots, hv = engines[0].dots_and_hvp(mean_loss_list, theta, v, True)
    g1 = engines[0].grad(lambda th: mean_loss_list(th)[0], theta)
    for e in engines:
        d2, hv2 = e.dots_and_hvp(mean_loss_list, theta, v, True)
        d3, _ = e.dots_and_hvp(mean_loss_list, theta, v, False)
        g2 = e.grad(lambda th: mean_loss_list(th)[0], theta)
        for d in (d2, d3):
            assert float((d - dots).norm() / dots.norm()) < 1e-13, "engines differ (dots)"
        assert float((hv2 - hv).norm() / hv.norm()) < 1e-13, "engines differ (HVP)"
        assert float((g1 - g2).norm() / g1.norm()) < 1e-13, "engines differ (gradient)"
    # Naive: one gradient per sample.
    naive = []
    for i in range(batch):
        th = theta.clone().requires_grad_(True)
        li = net.sample_losses(net.split_view(th), x[i:i + 1], y[i:i + 1],
                               [m[i:i + 1] for m in masks])[0]
        (g,) = torch.autograd.grad(li, th)
        naive.append(float(g @ v))
    naive = np.asarray(naive)
    err = np.abs(dots.numpy() - naive).max() / np.abs(naive).max()
    assert err < 1e-12, f"per-sample dot products differ from the naive loop: {err:g}"
    # HVP against a central difference of the gradient, and against double backward.
    grad = functorch.grad(lambda th: mean_loss(th)[0])
    h = 1e-5
    fd = (grad(theta + h * v) - grad(theta - h * v)) / (2 * h)
    err_fd = float((hv - fd).norm() / fd.norm())
    assert err_fd < 1e-8, f"HVP differs from finite differences: {err_fd:g}"
    th = theta.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(mean_loss(th)[0], th, create_graph=True)
    (hv2,) = torch.autograd.grad(g @ v, th)
    err_db = float((hv - hv2).norm() / hv2.norm())
    assert err_db < 1e-12, f"HVP differs from double backward: {err_db:g}"
    print(f"engines autograd/functorch agree; "
          f"per-sample dots vs naive loop: {err:.1e}; HVP vs finite differences: "
          f"{err_fd:.1e}, vs double backward: {err_db:.1e}")


def check_adjoints():
    """Each solver's adjoint is the transpose of its linearised step: <a', J dx> =
    <J^T a', dx> with random dx = (dtheta, dv, dg)."""
    rng = np.random.default_rng(1)
    for kind in ("sgd", "momentum", "nesterov"):
        s = bt.Solver(kind, 0.8)
        th, v, g, dth, dv, dg, a, av = (torch.from_numpy(rng.standard_normal(5))
                                        for _ in range(8))
        if kind == "sgd":
            v = dv = av = torch.zeros(5, dtype=torch.float64)
        lr = 0.3
        th1, v1 = s.step(th, v, g, lr)
        th2, v2 = s.step(th + dth, v + dv, g + dg, lr)
        lhs = float(a @ (th2 - th1) + av @ (v2 - v1))
        gbar, av_new = s.adjoint(a, av, lr)
        rhs = float(a @ dth + av_new @ dv + gbar @ dg)
        assert abs(lhs - rhs) < 1e-12, f"{kind}: adjoint is not the transpose ({lhs} {rhs})"
    print("solver adjoints: transposes of the steps")


if __name__ == "__main__":
    check_philox()
    check_derivatives()
    check_adjoints()
    print("baseline self-check passed")
