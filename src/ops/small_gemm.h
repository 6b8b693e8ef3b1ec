/*
 * small_gemm.h — the small matrix products of the Winograd transform domain (private to
 * src/ops/).
 *
 * Winograd's convolutions multiply 16 small matrices per chunk of tiles (32 to 128
 * channels by about 64 tiles), each already in the thread's cache. OpenBLAS packs both
 * operands for every such product and runs its AVX2 kernel; libxsmm JIT-compiles a kernel
 * for the exact shape and the machine's widest vectors (AVX-512 where there is one) and
 * reads the operands in place: twice the rate on these shapes (bench/README.md, "CNN
 * step"). Where libxsmm has no kernel (another architecture, a shape it declines) the
 * product falls back to cblas. Either way a product runs whole on the calling thread.
 */
#ifndef SGDI_OPS_SMALL_GEMM_H
#define SGDI_OPS_SMALL_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

// A product's shape and its kernel, looked up once for every product of that shape: the
// lookup in libxsmm's registry costs 5-10 % of a 49 x 32 x 32 product (bench_small_ops).
typedef struct sgdi_gemm_plan {
    void (*kernel)(void); // libxsmm's kernel, or NULL: cblas
    int64_t m, n, k, lda, ldb, ldc;
    bool transposed_a, accumulate;
} sgdi_gemm_plan;

// The plan of sgdi_small_gemm (transposed_a false) or sgdi_small_gemm_at (true) for these
// dimensions.
sgdi_gemm_plan sgdi_gemm_plan_make(bool transposed_a, int64_t m, int64_t n, int64_t k, int64_t lda,
                                   int64_t ldb, bool accumulate, int64_t ldc);

// The product the plan describes, of these operands, on the calling thread.
void sgdi_gemm_plan_run(const sgdi_gemm_plan *plan, const sgdi_real *a, const sgdi_real *b,
                        sgdi_real *c);

// c[m][n] = a[m][k] b[k][n] (+ c[m][n] when accumulate), row-major with leading
// dimensions lda, ldb, ldc, on the calling thread.
void sgdi_small_gemm(int64_t m, int64_t n, int64_t k, const sgdi_real *a, int64_t lda,
                     const sgdi_real *b, int64_t ldb, bool accumulate, sgdi_real *c, int64_t ldc);

// c[m][n] = a^T b (+ c[m][n] when accumulate), a stored [k][m]: the weight gradient's
// products, which read a point of the column side [tiles][K] as [K][tiles]. A kernel that
// reads a transposed costs what the plain one does; transposing a first (a pass over it,
// mostly no longer in cache) took 4 % of a CNN run.
void sgdi_small_gemm_at(int64_t m, int64_t n, int64_t k, const sgdi_real *a, int64_t lda,
                        const sgdi_real *b, int64_t ldb, bool accumulate, sgdi_real *c,
                        int64_t ldc);

// out[n][m] = in[m][n]^T, row-major with leading dimensions ldi, ldo.
void sgdi_small_transpose(int64_t m, int64_t n, const sgdi_real *in, int64_t ldi, sgdi_real *out,
                          int64_t ldo);

#endif // SGDI_OPS_SMALL_GEMM_H
