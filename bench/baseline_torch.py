#!/usr/bin/python3
"""baseline_torch.py — SGD-Influence in PyTorch (float32), the reference the tool is
measured against: same algorithm, same conventions (docs/ARCHITECTURE.md), implemented the
strongest way PyTorch 1.13 allows.

Per training step of the backward walk, ONE forward-over-reverse pass gives both the
tangent of every sample's loss, <grad l_j(theta_t), g_bar> for the whole batch (the
per-sample scores), and the tangent of the gradient, H_t g_bar (the Hessian-vector
product that updates the adjoint):

    --engine functorch: functorch.jvp(functorch.grad(mean_loss, has_aux=True),
                                      (theta,), (g_bar,))
    --engine autograd (default; the same forward-mode engine with about half the
                       per-call overhead): a torch.autograd.forward_ad dual
                       theta + eps g_bar through torch.autograd.grad(create_graph=True)

No per-sample gradient is formed and nothing loops over samples in Python. Training
steps use torch.autograd.grad (or functorch.grad).

Conventions copied from the tool (docs/ARCHITECTURE.md):
  * per-sample loss l_i + (lambda/2)|theta|^2, batch loss = sum over the batch / |S|;
  * parameters one flat float32 vector: for each Affine, W (in x out, row-major) then b;
  * Glorot-uniform init and dropout masks from Philox4x32-10 (implemented here in numpy,
    vectorised), batch order by the tool's Fisher-Yates over Philox;
  * Sgd / Momentum / Nesterov in nnabla's form and their adjoints over (theta, v);
  * curvature c = 1 (paper), 1/|S| (plugin), 0 (none).
Inputs that make it reproduce a tool run exactly: --init (the tool's
--save-initial-params file) and --trace (the tool's --trace file). Without them it
draws its own initial parameters and batch order with the same Philox conventions.

--method all stores every theta_t in memory (a baseline); --method last scores the last
epoch at theta_T.

--loo K additionally retrains K times in float64 without one training row (the
counterfactual of docs: same batches, the row's term dropped, same divisor) and reports
Kendall's tau / Pearson's r between that true change of the validation loss and the
scores (K = -1: every row).
"""
import argparse
import math
import sys
import time

import numpy as np
import torch
import functorch
import torch.autograd.forward_ad as fwAD

# --- Philox4x32-10 (src/util/rng.c), vectorised -------------------------------------------

MASK32 = np.uint64(0xFFFFFFFF)
RNG_DROPOUT, RNG_SHUFFLE, RNG_INIT, RNG_VALIDATE = 0x10000, 0x20000, 0x30000, 0x40000


def philox(seed, c0, c1, c2, c3):
    """Philox4x32-10 of counters (c0, c1, c2, c3) (broadcast arrays of 32-bit values)
    with key (seed low word, seed high word); returns the four output words (uint64
    arrays holding 32-bit values)."""
    u = np.uint64
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) & MASK32 for c in (c0, c1, c2, c3))
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    k0 = u(seed & 0xFFFFFFFF)
    k1 = u((seed >> 32) & 0xFFFFFFFF)
    m0, m1 = u(0xD2511F53), u(0xCD9E8D57)
    w0, w1 = u(0x9E3779B9), u(0xBB67AE85)
    s32 = u(32)
    for _ in range(10):
        p0 = m0 * c0  # < 2^64: no overflow in uint64
        p1 = m1 * c2
        c0, c1, c2, c3 = ((p1 >> s32) ^ c1 ^ k0, p1 & MASK32, (p0 >> s32) ^ c3 ^ k1,
                          p0 & MASK32)
        k0 = (k0 + w0) & MASK32
        k1 = (k1 + w1) & MASK32
    return c0, c1, c2, c3


def uniform24(word):
    return (word >> np.uint64(8)).astype(np.float64) * 2.0 ** -24


def epoch_permutation(seed, epoch, n):
    """The tool's batch order of `epoch` (sgdi_epoch_permutation)."""
    i = np.arange(n - 1, 0, -1, dtype=np.uint64)
    o0, o1, _, _ = philox(seed, i, epoch & 0xFFFFFFFF, epoch >> 32, RNG_SHUFFLE)
    r = o0 | (o1 << np.uint64(32))
    j = (r % (i + np.uint64(1))).astype(np.int64)
    perm = np.arange(n, dtype=np.int64)
    for ii, jj in zip(range(n - 1, 0, -1), j.tolist()):
        perm[ii], perm[jj] = perm[jj], perm[ii]
    return perm


