/*
 * image_png.c — PNG decoding with libpng's classic interface (see image.h).
 *
 * The simplified png_image interface would spare us the setjmp, but it turns
 * 16-bit samples into linear light; the classic one gives the stored values.
 * libpng reports errors by longjmp to the setjmp in decode(): everything
 * decode() allocates lives in the job, which its caller frees, so nothing
 * leaks and no frame of ours that owns memory is skipped.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"
#include "util/error.h"

typedef struct png_job {
    const uint8_t *data;
    size_t size, pos;
    const sgdi_image_limits *limits;
    png_structp png;
    png_infop info;
    sgdi_image_shape shape;
    uint8_t *pixels;
    png_bytep *rows;
    bool truncated;
    sgdi_status status; // of the failure, when decode() returns false
    char why[200];
    char warning[120]; // the last one: libpng says what is wrong in a warning, then fails
} png_job;

static void on_error(png_structp png, png_const_charp message) {
    png_job *job = png_get_error_ptr(png);
    if (job->status == SGDI_OK) { // keep the first reason (ours, if we raised it)
        job->status = SGDI_ERR_FORMAT;
        if (job->warning[0])
            snprintf(job->why, sizeof job->why, "invalid PNG: %s (%s)", message, job->warning);
        else
            snprintf(job->why, sizeof job->why, "invalid PNG: %s", message);
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    // Most warnings concern ancillary data (colour profiles, text) we do not use; some
    // explain the error that follows ("Image width is zero in IHDR").
    png_job *job = png_get_error_ptr(png);
    snprintf(job->warning, sizeof job->warning, "%s", message);
}

static void read_bytes(png_structp png, png_bytep out, size_t count) {
    png_job *job = png_get_io_ptr(png);
    if (count > job->size - job->pos) {
        job->truncated = true;
        png_error(png, "truncated");
    }
    memcpy(out, job->data + job->pos, count);
    job->pos += count;
}

// Raises an error of our own through libpng's error path.
static void fail_with(png_job *job, sgdi_status status, const char *why) {
    job->status = status;
    snprintf(job->why, sizeof job->why, "%s", why);
    png_longjmp(job->png, 1);
}

// Asks libpng for grey, RGB or RGBA in 8 or 16 bits, as image.h describes.
static void choose_transforms(png_job *job, int color_type, int bit_depth) {
    png_structp png = job->png;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
        if (png_get_valid(png, job->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, job->info);
}

// The decoding proper; false on failure (job->status, job->why). Locals that
// change after setjmp are not read after a longjmp: all state is in *job.
static bool decode(png_job *job) {
    if (setjmp(png_jmpbuf(job->png))) return false;
    png_structp png = job->png;
    png_infop info = job->info;
    png_set_read_fn(png, job, read_bytes);
    png_set_user_limits(png, (png_uint_32)job->limits->max_side,
                        (png_uint_32)job->limits->max_side);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if ((int64_t)width * (int64_t)height > job->limits->max_pixels) {
        char why[160];
        snprintf(why, sizeof why, "the image is %lux%lu pixels, more than the %lld allowed",
                 (unsigned long)width, (unsigned long)height, (long long)job->limits->max_pixels);
        fail_with(job, SGDI_ERR_UNSUPPORTED, why);
    }
    choose_transforms(job, png_get_color_type(png, info), png_get_bit_depth(png, info));
    int channels = png_get_channels(png, info), depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if ((channels != 1 && channels != 3 && channels != 4) || (depth != 8 && depth != 16) ||
        row_bytes != (size_t)width * (size_t)channels * (size_t)(depth / 8))
        fail_with(job, SGDI_ERR_FORMAT, "invalid PNG: unexpected sample layout");
    job->shape = (sgdi_image_shape){channels, (int32_t)height, (int32_t)width, depth};
    job->pixels = malloc(sgdi_image_bytes(job->shape));
    job->rows = malloc((size_t)height * sizeof *job->rows);
    if (!job->pixels || !job->rows) fail_with(job, SGDI_ERR_NOMEM, "out of memory");
    for (png_uint_32 y = 0; y < height; y++) job->rows[y] = job->pixels + (size_t)y * row_bytes;
    png_read_image(png, job->rows);
    png_read_end(png, NULL); // checks the rest of the file through IEND
    if (depth == 16) {
        // PNG stores samples big-endian; convert in place to host order.
        size_t samples = sgdi_image_bytes(job->shape) / 2;
        for (size_t i = 0; i < samples; i++) {
            const uint8_t *b = job->pixels + 2 * i;
            uint16_t v = (uint16_t)(b[0] << 8 | b[1]);
            memcpy(job->pixels + 2 * i, &v, sizeof v);
        }
    }
    return true;
}

sgdi_status sgdi_image_decode_png(const uint8_t *data, size_t size, const sgdi_image_limits *limits,
                                  sgdi_image_shape *shape, void **pixels, sgdi_error *err) {
    *pixels = NULL;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "not a PNG file (no PNG signature)");
    png_job job = {.data = data, .size = size, .limits = limits};
    job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning);
    job.info = job.png ? png_create_info_struct(job.png) : NULL;
    if (!job.info) {
        png_destroy_read_struct(&job.png, NULL, NULL);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the PNG decoder");
    }
    bool ok = decode(&job);
    png_destroy_read_struct(&job.png, &job.info, NULL);
    free(job.rows);
    if (!ok) {
        free(job.pixels);
        if (job.truncated)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "truncated PNG (the file ends after %zu bytes, inside the image data "
                             "or before its end chunk)",
                             size);
        return sgdi_fail(err, job.status, "%s", job.why);
    }
    *shape = job.shape;
    *pixels = job.pixels;
    return SGDI_OK;
}
