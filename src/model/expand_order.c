/*
 * expand_order.c — the order of an unrolled network's functions (see
 * sgdi_expand_order in expand_private.h).
 *
 * Unrolling emits every instance of one function before the next function, but a loop
 * body must run iteration by iteration. The order wanted is "the first function whose
 * inputs are all ready, again and again": Kahn's algorithm with the ready functions in a
 * min-heap by position gives exactly that. Each input's writer is found through a name
 * index. An unrolled network has up to SGDI_EXPAND_MAX functions; the pairwise scan this
 * replaces took 18 s on a 2 KB file the model fuzz target made.
 */
#include <stdlib.h>
#include <string.h>

#include "model/expand_private.h"
#include "util/name_index.h"

// Who writes each name: the first function with it among its outputs, and the first
// other one (the writer a function reading its own output depends on).
typedef struct writers {
    sgdi_name_index first, second;
} writers;

static bool index_writers(Function *const *fns, size_t n, writers *w) {
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < fns[i]->n_output; k++) {
            const char *name = fns[i]->output[k];
            int64_t first = sgdi_name_index_get(&w->first, name);
            bool ok = first < 0             ? sgdi_name_index_put(&w->first, name, (int64_t)i)
                      : first != (int64_t)i ? sgdi_name_index_put(&w->second, name, (int64_t)i)
                                            : true;
            if (!ok) return false;
        }
    return true;
}

// The first function other than `reader` with an output `name`, or -1.
static int64_t writer_of(const writers *w, const char *name, size_t reader) {
    int64_t first = sgdi_name_index_get(&w->first, name);
    return first != (int64_t)reader ? first : sgdi_name_index_get(&w->second, name);
}

// A min-heap of function positions: the ready functions.
typedef struct heap {
    size_t *at, n;
} heap;

static void heap_push(heap *h, size_t v) {
    size_t i = h->n++;
    for (; i > 0 && h->at[(i - 1) / 2] > v; i = (i - 1) / 2) h->at[i] = h->at[(i - 1) / 2];
    h->at[i] = v;
}

static size_t heap_pop(heap *h) {
    size_t top = h->at[0], last = h->at[--h->n], i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n) break;
        if (child + 1 < h->n && h->at[child + 1] < h->at[child]) child++;
        if (h->at[child] >= last) break;
        h->at[i] = h->at[child];
        i = child;
    }
    if (h->n > 0) h->at[i] = last;
    return top;
}

bool sgdi_expand_order(Function **fns, size_t n) {
    size_t n_in = 0, slots = n ? n : 1;
    for (size_t i = 0; i < n; i++) n_in += fns[i]->n_input;
    writers names = {0};
    // writer[at]: the writer of input slot `at` (function i's inputs are consecutive), or
    // -1; waiting[i]: function i's inputs whose writer is not placed yet; the readers of
    // function w: reader[first[w] .. first[w + 1]), one entry per input slot
    int64_t *writer = malloc((n_in ? n_in : 1) * sizeof *writer);
    size_t *reader = malloc((n_in ? n_in : 1) * sizeof *reader);
    size_t *waiting = calloc(slots, sizeof *waiting), *first = calloc(n + 1, sizeof *first);
    size_t *next = malloc(slots * sizeof *next);
    bool *placed = calloc(slots, sizeof *placed);
    Function **order = malloc(slots * sizeof *order);
    heap ready = {malloc(slots * sizeof *ready.at), 0};
    bool ok = writer && reader && waiting && first && next && placed && order && ready.at &&
              index_writers(fns, n, &names);
    if (ok) {
        for (size_t i = 0, at = 0; i < n; i++)
            for (size_t k = 0; k < fns[i]->n_input; k++, at++) {
                writer[at] = writer_of(&names, fns[i]->input[k], i);
                if (writer[at] >= 0) waiting[i]++, first[writer[at] + 1]++;
            }
        for (size_t w = 0; w < n; w++) first[w + 1] += first[w];
        if (n) memcpy(next, first, n * sizeof *next);
        for (size_t i = 0, at = 0; i < n; i++)
            for (size_t k = 0; k < fns[i]->n_input; k++, at++)
                if (writer[at] >= 0) reader[next[writer[at]]++] = i;

        for (size_t i = 0; i < n; i++)
            if (waiting[i] == 0) heap_push(&ready, i);
        size_t placed_n = 0;
        while (ready.n > 0) {
            size_t w = heap_pop(&ready);
            order[placed_n++] = fns[w], placed[w] = true;
            for (size_t r = first[w]; r < first[w + 1]; r++)
                if (--waiting[reader[r]] == 0) heap_push(&ready, reader[r]);
        }
        for (size_t i = 0; i < n; i++)
            if (!placed[i]) order[placed_n++] = fns[i];
        if (n) memcpy(fns, order, n * sizeof *fns);
    }
    sgdi_name_index_free(&names.first), sgdi_name_index_free(&names.second);
    free(writer), free(reader), free(waiting), free(first), free(next);
    free(placed), free(order), free(ready.at);
    return ok;
}
