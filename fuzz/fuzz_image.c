/*
 * fuzz_image.c — libFuzzer target for the image decoders (PNG and JPEG from
 * memory, chosen by content as datasets choose them) and the conversion of
 * what they decode into network samples.
 *
 * Checks what the dataset code relies on: a failure has a status, a one-line
 * reason and no pixels; a decoded image has 1, 3 or 4 channels, 8 or 16
 * bits, a size within the limits, and converts (channels changed, resized
 * up and down) to finite samples in [0, 1]. Any violation aborts. The same
 * function replays the saved corpus as an ordinary test
 * (tests/test_fuzz_replay.c, SGDI_FUZZ_TARGET "image").
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) abort();                                                                      \
    } while (0)

// Converts to `channels` x height x width and checks every sample.
static void convert(const void *pixels, sgdi_image_shape shape, int64_t channels, int64_t height,
                    int64_t width) {
    size_t count = (size_t)(channels * height * width);
    float *out = malloc(count * sizeof *out);
    uint16_t *scratch = malloc(sgdi_image_scratch_count(shape, channels) * sizeof *scratch + 1);
    FUZZ_REQUIRE(out && scratch);
    sgdi_image_to_chw(pixels, shape, channels, height, width, true, scratch, out);
    for (size_t i = 0; i < count; i++) FUZZ_REQUIRE(out[i] >= 0.0f && out[i] <= 1.0f);
    free(scratch);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Smaller than a dataset's limits, so that no input runs out of time or memory.
    const sgdi_image_limits limits = {.max_side = 4096, .max_pixels = 1 << 20};
    sgdi_image_shape shape;
    void *pixels = (void *)&shape; // must be reset
    sgdi_error err = {SGDI_OK, ""};
    sgdi_status st = sgdi_image_decode(data, size, &limits, &shape, &pixels, &err);
    if (st != SGDI_OK) {
        FUZZ_REQUIRE(pixels == NULL && err.status == st);
        FUZZ_REQUIRE(st == SGDI_ERR_FORMAT || st == SGDI_ERR_UNSUPPORTED || st == SGDI_ERR_NOMEM);
        FUZZ_REQUIRE(memchr(err.message, '\0', sizeof err.message) != NULL);
        FUZZ_REQUIRE(err.message[0] != '\0' && strchr(err.message, '\n') == NULL);
        return 0;
    }
    FUZZ_REQUIRE(pixels != NULL);
    FUZZ_REQUIRE(shape.channels == 1 || shape.channels == 3 || shape.channels == 4);
    FUZZ_REQUIRE(shape.depth == 8 || shape.depth == 16);
    FUZZ_REQUIRE(shape.height >= 1 && shape.width >= 1 && shape.height <= limits.max_side &&
                 shape.width <= limits.max_side);
    FUZZ_REQUIRE((int64_t)shape.height * shape.width <= limits.max_pixels);
    convert(pixels, shape, shape.channels, shape.height, shape.width);
    convert(pixels, shape, shape.channels == 1 ? 3 : 1, shape.height, shape.width);
    convert(pixels, shape, 4, 7, 5);
    convert(pixels, shape, 3, 1, 33);
    free(pixels);
    return 0;
}
