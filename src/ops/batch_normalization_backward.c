/*
 * batch_normalization_backward.c — BatchNormalization's backward, the tangent of its
 * backward, and both in one call (the formulas are in batch_normalization.c's header).
 */
#include "ops/batch_normalization_private.h"

// --- Kernels of the backward directions --------------------------------------------------
//
// Every channel sum the backward directions need is a combination of five plain sums of
// products of the inputs, and x_bar and x_bar' are affine in y_bar, y_bar', x and x' per
// channel (x_hat = r (x - mu) and x_hat' = r (x' - mu' - c1 x_hat) substituted):
//
//     S_yb = sum y_bar, S_ybx = sum y_bar x, S_ybt = sum y_bar', S_ybtx = sum y_bar' x,
//     S_ybxt = sum y_bar x'
//     x_bar  = a2 y_bar - w (c0 + c1x x)
//     x_bar' = a1 y_bar + a2 y_bar' - w (b0 + b1 x + b2 x')
//
// (bn_adjoint_coeffs). Per element that is a few products, where the formulas as written
// took x_hat, x_hat', g, g' and their products (in double), which made these passes
// bound by arithmetic (batch normalization was 12 % of a scoring step).

// The five sums of a channel (zero where an input is absent).
typedef struct bn_sums {
    double yb, ybx, ybt, ybtx, ybxt;
} bn_sums;

// What x_bar, x_bar' and the parameters' adjoints are made of, from a channel's sums.
typedef struct bn_adjoint {
    double a1, a2, b0, b1, b2, c0, c1x;
    double gamma_bar, beta_bar, gamma_bar_t, beta_bar_t;
} bn_adjoint;

static bn_adjoint bn_adjoint_coeffs(const bn_stats *s, const bn_sums *S, double gamma,
                                    double gamma_t, double mu_t, double c1) {
    const double r = s->rstd, mu = s->mean, inv_n = s->inv_n, r_t = -r * r * c1;
    double yb_xh = r * (S->ybx - mu * S->yb), ybt_xh = r * (S->ybtx - mu * S->ybt);
    double yb_xh_t = r * (S->ybxt - mu_t * S->yb) - r * c1 * yb_xh;
    // G0 = sum g, G1 = sum g x_hat and their tangents, g = gamma y_bar
    double g0 = gamma * S->yb, g1 = gamma * yb_xh;
    double g0_t = gamma_t * S->yb + gamma * S->ybt;
    double g1_t = gamma_t * yb_xh + gamma * ybt_xh + gamma * yb_xh_t;
    double k = r_t * g1 + r * g1_t - r * r * c1 * g1;
    bn_adjoint a = {.a1 = r_t * gamma + r * gamma_t,
                    .a2 = r * gamma,
                    .b0 = inv_n * (r_t * g0 + r * g0_t - r * r * g1 * mu_t - r * mu * k),
                    .b1 = inv_n * r * k,
                    .b2 = inv_n * r * r * g1,
                    .c0 = inv_n * r * (g0 - r * mu * g1),
                    .c1x = inv_n * r * r * g1,
                    .gamma_bar = yb_xh,
                    .beta_bar = S->yb,
                    .gamma_bar_t = ybt_xh + yb_xh_t,
                    .beta_bar_t = S->ybt};
    return a;
}

// x_bar of element i from the coefficients K (YB: y_bar through the ReLU) in the row of
// weight w: one expression for the backward and the backward with its tangent, which must
// give the same bytes
#define BN_X_BAR(K, YB) ((sgdi_real)((K).a2 * (YB)-w * ((K).c0 + (K).c1x * (double)x[i])))
// x_bar' of element i (YB, YBT: y_bar, y_bar' through the ReLU; XT: x' or 0)
#define BN_X_BAR_T(K, YB, YBT, XT)                                                                 \
    ((sgdi_real)((K).a1 * (YB) +                                                                   \
                 (K).a2 * (YBT)-w * ((K).b0 + (K).b1 * (double)x[i] + (K).b2 * (XT))))

