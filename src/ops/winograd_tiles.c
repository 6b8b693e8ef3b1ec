/*
 * winograd_tiles.c — a plane's tiling, and one sample's tiles into the transform domain of
 * their shapes, F(mr x mc, 3x3), and back, channels last (see winograd_tiles.h).
 *
 * Each map is a transpose between the channel-first planes and a [rows][columns][channels]
 * scratch, and a pass over the tiles, each tile's transform for every channel at once
 * (winograd_f2.c, winograd_f4.c, winograd_edges.c: vectorised along the channels). The
 * image side's tiles overlap by two pixels: its adjoint adds each tile into the scratch
 * plane in tile order, assigning what no earlier tile covered, so that no clearing pass is
 * needed and every sum is formed in one order.
 */
#include "ops/winograd_tiles.h"

#include <string.h>

#include "ops/small_gemm.h"
#include "ops/winograd_kernels.h"

static int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

// --- The tiling -------------------------------------------------------------------------

// One side of n outputs: `full` tiles of 4 outputs, then one of `edge` (2 or 3; 0: none),
// the fewest points: 6 per tile of 4, 5 for the 3 left, 4 for the 2 or 1 left (the tile
// of 2 overhanging the plane by one); taken on planes of at least two tiles of 4 each way.
static void split_side(int64_t n, int64_t *full, int *edge) {
    static const int edge_of[4] = {0, 2, 2, 3};
    *full = n / 4, *edge = edge_of[n % 4];
}

static const sgdi_winograd_kernels *kernels_of(int mr, int mc) {
    static const sgdi_winograd_kernels *const table[3][3] = {
        {&sgdi_winograd_f2, &sgdi_winograd_f23, &sgdi_winograd_f24},
        {&sgdi_winograd_f32, &sgdi_winograd_f33, &sgdi_winograd_f34},
        {&sgdi_winograd_f42, &sgdi_winograd_f43, &sgdi_winograd_f4}};
    return table[mr - 2][mc - 2];
}

void sgdi_winograd_tile_plane(sgdi_winograd_geom *g) {
    // per side: its bands (tiles of 4, then the edge), each as (outputs per tile, tiles)
    int64_t out[2] = {g->OH, g->OW}, m[2][2], count[2][2], full[2];
    int bands[2] = {0, 0}, edge[2];
    for (int d = 0; d < 2; d++) split_side(out[d], &full[d], &edge[d]);
    if (full[0] >= 2 && full[1] >= 2) {
        for (int d = 0; d < 2; d++) {
            m[d][bands[d]] = 4, count[d][bands[d]++] = full[d];
            if (edge[d] > 0) m[d][bands[d]] = edge[d], count[d][bands[d]++] = 1;
        }
    } else {
        // Smaller planes (7 x 7) take F(4x4) or F(2x2) whole, whichever multiplies less:
        // there each tile shape's kernels and weight gradient, which do not shrink with the
        // plane, cost more than edge tiles save (the 7 x 7 layers of the built-in CNN went
        // 25 % slower with them).
        int64_t f2 = 16 * ((g->OH + 1) / 2) * ((g->OW + 1) / 2);
        int64_t f4 = 36 * ((g->OH + 3) / 4) * ((g->OW + 3) / 4);
        int64_t whole = f4 < f2 ? 4 : 2;
        for (int d = 0; d < 2; d++)
            m[d][0] = whole, count[d][0] = (out[d] + whole - 1) / whole, bands[d] = 1;
    }
    g->n_regions = 0, g->P = 0, g->points = 0;
    int64_t start[2][2] = {{0, m[0][0] * count[0][0]}, {0, m[1][0] * count[1][0]}};
    for (int a = 0; a < bands[0]; a++)
        for (int b = 0; b < bands[1]; b++) {
            sgdi_winograd_region *r = &g->region[g->n_regions++];
            r->mr = (int)m[0][a], r->mc = (int)m[1][b];
            r->kernels = kernels_of(r->mr, r->mc);
            r->points = (r->mr + 2) * (r->mc + 2);
            r->TR = count[0][a], r->TC = count[1][b], r->P = r->TR * r->TC;
            r->tr0 = a > 0 ? count[0][0] : 0, r->tc0 = b > 0 ? count[1][0] : 0;
            r->oy0 = start[0][a], r->ox0 = start[1][b];
            g->P += r->P, g->points += r->P * r->points;
        }
    g->CH = g->CW = 0;
    for (int a = 0; a < bands[0]; a++) g->CH += m[0][a] * count[0][a];
    for (int b = 0; b < bands[1]; b++) g->CW += m[1][b] * count[1][b];
    g->PH = g->CH + 2, g->PW = g->CW + 2; // >= H + 2 ph, as OH = H + 2 ph - 2
}

