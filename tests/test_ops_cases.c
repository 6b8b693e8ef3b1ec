/*
 * test_ops_cases.c — the test cases of every operator for the derivative
 * harness in test_ops.c: a few shapes, batched-ness (parameters vs batched
 * inputs), input generators and attribute variants per operator, in the
 * table op_cases indexed by sgdi_op_kind.
 */
#include "test_ops_cases.h"

static sgdi_shape shp(int ndim, int64_t d0, int64_t d1, int64_t d2) {
    sgdi_shape s = {.ndim = ndim, .dim = {d0, d1, d2}};
    return s;
}
static void add_input(op_case *c, sgdi_shape s, bool batched, gen_kind g) {
    c->shape[c->n_in] = s;
    c->batched[c->n_in] = batched;
    c->gen[c->n_in++] = g;
}

static bool setup_affine(int variant, op_case *c) {
    int64_t i1 = rand_int(2, 4), i2 = rand_int(2, 3), o1 = rand_int(2, 4), o2 = rand_int(2, 3);
    switch (variant) {
    case 0: // x (I), W (I, O), b (O)
        add_input(c, shp(1, i1, 0, 0), true, GEN_NORMAL);
        add_input(c, shp(2, i1, o1, 0), false, GEN_NORMAL);
        add_input(c, shp(1, o1, 0, 0), false, GEN_NORMAL);
        return true;
    case 1: // base_axis 1: x (L, I1, I2), W (I1 I2, O1, O2), no b
        add_input(c, shp(3, 2, i1, i2), true, GEN_NORMAL);
        add_input(c, shp(3, i1 * i2, o1, o2), false, GEN_NORMAL);
        c->attr.base_axis = 1;
        return true;
    case 2: // x (I1, I2) flattened, W (I1 I2, O), b (O)
        add_input(c, shp(2, i1, i2, 0), true, GEN_NORMAL);
        add_input(c, shp(2, i1 * i2, o1, 0), false, GEN_NORMAL);
        add_input(c, shp(1, o1, 0, 0), false, GEN_NORMAL);
        return true;
    }
    return false;
}

// One batched input of shape (n) or (2, 3) from generator g; alpha from the list.
static bool setup_unary_gen(int variant, op_case *c, gen_kind g, double alpha0, double alpha1) {
    if (variant > 1) return false;
    add_input(c, variant == 0 ? shp(1, rand_int(3, 9), 0, 0) : shp(2, 2, 3, 0), true, g);
    c->attr.alpha = variant == 0 ? alpha0 : alpha1;
    return true;
}
static bool setup_unary(int variant, op_case *c, double alpha0, double alpha1) {
    return setup_unary_gen(variant, c, GEN_NORMAL, alpha0, alpha1);
}
// clang-format off
static bool setup_relu(int v, op_case *c) { return setup_unary(v, c, 0, 0); }
static bool setup_leaky_relu(int v, op_case *c) { return setup_unary(v, c, 0.1, 0.25); }
static bool setup_elu(int v, op_case *c) { return setup_unary(v, c, 1.0, 0.5); }
static bool setup_tanh(int v, op_case *c) { return setup_unary(v, c, 0, 0); }
static bool setup_sigmoid(int v, op_case *c) { return setup_unary(v, c, 0, 0); }
// clang-format on

static bool setup_dropout(int variant, op_case *c) {
    if (variant > 2) return false;
    add_input(c, variant == 1 ? shp(2, 3, 4, 0) : shp(1, rand_int(6, 12), 0, 0), true, GEN_NORMAL);
    c->attr.p = variant == 0 ? 0.3 : variant == 1 ? 0.0 : 0.5;
    c->attr.rng_stream = 1;
    c->training = variant != 2;
    return true;
}

static bool setup_softmax(int variant, op_case *c) {
    if (variant > 2) return false;
    int64_t n = rand_int(2, 5);
    sgdi_shape s[3] = {shp(1, n, 0, 0), shp(3, 3, n, 2), shp(3, 2, 3, n)};
    add_input(c, s[variant], true, GEN_NORMAL);
    c->attr.axis = variant;
    return true;
}

