/*
 * images.c — an image dataset's files: the x cells as NNC resolves them,
 * decoding every image once when the dataset loads, and the cache of
 * decoded pixels (see images.h).
 */
#include "data/images.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"
#include "util/error.h"
#include "util/path.h"

// --- Cells ------------------------------------------------------------------------

// The extension of the file a cell names, without the dot, lower-cased into
// ext[cap]; "" if none (as Python's os.path.splitext: leading dots of the
// name are not an extension).
static void extension(const char *cell, size_t len, char *ext, size_t cap) {
    size_t name = 0;
    for (size_t i = 0; i < len; i++)
        if (cell[i] == '/' || cell[i] == '\\') name = i + 1;
    size_t dot = len, first = name;
    while (first < len && cell[first] == '.') first++;
    for (size_t i = first; i < len; i++)
        if (cell[i] == '.') dot = i;
    ext[0] = '\0';
    if (dot == len || len - dot - 1 >= cap) return;
    size_t n = len - dot - 1;
    for (size_t i = 0; i < n; i++) {
        char c = cell[dot + 1 + i];
        ext[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    ext[n] = '\0';
}

static bool one_of(const char *ext, const char *const *list) {
    for (; *list; list++)
        if (strcmp(ext, *list) == 0) return true;
    return false;
}

static const char *const image_extensions[] = {"png", "jpg", "jpeg", NULL};
// What NNC's loader reads besides (nnabla's data_source_loader).
static const char *const other_nnc_extensions[] = {"bmp", "gif", "tif", "tiff", "dcm",
                                                   "csv", "npy", "wav", NULL};

sgdi_image_cell sgdi_image_cell_kind(const char *cell, size_t len) {
    char ext[8];
    extension(cell, len, ext, sizeof ext);
    if (one_of(ext, image_extensions)) return SGDI_CELL_IMAGE;
    if (one_of(ext, other_nnc_extensions)) return SGDI_CELL_UNSUPPORTED;
    return SGDI_CELL_OTHER;
}

// --- The table --------------------------------------------------------------------

sgdi_images *sgdi_images_new(const char *csv_path, int64_t column,
                             const sgdi_dataset_options *opts) {
    sgdi_images *im = calloc(1, sizeof *im);
    if (!im) return NULL;
    im->column = column;
    im->folder = sgdi_path_dirname(csv_path);
    // Output CSVs name the images relative to their own folder (result_write.c); the
    // folder is made absolute now, against the working directory the CSV was read in.
    im->folder_absolute = im->folder ? sgdi_path_absolute(im->folder[0] ? im->folder : ".") : NULL;
    im->strict_size = opts->strict_image_size;
    im->normalize = !opts->no_image_normalization;
    im->threads = opts->threads > 0 ? opts->threads : omp_get_max_threads();
    if (im->threads < 1) im->threads = 1;
    if (!im->folder) {
        sgdi_images_free(im);
        return NULL;
    }
    return im;
}

void sgdi_images_free(sgdi_images *im) {
    if (!im) return;
    if (im->cache)
        for (int64_t r = 0; r < im->cap; r++) free(im->cache[r]);
    free(im->cache);
    free(im->folder);
    free(im->folder_absolute);
    free(im->text);
    free(im->cell_at);
    free(im->path_at);
    free(im->shapes);
    free(im);
}

static bool append_text(sgdi_images *im, const char *s, size_t n, size_t *at) {
    if (n + 1 > im->text_cap - im->text_len) {
        if (n + 1 > SIZE_MAX / 4 - im->text_len) return false;
        size_t cap = im->text_cap ? im->text_cap : 4096;
        while (cap < im->text_len + n + 1) cap *= 2;
        char *bigger = realloc(im->text, cap);
        if (!bigger) return false;
        im->text = bigger;
        im->text_cap = cap;
    }
    *at = im->text_len;
    memcpy(im->text + im->text_len, s, n);
    im->text[im->text_len + n] = '\0';
    im->text_len += n + 1;
    return true;
}

static bool grow(sgdi_images *im, int64_t rows) {
    if (rows < im->cap) return true;
    int64_t cap = im->cap ? im->cap * 2 : 64;
    size_t *cell_at = realloc(im->cell_at, (size_t)cap * sizeof *cell_at);
    if (cell_at) im->cell_at = cell_at;
    size_t *path_at = cell_at ? realloc(im->path_at, (size_t)cap * sizeof *path_at) : NULL;
    if (path_at) im->path_at = path_at;
    if (!path_at) return false;
    im->cap = cap;
    return true;
}

sgdi_status sgdi_images_add_row(sgdi_dataset *ds, const char *cell, size_t len, int64_t line,
                                sgdi_error *err) {
    sgdi_images *im = ds->images;
    char shown[72], ext[16];
    sgdi_csv_describe(shown, sizeof shown, cell, len);
    const char *head = ds->path;
    long long col = (long long)im->column;
    sgdi_image_cell kind = sgdi_image_cell_kind(cell, len);
    if (kind == SGDI_CELL_UNSUPPORTED) {
        extension(cell, len, ext, sizeof ext);
        bool data_file =
            strcmp(ext, "csv") == 0 || strcmp(ext, "npy") == 0 || strcmp(ext, "wav") == 0;
        return sgdi_fail(err, SGDI_ERR_UNSUPPORTED,
                         "%s:%lld: column %lld 'x': '%s': .%s %s are not supported (image datasets "
                         "take PNG or JPEG files: .png, .jpg, .jpeg)",
                         head, (long long)line, col, shown, ext, data_file ? "files" : "images");
    }
    if (kind == SGDI_CELL_OTHER)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: column %lld 'x': '%s' is neither a number nor a PNG or JPEG "
                         "file name (.png, .jpg, .jpeg)%s",
                         head, (long long)line, col, shown,
                         ds->rows > 0 ? "; the first row's x is an image file" : "");
    if (memchr(cell, '\0', len))
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: column %lld 'x': '%s': NUL byte in a file "
                         "name",
                         head, (long long)line, col, shown);
    if (!grow(im, ds->rows + 1))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory after %lld rows", head,
                         (long long)ds->rows);
    char *path = sgdi_path_join(im->folder, cell, len);
    bool ok = path && append_text(im, cell, len, &im->cell_at[ds->rows]) &&
              append_text(im, path, strlen(path), &im->path_at[ds->rows]);
    free(path);
    if (!ok)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory after %lld rows", head,
                         (long long)ds->rows);
    return SGDI_OK;
}

