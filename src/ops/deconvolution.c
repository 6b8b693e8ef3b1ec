/*
 * deconvolution.c — Deconvolution (nnabla): the transpose of Convolution.
 *
 * Ports: in[0] x (batched, (C, [H,] W)), in[1] W (parameter, (C, OC / group, [KH,] KW)),
 * in[2] b (parameter, (OC), optional); out[0] y (batched, (OC, [OH,] OW)) with
 *
 *     OH = (H - 1) stride - 2 pad + dilation (KH - 1) + 1 + output_padding
 *
 * Read backwards, a Convolution from y's grid to x's grid with the same pad, stride,
 * dilation and groups has weight W (C, OC / group, KH, KW) as stored: Deconvolution is
 * that convolution's input adjoint, plus the bias,
 *
 *     y = b + cols^T(W^T x)
 *
 * so y is the image side of the plan and x its column side (im2col.h), and every
 * Convolution term reappears with the roles of apply and transpose exchanged.
 * output_padding (< stride) adds rows and columns at the end that no window reaches;
 * they hold the bias alone.
 */
#include "ops/im2col.h"
#include "ops/op_private.h"

// The plan of a call's shapes: x (C, sp...) the column side, y (OC, out...) the image side.
static sgdi_conv_plan deconv_plan(const sgdi_op_attr *attr, const sgdi_shape *x,
                                  const sgdi_shape *w, const sgdi_shape *y) {
    return sgdi_conv_plan_make(&attr->window, w->dim + 2, y->dim[0], y->dim + 1, x->dim[0],
                               x->dim + 1, attr->window.group);
}

// (n - 1) stride - 2 pad + dilation (k - 1) + 1 + output_padding, or 0 when that is not
// positive or beyond 2^40 (compared before multiplying: no overflow).
static int64_t deconv_out_size(int64_t n, int64_t k, int64_t pad, int64_t stride, int64_t dilation,
                               int64_t output_padding) {
    const int64_t limit = (int64_t)1 << 40;
    if (n - 1 > limit / stride || k - 1 > limit / dilation) return 0;
    int64_t size = (n - 1) * stride - 2 * pad + dilation * (k - 1) + 1 + output_padding;
    return size >= 1 && size <= limit ? size : 0;
}

// x (C, [H,] W), W (C, OC / group, [KH,] KW), b (OC) -> y (OC, [OH,] OW)
sgdi_status sgdi_deconvolution_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                           const bool *in_batched, int n_in, sgdi_shape *out,
                                           int n_out, char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_DECONVOLUTION, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const sgdi_shape *x = &in[0], *w = &in[1];
    const sgdi_window_attr *win = &attr->window;
    if (!in_batched[0] || in_batched[1] || (n_in == 3 && in_batched[2]))
        return sgdi_op_reason(msg, msg_size,
                              "Deconvolution: x must be batched, W and b parameters");
    if (x->ndim != 2 && x->ndim != 3)
        return sgdi_op_reason(msg, msg_size,
                              "Deconvolution: a sample has %d dimensions, expected (C, W) or "
                              "(C, H, W)",
                              x->ndim);
    st = sgdi_conv_check_window("Deconvolution", win, x->ndim - 1, msg, msg_size);
    if (st != SGDI_OK) return st;
    int64_t C = x->dim[0], group = win->group;
    if (w->ndim != x->ndim + 1)
        return sgdi_op_reason(msg, msg_size, "Deconvolution: W has %d dimensions, expected %d",
                              w->ndim, x->ndim + 1);
    if (w->dim[0] != C)
        return sgdi_op_reason(msg, msg_size, "Deconvolution: W has %lld input channels, x has %lld",
                              (long long)w->dim[0], (long long)C);
    if (C % group != 0)
        return sgdi_op_reason(msg, msg_size,
                              "Deconvolution: group %lld does not divide the %lld input channels",
                              (long long)group, (long long)C);
    if (w->dim[1] > ((int64_t)1 << 40) / group)
        return sgdi_op_reason(msg, msg_size, "Deconvolution: too many output channels");
    int64_t oc = w->dim[1] * group;
    if (n_in == 3 && (in[2].ndim != 1 || in[2].dim[0] != oc))
        return sgdi_op_reason(msg, msg_size, "Deconvolution: b must have shape (%lld)",
                              (long long)oc);
    sgdi_shape y = {.ndim = x->ndim, .dim = {oc}};
    for (int d = 1; d < x->ndim; d++) {
        int64_t op = win->output_padding[d - 1];
        if (op < 0 || op >= win->stride[d - 1])
            return sgdi_op_reason(msg, msg_size,
                                  "Deconvolution: output_padding %lld outside [0, stride %lld)",
                                  (long long)op, (long long)win->stride[d - 1]);
        y.dim[d] = deconv_out_size(x->dim[d], w->dim[d + 1], win->pad[d - 1], win->stride[d - 1],
                                   win->dilation[d - 1], op);
        if (y.dim[d] < 1)
            return sgdi_op_reason(msg, msg_size,
                                  "Deconvolution: input dimension %d of size %lld gives no "
                                  "output (kernel %lld, pad %lld, stride %lld, dilation %lld)",
                                  d, (long long)x->dim[d], (long long)w->dim[d + 1],
                                  (long long)win->pad[d - 1], (long long)win->stride[d - 1],
                                  (long long)win->dilation[d - 1]);
    }
    if (!sgdi_conv_fits(win, w->dim + 2, oc, y.dim + 1, C, x->dim + 1, group))
        return sgdi_op_reason(msg, msg_size,
                              "Deconvolution: the columns of a sample are too large");
    out[0] = y;
    return SGDI_OK;
}

