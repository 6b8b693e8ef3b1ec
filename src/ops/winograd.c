/*
 * winograd.c — F(mr x mc, 3x3) convolution products and their adjoints, mr and mc 2, 3 or
 * 4 (see winograd.h).
 *
 * Notation of Lavin & Gray ("Fast Algorithms for Convolutional Neural Networks", 2016): an
 * (mr + 2) x (mc + 2) tile d of the image side, a 3x3 kernel g, the mr x mc block y of the
 * column side it gives,
 *
 *     y = Ar^T [(Gr g Gc^T) .* (Br^T d Bc)] Ac
 *
 * (the 1-D maps in winograd_1d.h, G in winograd_weights.c). Summed over channels, the
 * elementwise product is, for each transform point xi, one GEMM: M_xi[T, K] = V_xi[T, C]
 * U_xi^T[C, K], over the T tiles of one shape in a chunk of samples. The adjoints run the
 * same maps transposed: image side dV_xi = dM_xi U_xi with dM = A dY A^T, then each tile's
 * B dV B^T added back where it was read; weights dU_xi = sum over chunks of dM_xi^T V_xi,
 * then dW = sum over the tile shapes of Gr^T dU Gc.
 *
 * F(4x4) multiplies 36 times per 16 outputs, F(2x2) 16 times per 4. A plane is tiled as
 * winograd_tiles.h says: on planes of 8 x 8 outputs or more, F(4x4) tiles and edge tiles of
 * 2 or 3 outputs a side (up to four regions of one tile shape each); on smaller ones F(4x4)
 * or F(2x2) tiles alone, whichever multiplies less. F(4x4)'s rounding is coarser (its points 0,
 * +-1, +-2 weigh by up to 8): the built-in CNN's scores agree with the PyTorch baseline's to 5e-7
 * .. 2e-6 relative (tests/baseline, agreement_cnn.py) against 2e-7 .. 7e-7 with F(2x2) alone, far
 * below what they need.
 *
 * Layouts, per region: V [points][T][C] and M [points][T][K], T ordered by sample, tile
 * row, tile column, the regions one after the other, channels last so that the transforms
 * (winograd_tiles.c) are vectorised along the channels; U [points][C][K] for the products and
 * [points][K][C] for the image-side adjoint, as winograd_weights.c writes either, the regions' tile
 * shapes one after the other. The products are small GEMMs (small_gemm.h); the weight gradient's
 * products read each point of M transposed, as [K][T], in place.
 *
 * Threads: a chunk of samples (fixed by the plan and the batch) is transformed, multiplied
 * and transformed back on one thread, each GEMM whole; the weight gradient is summed over
 * a fixed number of groups of consecutive chunks, each group on one thread in chunk
 * order into the thread's points and carried back to 3x3 kernels there, and the groups'
 * kernels added in group order. So every sum is formed in one order whatever the thread
 * count.
 */
#include "ops/winograd.h"

#include <omp.h>
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/small_gemm.h"
#include "ops/winograd_tiles.h"
#include "ops/winograd_weights.h"

// Groups of chunks whose weight-gradient partials are summed apart (a fixed
// number: the sums' order must not depend on the thread count).
enum { GROUPS = 8, SKEW = 16 };

// Tiles per chunk: a chunk's transforms small enough to be still in the thread's cache
// when its products read them. Measured on the built-in CNN: 128 was best among 64 ...
// 4096 with OpenBLAS's products, 64 is 4 % faster than 128 with libxsmm's (32 ... 256),
// and still with F(4x4) and the channel-last transforms (32 as fast; 128 2 %, 256 40 %
// slower).
static const int64_t CHUNK_TILES = 64;
// Below this many channels on either side the transforms cost more than they save.
static const int64_t MIN_CHANNELS = 4;

typedef sgdi_winograd_geom geom;

static geom geometry(const sgdi_conv_plan *p) {
    geom g = {.C = p->in_ch,
              .K = p->out_ch,
              .H = p->in[0],
              .W = p->in[1],
              .OH = p->out[0],
              .OW = p->out[1],
              .ph = p->pad[0],
              .pw = p->pad[1]};
    sgdi_winograd_tile_plane(&g);
    return g;
}

