/*
 * batch_normalization_backward.c — BatchNormalization's backward, the tangent of its
 * backward, and both in one call (the formulas are in batch_normalization.c's header).
 */
#include "ops/batch_normalization_private.h"

// --- Kernels of the backward directions --------------------------------------------------

// x_bar += r (g - w inv_n (G0 + x_hat G1)), gamma_bar += sum y_bar x_hat,
// beta_bar += sum y_bar; nothing into mean, variance.
SGDI_WIDE_VECTORS
static void bn_backward(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    const sgdi_real *y = call->out[0].val; // the fused ReLU's output: its kink
    const sgdi_real *yb = call->out[0].adj, *x = b.x->val;
    if (!yb) {
        sgdi_clear_if_fresh(call, b.x, b.x->adj);
        return;
    }
    bool fresh = b.x->adj_fresh; // assign x_bar (see sgdi_port)
    double eps = call->attr->norm.eps;
    sgdi_real *xb = b.x->adj;
    sgdi_real *gamma_b = b.gamma ? b.gamma->adj : NULL, *beta_b = b.beta ? b.beta->adj : NULL;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_saved_stats(call, &b, c, eps);
        double gamma = param_or(b.gamma, c, 1.0);
        double yb_lanes[LANES] = {0}, yb_xh_lanes[LANES] = {0};
#define BN_SUMS(OUT, THROUGH, unused)                                                              \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double ybv = (double)THROUGH(yb[i], i);                                                    \
        yb_lanes[l] += ybv;                                                                        \
        yb_xh_lanes[l] += ybv * (((double)x[i] - s.mean) * s.rstd);                                \
    })
        BN_BOTH(b, BN_SUMS, RELU_Y, 0);
#undef BN_SUMS
        double sum_yb = lanes_total(yb_lanes), sum_yb_xh = lanes_total(yb_xh_lanes);
        if (beta_b) beta_b[c] += (sgdi_real)sum_yb;
        if (gamma_b) gamma_b[c] += (sgdi_real)sum_yb_xh;
        if (!xb) continue;
        double g0 = gamma * sum_yb, g1 = gamma * sum_yb_xh;
#define BN_ADJOINT(OUT, THROUGH, unused)                                                           \
    BN_FOR_EACH_WEIGHTED(&b, c, w, i, {                                                            \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        double ybv = (double)THROUGH(yb[i], i);                                                    \
        sgdi_real v = (sgdi_real)(s.rstd * (gamma * ybv - w * s.inv_n * (g0 + xh * g1)));          \
        xb[i] = fresh ? v : xb[i] + v;                                                             \
    })
        BN_BOTH(b, BN_ADJOINT, RELU_Y, 0);
#undef BN_ADJOINT
    }
}

// mu' and c1 of channel c as the tangent forward computed them: kept in the node's saved
// memory, or recomputed when the op is called alone (zero without x' or batch statistics)
static void bn_kept_tangent_moments(const sgdi_op_call *call, const bn_call *b, int64_t c,
                                    const bn_stats *s, double *mu_t, double *c1) {
    *mu_t = *c1 = 0;
    if (!call->saved)
        sgdi_bn_tangent_moments(b, c, s, mu_t, c1);
    else if (b->x->tan && s->inv_n != 0)
        *mu_t = call->saved[BN_SAVED * c + SAVED_MU_T], *c1 = call->saved[BN_SAVED * c + SAVED_C1];
}

// Channel c's statistics and what the tangent of the backward needs besides.
typedef struct bn_tangent_channel {
    bn_stats s;
    double mu_t, c1, gamma, gamma_t, beta, rstd_t; // rstd_t = r' = -r^2 c1
} bn_tangent_channel;

static bn_tangent_channel bn_tangent_channel_of(const sgdi_op_call *call, const bn_call *b,
                                                int64_t c) {
    bn_tangent_channel t = {.s = bn_saved_stats(call, b, c, call->attr->norm.eps)};
    bn_kept_tangent_moments(call, b, c, &t.s, &t.mu_t, &t.c1);
    t.gamma = param_or(b->gamma, c, 1.0), t.gamma_t = tan_or_zero(b->gamma, c);
    t.beta = param_or(b->beta, c, 0.0), t.rstd_t = -t.s.rstd * t.s.rstd * t.c1;
    return t;
}

