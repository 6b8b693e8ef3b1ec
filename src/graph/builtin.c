/*
 * builtin.c — logistic regression and the MLP of the tabular plugin.
 *
 *   logreg: x -> Affine(F->C) -> SoftmaxCrossEntropy(y)
 *   mlp:    x -> [Affine -> activation (-> Dropout)] per hidden layer -> Affine(->C)
 *             -> SoftmaxCrossEntropy(y); Dropout after every hidden layer but the last.
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

// Appends Affine(in -> out) to `x` with parameters "<scope>/affine/W" (in x out, Glorot
// uniform as nnabla's default) and "<scope>/affine/b" (zeros). Returns the output or -1.
static int affine_layer(sgdi_graph *g, int x, int64_t in, int64_t out, const char *scope,
                        sgdi_error *err) {
    char name[SGDI_VAR_NAME_MAX];
    snprintf(name, sizeof name, "%s/affine/W", scope);
    int w = sgdi_graph_add_param(g, name, sgdi_shape2(in, out), err);
    snprintf(name, sizeof name, "%s/affine/b", scope);
    int b = sgdi_graph_add_param(g, name, sgdi_shape1(out), err);
    if (w < 0 || b < 0) return -1;
    g->vars[w].init_limit = sqrt(6.0 / (double)(in + out));
    sgdi_op_attr attr = {0};
    return sgdi_graph_apply(g, SGDI_OP_AFFINE, &attr, (int[]){x, w, b}, 3, scope, err);
}

sgdi_status sgdi_build_network(const sgdi_options *opt, int64_t features, int32_t classes,
                               sgdi_graph *g, sgdi_error *err) {
    if (features < 1 || classes < 2)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "the training set needs at least one feature and two classes "
                         "(has %lld features, %d classes)",
                         (long long)features, (int)classes);
    g->input_var = sgdi_graph_add_data(g, "x", sgdi_shape1(features), err);
    g->target_var = sgdi_graph_add_data(g, "y", sgdi_shape1(1), err);
    if (g->input_var < 0 || g->target_var < 0) return err ? err->status : SGDI_ERR_NOMEM;

    int h = g->input_var;
    int64_t width = features;
    int layers = opt->network == SGDI_NETWORK_MLP ? opt->n_hidden : 0;
    char scope[32];
    for (int k = 0; k < layers; k++) {
        snprintf(scope, sizeof scope, "fc%d", k + 1);
        h = affine_layer(g, h, width, opt->hidden[k], scope, err);
        if (h < 0) return err ? err->status : SGDI_ERR_FORMAT;
        width = opt->hidden[k];
        sgdi_op_attr act = {.alpha = opt->activation == SGDI_ACT_LEAKY_RELU ? 0.1 : 1.0};
        snprintf(scope, sizeof scope, "act%d", k + 1);
        h = sgdi_graph_apply(g, activation_op[opt->activation], &act, &h, 1, scope, err);
        if (h < 0) return err ? err->status : SGDI_ERR_FORMAT;
        if (opt->dropout > 0.0 && k + 1 < layers) {
            sgdi_op_attr drop = {.p = opt->dropout, .rng_stream = (uint32_t)g->n_dropout++};
            snprintf(scope, sizeof scope, "dropout%d", k + 1);
            h = sgdi_graph_apply(g, SGDI_OP_DROPOUT, &drop, &h, 1, scope, err);
            if (h < 0) return err ? err->status : SGDI_ERR_FORMAT;
        }
    }
    snprintf(scope, sizeof scope, "fc%d", layers + 1);
    h = affine_layer(g, h, width, classes, scope, err);
    if (h < 0) return err ? err->status : SGDI_ERR_FORMAT;
    sgdi_op_attr ce = {.axis = 0};
    g->loss_var = sgdi_graph_apply(g, SGDI_OP_SOFTMAX_CROSS_ENTROPY, &ce, (int[]){h, g->target_var},
                                   2, "loss", err);
    return g->loss_var < 0 ? (err ? err->status : SGDI_ERR_FORMAT) : SGDI_OK;
}

void sgdi_init_parameters(const sgdi_graph *g, uint64_t seed, float *theta) {
    uint32_t tensor = 0;
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        float *dst = theta + var->param_offset;
        for (int64_t e = 0; e < var->count; e++) {
            if (var->init_limit == 0.0) {
                dst[e] = 0.0f;
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
