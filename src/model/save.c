/*
 * save.c — writing a trained model as a .nnp file, laid out as nnabla writes
 * one: nnp_version.txt, network.nntxt (text), parameter.protobuf (binary).
 *
 * A loaded model keeps its whole description (every network, the optimizer,
 * datasets, monitors, executors); only the parameter values change. A
 * built-in network is described as Neural Network Console would: network
 * "Main" ending in the loss, an optimizer binding data x and y, the solver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/save.h"
#include "nnp/protobin.h"
#include "nnp/textformat.h"
#include "nnp/zip.h"
#include "util/error.h"
#include "util/strbuf.h"

// --- Text of a built-in network ------------------------------------------------------

static void put_shape(sgdi_strbuf *t, const sgdi_var *v) {
    sgdi_strbuf_printf(t, "    shape: {");
    if (!v->is_param) sgdi_strbuf_printf(t, " dim: -1");
    for (int d = 0; d < v->shape.ndim; d++)
        sgdi_strbuf_printf(t, " dim: %lld", (long long)v->shape.dim[d]);
    sgdi_strbuf_printf(t, " }\n");
}

// `name: { dim: a dim: b }` of a window attribute over its spatial dims.
static void put_window_shape(sgdi_strbuf *t, const char *name, const int64_t *v, int ndim) {
    sgdi_strbuf_printf(t, "      %s: {", name);
    for (int d = 0; d < ndim; d++) sgdi_strbuf_printf(t, " dim: %lld", (long long)v[d]);
    sgdi_strbuf_printf(t, " }\n");
}

static void put_function(sgdi_strbuf *t, const sgdi_graph *g, const sgdi_node *node) {
    const sgdi_op_def *def = &sgdi_op_table[node->op];
    const char *out = g->vars[node->out[0]].name;
    sgdi_strbuf_printf(t, "  function {\n    name: \"%s\"\n    type: \"%s\"\n", out, def->name);
    for (int k = 0; k < node->n_in; k++)
        sgdi_strbuf_printf(t, "    input: \"%s\"\n", g->vars[node->in[k]].name);
    sgdi_strbuf_printf(t, "    output: \"%s\"\n", out);
    const sgdi_op_attr *a = &node->attr;
    switch (node->op) {
    case SGDI_OP_AFFINE:
        sgdi_strbuf_printf(t, "    affine_param { base_axis: %d }\n", a->base_axis + 1);
        break;
    case SGDI_OP_LEAKY_RELU:
        sgdi_strbuf_printf(t, "    leaky_relu_param { alpha: %.9g }\n", a->alpha);
        break;
    case SGDI_OP_ELU:
        sgdi_strbuf_printf(t, "    elu_param { alpha: %.17g }\n", a->alpha);
        break;
    case SGDI_OP_DROPOUT:
        sgdi_strbuf_printf(t, "    dropout_param { p: %.17g seed: -1 }\n", a->p);
        break;
    case SGDI_OP_SOFTMAX_CROSS_ENTROPY:
        sgdi_strbuf_printf(t, "    softmax_cross_entropy_param { axis: %d }\n", a->axis + 1);
        break;
    case SGDI_OP_CONVOLUTION:
        sgdi_strbuf_printf(t, "    convolution_param {\n      base_axis: 1\n");
        put_window_shape(t, "pad", a->window.pad, a->window.ndim);
        put_window_shape(t, "stride", a->window.stride, a->window.ndim);
        put_window_shape(t, "dilation", a->window.dilation, a->window.ndim);
        sgdi_strbuf_printf(t, "      group: %lld\n    }\n", (long long)a->window.group);
        break;
    case SGDI_OP_MAX_POOLING:
        sgdi_strbuf_printf(t, "    max_pooling_param {\n");
        put_window_shape(t, "kernel", a->window.kernel, a->window.ndim);
        put_window_shape(t, "stride", a->window.stride, a->window.ndim);
        sgdi_strbuf_printf(t, "      ignore_border: %s\n",
                           a->window.ignore_border ? "true" : "false");
        put_window_shape(t, "pad", a->window.pad, a->window.ndim);
        sgdi_strbuf_printf(t, "    }\n");
        break;
    case SGDI_OP_BATCH_NORMALIZATION:
        sgdi_strbuf_printf(t,
                           "    batch_normalization_param {\n      axes: %d\n      decay_rate: "
                           "%.9g\n      eps: %.9g\n      batch_stat: %s\n    }\n",
                           a->norm.axis + 1, a->norm.decay_rate, a->norm.eps,
                           a->norm.batch_stat ? "true" : "false");
        break;
    default:
        break;
    }
    sgdi_strbuf_printf(t, "  }\n");
}

static void put_solver(sgdi_strbuf *t, const sgdi_options *o) {
    sgdi_strbuf_printf(t, "  solver {\n");
    switch (o->solver) {
    case SGDI_SOLVER_SGD:
        sgdi_strbuf_printf(t, "    type: \"Sgd\"\n    sgd_param { lr: %.9g }\n", o->lr);
        break;
    case SGDI_SOLVER_MOMENTUM:
        sgdi_strbuf_printf(
            t, "    type: \"Momentum\"\n    momentum_param { lr: %.9g momentum: %.9g }\n", o->lr,
            o->momentum);
        break;
    case SGDI_SOLVER_NESTEROV:
        sgdi_strbuf_printf(
            t, "    type: \"Nesterov\"\n    nesterov_param { lr: %.9g momentum: %.9g }\n", o->lr,
            o->momentum);
        break;
    case SGDI_SOLVER_ADAM:
    case SGDI_SOLVER_ADAMW:
        sgdi_strbuf_printf(
            t, "    type: \"%s\"\n    %s { alpha: %.9g beta1: %.9g beta2: %.9g eps: %.9g",
            o->solver == SGDI_SOLVER_ADAM ? "Adam" : "AdamW",
            o->solver == SGDI_SOLVER_ADAM ? "adam_param" : "adamw_param", o->lr, o->beta1, o->beta2,
            sgdi_options_eps(o));
        if (o->solver == SGDI_SOLVER_ADAMW) sgdi_strbuf_printf(t, " wd: %.9g", o->wd);
        sgdi_strbuf_printf(t, " }\n");
        break;
    case SGDI_SOLVER_ADAGRAD:
        sgdi_strbuf_printf(t, "    type: \"Adagrad\"\n    adagrad_param { lr: %.9g eps: %.9g }\n",
                           o->lr, sgdi_options_eps(o));
        break;
    case SGDI_SOLVER_RMSPROP:
    case SGDI_SOLVER_ADADELTA:
        sgdi_strbuf_printf(t, "    type: \"%s\"\n    %s { lr: %.9g decay: %.9g eps: %.9g }\n",
                           o->solver == SGDI_SOLVER_RMSPROP ? "RMSprop" : "Adadelta",
                           o->solver == SGDI_SOLVER_RMSPROP ? "rmsprop_param" : "adadelta_param",
                           o->lr, sgdi_options_decay(o), sgdi_options_eps(o));
        break;
    }
    sgdi_strbuf_printf(t, "    weight_decay: %.9g\n  }\n", o->weight_decay);
}

static sgdi_status builtin_text(const sgdi_graph *g, const sgdi_options *o, char **out,
                                size_t *size, sgdi_error *err) {
    sgdi_strbuf t = {0};
    sgdi_strbuf_printf(&t, "global_config { default_context { array_class: \"CpuCachedArray\" "
                           "backends: \"cpu:float\" } }\n");
    sgdi_strbuf_printf(&t, "network {\n  name: \"Main\"\n  batch_size: %lld\n",
                       (long long)o->batch_size);
    for (int v = 0; v < g->n_vars; v++) {
        sgdi_strbuf_printf(&t, "  variable {\n    name: \"%s\"\n    type: \"%s\"\n",
                           g->vars[v].name, g->vars[v].is_param ? "Parameter" : "Buffer");
        put_shape(&t, &g->vars[v]);
        sgdi_strbuf_printf(&t, "  }\n");
    }
    for (int n = 0; n < g->n_nodes; n++) put_function(&t, g, &g->nodes[n]);
    sgdi_strbuf_printf(&t, "}\noptimizer {\n  name: \"Optimizer\"\n  network_name: \"Main\"\n"
                           "  update_interval: 1\n");
    put_solver(&t, o);
    sgdi_strbuf_printf(&t, "  data_variable { variable_name: \"%s\" data_name: \"x\" }\n",
                       g->vars[g->input_var].name);
    sgdi_strbuf_printf(&t, "  data_variable { variable_name: \"%s\" data_name: \"y\" }\n",
                       g->vars[g->target_var].name);
    sgdi_strbuf_printf(&t, "  loss_variable { variable_name: \"%s\" }\n",
                       g->vars[g->loss_var].name);
    for (int v = 0; v < g->n_vars; v++)
        if (g->vars[v].is_param)
            sgdi_strbuf_printf(
                &t, "  parameter_variable { variable_name: \"%s\" learning_rate_multiplier: %d }\n",
                g->vars[v].name, g->vars[v].fixed ? 0 : 1);
    sgdi_strbuf_printf(&t, "}\n");
    if (t.failed) {
        free(t.data);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing the network description");
    }
    *out = t.data;
    *size = t.size;
    return SGDI_OK;
}

// --- Writing -------------------------------------------------------------------------

static sgdi_status write_nnp(const char *path, const char *network, size_t network_size,
                             const sgdi_param_list *params, sgdi_error *err) {
    uint8_t *blob = NULL;
    size_t blob_size = 0;
    sgdi_status st = sgdi_protobin_write_params(params, &blob, &blob_size, err);
    if (st != SGDI_OK) return st;
    static const char version[] = "0.1\n";
    const sgdi_zip_member members[] = {
        {"nnp_version.txt", version, sizeof version - 1},
        {"network.nntxt", network, network_size},
        {"parameter.protobuf", blob, blob_size},
    };
    st = sgdi_zip_write_file(path, members, 3, err);
    free(blob);
    return st;
}

// The parameters of `g` with values `theta`, need_grad from `lr_mult` (NULL = all).
static sgdi_status graph_params(const sgdi_graph *g, const float *theta, const float *lr_mult,
                                sgdi_param_list *list, sgdi_error *err) {
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        bool trained = lr_mult ? lr_mult[var->param_offset] != 0.0f : !var->fixed;
        sgdi_status st = sgdi_param_list_add(list, var->name, var->shape, theta + var->param_offset,
                                             trained, err);
        if (st != SGDI_OK) return st;
    }
    return SGDI_OK;
}

sgdi_status sgdi_model_write_builtin(const sgdi_graph *g, const sgdi_options *opt,
                                     const float *theta, const char *path, sgdi_error *err) {
    char *network = NULL;
    size_t size = 0;
    sgdi_param_list params = {0};
    sgdi_status st = builtin_text(g, opt, &network, &size, err);
    if (st == SGDI_OK) st = graph_params(g, theta, NULL, &params, err);
    if (st == SGDI_OK) st = write_nnp(path, network, size, &params, err);
    free(network);
    sgdi_param_list_free(&params);
    return st;
}

sgdi_status sgdi_model_write_loaded(const sgdi_model *m, const float *theta, const char *path,
                                    sgdi_error *err) {
    // The description without its parameter entries: they go to parameter.protobuf.
    NNablaProtoBuf description = *m->proto;
    description.n_parameter = 0;
    description.parameter = NULL;
    char *network = NULL;
    size_t size = 0;
    sgdi_param_list params = {0};
    sgdi_status st = sgdi_textformat_write(&description.base, &network, &size, err);
    // Every parameter of the file, the trained ones with their new values.
    for (int64_t i = 0; st == SGDI_OK && i < m->params.count; i++) {
        const sgdi_param_blob *b = &m->params.items[i];
        st = sgdi_param_list_add(&params, b->name, b->shape, b->data, b->need_grad, err);
    }
    const sgdi_graph *g = &m->graph;
    for (int v = 0; st == SGDI_OK && v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        const sgdi_param_blob *b = sgdi_param_list_find(&m->params, var->name);
        if (var->is_param && b)
            st = sgdi_param_list_add(&params, var->name, b->shape, theta + var->param_offset,
                                     b->need_grad, err);
    }
    if (st == SGDI_OK) st = write_nnp(path, network, size, &params, err);
    free(network);
    sgdi_param_list_free(&params);
    return st;
}
