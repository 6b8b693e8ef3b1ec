/*
 * winograd_f2.c — one tile's transforms of F(2x2, 3x3) (see winograd_kernels.h):
 *
 *     B^T = [1  0 -1  0]     A^T = [1 1  1  0]
 *           [0  1  1  0]           [0 1 -1 -1]
 *           [0 -1  1  0]
 *           [0  1  0 -1]
 *
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016). A tile's 2-D
 * transform is a 1-D one along its rows, then one down its columns; the adjoints run the
 * transposed 1-D maps in the opposite order.
 */
#include <stdbool.h>

#include "ops/winograd_kernels.h"

// v[xi * ldv + c] = (B^T d B)[xi]: along each row of the tile, then down its columns.
SGDI_WIDE_VECTORS
static void image_tile(const sgdi_real *d, int64_t row, int64_t C, sgdi_real *v, int64_t ldv) {
#pragma omp simd
    for (int64_t c = 0; c < C; c++) {
        sgdi_real h[4][4];
        for (int i = 0; i < 4; i++) {
            const sgdi_real *r = d + i * row + c;
            sgdi_real d0 = r[0], d1 = r[C], d2 = r[2 * C], d3 = r[3 * C];
            h[i][0] = d0 - d2, h[i][1] = d1 + d2, h[i][2] = d2 - d1, h[i][3] = d1 - d3;
        }
        for (int j = 0; j < 4; j++) {
            v[j * ldv + c] = h[0][j] - h[2][j];
            v[(4 + j) * ldv + c] = h[1][j] + h[2][j];
            v[(8 + j) * ldv + c] = h[2][j] - h[1][j];
            v[(12 + j) * ldv + c] = h[1][j] - h[3][j];
        }
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
        sgdi_real h[4][4], p[4][4];
        for (int j = 0; j < 4; j++) {
            sgdi_real x0 = vb[j * ldv + c], x1 = vb[(4 + j) * ldv + c], x2 = vb[(8 + j) * ldv + c],
                      x3 = vb[(12 + j) * ldv + c];
            h[0][j] = x0, h[1][j] = x1 - x2 + x3, h[2][j] = x1 + x2 - x0, h[3][j] = -x3;
        }
        for (int i = 0; i < 4; i++) {
            p[i][0] = h[i][0], p[i][1] = h[i][1] - h[i][2] + h[i][3];
            p[i][2] = h[i][1] + h[i][2] - h[i][0], p[i][3] = -h[i][3];
        }
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
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
        sgdi_real e[2][4];
        for (int j = 0; j < 4; j++) {
            sgdi_real x0 = x[j * ldm + k], x1 = x[(4 + j) * ldm + k], x2 = x[(8 + j) * ldm + k],
                      x3 = x[(12 + j) * ldm + k];
            e[0][j] = x0 + x1 + x2, e[1][j] = x1 - x2 - x3;
        }
        for (int a = 0; a < 2; a++) {
            y[a * row + k] = e[a][0] + e[a][1] + e[a][2];
            y[a * row + K + k] = e[a][1] - e[a][2] - e[a][3];
        }
    }
}

// x_bar = A y_bar A^T: along the tile's rows, then down its columns.
SGDI_WIDE_VECTORS
static void column_tile_adjoint(const sgdi_real *y, int64_t row, int64_t K, sgdi_real *x,
                                int64_t ldm) {
#pragma omp simd
    for (int64_t k = 0; k < K; k++) {
        sgdi_real e[2][4];
        for (int a = 0; a < 2; a++) {
            sgdi_real y0 = y[a * row + k], y1 = y[a * row + K + k];
            e[a][0] = y0, e[a][1] = y0 + y1, e[a][2] = y0 - y1, e[a][3] = -y1;
        }
        for (int j = 0; j < 4; j++) {
            x[j * ldm + k] = e[0][j];
            x[(4 + j) * ldm + k] = e[0][j] + e[1][j];
            x[(8 + j) * ldm + k] = e[0][j] - e[1][j];
            x[(12 + j) * ldm + k] = -e[1][j];
        }
    }
}

const sgdi_winograd_kernels sgdi_winograd_f2 = {
    .mr = 2,
    .mc = 2,
    .image = image_tile,
    .image_adjoint = {{image_tile_adjoint_00, image_tile_adjoint_01},
                      {image_tile_adjoint_10, image_tile_adjoint_11}},
    .column = column_tile,
    .column_adjoint = column_tile_adjoint};
