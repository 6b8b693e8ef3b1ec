/*
 * exec.h — running a graph over one batch.
 *
 * One executor holds the buffers of every batched variable (value, tangent,
 * adjoint, adjoint tangent) for up to max_batch samples, allocated once; variables
 * whose adjoints are not needed at the same time in a backward sweep share them.
 * Parameters are never copied: their ports point into the caller's flat
 * vectors (theta, direction, grad, hvp).
 *
 * The batch loss is L = scale * sum_i w_i l_i, where l_i is sample i's loss
 * (the mean of the loss variable's elements of that sample).
 */
#ifndef SGDI_GRAPH_EXEC_H
#define SGDI_GRAPH_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/graph.h"

typedef struct sgdi_exec {
    const sgdi_graph *graph;
    int64_t max_batch;
    float *arena;      // all batched buffers (see exec.c for their layout)
    int64_t arena_len; // its length in floats
    int64_t adj_len;   // floats of its adjoints, and again of their tangents (shared: exec.c)
    float **val;       // [n_vars] batched buffers (NULL for parameters)
    float **tan;
    // Adjoints (NULL also for data x, y): v's holds v's only from its first writer to its
    // last reader in a backward sweep; other variables' use the same floats outside that.
    float **adj;
    float **adj_tan;
    bool *has_tan;          // [n_vars] tangent non-zero in the last forward pass
    bool *adj_zeroed;       // [n_vars] cleared, or left to a fresh writer, in this backward pass
    sgdi_port *ports;       // scratch for one node's ports
    float *work;            // operator scratch: the largest workspace() of any node
    int64_t work_len;       // its length in elements
    sgdi_node *nodes;       // [n_nodes] the graph's nodes as run: fused pairs (see exec.c)
    bool *skip;             // [n_nodes] a node run as part of an earlier fused node
    bool *elided;           // [n_vars] a variable inside a fused pair: no buffers (NULL)
    double *saved_arena;    // every node's saved_len() doubles
    double **saved;         // [n_nodes] a node's part of it (NULL: keeps nothing)
    sgdi_real *cache_arena; // every node's cache_len() elements (touched only when used)
    sgdi_op_cache *caches;  // [n_nodes] a node's cache (data NULL: none)
    uint64_t last_version;  // the last parameter version handed out
    // NULL (sgdi_exec_init's choice), or a caller's array of 2 n_nodes seconds: each
    // sweep then adds the wall time of node n's forward into [n] and of its backward into
    // [n_nodes + n] (bench_cnn's per-layer table); the clock is read twice per node.
    double *node_seconds;
} sgdi_exec;

typedef struct sgdi_pass {
    int64_t batch;
    const float *x;         // [batch][features]
    const float *target;    // [batch] labels
    const float *weights;   // [batch] per-sample weights, NULL = all 1
    double scale;           // L = scale * sum_i w_i l_i
    const float *theta;     // [P]
    const float *direction; // [P] tangent direction v, NULL = no tangent pass
    float *grad;            // [P] += dL/dtheta, NULL = not wanted
    float *hvp;             // [P] += (d^2 L/dtheta^2) v, NULL = not wanted
    double *sample_loss;    // [batch] out: l_i, NULL = not wanted
    double *sample_tangent; // [batch] out: <grad l_i, v>, NULL = not wanted
    // 0, or a version from sgdi_exec_theta_version(): the caller promises that every pass
    // with this version has the same theta values, and operators keep what they derive
    // from them (a convolution's transformed kernels) for the next such pass.
    uint64_t theta_version;
    sgdi_exec_ctx ctx;
} sgdi_pass;

sgdi_status sgdi_exec_init(sgdi_exec *ex, const sgdi_graph *g, int64_t max_batch, sgdi_error *err);
// sgdi_exec_init with or without fusing operator pairs (with: the same results, faster;
// without: every node of the graph runs as itself, which tests compare against).
sgdi_status sgdi_exec_init_fused(sgdi_exec *ex, const sgdi_graph *g, int64_t max_batch, bool fuse,
                                 sgdi_error *err);
// What sgdi_exec_init_flags may do besides running the graph as it is: both are the same
// results (bytes), faster or smaller; tests turn them off to compare against.
typedef enum sgdi_exec_flags {
    SGDI_EXEC_FUSE = 1u << 0,           // operator pairs fused (exec.c)
    SGDI_EXEC_SHARE_ADJOINTS = 1u << 1, // adjoints whose live spans do not overlap share floats
    SGDI_EXEC_DEFAULT = SGDI_EXEC_FUSE | SGDI_EXEC_SHARE_ADJOINTS,
} sgdi_exec_flags;
sgdi_status sgdi_exec_init_flags(sgdi_exec *ex, const sgdi_graph *g, int64_t max_batch,
                                 unsigned flags, sgdi_error *err);
void sgdi_exec_free(sgdi_exec *ex);

// The executor's own buffers for the features [max_batch][F] and labels
// [max_batch]: a pass whose x / target point here is not copied.
float *sgdi_exec_input(sgdi_exec *ex);
float *sgdi_exec_target(sgdi_exec *ex);

// Forward pass (and tangent pass if pass->direction): fills sample_loss and
// sample_tangent.
void sgdi_exec_forward(sgdi_exec *ex, const sgdi_pass *pass);

// Backward pass (and its tangent if pass->hvp) after sgdi_exec_forward with
// the same pass (operators read what that forward saved): adds into pass->grad
// and pass->hvp.
void sgdi_exec_backward(sgdi_exec *ex, const sgdi_pass *pass);

// After a training sgdi_exec_forward with the same pass: operators with running
// state (BatchNormalization) update it in theta_next, in place (the solver left
// those parameters as they were). Does nothing for graphs without such operators.
void sgdi_exec_update_state(sgdi_exec *ex, const sgdi_pass *pass, float *theta_next);

// A new parameter version (never 0, never handed out before by this executor), for a
// caller about to run several passes at the same theta (sgdi_pass.theta_version).
uint64_t sgdi_exec_theta_version(sgdi_exec *ex);

// Whether the graph has operators with running state.
bool sgdi_graph_has_state_ops(const sgdi_graph *g);

#endif // SGDI_GRAPH_EXEC_H
