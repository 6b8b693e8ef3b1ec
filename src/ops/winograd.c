/*
 * winograd.c — F(2x2, 3x3) convolution products and their adjoints (see winograd.h).
 *
 * Notation of Lavin & Gray ("Fast Algorithms for Convolutional Neural Networks", 2016): a
 * 4x4 tile d of the image side, a 3x3 kernel g, the 2x2 block y of the column side it
 * gives,
 *
 *     y = A^T [(G g G^T) .* (B^T d B)] A,       B^T = [1  0 -1  0]   G = [1   0   0]
 *                                                     [0  1  1  0]       [1/2 1/2 1/2]
 *     A^T = [1 1  1  0]                               [0 -1  1  0]       [1/2 -1/2 1/2]
 *           [0 1 -1 -1]                               [0  1  0 -1]       [0   0   1]
 *
 * Summed over channels, the elementwise product is, for each of the 16 transform points
 * xi, one GEMM: M_xi[K, T] = U_xi[K, C] V_xi[C, T], over the T tiles of a chunk of samples.
 * The adjoints run the same maps transposed: image side dV_xi = U_xi^T dM_xi with
 * dM = A dY A^T, then each tile's B dV B^T added back where it was read; weights
 * dU_xi = sum over chunks of dM_xi V_xi^T, then dW = G^T dU G.
 *
 * Layouts: U [16][K][C]; V [16][C][T] and M [16][K][T], T ordered by sample, tile row,
 * tile column. The products are small GEMMs (small_gemm.h) with no transposed operand:
 * the image-side adjoint reads U transposed, [16][C][K], as winograd_weights.c can write
 * it, and the weight gradient each point of V transposed, [T][C]. Each transform of a
 * plane runs along its pixel rows (each row once, though it belongs to two tile rows)
 * and down its columns over all the plane's tiles at once; a plane of the image side is
 * first copied into a zero-padded plane so that no tile needs bounds checks.
 *
 * Threads: a chunk of samples (fixed by the plan and the batch) is transformed, multiplied
 * and transformed back on one thread, each GEMM whole; the weight gradient is summed over
 * a fixed number of groups of consecutive chunks, each group on one thread in chunk
 * order, and the groups' sums added in group order. So every sum is formed in one order
 * whatever the thread count.
 *
 * F(4x4, 3x3) was tried: 36 points per 16 outputs, but its 36-point weight transforms of
 * the 128x128-channel layers at 7x7 cost more than its smaller products saved; the
 * built-in CNN's steps were 10 % slower.
 */
#include "ops/winograd.h"

#include <omp.h>
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/small_gemm.h"
#include "ops/winograd_weights.h"

// Transform points; groups of chunks whose weight-gradient partials are summed apart (a fixed
// number: the sums' order must not depend on the thread count).
enum { POINTS = 16, GROUPS = 8 };

// Tiles per chunk: a chunk's transforms small enough to be still in the thread's cache
// when its products read them. Measured on the built-in CNN: 128 was best among 64 ...
// 4096 with OpenBLAS's products, 64 is 4 % faster than 128 with libxsmm's (32 ... 256).
static const int64_t CHUNK_TILES = 64;
// Below this many channels on either side the transforms cost more than they save.
static const int64_t MIN_CHANNELS = 4;

// A plan seen as tiles: C image-side and K column-side channels.
typedef struct geom {
    int64_t C, K, H, W, OH, OW, ph, pw;
    int64_t TH, TW, P; // tile rows, tile columns, tiles per sample
    int64_t PH, PW;    // the padded plane: tile rows and columns times two, plus two
} geom;

static geom geometry(const sgdi_conv_plan *p) {
    geom g = {.C = p->in_ch,
              .K = p->out_ch,
              .H = p->in[0],
              .W = p->in[1],
              .OH = p->out[0],
              .OW = p->out[1],
              .ph = p->pad[0],
              .pw = p->pad[1]};
    g.TH = (g.OH + 1) / 2, g.TW = (g.OW + 1) / 2, g.P = g.TH * g.TW;
    g.PH = 2 * g.TH + 2; // >= H + 2 ph, as OH = H + 2 ph - 2
    g.PW = 2 * g.TW + 2; // >= W + 2 pw
    return g;
}

