/*
 * arithmetic2.c — the elementwise binary operators Add2, Sub2, Mul2 and Div2
 * (nnabla), with numpy broadcasting.
 *
 * Ports: in[0] a, in[1] b (at least one batched; either may be a parameter),
 * out[0] y (batched). Broadcasting is numpy's on nnabla's full shapes, where a
 * batched input is (B, per-sample dims...) and a parameter its own shape:
 *   - two batched inputs have the same ndim; per-sample dims pair up;
 *   - a parameter is aligned to the right of the batched input's full shape:
 *     with fewer dims it is padded with 1s on the left; with one dim more, that
 *     leading dim faces the batch and must be 1 (e.g. a (1, C) bias);
 *   - paired dims are equal or one of them is 1 (repeated); y takes the larger.
 * A parameter is shared by every sample (broadcast over the batch).
 *
 * For y = f(a, b) with partials f_a, f_b, f_aa, f_ab, f_bb at (a, b), and with
 * sum_bc the sum over the elements of y an input element is repeated into:
 *
 *     y'      = f_a a' + f_b b'
 *     a_bar  += sum_bc f_a y_bar                      (b_bar likewise with f_b)
 *     a_bar' += sum_bc f_a y_bar' + (f_aa a' + f_ab b') y_bar
 *     b_bar' += sum_bc f_b y_bar' + (f_ab a' + f_bb b') y_bar
 *
 * (Mul2's cross term f_ab = 1 puts b' y_bar into a_bar' and a' y_bar into
 * b_bar'.) Each operator is one small function returning those partials.
 *
 * Every loop walks y in flat order, sample by sample, on one thread, so the
 * sums into a broadcast input's adjoint are sequential and the same bits on
 * every run; only when both inputs are batched with y's shape (nothing is
 * summed) are the samples of a large call split over threads.
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

enum { PARALLEL_MIN = 1 << 16 }; // elements below which threads cost more than they save

// f and its partials at (a, b).
typedef struct binary_d {
    sgdi_real fa, fb, faa, fab, fbb;
} binary_d;
typedef sgdi_real (*binary_fn)(sgdi_real a, sgdi_real b, binary_d *d);

// --- The four operators --------------------------------------------------------------

// Add2: a + b; f_a = f_b = 1, no second partials.
static inline sgdi_real add2_f(sgdi_real a, sgdi_real b, binary_d *d) {
    *d = (binary_d){.fa = 1, .fb = 1};
    return a + b;
}

// Sub2: a - b; f_a = 1, f_b = -1.
static inline sgdi_real sub2_f(sgdi_real a, sgdi_real b, binary_d *d) {
    *d = (binary_d){.fa = 1, .fb = -1};
    return a - b;
}

// Mul2: a b; f_a = b, f_b = a, f_ab = 1.
static inline sgdi_real mul2_f(sgdi_real a, sgdi_real b, binary_d *d) {
    *d = (binary_d){.fa = b, .fb = a, .fab = 1};
    return a * b;
}

// Div2: a / b; f_a = 1/b, f_b = -a/b^2, f_ab = -1/b^2, f_bb = 2a/b^3.
static inline sgdi_real div2_f(sgdi_real a, sgdi_real b, binary_d *d) {
    sgdi_real r = 1 / b, y = a * r;
    *d = (binary_d){.fa = r, .fb = -y * r, .fab = -r * r, .fbb = 2 * y * r * r};
    return y;
}

// --- Broadcasting ----------------------------------------------------------------------

// How y's elements map to the inputs': element (b, idx) of y reads input i at
// b * bstride[i] + sum_k idx_k * stride[i][k] (stride 0 along a repeated dim,
// bstride 0 for a parameter).
typedef struct bcast_plan {
    int ndim;
    int64_t dim[SGDI_MAX_DIMS], stride[2][SGDI_MAX_DIMS], bstride[2], count;
    bool flat; // both batched with y's shape: every index alike
} bcast_plan;

// Input i's dims aligned to y's per-sample ndim (see the top of the file).
static void bcast_align(const sgdi_shape *s, bool batched, int ndim, int64_t *dims) {
    int skip = !batched && s->ndim == ndim + 1; // the leading 1 that faces the batch
    int pad = ndim - (s->ndim - skip);
    for (int k = 0; k < ndim; k++) dims[k] = k < pad ? 1 : s->dim[k - pad + skip];
}

static bcast_plan bcast_of(const sgdi_op_call *call) {
    const sgdi_port *y = &call->out[0];
    bcast_plan p = {.ndim = y->shape.ndim, .count = y->count, .flat = true};
    for (int i = 0; i < 2; i++) {
        const sgdi_port *x = &call->in[i];
        int64_t dims[SGDI_MAX_DIMS], st = 1;
        bcast_align(&x->shape, x->batched, p.ndim, dims);
        for (int k = p.ndim - 1; k >= 0; k--) {
            p.dim[k] = y->shape.dim[k];
            p.stride[i][k] = dims[k] == 1 ? 0 : st;
            st *= dims[k];
            p.flat = p.flat && dims[k] == p.dim[k];
        }
        p.bstride[i] = x->batched ? x->count : 0;
        p.flat = p.flat && x->batched;
    }
    return p;
}

// An odometer over y's per-sample index within sample s, carrying the two
// inputs' offsets: element j of y reads a[off[0]] and b[off[1]].
typedef struct bcast_iter {
    int64_t idx[SGDI_MAX_DIMS], off[2];
} bcast_iter;

static inline bcast_iter bcast_start(const bcast_plan *p, int64_t s) {
    bcast_iter it = {.off = {s * p->bstride[0], s * p->bstride[1]}};
    return it;
}

static inline void bcast_next(const bcast_plan *p, bcast_iter *it) {
    for (int k = p->ndim - 1; k >= 0; k--) {
        it->off[0] += p->stride[0][k];
        it->off[1] += p->stride[1][k];
        if (++it->idx[k] < p->dim[k]) return;
        it->off[0] -= p->stride[0][k] * p->dim[k];
        it->off[1] -= p->stride[1][k] * p->dim[k];
        it->idx[k] = 0;
    }
}

// Whether to split the samples over threads: only when both inputs are batched
// with y's shape (no sums into shared elements) and the call is large.
static inline bool bcast_threads(const bcast_plan *p, int64_t batch) {
    return p->flat && batch * p->count > PARALLEL_MIN;
}

// a (..), b (..) -> y: the broadcast of the two (see the top of the file).
static sgdi_status binary_infer_shape(sgdi_op_kind kind, const sgdi_shape *in,
                                      const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                      char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(kind, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const char *name = sgdi_op_table[kind].name;
    char a[96], b[96];
    if (!in_batched[0] && !in_batched[1])
        return sgdi_op_reason(msg, msg_size, "%s: at least one input must be batched", name);
    if (in_batched[0] && in_batched[1] && in[0].ndim != in[1].ndim)
        return sgdi_op_reason(
            msg, msg_size, "%s: batched inputs of shapes %s and %s differ in ndim", name,
            sgdi_shape_str(&in[0], a, sizeof a), sgdi_shape_str(&in[1], b, sizeof b));
    int ndim = in[in_batched[0] ? 0 : 1].ndim;
    for (int i = 0; i < 2; i++) {
        if (in_batched[i] || in[i].ndim <= ndim) continue;
        if (in[i].ndim > ndim + 1 || in[i].dim[0] != 1)
            return sgdi_op_reason(msg, msg_size,
                                  "%s: parameter input %d of shape %s does not broadcast over the "
                                  "batch of a per-sample %s",
                                  name, i, sgdi_shape_str(&in[i], a, sizeof a),
                                  sgdi_shape_str(&in[!i], b, sizeof b));
    }
    int64_t d0[SGDI_MAX_DIMS], d1[SGDI_MAX_DIMS];
    bcast_align(&in[0], in_batched[0], ndim, d0);
    bcast_align(&in[1], in_batched[1], ndim, d1);
    sgdi_shape o = {.ndim = ndim};
    for (int k = 0; k < ndim; k++) {
        if (d0[k] != d1[k] && d0[k] != 1 && d1[k] != 1)
            return sgdi_op_reason(msg, msg_size,
                                  "%s: shapes %s and %s do not broadcast (per-sample dim %d: %lld "
                                  "vs %lld)",
                                  name, sgdi_shape_str(&in[0], a, sizeof a),
                                  sgdi_shape_str(&in[1], b, sizeof b), k, (long long)d0[k],
                                  (long long)d1[k]);
        o.dim[k] = d0[k] > d1[k] ? d0[k] : d1[k];
    }
    out[0] = o;
    return SGDI_OK;
}

// --- Shared kernels --------------------------------------------------------------------

// Every kernel walks y sample by sample (s), element by element (j), with
// it.off[0], it.off[1] the offsets of a and b.

// y[B, out] = f(a, b)
static inline void binary_forward(const sgdi_op_call *call, binary_fn f) {
    bcast_plan p = bcast_of(call);
    const sgdi_real *a = call->in[0].val, *b = call->in[1].val;
    sgdi_real *y = call->out[0].val;
#pragma omp parallel for schedule(static) if (bcast_threads(&p, call->batch))
    for (int64_t s = 0; s < call->batch; s++) {
        bcast_iter it = bcast_start(&p, s);
        for (int64_t j = s * p.count; j < (s + 1) * p.count; j++, bcast_next(&p, &it)) {
            binary_d d;
            y[j] = f(a[it.off[0]], b[it.off[1]], &d);
        }
    }
}

// y'[B, out] = f_a a' + f_b b' (NULL tangents are zero)
static inline void binary_tangent_forward(const sgdi_op_call *call, binary_fn f) {
    bcast_plan p = bcast_of(call);
    const sgdi_real *a = call->in[0].val, *b = call->in[1].val;
    const sgdi_real *ta = call->in[0].tan, *tb = call->in[1].tan;
    sgdi_real *y_tan = call->out[0].tan;
#pragma omp parallel for schedule(static) if (bcast_threads(&p, call->batch))
    for (int64_t s = 0; s < call->batch; s++) {
        bcast_iter it = bcast_start(&p, s);
        for (int64_t j = s * p.count; j < (s + 1) * p.count; j++, bcast_next(&p, &it)) {
            int64_t i0 = it.off[0], i1 = it.off[1];
            binary_d d;
            f(a[i0], b[i1], &d);
            y_tan[j] = (ta ? d.fa * ta[i0] : 0) + (tb ? d.fb * tb[i1] : 0);
        }
    }
}

// chain rule through the broadcast: a_bar += sum_bc f_a y_bar, b_bar += sum_bc f_b y_bar
static inline void binary_backward(const sgdi_op_call *call, binary_fn f) {
    bcast_plan p = bcast_of(call);
    const sgdi_real *a = call->in[0].val, *b = call->in[1].val, *y_bar = call->out[0].adj;
    sgdi_real *a_bar = call->in[0].adj, *b_bar = call->in[1].adj;
    if (!y_bar || (!a_bar && !b_bar)) return;
#pragma omp parallel for schedule(static) if (bcast_threads(&p, call->batch))
    for (int64_t s = 0; s < call->batch; s++) {
        bcast_iter it = bcast_start(&p, s);
        for (int64_t j = s * p.count; j < (s + 1) * p.count; j++, bcast_next(&p, &it)) {
            int64_t i0 = it.off[0], i1 = it.off[1];
            binary_d d;
            f(a[i0], b[i1], &d);
            if (a_bar) a_bar[i0] += d.fa * y_bar[j];
            if (b_bar) b_bar[i1] += d.fb * y_bar[j];
        }
    }
}

// d/de of f_a(a + e a', b + e b') (y_bar + e y_bar'), summed like the backward:
// a_bar' += sum_bc f_a y_bar' + (f_aa a' + f_ab b') y_bar, b_bar' likewise
static inline void binary_tangent_backward(const sgdi_op_call *call, binary_fn f) {
    bcast_plan p = bcast_of(call);
    const sgdi_real *a = call->in[0].val, *b = call->in[1].val;
    const sgdi_real *ta = call->in[0].tan, *tb = call->in[1].tan;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *a_bt = call->in[0].adj_tan, *b_bt = call->in[1].adj_tan;
    if (!a_bt && !b_bt) return;
#pragma omp parallel for schedule(static) if (bcast_threads(&p, call->batch))
    for (int64_t s = 0; s < call->batch; s++) {
        bcast_iter it = bcast_start(&p, s);
        for (int64_t j = s * p.count; j < (s + 1) * p.count; j++, bcast_next(&p, &it)) {
            int64_t i0 = it.off[0], i1 = it.off[1];
            binary_d d;
            f(a[i0], b[i1], &d);
            sgdi_real yt = y_bar_tan ? y_bar_tan[j] : 0, yb = y_bar ? y_bar[j] : 0;
            sgdi_real at = ta ? ta[i0] : 0, bt = tb ? tb[i1] : 0;
            if (a_bt) a_bt[i0] += d.fa * yt + (d.faa * at + d.fab * bt) * yb;
            if (b_bt) b_bt[i1] += d.fb * yt + (d.fab * at + d.fbb * bt) * yb;
        }
    }
}

// --- The op table's entry points -------------------------------------------------------

#define SGDI_BINARY(name, KIND)                                                                    \
    sgdi_status sgdi_##name##_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,          \
                                          const bool *in_batched, int n_in, sgdi_shape *out,       \
                                          int n_out, char *msg, size_t msg_size) {                 \
        return binary_infer_shape(KIND, in, in_batched, n_in, out, n_out, msg, msg_size);          \
    }                                                                                              \
    void sgdi_##name##_forward(const sgdi_op_call *call) {                                         \
        binary_forward(call, name##_f);                                                            \
    }                                                                                              \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call) {                                 \
        binary_tangent_forward(call, name##_f);                                                    \
    }                                                                                              \
    void sgdi_##name##_backward(const sgdi_op_call *call) {                                        \
        binary_backward(call, name##_f);                                                           \
    }                                                                                              \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call) {                                \
        binary_tangent_backward(call, name##_f);                                                   \
    }

SGDI_BINARY(add2, SGDI_OP_ADD2)
SGDI_BINARY(sub2, SGDI_OP_SUB2)
SGDI_BINARY(mul2, SGDI_OP_MUL2)
SGDI_BINARY(div2, SGDI_OP_DIV2)