// x (C) / (C, 3) / (2, C) along axis 0 / 0 / 1, labels with that dim = 1.
static bool setup_class_loss(int variant, op_case *c, gen_kind xgen) {
    if (variant > 2) return false;
    int64_t n = rand_int(2, 5);
    sgdi_shape x[3] = {shp(1, n, 0, 0), shp(2, n, 3, 0), shp(2, 2, n, 0)};
    sgdi_shape t[3] = {shp(1, 1, 0, 0), shp(2, 1, 3, 0), shp(2, 2, 1, 0)};
    add_input(c, x[variant], true, xgen);
    add_input(c, t[variant], true, GEN_LABEL);
    c->attr.axis = variant == 2;
    return true;
}
// clang-format off
static bool setup_sce(int v, op_case *c) { return setup_class_loss(v, c, GEN_NORMAL); }
static bool setup_cce(int v, op_case *c) { return setup_class_loss(v, c, GEN_SOFTMAX); }
// clang-format on

// Two inputs of one shape, (n) or (2, 3).
static bool pair_case(int variant, op_case *c, gen_kind g0, gen_kind g1a, gen_kind g1b) {
    if (variant > 1) return false;
    sgdi_shape s = variant == 0 ? shp(1, rand_int(3, 9), 0, 0) : shp(2, 2, 3, 0);
    add_input(c, s, true, g0);
    add_input(c, s, true, variant == 0 ? g1a : g1b);
    return true;
}
// (generator of input 0, of input 1 in variant 0, of input 1 in variant 1)
static bool setup_sigce(int v, op_case *c) {
    return pair_case(v, c, GEN_NORMAL, GEN_BINARY, GEN_PROB);
}
static bool setup_bce(int v, op_case *c) {
    return pair_case(v, c, GEN_PROB, GEN_BINARY, GEN_PROB);
}
static bool setup_sq_err(int v, op_case *c) {
    return pair_case(v, c, GEN_NORMAL, GEN_NORMAL, GEN_NORMAL);
}

// x (2, 3, 4) reduced over several masks.
static bool setup_reduce(int variant, op_case *c) {
    static const uint32_t masks[] = {0x2, 0x5, 0x7, 0x0, 0x1};
    if (variant >= (int)(sizeof masks / sizeof masks[0])) return false;
    add_input(c, shp(3, 2, 3, 4), true, GEN_NORMAL);
    c->attr.axes_mask = masks[variant];
    c->attr.keep_dims = variant == 0 || variant == 4;
    return true;
}

// --- Data movement --------------------------------------------------------------------

// x (2, 3, 4) to (6, 4), to (-1) = (24), and (n) to (1, -1, 1) = (1, n, 1).
static bool setup_reshape(int variant, op_case *c) {
    if (variant > 2) return false;
    int64_t n = rand_int(2, 7);
    add_input(c, variant == 2 ? shp(1, n, 0, 0) : shp(3, 2, 3, 4), true, GEN_NORMAL);
    sgdi_shape t[3] = {shp(2, 6, 4, 0), shp(1, -1, 0, 0), shp(3, 1, -1, 1)};
    c->attr.shape = t[variant];
    return true;
}

static bool setup_identity(int v, op_case *c) {
    return setup_unary(v, c, 0, 0);
}

// (n0) ++ (n1) on axis 0; three (2, n_i, 3) on axis 1; eight (2, 2, n_i) on axis 2; one input.
static bool setup_concatenate(int variant, op_case *c) {
    static const int n_in[4] = {2, 3, MAX_IN, 1};
    if (variant > 3) return false;
    for (int i = 0; i < n_in[variant]; i++) {
        int64_t n = rand_int(1, 4);
        sgdi_shape s[4] = {shp(1, n, 0, 0), shp(3, 2, n, 3), shp(3, 2, 2, n), shp(2, 3, n, 0)};
        add_input(c, s[variant], true, GEN_NORMAL);
    }
    c->attr.axis = variant == 3 ? 1 : variant;
    return true;
}

