/*
 * builtin.h — the networks used when no model file is given, and the
 * initialisation of their parameters.
 */
#ifndef SGDI_GRAPH_BUILTIN_H
#define SGDI_GRAPH_BUILTIN_H

#include "graph/graph.h"

// Builds opt->network (logreg, mlp or cnn; not auto) for samples of per-sample
// shape `sample` ((F) for tables, (C, H, W) for images) and `classes` classes into
// `g` (initialised empty by the caller). See docs/ARCHITECTURE.md for layouts.
sgdi_status sgdi_build_network(const sgdi_options *opt, sgdi_shape sample, int32_t classes,
                               sgdi_graph *g, sgdi_error *err);

// *out = per-parameter step multipliers [P]: 0 for fixed parameters (running
// statistics), 1 for the others; NULL when no parameter is fixed. Caller frees.
sgdi_status sgdi_graph_lr_mult(const sgdi_graph *g, float **out, sgdi_error *err);

// theta[P] = the initial parameters for `seed`: each parameter tensor k
// (in graph order) uniform in [-limit, limit) from Philox stream INIT | k.
void sgdi_init_parameters(const sgdi_graph *g, uint64_t seed, float *theta);

#endif // SGDI_GRAPH_BUILTIN_H
