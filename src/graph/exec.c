/*
 * exec.c — forward, tangent, backward and tangent-backward sweeps over the
 * nodes of a graph, calling the operators of src/ops through the op table.
 *
 * The executor runs its own copy of the graph's nodes, in which a BatchNormalization or a
 * MaxPooling whose output only a ReLU reads is fused with it (SGDI_OP_BATCH_NORMALIZATION_RELU,
 * SGDI_OP_MAX_POOLING_RELU): one pass over the activations each way instead of two, and no
 * buffers for the variable between them. The fused operator gives the pair's bytes
 * (batch_normalization.c, pooling.c); the graph, and what is saved from it, keep the two
 * nodes.
 *
 * All batched buffers are one arena: two regions of adjoints (adj, then adj_tan laid out
 * alike), then each variable's value and tangent. Values and tangents each keep their own
 * floats: the backward reads what the forward wrote. Adjoints take turns: a variable's
 * adjoint holds something only from its first writer to its last reader in the backward
 * sweep, and variables whose spans do not overlap share floats (exec_liveness.c), so each
 * region is the peak of live adjoints rather than their sum. Memory touched for the first
 * time can be slow (a VM whose host has not backed it yet: about 3 ms per MB), and an
 * adjoint with floats of its own is out of cache whenever the sweep reaches it; shared
 * floats were in use a few nodes before (touched already, and more often still in cache).
 * For the built-in CNN at batch 64 the arena was 157.4 MB, half of it adjoints; it is
 * 104.3 MB now, 2 x 12.8 MB of it adjoints. Nothing reads an adjoint after the sweep (the
 * input has none): one that a caller read would need floats of its own.
 */
#include "graph/exec.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "graph/exec_liveness.h"
#include "util/error.h"
#include "util/large_alloc.h"

// The doubles node n keeps between the directions of a pass (its op's saved_len()).
static int64_t node_saved_len(const sgdi_graph *g, int n) {
    const sgdi_node *node = &g->nodes[n]; // a fused node keeps what its first op keeps
    const sgdi_op_def *def = &sgdi_op_table[node->op];
    if (!def->saved_len) return 0;
    sgdi_shape in[SGDI_MAX_PORTS];
    for (int k = 0; k < node->n_in; k++) in[k] = g->vars[node->in[k]].shape;
    return def->saved_len(&node->attr, in, node->n_in);
}

// How many node inputs read each variable: reads[n_vars].
static void count_reads(const sgdi_graph *g, int *reads) {
    for (int n = 0; n < g->n_nodes; n++)
        for (int k = 0; k < g->nodes[n].n_in; k++) reads[g->nodes[n].in[k]]++;
}

// The pairs the executor fuses: a `head` node whose output only a `tail` node reads runs
// as `fused`, with the head's inputs and attributes and the tail's output.
static const struct {
    sgdi_op_kind head, tail, fused;
} FUSED_PAIRS[] = {
    {SGDI_OP_BATCH_NORMALIZATION, SGDI_OP_RELU, SGDI_OP_BATCH_NORMALIZATION_RELU},
    {SGDI_OP_MAX_POOLING, SGDI_OP_RELU, SGDI_OP_MAX_POOLING_RELU},
};

// The kind a `head` node and the `tail` node reading its output fuse into, or SGDI_OP_COUNT.
static sgdi_op_kind fused_kind(sgdi_op_kind head, sgdi_op_kind tail) {
    for (size_t k = 0; k < sizeof FUSED_PAIRS / sizeof FUSED_PAIRS[0]; k++)
        if (FUSED_PAIRS[k].head == head && FUSED_PAIRS[k].tail == tail) return FUSED_PAIRS[k].fused;
    return SGDI_OP_COUNT;
}

