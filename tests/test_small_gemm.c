/*
 * test_small_gemm.c — src/ops/small_gemm.c, the products of Winograd's transform domain,
 * against plain double-precision loops: the shapes the built-in CNN gives them and odd
 * ones (1, primes, not a multiple of any vector width), leading dimensions wider than the
 * matrices (whose padding must stay untouched), assignment and accumulation, a read as
 * it is or transposed; transposes;
 * the same bytes on a second call; and SSE code after a kernel still correct (the kernels
 * leave wide vector registers behind: small_gemm.c clears them).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/small_gemm.h"
#include "test_support.h"

static uint64_t rng_state = 0x5a11ULL;

static float uniform(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)(rng_state >> 40) * (1.0f / 16777216.0f) - 0.5f;
}

static float *random_floats(int64_t n) {
    float *v = malloc((size_t)n * sizeof *v);
    if (v)
        for (int64_t i = 0; i < n; i++) v[i] = uniform();
    return v;
}

static const float PAD = 12345.0f; // what the padding of a leading dimension must keep

// c = a b (+ c), row-major, or with `transposed` c = a^T b with a stored [k][m], with the
// padding of c checked afterwards; the largest error against double loops relative to the
// sum of |a| |b| (each product's own scale).
static double check_product(int64_t m, int64_t n, int64_t k, int64_t extra, bool accumulate,
                            bool transposed) {
    int64_t lda = (transposed ? m : k) + extra, ldb = n + extra, ldc = n + extra;
    float *a = random_floats((transposed ? k : m) * lda), *b = random_floats(k * ldb),
          *c = random_floats(m * ldc);
    double *expect = malloc((size_t)(m * n) * sizeof *expect),
           *scale = malloc((size_t)(m * n) * sizeof *scale);
    CHECK(a && b && c && expect && scale);
    if (!a || !b || !c || !expect || !scale) return INFINITY;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = n; j < ldc; j++) c[i * ldc + j] = PAD;
    double worst = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double sum = accumulate ? (double)c[i * ldc + j] : 0.0, mag = fabs(sum);
            for (int64_t p = 0; p < k; p++) {
                double a_ip = transposed ? a[p * lda + i] : a[i * lda + p];
                sum += a_ip * (double)b[p * ldb + j];
                mag += fabs(a_ip * (double)b[p * ldb + j]);
            }
            expect[i * n + j] = sum, scale[i * n + j] = mag > 0 ? mag : 1;
        }
    if (transposed)
        sgdi_small_gemm_at(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
    else
        sgdi_small_gemm(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
    int padding_touched = 0;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double err = fabs((double)c[i * ldc + j] - expect[i * n + j]) / scale[i * n + j];
            if (!(err <= worst)) worst = err; // NaN counts as the worst
        }
        for (int64_t j = n; j < ldc; j++) padding_touched += c[i * ldc + j] != PAD;
    }
    CHECK_MSG(padding_touched == 0, "%lld x %lld x %lld: %d padding elements written", (long long)m,
              (long long)n, (long long)k, padding_touched);
    free(a), free(b), free(c), free(expect), free(scale);
    return worst;
}

static void test_products(void) {
    // (m, n, k) as Winograd calls them: forward (K, tiles, C), image adjoint (C, tiles, K),
    // weight gradient (K, C, tiles), for the CNN's layers; then odd shapes and a large one.
    static const int64_t shapes[][3] = {
        {32, 64, 32}, {64, 49, 32},   {64, 64, 64}, {128, 64, 64},   {128, 64, 128}, {32, 32, 196},
        {64, 32, 49}, {128, 128, 64}, {1, 1, 1},    {1, 7, 3},       {5, 1, 9},      {13, 17, 19},
        {31, 33, 2},  {67, 129, 130}, {3, 250, 7},  {256, 300, 256},
    };
    double worst = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int extra = 0; extra <= 3; extra += 3)
            for (int acc = 0; acc <= 1; acc++)
                for (int tr = 0; tr <= 1; tr++) {
                    double err = check_product(shapes[s][0], shapes[s][1], shapes[s][2], extra,
                                               acc != 0, tr != 0);
                    double bound = (double)(shapes[s][2] + 1 + acc) * (FLT_EPSILON / 2);
                    CHECK_MSG(err <= bound,
                              "%lld x %lld x %lld%s (ld +%d, %s): relative error %.3g > %.3g",
                              (long long)shapes[s][0], (long long)shapes[s][1],
                              (long long)shapes[s][2], tr ? " a^T" : "", extra,
                              acc ? "accumulate" : "assign", err, bound);
                    if (err > worst) worst = err;
                }
    printf("  largest relative error %.3g over %zu shapes\n", worst,
           sizeof shapes / sizeof *shapes);
}

static void test_same_bytes(void) {
    const int64_t m = 64, n = 98, k = 64;
    float *a = random_floats(m * k), *b = random_floats(k * n);
    float *c1 = calloc((size_t)(m * n), sizeof *c1), *c2 = calloc((size_t)(m * n), sizeof *c2);
    CHECK(a && b && c1 && c2);
    if (!a || !b || !c1 || !c2) return;
    sgdi_small_gemm(m, n, k, a, k, b, n, false, c1, n);
    sgdi_small_gemm(m, n, k, a, k, b, n, false, c2, n);
    CHECK(memcmp(c1, c2, (size_t)(m * n) * sizeof *c1) == 0);
    free(a), free(b), free(c1), free(c2);
}

static void test_transpose(void) {
    static const int64_t shapes[][2] = {{1, 1}, {3, 5}, {32, 64}, {64, 49}, {17, 129}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int64_t m = shapes[s][0], n = shapes[s][1], ldi = n + 2, ldo = m + 1;
        float *in = random_floats(m * ldi), *out = malloc((size_t)(n * ldo) * sizeof *out);
        CHECK(in && out);
        if (!in || !out) return;
        for (int64_t i = 0; i < n * ldo; i++) out[i] = PAD;
        sgdi_small_transpose(m, n, in, ldi, out, ldo);
        int wrong = 0, padding = 0;
        for (int64_t j = 0; j < n; j++) {
            for (int64_t i = 0; i < m; i++) wrong += out[j * ldo + i] != in[i * ldi + j];
            for (int64_t i = m; i < ldo; i++) padding += out[j * ldo + i] != PAD;
        }
        CHECK_MSG(wrong == 0 && padding == 0, "%lld x %lld: %d wrong, %d padding written",
                  (long long)m, (long long)n, wrong, padding);
        free(in), free(out);
    }
}

int main(void) {
    RUN(test_products);
    RUN(test_same_bytes);
    RUN(test_transpose);
    return sgdi_test_finish();
}
