/*
 * kernel_math.h — sgdi_real arithmetic for the operator kernels (private).
 *
 * The operator sources are compiled twice: with sgdi_real = float for the
 * library and with sgdi_real = double (SGDI_REAL_DOUBLE) for the derivative
 * tests. These inline wrappers pick the matching libm function and BLAS
 * routine, so that a kernel reads the same in both precisions:
 *
 *     y[i] = r_exp(x[i] - max);
 *     r_gemm_acc(false, true, m, k, n, y_bar, w, x_bar);   // x_bar += y_bar W^T
 */
#ifndef SGDI_OPS_KERNEL_MATH_H
#define SGDI_OPS_KERNEL_MATH_H

#include <assert.h>
#include <cblas.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

// --- Integers ------------------------------------------------------------------

static inline int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

// --- Vector width ----------------------------------------------------------------

// SGDI_WIDE_VECTORS before a kernel builds it twice, for the baseline x86-64 (SSE2) and for
// AVX2, and picks one when the program loads (an ifunc). For kernels whose arithmetic, not
// their memory traffic, bounds them (batch normalization's double-precision sums and
// updates: 2 % of a CNN step). Both versions give the same bytes: the same operations in
// the same order, only wider (no FMA: -ffp-contract=off, and "avx2" does not enable it),
// and every reduction split into explicit lanes. Sanitizer builds keep one version (ifunc
// resolvers run before the sanitizers' runtime is up), the baseline one: the tests thus
// run one version under the sanitizers and the other, on AVX2 machines, in the release
// build.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SGDI_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SGDI_SANITIZED 1
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(SGDI_SANITIZED)
#define SGDI_WIDE_VECTORS __attribute__((target_clones("avx2", "default")))
#else
#define SGDI_WIDE_VECTORS
#endif

// --- Elementary functions ------------------------------------------------------

#ifdef SGDI_REAL_DOUBLE
#define SGDI_REAL_MIN DBL_MIN // smallest normal number, nnabla's clamp for log()
static inline sgdi_real r_exp(sgdi_real x) {
    return exp(x);
}
static inline sgdi_real r_expm1(sgdi_real x) {
    return expm1(x);
}
static inline sgdi_real r_log(sgdi_real x) {
    return log(x);
}
static inline sgdi_real r_log1p(sgdi_real x) {
    return log1p(x);
}
static inline sgdi_real r_tanh(sgdi_real x) {
    return tanh(x);
}
static inline sgdi_real r_fabs(sgdi_real x) {
    return fabs(x);
}
#else
#define SGDI_REAL_MIN FLT_MIN
static inline sgdi_real r_exp(sgdi_real x) {
    return expf(x);
}
static inline sgdi_real r_expm1(sgdi_real x) {
    return expm1f(x);
}
static inline sgdi_real r_log(sgdi_real x) {
    return logf(x);
}
static inline sgdi_real r_log1p(sgdi_real x) {
    return log1pf(x);
}
static inline sgdi_real r_tanh(sgdi_real x) {
    return tanhf(x);
}
static inline sgdi_real r_fabs(sgdi_real x) {
    return fabsf(x);
}
#endif

static inline sgdi_real r_max(sgdi_real a, sgdi_real b) {
    return a > b ? a : b;
}

// The logistic function 1 / (1 + e^-x), without overflow for large |x|.
static inline sgdi_real r_sigmoid(sgdi_real x) {
    if (x >= 0) return 1 / (1 + r_exp(-x));
    sgdi_real e = r_exp(x);
    return e / (1 + e);
}

// --- Softmax rows ----------------------------------------------------------------------

// The log-sum-exp of one row of n values at stride `stride`, kept as (max, sum)
// so that probabilities are p_c = e^(x_c - max) / sum and lse = max + log(sum).
typedef struct r_softmax_row {
    sgdi_real max, sum;
} r_softmax_row;

static inline r_softmax_row r_softmax_stats(const sgdi_real *x, int64_t n, int64_t stride) {
    r_softmax_row s = {.max = x[0], .sum = 0};
    for (int64_t c = 1; c < n; c++) s.max = r_max(s.max, x[c * stride]);
    for (int64_t c = 0; c < n; c++) s.sum += r_exp(x[c * stride] - s.max);
    return s;
}

// p_c of a row given its stats (x points at the row's first element).
static inline sgdi_real r_softmax_p(const sgdi_real *x, int64_t c, int64_t stride,
                                    r_softmax_row s) {
    return r_exp(x[c * stride] - s.max) / s.sum;
}

// --- Matrix product ------------------------------------------------------------

// C += op(A) op(B), all row-major and densely packed: op(A) is m x k (A is
// stored k x m when ta), op(B) is k x n (B is stored n x k when tb), C is m x n.
// Empty products are a no-op (BLAS rejects a zero leading dimension).
static inline void r_gemm_acc(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const sgdi_real *a,
                              const sgdi_real *b, sgdi_real *c) {
    if (m == 0 || n == 0 || k == 0) return;
    assert(m <= INT_MAX && n <= INT_MAX && k <= INT_MAX);
    int lda = ta ? (int)m : (int)k;
    int ldb = tb ? (int)k : (int)n;
#ifdef SGDI_REAL_DOUBLE
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)k, 1.0, a, lda, b, ldb, 1.0, c, (int)n);
#else
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)k, 1.0f, a, lda, b, ldb, 1.0f, c, (int)n);
#endif
}

#endif // SGDI_OPS_KERNEL_MATH_H