def dropout_masks(seed, p, rows, step, stream, width):
    """Keep-mask (bool, len(rows) x width) of Dropout `stream` at global step `step`."""
    # One Philox block per four elements: element e takes word e & 3 of block e >> 2.
    e = np.arange(width, dtype=np.uint64)[None, :]
    r = np.asarray(rows, dtype=np.uint64)[:, None]
    words = philox(seed, e >> np.uint64(2), r, step, RNG_DROPOUT | stream)
    lane = np.broadcast_to(e & np.uint64(3), words[0].shape)
    word = np.choose(lane.astype(np.intp), [np.broadcast_to(w, lane.shape) for w in words])
    return uniform24(word) >= p


# --- Data -----------------------------------------------------------------------------------

def read_table(path):
    """Neural Network Console CSV: x__0.. (or x) features, y label; '#' columns ignored."""
    import csv
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.split(":", 1)[0].strip() for h in next(reader)]
        xcols = {}
        for k, h in enumerate(header):
            if h == "x":
                xcols[0] = k
            elif h.startswith("x__"):
                xcols[int(h[3:])] = k
        ycol = header.index("y")
        order = [xcols[i] for i in sorted(xcols)]
        xs, ys = [], []
        for row in reader:
            if not row:
                continue
            xs.append([float(row[k]) for k in order])
            ys.append(int(row[ycol]))
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.int64)


def read_trace(path):
    steps = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            steps.append((int(parts[0]), int(parts[1]), float(parts[2]),
                          np.asarray([int(v) for v in parts[3:]], dtype=np.int64)))
    return steps


def own_trace(seed, n, batch, epochs, lr):
    steps = []
    for e in range(epochs):
        perm = epoch_permutation(seed, e, n)
        for s, b in enumerate(range(0, n, batch)):
            steps.append((e, s, lr, perm[b:b + batch]))
    return steps


# --- The network ----------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "elu": lambda x: torch.nn.functional.elu(x, alpha=1.0),
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, negative_slope=0.1),
}


class Net:
    """The built-in networks. The network functions take the parameters as a list of
    tensors [W0, b0, W1, b1, ...] (W: in x out); the flat vector of docs/ARCHITECTURE.md
    is their concatenation (split_view / flat convert)."""

    def __init__(self, n_in, n_classes, network, hidden, activation, dropout, wd):
        widths = [n_in] + (list(hidden) if network == "mlp" else []) + [n_classes]
        self.layers = []  # (offset W, in, out, offset b)
        off = 0
        for a, b in zip(widths[:-1], widths[1:]):
            self.layers.append((off, a, b, off + a * b))
            off += a * b + b
        self.P = off
        self.act = ACTIVATIONS[activation]
        self.p = dropout
        self.wd = wd
        n_hidden = len(widths) - 2
        # Dropout after every hidden layer but the last, only when p > 0.
        self.dropout_after = list(range(n_hidden - 1)) if dropout > 0 else []
        self.dropout_widths = [widths[k + 1] for k in self.dropout_after]
        self._mask_cache = {}

    def split_view(self, flat):
        """Flat torch vector -> list of views [W0, b0, ...] of it."""
        out = []
        for ow, a, b, ob in self.layers:
            out += [flat[ow:ow + a * b].view(a, b), flat[ob:ob + b]]
        return out

    @staticmethod
    def flat(params):
        return torch.cat([p.reshape(-1) for p in params])

    def glorot(self, seed):
        theta = np.zeros(self.P, dtype=np.float32)
        for k, (ow, a, b, ob) in enumerate(self.layers):
            lim = math.sqrt(6.0 / (a + b))
            e = np.arange(a * b, dtype=np.uint64)
            u = uniform24(philox(seed, e, 0, 0, RNG_INIT | (2 * k))[0])
            theta[ow:ow + a * b] = (-lim + 2.0 * lim * u).astype(np.float32)
        return theta

    def masks(self, seed, rows, step, dtype):
        """Dropout multipliers (0 or 1/(1-p)) for each Dropout operator. Cached by step:
        scoring reuses the masks training drew (they depend on (seed, row, step) only)."""
        if not self.dropout_widths:
            return []
        key = (seed, step, dtype)
        hit = self._mask_cache.get(key)
        if hit is not None and np.array_equal(hit[0], rows):
            return hit[1]
        out = []
        for stream, width in enumerate(self.dropout_widths):
            keep = dropout_masks(seed, self.p, rows, step, stream, width)
            out.append(torch.from_numpy(keep.astype(np.float64) / (1.0 - self.p)).to(dtype))
        self._mask_cache[key] = (np.array(rows), out)
        return out

    def logits(self, theta, x, masks):
        h = x
        last = len(self.layers) - 1
        for k in range(len(self.layers)):
            h = h @ theta[2 * k] + theta[2 * k + 1]
            if k < last:
                h = self.act(h)
                if masks and k in self.dropout_after:
                    h = h * masks[self.dropout_after.index(k)]
        return h

    def sample_losses(self, theta, x, y, masks):
        """l_i + (lambda/2)|theta|^2 for every sample of the batch."""
        ls = self.cross_entropy(self.logits(theta, x, masks), y)
        if self.wd:
            ls = ls + 0.5 * self.wd * sum((p * p).sum() for p in theta)
        return ls

    def val_loss(self, theta, x, y):
        return self.cross_entropy(self.logits(theta, x, None), y).mean()

    @staticmethod
    def cross_entropy(z, y):
        # Softmax cross-entropy per sample, written with ops that all have forward-mode
        # derivatives of their backward (nll_loss_backward has none in PyTorch 1.13).
        onehot = torch.nn.functional.one_hot(y, z.shape[1]).to(z.dtype)
        return torch.logsumexp(z, dim=1) - (z * onehot).sum(dim=1)


