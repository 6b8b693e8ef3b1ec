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
 *
 * MaxPooling+ReLU (SGDI_OP_MAX_POOLING_RELU) is the executor's fusion of a MaxPooling with
 * the ReLU that alone reads its output (graph/exec.c): the same loops, each gathered or
 * scattered element taken through the ReLU in the same pass. With m a window's first
 * maximum, y = relu(m), y' = [m > 0] x'[argmax], x_bar[argmax] += [m > 0] y_bar (and the
 * same for x_bar'), in ReLU's own expressions, so that the fused pair gives the pair's
 * bytes (through_relu).
 *
 * The CNN's windows, 2x2 at stride 2 without padding, take vector loops of their own
 * (pooling_max_2x2.c), which compare in the same order: the same bytes as here.
 * GlobalAveragePooling is the average over a whole plane: (C, ...) -> (C, 1, 1).
 * Planes are independent, so large calls split them over threads; every output and
 * every adjoint element is written by one thread, in a fixed order.
 */
#include "ops/pooling_private.h"

// Kernel and stride limit: keeps every window bound far from overflowing (pad < kernel).
static const int64_t POOL_MAX_WINDOW = (int64_t)1 << 40;

typedef enum { POOL_MAX, POOL_AVERAGE, POOL_SUM } pool_kind;

// One operator's pooling: its kind, GlobalAveragePooling's one window per plane, and
// MaxPooling+ReLU's fused ReLU.
typedef struct pool_op {
    pool_kind kind;
    bool global, relu;
} pool_op;

static const pool_op MAX_POOLING = {.kind = POOL_MAX},
                     MAX_POOLING_RELU = {.kind = POOL_MAX, .relu = true},
                     AVERAGE_POOLING = {.kind = POOL_AVERAGE}, SUM_POOLING = {.kind = POOL_SUM},
                     GLOBAL_AVERAGE_POOLING = {.kind = POOL_AVERAGE, .global = true};

static inline pool_relu relu_part(pool_op op, pool_relu part) {
    return op.relu ? part : NO_RELU;
}

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

// dst = P src over every plane, through `relu` (MaxPooling); P's argmax from x.
// x, src: [planes, h, w]; dst: [planes, oh, ow]
static void pool_apply(const pool_geom *g, pool_kind kind, pool_relu relu, const sgdi_real *x,
                       const sgdi_real *src, sgdi_real *dst) {
    int64_t in_plane = g->h * g->w, out_plane = g->oh * g->ow;
#pragma omp parallel for schedule(static) if (g->planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g->planes; p++) {
        const sgdi_real *xp = x + p * in_plane, *sp = src + p * in_plane;
        sgdi_real *dp = dst + p * out_plane;
        if (is_max_2x2(g, kind)) {
            sgdi_max_2x2_gather(relu, g, xp, sp, dp);
            continue;
        }
        for (int64_t oy = 0; oy < g->oh; oy++)
            for (int64_t ox = 0; ox < g->ow; ox++) {
                pool_window win = window_at(g, oy, ox);
                if (kind == POOL_MAX) {
                    int64_t k = window_argmax(xp, g->w, &win);
                    dp[oy * g->ow + ox] = through_relu(relu, xp[k], sp[k]);
                    continue;
                }
                sgdi_real sum = 0;
                for (int64_t i = win.y0; i < win.y1; i++)
                    for (int64_t j = win.x0; j < win.x1; j++) sum += sp[i * g->w + j];
                dp[oy * g->ow + ox] = kind == POOL_AVERAGE ? sum / (sgdi_real)win.size : sum;
            }
    }
}