// A transpose back to the channel-first planes runs over the scratch plane's n pixels
// rounded up to a multiple of 8 (libxsmm's transposes of 49 or 81 rows ran 5x slower than
// of 56 or 88), into rows of the stage that many apart, or 8 more where that is a multiple
// of 256 (rows a power of two apart evicted each other: 256 rows 2.7x slower).
static int64_t transposed_rows(int64_t n) {
    return (n + 7) / 8 * 8;
}

static int64_t stage_row(int64_t n) {
    int64_t rows = transposed_rows(n);
    return rows % 256 == 0 ? rows + 8 : rows;
}

// The elements of a plane of the channel-last scratch, and of the stage.
static int64_t plane_len(const sgdi_winograd_geom *g) {
    return (transposed_rows(g->PH * g->PW) + 8) * max64(g->C, g->K);
}

// A plane of the channel-last scratch, then a stage for the transposes back.
int64_t sgdi_winograd_tile_scratch(const sgdi_winograd_geom *g) {
    return 2 * plane_len(g);
}

// The stage of the transposes between the channel-first planes and the scratch plane.
static sgdi_real *stage_of(const sgdi_winograd_geom *g, sgdi_real *scratch) {
    return scratch + plane_len(g);
}

// stage[ch][stage_row(n)] = the plane x[n][ch] transposed, the rows past n cleared first.
static void transpose_back(int64_t n, int64_t ch, sgdi_real *x, sgdi_real *stage) {
    int64_t rows = transposed_rows(n);
    memset(x + n * ch, 0, (size_t)((rows - n) * ch) * sizeof *x);
    sgdi_small_transpose(rows, ch, x, ch, stage, stage_row(n));
}

static void clear(sgdi_real *x, int64_t n) {
    memset(x, 0, (size_t)n * sizeof *x);
}

// --- The tiles of a sample --------------------------------------------------------------
// Region r's tile t = ti TC + tj: its points at t ch in the region's transform domain, its
// pixels (image side) or outputs (column side) from (oy0 + mr ti, ox0 + mc tj) of the
// scratch, rows `row` apart. Regions in order, each's tiles row by row.

// v = the points of every tile of pad[PH][PW][C]
static void image_tiles(const sgdi_winograd_geom *g, const sgdi_real *pad, sgdi_real *const *v,
                        const int64_t *ldv) {
    const int64_t C = g->C, row = g->PW * C;
    for (int ri = 0; ri < g->n_regions; ri++) {
        const sgdi_winograd_region *r = &g->region[ri];
        for (int64_t ti = 0; ti < r->TR; ti++)
            for (int64_t tj = 0; tj < r->TC; tj++)
                r->kernels->image(pad + (r->oy0 + r->mr * ti) * row + (r->ox0 + r->mc * tj) * C,
                                  row, C, v[ri] + (ti * r->TC + tj) * C, ldv[ri]);
    }
}

// pad[PH][PW][C] = the adjoint of image_tiles applied to v_bar, every element written: the
// tiles in order, each adding where an earlier one wrote (the two rows and columns it
// shares with the tiles above and to its left) and writing the rest. The regions' order
// keeps that true across them: every pixel is first written by the tile above and left
// of the others that read it.
static void image_tiles_adjoint(const sgdi_winograd_geom *g, const sgdi_real *const *v_bar,
                                const int64_t *ldv, sgdi_real *pad) {
    const int64_t C = g->C, row = g->PW * C;
    for (int ri = 0; ri < g->n_regions; ri++) {
        const sgdi_winograd_region *r = &g->region[ri];
        for (int64_t ti = 0; ti < r->TR; ti++)
            for (int64_t tj = 0; tj < r->TC; tj++)
                r->kernels->image_adjoint[r->tr0 + ti > 0][r->tc0 + tj > 0](
                    v_bar[ri] + (ti * r->TC + tj) * C, ldv[ri], C,
                    pad + (r->oy0 + r->mr * ti) * row + (r->ox0 + r->mc * tj) * C, row);
    }
}

