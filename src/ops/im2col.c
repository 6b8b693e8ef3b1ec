/*
 * im2col.c — columns of an image and their adjoint, and the three products every
 * operator of the convolution family is made of (see im2col.h).
 *
 * A sample's columns form the matrix col[in_ch * ksize, out_size]: row (c, kh, kw) holds,
 * for each output position (oh, ow), the pixel of channel c that kernel tap (kh, kw) sees
 * there. Group g's rows are a contiguous block, so every product is one GEMM per sample
 * and group over contiguous row-major blocks.
 *
 * Threads split the samples (the weight gradient: blocks of samples), each with its own
 * slot of the scratch, so no element is written by two threads.
 */
#include "ops/im2col.h"

#include <limits.h>
#include <omp.h>
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"
#include "ops/winograd.h"

// Samples whose weight-gradient terms are summed into one partial before the partials are
// added up in order: fixed, so the sums are the same bytes whatever the thread count.
static const int64_t WEIGHT_BLOCK = 8;
// Largest window attribute accepted; keeps every size product below int64 overflow.
static const int64_t WINDOW_MAX = (int64_t)1 << 31;

sgdi_conv_plan sgdi_conv_plan_make(const sgdi_window_attr *w, const int64_t *kernel, int64_t in_ch,
                                   const int64_t *img, int64_t out_ch, const int64_t *col,
                                   int64_t group) {
    sgdi_conv_plan p = {.in_ch = in_ch, .out_ch = out_ch, .group = group};
    int lead = 2 - w->ndim; // a 1-D operator is 2-D with height 1
    for (int d = 0; d < 2; d++) {
        bool real = d >= lead;
        p.in[d] = real ? img[d - lead] : 1;
        p.out[d] = real ? col[d - lead] : 1;
        p.kernel[d] = real ? kernel[d - lead] : 1;
        p.pad[d] = real ? w->pad[d - lead] : 0;
        p.stride[d] = real ? w->stride[d - lead] : 1;
        p.dilation[d] = real ? w->dilation[d - lead] : 1;
    }
    p.in_size = p.in[0] * p.in[1];
    p.out_size = p.out[0] * p.out[1];
    p.ksize = p.kernel[0] * p.kernel[1];
    p.col_len = in_ch * p.ksize * p.out_size;
    p.direct = p.ksize == 1 && p.pad[0] == 0 && p.pad[1] == 0 && p.stride[0] == 1 &&
               p.stride[1] == 1 && p.in_size == p.out_size;
    return p;
}

// *out = a b when that is at most limit (a, b >= 0), without overflowing.
static bool mul_within(int64_t a, int64_t b, int64_t limit, int64_t *out) {
    if (a != 0 && b > limit / a) return false;
    *out = a * b;
    return *out <= limit;
}

bool sgdi_conv_fits(const sgdi_window_attr *w, const int64_t *kernel, int64_t in_ch,
                    const int64_t *img, int64_t out_ch, const int64_t *col, int64_t group) {
    const int64_t limit = (int64_t)1 << 40;
    int64_t in_size = 1, out_size = 1, ksize = 1, rows, len, side;
    for (int d = 0; d < w->ndim; d++)
        if (!mul_within(in_size, img[d], limit, &in_size) ||
            !mul_within(out_size, col[d], limit, &out_size) ||
            !mul_within(ksize, kernel[d], limit, &ksize))
            return false;
    return mul_within(in_ch, ksize, INT_MAX, &rows) && mul_within(rows, out_size, limit, &len) &&
           mul_within(in_ch, in_size, limit, &side) && mul_within(out_ch, out_size, limit, &side) &&
           out_size <= INT_MAX && out_ch / group <= INT_MAX;
}

// Elements of W (out_ch, in_ch / group, ksize).
static int64_t weight_len(const sgdi_conv_plan *p) {
    return p->out_ch * (p->in_ch / p->group) * p->ksize;
}

// One slot of scratch: a sample's columns (none when direct), and beside them a block's
// partial weight gradient.
static int64_t slot_len(const sgdi_conv_plan *p) {
    return (p->direct ? 0 : p->col_len) + weight_len(p);
}