// Samples per chunk: about CHUNK_TILES tiles (at least one sample), so that a chunk's
// transforms are still in the thread's cache when its products read them.
static int64_t chunk_samples(const geom *g, int64_t batch) {
    int64_t fit = min64(batch, CHUNK_TILES / g->P);
    return fit < 1 ? 1 : fit;
}

bool sgdi_winograd_applies(const sgdi_conv_plan *p) {
    return p->kernel[0] == 3 && p->kernel[1] == 3 && p->stride[0] == 1 && p->stride[1] == 1 &&
           p->dilation[0] == 1 && p->dilation[1] == 1 && p->group == 1 &&
           p->in_ch >= MIN_CHANNELS && p->out_ch >= MIN_CHANNELS && p->out[0] >= 2 &&
           p->out[1] >= 2;
}

// The scratch: the transformed weights of two terms and, for each of two adjoints, the
// GROUPS weight-gradient partials (shared), then one slot per thread: a chunk's column side and
// image side for two terms, a padded plane and row_scratch().
typedef struct slot {
    sgdi_real *m1, *m2, *v1, *v2, *pad, *rows;
} slot;

typedef struct layout {
    int64_t weights, column, image, slot_len;
    sgdi_real *u1, *u2, *u_groups[2], *slots;
    int threads;
} layout;

static int64_t shared_len(const geom *g) {
    return (2 + 2 * GROUPS) * POINTS * g->K * g->C;
}

// A thread's scratch for the plane transforms: a plane's 16 points and 8 rows of TW
// (input_adjoint), more than the others need (8 (TH + 1) TW and 8 P).
static int64_t row_scratch(const geom *g) {
    return 16 * g->P + 8 * g->TW;
}

static int64_t slot_len(const geom *g, int64_t samples) {
    int64_t tiles = samples * g->P;
    return 2 * POINTS * (g->K + g->C) * tiles + g->PH * g->PW + row_scratch(g);
}

int64_t sgdi_winograd_workspace(const sgdi_conv_plan *p, int64_t batch, int threads) {
    geom g = geometry(p);
    return shared_len(&g) + (threads < 1 ? 1 : threads) * slot_len(&g, chunk_samples(&g, batch));
}

// The layout of `work` for chunks of `samples`: as many threads as it has slots for (>= 1)
// and OpenMP offers.
static layout layout_of(const geom *g, int64_t samples, sgdi_real *work, int64_t work_len) {
    layout l = {.weights = POINTS * g->K * g->C, .slot_len = slot_len(g, samples)};
    l.column = POINTS * g->K * samples * g->P, l.image = POINTS * g->C * samples * g->P;
    l.u1 = work, l.u2 = work + l.weights, l.u_groups[0] = work + 2 * l.weights;
    l.u_groups[1] = l.u_groups[0] + GROUPS * l.weights;
    l.slots = work + shared_len(g);
    int64_t room = (work_len - shared_len(g)) / l.slot_len, threads = omp_get_max_threads();
    l.threads = (int)(room < threads ? (room < 1 ? 1 : room) : threads);
    return l;
}

static slot slot_at(const geom *g, const layout *l, int64_t i) {
    slot s = {.m1 = l->slots + i * l->slot_len};
    s.m2 = s.m1 + l->column, s.v1 = s.m2 + l->column, s.v2 = s.v1 + l->image;
    s.pad = s.v2 + l->image, s.rows = s.pad + g->PH * g->PW;
    return s;
}

// --- Planes ----------------------------------------------------------------------------
// Each 2-D transform is two passes of 1-D ones: along the pixel rows, a loop over a row's
// TW tiles, and down the columns, one loop over all P tiles of the plane (a tile row's
// TW are too few to fill the vectors: 14, 7 and 4 in the built-in CNN); the last
// argument is a thread's row_scratch().