static void bn_add_param_adjoints(const bn_call *b, int64_t c, const bn_adjoint *k, bool primal,
                                  bool tangent) {
    if (primal && b->beta && b->beta->adj) b->beta->adj[c] += (sgdi_real)k->beta_bar;
    if (primal && b->gamma && b->gamma->adj) b->gamma->adj[c] += (sgdi_real)k->gamma_bar;
    if (tangent && b->beta && b->beta->adj_tan) b->beta->adj_tan[c] += (sgdi_real)k->beta_bar_t;
    if (tangent && b->gamma && b->gamma->adj_tan) b->gamma->adj_tan[c] += (sgdi_real)k->gamma_bar_t;
}

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
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_saved_stats(call, &b, c, eps);
        double gamma = param_or(b.gamma, c, 1.0);
        double lanes[2][LANES] = {{0}};
#define BN_SUMS(OUT, THROUGH, unused)                                                              \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double ybv = (double)THROUGH(yb[i], i);                                                    \
        lanes[0][l] += ybv;                                                                        \
        lanes[1][l] += ybv * (double)x[i];                                                         \
    })
        BN_BOTH(b, BN_SUMS, RELU_Y, 0);
#undef BN_SUMS
        bn_sums S = {.yb = lanes_total(lanes[0]), .ybx = lanes_total(lanes[1])};
        const bn_adjoint k = bn_adjoint_coeffs(&s, &S, gamma, 0, 0, 0);
        bn_add_param_adjoints(&b, c, &k, true, false);
        if (!xb) continue;
#define BN_ADJOINT(OUT, THROUGH, unused)                                                           \
    BN_FOR_EACH_WEIGHTED(&b, c, w, i, {                                                            \
        sgdi_real v = BN_X_BAR(k, (double)THROUGH(yb[i], i));                                      \
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

// Channel c's statistics, the coefficients of its output (for the fused ReLU's kink) and
// what the tangent of the backward needs besides.
typedef struct bn_tangent_channel {
    bn_stats s;
    double mu_t, c1, gamma, gamma_t, q1, q0;
} bn_tangent_channel;

static bn_tangent_channel bn_tangent_channel_of(const sgdi_op_call *call, const bn_call *b,
                                                int64_t c) {
    bn_tangent_channel t = {.s = bn_saved_stats(call, b, c, call->attr->norm.eps)};
    bn_kept_tangent_moments(call, b, c, &t.s, &t.mu_t, &t.c1);
    t.gamma = param_or(b->gamma, c, 1.0), t.gamma_t = tan_or_zero(b->gamma, c);
    bn_out_coeffs(&t.s, t.gamma, param_or(b->beta, c, 0.0), &t.q1, &t.q0);
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
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        const bn_tangent_channel t = bn_tangent_channel_of(call, &b, c);
        double lanes[5][LANES] = {{0}};
// The five sums, with y_bar = YB, y_bar' = YBT, x' = XT (expressions of element i).
#define BN_TANGENT_SUMS(OUT, THROUGH, YB, YBT, XT)                                                 \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double ybv = (double)THROUGH(YB, i), ybt_v = (double)THROUGH(YBT, i);                      \
        double xv = (double)x[i];                                                                  \
        lanes[0][l] += ybv, lanes[1][l] += ybv * xv;                                               \
        lanes[2][l] += ybt_v, lanes[3][l] += ybt_v * xv;                                           \
        lanes[4][l] += ybv * (XT);                                                                 \
    })
        // All present (a scoring step): no tests per element, which kept gcc from
        // vectorising the loop.
        if (xt && yb && ybt)
            BN_BOTH(b, BN_TANGENT_SUMS, RELU_Y, yb[i], ybt[i], (double)xt[i]);
        else
            BN_BOTH(b, BN_TANGENT_SUMS, RELU_Y, yb ? yb[i] : 0, ybt ? ybt[i] : 0,
                    xt ? (double)xt[i] : 0.0);
#undef BN_TANGENT_SUMS
        bn_sums S = {lanes_total(lanes[0]), lanes_total(lanes[1]), lanes_total(lanes[2]),
                     lanes_total(lanes[3]), lanes_total(lanes[4])};
        const bn_adjoint k = bn_adjoint_coeffs(&t.s, &S, t.gamma, t.gamma_t, t.mu_t, t.c1);
        bn_add_param_adjoints(&b, c, &k, false, true);
        if (!xbt) continue;
#define BN_TANGENT_ADJOINT(OUT, THROUGH, YB, YBT, XT, STORE)                                       \
    BN_FOR_EACH_WEIGHTED(&b, c, w, i, {                                                            \
        sgdi_real v = BN_X_BAR_T(k, (double)THROUGH(YB, i), (double)THROUGH(YBT, i), XT);          \
        STORE;                                                                                     \
    })
        // As for the sums: all present and fresh (a scoring step) without tests per
        // element, which kept this loop scalar.
        if (xt && yb && ybt && fresh) {
            BN_BOTH(b, BN_TANGENT_ADJOINT, RELU_Y, yb[i], ybt[i], (double)xt[i], xbt[i] = v);
        } else {
            BN_BOTH(b, BN_TANGENT_ADJOINT, RELU_Y, yb ? yb[i] : 0, ybt ? ybt[i] : 0,
                    xt ? (double)xt[i] : 0.0, xbt[i] = fresh ? v : xbt[i] + v);
        }
#undef BN_TANGENT_ADJOINT
    }
}

