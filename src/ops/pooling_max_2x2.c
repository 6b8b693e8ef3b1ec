/*
 * pooling_max_2x2.c — the CNN's MaxPooling, 2x2 windows at stride 2 without padding, as
 * vector loops: its gather (forward, tangent forward) and scatter (both adjoints), alone or
 * both directions at once, and each through the ReLU that MaxPooling+ReLU fuses after it.
 * pooling.c picks these planes when the windows allow (is_max_2x2) and computes every
 * other window itself, with the same comparisons in the same order, so the two give the
 * same bytes.
 */
#include "ops/pooling_private.h"

// The 2x2 windows of one output row: the same comparisons in the same (window) order as
// window_argmax, written as selects on floats (no branches, no integer index), so that
// the compiler vectorises the row: on real activations the comparisons go either way and
// branches mispredicted half the time. Shapes: x0, x1, s0, s1 two input rows [2 ow].
//
// The rows, and the planes of them, are inlined into the functions at the end, each call
// with `relu` a constant: each copy compiles to a vector loop of its own, through_relu
// folded into it. gcc left a loop testing a variable `relu` scalar, and so it did the
// copies for two values side by side within one plane (it hoisted what they share out of
// them); the fused ReLU's product also needs -fno-trapping-math (CMakeLists.txt).
#define POOL_INLINE static inline __attribute__((always_inline))

// The first maximum of window (a0 a1 / a2 a3) in window order, and b_k at it (*b_at_max)
POOL_INLINE sgdi_real first_max(sgdi_real a0, sgdi_real a1, sgdi_real a2, sgdi_real a3,
                                sgdi_real b0, sgdi_real b1, sgdi_real b2, sgdi_real b3,
                                sgdi_real *b_at_max) {
    sgdi_real m = a0, v = b0;
    bool c = m < a1;
    m = c ? a1 : m, v = c ? b1 : v;
    c = m < a2;
    m = c ? a2 : m, v = c ? b2 : v;
    c = m < a3;
    *b_at_max = c ? b3 : v;
    return c ? a3 : m;
}

// dst[ow] = s at each window's first maximum of x, through `relu`
POOL_INLINE void max_2x2_gather_row(pool_relu relu, int64_t ow, const sgdi_real *restrict x0,
                                    const sgdi_real *restrict x1, const sgdi_real *restrict s0,
                                    const sgdi_real *restrict s1, sgdi_real *restrict dst) {
#pragma omp simd
    for (int64_t ox = 0; ox < ow; ox++) {
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];
        sgdi_real b0 = s0[2 * ox], b1 = s0[2 * ox + 1], b2 = s1[2 * ox], b3 = s1[2 * ox + 1];
        sgdi_real v, m = first_max(a0, a1, a2, a3, b0, b1, b2, b3, &v);
        dst[ox] = through_relu(relu, m, v);
    }
}

// d0, d1 [2 ow] += src[ow] through `relu` at each window's first maximum of x (the other
// three + 0); with `assign`, = instead of +=
POOL_INLINE void max_2x2_scatter_add_row(pool_relu relu, int64_t ow, const sgdi_real *restrict x0,
                                         const sgdi_real *restrict x1,
                                         const sgdi_real *restrict src, bool assign,
                                         sgdi_real *restrict d0, sgdi_real *restrict d1) {
#pragma omp simd
    for (int64_t ox = 0; ox < ow; ox++) {
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];
        bool c1 = a0 < a1;
        sgdi_real m = c1 ? a1 : a0;
        bool c2 = m < a2;
        m = c2 ? a2 : m;
        bool c3 = m < a3;
        m = c3 ? a3 : m;
        // v goes to the window's first maximum: 3 if c3, else 2 if c2, else 1 if c1, else 0
        sgdi_real v = through_relu(relu, m, src[ox]), zero = 0;
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
// y[ow] = each window's maximum of x through `relu` (the forward's part), yt[ow] = t at its
// first maximum (t0, t1 rows of t) through the tangent's part
POOL_INLINE void max_2x2_gather_row_with_tangent(pool_relu relu, int64_t ow,
                                                 const sgdi_real *restrict x0,
                                                 const sgdi_real *restrict x1,
                                                 const sgdi_real *restrict t0,
                                                 const sgdi_real *restrict t1,
                                                 sgdi_real *restrict y, sgdi_real *restrict yt) {
    pool_relu slope = relu == RELU_OUTPUT ? RELU_SLOPE : NO_RELU;
#pragma omp simd
    for (int64_t ox = 0; ox < ow; ox++) {
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];
        sgdi_real b0 = t0[2 * ox], b1 = t0[2 * ox + 1], b2 = t1[2 * ox], b3 = t1[2 * ox + 1];
        sgdi_real y_tan, y_max = first_max(a0, a1, a2, a3, b0, b1, b2, b3, &y_tan);
        // through temporaries: stored straight from the selects, the loop stayed scalar
        sgdi_real y_out = through_relu(relu, y_max, y_max);
        sgdi_real yt_out = through_relu(slope, y_max, y_tan);
        y[ox] = y_out, yt[ox] = yt_out;
    }
}