int64_t sgdi_conv_workspace(const sgdi_conv_plan *p, int64_t batch) {
    if (sgdi_winograd_applies(p)) return sgdi_winograd_workspace(p, batch, omp_get_max_threads());
    int64_t slots = omp_get_max_threads();
    if (slots > batch) slots = batch;
    return (slots < 1 ? 1 : slots) * slot_len(p);
}

int64_t sgdi_conv_cache_len(const sgdi_conv_plan *p) {
    return sgdi_winograd_applies(p) ? sgdi_winograd_cache_len(p) : 0;
}

// Threads that may work at once: as many as the scratch has slots for, the tasks need,
// and OpenMP offers (>= 1).
static int slots_for(const sgdi_conv_plan *p, int64_t work_len, int64_t tasks) {
    int64_t slots = work_len / slot_len(p), threads = omp_get_max_threads();
    if (slots > threads) slots = threads;
    if (slots > tasks) slots = tasks;
    return slots < 1 ? 1 : (int)slots;
}

int64_t sgdi_conv_out_size(int64_t n, int64_t k, int64_t pad, int64_t stride, int64_t dilation) {
    int64_t padded = n + 2 * pad;
    if (k - 1 > (padded - 1) / dilation) return 0; // compared before multiplying: no overflow
    return (padded - (dilation * (k - 1) + 1)) / stride + 1;
}

sgdi_status sgdi_conv_check_window(const char *name, const sgdi_window_attr *w, int spatial,
                                   char *msg, size_t msg_size) {
    if (w->ndim != spatial)
        return sgdi_op_reason(msg, msg_size,
                              "%s: the window has %d spatial dimensions, the input %d (a "
                              "(C, W) or (C, H, W) sample)",
                              name, w->ndim, spatial);
    for (int d = 0; d < spatial; d++) {
        if (w->pad[d] < 0 || w->pad[d] > WINDOW_MAX)
            return sgdi_op_reason(msg, msg_size, "%s: pad %lld outside [0, 2^31]", name,
                                  (long long)w->pad[d]);
        if (w->stride[d] < 1 || w->stride[d] > WINDOW_MAX)
            return sgdi_op_reason(msg, msg_size, "%s: stride %lld outside [1, 2^31]", name,
                                  (long long)w->stride[d]);
        if (w->dilation[d] < 1 || w->dilation[d] > WINDOW_MAX)
            return sgdi_op_reason(msg, msg_size, "%s: dilation %lld outside [1, 2^31]", name,
                                  (long long)w->dilation[d]);
    }
    if (w->group < 1 || w->group > WINDOW_MAX)
        return sgdi_op_reason(msg, msg_size, "%s: group (multiplier) %lld outside [1, 2^31]", name,
                              (long long)w->group);
    return SGDI_OK;
}

// --- Columns -----------------------------------------------------------------------------

// The outputs o in [0, n_out) whose input o * stride + off lies in [0, n_in): [*lo, *hi).
static void valid_range(int64_t n_out, int64_t n_in, int64_t stride, int64_t off, int64_t *lo,
                        int64_t *hi) {
    int64_t first = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int64_t end = n_in - 1 - off < 0 ? 0 : (n_in - 1 - off) / stride + 1;
    *hi = end < n_out ? end : n_out;
    *lo = first < *hi ? first : *hi;
}

