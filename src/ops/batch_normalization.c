/*
 * batch_normalization.c — BatchNormalization (nnabla).
 *
 * Ports: in[0] x (batched), then the parameters beta (absent when no_bias), gamma
 * (absent when no_scale), mean, variance, each of C = x.dim[axis] elements in any
 * shape ((1, C, 1, 1) in nnabla files); out[0] y, x's shape. An element of x is
 * (b, o, c, i): sample b, outer index o, channel c, inner index i.
 *
 * Per channel, with x_hat = (x - mu) r and r = 1 / sqrt(var + eps):
 *
 *     y = gamma x_hat + beta
 *
 * Training (batch_stat && ctx->training): mu and var are the statistics of the batch,
 * every sample b counted with its weight w_b (ctx->weights; NULL = all 1), over
 * N = (sum_b w_b) S elements, S = outer * inner:
 *
 *     mu = <x>,  var = <(x - mu)^2>  (biased),  <f> = (1/N) sum_b w_b sum_(o,i) f
 *
 * so a sample of weight 0 changes nobody's normalisation (its own output is still
 * normalised with the others' statistics). With N = 0 nothing counts: y = beta.
 * Evaluation: mu and var are the running statistics (inputs), constants here: they
 * get no adjoint and their tangents are ignored.
 *
 * Both modes are one set of formulas with inv_n = 1/N in training and inv_n = 0 in
 * evaluation (and for N = 0, where r = 0 too). With g = gamma y_bar and the plain
 * (unweighted) channel sums G0 = sum g, G1 = sum g x_hat:
 *
 *     tangent   x_hat' = r (x' - mu' - x_hat c1),  mu' = <x'>, c1 = <x_hat x'>
 *               y' = gamma x_hat' + gamma' x_hat + beta'
 *     backward  x_bar += r (g - w_b inv_n (G0 + x_hat G1)),
 *               gamma_bar += sum y_bar x_hat,  beta_bar += sum y_bar
 *     tangent of the backward, with r' = -r^2 c1, g' = gamma' y_bar + gamma y_bar',
 *     G0' = sum g', G1' = sum (g' x_hat + g x_hat'):
 *               x_bar' += r' (g - w_b inv_n (G0 + x_hat G1))
 *                       + r (g' - w_b inv_n (G0' + x_hat' G1 + x_hat G1'))
 *               gamma_bar' += sum (y_bar' x_hat + y_bar x_hat'),  beta_bar' += sum y_bar'
 *
 * update_state (after a training forward of the same call), as nnabla:
 * mean <- decay mean + (1 - decay) mu, var <- decay var + (1 - decay) var_b N / (N - 1),
 * the unbiased batch variance (the factor is dropped when N <= 1; with N = 0 the state
 * stays). Statistics and channel sums are accumulated in double, in a fixed order;
 * channels are independent, so large calls split them over threads. Given call->saved,
 * the forward keeps each channel's statistics there (and the tangent forward mu', c1),
 * and the later directions of the pass read them back; without it they recompute them,
 * the same numbers.
 *
 * The backward directions are in batch_normalization_backward.c; what both files share
 * in batch_normalization_private.h.
 */
#include "ops/batch_normalization_private.h"

// The first counted value of channel c (0 if none counts).
static double bn_shift(const bn_call *b, int64_t c) {
    for (int64_t row = 0; row < b->batch * b->outer; row++)
        if (bn_weight(b, row / b->outer) != 0)
            return (double)b->x->val[(row * b->channels + c) * b->inner];
    return 0;
}

// mu' = <x'> and c1 = <x_hat x'> = r (<(x - shift) x'> - dmean mu') from the tangent's two
// sums (zero when nothing couples the samples).
static void bn_moments_from(const bn_stats *s, double sum_t, double sum_dt, double *mu_t,
                            double *c1) {
    *mu_t = sum_t * s->inv_n;
    *c1 = s->rstd * (sum_dt * s->inv_n - s->dmean * *mu_t);
}

