/*
 * pooling.c — MaxPooling, AveragePooling, SumPooling and GlobalAveragePooling
 * (nnabla).
 *
 * Ports: in[0] x (batched), out[0] y (batched). The window slides over the
 * trailing attr.window.ndim (1 or 2) per-sample dims; every leading dim is a
 * separate map ("plane"). With h = 1 for 1-D pooling, a plane of x is (h, w)
 * and one of y is (oh, ow), per spatial dim (nnabla's base_pooling.cpp):
 *
 *     out = (in + 2 pad - kernel) / stride + 1     ignore_border
 *     out = (in + pad - 1) / stride + 1            otherwise (one pad only, as nnabla)
 *
 * Output o covers [o stride - pad, min(o stride - pad + kernel, in + pad)) and reads the
 * in-bounds part of it: padding never enters a max or a sum. AveragePooling divides by
 * that clipped-to-the-padded-border window (including_pad) or by its in-bounds part.
 * We refuse pad >= kernel, the only way a window can hold no input element (nnabla
 * reads out of bounds there).
 *
 * Every pooling is y = P x with P a 0/1 (or 1/size) matrix; for MaxPooling P picks the
 * first maximum of each window in window order, a function of x alone that is locally
 * constant (no second-order term; the tests keep x free of ties). So
 *
 *     forward y = P x, tangent_forward y' = P x', backward x_bar += P^T y_bar,
 *     tangent_backward x_bar' += P^T y_bar'.
 *
 * The argmax is recomputed from x in each call: nothing is kept between calls.
 * GlobalAveragePooling is the average over a whole plane: (C, ...) -> (C, 1, 1).
 * Planes are independent, so large calls split them over threads; every output and
 * every adjoint element is written by one thread, in a fixed order.
 */
#include "ops/kernel_math.h"
#include "ops/op_private.h"

enum { POOL_PARALLEL_MIN = 1 << 15 }; // elements below which threads cost more than they save
// Kernel and stride limit: keeps every window bound far from overflowing (pad < kernel).
static const int64_t POOL_MAX_WINDOW = (int64_t)1 << 40;

typedef enum { POOL_MAX, POOL_AVERAGE, POOL_SUM } pool_kind;

// One call's planes: `planes` maps of (h, w) per call, each pooled into (oh, ow).
typedef struct pool_geom {
    int64_t planes, h, w, oh, ow;
    int64_t kh, kw, sh, sw, ph, pw;
    bool including_pad;
} pool_geom;

// nnabla's output length of one spatial dim (see the header).
static int64_t pool_out_len(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                            bool ignore_border) {
    return (ignore_border ? in + 2 * pad - kernel : in + pad - 1) / stride + 1;
}

// The planes of per-sample shape x under window attributes a (batch 1).
static pool_geom pool_geometry(const sgdi_window_attr *a, const sgdi_shape *x) {
    int nd = a->ndim, lead = x->ndim - a->ndim;
    pool_geom g = {.planes = 1, .h = 1, .oh = 1, .kh = 1, .sh = 1, .including_pad = true};
    for (int k = 0; k < lead; k++) g.planes *= x->dim[k];
    if (nd == 2) {
        g.h = x->dim[lead], g.kh = a->kernel[0], g.sh = a->stride[0], g.ph = a->pad[0];
        g.oh = pool_out_len(g.h, g.kh, g.sh, g.ph, a->ignore_border);
    }
    g.w = x->dim[x->ndim - 1], g.kw = a->kernel[nd - 1], g.sw = a->stride[nd - 1];
    g.pw = a->pad[nd - 1];
    g.ow = pool_out_len(g.w, g.kw, g.sw, g.pw, a->ignore_border);
    g.including_pad = a->including_pad;
    return g;
}

// The planes of one call: a pooling, or GlobalAveragePooling's one window per plane.
static pool_geom call_geometry(const sgdi_op_call *call, bool global) {
    const sgdi_port *x = &call->in[0];
    pool_geom g;
    if (global) {
        int64_t n = x->count / x->shape.dim[0];
        g = (pool_geom){.planes = x->shape.dim[0],
                        .h = 1,
                        .w = n,
                        .oh = 1,
                        .ow = 1,
                        .kh = 1,
                        .kw = n,
                        .sh = 1,
                        .sw = n,
                        .including_pad = true};
    } else {
        g = pool_geometry(&call->attr->window, &x->shape);
    }
    g.planes *= call->batch;
    return g;
}

