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
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

enum { BN_PARALLEL_MIN = 1 << 15 }; // elements below which threads cost more than they save

// The ports of one call (beta, gamma NULL when absent) and x's layout.
typedef struct bn_call {
    const sgdi_port *x, *beta, *gamma, *mean, *var;
    int64_t batch, outer, channels, inner;
    const float *weights; // NULL = all 1
    bool batch_stats;     // training with batch statistics
    bool relu;            // fused with the ReLU of its output (SGDI_OP_BATCH_NORMALIZATION_RELU)
} bn_call;

static bn_call bn_bind(const sgdi_op_call *call, bool relu) {
    const sgdi_norm_attr *a = &call->attr->norm;
    bn_call b = {.x = &call->in[0], .batch = call->batch, .relu = relu};
    int k = 1;
    b.beta = a->no_bias ? NULL : &call->in[k++];
    b.gamma = a->no_scale ? NULL : &call->in[k++];
    b.mean = &call->in[k++];
    b.var = &call->in[k];
    sgdi_shape_split(&b.x->shape, a->axis, &b.outer, &b.channels, &b.inner);
    b.batch_stats = a->batch_stat && call->ctx && call->ctx->training;
    b.weights = b.batch_stats ? call->ctx->weights : NULL;
    return b;
}

static inline double bn_weight(const bn_call *b, int64_t sample) {
    return b->weights ? (double)b->weights[sample] : 1.0;
}

// The fused ReLU: BatchNormalization's float output v of element i, recomputed where the
// backward needs it (the same expression as the forward's, so the same float), decides
// the kink; ReLU's derivative is 1 above it and 0 elsewhere, applied as a float product,
// as ReLU itself does, so that the fused pair gives the unfused pair's bytes.
#define BN_OUT(x_i) ((sgdi_real)(gamma * ((double)(x_i)-s.mean) * s.rstd + beta))
static inline sgdi_real bn_relu_d1(sgdi_real v) {
    return (sgdi_real)(v > 0); // 1 or 0 (as a select, gcc left the loops scalar)
}
// The output v of element i (PLAIN_OUT) and a tangent or adjoint a of it (PLAIN), and the
// same through the fused ReLU (RELU_OUT; RELU_Y, its kink read from the output y, or
// RELU_X, recomputed from x: reading y left the scoring step's backward scalar). Each
// kernel's loops are written once as a macro of these and instantiated for both (BN_BOTH),
// `relu` tested once per call: a test per element kept gcc from vectorising them.
#define PLAIN_OUT(v) (v)
#define RELU_OUT(v) ((v) > 0 ? (v) : 0)
#define PLAIN(a, i) (a)
#define RELU_Y(a, i) (bn_relu_d1(y[i]) * (a))
#define RELU_X(a, i) (bn_relu_d1(BN_OUT(x[i])) * (a))
#define BN_BOTH(b, LOOP, RELU, ...)                                                                \
    do {                                                                                           \
        if ((b).relu) {                                                                            \
            LOOP(RELU_OUT, RELU, __VA_ARGS__);                                                     \
        } else {                                                                                   \
            LOOP(PLAIN_OUT, PLAIN, __VA_ARGS__);                                                   \
        }                                                                                          \
    } while (0)

// The statistics of channel c: x_hat = (x - mean) rstd; inv_n couples the samples. Batch
// statistics are one pass of sums shifted by the channel's first counted value, so that
// they cancel little: dmean = <x - shift>, mean = shift + dmean, var = <(x - shift)^2> -
// dmean^2 (two passes before, mean then variance, and a third for the tangent's moments).
typedef struct bn_stats {
    double mean, var, rstd, inv_n, count; // count: the weighted N (training)
    double shift, dmean;
} bn_stats;