// Channel c's statistics, and with `tangent` (x' given) mu' and c1 from the same pass.
SGDI_WIDE_VECTORS
bn_stats sgdi_bn_channel_stats(const bn_call *b, int64_t c, double eps, bool tangent, double *mu_t,
                               double *c1) {
    bn_stats s = {0};
    if (tangent) *mu_t = *c1 = 0;
    if (!b->batch_stats) {
        s.mean = (double)b->mean->val[c];
        s.var = (double)b->var->val[c];
        s.rstd = 1.0 / sqrt(s.var + eps);
        return s;
    }
    double w_sum = 0;
    for (int64_t k = 0; k < b->batch; k++) w_sum += bn_weight(b, k);
    s.count = w_sum * (double)(b->outer * b->inner);
    if (!(s.count > 0)) return s; // nothing counts: x_hat = 0, y = beta
    const sgdi_real *x = b->x->val, *xt = b->x->tan;
    s.shift = bn_shift(b, c);
    double d1[LANES] = {0}, d2[LANES] = {0}, t1[LANES] = {0}, t2[LANES] = {0};
    if (tangent && xt) {
        BN_FOR_EACH_COUNTED_LANE(b, c, w, i, l, {
            double d = (double)x[i] - s.shift, t = (double)xt[i];
            d1[l] += w * d, d2[l] += w * d * d;
            t1[l] += w * t, t2[l] += w * d * t;
        })
    } else {
        BN_FOR_EACH_COUNTED_LANE(b, c, w, i, l, {
            double d = (double)x[i] - s.shift;
            d1[l] += w * d, d2[l] += w * d * d;
        })
    }
    s.inv_n = 1.0 / s.count;
    s.dmean = lanes_total(d1) * s.inv_n;
    s.mean = s.shift + s.dmean;
    s.var = lanes_total(d2) * s.inv_n - s.dmean * s.dmean;
    if (s.var < 0) s.var = 0; // rounding, when every value is (nearly) the same
    s.rstd = 1.0 / sqrt(s.var + eps);
    if (tangent && xt) bn_moments_from(&s, lanes_total(t1), lanes_total(t2), mu_t, c1);
    return s;
}

// mu' and c1 of channel c (zero without x' or coupling): the tangent's sums of
// bn_channel_stats, alone.
SGDI_WIDE_VECTORS
void sgdi_bn_tangent_moments(const bn_call *b, int64_t c, const bn_stats *s, double *mu_t,
                             double *c1) {
    *mu_t = *c1 = 0;
    const sgdi_real *x = b->x->val, *xt = b->x->tan;
    if (!xt || s->inv_n == 0) return;
    double t1[LANES] = {0}, t2[LANES] = {0};
    BN_FOR_EACH_COUNTED_LANE(b, c, w, i, l, {
        double d = (double)x[i] - s->shift, t = (double)xt[i];
        t1[l] += w * t, t2[l] += w * d * t;
    })
    bn_moments_from(s, lanes_total(t1), lanes_total(t2), mu_t, c1);
}

int64_t sgdi_batch_normalization_saved_len(const sgdi_op_attr *attr, const sgdi_shape *in,
                                           int n_in) {
    (void)n_in;
    int64_t outer, channels, inner;
    sgdi_shape_split(&in[0], attr->norm.axis, &outer, &channels, &inner);
    return BN_SAVED * channels;
}

// --- Shapes ------------------------------------------------------------------------------

// x (..., C, ...) with C at `axis`; beta, gamma, mean, variance parameters of C elements
// -> y, x's shape.
sgdi_status sgdi_batch_normalization_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                 const bool *in_batched, int n_in, sgdi_shape *out,
                                                 int n_out, char *msg, size_t msg_size) {
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_BATCH_NORMALIZATION, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const sgdi_norm_attr *a = &attr->norm;
    int expected = 3 + !a->no_bias + !a->no_scale;
    if (n_in != expected)
        return sgdi_op_reason(msg, msg_size,
                              "BatchNormalization: %d inputs, expected %d with no_bias %s and "
                              "no_scale %s",
                              n_in, expected, a->no_bias ? "true" : "false",
                              a->no_scale ? "true" : "false");
    if (!in_batched[0])
        return sgdi_op_reason(msg, msg_size, "BatchNormalization: input x must be batched");
    if (a->axis < 0 || a->axis >= in[0].ndim)
        return sgdi_op_reason(msg, msg_size, "BatchNormalization: axis %d outside [0, %d)", a->axis,
                              in[0].ndim);
    if (!(a->eps > 0) || !(a->decay_rate >= 0 && a->decay_rate <= 1))
        return sgdi_op_reason(msg, msg_size,
                              "BatchNormalization: eps %g must be > 0 and decay_rate %g in [0, 1]",
                              a->eps, a->decay_rate);
    const char *names[4];
    int n_names = 0;
    if (!a->no_bias) names[n_names++] = "beta";
    if (!a->no_scale) names[n_names++] = "gamma";
    names[n_names++] = "mean";
    names[n_names++] = "variance";
    int64_t channels = in[0].dim[a->axis];
    for (int k = 1; k < n_in; k++) {
        const char *name = names[k - 1];
        if (in_batched[k])
            return sgdi_op_reason(msg, msg_size, "BatchNormalization: %s must be a parameter",
                                  name);
        if (sgdi_shape_count(&in[k]) != channels)
            return sgdi_op_reason(msg, msg_size,
                                  "BatchNormalization: %s has %lld elements, x has %lld channels",
                                  name, (long long)sgdi_shape_count(&in[k]), (long long)channels);
    }
    out[0] = in[0];
    return SGDI_OK;
}