// pad[PH][PW] = the plane img[H][W] shifted by the padding, zero around it. Only the
// border is cleared: clearing the whole plane first wrote it twice (a plane is copied for
// every channel of every sample in each product).
static void pad_plane(const geom *g, const sgdi_real *img, sgdi_real *pad) {
    int64_t right = g->PW - g->pw - g->W;
    for (int64_t y = 0; y < g->PH; y++) {
        sgdi_real *row = pad + y * g->PW;
        int64_t src = y - g->ph;
        if (src < 0 || src >= g->H) {
            memset(row, 0, (size_t)g->PW * sizeof *row);
            continue;
        }
        // a loop, not memcpy: rows are a few dozen floats, below a library call's overhead
        const sgdi_real *in = img + src * g->W;
        for (int64_t x = 0; x < g->pw; x++) row[x] = 0;
#pragma omp simd
        for (int64_t x = 0; x < g->W; x++) row[g->pw + x] = in[x];
        for (int64_t x = 0; x < right; x++) row[g->pw + g->W + x] = 0;
    }
}

// v[xi * ldv + tile] = (B^T d B)[xi] for every tile d of one padded plane. First d B
// along every pixel row of the plane, once (a row belongs to two tile rows), into
// r[row % 2][j][row / 2][TW]; then B^T down the columns over all the plane's tiles at
// once: a tile row's pixel rows 2 ti + p are r[p % 2][j] at tile ti + p / 2, so each of
// the four inputs of the column transform is a run of P tiles, as is its output.
static void input_transform(const geom *g, const sgdi_real *pad, sgdi_real *v, int64_t ldv,
                            sgdi_real *r) {
    const int64_t TW = g->TW, P = g->P, plane = (g->TH + 1) * TW, half = 4 * plane;
    for (int64_t y = 0; y < g->PH; y++) {
        const sgdi_real *d = pad + y * g->PW;
        sgdi_real *h0 = r + (y % 2) * half + (y / 2) * TW, *h1 = h0 + plane, *h2 = h1 + plane,
                  *h3 = h2 + plane;
#pragma omp simd
        for (int64_t t = 0; t < TW; t++) {
            sgdi_real d0 = d[2 * t], d1 = d[2 * t + 1], d2 = d[2 * t + 2], d3 = d[2 * t + 3];
            h0[t] = d0 - d2, h1[t] = d1 + d2, h2[t] = d2 - d1, h3[t] = d1 - d3;
        }
    }
    for (int j = 0; j < 4; j++) {
        const sgdi_real *x0 = r + j * plane, *x1 = x0 + half, *x2 = x0 + TW, *x3 = x1 + TW;
        sgdi_real *y0 = v + j * ldv, *y1 = y0 + 4 * ldv, *y2 = y1 + 4 * ldv, *y3 = y2 + 4 * ldv;
#pragma omp simd
        for (int64_t u = 0; u < P; u++) {
            y0[u] = x0[u] - x2[u], y1[u] = x1[u] + x2[u], y2[u] = x2[u] - x1[u];
            y3[u] = x1[u] - x3[u];
        }
    }
}

