/*
 * reshape.c — Reshape and Identity (nnabla): pure data movement.
 *
 * Ports: in[0] x (batched), out[0] y (batched) holding the same elements in
 * the same (row-major) order; Identity keeps x's shape, Reshape takes the
 * per-sample shape attr->shape (nnabla's `shape` without the batch dim; one
 * dim may be -1, inferred from the element count). Both are the identity map
 * on the flat buffer:
 *
 *     y = x,  y' = x',  x_bar += y_bar,  x_bar' += y_bar'
 */
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// y[n] = x (n = batch * count)
static void copy_forward(const sgdi_op_call *call) {
    int64_t n = sgdi_port_len(call, &call->in[0]);
    memcpy(call->out[0].val, call->in[0].val, (size_t)n * sizeof(sgdi_real));
}

// y'[n] = x', or 0 when x' is NULL
static void copy_tangent_forward(const sgdi_op_call *call) {
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (call->in[0].tan)
        memcpy(call->out[0].tan, call->in[0].tan, (size_t)n * sizeof(sgdi_real));
    else
        memset(call->out[0].tan, 0, (size_t)n * sizeof(sgdi_real));
}

// dy/dx = I: x_bar[n] += y_bar
static void copy_backward(const sgdi_op_call *call) {
    const sgdi_real *y_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar || !y_bar) return;
    for (int64_t i = 0; i < n; i++) x_bar[i] += y_bar[i];
}

// linear in y_bar, independent of x: x_bar'[n] += y_bar'
static void copy_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar_tan || !y_bar_tan) return;
    for (int64_t i = 0; i < n; i++) x_bar_tan[i] += y_bar_tan[i];
}

// --- Reshape ----------------------------------------------------------------------------

// x (d0, ..., dn) -> y attr->shape, with its -1 dim (if any) = count(x) / the others;
// the counts must agree.
sgdi_status sgdi_reshape_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                     const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                     char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_RESHAPE, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "Reshape: x must be batched");
    sgdi_shape s = attr->shape;
    if (s.ndim < 0 || s.ndim > SGDI_MAX_DIMS)
        return sgdi_op_reason(msg, msg_size, "Reshape: target has %d dimensions, at most %d",
                              s.ndim, (int)SGDI_MAX_DIMS);
    int64_t count = sgdi_shape_count(&in[0]), known = 1; // known <= count throughout
    int infer = -1;
    bool fits = true;
    for (int k = 0; k < s.ndim; k++) {
        if (s.dim[k] == -1 && infer < 0)
            infer = k;
        else if (s.dim[k] < 1)
            return sgdi_op_reason(msg, msg_size, "Reshape: target dimension %d is %lld", k,
                                  (long long)s.dim[k]);
        else if (s.dim[k] > count / known)
            fits = false;
        else
            known *= s.dim[k];
    }
    if (fits && infer >= 0 && count % known == 0) s.dim[infer] = count / known;
    if (!fits || (infer >= 0 ? count % known != 0 : known != count)) {
        char a[96], b[96];
        return sgdi_op_reason(msg, msg_size, "Reshape: x %s has %lld elements, target %s does not",
                              sgdi_shape_str(&in[0], a, sizeof a), (long long)count,
                              sgdi_shape_str(&attr->shape, b, sizeof b));
    }
    out[0] = s;
    return SGDI_OK;
}

// y[B, attr->shape] = x[B, x's shape], the same flat buffer
void sgdi_reshape_forward(const sgdi_op_call *call) {
    copy_forward(call);
}

// y' = x'
void sgdi_reshape_tangent_forward(const sgdi_op_call *call) {
    copy_tangent_forward(call);
}

// dy/dx = I: x_bar += y_bar
void sgdi_reshape_backward(const sgdi_op_call *call) {
    copy_backward(call);
}

// linear: x_bar' += y_bar'
void sgdi_reshape_tangent_backward(const sgdi_op_call *call) {
    copy_tangent_backward(call);
}

// --- Identity ---------------------------------------------------------------------------

// x (any shape, batched) -> y the same
sgdi_status sgdi_identity_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                      const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                      char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_IDENTITY, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "Identity: x must be batched");
    out[0] = in[0];
    return SGDI_OK;
}

// y[B, ...] = x
void sgdi_identity_forward(const sgdi_op_call *call) {
    copy_forward(call);
}

// y' = x'
void sgdi_identity_tangent_forward(const sgdi_op_call *call) {
    copy_tangent_forward(call);
}

// dy/dx = I: x_bar += y_bar
void sgdi_identity_backward(const sgdi_op_call *call) {
    copy_backward(call);
}

// linear: x_bar' += y_bar'
void sgdi_identity_tangent_backward(const sgdi_op_call *call) {
    copy_tangent_backward(call);
}
