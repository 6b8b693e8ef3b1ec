/*
 * elementwise.h — the four kernels of an elementwise function y = f(x), shared
 * by the operator files of the scalar arithmetic (scalar.c), the smooth
 * activations (smooth_activations.c) and the unary math functions
 * (unary_math.c). Private to src/ops/.
 *
 * Ports: in[0] x (batched), out[0] y, same shape. With f' and f'' the
 * derivatives of f at x:
 *
 *     forward           y       = f(x)
 *     tangent_forward   y'      = f'(x) x'
 *     backward          x_bar  += f'(x) y_bar
 *     tangent_backward  x_bar' += f'(x) y_bar' + f''(x) x' y_bar
 *
 * An operator is one small function returning f, f', f'' at a point (reading
 * its attributes from sgdi_op_attr), and one SGDI_ELEMENTWISE_OP line that
 * defines its five entry points with the kernels below inlined. Kernels read
 * only x (never the stored output). Loops over large tensors are split over
 * threads; every element is written by one thread, so results do not depend
 * on the thread count.
 */
#ifndef SGDI_OPS_ELEMENTWISE_H
#define SGDI_OPS_ELEMENTWISE_H

#include "ops/kernel_math.h"
#include "ops/op_private.h"

enum { SGDI_EW_PARALLEL_MIN = 1 << 16 }; // elements below which threads cost more than they save

// for (i = 0; i < n; i++) { body }, split over threads only above
// SGDI_EW_PARALLEL_MIN elements. The serial path matters: inside an OpenMP
// region the point function is reached through a pointer and never inlined,
// and entering libgomp costs more than a small tensor's whole loop.
#define SGDI_EW_LOOP(n, ...)                                                                       \
    do {                                                                                           \
        if ((n) > SGDI_EW_PARALLEL_MIN) {                                                          \
            _Pragma("omp parallel for schedule(static)") for (int64_t i = 0; i < (n); i++) {       \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            for (int64_t i = 0; i < (n); i++) {                                                    \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        }                                                                                          \
    } while (0)

// f, f', f'' of one elementwise function at x.
typedef sgdi_real (*sgdi_ew_fn)(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                sgdi_real *d2);

// y = f(x); x, y: [n] with n = batch * count
static inline void sgdi_ew_forward(const sgdi_op_call *call, sgdi_ew_fn f) {
    const sgdi_real *x = call->in[0].val;
    sgdi_real *y = call->out[0].val;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    SGDI_EW_LOOP(n, sgdi_real d1, d2; y[i] = f(x[i], call->attr, &d1, &d2););
}

// y'[n] = f'(x) x' (zero when x' is NULL)
static inline void sgdi_ew_tangent_forward(const sgdi_op_call *call, sgdi_ew_fn f) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    sgdi_real *y_tan = call->out[0].tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_tan) {
        for (int64_t i = 0; i < n; i++) y_tan[i] = 0;
        return;
    }
    SGDI_EW_LOOP(n, sgdi_real d1, d2; f(x[i], call->attr, &d1, &d2); y_tan[i] = d1 * x_tan[i];);
}

// chain rule, dy/dx diagonal: x_bar[n] += f'(x) y_bar
static inline void sgdi_ew_backward(const sgdi_op_call *call, sgdi_ew_fn f) {
    const sgdi_real *x = call->in[0].val, *y_bar = call->out[0].adj;
    sgdi_real *x_bar = call->in[0].adj;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar || !y_bar) return;
    SGDI_EW_LOOP(n, sgdi_real d1, d2; f(x[i], call->attr, &d1, &d2); x_bar[i] += d1 * y_bar[i];);
}

// d/de [f'(x + e x') (y_bar + e y_bar')] = f'(x) y_bar' + f''(x) x' y_bar:
// x_bar'[n] += f'(x) y_bar' + f''(x) x' y_bar (terms with a NULL factor are zero)
static inline void sgdi_ew_tangent_backward(const sgdi_op_call *call, sgdi_ew_fn f) {
    const sgdi_real *x = call->in[0].val, *x_tan = call->in[0].tan;
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    sgdi_real *x_bar_tan = call->in[0].adj_tan;
    int64_t n = sgdi_port_len(call, &call->in[0]);
    if (!x_bar_tan) return;
    bool second = x_tan && y_bar;
    SGDI_EW_LOOP(n, sgdi_real d1, d2; f(x[i], call->attr, &d1, &d2); sgdi_real acc = 0;
                 if (y_bar_tan) acc += d1 * y_bar_tan[i];
                 if (second) acc += d2 * x_tan[i] * y_bar[i]; x_bar_tan[i] += acc;);
}

// x (any shape, batched) -> y the same shape. An operator on a parameter alone
// would give an unbatched result, which the engine has no place for.
static inline sgdi_status sgdi_ew_infer_shape(sgdi_op_kind kind, const sgdi_shape *in,
                                              const bool *in_batched, int n_in, sgdi_shape *out,
                                              int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(kind, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!in_batched[0])
        return sgdi_op_reason(msg, msg_size, "%s: input x must be batched, not a parameter",
                              sgdi_op_table[kind].name);
    out[0] = in[0];
    return SGDI_OK;
}

// The five entry points of operator `name` with point function name##_f and an
// attribute check `check(attr, msg, msg_size)` (SGDI_OK or a reason).
#define SGDI_ELEMENTWISE_OP(name, KIND, check)                                                     \
    sgdi_status sgdi_##name##_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,          \
                                          const bool *in_batched, int n_in, sgdi_shape *out,       \
                                          int n_out, char *msg, size_t msg_size) {                 \
        sgdi_status st =                                                                           \
            sgdi_ew_infer_shape(KIND, in, in_batched, n_in, out, n_out, msg, msg_size);            \
        return st == SGDI_OK ? check(attr, msg, msg_size) : st;                                    \
    }                                                                                              \
    void sgdi_##name##_forward(const sgdi_op_call *call) {                                         \
        sgdi_ew_forward(call, name##_f);                                                           \
    }                                                                                              \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call) {                                 \
        sgdi_ew_tangent_forward(call, name##_f);                                                   \
    }                                                                                              \
    void sgdi_##name##_backward(const sgdi_op_call *call) {                                        \
        sgdi_ew_backward(call, name##_f);                                                          \
    }                                                                                              \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call) {                                \
        sgdi_ew_tangent_backward(call, name##_f);                                                  \
    }

// The attribute check of operators without constraints.
static inline sgdi_status sgdi_ew_no_check(const sgdi_op_attr *attr, char *msg, size_t msg_size) {
    (void)attr, (void)msg, (void)msg_size;
    return SGDI_OK;
}

// pow in sgdi_real (kernel_math.h has the other libm wrappers).
static inline sgdi_real sgdi_ew_pow(sgdi_real x, sgdi_real e) {
#ifdef SGDI_REAL_DOUBLE
    return pow(x, e);
#else
    return powf(x, e);
#endif
}

#endif // SGDI_OPS_ELEMENTWISE_H