// img[H][W] += the adjoint of pad_plane + input_transform applied to v_bar: B down the
// columns over all the plane's tiles at once into h[p][j][P], then each padded pixel row
// 2 k + q of the image (not the padding, whose adjoint goes nowhere) once: its parts from tile rows
// k (p = q) and k - 1 (p = q + 2) summed, B along it, where neighbouring tiles overlap by two
// pixels (added in order), and the row's inside added into img (with `assign`, written: every
// element is); `pad` is one padded row of scratch.
static void input_adjoint(const geom *g, const sgdi_real *v_bar, int64_t ldv, sgdi_real *pad,
                          sgdi_real *h, bool assign, sgdi_real *img) {
    const int64_t TW = g->TW, P = g->P;
    for (int j = 0; j < 4; j++) {
        const sgdi_real *x0 = v_bar + j * ldv, *x1 = x0 + 4 * ldv, *x2 = x1 + 4 * ldv,
                        *x3 = x2 + 4 * ldv;
        sgdi_real *h0 = h + j * P, *h1 = h0 + 4 * P, *h2 = h1 + 4 * P, *h3 = h2 + 4 * P;
#pragma omp simd
        for (int64_t u = 0; u < P; u++) {
            h0[u] = x0[u], h1[u] = x1[u] - x2[u] + x3[u], h2[u] = x1[u] + x2[u] - x0[u];
            h3[u] = -x3[u];
        }
    }
    sgdi_real *e = h + 16 * P, *d0 = e + 4 * TW, *d1 = d0 + TW, *d2 = d1 + TW, *d3 = d2 + TW;
    // only the rows inside the padding: the padding's adjoint goes nowhere
    for (int64_t y = g->ph; y < g->ph + g->H; y++) {
        int64_t k = y / 2, q = y % 2;
        for (int j = 0; j < 4; j++) {
            sgdi_real *ej = e + j * TW;
            const sgdi_real *own = k < g->TH ? h + (4 * q + j) * P + k * TW : NULL;
            const sgdi_real *above = k > 0 ? h + (4 * (q + 2) + j) * P + (k - 1) * TW : NULL;
            if (!above) {
                for (int64_t t = 0; t < TW; t++) ej[t] = own[t];
            } else if (!own) {
                for (int64_t t = 0; t < TW; t++) ej[t] = above[t];
            } else {
#pragma omp simd
                for (int64_t t = 0; t < TW; t++) ej[t] = above[t] + own[t];
            }
        }
        const sgdi_real *e0 = e, *e1 = e0 + TW, *e2 = e1 + TW, *e3 = e2 + TW;
#pragma omp simd
        for (int64_t t = 0; t < TW; t++) {
            d0[t] = e0[t], d1[t] = e1[t] - e2[t] + e3[t], d2[t] = e1[t] + e2[t] - e0[t];
            d3[t] = -e3[t];
        }
        pad[0] = d0[0], pad[1] = d1[0];
#pragma omp simd
        for (int64_t t = 1; t < TW; t++) {
            pad[2 * t] = d0[t] + d2[t - 1];
            pad[2 * t + 1] = d1[t] + d3[t - 1];
        }
        pad[2 * TW] = d2[TW - 1], pad[2 * TW + 1] = d3[TW - 1];
        sgdi_real *row = img + (y - g->ph) * g->W;
        const sgdi_real *inside = pad + g->pw;
        if (assign) {
            for (int64_t x = 0; x < g->W; x++) row[x] = inside[x];
            continue;
        }
#pragma omp simd
        for (int64_t x = 0; x < g->W; x++) row[x] += inside[x];
    }
}

// y[OH][OW] += A^T m A for every tile of one plane of the column side, m[xi * ldm + tile]
// (with `assign`: y = base + A^T m A): A^T down the columns over all the plane's tiles at
// once into e[a][j][P], then along each output row 2 ti + a, straight into y.
static void output_transform(const geom *g, const sgdi_real *m, int64_t ldm, bool assign,
                             sgdi_real base, sgdi_real *y, sgdi_real *e) {
    const int64_t TW = g->TW, P = g->P, pairs = g->OW / 2;
    for (int j = 0; j < 4; j++) {
        const sgdi_real *x0 = m + j * ldm, *x1 = x0 + 4 * ldm, *x2 = x1 + 4 * ldm,
                        *x3 = x2 + 4 * ldm;
        sgdi_real *e0 = e + j * P, *e1 = e0 + 4 * P;
#pragma omp simd
        for (int64_t u = 0; u < P; u++)
            e0[u] = x0[u] + x1[u] + x2[u], e1[u] = x1[u] - x2[u] - x3[u];
    }
    for (int64_t oy = 0; oy < g->OH; oy++) {
        const sgdi_real *e0 = e + 4 * (oy % 2) * P + (oy / 2) * TW, *e1 = e0 + P, *e2 = e1 + P,
                        *e3 = e2 + P;
        sgdi_real *dst = y + oy * g->OW;
        if (assign) { // base + v, as filling y with base and adding v gave
#pragma omp simd
            for (int64_t t = 0; t < pairs; t++) {
                dst[2 * t] = base + (e0[t] + e1[t] + e2[t]);
                dst[2 * t + 1] = base + (e1[t] - e2[t] - e3[t]);
            }
            if (g->OW % 2) dst[2 * pairs] = base + (e0[pairs] + e1[pairs] + e2[pairs]);
            continue;
        }
#pragma omp simd
        for (int64_t t = 0; t < pairs; t++) {
            dst[2 * t] += e0[t] + e1[t] + e2[t];
            dst[2 * t + 1] += e1[t] - e2[t] - e3[t];
        }
        if (g->OW % 2) dst[2 * pairs] += e0[pairs] + e1[pairs] + e2[pairs];
    }
}