// The executor's nodes: the graph's, with each head of a pair (FUSED_PAIRS) whose output
// only the pair's tail reads (and nobody else: not the loss, not a prediction) running as
// the fused kind and writing the tail's output, the tail left out (skip[m]), the variable
// between them elided[v] (no buffers).
static bool fuse_nodes(sgdi_exec *ex, bool fuse) {
    const sgdi_graph *g = ex->graph;
    ex->nodes = malloc((size_t)(g->n_nodes > 0 ? g->n_nodes : 1) * sizeof *ex->nodes);
    ex->skip = calloc((size_t)g->n_nodes + 1, sizeof *ex->skip);
    ex->elided = calloc((size_t)g->n_vars + 1, sizeof *ex->elided);
    int *reads = calloc((size_t)g->n_vars + 1, sizeof *reads);
    if (!ex->nodes || !ex->skip || !ex->elided || !reads) {
        free(reads);
        return false;
    }
    memcpy(ex->nodes, g->nodes, (size_t)g->n_nodes * sizeof *ex->nodes);
    count_reads(g, reads);
    for (int n = 0; fuse && n < g->n_nodes; n++) {
        sgdi_node *head = &ex->nodes[n];
        int v = head->out[0];
        // a tail already fused into the node before it heads nothing
        if (ex->skip[n] || reads[v] != 1 || v == g->loss_var) continue;
        for (int m = n + 1; m < g->n_nodes; m++) {
            const sgdi_node *tail = &g->nodes[m];
            if (tail->n_in < 1 || tail->in[0] != v) continue;
            sgdi_op_kind fused = fused_kind(head->op, tail->op);
            if (fused != SGDI_OP_COUNT) {
                head->op = fused;
                head->out[0] = tail->out[0];
                ex->skip[m] = true;
                ex->elided[v] = true;
            }
            break;
        }
    }
    free(reads);
    return true;
}

// Elements node n asks for through `size` (its op's workspace() or cache_len(), NULL: none)
// at its ports' shapes and `batch`; 0 for a node run inside a fused one.
static int64_t node_len(const sgdi_exec *ex, int n, sgdi_workspace_fn size, int64_t batch) {
    const sgdi_graph *g = ex->graph;
    const sgdi_node *node = &ex->nodes[n];
    if (ex->skip[n] || !size) return 0;
    sgdi_shape in[SGDI_MAX_PORTS], out[SGDI_MAX_PORTS];
    for (int k = 0; k < node->n_in; k++) in[k] = g->vars[node->in[k]].shape;
    for (int k = 0; k < node->n_out; k++) out[k] = g->vars[node->out[k]].shape;
    return size(&node->attr, in, node->n_in, out, batch);
}

// The elements of node n's cache (its op's cache_len()).
static int64_t node_cache_len(const sgdi_exec *ex, int n) {
    return node_len(ex, n, sgdi_op_table[ex->nodes[n].op].cache_len, 1);
}

// The nodes' caches, in one block left untouched (malloc, not calloc) until a pass with a
// parameter version fills them: passes without one never pay for their pages.
static bool alloc_caches(sgdi_exec *ex) {
    const sgdi_graph *g = ex->graph;
    ex->caches = calloc((size_t)g->n_nodes + 1, sizeof *ex->caches);
    if (!ex->caches) return false;
    int64_t total = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        int64_t len = node_cache_len(ex, n);
        if (len > INT64_MAX / (int64_t)sizeof(sgdi_real) - total) return false;
        total += len;
    }
    if (total == 0) return true;
    ex->cache_arena = sgdi_alloc_array(total, sizeof(sgdi_real));
    if (!ex->cache_arena) return false;
    sgdi_real *c = ex->cache_arena;
    for (int n = 0; n < g->n_nodes; n++) {
        int64_t len = node_cache_len(ex, n);
        if (len > 0) ex->caches[n].data = c, c += len;
    }
    return true;
}

sgdi_status sgdi_exec_init(sgdi_exec *ex, const sgdi_graph *g, int64_t max_batch, sgdi_error *err) {
    return sgdi_exec_init_flags(ex, g, max_batch, SGDI_EXEC_DEFAULT, err);
}

sgdi_status sgdi_exec_init_fused(sgdi_exec *ex, const sgdi_graph *g, int64_t max_batch, bool fuse,
                                 sgdi_error *err) {
    unsigned flags = fuse ? SGDI_EXEC_DEFAULT : SGDI_EXEC_SHARE_ADJOINTS;
    return sgdi_exec_init_flags(ex, g, max_batch, flags, err);
}