// d0, d1 [2 ow] += src[ow] and e0, e1 [2 ow] += src_t[ow], through `relu`, at each window's
// first maximum of x; with `assign`, = instead of +=. As max_2x2_scatter_add_row, for each source:
// w_k (wt_k) goes to window element k. Written out for each source and each of assign and add (a
// loop over the sources, or a select on `assign` per store, kept gcc from vectorising).
#define MAX_2X2_SCATTER_WITH_TANGENT(STORE)                                                        \
    _Pragma("omp simd") for (int64_t ox = 0; ox < ow; ox++) {                                      \
        sgdi_real a0 = x0[2 * ox], a1 = x0[2 * ox + 1], a2 = x1[2 * ox], a3 = x1[2 * ox + 1];      \
        bool c1 = a0 < a1;                                                                         \
        sgdi_real m = c1 ? a1 : a0;                                                                \
        bool c2 = m < a2;                                                                          \
        m = c2 ? a2 : m;                                                                           \
        bool c3 = m < a3;                                                                          \
        m = c3 ? a3 : m;                                                                           \
        sgdi_real v = through_relu(relu, m, src[ox]), vt = through_relu(relu, m, src_t[ox]);       \
        sgdi_real zero = 0;                                                                        \
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
POOL_INLINE void
max_2x2_scatter_add_row_with_tangent(pool_relu relu, int64_t ow, const sgdi_real *restrict x0,
                                     const sgdi_real *restrict x1, const sgdi_real *restrict src,
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

// --- Planes ----------------------------------------------------------------------------
// (shapes in pooling_private.h)

POOL_INLINE void max_2x2_gather_plane(pool_relu relu, const pool_geom *g, const sgdi_real *xp,
                                      const sgdi_real *sp, sgdi_real *dp) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        int64_t row = 2 * oy * g->w;
        max_2x2_gather_row(relu, g->ow, xp + row, xp + row + g->w, sp + row, sp + row + g->w,
                           dp + oy * g->ow);
    }
}

POOL_INLINE void max_2x2_scatter_add_plane(pool_relu relu, const pool_geom *g, const sgdi_real *xp,
                                           const sgdi_real *sp, bool assign, sgdi_real *dp) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        int64_t row = 2 * oy * g->w;
        max_2x2_scatter_add_row(relu, g->ow, xp + row, xp + row + g->w, sp + oy * g->ow, assign,
                                dp + row, dp + row + g->w);
    }
}

POOL_INLINE void max_2x2_gather_plane_with_tangent(pool_relu relu, const pool_geom *g,
                                                   const sgdi_real *xp, const sgdi_real *tp,
                                                   sgdi_real *yp, sgdi_real *ytp) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        int64_t row = 2 * oy * g->w, out = oy * g->ow;
        max_2x2_gather_row_with_tangent(relu, g->ow, xp + row, xp + row + g->w, tp + row,
                                        tp + row + g->w, yp + out, ytp + out);
    }
}

POOL_INLINE void max_2x2_scatter_add_plane_with_tangent(pool_relu relu, const pool_geom *g,
                                                        const sgdi_real *xp, const sgdi_real *sp,
                                                        const sgdi_real *stp, bool assign,
                                                        sgdi_real *dp, sgdi_real *ep) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        int64_t row = 2 * oy * g->w, out = oy * g->ow;
        max_2x2_scatter_add_row_with_tangent(relu, g->ow, xp + row, xp + row + g->w, sp + out,
                                             stp + out, assign, dp + row, dp + row + g->w, ep + row,
                                             ep + row + g->w);
    }
}
#undef POOL_INLINE

// --- The planes for pooling.c, `relu` a constant in each call (see the rows) -------------

void sgdi_max_2x2_gather(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                         const sgdi_real *src, sgdi_real *dst) {
    if (relu == RELU_OUTPUT)
        max_2x2_gather_plane(RELU_OUTPUT, g, x, src, dst);
    else if (relu == RELU_SLOPE)
        max_2x2_gather_plane(RELU_SLOPE, g, x, src, dst);
    else
        max_2x2_gather_plane(NO_RELU, g, x, src, dst);
}

void sgdi_max_2x2_scatter_add(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                              const sgdi_real *src, bool assign, sgdi_real *dst) {
    if (relu == RELU_SLOPE)
        max_2x2_scatter_add_plane(RELU_SLOPE, g, x, src, assign, dst);
    else
        max_2x2_scatter_add_plane(NO_RELU, g, x, src, assign, dst);
}

void sgdi_max_2x2_gather_with_tangent(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                                      const sgdi_real *t, sgdi_real *y, sgdi_real *yt) {
    if (relu == RELU_OUTPUT)
        max_2x2_gather_plane_with_tangent(RELU_OUTPUT, g, x, t, y, yt);
    else
        max_2x2_gather_plane_with_tangent(NO_RELU, g, x, t, y, yt);
}

void sgdi_max_2x2_scatter_add_with_tangent(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                                           const sgdi_real *y_bar, const sgdi_real *y_bar_tan,
                                           bool assign, sgdi_real *x_bar, sgdi_real *x_bar_tan) {
    if (relu == RELU_SLOPE)
        max_2x2_scatter_add_plane_with_tangent(RELU_SLOPE, g, x, y_bar, y_bar_tan, assign, x_bar,
                                               x_bar_tan);
    else
        max_2x2_scatter_add_plane_with_tangent(NO_RELU, g, x, y_bar, y_bar_tan, assign, x_bar,
                                               x_bar_tan);
}