# --- Training and scoring -------------------------------------------------------------------

class Solver:
    """nnabla's Sgd / Momentum / Nesterov on the flat parameter vector."""

    def __init__(self, kind, mu):
        self.kind, self.mu = kind, mu

    def init_state(self, theta):
        return torch.zeros_like(theta)

    def step(self, theta, v, g, lr):
        if self.kind == "sgd":
            return theta - lr * g, v
        if self.kind == "momentum":
            v = self.mu * v + lr * g
            return theta - v, v
        v_new = self.mu * v - lr * g
        return theta - self.mu * v + (1.0 + self.mu) * v_new, v_new

    def adjoint(self, a, av, lr):
        """(g_bar, a_v after the step's transpose), from the adjoint (a, av) of x_{t+1}.
        The caller adds c * H g_bar to a."""
        if self.kind == "sgd":
            return -lr * a, av
        mu = self.mu
        if self.kind == "momentum":
            return -lr * (a - av), mu * (av - a)
        return -lr * ((1.0 + mu) * a + av), mu * mu * a + mu * av


class Engine:
    """The derivatives, two ways: "autograd" (torch.autograd for gradients, and
    torch.autograd.forward_ad dual numbers through torch.autograd.grad(create_graph=True)
    for forward-over-reverse) and "functorch" (functorch.grad, and functorch.jvp of
    functorch.grad). Same numbers; "autograd" has less per-call overhead and is the default.

    Vectors (parameters, gradients, tangents) are flat tensors, so that the solver and the
    adjoint updates are a few whole-vector operations. The network sees them either as
    views of one flat leaf ("flat": fewest operations, best for small networks) or as
    separate leaf tensors ("split": spares autograd the full-size zero-filled gradient
    that every slice of one flat leaf costs, best for large ones); "auto" picks split
    from 50,000 parameters on.
    """

    def __init__(self, kind, net, leaves="auto"):
        self.kind, self.net = kind, net
        self.split = leaves == "split" or (leaves == "auto" and net.P >= 50000)

    def _leaves(self, flat):
        return [t.detach().requires_grad_(True) for t in self.net.split_view(flat.detach())]

    def grad(self, f, theta):
        """Gradient of the scalar f(parameter list) at the flat theta."""
        if self.kind == "functorch":
            if not self.split:
                return functorch.grad(lambda th: f(self.net.split_view(th)))(theta)
            g = functorch.grad(f)(tuple(self.net.split_view(theta)))
            return self.net.flat(g)
        if not self.split:
            th = theta.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(f(self.net.split_view(th)), th)
            return g
        th = self._leaves(theta)
        return self.net.flat(torch.autograd.grad(f(th), th))

    def dots_and_hvp(self, f, theta, v, want_hvp):
        """f(parameter list) -> (scalar L, vector ls). Returns (<grad ls_i, v> for every i,
        H_L v), both from ONE forward-over-reverse pass (H_L v is None without want_hvp:
        then a forward-mode pass alone)."""
        sv = self.net.split_view
        if self.kind == "functorch":
            if not self.split:
                g = functorch.grad(lambda th: f(sv(th)), has_aux=True)
                if want_hvp:
                    _, (hv, dots) = functorch.jvp(g, (theta,), (v,))
                    return dots, hv
                _, dots = functorch.jvp(lambda th: f(sv(th))[1], (theta,), (v,))
                return dots, None
            tl, vl = tuple(sv(theta)), tuple(sv(v))
            if want_hvp:
                _, (hv, dots) = functorch.jvp(functorch.grad(f, has_aux=True), (tl,), (vl,))
                return dots, self.net.flat(hv)
            _, dots = functorch.jvp(lambda th: f(th)[1], (tl,), (vl,))
            return dots, None
        with fwAD.dual_level():
            if not want_hvp:
                _, ls = f(sv(fwAD.make_dual(theta, v)))
                return fwAD.unpack_dual(ls).tangent, None
            if not self.split:
                th = theta.detach().requires_grad_(True)
                loss, ls = f(sv(fwAD.make_dual(th, v)))
                (g,) = torch.autograd.grad(loss, th, create_graph=True)
                return (fwAD.unpack_dual(ls).tangent.detach(),
                        fwAD.unpack_dual(g).tangent.detach())
            th = self._leaves(theta)
            loss, ls = f([fwAD.make_dual(t, d) for t, d in zip(th, sv(v))])
            g = torch.autograd.grad(loss, th, create_graph=True)
            return (fwAD.unpack_dual(ls).tangent.detach(),
                    self.net.flat([fwAD.unpack_dual(gi).tangent.detach() for gi in g]))


