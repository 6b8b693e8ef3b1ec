/*
 * smooth_activations.c — the activations Swish, SELU and SoftPlus (nnabla
 * semantics), elementwise on a batched x.
 *
 *     Swish     y = x s(x), s the logistic function
 *     SELU      y = scale x (x > 0), scale alpha (e^x - 1) (x <= 0)
 *               (attr->scale, attr->alpha; nnabla's defaults 1.05070098735548
 *               and 1.673263242354377 are the graph builder's to fill in)
 *     SoftPlus  y = log(1 + e^(beta x)) / beta (attr->beta > 0, nnabla's default 1)
 *
 * Each is its f, f', f'' at a point; the kernels are those of elementwise.h.
 */
#include "ops/elementwise.h"

// Swish: x s; f' = s + x s (1 - s), f'' = s (1 - s)(2 + x (1 - 2 s)).
static inline sgdi_real swish_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                sgdi_real *d2) {
    sgdi_real s = r_sigmoid(x), ds = s * (1 - s);
    *d1 = s + x * ds;
    *d2 = ds * (2 + x * (1 - 2 * s));
    return x * s;
}

// SELU: scale x or scale alpha (e^x - 1); f' = scale or scale alpha e^x,
// f'' = 0 or scale alpha e^x.
static inline sgdi_real selu_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                               sgdi_real *d2) {
    sgdi_real scale = (sgdi_real)attr->scale, alpha = (sgdi_real)attr->alpha;
    if (x > 0) {
        *d1 = scale;
        *d2 = 0;
        return scale * x;
    }
    sgdi_real e = scale * alpha * r_exp(x);
    *d1 = e;
    *d2 = e;
    return scale * alpha * r_expm1(x);
}

// SoftPlus: with t = beta x, (max(t, 0) + log1p(e^-|t|)) / beta, without overflow;
// f' = s(t), f'' = beta s(t)(1 - s(t)).
static inline sgdi_real softplus_f(sgdi_real x, const sgdi_op_attr *attr, sgdi_real *d1,
                                   sgdi_real *d2) {
    sgdi_real beta = (sgdi_real)attr->beta, t = beta * x, s = r_sigmoid(t);
    *d1 = s;
    *d2 = beta * s * (1 - s);
    return (r_max(t, 0) + r_log1p(r_exp(-r_fabs(t)))) / beta;
}

// A zero scale would silently give y = 0: it is an attribute left unset.
static sgdi_status selu_check(const sgdi_op_attr *attr, char *msg, size_t msg_size) {
    if (attr->scale == 0)
        return sgdi_op_reason(msg, msg_size, "SELU: scale is 0 (nnabla's default is %.15g)",
                              1.05070098735548);
    return SGDI_OK;
}

static sgdi_status softplus_check(const sgdi_op_attr *attr, char *msg, size_t msg_size) {
    if (!(attr->beta > 0))
        return sgdi_op_reason(msg, msg_size, "SoftPlus: beta %g must be > 0", attr->beta);
    return SGDI_OK;
}

SGDI_ELEMENTWISE_OP(swish, SGDI_OP_SWISH, sgdi_ew_no_check)
SGDI_ELEMENTWISE_OP(selu, SGDI_OP_SELU, selu_check)
SGDI_ELEMENTWISE_OP(softplus, SGDI_OP_SOFTPLUS, softplus_check)