// The ksize rows of channel plane img_c[in_size] into col_c[ksize, out_size] (assigned).
static void im2col_plane(const sgdi_conv_plan *p, const sgdi_real *img_c, sgdi_real *col_c) {
    const int64_t H = p->in[0], W = p->in[1], OH = p->out[0], OW = p->out[1];
    const int64_t sh = p->stride[0], sw = p->stride[1];
    for (int64_t kh = 0; kh < p->kernel[0]; kh++) {
        int64_t h_off = kh * p->dilation[0] - p->pad[0], oh_lo, oh_hi;
        valid_range(OH, H, sh, h_off, &oh_lo, &oh_hi);
        for (int64_t kw = 0; kw < p->kernel[1]; kw++) {
            int64_t w_off = kw * p->dilation[1] - p->pad[1], ow_lo, ow_hi;
            valid_range(OW, W, sw, w_off, &ow_lo, &ow_hi);
            sgdi_real *row = col_c + (kh * p->kernel[1] + kw) * p->out_size;
            memset(row, 0, (size_t)(oh_lo * OW) * sizeof *row);
            for (int64_t oh = oh_lo; oh < oh_hi; oh++) {
                sgdi_real *dst = row + oh * OW;
                const sgdi_real *src = img_c + (oh * sh + h_off) * W + w_off;
                // Plain loops, not memset/memcpy: a row is a few dozen elements (and its
                // padding one or two), where a library call costs more than the copy.
                for (int64_t ow = 0; ow < ow_lo; ow++) dst[ow] = 0;
                if (sw == 1) {
#pragma omp simd
                    for (int64_t ow = ow_lo; ow < ow_hi; ow++) dst[ow] = src[ow];
                } else {
                    for (int64_t ow = ow_lo; ow < ow_hi; ow++) dst[ow] = src[ow * sw];
                }
                for (int64_t ow = ow_hi; ow < OW; ow++) dst[ow] = 0;
            }
            memset(row + oh_hi * OW, 0, (size_t)((OH - oh_hi) * OW) * sizeof *row);
        }
    }
}

// img_c[in_size] += the adjoint of im2col_plane applied to col_c[ksize, out_size]; taps in
// a fixed order, so the sums are the same bytes run after run.
static void col2im_plane(const sgdi_conv_plan *p, const sgdi_real *col_c, sgdi_real *img_c) {
    const int64_t H = p->in[0], W = p->in[1], OH = p->out[0], OW = p->out[1];
    const int64_t sh = p->stride[0], sw = p->stride[1];
    for (int64_t kh = 0; kh < p->kernel[0]; kh++) {
        int64_t h_off = kh * p->dilation[0] - p->pad[0], oh_lo, oh_hi;
        valid_range(OH, H, sh, h_off, &oh_lo, &oh_hi);
        for (int64_t kw = 0; kw < p->kernel[1]; kw++) {
            int64_t w_off = kw * p->dilation[1] - p->pad[1], ow_lo, ow_hi;
            valid_range(OW, W, sw, w_off, &ow_lo, &ow_hi);
            const sgdi_real *row = col_c + (kh * p->kernel[1] + kw) * p->out_size;
            for (int64_t oh = oh_lo; oh < oh_hi; oh++) {
                const sgdi_real *src = row + oh * OW;
                sgdi_real *dst = img_c + (oh * sh + h_off) * W + w_off;
                if (sw == 1) { // the common case, vectorised (dst and src never overlap)
#pragma omp simd
                    for (int64_t ow = ow_lo; ow < ow_hi; ow++) dst[ow] += src[ow];
                } else {
                    for (int64_t ow = ow_lo; ow < ow_hi; ow++) dst[ow * sw] += src[ow];
                }
            }
        }
    }
}

// work[in_ch * ksize, out_size] = columns of one sample's img[in_ch, in_size].
static void im2col_sample(const sgdi_conv_plan *p, const sgdi_real *img, sgdi_real *work) {
    const int64_t plane_col = p->ksize * p->out_size;
    for (int64_t c = 0; c < p->in_ch; c++)
        im2col_plane(p, img + c * p->in_size, work + c * plane_col);
}

// img[in_ch, in_size] += col^T(work) for one sample.
static void col2im_sample(const sgdi_conv_plan *p, const sgdi_real *work, sgdi_real *img) {
    const int64_t plane_col = p->ksize * p->out_size;
    for (int64_t c = 0; c < p->in_ch; c++)
        col2im_plane(p, work + c * plane_col, img + c * p->in_size);
}

// C = op(A) op(B) (assigned, unlike r_gemm_acc): the scratch is handed over dirty.
static void gemm_set(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const sgdi_real *a,
                     const sgdi_real *b, sgdi_real *c) {
    if (k == 0) {
        memset(c, 0, (size_t)(m * n) * sizeof *c);
        return;
    }
    if (m == 0 || n == 0) return;
    int lda = ta ? (int)m : (int)k, ldb = tb ? (int)k : (int)n;
#ifdef SGDI_REAL_DOUBLE
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)k, 1.0, a, lda, b, ldb, 0.0, c, (int)n);
#else
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)k, 1.0f, a, lda, b, ldb, 0.0f, c, (int)n);
#endif
}