// Samples per chunk: about CHUNK_TILES tiles (at least one sample), so that a chunk's
// transforms are still in the thread's cache when its products read them.
static int64_t chunk_samples(const geom *g, int64_t batch) {
    int64_t fit = min64(batch, CHUNK_TILES / g->P);
    return fit < 1 ? 1 : fit;
}

// The kernels' points [points][K][C] (or [C][K]) are a little more than a kernel set
// apart, as a chunk's points are (regions_view): 128 x 128 channels put them 64 KiB apart.
static int64_t weight_stride(const geom *g) {
    return g->K * g->C + SKEW;
}

// The kernels' points: each region's (the points of its tile shape), one after the other.
static int64_t kernel_points(const geom *g) {
    int64_t n = 0;
    for (int r = 0; r < g->n_regions; r++) n += g->region[r].points;
    return n;
}

// Where region r's kernel points start.
static int64_t kernel_offset(const geom *g, int r) {
    int64_t n = 0;
    for (int q = 0; q < r; q++) n += g->region[q].points;
    return n * weight_stride(g);
}

// A chunk's image side or column side of `samples` samples: region r's points [points_r]
// [samples P_r][channels] from at[r], ld[r] apart, the regions one after the other, len
// elements in all. Points are a little more than their tiles apart: 64 tiles of 64 or 128
// channels put them a power of two apart, where the transforms' streams of stores (one
// per point) evicted each other from the cache (the 7x7 layers' image transform ran 2.4x
// slower).
typedef struct regions_view {
    sgdi_real *at[SGDI_WINOGRAD_MAX_REGIONS];
    int64_t ld[SGDI_WINOGRAD_MAX_REGIONS], tiles[SGDI_WINOGRAD_MAX_REGIONS], len;
} regions_view;

// The view of `base` (NULL: the sizes alone).
static regions_view view_of(const geom *g, sgdi_real *base, int64_t samples, int64_t channels) {
    regions_view v = {.len = 0};
    for (int r = 0; r < g->n_regions; r++) {
        v.tiles[r] = samples * g->region[r].P;
        v.ld[r] = v.tiles[r] * channels + SKEW;
        v.at[r] = base ? base + v.len : NULL;
        v.len += g->region[r].points * v.ld[r];
    }
    return v;
}

static int64_t view_len(const geom *g, int64_t samples, int64_t channels) {
    return view_of(g, NULL, samples, channels).len;
}

bool sgdi_winograd_applies(const sgdi_conv_plan *p) {
    return p->kernel[0] == 3 && p->kernel[1] == 3 && p->stride[0] == 1 && p->stride[1] == 1 &&
           p->dilation[0] == 1 && p->dilation[1] == 1 && p->group == 1 &&
           p->in_ch >= MIN_CHANNELS && p->out_ch >= MIN_CHANNELS && p->out[0] >= 2 &&
           p->out[1] >= 2;
}

int64_t sgdi_winograd_multiplies(const sgdi_conv_plan *p) {
    geom g = geometry(p);
    return g.points;
}

enum { MAX_OPERANDS = 2, UNUSED = -1 };

// The scratch: the transformed weights of two terms and, for each of two adjoints, the
// GROUPS groups' weight gradients as 3x3 kernels (shared), then one slot per thread: a
// chunk's column side and image side for two terms, the tile transforms' scratch and, for
// each of two adjoints, the points of the weight gradient of the group the thread sums.
// Added up as points (36 to 100 per kernel against its 9), the groups' sums were up to
// 19 MB a layer after every backward; fewer groups would cap the backward's threads.
typedef struct slot {
    sgdi_real *m1, *m2, *v1, *v2, *tile, *acc[2];
} slot;

typedef struct layout {
    int64_t weights, kernels, column, image, slot_len;
    double *bias_groups; // [GROUPS][MAX_OPERANDS][K]: the groups' channel sums of the cols
    sgdi_real *u1, *u2, *w_groups[2], *slots;
    const sgdi_real *u[MAX_OPERANDS]; // the call's kernel points: u1, u2 or the node's cache
    int threads;
} layout;

// The bias's channel sums of GROUPS groups and MAX_OPERANDS column sides, in doubles (two
// floats each, at the start of the work, which keeps them aligned), then the weights.
static int64_t bias_len(const geom *g) {
    return 2 * GROUPS * MAX_OPERANDS * g->K;
}

// Elements of a weight gradient W_bar[K][C][3][3].
static int64_t kernels_len(const geom *g) {
    return g->K * g->C * 9;
}

