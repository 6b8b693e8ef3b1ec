/*
 * sigmoid_cross_entropy.c — SigmoidCrossEntropy (nnabla): elementwise binary
 * cross entropy of the logits x against targets t in [0, 1].
 *
 * Ports: in[0] x (logits), in[1] t (targets; never differentiated), out[0] l,
 * all the same shape. With s = sigmoid(x):
 *
 *     l = -t log s - (1 - t) log(1 - s) = max(x, 0) - x t + log(1 + e^-|x|)
 *
 * (the right-hand form never overflows), and
 *
 *     l' = (s - t) x',  x_bar += l_bar (s - t),
 *     x_bar' += l_bar' (s - t) + l_bar s (1 - s) x'
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

// x (any shape), t the same -> l the same
sgdi_status sgdi_sigmoid_cross_entropy_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                   const bool *in_batched, int n_in,
                                                   sgdi_shape *out, int n_out, char *msg,
                                                   size_t msg_size) {
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_SIGMOID_CROSS_ENTROPY, in, n_in, n_out, msg, msg_size);
    if (st == SGDI_OK) st = sgdi_op_check_same(in, in_batched, 0, 1, msg, msg_size);
    if (st == SGDI_OK) out[0] = in[0];
    return st;
}

// l[n] = max(x, 0) - x t + log1p(e^-|x|)
void sgdi_sigmoid_cross_entropy_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *t = call->in[1].val;
    sgdi_real *l = call->out[0].val;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++)
        l[i] = r_max(x[i], 0) - x[i] * t[i] + r_log1p(r_exp(-r_fabs(x[i])));
}

// l'[n] = (s - t) x'
void sgdi_sigmoid_cross_entropy_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan, *t = call->in[1].val;
    sgdi_real *l_tan = call->out[0].tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) l_tan[i] = x_tan ? (r_sigmoid(x[i]) - t[i]) * x_tan[i] : 0;
}

// dl/dx = s - t: x_bar[n] += l_bar (s - t)
void sgdi_sigmoid_cross_entropy_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *t = call->in[1].val, *l_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    if (!x_bar || !l_bar) return;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) x_bar[i] += l_bar[i] * (r_sigmoid(x[i]) - t[i]);
}

// d/de [(l_bar + e l_bar') (s(x + e x') - t)]: x_bar'[n] += l_bar' (s - t) + l_bar s (1 - s) x'
void sgdi_sigmoid_cross_entropy_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan, *t = call->in[1].val;
    const sgdi_real *l_bar = call->out[0].adj, *l_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    if (!x_bar_tan) return;
    bool second = x_tan && l_bar;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) {
        sgdi_real s = r_sigmoid(x[i]), acc = 0;
        if (l_bar_tan) acc += l_bar_tan[i] * (s - t[i]);
        if (second) acc += l_bar[i] * s * (1 - s) * x_tan[i];
        x_bar_tan[i] += acc;
    }
}