// The tangent of the backward (see the header); nothing into mean, variance.
SGDI_WIDE_VECTORS
static void bn_tangent_backward(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    const sgdi_real *y = call->out[0].val; // the fused ReLU's output: its kink
    const sgdi_real *yb = call->out[0].adj, *ybt = call->out[0].adj_tan;
    const sgdi_real *x = b.x->val, *xt = b.x->tan;
    sgdi_real *xbt = b.x->adj_tan;
    bool fresh = b.x->adj_fresh; // assign x_bar' (see sgdi_port)
    sgdi_real *gamma_bt = b.gamma ? b.gamma->adj_tan : NULL;
    sgdi_real *beta_bt = b.beta ? b.beta->adj_tan : NULL;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        const bn_tangent_channel t = bn_tangent_channel_of(call, &b, c);
        const bn_stats s = t.s;
        const double mu_t = t.mu_t, c1 = t.c1, gamma = t.gamma, gamma_t = t.gamma_t;
        const double rstd_t = t.rstd_t;
        // g = gamma y_bar, g' = gamma' y_bar + gamma y_bar'
        double lanes[6][LANES] = {{0}}; // g0, g1, g0', g1', sum y_bar', gamma_bar'
// The sums with x_hat' = XH_T, y_bar = YB, y_bar' = YBT (expressions of element i).
#define BN_TANGENT_SUMS(OUT, THROUGH, XH_T, YB, YBT)                                               \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        double xh_t = XH_T, ybv = (double)THROUGH(YB, i), ybt_v = (double)THROUGH(YBT, i);         \
        double g = gamma * ybv, g_t = gamma_t * ybv + gamma * ybt_v;                               \
        lanes[0][l] += g, lanes[1][l] += g * xh;                                                   \
        lanes[2][l] += g_t, lanes[3][l] += g_t * xh + g * xh_t;                                    \
        lanes[4][l] += ybt_v;                                                                      \
        lanes[5][l] += ybt_v * xh + ybv * xh_t;                                                    \
    })
        // All present (a scoring step): no tests per element, which kept gcc from
        // vectorising the loop.
        if (xt && yb && ybt) {
            BN_BOTH(b, BN_TANGENT_SUMS, RELU_Y, s.rstd * ((double)xt[i] - mu_t - xh * c1), yb[i],
                    ybt[i]);
        } else {
            BN_BOTH(b, BN_TANGENT_SUMS, RELU_Y,
                    xt ? s.rstd * ((double)xt[i] - mu_t - xh * c1) : 0.0, yb ? yb[i] : 0,
                    ybt ? ybt[i] : 0);
        }
#undef BN_TANGENT_SUMS
        double g0 = lanes_total(lanes[0]), g1 = lanes_total(lanes[1]);
        double g0_t = lanes_total(lanes[2]), g1_t = lanes_total(lanes[3]);
        double sum_ybt = lanes_total(lanes[4]), gamma_sum = lanes_total(lanes[5]);
        if (beta_bt) beta_bt[c] += (sgdi_real)sum_ybt;
        if (gamma_bt) gamma_bt[c] += (sgdi_real)gamma_sum;
        if (!xbt) continue;
// x_bar' of element i, with x_hat' = XH_T, y_bar = YB, y_bar' = YBT, stored by STORE(v)
#define BN_TANGENT_ADJOINT(OUT, THROUGH, XH_T, YB, YBT, STORE)                                     \
    BN_FOR_EACH_WEIGHTED(&b, c, w, i, {                                                            \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        double xh_t = XH_T, ybv = (double)THROUGH(YB, i), ybt_v = (double)THROUGH(YBT, i);         \
        double g = gamma * ybv, g_t = gamma_t * ybv + gamma * ybt_v;                               \
        double wn = w * s.inv_n;                                                                   \
        double v = rstd_t * (g - wn * (g0 + xh * g1)) +                                            \
                   s.rstd * (g_t - wn * (g0_t + xh_t * g1 + xh * g1_t));                           \
        STORE;                                                                                     \
    })
        // As for the sums: all present and fresh (a scoring step) without tests per
        // element, which kept this loop scalar.
        if (xt && yb && ybt && fresh) {
            BN_BOTH(b, BN_TANGENT_ADJOINT, RELU_Y, s.rstd * ((double)xt[i] - mu_t - xh * c1), yb[i],
                    ybt[i], xbt[i] = (sgdi_real)v);
        } else {
            BN_BOTH(b, BN_TANGENT_ADJOINT, RELU_Y,
                    xt ? s.rstd * ((double)xt[i] - mu_t - xh * c1) : 0.0, yb ? yb[i] : 0,
                    ybt ? ybt[i] : 0, xbt[i] = fresh ? (sgdi_real)v : xbt[i] + (sgdi_real)v);
        }
#undef BN_TANGENT_ADJOINT
    }
}

