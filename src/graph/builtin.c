/*
 * builtin.c — the networks used without a model file: logistic regression and
 * the tabular plugin's MLP for tables, the image plugin's CNN for images.
 *
 *   logreg: x -> Affine(->C) -> SoftmaxCrossEntropy(y)
 *   mlp:    x -> [Affine -> activation (-> Dropout)] per hidden layer -> Affine(->C)
 *             -> SoftmaxCrossEntropy(y); Dropout after every hidden layer but the last.
 *   cnn:    x (Ch, H, W) -> per block k (channels[k] maps):
 *               Convolution 3x3 pad 1 -> BatchNormalization -> ReLU
 *               -> Convolution 3x3 pad 1 -> ReLU -> MaxPooling 2x2 stride 2
 *           -> Affine(->C) -> SoftmaxCrossEntropy(y)
 *           (nnc-plugin's cifarnet: 32, 64, 128 maps; BatchNormalization after the
 *           block's first convolution only, as there.)
 *
 * Names and initialisation follow nnabla's parametric functions (PF.affine,
 * PF.convolution, PF.batch_normalization), so that --save-model writes a file
 * nnabla users recognise.
 */
#include "graph/builtin.h"

#include <math.h>
#include <stdio.h>

#include "util/error.h"
#include "util/rng.h"

static const sgdi_op_kind activation_op[] = {
    [SGDI_ACT_RELU] = SGDI_OP_RELU,
    [SGDI_ACT_TANH] = SGDI_OP_TANH,
    [SGDI_ACT_SIGMOID] = SGDI_OP_SIGMOID,
    [SGDI_ACT_ELU] = SGDI_OP_ELU,
    [SGDI_ACT_LEAKY_RELU] = SGDI_OP_LEAKY_RELU,
};

static sgdi_status failed(const sgdi_error *err) {
    return err ? err->status : SGDI_ERR_FORMAT;
}

// A parameter "<scope>/<name>" of `shape`; uniform in [-limit, limit) or, with limit 0,
// constant `value`. Returns its index or -1.
static int param(sgdi_graph *g, const char *scope, const char *name, sgdi_shape shape, double limit,
                 double value, sgdi_error *err) {
    char full[SGDI_VAR_NAME_MAX];
    snprintf(full, sizeof full, "%s/%s", scope, name);
    int v = sgdi_graph_add_param(g, full, shape, err);
    if (v >= 0) g->vars[v].init_limit = limit, g->vars[v].init_value = value;
    return v;
}

// Affine(x -> out) with "<scope>/affine/W" (in x out, Glorot uniform as nnabla's
// default) and "<scope>/affine/b" (zeros); x's per-sample dims flatten to `in`.
static int affine_layer(sgdi_graph *g, int x, int64_t out, const char *scope, sgdi_error *err) {
    int64_t in = g->vars[x].count;
    int w =
        param(g, scope, "affine/W", sgdi_shape2(in, out), sqrt(6.0 / (double)(in + out)), 0, err);
    int b = param(g, scope, "affine/b", sgdi_shape1(out), 0, 0, err);
    if (w < 0 || b < 0) return -1;
    sgdi_op_attr attr = {0};
    return sgdi_graph_apply(g, SGDI_OP_AFFINE, &attr, (int[]){x, w, b}, 3, scope, err);
}

// Convolution(x -> maps) 3x3, pad 1, stride 1, with "<scope>/conv/W" (maps, in, 3, 3),
// Glorot uniform over the receptive field as PF.convolution, and "<scope>/conv/b" (zeros).
static int conv_layer(sgdi_graph *g, int x, int64_t maps, const char *scope, sgdi_error *err) {
    int64_t in = g->vars[x].shape.dim[0];
    double limit = sqrt(6.0 / (double)(9 * in + 9 * maps));
    int w = param(g, scope, "conv/W", sgdi_shape4(maps, in, 3, 3), limit, 0, err);
    int b = param(g, scope, "conv/b", sgdi_shape1(maps), 0, 0, err);
    if (w < 0 || b < 0) return -1;
    sgdi_op_attr attr = {
        .window = {.ndim = 2, .pad = {1, 1}, .stride = {1, 1}, .dilation = {1, 1}, .group = 1}};
    char name[SGDI_VAR_NAME_MAX];
    snprintf(name, sizeof name, "%s/conv", scope);
    return sgdi_graph_apply(g, SGDI_OP_CONVOLUTION, &attr, (int[]){x, w, b}, 3, name, err);
}

