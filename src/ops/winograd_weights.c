/*
 * winograd_weights.c — the kernel side of F(mr x mc, 3x3), mr and mc 2, 3 or 4: each 3x3
 * kernel g carried into the (mr + 2) x (mc + 2)-point transform domain, U = Gr g Gc^T,
 * and the weight gradient carried back, dW = Gr^T dU Gc (see winograd.c for the whole
 * scheme), with
 *
 *   F(2x2):  G = [1    0    0  ]     F(4x4):  G = [ 1/4     0     0  ]
 *                [1/2  1/2  1/2]                  [-1/6  -1/6  -1/6 ]
 *                [1/2 -1/2  1/2]                  [-1/6   1/6  -1/6 ]
 *                [0    0    1  ]                  [ 1/24  1/12  1/6 ]
 *                                                 [ 1/24 -1/12  1/6 ]
 *                                                 [ 0     0     1   ]
 */
#include "ops/winograd_weights.h"

#include <omp.h>

#include "ops/winograd_kernels.h"

// Kernels are transformed KERNEL_BLOCK at a time, along a run of the layout they are
// written in: each point's values of a block are then one contiguous store, and the
// arithmetic runs in vectors. A kernel at a time wrote 16 lone floats K C apart (64 KiB
// in the 128-channel layers, so that they fell into the same cache sets).
enum { KERNEL_BLOCK = 16 };

// The 1-D maps, macros over named values (gcc vectorises the loop over a block's kernels
// only when it can name every value of the transform): (t0 ..) = G (g0, g1, g2) and its
// adjoint (g0, g1, g2) = G^T (t0 ..).
#define F2_G(g0, g1, g2, t0, t1, t2, t3)                                                           \
    do {                                                                                           \
        const sgdi_real g0_ = (g0), g1_ = (g1), g2_ = (g2), half_ = (sgdi_real)0.5;                \
        (t0) = g0_, (t1) = (g0_ + g1_ + g2_) * half_, (t2) = (g0_ - g1_ + g2_) * half_;            \
        (t3) = g2_;                                                                                \
    } while (0)

#define F2_GT(t0, t1, t2, t3, g0, g1, g2)                                                          \
    do {                                                                                           \
        const sgdi_real t0_ = (t0), t1_ = (t1), t2_ = (t2), t3_ = (t3), half_ = (sgdi_real)0.5;    \
        (g0) = t0_ + (t1_ + t2_) * half_, (g1) = (t1_ - t2_) * half_;                              \
        (g2) = (t1_ + t2_) * half_ + t3_;                                                          \
    } while (0)

// F(3, 3): G = [1/2 0 0; -1/2 -1/2 -1/2; -1/6 1/6 -1/6; 1/6 1/3 2/3; 0 0 1]
#define F3_G(g0, g1, g2, t0, t1, t2, t3, t4)                                                       \
    do {                                                                                           \
        const sgdi_real g0_ = (g0), g1_ = (g1), g2_ = (g2), half_ = (sgdi_real)0.5;                \
        (t0) = g0_ * half_, (t1) = -(g0_ + g1_ + g2_) * half_;                                     \
        (t2) = -(g0_ - g1_ + g2_) * SIXTH, (t3) = (g0_ + 2 * g1_ + 4 * g2_) * SIXTH;               \
        (t4) = g2_;                                                                                \
    } while (0)

#define F3_GT(t0, t1, t2, t3, t4, g0, g1, g2)                                                      \
    do {                                                                                           \
        const sgdi_real t0_ = (t0), t1_ = (t1), t2_ = (t2), t3_ = (t3), t4_ = (t4);                \
        const sgdi_real half_ = (sgdi_real)0.5;                                                    \
        (g0) = (t0_ - t1_) * half_ + (t3_ - t2_) * SIXTH;                                          \
        (g1) = (t2_ + 2 * t3_) * SIXTH - t1_ * half_;                                              \
        (g2) = (4 * t3_ - t2_) * SIXTH - t1_ * half_ + t4_;                                        \
    } while (0)