// --- Messages ---------------------------------------------------------------------

// A printable copy of a path for messages: control bytes as \xNN; a long one
// keeps its end (the file name) behind "...".
static void describe_path(char *out, size_t cap, const char *path) {
    enum { KEEP = 240 };
    size_t len = strlen(path), start = len > KEEP ? len - KEEP : 0;
    size_t o = 0;
    if (start > 0) {
        while (start < len && ((unsigned char)path[start] & 0xC0) == 0x80) start++;
        o = (size_t)snprintf(out, cap, "...");
    }
    for (size_t i = start; i < len && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c >= 0x20 && c != 0x7f)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    out[o < cap ? o : cap - 1] = '\0';
}

void sgdi_images_describe_row(const sgdi_dataset *ds, int64_t row, char *out, size_t cap) {
    const sgdi_images *im = ds->images;
    const char *cell = sgdi_images_cell(im, row);
    char shown[72], path[256];
    sgdi_csv_describe(shown, sizeof shown, cell, strlen(cell));
    describe_path(path, sizeof path, sgdi_images_path(im, row));
    snprintf(out, cap, "%s:%lld: image '%s' (%s)", ds->path, (long long)ds->lines[row], shown,
             path);
}

// --- Decoding every image once ----------------------------------------------------

// Threads reading and decoding the files when the dataset loads, at least: a file not yet
// in the page cache keeps its thread waiting on the disk, and more reads in flight hide
// that (60,000 small PNGs from a cold cache loaded in 3.8-4.4 s with 2 threads, 1.9 s
// with 8; 0.58 and 0.62 s once cached: bench/README.md gives the command). Waiting
// threads take no CPU from the others, and each image is decoded alone, so the pixels do
// not depend on the count.
enum { LOAD_THREADS = 8 };
// Rows decoded at a time per thread: enough to keep every thread busy, few enough that
// the pixels in flight stay small next to the cache.
enum { ROWS_PER_THREAD = 4 };

