/*
 * image_augmentation.c — ImageAugmentation (nnabla), the part with a per-sample,
 * replayable meaning: a crop and flips.
 *
 * Ports: in[0] x (batched), per-sample (C, H, W) or (H, W); out[0] y, (C, out_h, out_w)
 * or (out_h, out_w). In training each sample's output is the (out_h, out_w) window at
 * (top, left) of its image zero-padded by pad = (pad_h, pad_w) on each side, mirrored
 * left-right and/or upside-down (flip_lr / flip_ud enable the coin flips); every
 * channel gets the same window. In evaluation it is the centre window
 * (top = floor((H + 2 pad_h - out_h) / 2), likewise left), unflipped.
 *
 * The randomness of the sample from dataset row r at step t is one Philox block,
 * counter (0, r, t, AUGMENT | stream) with r and t truncated to 32 bits, key = seed:
 *
 *     top  = floor(out[0] (H + 2 pad_h - out_h + 1) / 2^32)   (in padded coordinates)
 *     left = floor(out[1] (W + 2 pad_w - out_w + 1) / 2^32)
 *     flip_lr = flip_lr && (out[2] >> 31),  flip_ud = flip_ud && (out[3] >> 31)
 *
 * recomputed in every call, so training, replay and scoring agree, and a sample's crop
 * depends on its row, not on its batch-mates.
 *
 * nnabla differs: it draws the offset in 1/1000 steps of the free range and
 * interpolates bilinearly, clamps at the border instead of reading zeros, and uses a
 * global mt19937. Scale, angle, aspect ratio, distortion, brightness, contrast and noise
 * have no counterpart here: the model loader refuses them.
 *
 * For a fixed draw the operator is a linear map A (a selection), so
 *
 *     forward y = A x, tangent_forward y' = A x', backward x_bar += A^T y_bar,
 *     tangent_backward x_bar' += A^T y_bar'.
 */
#include <assert.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"
#include "util/rng.h"

enum { AUGMENT_MAX_PADDED = 1 << 30 }; // keeps the multiply-shift draws in 64 bits

// One sample's window: rows top.. and columns left.. of the unpadded image (negative or
// past the end = padding), and its flips.
typedef struct crop {
    int64_t top, left;
    bool flip_lr, flip_ud;
} crop;

// A uniform integer in [0, n) from one 32-bit word (n <= 2^32).
static inline int64_t draw_below(uint32_t word, int64_t n) {
    return (int64_t)(((uint64_t)word * (uint64_t)n) >> 32);
}

// The window of sample `sample` for an (h, w) image (see the header).
static crop sample_crop(const sgdi_op_call *call, int64_t sample, int64_t h, int64_t w) {
    const sgdi_augment_attr *a = &call->attr->augment;
    const sgdi_exec_ctx *ctx = call->ctx;
    int64_t free_h = h + 2 * a->pad[0] - a->out_h, free_w = w + 2 * a->pad[1] - a->out_w;
    if (!ctx || !ctx->training)
        return (crop){.top = free_h / 2 - a->pad[0], .left = free_w / 2 - a->pad[1]};
    assert(ctx->rows != NULL);
    uint32_t ctr[4] = {0, (uint32_t)ctx->rows[sample], (uint32_t)ctx->step,
                       (uint32_t)SGDI_RNG_AUGMENT | call->attr->rng_stream};
    uint32_t out[4];
    sgdi_philox(ctx->seed, ctr, out);
    return (crop){.top = draw_below(out[0], free_h + 1) - a->pad[0],
                  .left = draw_below(out[1], free_w + 1) - a->pad[1],
                  .flip_lr = a->flip_lr && (out[2] >> 31),
                  .flip_ud = a->flip_ud && (out[3] >> 31)};
}

// The image layout of one call: `planes` (h, w) images per sample, cropped to (oh, ow).
typedef struct augment_geom {
    int64_t planes, h, w, oh, ow;
} augment_geom;

static augment_geom augment_geometry(const sgdi_op_call *call) {
    const sgdi_shape *s = &call->in[0].shape;
    augment_geom g = {.planes = s->ndim == 3 ? s->dim[0] : 1,
                      .h = s->dim[s->ndim - 2],
                      .w = s->dim[s->ndim - 1],
                      .oh = call->attr->augment.out_h,
                      .ow = call->attr->augment.out_w};
    return g;
}