// dst += P^T src over every plane (dst = P^T src when `fresh`: dst held nothing yet), src
// through `relu` (MaxPooling); P's argmax from x. x, dst: [planes, h, w]; src: [planes, oh, ow]
static void pool_transpose_add(const pool_geom *g, pool_kind kind, pool_relu relu,
                               const sgdi_real *x, const sgdi_real *src, bool fresh,
                               sgdi_real *dst) {
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
            sgdi_max_2x2_scatter_add(relu, g, xp, sp, assign, dp);
            continue;
        }
        for (int64_t oy = 0; oy < g->oh; oy++)
            for (int64_t ox = 0; ox < g->ow; ox++) {
                pool_window win = window_at(g, oy, ox);
                sgdi_real v = sp[oy * g->ow + ox];
                if (kind == POOL_MAX) {
                    int64_t k = window_argmax(xp, g->w, &win);
                    dp[k] += through_relu(relu, xp[k], v);
                    continue;
                }
                if (kind == POOL_AVERAGE) v /= (sgdi_real)win.size;
                for (int64_t i = win.y0; i < win.y1; i++)
                    for (int64_t j = win.x0; j < win.x1; j++) dp[i * g->w + j] += v;
            }
    }
}

// --- The four directions, shared by every pooling ------------------------------------

static void pool_forward(const sgdi_op_call *call, pool_op op) {
    pool_geom g = call_geometry(call, op.global);
    pool_apply(&g, op.kind, relu_part(op, RELU_OUTPUT), call->in[0].val, call->in[0].val,
               call->out[0].val);
}

static void pool_tangent_forward(const sgdi_op_call *call, pool_op op) {
    pool_geom g = call_geometry(call, op.global);
    if (call->in[0].tan) {
        pool_apply(&g, op.kind, relu_part(op, RELU_SLOPE), call->in[0].val, call->in[0].tan,
                   call->out[0].tan);
    } else {
        int64_t n = sgdi_port_len(call, &call->out[0]);
        for (int64_t i = 0; i < n; i++) call->out[0].tan[i] = 0;
    }
}

static void pool_backward(const sgdi_op_call *call, pool_op op) {
    if (!call->in[0].adj || !call->out[0].adj) {
        sgdi_clear_if_fresh(call, &call->in[0], call->in[0].adj);
        return;
    }
    pool_geom g = call_geometry(call, op.global);
    pool_transpose_add(&g, op.kind, relu_part(op, RELU_SLOPE), call->in[0].val, call->out[0].adj,
                       call->in[0].adj_fresh, call->in[0].adj);
}

// P depends on x only through a locally constant argmax, and so does the fused ReLU's
// slope [m > 0]: no second-order term.
static void pool_tangent_backward(const sgdi_op_call *call, pool_op op) {
    if (!call->in[0].adj_tan || !call->out[0].adj_tan) {
        sgdi_clear_if_fresh(call, &call->in[0], call->in[0].adj_tan);
        return;
    }
    pool_geom g = call_geometry(call, op.global);
    pool_transpose_add(&g, op.kind, relu_part(op, RELU_SLOPE), call->in[0].val,
                       call->out[0].adj_tan, call->in[0].adj_fresh, call->in[0].adj_tan);
}

// forward, then tangent_forward, in one pass over x and x' for the 2x2 max pooling (the
// windows compared once, the same selections); anything else takes the two calls.
// `op`: MaxPooling, or MaxPooling+ReLU.
static void max_pool_forward_with_tangent(const sgdi_op_call *call, pool_op op) {
    pool_geom g = call_geometry(call, false);
    const sgdi_real *x = call->in[0].val, *xt = call->in[0].tan;
    if (!xt || !is_max_2x2(&g, POOL_MAX)) {
        pool_forward(call, op);
        pool_tangent_forward(call, op);
        return;
    }
    sgdi_real *y = call->out[0].val, *yt = call->out[0].tan;
    int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
#pragma omp parallel for schedule(static) if (g.planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g.planes; p++) {
        const sgdi_real *xp = x + p * in_plane, *tp = xt + p * in_plane;
        sgdi_real *yp = y + p * out_plane, *ytp = yt + p * out_plane;
        sgdi_max_2x2_gather_with_tangent(relu_part(op, RELU_OUTPUT), &g, xp, tp, yp, ytp);
    }
}