static int64_t shared_len(const geom *g) {
    return bias_len(g) + 2 * kernel_points(g) * weight_stride(g) + 2 * GROUPS * kernels_len(g);
}

static int64_t slot_len(const geom *g, int64_t samples) {
    return 2 * (view_len(g, samples, g->K) + view_len(g, samples, g->C) +
                kernel_points(g) * weight_stride(g)) +
           sgdi_winograd_tile_scratch(g);
}

int64_t sgdi_winograd_workspace(const sgdi_conv_plan *p, int64_t batch, int threads) {
    geom g = geometry(p);
    return shared_len(&g) + (threads < 1 ? 1 : threads) * slot_len(&g, chunk_samples(&g, batch));
}

int64_t sgdi_winograd_cache_len(const sgdi_conv_plan *p) {
    geom g = geometry(p);
    return 2 * kernel_points(&g) * weight_stride(&g);
}

// u (region r's from kernel_offset(g, r)) = the points of kernels w, as
// sgdi_winograd_weights_to_points for each region's tile shape.
static void weights_to_points(const geom *g, const sgdi_real *w, bool transposed, sgdi_real *u) {
    for (int r = 0; r < g->n_regions; r++)
        sgdi_winograd_weights_to_points(g->region[r].mr, g->region[r].mc, g->K, g->C, w, transposed,
                                        weight_stride(g), u + kernel_offset(g, r));
}

// The points of kernels w in the products' layout [points][C][K] (`transposed`) or the
// image adjoint's [points][K][C]. Parameters whose values the caller has fixed (a non-zero
// version: the final parameters, read by every step of a scoring walk and every batch of
// the predictions) are transformed once into the node's cache and read from it while the
// version holds; anything else (a step's new parameters, a direction) into `scratch`.
static const sgdi_real *weight_points(const sgdi_conv_plan *p, const geom *g, const sgdi_real *w,
                                      bool transposed, sgdi_real *scratch) {
    sgdi_op_cache *cache = p->cache;
    if (!cache || p->version == 0 || w != p->cached_w) {
        weights_to_points(g, w, transposed, scratch);
        return scratch;
    }
    int part = transposed ? 0 : 1;
    sgdi_real *points = cache->data + part * kernel_points(g) * weight_stride(g);
    if (cache->tag[part] != p->version) {
        weights_to_points(g, w, transposed, points);
        cache->tag[part] = p->version;
    }
    return points;
}

// The layout of `work` for chunks of `samples`: as many threads as it has slots for (>= 1)
// and OpenMP offers.
static layout layout_of(const geom *g, int64_t samples, sgdi_real *work, int64_t work_len) {
    layout l = {.weights = kernel_points(g) * weight_stride(g),
                .kernels = kernels_len(g),
                .slot_len = slot_len(g, samples)};
    l.column = view_len(g, samples, g->K), l.image = view_len(g, samples, g->C);
    l.bias_groups = (double *)(void *)work;
    l.u1 = work + bias_len(g), l.u2 = l.u1 + l.weights, l.w_groups[0] = l.u1 + 2 * l.weights;
    l.w_groups[1] = l.w_groups[0] + GROUPS * l.kernels;
    l.slots = work + shared_len(g);
    int64_t room = (work_len - shared_len(g)) / l.slot_len, threads = omp_get_max_threads();
    l.threads = (int)(room < threads ? (room < 1 ? 1 : room) : threads);
    return l;
}

static slot slot_at(const layout *l, int64_t i) {
    slot s = {.m1 = l->slots + i * l->slot_len};
    s.m2 = s.m1 + l->column, s.v1 = s.m2 + l->column, s.v2 = s.v1 + l->image;
    s.acc[0] = s.v2 + l->image, s.acc[1] = s.acc[0] + l->weights;
    s.tile = s.acc[1] + l->weights;
    return s;
}

// --- A chunk on one thread --------------------------------------------------------------
// Samples [n0, n0 + samples) of a batch; tiles = samples P, sample s's first at s P.

// v = the image side's points of img's samples
static void chunk_image_to_points(const geom *g, const slot *sl, const sgdi_real *img, int64_t n0,
                                  int64_t samples, const regions_view *v) {
    int64_t plane = g->C * g->H * g->W;
    for (int64_t s = 0; s < samples; s++) {
        sgdi_real *at[SGDI_WINOGRAD_MAX_REGIONS];
        for (int r = 0; r < g->n_regions; r++) at[r] = v->at[r] + s * g->region[r].P * g->C;
        sgdi_winograd_image_to_points(g, img + (n0 + s) * plane, at, v->ld, sl->tile);
    }
}