#define F4_G(g0, g1, g2, t0, t1, t2, t3, t4, t5)                                                   \
    do {                                                                                           \
        const sgdi_real g0_ = (g0), g1_ = (g1), g2_ = (g2);                                        \
        (t0) = g0_ * QUARTER;                                                                      \
        (t1) = -(g0_ + g1_ + g2_) * SIXTH;                                                         \
        (t2) = -(g0_ - g1_ + g2_) * SIXTH;                                                         \
        (t3) = g0_ * TWENTYFOURTH + g1_ * TWELFTH + g2_ * SIXTH;                                   \
        (t4) = g0_ * TWENTYFOURTH - g1_ * TWELFTH + g2_ * SIXTH;                                   \
        (t5) = g2_;                                                                                \
    } while (0)

#define F4_GT(t0, t1, t2, t3, t4, t5, g0, g1, g2)                                                  \
    do {                                                                                           \
        const sgdi_real t0_ = (t0), t1_ = (t1), t2_ = (t2), t3_ = (t3), t4_ = (t4), t5_ = (t5);    \
        (g0) = t0_ * QUARTER - (t1_ + t2_) * SIXTH + (t3_ + t4_) * TWENTYFOURTH;                   \
        (g1) = (t2_ - t1_) * SIXTH + (t3_ - t4_) * TWELFTH;                                        \
        (g2) = (t3_ + t4_ - t1_ - t2_) * SIXTH + t5_;                                              \
    } while (0)

#define QUARTER ((sgdi_real)0.25)
#define SIXTH ((sgdi_real)1 / 6)
#define TWELFTH ((sgdi_real)1 / 12)
#define TWENTYFOURTH ((sgdi_real)1 / 24)

// g[q][j] = tap q of kernel j = w + j ws, for the n <= KERNEL_BLOCK kernels of a block
static void gather_taps(const sgdi_real *w, int64_t ws, int64_t n, sgdi_real g[9][KERNEL_BLOCK]) {
    for (int64_t j = 0; j < n; j++)
        for (int q = 0; q < 9; q++) g[q][j] = w[j * ws + q];
}

// w_bar[j * ws + q] += g[q][j], the adjoint of gather_taps
static void add_taps(sgdi_real g[9][KERNEL_BLOCK], int64_t n, sgdi_real *w_bar, int64_t ws) {
    for (int64_t j = 0; j < n; j++)
        for (int q = 0; q < 9; q++) w_bar[j * ws + q] += g[q][j];
}

// u[xi * us + j] = (G g_j G^T)[xi] for the n <= KERNEL_BLOCK 3x3 kernels g_j = w + j ws
// (row-major): G down each column of the kernel, then along each row of the result.
SGDI_WIDE_VECTORS
static void kernels_to_points_2(const sgdi_real *w, int64_t ws, int64_t n, sgdi_real *u,
                                int64_t us) {
    sgdi_real g[9][KERNEL_BLOCK];
    gather_taps(w, ws, n, g);
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        sgdi_real t[4][3];
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            F2_G(g[q][j], g[3 + q][j], g[6 + q][j], t[0][q], t[1][q], t[2][q], t[3][q]);
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            sgdi_real *row = u + 4 * i * us + j;
            F2_G(t[i][0], t[i][1], t[i][2], row[0], row[us], row[2 * us], row[3 * us]);
        }
    }
}

SGDI_WIDE_VECTORS
static void kernels_to_points_4(const sgdi_real *w, int64_t ws, int64_t n, sgdi_real *u,
                                int64_t us) {
    sgdi_real g[9][KERNEL_BLOCK];
    gather_taps(w, ws, n, g);
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        sgdi_real t[6][3];
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            F4_G(g[q][j], g[3 + q][j], g[6 + q][j], t[0][q], t[1][q], t[2][q], t[3][q], t[4][q],
                 t[5][q]);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++) {
            sgdi_real *row = u + 6 * i * us + j;
            F4_G(t[i][0], t[i][1], t[i][2], row[0], row[us], row[2 * us], row[3 * us], row[4 * us],
                 row[5 * us]);
        }
    }
}

