/*
 * softmax_cross_entropy.c — SoftmaxCrossEntropy (nnabla): the negative
 * log-likelihood of the labelled class under a softmax, fused and stable.
 *
 * Ports: in[0] x (batched, (..., C, ...) along `axis`), in[1] t (batched
 * labels: class indices stored as reals, x's shape with dim `axis` = 1; a
 * target, never differentiated); out[0] l, t's shape. For each row r (one
 * sample, one index of the other dims) with p = softmax(x_r):
 *
 *     l_r     = log sum_c e^(x_c) - x_t          (max-shifted log-sum-exp)
 *     l_r'    = <p, x'> - x'_t
 *     x_bar  += l_bar (p - e_t)
 *     x_bar' += l_bar' (p - e_t) + l_bar p (x' - <p, x'>)
 *
 * Row r's output and label sit at flat index r (their axis dim is 1).
 */
#include <math.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// x (..., C, ...), t (..., 1, ...) -> l (..., 1, ...)
sgdi_status sgdi_softmax_cross_entropy_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                   const bool *in_batched, int n_in,
                                                   sgdi_shape *out, int n_out, char *msg,
                                                   size_t msg_size) {
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_SOFTMAX_CROSS_ENTROPY, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    return sgdi_op_check_labels("SoftmaxCrossEntropy", attr->axis, in, in_batched, out, msg,
                                msg_size);
}

// l[B, ..., 1, ...] = logsumexp(x_r) - x_r[t_r]
void sgdi_softmax_cross_entropy_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *t = call->in[1].val;
    sgdi_real *l = call->out[0].val;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r), label = sgdi_label_index(t[r], v.n);
        if (label < 0) {
            l[r] = (sgdi_real)NAN;
            continue;
        }
        r_softmax_row s = r_softmax_stats(x + off, v.n, v.inner);
        l[r] = s.max + r_log(s.sum) - x[off + label * v.inner];
    }
}

// l'[B, ..., 1, ...] = <p, x'> - x'[t]
void sgdi_softmax_cross_entropy_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan, *t = call->in[1].val;
    sgdi_real *l_tan = call->out[0].tan;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r), label = sgdi_label_index(t[r], v.n);
        if (!x_tan || label < 0) {
            l_tan[r] = 0;
            continue;
        }
        r_softmax_row s = r_softmax_stats(x + off, v.n, v.inner);
        sgdi_real px = 0;
        for (int64_t c = 0; c < v.n; c++)
            px += r_softmax_p(x + off, c, v.inner, s) * x_tan[off + c * v.inner];
        l_tan[r] = px - x_tan[off + label * v.inner];
    }
}

// dl/dx_c = p_c - [c = t]: x_bar += l_bar (p - e_t)
void sgdi_softmax_cross_entropy_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *t = call->in[1].val, *l_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    if (!x_bar || !l_bar) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r), label = sgdi_label_index(t[r], v.n);
        if (label < 0) continue;
        r_softmax_row s = r_softmax_stats(x + off, v.n, v.inner);
        for (int64_t c = 0; c < v.n; c++)
            x_bar[off + c * v.inner] += l_bar[r] * r_softmax_p(x + off, c, v.inner, s);
        x_bar[off + label * v.inner] -= l_bar[r];
    }
}

// d/de [(l_bar + e l_bar') (p(x + e x') - e_t)], with p' = p (x' - <p, x'>):
// x_bar' += l_bar' (p - e_t) + l_bar p (x' - <p, x'>)
void sgdi_softmax_cross_entropy_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan, *t = call->in[1].val;
    const sgdi_real *l_bar = call->out[0].adj, *l_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    bool second = x_tan && l_bar;
    if (!x_bar_tan || (!second && !l_bar_tan)) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r), label = sgdi_label_index(t[r], v.n);
        if (label < 0) continue;
        r_softmax_row s = r_softmax_stats(x + off, v.n, v.inner);
        sgdi_real px = 0;
        if (second)
            for (int64_t c = 0; c < v.n; c++)
                px += r_softmax_p(x + off, c, v.inner, s) * x_tan[off + c * v.inner];
        sgdi_real lt = l_bar_tan ? l_bar_tan[r] : 0;
        for (int64_t c = 0; c < v.n; c++) {
            int64_t k = off + c * v.inner;
            sgdi_real p = r_softmax_p(x + off, c, v.inner, s);
            sgdi_real acc = lt * p;
            if (second) acc += l_bar[r] * p * (x_tan[k] - px);
            x_bar_tan[k] += acc;
        }
        x_bar_tan[off + label * v.inner] -= lt;
    }
}
