/*
 * test_ops.c — derivative tests for every operator in sgdi_op_table, in
 * double precision (sgdi_ops_f64).
 *
 * The table of cases (test_ops_cases.c) is indexed by sgdi_op_kind: a kind without a case,
 * or a NULL function in the op table, fails the suite. For each case (a few
 * random shapes and attribute variants, batch >= 2, fixed seed):
 *
 *   1. tangent_forward  vs central differences of forward along v;
 *   2. backward         <y_bar, J v> (differences) vs <J^T y_bar, v>, into
 *                       pre-filled adjoints (the accumulate convention);
 *   3. tangent_backward vs [backward(x + e v) - backward(x - e v)] / 2e
 *                       + backward(x; y_bar'), into pre-filled buffers;
 *   4. loss operators:  u^T (H v) = v^T (H u) with y_bar = 1, y_bar' = NULL;
 *   5. NULL tangents act as zero, NULL adjoints are skipped, every subset of
 *      inputs gives the same numbers as all of them together;
 *   6. Dropout in training and in evaluation (its mask's counter layout and row
 *      dependence are tested in test_ops_f32.c, with infer_shape's reasons);
 *   7. fixed inputs (BatchNormalization's running statistics): their tangents
 *      change nothing and their adjoints are never written. Cases may set
 *      ctx->weights (BatchNormalization's weighted batch statistics).
 *
 * The largest relative error of each check is printed per operator.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "test_ops_cases.h"
#include "test_support.h"
#include "util/rng.h"

static const double EPS = 1e-6;    // central-difference step
static const double TOL = 1e-7;    // relative to max(|reference|, 1)
static const double EXACT = 1e-13; // for results that must agree up to rounding

// --- Random numbers (splitmix64; fixed seed) ------------------------------------------

static sgdi_test_rng rng = {0x5eed1234abcdULL};

int64_t rand_int(int64_t lo, int64_t hi) {
    return lo + (int64_t)(sgdi_test_rng_u64(&rng) % (uint64_t)(hi - lo + 1));
}

// --- Test cases --------------------------------------------------------------------------

// The cases (shapes, generators, attributes per operator) are in test_ops_cases.c.

// --- The harness: one operator call over plain buffers -----------------------------------

static const int64_t ROWS[] = {3, 11, 5, 42, 7, 8};

typedef struct harness {
    sgdi_op_kind kind;
    op_case c;
    int64_t batch;
    sgdi_shape out_shape;
    int64_t len[MAX_IN], out_len;
    bool diff[MAX_IN]; // differentiable (not a target)
    sgdi_exec_ctx ctx;
} harness;

// Buffers of one call; NULL pointers are passed on as NULL.
typedef struct io {
    double *val[MAX_IN], *tan[MAX_IN], *adj[MAX_IN], *adj_tan[MAX_IN];
    double *y, *y_tan, *y_bar, *y_bar_tan;
    bool fresh; // batched inputs' adjoints hold nothing yet (sgdi_port.adj_fresh)
} io;

static void invoke(const harness *h, sgdi_kernel_fn fn, const io *b) {
    sgdi_port in[MAX_IN], out;
    for (int i = 0; i < h->c.n_in; i++) {
        in[i] = (sgdi_port){.val = b->val[i],
                            .tan = b->tan[i],
                            .adj = b->adj[i],
                            .adj_tan = b->adj_tan[i],
                            .shape = h->c.shape[i],
                            .count = h->len[i] / (h->c.batched[i] ? h->batch : 1),
                            .batched = h->c.batched[i],
                            .adj_fresh = b->fresh && h->c.batched[i] &&
                                         sgdi_op_table[h->kind].assigns_fresh_adjoint};
    }
    out = (sgdi_port){.val = b->y,
                      .tan = b->y_tan,
                      .adj = b->y_bar,
                      .adj_tan = b->y_bar_tan,
                      .shape = h->out_shape,
                      .count = h->out_len / h->batch,
                      .batched = true};
    sgdi_op_call call = {.attr = &h->c.attr,
                         .ctx = &h->ctx,
                         .in = in,
                         .n_in = h->c.n_in,
                         .out = &out,
                         .n_out = 1,
                         .batch = h->batch};
    const sgdi_op_def *def = &sgdi_op_table[h->kind];
    int64_t work = def->workspace
                       ? def->workspace(&h->c.attr, h->c.shape, h->c.n_in, &h->out_shape, h->batch)
                       : 0;
    // Scratch is handed over dirty (NaN), as the executor's is: kernels must not rely on zeros.
    if (work > 0) {
        call.work = malloc((size_t)work * sizeof *call.work);
        call.work_len = work;
        if (!call.work) abort();
        for (int64_t k = 0; k < work; k++) call.work[k] = NAN;
    }
    // Every direction of a pass sees the forward's output, as in the executor (the fused
    // BatchNormalization + ReLU reads its kink there).
    double *y = NULL;
    if (!out.val && fn != def->forward) {
        y = malloc((size_t)(h->out_len > 0 ? h->out_len : 1) * sizeof *y);
        if (!y) abort();
        sgdi_op_call fwd = call;
        sgdi_port fwd_out = {.val = y, .shape = out.shape, .count = out.count, .batched = true};
        fwd.out = &fwd_out;
        def->forward(&fwd);
        out.val = y;
    }
    fn(&call);
    free(call.work);
    free(y);
}

static double *buf(int64_t n) {
    double *p = calloc((size_t)(n > 0 ? n : 1), sizeof *p);
    if (!p) abort();
    return p;
}
static double max_abs(const double *a, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
    return m;
}
// max |a - b| / max(max |b|, 1)
static double rel_err(const double *a, const double *b, int64_t n) {
    double e = 0;
    for (int64_t i = 0; i < n; i++) e = fmax(e, fabs(a[i] - b[i]));
    if (isnan(e)) return INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (isnan(a[i]) || isnan(b[i])) return INFINITY;
    return e / fmax(max_abs(b, n), 1);
}
static double dot(const double *a, const double *b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

// Values of input i according to its generator.
static void generate(const harness *h, int i, double *x) {
    const op_case *c = &h->c;
    int64_t n = h->len[i];
    int axis = c->attr.axis;
    switch (c->gen[i]) {
    case GEN_NORMAL:
    case GEN_LOW:
        for (int64_t k = 0; k < n; k++) {
            do x[k] = sgdi_test_rng_normal(&rng) - (c->gen[i] == GEN_LOW);
            while (fabs(x[k]) < 1e-3);
        }
        break;
    case GEN_LABEL:
        for (int64_t k = 0; k < n; k++) x[k] = (double)rand_int(0, c->shape[0].dim[axis] - 1);
        break;
    case GEN_BINARY:
        for (int64_t k = 0; k < n; k++) x[k] = (double)(sgdi_test_rng_u64(&rng) & 1);
        break;
    case GEN_PROB:
        for (int64_t k = 0; k < n; k++) x[k] = 0.1 + 0.8 * sgdi_test_rng_unif(&rng);
        break;
    case GEN_POSITIVE:
        for (int64_t k = 0; k < n; k++) x[k] = 0.5 + 1.5 * sgdi_test_rng_unif(&rng);
        break;
    case GEN_SOFTMAX: {
        const sgdi_shape *s = &c->shape[i];
        int64_t inner = 1, C = s->dim[axis];
        for (int k = axis + 1; k < s->ndim; k++) inner *= s->dim[k];
        sgdi_test_rng_fill_normal(&rng, x, n);
        for (int64_t r = 0; r < n / C; r++) {
            double *row = x + (r / inner) * C * inner + r % inner, sum = 0;
            for (int64_t k = 0; k < C; k++) sum += (row[k * inner] = exp(row[k * inner]));
            for (int64_t k = 0; k < C; k++) row[k * inner] /= sum;
        }
        break;
    }
    }
}

// dst = x + s * dir for differentiable inputs (dir[i] may be NULL = zero), x for targets.
static void shifted(const harness *h, double *const *x, double *const *dir, double s,
                    double **dst) {
    for (int i = 0; i < h->c.n_in; i++)
        for (int64_t k = 0; k < h->len[i]; k++)
            dst[i][k] = x[i][k] + (h->diff[i] && dir[i] ? s * dir[i][k] : 0);
}

// --- Per-op statistics -------------------------------------------------------------------

enum { E_TF, E_BW, E_TB, E_SYM, E_COUNT };
static double max_err[SGDI_OP_COUNT][E_COUNT];

static void record(const harness *h, int which, double err, const char *what, int variant) {
    if (err > max_err[h->kind][which]) max_err[h->kind][which] = err;
    double tol = which == E_SYM ? 1e-10 : TOL;
    CHECK_MSG(err <= tol, "%s variant %d: %s error %.3g", sgdi_op_table[h->kind].name, variant,
              what, err);
}

// --- The checks --------------------------------------------------------------------------

typedef struct work {
    double *x[MAX_IN], *xs[MAX_IN], *v[MAX_IN], *u[MAX_IN], *vk[MAX_IN];
    double *g[MAX_IN], *g2[MAX_IN], *pre[MAX_IN], *fdg[MAX_IN], *fdm[MAX_IN];
    double *y, *yp, *ym, *ytan, *ybar, *ybar_tan, *ones;
} work;

// out = forward at x + s dir
static void forward_at(const harness *h, work *w, double *const *dir, double s, double *out) {
    io b = {.y = out};
    shifted(h, w->x, dir, s, w->xs);
    for (int i = 0; i < h->c.n_in; i++) b.val[i] = w->xs[i];
    invoke(h, sgdi_op_table[h->kind].forward, &b);
}

// adj[i] = J^T ybar at x + s dir (zeroed first), for differentiable inputs
static void backward_at(const harness *h, work *w, double *const *dir, double s, const double *ybar,
                        double **adj) {
    io b = {.y_bar = (double *)ybar};
    shifted(h, w->x, dir, s, w->xs);
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->xs[i];
        if (h->diff[i]) {
            memset(adj[i], 0, (size_t)h->len[i] * sizeof(double));
            b.adj[i] = adj[i];
        }
    }
    invoke(h, sgdi_op_table[h->kind].backward, &b);
}

// Tangent forward with the tangents of inputs in `mask` (others NULL) vs differences.
static void check_tangent_forward(const harness *h, work *w, uint32_t mask, int variant) {
    io b = {.y_tan = w->ytan};
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->x[i];
        w->vk[i] = (h->diff[i] && (mask >> i & 1)) ? w->v[i] : NULL;
        b.tan[i] = w->vk[i];
    }
    for (int64_t k = 0; k < h->out_len; k++) w->ytan[k] = NAN; // must be assigned
    invoke(h, sgdi_op_table[h->kind].tangent_forward, &b);
    forward_at(h, w, w->vk, EPS, w->yp);
    forward_at(h, w, w->vk, -EPS, w->ym);
    for (int64_t k = 0; k < h->out_len; k++) w->yp[k] = (w->yp[k] - w->ym[k]) / (2 * EPS);
    record(h, E_TF, rel_err(w->ytan, w->yp, h->out_len), "tangent_forward", variant);
}

// Backward into pre-filled buffers, only inputs in `mask` wanted; returns J^T ybar in g.
static void backward_masked(const harness *h, work *w, uint32_t mask, double **g) {
    io b = {.y_bar = w->ybar};
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->x[i];
        if (h->diff[i] && (mask >> i & 1)) {
            for (int64_t k = 0; k < h->len[i]; k++) g[i][k] = w->pre[i][k];
            b.adj[i] = g[i];
        }
    }
    invoke(h, sgdi_op_table[h->kind].backward, &b);
    for (int i = 0; i < h->c.n_in; i++)
        if (h->diff[i] && (mask >> i & 1))
            for (int64_t k = 0; k < h->len[i]; k++) g[i][k] -= w->pre[i][k];
}

static void check_backward(const harness *h, work *w, int variant) {
    backward_masked(h, w, ~0u, w->g);
    double jtv = 0;
    for (int i = 0; i < h->c.n_in; i++)
        if (h->diff[i]) jtv += dot(w->g[i], w->v[i], h->len[i]);
    forward_at(h, w, w->v, EPS, w->yp);
    forward_at(h, w, w->v, -EPS, w->ym);
    for (int64_t k = 0; k < h->out_len; k++) w->yp[k] = (w->yp[k] - w->ym[k]) / (2 * EPS);
    double fd = dot(w->ybar, w->yp, h->out_len);
    record(h, E_BW, fabs(jtv - fd) / fmax(fabs(fd), 1), "backward <J^T y_bar, v>", variant);
    // Accumulation into zeroed buffers gives the same, and so does each input alone.
    backward_at(h, w, w->v, 0, w->ybar, w->g2);
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i]) continue;
        CHECK_MSG(rel_err(w->g[i], w->g2[i], h->len[i]) <= EXACT, "%s: accumulate, input %d",
                  sgdi_op_table[h->kind].name, i);
    }
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i]) continue;
        backward_masked(h, w, 1u << i, w->g2);
        CHECK_MSG(rel_err(w->g[i], w->g2[i], h->len[i]) <= EXACT, "%s: adj only for input %d",
                  sgdi_op_table[h->kind].name, i);
    }
}

// Tangent backward with tangents in tan_mask, adj_tan wanted for adj_mask, y_bar' given or
// NULL, vs differences of backward (+ backward(y_bar')). Input adjoints hold a sentinel
// that must stay untouched.
static void check_tangent_backward(const harness *h, work *w, uint32_t tan_mask, uint32_t adj_mask,
                                   bool with_ybar_tan, int variant) {
    io b = {.y_bar = w->ybar, .y_bar_tan = with_ybar_tan ? w->ybar_tan : NULL};
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->x[i];
        w->vk[i] = (h->diff[i] && (tan_mask >> i & 1)) ? w->v[i] : NULL;
        b.tan[i] = w->vk[i];
        if (h->diff[i] && (adj_mask >> i & 1)) {
            for (int64_t k = 0; k < h->len[i]; k++) w->g[i][k] = w->pre[i][k];
            b.adj_tan[i] = w->g[i];
        }
        if (h->diff[i]) {
            for (int64_t k = 0; k < h->len[i]; k++) w->g2[i][k] = 12345.0;
            b.adj[i] = w->g2[i];
        }
    }
    invoke(h, sgdi_op_table[h->kind].tangent_backward, &b);
    // reference: [B(x + e v) - B(x - e v)] / 2e + B(x; y_bar')
    backward_at(h, w, w->vk, EPS, w->ybar, w->fdg);
    backward_at(h, w, w->vk, -EPS, w->ybar, w->fdm);
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i]) continue;
        for (int64_t k = 0; k < h->len[i]; k++)
            w->fdg[i][k] = (w->fdg[i][k] - w->fdm[i][k]) / (2 * EPS);
        CHECK_MSG(w->g2[i][0] == 12345.0 && w->g2[i][h->len[i] - 1] == 12345.0,
                  "%s: tangent_backward wrote an input adjoint", sgdi_op_table[h->kind].name);
    }
    if (with_ybar_tan) {
        backward_at(h, w, w->v, 0, w->ybar_tan, w->fdm);
        for (int i = 0; i < h->c.n_in; i++)
            if (h->diff[i])
                for (int64_t k = 0; k < h->len[i]; k++) w->fdg[i][k] += w->fdm[i][k];
    }
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i] || !(adj_mask >> i & 1)) continue;
        for (int64_t k = 0; k < h->len[i]; k++) w->g[i][k] -= w->pre[i][k];
        record(h, E_TB, rel_err(w->g[i], w->fdg[i], h->len[i]), "tangent_backward", variant);
    }
}

// u^T (H v) = v^T (H u) for a loss: y_bar = 1, y_bar' = NULL.
static void check_symmetry(const harness *h, work *w, int variant) {
    double uhv = 0, vhu = 0;
    for (int pass = 0; pass < 2; pass++) {
        io b = {.y_bar = w->ones};
        for (int i = 0; i < h->c.n_in; i++) {
            b.val[i] = w->x[i];
            if (!h->diff[i]) continue;
            b.tan[i] = pass == 0 ? w->v[i] : w->u[i];
            memset(w->g[i], 0, (size_t)h->len[i] * sizeof(double));
            b.adj_tan[i] = w->g[i];
        }
        invoke(h, sgdi_op_table[h->kind].tangent_backward, &b);
        for (int i = 0; i < h->c.n_in; i++)
            if (h->diff[i]) {
                if (pass == 0)
                    uhv += dot(w->u[i], w->g[i], h->len[i]);
                else
                    vhu += dot(w->v[i], w->g[i], h->len[i]);
            }
    }
    record(h, E_SYM, fabs(uhv - vhu) / fmax(fmax(fabs(uhv), fabs(vhu)), 1), "symmetry", variant);
}

// Fixed inputs (state such as BN's running statistics) get tangents and adjoint buffers,
// as the executor hands every parameter: the tangents must change nothing and the
// adjoints must stay untouched.
static void check_fixed_inputs(const harness *h, work *w, int variant) {
    const char *name = sgdi_op_table[h->kind].name;
    io b = {.y_tan = w->yp};
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->x[i];
        b.tan[i] = (h->diff[i] || (h->c.fixed_inputs >> i & 1)) ? w->v[i] : NULL;
    }
    invoke(h, sgdi_op_table[h->kind].tangent_forward, &b);
    io ref = {.y_tan = w->ym};
    for (int i = 0; i < h->c.n_in; i++)
        ref.val[i] = w->x[i], ref.tan[i] = h->diff[i] ? w->v[i] : NULL;
    invoke(h, sgdi_op_table[h->kind].tangent_forward, &ref);
    CHECK_MSG(memcmp(w->yp, w->ym, (size_t)h->out_len * sizeof(double)) == 0,
              "%s variant %d: the tangent of a fixed input changes y'", name, variant);
    b = (io){.y_bar = w->ybar, .y_bar_tan = w->ybar_tan};
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->x[i];
        b.tan[i] = w->v[i];
        for (int64_t k = 0; k < h->len[i]; k++) w->g[i][k] = w->g2[i][k] = 12345.0;
        b.adj[i] = w->g[i];
        b.adj_tan[i] = w->g2[i];
    }
    invoke(h, sgdi_op_table[h->kind].backward, &b);
    invoke(h, sgdi_op_table[h->kind].tangent_backward, &b);
    for (int i = 0; i < h->c.n_in; i++) {
        if (!(h->c.fixed_inputs >> i & 1)) continue;
        bool untouched = true;
        for (int64_t k = 0; k < h->len[i]; k++)
            untouched &= w->g[i][k] == 12345.0 && w->g2[i][k] == 12345.0;
        CHECK_MSG(untouched, "%s variant %d: adjoint of fixed input %d written", name, variant, i);
    }
}

// An operator's fused directions (forward_with_tangent, backward_with_tangent) give the
// bytes its two calls in turn give: tangents of the inputs in tan_mask, y_bar' given or
// NULL, adjoints added to the same nonzero contents.
static void check_fused(const harness *h, work *w, uint32_t tan_mask, bool with_ybar_tan,
                        bool fresh, int variant) {
    const sgdi_op_def *def = &sgdi_op_table[h->kind];
    size_t out_bytes = (size_t)h->out_len * sizeof(double);
    if (def->forward_with_tangent) {
        double *y2 = buf(h->out_len), *y2_tan = buf(h->out_len);
        io b = {.y = w->yp, .y_tan = w->ym};
        for (int i = 0; i < h->c.n_in; i++)
            b.val[i] = w->x[i], b.tan[i] = h->diff[i] && (tan_mask >> i & 1) ? w->v[i] : NULL;
        invoke(h, def->forward, &b);
        invoke(h, def->tangent_forward, &b);
        b.y = y2, b.y_tan = y2_tan;
        invoke(h, def->forward_with_tangent, &b);
        CHECK_MSG(memcmp(w->yp, y2, out_bytes) == 0 && memcmp(w->ym, y2_tan, out_bytes) == 0,
                  "%s variant %d (tangents %#x): forward_with_tangent differs from the two calls",
                  def->name, variant, tan_mask);
        free(y2);
        free(y2_tan);
    }
    if (!def->backward_with_tangent) return;
    double *fused[MAX_IN][2] = {{NULL}};
    io b = {.y_bar = w->ybar, .y_bar_tan = with_ybar_tan ? w->ybar_tan : NULL, .fresh = fresh};
    for (int i = 0; i < h->c.n_in; i++) {
        b.val[i] = w->x[i];
        b.tan[i] = h->diff[i] && (tan_mask >> i & 1) ? w->v[i] : NULL;
        if (!h->diff[i]) continue;
        memcpy(w->g[i], w->pre[i], (size_t)h->len[i] * sizeof(double));
        memcpy(w->g2[i], w->u[i], (size_t)h->len[i] * sizeof(double));
        b.adj[i] = w->g[i], b.adj_tan[i] = w->g2[i];
    }
    invoke(h, def->backward, &b);
    invoke(h, def->tangent_backward, &b);
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i]) continue;
        fused[i][0] = buf(h->len[i]), fused[i][1] = buf(h->len[i]);
        memcpy(fused[i][0], w->pre[i], (size_t)h->len[i] * sizeof(double));
        memcpy(fused[i][1], w->u[i], (size_t)h->len[i] * sizeof(double));
        b.adj[i] = fused[i][0], b.adj_tan[i] = fused[i][1];
    }
    invoke(h, def->backward_with_tangent, &b);
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i]) continue;
        size_t bytes = (size_t)h->len[i] * sizeof(double);
        CHECK_MSG(memcmp(w->g[i], fused[i][0], bytes) == 0 &&
                      memcmp(w->g2[i], fused[i][1], bytes) == 0,
                  "%s variant %d (tangents %#x, y_bar' %d, fresh %d): backward_with_tangent "
                  "differs from the two calls in input %d",
                  def->name, variant, tan_mask, with_ybar_tan, fresh, i);
        free(fused[i][0]);
        free(fused[i][1]);
    }
}

// An operator that assigns fresh adjoints (assigns_fresh_adjoint) gives, into buffers
// holding garbage, the values it adds to zeros otherwise: backward and tangent_backward,
// with every tangent and y_bar' given. Compared by value (an assigned -0 is an added +0).
static void check_fresh(const harness *h, work *w, int variant) {
    const sgdi_op_def *def = &sgdi_op_table[h->kind];
    if (!def->assigns_fresh_adjoint) return;
    double *fresh_adj[MAX_IN] = {NULL}, *fresh_adj_tan[MAX_IN] = {NULL};
    io zeroed = {.y_bar = w->ybar, .y_bar_tan = w->ybar_tan};
    io fresh = zeroed;
    fresh.fresh = true;
    for (int i = 0; i < h->c.n_in; i++) {
        zeroed.val[i] = fresh.val[i] = w->x[i];
        zeroed.tan[i] = fresh.tan[i] = h->diff[i] ? w->v[i] : NULL;
        if (!h->diff[i]) continue;
        size_t bytes = (size_t)h->len[i] * sizeof(double);
        memset(w->g[i], 0, bytes);
        memset(w->g2[i], 0, bytes);
        zeroed.adj[i] = w->g[i], zeroed.adj_tan[i] = w->g2[i];
        fresh_adj[i] = buf(h->len[i]), fresh_adj_tan[i] = buf(h->len[i]);
        if (h->c.batched[i]) // garbage where the op must assign; zeros where it adds
            for (int64_t k = 0; k < h->len[i]; k++) fresh_adj[i][k] = fresh_adj_tan[i][k] = NAN;
        fresh.adj[i] = fresh_adj[i], fresh.adj_tan[i] = fresh_adj_tan[i];
    }
    invoke(h, def->backward, &zeroed);
    invoke(h, def->tangent_backward, &zeroed);
    invoke(h, def->backward, &fresh);
    invoke(h, def->tangent_backward, &fresh);
    for (int i = 0; i < h->c.n_in; i++) {
        if (!h->diff[i]) continue;
        bool same = true;
        for (int64_t k = 0; k < h->len[i]; k++)
            same &= fresh_adj[i][k] == w->g[i][k] && fresh_adj_tan[i][k] == w->g2[i][k];
        CHECK_MSG(same, "%s variant %d: fresh adjoints of input %d differ from added ones",
                  def->name, variant, i);
        free(fresh_adj[i]);
        free(fresh_adj_tan[i]);
    }
}

static void run_case(sgdi_op_kind kind, int variant, const op_case *c) {
    harness h = {.kind = kind, .c = *c, .batch = rand_int(2, 4)};
    const sgdi_op_def *def = &sgdi_op_table[kind];
    h.ctx = (sgdi_exec_ctx){
        .seed = 20240601, .step = 17, .rows = ROWS, .training = c->training, .weights = c->weights};
    bool batched[MAX_IN];
    char msg[256] = "";
    for (int i = 0; i < c->n_in; i++) {
        batched[i] = c->batched[i];
        h.len[i] = (c->batched[i] ? h.batch : 1);
        for (int k = 0; k < c->shape[i].ndim; k++) h.len[i] *= c->shape[i].dim[k];
        h.diff[i] = !(def->target_inputs >> i & 1) && !(c->fixed_inputs >> i & 1);
    }
    sgdi_status st =
        def->infer_shape(&c->attr, c->shape, batched, c->n_in, &h.out_shape, 1, msg, sizeof msg);
    CHECK_MSG(st == SGDI_OK, "%s variant %d: infer_shape: %s", def->name, variant, msg);
    if (st != SGDI_OK) return;
    h.out_len = h.batch;
    for (int k = 0; k < h.out_shape.ndim; k++) h.out_len *= h.out_shape.dim[k];

    work w = {0};
    double *orig[MAX_IN];
    for (int i = 0; i < c->n_in; i++) {
        w.x[i] = buf(h.len[i]), w.xs[i] = buf(h.len[i]), w.v[i] = buf(h.len[i]);
        w.u[i] = buf(h.len[i]), w.g[i] = buf(h.len[i]), w.g2[i] = buf(h.len[i]);
        w.pre[i] = buf(h.len[i]), w.fdg[i] = buf(h.len[i]), w.fdm[i] = buf(h.len[i]);
        orig[i] = buf(h.len[i]);
        generate(&h, i, w.x[i]);
        memcpy(orig[i], w.x[i], (size_t)h.len[i] * sizeof(double));
        sgdi_test_rng_fill_normal(&rng, w.v[i], h.len[i]);
        sgdi_test_rng_fill_normal(&rng, w.u[i], h.len[i]);
        sgdi_test_rng_fill_normal(&rng, w.pre[i], h.len[i]);
    }
    w.y = buf(h.out_len), w.yp = buf(h.out_len), w.ym = buf(h.out_len);
    w.ytan = buf(h.out_len), w.ybar = buf(h.out_len), w.ybar_tan = buf(h.out_len);
    w.ones = buf(h.out_len);
    sgdi_test_rng_fill_normal(&rng, w.ybar, h.out_len);
    sgdi_test_rng_fill_normal(&rng, w.ybar_tan, h.out_len);
    for (int64_t k = 0; k < h.out_len; k++) w.ones[k] = 1;

    int n_diff = 0;
    for (int i = 0; i < c->n_in; i++) n_diff += h.diff[i];
    uint32_t all = (1u << c->n_in) - 1;

    forward_at(&h, &w, w.v, 0, w.y);
    for (int64_t k = 0; k < h.out_len; k++)
        CHECK_MSG(isfinite(w.y[k]), "%s variant %d: forward gives %g", def->name, variant, w.y[k]);
    check_tangent_forward(&h, &w, all, variant);
    check_backward(&h, &w, variant);
    check_tangent_backward(&h, &w, all, all, true, variant);
    check_tangent_backward(&h, &w, all, all, false, variant);
    if (n_diff > 1) {
        for (int i = 0; i < c->n_in; i++) {
            if (!h.diff[i]) continue;
            check_tangent_forward(&h, &w, 1u << i, variant);
            check_tangent_backward(&h, &w, 1u << i, all, true, variant);
            check_tangent_backward(&h, &w, all, 1u << i, true, variant);
        }
    }
    check_fresh(&h, &w, variant);
    for (int fresh = 0; fresh < 2; fresh++) {
        check_fused(&h, &w, all, true, fresh, variant);
        check_fused(&h, &w, all, false, fresh, variant);
        for (int i = 0; i < c->n_in && n_diff > 1; i++)
            if (h.diff[i]) check_fused(&h, &w, 1u << i, true, fresh, variant);
    }
    if (op_cases[kind].loss) check_symmetry(&h, &w, variant);
    if (c->fixed_inputs) check_fixed_inputs(&h, &w, variant);
    for (int i = 0; i < c->n_in; i++) // kernels never write their inputs' values
        CHECK_MSG(memcmp(orig[i], w.x[i], (size_t)h.len[i] * sizeof(double)) == 0,
                  "%s: input %d modified", def->name, i);

    for (int i = 0; i < c->n_in; i++) {
        free(w.x[i]), free(w.xs[i]), free(w.v[i]), free(w.u[i]), free(w.g[i]);
        free(w.g2[i]), free(w.pre[i]), free(w.fdg[i]), free(w.fdm[i]), free(orig[i]);
    }
    free(w.y), free(w.yp), free(w.ym), free(w.ytan), free(w.ybar), free(w.ybar_tan);
    free(w.ones);
}

// --- Tests -------------------------------------------------------------------------------

static void test_op_table(void) {
    for (int k = 0; k < SGDI_OP_COUNT; k++) {
        const sgdi_op_def *d = &sgdi_op_table[k];
        CHECK_MSG(d->name != NULL, "op kind %d has no name", k);
        if (!d->name) continue;
        CHECK_MSG(d->infer_shape && d->forward && d->tangent_forward && d->backward &&
                      d->tangent_backward,
                  "%s has a NULL function", d->name);
        CHECK_MSG(1 <= d->min_inputs && d->min_inputs <= d->max_inputs && d->max_inputs <= MAX_IN &&
                      d->n_outputs == 1,
                  "%s: arity", d->name);
        CHECK_MSG((d->target_inputs >> d->max_inputs) == 0, "%s: target bits", d->name);
        // a fused kind is the executor's, never a function of a file
        sgdi_op_kind found = k < SGDI_OP_FIRST_FUSED ? (sgdi_op_kind)k : SGDI_OP_COUNT;
        CHECK_MSG(sgdi_op_find(d->name) == found, "sgdi_op_find(\"%s\")", d->name);
        CHECK_MSG(op_cases[k].setup != NULL, "%s has no test case in test_ops_cases.c", d->name);
    }
    CHECK(sgdi_op_find("NoSuchOp") == SGDI_OP_COUNT);
    CHECK(sgdi_op_find(NULL) == SGDI_OP_COUNT);
    CHECK(sgdi_op_find("affine") == SGDI_OP_COUNT); // nnabla names are case-sensitive
}

static void test_derivatives(void) {
    for (int k = 0; k < SGDI_OP_COUNT; k++) {
        if (!op_cases[k].setup || !sgdi_op_table[k].forward || !sgdi_op_table[k].tangent_forward ||
            !sgdi_op_table[k].backward || !sgdi_op_table[k].tangent_backward ||
            !sgdi_op_table[k].infer_shape)
            continue; // reported by test_op_table
        for (int variant = 0;; variant++) {
            op_case c = {0};
            if (!op_cases[k].setup(variant, &c)) break;
            run_case((sgdi_op_kind)k, variant, &c);
        }
    }
}

static void print_errors(void) {
    printf("%-26s %10s %10s %10s %10s\n", "largest relative error", "tan_fwd", "backward",
           "tan_bwd", "symmetry");
    for (int k = 0; k < SGDI_OP_COUNT; k++) {
        printf("%-26s", sgdi_op_table[k].name ? sgdi_op_table[k].name : "?");
        for (int e = 0; e < E_COUNT; e++) {
            if (e == E_SYM && !op_cases[k].loss)
                printf(" %10s", "-");
            else
                printf(" %10.2e", max_err[k][e]);
        }
        printf("\n");
    }
}

int main(void) {
    RUN(test_op_table);
    RUN(test_derivatives);
    print_errors();
    return sgdi_test_finish();
}