// backward, then tangent_backward, as a scoring step calls them (every tangent given,
// both adjoints wanted and fresh): one pass for all eight channel sums and one writing
// x_bar and x_bar', instead of two passes each, which read x and y_bar twice more. The
// same expressions in the same order: the same bytes. Anything else takes the two calls.
SGDI_WIDE_VECTORS
static void bn_backward_with_tangent(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    const sgdi_real *yb = call->out[0].adj, *ybt = call->out[0].adj_tan;
    const sgdi_real *x = b.x->val, *xt = b.x->tan;
    sgdi_real *xb = b.x->adj, *xbt = b.x->adj_tan;
    if (!yb || !ybt || !xt || !xb || !xbt || !b.x->adj_fresh) {
        bn_backward(call, relu);
        bn_tangent_backward(call, relu);
        return;
    }
    sgdi_real *gamma_b = b.gamma ? b.gamma->adj : NULL, *beta_b = b.beta ? b.beta->adj : NULL;
    sgdi_real *gamma_bt = b.gamma ? b.gamma->adj_tan : NULL;
    sgdi_real *beta_bt = b.beta ? b.beta->adj_tan : NULL;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        const bn_tangent_channel t = bn_tangent_channel_of(call, &b, c);
        const bn_stats s = t.s;
        const double mu_t = t.mu_t, c1 = t.c1, gamma = t.gamma, gamma_t = t.gamma_t;
        const double beta = t.beta, rstd_t = t.rstd_t;
        // backward's sum y_bar, sum y_bar x_hat; the tangent's g0, g1, g0', g1',
        // sum y_bar', gamma_bar'
        double lanes[8][LANES] = {{0}};
#define BN_BOTH_SUMS(OUT, THROUGH, unused)                                                         \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double ybv = (double)THROUGH(yb[i], i), ybt_v = (double)THROUGH(ybt[i], i);                \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        lanes[0][l] += ybv;                                                                        \
        lanes[1][l] += ybv * xh; /* x_hat once, the backward's sum as bn_backward forms it */      \
        double xh_t = s.rstd * ((double)xt[i] - mu_t - xh * c1);                                   \
        double g = gamma * ybv, g_t = gamma_t * ybv + gamma * ybt_v;                               \
        lanes[2][l] += g, lanes[3][l] += g * xh;                                                   \
        lanes[4][l] += g_t, lanes[5][l] += g_t * xh + g * xh_t;                                    \
        lanes[6][l] += ybt_v;                                                                      \
        lanes[7][l] += ybt_v * xh + ybv * xh_t;                                                    \
    })
        BN_BOTH(b, BN_BOTH_SUMS, RELU_X, 0);
#undef BN_BOTH_SUMS
        double sum_yb = lanes_total(lanes[0]), sum_yb_xh = lanes_total(lanes[1]);
        double g0 = lanes_total(lanes[2]), g1 = lanes_total(lanes[3]);
        double g0_t = lanes_total(lanes[4]), g1_t = lanes_total(lanes[5]);
        double sum_ybt = lanes_total(lanes[6]), gamma_sum = lanes_total(lanes[7]);
        if (beta_b) beta_b[c] += (sgdi_real)sum_yb;
        if (gamma_b) gamma_b[c] += (sgdi_real)sum_yb_xh;
        if (beta_bt) beta_bt[c] += (sgdi_real)sum_ybt;
        if (gamma_bt) gamma_bt[c] += (sgdi_real)gamma_sum;
        double g0_b = gamma * sum_yb, g1_b = gamma * sum_yb_xh;
#define BN_BOTH_ADJOINTS(OUT, THROUGH, unused)                                                     \
    BN_FOR_EACH_WEIGHTED(&b, c, w, i, {                                                            \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        double ybv = (double)THROUGH(yb[i], i), ybt_v = (double)THROUGH(ybt[i], i);                \
        xb[i] = (sgdi_real)(s.rstd * (gamma * ybv - w * s.inv_n * (g0_b + xh * g1_b)));            \
        double xh_t = s.rstd * ((double)xt[i] - mu_t - xh * c1);                                   \
        double g = gamma * ybv, g_t = gamma_t * ybv + gamma * ybt_v;                               \
        double wn = w * s.inv_n;                                                                   \
        double v = rstd_t * (g - wn * (g0 + xh * g1)) +                                            \
                   s.rstd * (g_t - wn * (g0_t + xh_t * g1 + xh * g1_t));                           \
        xbt[i] = (sgdi_real)v;                                                                     \
    })
        BN_BOTH(b, BN_BOTH_ADJOINTS, RELU_X, 0);
#undef BN_BOTH_ADJOINTS
    }
}

// --- The entry points of the backward directions ---------------------------------------

// clang-format off
void sgdi_batch_normalization_backward(const sgdi_op_call *call) { bn_backward(call, false); }
void sgdi_batch_normalization_tangent_backward(const sgdi_op_call *call) {
    bn_tangent_backward(call, false);
}
void sgdi_batch_normalization_backward_with_tangent(const sgdi_op_call *call) {
    bn_backward_with_tangent(call, false);
}
void sgdi_batch_normalization_relu_backward(const sgdi_op_call *call) { bn_backward(call, true); }
void sgdi_batch_normalization_relu_tangent_backward(const sgdi_op_call *call) {
    bn_tangent_backward(call, true);
}
void sgdi_batch_normalization_relu_backward_with_tangent(const sgdi_op_call *call) {
    bn_backward_with_tangent(call, true);
}
// clang-format on