// Element (row, i) of channel c, row = b * outer + o: ((row * C + c) * inner + i).
#define BN_FOR_EACH(b, c, row, idx, ...)                                                           \
    for (int64_t row = 0; row < (b)->batch * (b)->outer; row++) {                                  \
        int64_t base_ = (row * (b)->channels + (c)) * (b)->inner;                                  \
        for (int64_t idx = base_; idx < base_ + (b)->inner; idx++) {                               \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }

// BN_FOR_EACH with the weight w of each row's sample, read once per row: read inside the
// loop it is reloaded per element (the stores to x_bar might alias it), which kept the
// loop scalar and made a training or scoring step's backward twice as slow.
#define BN_FOR_EACH_WEIGHTED(b, c, w, i, ...)                                                      \
    for (int64_t row_ = 0; row_ < (b)->batch * (b)->outer; row_++) {                               \
        const double w = bn_weight((b), row_ / (b)->outer);                                        \
        int64_t base_ = (row_ * (b)->channels + (c)) * (b)->inner;                                 \
        for (int64_t i = base_; i < base_ + (b)->inner; i++) {                                     \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }

// The channel sums: each in LANES partial sums, element j of a row segment into lane
// j % LANES, the lanes added in order at the end. One running sum is a chain of
// dependent additions (a double add's latency per element); LANES independent chains
// overlap, and the order stays fixed, so the sums are the same bytes for any thread count.
enum { LANES = 8 };

// Whole blocks of LANES (a fixed trip count the compiler unrolls), then the tail.
#define BN_LANES(base, n, i, lane, ...)                                                            \
    {                                                                                              \
        int64_t blk_ = 0;                                                                          \
        for (; blk_ + LANES <= (n); blk_ += LANES)                                                 \
            for (int lane = 0; lane < LANES; lane++) {                                             \
                int64_t i = (base) + blk_ + lane;                                                  \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        for (int lane = 0; blk_ + lane < (n); lane++) {                                            \
            int64_t i = (base) + blk_ + lane;                                                      \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }

// BN_FOR_EACH with the lane of each element.
#define BN_FOR_EACH_LANE(b, c, row, i, lane, ...)                                                  \
    for (int64_t row = 0; row < (b)->batch * (b)->outer; row++) {                                  \
        BN_LANES(((row) * (b)->channels + (c)) * (b)->inner, (b)->inner, i, lane, __VA_ARGS__)     \
    }
// The same over the samples that count, with w their weight: a left-out sample adds
// nothing, not even 0 * x (its x may be anything), so the sums are those of the batch
// without it, bit for bit.
#define BN_FOR_EACH_COUNTED_LANE(b, c, w, i, lane, ...)                                            \
    for (int64_t row_ = 0; row_ < (b)->batch * (b)->outer; row_++) {                               \
        double w = bn_weight((b), row_ / (b)->outer);                                              \
        if (w == 0) continue;                                                                      \
        BN_LANES((row_ * (b)->channels + (c)) * (b)->inner, (b)->inner, i, lane, __VA_ARGS__)      \
    }

static double lanes_total(const double *lanes) {
    double total = 0;
    for (int l = 0; l < LANES; l++) total += lanes[l];
    return total;
}

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
static bn_stats bn_channel_stats(const bn_call *b, int64_t c, double eps, bool tangent,
                                 double *mu_t, double *c1) {
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

// What the forward keeps per channel in call->saved (BN_SAVED doubles): its statistics,
// then the tangent forward's mu' and c1, which the other directions read back instead of
// recomputing (four passes over x in a scoring step's tangent of the backward).
enum { BN_SAVED = 9, SAVED_MU_T = 5, SAVED_C1 = 6 };

int64_t sgdi_batch_normalization_saved_len(const sgdi_op_attr *attr, const sgdi_shape *in,
                                           int n_in) {
    (void)n_in;
    int64_t outer, channels, inner;
    sgdi_shape_split(&in[0], attr->norm.axis, &outer, &channels, &inner);
    return BN_SAVED * channels;
}

// Channel c's statistics: computed (and saved) by the forward, read back after it.
static void bn_save_stats(const sgdi_op_call *call, int64_t c, const bn_stats *s) {
    if (!call->saved) return;
    double *v = call->saved + BN_SAVED * c;
    v[0] = s->mean, v[1] = s->var, v[2] = s->rstd, v[3] = s->inv_n, v[4] = s->count;
    v[7] = s->shift, v[8] = s->dmean;
}
static bn_stats bn_saved_stats(const sgdi_op_call *call, const bn_call *b, int64_t c, double eps) {
    if (!call->saved) return bn_channel_stats(b, c, eps, false, NULL, NULL);
    const double *v = call->saved + BN_SAVED * c;
    return (bn_stats){.mean = v[0],
                      .var = v[1],
                      .rstd = v[2],
                      .inv_n = v[3],
                      .count = v[4],
                      .shift = v[7],
                      .dmean = v[8]};
}

static inline double param_or(const sgdi_port *p, int64_t c, double absent) {
    return p ? (double)p->val[c] : absent;
}
static inline double tan_or_zero(const sgdi_port *p, int64_t c) {
    return p && p->tan ? (double)p->tan[c] : 0.0;
}

// mu' and c1 of channel c (zero without x' or coupling): the tangent's sums of
// bn_channel_stats, alone.
SGDI_WIDE_VECTORS
static void bn_tangent_moments(const bn_call *b, int64_t c, const bn_stats *s, double *mu_t,
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

static bool bn_parallel(const bn_call *b) {
    return b->batch * b->outer * b->channels * b->inner > BN_PARALLEL_MIN;
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

// y[B, O, C, I] = gamma[C] x_hat + beta[C]
SGDI_WIDE_VECTORS
static void bn_forward(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    double eps = call->attr->norm.eps;
    const sgdi_real *x = b.x->val;
    sgdi_real *y = call->out[0].val;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_channel_stats(&b, c, eps, false, NULL, NULL);
        bn_save_stats(call, c, &s);
        double gamma = param_or(b.gamma, c, 1.0), beta = param_or(b.beta, c, 0.0);
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
        bn_tangent_moments(&b, c, &s, &mu_t, &c1);
        if (call->saved) call->saved[BN_SAVED * c + SAVED_MU_T] = mu_t;
        if (call->saved) call->saved[BN_SAVED * c + SAVED_C1] = c1;
        double gamma = param_or(b.gamma, c, 1.0);
        double gamma_t = tan_or_zero(b.gamma, c), beta_t = tan_or_zero(b.beta, c);
#define BN_TANGENT(OUT, THROUGH, XH_T)                                                             \
    BN_FOR_EACH(&b, c, row, i, {                                                                   \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        double xh_t = XH_T;                                                                        \
        sgdi_real v = (sgdi_real)(gamma * xh_t + gamma_t * xh + beta_t);                           \
        yt[i] = THROUGH(v, i);                                                                     \
    })
        if (xt)
            BN_BOTH(b, BN_TANGENT, RELU_Y, s.rstd * ((double)xt[i] - mu_t - xh * c1));
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
        bn_stats s = bn_channel_stats(&b, c, eps, true, &mu_t, &c1);
        bn_save_stats(call, c, &s);
        if (call->saved) call->saved[BN_SAVED * c + SAVED_MU_T] = mu_t;
        if (call->saved) call->saved[BN_SAVED * c + SAVED_C1] = c1;
        double gamma = param_or(b.gamma, c, 1.0), beta = param_or(b.beta, c, 0.0);
        double gamma_t = tan_or_zero(b.gamma, c), beta_t = tan_or_zero(b.beta, c);
#define BN_BOTH_OUTPUTS(OUT, THROUGH, XH_T)                                                        \
    BN_FOR_EACH(&b, c, row, i, {                                                                   \
        sgdi_real v = BN_OUT(x[i]);                                                                \
        y[i] = OUT(v);                                                                             \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
        double xh_t = XH_T;                                                                        \
        sgdi_real vt = (sgdi_real)(gamma * xh_t + gamma_t * xh + beta_t);                          \
        yt[i] = THROUGH(vt, i);                                                                    \
    })
        if (xt)
            BN_BOTH(b, BN_BOTH_OUTPUTS, RELU_X, s.rstd * ((double)xt[i] - mu_t - xh * c1));
        else
            BN_BOTH(b, BN_BOTH_OUTPUTS, RELU_X, 0.0);
#undef BN_BOTH_OUTPUTS
    }
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
        yb_xh_lanes[l] += ybv * ((double)x[i] - s.mean) * s.rstd;                                  \
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
        bn_tangent_moments(b, c, s, mu_t, c1);
    else if (b->x->tan && s->inv_n != 0)
        *mu_t = call->saved[BN_SAVED * c + SAVED_MU_T], *c1 = call->saved[BN_SAVED * c + SAVED_C1];
}

// The tangent of the backward (see the header); nothing into mean, variance.
SGDI_WIDE_VECTORS
static void bn_tangent_backward(const sgdi_op_call *call, bool relu) {
    bn_call b = bn_bind(call, relu);
    const sgdi_real *y = call->out[0].val; // the fused ReLU's output: its kink
    const sgdi_real *yb = call->out[0].adj, *ybt = call->out[0].adj_tan;
    const sgdi_real *x = b.x->val, *xt = b.x->tan;
    double eps = call->attr->norm.eps;
    sgdi_real *xbt = b.x->adj_tan;
    bool fresh = b.x->adj_fresh; // assign x_bar' (see sgdi_port)
    sgdi_real *gamma_bt = b.gamma ? b.gamma->adj_tan : NULL;
    sgdi_real *beta_bt = b.beta ? b.beta->adj_tan : NULL;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_saved_stats(call, &b, c, eps);
        double mu_t, c1;
        bn_kept_tangent_moments(call, &b, c, &s, &mu_t, &c1);
        double gamma = param_or(b.gamma, c, 1.0), gamma_t = tan_or_zero(b.gamma, c);
        double rstd_t = -s.rstd * s.rstd * c1;
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
    double eps = call->attr->norm.eps;
    sgdi_real *gamma_b = b.gamma ? b.gamma->adj : NULL, *beta_b = b.beta ? b.beta->adj : NULL;
    sgdi_real *gamma_bt = b.gamma ? b.gamma->adj_tan : NULL;
    sgdi_real *beta_bt = b.beta ? b.beta->adj_tan : NULL;
#pragma omp parallel for schedule(static) if (bn_parallel(&b))
    for (int64_t c = 0; c < b.channels; c++) {
        bn_stats s = bn_saved_stats(call, &b, c, eps);
        double mu_t, c1;
        bn_kept_tangent_moments(call, &b, c, &s, &mu_t, &c1);
        double gamma = param_or(b.gamma, c, 1.0), gamma_t = tan_or_zero(b.gamma, c);
        double beta = param_or(b.beta, c, 0.0), rstd_t = -s.rstd * s.rstd * c1;
        // backward's sum y_bar, sum y_bar x_hat; the tangent's g0, g1, g0', g1',
        // sum y_bar', gamma_bar'
        double lanes[8][LANES] = {{0}};
#define BN_BOTH_SUMS(OUT, THROUGH, unused)                                                         \
    BN_FOR_EACH_LANE(&b, c, row, i, l, {                                                           \
        double ybv = (double)THROUGH(yb[i], i), ybt_v = (double)THROUGH(ybt[i], i);                \
        lanes[0][l] += ybv;                                                                        \
        lanes[1][l] += ybv * ((double)x[i] - s.mean) * s.rstd;                                     \
        double xh = ((double)x[i] - s.mean) * s.rstd;                                              \
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

// --- The entry points: BatchNormalization, and fused with the ReLU after it --------------

// clang-format off
void sgdi_batch_normalization_forward(const sgdi_op_call *call) { bn_forward(call, false); }
void sgdi_batch_normalization_tangent_forward(const sgdi_op_call *call) {
    bn_tangent_forward(call, false);
}
void sgdi_batch_normalization_backward(const sgdi_op_call *call) { bn_backward(call, false); }
void sgdi_batch_normalization_tangent_backward(const sgdi_op_call *call) {
    bn_tangent_backward(call, false);
}
void sgdi_batch_normalization_backward_with_tangent(const sgdi_op_call *call) {
    bn_backward_with_tangent(call, false);
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
void sgdi_batch_normalization_relu_backward(const sgdi_op_call *call) { bn_backward(call, true); }
void sgdi_batch_normalization_relu_tangent_backward(const sgdi_op_call *call) {
    bn_tangent_backward(call, true);
}
void sgdi_batch_normalization_relu_backward_with_tangent(const sgdi_op_call *call) {
    bn_backward_with_tangent(call, true);
}
void sgdi_batch_normalization_relu_forward_with_tangent(const sgdi_op_call *call) {
    bn_forward_with_tangent(call, true);
}
// clang-format on
