/*
 * test_images.c — the image decoders (src/data/image_png.c, image_jpeg.c) on
 * files this test writes with libpng and libjpeg, and the conversion to
 * channel-first floats (src/data/image_resize.c): channels, scaling and the
 * bilinear resize against a reference computed here.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"
#include "image_files.h"
#include "test_support.h"

static char dir[512];

// dir/name in one of a few rotating buffers.
static const char *at(const char *name) {
    static char bufs[4][1024];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

// Decodes a file; NULL (with the reason printed) on failure.
static void *load(const char *path, sgdi_image_shape *shape) {
    sgdi_image_limits limits = sgdi_image_default_limits();
    void *pixels = NULL;
    sgdi_error err;
    sgdi_status st = sgdi_image_load_file(path, &limits, shape, &pixels, &err);
    CHECK_MSG(st == SGDI_OK, "%s: %s", path, err.message);
    return pixels;
}

// Expects decoding `path` to fail with `status` and a reason containing `needle`.
static void expect_failure_at(int line, const char *path, sgdi_image_limits limits,
                              sgdi_status status, const char *needle) {
    sgdi_image_shape shape;
    void *pixels = (void *)&shape; // must be reset to NULL
    sgdi_error err = {SGDI_OK, ""};
    sgdi_status st = sgdi_image_load_file(path, &limits, &shape, &pixels, &err);
    CHECK_MSG(st == status, "line %d: status %d, expected %d (%s)", line, (int)st, (int)status,
              err.message);
    CHECK_MSG(pixels == NULL, "line %d: pixels not NULL", line);
    CHECK_MSG(strstr(err.message, needle) != NULL, "line %d: '%s' not in '%s'", line, needle,
              err.message);
}
#define EXPECT_FAILURE(path, status, needle)                                                       \
    expect_failure_at(__LINE__, path, sgdi_image_default_limits(), status, needle)

static bool same_shape(sgdi_image_shape s, int c, int h, int w, int depth) {
    return s.channels == c && s.height == h && s.width == w && s.depth == depth;
}

// --- PNG --------------------------------------------------------------------------

typedef struct png_case {
    const char *name;
    test_png png;
    int channels, depth; // expected
    const void *expected;
} png_case;

static void test_png_kinds(void) {
    static const uint8_t grey8[] = {0, 1, 2, 253, 254, 255};
    static const uint16_t grey16[] = {0, 1, 32768, 65535};
    static const uint8_t grey_alpha8[] = {10, 200, 20, 0}, grey_alpha8_out[] = {10, 20};
    static const uint16_t grey_alpha16[] = {1000, 5}, grey_alpha16_out[] = {1000};
    static const uint8_t rgb8[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252};
    static const uint8_t rgba8[] = {1, 2, 3, 4, 255, 128, 0, 77};
    static const uint16_t rgb16[] = {1, 2, 3, 65535, 40000, 300};
    static const uint16_t rgba16[] = {1, 2, 3, 4, 60000, 50000, 40000, 30000};
    static const uint8_t palette[] = {255, 0, 0, 0, 255, 0, 0, 0, 255}, alpha[] = {255, 0};
    static const uint8_t indices[] = {2, 0, 1, 1};
    static const uint8_t palette_rgba[] = {0, 0,   255, 255, 255, 0,   0, 255,
                                           0, 255, 0,   0,   0,   255, 0, 0};
    static const uint8_t palette_rgb[] = {0, 0, 255, 255, 0, 0, 0, 255, 0, 0, 255, 0};
    static const uint8_t grey1[] = {0xB0}, grey1_out[] = {255, 0, 255, 255, 0, 0, 0, 0};
    static const uint8_t grey4[] = {0x3F}, grey4_out[] = {51, 255};
    static uint8_t adam7[9 * 9 * 3];
    for (size_t i = 0; i < sizeof adam7; i++) adam7[i] = (uint8_t)(i * 37 + 11);
    const png_case cases[] = {
        {"grey8.png", TEST_PNG(3, 2, PNG_COLOR_TYPE_GRAY, 8, grey8), 1, 8, grey8},
        {"grey16.png", TEST_PNG(2, 2, PNG_COLOR_TYPE_GRAY, 16, grey16), 1, 16, grey16},
        {"ga8.png", TEST_PNG(2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, grey_alpha8), 1, 8,
         grey_alpha8_out},
        {"ga16.png", TEST_PNG(1, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 16, grey_alpha16), 1, 16,
         grey_alpha16_out},
        {"rgb8.png", TEST_PNG(2, 2, PNG_COLOR_TYPE_RGB, 8, rgb8), 3, 8, rgb8},
        {"rgba8.png", TEST_PNG(2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgba8), 4, 8, rgba8},
        {"rgb16.png", TEST_PNG(1, 2, PNG_COLOR_TYPE_RGB, 16, rgb16), 3, 16, rgb16},
        {"rgba16.png", TEST_PNG(2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 16, rgba16), 4, 16, rgba16},
        {"pal_trns.png",
         {.width = 2,
          .height = 2,
          .color_type = PNG_COLOR_TYPE_PALETTE,
          .bit_depth = 8,
          .samples = indices,
          .palette = palette,
          .palette_size = 3,
          .alpha = alpha,
          .alpha_size = 2},
         4,
         8,
         palette_rgba},
        {"pal.png",
         {.width = 2,
          .height = 2,
          .color_type = PNG_COLOR_TYPE_PALETTE,
          .bit_depth = 8,
          .samples = indices,
          .palette = palette,
          .palette_size = 3},
         3,
         8,
         palette_rgb},
        {"grey1.png", TEST_PNG(8, 1, PNG_COLOR_TYPE_GRAY, 1, grey1), 1, 8, grey1_out},
        {"grey4.png", TEST_PNG(2, 1, PNG_COLOR_TYPE_GRAY, 4, grey4), 1, 8, grey4_out},
        {"adam7.png",
         {.width = 9,
          .height = 9,
          .color_type = PNG_COLOR_TYPE_RGB,
          .bit_depth = 8,
          .samples = adam7,
          .interlaced = true},
         3,
         8,
         adam7},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const png_case *c = &cases[k];
        CHECK_MSG(test_write_png(at(c->name), &c->png), "%s", c->name);
        sgdi_image_shape shape;
        void *pixels = load(at(c->name), &shape);
        if (!pixels) continue;
        CHECK_MSG(same_shape(shape, c->channels, c->png.height, c->png.width, c->depth),
                  "%s: %dx%dx%d at %d bits", c->name, shape.channels, shape.height, shape.width,
                  shape.depth);
        CHECK_MSG(memcmp(pixels, c->expected, sgdi_image_bytes(shape)) == 0, "%s: pixels differ",
                  c->name);
        free(pixels);
    }
}

// --- JPEG -------------------------------------------------------------------------

static void gradient(uint8_t *out, int w, int h, int channels) {
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < channels; c++)
                out[(y * w + x) * channels + c] = (uint8_t)(20 + 6 * x + 4 * y + 25 * c);
}

static void test_jpeg(void) {
    enum { W = 16, H = 16 };
    for (int channels = 1; channels <= 3; channels += 2) {
        uint8_t src[W * H * 3];
        gradient(src, W, H, channels);
        const char *name = at(channels == 1 ? "grey.jpg" : "rgb.jpeg");
        CHECK(test_write_jpeg(name, W, H, channels, src, 95));
        sgdi_image_shape shape;
        uint8_t *pixels = load(name, &shape);
        if (!pixels) continue;
        CHECK(same_shape(shape, channels, H, W, 8));
        int worst = 0;
        for (int i = 0; i < W * H * channels; i++) {
            int d = abs((int)pixels[i] - (int)src[i]);
            worst = d > worst ? d : worst;
        }
        CHECK_MSG(worst <= 6, "JPEG differs from its source by %d", worst); // lossy, smooth image
        free(pixels);
    }
    // The content decides, as Pillow opens files: a JPEG named .png reads.
    size_t size;
    uint8_t *bytes = (uint8_t *)sgdi_test_read_file(at("rgb.jpeg"), &size);
    CHECK(bytes && test_write_file(at("really_a_jpeg.png"), bytes, size));
    free(bytes);
    sgdi_image_shape shape;
    free(load(at("really_a_jpeg.png"), &shape));
    CHECK(same_shape(shape, 3, H, W, 8));
}

// --- Bad files --------------------------------------------------------------------

static uint32_t crc32_of(const uint8_t *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_bad_files(void) {
    const sgdi_status F = SGDI_ERR_FORMAT;
    CHECK(test_write_file(at("empty.png"), "", 0));
    EXPECT_FAILURE(at("empty.png"), F, "the file is empty");
    CHECK(test_write_text(at("text.png"), "hello, not an image"));
    EXPECT_FAILURE(at("text.png"), F, "neither a PNG nor a JPEG");
    EXPECT_FAILURE(at("no_such_file.png"), SGDI_ERR_IO, "cannot open: No such file or directory");
    EXPECT_FAILURE(dir, SGDI_ERR_IO, "cannot read"); // a folder

    size_t size;
    uint8_t *png = (uint8_t *)sgdi_test_read_file(at("adam7.png"), &size);
    CHECK(png && size > 60);
    if (!png) return;
    for (size_t cut = 8; cut < size; cut += size / 7) {
        CHECK(test_write_file(at("cut.png"), png, cut));
        EXPECT_FAILURE(at("cut.png"), F, "truncated PNG");
    }
    CHECK(test_write_file(at("cut.png"), png, size - 1)); // inside IEND
    EXPECT_FAILURE(at("cut.png"), F, "truncated PNG");
    uint8_t saved = png[20];
    png[20] ^= 0x40; // inside IHDR: its CRC no longer matches
    CHECK(test_write_file(at("crc.png"), png, size));
    EXPECT_FAILURE(at("crc.png"), F, "invalid PNG: IHDR: CRC error");
    png[20] = saved;
    // Width 0, with a valid CRC: libpng refuses it.
    put32(png + 16, 0);
    put32(png + 29, crc32_of(png + 12, 17));
    CHECK(test_write_file(at("zero.png"), png, size));
    EXPECT_FAILURE(at("zero.png"), F,
                   "invalid PNG: Invalid IHDR data (Image width is zero in IHDR)");
    free(png);
    // Size limits are checked before the pixels are allocated.
    sgdi_image_limits small = {.max_side = 8, .max_pixels = 64};
    expect_failure_at(__LINE__, at("adam7.png"), small, F,
                      "invalid PNG: Invalid IHDR data (Image height exceeds user limit");
    small = (sgdi_image_limits){.max_side = 100, .max_pixels = 80};
    expect_failure_at(__LINE__, at("adam7.png"), small, SGDI_ERR_UNSUPPORTED,
                      "9x9 pixels, more than the 80 allowed");
    expect_failure_at(__LINE__, at("rgb.jpeg"), small, SGDI_ERR_UNSUPPORTED,
                      "16x16 pixels, more than allowed");

    uint8_t *jpeg = (uint8_t *)sgdi_test_read_file(at("rgb.jpeg"), &size);
    CHECK(jpeg && size > 200);
    if (!jpeg) return;
    CHECK(test_write_file(at("cut.jpg"), jpeg, size / 2));
    EXPECT_FAILURE(at("cut.jpg"), F, "truncated JPEG");
    CHECK(test_write_file(at("cut.jpg"), jpeg, 100)); // inside the header
    EXPECT_FAILURE(at("cut.jpg"), F, "truncated JPEG");
    // A marker in the middle of the entropy-coded data.
    uint8_t *bad = malloc(size);
    memcpy(bad, jpeg, size);
    bad[size - 40] = 0xFF, bad[size - 39] = 0xD3;
    CHECK(test_write_file(at("corrupt.jpg"), bad, size));
    EXPECT_FAILURE(at("corrupt.jpg"), F, "invalid JPEG: Corrupt JPEG data");
    // A frame type libjpeg does not decode (lossless, arithmetic...): 0xC8 is reserved.
    memcpy(bad, jpeg, size);
    bad[3] = 0xC8;
    CHECK(test_write_file(at("header.jpg"), bad, size));
    EXPECT_FAILURE(at("header.jpg"), F, "invalid JPEG: Unsupported JPEG process");
    free(bad);
    free(jpeg);
    uint8_t cmyk[4 * 8 * 8];
    memset(cmyk, 100, sizeof cmyk);
    CHECK(test_write_jpeg(at("cmyk.jpg"), 8, 8, 4, cmyk, 90));
    EXPECT_FAILURE(at("cmyk.jpg"), SGDI_ERR_UNSUPPORTED, "CMYK JPEG images are not supported");
}

// --- Conversion -------------------------------------------------------------------

static float unit8(unsigned v) {
    return (float)((double)v * (1.0 / 255.0));
}

static void test_channels_and_scale(void) {
    // Pure red, green, blue, white: Pillow's convert("L") gives 76, 150, 29, 255.
    static const uint8_t rgba[] = {255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30, 255, 255, 255, 40};
    sgdi_image_shape s4 = {4, 2, 2, 8};
    uint16_t scratch[16];
    float out[16];
    sgdi_image_to_chw(rgba, s4, 1, 2, 2, false, scratch, out);
    CHECK(out[0] == 76 && out[1] == 150 && out[2] == 29 && out[3] == 255);
    sgdi_image_to_chw(rgba, s4, 3, 2, 2, false, scratch, out); // the alpha dropped
    CHECK(out[0] == 255 && out[1] == 0 && out[4] == 0 && out[5] == 255 && out[11] == 255);
    sgdi_image_to_chw(rgba, s4, 4, 2, 2, true, scratch, out); // as it is, scaled
    CHECK(out[0] == 1.0f && out[12] == unit8(10) && out[15] == unit8(40));

    static const uint8_t grey[] = {0, 51, 102, 255};
    sgdi_image_shape s1 = {1, 2, 2, 8};
    sgdi_image_to_chw(grey, s1, 3, 2, 2, true, scratch, out); // replicated
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 4; p++) CHECK(out[c * 4 + p] == unit8(grey[p]));
    CHECK(out[1] == 0.2f);
    sgdi_image_to_chw(grey, s1, 4, 2, 2, false, scratch, out); // an opaque alpha added
    CHECK(out[12] == 255 && out[15] == 255 && out[9] == 51);

    static const uint8_t rgb[] = {1, 2, 3, 4, 5, 6};
    sgdi_image_shape s3 = {3, 1, 2, 8};
    sgdi_image_to_chw(rgb, s3, 4, 1, 2, true, scratch, out);
    CHECK(out[0] == unit8(1) && out[1] == unit8(4) && out[5] == unit8(6));
    CHECK(out[6] == 1.0f && out[7] == 1.0f);

    static const uint16_t deep[] = {0, 1, 32768, 65535};
    sgdi_image_shape s16 = {1, 2, 2, 16};
    sgdi_image_to_chw(deep, s16, 1, 2, 2, true, scratch, out);
    CHECK(out[0] == 0.0f && out[3] == 1.0f);
    CHECK(out[2] == (float)(32768.0 * (1.0 / 65535.0)));
    sgdi_image_to_chw(deep, s16, 3, 2, 2, false, scratch, out);
    CHECK(out[3] == 65535 && out[6] == 32768 && out[11] == 65535);
    // On 16 bits each weight shows: 19595 * 65535 / 65536 = 19594.7 and so on.
    static const uint16_t deep_rgb[] = {65535, 0, 0, 0, 65535, 0, 0, 0, 65535};
    sgdi_image_to_chw(deep_rgb, (sgdi_image_shape){3, 1, 3, 16}, 1, 1, 3, false, scratch, out);
    CHECK(out[0] == 19595 && out[1] == 38469 && out[2] == 7471);
}

// The reference resize: OpenCV's cv2.resize(INTER_LINEAR), which nnabla's imresize uses,
// written out from the formulas in src/data/image_resize.c, independently of its code.
// Along one axis, output index d of `out` taken from `in` samples:
//   f = (float)((d + 0.5) * (1 / (out / in)) - 0.5), s = floor(f), a = f - s;
// columns clamp (s < 0: s = 0, a = 0; s >= in - 1: s = in - 1, a = 0); rows keep a and
// clamp only the two rows read. 8 bits: 11-bit fixed-point weights rint(2048 w), the
// row sums shifted >> 4, multiplied by the row weights >> 16, then (v + 2) >> 2.
// 16 bits: float throughout, rounded half to even. An exact halving of both sides is
// the 2x2 mean, (sum + 2) >> 2. The anchors below come from OpenCV 4.6 itself.
typedef struct tap {
    int lo, hi;
    float w_lo, w_hi;
} tap;

static tap axis_tap(int d, int in, int out, int clamp) {
    float f = (float)((d + 0.5) * (1.0 / ((double)out / in)) - 0.5);
    int s = (int)floorf(f);
    f -= (float)s;
    if (clamp && s < 0) s = 0, f = 0;
    if (clamp && s >= in - 1) s = in - 1, f = 0;
    tap t = {s < 0        ? 0
             : s > in - 1 ? in - 1
                          : s,
             s + 1 < 0        ? 0
             : s + 1 > in - 1 ? in - 1
                              : s + 1,
             1.0f - f, f};
    return t;
}

static double reference_pixel(const uint16_t *src, int depth, int channels, int ih, int iw, int c,
                              int oh, int ow, int y, int x) {
#define P(yy, xx) src[((yy)*iw + (xx)) * channels + c]
    if (ih == 2 * oh && iw == 2 * ow)
        return (P(2 * y, 2 * x) + P(2 * y, 2 * x + 1) + P(2 * y + 1, 2 * x) +
                P(2 * y + 1, 2 * x + 1) + 2) >>
               2;
    tap ty = axis_tap(y, ih, oh, 0), tx = axis_tap(x, iw, ow, 1);
    if (depth == 8) {
        long ax = lrintf(tx.w_lo * 2048), bx = lrintf(tx.w_hi * 2048);
        long ay = lrintf(ty.w_lo * 2048), by = lrintf(ty.w_hi * 2048);
        long top = ax * P(ty.lo, tx.lo) + bx * P(ty.lo, tx.hi);
        long bottom = ax * P(ty.hi, tx.lo) + bx * P(ty.hi, tx.hi);
        long v = (((ay * (top >> 4)) >> 16) + ((by * (bottom >> 4)) >> 16) + 2) >> 2;
        return v > 255 ? 255 : v;
    }
    float top = (float)P(ty.lo, tx.lo) * tx.w_lo + (float)P(ty.lo, tx.hi) * tx.w_hi;
    float bottom = (float)P(ty.hi, tx.lo) * tx.w_lo + (float)P(ty.hi, tx.hi) * tx.w_hi;
#undef P
    long v = lrintf(top * ty.w_lo + bottom * ty.w_hi);
    return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

static void check_resize(int channels, int depth, int ih, int iw, int oh, int ow, unsigned seed) {
    uint16_t src16[64 * 64 * 4];
    uint8_t src8[64 * 64 * 4];
    for (int i = 0; i < ih * iw * channels; i++) {
        seed = seed * 1103515245u + 12345u;
        src16[i] = (uint16_t)(depth == 8 ? (seed >> 16) & 0xFF : (seed >> 8) & 0xFFFF);
        src8[i] = (uint8_t)src16[i];
    }
    sgdi_image_shape s = {channels, ih, iw, depth};
    float *out = malloc(sizeof(float) * (size_t)(channels * oh * ow));
    uint16_t scratch[1];
    sgdi_image_to_chw(depth == 8 ? (const void *)src8 : (const void *)src16, s, channels, oh, ow,
                      false, scratch, out);
    int wrong = 0;
    for (int c = 0; c < channels; c++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                if (out[(c * oh + y) * ow + x] !=
                    (float)reference_pixel(src16, depth, channels, ih, iw, c, oh, ow, y, x))
                    wrong++;
    CHECK_MSG(wrong == 0, "%dx%dx%d at %d bits -> %dx%d: %d values differ", channels, ih, iw, depth,
              oh, ow, wrong);
    free(out);
}

static void test_resize(void) {
    // Anchors from OpenCV 4.6: cv2.resize(image, (4, 4), interpolation=cv2.INTER_LINEAR).
    static const uint8_t grey[] = {0, 100, 200, 255};
    static const float grown[] = {0,   25,  75,  100, 50,  72,  117, 139,
                                  150, 167, 200, 216, 200, 214, 241, 255};
    float out[16];
    uint16_t scratch[1];
    sgdi_image_to_chw(grey, (sgdi_image_shape){1, 2, 2, 8}, 1, 4, 4, false, scratch, out);
    CHECK(memcmp(out, grown, sizeof grown) == 0);
    // Halving: the mean of each 2x2 block, rounded half up (1.5, 25.25, 7, 7.25).
    static const uint8_t block[] = {0, 1, 10, 20, 2, 3, 30, 41, 7, 7, 7, 7, 7, 7, 7, 8};
    sgdi_image_to_chw(block, (sgdi_image_shape){1, 4, 4, 8}, 1, 2, 2, false, scratch, out);
    CHECK(out[0] == 2 && out[1] == 25 && out[2] == 7 && out[3] == 7);
    // 16 bits, 2x2 -> 5 rows of 3.
    static const uint16_t deep[] = {0, 1000, 60000, 65535};
    static const float deep_grown[] = {0,     500,   1000,  6000,  6727,  7454,  30000, 31634,
                                       33268, 54000, 56541, 59082, 60000, 62768, 65535};
    sgdi_image_to_chw(deep, (sgdi_image_shape){1, 2, 2, 16}, 1, 5, 3, false, scratch, out);
    CHECK(memcmp(out, deep_grown, sizeof deep_grown) == 0);
    // Against the reference, growing and shrinking, 8 and 16 bits.
    check_resize(1, 8, 5, 7, 13, 4, 1u);
    check_resize(3, 8, 4, 3, 7, 5, 2u);
    check_resize(3, 8, 31, 29, 8, 8, 3u);
    check_resize(4, 16, 6, 9, 11, 2, 4u);
    check_resize(3, 16, 1, 1, 3, 3, 5u);
    check_resize(1, 8, 28, 28, 32, 32, 6u);
    check_resize(3, 8, 12, 10, 6, 5, 7u);  // halving
    check_resize(4, 16, 12, 10, 6, 5, 8u); // halving
    check_resize(1, 16, 9, 13, 3, 40, 9u);
}

int main(void) {
    if (!test_make_temp_dir(dir, sizeof dir)) {
        fprintf(stderr, "cannot make a temporary folder\n");
        return 1;
    }
    RUN(test_png_kinds);
    RUN(test_jpeg);
    RUN(test_bad_files);
    RUN(test_channels_and_scale);
    RUN(test_resize);
    test_remove_tree(dir);
    return sgdi_test_finish();
}
