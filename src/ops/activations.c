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
 * The four kernels and the shape function are elementwise.h's, shared with
 * the other elementwise operators.
 */
#include "ops/kernel_math.h"
#include "ops/elementwise.h"
#include "ops/op_private.h"

// --- The five activations ------------------------------------------------------------

// ReLU: max(x, 0); f' = [x > 0], f'' = 0.
static inline sgdi_real relu_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                               sgdi_real *d2) {
    *d1 = x > 0 ? 1 : 0;
    *d2 = 0;
    return x > 0 ? x : 0;
}

// LeakyReLU: x > 0 ? x : alpha x; f' = 1 or alpha, f'' = 0.
static inline sgdi_real leaky_relu_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                     sgdi_real *d2) {
    sgdi_real alpha = (sgdi_real)attr->alpha;
    *d1 = x > 0 ? 1 : alpha;
    *d2 = 0;
    return x > 0 ? x : alpha * x;
}

// ELU: x > 0 ? x : alpha (e^x - 1); f' = 1 or alpha e^x, f'' = 0 or alpha e^x.
static inline sgdi_real elu_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1, sgdi_real *d2) {
    if (x > 0) {
        *d1 = 1;
        *d2 = 0;
        return x;
    }
    sgdi_real alpha = (sgdi_real)attr->alpha, e = alpha * r_exp(x);
    *d1 = e;
    *d2 = e;
    return alpha * r_expm1(x);
}

// Tanh: y = tanh x; f' = 1 - y^2, f'' = -2 y (1 - y^2).
static inline sgdi_real tanh_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                               sgdi_real *d2) {
    sgdi_real y = r_tanh(x);
    *d1 = 1 - y * y;
    *d2 = -2 * y * *d1;
    return y;
}

// Sigmoid: s = 1 / (1 + e^-x); f' = s (1 - s), f'' = s (1 - s)(1 - 2 s).
static inline sgdi_real sigmoid_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                  sgdi_real *d2) {
    sgdi_real s = r_sigmoid(x);
    *d1 = s * (1 - s);
    *d2 = *d1 * (1 - 2 * s);
    return s;
}

// --- The op table's entry points -------------------------------------------------------

SGDI_ELEMENTWISE_OP(relu, SGDI_OP_RELU, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(leaky_relu, SGDI_OP_LEAKY_RELU, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(elu, SGDI_OP_ELU, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(tanh, SGDI_OP_TANH, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(sigmoid, SGDI_OP_SIGMOID, sgdi_ew_no_check)
