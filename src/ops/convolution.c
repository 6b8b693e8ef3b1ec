/*
 * convolution.c — Convolution (nnabla), and the kernels DepthwiseConvolution shares.
 *
 * Ports: in[0] x (batched, (C, [H,] W)), in[1] W (parameter, (OC, C / group, [KH,] KW)),
 * in[2] b (parameter, (OC), optional); out[0] y (batched, (OC, [OH,] OW)) with
 *
 *     OH = (H + 2 pad - (dilation (KH - 1) + 1)) / stride + 1
 *     y[oc, oh, ow] = b[oc] + sum_{ic in oc's group, kh, kw} W[oc, ic, kh, kw]
 *                              x[g icg + ic, oh stride - pad + kh dilation, (likewise w)]
 *
 * x is the image side of the plan, y the column side (im2col.h). The operator is bilinear
 * in (x, W), so its tangent and the tangent of its backward are product rules; every term
 * whose tangent is NULL (zero) or whose target is NULL (unwanted) is skipped: the first
 * layer's x has neither, and its columns are then built once per pass instead of twice.
 */
#include "ops/im2col.h"
#include "ops/op_private.h"

// The plan of a call's shapes: x (C, sp...), W (OC, C / group, k...), y (OC, out...).
static sgdi_conv_plan conv_plan(const sgdi_op_attr *attr, const sgdi_shape *x, const sgdi_shape *w,
                                const sgdi_shape *y) {
    return sgdi_conv_plan_make(&attr->window, w->dim + 2, x->dim[0], x->dim + 1, y->dim[0],
                               y->dim + 1, attr->window.group);
}

// x (C, [H,] W), W (OC, C / group, [KH,] KW), b (OC) -> y (OC, [OH,] OW)
sgdi_status sgdi_convolution_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                         const bool *in_batched, int n_in, sgdi_shape *out,
                                         int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_CONVOLUTION, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const sgdi_shape *x = &in[0], *w = &in[1];
    const sgdi_window_attr *win = &attr->window;
    if (!in_batched[0] || in_batched[1] || (n_in == 3 && in_batched[2]))
        return sgdi_op_reason(msg, msg_size, "Convolution: x must be batched, W and b parameters");
    if (x->ndim != 2 && x->ndim != 3)
        return sgdi_op_reason(msg, msg_size,
                              "Convolution: a sample has %d dimensions, expected (C, W) or "
                              "(C, H, W)",
                              x->ndim);
    st = sgdi_conv_check_window("Convolution", win, x->ndim - 1, msg, msg_size);
    if (st != SGDI_OK) return st;
    int64_t C = x->dim[0], group = win->group;
    if (w->ndim != x->ndim + 1)
        return sgdi_op_reason(msg, msg_size, "Convolution: W has %d dimensions, expected %d",
                              w->ndim, x->ndim + 1);
    if (C % group != 0 || w->dim[0] % group != 0)
        return sgdi_op_reason(msg, msg_size,
                              "Convolution: group %lld does not divide the %lld input and %lld "
                              "output channels",
                              (long long)group, (long long)C, (long long)w->dim[0]);
    if (w->dim[1] != C / group)
        return sgdi_op_reason(msg, msg_size,
                              "Convolution: W has %lld input channels per group, x gives %lld",
                              (long long)w->dim[1], (long long)(C / group));
    if (n_in == 3 && (in[2].ndim != 1 || in[2].dim[0] != w->dim[0]))
        return sgdi_op_reason(msg, msg_size, "Convolution: b must have shape (%lld)",
                              (long long)w->dim[0]);
    sgdi_shape y = {.ndim = x->ndim, .dim = {w->dim[0]}};
    for (int d = 1; d < x->ndim; d++) {
        y.dim[d] = sgdi_conv_out_size(x->dim[d], w->dim[d + 1], win->pad[d - 1], win->stride[d - 1],
                                      win->dilation[d - 1]);
        if (y.dim[d] < 1)
            return sgdi_op_reason(msg, msg_size,
                                  "Convolution: kernel %lld (dilation %lld) does not fit input "
                                  "dimension %d of size %lld padded by %lld",
                                  (long long)w->dim[d + 1], (long long)win->dilation[d - 1], d,
                                  (long long)x->dim[d], (long long)win->pad[d - 1]);
    }
    if (!sgdi_conv_fits(win, w->dim + 2, C, x->dim + 1, y.dim[0], y.dim + 1, group))
        return sgdi_op_reason(msg, msg_size, "Convolution: the columns of a sample are too large");
    out[0] = y;
    return SGDI_OK;
}

int64_t sgdi_convolution_workspace(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in,
                                   const sgdi_shape *out, int64_t batch) {
    sgdi_conv_plan p = conv_plan(attr, &in[0], &in[1], &out[0]);
    return sgdi_conv_workspace(&p, batch);
}

int64_t sgdi_convolution_cache_len(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in,
                                   const sgdi_shape *out, int64_t batch) {
    (void)n_in, (void)batch;
    sgdi_conv_plan p = conv_plan(attr, &in[0], &in[1], &out[0]);
    return sgdi_conv_cache_len(&p);
}

// The call's plan, with the node's cache of W's transformed kernels when the caller keeps one.
static sgdi_conv_plan call_plan(const sgdi_op_call *call) {
    sgdi_conv_plan p =
        conv_plan(call->attr, &call->in[0].shape, &call->in[1].shape, &call->out[0].shape);
    p.cache = call->cache;
    p.cached_w = call->in[1].val;
    p.version = call->theta_version;
    return p;
}