// m_bar[xi * ldm + tile] = the adjoint of output_transform applied to y_bar[OH][OW]
// (outputs beyond the edge read as zero): A along each output row 2 ti + a into
// e[a][j][P], then down the columns over all the plane's tiles at once.
static void output_adjoint(const geom *g, const sgdi_real *y_bar, sgdi_real *m_bar, int64_t ldm,
                           sgdi_real *e) {
    const int64_t TW = g->TW, P = g->P, pairs = g->OW / 2;
    for (int64_t oy = 0; oy < 2 * g->TH; oy++) {
        sgdi_real *e0 = e + 4 * (oy % 2) * P + (oy / 2) * TW, *e1 = e0 + P, *e2 = e1 + P,
                  *e3 = e2 + P;
        if (oy >= g->OH) {
            for (int64_t t = 0; t < TW; t++) e0[t] = e1[t] = e2[t] = e3[t] = 0;
            continue;
        }
        const sgdi_real *src = y_bar + oy * g->OW;
#pragma omp simd
        for (int64_t t = 0; t < pairs; t++) {
            sgdi_real y0 = src[2 * t], y1 = src[2 * t + 1];
            e0[t] = y0, e1[t] = y0 + y1, e2[t] = y0 - y1, e3[t] = -y1;
        }
        if (g->OW % 2) {
            sgdi_real y0 = src[2 * pairs];
            e0[pairs] = e1[pairs] = e2[pairs] = y0, e3[pairs] = 0;
        }
    }
    for (int j = 0; j < 4; j++) {
        const sgdi_real *e0 = e + j * P, *e1 = e0 + 4 * P;
        sgdi_real *x0 = m_bar + j * ldm, *x1 = x0 + 4 * ldm, *x2 = x1 + 4 * ldm, *x3 = x2 + 4 * ldm;
#pragma omp simd
        for (int64_t u = 0; u < P; u++) {
            x0[u] = e0[u], x1[u] = e0[u] + e1[u], x2[u] = e0[u] - e1[u], x3[u] = -e1[u];
        }
    }
}

// --- A chunk on one thread --------------------------------------------------------------
// Samples [n0, n0 + samples) of a batch; tiles = samples P.

// v[16][C][tiles] = the image side's points
static void chunk_image_to_points(const geom *g, const slot *sl, const sgdi_real *img, int64_t n0,
                                  int64_t samples, sgdi_real *v) {
    int64_t tiles = samples * g->P;
    for (int64_t s = 0; s < samples; s++)
        for (int64_t c = 0; c < g->C; c++) {
            pad_plane(g, img + ((n0 + s) * g->C + c) * g->H * g->W, sl->pad);
            input_transform(g, sl->pad, v + c * tiles + s * g->P, g->C * tiles, sl->rows);
        }
}

// img += the adjoint of chunk_image_to_points applied to v_bar[16][C][tiles] (= with
// `assign`)
static void chunk_points_to_image(const geom *g, const slot *sl, const sgdi_real *v_bar, int64_t n0,
                                  int64_t samples, bool assign, sgdi_real *img) {
    int64_t tiles = samples * g->P;
    for (int64_t s = 0; s < samples; s++)
        for (int64_t c = 0; c < g->C; c++)
            input_adjoint(g, v_bar + c * tiles + s * g->P, g->C * tiles, sl->pad, sl->rows, assign,
                          img + ((n0 + s) * g->C + c) * g->H * g->W);
}