// BatchNormalization over the channel axis with nnabla's defaults (decay 0.9, eps 1e-5):
// beta 0, gamma 1, running mean 0 and variance 1 (fixed: they follow the batches).
static int bn_layer(sgdi_graph *g, int x, const char *scope, sgdi_error *err) {
    sgdi_shape s = sgdi_shape4(1, g->vars[x].shape.dim[0], 1, 1);
    int beta = param(g, scope, "bn/beta", s, 0, 0.0, err);
    int gamma = param(g, scope, "bn/gamma", s, 0, 1.0, err);
    int mean = param(g, scope, "bn/mean", s, 0, 0.0, err);
    int var = param(g, scope, "bn/var", s, 0, 1.0, err);
    if (beta < 0 || gamma < 0 || mean < 0 || var < 0) return -1;
    g->vars[mean].fixed = g->vars[var].fixed = true;
    sgdi_op_attr attr = {.norm = {.axis = 0, .decay_rate = 0.9, .eps = 1e-5, .batch_stat = true}};
    char name[SGDI_VAR_NAME_MAX];
    snprintf(name, sizeof name, "%s/bn", scope);
    return sgdi_graph_apply(g, SGDI_OP_BATCH_NORMALIZATION, &attr,
                            (int[]){x, beta, gamma, mean, var}, 5, name, err);
}

static int unary(sgdi_graph *g, sgdi_op_kind op, const sgdi_op_attr *attr, int x, const char *scope,
                 const char *what, sgdi_error *err) {
    char name[SGDI_VAR_NAME_MAX];
    snprintf(name, sizeof name, "%s/%s", scope, what);
    return sgdi_graph_apply(g, op, attr, &x, 1, name, err);
}

static int cnn_block(sgdi_graph *g, int x, int64_t maps, int block, sgdi_error *err) {
    char scope[64];
    sgdi_op_attr none = {0};
    snprintf(scope, sizeof scope, "block%d/conv1", block);
    int h = conv_layer(g, x, maps, scope, err);
    if (h >= 0) h = bn_layer(g, h, scope, err);
    if (h >= 0) h = unary(g, SGDI_OP_RELU, &none, h, scope, "relu", err);
    snprintf(scope, sizeof scope, "block%d/conv2", block);
    if (h >= 0) h = conv_layer(g, h, maps, scope, err);
    // ReLU after the pooling, not before: max and ReLU commute (ReLU is max(x, 0), and a
    // window's max of max(x_i, 0) is max(max_i x_i, 0)), so it is the same function, its
    // derivatives routed through the same argmax, with ReLU over a quarter of the values.
    sgdi_op_attr pool = {.window = {.ndim = 2,
                                    .kernel = {2, 2},
                                    .stride = {2, 2},
                                    .ignore_border = true,
                                    .including_pad = true}};
    if (h >= 0) h = unary(g, SGDI_OP_MAX_POOLING, &pool, h, scope, "pool", err);
    if (h >= 0) h = unary(g, SGDI_OP_RELU, &none, h, scope, "relu", err);
    return h;
}

static sgdi_status build_cnn(const sgdi_options *opt, int *hp, sgdi_graph *g, sgdi_error *err) {
    int h = *hp;
    const sgdi_shape *s = &g->vars[h].shape;
    if (s->ndim != 3)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "the cnn network takes images (channels, height, width); "
                         "use --network logreg or mlp for tables");
    for (int k = 0; k < opt->n_blocks; k++) {
        const sgdi_shape *in = &g->vars[h].shape;
        if (in->dim[1] < 2 || in->dim[2] < 2)
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "images of %lldx%lld are too small for %d blocks of 2x2 pooling "
                             "(block %d gets %lldx%lld); use fewer --channels",
                             (long long)s->dim[1], (long long)s->dim[2], opt->n_blocks, k + 1,
                             (long long)in->dim[1], (long long)in->dim[2]);
        h = cnn_block(g, h, opt->channels[k], k + 1, err);
        if (h < 0) return failed(err);
    }
    *hp = h;
    return SGDI_OK;
}

