#!/usr/bin/python3
"""baseline_torch_cnn.py — SGD-Influence of the built-in CNN in PyTorch (float32), the
reference the tool is measured against on image data sets: same algorithm, same
conventions (docs/ARCHITECTURE.md) as bench/baseline_torch.py, whose Philox, batch order,
trace reader and solvers it imports.

The network is src/graph/builtin.c's cnn: per block k (--channels, default 32,64,128)
    Convolution 3x3 pad 1 (+bias) -> BatchNormalization -> ReLU
    -> Convolution 3x3 pad 1 (+bias) -> ReLU -> MaxPooling 2x2 stride 2 (floor)
then Affine (C*H*W flattened channel-first -> classes) -> SoftmaxCrossEntropy.
BatchNormalization (nnabla's, decay 0.9, eps 1e-5) normalises with the batch's statistics
(over the batch and spatial dims, biased variance) in training, and with the running ones
in evaluation (the validation loss); after every training step the running statistics
move as src/ops/batch_normalization.c moves them: mean <- 0.9 mean + 0.1 mu,
var <- 0.9 var + 0.1 var_b n/(n-1) (n = batch x height x width), in double. They are
parameters of the flat vector with step multiplier 0: the solver leaves them alone, their
gradient share is masked out, and the estimator treats them as constants.

Parameters: one flat float32 vector in the tool's order and layouts — per block
conv1 W (OC, IC, 3, 3), b (OC), bn beta, gamma, mean, var (1, OC, 1, 1), conv2 W, b; then
the affine W (in x out, row-major) and b. Initialisation as sgdi_init_parameters:
element e of parameter tensor k (counting every parameter, the constant ones too) is
-l + 2 l uniform24(philox(seed, (e, 0, 0, INIT | k))[0]) with Glorot's l (convolutions:
sqrt(6 / (9 IC + 9 OC))); biases, beta, mean 0; gamma, var 1.

Per step of the backward walk ONE forward-over-reverse pass (a torch.autograd.forward_ad
dual theta + eps g_bar through torch.autograd.grad(create_graph=True); or functorch.jvp
of functorch.grad with --engine functorch) gives the tangent of every sample's loss,
<grad l_j, g_bar>, and H g_bar. BatchNormalization couples the batch: sample j's tangent
is that of its loss with the whole batch's statistics, which is what forward mode through
the batch gives. Weight decay is added as the tool adds it: lambda theta to the gradient,
lambda <theta, g_bar> to every sample's tangent, lambda g_bar to H g_bar.

Data: Neural Network Console CSVs with an image column x and a label column y, image
paths relative to the CSV's folder; 8-bit PNGs (grey, RGB, RGBA; grey+alpha becomes grey)
decoded here with zlib, all of one size, scaled by 1/255. Output: the tool's image CSV
(x:image,y:label,influence,datasource_index, ascending by influence).

Inputs that make it reproduce a tool run exactly: --init (the tool's
--save-initial-params file) and --trace (the tool's --trace file). --method all keeps every
theta_t in memory (a baseline); --method last (the default for images, as the tool's)
scores the last epoch at theta_T.

Comparing with the tool: ReLU and max pooling make the training and the scores jump when
rounding moves an activation across a kink or a pooling window's maximum to another
element, so two float32 implementations drift apart wherever such near-ties occur. On
Fashion-MNIST's flat black backgrounds pooling windows tie outright and the scores differ
by about 1e-3 (relative L2); adding a little noise to the images, with a small step size
and few steps, the two agree to about 1e-6.
"""
import argparse
import csv
import math
import os
import resource
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn.functional as F
import torch.autograd.forward_ad as fwAD
import functorch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baseline_torch import (RNG_INIT, Net, Solver, own_trace, philox,  # noqa: E402
                            read_trace, uniform24)

BN_DECAY, BN_EPS = 0.9, 1e-5

# --- PNG and the image CSV ------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


