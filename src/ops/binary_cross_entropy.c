/*
 * binary_cross_entropy.c — BinaryCrossEntropy (nnabla): elementwise cross
 * entropy of probabilities p against targets t in [0, 1].
 *
 * Ports: in[0] p (probabilities), in[1] t (targets; never differentiated),
 * out[0] l, all the same shape. As nnabla, both logarithms are clamped at the
 * smallest normal number (REAL_MIN), and so is p (1 - p) in the derivative:
 *
 *     l   = -t log max(p, m) - (1 - t) log max(1 - p, m)
 *     g   = dl/dp   = (p - t) / d,  d = max(p - p^2, m)
 *     h   = d2l/dp2 = (d - (p - t)(1 - 2p)) / d^2   (= t/p^2 + (1-t)/(1-p)^2)
 *
 *     l' = g p',  p_bar += l_bar g,  p_bar' += l_bar' g + l_bar h p'
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

// dl/dp at (p, t), and d2l/dp2 into *h when h is not NULL.
static inline sgdi_real bce_grad(sgdi_real p, sgdi_real t, sgdi_real *h) {
    sgdi_real d = r_max(p - p * p, SGDI_REAL_MIN);
    if (h) *h = (d - (p - t) * (1 - 2 * p)) / (d * d);
    return (p - t) / d;
}

// p (any shape), t the same -> l the same
sgdi_status sgdi_binary_cross_entropy_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                  const bool *in_batched, int n_in, sgdi_shape *out,
                                                  int n_out, char *msg, size_t msg_size) {
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_BINARY_CROSS_ENTROPY, in, n_in, n_out, msg, msg_size);
    if (st == SGDI_OK) st = sgdi_op_check_same(in, in_batched, 0, 1, msg, msg_size);
    if (st == SGDI_OK) out[0] = in[0];
    return st;
}

// l[n] = -t log max(p, m) - (1 - t) log max(1 - p, m)
void sgdi_binary_cross_entropy_forward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *t = call->in[1].val;
    sgdi_real *l = call->out[0].val;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++)
        l[i] = -(t[i] * r_log(r_max(p[i], SGDI_REAL_MIN)) +
                 (1 - t[i]) * r_log(r_max(1 - p[i], SGDI_REAL_MIN)));
}

// l'[n] = g p'
void sgdi_binary_cross_entropy_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *p_tan = call->in[0].tan, *t = call->in[1].val;
    sgdi_real *l_tan = call->out[0].tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) l_tan[i] = p_tan ? bce_grad(p[i], t[i], NULL) * p_tan[i] : 0;
}

// dl/dp = (p - t) / (p (1 - p)): p_bar[n] += l_bar g
void sgdi_binary_cross_entropy_backward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *t = call->in[1].val, *l_bar = call->out[0].adj;
    sgdi_real *p_bar = call->in[0].adj;
    if (!p_bar || !l_bar) return;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) p_bar[i] += l_bar[i] * bce_grad(p[i], t[i], NULL);
}

// d/de [(l_bar + e l_bar') g(p + e p')]: p_bar'[n] += l_bar' g + l_bar h p'
void sgdi_binary_cross_entropy_tangent_backward(const sgdi_op_call *call) {
    const sgdi_real *p = call->in[0].val, *p_tan = call->in[0].tan, *t = call->in[1].val;
    const sgdi_real *l_bar = call->out[0].adj, *l_bar_tan = call->out[0].adj_tan;
    sgdi_real *p_bar_tan = call->in[0].adj_tan;
    if (!p_bar_tan) return;
    bool second = p_tan && l_bar;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    for (int64_t i = 0; i < n; i++) {
        sgdi_real h, g = bce_grad(p[i], t[i], &h), acc = 0;
        if (l_bar_tan) acc += l_bar_tan[i] * g;
        if (second) acc += l_bar[i] * h * p_tan[i];
        p_bar_tan[i] += acc;
    }
}
