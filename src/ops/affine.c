/*
 * affine.c — Affine (nnabla): y = x W + b, the fully connected layer.
 *
 * Ports: in[0] x (batched), in[1] W (parameter), in[2] b (parameter, optional);
 * out[0] y (batched). The per-sample dims [base_axis..) of x flatten to the
 * input vector (length I), the leading per-sample dims [0..base_axis) are kept
 * (L rows per sample), W is (I, O1, O2, ...) row-major (W[i*O + o]) and
 * y's per-sample shape is x.dims[0..base_axis) ++ W.dims[1..]. So over the
 * batch the operator is one matrix product of M = batch * L rows:
 *
 *     Y[M, O] = X[M, I] W[I, O] + 1 b[O]
 *
 * All matrix work goes through GEMM; every term whose tangent is zero (NULL)
 * or whose target is unwanted (NULL) is skipped, which matters for the first
 * layer, where x carries neither a tangent nor an adjoint.
 */
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// The matrix view of one call: Y[m, o] = X[m, i] W[i, o] (+ b[o]).
typedef struct affine_dims {
    int64_t m, i, o;
} affine_dims;

static affine_dims affine_view(const sgdi_op_call *call) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1];
    int64_t lead = 1;
    for (int k = 0; k < call->attr->base_axis; k++) lead *= x->shape.dim[k];
    affine_dims d = {.m = call->batch * lead, .i = x->count / lead};
    d.o = w->count / d.i;
    return d;
}

// dst[m, o] = b[o], or 0 when b is NULL.
static void fill_rows(sgdi_real *dst, const sgdi_real *b, int64_t m, int64_t o) {
    for (int64_t r = 0; r < m; r++) {
        if (b)
            memcpy(dst + r * o, b, (size_t)o * sizeof *dst);
        else
            memset(dst + r * o, 0, (size_t)o * sizeof *dst);
    }
}

// dst[o] += sum_r src[r, o], rows in order (deterministic).
static void add_column_sums(sgdi_real *dst, const sgdi_real *src, int64_t m, int64_t o) {
    for (int64_t r = 0; r < m; r++)
        for (int64_t j = 0; j < o; j++) dst[j] += src[r * o + j];
}

// x (L..., I...), W (I, O...), b (O...) -> y (L..., O...), L = x dims [0..base_axis).
sgdi_status sgdi_affine_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                    const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                    char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_AFFINE, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const sgdi_shape *x = &in[0], *w = &in[1];
    int base = attr->base_axis;
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "Affine: input x must be batched");
    if (in_batched[1] || (n_in == 3 && in_batched[2]))
        return sgdi_op_reason(msg, msg_size, "Affine: W and b must be parameters");
    if (base < 0 || base >= x->ndim)
        return sgdi_op_reason(msg, msg_size, "Affine: base_axis %d outside [0, %d)", base, x->ndim);
    if (w->ndim < 2)
        return sgdi_op_reason(msg, msg_size, "Affine: W has %d dimensions, expected >= 2", w->ndim);
    if (base + w->ndim - 1 > SGDI_MAX_DIMS)
        return sgdi_op_reason(msg, msg_size, "Affine: output would have %d dimensions, max %d",
                              base + w->ndim - 1, (int)SGDI_MAX_DIMS);
    int64_t n_in_vec = 1;
    for (int k = base; k < x->ndim; k++) n_in_vec *= x->dim[k];
    if (w->dim[0] != n_in_vec)
        return sgdi_op_reason(msg, msg_size, "Affine: W has %lld rows, x gives %lld inputs",
                              (long long)w->dim[0], (long long)n_in_vec);
    sgdi_shape o = {.ndim = w->ndim - 1};
    for (int k = 1; k < w->ndim; k++) o.dim[k - 1] = w->dim[k];
    if (n_in == 3 && !sgdi_shape_equal(&in[2], &o)) {
        char a[96], b[96];
        return sgdi_op_reason(msg, msg_size, "Affine: b has shape %s, expected %s",
                              sgdi_shape_str(&in[2], a, sizeof a), sgdi_shape_str(&o, b, sizeof b));
    }
    out[0].ndim = base + o.ndim;
    for (int k = 0; k < base; k++) out[0].dim[k] = x->dim[k];
    for (int k = 0; k < o.ndim; k++) out[0].dim[base + k] = o.dim[k];
    return SGDI_OK;
}