def unfilter(raw, height, stride, bpp):
    """PNG scanline filters undone: raw holds `height` rows of 1 + stride bytes."""
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride + 1)
    kinds, data = rows[:, 0], rows[:, 1:]
    if not kinds.any():
        return data.copy()
    out = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for r in range(height):
        f, line = int(kinds[r]), data[r]
        if f == 0:
            cur = line.copy()
        elif f == 1:  # Sub: a running sum per byte lane, modulo 256
            cur = np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif f == 2:  # Up
            cur = line + prior
        elif f in (3, 4):  # Average, Paeth: each byte needs the one just decoded
            cur = np.zeros(stride, dtype=np.uint8)
            up = prior.astype(np.int64)
            for i in range(stride):
                a = int(cur[i - bpp]) if i >= bpp else 0
                b = int(up[i])
                if f == 3:
                    pred = (a + b) >> 1
                else:
                    c = int(up[i - bpp]) if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (int(line[i]) + pred) & 0xFF
        else:
            raise ValueError(f"unknown PNG filter {f}")
        out[r] = prior = cur
    return out


def read_png(path):
    """An 8-bit, non-interlaced PNG as uint8 (channels, height, width)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != PNG_SIGNATURE:
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, head = 8, [], None
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if len(body) != length or zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError(f"{path}: damaged {kind!r} chunk")
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if head is None:
        raise ValueError(f"{path}: no IHDR chunk")
    width, height, depth, colour, _, _, interlace = head
    if depth != 8 or colour not in PNG_CHANNELS or interlace:
        raise ValueError(f"{path}: the baseline reads 8-bit non-interlaced grey, RGB or RGBA "
                         f"PNGs (this one: depth {depth}, colour type {colour}, interlace "
                         f"{interlace})")
    ch = PNG_CHANNELS[colour]
    pixels = unfilter(zlib.decompress(b"".join(idat)), height, width * ch, ch)
    img = pixels.reshape(height, width, ch).transpose(2, 0, 1)
    return img[:1] if colour == 4 else img  # grey+alpha: the grey, as the tool


def read_image_csv(path):
    """(images float32 N x C x H x W, labels int64 N, the images' absolute paths)."""
    folder = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        names = [h.split(":", 1)[0].strip() for h in header]
        if "x" not in names or "y" not in names:
            raise ValueError(f"{path}: the header needs an x and a y column")
        xc, yc = names.index("x"), names.index("y")
        cells = [(row[xc], row[yc]) for row in reader if row]
    images, paths = [], [os.path.normpath(os.path.join(folder, c[0])) for c in cells]
    for k, (x, p) in enumerate(zip(cells, paths)):
        img = read_png(p)
        if images and img.shape != images[0].shape:
            raise ValueError(f"{path}: row {k + 1}: image {x[0]} is {img.shape}, the first "
                             f"{images[0].shape} (the baseline does not resize)")
        images.append(img)
    # v * (1/255) in double, rounded to float, as the tool scales 8-bit samples
    x = (np.stack(images).astype(np.float64) * (1.0 / 255.0)).astype(np.float32)
    y = np.asarray([int(c[1]) for c in cells], dtype=np.int64)
    return x, y, paths


# --- The network ----------------------------------------------------------------------------

class Cnn:
    """The built-in CNN over a flat parameter vector. `tensors` lists (name, shape, offset,
    init limit, init value, trainable) in the tool's order."""

    def __init__(self, in_shape, n_classes, channels, wd):
        self.tensors, off = [], 0
        c, h, w = in_shape

        def add(name, shape, limit=0.0, value=0.0, trainable=True):
            nonlocal off
            self.tensors.append((name, tuple(shape), off, limit, value, trainable))
            off += int(np.prod(shape))

        for k, oc in enumerate(channels):
            s = f"block{k + 1}"
            add(f"{s}/conv1/conv/W", (oc, c, 3, 3), math.sqrt(6.0 / (9 * c + 9 * oc)))
            add(f"{s}/conv1/conv/b", (oc,))
            add(f"{s}/conv1/bn/beta", (1, oc, 1, 1), value=0.0)
            add(f"{s}/conv1/bn/gamma", (1, oc, 1, 1), value=1.0)
            add(f"{s}/conv1/bn/mean", (1, oc, 1, 1), value=0.0, trainable=False)
            add(f"{s}/conv1/bn/var", (1, oc, 1, 1), value=1.0, trainable=False)
            add(f"{s}/conv2/conv/W", (oc, oc, 3, 3), math.sqrt(6.0 / (18 * oc)))
            add(f"{s}/conv2/conv/b", (oc,))
            if h < 2 or w < 2:
                raise ValueError(f"images of {in_shape[1]}x{in_shape[2]} are too small for "
                                 f"{len(channels)} blocks of 2x2 pooling")
            c, h, w = oc, h // 2, w // 2
        n_in = c * h * w
        add("fc1/affine/W", (n_in, n_classes), math.sqrt(6.0 / (n_in + n_classes)))
        add("fc1/affine/b", (n_classes,))
        self.P, self.blocks, self.wd = off, len(channels), wd
        self.trainable = [k for k, t in enumerate(self.tensors) if t[5]]
        self.mult = torch.ones(self.P)  # the solver's step multiplier
        for _, shape, o, _, _, tr in self.tensors:
            if not tr:
                self.mult[o:o + int(np.prod(shape))] = 0.0

    def split_view(self, flat):
        return [flat[o:o + int(np.prod(s))].view(s) for _, s, o, _, _, _ in self.tensors]

    def flat_grad(self, parts, like):
        """Trainable tensors' gradients (in order) -> flat vector, zeros elsewhere."""
        out, it = [], iter(parts)
        for _, shape, _, _, _, tr in self.tensors:
            out.append(next(it).reshape(-1) if tr else
                       torch.zeros(int(np.prod(shape)), dtype=like.dtype))
        return torch.cat(out)

    def init(self, seed):
        theta = np.zeros(self.P, dtype=np.float32)
        for k, (_, shape, o, lim, value, _) in enumerate(self.tensors):
            n = int(np.prod(shape))
            if lim == 0.0:
                theta[o:o + n] = value
                continue
            u = uniform24(philox(seed, np.arange(n, dtype=np.uint64), 0, 0, RNG_INIT | k)[0])
            theta[o:o + n] = (-lim + 2.0 * lim * u).astype(np.float32)
        return theta

    def logits(self, p, x, training, stats=None):
        """p: the parameter list (split_view order). training: batch statistics, appended
        to `stats` as (activations of the BN input, detached) if given."""
        h = x
        for k in range(self.blocks):
            w1, b1, beta, gamma, rm, rv, w2, b2 = p[8 * k:8 * k + 8]
            h = F.conv2d(h, w1, b1, padding=1)
            if training:
                if stats is not None:
                    stats.append(h.detach())
                var, mu = torch.var_mean(h, dim=(0, 2, 3), unbiased=False, keepdim=True)
            else:
                var, mu = rv, rm
            # (h - mu) * (gamma / sqrt(var + eps)) + beta in two full-size operations
            h = torch.addcmul(beta, h - mu, gamma * torch.rsqrt(var + BN_EPS))
            h = torch.relu(h)
            h = torch.relu(F.conv2d(h, w2, b2, padding=1))
            h = F.max_pool2d(h, 2, 2)
        return h.reshape(h.shape[0], -1) @ p[-2] + p[-1]

    def sample_losses(self, p, x, y, training=True, stats=None):
        return Net.cross_entropy(self.logits(p, x, training, stats), y)

    def update_running(self, theta, stats):
        """Moves the running statistics in theta (in place) by the BN inputs of a step."""
        for k, h in enumerate(stats):
            h64 = h.double()
            n = h64.numel() // h64.shape[1]
            mu = h64.mean(dim=(0, 2, 3))
            var = (h64 - mu.view(1, -1, 1, 1)).square().mean(dim=(0, 2, 3))
            unbiased = var * n / (n - 1) if n > 1 else var
            for r, stat in ((4, mu), (5, unbiased)):
                _, shape, o, _, _, _ = self.tensors[8 * k + r]
                old = theta[o:o + shape[1]].double()
                theta[o:o + shape[1]] = (BN_DECAY * old + (1 - BN_DECAY) * stat).float()


# --- Derivatives ------------------------------------------------------------------------------

class Engine:
    """Gradients and the forward-over-reverse pass over the trainable tensors; the
    running statistics enter as constants."""

    def __init__(self, net, kind):
        self.net, self.kind = net, kind

    def _parts(self, theta, leaves):
        """The parameter list with the trainable tensors replaced by `leaves`."""
        parts, it = self.net.split_view(theta), iter(leaves)
        return [next(it) if t[5] else parts[k] for k, t in enumerate(self.net.tensors)]

    def _trainable(self, flat):
        parts = self.net.split_view(flat)
        return [parts[k] for k in self.net.trainable]

    def grad(self, f, theta):
        """Flat gradient of the scalar f(parameter list) (zeros on constant tensors)."""
        leaves = [t.detach().requires_grad_(True) for t in self._trainable(theta)]
        g = torch.autograd.grad(f(self._parts(theta, leaves)), leaves)
        return self.net.flat_grad(g, theta)

    def dots_and_hvp(self, f, theta, v, want_hvp):
        """f(parameter list) -> (scalar L, per-sample ls). Returns (<grad ls_i, v> for
        every i, H_L v) from one forward-over-reverse pass (without want_hvp: forward mode
        only, H_L v None)."""
        vt = self._trainable(v)
        if self.kind == "functorch":
            def g(leaves):
                return functorch.grad(lambda lv: f(self._parts(theta, lv)), has_aux=True)(leaves)
            tl = tuple(self._trainable(theta))
            if not want_hvp:
                _, dots = functorch.jvp(lambda lv: f(self._parts(theta, lv))[1], (tl,),
                                        (tuple(vt),))
                return dots, None
            _, (hv, dots) = functorch.jvp(g, (tl,), (tuple(vt),))
            return dots, self.net.flat_grad(hv, theta)
        with fwAD.dual_level():
            if not want_hvp:
                duals = [fwAD.make_dual(t, d) for t, d in zip(self._trainable(theta), vt)]
                _, ls = f(self._parts(theta, duals))
                return fwAD.unpack_dual(ls).tangent, None
            leaves = [t.detach().requires_grad_(True) for t in self._trainable(theta)]
            duals = [fwAD.make_dual(t, d) for t, d in zip(leaves, vt)]
            loss, ls = f(self._parts(theta, duals))
            g = torch.autograd.grad(loss, leaves, create_graph=True)
            return (fwAD.unpack_dual(ls).tangent.detach(),
                    self.net.flat_grad([fwAD.unpack_dual(gi).tangent.detach() for gi in g],
                                       theta))


# --- Training and scoring ---------------------------------------------------------------------

def val_loss_and_grad(net, engine, theta, xv, yv, chunk=500, want_grad=True):
    """Mean loss over the validation set in evaluation mode (running statistics), and
    its flat gradient (chunks of `chunk` images; the samples are independent here)."""
    n = xv.shape[0]
    total, grad, correct = 0.0, torch.zeros_like(theta), 0
    for b in range(0, n, chunk):
        xb, yb = xv[b:b + chunk], yv[b:b + chunk]
        if want_grad:
            grad += engine.grad(lambda p: net.sample_losses(p, xb, yb, False).sum() / n, theta)
        with torch.no_grad():
            z = net.logits(net.split_view(theta), xb, False)
            total += float(Net.cross_entropy(z, yb).sum())
            correct += int((z.argmax(dim=1) == yb).sum())
    return total / n, grad, correct / n


def train(net, solver, engine, theta0, x, y, steps, keep_all, report=None):
    """Runs the steps; returns theta_T and (if keep_all) the list of theta_t.
    report(epoch, mean training loss, theta) is called after every epoch."""
    theta = theta0.clone()
    v = solver.init_state(theta)
    kept, epoch_loss, epoch_rows = [], 0.0, 0
    for t, (epoch, _, lr, idx) in enumerate(steps):
        if keep_all:
            kept.append(theta)
        it = torch.from_numpy(idx)
        xb, yb, stats, losses = x[it], y[it], [], []

        def batch_loss(p):
            ls = net.sample_losses(p, xb, yb, True, stats)
            losses.append(ls.detach())
            return ls.sum() / xb.shape[0]

        g = engine.grad(batch_loss, theta)
        if net.wd:
            g = g + net.wd * theta
        theta, v = solver.step(theta, v, g * net.mult, lr)
        net.update_running(theta, stats)
        epoch_loss += float(losses[0].sum())
        epoch_rows += len(idx)
        if report and (t + 1 == len(steps) or steps[t + 1][0] != epoch):
            report(epoch, epoch_loss / epoch_rows, theta)
            epoch_loss, epoch_rows = 0.0, 0
    return theta, kept


def score(net, solver, engine, steps, thetas, x, y, xv, yv, hessian, method):
    """The backward walk of docs/ARCHITECTURE.md ("The estimator"). `thetas`: callable
    t -> theta_t used for step t. The adjoint is kept in double, as the tool keeps it."""
    n = x.shape[0]
    scores = torch.zeros(n, dtype=torch.float64)
    theta_T = thetas(len(steps))
    _, a, _ = val_loss_and_grad(net, engine, theta_T, xv, yv)
    a = a.double()
    av = torch.zeros_like(a)
    mult = net.mult.double()
    last_epoch = steps[-1][0]
    walk = [t for t in range(len(steps) - 1, -1, -1)
            if method == "all" or steps[t][0] == last_epoch]
    for t in walk:
        _, _, lr, idx = steps[t]
        it = torch.from_numpy(idx)
        bs = len(idx)
        theta = thetas(t)
        xb, yb = x[it], y[it]

        def mean_loss(p):
            ls = net.sample_losses(p, xb, yb, True)
            return ls.sum() / bs, ls

        gbar, av = solver.adjoint(a, av, float(np.float32(lr)))
        gbar = gbar * mult
        c = {"paper": 1.0, "plugin": 1.0 / bs, "none": 0.0}[hessian]
        dots, hv = engine.dots_and_hvp(mean_loss, theta, gbar.float(), want_hvp=c != 0)
        dots = dots.double()
        if net.wd:
            dots = dots + net.wd * float(theta.double() @ gbar)
        if c:
            a = a + c * (hv.double() + net.wd * gbar)
        scores.index_add_(0, it, -dots / bs)
    return scores


def write_scores(path, scores, images, labels):
    """The tool's image CSV: every image named relative to the output's folder (so that the
    output is itself a dataset CSV), ascending by influence, ties by row."""
    out_folder = os.path.dirname(os.path.abspath(path))
    order = np.lexsort((np.arange(len(scores)), scores))
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["x:image", "y:label", "influence", "datasource_index"])
        for r in order:
            w.writerow([os.path.relpath(images[r], out_folder), int(labels[r]),
                        repr(float(scores[r])), int(r)])
    os.replace(tmp, path)