def train(net, solver, engine, theta0, x, y, steps, seed, keep_all, weights=None):
    """Runs the steps; returns theta_T and (if keep_all) the list of theta_t.
    `weights`: optional per-row weights (1 present, 0 left out)."""
    theta = theta0.clone()
    v = solver.init_state(theta)
    kept = []
    for t, (_, _, lr, idx) in enumerate(steps):
        if keep_all:
            kept.append(theta)
        it = torch.from_numpy(idx)
        masks = net.masks(seed, idx, t, theta.dtype)
        xb, yb = x[it], y[it]
        wb = None if weights is None else weights[it]

        def batch_loss(th):
            ls = net.sample_losses(th, xb, yb, masks)
            if wb is not None:
                ls = ls * wb
            return ls.sum() / xb.shape[0]

        g = engine.grad(batch_loss, theta)
        theta, v = solver.step(theta, v, g, lr)
    return theta, kept


def score(net, solver, engine, steps, thetas, x, y, xv, yv, seed, hessian, method):
    """The backward walk of docs/ARCHITECTURE.md ("The estimator"). `thetas`: callable
    t -> theta_t used for step t."""
    n = x.shape[0]
    scores = torch.zeros(n, dtype=torch.float64)
    theta_T = thetas(len(steps))
    a = engine.grad(lambda th: net.val_loss(th, xv, yv), theta_T)
    av = torch.zeros_like(a)
    if method == "all":
        walk = range(len(steps) - 1, -1, -1)
    else:
        last_epoch = steps[-1][0]
        walk = [t for t in range(len(steps) - 1, -1, -1) if steps[t][0] == last_epoch]
    for t in walk:
        _, _, lr, idx = steps[t]
        it = torch.from_numpy(idx)
        bs = len(idx)
        theta = thetas(t)
        masks = net.masks(seed, idx, t, theta.dtype)
        xb, yb = x[it], y[it]

        def mean_loss(th):
            ls = net.sample_losses(th, xb, yb, masks)
            return ls.sum() / bs, ls

        gbar, av = solver.adjoint(a, av, lr)
        c = {"paper": 1.0, "plugin": 1.0 / bs, "none": 0.0}[hessian]
        dots, hv = engine.dots_and_hvp(mean_loss, theta, gbar, want_hvp=c != 0)
        if c:
            a = a + c * hv
        scores.index_add_(0, it, -dots.to(torch.float64) / bs)
    return scores