// backward, then tangent_backward, as a scoring step calls them (every tangent given,
// both adjoints wanted and fresh): one pass for the five channel sums and one writing
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
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        const bn_tangent_channel t = bn_tangent_channel_of(call, &b, c);
        const double q1 = t.q1, q0 = t.q0; // RELU_X's kink
        double lanes[5][LANES] = {{0}};
#define BN_BOTH_SUMS(OUT, THROUGH, unused)                                                         \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double ybv = (double)THROUGH(yb[i], i), ybt_v = (double)THROUGH(ybt[i], i);                \
        double xv = (double)x[i];                                                                  \
        lanes[0][l] += ybv, lanes[1][l] += ybv * xv;                                               \
        lanes[2][l] += ybt_v, lanes[3][l] += ybt_v * xv;                                           \
        lanes[4][l] += ybv * (double)xt[i];                                                        \
    })
        BN_BOTH(b, BN_BOTH_SUMS, RELU_X, 0);
#undef BN_BOTH_SUMS
        bn_sums S = {lanes_total(lanes[0]), lanes_total(lanes[1]), lanes_total(lanes[2]),
                     lanes_total(lanes[3]), lanes_total(lanes[4])};
        // bn_backward's coefficients from its two sums, the tangent's from all five, as
        // the two calls form them
        bn_sums S_primal = {.yb = S.yb, .ybx = S.ybx};
        const bn_adjoint kp = bn_adjoint_coeffs(&t.s, &S_primal, t.gamma, 0, 0, 0);
        const bn_adjoint k = bn_adjoint_coeffs(&t.s, &S, t.gamma, t.gamma_t, t.mu_t, t.c1);
        bn_add_param_adjoints(&b, c, &kp, true, false);
        bn_add_param_adjoints(&b, c, &k, false, true);
#define BN_BOTH_ADJOINTS(OUT, THROUGH, unused)                                                     \
    BN_FOR_EACH_WEIGHTED(&b, c, w, i, {                                                            \
        double ybv = (double)THROUGH(yb[i], i), ybt_v = (double)THROUGH(ybt[i], i);                \
        xb[i] = BN_X_BAR(kp, ybv);                                                                 \
        xbt[i] = BN_X_BAR_T(k, ybv, ybt_v, (double)xt[i]);                                         \
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
