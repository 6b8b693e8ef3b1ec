/*
 * test_ops_cases_conv.c — operator test cases (see test_ops_cases.h): Convolution,
 * DepthwiseConvolution, Deconvolution.
 *
 * Small shapes (the harness differentiates in double precision, many calls per case) that
 * between them reach every path of the kernels: padding wider than the kernel's reach,
 * strides, dilations, groups, multipliers, output_padding, 1-D samples, no bias, and the
 * 1x1 kernels that use the image as its own columns (no scratch), and the 3x3 stride-1
 * shapes with four or more channels that take Winograd's transforms (winograd.c).
 */
#include "test_ops_cases.h"

static sgdi_shape shape4(int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    sgdi_shape s = {.ndim = ndim, .dim = {d0, d1, d2, d3}};
    return s;
}

// x (batched), W, b (if bias_len > 0), all N(0, 1).
static void conv_inputs(op_case *c, sgdi_shape x, sgdi_shape w, int64_t bias_len) {
    c->n_in = bias_len > 0 ? 3 : 2;
    c->shape[0] = x, c->batched[0] = true, c->gen[0] = GEN_NORMAL;
    c->shape[1] = w, c->batched[1] = false, c->gen[1] = GEN_NORMAL;
    c->shape[2] = shape4(1, bias_len, 0, 0, 0), c->batched[2] = false, c->gen[2] = GEN_NORMAL;
}

// The window attributes for `ndim` spatial dims: (height, width) values, or the width's
// for 1-D.
static void window(op_case *c, int ndim, const int64_t pad[2], const int64_t stride[2],
                   const int64_t dilation[2], int64_t group) {
    sgdi_window_attr *w = &c->attr.window;
    w->ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        int k = ndim == 1 ? 1 : d;
        w->pad[d] = pad[k], w->stride[d] = stride[k], w->dilation[d] = dilation[k];
    }
    w->group = group;
}

bool setup_convolution(int variant, op_case *c) {
    switch (variant) {
    case 0: // 3x3, pad 1 ("same"), bias
        conv_inputs(c, shape4(3, 2, 5, 4, 0), shape4(4, 3, 2, 3, 3), 3);
        window(c, 2, (int64_t[]){1, 1}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    case 1: // two groups, stride 2, dilation 2 along H, padding along W only
        conv_inputs(c, shape4(3, 4, 7, 6, 0), shape4(4, 4, 2, 2, 3), 4);
        window(c, 2, (int64_t[]){0, 1}, (int64_t[]){2, 2}, (int64_t[]){2, 1}, 2);
        return true;
    case 2: // 1-D, stride 2, dilation 2, no bias
        conv_inputs(c, shape4(2, 2, 7, 0, 0), shape4(3, 3, 2, 3, 0), 0);
        window(c, 1, (int64_t[]){0, 1}, (int64_t[]){1, 2}, (int64_t[]){1, 2}, 1);
        return true;
    case 3: // 1x1, stride 1, no padding: the image is its own columns; no bias
        conv_inputs(c, shape4(3, 3, 3, 4, 0), shape4(4, 2, 3, 1, 1), 0);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    case 4: // 1x1 with stride 2 (columns again), bias
        conv_inputs(c, shape4(3, 2, 5, 5, 0), shape4(4, 2, 2, 1, 1), 2);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){2, 2}, (int64_t[]){1, 1}, 1);
        return true;
    case 5: // three groups of one channel, padding beyond the kernel's reach, stride 3
        conv_inputs(c, shape4(3, 3, 3, 3, 0), shape4(4, 6, 1, 2, 2), 6);
        window(c, 2, (int64_t[]){2, 2}, (int64_t[]){3, 3}, (int64_t[]){1, 1}, 3);
        return true;
    case 6: // Winograd F(4x4, 3x3): 4 channels each side, pad 1, odd output (5x3): partial
            // tiles at both edges
        conv_inputs(c, shape4(3, 4, 5, 3, 0), shape4(4, 4, 4, 3, 3), 4);
        window(c, 2, (int64_t[]){1, 1}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    case 7: // Winograd F(4x4, 3x3), no padding (6x7 -> 4x5), 5 -> 4 channels, no bias
        conv_inputs(c, shape4(3, 5, 6, 7, 0), shape4(4, 4, 5, 3, 3), 0);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    case 8: // Winograd F(2x2, 3x3), which a plane two outputs high takes (4x7 -> 2x5, the
            // last tile column half outside), 4 -> 5 channels
        conv_inputs(c, shape4(3, 4, 4, 7, 0), shape4(4, 5, 4, 3, 3), 5);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    }
    return false;
}

bool setup_depthwise_convolution(int variant, op_case *c) {
    switch (variant) {
    case 0: // multiplier 1, 3x3, pad 1, bias
        conv_inputs(c, shape4(3, 3, 4, 5, 0), shape4(3, 3, 3, 3, 0), 3);
        window(c, 2, (int64_t[]){1, 1}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    case 1: // multiplier 2, stride 2, dilation 2, no bias
        conv_inputs(c, shape4(3, 2, 6, 7, 0), shape4(3, 4, 2, 3, 0), 0);
        window(c, 2, (int64_t[]){0, 1}, (int64_t[]){2, 2}, (int64_t[]){2, 2}, 2);
        return true;
    case 2: // 1-D, multiplier 3, pad 1, bias
        conv_inputs(c, shape4(2, 2, 6, 0, 0), shape4(2, 6, 3, 0, 0), 6);
        window(c, 1, (int64_t[]){0, 1}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 3);
        return true;
    }
    return false;
}

bool setup_deconvolution(int variant, op_case *c) {
    switch (variant) {
    case 0: // 2x2, stride 1, no padding, bias: (2, 3, 3) -> (3, 4, 4)
        conv_inputs(c, shape4(3, 2, 3, 3, 0), shape4(4, 2, 3, 2, 2), 3);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    case 1: // two groups, stride 2, pad 1, output_padding 1, dilation 2 along W:
            // (4, 3, 4) -> (2, 6, 10)
        conv_inputs(c, shape4(3, 4, 3, 4, 0), shape4(4, 4, 1, 3, 3), 2);
        window(c, 2, (int64_t[]){1, 1}, (int64_t[]){2, 2}, (int64_t[]){1, 2}, 2);
        c->attr.window.output_padding[0] = c->attr.window.output_padding[1] = 1;
        return true;
    case 2: // 1-D, stride 3, pad 1, output_padding 2, no bias: (3, 4) -> (2, 12)
        conv_inputs(c, shape4(2, 3, 4, 0, 0), shape4(3, 3, 2, 3, 0), 0);
        window(c, 1, (int64_t[]){0, 1}, (int64_t[]){1, 3}, (int64_t[]){1, 1}, 1);
        c->attr.window.output_padding[0] = 2;
        return true;
    case 3: // 1x1, stride 1: no scratch; three groups, bias
        conv_inputs(c, shape4(3, 3, 2, 3, 0), shape4(4, 3, 2, 1, 1), 6);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 3);
        return true;
    case 4: // 3x3, stride 1, 4 -> 4 channels: Winograd read backwards (4x3 -> 6x5)
        conv_inputs(c, shape4(3, 4, 4, 3, 0), shape4(4, 4, 4, 3, 3), 4);
        window(c, 2, (int64_t[]){0, 0}, (int64_t[]){1, 1}, (int64_t[]){1, 1}, 1);
        return true;
    }
    return false;
}