// Keeps the pairs (a[k], b[k]) of a product rule whose members are both present (a NULL
// tangent makes its term zero), first one first; returns how many.
static int present_pairs(const sgdi_real *a[2], const sgdi_real *b[2]) {
    int n = 0;
    for (int k = 0; k < 2; k++)
        if (a[k] && b[k]) a[n] = a[k], b[n++] = b[k];
    for (int k = n; k < 2; k++) a[k] = b[k] = NULL;
    return n;
}

// --- The three products ----------------------------------------------------------------
//
// Threads split the samples; each sample's products run whole on one thread (OpenBLAS's
// OpenMP build runs a GEMM called inside a parallel region on the calling thread), so
// per-sample results never depend on the thread count. Small GEMMs one per sample on each
// core scale; the same GEMMs split across cores did not (bench/README.md, "CNN step").

// Per group g: W_g is W's rows [g ocg, (g+1) ocg), each of icg * ksize taps; a sample's
// column-side block is rows [g ocg, ...) of out_size; its columns' block is rows
// [g icg ksize, ...) of out_size (for direct plans: image rows [g icg, ...) of in_size).
typedef struct group_dims {
    int64_t ocg, icg, taps; // out_ch / group, in_ch / group, icg * ksize
} group_dims;

static group_dims group_dims_of(const sgdi_conv_plan *p) {
    group_dims d = {.ocg = p->out_ch / p->group, .icg = p->in_ch / p->group};
    d.taps = d.icg * p->ksize;
    return d;
}

// dst[channels, size] = b[c] in channel c (0 without b): one sample's planes.
static void fill_sample(sgdi_real *dst, const sgdi_real *b, int64_t channels, int64_t size) {
    for (int64_t c = 0; c < channels; c++) {
        sgdi_real *plane = dst + c * size;
        if (b)
            for (int64_t k = 0; k < size; k++) plane[k] = b[c];
        else
            memset(plane, 0, (size_t)size * sizeof *plane);
    }
}

// col_n[out_ch, out_size] (+)= W cols, the products of every group for sample n.
static void add_products(const sgdi_conv_plan *p, const group_dims *d, const sgdi_real *w,
                         const sgdi_real *cols, sgdi_real *col_n) {
    for (int64_t g = 0; g < p->group; g++)
        r_gemm_acc(false, false, d->ocg, p->out_size, d->taps, w + g * d->ocg * d->taps,
                   cols + g * d->taps * p->out_size, col_n + g * d->ocg * p->out_size);
}

// Each sum's col[batch][out_ch, out_size] (+)= the products of its pairs (present pairs
// first, as present_pairs leaves them), filled with its bias first where it assigns. A
// sample at a time on one thread, every sum of it: its planes are filled just before the
// products add to them, still in cache (a fill of the whole batch first was a pass over
// memory more), and its columns are built once for the sums and pairs that read the same
// image (the forward and its tangent: x for y and for W' x).
static void apply_columns(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                          const sgdi_conv_sum *sums, int n_sums) {
    group_dims d = group_dims_of(p);
    int threads = slots_for(p, work_len, batch);
    const int64_t plane = p->out_ch * p->out_size;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t n = 0; n < batch; n++) {
        sgdi_real *slot = work + omp_get_thread_num() * slot_len(p);
        const sgdi_real *in_slot = NULL; // the image whose columns the slot holds
        for (int s = 0; s < n_sums; s++) {
            sgdi_real *col_n = sums[s].col + n * plane;
            if (sums[s].assign) fill_sample(col_n, sums[s].bias, p->out_ch, p->out_size);
            for (int k = 0; k < 2 && sums[s].w[k]; k++) {
                const sgdi_real *img = sums[s].img[k];
                const sgdi_real *cols = p->direct ? img + n * p->col_len : slot;
                if (!p->direct && img != in_slot) {
                    im2col_sample(p, img + n * p->in_ch * p->in_size, slot);
                    in_slot = img;
                }
                add_products(p, &d, sums[s].w[k], cols, col_n);
            }
        }
    }
}

