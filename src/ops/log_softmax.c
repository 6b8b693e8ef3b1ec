/*
 * log_softmax.c — LogSoftmax (nnabla) over one per-sample axis.
 *
 * Ports: in[0] x (batched), out[0] y, same shape. Along `axis` (C values), for
 * every other index: y_c = x_c - log sum_k e^(x_k), computed stably as
 * x_c - max - log(sum e^(x_k - max)). Rows are those of softmax.c (stride
 * `inner`); kernels recompute p = softmax(x) per row from x. With <a, b> the
 * sum over the row and S(v) = <1, v>:
 *
 *     y'      = x' - <p, x'>
 *     x_bar  += y_bar - p S(y_bar)
 *     x_bar' += y_bar' - p S(y_bar') - p (x' - <p, x'>) S(y_bar)
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

// x (..., C, ...), y the same shape; 0 <= axis < ndim.
sgdi_status sgdi_log_softmax_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                         const bool *in_batched, int n_in, sgdi_shape *out,
                                         int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_LOG_SOFTMAX, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "LogSoftmax: x must be batched");
    if (attr->axis < 0 || attr->axis >= in[0].ndim)
        return sgdi_op_reason(msg, msg_size, "LogSoftmax: axis %d outside [0, %d)", attr->axis,
                              in[0].ndim);
    out[0] = in[0];
    return SGDI_OK;
}

// y[B, ..., C, ...] = x - max - log(sum e^(x - max))
void sgdi_log_softmax_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val;
    sgdi_real *y = call->out[0].val;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        sgdi_real lse = s.max + r_log(s.sum);
        for (int64_t c = 0; c < n; c++) y[off + c * inner] = x[off + c * inner] - lse;
    }
}

// dy_c/dx_k = delta_ck - p_k: y' = x' - <p, x'>
void sgdi_log_softmax_tangent_forward(const sgdi_op_call *call) {
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
        for (int64_t c = 0; c < n; c++) y_tan[off + c * inner] = x_tan[off + c * inner] - px;
    }
}

// J = I - 1 p^T, J^T y_bar = y_bar - p S(y_bar): x_bar += y_bar - p S(y_bar)
void sgdi_log_softmax_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *y_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    if (!x_bar || !y_bar) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        sgdi_real sy = 0;
        for (int64_t c = 0; c < n; c++) sy += y_bar[off + c * inner];
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            x_bar[k] += y_bar[k] - r_softmax_p(x + off, c, inner, s) * sy;
        }
    }
}

// product rule on y_bar - p S(y_bar), with p' = p (x' - <p, x'>):
// x_bar' += y_bar' - p S(y_bar') - p (x' - <p, x'>) S(y_bar)
void sgdi_log_softmax_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    if (!x_bar_tan) return;
    sgdi_axis_view v = sgdi_axis_view_of(&call->in[0].shape, call->attr->axis, call->batch);
    int64_t n = v.n, inner = v.inner;
    for (int64_t r = 0; r < v.rows; r++) {
        int64_t off = sgdi_axis_row(v, r);
        r_softmax_row s = r_softmax_stats(x + off, n, inner);
        // S(y_bar), S(y_bar'), <p, x'> over the row
        sgdi_real sy = 0, syt = 0, px = 0;
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            if (y_bar) sy += y_bar[k];
            if (y_bar_tan) syt += y_bar_tan[k];
            if (x_tan) px += r_softmax_p(x + off, c, inner, s) * x_tan[k];
        }
        for (int64_t c = 0; c < n; c++) {
            int64_t k = off + c * inner;
            sgdi_real p = r_softmax_p(x + off, c, inner, s);
            sgdi_real yt = y_bar_tan ? y_bar_tan[k] : 0, xt = x_tan ? x_tan[k] : 0;
            x_bar_tan[k] += yt - p * syt - p * (xt - px) * sy;
        }
    }
}