sgdi_status sgdi_images_decode_all(sgdi_dataset *ds, size_t cache_budget, sgdi_error *err) {
    sgdi_images *im = ds->images;
    int threads = im->threads > LOAD_THREADS ? im->threads : LOAD_THREADS;
    int64_t n = ds->rows, chunk = (int64_t)threads * ROWS_PER_THREAD;
    im->shapes = sgdi_alloc_array(n, sizeof *im->shapes);
    im->cache = sgdi_calloc_array(im->cap, sizeof *im->cache);
    void **pixels = sgdi_calloc_array(chunk, sizeof *pixels);
    sgdi_status *status = sgdi_alloc_array(chunk, sizeof *status);
    if (!im->shapes || !im->cache || !pixels || !status) {
        free(pixels);
        free(status);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory for %lld images", ds->path,
                         (long long)n);
    }
    sgdi_image_limits limits = sgdi_image_default_limits();
    sgdi_status st = SGDI_OK;
    for (int64_t first = 0; first < n && st == SGDI_OK; first += chunk) {
        int64_t count = first + chunk <= n ? chunk : n - first;
        size_t room = cache_budget - im->cache_bytes; // what this chunk may still cache
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (count > 1)
        for (int64_t i = 0; i < count; i++) {
            status[i] = sgdi_image_load_file(sgdi_images_path(im, first + i), &limits,
                                             &im->shapes[first + i], &pixels[i], NULL);
            if (pixels[i] && sgdi_image_bytes(im->shapes[first + i]) > room) {
                free(pixels[i]); // it cannot be cached: drop it now, not at the chunk's end
                pixels[i] = NULL;
            }
        }
        for (int64_t i = 0; i < count; i++) {
            int64_t r = first + i;
            if (status[i] != SGDI_OK && st == SGDI_OK) {
                // Again, alone, for the reason: the first failing row in row order.
                sgdi_error why;
                st = sgdi_image_load_file(sgdi_images_path(im, r), &limits, &im->shapes[r],
                                          &pixels[i], &why);
                if (st != SGDI_OK) {
                    char row[512];
                    sgdi_images_describe_row(ds, r, row, sizeof row);
                    sgdi_fail(err, st, "%s: %s", row, why.message);
                }
            }
            if (!pixels[i]) continue;
            size_t bytes = sgdi_image_bytes(im->shapes[r]);
            if (st == SGDI_OK && bytes <= cache_budget - im->cache_bytes) { // never above budget
                im->cache[r] = pixels[i];
                im->cache_bytes += bytes;
            } else {
                free(pixels[i]);
            }
            pixels[i] = NULL;
        }
    }
    free(pixels);
    free(status);
    // Release the loading threads: with the pool of 8 kept, whole CNN runs were 1.5-4 %
    // slower (libgomp throttles the spinning of an oversubscribed pool, so later barriers
    // sleep early); released, as fast as before.
    if (threads > im->threads) omp_pause_resource_all(omp_pause_soft);
    if (st != SGDI_OK) return st;
    sgdi_image_shape s = im->shapes[0];
    ds->features = (int64_t)s.channels * s.height * s.width;
    return SGDI_OK;
}