// dst = A src (transpose false) or dst += A^T src (transpose true), sample by sample.
// x side: [B, planes, h, w]; y side: [B, planes, oh, ow]
static void augment_map(const sgdi_op_call *call, const sgdi_real *src, sgdi_real *dst,
                        bool transpose) {
    augment_geom g = augment_geometry(call);
    int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
    for (int64_t b = 0; b < call->batch; b++) {
        crop cr = sample_crop(call, b, g.h, g.w);
        for (int64_t p = 0; p < g.planes; p++) {
            int64_t xo = (b * g.planes + p) * in_plane, yo = (b * g.planes + p) * out_plane;
            for (int64_t i = 0; i < g.oh; i++) {
                int64_t si = cr.top + (cr.flip_ud ? g.oh - 1 - i : i);
                bool row_in = si >= 0 && si < g.h;
                for (int64_t j = 0; j < g.ow; j++) {
                    int64_t sj = cr.left + (cr.flip_lr ? g.ow - 1 - j : j);
                    bool in = row_in && sj >= 0 && sj < g.w;
                    int64_t xi = xo + si * g.w + sj, yi = yo + i * g.ow + j;
                    if (transpose) {
                        if (in) dst[xi] += src[yi];
                    } else {
                        dst[yi] = in ? src[xi] : 0;
                    }
                }
            }
        }
    }
}

// x (C, H, W) or (H, W) -> y (C, out_h, out_w) or (out_h, out_w)
sgdi_status sgdi_image_augmentation_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                                const bool *in_batched, int n_in, sgdi_shape *out,
                                                int n_out, char *msg, size_t msg_size) {
    sgdi_status st =
        sgdi_op_check_inputs(SGDI_OP_IMAGE_AUGMENTATION, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    const sgdi_augment_attr *a = &attr->augment;
    if (!in_batched[0])
        return sgdi_op_reason(msg, msg_size, "ImageAugmentation: input must be batched");
    if (in[0].ndim < 2 || in[0].ndim > 3)
        return sgdi_op_reason(msg, msg_size,
                              "ImageAugmentation: input has %d dims per sample, expected "
                              "(H, W) or (C, H, W)",
                              in[0].ndim);
    int64_t h = in[0].dim[in[0].ndim - 2], w = in[0].dim[in[0].ndim - 1];
    if (a->out_h < 1 || a->out_w < 1 || a->pad[0] < 0 || a->pad[1] < 0)
        return sgdi_op_reason(msg, msg_size, "ImageAugmentation: output %lldx%lld, pad %lldx%lld",
                              (long long)a->out_h, (long long)a->out_w, (long long)a->pad[0],
                              (long long)a->pad[1]);
    if (a->pad[0] > AUGMENT_MAX_PADDED || a->pad[1] > AUGMENT_MAX_PADDED ||
        h + 2 * a->pad[0] > AUGMENT_MAX_PADDED || w + 2 * a->pad[1] > AUGMENT_MAX_PADDED)
        return sgdi_op_reason(msg, msg_size, "ImageAugmentation: padded image larger than %d",
                              (int)AUGMENT_MAX_PADDED);
    if (a->out_h > h + 2 * a->pad[0] || a->out_w > w + 2 * a->pad[1])
        return sgdi_op_reason(msg, msg_size,
                              "ImageAugmentation: output %lldx%lld larger than the padded input "
                              "%lldx%lld",
                              (long long)a->out_h, (long long)a->out_w,
                              (long long)(h + 2 * a->pad[0]), (long long)(w + 2 * a->pad[1]));
    out[0] = in[0];
    out[0].dim[in[0].ndim - 2] = a->out_h;
    out[0].dim[in[0].ndim - 1] = a->out_w;
    return SGDI_OK;
}

// y[B, C, oh, ow] = A x
void sgdi_image_augmentation_forward(const sgdi_op_call *call) {
    augment_map(call, call->in[0].val, call->out[0].val, false);
}

// y'[B, C, oh, ow] = A x'
void sgdi_image_augmentation_tangent_forward(const sgdi_op_call *call) {
    if (call->in[0].tan) {
        augment_map(call, call->in[0].tan, call->out[0].tan, false);
    } else {
        int64_t n = sgdi_port_len(call, &call->out[0]);
        for (int64_t i = 0; i < n; i++) call->out[0].tan[i] = 0;
    }
}

// x_bar[B, C, H, W] += A^T y_bar
void sgdi_image_augmentation_backward(const sgdi_op_call *call) {
    if (call->in[0].adj && call->out[0].adj)
        augment_map(call, call->out[0].adj, call->in[0].adj, true);
}

// A does not depend on x: x_bar'[B, C, H, W] += A^T y_bar'
void sgdi_image_augmentation_tangent_backward(const sgdi_op_call *call) {
    if (call->in[0].adj_tan && call->out[0].adj_tan)
        augment_map(call, call->out[0].adj_tan, call->in[0].adj_tan, true);
}