def kendall_tau(a, b):
    from scipy.stats import kendalltau
    return float(kendalltau(a, b)[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--train", "-t", required=True)
    ap.add_argument("--val", "-v", required=True)
    ap.add_argument("--init", help="raw little-endian float32 theta_0 (--save-initial-params)")
    ap.add_argument("--trace", help="the tool's --trace file (epoch step lr idx...)")
    ap.add_argument("--network", choices=("logreg", "mlp"), default="mlp")
    ap.add_argument("--hidden", default="8,8")
    ap.add_argument("--activation", choices=tuple(ACTIVATIONS), default="relu")
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--solver", choices=("sgd", "momentum", "nesterov"), default="sgd")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--epochs", "-e", type=int, default=20)
    ap.add_argument("--batch-size", "-b", type=int, default=64)
    ap.add_argument("--method", choices=("all", "last"), default="all")
    ap.add_argument("--hessian", choices=("paper", "plugin", "none"), default="plugin")
    ap.add_argument("--seed", "-s", type=int, default=0)
    ap.add_argument("--output", "-o", help="influence CSV in the tool's format")
    ap.add_argument("--time", action="store_true",
                    help="print wall seconds of training and of scoring on stderr")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--engine", choices=("autograd", "functorch"), default="autograd",
                    help="autograd: torch.autograd + forward_ad (default, less overhead); "
                         "functorch: functorch.grad / functorch.jvp")
    ap.add_argument("--leaves", choices=("auto", "flat", "split"), default="auto",
                    help="how autograd sees the parameters (see class Engine)")
    ap.add_argument("--loo", type=int, default=0,
                    help="leave-one-out retrainings (float64) to check the scores; -1 = all")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    x_np, y_np = read_table(args.train)
    xv_np, yv_np = read_table(args.val)
    n_classes = int(y_np.max()) + 1
    hidden = [int(h) for h in args.hidden.split(",") if h] if args.network == "mlp" else []
    net = Net(x_np.shape[1], n_classes, args.network, hidden, args.activation,
              args.dropout if args.network == "mlp" else 0.0, args.weight_decay)
    if args.init:
        theta0 = np.fromfile(args.init, dtype="<f4")
        if theta0.size != net.P:
            sys.exit(f"baseline: {args.init} holds {theta0.size} floats, the network has "
                     f"{net.P} parameters")
    else:
        theta0 = net.glorot(args.seed)
    steps = (read_trace(args.trace) if args.trace else
             own_trace(args.seed, len(x_np), args.batch_size, args.epochs, args.lr))

    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    xv, yv = torch.from_numpy(xv_np), torch.from_numpy(yv_np)
    solver = Solver(args.solver, args.momentum)

    t0 = time.perf_counter()
    engine = Engine(args.engine, net, args.leaves)
    theta_T, kept = train(net, solver, engine, torch.from_numpy(theta0.copy()), x, y, steps,
                          args.seed, keep_all=args.method == "all")
    t1 = time.perf_counter()
    if args.method == "all":
        thetas = lambda t: kept[t] if t < len(kept) else theta_T  # noqa: E731
    else:
        thetas = lambda t: theta_T  # noqa: E731
    scores = score(net, solver, engine, steps, thetas, x, y, xv, yv, args.seed, args.hessian,
                   args.method).numpy()
    t2 = time.perf_counter()
    if args.time:
        print(f"train_seconds {t1 - t0:.6f}\nscore_seconds {t2 - t1:.6f}\n"
              f"steps {len(steps)}\nparameters {net.P}\nrows {len(x_np)}", file=sys.stderr)

    if args.output:
        order = np.lexsort((np.arange(len(scores)), scores))
        with open(args.output, "w", newline="\n") as f:
            f.write("index,influence,datasource_index\n")
            for r in order:
                f.write(f"{r},{scores[r]:.17g},{r}\n")

    if args.loo:
        rows = np.arange(len(x_np)) if args.loo < 0 else np.random.default_rng(
            args.seed).choice(len(x_np), size=min(args.loo, len(x_np)), replace=False)
        x64, xv64 = x.double(), xv.double()
        th0 = torch.from_numpy(theta0.astype(np.float64))
        base, _ = train(net, solver, engine, th0, x64, y, steps, args.seed, False)
        l0 = float(net.val_loss(net.split_view(base), xv64, yv))
        actual = []
        for j in rows:
            w = torch.ones(len(x_np), dtype=torch.float64)
            w[int(j)] = 0.0
            th, _ = train(net, solver, engine, th0, x64, y, steps, args.seed, False, weights=w)
            actual.append(float(net.val_loss(net.split_view(th), xv64, yv)) - l0)
        actual = np.asarray(actual)
        est = scores[rows]
        r = float(np.corrcoef(actual, est)[0, 1])
        print(f"loo rows {len(rows)} kendall_tau {kendall_tau(actual, est):.4f} "
              f"pearson_r {r:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
