/*
 * winograd_tiles.c — one sample's tiles into the transform domain of F(2x2, 3x3) or
 * F(4x4, 3x3) and back, channels last (see winograd_tiles.h).
 *
 * Each map is a transpose between the channel-first planes and a [rows][columns][channels]
 * scratch, and a pass over the tiles, each tile's transform for every channel at once
 * (winograd_f2.c, winograd_f4.c: vectorised along the channels). The image side's
 * tiles overlap by two pixels: its adjoint adds each tile into the scratch plane in tile
 * order, assigning what no earlier tile covered, so that no clearing pass is needed and
 * every sum is formed in one order.
 */
#include "ops/winograd_tiles.h"

#include <string.h>

#include "ops/small_gemm.h"
#include "ops/winograd_kernels.h"

static int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

// A plane of the channel-last scratch, then a stage for the transposes back.
int64_t sgdi_winograd_tile_scratch(const sgdi_winograd_geom *g) {
    return 2 * g->PH * g->PW * max64(g->C, g->K);
}

// The stage of the transposes between the channel-first planes and the scratch plane.
static sgdi_real *stage_of(const sgdi_winograd_geom *g, sgdi_real *scratch) {
    return scratch + g->PH * g->PW * max64(g->C, g->K);
}

static void clear(sgdi_real *x, int64_t n) {
    memset(x, 0, (size_t)n * sizeof *x);
}

static const sgdi_winograd_kernels *kernels(const sgdi_winograd_geom *g) {
    return g->m == 2 ? &sgdi_winograd_f2 : &sgdi_winograd_f4;
}

// --- The tiles of a sample --------------------------------------------------------------
// Tile t = ti TW + tj: its points at t ch in the transform domain, its pixels (image side)
// or outputs (column side) from (m ti, m tj) of the scratch, rows `row` apart.

// v = the points of every tile of pad[PH][PW][C]
static void image_tiles(const sgdi_winograd_geom *g, const sgdi_real *pad, sgdi_real *v,
                        int64_t ldv) {
    const sgdi_winograd_kernels *k = kernels(g);
    const int64_t C = g->C, row = g->PW * C;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++)
            k->image(pad + g->m * (ti * row + tj * C), row, C, v + (ti * g->TW + tj) * C, ldv);
}

// pad[PH][PW][C] = the adjoint of image_tiles applied to v_bar, every element written: the
// tiles in order, each adding where an earlier one wrote (the two rows and columns they
// share) and writing the rest.
static void image_tiles_adjoint(const sgdi_winograd_geom *g, const sgdi_real *v_bar, int64_t ldv,
                                sgdi_real *pad) {
    const sgdi_winograd_kernels *k = kernels(g);
    const int64_t C = g->C, row = g->PW * C;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++)
            k->image_adjoint[ti > 0][tj > 0](v_bar + (ti * g->TW + tj) * C, ldv, C,
                                             pad + g->m * (ti * row + tj * C), row);
}

// out[m TH][m TW][K] = the column side of every tile's points x
static void column_tiles(const sgdi_winograd_geom *g, const sgdi_real *x, int64_t ldm,
                         sgdi_real *out) {
    const sgdi_winograd_kernels *k = kernels(g);
    const int64_t K = g->K, row = g->m * g->TW * K;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++)
            k->column(x + (ti * g->TW + tj) * K, ldm, K, out + g->m * (ti * row + tj * K), row);
}

// x_bar = the adjoint of column_tiles applied to in[m TH][m TW][K]
static void column_tiles_adjoint(const sgdi_winograd_geom *g, const sgdi_real *in, sgdi_real *x_bar,
                                 int64_t ldm) {
    const sgdi_winograd_kernels *k = kernels(g);
    const int64_t K = g->K, row = g->m * g->TW * K;
    for (int64_t ti = 0; ti < g->TH; ti++)
        for (int64_t tj = 0; tj < g->TW; tj++)
            k->column_adjoint(in + g->m * (ti * row + tj * K), row, K,
                              x_bar + (ti * g->TW + tj) * K, ldm);
}

// --- Image side ----------------------------------------------------------------------

