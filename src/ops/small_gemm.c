/*
 * small_gemm.c — small row-major products by libxsmm's JIT kernels, cblas where there is
 * none (see small_gemm.h).
 *
 * libxsmm is column-major: the row-major c = a b is the column-major c^T = b^T a^T, so a
 * row-major (m, n, k) product is libxsmm's (n, m, k) with the operands swapped. Kernels
 * are generated once per shape and kept in libxsmm's registry, which is safe to query
 * from every thread; the query, a hash lookup, costs 5-10 % of the smallest products, so
 * runs of products of one shape look it up once (sgdi_gemm_plan).
 */
#include "ops/small_gemm.h"

#include <cblas.h>
#include <libxsmm.h>

#ifdef SGDI_REAL_DOUBLE
typedef libxsmm_dmmfunction kernel_fn;
#define DISPATCH libxsmm_dmmdispatch
#else
typedef libxsmm_smmfunction kernel_fn;
#define DISPATCH libxsmm_smmdispatch
#endif

static void blas_gemm(bool transposed_a, int64_t m, int64_t n, int64_t k, const sgdi_real *a,
                      int64_t lda, const sgdi_real *b, int64_t ldb, bool accumulate, sgdi_real *c,
                      int64_t ldc) {
    const enum CBLAS_TRANSPOSE ta = transposed_a ? CblasTrans : CblasNoTrans;
#ifdef SGDI_REAL_DOUBLE
    cblas_dgemm(CblasRowMajor, ta, CblasNoTrans, (int)m, (int)n, (int)k, 1.0, a, (int)lda, b,
                (int)ldb, accumulate ? 1.0 : 0.0, c, (int)ldc);
#else
    cblas_sgemm(CblasRowMajor, ta, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b,
                (int)ldb, accumulate ? 1.0f : 0.0f, c, (int)ldc);
#endif
}

// The JIT kernels end with the upper halves of the vector registers dirty, and every
// SSE instruction of the compiler's baseline x86-64 code that runs after them (batch
// normalization, pooling, the transforms) then pays for it: the CNN's steps were 30 %
// slower until this vzeroupper. The kernels are SSE-only below AVX, where the
// instruction does not exist.
static void leave_wide_vectors(void) {
#if defined(__x86_64__) || defined(__i386__)
    if (libxsmm_get_target_archid() >= LIBXSMM_X86_AVX) __asm__ volatile("vzeroupper");
#endif
}

// libxsmm's (n, m, k) product with b first (see above); a transposed in row-major terms is
// its second operand transposed.
sgdi_gemm_plan sgdi_gemm_plan_make(bool transposed_a, int64_t m, int64_t n, int64_t k, int64_t lda,
                                   int64_t ldb, bool accumulate, int64_t ldc) {
    sgdi_gemm_plan plan = {.m = m,
                           .n = n,
                           .k = k,
                           .lda = lda,
                           .ldb = ldb,
                           .ldc = ldc,
                           .transposed_a = transposed_a,
                           .accumulate = accumulate};
    const sgdi_real alpha = 1, beta = accumulate ? 1 : 0;
    const libxsmm_blasint xm = (libxsmm_blasint)n, xn = (libxsmm_blasint)m, xk = (libxsmm_blasint)k,
                          xlda = (libxsmm_blasint)ldb, xldb = (libxsmm_blasint)lda,
                          xldc = (libxsmm_blasint)ldc;
    const int flags = transposed_a ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
    const int prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    kernel_fn kernel = DISPATCH(xm, xn, xk, &xlda, &xldb, &xldc, &alpha, &beta, &flags, &prefetch);
    plan.kernel = (void (*)(void))kernel;
    return plan;
}

void sgdi_gemm_plan_run(const sgdi_gemm_plan *plan, const sgdi_real *a, const sgdi_real *b,
                        sgdi_real *c) {
    if (!plan->kernel) {
        blas_gemm(plan->transposed_a, plan->m, plan->n, plan->k, a, plan->lda, b, plan->ldb,
                  plan->accumulate, c, plan->ldc);
        return;
    }
    ((kernel_fn)plan->kernel)(b, a, c);
    leave_wide_vectors();
}

void sgdi_small_gemm(int64_t m, int64_t n, int64_t k, const sgdi_real *a, int64_t lda,
                     const sgdi_real *b, int64_t ldb, bool accumulate, sgdi_real *c, int64_t ldc) {
    sgdi_gemm_plan plan = sgdi_gemm_plan_make(false, m, n, k, lda, ldb, accumulate, ldc);
    sgdi_gemm_plan_run(&plan, a, b, c);
}

void sgdi_small_gemm_at(int64_t m, int64_t n, int64_t k, const sgdi_real *a, int64_t lda,
                        const sgdi_real *b, int64_t ldb, bool accumulate, sgdi_real *c,
                        int64_t ldc) {
    sgdi_gemm_plan plan = sgdi_gemm_plan_make(true, m, n, k, lda, ldb, accumulate, ldc);
    sgdi_gemm_plan_run(&plan, a, b, c);
}

void sgdi_small_transpose(int64_t m, int64_t n, const sgdi_real *in, int64_t ldi, sgdi_real *out,
                          int64_t ldo) {
    // Row-major in[m][n] is column-major n x m.
    libxsmm_otrans(out, in, (unsigned)sizeof *in, (libxsmm_blasint)n, (libxsmm_blasint)m,
                   (libxsmm_blasint)ldi, (libxsmm_blasint)ldo);
    leave_wide_vectors();
}