// The in-bounds part [y0, y1) x [x0, x1) of window (oy, ox), and the divisor of its
// average.
typedef struct pool_window {
    int64_t y0, y1, x0, x1, size;
} pool_window;

static inline int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

static inline pool_window window_at(const pool_geom *g, int64_t oy, int64_t ox) {
    int64_t ys = oy * g->sh - g->ph, xs = ox * g->sw - g->pw;
    int64_t ye = min64(ys + g->kh, g->h + g->ph), xe = min64(xs + g->kw, g->w + g->pw);
    pool_window win = {max64(ys, 0), min64(ye, g->h), max64(xs, 0), min64(xe, g->w), 0};
    win.size = g->including_pad ? (ye - ys) * (xe - xs) : (win.y1 - win.y0) * (win.x1 - win.x0);
    return win;
}

// Index in the plane of the first maximum of x over the window (window order).
static inline int64_t window_argmax(const sgdi_real *x, int64_t w, const pool_window *win) {
    int64_t best = win->y0 * w + win->x0;
    for (int64_t i = win->y0; i < win->y1; i++)
        for (int64_t j = win->x0; j < win->x1; j++)
            if (x[best] < x[i * w + j]) best = i * w + j;
    return best;
}

// The CNN's 2x2 stride-2 unpadded MaxPooling, every window inside the plane (not so when
// ignore_border is false and a side is odd), with the same comparisons in the same
// (window) order as window_argmax.
static inline bool is_max_2x2(const pool_geom *g, pool_kind kind) {
    return kind == POOL_MAX && g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->ph == 0 &&
           g->pw == 0 && 2 * g->oh <= g->h && 2 * g->ow <= g->w;
}

// The 2x2 windows of one output row: the same comparisons in the same (window) order as
// window_argmax, written as selects on floats (no branches, no integer index), so that
// the compiler vectorises the row: on real activations the comparisons go either way and
// branches mispredicted half the time. Shapes: x0, x1, s0, s1 two input rows [2 ow].

// dst[ow] = s at each window's first maximum of x
static void max_2x2_gather_row(int64_t ow, const sgdi_real *restrict x0,
                               const sgdi_real *restrict x1, const sgdi_real *restrict s0,
                               const sgdi_real *restrict s1, sgdi_real *restrict dst) {
#pragma omp simd
    for (int64_t ox = 0; ox < ow; ox++) {
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];
        sgdi_real b0 = s0[2 * ox], b1 = s0[2 * ox + 1], b2 = s1[2 * ox], b3 = s1[2 * ox + 1];
        sgdi_real m = a0, v = b0;
        bool c = m < a1;
        m = c ? a1 : m, v = c ? b1 : v;
        c = m < a2;
        m = c ? a2 : m, v = c ? b2 : v;
        dst[ox] = m < a3 ? b3 : v;
    }
}

// d0, d1 [2 ow] += src[ow] at each window's first maximum of x (the other three + 0); with
// `assign`, = instead of +=
static void max_2x2_scatter_add_row(int64_t ow, const sgdi_real *restrict x0,
                                    const sgdi_real *restrict x1, const sgdi_real *restrict src,
                                    bool assign, sgdi_real *restrict d0, sgdi_real *restrict d1) {
#pragma omp simd
    for (int64_t ox = 0; ox < ow; ox++) {
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];
        bool c1 = a0 < a1;
        sgdi_real m = c1 ? a1 : a0;
        bool c2 = m < a2;
        m = c2 ? a2 : m;
        bool c3 = m < a3;
        // v goes to the window's first maximum: 3 if c3, else 2 if c2, else 1 if c1, else 0
        sgdi_real v = src[ox], zero = 0;
        sgdi_real w3 = c3 ? v : zero, rest = c3 ? zero : v;
        sgdi_real w2 = c2 ? rest : zero;
        rest = c2 ? zero : rest;
        sgdi_real w1 = c1 ? rest : zero, w0 = c1 ? zero : rest;
        // loads before stores: gcc does not if-convert `d[i] += c ? v : 0` into a vector loop
        sgdi_real e0 = d0[2 * ox], e1 = d0[2 * ox + 1], e2 = d1[2 * ox], e3 = d1[2 * ox + 1];
        d0[2 * ox] = assign ? w0 : e0 + w0, d0[2 * ox + 1] = assign ? w1 : e1 + w1;
        d1[2 * ox] = assign ? w2 : e2 + w2, d1[2 * ox + 1] = assign ? w3 : e3 + w3;
    }
}