// img += the adjoint of chunk_image_to_points applied to v_bar (= with `assign`)
static void chunk_points_to_image(const geom *g, const slot *sl, const regions_view *v_bar,
                                  int64_t n0, int64_t samples, bool assign, sgdi_real *img) {
    int64_t plane = g->C * g->H * g->W;
    for (int64_t s = 0; s < samples; s++) {
        const sgdi_real *at[SGDI_WINOGRAD_MAX_REGIONS];
        for (int r = 0; r < g->n_regions; r++) at[r] = v_bar->at[r] + s * g->region[r].P * g->C;
        sgdi_winograd_points_to_image(g, at, v_bar->ld, assign, img + (n0 + s) * plane, sl->tile);
    }
}

// col += the column side of the points m (with `assign`: col = bias + it)
static void chunk_points_to_column(const geom *g, const slot *sl, const regions_view *m, int64_t n0,
                                   int64_t samples, bool assign, const sgdi_real *bias,
                                   sgdi_real *col) {
    int64_t plane = g->K * g->OH * g->OW;
    for (int64_t s = 0; s < samples; s++) {
        const sgdi_real *at[SGDI_WINOGRAD_MAX_REGIONS];
        for (int r = 0; r < g->n_regions; r++) at[r] = m->at[r] + s * g->region[r].P * g->K;
        sgdi_winograd_points_to_column(g, at, m->ld, assign, bias, col + (n0 + s) * plane,
                                       sl->tile);
    }
}

// m_bar = the adjoint of chunk_points_to_column applied to col_bar; sums[K] += its
// channel sums, sample by sample (unless NULL)
static void chunk_column_to_points(const geom *g, const slot *sl, const sgdi_real *col_bar,
                                   int64_t n0, int64_t samples, const regions_view *m_bar,
                                   double *sums) {
    int64_t plane = g->K * g->OH * g->OW;
    for (int64_t s = 0; s < samples; s++) {
        sgdi_real *at[SGDI_WINOGRAD_MAX_REGIONS];
        for (int r = 0; r < g->n_regions; r++) at[r] = m_bar->at[r] + s * g->region[r].P * g->K;
        sgdi_winograd_column_to_points(g, col_bar + (n0 + s) * plane, at, m_bar->ld, sums,
                                       sl->tile);
    }
}

// --- Products ---------------------------------------------------------------------------
// A forward-over-reverse pass reads the same x and W in several products (a direction and
// its tangent): a call's distinct operands are carried into the transform domain once,
// weights per call and images and column sides per chunk, and each product indexes them.

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
    sgdi_real *scratch[2] = {l.u1, l.u2};
    for (int k = 0; k < job.ws.n; k++) // [points][C][K]: the products' right operands
        l.u[k] = weight_points(p, &g, job.ws.ptr[k], true, scratch[k]);
#pragma omp parallel for schedule(static) num_threads(l.threads)
    for (int64_t q = 0; q < chunks; q++) {
        slot sl = slot_at(&l, omp_get_thread_num());
        int64_t n0 = q * S, samples = min64(S, batch - n0);
        regions_view v[2] = {view_of(&g, sl.v1, samples, g.C), view_of(&g, sl.v2, samples, g.C)};
        regions_view m[2] = {view_of(&g, sl.m1, samples, g.K), view_of(&g, sl.m2, samples, g.K)};
        for (int k = 0; k < job.ims.n; k++)
            chunk_image_to_points(&g, &sl, job.ims.ptr[k], n0, samples, &v[k]);
        for (int r = 0; r < g.n_regions; r++) {
            sgdi_gemm_plan product[2]; // M_xi = V_xi U_xi, and M_xi += V_xi U_xi
            for (int k = 0; k < 2; k++)
                product[k] =
                    sgdi_gemm_plan_make(false, v[0].tiles[r], g.K, g.C, g.C, g.K, k > 0, g.K);
            int64_t u0 = kernel_offset(&g, r);
            for (int xi = 0; xi < g.region[r].points; xi++)
                for (int s = 0; s < n_sums; s++)
                    for (int k = 0; k < job.pairs[s]; k++) {
                        const regions_view *vi = &v[job.ii[s][k]];
                        sgdi_gemm_plan_run(&product[k > 0], vi->at[r] + xi * vi->ld[r],
                                           l.u[job.wi[s][k]] + u0 + xi * weight_stride(&g),
                                           m[s].at[r] + xi * m[s].ld[r]);
                    }
        }
        for (int s = 0; s < n_sums; s++)
            chunk_points_to_column(&g, &sl, &m[s], n0, samples, sums[s].assign, sums[s].bias,
                                   sums[s].col);
    }
}

