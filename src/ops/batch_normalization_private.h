/*
 * batch_normalization_private.h — what batch_normalization.c (statistics, the forward
 * directions, running state) and batch_normalization_backward.c (the backward directions)
 * share: a call's ports and layout, its per-channel statistics and what the forward keeps
 * of them, and the loops over a channel's elements. The operator and its formulas are
 * described in batch_normalization.c.
 */
#ifndef SGDI_OPS_BATCH_NORMALIZATION_PRIVATE_H
#define SGDI_OPS_BATCH_NORMALIZATION_PRIVATE_H

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

static inline bn_call bn_bind(const sgdi_op_call *call, bool relu) {
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
// The output is affine in x per channel, v = q1 x + q0 (bn_out_coeffs): one product and one
// sum per element instead of a difference and two products.
#define BN_OUT(x_i) ((sgdi_real)(q1 * (double)(x_i) + q0))
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

static inline double lanes_total(const double *lanes) {
    double total = 0;
    for (int l = 0; l < LANES; l++) total += lanes[l];
    return total;
}

// What the forward keeps per channel in call->saved (BN_SAVED doubles): its statistics,
// then the tangent forward's mu' and c1, which the other directions read back instead of
// recomputing (four passes over x in a scoring step's tangent of the backward).
enum { BN_SAVED = 9, SAVED_MU_T = 5, SAVED_C1 = 6 };
// Channel c's statistics, and with `tangent` (x' given) mu' and c1 from the same pass.
bn_stats sgdi_bn_channel_stats(const bn_call *b, int64_t c, double eps, bool tangent, double *mu_t,
                               double *c1);

// mu' and c1 of channel c (zero without x' or coupling): the tangent's sums of
// sgdi_bn_channel_stats, alone.
void sgdi_bn_tangent_moments(const bn_call *b, int64_t c, const bn_stats *s, double *mu_t,
                             double *c1);

// Channel c's statistics: computed (and saved) by the forward, read back after it.
static inline void bn_save_stats(const sgdi_op_call *call, int64_t c, const bn_stats *s) {
    if (!call->saved) return;
    double *v = call->saved + BN_SAVED * c;
    v[0] = s->mean, v[1] = s->var, v[2] = s->rstd, v[3] = s->inv_n, v[4] = s->count;
    v[7] = s->shift, v[8] = s->dmean;
}
static inline bn_stats bn_saved_stats(const sgdi_op_call *call, const bn_call *b, int64_t c,
                                      double eps) {
    if (!call->saved) return sgdi_bn_channel_stats(b, c, eps, false, NULL, NULL);
    const double *v = call->saved + BN_SAVED * c;
    return (bn_stats){.mean = v[0],
                      .var = v[1],
                      .rstd = v[2],
                      .inv_n = v[3],
                      .count = v[4],
                      .shift = v[7],
                      .dmean = v[8]};
}
// y = q1 x + q0 = gamma x_hat + beta before the fused ReLU.
static inline void bn_out_coeffs(const bn_stats *s, double gamma, double beta, double *q1,
                                 double *q0) {
    *q1 = gamma * s->rstd;
    *q0 = beta - *q1 * s->mean;
}

static inline double param_or(const sgdi_port *p, int64_t c, double absent) {
    return p ? (double)p->val[c] : absent;
}
static inline double tan_or_zero(const sgdi_port *p, int64_t c) {
    return p && p->tan ? (double)p->tan[c] : 0.0;
}
static inline bool bn_parallel(const bn_call *b) {
    return b->batch * b->outer * b->channels * b->inner > BN_PARALLEL_MIN;
}

#endif // SGDI_OPS_BATCH_NORMALIZATION_PRIVATE_H
