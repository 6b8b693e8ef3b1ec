/*
 * winograd_tiles.h — the tiles of one sample carried into the transform domain of
 * F(2x2, 3x3) or F(4x4, 3x3) and back, channels last (private to src/ops/; the products
 * are winograd.c's).
 *
 * The activations are channel-first planes, [C][H][W]; the transform domain is
 * point-major and channel-last, [points][tiles][C], so that each tile's transform is the
 * same few additions for every channel at once: a loop over channels, vectorised whole,
 * whatever the plane's size (the 7x7 and 14x14 planes of a small CNN give rows of 4 and 7
 * tiles, too short for vectors along a row). A sample's planes are transposed to
 * [H][W][C] (zero-padded) in the thread's scratch first, and the column side back.
 */
#ifndef SGDI_OPS_WINOGRAD_TILES_H
#define SGDI_OPS_WINOGRAD_TILES_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/kernel_math.h"

// A plan seen as tiles: C image-side and K column-side channels.
typedef struct sgdi_winograd_geom {
    int64_t C, K, H, W, OH, OW, ph, pw;
    int m, points;     // F(m x m, 3x3): 2 or 4; its (m + 2)^2 transform points
    int64_t TH, TW, P; // tile rows, tile columns, tiles per sample
    int64_t PH, PW;    // the padded plane: tile rows and columns times m, plus two
} sgdi_winograd_geom;

// Scratch elements each of the four transforms below needs on its thread.
int64_t sgdi_winograd_tile_scratch(const sgdi_winograd_geom *g);

// v[xi * ldv + t * C + c] = (B^T d B)[xi] for every tile t < P of the sample img[C][H][W]
// (zero outside it).
void sgdi_winograd_image_to_points(const sgdi_winograd_geom *g, const sgdi_real *img, sgdi_real *v,
                                   int64_t ldv, sgdi_real *scratch);

// img[C][H][W] += the adjoint of sgdi_winograd_image_to_points applied to v_bar (with
// `assign`: img = it, every element written).
void sgdi_winograd_points_to_image(const sgdi_winograd_geom *g, const sgdi_real *v_bar, int64_t ldv,
                                   bool assign, sgdi_real *img, sgdi_real *scratch);

// col[K][OH][OW] += A^T m A for every tile, m[xi * ldm + t * K + k] (with `assign`: col =
// bias[k] + it, bias NULL reading as zero).
void sgdi_winograd_points_to_column(const sgdi_winograd_geom *g, const sgdi_real *m, int64_t ldm,
                                    bool assign, const sgdi_real *bias, sgdi_real *col,
                                    sgdi_real *scratch);

// m_bar[xi * ldm + t * K + k] = the adjoint of sgdi_winograd_points_to_column applied to
// col_bar[K][OH][OW] (outputs beyond the plane's edge read as zero); unless sums is NULL,
// also sums[k] += the sum of channel k of col_bar (the bias's adjoint), the outputs in
// order, read from the channel-last copy the transform makes anyway.
void sgdi_winograd_column_to_points(const sgdi_winograd_geom *g, const sgdi_real *col_bar,
                                    sgdi_real *m_bar, int64_t ldm, double *sums,
                                    sgdi_real *scratch);

#endif // SGDI_OPS_WINOGRAD_TILES_H