// img[batch][in_ch, in_size] += cols^T(W^T col1 + W2^T col2)
void sgdi_conv_transpose(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                         const sgdi_real *w, const sgdi_real *col1, const sgdi_real *w2,
                         const sgdi_real *col2, sgdi_real *img) {
    const sgdi_real *a[2] = {w, w2}, *b[2] = {col1, col2};
    if (present_pairs(a, b) == 0) return;
    w = a[0], col1 = b[0], w2 = a[1], col2 = b[1];
    if (sgdi_winograd_applies(p)) {
        sgdi_conv_adjoint adj = {.terms = {{.col = col1, .w = w}, {.col = col2, .w = w2}},
                                 .n_terms = col2 ? 2 : 1,
                                 .img_bar = img};
        sgdi_winograd_backward(p, batch, work, work_len, &adj, 1);
        return;
    }
    group_dims d = group_dims_of(p);
    int threads = slots_for(p, work_len, batch);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t n = 0; n < batch; n++) {
        // direct: the columns are the image itself, accumulate straight into it
        sgdi_real *cols =
            p->direct ? img + n * p->col_len : work + omp_get_thread_num() * slot_len(p);
        for (int64_t g = 0; g < p->group; g++) {
            int64_t wo = g * d.ocg * d.taps, co = (n * p->out_ch + g * d.ocg) * p->out_size;
            sgdi_real *dst = cols + g * d.taps * p->out_size;
            if (p->direct)
                r_gemm_acc(true, false, d.taps, p->out_size, d.ocg, w + wo, col1 + co, dst);
            else
                gemm_set(true, false, d.taps, p->out_size, d.ocg, w + wo, col1 + co, dst);
            if (w2) r_gemm_acc(true, false, d.taps, p->out_size, d.ocg, w2 + wo, col2 + co, dst);
        }
        if (!p->direct) col2im_sample(p, cols, img + n * p->in_ch * p->in_size);
    }
}

// partial[out_ch, taps] = sum over samples [n0, n_end) in order of col[n] cols(img[n])^T.
static void weight_block(const sgdi_conv_plan *p, int64_t n0, int64_t n_end, sgdi_real *slot,
                         const sgdi_real *col, const sgdi_real *img) {
    group_dims d = group_dims_of(p);
    sgdi_real *partial = slot, *scratch = slot + weight_len(p);
    for (int64_t n = n0; n < n_end; n++) {
        const sgdi_real *cols = p->direct ? img + n * p->col_len : scratch;
        if (!p->direct) im2col_sample(p, img + n * p->in_ch * p->in_size, scratch);
        for (int64_t g = 0; g < p->group; g++) {
            const sgdi_real *a = col + (n * p->out_ch + g * d.ocg) * p->out_size,
                            *b = cols + g * d.taps * p->out_size;
            sgdi_real *c = partial + g * d.ocg * d.taps;
            if (n == n0)
                gemm_set(false, true, d.ocg, d.taps, p->out_size, a, b, c);
            else
                r_gemm_acc(false, true, d.ocg, d.taps, p->out_size, a, b, c);
        }
    }
}

// W_bar += sum_n col[n] cols(img[n])^T: blocks of WEIGHT_BLOCK samples in parallel, their
// partials added in block order.
static void weight_corr_columns(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                                int64_t work_len, const sgdi_real *col, const sgdi_real *img,
                                sgdi_real *w_bar) {
    const int64_t blocks = (batch + WEIGHT_BLOCK - 1) / WEIGHT_BLOCK, wlen = weight_len(p),
                  slot = slot_len(p);
    const int slots = slots_for(p, work_len, blocks);
    for (int64_t b0 = 0; b0 < blocks; b0 += slots) {
        int64_t round = blocks - b0 < slots ? blocks - b0 : slots;
#pragma omp parallel for schedule(static) num_threads(slots)
        for (int64_t i = 0; i < round; i++) {
            int64_t n0 = (b0 + i) * WEIGHT_BLOCK,
                    n_end = n0 + WEIGHT_BLOCK < batch ? n0 + WEIGHT_BLOCK : batch;
            weight_block(p, n0, n_end, work + i * slot, col, img);
        }
#pragma omp parallel for schedule(static) num_threads(slots)
        for (int64_t e = 0; e < wlen; e++)
            for (int64_t i = 0; i < round; i++) w_bar[e] += work[i * slot + e];
    }
}

