/*
 * winograd_kernels.h — the per-tile passes of F(2x2, 3x3) and F(4x4, 3x3) over one
 * sample's channel-last scratch (private to src/ops/; winograd_tiles.c wraps them in the
 * transposes to and from the channel-first planes).
 *
 * An m x m block of outputs comes from an a x a tile of the image side, a = m + 2, with
 * the a^2 transform points of tile t of a sample at x[xi * ld + t * channels + c], point
 * xi = (row of the point) a + (column). Each pass is one tile's 2-D transform for every
 * channel: a loop over the channels, vectorised whole.
 */
#ifndef SGDI_OPS_WINOGRAD_KERNELS_H
#define SGDI_OPS_WINOGRAD_KERNELS_H

#include <stdint.h>

#include "ops/winograd_tiles.h"

typedef struct sgdi_winograd_kernels {
    // v = (B^T d B) of each tile d of pad[PH][PW][C]
    void (*image)(const sgdi_winograd_geom *g, const sgdi_real *pad, sgdi_real *v, int64_t ldv);
    // pad[PH][PW][C] = the adjoint of `image` applied to v_bar, every element written: each
    // tile's B v_bar B^T added in tile order where an earlier tile wrote, else assigned
    void (*image_adjoint)(const sgdi_winograd_geom *g, const sgdi_real *v_bar, int64_t ldv,
                          sgdi_real *pad);
    // out[m TH][m TW][K] = A^T x A for every tile's points x
    void (*column)(const sgdi_winograd_geom *g, const sgdi_real *x, int64_t ldm, sgdi_real *out);
    // x_bar = the adjoint of `column` applied to in[m TH][m TW][K]
    void (*column_adjoint)(const sgdi_winograd_geom *g, const sgdi_real *in, sgdi_real *x_bar,
                           int64_t ldm);
} sgdi_winograd_kernels;

extern const sgdi_winograd_kernels sgdi_winograd_f2, sgdi_winograd_f4;

#endif // SGDI_OPS_WINOGRAD_KERNELS_H
