/*
 * image_resize.c — decoded pixels to the network's channel-first floats:
 * channel conversion, bilinear resizing and scaling (see image.h).
 *
 * The resize is what nnabla's imresize does by default. nnabla picks the
 * first image backend that can resize: OpenCV when it is installed (its
 * documented priority), whose "bilinear" is cv2.resize(INTER_LINEAR); we
 * reproduce that bit for bit (checked against Debian's OpenCV 4.6 on random
 * images, 8 and 16 bits, 1, 3 and 4 channels, growing and shrinking):
 *
 *   columns:  f = (float)((x + 0.5) * (1 / (W_out / W_in)) - 0.5),  s = floor(f),  a = f - s;
 *             s < 0: s = 0, a = 0;  s >= W_in - 1: s = W_in - 1, a = 0
 *   rows:     the same f, s and a, not clamped; rows s and s + 1 are clamped to the image
 *   8 bits:   fixed point: A = rint(2048 (1 - a)), B = rint(2048 a) for each axis;
 *             h = A p[s] + B p[s + 1] along the row, then
 *             v = ((A_y (h_0 >> 4)) >> 16) + ((B_y (h_1 >> 4)) >> 16),  out = (v + 2) >> 2
 *   16 bits:  in float: h = (1 - a) p[s] + a p[s + 1], v = (1 - a_y) h_0 + a_y h_1,
 *             out = v rounded half to even
 *   halving both sides exactly: the mean of each 2x2 block, (sum + 2) >> 2
 *
 * No antialiasing when shrinking. Pillow's BILINEAR, which nnabla uses
 * without OpenCV, averages over the whole footprint and gives smoother
 * images; nnabla's data loader also swaps height and width for a
 * non-square target, which we do not reproduce.
 */
#include <math.h>
#include <string.h>

#include "data/image.h"

// Interleaved integer samples: 1 or 2 bytes each.
typedef struct samples {
    const void *data;
    int bytes;
    int64_t channels, height, width;
} samples;

static inline uint32_t sample_at(const samples *s, size_t i) {
    return s->bytes == 1 ? ((const uint8_t *)s->data)[i] : ((const uint16_t *)s->data)[i];
}

// Luma of ITU-R 601-2 as Pillow's convert("L"): weights sum to 2^16.
static inline uint16_t luma(uint32_t r, uint32_t g, uint32_t b) {
    return (uint16_t)(((uint64_t)r * 19595 + (uint64_t)g * 38470 + (uint64_t)b * 7471 + 0x8000) >>
                      16);
}

// [H][W][src channels] -> scratch [H][W][channels], on the integer samples.
// Shapes: src [h][w][cs], out [h][w][cd], cs and cd in {1, 3, 4}.
static void convert_channels(const samples *src, int64_t channels, uint32_t opaque, uint16_t *out) {
    size_t pixels = (size_t)src->height * (size_t)src->width;
    int64_t cs = src->channels, cd = channels;
    for (size_t p = 0; p < pixels; p++) {
        size_t i = p * (size_t)cs;
        uint16_t *o = out + p * (size_t)cd;
        if (cs == 1) {
            uint16_t g = (uint16_t)sample_at(src, i);
            o[0] = g;
            if (cd >= 3) o[1] = g, o[2] = g;
        } else if (cd == 1) {
            o[0] = luma(sample_at(src, i), sample_at(src, i + 1), sample_at(src, i + 2));
        } else {
            for (int c = 0; c < 3; c++) o[c] = (uint16_t)sample_at(src, i + (size_t)c);
        }
        if (cd == 4) o[3] = (uint16_t)(cs == 4 ? sample_at(src, i + 3) : opaque);
    }
}

// One output index along an axis: source indices and weights.
typedef struct axis_tap {
    int64_t lo, hi;
    float w_lo, w_hi;
} axis_tap;

// OpenCV's INTER_LINEAR source coordinate of output index d; `clamp` as for
// columns (rows keep the weights of the unclamped coordinate).
static axis_tap linear_tap(int64_t d, int64_t in, int64_t out, bool clamp) {
    double scale = 1.0 / ((double)out / (double)in);
    float f = (float)(((double)d + 0.5) * scale - 0.5);
    int64_t s = (int64_t)floorf(f);
    f -= (float)s;
    if (clamp && s < 0) s = 0, f = 0.0f;
    if (clamp && s >= in - 1) s = in - 1, f = 0.0f;
    int64_t lo = s < 0     ? 0
                 : s >= in ? in - 1
                           : s,
            hi = s + 1 < 0     ? 0
                 : s + 1 >= in ? in - 1
                               : s + 1;
    return (axis_tap){lo, hi, 1.0f - f, f};
}

