/*
 * winograd_kernels.h — one tile's transforms of F(2x2, 3x3) and F(4x4, 3x3) in a
 * channel-last scratch (private to src/ops/; winograd_tiles.c runs them over a sample's
 * tiles between the transposes to and from the channel-first planes).
 *
 * An mr x mc block of outputs comes from an (mr + 2) x (mc + 2) tile of the image side,
 * with as many transform points, point xi = (row of the point) (mc + 2) + (column). Each function
 * is one tile's 2-D transform for every channel: a loop over the channels, vectorised whole;
 * winograd_tiles.c runs them over a sample's tiles.
 */
#ifndef SGDI_OPS_WINOGRAD_KERNELS_H
#define SGDI_OPS_WINOGRAD_KERNELS_H

#include <stdint.h>

#include "ops/winograd_tiles.h"

// One tile's transforms, for `ch` channels: its scratch values (the image side's a x a
// pixels or the column side's m x m outputs) `row` apart by row and `ch` apart by column,
// its points at x[xi * ld + c].
typedef void sgdi_winograd_tile_fn(const sgdi_real *in, int64_t in_ld, int64_t ch, sgdi_real *out,
                                   int64_t out_ld);

typedef struct sgdi_winograd_kernels {
    int mr, mc; // outputs per tile: rows, columns
    // image side d (ld: row) -> its points v = B^T d B (ld: the points' distance)
    sgdi_winograd_tile_fn *image;
    // points v_bar -> the image side d += B v_bar B^T on [up][left]: whether the tile's first
    // two rows add to what the tile above wrote, and its first two columns to the tile on
    // the left's; the rest of the tile is written
    sgdi_winograd_tile_fn *image_adjoint[2][2];
    // points x -> column side A^T x A (ld: row)
    sgdi_winograd_tile_fn *column;
    // column side y_bar (ld: row) -> points A y_bar A^T
    sgdi_winograd_tile_fn *column_adjoint;
} sgdi_winograd_kernels;

// The four image_adjoint entries from one always-inline FN(v_bar, ld, ch, d, row, up, left):
// each copy with its flags fixed, so that the selects fold away.
// The tile functions are built for SSE2 and AVX2 (SGDI_WIDE_VECTORS, kernel_math.h): the
// same bytes, and F(4x4)'s heavier arithmetic 4 % of a CNN step faster with AVX2.
#define SGDI_WINOGRAD_ADJOINT_COPIES(FN)                                                           \
    SGDI_WIDE_VECTORS static void FN##_00(const sgdi_real *v, int64_t ld, int64_t ch,              \
                                          sgdi_real *d, int64_t row) {                             \
        FN(v, ld, ch, d, row, false, false);                                                       \
    }                                                                                              \
    SGDI_WIDE_VECTORS static void FN##_01(const sgdi_real *v, int64_t ld, int64_t ch,              \
                                          sgdi_real *d, int64_t row) {                             \
        FN(v, ld, ch, d, row, false, true);                                                        \
    }                                                                                              \
    SGDI_WIDE_VECTORS static void FN##_10(const sgdi_real *v, int64_t ld, int64_t ch,              \
                                          sgdi_real *d, int64_t row) {                             \
        FN(v, ld, ch, d, row, true, false);                                                        \
    }                                                                                              \
    SGDI_WIDE_VECTORS static void FN##_11(const sgdi_real *v, int64_t ld, int64_t ch,              \
                                          sgdi_real *d, int64_t row) {                             \
        FN(v, ld, ch, d, row, true, true);                                                         \
    }

// The edge tiles' shapes, X(mr, mc, mr + 2, mc + 2) for each: every pair of 2, 3 and 4
// outputs a side but 2 x 2 and 4 x 4 (winograd_edges.c, winograd_weights.c).
#define SGDI_WINOGRAD_EDGE_SHAPES(X)                                                               \
    X(4, 2, 6, 4)                                                                                  \
    X(2, 4, 4, 6) X(4, 3, 6, 5) X(3, 4, 5, 6) X(3, 3, 5, 5) X(3, 2, 5, 4) X(2, 3, 4, 5)

// F(2x2), F(4x4), and the edge tiles F(mr x mc) of winograd_edges.c (mr rows of mc
// outputs).
extern const sgdi_winograd_kernels sgdi_winograd_f2, sgdi_winograd_f4;
extern const sgdi_winograd_kernels sgdi_winograd_f42, sgdi_winograd_f24, sgdi_winograd_f43,
    sgdi_winograd_f34, sgdi_winograd_f33, sgdi_winograd_f32, sgdi_winograd_f23;

#endif // SGDI_OPS_WINOGRAD_KERNELS_H
