/*
 * test_bn.c — BatchNormalization, ImageAugmentation and the poolings against plain
 * reference loops, in double precision (sgdi_ops_f64). Their derivatives are tested by
 * test_ops.c; this file pins the values and the per-sample conventions:
 *
 *   - BatchNormalization's forward in training (weighted and unweighted batch statistics)
 *     and evaluation, update_state's running statistics (nnabla's unbiased N/(N-1)
 *     variance, N the weighted count), and that a sample of weight 0 leaves its
 *     batch-mates' outputs, tangents and gradients exactly as removing it does;
 *   - ImageAugmentation: every output is a crop (+ flips) of the zero-padded input,
 *     fixed by (seed, row, step), different across rows, unchanged by removing a
 *     batch-mate; evaluation gives the centre crop;
 *   - the poolings' output sizes (nnabla's formula) and values, MaxPooling's first
 *     maximum on ties.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "test_support.h"

static sgdi_test_rng rng = {0xb47c40f5ULL};

static double normal(void) {
    return sgdi_test_rng_normal(&rng);
}
static void fill_normal(double *p, int64_t n) {
    sgdi_test_rng_fill_normal(&rng, p, n);
}
static double max_diff(const double *a, const double *b, int64_t n) {
    double e = 0;
    for (int64_t i = 0; i < n; i++) e = fmax(e, fabs(a[i] - b[i]));
    return e;
}

// --- BatchNormalization ------------------------------------------------------------------

// x (C, S) per sample, parameters (1, C, 1, 1): beta, gamma, mean, variance.
enum { C = 3, S = 4, B = 4, N_X = B * C * S };

typedef struct bn_data {
    double x[N_X], y[N_X], beta[C], gamma[C], mean[C], var[C];
} bn_data;

static void bn_random(bn_data *d) {
    fill_normal(d->x, N_X);
    for (int c = 0; c < C; c++) {
        d->beta[c] = normal(), d->gamma[c] = normal(), d->mean[c] = normal();
        d->var[c] = 0.5 + sgdi_test_rng_unif(&rng);
    }
}

static sgdi_op_attr bn_attr(void) {
    return (sgdi_op_attr){.norm = {.axis = 0, .decay_rate = 0.9, .eps = 1e-5, .batch_stat = true}};
}

// One call over `batch` samples; in[] = x, beta, gamma, mean, variance.
typedef struct bn_call_buf {
    sgdi_port in[5], out;
    sgdi_op_call call;
    sgdi_exec_ctx ctx;
} bn_call_buf;

static void bn_setup(bn_call_buf *k, const sgdi_op_attr *attr, bn_data *d, int64_t batch,
                     bool training, const float *weights) {
    memset(k, 0, sizeof *k);
    sgdi_shape xs = {.ndim = 2, .dim = {C, S}}, ps = {.ndim = 4, .dim = {1, C, 1, 1}};
    double *vals[5] = {d->x, d->beta, d->gamma, d->mean, d->var};
    for (int i = 0; i < 5; i++)
        k->in[i] = (sgdi_port){
            .val = vals[i], .shape = i ? ps : xs, .count = i ? C : C * S, .batched = i == 0};
    k->out = (sgdi_port){.val = d->y, .shape = xs, .count = C * S, .batched = true};
    k->ctx = (sgdi_exec_ctx){.seed = 5, .step = 3, .training = training, .weights = weights};
    k->call = (sgdi_op_call){.attr = attr,
                             .ctx = &k->ctx,
                             .in = k->in,
                             .n_in = 5,
                             .out = &k->out,
                             .n_out = 1,
                             .batch = batch};
}

// The naive reference: y and the batch statistics (weights w, or the running ones).
static void bn_reference(const bn_data *d, int64_t batch, const float *w, bool batch_stats,
                         double *y, double *mu_out, double *var_out) {
    for (int c = 0; c < C; c++) {
        double mu = d->mean[c], var = d->var[c];
        if (batch_stats) {
            double n = 0, sum = 0, sq = 0;
            for (int b = 0; b < batch; b++)
                for (int s = 0; s < S; s++) {
                    double wb = w ? w[b] : 1.0;
                    n += wb, sum += wb * d->x[(b * C + c) * S + s];
                }
            mu = sum / n;
            for (int b = 0; b < batch; b++)
                for (int s = 0; s < S; s++) {
                    double e = d->x[(b * C + c) * S + s] - mu;
                    sq += (w ? w[b] : 1.0) * e * e;
                }
            var = sq / n;
        }
        if (mu_out) mu_out[c] = mu, var_out[c] = var;
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < S; s++) {
                int i = (b * C + c) * S + s;
                y[i] = d->gamma[c] * (d->x[i] - mu) / sqrt(var + 1e-5) + d->beta[c];
            }
    }
}

static void test_bn_forward(void) {
    static const float weights[B] = {1, 0, 1, 1};
    sgdi_op_attr attr = bn_attr();
    bn_data d;
    double ref[N_X];
    bn_random(&d);
    bn_call_buf k;
    for (int mode = 0; mode < 3; mode++) { // training, weighted training, evaluation
        const float *w = mode == 1 ? weights : NULL;
        bn_setup(&k, &attr, &d, B, mode < 2, w);
        sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION].forward(&k.call);
        bn_reference(&d, B, w, mode < 2, ref, NULL, NULL);
        CHECK_MSG(max_diff(d.y, ref, N_X) < 1e-12, "mode %d: %g", mode, max_diff(d.y, ref, N_X));
    }
    // batch_stat false: the running statistics even in training
    attr.norm.batch_stat = false;
    bn_setup(&k, &attr, &d, B, true, NULL);
    sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION].forward(&k.call);
    bn_reference(&d, B, NULL, false, ref, NULL, NULL);
    CHECK(max_diff(d.y, ref, N_X) < 1e-12);
    // every weight 0: nothing counts, y = beta
    static const float none[B] = {0, 0, 0, 0};
    attr = bn_attr();
    bn_setup(&k, &attr, &d, B, true, none);
    sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION].forward(&k.call);
    int bad = 0;
    for (int i = 0; i < N_X; i++) bad += d.y[i] != d.beta[(i / S) % C];
    CHECK_MSG(bad == 0, "%d outputs are not beta", bad);
    // no_bias, no_scale: the inputs shift down, gamma = 1 and beta = 0
    attr.norm.no_bias = attr.norm.no_scale = true;
    bn_setup(&k, &attr, &d, B, true, NULL);
    k.in[1] = k.in[3], k.in[2] = k.in[4], k.call.n_in = 3;
    sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION].forward(&k.call);
    bn_data plain = d;
    for (int c = 0; c < C; c++) plain.gamma[c] = 1, plain.beta[c] = 0;
    bn_reference(&plain, B, NULL, true, ref, NULL, NULL);
    CHECK(max_diff(d.y, ref, N_X) < 1e-12);
}

// Sample 1 of weight 0 vs the batch {0, 2, 3}: outputs, tangents, and gradients (with
// y_bar = 0 on the left-out sample, as the loss seeds it) agree for the others, bit for
// bit, even when the left-out sample is a wild outlier.
static void test_bn_weight_zero_is_removal(void) {
    static const float weights[B] = {1, 0, 1, 1};
    static const int kept[3] = {0, 2, 3};
    sgdi_op_attr attr = bn_attr();
    bn_data full, part;
    bn_random(&full);
    for (int s = 0; s < C * S; s++) full.x[1 * C * S + s] = 1e30 * (s + 1);
    part = full;
    double xt[N_X], yt[N_X], yb[N_X], xb[N_X], gb[C] = {0}, bb[C] = {0};
    double pxt[N_X], pyt[N_X], pyb[N_X], pxb[N_X], pgb[C] = {0}, pbb[C] = {0};
    fill_normal(xt, N_X), fill_normal(yb, N_X);
    for (int s = 0; s < C * S; s++) yb[1 * C * S + s] = 0;
    for (int j = 0; j < 3; j++)
        for (int s = 0; s < C * S; s++) {
            part.x[j * C * S + s] = full.x[kept[j] * C * S + s];
            pxt[j * C * S + s] = xt[kept[j] * C * S + s];
            pyb[j * C * S + s] = yb[kept[j] * C * S + s];
        }
    memset(xb, 0, sizeof xb), memset(pxb, 0, sizeof pxb);
    bn_call_buf k, p;
    const sgdi_op_def *bn = &sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION];
    bn_setup(&k, &attr, &full, B, true, weights);
    k.in[0].tan = xt, k.out.tan = yt, k.in[0].adj = xb, k.out.adj = yb;
    k.in[1].adj = bb, k.in[2].adj = gb;
    bn_setup(&p, &attr, &part, 3, true, NULL);
    p.in[0].tan = pxt, p.out.tan = pyt, p.in[0].adj = pxb, p.out.adj = pyb;
    p.in[1].adj = pbb, p.in[2].adj = pgb;
    bn->forward(&k.call), bn->tangent_forward(&k.call), bn->backward(&k.call);
    bn->forward(&p.call), bn->tangent_forward(&p.call), bn->backward(&p.call);
    double e_y = 0, e_t = 0, e_b = 0;
    for (int j = 0; j < 3; j++)
        for (int s = 0; s < C * S; s++) {
            int fi = kept[j] * C * S + s, pi = j * C * S + s;
            e_y = fmax(e_y, fabs(full.y[fi] - part.y[pi]));
            e_t = fmax(e_t, fabs(yt[fi] - pyt[pi]));
            e_b = fmax(e_b, fabs(xb[fi] - pxb[pi]));
        }
    // the left-out sample adds exact zeros to every sum: the same bits
    CHECK_MSG(e_y == 0 && e_t == 0 && e_b == 0, "y %g, y' %g, x_bar %g", e_y, e_t, e_b);
    CHECK(max_diff(gb, pgb, C) == 0 && max_diff(bb, pbb, C) == 0);
}

static void test_bn_update_state(void) {
    static const float weights[B] = {1, 0, 1, 1}, none[B] = {0, 0, 0, 0};
    sgdi_op_attr attr = bn_attr();
    const sgdi_op_def *bn = &sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION];
    CHECK(bn->update_state != NULL);
    if (!bn->update_state) return;
    for (int weighted = 0; weighted < 2; weighted++) {
        bn_data d;
        bn_random(&d);
        double old_mean[C], old_var[C], mu[C], var[C], y[N_X];
        memcpy(old_mean, d.mean, sizeof old_mean), memcpy(old_var, d.var, sizeof old_var);
        const float *w = weighted ? weights : NULL;
        bn_reference(&d, B, w, true, y, mu, var);
        bn_call_buf k;
        bn_setup(&k, &attr, &d, B, true, w);
        bn->forward(&k.call);
        bn->update_state(&k.call);
        double n = (weighted ? 3.0 : 4.0) * S; // nnabla's N/(N-1), N the weighted count
        for (int c = 0; c < C; c++) {
            CHECK_NEAR(d.mean[c], 0.9 * old_mean[c] + 0.1 * mu[c], 1e-14);
            CHECK_NEAR(d.var[c], 0.9 * old_var[c] + 0.1 * var[c] * n / (n - 1), 1e-14);
        }
    }
    // no update in evaluation, with batch_stat false, or when nothing counts
    for (int mode = 0; mode < 3; mode++) {
        bn_data d;
        bn_random(&d);
        bn_data before = d;
        sgdi_op_attr a = bn_attr();
        a.norm.batch_stat = mode != 1;
        bn_call_buf k;
        bn_setup(&k, &a, &d, B, mode != 0, mode == 2 ? none : NULL);
        bn->update_state(&k.call);
        CHECK_MSG(memcmp(before.mean, d.mean, sizeof d.mean) == 0 &&
                      memcmp(before.var, d.var, sizeof d.var) == 0,
                  "mode %d updated the state", mode);
    }
}

static void test_bn_infer_shape(void) {
    sgdi_op_attr attr = bn_attr();
    sgdi_shape in[5] = {{.ndim = 3, .dim = {3, 2, 2}}}, out;
    for (int i = 1; i < 5; i++) in[i] = (sgdi_shape){.ndim = 4, .dim = {1, 3, 1, 1}};
    bool batched[5] = {true, false, false, false, false};
    char msg[256] = "";
    sgdi_infer_shape_fn infer = sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION].infer_shape;
    CHECK(infer(&attr, in, batched, 5, &out, 1, msg, sizeof msg) == SGDI_OK);
    CHECK(out.ndim == 3 && out.dim[0] == 3 && out.dim[2] == 2);
    CHECK(infer(&attr, in, batched, 4, &out, 1, msg, sizeof msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. %s\n", msg);
    attr.norm.no_bias = true;
    CHECK(infer(&attr, in, batched, 4, &out, 1, msg, sizeof msg) == SGDI_OK);
    in[2].dim[1] = 4;
    CHECK(infer(&attr, in, batched, 4, &out, 1, msg, sizeof msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. %s\n", msg);
    in[2].dim[1] = 3;
    attr.norm.axis = 3;
    CHECK(infer(&attr, in, batched, 4, &out, 1, msg, sizeof msg) == SGDI_ERR_FORMAT);
}

// --- ImageAugmentation ---------------------------------------------------------------------

enum { IC = 2, IH = 5, IW = 6, OH = 4, OW = 4, PAD_H = 1, PAD_W = 2, MAX_B = 64 };

// y of each sample for rows[0..batch); x[b, c, i, j] = 1 + index, so 0 marks padding.
static void augment_run(int64_t batch, const int64_t *rows, uint64_t step, bool training, double *x,
                        double *y) {
    static sgdi_op_attr attr = {.augment = {.out_h = OH,
                                            .out_w = OW,
                                            .pad = {PAD_H, PAD_W},
                                            .flip_lr = true,
                                            .flip_ud = true},
                                .rng_stream = 1};
    for (int64_t i = 0; i < batch * IC * IH * IW; i++) x[i] = (double)(1 + i);
    sgdi_port in = {.val = x,
                    .shape = {.ndim = 3, .dim = {IC, IH, IW}},
                    .count = IC * IH * IW,
                    .batched = true};
    sgdi_port out = {.val = y,
                     .shape = {.ndim = 3, .dim = {IC, OH, OW}},
                     .count = IC * OH * OW,
                     .batched = true};
    sgdi_exec_ctx ctx = {.seed = 77, .step = step, .rows = rows, .training = training};
    sgdi_op_call call = {
        .attr = &attr, .ctx = &ctx, .in = &in, .n_in = 1, .out = &out, .n_out = 1, .batch = batch};
    sgdi_op_table[SGDI_OP_IMAGE_AUGMENTATION].forward(&call);
}

// The window (top, left, flips) that sample b's output is, or false if it is none.
typedef struct found_crop {
    int top, left, flip_lr, flip_ud;
} found_crop;

static bool find_crop(const double *y, int64_t b, found_crop *f) {
    for (int top = -PAD_H; top <= IH + PAD_H - OH; top++)
        for (int left = -PAD_W; left <= IW + PAD_W - OW; left++)
            for (int fl = 0; fl < 2; fl++)
                for (int fu = 0; fu < 2; fu++) {
                    bool match = true;
                    for (int c = 0; c < IC && match; c++)
                        for (int i = 0; i < OH && match; i++)
                            for (int j = 0; j < OW && match; j++) {
                                int si = top + (fu ? OH - 1 - i : i);
                                int sj = left + (fl ? OW - 1 - j : j);
                                bool in = si >= 0 && si < IH && sj >= 0 && sj < IW;
                                double want =
                                    in ? (double)(1 + ((b * IC + c) * IH + si) * IW + sj) : 0.0;
                                match = y[((b * IC + c) * OH + i) * OW + j] == want;
                            }
                    if (match) {
                        *f = (found_crop){top, left, fl, fu};
                        return true;
                    }
                }
    return false;
}

static void test_image_augmentation(void) {
    static double x[MAX_B * IC * IH * IW], y[MAX_B * IC * OH * OW], y2[MAX_B * IC * OH * OW];
    int64_t rows[MAX_B];
    for (int b = 0; b < MAX_B; b++) rows[b] = 1000 + 7 * b;
    augment_run(MAX_B, rows, 9, true, x, y);
    int tops[IH + 2 * PAD_H] = {0}, lefts[IW + 2 * PAD_W] = {0}, flips[2][2] = {{0}};
    int crops = 0, distinct = 0;
    found_crop first = {0};
    for (int b = 0; b < MAX_B; b++) {
        found_crop f;
        if (!find_crop(y, b, &f)) continue;
        crops++;
        tops[f.top + PAD_H]++, lefts[f.left + PAD_W]++, flips[f.flip_lr][f.flip_ud]++;
        if (b == 0) first = f;
        distinct += b > 0 && memcmp(&f, &first, sizeof f) != 0;
    }
    CHECK_MSG(crops == MAX_B, "%d of %d outputs are crops of the padded input", crops, MAX_B);
    CHECK(distinct > 0); // different rows, different crops
    for (int t = 0; t <= IH + 2 * PAD_H - OH; t++) CHECK_MSG(tops[t] > 0, "top %d never drawn", t);
    for (int l = 0; l <= IW + 2 * PAD_W - OW; l++) CHECK_MSG(lefts[l] > 0, "left %d never", l);
    CHECK(flips[0][0] && flips[0][1] && flips[1][0] && flips[1][1]);
    // the same (row, step): the same crop, wherever the sample sits in the batch
    int64_t sub_rows[2] = {rows[5], rows[2]};
    augment_run(2, sub_rows, 9, true, x, y2);
    int64_t per = IC * OH * OW;
    found_crop a, b5, b2, s0, s1;
    CHECK(find_crop(y, 5, &b5) && find_crop(y, 2, &b2) && find_crop(y2, 0, &s0) &&
          find_crop(y2, 1, &s1));
    CHECK(memcmp(&b5, &s0, sizeof a) == 0 && memcmp(&b2, &s1, sizeof a) == 0);
    augment_run(MAX_B, rows, 9, true, x, y2);
    CHECK(memcmp(y, y2, sizeof y) == 0); // deterministic
    // another step: other crops
    augment_run(MAX_B, rows, 10, true, x, y2);
    CHECK(memcmp(y, y2, (size_t)(MAX_B * per) * sizeof(double)) != 0);
    // evaluation: the centre crop, unflipped, for every sample
    augment_run(4, rows, 9, false, x, y);
    for (int b = 0; b < 4; b++) {
        found_crop f;
        CHECK(find_crop(y, b, &f));
        CHECK_MSG(f.top == (IH + 2 * PAD_H - OH) / 2 - PAD_H &&
                      f.left == (IW + 2 * PAD_W - OW) / 2 - PAD_W && !f.flip_lr && !f.flip_ud,
                  "sample %d: centre crop at (%d, %d)", b, f.top, f.left);
    }
}

// --- Pooling -------------------------------------------------------------------------------

static sgdi_shape pool_shape(sgdi_op_kind kind, sgdi_shape x, int64_t k, int64_t s, int64_t p,
                             bool ignore_border) {
    sgdi_op_attr attr = {.window = {.ndim = 2,
                                    .kernel = {k, k},
                                    .stride = {s, s},
                                    .pad = {p, p},
                                    .ignore_border = ignore_border,
                                    .including_pad = true}};
    sgdi_shape out = {0};
    bool batched = true;
    char msg[256] = "";
    if (sgdi_op_table[kind].infer_shape(&attr, &x, &batched, 1, &out, 1, msg, sizeof msg))
        out.ndim = -1;
    return out;
}

static void test_pooling(void) {
    sgdi_shape x = {.ndim = 3, .dim = {2, 5, 7}};
    // nnabla: (in + 2p - k) / s + 1 with ignore_border, else (in + p - 1) / s + 1
    sgdi_shape o = pool_shape(SGDI_OP_MAX_POOLING, x, 2, 2, 0, true);
    CHECK(o.ndim == 3 && o.dim[0] == 2 && o.dim[1] == 2 && o.dim[2] == 3);
    o = pool_shape(SGDI_OP_MAX_POOLING, x, 2, 2, 0, false);
    CHECK(o.dim[1] == 3 && o.dim[2] == 4);
    o = pool_shape(SGDI_OP_AVERAGE_POOLING, x, 3, 2, 1, false);
    CHECK(o.dim[1] == 3 && o.dim[2] == 4);
    o = pool_shape(SGDI_OP_SUM_POOLING, x, 3, 2, 1, true);
    CHECK(o.dim[1] == 3 && o.dim[2] == 4);
    CHECK(pool_shape(SGDI_OP_SUM_POOLING, x, 2, 2, 2, true).ndim == -1); // pad >= kernel
    CHECK(pool_shape(SGDI_OP_SUM_POOLING, x, 6, 1, 0, true).ndim == -1); // kernel > H

    // One 3x3 plane, 2x2 windows, stride 1, ignore_border false: output 3x3, the last
    // windows hang over the border; ties in most windows.
    double in[9] = {1, 5, 2, 5, 0, 5, 3, 5, 4}, y[9], ybar[9], xbar[9] = {0};
    sgdi_op_attr attr = {.window = {.ndim = 2,
                                    .kernel = {2, 2},
                                    .stride = {1, 1},
                                    .ignore_border = false,
                                    .including_pad = true}};
    sgdi_port px = {.val = in, .adj = xbar, .shape = {2, {3, 3}}, .count = 9, .batched = true};
    sgdi_port py = {.val = y, .adj = ybar, .shape = {2, {3, 3}}, .count = 9, .batched = true};
    sgdi_op_call call = {.attr = &attr, .in = &px, .n_in = 1, .out = &py, .n_out = 1, .batch = 1};
    for (int i = 0; i < 9; i++) ybar[i] = 1 << i;
    sgdi_op_table[SGDI_OP_MAX_POOLING].forward(&call);
    sgdi_op_table[SGDI_OP_MAX_POOLING].backward(&call);
    static const double max_y[9] = {5, 5, 5, 5, 5, 5, 5, 5, 4};
    CHECK(memcmp(y, max_y, sizeof y) == 0);
    // each window's first maximum in window order takes its y_bar
    static const double max_xbar[9] = {0, 1 + 2, 0, 8, 0, 4 + 16 + 32, 0, 64 + 128, 256};
    CHECK_MSG(memcmp(xbar, max_xbar, sizeof xbar) == 0, "x_bar %g %g %g %g %g", xbar[1], xbar[3],
              xbar[5], xbar[7], xbar[8]);
    sgdi_op_table[SGDI_OP_SUM_POOLING].forward(&call);
    CHECK(y[0] == 11 && y[4] == 14 && y[2] == 7 && y[8] == 4);
    // 2x2 windows, stride 2, pad 1: 2x2 outputs, the first row and column half padding
    attr.window.stride[0] = attr.window.stride[1] = 2;
    attr.window.pad[0] = attr.window.pad[1] = 1;
    attr.window.ignore_border = true;
    py.shape = (sgdi_shape){2, {2, 2}}, py.count = 4;
    sgdi_op_table[SGDI_OP_AVERAGE_POOLING].forward(&call); // the padded window
    CHECK(y[0] == 1 / 4.0 && y[1] == (5 + 2) / 4.0 && y[3] == (0 + 5 + 5 + 4) / 4.0);
    attr.window.including_pad = false; // its in-bounds part
    sgdi_op_table[SGDI_OP_AVERAGE_POOLING].forward(&call);
    CHECK(y[0] == 1 && y[1] == (5 + 2) / 2.0 && y[2] == (5 + 3) / 2.0 && y[3] == 14 / 4.0);
    // ignore_border false, no pad: the last window is cut at the border (h + pad), even
    // when including_pad
    attr.window.pad[0] = attr.window.pad[1] = 0;
    attr.window.ignore_border = false;
    attr.window.including_pad = true;
    sgdi_op_table[SGDI_OP_AVERAGE_POOLING].forward(&call);
    CHECK(y[0] == 11 / 4.0 && y[1] == (2 + 5) / 2.0 && y[3] == 4);
    // GlobalAveragePooling: (3, 3) is 3 channels of 3
    py.shape = (sgdi_shape){3, {3, 1, 1}}, py.count = 3;
    sgdi_op_table[SGDI_OP_GLOBAL_AVERAGE_POOLING].forward(&call);
    CHECK_NEAR(y[0], 8 / 3.0, 1e-15);
    CHECK_NEAR(y[1], 10 / 3.0, 1e-15);
    CHECK_NEAR(y[2], 4.0, 1e-15);
}

// MaxPooling 2x2 stride 2 (pooling_max_2x2.c's vectorised rows): ties go to the first maximum in
// window order, in the forward, its tangent and the backward; odd planes with
// ignore_border false leave the fast rows for the clipped last window.
static void test_max_pool_2x2(void) {
    // four windows whose first maximum is top-left, top-right, bottom-left, bottom-right
    double in[16] = {3, 3, 1, 2, 0, 1, 0, 1, /**/ 3, 1, 2, 2, 5, 5, 1, 7};
    double tan[16], y[4], yt[4], ybar[4] = {1, 2, 4, 8}, xbar[16] = {0};
    for (int i = 0; i < 16; i++) tan[i] = i;
    sgdi_op_attr attr = {.window = {.ndim = 2,
                                    .kernel = {2, 2},
                                    .stride = {2, 2},
                                    .ignore_border = true,
                                    .including_pad = true}};
    sgdi_port px = {
        .val = in, .tan = tan, .adj = xbar, .shape = {2, {2, 8}}, .count = 16, .batched = true};
    sgdi_port py = {
        .val = y, .tan = yt, .adj = ybar, .shape = {2, {1, 4}}, .count = 4, .batched = true};
    sgdi_op_call call = {.attr = &attr, .in = &px, .n_in = 1, .out = &py, .n_out = 1, .batch = 1};
    const sgdi_op_def *def = &sgdi_op_table[SGDI_OP_MAX_POOLING];
    def->forward(&call);
    def->tangent_forward(&call);
    def->backward(&call);
    static const double max_y[4] = {3, 2, 5, 7}, max_yt[4] = {0, 3, 12, 15};
    static const double max_xbar[16] = {1, 0, 0, 2, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 4, 0, 0, 8};
    CHECK(memcmp(y, max_y, sizeof y) == 0);
    CHECK(memcmp(yt, max_yt, sizeof yt) == 0);
    CHECK(memcmp(xbar, max_xbar, sizeof xbar) == 0);

    // a 2x3 plane, ignore_border false: the second window is column 2 alone
    double odd[6] = {1, 2, 9, 3, 4, 5}, odd_bar[6] = {0};
    px = (sgdi_port){.val = odd, .adj = odd_bar, .shape = {2, {2, 3}}, .count = 6, .batched = true};
    py = (sgdi_port){.val = y, .adj = ybar, .shape = {2, {1, 2}}, .count = 2, .batched = true};
    attr.window.ignore_border = false;
    def->forward(&call);
    def->backward(&call);
    static const double odd_xbar[6] = {0, 0, 2, 0, 1, 0};
    CHECK(y[0] == 4 && y[1] == 9);
    CHECK(memcmp(odd_bar, odd_xbar, sizeof odd_bar) == 0);
}

