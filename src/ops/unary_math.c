/*
 * unary_math.c — the elementwise math functions Abs, Exp and Log (nnabla),
 * on a batched x.
 *
 *     Abs  y = |x|     f' = sign(x) (0 at 0)   f'' = 0
 *     Exp  y = e^x     f' = e^x                f'' = e^x
 *     Log  y = ln x    f' = 1 / x              f'' = -1 / x^2
 *
 * Log is plain ln as in nnabla (NaN for x < 0, -inf at 0). Each is its f, f',
 * f'' at a point; the kernels are those of elementwise.h.
 */
#include "ops/elementwise.h"

// Abs: |x|; f' = sign(x), f'' = 0.
static inline sgdi_real abs_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1, sgdi_real *d2) {
    *d1 = x > 0 ? 1 : x < 0 ? -1 : 0;
    *d2 = 0;
    return r_fabs(x);
}

// Exp: e^x; f' = f'' = e^x.
static inline sgdi_real exp_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1, sgdi_real *d2) {
    sgdi_real e = r_exp(x);
    *d1 = e;
    *d2 = e;
    return e;
}

// Log: ln x; f' = 1 / x, f'' = -1 / x^2.
static inline sgdi_real log_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1, sgdi_real *d2) {
    *d1 = 1 / x;
    *d2 = -*d1 * *d1;
    return r_log(x);
}

SGDI_ELEMENTWISE_OP(abs, SGDI_OP_ABS, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(exp, SGDI_OP_EXP, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(log, SGDI_OP_LOG, sgdi_ew_no_check)
