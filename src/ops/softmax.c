/*
 * softmax.c — Softmax (nnabla) over one per-sample axis.
 *
 * Ports: in[0] x (batched), out[0] y, same shape. Along `axis` (C classes),
 * for every other index: p_c = e^(x_c) / sum_k e^(x_k), computed stably.
 * A row is the C values of one (sample, outer, inner) index, at stride
 * `inner` = product of the dims after `axis`. Kernels recompute p per row from
 * x (nothing stored, nothing allocated). With <a, b> the sum over the row:
 *
 *     y'      = p (x' - <p, x'>)
 *     x_bar  += p (y_bar - <p, y_bar>)
 *     x_bar' += p' (y_bar - <p, y_bar>) + p (y_bar' - <p', y_bar> - <p, y_bar'>)
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

// x (..., C, ...), y the same shape; 0 <= axis < ndim.
sgdi_status sgdi_softmax_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                     const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                     char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_SOFTMAX, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (attr->axis < 0 || attr->axis >= in[0].ndim)
        return sgdi_op_reason(msg, msg_size, "Softmax: axis %d outside [0, %d)", attr->axis,
                              in[0].ndim);
    out[0] = in[0];
    return SGDI_OK;
}

// y[B, ..., C, ...] = p
void sgdi_softmax_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val;
    sgdi_real *y = call->out[0].val;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        for (int64_t c = 0; c < n; c++) y[off + c * inner] = r_softmax_p(x + off, c, inner, s);
    }
}

// y' = p (x' - <p, x'>)
void sgdi_softmax_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    sgdi_real *y_tan = call->out[0].tan;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        if (!x_tan) {
            for (int64_t c = 0; c < n; c++) y_tan[off + c * inner] = 0;
            continue;
        }
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        sgdi_real px = 0;
        for (int64_t c = 0; c < n; c++)
            px += r_softmax_p(x + off, c, inner, s) * x_tan[off + c * inner];
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            y_tan[k] = r_softmax_p(x + off, c, inner, s) * (x_tan[k] - px);
        }
    }
}

// dp_c/dx_k = p_c (delta_ck - p_k), symmetric: x_bar += p (y_bar - <p, y_bar>)
void sgdi_softmax_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *y_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    if (!x_bar || !y_bar) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        sgdi_real py = 0;
        for (int64_t c = 0; c < n; c++)
            py += r_softmax_p(x + off, c, inner, s) * y_bar[off + c * inner];
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            x_bar[k] += r_softmax_p(x + off, c, inner, s) * (y_bar[k] - py);
        }
    }
}

// product rule on p (y_bar - <p, y_bar>), with p' = p (x' - <p, x'>):
// x_bar' += p' (y_bar - <p, y_bar>) + p (y_bar' - <p', y_bar> - <p, y_bar'>)
void sgdi_softmax_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    if (!x_bar_tan) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        // <p, x'>, <p, y_bar>, <p x', y_bar>, <p, y_bar'> over the row
        sgdi_real px = 0, py = 0, pxy = 0, pyt = 0;
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            sgdi_real p = r_softmax_p(x + off, c, inner, s);
            sgdi_real xt = x_tan ? x_tan[k] : 0, yb = y_bar ? y_bar[k] : 0;
            px += p * xt;
            py += p * yb;
            pxy += p * xt * yb;
            if (y_bar_tan) pyt += p * y_bar_tan[k];
        }
        sgdi_real p_tan_y = pxy - px * py; // <p', y_bar>
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            sgdi_real p = r_softmax_p(x + off, c, inner, s);
            sgdi_real xt = x_tan ? x_tan[k] : 0, yb = y_bar ? y_bar[k] : 0;
            sgdi_real yt = y_bar_tan ? y_bar_tan[k] : 0;
            x_bar_tan[k] += p * (xt - px) * (yb - py) + p * (yt - p_tan_y - pyt);
        }
    }
}