// col += the column side of the points m[16][K][tiles] (with `assign`: col = bias + it)
static void chunk_points_to_column(const geom *g, const slot *sl, const sgdi_real *m, int64_t n0,
                                   int64_t samples, bool assign, const sgdi_real *bias,
                                   sgdi_real *col) {
    int64_t tiles = samples * g->P;
    for (int64_t s = 0; s < samples; s++)
        for (int64_t k = 0; k < g->K; k++)
            output_transform(g, m + k * tiles + s * g->P, g->K * tiles, assign, bias ? bias[k] : 0,
                             col + ((n0 + s) * g->K + k) * g->OH * g->OW, sl->rows);
}

// m_bar[16][K][tiles] = the adjoint of chunk_points_to_column applied to col_bar
static void chunk_column_to_points(const geom *g, const slot *sl, const sgdi_real *col_bar,
                                   int64_t n0, int64_t samples, sgdi_real *m_bar) {
    int64_t tiles = samples * g->P;
    for (int64_t s = 0; s < samples; s++)
        for (int64_t k = 0; k < g->K; k++)
            output_adjoint(g, col_bar + ((n0 + s) * g->K + k) * g->OH * g->OW,
                           m_bar + k * tiles + s * g->P, g->K * tiles, sl->rows);
}

// --- Products ---------------------------------------------------------------------------
// A forward-over-reverse pass reads the same x and W in several products (a direction and
// its tangent): a call's distinct operands are carried into the transform domain once,
// weights per call and images and column sides per chunk, and each product indexes them.

enum { MAX_OPERANDS = 2, UNUSED = -1 };

typedef struct operands {
    const sgdi_real *ptr[MAX_OPERANDS];
    int n;
} operands;

// The index of x among ops, added if new; MAX_OPERANDS when ops is full.
static int operand_of(operands *ops, const sgdi_real *x) {
    for (int i = 0; i < ops->n; i++)
        if (ops->ptr[i] == x) return i;
    if (ops->n == MAX_OPERANDS) return MAX_OPERANDS;
    ops->ptr[ops->n] = x;
    return ops->n++;
}

// A call of sgdi_winograd_apply: its distinct weights and images, and per sum its pairs'
// indices into them.
typedef struct apply_job {
    const sgdi_conv_sum *sums;
    int n_sums, pairs[2], wi[2][2], ii[2][2];
    operands ws, ims;
} apply_job;

// The job of `sums`, or false if they read more than MAX_OPERANDS distinct weights or images.
static bool apply_job_of(const sgdi_conv_sum *sums, int n_sums, apply_job *job) {
    *job = (apply_job){.sums = sums, .n_sums = n_sums};
    for (int s = 0; s < n_sums; s++)
        for (int k = 0; k < 2; k++) {
            if (!sums[s].w[k] || !sums[s].img[k]) continue;
            int w = operand_of(&job->ws, sums[s].w[k]), i = operand_of(&job->ims, sums[s].img[k]);
            if (w == MAX_OPERANDS || i == MAX_OPERANDS) return false;
            int n = job->pairs[s]++;
            job->wi[s][n] = w, job->ii[s][n] = i;
        }
    return true;
}