// The arena: the shared adjoints, their tangents laid out the same, then every variable's
// value and tangent. Sets ex->arena_len and ex->adj_len; adj_offset[v] < 0: no adjoint.
static sgdi_status size_arena(sgdi_exec *ex, bool share, int64_t *adj_offset, sgdi_error *err) {
    const sgdi_graph *g = ex->graph;
    sgdi_status st = sgdi_exec_place_adjoints(g, ex->nodes, ex->skip, ex->elided, ex->max_batch,
                                              share, adj_offset, &ex->adj_len, err);
    if (st != SGDI_OK) return st;
    int64_t total = 2 * ex->adj_len; // no overflow: adj_len <= the sum of the variables' sizes
    for (int v = 0; v < g->n_vars; v++) {
        int64_t n;
        if (g->vars[v].is_param || ex->elided[v]) continue;
        if (!sgdi_mul_i64(g->vars[v].count, ex->max_batch, &n) || !sgdi_mul_i64(n, 2, &n) ||
            total > INT64_MAX - n)
            return sgdi_fail(err, SGDI_ERR_NOMEM, "network buffers too large for batch %lld",
                             (long long)ex->max_batch);
        total += n;
    }
    ex->arena_len = total;
    return SGDI_OK;
}

sgdi_status sgdi_exec_init_flags(sgdi_exec *ex, const sgdi_graph *g, int64_t max_batch,
                                 unsigned flags, sgdi_error *err) {
    memset(ex, 0, sizeof *ex);
    ex->graph = g;
    ex->max_batch = max_batch;
    int64_t *adj_offset = malloc((size_t)(g->n_vars > 0 ? g->n_vars : 1) * sizeof *adj_offset);
    if (!adj_offset || !fuse_nodes(ex, flags & SGDI_EXEC_FUSE)) {
        free(adj_offset);
        sgdi_exec_free(ex);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the network's nodes");
    }
    sgdi_status st = size_arena(ex, flags & SGDI_EXEC_SHARE_ADJOINTS, adj_offset, err);
    if (st != SGDI_OK) {
        free(adj_offset);
        sgdi_exec_free(ex);
        return st;
    }
    ex->arena = sgdi_calloc_large(ex->arena_len > 0 ? ex->arena_len : 1, sizeof(float));
    ex->val = calloc((size_t)g->n_vars, sizeof *ex->val);
    ex->tan = calloc((size_t)g->n_vars, sizeof *ex->tan);
    ex->adj = calloc((size_t)g->n_vars, sizeof *ex->adj);
    ex->adj_tan = calloc((size_t)g->n_vars, sizeof *ex->adj_tan);
    ex->has_tan = calloc((size_t)g->n_vars, sizeof *ex->has_tan);
    ex->adj_zeroed = calloc((size_t)g->n_vars, sizeof *ex->adj_zeroed);
    ex->ports = calloc(2 * SGDI_MAX_PORTS, sizeof *ex->ports);
    int64_t work = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        int64_t w = node_len(ex, n, sgdi_op_table[ex->nodes[n].op].workspace, max_batch);
        if (w > work) work = w;
    }
    ex->work = work > 0 ? sgdi_calloc_large(work, sizeof(float)) : NULL;
    ex->work_len = work;
    int64_t saved_total = 0;
    ex->saved = calloc((size_t)g->n_nodes + 1, sizeof *ex->saved);
    for (int n = 0; n < g->n_nodes; n++)
        if (!ex->skip[n]) saved_total += node_saved_len(g, n);
    ex->saved_arena = saved_total > 0 ? sgdi_calloc_array(saved_total, sizeof(double)) : NULL;
    if (!ex->arena || !ex->val || !ex->tan || !ex->adj || !ex->adj_tan || !ex->has_tan ||
        !ex->adj_zeroed || !ex->ports || (work > 0 && !ex->work) || !ex->saved ||
        (saved_total > 0 && !ex->saved_arena)) {
        free(adj_offset);
        sgdi_exec_free(ex);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the network buffers");
    }
    float *adj = ex->arena, *adj_tan = adj + ex->adj_len, *p = adj_tan + ex->adj_len;
    for (int v = 0; v < g->n_vars; v++) {
        if (g->vars[v].is_param || ex->elided[v]) continue;
        int64_t n = g->vars[v].count * max_batch;
        ex->val[v] = p, p += n;
        ex->tan[v] = p, p += n;
        if (adj_offset[v] < 0) continue;
        ex->adj[v] = adj + adj_offset[v];
        ex->adj_tan[v] = adj_tan + adj_offset[v];
    }
    free(adj_offset);
    double *q = ex->saved_arena;
    for (int n = 0; n < g->n_nodes; n++) {
        int64_t len = ex->skip[n] ? 0 : node_saved_len(g, n);
        if (len > 0) ex->saved[n] = q, q += len;
    }
    if (!alloc_caches(ex)) {
        sgdi_exec_free(ex);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the operators' caches");
    }
    return SGDI_OK;
}

