/*
 * exec_liveness.c — see exec_liveness.h.
 *
 * The backward sweep visits the nodes last to first. A variable's adjoint is first written
 * by the backward of the last node (in forward order) that reads it: that writer assigns
 * it fresh, or the executor clears it just before (exec.c, zero_adjoint_once). It is last
 * read by the backward of the node that produces it. Outside that span its floats hold
 * nothing anybody reads, so another variable whose span lies elsewhere may use them; the
 * first write of each span never reads what was there (it assigns or clears first), which
 * is what makes taking turns invisible in the results.
 *
 * Spans are counted in backward steps, step(n) = n_nodes - 1 - n, closed at both ends: a
 * node's backward reads its outputs' adjoints while it writes its inputs', so the two
 * must not share. The loss's adjoint is seeded before the first step (step -1); a
 * variable nobody reads is still cleared at its producer's backward ("an output nobody
 * consumed still reads as zero"), a span of one step. Where the graph leaves a span
 * unclear (a variable no node or several nodes produce, a node reading its own output,
 * a reader before the producer), the variable keeps floats of its own for the whole sweep.
 *
 * Places are given first fit, largest adjoint first (then by the step its span starts, then
 * by variable index), so the layout depends on the graph alone. Largest first reaches the
 * peak of live adjoints on the built-in CNN (12.8 MB at batch 64); in the order the spans
 * start, the small adjoints near the loss pushed later large ones off offset 0 (14.5 MB).
 */
#include "graph/exec_liveness.h"

#include <limits.h>
#include <stdlib.h>

#include "util/error.h"

// Every adjoint takes whole cache lines: two live at once never share one, which threads
// writing the end of one and the start of the other would contend for.
enum { SLOT_FLOATS = 16 };

typedef struct adjoint_span {
    int v;
    int first, last; // backward steps, both included; -1 is the loss's seed
    int64_t size;    // floats, whole cache lines
} adjoint_span;

typedef struct block {
    int64_t offset, end; // [offset, end) floats
} block;

// Who produces and who reads each variable among the nodes the executor runs.
typedef struct var_uses {
    int producers;    // how many nodes write it
    int producer;     // the last of them
    int first_reader; // INT_MAX: none
    int last_reader;  // -1: none
    bool self_read;   // a node reads what it writes
} var_uses;

static void find_uses(const sgdi_graph *g, const sgdi_node *nodes, const bool *skip,
                      var_uses *uses) {
    for (int v = 0; v < g->n_vars; v++)
        uses[v] = (var_uses){.producer = -1, .first_reader = INT_MAX, .last_reader = -1};
    for (int n = 0; n < g->n_nodes; n++) {
        if (skip[n]) continue;
        const sgdi_node *node = &nodes[n];
        for (int k = 0; k < node->n_out; k++) {
            var_uses *u = &uses[node->out[k]];
            u->producers++;
            u->producer = n;
        }
        for (int k = 0; k < node->n_in; k++) {
            var_uses *u = &uses[node->in[k]];
            if (n < u->first_reader) u->first_reader = n;
            if (n > u->last_reader) u->last_reader = n;
            for (int j = 0; j < node->n_out; j++) u->self_read |= node->out[j] == node->in[k];
        }
    }
}

// Whether v has an adjoint buffer of the executor's: parameters add into the pass's
// gradient, the data (x, y) is never differentiated (make_port), an elided variable has
// no buffers. The loss's adjoint is seeded even if it were data.
static bool has_own_adjoint(const sgdi_graph *g, const bool *elided, int v) {
    bool is_data = v == g->input_var || v == g->target_var;
    return !g->vars[v].is_param && !elided[v] && (!is_data || v == g->loss_var);
}

// v's span, or the whole sweep when sharing is off or the graph leaves the span unclear.
static adjoint_span span_of(const sgdi_graph *g, const var_uses *u, int v, int64_t size,
                            bool share) {
    adjoint_span whole = {.v = v, .first = -1, .last = g->n_nodes, .size = size};
    bool clear =
        u->producers == 1 && !u->self_read && (u->last_reader < 0 || u->first_reader > u->producer);
    if (!share || !clear) return whole;
    int last = g->n_nodes - 1 - u->producer;
    int first = u->last_reader >= 0 ? g->n_nodes - 1 - u->last_reader : last;
    if (v == g->loss_var) first = -1;
    return (adjoint_span){.v = v, .first = first, .last = last, .size = size};
}

// Largest first, then by the step where the span starts, then by variable.
static int by_size(const void *a, const void *b) {
    const adjoint_span *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

static int by_offset(const void *a, const void *b) {
    const block *x = a, *y = b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

// The lowest offset where `size` floats fit between the blocks already placed that
// overlap in time (sorted here by offset).
static int64_t first_fit(block *busy, int n_busy, int64_t size) {
    qsort(busy, (size_t)n_busy, sizeof *busy, by_offset);
    int64_t at = 0;
    for (int k = 0; k < n_busy && busy[k].offset < at + size; k++)
        if (busy[k].end > at) at = busy[k].end;
    return at;
}

sgdi_status sgdi_exec_place_adjoints(const sgdi_graph *g, const sgdi_node *nodes, const bool *skip,
                                     const bool *elided, int64_t max_batch, bool share,
                                     int64_t *offset, int64_t *len, sgdi_error *err) {
    size_t n_vars = (size_t)(g->n_vars > 0 ? g->n_vars : 1);
    var_uses *uses = malloc(n_vars * sizeof *uses);
    adjoint_span *spans = malloc(n_vars * sizeof *spans);
    block *busy = malloc(n_vars * sizeof *busy);
    sgdi_status st = SGDI_OK;
    *len = 0;
    if (!uses || !spans || !busy) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the network buffers");
        goto done;
    }
    find_uses(g, nodes, skip, uses);
    int n_spans = 0;
    int64_t sum = 0; // every offset is below the sum of the sizes: no overflow past this
    for (int v = 0; v < g->n_vars; v++) {
        offset[v] = -1;
        if (!has_own_adjoint(g, elided, v)) continue;
        int64_t n;
        if (!sgdi_mul_i64(g->vars[v].count, max_batch, &n) || n > INT64_MAX - SLOT_FLOATS ||
            sum > INT64_MAX - (n + SLOT_FLOATS)) {
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "network buffers too large for batch %lld",
                           (long long)max_batch);
            goto done;
        }
        int64_t size = (n + SLOT_FLOATS - 1) / SLOT_FLOATS * SLOT_FLOATS;
        sum += size;
        spans[n_spans++] = span_of(g, &uses[v], v, size, share);
    }
    qsort(spans, (size_t)n_spans, sizeof *spans, by_size);
    for (int k = 0; k < n_spans; k++) {
        const adjoint_span *s = &spans[k];
        int n_busy = 0;
        for (int j = 0; j < k; j++) {
            const adjoint_span *t = &spans[j];
            if (t->first <= s->last && s->first <= t->last)
                busy[n_busy++] = (block){offset[t->v], offset[t->v] + t->size};
        }
        offset[s->v] = first_fit(busy, n_busy, s->size);
        if (offset[s->v] + s->size > *len) *len = offset[s->v] + s->size;
    }
done:
    free(uses);
    free(spans);
    free(busy);
    return st;
}