void sgdi_winograd_apply(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                         const sgdi_conv_sum *sums, int n_sums) {
    apply_job job;
    if (!apply_job_of(sums, n_sums, &job)) { // one sum alone reads at most two of each
        for (int s = 0; s < n_sums; s++) sgdi_winograd_apply(p, batch, work, work_len, &sums[s], 1);
        return;
    }
    geom g = geometry(p);
    int64_t S = chunk_samples(&g, batch), chunks = (batch + S - 1) / S;
    layout l = layout_of(&g, S, work, work_len);
    sgdi_real *u[2] = {l.u1, l.u2};
    for (int k = 0; k < job.ws.n; k++)
        sgdi_winograd_weights_to_points(g.K, g.C, job.ws.ptr[k], false, u[k]);
#pragma omp parallel for schedule(static) num_threads(l.threads)
    for (int64_t q = 0; q < chunks; q++) {
        slot sl = slot_at(&g, &l, omp_get_thread_num());
        int64_t n0 = q * S, samples = min64(S, batch - n0), tiles = samples * g.P;
        sgdi_real *v[2] = {sl.v1, sl.v2}, *m[2] = {sl.m1, sl.m2};
        for (int k = 0; k < job.ims.n; k++)
            chunk_image_to_points(&g, &sl, job.ims.ptr[k], n0, samples, v[k]);
        for (int xi = 0; xi < POINTS; xi++)
            for (int s = 0; s < n_sums; s++)
                for (int k = 0; k < job.pairs[s]; k++)
                    sgdi_small_gemm(g.K, tiles, g.C, u[job.wi[s][k]] + xi * g.K * g.C, g.C,
                                    v[job.ii[s][k]] + xi * g.C * tiles, tiles, k > 0,
                                    m[s] + xi * g.K * tiles, tiles);
        for (int s = 0; s < n_sums; s++)
            chunk_points_to_column(&g, &sl, m[s], n0, samples, sums[s].assign, sums[s].bias,
                                   sums[s].col);
    }
}

// A call of sgdi_winograd_backward: its distinct column sides, weights (of terms whose
// adjoint wants img_bar) and images (of terms whose adjoint wants w_bar), and per adjoint
// and term the indices into them (UNUSED: no such product).
typedef struct backward_job {
    const sgdi_conv_adjoint *adj;
    int n_adj, ci[2][2], wi[2][2], ii[2][2];
    bool writes_img[2];
    operands cols, ws, ims;
} backward_job;

// The job of `adj`, or false if it reads more than MAX_OPERANDS distinct operands of a kind.
static bool backward_job_of(const sgdi_conv_adjoint *adj, int n_adj, backward_job *job) {
    *job = (backward_job){.adj = adj, .n_adj = n_adj};
    for (int a = 0; a < n_adj; a++)
        for (int k = 0; k < adj[a].n_terms; k++) {
            const sgdi_conv_term *t = &adj[a].terms[k];
            int c = operand_of(&job->cols, t->col);
            int w = adj[a].img_bar && t->w ? operand_of(&job->ws, t->w) : UNUSED;
            int i = adj[a].w_bar && t->img ? operand_of(&job->ims, t->img) : UNUSED;
            if (c == MAX_OPERANDS || w == MAX_OPERANDS || i == MAX_OPERANDS) return false;
            job->ci[a][k] = c, job->wi[a][k] = w, job->ii[a][k] = i;
            job->writes_img[a] |= w != UNUSED;
        }
    return true;
}

// img_bar of adjoint a for one chunk, from the column sides' points m[]
static void chunk_image_adjoint(const geom *g, const layout *l, const slot *sl,
                                const backward_job *job, int a, sgdi_real *const *m, int64_t n0,
                                int64_t samples) {
    const sgdi_conv_adjoint *ad = &job->adj[a];
    const sgdi_real *u[2] = {l->u1, l->u2};
    int64_t tiles = samples * g->P;
    for (int xi = 0; xi < POINTS; xi++) {
        bool first = true;
        for (int k = 0; k < ad->n_terms; k++) {
            if (job->wi[a][k] == UNUSED) continue;
            sgdi_small_gemm(g->C, tiles, g->K, u[job->wi[a][k]] + xi * g->K * g->C, g->K,
                            m[job->ci[a][k]] + xi * g->K * tiles, tiles, !first,
                            sl->v1 + xi * g->C * tiles, tiles);
            first = false;
        }
    }
    chunk_points_to_image(g, sl, sl->v1, n0, samples, ad->img_fresh, ad->img_bar);
}

