/*
 * bench_small_ops.c — the two costs behind the transform domain's small-product and
 * transpose choices (src/ops/small_gemm.c, src/ops/winograd_tiles.c): a libxsmm kernel
 * looked up per product against once (sgdi_gemm_plan), and libxsmm's transposes of the
 * scratch plane by its row count and the stage's row distance.
 *
 *   build/bench/bench_small_ops
 *
 * One thread, operands in cache; each figure the mean of a loop after a warm-up run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ops/small_gemm.h"

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// ns per product of tiles x K x C, the kernel looked up each time or planned once
static void products(sgdi_real *a, sgdi_real *b, sgdi_real *c, int64_t tiles, int64_t K,
                     int64_t C) {
    enum { REPS = 100000 };
    sgdi_gemm_plan plan = sgdi_gemm_plan_make(false, tiles, K, C, C, K, true, K);
    sgdi_gemm_plan_run(&plan, a, b, c);
    double t0 = seconds();
    for (int r = 0; r < REPS; r++) sgdi_small_gemm(tiles, K, C, a, C, b, K, true, c, K);
    double looked_up = (seconds() - t0) / REPS;
    t0 = seconds();
    for (int r = 0; r < REPS; r++) sgdi_gemm_plan_run(&plan, a, b, c);
    double planned = (seconds() - t0) / REPS;
    printf("| product %lld x %lld x %lld | %.0f ns | %.0f ns |\n", (long long)tiles, (long long)K,
           (long long)C, 1e9 * looked_up, 1e9 * planned);
}

// us per transpose of rows x ch into rows `ld` apart
static void transpose(sgdi_real *a, sgdi_real *b, int64_t rows, int64_t ch, int64_t ld) {
    enum { REPS = 20000 };
    sgdi_small_transpose(rows, ch, a, ch, b, ld);
    double t0 = seconds();
    for (int r = 0; r < REPS; r++) sgdi_small_transpose(rows, ch, a, ch, b, ld);
    printf("| transpose %lld rows x %lld channels, stage rows %lld apart | %.2f us |\n",
           (long long)rows, (long long)ch, (long long)ld, 1e6 * (seconds() - t0) / REPS);
}

int main(void) {
    enum { LEN = 1 << 20 };
    sgdi_real *a = calloc(LEN, sizeof *a), *b = calloc(LEN, sizeof *b), *c = calloc(LEN, sizeof *c);
    if (!a || !b || !c) return 1;
    for (int i = 0; i < LEN; i++) a[i] = (sgdi_real)(i % 7) * 1e-3f, b[i] = (sgdi_real)(i % 5);
    printf("| small product | kernel looked up per product | planned once |\n|---|---:|---:|\n");
    products(a, b, c, 49, 32, 32);
    products(a, b, c, 64, 64, 64);
    products(a, b, c, 16, 128, 128);
    printf("\n| transpose back | time |\n|---|---:|\n");
    transpose(a, b, 49, 128, 49);
    transpose(a, b, 56, 128, 56);
    transpose(a, b, 81, 128, 81);
    transpose(a, b, 88, 128, 88);
    transpose(a, b, 256, 64, 256);
    transpose(a, b, 256, 64, 264);
    free(a);
    free(b);
    free(c);
    return 0;
}