// A call of sgdi_winograd_backward: its distinct column sides, weights (of terms whose
// adjoint wants img_bar) and images (of terms whose adjoint wants w_bar), and per adjoint
// and term the indices into them (UNUSED: no such product).
typedef struct backward_job {
    const sgdi_conv_adjoint *adj;
    int n_adj, ci[2][2], wi[2][2], ii[2][2], bi[2]; // bi: the col whose sums go to b_bar
    bool writes_img[2], sums_col[MAX_OPERANDS];
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
    for (int a = 0; a < n_adj; a++) {
        job->bi[a] =
            adj[a].b_bar && adj[a].bias_col ? operand_of(&job->cols, adj[a].bias_col) : UNUSED;
        if (job->bi[a] == MAX_OPERANDS) return false;
        if (job->bi[a] != UNUSED) job->sums_col[job->bi[a]] = true;
    }
    return true;
}

// img_bar of adjoint a for one chunk, from the column sides' points m[]
static void chunk_image_adjoint(const geom *g, const layout *l, const slot *sl,
                                const backward_job *job, int a, const regions_view *m, int64_t n0,
                                int64_t samples) {
    const sgdi_conv_adjoint *ad = &job->adj[a];
    const sgdi_real *const *u = l->u;
    regions_view v = view_of(g, sl->v1, samples, g->C);
    for (int r = 0; r < g->n_regions; r++) {
        sgdi_gemm_plan product[2]; // dV_xi = dM_xi U_xi^T, and dV_xi += dM_xi U_xi^T
        for (int k = 0; k < 2; k++)
            product[k] =
                sgdi_gemm_plan_make(false, v.tiles[r], g->C, g->K, g->K, g->C, k > 0, g->C);
        int64_t u0 = kernel_offset(g, r);
        for (int xi = 0; xi < g->region[r].points; xi++) {
            bool first = true;
            for (int k = 0; k < ad->n_terms; k++) {
                if (job->wi[a][k] == UNUSED) continue;
                const regions_view *mc = &m[job->ci[a][k]];
                sgdi_gemm_plan_run(&product[!first], mc->at[r] + xi * mc->ld[r],
                                   u[job->wi[a][k]] + u0 + xi * weight_stride(g),
                                   v.at[r] + xi * v.ld[r]);
                first = false;
            }
        }
    }
    chunk_points_to_image(g, sl, &v, n0, samples, ad->img_fresh, ad->img_bar);
}