// clang-format off
void sgdi_convolution_forward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_forward(call, &p);
}
void sgdi_convolution_tangent_forward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_tangent_forward(call, &p);
}
void sgdi_convolution_backward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_backward(call, &p);
}
void sgdi_convolution_tangent_backward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_tangent_backward(call, &p);
}
void sgdi_convolution_forward_with_tangent(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_forward_with_tangent(call, &p);
}
void sgdi_convolution_backward_with_tangent(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_backward_with_tangent(call, &p);
}
// clang-format on

// --- The kernels of a convolution-shaped operator ------------------------------------------
// x [B][in_ch, in_size] (image side), W [out_ch, in_ch / group * ksize], b [out_ch],
// y [B][out_ch, out_size] (column side).

static const sgdi_port *bias_port(const sgdi_op_call *call) {
    return call->n_in > 2 ? &call->in[2] : NULL;
}

// y = b + W cols(x)
void sgdi_conv_like_forward(const sgdi_op_call *call, const sgdi_conv_plan *p) {
    const sgdi_port *b = bias_port(call);
    sgdi_real *y = call->out[0].val;
    sgdi_conv_apply_bias(p, call->batch, call->work, call->work_len, call->in[1].val,
                         call->in[0].val, NULL, NULL, b ? b->val : NULL, y);
}

// y' = b' + W cols(x') + W' cols(x)
void sgdi_conv_like_tangent_forward(const sgdi_op_call *call, const sgdi_conv_plan *p) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    sgdi_real *y_tan = call->out[0].tan;
    sgdi_conv_apply_bias(p, call->batch, call->work, call->work_len, w->val, x->tan, w->tan, x->val,
                         b ? b->tan : NULL, y_tan);
}

// x_bar += cols^T(W^T y_bar), W_bar += sum_n y_bar[n] cols(x[n])^T, b_bar += sums of y_bar
void sgdi_conv_like_backward(const sgdi_op_call *call, const sgdi_conv_plan *p) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    const sgdi_real *y_bar = call->out[0].adj;
    if (!y_bar) {
        sgdi_clear_if_fresh(call, x, x->adj);
        return;
    }
    sgdi_conv_adjoint adj = {.terms = {{.col = y_bar, .w = w->val, .img = x->val}},
                             .n_terms = 1,
                             .img_bar = x->adj,
                             .img_fresh = x->adj_fresh,
                             .w_bar = w->adj,
                             .bias_col = y_bar,
                             .b_bar = b ? b->adj : NULL};
    sgdi_conv_backward_adjoints(p, call->batch, call->work, call->work_len, &adj, 1);
}

// The terms of the tangent of the backward by column-side adjoint, (y_bar', W, x) and
// (y_bar, W', x'), into terms[]; how many (a NULL tangent drops its part of a term).
static int tangent_backward_terms(const sgdi_op_call *call, sgdi_conv_term terms[2]) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1];
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    int n = 0;
    if (y_bar_tan) terms[n++] = (sgdi_conv_term){.col = y_bar_tan, .w = w->val, .img = x->val};
    if (y_bar && (w->tan || x->tan))
        terms[n++] = (sgdi_conv_term){.col = y_bar, .w = w->tan, .img = x->tan};
    return n;
}

// x_bar' += cols^T(W^T y_bar' + W'^T y_bar)
// W_bar' += sum_n y_bar'[n] cols(x[n])^T + y_bar[n] cols(x'[n])^T
// b_bar' += sums of y_bar'
void sgdi_conv_like_tangent_backward(const sgdi_op_call *call, const sgdi_conv_plan *p) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    sgdi_conv_adjoint adj = {.img_bar = x->adj_tan,
                             .img_fresh = x->adj_fresh,
                             .w_bar = w->adj_tan,
                             .bias_col = call->out[0].adj_tan,
                             .b_bar = b ? b->adj_tan : NULL};
    adj.n_terms = tangent_backward_terms(call, adj.terms);
    sgdi_conv_backward_adjoints(p, call->batch, call->work, call->work_len, &adj, 1);
}

// forward, then tangent_forward: y = b + W cols(x), y' = b' + W cols(x') + W' cols(x)
void sgdi_conv_like_forward_with_tangent(const sgdi_op_call *call, const sgdi_conv_plan *p) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    sgdi_conv_sum sums[2] = {{.w = {w->val},
                              .img = {x->val},
                              .bias = b ? b->val : NULL,
                              .assign = true,
                              .col = call->out[0].val},
                             {.w = {w->val, w->tan},
                              .img = {x->tan, x->val},
                              .bias = b ? b->tan : NULL,
                              .assign = true,
                              .col = call->out[0].tan}};
    sgdi_conv_apply_sums(p, call->batch, call->work, call->work_len, sums, 2);
}

// backward, then tangent_backward (see each): the adjoint and its tangent in one call
void sgdi_conv_like_backward_with_tangent(const sgdi_op_call *call, const sgdi_conv_plan *p) {
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    if (!y_bar) { // no backward terms, and the tangent's y_bar terms are zero
        sgdi_conv_like_backward(call, p);
        sgdi_conv_like_tangent_backward(call, p);
        return;
    }
    sgdi_conv_adjoint adj[2] = {{.terms = {{.col = y_bar, .w = w->val, .img = x->val}},
                                 .n_terms = 1,
                                 .img_bar = x->adj,
                                 .img_fresh = x->adj_fresh,
                                 .w_bar = w->adj,
                                 .bias_col = y_bar,
                                 .b_bar = b ? b->adj : NULL},
                                {.img_bar = x->adj_tan,
                                 .img_fresh = x->adj_fresh,
                                 .w_bar = w->adj_tan,
                                 .bias_col = y_bar_tan,
                                 .b_bar = b ? b->adj_tan : NULL}};
    adj[1].n_terms = tangent_backward_terms(call, adj[1].terms);
    sgdi_conv_backward_adjoints(p, call->batch, call->work, call->work_len, adj, 2);
}
