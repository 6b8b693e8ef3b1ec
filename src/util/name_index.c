/*
 * name_index.c — see name_index.h. Linear probing at a load of at most one half, FNV-1a
 * hashes.
 */
#include "util/name_index.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_name(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

// The slot holding `name`, or the empty slot where it would go (cap > 0, not full).
static size_t slot_of(const char *const *names, size_t cap, const char *name) {
    size_t i = (size_t)hash_name(name) & (cap - 1);
    while (names[i] && strcmp(names[i], name) != 0) i = (i + 1) & (cap - 1);
    return i;
}

// Rehashes into a table of at least 64 slots and at least `need`.
static bool grow(sgdi_name_index *ix, size_t need) {
    size_t cap = ix->cap ? 2 * ix->cap : 64;
    while (cap < need && cap <= SIZE_MAX / 4) cap *= 2;
    if (cap < need || cap > SIZE_MAX / sizeof(int64_t)) return false;
    const char **names = calloc(cap, sizeof *names);
    int64_t *values = malloc(cap * sizeof *values);
    if (!names || !values) {
        free(names), free(values);
        return false;
    }
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->names[i]) continue;
        size_t j = slot_of(names, cap, ix->names[i]);
        names[j] = ix->names[i], values[j] = ix->values[i];
    }
    free(ix->names), free(ix->values);
    ix->names = names, ix->values = values, ix->cap = cap;
    return true;
}

bool sgdi_name_index_reserve(sgdi_name_index *ix, size_t more) {
    if (more > SIZE_MAX / 4 - ix->count) return false;
    size_t need = 2 * (ix->count + more);
    return need <= ix->cap || grow(ix, need);
}

bool sgdi_name_index_put(sgdi_name_index *ix, const char *name, int64_t value) {
    if (!sgdi_name_index_reserve(ix, 1)) return false;
    size_t i = slot_of(ix->names, ix->cap, name);
    if (ix->names[i]) return true; // the first index under a name stays
    ix->names[i] = name, ix->values[i] = value, ix->count++;
    return true;
}

int64_t sgdi_name_index_get(const sgdi_name_index *ix, const char *name) {
    if (ix->count == 0) return -1;
    size_t i = slot_of(ix->names, ix->cap, name);
    return ix->names[i] ? ix->values[i] : -1;
}

void sgdi_name_index_free(sgdi_name_index *ix) {
    free(ix->names), free(ix->values);
    *ix = (sgdi_name_index){0};
}
