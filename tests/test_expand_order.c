/*
 * test_expand_order.c — the order of an unrolled network's functions
 * (sgdi_expand_order, src/model/expand_order.c) against the definition it implements,
 * written here the slow, obvious way: again and again the first function whose inputs'
 * writers (the first other function with that output) are all placed, then what never
 * became ready in its place. Random graphs with shared names, functions reading their
 * own outputs, inputs nobody writes and cycles; and an unrolled chain of the largest size
 * an expansion allows, listed backwards.
 */
#include <stdlib.h>
#include <string.h>

#include "model/expand_private.h"
#include "test_support.h"

enum { MAX_IO = 3, NAMES = 24 };

static const char *const names[NAMES] = {"a", "b", "c", "d", "e", "f", "g", "h",
                                         "i", "j", "k", "l", "m", "n", "o", "p",
                                         "q", "r", "s", "t", "u", "v", "w", "x"};

// The definition, in O(n^2) or worse.
static void reference_order(Function **fns, size_t n, Function **out) {
    bool *placed = calloc(n ? n : 1, sizeof *placed);
    size_t emitted = 0;
    for (;;) {
        size_t i = 0;
        for (; i < n; i++) {
            if (placed[i]) continue;
            bool ready = true;
            for (size_t k = 0; k < fns[i]->n_input && ready; k++)
                for (size_t j = 0; j < n; j++) {
                    bool writes = false;
                    for (size_t o = 0; o < fns[j]->n_output; o++)
                        writes |= strcmp(fns[j]->output[o], fns[i]->input[k]) == 0;
                    if (j != i && writes) { // the first other writer decides
                        ready = placed[j];
                        break;
                    }
                }
            if (ready) break;
        }
        if (i == n) break;
        out[emitted++] = fns[i], placed[i] = true;
    }
    for (size_t i = 0; i < n; i++)
        if (!placed[i]) out[emitted++] = fns[i];
    free(placed);
}

typedef struct random_net {
    Function fn[64];
    Function *ptr[64];
    char *in[64][MAX_IO], *out[64][MAX_IO];
    size_t n;
} random_net;

static void make_random(random_net *r, sgdi_test_rng *rng) {
    r->n = 1 + sgdi_test_rng_u64(rng) % 64;
    for (size_t i = 0; i < r->n; i++) {
        Function *f = &r->fn[i];
        memset(f, 0, sizeof *f);
        f->n_input = sgdi_test_rng_u64(rng) % (MAX_IO + 1);
        f->n_output = 1 + sgdi_test_rng_u64(rng) % MAX_IO;
        for (size_t k = 0; k < f->n_input; k++)
            r->in[i][k] = (char *)names[sgdi_test_rng_u64(rng) % NAMES];
        for (size_t k = 0; k < f->n_output; k++)
            r->out[i][k] = (char *)names[sgdi_test_rng_u64(rng) % NAMES];
        f->input = r->in[i], f->output = r->out[i];
        r->ptr[i] = f;
    }
}

static void test_random_graphs(void) {
    sgdi_test_rng rng = {0x0d3e5eedULL};
    int mismatches = 0, reordered = 0;
    for (int round = 0; round < 2000; round++) {
        random_net r;
        make_random(&r, &rng);
        Function *want[64];
        reference_order(r.ptr, r.n, want);
        Function *got[64];
        memcpy(got, r.ptr, r.n * sizeof *got);
        CHECK(sgdi_expand_order(got, r.n));
        mismatches += memcmp(got, want, r.n * sizeof *got) != 0;
        reordered += memcmp(got, r.ptr, r.n * sizeof *got) != 0;
    }
    CHECK_MSG(mismatches == 0, "%d of 2000 orders differ from the definition", mismatches);
    CHECK_MSG(reordered > 500, "only %d of 2000 graphs were reordered: the test is too weak",
              reordered);
}

// The largest unrolled network (SGDI_EXPAND_MAX functions), a chain listed last link
// first: the order must reverse it (quadratic scans took seconds here).
static void test_long_chain(void) {
    enum { N = SGDI_EXPAND_MAX };
    Function *fn = calloc(N, sizeof *fn);
    Function **order = malloc(N * sizeof *order);
    char(*name)[16] = malloc(N * sizeof *name);
    char **in = malloc(N * sizeof *in), **out = malloc(N * sizeof *out);
    CHECK(fn && order && name && in && out);
    if (!fn || !order || !name || !in || !out) goto done;
    for (size_t i = 0; i < N; i++) snprintf(name[i], sizeof name[i], "v%zu", i);
    // fn[i] computes v[N - 1 - i] from v[N - 2 - i]; the last one reads the input "x"
    for (size_t i = 0; i < N; i++) {
        out[i] = name[N - 1 - i];
        in[i] = i + 1 < N ? name[N - 2 - i] : "x";
        fn[i].n_input = 1, fn[i].input = &in[i];
        fn[i].n_output = 1, fn[i].output = &out[i];
        order[i] = &fn[i];
    }
    CHECK(sgdi_expand_order(order, N));
    size_t wrong = 0;
    for (size_t i = 0; i < N; i++) wrong += order[i] != &fn[N - 1 - i];
    CHECK_MSG(wrong == 0, "%zu of %d functions out of place", wrong, N);
done:
    free(fn), free(order), free(name), free(in), free(out);
}

static void test_empty(void) {
    CHECK(sgdi_expand_order(NULL, 0));
}

int main(void) {
    RUN(test_random_graphs);
    RUN(test_long_chain);
    RUN(test_empty);
    return sgdi_test_finish();
}
