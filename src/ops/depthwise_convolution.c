/*
 * depthwise_convolution.c — DepthwiseConvolution (nnabla).
 *
 * Ports: in[0] x (batched, (C, [H,] W)), in[1] W (parameter, (C M, [KH,] KW)), in[2] b
 * (parameter, (C M), optional), M = the multiplier (attr->window.group); out[0] y
 * (batched, (C M, [OH,] OW)), sizes as Convolution's. Output channel c M + m filters
 * input channel c alone with W[c M + m] (nnabla's layout: the M filters of an input
 * channel are adjacent):
 *
 *     y[c M + m, oh, ow] = b[c M + m] + sum_{kh, kw} W[c M + m, kh, kw]
 *                                        x[c, oh stride - pad + kh dilation, (likewise w)]
 *
 * That is a Convolution with C groups of one input channel and M output channels each,
 * whose weight (C M, 1, KH, KW) is W as stored, so the kernels are Convolution's.
 */
#include "ops/im2col.h"
#include "ops/op_private.h"

// The plan of a call's shapes: x (C, sp...), W (C M, k...), y (C M, out...).
static sgdi_conv_plan depthwise_plan(const sgdi_op_attr *attr, const sgdi_shape *x,
                                     const sgdi_shape *w, const sgdi_shape *y) {
    return sgdi_conv_plan_make(&attr->window, w->dim + 1, x->dim[0], x->dim + 1, y->dim[0],
                               y->dim + 1, x->dim[0]);
}

// x (C, [H,] W), W (C M, [KH,] KW), b (C M) -> y (C M, [OH,] OW)
sgdi_status sgdi_depthwise_convolution_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                   const bool *in_batched, int n_in,
                                                   sgdi_shape *out, int n_out, char *msg,
                                                   size_t msg_size) {
    static const char name[] = "DepthwiseConvolution";
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_DEPTHWISE_CONVOLUTION, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const sgdi_shape *x = &in[0], *w = &in[1];
    const sgdi_window_attr *win = &attr->window;
    if (!in_batched[0] || in_batched[1] || (n_in == 3 && in_batched[2]))
        return sgdi_op_reason(msg, msg_size, "%s: x must be batched, W and b parameters", name);
    if (x->ndim != 2 && x->ndim != 3)
        return sgdi_op_reason(msg, msg_size,
                              "%s: a sample has %d dimensions, expected (C, W) or (C, H, W)", name,
                              x->ndim);
    st = sgdi_conv_check_window(name, win, x->ndim - 1, msg, msg_size);
    if (st != SGDI_OK) return st;
    int64_t C = x->dim[0], mult = win->group;
    if (w->ndim != x->ndim)
        return sgdi_op_reason(msg, msg_size, "%s: W has %d dimensions, expected %d", name, w->ndim,
                              x->ndim);
    if (w->dim[0] % C != 0 || w->dim[0] / C != mult)
        return sgdi_op_reason(msg, msg_size,
                              "%s: W has %lld filters, expected channels %lld x multiplier %lld",
                              name, (long long)w->dim[0], (long long)C, (long long)mult);
    if (n_in == 3 && (in[2].ndim != 1 || in[2].dim[0] != w->dim[0]))
        return sgdi_op_reason(msg, msg_size, "%s: b must have shape (%lld)", name,
                              (long long)w->dim[0]);
    sgdi_shape y = {.ndim = x->ndim, .dim = {w->dim[0]}};
    for (int d = 1; d < x->ndim; d++) {
        y.dim[d] = sgdi_conv_out_size(x->dim[d], w->dim[d], win->pad[d - 1], win->stride[d - 1],
                                      win->dilation[d - 1]);
        if (y.dim[d] < 1)
            return sgdi_op_reason(msg, msg_size,
                                  "%s: kernel %lld (dilation %lld) does not fit input dimension "
                                  "%d of size %lld padded by %lld",
                                  name, (long long)w->dim[d], (long long)win->dilation[d - 1], d,
                                  (long long)x->dim[d], (long long)win->pad[d - 1]);
    }
    if (!sgdi_conv_fits(win, w->dim + 1, C, x->dim + 1, y.dim[0], y.dim + 1, C))
        return sgdi_op_reason(msg, msg_size, "%s: the columns of a sample are too large", name);
    out[0] = y;
    return SGDI_OK;
}

int64_t sgdi_depthwise_convolution_workspace(const sgdi_op_attr *attr, const sgdi_shape *in,
                                             int n_in, const sgdi_shape *out, int64_t batch) {
    sgdi_conv_plan p = depthwise_plan(attr, &in[0], &in[1], &out[0]);
    return sgdi_conv_workspace(&p, batch);
}

static sgdi_conv_plan call_plan(const sgdi_op_call *call) {
    return depthwise_plan(call->attr, &call->in[0].shape, &call->in[1].shape, &call->out[0].shape);
}

// The four kernels: Convolution's (convolution.c), on the depthwise plan.
// clang-format off
void sgdi_depthwise_convolution_forward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_forward(call, &p);
}
void sgdi_depthwise_convolution_tangent_forward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_tangent_forward(call, &p);
}
void sgdi_depthwise_convolution_backward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_backward(call, &p);
}
void sgdi_depthwise_convolution_tangent_backward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    sgdi_conv_like_tangent_backward(call, &p);
}
// clang-format on
