/*
 * winograd_f2.c — the per-tile passes of F(2x2, 3x3) (see winograd_kernels.h):
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

// v[xi * ldv + t * C + c] = (B^T d B)[xi] of each tile d of pad[PH][PW][C]:
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], along each row of the tile, then down.
static void image_tiles(const sgdi_winograd_geom *g, const sgdi_real *pad, sgdi_real *v,
                        int64_t ldv) {
    const int64_t C = g->C, row = g->PW * C;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++) {
            const sgdi_real *d = pad + 2 * ti * row + 2 * tj * C;
            sgdi_real *o = v + (ti * g->TW + tj) * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) {
                sgdi_real h[4][4];
                for (int i = 0; i < 4; i++) {
                    const sgdi_real *r = d + i * row + c;
                    sgdi_real d0 = r[0], d1 = r[C], d2 = r[2 * C], d3 = r[3 * C];
                    h[i][0] = d0 - d2, h[i][1] = d1 + d2, h[i][2] = d2 - d1, h[i][3] = d1 - d3;
                }
                for (int j = 0; j < 4; j++) {
                    o[j * ldv + c] = h[0][j] - h[2][j];
                    o[(4 + j) * ldv + c] = h[1][j] + h[2][j];
                    o[(8 + j) * ldv + c] = h[2][j] - h[1][j];
                    o[(12 + j) * ldv + c] = h[1][j] - h[3][j];
                }
            }
        }
}

// One tile of the adjoint of image_tiles into d (rows `row` apart): B v_bar B^T, down the
// columns, then along the rows. Its first two rows add to what the tile above wrote (when
// `up`), its first two columns to the tile on the left's (when `left`); the rest is
// written.
static inline __attribute__((always_inline)) void image_tile_adjoint(const sgdi_real *vb,
                                                                     int64_t ldv, int64_t C,
                                                                     int64_t row, bool up,
                                                                     bool left, sgdi_real *d) {
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

// pad[PH][PW][C] = the adjoint of image_tiles applied to v_bar, every element written.
static void image_tiles_adjoint(const sgdi_winograd_geom *g, const sgdi_real *v_bar, int64_t ldv,
                                sgdi_real *pad) {
    const int64_t C = g->C, row = g->PW * C;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++) {
            const sgdi_real *vb = v_bar + (ti * g->TW + tj) * C;
            sgdi_real *d = pad + 2 * ti * row + 2 * tj * C;
            // four copies, each with its flags fixed, so that the selects fold away
            if (ti > 0 && tj > 0)
                image_tile_adjoint(vb, ldv, C, row, true, true, d);
            else if (ti > 0)
                image_tile_adjoint(vb, ldv, C, row, true, false, d);
            else if (tj > 0)
                image_tile_adjoint(vb, ldv, C, row, false, true, d);
            else
                image_tile_adjoint(vb, ldv, C, row, false, false, d);
        }
}

// out[2 TH][2 TW][K] = A^T m A for every tile, A^T = [1 1 1 0; 0 1 -1 -1]: down the
// columns of the tile's points, then along its rows.
static void column_tiles(const sgdi_winograd_geom *g, const sgdi_real *m, int64_t ldm,
                         sgdi_real *out) {
    const int64_t K = g->K, row = 2 * g->TW * K;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++) {
            const sgdi_real *x = m + (ti * g->TW + tj) * K;
            sgdi_real *o = out + 2 * ti * row + 2 * tj * K;
#pragma omp simd
            for (int64_t k = 0; k < K; k++) {
                sgdi_real e[2][4];
                for (int j = 0; j < 4; j++) {
                    sgdi_real x0 = x[j * ldm + k], x1 = x[(4 + j) * ldm + k],
                              x2 = x[(8 + j) * ldm + k], x3 = x[(12 + j) * ldm + k];
                    e[0][j] = x0 + x1 + x2, e[1][j] = x1 - x2 - x3;
                }
                for (int a = 0; a < 2; a++) {
                    o[a * row + k] = e[a][0] + e[a][1] + e[a][2];
                    o[a * row + K + k] = e[a][1] - e[a][2] - e[a][3];
                }
            }
        }
}

// m_bar = the adjoint of column_tiles applied to in[2 TH][2 TW][K]: A along the tile's
// rows, then down its columns.
static void column_tiles_adjoint(const sgdi_winograd_geom *g, const sgdi_real *in, sgdi_real *m_bar,
                                 int64_t ldm) {
    const int64_t K = g->K, row = 2 * g->TW * K;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++) {
            const sgdi_real *y = in + 2 * ti * row + 2 * tj * K;
            sgdi_real *x = m_bar + (ti * g->TW + tj) * K;
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
}

const sgdi_winograd_kernels sgdi_winograd_f2 = {.image = image_tiles,
                                                .image_adjoint = image_tiles_adjoint,
                                                .column = column_tiles,
                                                .column_adjoint = column_tiles_adjoint};