// --- Kernels -----------------------------------------------------------------------------

// y' before the fused ReLU, gamma x_hat' + gamma' x_hat + beta', is affine in x and x' per
// channel too: with x_hat' = r (x' - mu') - r c1 x_hat and x_hat = r (x - mu),
// y' = p2 x' + p1 x + p0. Without x' (mu' = c1 = 0) y' = p1 x + p0.
typedef struct bn_tangent_out {
    double p0, p1, p2;
} bn_tangent_out;

static bn_tangent_out tangent_out_coeffs(const bn_stats *s, double gamma, double gamma_t,
                                         double beta_t, double mu_t, double c1) {
    bn_tangent_out t = {.p2 = gamma * s->rstd, .p1 = (gamma_t - gamma * s->rstd * c1) * s->rstd};
    t.p0 = beta_t - t.p2 * mu_t - t.p1 * s->mean;
    return t;
}

// y' of element i before the fused ReLU (XT: x' of element i, or 0), as a float: one
// expression for the tangent forward and the forward with its tangent, which must give
// the same bytes.
#define BN_TANGENT_ELEMENT(XT) ((sgdi_real)(to.p2 * (XT) + to.p1 * (double)x[i] + to.p0))

// y[B, O, C, I] = gamma[C] x_hat + beta[C]
SGDI_WIDE_VECTORS
static void bn_forward(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    double eps = call->attr->norm.eps;
    const sgdi_real *x = b.x->val;
    sgdi_real *y = call->out[0].val;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = sgdi_bn_channel_stats(&b, c, eps, false, NULL, NULL);
        bn_save_stats(call, c, &s);
        double q1, q0;
        bn_out_coeffs(&s, param_or(b.gamma, c, 1.0), param_or(b.beta, c, 0.0), &q1, &q0);
#define BN_FORWARD(OUT, THROUGH, unused)                                                           \
    BN_FOR_EACH(&b, c, row, i, {                                                                   \
        sgdi_real v = BN_OUT(x[i]);                                                                \
        y[i] = OUT(v);                                                                             \
    })
        BN_BOTH(b, BN_FORWARD, RELU_Y, 0);
#undef BN_FORWARD
    }
}

// y' = gamma x_hat' + gamma' x_hat + beta'
SGDI_WIDE_VECTORS
static void bn_tangent_forward(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    const sgdi_real *y = call->out[0].val; // the fused ReLU's output: its kink
    double eps = call->attr->norm.eps;
    const sgdi_real *x = b.x->val, *xt = b.x->tan;
    sgdi_real *yt = call->out[0].tan;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_saved_stats(call, &b, c, eps);
        double mu_t, c1;
        sgdi_bn_tangent_moments(&b, c, &s, &mu_t, &c1);
        if (call->saved) call->saved[BN_SAVED * c + SAVED_MU_T] = mu_t;
        if (call->saved) call->saved[BN_SAVED * c + SAVED_C1] = c1;
        const bn_tangent_out to =
            tangent_out_coeffs(&s, param_or(b.gamma, c, 1.0), tan_or_zero(b.gamma, c),
                               tan_or_zero(b.beta, c), mu_t, c1);
#define BN_TANGENT(OUT, THROUGH, XT)                                                               \
    BN_FOR_EACH(&b, c, row, i, {                                                                   \
        sgdi_real v = BN_TANGENT_ELEMENT(XT);                                                      \
        yt[i] = THROUGH(v, i);                                                                     \
    })
        if (xt)
            BN_BOTH(b, BN_TANGENT, RELU_Y, (double)xt[i]);
        else
            BN_BOTH(b, BN_TANGENT, RELU_Y, 0.0);
#undef BN_TANGENT
    }
}

