/*
 * winograd_tiles.h — the tiles of one sample carried into the transform domain of
 * F(4x4, 3x3) and the edge tiles of 2 or 3 outputs a side, and back, channels last
 * (private to src/ops/; the products are winograd.c's).
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

struct sgdi_winograd_kernels;

// A rectangle of a plane's tiles of one shape: mr x mc outputs each, from (mr + 2) x
// (mc + 2) pixels through as many points.
typedef struct sgdi_winograd_region {
    const struct sgdi_winograd_kernels *kernels;
    int mr, mc, points;
    int64_t TR, TC, P; // tile rows, tile columns, tiles per sample
    int64_t tr0, tc0;  // its first tile's row and column among the plane's
    int64_t oy0, ox0;  // its first output
} sgdi_winograd_region;

enum { SGDI_WINOGRAD_MAX_REGIONS = 4 };

// A plan seen as tiles: C image-side and K column-side channels. Each side of an output
// plane of at least 8 x 8 is covered by tiles of 4 outputs and, where 3, 2 or 1 remain,
// one tile of 3 or 2 (the last overhanging by one); the plane by up to four regions of one
// tile shape each, F(4x4) first, in the order their tiles are visited (see
// sgdi_winograd_points_to_image). Smaller planes take F(4x4) or F(2x2) tiles alone.
typedef struct sgdi_winograd_geom {
    int64_t C, K, H, W, OH, OW, ph, pw;
    int n_regions;
    sgdi_winograd_region region[SGDI_WINOGRAD_MAX_REGIONS];
    int64_t P;      // tiles per sample
    int64_t points; // transform points per sample: the regions' points times tiles
    int64_t CH, CW; // the outputs the tiles cover: >= OH, OW
    int64_t PH, PW; // the padded plane: CH + 2, CW + 2 (>= H + 2 ph, W + 2 pw)
} sgdi_winograd_geom;

// g's regions and the sizes that follow from them, from its other fields.
void sgdi_winograd_tile_plane(sgdi_winograd_geom *g);

// Scratch elements each of the four transforms below needs on its thread.
int64_t sgdi_winograd_tile_scratch(const sgdi_winograd_geom *g);

// For each region r, v[r][xi * ldv[r] + t * C + c] = (B^T d B)[xi] for its tiles t < P of
// the sample img[C][H][W] (zero outside it).
void sgdi_winograd_image_to_points(const sgdi_winograd_geom *g, const sgdi_real *img,
                                   sgdi_real *const *v, const int64_t *ldv, sgdi_real *scratch);

// img[C][H][W] += the adjoint of sgdi_winograd_image_to_points applied to v_bar (with
// `assign`: img = it, every element written).
void sgdi_winograd_points_to_image(const sgdi_winograd_geom *g, const sgdi_real *const *v_bar,
                                   const int64_t *ldv, bool assign, sgdi_real *img,
                                   sgdi_real *scratch);

// col[K][OH][OW] += A^T m A for every tile of every region, m[r][xi * ldm[r] + t * K + k]
// (with `assign`: col = bias[k] + it, bias NULL reading as zero).
void sgdi_winograd_points_to_column(const sgdi_winograd_geom *g, const sgdi_real *const *m,
                                    const int64_t *ldm, bool assign, const sgdi_real *bias,
                                    sgdi_real *col, sgdi_real *scratch);

// m_bar[r][xi * ldm[r] + t * K + k] = the adjoint of sgdi_winograd_points_to_column applied
// to col_bar[K][OH][OW] (outputs beyond the plane's edge read as zero); unless sums is NULL,
// also sums[k] += the sum of channel k of col_bar (the bias's adjoint), the outputs in
// order, read from the channel-last copy the transform makes anyway.
void sgdi_winograd_column_to_points(const sgdi_winograd_geom *g, const sgdi_real *col_bar,
                                    sgdi_real *const *m_bar, const int64_t *ldm, double *sums,
                                    sgdi_real *scratch);

#endif // SGDI_OPS_WINOGRAD_TILES_H