// --- Binary arithmetic with broadcasting --------------------------------------------------

// (a, batched a, b, batched b) per variant: equal shapes; a parameter b padded on the left;
// a (1, 3) parameter a whose 1 faces the batch; both batched, both repeated; a parameter b
// repeated along the last dim; a 0-dim parameter b.
static bool binary_case(int variant, op_case *c, gen_kind gb) {
    if (variant > 5) return false;
    int64_t n = rand_int(2, 5);
    switch (variant) {
    case 0:
        add_input(c, shp(2, 2, n, 0), true, GEN_NORMAL);
        add_input(c, shp(2, 2, n, 0), true, gb);
        break;
    case 1:
        add_input(c, shp(2, 2, n, 0), true, GEN_NORMAL);
        add_input(c, shp(1, n, 0, 0), false, gb);
        break;
    case 2:
        add_input(c, shp(2, 1, n, 0), false, GEN_NORMAL);
        add_input(c, shp(1, n, 0, 0), true, gb);
        break;
    case 3:
        add_input(c, shp(3, 2, 1, n), true, GEN_NORMAL);
        add_input(c, shp(3, 1, 3, 1), true, gb);
        break;
    case 4:
        add_input(c, shp(2, 2, n, 0), true, GEN_NORMAL);
        add_input(c, shp(2, 2, 1, 0), false, gb);
        break;
    case 5:
        add_input(c, shp(1, n, 0, 0), true, GEN_NORMAL);
        add_input(c, shp(0, 0, 0, 0), false, gb);
        break;
    }
    return true;
}
// clang-format off
static bool setup_add2(int v, op_case *c) { return binary_case(v, c, GEN_NORMAL); }
static bool setup_div2(int v, op_case *c) { return binary_case(v, c, GEN_POSITIVE); }
// clang-format on

// --- Elementwise with a scalar, activations, math ------------------------------------------

// PowScalar: integer powers of any x, fractional and negative ones of positive x.
static bool setup_pow_scalar(int variant, op_case *c) {
    static const double v[4] = {2, 3, 0.5, -1.5};
    if (variant > 3) return false;
    add_input(c, shp(2, 2, rand_int(2, 4), 0), true, variant < 2 ? GEN_NORMAL : GEN_POSITIVE);
    c->attr.alpha = v[variant];
    return true;
}

// SELU with nnabla's defaults and with other coefficients.
static bool setup_selu(int variant, op_case *c) {
    if (!setup_unary(variant, c, 1.673263242354377, 0.5)) return false;
    c->attr.scale = variant == 0 ? 1.05070098735548 : 2.0;
    return true;
}

static bool setup_softplus(int variant, op_case *c) {
    if (!setup_unary(variant, c, 0, 0)) return false;
    c->attr.beta = variant == 0 ? 1.0 : 2.5;
    return true;
}

// clang-format off
static bool setup_add_scalar(int v, op_case *c) { return setup_unary(v, c, 1.5, -0.5); }
static bool setup_mul_scalar(int v, op_case *c) { return setup_unary(v, c, 2.5, -0.3); }
static bool setup_r_sub_scalar(int v, op_case *c) { return setup_unary(v, c, 1.0, -2.0); }
static bool setup_r_div_scalar(int v, op_case *c) {
    return setup_unary_gen(v, c, GEN_POSITIVE, 1.5, -2.0);
}
static bool setup_r_pow_scalar(int v, op_case *c) { return setup_unary(v, c, 2.0, 0.5); }
static bool setup_swish(int v, op_case *c) { return setup_unary(v, c, 0, 0); }
static bool setup_abs(int v, op_case *c) { return setup_unary(v, c, 0, 0); }
static bool setup_exp(int v, op_case *c) { return setup_unary(v, c, 0, 0); }
static bool setup_log(int v, op_case *c) { return setup_unary_gen(v, c, GEN_POSITIVE, 0, 0); }
// clang-format on