// The same two rows for a direction and its tangent at once, the windows compared once:
// y[ow] = each window's maximum of x, yt[ow] = t at its first maximum (t0, t1 rows of t)
static void max_2x2_gather_row_with_tangent(int64_t ow, const sgdi_real *restrict x0,
                                            const sgdi_real *restrict x1,
                                            const sgdi_real *restrict t0,
                                            const sgdi_real *restrict t1, sgdi_real *restrict y,
                                            sgdi_real *restrict yt) {
#pragma omp simd
    for (int64_t ox = 0; ox < ow; ox++) {
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];
        sgdi_real b0 = t0[2 * ox], b1 = t0[2 * ox + 1], b2 = t1[2 * ox], b3 = t1[2 * ox + 1];
        sgdi_real m = a0, v = b0;
        bool c = m < a1;
        m = c ? a1 : m, v = c ? b1 : v;
        c = m < a2;
        m = c ? a2 : m, v = c ? b2 : v;
        c = m < a3;
        // through temporaries: stored straight from the selects, the loop stayed scalar
        sgdi_real y_max = c ? a3 : m, y_tan = c ? b3 : v;
        y[ox] = y_max, yt[ox] = y_tan;
    }
}

// d0, d1 [2 ow] += src[ow] and e0, e1 [2 ow] += src_t[ow] at each window's first maximum
// of x; with `assign`, = instead of +=. As max_2x2_scatter_add_row, for each source: w_k
// (wt_k) goes to window element k. Written out for each source and each of assign and
// add (a loop over the sources, or a select on `assign` per store, kept gcc from
// vectorising).
#define MAX_2X2_SCATTER_WITH_TANGENT(STORE)                                                        \
    _Pragma("omp simd") for (int64_t ox = 0; ox < ow; ox++) {                                      \
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];      \
        bool c1 = a0 < a1;                                                                         \
        sgdi_real m = c1 ? a1 : a0;                                                                \
        bool c2 = m < a2;                                                                          \
        m = c2 ? a2 : m;                                                                           \
        bool c3 = m < a3;                                                                          \
        sgdi_real v = src[ox], vt = src_t[ox], zero = 0;                                           \
        sgdi_real w3 = c3 ? v : zero, rest = c3 ? zero : v;                                        \
        sgdi_real wt3 = c3 ? vt : zero, rest_t = c3 ? zero : vt;                                   \
        sgdi_real w2 = c2 ? rest : zero, wt2 = c2 ? rest_t : zero;                                 \
        rest = c2 ? zero : rest, rest_t = c2 ? zero : rest_t;                                      \
        sgdi_real w1 = c1 ? rest : zero, w0 = c1 ? zero : rest;                                    \
        sgdi_real wt1 = c1 ? rest_t : zero, wt0 = c1 ? zero : rest_t;                              \
        STORE(d0[2 * ox], w0), STORE(d0[2 * ox + 1], w1);                                          \
        STORE(d1[2 * ox], w2), STORE(d1[2 * ox + 1], w3);                                          \
        STORE(e0[2 * ox], wt0), STORE(e0[2 * ox + 1], wt1);                                        \
        STORE(e1[2 * ox], wt2), STORE(e1[2 * ox + 1], wt3);                                        \
    }
#define ASSIGN(dst, w) ((dst) = (w))
#define ADD(dst, w) ((dst) = (dst) + (w))
static void max_2x2_scatter_add_row_with_tangent(int64_t ow, const sgdi_real *restrict x0,
                                                 const sgdi_real *restrict x1,
                                                 const sgdi_real *restrict src,
                                                 const sgdi_real *restrict src_t, bool assign,
                                                 sgdi_real *restrict d0, sgdi_real *restrict d1,
                                                 sgdi_real *restrict e0, sgdi_real *restrict e1) {
    if (assign) {
        MAX_2X2_SCATTER_WITH_TANGENT(ASSIGN)
    } else {
        MAX_2X2_SCATTER_WITH_TANGENT(ADD)
    }
}
#undef ASSIGN
#undef ADD
#undef MAX_2X2_SCATTER_WITH_TANGENT

// dst[planes, oh, ow] = src at each 2x2 window's first maximum of x
static void max_2x2_gather(const pool_geom *g, const sgdi_real *xp, const sgdi_real *sp,
                           sgdi_real *dp) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        int64_t row = 2 * oy * g->w;
        max_2x2_gather_row(g->ow, xp + row, xp + row + g->w, sp + row, sp + row + g->w,
                           dp + oy * g->ow);
    }
}