uint64_t sgdi_exec_theta_version(sgdi_exec *ex) {
    return ++ex->last_version;
}

float *sgdi_exec_input(sgdi_exec *ex) {
    return ex->val[ex->graph->input_var];
}
float *sgdi_exec_target(sgdi_exec *ex) {
    return ex->val[ex->graph->target_var];
}

void sgdi_exec_free(sgdi_exec *ex) {
    if (!ex) return;
    free(ex->arena);
    free(ex->val);
    free(ex->tan);
    free(ex->adj);
    free(ex->adj_tan);
    free(ex->has_tan);
    free(ex->adj_zeroed);
    free(ex->ports);
    free(ex->work);
    free(ex->saved_arena);
    free(ex->saved);
    free(ex->cache_arena);
    free(ex->caches);
    free(ex->nodes);
    free(ex->skip);
    free(ex->elided);
    memset(ex, 0, sizeof *ex);
}

// --- Ports ---------------------------------------------------------------------------

typedef enum { SWEEP_FORWARD, SWEEP_BACKWARD } sweep;

// The port of variable v for this pass. Parameters point into the pass's flat
// vectors; batched variables into the executor's buffers. Inputs that are
// data (x, y) or targets get no adjoint.
static sgdi_port make_port(const sgdi_exec *ex, const sgdi_pass *pass, int v, bool is_target,
                           sweep s) {
    const sgdi_var *var = &ex->graph->vars[v];
    sgdi_port port = {.shape = var->shape, .count = var->count, .batched = !var->is_param};
    if (var->is_param) {
        int64_t o = var->param_offset;
        port.val = (float *)pass->theta + o;
        port.tan = pass->direction ? (float *)pass->direction + o : NULL;
        if (s == SWEEP_BACKWARD) {
            port.adj = pass->grad ? pass->grad + o : NULL;
            port.adj_tan = pass->hvp ? pass->hvp + o : NULL;
        }
        return port;
    }
    bool is_data = v == ex->graph->input_var || v == ex->graph->target_var;
    port.val = ex->val[v];
    port.tan = ex->has_tan[v] ? ex->tan[v] : NULL;
    if (s == SWEEP_BACKWARD && !is_data && !is_target) {
        port.adj = ex->adj[v];
        port.adj_tan = pass->hvp ? ex->adj_tan[v] : NULL;
    }
    return port;
}

static void bind_node(sgdi_exec *ex, const sgdi_pass *pass, const sgdi_node *node, sweep s,
                      sgdi_op_call *call) {
    const sgdi_op_def *def = &sgdi_op_table[node->op];
    sgdi_port *in = ex->ports, *out = ex->ports + SGDI_MAX_PORTS;
    for (int k = 0; k < node->n_in; k++)
        in[k] = make_port(ex, pass, node->in[k], (def->target_inputs >> k) & 1u, s);
    for (int k = 0; k < node->n_out; k++) out[k] = make_port(ex, pass, node->out[k], false, s);
    *call = (sgdi_op_call){
        .attr = &node->attr,
        .ctx = &pass->ctx,
        .in = in,
        .n_in = node->n_in,
        .out = out,
        .n_out = node->n_out,
        .batch = pass->batch,
        .work = ex->work,
        .work_len = ex->work_len,
        .saved = ex->saved[node - ex->nodes],
        .cache = ex->caches[node - ex->nodes].data ? &ex->caches[node - ex->nodes] : NULL,
        .theta_version = pass->theta_version};
}

// --- Sweeps --------------------------------------------------------------------------

// The clock for ex->node_seconds, 0 when nobody reads it.
static double node_clock(const sgdi_exec *ex) {
    return ex->node_seconds ? omp_get_wtime() : 0.0;
}

