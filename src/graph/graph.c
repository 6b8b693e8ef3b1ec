/*
 * graph.c — building a graph: variables, parameters, nodes with shapes
 * inferred by each operator.
 */
#include "graph/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

// Products of dimensions beyond this are refused: no tensor of ours is larger.
static const int64_t MAX_TENSOR_ELEMENTS = (int64_t)1 << 40;

void sgdi_graph_init(sgdi_graph *g) {
    memset(g, 0, sizeof *g);
    g->input_var = g->target_var = g->loss_var = -1;
}

void sgdi_graph_free(sgdi_graph *g) {
    if (!g) return;
    free(g->vars);
    free(g->nodes);
    sgdi_graph_init(g);
}

static bool shape_count(sgdi_shape shape, int64_t *count) {
    int64_t n = 1;
    if (shape.ndim < 0 || shape.ndim > SGDI_MAX_DIMS) return false;
    for (int d = 0; d < shape.ndim; d++)
        if (shape.dim[d] < 1 || !sgdi_mul_i64(n, shape.dim[d], &n) || n > MAX_TENSOR_ELEMENTS)
            return false;
    *count = n;
    return true;
}

static int add_var(sgdi_graph *g, const char *name, sgdi_shape shape, bool is_param,
                   sgdi_error *err) {
    int64_t count;
    if (strlen(name) >= SGDI_VAR_NAME_MAX) {
        sgdi_fail(err, SGDI_ERR_FORMAT, "variable '%.64s...': name longer than %d bytes", name,
                  SGDI_VAR_NAME_MAX - 1);
        return -1;
    }
    if (!shape_count(shape, &count)) {
        sgdi_fail(err, SGDI_ERR_FORMAT, "variable '%s': invalid or too large shape", name);
        return -1;
    }
    if (g->n_vars == g->cap_vars) {
        int cap = g->cap_vars ? 2 * g->cap_vars : 16;
        sgdi_var *vars = realloc(g->vars, (size_t)cap * sizeof *vars);
        if (!vars) {
            sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory building the network");
            return -1;
        }
        g->vars = vars;
        g->cap_vars = cap;
    }
    sgdi_var *v = &g->vars[g->n_vars];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    v->shape = shape;
    v->count = count;
    v->is_param = is_param;
    if (is_param) {
        v->param_offset = g->n_params;
        if (g->n_params > MAX_TENSOR_ELEMENTS - count) {
            sgdi_fail(err, SGDI_ERR_FORMAT, "too many parameters at '%s'", name);
            return -1;
        }
        g->n_params += count;
    }
    return g->n_vars++;
}

int sgdi_graph_add_data(sgdi_graph *g, const char *name, sgdi_shape shape, sgdi_error *err) {
    return add_var(g, name, shape, false, err);
}

int sgdi_graph_add_param(sgdi_graph *g, const char *name, sgdi_shape shape, sgdi_error *err) {
    return add_var(g, name, shape, true, err);
}

int sgdi_graph_apply(sgdi_graph *g, sgdi_op_kind op, const sgdi_op_attr *attr, const int *inputs,
                     int n_inputs, const char *name, sgdi_error *err) {
    const sgdi_op_def *def = &sgdi_op_table[op];
    if (n_inputs < def->min_inputs || n_inputs > def->max_inputs || def->n_outputs != 1) {
        sgdi_fail(err, SGDI_ERR_FORMAT, "%s '%s': takes %d to %d inputs, got %d", def->name, name,
                  def->min_inputs, def->max_inputs, n_inputs);
        return -1;
    }
    sgdi_shape in_shapes[SGDI_MAX_PORTS];
    bool in_batched[SGDI_MAX_PORTS];
    for (int k = 0; k < n_inputs; k++) {
        in_shapes[k] = g->vars[inputs[k]].shape;
        in_batched[k] = !g->vars[inputs[k]].is_param;
    }
    sgdi_shape out_shape = {0};
    char reason[256] = "";
    if (def->infer_shape(attr, in_shapes, in_batched, n_inputs, &out_shape, 1, reason,
                         sizeof reason) != SGDI_OK) {
        sgdi_fail(err, SGDI_ERR_FORMAT, "%s '%s': %s", def->name, name, reason);
        return -1;
    }
    int out = add_var(g, name, out_shape, false, err);
    if (out < 0) return -1;
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 16;
        sgdi_node *nodes = realloc(g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes) {
            sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory building the network");
            return -1;
        }
        g->nodes = nodes;
        g->cap_nodes = cap;
    }
    sgdi_node *node = &g->nodes[g->n_nodes++];
    memset(node, 0, sizeof *node);
    node->op = op;
    node->attr = attr ? *attr : (sgdi_op_attr){0};
    node->n_in = n_inputs;
    node->n_out = 1;
    memcpy(node->in, inputs, (size_t)n_inputs * sizeof *inputs);
    node->out[0] = out;
    return out;
}
