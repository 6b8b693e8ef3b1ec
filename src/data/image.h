/*
 * image.h — decoding one PNG or JPEG image from memory, and turning decoded
 * pixels into the network's channel-first floats.
 *
 * Decoded images are what the file holds, as Pillow gives it to nnabla
 * (docs/ARCHITECTURE.md, "Image datasets"): 1 channel (grey), 3 (RGB) or
 * 4 (RGBA), 8 or 16 bits per sample, rows top to bottom, samples
 * interleaved: pixels[(y * width + x) * channels + c]. Palette PNGs become
 * RGB, or RGBA when they carry transparency (tRNS); grey+alpha PNGs become
 * grey (the alpha is dropped); 1, 2 and 4-bit grey is scaled to 8 bits.
 *
 * Input is hostile: the decoders never read past `size`, refuse images above
 * the limits before allocating for them, and report every failure as a
 * short reason ("truncated", what libpng or libjpeg said) in err->message.
 * libpng and libjpeg report errors by longjmp; it never crosses a frame of
 * ours that owns memory: each decoder's setjmp frame frees everything the
 * decoder allocated.
 */
#ifndef SGDI_DATA_IMAGE_H
#define SGDI_DATA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

// The size of a decoded image.
typedef struct sgdi_image_shape {
    int32_t channels; // 1, 3 or 4
    int32_t height, width;
    int32_t depth; // bits per sample: 8 or 16
} sgdi_image_shape;

typedef struct sgdi_image_limits {
    int64_t max_side;   // largest width or height
    int64_t max_pixels; // largest width * height
} sgdi_image_limits;

// What datasets accept: 16384 pixels a side, 2^28 pixels.
static inline sgdi_image_limits sgdi_image_default_limits(void) {
    return (sgdi_image_limits){.max_side = 1 << 14, .max_pixels = 1 << 28};
}

// Bytes of the decoded pixels of an image of `shape`.
static inline size_t sgdi_image_bytes(sgdi_image_shape s) {
    return (size_t)s.channels * (size_t)s.height * (size_t)s.width * (size_t)(s.depth / 8);
}

// Decodes data[0 .. size-1]. On success *shape is set and *pixels is a
// malloc'd block of sgdi_image_bytes(*shape) bytes (uint8_t samples, or
// uint16_t in host order for 16 bits). On failure *pixels is NULL and
// err->message holds the reason (SGDI_ERR_FORMAT for a bad or truncated
// file, SGDI_ERR_UNSUPPORTED for a valid one we do not read, such as a CMYK
// JPEG, SGDI_ERR_NOMEM).
sgdi_status sgdi_image_decode_png(const uint8_t *data, size_t size, const sgdi_image_limits *limits,
                                  sgdi_image_shape *shape, void **pixels, sgdi_error *err);
sgdi_status sgdi_image_decode_jpeg(const uint8_t *data, size_t size,
                                   const sgdi_image_limits *limits, sgdi_image_shape *shape,
                                   void **pixels, sgdi_error *err);
// Either of the above, chosen by the content (as Pillow and OpenCV open
// images: a JPEG named .png still reads).
sgdi_status sgdi_image_decode(const uint8_t *data, size_t size, const sgdi_image_limits *limits,
                              sgdi_image_shape *shape, void **pixels, sgdi_error *err);

// Reads and decodes the file at `path` (SGDI_ERR_IO with the system's reason
// if it cannot be read; "the file is empty" for 0 bytes).
sgdi_status sgdi_image_load_file(const char *path, const sgdi_image_limits *limits,
                                 sgdi_image_shape *shape, void **pixels, sgdi_error *err);

// Largest scratch the conversion below needs, in uint16_t elements.
static inline size_t sgdi_image_scratch_count(sgdi_image_shape src, int64_t channels) {
    return (size_t)src.height * (size_t)src.width * (size_t)channels;
}

// Writes the image as floats of shape (channels, height, width) into out:
//   1. channels, on the integer samples: grey -> RGB replicates; RGB -> grey
//      is ITU-R 601-2 luma as Pillow's convert("L") computes it,
//      (19595 R + 38470 G + 7471 B + 2^15) >> 16; RGBA -> RGB drops the
//      alpha; an added alpha is opaque (255 or 65535);
//   2. size, if (height, width) differs: bilinear, the integer result of
//      OpenCV's cv2.resize(INTER_LINEAR) bit for bit, as nnabla's imresize
//      gives it (the formulas are in image_resize.c);
//   3. scale: v * (1/255) (8 bits) or v * (1/65535) (16 bits) in double,
//      rounded to float, if `normalize`; else the integer value.
// `scratch` holds sgdi_image_scratch_count(src, channels) uint16_t. Shapes:
// pixels [src.height][src.width][src.channels] -> out [channels][height][width].
void sgdi_image_to_chw(const void *pixels, sgdi_image_shape src, int64_t channels, int64_t height,
                       int64_t width, bool normalize, uint16_t *scratch, float *out);

#endif // SGDI_DATA_IMAGE_H