void sgdi_winograd_image_to_points(const sgdi_winograd_geom *g, const sgdi_real *img, sgdi_real *v,
                                   int64_t ldv, sgdi_real *scratch) {
    const int64_t C = g->C, row = g->PW * C, right = g->PW - g->pw - g->W;
    sgdi_real *pad = scratch, *stage = stage_of(g, scratch);
    sgdi_small_transpose(C, g->H * g->W, img, g->H * g->W, stage, C); // stage[H][W][C]
    for (int64_t y = 0; y < g->PH; y++) {
        sgdi_real *out = pad + y * row;
        int64_t src = y - g->ph;
        if (src < 0 || src >= g->H) {
            clear(out, row);
            continue;
        }
        clear(out, g->pw * C);
        memcpy(out + g->pw * C, stage + src * g->W * C, (size_t)(g->W * C) * sizeof *out);
        clear(out + (g->pw + g->W) * C, right * C);
    }
    image_tiles(g, pad, v, ldv);
}

void sgdi_winograd_points_to_image(const sgdi_winograd_geom *g, const sgdi_real *v_bar, int64_t ldv,
                                   bool assign, sgdi_real *img, sgdi_real *scratch) {
    const int64_t C = g->C, n = g->PH * g->PW, plane = g->H * g->W;
    sgdi_real *pad = scratch, *stage = stage_of(g, scratch);
    image_tiles_adjoint(g, v_bar, ldv, pad);
    sgdi_small_transpose(n, C, pad, C, stage, n); // stage[C][PH][PW]
    // only the rows and columns inside the padding: the padding's adjoint goes nowhere
    for (int64_t c = 0; c < C; c++)
        for (int64_t y = 0; y < g->H; y++) {
            const sgdi_real *in = stage + c * n + (y + g->ph) * g->PW + g->pw;
            sgdi_real *out = img + c * plane + y * g->W;
            if (assign) {
                memcpy(out, in, (size_t)g->W * sizeof *out);
                continue;
            }
#pragma omp simd
            for (int64_t x = 0; x < g->W; x++) out[x] += in[x];
        }
}

// --- Column side ---------------------------------------------------------------------

void sgdi_winograd_points_to_column(const sgdi_winograd_geom *g, const sgdi_real *m, int64_t ldm,
                                    bool assign, const sgdi_real *bias, sgdi_real *col,
                                    sgdi_real *scratch) {
    const int64_t K = g->K, OWm = g->m * g->TW, n = g->m * g->TH * OWm;
    sgdi_real *out = scratch, *stage = stage_of(g, scratch);
    column_tiles(g, m, ldm, out);
    sgdi_small_transpose(n, K, out, K, stage, n); // stage[K][m TH][m TW]
    for (int64_t k = 0; k < K; k++) {
        sgdi_real base = bias ? bias[k] : 0;
        for (int64_t oy = 0; oy < g->OH; oy++) {
            const sgdi_real *s = stage + k * n + oy * OWm;
            sgdi_real *dst = col + (k * g->OH + oy) * g->OW;
            if (assign) { // base + v, as filling the column side with base and adding v gave
#pragma omp simd
                for (int64_t x = 0; x < g->OW; x++) dst[x] = base + s[x];
            } else {
#pragma omp simd
                for (int64_t x = 0; x < g->OW; x++) dst[x] += s[x];
            }
        }
    }
}

void sgdi_winograd_column_to_points(const sgdi_winograd_geom *g, const sgdi_real *col_bar,
                                    sgdi_real *m_bar, int64_t ldm, double *sums,
                                    sgdi_real *scratch) {
    const int64_t K = g->K, row = g->m * g->TW * K;
    sgdi_real *stage = stage_of(g, scratch);
    sgdi_small_transpose(K, g->OH * g->OW, col_bar, g->OH * g->OW, stage, K); // [OH][OW][K]
    if (sums) // one pass over the copy in cache, instead of one over col_bar in memory
        for (int64_t pos = 0; pos < g->OH * g->OW; pos++) {
            const sgdi_real *s = stage + pos * K;
#pragma omp simd
            for (int64_t k = 0; k < K; k++) sums[k] += (double)s[k];
        }
    for (int64_t oy = 0; oy < g->m * g->TH; oy++) {
        sgdi_real *out = scratch + oy * row;
        if (oy >= g->OH) {
            clear(out, row);
            continue;
        }
        memcpy(out, stage + oy * g->OW * K, (size_t)(g->OW * K) * sizeof *out);
        clear(out + g->OW * K, row - g->OW * K);
    }
    column_tiles_adjoint(g, scratch, m_bar, ldm);
}
