/*
 * scalar.c — the elementwise arithmetic with a scalar v (nnabla): AddScalar,
 * MulScalar, PowScalar, RSubScalar, RDivScalar and RPowScalar.
 *
 * Ports: in[0] x (batched), out[0] y, same shape; v is nnabla's `val`, held in
 * attr->alpha. Each operator is its f, f', f'' at a point; the kernels are
 * those of elementwise.h:
 *
 *     AddScalar   y = x + v      f' = 1               f'' = 0
 *     MulScalar   y = v x        f' = v               f'' = 0
 *     PowScalar   y = x^v        f' = v x^(v-1)       f'' = v (v-1) x^(v-2)
 *     RSubScalar  y = v - x      f' = -1              f'' = 0
 *     RDivScalar  y = v / x      f' = -v / x^2        f'' = 2 v / x^3
 *     RPowScalar  y = v^x        f' = ln(v) v^x       f'' = ln(v)^2 v^x
 *
 * PowScalar follows pow(): a negative x is fine for an integer v, NaN
 * otherwise (as in nnabla).
 */
#include "ops/elementwise.h"

// AddScalar: x + v; f' = 1, f'' = 0.
static inline sgdi_real add_scalar_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                     sgdi_real *d2) {
    *d1 = 1;
    *d2 = 0;
    return x + (sgdi_real)attr->alpha;
}

// MulScalar: v x; f' = v, f'' = 0.
static inline sgdi_real mul_scalar_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                     sgdi_real *d2) {
    sgdi_real v = (sgdi_real)attr->alpha;
    *d1 = v;
    *d2 = 0;
    return v * x;
}

// PowScalar: x^v; f' = v x^(v-1), f'' = v (v-1) x^(v-2). Three pow() calls
// rather than one shared x^(v-2), which would give 0 * inf at x = 0.
static inline sgdi_real pow_scalar_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                     sgdi_real *d2) {
    sgdi_real v = (sgdi_real)attr->alpha;
    *d1 = v == 0 ? 0 : v * sgdi_ew_pow(x, v - 1);
    *d2 = v == 0 || v == 1 ? 0 : v * (v - 1) * sgdi_ew_pow(x, v - 2);
    return sgdi_ew_pow(x, v);
}

// RSubScalar: v - x; f' = -1, f'' = 0.
static inline sgdi_real r_sub_scalar_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                       sgdi_real *d2) {
    *d1 = -1;
    *d2 = 0;
    return (sgdi_real)attr->alpha - x;
}

// RDivScalar: v / x; f' = -v / x^2, f'' = 2 v / x^3.
static inline sgdi_real r_div_scalar_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                       sgdi_real *d2) {
    sgdi_real y = (sgdi_real)attr->alpha / x;
    *d1 = -y / x;
    *d2 = -2 * *d1 / x;
    return y;
}

// RPowScalar: v^x; f' = ln(v) v^x, f'' = ln(v)^2 v^x.
static inline sgdi_real r_pow_scalar_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                       sgdi_real *d2) {
    sgdi_real v = (sgdi_real)attr->alpha, y = sgdi_ew_pow(v, x), l = r_log(v);
    *d1 = l * y;
    *d2 = l * *d1;
    return y;
}

// RPowScalar's derivative needs ln v: v > 0.
static sgdi_status r_pow_check(const sgdi_op_attr *attr, char *msg, size_t msg_size) {
    if (!(attr->alpha > 0))
        return sgdi_op_reason(msg, msg_size, "RPowScalar: val %g must be > 0", attr->alpha);
    return SGDI_OK;
}

SGDI_ELEMENTWISE_OP(add_scalar, SGDI_OP_ADD_SCALAR, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(mul_scalar, SGDI_OP_MUL_SCALAR, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(pow_scalar, SGDI_OP_POW_SCALAR, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(r_sub_scalar, SGDI_OP_R_SUB_SCALAR, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(r_div_scalar, SGDI_OP_R_DIV_SCALAR, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(r_pow_scalar, SGDI_OP_R_POW_SCALAR, r_pow_check)