// OpenCV's 11-bit fixed-point weight (saturate_cast<short> rounds half to even).
static inline int32_t fixed_weight(float w) {
    return (int32_t)lrintf(w * 2048.0f);
}

// One resized sample of channel c at output (y, x). Shapes: s [h][w][channels].
static uint32_t resized_sample(const samples *s, int depth, size_t c, axis_tap ty, axis_tap tx) {
    size_t row = (size_t)s->width * (size_t)s->channels, ch = (size_t)s->channels;
    size_t i00 = (size_t)ty.lo * row + (size_t)tx.lo * ch + c;
    size_t i01 = (size_t)ty.lo * row + (size_t)tx.hi * ch + c;
    size_t i10 = (size_t)ty.hi * row + (size_t)tx.lo * ch + c;
    size_t i11 = (size_t)ty.hi * row + (size_t)tx.hi * ch + c;
    if (depth == 8) {
        int32_t ax = fixed_weight(tx.w_lo), bx = fixed_weight(tx.w_hi);
        int32_t ay = fixed_weight(ty.w_lo), by = fixed_weight(ty.w_hi);
        int32_t h0 = ax * (int32_t)sample_at(s, i00) + bx * (int32_t)sample_at(s, i01);
        int32_t h1 = ax * (int32_t)sample_at(s, i10) + bx * (int32_t)sample_at(s, i11);
        int32_t v = (((ay * (h0 >> 4)) >> 16) + ((by * (h1 >> 4)) >> 16) + 2) >> 2;
        return v < 0 ? 0u : v > 255 ? 255u : (uint32_t)v;
    }
    float h0 = (float)sample_at(s, i00) * tx.w_lo + (float)sample_at(s, i01) * tx.w_hi;
    float h1 = (float)sample_at(s, i10) * tx.w_lo + (float)sample_at(s, i11) * tx.w_hi;
    long v = lrintf(h0 * ty.w_lo + h1 * ty.w_hi);
    return v < 0 ? 0u : v > 65535 ? 65535u : (uint32_t)v;
}

static inline float scaled(uint32_t v, bool normalize, double unit) {
    return normalize ? (float)((double)v * unit) : (float)v;
}

void sgdi_image_to_chw(const void *pixels, sgdi_image_shape src, int64_t channels, int64_t height,
                       int64_t width, bool normalize, uint16_t *scratch, float *out) {
    samples s = {pixels, src.depth / 8, src.channels, src.height, src.width};
    uint32_t max = src.depth == 8 ? 255u : 65535u;
    double unit = 1.0 / (double)max; // nnabla: image * (1.0 / 255.0), in double
    if (channels != src.channels) {
        convert_channels(&s, channels, max, scratch);
        s = (samples){scratch, 2, channels, src.height, src.width};
    }
    size_t plane = (size_t)height * (size_t)width;
    if (height == src.height && width == src.width) {
        for (int64_t c = 0; c < channels; c++)
            for (size_t p = 0; p < plane; p++)
                out[(size_t)c * plane + p] =
                    scaled(sample_at(&s, p * (size_t)channels + (size_t)c), normalize, unit);
        return;
    }
    // OpenCV turns an exact halving into its fast area mean, which rounds half up.
    bool halving = s.height == 2 * height && s.width == 2 * width;
    size_t row = (size_t)s.width * (size_t)channels;
    for (int64_t y = 0; y < height; y++) {
        axis_tap ty = linear_tap(y, s.height, height, false);
        for (int64_t x = 0; x < width; x++) {
            axis_tap tx = linear_tap(x, s.width, width, true);
            for (int64_t c = 0; c < channels; c++) {
                uint32_t k;
                if (halving) {
                    size_t i = (size_t)(2 * y) * row + (size_t)(2 * x * channels + c);
                    k = (sample_at(&s, i) + sample_at(&s, i + (size_t)channels) +
                         sample_at(&s, i + row) + sample_at(&s, i + row + (size_t)channels) + 2) >>
                        2;
                } else {
                    k = resized_sample(&s, src.depth, (size_t)c, ty, tx);
                }
                out[(size_t)c * plane + (size_t)y * (size_t)width + (size_t)x] =
                    scaled(k, normalize, unit);
            }
        }
    }
}
