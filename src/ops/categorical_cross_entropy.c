/*
 * categorical_cross_entropy.c — CategoricalCrossEntropy (nnabla): the negative
 * log of the labelled class's probability, l = -log p_t.
 *
 * Ports: in[0] p (batched probabilities, (..., C, ...) along `axis`, typically
 * a Softmax output), in[1] t (batched labels: class indices stored as reals,
 * p's shape with dim `axis` = 1; a target, never differentiated); out[0] l,
 * t's shape. As nnabla, p_t is clamped from below at the smallest normal
 * number (q = max(p_t, REAL_MIN)) so that l stays finite; derivatives use q:
 *
 *     l = -log q,  l' = -p'_t / q,  p_bar_t += -l_bar / q,
 *     p_bar_t' += -l_bar' / q + l_bar p'_t / q^2
 *
 * Only the labelled element of each row is read or written. Row r's output
 * and label sit at flat index r (their axis dim is 1).
 */
#include <math.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// p (..., C, ...), t (..., 1, ...) -> l (..., 1, ...)
sgdi_status sgdi_categorical_cross_entropy_infer_shape(const sgdi_op_attr *attr,
                                                       const sgdi_shape *in, const bool *in_batched,
                                                       int n_in, sgdi_shape *out, int n_out,
                                                       char *msg, size_t msg_size) {
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_CATEGORICAL_CROSS_ENTROPY, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    return sgdi_op_check_labels("CategoricalCrossEntropy", attr->axis, in, in_batched, out, msg,
                                msg_size);
}

// Flat index of row r's labelled element, or -1 for an invalid label.
static int64_t labelled(sgdi_axis_view v, const sgdi_real *t, int64_t r) {
    int64_t label = sgdi_label_index(t[r], v.n);
    return label < 0 ? -1 : sgdi_axis_row(v, r) + label * v.inner;
}

// l[B, ..., 1, ...] = -log max(p[t], REAL_MIN)
void sgdi_categorical_cross_entropy_forward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *t = call->in[1].val;
    sgdi_real *l = call->out[0].val;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t k = labelled(v, t, r);
        l[r] = k < 0 ? (sgdi_real)NAN : -r_log(r_max(p[k], SGDI_REAL_MIN));
    }
}

// l'[B, ..., 1, ...] = -p'[t] / q
void sgdi_categorical_cross_entropy_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *p_tan = call->in[0].tan, *t = call->in[1].val;
    sgdi_real *l_tan = call->out[0].tan;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t k = labelled(v, t, r);
        l_tan[r] = (k < 0 || !p_tan) ? 0 : -p_tan[k] / r_max(p[k], SGDI_REAL_MIN);
    }
}

// dl/dp_t = -1 / q: p_bar[t] += -l_bar / q
void sgdi_categorical_cross_entropy_backward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *t = call->in[1].val, *l_bar = call->out[0].adj;
    sgdi_real *p_bar = call->in[0].adj;
    if (!p_bar || !l_bar) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t k = labelled(v, t, r);
        if (k >= 0) p_bar[k] += -l_bar[r] / r_max(p[k], SGDI_REAL_MIN);
    }
}

// d/de [-(l_bar + e l_bar') / (q + e p'_t)]: p_bar'[t] += -l_bar' / q + l_bar p'[t] / q^2
void sgdi_categorical_cross_entropy_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *p_tan = call->in[0].tan, *t = call->in[1].val;
    const sgdi_real *l_bar = call->out[0].adj, *l_bar_tan = call->out[0].adj_tan;
    sgdi_real *p_bar_tan = call->in[0].adj_tan;
    if (!p_bar_tan) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t k = labelled(v, t, r);
        if (k < 0) continue;
        sgdi_real q = r_max(p[k], SGDI_REAL_MIN), acc = 0;
        if (l_bar_tan) acc -= l_bar_tan[r] / q;
        if (l_bar && p_tan) acc += l_bar[r] * p_tan[k] / (q * q);
        p_bar_tan[k] += acc;
    }
}