// One chunk of sgdi_winograd_backward on one thread: its image adjoints added to (or
// written into) each img_bar, its weight-gradient points added to acc[a] (assigned when
// !accumulate; NULL: that adjoint wants none).
static void backward_chunk(const geom *g, const layout *l, const slot *sl, const backward_job *job,
                           int64_t n0, int64_t samples, sgdi_real *const *acc, bool accumulate) {
    int64_t tiles = samples * g->P;
    sgdi_real *m[2] = {sl->m1, sl->m2};
    for (int c = 0; c < job->cols.n; c++)
        chunk_column_to_points(g, sl, job->cols.ptr[c], n0, samples, m[c]);
    for (int a = 0; a < job->n_adj; a++)
        if (job->writes_img[a]) chunk_image_adjoint(g, l, sl, job, a, m, n0, samples);
    bool first[2] = {!accumulate, !accumulate};
    for (int i = 0; i < job->ims.n; i++) {
        // each term of image i adds to its adjoint's points, or assigns them if first
        bool add[2][2] = {{false}};
        for (int a = 0; a < job->n_adj; a++)
            for (int k = 0; k < job->adj[a].n_terms; k++)
                if (job->ii[a][k] == i) add[a][k] = !first[a], first[a] = false;
        chunk_image_to_points(g, sl, job->ims.ptr[i], n0, samples, sl->v1);
        for (int xi = 0; xi < POINTS; xi++) {
            sgdi_real *v_tiles = sl->v2 + xi * g->C * tiles; // [tiles][C]
            sgdi_small_transpose(g->C, tiles, sl->v1 + xi * g->C * tiles, tiles, v_tiles, g->C);
            for (int a = 0; a < job->n_adj; a++)
                for (int k = 0; k < job->adj[a].n_terms; k++) {
                    if (job->ii[a][k] != i) continue;
                    sgdi_small_gemm(g->K, g->C, tiles, m[job->ci[a][k]] + xi * g->K * tiles, tiles,
                                    v_tiles, g->C, add[a][k], acc[a] + xi * g->K * g->C, g->C);
                }
        }
    }
    for (int a = 0; a < job->n_adj; a++)
        if (acc[a] && first[a]) memset(acc[a], 0, (size_t)l->weights * sizeof *acc[a]);
}

void sgdi_winograd_backward(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                            int64_t work_len, const sgdi_conv_adjoint *adj, int n_adj) {
    backward_job job;
    if (!backward_job_of(adj, n_adj, &job)) { // one adjoint alone reads at most two of each
        for (int a = 0; a < n_adj; a++)
            sgdi_winograd_backward(p, batch, work, work_len, &adj[a], 1);
        return;
    }
    geom g = geometry(p);
    int64_t S = chunk_samples(&g, batch), chunks = (batch + S - 1) / S;
    layout l = layout_of(&g, S, work, work_len);
    sgdi_real *u[2] = {l.u1, l.u2};
    for (int k = 0; k < job.ws.n; k++)
        sgdi_winograd_weights_to_points(g.K, g.C, job.ws.ptr[k], true, u[k]);
    // Each group of consecutive chunks runs on one thread, its weight-gradient points
    // summed in chunk order; the groups' sums are added in group order.
    int64_t groups = min64(GROUPS, chunks);
#pragma omp parallel for schedule(static) num_threads(l.threads)
    for (int64_t gi = 0; gi < groups; gi++) {
        slot sl = slot_at(&g, &l, omp_get_thread_num());
        sgdi_real *acc[2] = {NULL, NULL};
        for (int a = 0; a < n_adj; a++)
            if (adj[a].w_bar) acc[a] = l.u_groups[a] + gi * l.weights;
        int64_t q_begin = gi * chunks / groups, q_end = (gi + 1) * chunks / groups;
        for (int64_t q = q_begin; q < q_end; q++)
            backward_chunk(&g, &l, &sl, &job, q * S, min64(S, batch - q * S), acc, q > q_begin);
    }
    for (int a = 0; a < n_adj; a++) {
        if (!adj[a].w_bar) continue;
        sgdi_real *sum = l.u_groups[a];
#pragma omp parallel for schedule(static) num_threads(l.threads)
        for (int64_t e = 0; e < l.weights; e++)
            for (int64_t gi = 1; gi < groups; gi++) sum[e] += sum[gi * l.weights + e];
        sgdi_winograd_points_to_weights(g.K, g.C, sum, adj[a].w_bar);
    }
}
