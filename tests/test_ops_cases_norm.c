/*
 * test_ops_cases_norm.c — operator test cases (see test_ops_cases.h): the poolings,
 * BatchNormalization and ImageAugmentation. Sizes are small: the harness's double
 * precision finite differences run the whole batch per perturbation.
 */
#include "test_ops_cases.h"

static void add_input(op_case *c, sgdi_shape s, bool batched, gen_kind g) {
    c->shape[c->n_in] = s;
    c->batched[c->n_in] = batched;
    c->gen[c->n_in++] = g;
}

// --- Pooling -------------------------------------------------------------------------------

// One pooling variant: x's per-sample shape, then per spatial dim kernel, stride, pad.
typedef struct pool_variant {
    sgdi_shape x;
    int ndim;
    int64_t kernel[2], stride[2], pad[2];
    bool ignore_border;
} pool_variant;

static const pool_variant POOL_VARIANTS[] = {
    // (C, H, W) 2x2 windows, stride = kernel (nnabla's default)
    {{3, {2, 4, 4}}, 2, {2, 2}, {2, 2}, {0, 0}, true},
    // the same on odd sides: the windows leave the last row and column out
    {{3, {2, 5, 5}}, 2, {2, 2}, {2, 2}, {0, 0}, true},
    // overlapping 3x2 windows, padded rows
    {{3, {2, 5, 5}}, 2, {3, 2}, {2, 1}, {1, 0}, true},
    // ignore_border false: the last windows hang over the border
    {{3, {1, 5, 4}}, 2, {2, 3}, {2, 2}, {1, 1}, false},
    // 1-D (C, W)
    {{2, {3, 7}}, 1, {3}, {2}, {1}, false},
    // two leading dims, stride 1 with padding
    {{4, {2, 2, 3, 4}}, 2, {2, 2}, {1, 1}, {1, 1}, true},
    // (H, W) without channels, ignore_border false with a partial last window
    {{2, {5, 7}}, 2, {3, 3}, {3, 3}, {0, 2}, false},
};

static bool setup_pool(int variant, op_case *c) {
    if (variant >= (int)(sizeof POOL_VARIANTS / sizeof POOL_VARIANTS[0])) return false;
    const pool_variant *v = &POOL_VARIANTS[variant];
    add_input(c, v->x, true, GEN_NORMAL);
    sgdi_window_attr *w = &c->attr.window;
    w->ndim = v->ndim;
    for (int k = 0; k < v->ndim; k++)
        w->kernel[k] = v->kernel[k], w->stride[k] = v->stride[k], w->pad[k] = v->pad[k];
    w->ignore_border = v->ignore_border;
    w->including_pad = true;
    return true;
}

bool setup_max_pooling(int variant, op_case *c) {
    return setup_pool(variant, c);
}
// MaxPooling's cases with about half of the windows' maxima below 0, which the fused ReLU
// cuts (in every direction: a wrong kink fails the finite differences).
bool setup_max_pooling_relu(int variant, op_case *c) {
    if (!setup_pool(variant, c)) return false;
    c->gen[0] = GEN_LOW;
    return true;
}
bool setup_sum_pooling(int variant, op_case *c) {
    return setup_pool(variant, c);
}
// Every variant twice: dividing by the padded window and by its in-bounds part.
bool setup_average_pooling(int variant, op_case *c) {
    if (!setup_pool(variant / 2, c)) return false;
    c->attr.window.including_pad = variant % 2 == 0;
    return true;
}

// (C, H, W), (C), (C, W)
bool setup_global_average_pooling(int variant, op_case *c) {
    static const sgdi_shape shapes[] = {{3, {3, 4, 5}}, {1, {4}}, {2, {2, 6}}};
    if (variant >= 3) return false;
    add_input(c, shapes[variant], true, GEN_NORMAL);
    return true;
}

// --- BatchNormalization ---------------------------------------------------------------------

static const float WEIGHTS_ONE_OUT[] = {1, 0, 1, 1}; // the second sample left out
static const float WEIGHTS_LAST_IN[] = {0, 1, 0, 1}; // with batch 2: one sample counts
static const float WEIGHTS_NONE[] = {0, 0, 0, 0};    // nothing counts: y = beta

typedef struct bn_variant {
    sgdi_shape x, param;
    int axis;
    bool training, batch_stat, no_bias, no_scale;
    double eps;
    const float *weights;
} bn_variant;

