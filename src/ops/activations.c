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
 * four kernels are shared and inlined with it. ReLU, the CNN's activation and
 * the hottest elementwise operator, has its own four loops (same results: the
 * same products, its f'' = 0 term dropped) that compile to compare-and-mask
 * vector code. Kernels read only x (never the
 * stored output), so they do not depend on the executor's order of calls.
 * The four kernels and the shape function are elementwise.h's, shared with
 * the other elementwise operators.
 */
#include "ops/kernel_math.h"
#include "ops/elementwise.h"
#include "ops/op_private.h"

// --- The point functions of the other four
// ------------------------------------------------------------

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

// --- ReLU's own kernels --------------------------------------------------------------

// [x > 0] as a factor: multiplying (not selecting) keeps the generic kernels' bytes.
static inline sgdi_real relu_d1(sgdi_real x) {
    return x > 0 ? (sgdi_real)1 : (sgdi_real)0;
}

sgdi_status sgdi_relu_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                  const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                  char *msg, size_t msg_size) {
    (void)attr;
    return sgdi_ew_infer_shape(SGDI_OP_RELU, in, in_batched, n_in, out, n_out, msg, msg_size);
}

// y[n] = max(x, 0)
void sgdi_relu_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val;
    sgdi_real *y = call->out[0].val;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    SGDI_EW_LOOP(n, y[i] = x[i] > 0 ? x[i] : 0;);
}

// y'[n] = [x > 0] x' (zero when x' is NULL)
void sgdi_relu_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    sgdi_real *y_tan = call->out[0].tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_tan) {
        SGDI_EW_LOOP(n, y_tan[i] = 0;);
        return;
    }
    SGDI_EW_LOOP(n, y_tan[i] = relu_d1(x[i]) * x_tan[i];);
}

// x_bar[n] += [x > 0] y_bar, for the adjoint and for its tangent alike (f'' = 0); = when
// x's adjoint is fresh (sgdi_port); nothing but that clearing when y_bar is NULL.
static void relu_adjoint(const sgdi_op_call *call, const sgdi_real *y_bar, sgdi_real *x_bar) {
    const sgdi_real *x = call->in[0].val;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar || !y_bar) {
        sgdi_clear_if_fresh(call, &call->in[0], x_bar);
        return;
    }
    if (call->in[0].adj_fresh)
        SGDI_EW_LOOP(n, x_bar[i] = relu_d1(x[i]) * y_bar[i];);
    else
        SGDI_EW_LOOP(n, x_bar[i] += relu_d1(x[i]) * y_bar[i];);
}

// x_bar += [x > 0] y_bar
void sgdi_relu_backward(const sgdi_op_call *call) {
    relu_adjoint(call, call->out[0].adj, call->in[0].adj);
}

// x_bar' += [x > 0] y_bar'
void sgdi_relu_tangent_backward(const sgdi_op_call *call) {
    relu_adjoint(call, call->out[0].adj_tan, call->in[0].adj_tan);
}

// forward and tangent_forward in one pass over x: y = max(x, 0), y' = [x > 0] x'
void sgdi_relu_forward_with_tangent(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    sgdi_real *y = call->out[0].val, *y_tan = call->out[0].tan;
    if (!x_tan) {
        sgdi_relu_forward(call);
        sgdi_relu_tangent_forward(call);
        return;
    }
    int64_t n = sgdi_port_len(call, &call->in[0]);
    SGDI_EW_LOOP(n, y[i] = x[i] > 0 ? x[i] : 0; y_tan[i] = relu_d1(x[i]) * x_tan[i];);
}

// backward and tangent_backward in one pass over x (a scoring step's largest buffers)
void sgdi_relu_backward_with_tangent(const sgdi_op_call *call) {
    const sgdi_real *x = call->in[0].val;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar = call->in[0].adj, *x_bar_tan = call->in[0].adj_tan;
    if (!x_bar || !y_bar || !x_bar_tan || !y_bar_tan || !call->in[0].adj_fresh) {
        sgdi_relu_backward(call);
        sgdi_relu_tangent_backward(call);
        return;
    }
    int64_t n = sgdi_port_len(call, &call->in[0]);
    SGDI_EW_LOOP(n, sgdi_real d = relu_d1(x[i]); x_bar[i] = d * y_bar[i];
                 x_bar_tan[i] = d * y_bar_tan[i];);
}

// --- The op table's entry points -------------------------------------------------------

SGDI_ELEMENTWISE_OP(leaky_relu, SGDI_OP_LEAKY_RELU, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(elu, SGDI_OP_ELU, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(tanh, SGDI_OP_TANH, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(sigmoid, SGDI_OP_SIGMOID, sgdi_ew_no_check)