def self_check():
    """The baseline checks itself, in float64 on a tiny CNN: per-sample loss tangents
    (batch statistics included) and H v of both engines against central differences; the
    PNG decoder against every filter type. Raises AssertionError on a mismatch."""
    torch.manual_seed(0)
    dt, eps = torch.float64, 1e-6
    net = Cnn((2, 8, 6), 3, [3, 4], 1e-2)
    net.mult = net.mult.to(dt)
    theta = torch.from_numpy(net.init(5).astype(np.float64)) + 0.1 * torch.randn(net.P,
                                                                                   dtype=dt)
    v = torch.randn(net.P, dtype=dt) * net.mult  # no tangent on the running statistics
    x, y = torch.rand(6, 2, 8, 6, dtype=dt), torch.tensor([0, 1, 2, 1, 0, 2])

    def losses(th):
        return net.sample_losses(net.split_view(th), x, y, True)

    def mean_loss(p):
        ls = net.sample_losses(p, x, y, True)
        return ls.sum() / 6, ls

    fd_dots = (losses(theta + eps * v) - losses(theta - eps * v)) / (2 * eps)
    eng = Engine(net, "autograd")
    fd_hv = (eng.grad(lambda p: mean_loss(p)[0], theta + eps * v) -
             eng.grad(lambda p: mean_loss(p)[0], theta - eps * v)) / (2 * eps)
    for kind in ("autograd", "functorch"):
        dots, hv = Engine(net, kind).dots_and_hvp(mean_loss, theta, v, True)
        e1 = float((dots - fd_dots).norm() / fd_dots.norm())
        e2 = float((hv - fd_hv).norm() / fd_hv.norm())
        dots_only, _ = Engine(net, kind).dots_and_hvp(mean_loss, theta, v, False)
        e3 = float((dots_only - fd_dots).norm() / fd_dots.norm())
        assert max(e1, e2, e3) < 1e-6, f"{kind}: dots {e1:.2e}, hvp {e2:.2e}, fwd {e3:.2e}"
        print(f"{kind}: per-sample tangents {e1:.1e}, H v {e2:.1e} from central differences")
    assert float(hv[net.mult == 0].abs().max()) == 0.0, "H v on the running statistics"

    # PNG: rows filtered with each of the five filters decode to the image (a noisy one,
    # and one of few levels, where Paeth's ties happen).
    rng = np.random.default_rng(1)
    for img in (rng.integers(0, 256, size=(10, 7, 3)), 85 * rng.integers(0, 4, size=(10, 7, 3))):
        rows, prior = [], np.zeros(21, dtype=np.int64)
        for r in range(10):
            cur, f = img[r].reshape(-1).astype(np.int64), r % 5
            left = np.concatenate([np.zeros(3, np.int64), cur[:-3]])
            upleft = np.concatenate([np.zeros(3, np.int64), prior[:-3]])
            p = left + prior - upleft
            pa, pb, pc = abs(p - left), abs(p - prior), abs(p - upleft)
            paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prior, upleft))
            pred = [0, left, prior, (left + prior) // 2, paeth][f]
            rows.append(bytes([f]) + ((cur - pred) % 256).astype(np.uint8).tobytes())
            prior = cur
        got = unfilter(b"".join(rows), 10, 21, 3).reshape(10, 7, 3)
        assert (got == img).all(), "PNG filters"
    print("PNG filters 0-4: decoded exactly")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--train", "-t", help="training CSV (x:image,y:label)")
    ap.add_argument("--val", "-v", help="validation CSV")
    ap.add_argument("--init", help="raw little-endian float32 theta_0 (--save-initial-params)")
    ap.add_argument("--trace", help="the tool's --trace file (epoch step lr idx...)")
    ap.add_argument("--channels", default="32,64,128", help="maps of each block")
    ap.add_argument("--solver", choices=("sgd", "momentum", "nesterov"), default="sgd")
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--epochs", "-e", type=int, default=20)
    ap.add_argument("--batch-size", "-b", type=int, default=64)
    ap.add_argument("--method", choices=("all", "last"), default="last")
    ap.add_argument("--hessian", choices=("paper", "plugin", "none"), default="paper")
    ap.add_argument("--seed", "-s", type=int, default=0)
    ap.add_argument("--output", "-o", help="influence CSV in the tool's image format")
    ap.add_argument("--time", action="store_true",
                    help="print seconds of training and of scoring and the peak RSS on stderr")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", choices=("autograd", "functorch"), default="autograd")
    ap.add_argument("--verbose", action="store_true",
                    help="per epoch: training loss, validation loss and accuracy (stderr)")
    ap.add_argument("--flipped", help="file of flipped training rows: report the share of "
                                      "them among the 5 %% most harmful (stderr)")
    ap.add_argument("--self-check", action="store_true",
                    help="check the derivatives and the PNG decoder, then exit")
    args = ap.parse_args(argv)
    if args.self_check:
        self_check()
        return
    if not args.train or not args.val:
        ap.error("--train and --val are required")
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        ap.error(f"--output {args.output}: its folder does not exist")

    torch.set_num_threads(args.threads)
    x_np, y_np, paths = read_image_csv(args.train)
    xv_np, yv_np, _ = read_image_csv(args.val)
    if xv_np.shape[1:] != x_np.shape[1:]:
        sys.exit(f"baseline: validation images are {xv_np.shape[1:]}, training images "
                 f"{x_np.shape[1:]}")
    channels = [int(c) for c in args.channels.split(",") if c]
    net = Cnn(x_np.shape[1:], int(y_np.max()) + 1, channels, args.weight_decay)
    if args.init:
        theta0 = np.fromfile(args.init, dtype="<f4")
        if theta0.size != net.P:
            sys.exit(f"baseline: {args.init} holds {theta0.size} floats, the network has "
                     f"{net.P} parameters")
    else:
        theta0 = net.init(args.seed)
    steps = (read_trace(args.trace) if args.trace else
             own_trace(args.seed, len(x_np), args.batch_size, args.epochs, args.lr))

    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    xv, yv = torch.from_numpy(xv_np), torch.from_numpy(yv_np)
    solver, engine = Solver(args.solver, args.momentum), Engine(net, args.engine)

    report_seconds = [0.0]

    def report(epoch, loss, theta):
        r0 = time.perf_counter()
        vl, _, acc = val_loss_and_grad(net, engine, theta, xv, yv, want_grad=False)
        print(f"epoch {epoch + 1} train_loss {loss:.4f} val_loss {vl:.4f} val_acc {acc:.4f} "
              f"({r0 - t0 - report_seconds[0]:.1f} s training)", file=sys.stderr, flush=True)
        report_seconds[0] += time.perf_counter() - r0

    t0, c0 = time.perf_counter(), time.process_time()
    theta_T, kept = train(net, solver, engine, torch.from_numpy(theta0.copy()), x, y, steps,
                          args.method == "all", report if args.verbose else None)
    t1, c1 = time.perf_counter(), time.process_time()
    train_seconds = t1 - t0 - report_seconds[0]  # without --verbose's evaluations
    thetas = ((lambda t: kept[t] if t < len(kept) else theta_T) if args.method == "all" else
              (lambda t: theta_T))
    scores = score(net, solver, engine, steps, thetas, x, y, xv, yv, args.hessian,
                   args.method).numpy()
    t2, c2 = time.perf_counter(), time.process_time()
    if args.time:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"train_seconds {train_seconds:.6f}\nscore_seconds {t2 - t1:.6f}\n"
              f"steps {len(steps)}\nparameters {net.P}\nrows {len(x_np)}\n"
              f"peak_rss_kib {rss}\n"  # CPU seconds of all threads: steadier on a busy machine
              f"train_cpu_seconds {c1 - c0:.3f}\nscore_cpu_seconds {c2 - c1:.3f}", file=sys.stderr)
    if args.output:
        write_scores(args.output, scores, paths, y_np)
    if args.flipped:
        flipped = np.loadtxt(args.flipped, dtype=np.int64, ndmin=1)
        k = max(1, int(round(0.05 * len(scores))))
        top = np.lexsort((np.arange(len(scores)), scores))[:k]
        hits = np.isin(top, flipped).sum()
        print(f"flipped_in_top5 {hits}/{min(k, len(flipped))} "
              f"({hits / max(1, min(k, len(flipped))):.3f}; {len(flipped)} flipped, top {k})",
              file=sys.stderr)


if __name__ == "__main__":
    main()