// col (+)= the products of up to two pairs; with `assign` col = b + them (b NULL: 0).
static void conv_apply(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                       const sgdi_real *w, const sgdi_real *img, const sgdi_real *w2,
                       const sgdi_real *img2, bool assign, const sgdi_real *b, sgdi_real *col) {
    const sgdi_real *a[2] = {w, w2}, *im[2] = {img, img2};
    int pairs = present_pairs(a, im);
    if (pairs > 0 && sgdi_winograd_applies(p)) {
        sgdi_conv_sum sum = {
            .w = {a[0], a[1]}, .img = {im[0], im[1]}, .bias = b, .assign = assign, .col = col};
        sgdi_winograd_apply(p, batch, work, work_len, &sum, 1);
        return;
    }
    sgdi_conv_sum sum = {
        .w = {a[0], a[1]}, .img = {im[0], im[1]}, .bias = b, .assign = assign, .col = col};
    apply_columns(p, batch, work, work_len, &sum, 1);
}

void sgdi_conv_apply(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                     const sgdi_real *w, const sgdi_real *img, const sgdi_real *w2,
                     const sgdi_real *img2, sgdi_real *col) {
    conv_apply(p, batch, work, work_len, w, img, w2, img2, false, NULL, col);
}

void sgdi_conv_apply_bias(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                          const sgdi_real *w, const sgdi_real *img, const sgdi_real *w2,
                          const sgdi_real *img2, const sgdi_real *b, sgdi_real *col) {
    conv_apply(p, batch, work, work_len, w, img, w2, img2, true, b, col);
}

void sgdi_conv_weight_corr(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                           int64_t work_len, const sgdi_real *col, const sgdi_real *img,
                           const sgdi_real *col2, const sgdi_real *img2, sgdi_real *w_bar) {
    const sgdi_real *a[2] = {col, col2}, *b[2] = {img, img2};
    int pairs = present_pairs(a, b);
    if (pairs > 0 && sgdi_winograd_applies(p)) {
        sgdi_conv_adjoint adj = {.terms = {{.col = a[0], .img = b[0]}, {.col = a[1], .img = b[1]}},
                                 .n_terms = pairs,
                                 .w_bar = w_bar};
        sgdi_winograd_backward(p, batch, work, work_len, &adj, 1);
        return;
    }
    for (int k = 0; k < pairs; k++)
        weight_corr_columns(p, batch, work, work_len, a[k], b[k], w_bar);
}

void sgdi_conv_apply_sums(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                          const sgdi_conv_sum *sums, int n_sums) {
    bool together = sgdi_winograd_applies(p);
    for (int s = 0; s < n_sums; s++) {
        const sgdi_real *a[2] = {sums[s].w[0], sums[s].w[1]},
                        *b[2] = {sums[s].img[0], sums[s].img[1]};
        together &= present_pairs(a, b) > 0;
    }
    if (together) {
        sgdi_winograd_apply(p, batch, work, work_len, sums, n_sums);
        return;
    }
    if (sgdi_winograd_applies(p)) { // a sum without products: each on its own
        for (int s = 0; s < n_sums; s++)
            conv_apply(p, batch, work, work_len, sums[s].w[0], sums[s].img[0], sums[s].w[1],
                       sums[s].img[1], sums[s].assign, sums[s].bias, sums[s].col);
        return;
    }
    sgdi_conv_sum present[2];
    int n = n_sums < 2 ? n_sums : 2;
    for (int s = 0; s < n; s++) {
        present[s] = sums[s];
        present_pairs(present[s].w, present[s].img);
    }
    apply_columns(p, batch, work, work_len, present, n);
}

