/*
 * test_exec_liveness.c — the executor's adjoints sharing floats (exec_liveness.c):
 *   - a graph with branches and skip connections (variables read by several nodes, one
 *     far later; a variable nobody reads; data the graph does not produce) gives, pass
 *     after pass, the bytes of an executor whose adjoints each have floats of their own;
 *   - what the analysis cannot vouch for keeps floats of its own;
 *   - a chain's adjoints need two layers' worth of floats, not one per layer.
 */
#include <stdlib.h>
#include <string.h>

#include "graph/exec.h"
#include "graph/exec_liveness.h"
#include "test_support.h"
#include "util/error.h"

static sgdi_test_rng rng = {0x11fe5u};

static void fill_uniform(float *p, int64_t n, double lo, double hi) {
    for (int64_t i = 0; i < n; i++) p[i] = (float)(lo + (hi - lo) * sgdi_test_rng_unif(&rng));
}

static int param(sgdi_graph *g, const char *name, sgdi_shape shape) {
    sgdi_error err;
    int v = sgdi_graph_add_param(g, name, shape, &err);
    CHECK(v >= 0);
    return v;
}

static int apply(sgdi_graph *g, sgdi_op_kind op, const sgdi_op_attr *attr, const int *in, int n_in,
                 const char *name) {
    sgdi_error err;
    int v = sgdi_graph_apply(g, op, attr, in, n_in, name, &err);
    CHECK_MSG(v >= 0, "%s: %s", name, err.message);
    return v;
}

static int conv3x3(sgdi_graph *g, int x, int64_t maps, const char *name) {
    char w[64], b[64];
    snprintf(w, sizeof w, "%s/W", name), snprintf(b, sizeof b, "%s/b", name);
    int64_t in = g->vars[x].shape.dim[0];
    sgdi_op_attr attr = {
        .window = {.ndim = 2, .pad = {1, 1}, .stride = {1, 1}, .dilation = {1, 1}, .group = 1}};
    int inputs[3] = {x, param(g, w, sgdi_shape4(maps, in, 3, 3)), param(g, b, sgdi_shape1(maps))};
    return apply(g, SGDI_OP_CONVOLUTION, &attr, inputs, 3, name);
}

static int pool2x2(sgdi_graph *g, int x, const char *name) {
    sgdi_op_attr attr = {
        .window = {.ndim = 2, .kernel = {2, 2}, .stride = {2, 2}, .ignore_border = true}};
    return apply(g, SGDI_OP_MAX_POOLING, &attr, &x, 1, name);
}

enum { CH = 3, SIDE = 6, CLASSES = 3 };

// Operators that assign their inputs' adjoints fresh (Convolution, BatchNormalization with
// ReLU, MaxPooling, ReLU) and ones that add into them, joined by skip connections:
//   c1 = conv(x); r1 = relu(bn(c1)); t2 = tanh(conv(r1)); s = r1 + t2; unread = sigmoid(s)
//   m = (s + z) * c1, z data no node writes; q = relu(pool(m)); k = pool(r1)
//   logits = affine(concat(q, k, q * q)); loss = softmax_cross_entropy(logits, y);
//   prediction = softmax(logits)
// r1 is read by three nodes, the last (pool) near the end; c1 by the BatchNormalization
// and by the product much later; q twice by one node; nobody reads `unread`
// or `prediction`, whose backward runs while the loss's seed waits.
typedef struct branchy {
    int z;      // data that no node writes
    int bn_out; // between the fused BatchNormalization and ReLU
    int unread;
} branchy;

