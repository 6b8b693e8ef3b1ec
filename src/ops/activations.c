/*
 * activations.c — the elementwise activations ReLU, LeakyReLU, ELU, Tanh and
 * Sigmoid (nnabla semantics).
 *
 * Ports: in[0] x, out[0] y, same shape (batched or not). For y = f(x) applied
 * elementwise, with f' and f'' its derivatives at x:
 *
 *     forward           y       = f(x)
 *     tangent_forward   y'      = f'(x) x'
 *     backward          x_bar  += f'(x) y_bar
 *     tangent_backward  x_bar' += f'(x) y_bar' + f''(x) x' y_bar
 *
 * Each activation is one small function returning f, f', f'' at a point; the
 * four kernels are shared and inlined with it. Kernels read only x (never the
 * stored output), so they do not depend on the executor's order of calls.
 * Elementwise loops are split over threads for large tensors; every element
 * is written by one thread, so the results do not depend on the thread count.
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

enum { PARALLEL_MIN = 1 << 16 }; // elements below which threads cost more than they save

// f, f', f'' of one activation at x; `alpha` is the attribute (slope, scale).
typedef sgdi_real (*activation_fn)(sgdi_real x, sgdi_real alpha, sgdi_real *d1, sgdi_real *d2);

// --- The five activations ------------------------------------------------------------

// ReLU: max(x, 0); f' = [x > 0], f'' = 0.
static inline sgdi_real relu_f(sgdi_real x, sgdi_real alpha, sgdi_real *d1, sgdi_real *d2) {
    *d1 = x > 0 ? 1 : 0;
    *d2 = 0;
    return x > 0 ? x : 0;
}

// LeakyReLU: x > 0 ? x : alpha x; f' = 1 or alpha, f'' = 0.
static inline sgdi_real leaky_relu_f(sgdi_real x, sgdi_real alpha, sgdi_real *d1, sgdi_real *d2) {
    *d1 = x > 0 ? 1 : alpha;
    *d2 = 0;
    return x > 0 ? x : alpha * x;
}

// ELU: x > 0 ? x : alpha (e^x - 1); f' = 1 or alpha e^x, f'' = 0 or alpha e^x.
static inline sgdi_real elu_f(sgdi_real x, sgdi_real alpha, sgdi_real *d1, sgdi_real *d2) {
    if (x > 0) {
        *d1 = 1;
        *d2 = 0;
        return x;
    }
    sgdi_real e = alpha * r_exp(x);
    *d1 = e;
    *d2 = e;
    return alpha * r_expm1(x);
}

// Tanh: y = tanh x; f' = 1 - y^2, f'' = -2 y (1 - y^2).
static inline sgdi_real tanh_f(sgdi_real x, sgdi_real alpha, sgdi_real *d1, sgdi_real *d2) {
    sgdi_real y = r_tanh(x);
    *d1 = 1 - y * y;
    *d2 = -2 * y * *d1;
    return y;
}

// Sigmoid: s = 1 / (1 + e^-x); f' = s (1 - s), f'' = s (1 - s)(1 - 2 s).
static inline sgdi_real sigmoid_f(sgdi_real x, sgdi_real alpha, sgdi_real *d1, sgdi_real *d2) {
    sgdi_real s = r_sigmoid(x);
    *d1 = s * (1 - s);
    *d2 = *d1 * (1 - 2 * s);
    return s;
}

// --- Shared kernels --------------------------------------------------------------------

// y = f(x); x, y: [n] with n = batch * count (or count)
static inline void unary_forward(const sgdi_op_call *call, activation_fn f) {
    const sgdi_real *x = call->in[0].val;
    sgdi_real *y = call->out[0].val;
    sgdi_real alpha = (sgdi_real)call->attr->alpha, d1, d2;
    int64_t n = sgdi_port_len(call, &call->in[0]);
#pragma omp parallel for schedule(static) private(d1, d2) if (n > PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) y[i] = f(x[i], alpha, &d1, &d2);
}

// y' = f'(x) x'; x, x', y': [n]
static inline void unary_tangent_forward(const sgdi_op_call *call, activation_fn f) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    sgdi_real *y_tan = call->out[0].tan;
    sgdi_real alpha = (sgdi_real)call->attr->alpha, d1, d2;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_tan) {
        for (int64_t i = 0; i < n; i++) y_tan[i] = 0;
        return;
    }
#pragma omp parallel for schedule(static) private(d1, d2) if (n > PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        f(x[i], alpha, &d1, &d2);
        y_tan[i] = d1 * x_tan[i];
    }
}

// chain rule, dy/dx diagonal: x_bar[n] += f'(x) y_bar
static inline void unary_backward(const sgdi_op_call *call, activation_fn f) {
    const sgdi_real *x = call->in[0].val, *y_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    sgdi_real alpha = (sgdi_real)call->attr->alpha, d1, d2;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar || !y_bar) return;
#pragma omp parallel for schedule(static) private(d1, d2) if (n > PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        f(x[i], alpha, &d1, &d2);
        x_bar[i] += d1 * y_bar[i];
    }
}

// d/de [f'(x + e x') (y_bar + e y_bar')] = f'(x) y_bar' + f''(x) x' y_bar:
// x_bar'[n] += f'(x) y_bar' + f''(x) x' y_bar (terms with a NULL factor are zero)
static inline void unary_tangent_backward(const sgdi_op_call *call, activation_fn f) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    sgdi_real alpha = (sgdi_real)call->attr->alpha, d1, d2;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar_tan) return;
    bool second = x_tan && y_bar;
#pragma omp parallel for schedule(static) private(d1, d2) if (n > PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        f(x[i], alpha, &d1, &d2);
        sgdi_real acc = 0;
        if (y_bar_tan) acc += d1 * y_bar_tan[i];
        if (second) acc += d2 * x_tan[i] * y_bar[i];
        x_bar_tan[i] += acc;
    }
}

// Every activation: x (any shape), y the same shape, batched like x.
static sgdi_status unary_infer_shape(sgdi_op_kind kind, const sgdi_shape *in, int n_in,
                                     sgdi_shape *out, int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(kind, in, n_in, n_out, msg, msg_size);
    if (st == SGDI_OK) out[0] = in[0];
    return st;
}

// --- The op table's entry points -------------------------------------------------------

#define SGDI_ACTIVATION(name, KIND)                                                                \
    sgdi_status sgdi_##name##_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,          \
                                          const bool *in_batched, int n_in, sgdi_shape *out,       \
                                          int n_out, char *msg, size_t msg_size) {                 \
        return unary_infer_shape(KIND, in, n_in, out, n_out, msg, msg_size);                       \
    }                                                                                              \
    void sgdi_##name##_forward(const sgdi_op_call *call) {                                         \
        unary_forward(call, name##_f);                                                             \
    }                                                                                              \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call) {                                 \
        unary_tangent_forward(call, name##_f);                                                     \
    }                                                                                              \
    void sgdi_##name##_backward(const sgdi_op_call *call) {                                        \
        unary_backward(call, name##_f);                                                            \
    }                                                                                              \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call) {                                \
        unary_tangent_backward(call, name##_f);                                                    \
    }

SGDI_ACTIVATION(relu, SGDI_OP_RELU)
SGDI_ACTIVATION(leaky_relu, SGDI_OP_LEAKY_RELU)
SGDI_ACTIVATION(elu, SGDI_OP_ELU)
SGDI_ACTIVATION(tanh, SGDI_OP_TANH)
SGDI_ACTIVATION(sigmoid, SGDI_OP_SIGMOID)
