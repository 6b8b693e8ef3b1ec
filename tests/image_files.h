/*
 * image_files.h — what the image tests need to make their own files: a
 * temporary folder, PNG and JPEG files written with libpng and libjpeg, and
 * plain files.
 */
#ifndef SGDI_TESTS_IMAGE_FILES_H
#define SGDI_TESTS_IMAGE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Makes a fresh folder under $TMPDIR (or /tmp) and writes its path to
// out[cap]. Returns false on failure.
bool test_make_temp_dir(char *out, size_t cap);
// Removes a folder and everything in it.
void test_remove_tree(const char *path);
// mkdir -p for the folder part of `path` and writes `size` bytes to it.
bool test_write_file(const char *path, const void *data, size_t size);
bool test_write_text(const char *path, const char *text);

typedef struct test_png {
    int width, height;
    int color_type; // PNG_COLOR_TYPE_*
    int bit_depth;  // 1, 2, 4, 8 or 16
    // Samples row by row as libpng packs them for bit_depth <= 8 (bytes); for
    // 16 bits, uint16_t values in host order.
    const void *samples;
    const uint8_t *palette; // [palette_size][3] for PNG_COLOR_TYPE_PALETTE
    int palette_size;
    const uint8_t *alpha; // tRNS entries for a palette, or NULL
    int alpha_size;
    bool interlaced; // Adam7
} test_png;

// A plain (not palette, not interlaced) PNG description.
#define TEST_PNG(w, h, type, depth, data)                                                          \
    ((test_png){.width = (w),                                                                      \
                .height = (h),                                                                     \
                .color_type = (type),                                                              \
                .bit_depth = (depth),                                                              \
                .samples = (data)})

bool test_write_png(const char *path, const test_png *png);

// An 8-bit JPEG of 1 (grey), 3 (RGB) or 4 (CMYK) components from interleaved
// samples.
bool test_write_jpeg(const char *path, int width, int height, int components,
                     const uint8_t *samples, int quality);

#endif // SGDI_TESTS_IMAGE_FILES_H