// Adds the time since `start` to slot k of ex->node_seconds, if it is set.
static void node_clock_add(sgdi_exec *ex, int64_t k, double start) {
    if (ex->node_seconds) ex->node_seconds[k] += omp_get_wtime() - start;
}

// Runs node n's forward (and tangent forward when an input carries a tangent).
static void forward_node(sgdi_exec *ex, const sgdi_pass *pass, int n) {
    const sgdi_node *node = &ex->nodes[n];
    const sgdi_op_def *def = &sgdi_op_table[node->op];
    sgdi_op_call call;
    bind_node(ex, pass, node, SWEEP_FORWARD, &call);
    bool any_tangent = false;
    for (int k = 0; k < node->n_in; k++)
        if (!((def->target_inputs >> k) & 1u) && ex->has_tan[node->in[k]]) any_tangent = true;
    if (!any_tangent) {
        def->forward(&call);
        return;
    }
    for (int k = 0; k < node->n_out; k++) {
        ex->has_tan[node->out[k]] = true;
        call.out[k].tan = ex->tan[node->out[k]];
    }
    if (def->forward_with_tangent) {
        def->forward_with_tangent(&call);
        return;
    }
    def->forward(&call);
    def->tangent_forward(&call);
}

void sgdi_exec_forward(sgdi_exec *ex, const sgdi_pass *pass) {
    const sgdi_graph *g = ex->graph;
    int64_t features = g->vars[g->input_var].count;
    // Callers that gather their batch straight into sgdi_exec_input() need no copy.
    if (pass->x != ex->val[g->input_var])
        memcpy(ex->val[g->input_var], pass->x, (size_t)(pass->batch * features) * sizeof(float));
    if (pass->target != ex->val[g->target_var])
        memcpy(ex->val[g->target_var], pass->target, (size_t)pass->batch * sizeof(float));
    memset(ex->has_tan, 0, (size_t)g->n_vars * sizeof *ex->has_tan);
    for (int v = 0; v < g->n_vars; v++)
        if (g->vars[v].is_param) ex->has_tan[v] = pass->direction != NULL;

    for (int n = 0; n < g->n_nodes; n++) {
        if (ex->skip[n]) continue;
        double start = node_clock(ex);
        forward_node(ex, pass, n);
        node_clock_add(ex, n, start);
    }

    int64_t per_sample = g->vars[g->loss_var].count;
    const float *loss = ex->val[g->loss_var];
    const float *loss_tan = ex->has_tan[g->loss_var] ? ex->tan[g->loss_var] : NULL;
    for (int64_t i = 0; i < pass->batch; i++) {
        double sum = 0.0, tsum = 0.0;
        for (int64_t e = 0; e < per_sample; e++) {
            sum += loss[i * per_sample + e];
            if (loss_tan) tsum += loss_tan[i * per_sample + e];
        }
        if (pass->sample_loss) pass->sample_loss[i] = sum / (double)per_sample;
        if (pass->sample_tangent) pass->sample_tangent[i] = tsum / (double)per_sample;
    }
}

// buf[n] = 0, split over the threads: a batch's activations are megabytes, and one thread
// clearing them while the other waits was 4 % of a CNN step.
static void zero_floats(float *buf, int64_t n) {
    enum { PIECE = 1 << 14 }; // floats per task
    int64_t pieces = (n + PIECE - 1) / PIECE;
#pragma omp parallel for schedule(static) if (pieces > 1)
    for (int64_t k = 0; k < pieces; k++) {
        int64_t len = n - k * PIECE < PIECE ? n - k * PIECE : PIECE;
        memset(buf + k * PIECE, 0, (size_t)len * sizeof *buf);
    }
}

// Zeroes v's adjoint (and adjoint tangent) the first time a kernel is about to add into
// or read it in this pass. Zeroing just before the first writer, rather than every
// buffer up front, leaves the cleared lines in cache for the kernel that adds into them.
static void zero_adjoint_once(sgdi_exec *ex, const sgdi_pass *pass, int v) {
    const sgdi_graph *g = ex->graph;
    bool *zeroed = ex->adj_zeroed;
    // Data (x, y) and parameters get no adjoint buffer of ours to clear.
    if (zeroed[v] || g->vars[v].is_param || v == g->input_var || v == g->target_var) return;
    int64_t n = g->vars[v].count * pass->batch;
    zero_floats(ex->adj[v], n);
    if (pass->hvp) zero_floats(ex->adj_tan[v], n);
    zeroed[v] = true;
}