static branchy branchy_graph(sgdi_graph *g) {
    sgdi_graph_init(g);
    sgdi_error err;
    branchy b;
    g->input_var = sgdi_graph_add_data(g, "x", (sgdi_shape){3, {2, SIDE, SIDE}}, &err);
    g->target_var = sgdi_graph_add_data(g, "y", sgdi_shape1(1), &err);
    b.z = sgdi_graph_add_data(g, "z", (sgdi_shape){3, {CH, SIDE, SIDE}}, &err);
    sgdi_op_attr none = {0};
    int c1 = conv3x3(g, g->input_var, CH, "c1");
    sgdi_shape chan = sgdi_shape4(1, CH, 1, 1);
    sgdi_op_attr norm = {.norm = {.decay_rate = 0.9, .eps = 1e-5, .batch_stat = true}};
    int bn_in[5] = {c1, param(g, "beta", chan), param(g, "gamma", chan), param(g, "mean", chan),
                    param(g, "var", chan)};
    b.bn_out = apply(g, SGDI_OP_BATCH_NORMALIZATION, &norm, bn_in, 5, "n1");
    int r1 = apply(g, SGDI_OP_RELU, &none, &b.bn_out, 1, "r1");
    int c2 = conv3x3(g, r1, CH, "c2");
    int t2 = apply(g, SGDI_OP_TANH, &none, &c2, 1, "t2");
    int s = apply(g, SGDI_OP_ADD2, &none, (int[]){r1, t2}, 2, "s");
    b.unread = apply(g, SGDI_OP_SIGMOID, &none, &s, 1, "unread");
    int sz = apply(g, SGDI_OP_ADD2, &none, (int[]){s, b.z}, 2, "sz");
    int m = apply(g, SGDI_OP_MUL2, &none, (int[]){sz, c1}, 2, "m");
    int pm = pool2x2(g, m, "pm");
    int q = apply(g, SGDI_OP_RELU, &none, &pm, 1, "q");
    int k = pool2x2(g, r1, "k");
    int qq = apply(g, SGDI_OP_MUL2, &none, (int[]){q, q}, 2, "qq");
    sgdi_op_attr axis0 = {.axis = 0};
    int cat = apply(g, SGDI_OP_CONCATENATE, &axis0, (int[]){q, k, qq}, 3, "cat");
    int64_t in = g->vars[cat].count;
    int fc[3] = {cat, param(g, "fc/W", sgdi_shape2(in, CLASSES)),
                 param(g, "fc/b", sgdi_shape1(CLASSES))};
    int logits = apply(g, SGDI_OP_AFFINE, &none, fc, 3, "logits");
    g->loss_var =
        apply(g, SGDI_OP_SOFTMAX_CROSS_ENTROPY, &axis0, (int[]){logits, g->target_var}, 2, "loss");
    apply(g, SGDI_OP_SOFTMAX, &axis0, &logits, 1, "prediction"); // after the loss, as in a file
    return b;
}

// Whether v's adjoint floats (and its adjoint tangent's) overlap no other variable's.
static bool adjoint_alone(const sgdi_exec *ex, int v) {
    int64_t n = ex->graph->vars[v].count * ex->max_batch;
    for (int u = 0; u < ex->graph->n_vars; u++) {
        if (u == v || !ex->adj[u]) continue;
        int64_t m = ex->graph->vars[u].count * ex->max_batch;
        if (ex->adj[u] < ex->adj[v] + n && ex->adj[v] < ex->adj[u] + m) return false;
        if (ex->adj_tan[u] < ex->adj_tan[v] + n && ex->adj_tan[v] < ex->adj_tan[u] + m)
            return false;
    }
    return true;
}

enum { BATCH = 5 };

typedef struct pass_out {
    float *grad, *hvp;
    double loss[BATCH], tangent[BATCH];
} pass_out;

// One training (score false) or scoring pass on ex; the outputs cleared first.
static void run_pass(sgdi_exec *ex, const float *x, const float *y, const float *w,
                     const float *theta, const float *v, bool score, pass_out *out) {
    static const int64_t rows[BATCH] = {0, 1, 2, 3, 4};
    int64_t p = ex->graph->n_params;
    memset(out->grad, 0, (size_t)p * sizeof *out->grad);
    memset(out->hvp, 0, (size_t)p * sizeof *out->hvp);
    sgdi_pass pass = {.batch = BATCH,
                      .x = x,
                      .target = y,
                      .weights = w,
                      .scale = 1.0 / BATCH,
                      .theta = theta,
                      .direction = score ? v : NULL,
                      .grad = out->grad,
                      .hvp = score ? out->hvp : NULL,
                      .sample_loss = out->loss,
                      .sample_tangent = score ? out->tangent : NULL,
                      .ctx = {.seed = 3, .rows = rows, .training = true, .weights = w}};
    sgdi_exec_forward(ex, &pass);
    sgdi_exec_backward(ex, &pass);
}

