/*
 * squared_error.c — SquaredError (nnabla): elementwise (x0 - x1)^2.
 *
 * Ports: in[0] x0, in[1] x1 (both differentiable), out[0] y, all the same
 * shape. With d = x0 - x1 and d' = x0' - x1':
 *
 *     y' = 2 d d',  x0_bar += 2 d y_bar,  x1_bar -= 2 d y_bar,
 *     x0_bar' += 2 d y_bar' + 2 d' y_bar,  x1_bar' -= the same
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

// x0 (any shape), x1 the same -> y the same
sgdi_status sgdi_squared_error_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                           const bool *in_batched, int n_in, sgdi_shape *out,
                                           int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_SQUARED_ERROR, in, n_in, n_out, msg, msg_size);
    if (st == SGDI_OK) st = sgdi_op_check_same(in, in_batched, 0, 1, msg, msg_size);
    if (st == SGDI_OK) out[0] = in[0];
    return st;
}

// y[n] = (x0 - x1)^2
void sgdi_squared_error_forward(const sgdi_op_call *call) {
    const sgdi_real *x0 = call->in[0].val, *x1 = call->in[1].val;
    sgdi_real *y = call->out[0].val;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) y[i] = (x0[i] - x1[i]) * (x0[i] - x1[i]);
}

// y'[n] = 2 (x0 - x1)(x0' - x1')
void sgdi_squared_error_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *x0 = call->in[0].val, *x1 = call->in[1].val;
    const sgdi_real *t0 = call->in[0].tan, *t1 = call->in[1].tan;
    sgdi_real *y_tan = call->out[0].tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) {
        sgdi_real dt = (t0 ? t0[i] : 0) - (t1 ? t1[i] : 0);
        y_tan[i] = 2 * (x0[i] - x1[i]) * dt;
    }
}

// dy/dx0 = 2 d = -dy/dx1: x0_bar[n] += 2 d y_bar, x1_bar[n] -= 2 d y_bar
void sgdi_squared_error_backward(const sgdi_op_call *call) {
    const sgdi_real *x0 = call->in[0].val, *x1 = call->in[1].val, *y_bar = call->out[0].adj;
    sgdi_real *a0 = call->in[0].adj, *a1 = call->in[1].adj;
    if (!y_bar) return;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) {
        sgdi_real g = 2 * (x0[i] - x1[i]) * y_bar[i];
        if (a0) a0[i] += g;
        if (a1) a1[i] -= g;
    }
}

// d/de [2 (d + e d')(y_bar + e y_bar')]: x0_bar'[n] += 2 d y_bar' + 2 d' y_bar, x1_bar' -= same
void sgdi_squared_error_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *x0 = call->in[0].val, *x1 = call->in[1].val;
    const sgdi_real *t0 = call->in[0].tan, *t1 = call->in[1].tan;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *a0 = call->in[0].adj_tan, *a1 = call->in[1].adj_tan;
    if (!a0 && !a1) return;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) {
        sgdi_real g = 0;
        if (y_bar_tan) g += 2 * (x0[i] - x1[i]) * y_bar_tan[i];
        if (y_bar) g += 2 * ((t0 ? t0[i] : 0) - (t1 ? t1[i] : 0)) * y_bar[i];
        if (a0) a0[i] += g;
        if (a1) a1[i] -= g;
    }
}