// forward, then tangent_forward, with the same results: one pass for the statistics and
// the tangent's moments, one writing y and y' (five passes over x and two over x' before).
SGDI_WIDE_VECTORS
static void bn_forward_with_tangent(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    double eps = call->attr->norm.eps;
    const sgdi_real *x = b.x->val, *xt = b.x->tan;
    sgdi_real *y = call->out[0].val, *yt = call->out[0].tan;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        double mu_t, c1;
        bn_stats s = sgdi_bn_channel_stats(&b, c, eps, true, &mu_t, &c1);
        bn_save_stats(call, c, &s);
        if (call->saved) call->saved[BN_SAVED * c + SAVED_MU_T] = mu_t;
        if (call->saved) call->saved[BN_SAVED * c + SAVED_C1] = c1;
        double gamma = param_or(b.gamma, c, 1.0), q1, q0;
        bn_out_coeffs(&s, gamma, param_or(b.beta, c, 0.0), &q1, &q0);
        const bn_tangent_out to = tangent_out_coeffs(&s, gamma, tan_or_zero(b.gamma, c),
                                                     tan_or_zero(b.beta, c), mu_t, c1);
#define BN_BOTH_OUTPUTS(OUT, THROUGH, XT)                                                          \
    BN_FOR_EACH(&b, c, row, i, {                                                                   \
        sgdi_real v = BN_OUT(x[i]);                                                                \
        y[i] = OUT(v);                                                                             \
        sgdi_real vt = BN_TANGENT_ELEMENT(XT);                                                     \
        yt[i] = THROUGH(vt, i);                                                                    \
    })
        if (xt)
            BN_BOTH(b, BN_BOTH_OUTPUTS, RELU_X, (double)xt[i]);
        else
            BN_BOTH(b, BN_BOTH_OUTPUTS, RELU_X, 0.0);
#undef BN_BOTH_OUTPUTS
    }
}

// mean[C] <- decay mean + (1 - decay) mu, variance[C] <- decay var + (1 - decay) var_b N/(N-1)
void sgdi_batch_normalization_update_state(const sgdi_op_call *call) {
    bn_call b = bn_bind(call, false);
    if (!b.batch_stats) return;
    double decay = call->attr->norm.decay_rate, eps = call->attr->norm.eps;
    double w_sum = 0;
    for (int64_t k = 0; k < b.batch; k++) w_sum += bn_weight(&b, k);
    if (!(w_sum > 0)) return; // an empty batch: keep the state
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_saved_stats(call, &b, c, eps);
        double unbiased = s.count > 1 ? s.var * s.count / (s.count - 1) : s.var;
        b.mean->val[c] = (sgdi_real)(decay * (double)b.mean->val[c] + (1 - decay) * s.mean);
        b.var->val[c] = (sgdi_real)(decay * (double)b.var->val[c] + (1 - decay) * unbiased);
    }
}

// --- The entry points of the forward directions (the backward's are in
// batch_normalization_backward.c): BatchNormalization, and fused with the ReLU after it

// clang-format off
void sgdi_batch_normalization_forward(const sgdi_op_call *call) { bn_forward(call, false); }
void sgdi_batch_normalization_tangent_forward(const sgdi_op_call *call) {
    bn_tangent_forward(call, false);
}
void sgdi_batch_normalization_forward_with_tangent(const sgdi_op_call *call) {
    bn_forward_with_tangent(call, false);
}

sgdi_status sgdi_batch_normalization_relu_infer_shape(const sgdi_op_attr *attr,
                                                      const sgdi_shape *in, const bool *in_batched,
                                                      int n_in, sgdi_shape *out, int n_out,
                                                      char *msg, size_t msg_size) {
    return sgdi_batch_normalization_infer_shape(attr, in, in_batched, n_in, out, n_out, msg,
                                                msg_size);
}
void sgdi_batch_normalization_relu_forward(const sgdi_op_call *call) { bn_forward(call, true); }
void sgdi_batch_normalization_relu_tangent_forward(const sgdi_op_call *call) {
    bn_tangent_forward(call, true);
}
void sgdi_batch_normalization_relu_forward_with_tangent(const sgdi_op_call *call) {
    bn_forward_with_tangent(call, true);
}
// clang-format on
