/*
 * winograd_f4.c — one tile's transforms of F(4x4, 3x3) (see winograd_kernels.h):
 *
 *     B^T = [4  0 -5  0  1  0]     A^T = [1  1  1  1  1  0]
 *           [0 -4 -4  1  1  0]           [0  1 -1  2 -2  0]
 *           [0  4 -4 -1  1  0]           [0  1  1  4  4  0]
 *           [0 -2 -1  2  1  0]           [0  1 -1  8 -8  1]
 *           [0  2 -1 -2  1  0]
 *           [0  4  0 -5  0  1]
 *
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): 36 points per
 * 16 outputs, against F(2x2)'s 16 per 4. A tile's 2-D transform is a 1-D one along its
 * rows, then one down its columns; the adjoints run the transposed 1-D maps in the
 * opposite order. The 1-D maps are macros over six (or four) named values rather than
 * functions over arrays: gcc vectorises the loop over the channels only when every value
 * of the 6x6 tile is a scalar it can name, with the loops over a tile fully unrolled.
 */
#include <stdbool.h>

#include "ops/winograd_1d.h"
#include "ops/winograd_kernels.h"

// v[xi * ldv + c] = (B^T d B)[xi]: along each row of the tile, then down its columns.
SGDI_WIDE_VECTORS
static void image_tile(const sgdi_real *d, int64_t row, int64_t C, sgdi_real *v, int64_t ldv) {
#pragma omp simd
    for (int64_t c = 0; c < C; c++) {
        sgdi_real h[6][6];
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++) {
            const sgdi_real *r = d + i * row + c;
            F4_BT(r[0], r[C], r[2 * C], r[3 * C], r[4 * C], r[5 * C], h[i][0], h[i][1], h[i][2],
                  h[i][3], h[i][4], h[i][5]);
        }
#pragma GCC unroll 6
        for (int j = 0; j < 6; j++)
            F4_BT(h[0][j], h[1][j], h[2][j], h[3][j], h[4][j], h[5][j], v[j * ldv + c],
                  v[(6 + j) * ldv + c], v[(12 + j) * ldv + c], v[(18 + j) * ldv + c],
                  v[(24 + j) * ldv + c], v[(30 + j) * ldv + c]);
    }
}

// d (+)= B v_bar B^T: down the columns, then along the rows (see image_adjoint in
// winograd_kernels.h for `up` and `left`).
static inline __attribute__((always_inline)) void image_tile_adjoint(const sgdi_real *vb,
                                                                     int64_t ldv, int64_t C,
                                                                     sgdi_real *d, int64_t row,
                                                                     bool up, bool left) {
#pragma omp simd
    for (int64_t c = 0; c < C; c++) {
        sgdi_real h[6][6], p[6][6];
#pragma GCC unroll 6
        for (int j = 0; j < 6; j++)
            F4_B(vb[j * ldv + c], vb[(6 + j) * ldv + c], vb[(12 + j) * ldv + c],
                 vb[(18 + j) * ldv + c], vb[(24 + j) * ldv + c], vb[(30 + j) * ldv + c], h[0][j],
                 h[1][j], h[2][j], h[3][j], h[4][j], h[5][j]);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
            F4_B(h[i][0], h[i][1], h[i][2], h[i][3], h[i][4], h[i][5], p[i][0], p[i][1], p[i][2],
                 p[i][3], p[i][4], p[i][5]);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
#pragma GCC unroll 6
            for (int j = 0; j < 6; j++) {
                sgdi_real *out = d + i * row + j * C + c;
                *out = (i < 2 && up) || (j < 2 && left) ? *out + p[i][j] : p[i][j];
            }
    }
}

SGDI_WINOGRAD_ADJOINT_COPIES(image_tile_adjoint)

// y (rows `row` apart) = A^T x A: down the columns of the tile's points, then along its
// rows.
SGDI_WIDE_VECTORS
static void column_tile(const sgdi_real *x, int64_t ldm, int64_t K, sgdi_real *y, int64_t row) {
#pragma omp simd
    for (int64_t k = 0; k < K; k++) {
        sgdi_real e[4][6];
#pragma GCC unroll 6
        for (int j = 0; j < 6; j++)
            F4_AT(x[j * ldm + k], x[(6 + j) * ldm + k], x[(12 + j) * ldm + k],
                  x[(18 + j) * ldm + k], x[(24 + j) * ldm + k], x[(30 + j) * ldm + k], e[0][j],
                  e[1][j], e[2][j], e[3][j]);
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++)
            F4_AT(e[r][0], e[r][1], e[r][2], e[r][3], e[r][4], e[r][5], y[r * row + k],
                  y[r * row + K + k], y[r * row + 2 * K + k], y[r * row + 3 * K + k]);
    }
}

// x_bar = A y_bar A^T: along the tile's rows, then down its columns.
SGDI_WIDE_VECTORS
static void column_tile_adjoint(const sgdi_real *y, int64_t row, int64_t K, sgdi_real *x,
                                int64_t ldm) {
#pragma omp simd
    for (int64_t k = 0; k < K; k++) {
        sgdi_real e[4][6];
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++)
            F4_A(y[r * row + k], y[r * row + K + k], y[r * row + 2 * K + k], y[r * row + 3 * K + k],
                 e[r][0], e[r][1], e[r][2], e[r][3], e[r][4], e[r][5]);
#pragma GCC unroll 6
        for (int j = 0; j < 6; j++)
            F4_A(e[0][j], e[1][j], e[2][j], e[3][j], x[j * ldm + k], x[(6 + j) * ldm + k],
                 x[(12 + j) * ldm + k], x[(18 + j) * ldm + k], x[(24 + j) * ldm + k],
                 x[(30 + j) * ldm + k]);
    }
}

const sgdi_winograd_kernels sgdi_winograd_f4 = {
    .mr = 4,
    .mc = 4,
    .image = image_tile,
    .image_adjoint = {{image_tile_adjoint_00, image_tile_adjoint_01},
                      {image_tile_adjoint_10, image_tile_adjoint_11}},
    .column = column_tile,
    .column_adjoint = column_tile_adjoint};