// dst[planes, h, w] += src[planes, oh, ow] at each 2x2 window's first maximum of x (with
// `assign`, =: the windows must then cover the plane)
static void max_2x2_scatter_add(const pool_geom *g, const sgdi_real *xp, const sgdi_real *sp,
                                bool assign, sgdi_real *dp) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        int64_t row = 2 * oy * g->w;
        max_2x2_scatter_add_row(g->ow, xp + row, xp + row + g->w, sp + oy * g->ow, assign, dp + row,
                                dp + row + g->w);
    }
}

// dst = P src over every plane; P's argmax (MaxPooling) from x.
// x, src: [planes, h, w]; dst: [planes, oh, ow]
static void pool_apply(const pool_geom *g, pool_kind kind, const sgdi_real *x, const sgdi_real *src,
                       sgdi_real *dst) {
    int64_t in_plane = g->h * g->w, out_plane = g->oh * g->ow;
#pragma omp parallel for schedule(static) if (g->planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g->planes; p++) {
        const sgdi_real *xp = x + p * in_plane, *sp = src + p * in_plane;
        sgdi_real *dp = dst + p * out_plane;
        if (is_max_2x2(g, kind)) {
            max_2x2_gather(g, xp, sp, dp);
            continue;
        }
        for (int64_t oy = 0; oy < g->oh; oy++)
            for (int64_t ox = 0; ox < g->ow; ox++) {
                pool_window win = window_at(g, oy, ox);
                if (kind == POOL_MAX) {
                    dp[oy * g->ow + ox] = sp[window_argmax(xp, g->w, &win)];
                    continue;
                }
                sgdi_real sum = 0;
                for (int64_t i = win.y0; i < win.y1; i++)
                    for (int64_t j = win.x0; j < win.x1; j++) sum += sp[i * g->w + j];
                dp[oy * g->ow + ox] = kind == POOL_AVERAGE ? sum / (sgdi_real)win.size : sum;
            }
    }
}

// dst += P^T src over every plane (dst = P^T src when `fresh`: dst held nothing yet);
// P's argmax (MaxPooling) from x. x, dst: [planes, h, w]; src: [planes, oh, ow]
static void pool_transpose_add(const pool_geom *g, pool_kind kind, const sgdi_real *x,
                               const sgdi_real *src, bool fresh, sgdi_real *dst) {
    int64_t in_plane = g->h * g->w, out_plane = g->oh * g->ow;
    // the 2x2 windows assign only where they cover the plane
    bool assign = fresh && is_max_2x2(g, kind) && 2 * g->oh == g->h && 2 * g->ow == g->w;
#pragma omp parallel for schedule(static) if (g->planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g->planes; p++) {
        const sgdi_real *xp = x + p * in_plane, *sp = src + p * out_plane;
        sgdi_real *dp = dst + p * in_plane;
        if (fresh && !assign)
            for (int64_t i = 0; i < in_plane; i++) dp[i] = 0;
        if (is_max_2x2(g, kind)) {
            max_2x2_scatter_add(g, xp, sp, assign, dp);
            continue;
        }
        for (int64_t oy = 0; oy < g->oh; oy++)
            for (int64_t ox = 0; ox < g->ow; ox++) {
                pool_window win = window_at(g, oy, ox);
                sgdi_real v = sp[oy * g->ow + ox];
                if (kind == POOL_MAX) {
                    dp[window_argmax(xp, g->w, &win)] += v;
                    continue;
                }
                if (kind == POOL_AVERAGE) v /= (sgdi_real)win.size;
                for (int64_t i = win.y0; i < win.y1; i++)
                    for (int64_t j = win.x0; j < win.x1; j++) dp[i * g->w + j] += v;
            }
    }
}

// --- The four directions, shared by every pooling ------------------------------------

static void pool_forward(const sgdi_op_call *call, pool_kind kind, bool global) {
    pool_geom g = call_geometry(call, global);
    pool_apply(&g, kind, call->in[0].val, call->in[0].val, call->out[0].val);
}

static void pool_tangent_forward(const sgdi_op_call *call, pool_kind kind, bool global) {
    pool_geom g = call_geometry(call, global);
    if (call->in[0].tan) {
        pool_apply(&g, kind, call->in[0].val, call->in[0].tan, call->out[0].tan);
    } else {
        int64_t n = sgdi_port_len(call, &call->out[0]);
        for (int64_t i = 0; i < n; i++) call->out[0].tan[i] = 0;
    }
}

