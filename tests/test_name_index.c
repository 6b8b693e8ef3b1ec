/*
 * test_name_index.c — src/util/name_index: names found (by equal text, not address)
 * after many puts and growths, the first index under a name kept, absent names, the
 * empty name, an empty index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "util/name_index.h"

enum { N = 20000 };

static void test_empty(void) {
    sgdi_name_index ix = {0};
    CHECK(sgdi_name_index_get(&ix, "x") == -1);
    CHECK(sgdi_name_index_get(&ix, "") == -1);
    sgdi_name_index_free(&ix);
    CHECK(ix.cap == 0 && ix.count == 0 && ix.names == NULL);
}

// N names, a quarter of them repeated later with other values: every lookup returns the
// first value, names never put return -1, and the table stays at most half full.
static void test_many(void) {
    char(*name)[24] = malloc(N * sizeof *name);
    CHECK(name != NULL);
    if (!name) return;
    sgdi_name_index ix = {0};
    for (int i = 0; i < N; i++) snprintf(name[i], sizeof name[i], "fc[%d]/affine/W", i);
    bool ok = true;
    for (int i = 0; i < N; i++) ok &= sgdi_name_index_put(&ix, name[i], i);
    for (int i = 0; i < N; i += 4) ok &= sgdi_name_index_put(&ix, name[i], N + i); // ignored
    CHECK(ok);
    CHECK(ix.count == N);
    CHECK(2 * ix.count <= ix.cap);
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        char copy[24]; // equal text at another address
        memcpy(copy, name[i], sizeof copy);
        wrong += sgdi_name_index_get(&ix, copy) != i;
    }
    CHECK_MSG(wrong == 0, "%d of %d names map to another index", wrong, N);
    int found = 0;
    for (int i = 0; i < 1000; i++) {
        char absent[32];
        snprintf(absent, sizeof absent, "fc[%d]/affine/b", i);
        found += sgdi_name_index_get(&ix, absent) != -1;
    }
    CHECK(found == 0);
    CHECK(sgdi_name_index_get(&ix, "") == -1);
    sgdi_name_index_free(&ix);
    free(name);
}

static void test_empty_name(void) {
    sgdi_name_index ix = {0};
    CHECK(sgdi_name_index_put(&ix, "", 7));
    CHECK(sgdi_name_index_get(&ix, "") == 7);
    CHECK(sgdi_name_index_get(&ix, "a") == -1);
    sgdi_name_index_free(&ix);
}

int main(void) {
    RUN(test_empty);
    RUN(test_many);
    RUN(test_empty_name);
    return sgdi_test_finish();
}