static const bn_variant BN_VARIANTS[] = {
    // evaluation: the running statistics, (C, H, W) with nnabla's (1, C, 1, 1) parameters
    {{3, {3, 2, 2}}, {4, {1, 3, 1, 1}}, 0, false, true, false, false, 1e-5, NULL},
    // training: batch statistics coupling the samples
    {{3, {3, 2, 2}}, {4, {1, 3, 1, 1}}, 0, true, true, false, false, 1e-5, NULL},
    // training, one sample left out by its weight
    {{3, {2, 2, 3}}, {1, {2}}, 0, true, true, false, false, 1e-5, WEIGHTS_ONE_OUT},
    // training on per-sample (C) vectors, no_bias (eps keeps 1/sqrt(var + eps) tame
    // when two samples happen to be close)
    {{1, {4}}, {2, {1, 4}}, 0, true, true, true, false, 0.05, NULL},
    // training, channels in the middle (outer 2, inner 2), no_scale, weighted
    {{3, {2, 3, 2}}, {1, {3}}, 1, true, true, false, true, 1e-5, WEIGHTS_LAST_IN},
    // training, no_scale and no_bias
    {{2, {3, 2}}, {2, {3, 1}}, 0, true, true, true, true, 1e-3, NULL},
    // evaluation, no_bias, channels last
    {{2, {2, 3}}, {1, {3}}, 1, false, true, true, false, 1e-5, NULL},
    // training with batch_stat false: the running statistics
    {{3, {2, 2, 2}}, {1, {2}}, 0, true, false, false, false, 1e-5, WEIGHTS_ONE_OUT},
    // training with every weight 0: y = beta
    {{2, {2, 3}}, {1, {2}}, 0, true, true, false, false, 1e-5, WEIGHTS_NONE},
};

bool setup_batch_normalization(int variant, op_case *c) {
    if (variant >= (int)(sizeof BN_VARIANTS / sizeof BN_VARIANTS[0])) return false;
    const bn_variant *v = &BN_VARIANTS[variant];
    add_input(c, v->x, true, GEN_NORMAL);
    if (!v->no_bias) add_input(c, v->param, false, GEN_NORMAL);
    if (!v->no_scale) add_input(c, v->param, false, GEN_NORMAL);
    add_input(c, v->param, false, GEN_NORMAL);   // running mean
    add_input(c, v->param, false, GEN_POSITIVE); // running variance
    c->fixed_inputs = 3u << (c->n_in - 2);
    c->attr.norm = (sgdi_norm_attr){.axis = v->axis,
                                    .decay_rate = 0.9,
                                    .eps = v->eps,
                                    .batch_stat = v->batch_stat,
                                    .no_scale = v->no_scale,
                                    .no_bias = v->no_bias};
    c->training = v->training;
    c->weights = v->weights;
    return true;
}

// --- ImageAugmentation ----------------------------------------------------------------------

typedef struct augment_variant {
    sgdi_shape x;
    int64_t out_h, out_w, pad_h, pad_w;
    bool flip_lr, flip_ud, training;
} augment_variant;

static const augment_variant AUGMENT_VARIANTS[] = {
    {{3, {2, 4, 5}}, 3, 4, 1, 0, true, true, true},    // random crops and both flips
    {{3, {1, 5, 5}}, 3, 3, 0, 0, false, false, false}, // evaluation: the centre crop
    {{2, {4, 4}}, 4, 4, 1, 1, true, false, true},      // (H, W), shifted by up to the pad
    {{3, {2, 3, 3}}, 5, 5, 1, 1, false, true, true},   // the whole padded image
};

bool setup_image_augmentation(int variant, op_case *c) {
    if (variant >= (int)(sizeof AUGMENT_VARIANTS / sizeof AUGMENT_VARIANTS[0])) return false;
    const augment_variant *v = &AUGMENT_VARIANTS[variant];
    add_input(c, v->x, true, GEN_NORMAL);
    c->attr.augment = (sgdi_augment_attr){.out_h = v->out_h,
                                          .out_w = v->out_w,
                                          .pad = {v->pad_h, v->pad_w},
                                          .flip_lr = v->flip_lr,
                                          .flip_ud = v->flip_ud};
    c->attr.rng_stream = 2;
    c->training = v->training;
    return true;
}
