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
// SGDI_EW_PARALLEL_MIN elements (entering libgomp costs more than a small tensor's
// whole loop). `omp simd` lets the compiler vectorise elementwise bodies whatever its
// cost model; it never reorders a sum (the bodies hold none across elements).
#define SGDI_EW_LOOP(n, ...)                                                                       \
    do {                                                                                           \
        if ((n) > SGDI_EW_PARALLEL_MIN) {                                                          \
            _Pragma("omp parallel for simd schedule(static)") for (int64_t i = 0; i < (n); i++) {  \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            _Pragma("omp simd") for (int64_t i = 0; i < (n); i++) {                                \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        }                                                                                          \
    } while (0)

// The four kernels below are macros over the point function's NAME, not functions
// taking a pointer to it: an OpenMP region is outlined before inlining, so a pointer
// passed in would be called per element there; a name is called directly and inlined.
// The point function f(x, attr, &d1, &d2) returns f and sets f', f'' at x.

// y = f(x); x, y: [n] with n = batch * count
#define SGDI_EW_FORWARD(call, f)                                                                   \
    do {                                                                                           \
        const sgdi_real *x_ = (call)->in[0].val;                                                   \
        sgdi_real *y_ = (call)->out[0].val;                                                        \
        const sgdi_op_attr *attr_ = (call)->attr;                                                  \
        int64_t n_ = sgdi_port_len((call), &(call)->in[0]);                                        \
        SGDI_EW_LOOP(n_, sgdi_real d1, d2; y_[i] = f(x_[i], attr_, &d1, &d2););                    \
    } while (0)

// y'[n] = f'(x) x' (zero when x' is NULL)
#define SGDI_EW_TANGENT_FORWARD(call, f)                                                           \
    do {                                                                                           \
        const sgdi_real *x_ = (call)->in[0].val, *xt_ = (call)->in[0].tan;                         \
        sgdi_real *yt_ = (call)->out[0].tan;                                                       \
        const sgdi_op_attr *attr_ = (call)->attr;                                                  \
        int64_t n_ = sgdi_port_len((call), &(call)->in[0]);                                        \
        if (!xt_) {                                                                                \
            for (int64_t i = 0; i < n_; i++) yt_[i] = 0;                                           \
            break;                                                                                 \
        }                                                                                          \
        SGDI_EW_LOOP(n_, sgdi_real d1, d2; f(x_[i], attr_, &d1, &d2); yt_[i] = d1 * xt_[i];);      \
    } while (0)

// chain rule, dy/dx diagonal: x_bar[n] += f'(x) y_bar
#define SGDI_EW_BACKWARD(call, f)                                                                  \
    do {                                                                                           \
        const sgdi_real *x_ = (call)->in[0].val, *yb_ = (call)->out[0].adj;                        \
        sgdi_real *xb_ = (call)->in[0].adj;                                                        \
        const sgdi_op_attr *attr_ = (call)->attr;                                                  \
        int64_t n_ = sgdi_port_len((call), &(call)->in[0]);                                        \
        if (!xb_ || !yb_) break;                                                                   \
        SGDI_EW_LOOP(n_, sgdi_real d1, d2; f(x_[i], attr_, &d1, &d2); xb_[i] += d1 * yb_[i];);     \
    } while (0)

// d/de [f'(x + e x') (y_bar + e y_bar')] = f'(x) y_bar' + f''(x) x' y_bar:
// x_bar'[n] += f'(x) y_bar' + f''(x) x' y_bar (terms with a NULL factor are zero)
#define SGDI_EW_TANGENT_BACKWARD(call, f)                                                          \
    do {                                                                                           \
        const sgdi_real *x_ = (call)->in[0].val, *xt_ = (call)->in[0].tan;                         \
        const sgdi_real *yb_ = (call)->out[0].adj, *ybt_ = (call)->out[0].adj_tan;                 \
        sgdi_real *xbt_ = (call)->in[0].adj_tan;                                                   \
        const sgdi_op_attr *attr_ = (call)->attr;                                                  \
        int64_t n_ = sgdi_port_len((call), &(call)->in[0]);                                        \
        if (!xbt_) break;                                                                          \
        bool second_ = xt_ && yb_;                                                                 \
        SGDI_EW_LOOP(n_, sgdi_real d1, d2; f(x_[i], attr_, &d1, &d2); sgdi_real acc = 0;           \
                     if (ybt_) acc += d1 * ybt_[i]; if (second_) acc += d2 * xt_[i] * yb_[i];      \
                     xbt_[i] += acc;);                                                             \
    } while (0)

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
        SGDI_EW_FORWARD(call, name##_f);                                                           \
    }                                                                                              \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call) {                                 \
        SGDI_EW_TANGENT_FORWARD(call, name##_f);                                                   \
    }                                                                                              \
    void sgdi_##name##_backward(const sgdi_op_call *call) {                                        \
        SGDI_EW_BACKWARD(call, name##_f);                                                          \
    }                                                                                              \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call) {                                \
        SGDI_EW_TANGENT_BACKWARD(call, name##_f);                                                  \
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