// Through the executor the forward saves each channel's statistics (and the tangent
// forward mu', c1) in call->saved for the later directions; called alone the ops
// recompute them. Both ways give the same bytes in all four directions and the state
// update, unweighted and weighted.
static void test_bn_saved_is_recomputed(void) {
    static const float weights[B] = {1, 0, 1, 1};
    const sgdi_op_def *bn = &sgdi_op_table[SGDI_OP_BATCH_NORMALIZATION];
    sgdi_op_attr attr = bn_attr();
    sgdi_shape in_shapes[5] = {{.ndim = 2, .dim = {C, S}}};
    CHECK(bn->saved_len && bn->saved_len(&attr, in_shapes, 5) >= 7 * C);
    if (!bn->saved_len) return;
    double saved[64];
    for (int weighted = 0; weighted < 2; weighted++) {
        struct {
            bn_data d;
            double xt[N_X], yt[N_X], yb[N_X], ybt[N_X], xb[N_X], xbt[N_X];
            double pt[2][C], pb[2][C], pbt[2][C]; // beta, gamma: tangent, adjoint, its tangent
        } run[2];
        bn_random(&run[0].d);
        fill_normal(run[0].xt, N_X), fill_normal(run[0].yb, N_X), fill_normal(run[0].ybt, N_X);
        fill_normal(run[0].pt[0], 2 * C);
        memset(run[0].xb, 0, sizeof run[0].xb), memset(run[0].xbt, 0, sizeof run[0].xbt);
        memset(run[0].pb, 0, sizeof run[0].pb), memset(run[0].pbt, 0, sizeof run[0].pbt);
        run[1] = run[0];
        for (int r = 0; r < 2; r++) {
            bn_call_buf k;
            bn_setup(&k, &attr, &run[r].d, B, true, weighted ? weights : NULL);
            k.in[0].tan = run[r].xt, k.in[0].adj = run[r].xb, k.in[0].adj_tan = run[r].xbt;
            for (int p = 0; p < 2; p++)
                k.in[1 + p].tan = run[r].pt[p], k.in[1 + p].adj = run[r].pb[p],
                         k.in[1 + p].adj_tan = run[r].pbt[p];
            k.out.tan = run[r].yt, k.out.adj = run[r].yb, k.out.adj_tan = run[r].ybt;
            for (int i = 0; i < 64; i++) saved[i] = NAN; // only what the forward wrote counts
            k.call.saved = r ? saved : NULL;
            bn->forward(&k.call), bn->tangent_forward(&k.call);
            bn->backward(&k.call), bn->tangent_backward(&k.call);
            bn->update_state(&k.call);
        }
        CHECK_MSG(memcmp(&run[0], &run[1], sizeof run[0]) == 0,
                  "weighted %d: saved statistics changed a result", weighted);
    }
}

int main(void) {
    RUN(test_max_pool_2x2);
    RUN(test_bn_forward);
    RUN(test_bn_weight_zero_is_removal);
    RUN(test_bn_update_state);
    RUN(test_bn_saved_is_recomputed);
    RUN(test_bn_infer_shape);
    RUN(test_image_augmentation);
    RUN(test_pooling);
    return sgdi_test_finish();
}