static void test_branches_same_bytes(void) {
    sgdi_graph g;
    branchy b = branchy_graph(&g);
    sgdi_exec shared, own;
    sgdi_error err;
    CHECK(sgdi_exec_init(&shared, &g, BATCH, &err) == SGDI_OK);
    CHECK(sgdi_exec_init_flags(&own, &g, BATCH, SGDI_EXEC_FUSE, &err) == SGDI_OK);
    // The layout under test: adjoints do share, except where they must not.
    CHECK(shared.adj_len < own.adj_len && shared.arena_len < own.arena_len);
    CHECK(shared.elided[b.bn_out] && !shared.adj[b.bn_out]); // r1 from the fused node
    CHECK(adjoint_alone(&shared, b.z) && shared.adj[b.unread]);
    CHECK(!shared.adj[g.input_var] && !shared.adj[g.target_var] && shared.adj[g.loss_var]);
    int sharing = 0;
    for (int v = 0; v < g.n_vars; v++) sharing += shared.adj[v] && !adjoint_alone(&shared, v);
    CHECK_MSG(sharing >= 4, "only %d adjoints share floats", sharing);

    int64_t p = g.n_params, features = g.vars[g.input_var].count;
    float *theta = malloc((size_t)p * 4), *dir = malloc((size_t)p * 4);
    float *x = malloc((size_t)(BATCH * features) * 4);
    pass_out with = {.grad = malloc((size_t)p * 4), .hvp = malloc((size_t)p * 4)};
    pass_out without = {.grad = malloc((size_t)p * 4), .hvp = malloc((size_t)p * 4)};
    float y[BATCH] = {0, 2, 1, 1, 0}, w[BATCH] = {1, 1, 0, 1, 1};
    fill_uniform(theta, p, -0.6, 0.6);
    fill_uniform(dir, p, -0.5, 0.5);
    // Training and scoring passes in turn on new data: each leaves the shared floats
    // holding another variable's adjoints for the next.
    for (int round = 0; round < 6; round++) {
        bool score = round % 3 != 1;
        fill_uniform(x, BATCH * features, -1, 1);
        y[round % BATCH] = (float)(round % CLASSES);
        run_pass(&shared, x, y, w, theta, dir, score, &with);
        run_pass(&own, x, y, w, theta, dir, score, &without);
        CHECK_MSG(memcmp(with.grad, without.grad, (size_t)p * 4) == 0, "round %d: gradient", round);
        CHECK_MSG(memcmp(with.hvp, without.hvp, (size_t)p * 4) == 0, "round %d: H v", round);
        CHECK_MSG(memcmp(with.loss, without.loss, sizeof with.loss) == 0, "round %d: losses",
                  round);
        CHECK_MSG(!score || memcmp(with.tangent, without.tangent, sizeof with.tangent) == 0,
                  "round %d: tangents", round);
    }
    free(theta), free(dir), free(x);
    free(with.grad), free(with.hvp), free(without.grad), free(without.hvp);
    sgdi_exec_free(&shared);
    sgdi_exec_free(&own);
    sgdi_graph_free(&g);
}

// A chain x -> (Affine, Tanh) x LAYERS -> Affine -> loss of WIDTH units.
enum { LAYERS = 8, WIDTH = 32, CHAIN_BATCH = 4 };
static void chain_graph(sgdi_graph *g) {
    sgdi_graph_init(g);
    sgdi_error err;
    g->input_var = sgdi_graph_add_data(g, "x", sgdi_shape1(WIDTH), &err);
    g->target_var = sgdi_graph_add_data(g, "y", sgdi_shape1(1), &err);
    sgdi_op_attr none = {0};
    int h = g->input_var;
    for (int k = 0; k <= LAYERS; k++) {
        char w[32], b[32], a[32], t[32];
        int64_t out = k < LAYERS ? WIDTH : CLASSES;
        snprintf(w, sizeof w, "W%d", k), snprintf(b, sizeof b, "b%d", k);
        snprintf(a, sizeof a, "a%d", k), snprintf(t, sizeof t, "t%d", k);
        int fc[3] = {h, param(g, w, sgdi_shape2(WIDTH, out)), param(g, b, sgdi_shape1(out))};
        h = apply(g, SGDI_OP_AFFINE, &none, fc, 3, a);
        if (k < LAYERS) h = apply(g, SGDI_OP_TANH, &none, &h, 1, t);
    }
    sgdi_op_attr axis0 = {.axis = 0};
    g->loss_var =
        apply(g, SGDI_OP_SOFTMAX_CROSS_ENTROPY, &axis0, (int[]){h, g->target_var}, 2, "loss");
}