void sgdi_conv_backward_adjoints(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                                 int64_t work_len, const sgdi_conv_adjoint *adj, int n_adj) {
    bool winograd = sgdi_winograd_applies(p);
    sgdi_conv_adjoint left[2]; // the adjoints with terms, fresh only where written
    int n_left = 0;
    for (int a = 0; a < n_adj && a < 2; a++) {
        sgdi_conv_adjoint ad = adj[a];
        bool writes_img = false;
        for (int k = 0; k < ad.n_terms; k++) writes_img |= ad.terms[k].w != NULL;
        // Only Winograd's image adjoint assigns; elsewhere a fresh img_bar is cleared first.
        if (ad.img_bar && ad.img_fresh && !(winograd && writes_img)) {
            int64_t n = batch * p->in_ch * p->in_size;
#pragma omp parallel for simd schedule(static)
            for (int64_t i = 0; i < n; i++) ad.img_bar[i] = 0;
            ad.img_fresh = false;
        }
        if (ad.n_terms > 0) {
            left[n_left++] = ad;
        } else if (ad.b_bar && ad.bias_col) {
            sgdi_conv_add_channel_sums(ad.b_bar, ad.bias_col, batch, p->out_ch, p->out_size);
        }
    }
    if (n_left == 0) return;
    if (winograd) {
        sgdi_winograd_backward(p, batch, work, work_len, left, n_left);
        return;
    }
    for (int a = 0; a < n_left; a++)
        if (left[a].b_bar && left[a].bias_col)
            sgdi_conv_add_channel_sums(left[a].b_bar, left[a].bias_col, batch, p->out_ch,
                                       p->out_size);
    for (int a = 0; a < n_left; a++) {
        const sgdi_conv_term none = {0}, *t1 = &left[a].terms[0],
                             *t2 = left[a].n_terms > 1 ? &left[a].terms[1] : &none;
        if (left[a].img_bar)
            sgdi_conv_transpose(p, batch, work, work_len, t1->w, t1->col, t2->w, t2->col,
                                left[a].img_bar);
        if (left[a].w_bar)
            sgdi_conv_weight_corr(p, batch, work, work_len, t1->col, t1->img, t2->col, t2->img,
                                  left[a].w_bar);
    }
}

void sgdi_conv_backward_terms(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                              int64_t work_len, const sgdi_conv_term *terms, int n_terms,
                              sgdi_real *img_bar, bool img_fresh, sgdi_real *w_bar) {
    sgdi_conv_adjoint adj = {.n_terms = n_terms < 2 ? n_terms : 2,
                             .img_bar = img_bar,
                             .img_fresh = img_fresh,
                             .w_bar = w_bar};
    for (int k = 0; k < adj.n_terms; k++) adj.terms[k] = terms[k];
    sgdi_conv_backward_adjoints(p, batch, work, work_len, &adj, 1);
}

// --- Bias ----------------------------------------------------------------------------------

// Split over samples as the products are, so each thread fills the planes it then adds to.
void sgdi_conv_fill_channels(sgdi_real *dst, const sgdi_real *b, int64_t batch, int64_t channels,
                             int64_t size) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < batch; n++) fill_sample(dst + n * channels * size, b, channels, size);
}

// Split over channels: each channel's sum runs over the samples in order on one thread.
// A plane is summed in CHANNEL_SUM_LANES partial sums (element k into lane k % LANES,
// the lanes added in order): one running sum was a chain of dependent additions the
// compiler may not reorder, 4 % of a CNN step; the lanes vectorise, in a fixed order.
enum { CHANNEL_SUM_LANES = 8 };
void sgdi_conv_add_channel_sums(sgdi_real *b_bar, const sgdi_real *src, int64_t batch,
                                int64_t channels, int64_t size) {
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < channels; c++)
        for (int64_t n = 0; n < batch; n++) {
            const sgdi_real *plane = src + (n * channels + c) * size;
            sgdi_real lanes[CHANNEL_SUM_LANES] = {0};
            int64_t k = 0;
            for (; k + CHANNEL_SUM_LANES <= size; k += CHANNEL_SUM_LANES)
                for (int l = 0; l < CHANNEL_SUM_LANES; l++) lanes[l] += plane[k + l];
            for (int l = 0; k + l < size; l++) lanes[l] += plane[k + l];
            sgdi_real s = 0;
            for (int l = 0; l < CHANNEL_SUM_LANES; l++) s += lanes[l];
            b_bar[c] += s;
        }
}