// Y[M, O] = X[M, I] W[I, O] + b[O]
void sgdi_affine_forward(const sgdi_op_call *call) {
    affine_dims d = affine_view(call);
    const sgdi_real *b = call->n_in > 2 ? call->in[2].val : NULL;
    sgdi_real *y = call->out[0].val;
    fill_rows(y, b, d.m, d.o);
    r_gemm_acc(false, false, d.m, d.o, d.i, call->in[0].val, call->in[1].val, y);
}

// Y'[M, O] = X'[M, I] W[I, O] + X[M, I] W'[I, O] + b'[O]
void sgdi_affine_tangent_forward(const sgdi_op_call *call) {
    affine_dims d = affine_view(call);
    const sgdi_port *x = &call->in[0], *w = &call->in[1];
    const sgdi_real *b_tan = call->n_in > 2 ? call->in[2].tan : NULL;
    sgdi_real *y_tan = call->out[0].tan;
    fill_rows(y_tan, b_tan, d.m, d.o);
    if (x->tan) r_gemm_acc(false, false, d.m, d.o, d.i, x->tan, w->val, y_tan);
    if (w->tan) r_gemm_acc(false, false, d.m, d.o, d.i, x->val, w->tan, y_tan);
}

// dL/dX = Y_bar W^T, dL/dW = X^T Y_bar, dL/db = sum over rows of Y_bar:
// X_bar[M, I] += Y_bar[M, O] W^T, W_bar[I, O] += X^T Y_bar, b_bar[O] += 1^T Y_bar
void sgdi_affine_backward(const sgdi_op_call *call) {
    affine_dims d = affine_view(call);
    const sgdi_port *x = &call->in[0], *w = &call->in[1];
    const sgdi_real *y_bar = call->out[0].adj;
    if (!y_bar) return;
    if (x->adj) r_gemm_acc(false, true, d.m, d.i, d.o, y_bar, w->val, x->adj);
    if (w->adj) r_gemm_acc(true, false, d.i, d.o, d.m, x->val, y_bar, w->adj);
    if (call->n_in > 2 && call->in[2].adj) add_column_sums(call->in[2].adj, y_bar, d.m, d.o);
}

// The backward is bilinear in ((X, W), Y_bar), so its tangent is the product rule:
// X_bar' += Y_bar' W^T + Y_bar W'^T, W_bar' += X'^T Y_bar + X^T Y_bar', b_bar' += 1^T Y_bar'
void sgdi_affine_tangent_backward(const sgdi_op_call *call) {
    affine_dims d = affine_view(call);
    const sgdi_port *x = &call->in[0], *w = &call->in[1];
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    if (x->adj_tan) {
        if (y_bar_tan) r_gemm_acc(false, true, d.m, d.i, d.o, y_bar_tan, w->val, x->adj_tan);
        if (y_bar && w->tan) r_gemm_acc(false, true, d.m, d.i, d.o, y_bar, w->tan, x->adj_tan);
    }
    if (w->adj_tan) {
        if (y_bar && x->tan) r_gemm_acc(true, false, d.i, d.o, d.m, x->tan, y_bar, w->adj_tan);
        if (y_bar_tan) r_gemm_acc(true, false, d.i, d.o, d.m, x->val, y_bar_tan, w->adj_tan);
    }
    if (call->n_in > 2 && call->in[2].adj_tan && y_bar_tan)
        add_column_sums(call->in[2].adj_tan, y_bar_tan, d.m, d.o);
}