// w_bar[j * ws + (3x3)] += G^T e_j G for the n <= KERNEL_BLOCK kernels whose points are
// e[xi * es + j]: the adjoints of kernels_to_points_2 and _4
SGDI_WIDE_VECTORS
static void points_to_kernels_2(const sgdi_real *e, int64_t es, int64_t n, sgdi_real *w_bar,
                                int64_t ws) {
    sgdi_real g[9][KERNEL_BLOCK];
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        sgdi_real t[4][3];
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            const sgdi_real *row = e + 4 * i * es + j;
            F2_GT(row[0], row[es], row[2 * es], row[3 * es], t[i][0], t[i][1], t[i][2]);
        }
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            F2_GT(t[0][q], t[1][q], t[2][q], t[3][q], g[q][j], g[3 + q][j], g[6 + q][j]);
    }
    add_taps(g, n, w_bar, ws);
}

SGDI_WIDE_VECTORS
static void points_to_kernels_4(const sgdi_real *e, int64_t es, int64_t n, sgdi_real *w_bar,
                                int64_t ws) {
    sgdi_real g[9][KERNEL_BLOCK];
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        sgdi_real t[6][3];
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++) {
            const sgdi_real *row = e + 6 * i * es + j;
            F4_GT(row[0], row[es], row[2 * es], row[3 * es], row[4 * es], row[5 * es], t[i][0],
                  t[i][1], t[i][2]);
        }
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            F4_GT(t[0][q], t[1][q], t[2][q], t[3][q], t[4][q], t[5][q], g[q][j], g[3 + q][j],
                  g[6 + q][j]);
    }
    add_taps(g, n, w_bar, ws);
}

// The 1-D maps over arrays (winograd_1d.h's convention): t[a] = G g[3], g[3] = G^T t[a].
#define G_ARR_2(g, t) F2_G(g[0], g[1], g[2], t[0], t[1], t[2], t[3])
#define G_ARR_3(g, t) F3_G(g[0], g[1], g[2], t[0], t[1], t[2], t[3], t[4])
#define G_ARR_4(g, t) F4_G(g[0], g[1], g[2], t[0], t[1], t[2], t[3], t[4], t[5])
#define GT_ARR_2(t, g) F2_GT(t[0], t[1], t[2], t[3], g[0], g[1], g[2])
#define GT_ARR_3(t, g) F3_GT(t[0], t[1], t[2], t[3], t[4], g[0], g[1], g[2])
#define GT_ARR_4(t, g) F4_GT(t[0], t[1], t[2], t[3], t[4], t[5], g[0], g[1], g[2])

