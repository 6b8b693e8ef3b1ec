/*
 * concatenate.c — Concatenate (nnabla): x0, x1, ... joined along one
 * per-sample axis.
 *
 * Ports: in[0..n) x_i (batched, 1 <= n <= SGDI_MAX_PORTS), out[0] y. All x_i
 * have the same ndim and the same dims except dim `axis` (n_i); y has dim
 * `axis` = N = sum n_i. With outer = batch * prod dims before axis and inner =
 * prod dims after it, x_i is outer blocks of n_i * inner contiguous elements,
 * and block o of x_i lands at y[o, (n_0 + ... + n_{i-1}) * inner ...]. The
 * operator is linear (y = C (x_0, x_1, ...) with C a permutation):
 *
 *     y' = C x',  x_i_bar += (its slice of) y_bar,  x_i_bar' += (its slice of) y_bar'
 */
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// The block layout of one call.
typedef struct concat_view {
    int64_t outer, inner, total; // total = N, y's dim `axis`
} concat_view;

static concat_view concat_plan(const sgdi_op_call *call) {
    const sgdi_shape *s = &call->out[0].shape;
    int64_t outer, n, inner;
    sgdi_shape_split(s, call->attr->axis, &outer, &n, &inner);
    return (concat_view){.outer = call->batch * outer, .inner = inner, .total = n};
}

// The n_i of input i.
static int64_t concat_n(const sgdi_op_call *call, int i) {
    return call->in[i].shape.dim[call->attr->axis];
}

// x_i (..., n_i, ...), all alike but for n_i -> y (..., sum n_i, ...); 0 <= axis < ndim.
sgdi_status sgdi_concatenate_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                         const bool *in_batched, int n_in, sgdi_shape *out,
                                         int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_CONCATENATE, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    int axis = attr->axis;
    if (axis < 0 || axis >= in[0].ndim)
        return sgdi_op_reason(msg, msg_size, "Concatenate: axis %d outside [0, %d)", axis,
                              in[0].ndim);
    sgdi_shape o = in[0];
    for (int i = 0; i < n_in; i++) {
        if (!in_batched[i])
            return sgdi_op_reason(msg, msg_size, "Concatenate: input %d must be batched", i);
        sgdi_shape t = in[i];
        t.dim[axis] = in[0].dim[axis];
        if (!sgdi_shape_equal(&t, &in[0])) {
            char a[96], b[96];
            return sgdi_op_reason(msg, msg_size,
                                  "Concatenate: input %d has shape %s, input 0 %s (only dim %d "
                                  "may differ)",
                                  i, sgdi_shape_str(&in[i], a, sizeof a),
                                  sgdi_shape_str(&in[0], b, sizeof b), axis);
        }
        if (i > 0) o.dim[axis] += in[i].dim[axis]; // each <= 2^40: no overflow
    }
    out[0] = o;
    return SGDI_OK;
}

// y[outer, N, inner] = (x_0[outer, n_0, inner], x_1[outer, n_1, inner], ...) along N
void sgdi_concatenate_forward(const sgdi_op_call *call) {
    concat_view v = concat_plan(call);
    int64_t off = 0;
    for (int i = 0; i < call->n_in; i++) {
        int64_t len = concat_n(call, i) * v.inner;
        for (int64_t o = 0; o < v.outer; o++)
            memcpy(call->out[0].val + o * v.total * v.inner + off, call->in[i].val + o * len,
                   (size_t)len * sizeof(sgdi_real));
        off += len;
    }
}

// y' = the same join of the x_i' (zero blocks for NULL tangents)
void sgdi_concatenate_tangent_forward(const sgdi_op_call *call) {
    concat_view v = concat_plan(call);
    int64_t off = 0;
    for (int i = 0; i < call->n_in; i++) {
        int64_t len = concat_n(call, i) * v.inner;
        const sgdi_real *x_tan = call->in[i].tan;
        for (int64_t o = 0; o < v.outer; o++) {
            sgdi_real *dst = call->out[0].tan + o * v.total * v.inner + off;
            if (x_tan)
                memcpy(dst, x_tan + o * len, (size_t)len * sizeof(sgdi_real));
            else
                memset(dst, 0, (size_t)len * sizeof(sgdi_real));
        }
        off += len;
    }
}

// x_i_bar[outer, n_i, inner] += src's block of input i (src = y_bar or y_bar')
static void concat_split_add(const sgdi_op_call *call, const sgdi_real *src, bool tangent) {
    concat_view v = concat_plan(call);
    int64_t off = 0;
    for (int i = 0; i < call->n_in; i++) {
        int64_t len = concat_n(call, i) * v.inner;
        sgdi_real *dst = tangent ? call->in[i].adj_tan : call->in[i].adj;
        if (dst)
            for (int64_t o = 0; o < v.outer; o++) {
                const sgdi_real *s = src + o * v.total * v.inner + off;
                for (int64_t k = 0; k < len; k++) dst[o * len + k] += s[k];
            }
        off += len;
    }
}

// dy/dx_i selects x_i's block: x_i_bar += y_bar[block of i]
void sgdi_concatenate_backward(const sgdi_op_call *call) {
    if (call->out[0].adj) concat_split_add(call, call->out[0].adj, false);
}

// linear in y_bar, independent of x: x_i_bar' += y_bar'[block of i]
void sgdi_concatenate_tangent_backward(const sgdi_op_call *call) {
    if (call->out[0].adj_tan) concat_split_add(call, call->out[0].adj_tan, true);
}