int64_t sgdi_deconvolution_workspace(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in,
                                     const sgdi_shape *out, int64_t batch) {
    sgdi_conv_plan p = deconv_plan(attr, &in[0], &in[1], &out[0]);
    return sgdi_conv_workspace(&p, batch);
}

static sgdi_conv_plan call_plan(const sgdi_op_call *call) {
    return deconv_plan(call->attr, &call->in[0].shape, &call->in[1].shape, &call->out[0].shape);
}

static const sgdi_port *bias_port(const sgdi_op_call *call) {
    return call->n_in > 2 ? &call->in[2] : NULL;
}

// y[B][OC, out] = b + cols^T(W^T x)
void sgdi_deconvolution_forward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    const sgdi_port *b = bias_port(call);
    sgdi_real *y = call->out[0].val;
    sgdi_conv_fill_channels(y, b ? b->val : NULL, call->batch, p.in_ch, p.in_size);
    sgdi_conv_transpose(&p, call->batch, call->work, call->work_len, call->in[1].val,
                        call->in[0].val, NULL, NULL, y);
}

// y' = b' + cols^T(W^T x' + W'^T x)
void sgdi_deconvolution_tangent_forward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    sgdi_real *y_tan = call->out[0].tan;
    sgdi_conv_fill_channels(y_tan, b ? b->tan : NULL, call->batch, p.in_ch, p.in_size);
    sgdi_conv_transpose(&p, call->batch, call->work, call->work_len, w->val, x->tan, w->tan, x->val,
                        y_tan);
}

// x_bar[B][C, sp] += W cols(y_bar), W_bar += sum_n x[n] cols(y_bar[n])^T,
// b_bar += sums of y_bar
void sgdi_deconvolution_backward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    const sgdi_real *y_bar = call->out[0].adj;
    if (!y_bar) return;
    if (x->adj)
        sgdi_conv_apply(&p, call->batch, call->work, call->work_len, w->val, y_bar, NULL, NULL,
                        x->adj);
    if (w->adj)
        sgdi_conv_weight_corr(&p, call->batch, call->work, call->work_len, x->val, y_bar, NULL,
                              NULL, w->adj);
    if (b && b->adj) sgdi_conv_add_channel_sums(b->adj, y_bar, call->batch, p.in_ch, p.in_size);
}

// x_bar' += W cols(y_bar') + W' cols(y_bar)
// W_bar' += sum_n x[n] cols(y_bar'[n])^T + x'[n] cols(y_bar[n])^T
// b_bar' += sums of y_bar'
void sgdi_deconvolution_tangent_backward(const sgdi_op_call *call) {
    sgdi_conv_plan p = call_plan(call);
    const sgdi_port *x = &call->in[0], *w = &call->in[1], *b = bias_port(call);
    const sgdi_real *y_bar = call->out[0].adj, *y_bar_tan = call->out[0].adj_tan;
    if (x->adj_tan)
        sgdi_conv_apply(&p, call->batch, call->work, call->work_len, w->val, y_bar_tan, w->tan,
                        y_bar, x->adj_tan);
    if (w->adj_tan)
        sgdi_conv_weight_corr(&p, call->batch, call->work, call->work_len, x->val, y_bar_tan,
                              x->tan, y_bar, w->adj_tan);
    if (b && b->adj_tan && y_bar_tan)
        sgdi_conv_add_channel_sums(b->adj_tan, y_bar_tan, call->batch, p.in_ch, p.in_size);
}