// The edge tiles' kernels (winograd_edges.c), F(MR x MC) with AR x AC points: Gr down each
// column of the kernel, then Gc along each row of the result, as kernels_to_points_4; and
// the adjoint, as points_to_kernels_4.
#define EDGE_WEIGHTS(MR, MC, AR, AC)                                                               \
    SGDI_WIDE_VECTORS static void kernels_to_points_##MR##MC(                                      \
        const sgdi_real *w, int64_t ws, int64_t n, sgdi_real *u, int64_t us) {                     \
        sgdi_real g[9][KERNEL_BLOCK];                                                              \
        gather_taps(w, ws, n, g);                                                                  \
        _Pragma("omp simd") for (int64_t j = 0; j < n; j++) {                                      \
            sgdi_real t[AR][3];                                                                    \
            _Pragma("GCC unroll 3") for (int q = 0; q < 3; q++) {                                  \
                sgdi_real in[3] = {g[q][j], g[3 + q][j], g[6 + q][j]}, out[AR];                    \
                G_ARR_##MR(in, out);                                                               \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) t[i][q] = out[i];             \
            }                                                                                      \
            _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) {                                 \
                sgdi_real out[AC];                                                                 \
                G_ARR_##MC(t[i], out);                                                             \
                _Pragma("GCC unroll 6") for (int c = 0; c < AC; c++) u[(i * AC + c) * us + j] =    \
                    out[c];                                                                        \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    SGDI_WIDE_VECTORS static void points_to_kernels_##MR##MC(                                      \
        const sgdi_real *e, int64_t es, int64_t n, sgdi_real *w_bar, int64_t ws) {                 \
        sgdi_real g[9][KERNEL_BLOCK];                                                              \
        _Pragma("omp simd") for (int64_t j = 0; j < n; j++) {                                      \
            sgdi_real t[AR][3];                                                                    \
            _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) {                                 \
                sgdi_real in[AC];                                                                  \
                _Pragma("GCC unroll 6") for (int c = 0; c < AC; c++) in[c] =                       \
                    e[(i * AC + c) * es + j];                                                      \
                GT_ARR_##MC(in, t[i]);                                                             \
            }                                                                                      \
            _Pragma("GCC unroll 3") for (int q = 0; q < 3; q++) {                                  \
                sgdi_real in[AR], out[3];                                                          \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) in[i] = t[i][q];              \
                GT_ARR_##MR(in, out);                                                              \
                g[q][j] = out[0], g[3 + q][j] = out[1], g[6 + q][j] = out[2];                      \
            }                                                                                      \
        }                                                                                          \
        add_taps(g, n, w_bar, ws);                                                                 \
    }

SGDI_WINOGRAD_EDGE_SHAPES(EDGE_WEIGHTS)

typedef void block_fn(const sgdi_real *, int64_t, int64_t, sgdi_real *, int64_t);

// By tile shape: [mr - 2][mc - 2].
static block_fn *const to_points_table[3][3] = {
    {kernels_to_points_2, kernels_to_points_23, kernels_to_points_24},
    {kernels_to_points_32, kernels_to_points_33, kernels_to_points_34},
    {kernels_to_points_42, kernels_to_points_43, kernels_to_points_4}};
static block_fn *const to_kernels_table[3][3] = {
    {points_to_kernels_2, points_to_kernels_23, points_to_kernels_24},
    {points_to_kernels_32, points_to_kernels_33, points_to_kernels_34},
    {points_to_kernels_42, points_to_kernels_43, points_to_kernels_4}};

static block_fn *to_points(int mr, int mc) {
    return to_points_table[mr - 2][mc - 2];
}

static block_fn *to_kernels(int mr, int mc) {
    return to_kernels_table[mr - 2][mc - 2];
}

void sgdi_winograd_weights_to_points(int mr, int mc, int64_t K, int64_t C, const sgdi_real *w,
                                     bool transposed, int64_t ldu, sgdi_real *u) {
    block_fn *block = to_points(mr, mc);
    if (transposed) { // c outer: each point's writes run along k
#pragma omp parallel for schedule(static)
        for (int64_t c = 0; c < C; c++)
            for (int64_t k = 0; k < K; k += KERNEL_BLOCK)
                block(w + (k * C + c) * 9, 9 * C, min64(KERNEL_BLOCK, K - k), u + c * K + k, ldu);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < C; c += KERNEL_BLOCK)
            block(w + (k * C + c) * 9, 9, min64(KERNEL_BLOCK, C - c), u + k * C + c, ldu);
}

void sgdi_winograd_points_to_weights(int mr, int mc, int64_t K, int64_t C, const sgdi_real *u_bar,
                                     int64_t ldu, sgdi_real *w_bar) {
    block_fn *block = to_kernels(mr, mc);
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < C; c += KERNEL_BLOCK)
            block(u_bar + k * C + c, ldu, min64(KERNEL_BLOCK, C - c), w_bar + (k * C + c) * 9, 9);
}
