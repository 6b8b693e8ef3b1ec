/*
 * graph.h — a network as the engine runs it: variables (batched activations
 * and data, or parameters that are slices of one flat vector theta) and
 * nodes (operators from src/ops) in execution order.
 *
 * Built by src/graph/builtin.c today; a graph read from a .nnp file plugs in
 * through the same builder.
 */
#ifndef SGDI_GRAPH_GRAPH_H
#define SGDI_GRAPH_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"
#include "sgdi.h"

enum { SGDI_VAR_NAME_MAX = 256 }; // longer names are refused, never truncated

typedef struct sgdi_var {
    char name[SGDI_VAR_NAME_MAX];
    sgdi_shape shape; // per-sample shape (batched) or full shape (parameter)
    int64_t count;    // product of shape
    bool is_param;
    int64_t param_offset; // where the parameter starts in theta
    double init_limit;    // parameters: initialised uniform in [-limit, limit), 0 = constant
    double init_value;    // parameters with init_limit 0: every element (gamma 1, beta 0)
    bool fixed;           // parameters never trained (running statistics): multiplier 0
} sgdi_var;

typedef struct sgdi_node {
    sgdi_op_kind op;
    sgdi_op_attr attr;
    int n_in;
    int n_out;
    int in[SGDI_MAX_PORTS]; // variable indices
    int out[SGDI_MAX_PORTS];
} sgdi_node;

typedef struct sgdi_graph {
    sgdi_var *vars;
    int n_vars;
    int cap_vars;
    sgdi_node *nodes;
    int n_nodes;
    int cap_nodes;
    int input_var;    // features x: batched
    int target_var;   // label y: batched, one element per sample
    int loss_var;     // per-sample loss: batched
    int64_t n_params; // P, the length of theta
    int n_dropout;    // Dropout operators so far (their rng streams)
} sgdi_graph;

void sgdi_graph_init(sgdi_graph *g);
void sgdi_graph_free(sgdi_graph *g);

// Adds a batched data variable with per-sample shape `shape`; returns its
// index, or -1 (with err set) on failure.
int sgdi_graph_add_data(sgdi_graph *g, const char *name, sgdi_shape shape, sgdi_error *err);

// Adds a parameter of `shape` at the end of theta; returns its index or -1.
int sgdi_graph_add_param(sgdi_graph *g, const char *name, sgdi_shape shape, sgdi_error *err);

// Appends a node applying `op` to `inputs`, creates its single output
// variable `name` with the inferred shape; returns the output's index or -1.
int sgdi_graph_apply(sgdi_graph *g, sgdi_op_kind op, const sgdi_op_attr *attr, const int *inputs,
                     int n_inputs, const char *name, sgdi_error *err);

static inline sgdi_shape sgdi_shape1(int64_t d0) {
    return (sgdi_shape){1, {d0}};
}
static inline sgdi_shape sgdi_shape2(int64_t d0, int64_t d1) {
    return (sgdi_shape){2, {d0, d1}};
}
static inline sgdi_shape sgdi_shape4(int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    return (sgdi_shape){4, {d0, d1, d2, d3}};
}

#endif // SGDI_GRAPH_GRAPH_H