static void pool_backward(const sgdi_op_call *call, pool_kind kind, bool global) {
    if (!call->in[0].adj || !call->out[0].adj) {
        sgdi_clear_if_fresh(call, &call->in[0], call->in[0].adj);
        return;
    }
    pool_geom g = call_geometry(call, global);
    pool_transpose_add(&g, kind, call->in[0].val, call->out[0].adj, call->in[0].adj_fresh,
                       call->in[0].adj);
}

// P depends on x only through a locally constant argmax: no second-order term.
static void pool_tangent_backward(const sgdi_op_call *call, pool_kind kind, bool global) {
    if (!call->in[0].adj_tan || !call->out[0].adj_tan) {
        sgdi_clear_if_fresh(call, &call->in[0], call->in[0].adj_tan);
        return;
    }
    pool_geom g = call_geometry(call, global);
    pool_transpose_add(&g, kind, call->in[0].val, call->out[0].adj_tan, call->in[0].adj_fresh,
                       call->in[0].adj_tan);
}

// forward, then tangent_forward, in one pass over x and x' for the 2x2 max pooling (the
// windows compared once, the same selections); anything else takes the two calls.
void sgdi_max_pooling_forward_with_tangent(const sgdi_op_call *call) {
    pool_geom g = call_geometry(call, false);
    const sgdi_real *x = call->in[0].val, *xt = call->in[0].tan;
    if (!xt || !is_max_2x2(&g, POOL_MAX)) {
        pool_forward(call, POOL_MAX, false);
        pool_tangent_forward(call, POOL_MAX, false);
        return;
    }
    sgdi_real *y = call->out[0].val, *yt = call->out[0].tan;
    int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
#pragma omp parallel for schedule(static) if (g.planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g.planes; p++)
        for (int64_t oy = 0; oy < g.oh; oy++) {
            int64_t row = p * in_plane + 2 * oy * g.w, out = p * out_plane + oy * g.ow;
            max_2x2_gather_row_with_tangent(g.ow, x + row, x + row + g.w, xt + row, xt + row + g.w,
                                            y + out, yt + out);
        }
}

// backward, then tangent_backward, in one pass for the 2x2 max pooling when both
// adjoints are wanted; anything else takes the two calls.
void sgdi_max_pooling_backward_with_tangent(const sgdi_op_call *call) {
    pool_geom g = call_geometry(call, false);
    const sgdi_port *x = &call->in[0], *y = &call->out[0];
    if (!x->adj || !y->adj || !x->adj_tan || !y->adj_tan || !is_max_2x2(&g, POOL_MAX)) {
        pool_backward(call, POOL_MAX, false);
        pool_tangent_backward(call, POOL_MAX, false);
        return;
    }
    int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
    bool assign = x->adj_fresh && 2 * g.oh == g.h && 2 * g.ow == g.w; // as pool_transpose_add
#pragma omp parallel for schedule(static) if (g.planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g.planes; p++) {
        sgdi_real *d = x->adj + p * in_plane, *e = x->adj_tan + p * in_plane;
        if (x->adj_fresh && !assign)
            for (int64_t i = 0; i < in_plane; i++) d[i] = 0, e[i] = 0;
        for (int64_t oy = 0; oy < g.oh; oy++) {
            int64_t row = 2 * oy * g.w, out = p * out_plane + oy * g.ow;
            const sgdi_real *xp = x->val + p * in_plane + row;
            max_2x2_scatter_add_row_with_tangent(g.ow, xp, xp + g.w, y->adj + out, y->adj_tan + out,
                                                 assign, d + row, d + row + g.w, e + row,
                                                 e + row + g.w);
        }
    }
}

// --- Shapes ------------------------------------------------------------------------------