static sgdi_status build_mlp(const sgdi_options *opt, int *hp, sgdi_graph *g, sgdi_error *err) {
    int h = *hp;
    char scope[32];
    for (int k = 0; k < opt->n_hidden; k++) {
        snprintf(scope, sizeof scope, "fc%d", k + 1);
        h = affine_layer(g, h, opt->hidden[k], scope, err);
        if (h < 0) return failed(err);
        sgdi_op_attr act = {.alpha = opt->activation == SGDI_ACT_LEAKY_RELU ? 0.1 : 1.0};
        snprintf(scope, sizeof scope, "act%d", k + 1);
        h = sgdi_graph_apply(g, activation_op[opt->activation], &act, &h, 1, scope, err);
        if (h < 0) return failed(err);
        if (opt->dropout > 0.0 && k + 1 < opt->n_hidden) {
            sgdi_op_attr drop = {.p = opt->dropout, .rng_stream = (uint32_t)g->n_dropout++};
            snprintf(scope, sizeof scope, "dropout%d", k + 1);
            h = sgdi_graph_apply(g, SGDI_OP_DROPOUT, &drop, &h, 1, scope, err);
            if (h < 0) return failed(err);
        }
    }
    *hp = h;
    return SGDI_OK;
}

sgdi_status sgdi_build_network(const sgdi_options *opt, sgdi_shape sample, int32_t classes,
                               sgdi_graph *g, sgdi_error *err) {
    int64_t features = 1;
    for (int k = 0; k < sample.ndim; k++) features *= sample.dim[k];
    if (sample.ndim < 1 || features < 1 || classes < 2)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "the training set needs at least one feature and two classes "
                         "(has %lld features, %d classes)",
                         (long long)features, (int)classes);
    g->input_var = sgdi_graph_add_data(g, "x", sample, err);
    g->target_var = sgdi_graph_add_data(g, "y", sgdi_shape1(1), err);
    if (g->input_var < 0 || g->target_var < 0) return failed(err);

    int h = g->input_var;
    sgdi_status st = SGDI_OK;
    if (opt->network == SGDI_NETWORK_MLP) st = build_mlp(opt, &h, g, err);
    if (opt->network == SGDI_NETWORK_CNN) st = build_cnn(opt, &h, g, err);
    if (st != SGDI_OK) return st;
    char scope[32];
    snprintf(scope, sizeof scope, "fc%d", opt->network == SGDI_NETWORK_MLP ? opt->n_hidden + 1 : 1);
    h = affine_layer(g, h, classes, scope, err);
    if (h < 0) return failed(err);
    sgdi_op_attr ce = {.axis = 0};
    g->loss_var = sgdi_graph_apply(g, SGDI_OP_SOFTMAX_CROSS_ENTROPY, &ce, (int[]){h, g->target_var},
                                   2, "loss", err);
    return g->loss_var < 0 ? failed(err) : SGDI_OK;
}

void sgdi_init_parameters(const sgdi_graph *g, uint64_t seed, float *theta) {
    uint32_t tensor = 0;
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        float *dst = theta + var->param_offset;
        for (int64_t e = 0; e < var->count; e++) {
            if (var->init_limit == 0.0) {
                dst[e] = (float)var->init_value;
                continue;
            }
            uint32_t ctr[4] = {(uint32_t)e, 0, 0, SGDI_RNG_INIT | tensor};
            uint32_t out[4];
            sgdi_philox(seed, ctr, out);
            dst[e] = (float)(-var->init_limit + 2.0 * var->init_limit * sgdi_uniform24(out[0]));
        }
        tensor++;
    }
}

sgdi_status sgdi_graph_lr_mult(const sgdi_graph *g, float **out, sgdi_error *err) {
    *out = NULL;
    bool any = false;
    for (int v = 0; v < g->n_vars; v++) any |= g->vars[v].is_param && g->vars[v].fixed;
    if (!any) return SGDI_OK;
    float *mult = sgdi_alloc_array(g->n_params, sizeof(float));
    if (!mult) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the step multipliers");
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        for (int64_t e = 0; e < var->count; e++)
            mult[var->param_offset + e] = var->fixed ? 0.0f : 1.0f;
    }
    *out = mult;
    return SGDI_OK;
}