// A chain's backward holds two layers' adjoints at a time (a node's output's and its
// input's): so much, and no more, whatever its length.
static void test_chain_shrinks(void) {
    sgdi_graph g;
    chain_graph(&g);
    sgdi_exec shared, own;
    sgdi_error err;
    CHECK(sgdi_exec_init(&shared, &g, CHAIN_BATCH, &err) == SGDI_OK);
    CHECK(sgdi_exec_init_flags(&own, &g, CHAIN_BATCH, SGDI_EXEC_FUSE, &err) == SGDI_OK);
    int64_t layer = WIDTH * CHAIN_BATCH; // a whole number of cache lines already
    CHECK_MSG(shared.adj_len == 2 * layer, "adjoints %lld floats", (long long)shared.adj_len);
    CHECK(own.adj_len >= 2 * LAYERS * layer);
    CHECK(shared.arena_len == own.arena_len - 2 * (own.adj_len - shared.adj_len));
    fprintf(stderr, "chain of %d layers: arena %lld floats shared, %lld each its own\n", LAYERS,
            (long long)shared.arena_len, (long long)own.arena_len);
    sgdi_exec_free(&shared);
    sgdi_exec_free(&own);
    sgdi_graph_free(&g);
}

// The floats sgdi_exec_place_adjoints gives v at batch 1: whole cache lines.
static int64_t place_size(const sgdi_graph *g, int v) {
    return (g->vars[v].count + 15) / 16 * 16;
}

// Where a span is unclear the variable keeps floats of its own: a node reading its own
// output (no operator here does, but a graph may say so) and a variable no node writes.
static void test_unclear_spans_alone(void) {
    sgdi_graph g;
    chain_graph(&g);
    int n = g.n_nodes;
    sgdi_node *nodes = malloc((size_t)n * sizeof *nodes);
    bool *skip = calloc((size_t)n, sizeof *skip), *elided = calloc((size_t)g.n_vars, 1);
    int64_t *offset = malloc((size_t)g.n_vars * sizeof *offset), len;
    memcpy(nodes, g.nodes, (size_t)n * sizeof *nodes);
    int self = nodes[3].out[0], orphan = nodes[6].out[0];
    nodes[3].in[0] = self; // a Tanh reading what it writes
    skip[6] = true;        // nobody writes `orphan` any more; node 7 still reads it
    sgdi_error err;
    CHECK(sgdi_exec_place_adjoints(&g, nodes, skip, elided, 1, true, offset, &len, &err) ==
          SGDI_OK);
    int placed = 0;
    for (int alone = 0; alone < 2; alone++) {
        int a = alone ? orphan : self;
        int64_t a_end = offset[a] + place_size(&g, a);
        CHECK(offset[a] >= 0 && a_end <= len);
        for (int v = 0; v < g.n_vars; v++) {
            if (offset[v] < 0 || v == a) continue;
            placed++;
            CHECK_MSG(offset[v] + place_size(&g, v) <= offset[a] || a_end <= offset[v],
                      "var %d overlaps var %d", v, a);
        }
    }
    CHECK(offset[g.input_var] < 0 && offset[g.target_var] < 0 && offset[g.loss_var] >= 0);
    CHECK(placed > 2 * 2 * LAYERS);
    free(nodes), free(skip), free(elided), free(offset);
    sgdi_graph_free(&g);
}

int main(void) {
    RUN(test_branches_same_bytes);
    RUN(test_chain_shrinks);
    RUN(test_unclear_spans_alone);
    return sgdi_test_finish();
}