// Runs node n's backward (and the tangent of its backward when an adjoint tangent is
// wanted), clearing or marking fresh the adjoints it writes.
static void backward_node(sgdi_exec *ex, const sgdi_pass *pass, int n) {
    const sgdi_graph *g = ex->graph;
    const sgdi_node *node = &ex->nodes[n];
    const sgdi_op_def *def = &sgdi_op_table[node->op];
    sgdi_op_call call;
    bind_node(ex, pass, node, SWEEP_BACKWARD, &call);
    bool wants_adj = false, wants_adj_tan = false;
    for (int k = 0; k < node->n_in; k++) {
        wants_adj |= call.in[k].adj != NULL;
        wants_adj_tan |= call.in[k].adj_tan != NULL;
    }
    if (!wants_adj && !wants_adj_tan) return;
    // An output nobody consumed still reads as zero; inputs are added into.
    for (int k = 0; k < node->n_out; k++) zero_adjoint_once(ex, pass, node->out[k]);
    for (int k = 0; k < node->n_in; k++) {
        int v = node->in[k];
        if (!call.in[k].adj) continue;
        // The first writer of a batched adjoint assigns it, if it can: clearing the
        // buffer first was a pass over it for nothing.
        if (def->assigns_fresh_adjoint && call.in[k].batched && !ex->adj_zeroed[v]) {
            call.in[k].adj_fresh = true;
            ex->adj_zeroed[v] = true;
            continue;
        }
        zero_adjoint_once(ex, pass, v);
    }
    if (node->out[0] == g->loss_var) call.out[0].adj_tan = NULL; // zero seed tangent
    if (wants_adj && wants_adj_tan && def->backward_with_tangent) {
        def->backward_with_tangent(&call);
        return;
    }
    if (wants_adj) def->backward(&call);
    if (wants_adj_tan) def->tangent_backward(&call);
}

void sgdi_exec_backward(sgdi_exec *ex, const sgdi_pass *pass) {
    const sgdi_graph *g = ex->graph;
    memset(ex->adj_zeroed, 0, (size_t)g->n_vars * sizeof *ex->adj_zeroed);
    // Seed: dL/dloss[i][e] = scale * w_i / per_sample; its tangent is zero.
    zero_adjoint_once(ex, pass, g->loss_var);
    int64_t per_sample = g->vars[g->loss_var].count;
    float *seed = ex->adj[g->loss_var];
    for (int64_t i = 0; i < pass->batch; i++) {
        double w = pass->weights ? pass->weights[i] : 1.0;
        float s = (float)(pass->scale * w / (double)per_sample);
        for (int64_t e = 0; e < per_sample; e++) seed[i * per_sample + e] = s;
    }

    for (int n = g->n_nodes - 1; n >= 0; n--) {
        if (ex->skip[n]) continue;
        double start = node_clock(ex);
        backward_node(ex, pass, n);
        node_clock_add(ex, g->n_nodes + n, start);
    }
}

// --- Running state -------------------------------------------------------------------

bool sgdi_graph_has_state_ops(const sgdi_graph *g) {
    for (int n = 0; n < g->n_nodes; n++)
        if (sgdi_op_table[g->nodes[n].op].update_state) return true;
    return false;
}

void sgdi_exec_update_state(sgdi_exec *ex, const sgdi_pass *pass, float *theta_next) {
    const sgdi_graph *g = ex->graph;
    // The same ports as the forward pass, but parameters read and written in theta_next.
    sgdi_pass next = *pass;
    next.theta = theta_next;
    next.direction = NULL;
    next.theta_version = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        const sgdi_node *node = &ex->nodes[n];
        const sgdi_op_def *def = &sgdi_op_table[node->op];
        if (ex->skip[n] || !def->update_state) continue;
        sgdi_op_call call;
        bind_node(ex, &next, node, SWEEP_FORWARD, &call);
        def->update_state(&call);
    }
}
