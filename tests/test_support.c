/*
 * test_support.c — counters and the closing line for the C tests, and their random numbers.
 */
#include "test_support.h"

#include <stdint.h>
#include <stdlib.h>

int sgdi_test_passed = 0;
int sgdi_test_failed = 0;

int sgdi_test_finish(void) {
    printf("%d passed, %d failed\n", sgdi_test_passed, sgdi_test_failed);
    return sgdi_test_failed > 100 ? 100 : sgdi_test_failed;
}

char *sgdi_test_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len < cap) continue;
        char *bigger = cap <= SIZE_MAX / 4 ? realloc(buf, 2 * cap + 1) : NULL;
        if (!bigger) free(buf);
        buf = bigger, cap *= 2;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[len] = '\0';
    if (size) *size = len;
    return buf;
}

uint64_t sgdi_test_rng_u64(sgdi_test_rng *r) {
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double sgdi_test_rng_unif(sgdi_test_rng *r) {
    return (double)(sgdi_test_rng_u64(r) >> 11) * 0x1p-53;
}

double sgdi_test_rng_normal(sgdi_test_rng *r) {
    double u = sgdi_test_rng_unif(r) + 1e-300, v = sgdi_test_rng_unif(r);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

void sgdi_test_rng_fill_normal(sgdi_test_rng *r, double *p, int64_t n) {
    for (int64_t i = 0; i < n; i++) p[i] = sgdi_test_rng_normal(r);
}