// out[CH][CW][K] = the column side of every tile's points x
static void column_tiles(const sgdi_winograd_geom *g, const sgdi_real *const *x, const int64_t *ldm,
                         sgdi_real *out) {
    const int64_t K = g->K, row = g->CW * K;
    for (int ri = 0; ri < g->n_regions; ri++) {
        const sgdi_winograd_region *r = &g->region[ri];
        for (int64_t ti = 0; ti < r->TR; ti++)
            for (int64_t tj = 0; tj < r->TC; tj++)
                r->kernels->column(x[ri] + (ti * r->TC + tj) * K, ldm[ri], K,
                                   out + (r->oy0 + r->mr * ti) * row + (r->ox0 + r->mc * tj) * K,
                                   row);
    }
}

// x_bar = the adjoint of column_tiles applied to in[CH][CW][K]
static void column_tiles_adjoint(const sgdi_winograd_geom *g, const sgdi_real *in,
                                 sgdi_real *const *x_bar, const int64_t *ldm) {
    const int64_t K = g->K, row = g->CW * K;
    for (int ri = 0; ri < g->n_regions; ri++) {
        const sgdi_winograd_region *r = &g->region[ri];
        for (int64_t ti = 0; ti < r->TR; ti++)
            for (int64_t tj = 0; tj < r->TC; tj++)
                r->kernels->column_adjoint(in + (r->oy0 + r->mr * ti) * row +
                                               (r->ox0 + r->mc * tj) * K,
                                           row, K, x_bar[ri] + (ti * r->TC + tj) * K, ldm[ri]);
    }
}

// --- Image side ----------------------------------------------------------------------

void sgdi_winograd_image_to_points(const sgdi_winograd_geom *g, const sgdi_real *img,
                                   sgdi_real *const *v, const int64_t *ldv, sgdi_real *scratch) {
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

void sgdi_winograd_points_to_image(const sgdi_winograd_geom *g, const sgdi_real *const *v_bar,
                                   const int64_t *ldv, bool assign, sgdi_real *img,
                                   sgdi_real *scratch) {
    const int64_t C = g->C, n = g->PH * g->PW, plane = g->H * g->W;
    sgdi_real *pad = scratch, *stage = stage_of(g, scratch);
    image_tiles_adjoint(g, v_bar, ldv, pad);
    transpose_back(n, C, pad, stage); // stage[C][PH][PW], rows stage_row(n) apart
    // only the rows and columns inside the padding: the padding's adjoint goes nowhere
    for (int64_t c = 0; c < C; c++)
        for (int64_t y = 0; y < g->H; y++) {
            const sgdi_real *in = stage + c * stage_row(n) + (y + g->ph) * g->PW + g->pw;
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

void sgdi_winograd_points_to_column(const sgdi_winograd_geom *g, const sgdi_real *const *m,
                                    const int64_t *ldm, bool assign, const sgdi_real *bias,
                                    sgdi_real *col, sgdi_real *scratch) {
    const int64_t K = g->K, n = g->CH * g->CW;
    sgdi_real *out = scratch, *stage = stage_of(g, scratch);
    column_tiles(g, m, ldm, out);
    transpose_back(n, K, out, stage); // stage[K][CH][CW], rows stage_row(n) apart
    for (int64_t k = 0; k < K; k++) {
        sgdi_real base = bias ? bias[k] : 0;
        for (int64_t oy = 0; oy < g->OH; oy++) {
            const sgdi_real *s = stage + k * stage_row(n) + oy * g->CW;
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
                                    sgdi_real *const *m_bar, const int64_t *ldm, double *sums,
                                    sgdi_real *scratch) {
    const int64_t K = g->K, row = g->CW * K;
    sgdi_real *stage = stage_of(g, scratch);
    sgdi_small_transpose(K, g->OH * g->OW, col_bar, g->OH * g->OW, stage, K); // [OH][OW][K]
    if (sums) // one pass over the copy in cache, instead of one over col_bar in memory
        for (int64_t pos = 0; pos < g->OH * g->OW; pos++) {
            const sgdi_real *s = stage + pos * K;
#pragma omp simd
            for (int64_t k = 0; k < K; k++) sums[k] += (double)s[k];
        }
    for (int64_t oy = 0; oy < g->CH; oy++) {
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