// backward, then tangent_backward, in one pass for the 2x2 max pooling when both
// adjoints are wanted; anything else takes the two calls. `op`: MaxPooling, or
// MaxPooling+ReLU.
static void max_pool_backward_with_tangent(const sgdi_op_call *call, pool_op op) {
    pool_geom g = call_geometry(call, false);
    const sgdi_port *x = &call->in[0], *y = &call->out[0];
    if (!x->adj || !y->adj || !x->adj_tan || !y->adj_tan || !is_max_2x2(&g, POOL_MAX)) {
        pool_backward(call, op);
        pool_tangent_backward(call, op);
        return;
    }
    int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
    bool assign = x->adj_fresh && 2 * g.oh == g.h && 2 * g.ow == g.w; // as pool_transpose_add
#pragma omp parallel for schedule(static) if (g.planes * in_plane > POOL_PARALLEL_MIN)
    for (int64_t p = 0; p < g.planes; p++) {
        sgdi_real *d = x->adj + p * in_plane, *e = x->adj_tan + p * in_plane;
        if (x->adj_fresh && !assign)
            for (int64_t i = 0; i < in_plane; i++) d[i] = 0, e[i] = 0;
        const sgdi_real *xp = x->val + p * in_plane;
        const sgdi_real *sp = y->adj + p * out_plane, *stp = y->adj_tan + p * out_plane;
        sgdi_max_2x2_scatter_add_with_tangent(relu_part(op, RELU_SLOPE), &g, xp, sp, stp, assign, d,
                                              e);
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
#define POOL_OP(name, OP, OP_KIND)                                                                  \
    sgdi_status sgdi_##name##_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,        \
                                          const bool *in_batched, int n_in, sgdi_shape *out,     \
                                          int n_out, char *msg, size_t msg_size) {               \
        return pool_infer_shape(OP_KIND, attr, in, in_batched, n_in, out, n_out, msg, msg_size); \
    }                                                                                             \
    void sgdi_##name##_forward(const sgdi_op_call *call) { pool_forward(call, OP); }             \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call) {                               \
        pool_tangent_forward(call, OP);                                                          \
    }                                                                                             \
    void sgdi_##name##_backward(const sgdi_op_call *call) { pool_backward(call, OP); }           \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call) {                              \
        pool_tangent_backward(call, OP);                                                         \
    }
// clang-format on

POOL_OP(max_pooling, MAX_POOLING, SGDI_OP_MAX_POOLING)
POOL_OP(average_pooling, AVERAGE_POOLING, SGDI_OP_AVERAGE_POOLING)
POOL_OP(sum_pooling, SUM_POOLING, SGDI_OP_SUM_POOLING)
// Fused by the executor: MaxPooling's ports, the ReLU's output.
POOL_OP(max_pooling_relu, MAX_POOLING_RELU, SGDI_OP_MAX_POOLING_RELU)

void sgdi_max_pooling_forward_with_tangent(const sgdi_op_call *call) {
    max_pool_forward_with_tangent(call, MAX_POOLING);
}
void sgdi_max_pooling_backward_with_tangent(const sgdi_op_call *call) {
    max_pool_backward_with_tangent(call, MAX_POOLING);
}
void sgdi_max_pooling_relu_forward_with_tangent(const sgdi_op_call *call) {
    max_pool_forward_with_tangent(call, MAX_POOLING_RELU);
}
void sgdi_max_pooling_relu_backward_with_tangent(const sgdi_op_call *call) {
    max_pool_backward_with_tangent(call, MAX_POOLING_RELU);
}

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
    pool_forward(call, GLOBAL_AVERAGE_POOLING);
}

// y'[B, C] = mean of x'[B, C, :]
void sgdi_global_average_pooling_tangent_forward(const sgdi_op_call *call) {
    pool_tangent_forward(call, GLOBAL_AVERAGE_POOLING);
}

// x_bar[B, C, :] += y_bar[B, C] / (H W)
void sgdi_global_average_pooling_backward(const sgdi_op_call *call) {
    pool_backward(call, GLOBAL_AVERAGE_POOLING);
}

// linear: x_bar'[B, C, :] += y_bar'[B, C] / (H W)
void sgdi_global_average_pooling_tangent_backward(const sgdi_op_call *call) {
    pool_tangent_backward(call, GLOBAL_AVERAGE_POOLING);
}
