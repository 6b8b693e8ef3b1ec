/*
 * images.h — the image files of an image dataset: their names, the shape
 * each decoded to, and the cache of decoded pixels.
 *
 * Loading reads the CSV (src/data/dataset.c, which hands every x cell to
 * sgdi_images_add_row), then decodes every image once, in parallel, in
 * chunks of rows: a failure reports the first failing row in row order, so
 * messages do not depend on the thread count. Decoded pixels are kept, in
 * row order, while they fit in the cache budget; the rest are dropped and
 * decoded again whenever a batch needs them. After loading nothing changes.
 */
#ifndef SGDI_DATA_IMAGES_H
#define SGDI_DATA_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dataset.h"
#include "data/image.h"
#include "sgdi.h"

typedef struct sgdi_images {
    int64_t column;        // 1-based file column of x
    char *folder;          // the CSV's folder as given ("" = the working directory)
    char *folder_absolute; // the same made absolute at load time; NULL if that failed
    // Each row's cell as written (for messages) and its resolved path, NUL-terminated,
    // at text + cell_at[r] and text + path_at[r].
    char *text;
    size_t text_len, text_cap;
    size_t *cell_at, *path_at; // [N]
    sgdi_image_shape *shapes;  // [N] as each row decoded when loading
    void **cache;              // [N] decoded pixels kept in memory, or NULL
    size_t cache_bytes;        // held by cache
    int64_t cap;               // rows allocated
    bool strict_size;
    bool normalize;
    int threads; // for decoding, >= 1
} sgdi_images;

// What a non-number x cell names, by its extension (case-insensitive).
typedef enum sgdi_image_cell {
    SGDI_CELL_IMAGE,       // .png, .jpg, .jpeg
    SGDI_CELL_UNSUPPORTED, // a file type NNC reads that we do not (.bmp, .csv, .npy, ...)
    SGDI_CELL_OTHER,       // no extension NNC knows
} sgdi_image_cell;

sgdi_image_cell sgdi_image_cell_kind(const char *cell, size_t len);

// An empty image table for a dataset read from `csv_path` (the path as given).
sgdi_images *sgdi_images_new(const char *csv_path, int64_t column,
                             const sgdi_dataset_options *opts);
void sgdi_images_free(sgdi_images *im);

// Appends row ds->rows (not yet counted) with x cell `cell`, found at CSV line
// `line`; fails (naming file:line:column) for a cell that is not an image
// file name.
sgdi_status sgdi_images_add_row(sgdi_dataset *ds, const char *cell, size_t len, int64_t line,
                                sgdi_error *err);

// Decodes every row once, fills shapes, the cache, and ds->features.
sgdi_status sgdi_images_decode_all(sgdi_dataset *ds, size_t cache_budget, sgdi_error *err);

static inline const char *sgdi_images_cell(const sgdi_images *im, int64_t row) {
    return im->text + im->cell_at[row];
}
static inline const char *sgdi_images_path(const sgdi_images *im, int64_t row) {
    return im->text + im->path_at[row];
}

// "<csv>:<line>: image '<cell>' (<path>)" for messages about row `row`.
void sgdi_images_describe_row(const sgdi_dataset *ds, int64_t row, char *out, size_t cap);

// The image parts of sgdi_dataset_check_shape and sgdi_dataset_gather.
sgdi_status sgdi_images_check_shape(const sgdi_dataset *ds, sgdi_shape shape, sgdi_error *err);
sgdi_status sgdi_images_gather(const sgdi_dataset *ds, const int64_t *rows, int64_t n,
                               sgdi_shape shape, float *x, sgdi_error *err);

#endif // SGDI_DATA_IMAGES_H