const op_case_entry op_cases[SGDI_OP_COUNT] = {
    [SGDI_OP_AFFINE] = {setup_affine, false},
    [SGDI_OP_RELU] = {setup_relu, false},
    [SGDI_OP_LEAKY_RELU] = {setup_leaky_relu, false},
    [SGDI_OP_ELU] = {setup_elu, false},
    [SGDI_OP_TANH] = {setup_tanh, false},
    [SGDI_OP_SIGMOID] = {setup_sigmoid, false},
    [SGDI_OP_DROPOUT] = {setup_dropout, false},
    [SGDI_OP_SOFTMAX] = {setup_softmax, false},
    [SGDI_OP_SOFTMAX_CROSS_ENTROPY] = {setup_sce, true},
    [SGDI_OP_CATEGORICAL_CROSS_ENTROPY] = {setup_cce, true},
    [SGDI_OP_SIGMOID_CROSS_ENTROPY] = {setup_sigce, true},
    [SGDI_OP_BINARY_CROSS_ENTROPY] = {setup_bce, true},
    [SGDI_OP_SQUARED_ERROR] = {setup_sq_err, true},
    [SGDI_OP_SUM] = {setup_reduce, false},
    [SGDI_OP_MEAN] = {setup_reduce, false},
    [SGDI_OP_RESHAPE] = {setup_reshape, false},
    [SGDI_OP_IDENTITY] = {setup_identity, false},
    [SGDI_OP_CONCATENATE] = {setup_concatenate, false},
    [SGDI_OP_ADD2] = {setup_add2, false},
    [SGDI_OP_SUB2] = {setup_add2, false},
    [SGDI_OP_MUL2] = {setup_add2, false},
    [SGDI_OP_DIV2] = {setup_div2, false},
    [SGDI_OP_ADD_SCALAR] = {setup_add_scalar, false},
    [SGDI_OP_MUL_SCALAR] = {setup_mul_scalar, false},
    [SGDI_OP_POW_SCALAR] = {setup_pow_scalar, false},
    [SGDI_OP_R_SUB_SCALAR] = {setup_r_sub_scalar, false},
    [SGDI_OP_R_DIV_SCALAR] = {setup_r_div_scalar, false},
    [SGDI_OP_R_POW_SCALAR] = {setup_r_pow_scalar, false},
    [SGDI_OP_SWISH] = {setup_swish, false},
    [SGDI_OP_SELU] = {setup_selu, false},
    [SGDI_OP_SOFTPLUS] = {setup_softplus, false},
    [SGDI_OP_ABS] = {setup_abs, false},
    [SGDI_OP_EXP] = {setup_exp, false},
    [SGDI_OP_LOG] = {setup_log, false},
    [SGDI_OP_LOG_SOFTMAX] = {setup_softmax, false},
    // [convolution cases]
    [SGDI_OP_CONVOLUTION] = {setup_convolution, false},
    [SGDI_OP_DEPTHWISE_CONVOLUTION] = {setup_depthwise_convolution, false},
    [SGDI_OP_DECONVOLUTION] = {setup_deconvolution, false},
    // [pooling and normalization cases]
    // [slice cases]
    [SGDI_OP_SLICE] = {setup_slice, false},
    [SGDI_OP_MAX_POOLING] = {setup_max_pooling, false},
    [SGDI_OP_AVERAGE_POOLING] = {setup_average_pooling, false},
    [SGDI_OP_SUM_POOLING] = {setup_sum_pooling, false},
    [SGDI_OP_GLOBAL_AVERAGE_POOLING] = {setup_global_average_pooling, false},
    [SGDI_OP_BATCH_NORMALIZATION] = {setup_batch_normalization, false},
    [SGDI_OP_IMAGE_AUGMENTATION] = {setup_image_augmentation, false},
    // the executor's fused pairs: BatchNormalization's and MaxPooling's cases, with the ReLU
    // after it
    [SGDI_OP_BATCH_NORMALIZATION_RELU] = {setup_batch_normalization, false},
    [SGDI_OP_MAX_POOLING_RELU] = {setup_max_pooling_relu, false},
};