// One chunk of sgdi_winograd_backward on one thread: its image adjoints added to (or
// written into) each img_bar, its weight-gradient points added to acc[a] (assigned when
// !accumulate; NULL: that adjoint wants none), the channel sums of the cols that a bias
// wants added to sums[c][K].
static void backward_chunk(const geom *g, const layout *l, const slot *sl, const backward_job *job,
                           int64_t n0, int64_t samples, sgdi_real *const *acc, bool accumulate,
                           double *sums) {
    regions_view m[2] = {view_of(g, sl->m1, samples, g->K), view_of(g, sl->m2, samples, g->K)};
    regions_view v[2] = {view_of(g, sl->v1, samples, g->C), view_of(g, sl->v2, samples, g->C)};
    for (int c = 0; c < job->cols.n; c++)
        chunk_column_to_points(g, sl, job->cols.ptr[c], n0, samples, &m[c],
                               job->sums_col[c] ? sums + c * g->K : NULL);
    for (int a = 0; a < job->n_adj; a++)
        if (job->writes_img[a]) chunk_image_adjoint(g, l, sl, job, a, m, n0, samples);
    // Each weight-gradient term adds to its adjoint's points, or assigns them if first; the
    // terms are taken by image, then in term order.
    bool first[2] = {!accumulate, !accumulate}, add[2][2] = {{false}};
    for (int i = 0; i < job->ims.n; i++) {
        for (int a = 0; a < job->n_adj; a++)
            for (int k = 0; k < job->adj[a].n_terms; k++)
                if (job->ii[a][k] == i) add[a][k] = !first[a], first[a] = false;
        chunk_image_to_points(g, sl, job->ims.ptr[i], n0, samples, &v[i]);
    }
    for (int r = 0; r < g->n_regions; r++) {
        sgdi_gemm_plan product[2]; // dU_xi[K][C] (+)= M_xi^T[K][tiles] V_xi[tiles][C]
        for (int k = 0; k < 2; k++)
            product[k] =
                sgdi_gemm_plan_make(true, g->K, g->C, v[0].tiles[r], g->K, g->C, k > 0, g->C);
        int64_t u0 = kernel_offset(g, r);
        for (int xi = 0; xi < g->region[r].points; xi++)
            for (int i = 0; i < job->ims.n; i++)
                for (int a = 0; a < job->n_adj; a++)
                    for (int k = 0; k < job->adj[a].n_terms; k++) {
                        if (job->ii[a][k] != i) continue;
                        const regions_view *mc = &m[job->ci[a][k]];
                        sgdi_gemm_plan_run(&product[add[a][k]], mc->at[r] + xi * mc->ld[r],
                                           v[i].at[r] + xi * v[i].ld[r],
                                           acc[a] + u0 + xi * weight_stride(g));
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
    sgdi_real *scratch[2] = {l.u1, l.u2};
    for (int k = 0; k < job.ws.n; k++) // [points][K][C]: the image adjoints' right operands
        l.u[k] = weight_points(p, &g, job.ws.ptr[k], false, scratch[k]);
    // Each group of consecutive chunks runs on one thread, its weight-gradient points
    // summed in chunk order and carried back to kernels; the groups' kernels are added in
    // group order.
    int64_t groups = min64(GROUPS, chunks);
#pragma omp parallel for schedule(static) num_threads(l.threads)
    for (int64_t gi = 0; gi < groups; gi++) {
        slot sl = slot_at(&l, omp_get_thread_num());
        sgdi_real *acc[2] = {NULL, NULL};
        for (int a = 0; a < n_adj; a++)
            if (adj[a].w_bar) acc[a] = sl.acc[a];
        int64_t q_begin = gi * chunks / groups, q_end = (gi + 1) * chunks / groups;
        double *sums = l.bias_groups + gi * MAX_OPERANDS * g.K;
        for (int64_t e = 0; e < MAX_OPERANDS * g.K; e++) sums[e] = 0;
        for (int64_t q = q_begin; q < q_end; q++)
            backward_chunk(&g, &l, &sl, &job, q * S, min64(S, batch - q * S), acc, q > q_begin,
                           sums);
        for (int a = 0; a < n_adj; a++) {
            if (!acc[a]) continue;
            sgdi_real *kernels = l.w_groups[a] + gi * l.kernels;
            memset(kernels, 0, (size_t)l.kernels * sizeof *kernels);
            for (int r = 0; r < g.n_regions; r++)
                sgdi_winograd_points_to_weights(g.region[r].mr, g.region[r].mc, g.K, g.C,
                                                acc[a] + kernel_offset(&g, r), weight_stride(&g),
                                                kernels);
        }
    }
    // The bias's sums: each group's in chunk order, the groups' in group order.
    for (int a = 0; a < n_adj; a++) {
        if (job.bi[a] == UNUSED) continue;
        for (int64_t k = 0; k < g.K; k++) {
            double total = 0;
            for (int64_t gi = 0; gi < groups; gi++)
                total += l.bias_groups[(gi * MAX_OPERANDS + job.bi[a]) * g.K + k];
            adj[a].b_bar[k] += (sgdi_real)total;
        }
    }
    for (int a = 0; a < n_adj; a++) {
        if (!adj[a].w_bar) continue;
        const sgdi_real *kernels = l.w_groups[a];
        sgdi_real *w_bar = adj[a].w_bar;
        const int64_t n = l.kernels;
#pragma omp parallel for simd schedule(static) num_threads(l.threads)
        for (int64_t e = 0; e < n; e++) {
            sgdi_real sum = kernels[e];
            for (int64_t gi = 1; gi < groups; gi++) sum += kernels[gi * n + e];
            w_bar[e] += sum;
        }
    }
}
