/*
 * winograd_edges.c — one tile's transforms for the tiles along a plane's last rows and
 * columns: F(mr x mc, 3x3) with mr, mc in {2, 3, 4}, not both 4 and not both 2 (those are
 * winograd_f4.c's and winograd_f2.c's). A side of 14 outputs is tiled 4 + 4 + 4 + 2 and
 * one of 7 as 4 + 3, where whole F(4x4) tiles would overhang the plane by two outputs or
 * one (see winograd_tiles.h): a 14 x 14 plane then takes 484 multiplications per pair of
 * channels instead of 576, a 7 x 7 plane 121 instead of 144.
 *
 * A tile of mr x mc outputs has (mr + 2) x (mc + 2) pixels and points, point xi = (row
 * of the point) (mc + 2) + (its column); its transforms are F(mc, 3)'s 1-D maps along the
 * rows and F(mr, 3)'s down the columns (winograd_1d.h), in the order winograd_f4.c's run
 * them. Each shape's four kernels are one template, instantiated below.
 */
#include <stdbool.h>

#include "ops/winograd_1d.h"
#include "ops/winograd_kernels.h"

// The kernels of tiles of MR x MC outputs (AR x AC pixels and points), named after them.
#define EDGE_KERNELS(MR, MC, AR, AC)                                                               \
    /* v[xi * ldv + c] = (B^T d B)[xi]: along each row of the tile, then down its columns */       \
    SGDI_WIDE_VECTORS static void image_##MR##MC(const sgdi_real *d, int64_t row, int64_t C,       \
                                                 sgdi_real *v, int64_t ldv) {                      \
        _Pragma("omp simd") for (int64_t c = 0; c < C; c++) {                                      \
            sgdi_real h[AR][AC];                                                                   \
            _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) {                                 \
                sgdi_real in[AC];                                                                  \
                _Pragma("GCC unroll 6") for (int j = 0; j < AC; j++) in[j] =                       \
                    d[i * row + j * C + c];                                                        \
                WINOGRAD_BT_##MC(in, h[i]);                                                        \
            }                                                                                      \
            _Pragma("GCC unroll 6") for (int j = 0; j < AC; j++) {                                 \
                sgdi_real in[AR], out[AR];                                                         \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) in[i] = h[i][j];              \
                WINOGRAD_BT_##MR(in, out);                                                         \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) v[(i * AC + j) * ldv + c] =   \
                    out[i];                                                                        \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    /* d (+)= B v_bar B^T: down the columns, then along the rows (see image_adjoint in             \
       winograd_kernels.h for up and left) */                                                      \
    static inline __attribute__((always_inline)) void image_adjoint_##MR##MC(                      \
        const sgdi_real *vb, int64_t ldv, int64_t C, sgdi_real *d, int64_t row, bool up,           \
        bool left) {                                                                               \
        _Pragma("omp simd") for (int64_t c = 0; c < C; c++) {                                      \
            sgdi_real h[AR][AC];                                                                   \
            _Pragma("GCC unroll 6") for (int j = 0; j < AC; j++) {                                 \
                sgdi_real in[AR], out[AR];                                                         \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) in[i] =                       \
                    vb[(i * AC + j) * ldv + c];                                                    \
                WINOGRAD_B_##MR(in, out);                                                          \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) h[i][j] = out[i];             \
            }                                                                                      \
            _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) {                                 \
                sgdi_real p[AC];                                                                   \
                WINOGRAD_B_##MC(h[i], p);                                                          \
                _Pragma("GCC unroll 6") for (int j = 0; j < AC; j++) {                             \
                    sgdi_real *o = d + i * row + j * C + c;                                        \
                    *o = (i < 2 && up) || (j < 2 && left) ? *o + p[j] : p[j];                      \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    SGDI_WINOGRAD_ADJOINT_COPIES(image_adjoint_##MR##MC)                                           \
    /* y (rows `row` apart) = A^T x A: down the columns of the points, then along the rows */      \
    SGDI_WIDE_VECTORS static void column_##MR##MC(const sgdi_real *x, int64_t ldm, int64_t K,      \
                                                  sgdi_real *y, int64_t row) {                     \
        _Pragma("omp simd") for (int64_t k = 0; k < K; k++) {                                      \
            sgdi_real e[MR][AC];                                                                   \
            _Pragma("GCC unroll 6") for (int j = 0; j < AC; j++) {                                 \
                sgdi_real in[AR], out[MR];                                                         \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) in[i] =                       \
                    x[(i * AC + j) * ldm + k];                                                     \
                WINOGRAD_AT_##MR(in, out);                                                         \
                _Pragma("GCC unroll 4") for (int r = 0; r < MR; r++) e[r][j] = out[r];             \
            }                                                                                      \
            _Pragma("GCC unroll 4") for (int r = 0; r < MR; r++) {                                 \
                sgdi_real out[MC];                                                                 \
                WINOGRAD_AT_##MC(e[r], out);                                                       \
                _Pragma("GCC unroll 4") for (int s = 0; s < MC; s++) y[r * row + s * K + k] =      \
                    out[s];                                                                        \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    /* x_bar = A y_bar A^T: along the rows, then down the columns */                               \
    SGDI_WIDE_VECTORS static void column_adjoint_##MR##MC(const sgdi_real *y, int64_t row,         \
                                                          int64_t K, sgdi_real *x, int64_t ldm) {  \
        _Pragma("omp simd") for (int64_t k = 0; k < K; k++) {                                      \
            sgdi_real e[MR][AC];                                                                   \
            _Pragma("GCC unroll 4") for (int r = 0; r < MR; r++) {                                 \
                sgdi_real in[MC];                                                                  \
                _Pragma("GCC unroll 4") for (int s = 0; s < MC; s++) in[s] =                       \
                    y[r * row + s * K + k];                                                        \
                WINOGRAD_A_##MC(in, e[r]);                                                         \
            }                                                                                      \
            _Pragma("GCC unroll 6") for (int j = 0; j < AC; j++) {                                 \
                sgdi_real in[MR], out[AR];                                                         \
                _Pragma("GCC unroll 4") for (int r = 0; r < MR; r++) in[r] = e[r][j];              \
                WINOGRAD_A_##MR(in, out);                                                          \
                _Pragma("GCC unroll 6") for (int i = 0; i < AR; i++) x[(i * AC + j) * ldm + k] =   \
                    out[i];                                                                        \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    const sgdi_winograd_kernels sgdi_winograd_f##MR##MC = {                                        \
        .mr = MR,                                                                                  \
        .mc = MC,                                                                                  \
        .image = image_##MR##MC,                                                                   \
        .image_adjoint = {{image_adjoint_##MR##MC##_00, image_adjoint_##MR##MC##_01},              \
                          {image_adjoint_##MR##MC##_10, image_adjoint_##MR##MC##_11}},             \
        .column = column_##MR##MC,                                                                 \
        .column_adjoint = column_adjoint_##MR##MC};

SGDI_WINOGRAD_EDGE_SHAPES(EDGE_KERNELS)