// x (..., [H,] W) -> y (..., [oh,] ow); see the header for the checks.
static sgdi_status pool_infer_shape(sgdi_op_kind kind, const sgdi_op_attr *attr,
                                    const sgdi_shape *in, const bool *in_batched, int n_in,
                                    sgdi_shape *out, int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(kind, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const char *name = sgdi_op_table[kind].name;
    const sgdi_window_attr *a = &attr->window;
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "%s: input must be batched", name);
    if (a->ndim < 1 || a->ndim > 2)
        return sgdi_op_reason(msg, msg_size, "%s: %d-D pooling, only 1-D and 2-D are supported",
                              name, a->ndim);
    if (in[0].ndim < a->ndim)
        return sgdi_op_reason(msg, msg_size, "%s: %d-D pooling of a %d-D input", name, a->ndim,
                              in[0].ndim);
    int lead = in[0].ndim - a->ndim;
    for (int k = 0; k < a->ndim; k++) {
        int64_t n = in[0].dim[lead + k], kernel = a->kernel[k], pad = a->pad[k];
        if (kernel < 1 || a->stride[k] < 1 || pad < 0 || kernel > POOL_MAX_WINDOW ||
            a->stride[k] > POOL_MAX_WINDOW)
            return sgdi_op_reason(msg, msg_size,
                                  "%s: spatial dim %d has kernel %lld, stride %lld, pad %lld", name,
                                  k, (long long)kernel, (long long)a->stride[k], (long long)pad);
        if (pad >= kernel)
            return sgdi_op_reason(msg, msg_size,
                                  "%s: pad %lld >= kernel %lld in spatial dim %d leaves windows "
                                  "without input",
                                  name, (long long)pad, (long long)kernel, k);
        if (a->ignore_border && n + 2 * pad < kernel)
            return sgdi_op_reason(msg, msg_size,
                                  "%s: kernel %lld is larger than the padded input %lld in spatial "
                                  "dim %d",
                                  name, (long long)kernel, (long long)(n + 2 * pad), k);
    }
    pool_geom g = pool_geometry(a, &in[0]);
    out[0] = in[0];
    if (a->ndim == 2) out[0].dim[lead] = g.oh;
    out[0].dim[in[0].ndim - 1] = g.ow;
    return SGDI_OK;
}

// clang-format off
#define POOL_OP(name, KIND, OP_KIND)                                                                \
    sgdi_status sgdi_##name##_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,        \
                                          const bool *in_batched, int n_in, sgdi_shape *out,     \
                                          int n_out, char *msg, size_t msg_size) {               \
        return pool_infer_shape(OP_KIND, attr, in, in_batched, n_in, out, n_out, msg, msg_size); \
    }                                                                                             \
    void sgdi_##name##_forward(const sgdi_op_call *call) { pool_forward(call, KIND, false); }    \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call) {                               \
        pool_tangent_forward(call, KIND, false);                                                 \
    }                                                                                             \
    void sgdi_##name##_backward(const sgdi_op_call *call) { pool_backward(call, KIND, false); }  \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call) {                              \
        pool_tangent_backward(call, KIND, false);                                                \
    }
// clang-format on

POOL_OP(max_pooling, POOL_MAX, SGDI_OP_MAX_POOLING)
POOL_OP(average_pooling, POOL_AVERAGE, SGDI_OP_AVERAGE_POOLING)
POOL_OP(sum_pooling, POOL_SUM, SGDI_OP_SUM_POOLING)

// --- GlobalAveragePooling ----------------------------------------------------------------

// x (C), (C, W) or (C, H, W) -> y (C, 1, 1), nnabla's shapes. More dims are refused:
// nnabla averages only the two after C there.
sgdi_status sgdi_global_average_pooling_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                    const bool *in_batched, int n_in,
                                                    sgdi_shape *out, int n_out, char *msg,
                                                    size_t msg_size) {
    (void)attr;
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_GLOBAL_AVERAGE_POOLING, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!in_batched[0])
        return sgdi_op_reason(msg, msg_size, "GlobalAveragePooling: input must be batched");
    if (in[0].ndim < 1 || in[0].ndim > 3)
        return sgdi_op_reason(msg, msg_size,
                              "GlobalAveragePooling: input has %d dims per sample, expected 1 to "
                              "3 (C, H, W)",
                              in[0].ndim);
    out[0] = (sgdi_shape){.ndim = 3, .dim = {in[0].dim[0], 1, 1}};
    return SGDI_OK;
}

// y[B, C] = mean of x[B, C, :]
void sgdi_global_average_pooling_forward(const sgdi_op_call *call) {
    pool_forward(call, POOL_AVERAGE, true);
}

// y'[B, C] = mean of x'[B, C, :]
void sgdi_global_average_pooling_tangent_forward(const sgdi_op_call *call) {
    pool_tangent_forward(call, POOL_AVERAGE, true);
}

// x_bar[B, C, :] += y_bar[B, C] / (H W)
void sgdi_global_average_pooling_backward(const sgdi_op_call *call) {
    pool_backward(call, POOL_AVERAGE, true);
}

// linear: x_bar'[B, C, :] += y_bar'[B, C] / (H W)
void sgdi_global_average_pooling_tangent_backward(const sgdi_op_call *call) {
    pool_tangent_backward(call, POOL_AVERAGE, true);
}
