/*
 * test_conv_ref.c — Convolution, DepthwiseConvolution and Deconvolution against plain
 * nested loops written from nnabla's definitions (no columns, no GEMM), in double
 * precision (sgdi_ops_f64).
 *
 * The derivative harness (test_ops.c) proves the four kernels consistent with each other;
 * only a reference proves the forward reads the layouts nnabla writes: W (OC, C / group,
 * KH, KW) and channel groups; DepthwiseConvolution's output channel c M + m reading
 * input channel c; Deconvolution's W (C, OC / group, KH, KW) and output size. A layer
 * large enough to be processed in several chunks checks backward too (the chunk
 * boundaries), and its weight gradient must be the same bytes run after run and the
 * same sums (up to OpenBLAS's rounding) whatever the number of threads.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "test_support.h"

static sgdi_test_rng rng = {0xc0ffee11ULL};

typedef struct ref_case {
    sgdi_op_kind kind;
    sgdi_shape x, w; // x per sample, W whole
    bool bias;
    sgdi_window_attr win;
    int64_t batch;
} ref_case;

// A case lifted to 2-D (a 1-D one has height 1 and a 1-high kernel).
typedef struct view {
    int64_t C, H, W, OC, OH, OW, KH, KW, ph, pw, sh, sw, dh, dw, oph, opw, group;
} view;

static view view_of(const ref_case *c) {
    const sgdi_window_attr *a = &c->win;
    bool two = c->x.ndim == 3;
    view v = {.C = c->x.dim[0], .H = two ? c->x.dim[1] : 1, .W = c->x.dim[c->x.ndim - 1]};
    v.KW = c->w.dim[c->w.ndim - 1], v.KH = two ? c->w.dim[c->w.ndim - 2] : 1;
    v.ph = two ? a->pad[0] : 0, v.pw = a->pad[a->ndim - 1];
    v.sh = two ? a->stride[0] : 1, v.sw = a->stride[a->ndim - 1];
    v.dh = two ? a->dilation[0] : 1, v.dw = a->dilation[a->ndim - 1];
    v.oph = two ? a->output_padding[0] : 0, v.opw = a->output_padding[a->ndim - 1];
    v.group = a->group;
    if (c->kind == SGDI_OP_DECONVOLUTION) {
        v.OC = c->w.dim[1] * v.group;
        v.OH = (v.H - 1) * v.sh - 2 * v.ph + v.dh * (v.KH - 1) + 1 + v.oph;
        v.OW = (v.W - 1) * v.sw - 2 * v.pw + v.dw * (v.KW - 1) + 1 + v.opw;
    } else {
        v.OC = c->w.dim[0];
        v.OH = (v.H + 2 * v.ph - v.dh * (v.KH - 1) - 1) / v.sh + 1;
        v.OW = (v.W + 2 * v.pw - v.dw * (v.KW - 1) - 1) / v.sw + 1;
    }
    return v;
}

// y[n, oc, oh, ow] = b[oc] + sum W[oc, icg, kh, kw] x[n, g C/group + icg, ih, iw]
static void conv_ref(const view *v, int64_t batch, const double *x, const double *w,
                     const double *b, double *y) {
    int64_t icg_n = v->C / v->group, ocg_n = v->OC / v->group;
    for (int64_t n = 0; n < batch; n++)
        for (int64_t oc = 0; oc < v->OC; oc++)
            for (int64_t oh = 0; oh < v->OH; oh++)
                for (int64_t ow = 0; ow < v->OW; ow++) {
                    double s = b ? b[oc] : 0;
                    for (int64_t icg = 0; icg < icg_n; icg++)
                        for (int64_t kh = 0; kh < v->KH; kh++)
                            for (int64_t kw = 0; kw < v->KW; kw++) {
                                int64_t ih = oh * v->sh - v->ph + kh * v->dh;
                                int64_t iw = ow * v->sw - v->pw + kw * v->dw;
                                if (ih < 0 || ih >= v->H || iw < 0 || iw >= v->W) continue;
                                int64_t ic = oc / ocg_n * icg_n + icg;
                                s += w[((oc * icg_n + icg) * v->KH + kh) * v->KW + kw] *
                                     x[((n * v->C + ic) * v->H + ih) * v->W + iw];
                            }
                    y[((n * v->OC + oc) * v->OH + oh) * v->OW + ow] = s;
                }
}

// The adjoint of conv_ref: x_bar += W^T y_bar, w_bar += y_bar x, b_bar += y_bar.
static void conv_ref_backward(const view *v, int64_t batch, const double *x, const double *w,
                              const double *y_bar, double *x_bar, double *w_bar, double *b_bar) {
    int64_t icg_n = v->C / v->group, ocg_n = v->OC / v->group;
    for (int64_t n = 0; n < batch; n++)
        for (int64_t oc = 0; oc < v->OC; oc++)
            for (int64_t oh = 0; oh < v->OH; oh++)
                for (int64_t ow = 0; ow < v->OW; ow++) {
                    double g = y_bar[((n * v->OC + oc) * v->OH + oh) * v->OW + ow];
                    b_bar[oc] += g;
                    for (int64_t icg = 0; icg < icg_n; icg++)
                        for (int64_t kh = 0; kh < v->KH; kh++)
                            for (int64_t kw = 0; kw < v->KW; kw++) {
                                int64_t ih = oh * v->sh - v->ph + kh * v->dh;
                                int64_t iw = ow * v->sw - v->pw + kw * v->dw;
                                if (ih < 0 || ih >= v->H || iw < 0 || iw >= v->W) continue;
                                int64_t ic = oc / ocg_n * icg_n + icg;
                                int64_t wi = ((oc * icg_n + icg) * v->KH + kh) * v->KW + kw;
                                int64_t xi = ((n * v->C + ic) * v->H + ih) * v->W + iw;
                                x_bar[xi] += w[wi] * g;
                                w_bar[wi] += x[xi] * g;
                            }
                }
}

// y[n, c M + m, oh, ow] = b[c M + m] + sum W[c M + m, kh, kw] x[n, c, ih, iw]
static void depthwise_ref(const view *v, int64_t batch, const double *x, const double *w,
                          const double *b, double *y) {
    int64_t mult = v->OC / v->C;
    for (int64_t n = 0; n < batch; n++)
        for (int64_t c = 0; c < v->C; c++)
            for (int64_t m = 0; m < mult; m++)
                for (int64_t oh = 0; oh < v->OH; oh++)
                    for (int64_t ow = 0; ow < v->OW; ow++) {
                        int64_t oc = c * mult + m;
                        double s = b ? b[oc] : 0;
                        for (int64_t kh = 0; kh < v->KH; kh++)
                            for (int64_t kw = 0; kw < v->KW; kw++) {
                                int64_t ih = oh * v->sh - v->ph + kh * v->dh;
                                int64_t iw = ow * v->sw - v->pw + kw * v->dw;
                                if (ih < 0 || ih >= v->H || iw < 0 || iw >= v->W) continue;
                                s += w[(oc * v->KH + kh) * v->KW + kw] *
                                     x[((n * v->C + c) * v->H + ih) * v->W + iw];
                            }
                        y[((n * v->OC + oc) * v->OH + oh) * v->OW + ow] = s;
                    }
}

// Each input pixel x[n, ic, ih, iw] scatters W[ic, ocg, kh, kw] x to output channel
// g OC/group + ocg at (ih stride - pad + kh dilation, ...); y starts at b.
static void deconv_ref(const view *v, int64_t batch, const double *x, const double *w,
                       const double *b, double *y) {
    int64_t icg_n = v->C / v->group, ocg_n = v->OC / v->group;
    for (int64_t n = 0; n < batch; n++)
        for (int64_t oc = 0; oc < v->OC; oc++)
            for (int64_t k = 0; k < v->OH * v->OW; k++)
                y[(n * v->OC + oc) * v->OH * v->OW + k] = b ? b[oc] : 0;
    for (int64_t n = 0; n < batch; n++)
        for (int64_t ic = 0; ic < v->C; ic++)
            for (int64_t ih = 0; ih < v->H; ih++)
                for (int64_t iw = 0; iw < v->W; iw++)
                    for (int64_t ocg = 0; ocg < ocg_n; ocg++)
                        for (int64_t kh = 0; kh < v->KH; kh++)
                            for (int64_t kw = 0; kw < v->KW; kw++) {
                                int64_t oh = ih * v->sh - v->ph + kh * v->dh;
                                int64_t ow = iw * v->sw - v->pw + kw * v->dw;
                                if (oh < 0 || oh >= v->OH || ow < 0 || ow >= v->OW) continue;
                                int64_t oc = ic / icg_n * ocg_n + ocg;
                                y[((n * v->OC + oc) * v->OH + oh) * v->OW + ow] +=
                                    w[((ic * ocg_n + ocg) * v->KH + kh) * v->KW + kw] *
                                    x[((n * v->C + ic) * v->H + ih) * v->W + iw];
                            }
}

// --- Running the operator ------------------------------------------------------------------

typedef struct bufs {
    double *x, *w, *b, *y;                 // values
    double *x_bar, *w_bar, *b_bar, *y_bar; // adjoints (backward only)
} bufs;

// One call of `fn` of the case's operator on these buffers, scratch handed over dirty.
static void call_op(const ref_case *c, const sgdi_shape *y_shape, sgdi_kernel_fn fn, bufs *bf) {
    sgdi_op_attr attr = {.window = c->win};
    sgdi_shape shapes[3] = {c->x, c->w, {.ndim = 1, .dim = {0}}};
    int64_t ycount = 1, xcount = 1, wcount = 1;
    for (int d = 0; d < y_shape->ndim; d++) ycount *= y_shape->dim[d];
    for (int d = 0; d < c->x.ndim; d++) xcount *= c->x.dim[d];
    for (int d = 0; d < c->w.ndim; d++) wcount *= c->w.dim[d];
    shapes[2].dim[0] = y_shape->dim[0];
    sgdi_port in[3] = {
        {.val = bf->x, .adj = bf->x_bar, .shape = c->x, .count = xcount, .batched = true},
        {.val = bf->w, .adj = bf->w_bar, .shape = c->w, .count = wcount},
        {.val = bf->b, .adj = bf->b_bar, .shape = shapes[2], .count = y_shape->dim[0]},
    };
    sgdi_port out = {
        .val = bf->y, .adj = bf->y_bar, .shape = *y_shape, .count = ycount, .batched = true};
    const sgdi_op_def *def = &sgdi_op_table[c->kind];
    int64_t work = def->workspace(&attr, shapes, c->bias ? 3 : 2, y_shape, c->batch);
    sgdi_exec_ctx ctx = {0};
    sgdi_op_call call = {.attr = &attr,
                         .ctx = &ctx,
                         .in = in,
                         .n_in = c->bias ? 3 : 2,
                         .out = &out,
                         .n_out = 1,
                         .batch = c->batch};
    if (work > 0) {
        call.work = malloc((size_t)work * sizeof *call.work);
        call.work_len = work;
        if (!call.work) abort();
        for (int64_t k = 0; k < work; k++) call.work[k] = NAN;
    }
    fn(&call);
    free(call.work);
}

static double *random_buf(int64_t n) {
    double *p = malloc((size_t)n * sizeof *p);
    if (!p) abort();
    for (int64_t k = 0; k < n; k++) p[k] = 2 * sgdi_test_rng_unif(&rng) - 1; // [-1, 1)
    return p;
}
static double *zero_buf(int64_t n) {
    double *p = calloc((size_t)n, sizeof *p);
    if (!p) abort();
    return p;
}
static double max_diff(const double *a, const double *b, int64_t n) {
    double e = 0;
    for (int64_t k = 0; k < n; k++) e = fmax(e, isnan(a[k]) ? INFINITY : fabs(a[k] - b[k]));
    return e;
}

static double max_abs(const double *a, int64_t n) {
    double m = 0;
    for (int64_t k = 0; k < n; k++) m = fmax(m, fabs(a[k]));
    return m;
}

// Forward (and, for Convolution when asked, backward) of a case against the loops.
static void run_case(const char *label, const ref_case *c, bool with_backward) {
    const sgdi_op_def *def = &sgdi_op_table[c->kind];
    view v = view_of(c);
    sgdi_op_attr attr = {.window = c->win};
    sgdi_shape shapes[3] = {c->x, c->w, {.ndim = 1, .dim = {v.OC}}};
    bool batched[3] = {true, false, false};
    sgdi_shape y_shape;
    char msg[256] = "";
    sgdi_status st =
        def->infer_shape(&attr, shapes, batched, c->bias ? 3 : 2, &y_shape, 1, msg, sizeof msg);
    CHECK_MSG(st == SGDI_OK, "%s: infer_shape: %s", label, msg);
    if (st != SGDI_OK) return;
    bool shape_ok = y_shape.ndim == c->x.ndim && y_shape.dim[0] == v.OC &&
                    y_shape.dim[y_shape.ndim - 1] == v.OW &&
                    (c->x.ndim == 2 || y_shape.dim[1] == v.OH);
    CHECK_MSG(shape_ok, "%s: output shape", label);
    if (!shape_ok) return;
    int64_t xn = c->batch * v.C * v.H * v.W, yn = c->batch * v.OC * v.OH * v.OW, wn = 1;
    for (int d = 0; d < c->w.ndim; d++) wn *= c->w.dim[d];
    bufs bf = {.x = random_buf(xn), .w = random_buf(wn), .b = c->bias ? random_buf(v.OC) : NULL};
    bf.y = zero_buf(yn);
    double *ref = zero_buf(yn);
    call_op(c, &y_shape, def->forward, &bf);
    if (c->kind == SGDI_OP_CONVOLUTION) conv_ref(&v, c->batch, bf.x, bf.w, bf.b, ref);
    if (c->kind == SGDI_OP_DEPTHWISE_CONVOLUTION)
        depthwise_ref(&v, c->batch, bf.x, bf.w, bf.b, ref);
    if (c->kind == SGDI_OP_DECONVOLUTION) deconv_ref(&v, c->batch, bf.x, bf.w, bf.b, ref);
    double err = max_diff(bf.y, ref, yn);
    CHECK_MSG(err <= 1e-12, "%s: forward differs from the loops by %g", label, err);
    printf("  %-44s forward  max |diff| %.2e\n", label, err);

    if (with_backward) {
        bf.y_bar = random_buf(yn);
        bf.x_bar = zero_buf(xn), bf.w_bar = zero_buf(wn), bf.b_bar = zero_buf(v.OC);
        double *rx = zero_buf(xn), *rw = zero_buf(wn), *rb = zero_buf(v.OC);
        call_op(c, &y_shape, def->backward, &bf);
        conv_ref_backward(&v, c->batch, bf.x, bf.w, bf.y_bar, rx, rw, rb);
        double ex = max_diff(bf.x_bar, rx, xn) / fmax(1, max_abs(rx, xn));
        double ew = max_diff(bf.w_bar, rw, wn) / fmax(1, max_abs(rw, wn));
        double eb = max_diff(bf.b_bar, rb, v.OC) / fmax(1, max_abs(rb, v.OC));
        CHECK_MSG(ex <= 1e-12 && ew <= 1e-12 && eb <= 1e-12,
                  "%s: backward differs: x %g, W %g, b %g", label, ex, ew, eb);
        printf("  %-44s backward rel. diff x %.2e W %.2e b %.2e\n", label, ex, ew, eb);
        // The weight gradient is the same bytes run after run and whatever the thread
        // count: its sum runs over fixed blocks of samples, each GEMM on one thread.
        double *w1 = malloc((size_t)wn * sizeof *w1), *wt = malloc((size_t)wn * sizeof *wt);
        if (!w1 || !wt) abort();
        int threads = omp_get_max_threads();
        for (int t = 1; t <= 3; t++) {
            omp_set_num_threads(t);
            for (int rep = 0; rep < 2; rep++) {
                memset(bf.w_bar, 0, (size_t)wn * sizeof *bf.w_bar);
                memset(bf.x_bar, 0, (size_t)xn * sizeof *bf.x_bar);
                call_op(c, &y_shape, def->backward, &bf);
                if (rep == 0) memcpy(wt, bf.w_bar, (size_t)wn * sizeof *wt);
            }
            CHECK_MSG(memcmp(wt, bf.w_bar, (size_t)wn * sizeof *wt) == 0,
                      "%s: W gradient with %d threads differs between two runs", label, t);
            if (t == 1) memcpy(w1, wt, (size_t)wn * sizeof *w1);
            CHECK_MSG(memcmp(wt, w1, (size_t)wn * sizeof *wt) == 0,
                      "%s: W gradient with %d threads differs from 1 thread by %g", label, t,
                      max_diff(wt, w1, wn) / fmax(1, max_abs(w1, wn)));
        }
        free(wt);
        omp_set_num_threads(threads);
        free(w1), free(rx), free(rw), free(rb);
        free(bf.y_bar), free(bf.x_bar), free(bf.w_bar), free(bf.b_bar);
    }
    free(bf.x), free(bf.w), free(bf.b), free(bf.y), free(ref);
}

static sgdi_shape sh(int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    return (sgdi_shape){.ndim = ndim, .dim = {d0, d1, d2, d3}};
}
static sgdi_window_attr win2(int64_t ph, int64_t pw, int64_t sh_, int64_t sw, int64_t dh,
                             int64_t dw, int64_t group) {
    return (sgdi_window_attr){
        .ndim = 2, .pad = {ph, pw}, .stride = {sh_, sw}, .dilation = {dh, dw}, .group = group};
}
static sgdi_window_attr win1(int64_t p, int64_t s, int64_t d, int64_t group) {
    return (sgdi_window_attr){
        .ndim = 1, .pad = {p}, .stride = {s}, .dilation = {d}, .group = group};
}

static void test_convolution(void) {
    ref_case c1 = {SGDI_OP_CONVOLUTION,       sh(3, 3, 8, 7, 0),
                   sh(4, 4, 3, 3, 3),         true,
                   win2(1, 1, 1, 1, 1, 1, 1), 3};
    run_case("Convolution 3x3 pad 1", &c1, false);
    ref_case c2 = {SGDI_OP_CONVOLUTION,       sh(3, 6, 9, 8, 0),
                   sh(4, 6, 2, 3, 2),         true,
                   win2(2, 0, 2, 3, 2, 3, 3), 2};
    run_case("Convolution groups 3, stride, dilation, pad", &c2, false);
    ref_case c3 = {
        SGDI_OP_CONVOLUTION, sh(2, 4, 11, 0, 0), sh(3, 6, 2, 3, 0), false, win1(2, 2, 3, 2), 2};
    run_case("Convolution 1-D groups 2, no bias", &c3, false);
    ref_case c4 = {SGDI_OP_CONVOLUTION,       sh(3, 4, 5, 3, 0),
                   sh(4, 6, 2, 1, 1),         true,
                   win2(0, 0, 1, 1, 1, 1, 2), 2};
    run_case("Convolution 1x1 groups 2 (direct)", &c4, false);
    // 19 samples: weight-gradient blocks of 8, 8 and 3
    ref_case big = {SGDI_OP_CONVOLUTION,       sh(3, 16, 64, 64, 0),
                    sh(4, 8, 16, 3, 3),        true,
                    win2(1, 1, 1, 1, 1, 1, 1), 19};
    run_case("Convolution over several weight blocks", &big, true);
    // Winograd F(4x4, 3x3) (winograd.c): no padding, odd output 7x35, so the last tile row
    // and column are partly outside
    ref_case wino = {SGDI_OP_CONVOLUTION,       sh(3, 5, 9, 37, 0),
                     sh(4, 6, 5, 3, 3),         true,
                     win2(0, 0, 1, 1, 1, 1, 1), 3};
    run_case("Convolution 3x3 Winograd, no padding, odd", &wino, true);
    // F(2x2, 3x3), which planes two outputs high take: output 2x35, odd
    ref_case wino2 = {SGDI_OP_CONVOLUTION,       sh(3, 5, 4, 37, 0),
                      sh(4, 6, 5, 3, 3),         true,
                      win2(0, 0, 1, 1, 1, 1, 1), 3};
    run_case("Convolution 3x3 Winograd F(2x2), no padding, odd", &wino2, true);
    ref_case wino_pad = {SGDI_OP_CONVOLUTION,       sh(3, 4, 7, 6, 0),
                         sh(4, 4, 4, 3, 3),         true,
                         win2(2, 2, 1, 1, 1, 1, 1), 2};
    run_case("Convolution 3x3 Winograd, pad 2", &wino_pad, true);
}

// Winograd over output planes whose sides leave every remainder modulo 2 and 4 (tiles that
// overhang by 0 to 3 outputs), so that both F(2x2) and F(4x4) are taken, with paddings 0
// to 2 (the image side's tiles reaching past the padding too); then planes of at least
// 8 x 8, tiled by F(4x4) and edge tiles of 2 or 3 outputs a side (winograd_tiles.h), in
// every shape: 4x2, 2x4, 2x2 (sides 10 and 9), 4x3, 3x4, 3x3 (11), 3x2 and 2x3 (11 by 10).
static void test_winograd_sizes(void) {
    static const int64_t sides[] = {2, 3, 4, 5, 6, 7, 9};
    enum { N = sizeof sides / sizeof *sides };
    static const int64_t mixed[][2] = {{10, 9}, {11, 11}, {11, 10}, {10, 11}, {8, 14}};
    enum { M = sizeof mixed / sizeof *mixed };
    for (int i = 0; i < N + M; i++)
        for (int64_t pad = 0; pad <= 2; pad++) {
            int64_t oh = i < N ? sides[i] : mixed[i - N][0];
            int64_t ow = i < N ? sides[(i + 2 * pad + 1) % N] : mixed[i - N][1];
            ref_case c = {SGDI_OP_CONVOLUTION,
                          sh(3, 4, oh + 2 - 2 * pad, ow + 2 - 2 * pad, 0),
                          sh(4, 5, 4, 3, 3),
                          true,
                          win2(pad, pad, 1, 1, 1, 1, 1),
                          2};
            if (c.x.dim[1] < 1 || c.x.dim[2] < 1) continue;
            char label[96];
            snprintf(label, sizeof label, "Convolution 3x3 Winograd, output %lldx%lld, pad %lld",
                     (long long)oh, (long long)ow, (long long)pad);
            run_case(label, &c, true);
        }
}

static void test_depthwise(void) {
    ref_case c1 = {SGDI_OP_DEPTHWISE_CONVOLUTION,
                   sh(3, 3, 6, 5, 0),
                   sh(3, 3, 3, 3, 0),
                   true,
                   win2(1, 1, 1, 1, 1, 1, 1),
                   2};
    run_case("DepthwiseConvolution 3x3 pad 1", &c1, false);
    ref_case c2 = {SGDI_OP_DEPTHWISE_CONVOLUTION,
                   sh(3, 3, 9, 8, 0),
                   sh(3, 6, 3, 2, 0),
                   true,
                   win2(1, 0, 2, 1, 2, 3, 2),
                   2};
    run_case("DepthwiseConvolution multiplier 2, stride, dilation", &c2, false);
    ref_case c3 = {SGDI_OP_DEPTHWISE_CONVOLUTION,
                   sh(2, 2, 10, 0, 0),
                   sh(2, 6, 4, 0, 0),
                   false,
                   win1(1, 3, 1, 3),
                   3};
    run_case("DepthwiseConvolution 1-D multiplier 3", &c3, false);
}

static void test_deconvolution(void) {
    ref_case c1 = {SGDI_OP_DECONVOLUTION,     sh(3, 3, 4, 5, 0),
                   sh(4, 3, 2, 3, 3),         true,
                   win2(1, 1, 2, 2, 1, 1, 1), 2};
    c1.win.output_padding[0] = 1;
    run_case("Deconvolution stride 2 pad 1 output_padding", &c1, false);
    ref_case c2 = {SGDI_OP_DECONVOLUTION,     sh(3, 4, 3, 4, 0),
                   sh(4, 4, 3, 2, 3),         true,
                   win2(0, 2, 3, 2, 2, 1, 2), 2};
    c2.win.output_padding[0] = 2, c2.win.output_padding[1] = 1;
    run_case("Deconvolution groups 2, dilation, strides", &c2, false);
    ref_case c3 = {
        SGDI_OP_DECONVOLUTION, sh(2, 2, 6, 0, 0), sh(3, 2, 3, 4, 0), false, win1(1, 2, 2, 1), 2};
    run_case("Deconvolution 1-D dilation 2, no bias", &c3, false);
    ref_case c4 = {SGDI_OP_DECONVOLUTION,     sh(3, 6, 3, 3, 0),
                   sh(4, 6, 2, 1, 1),         true,
                   win2(0, 0, 1, 1, 1, 1, 3), 2};
    run_case("Deconvolution 1x1 groups 3 (direct)", &c4, false);
    // 9 samples: weight-gradient blocks of 8 and 1
    ref_case big = {SGDI_OP_DECONVOLUTION,     sh(3, 16, 64, 64, 0),
                    sh(4, 16, 8, 3, 3),        true,
                    win2(1, 1, 1, 1, 1, 1, 1), 9};
    run_case("Deconvolution over several weight blocks", &big, false);
    ref_case wino = {SGDI_OP_DECONVOLUTION,     sh(3, 6, 9, 10, 0),
                     sh(4, 6, 5, 3, 3),         true,
                     win2(1, 1, 1, 1, 1, 1, 1), 2};
    run_case("Deconvolution 3x3 stride 1 (Winograd)", &wino, false);
}

int main(void) {
    RUN(test_convolution);
    RUN(test_winograd_sizes);
    RUN(test_depthwise);
    RUN(test_deconvolution);
    return sgdi_test_finish();
}
