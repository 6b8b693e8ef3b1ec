/*
 * winograd_weights.c — the kernel side of F(2x2, 3x3): each 3x3 kernel g carried into the
 * 16-point transform domain, U = G g G^T, and the weight gradient carried back,
 * dW = G^T dU G (see winograd.c for the whole scheme), with
 *
 *     G = [1    0    0  ]
 *         [1/2  1/2  1/2]
 *         [1/2 -1/2  1/2]
 *         [0    0    1  ]
 */
#include "ops/winograd_weights.h"

#include <omp.h>

// Kernels are transformed KERNEL_BLOCK at a time, along a run of the layout they are
// written in: each point's values of a block are then one contiguous store, and the
// arithmetic runs in vectors. A kernel at a time wrote 16 lone floats K C apart (64 KiB
// in the 128-channel layers, so that they fell into the same cache sets).
enum { KERNEL_BLOCK = 16 };

// u[xi * us + j] = (G g_j G^T)[xi] for the n <= KERNEL_BLOCK 3x3 kernels g_j = w + j ws
// (row-major)
static void kernels_to_points(const sgdi_real *w, int64_t ws, int64_t n, sgdi_real *u, int64_t us) {
    const sgdi_real half = (sgdi_real)0.5;
    sgdi_real g[9][KERNEL_BLOCK];
    for (int64_t j = 0; j < n; j++)
        for (int q = 0; q < 9; q++) g[q][j] = w[j * ws + q];
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        sgdi_real t[4][3]; // G g
        for (int q = 0; q < 3; q++) {
            sgdi_real g0 = g[q][j], g1 = g[3 + q][j], g2 = g[6 + q][j];
            t[0][q] = g0, t[1][q] = (g0 + g1 + g2) * half, t[2][q] = (g0 - g1 + g2) * half;
            t[3][q] = g2;
        }
        for (int i = 0; i < 4; i++) {
            sgdi_real *row = u + 4 * i * us + j;
            row[0] = t[i][0], row[us] = (t[i][0] + t[i][1] + t[i][2]) * half;
            row[2 * us] = (t[i][0] - t[i][1] + t[i][2]) * half, row[3 * us] = t[i][2];
        }
    }
}

// w_bar[j * ws + (3x3)] += G^T e_j G for the n <= KERNEL_BLOCK kernels whose 16 points are
// e[xi * es + j]: the adjoint of kernels_to_points
static void points_to_kernels(const sgdi_real *e, int64_t es, int64_t n, sgdi_real *w_bar,
                              int64_t ws) {
    const sgdi_real half = (sgdi_real)0.5;
    sgdi_real g[9][KERNEL_BLOCK];
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        sgdi_real t[4][3]; // e G
        for (int i = 0; i < 4; i++) {
            const sgdi_real *row = e + 4 * i * es + j;
            sgdi_real e0 = row[0], e1 = row[es], e2 = row[2 * es], e3 = row[3 * es];
            t[i][0] = e0 + (e1 + e2) * half, t[i][1] = (e1 - e2) * half,
            t[i][2] = (e1 + e2) * half + e3;
        }
        for (int q = 0; q < 3; q++) {
            sgdi_real t0 = t[0][q], t1 = t[1][q], t2 = t[2][q], t3 = t[3][q];
            g[q][j] = t0 + (t1 + t2) * half;
            g[3 + q][j] = (t1 - t2) * half;
            g[6 + q][j] = (t1 + t2) * half + t3;
        }
    }
    for (int64_t j = 0; j < n; j++)
        for (int q = 0; q < 9; q++) w_bar[j * ws + q] += g[q][j];
}

void sgdi_winograd_weights_to_points(int64_t K, int64_t C, const sgdi_real *w, bool transposed,
                                     sgdi_real *u) {
    if (transposed) { // c outer: each point's writes run along k
#pragma omp parallel for schedule(static)
        for (int64_t c = 0; c < C; c++)
            for (int64_t k = 0; k < K; k += KERNEL_BLOCK)
                kernels_to_points(w + (k * C + c) * 9, 9 * C, min64(KERNEL_BLOCK, K - k),
                                  u + c * K + k, K * C);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < C; c += KERNEL_BLOCK)
            kernels_to_points(w + (k * C + c) * 9, 9, min64(KERNEL_BLOCK, C - c), u + k * C + c,
                              K * C);
}

void sgdi_winograd_points_to_weights(int64_t K, int64_t C, const sgdi_real *u_bar,
                                     sgdi_real *w_bar) {
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < C; c += KERNEL_BLOCK)
            points_to_kernels(u_bar + k * C + c, K * C, min64(KERNEL_BLOCK, C - c),
                              w_bar + (k * C + c) * 9, 9);
}
