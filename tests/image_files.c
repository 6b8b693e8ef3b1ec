/*
 * image_files.c — temporary folders and image files for the image tests
 * (see image_files.h). Writing uses libpng and libjpeg, as independent of
 * our decoders as a test can be.
 */
#define _XOPEN_SOURCE 700
#include "image_files.h"

#include <errno.h>
#include <ftw.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>

bool test_make_temp_dir(char *out, size_t cap) {
    const char *base = getenv("TMPDIR");
    snprintf(out, cap, "%s/sgdi-images.XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(out) != NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void test_remove_tree(const char *path) {
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

// Creates every folder above `path`.
static void make_parents(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(buf, 0777);
        *p = '/';
    }
}

bool test_write_file(const char *path, const void *data, size_t size) {
    make_parents(path);
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

bool test_write_text(const char *path, const char *text) {
    return test_write_file(path, text, strlen(text));
}

// --- PNG ----------------------------------------------------------------------------

static int png_channels(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        return 2;
    case PNG_COLOR_TYPE_RGB:
        return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA:
        return 4;
    default:
        return 1;
    }
}

// The libpng calls; false if libpng failed.
static bool write_png_rows(FILE *f, const test_png *p, png_bytep *rows) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)p->width, (png_uint_32)p->height, p->bit_depth,
                 p->color_type, p->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (p->palette) {
        png_color colors[256];
        for (int i = 0; i < p->palette_size; i++)
            colors[i] =
                (png_color){p->palette[3 * i], p->palette[3 * i + 1], p->palette[3 * i + 2]};
        png_set_PLTE(png, info, colors, p->palette_size);
    }
    if (p->alpha) png_set_tRNS(png, info, p->alpha, p->alpha_size, NULL);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return true;
}

bool test_write_png(const char *path, const test_png *p) {
    size_t bits = (size_t)p->width * (size_t)png_channels(p->color_type) * (size_t)p->bit_depth;
    size_t row_bytes = (bits + 7) / 8;
    uint8_t *data = malloc(row_bytes * (size_t)p->height + 1);
    png_bytep *rows = malloc((size_t)p->height * sizeof *rows + 1);
    bool ok = data && rows;
    if (ok) {
        if (p->bit_depth == 16) { // PNG is big-endian
            const uint16_t *s = p->samples;
            for (size_t i = 0; i < row_bytes * (size_t)p->height / 2; i++) {
                data[2 * i] = (uint8_t)(s[i] >> 8);
                data[2 * i + 1] = (uint8_t)(s[i] & 0xFF);
            }
        } else {
            memcpy(data, p->samples, row_bytes * (size_t)p->height);
        }
        for (int y = 0; y < p->height; y++) rows[y] = data + (size_t)y * row_bytes;
        make_parents(path);
        FILE *f = fopen(path, "wb");
        ok = f != NULL;
        if (f) {
            ok = write_png_rows(f, p, rows);
            ok = fclose(f) == 0 && ok;
        }
    }
    free(rows);
    free(data);
    return ok;
}

// --- JPEG ---------------------------------------------------------------------------

typedef struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} jpeg_failure;

static void jpeg_failed(j_common_ptr cinfo) {
    longjmp(((jpeg_failure *)cinfo->err)->jump, 1);
}

// The libjpeg calls; false if libjpeg failed.
static bool write_jpeg_rows(FILE *f, struct jpeg_compress_struct *c, jpeg_failure *failure,
                            int width, int height, int components, const uint8_t *samples,
                            int quality) {
    if (setjmp(failure->jump)) return false;
    jpeg_stdio_dest(c, f);
    c->image_width = (JDIMENSION)width;
    c->image_height = (JDIMENSION)height;
    c->input_components = components;
    c->in_color_space = components == 1 ? JCS_GRAYSCALE : components == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, quality, TRUE);
    jpeg_start_compress(c, TRUE);
    while (c->next_scanline < c->image_height) {
        JSAMPROW row =
            (JSAMPROW)(samples + (size_t)c->next_scanline * (size_t)width * (size_t)components);
        jpeg_write_scanlines(c, &row, 1);
    }
    jpeg_finish_compress(c);
    return true;
}

bool test_write_jpeg(const char *path, int width, int height, int components,
                     const uint8_t *samples, int quality) {
    make_parents(path);
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    struct jpeg_compress_struct c;
    jpeg_failure failure;
    c.err = jpeg_std_error(&failure.mgr);
    failure.mgr.error_exit = jpeg_failed;
    jpeg_create_compress(&c);
    bool ok = write_jpeg_rows(f, &c, &failure, width, height, components, samples, quality);
    jpeg_destroy_compress(&c);
    return fclose(f) == 0 && ok;
}
