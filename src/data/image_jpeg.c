/*
 * image_jpeg.c — JPEG decoding with libjpeg-turbo (see image.h), and the
 * content sniffing and file reading that pick a decoder.
 *
 * libjpeg reports errors through error_exit, which must not return: ours
 * longjmps to the setjmp in decode(), whose caller owns every allocation
 * (the job) and frees it. Decoding uses libjpeg's defaults, as Pillow does:
 * the accurate integer IDCT and fancy upsampling, so values match Pillow
 * built on the same library. Warnings that mean the pixels are wrong (the
 * data ends early, is corrupt) are errors here: an influence score of a
 * half-grey image would mislead. Hostile files are bounded: the size limits
 * are checked before decompressing, a progressive file may have at most
 * 1000 scans, and libjpeg's own buffers are capped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "data/image.h"
#include "util/error.h"

enum { MAX_SCANS = 1000 };

typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr errors;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    const sgdi_image_limits *limits;
    sgdi_image_shape shape;
    uint8_t *pixels;
    sgdi_status status; // of the failure, when decode() returns false
    char why[JMSG_LENGTH_MAX + 64];
} jpeg_job;

static void fail_with(jpeg_job *job, sgdi_status status, const char *why) {
    if (job->status == SGDI_OK) {
        job->status = status;
        snprintf(job->why, sizeof job->why, "%s", why);
    }
    longjmp(job->jump, 1);
}

static void on_error(j_common_ptr cinfo) {
    jpeg_job *job = cinfo->client_data;
    char text[JMSG_LENGTH_MAX], why[JMSG_LENGTH_MAX + 32];
    cinfo->err->format_message(cinfo, text);
    bool memory = cinfo->err->msg_code == JERR_OUT_OF_MEMORY;
    snprintf(why, sizeof why, "%s%s", memory ? "" : "invalid JPEG: ", text);
    fail_with(job, memory ? SGDI_ERR_NOMEM : SGDI_ERR_FORMAT, why);
}

static void on_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return; // trace messages
    int code = cinfo->err->msg_code;
    if (code == JWRN_JPEG_EOF)
        fail_with(cinfo->client_data, SGDI_ERR_FORMAT,
                  "truncated JPEG (the file ends inside the image data)");
    // "Corrupt JPEG data: ..." (bad Huffman code, premature end of a segment, extraneous
    // bytes, lost restart markers): the pixels are wrong. A bad ICC profile is not used;
    // other warnings (an unknown JFIF revision, an odd progression) leave the pixels right.
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    if ((strncmp(text, "Corrupt JPEG data", 17) == 0 && code != JWRN_BOGUS_ICC) ||
        code == JWRN_NOT_SEQUENTIAL)
        on_error(cinfo);
}

static void on_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    if (((j_decompress_ptr)cinfo)->input_scan_number > MAX_SCANS)
        fail_with(cinfo->client_data, SGDI_ERR_UNSUPPORTED,
                  "JPEG with more than 1000 scans (refused as hostile)");
}

// Locals that change after setjmp are not read after a longjmp: state is in *job.
static bool decode(jpeg_job *job, const uint8_t *data, size_t size) {
    if (setjmp(job->jump)) return false;
    j_decompress_ptr cinfo = &job->cinfo;
    // A progressive image keeps all its coefficients: about 6 bytes a pixel.
    cinfo->mem->max_memory_to_use = (long)(job->limits->max_pixels * 8 + (1 << 24));
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);
    JDIMENSION width = cinfo->image_width, height = cinfo->image_height;
    if (width > job->limits->max_side || height > job->limits->max_side ||
        (int64_t)width * (int64_t)height > job->limits->max_pixels) {
        char why[160];
        snprintf(why, sizeof why,
                 "the image is %lux%lu pixels, more than allowed (%lld a side, "
                 "%lld in all)",
                 (unsigned long)width, (unsigned long)height, (long long)job->limits->max_side,
                 (long long)job->limits->max_pixels);
        fail_with(job, SGDI_ERR_UNSUPPORTED, why);
    }
    if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK)
        fail_with(job, SGDI_ERR_UNSUPPORTED,
                  "CMYK JPEG images are not supported (save it as RGB or greyscale)");
    cinfo->out_color_space = cinfo->jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    cinfo->dct_method = JDCT_ISLOW;
    jpeg_start_decompress(cinfo);
    int channels = cinfo->output_components;
    if ((channels != 1 && channels != 3) || cinfo->output_width != width ||
        cinfo->output_height != height)
        fail_with(job, SGDI_ERR_FORMAT, "invalid JPEG: unexpected output layout");
    job->shape = (sgdi_image_shape){channels, (int32_t)height, (int32_t)width, 8};
    job->pixels = malloc(sgdi_image_bytes(job->shape));
    if (!job->pixels) fail_with(job, SGDI_ERR_NOMEM, "out of memory");
    size_t row_bytes = (size_t)width * (size_t)channels;
    while (cinfo->output_scanline < height) {
        JSAMPROW row = job->pixels + (size_t)cinfo->output_scanline * row_bytes;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_decompress(cinfo); // reads on to the end marker
    return true;
}

sgdi_status sgdi_image_decode_jpeg(const uint8_t *data, size_t size,
                                   const sgdi_image_limits *limits, sgdi_image_shape *shape,
                                   void **pixels, sgdi_error *err) {
    *pixels = NULL;
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "not a JPEG file (no JPEG start marker)");
    jpeg_job *job = calloc(1, sizeof *job);
    if (!job) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the JPEG decoder");
    job->limits = limits;
    job->cinfo.err = jpeg_std_error(&job->errors);
    job->errors.error_exit = on_error;
    job->errors.emit_message = on_message;
    job->progress.progress_monitor = on_progress;
    job->cinfo.client_data = job;
    bool ok = false;
    // jpeg_create_decompress reports a failure through error_exit too.
    if (setjmp(job->jump) == 0) {
        jpeg_create_decompress(&job->cinfo);
        job->cinfo.progress = &job->progress;
        ok = decode(job, data, size);
    }
    jpeg_destroy_decompress(&job->cinfo);
    sgdi_status st = SGDI_OK;
    if (ok) {
        *shape = job->shape;
        *pixels = job->pixels;
    } else {
        free(job->pixels);
        st = sgdi_fail(err, job->status ? job->status : SGDI_ERR_FORMAT, "%s", job->why);
    }
    free(job);
    return st;
}

// --- Picking the decoder ------------------------------------------------------------

sgdi_status sgdi_image_decode(const uint8_t *data, size_t size, const sgdi_image_limits *limits,
                              sgdi_image_shape *shape, void **pixels, sgdi_error *err) {
    *pixels = NULL;
    if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
        return sgdi_image_decode_png(data, size, limits, shape, pixels, err);
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return sgdi_image_decode_jpeg(data, size, limits, shape, pixels, err);
    if (size == 0) return sgdi_fail(err, SGDI_ERR_FORMAT, "the file is empty");
    return sgdi_fail(err, SGDI_ERR_FORMAT,
                     "neither a PNG nor a JPEG file (%zu bytes that start "
                     "with neither signature)",
                     size);
}

sgdi_status sgdi_image_load_file(const char *path, const sgdi_image_limits *limits,
                                 sgdi_image_shape *shape, void **pixels, sgdi_error *err) {
    *pixels = NULL;
    char why[128];
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (strerror_r(e, why, sizeof why) != 0) snprintf(why, sizeof why, "error %d", e);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot open: %s", why);
    }
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    sgdi_status st = SGDI_OK;
    for (;;) {
        if (len == cap) {
            size_t bigger_cap = cap ? cap * 2 : 1 << 16;
            uint8_t *bigger = cap <= SIZE_MAX / 2 ? realloc(data, bigger_cap) : NULL;
            if (!bigger) {
                st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading the file");
                break;
            }
            data = bigger;
            cap = bigger_cap;
        }
        errno = 0;
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            int e = errno ? errno : EIO;
            if (ferror(f) && strerror_r(e, why, sizeof why) != 0)
                snprintf(why, sizeof why, "error %d", e);
            if (ferror(f)) st = sgdi_fail(err, SGDI_ERR_IO, "cannot read: %s", why);
            break;
        }
    }
    fclose(f);
    if (st == SGDI_OK) st = sgdi_image_decode(data, len, limits, shape, pixels, err);
    free(data);
    return st;
}
