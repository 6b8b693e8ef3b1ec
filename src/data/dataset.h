/*
 * dataset.h — the in-memory dataset behind the opaque sgdi_dataset handle.
 *
 * A dataset is an NNC CSV table reduced to what training needs: the feature
 * vector x of every row (row-major floats) and its integer class label y,
 * plus what messages need (the path as given, the feature column names, the
 * CSV line of every row). An image dataset holds no x: its rows are image
 * files (src/data/images.h), decoded into samples by sgdi_dataset_gather.
 * The library's other modules read the fields directly or gather batches;
 * only src/data/ creates or frees a dataset (see sgdi.h). A dataset never
 * changes once loaded, so threads may gather from it at the same time.
 */
#ifndef SGDI_DATA_DATASET_H
#define SGDI_DATA_DATASET_H

#include <stdint.h>

#include "ops/op.h"
#include "sgdi.h"

// Caps on hostile input.
enum {
    SGDI_DATASET_MAX_FEATURES = 1000000, // feature columns
    SGDI_DATASET_MAX_LABEL = 999999,     // so classes <= 1,000,000
};

struct sgdi_dataset {
    char *path;       // the path or name as given, for messages
    int64_t rows;     // N >= 1
    int64_t features; // F >= 1
    int32_t classes;  // largest label + 1
    float *x;         // [N * F] row-major: x[r * F + f]; all finite
    int32_t *y;       // [N] labels in 0 .. classes-1
    int64_t *lines;   // [N] physical CSV line where each row starts (1-based)
    // Feature columns in order: header names (the part before any ':') and
    // 1-based file columns.
    const char **feature_names; // [F] pointers into names
    int64_t *feature_columns;   // [F]
    char *names;                // the names' storage
    int64_t label_column;       // 1-based file column of y
    struct sgdi_images *images; // an image dataset's files (x is NULL), or NULL for a table
};

// The natural shape of one sample: (F) for a table, (channels, height, width)
// of the first image for an image dataset.
sgdi_shape sgdi_dataset_sample_shape(const sgdi_dataset *ds);

// Whether a network whose data input takes samples of `shape` can read `ds`:
// for a table the shape's element count must be F; for images either a
// (C, H, W) shape with C in {1, 3, 4} (channels are converted, sizes resized
// unless the dataset was loaded with strict sizes, when the first image of
// another size is named), or any shape with as many elements as the natural
// sample shape (read as that shape).
sgdi_status sgdi_dataset_check_shape(const sgdi_dataset *ds, sgdi_shape shape, sgdi_error *err);

// Gathers rows[0 .. n-1] as samples of `shape` (see sgdi_dataset_check_shape)
// and their labels as floats. Images come from the cache or are decoded again
// (in parallel over the rows); the bytes written do not depend on the thread
// count. Fails, naming the file and CSV line, if an image can no longer be
// read. Shapes: x [n][count(shape)], y [n].
sgdi_status sgdi_dataset_gather(const sgdi_dataset *ds, const int64_t *rows, int64_t n,
                                sgdi_shape shape, float *x, float *y, sgdi_error *err);

// A new dataset holding the rows of `ds` but removed[0 .. n_removed-1]
// (0-based, any order, none twice), in their order. It keeps the classes of
// `ds` (a network built for `ds` fits it), the CSV lines for messages, and for
// images the file names and a copy of the cached pixels. Fails if a row is out
// of range or listed twice, or if no row would be left. Free with
// sgdi_dataset_free.
sgdi_status sgdi_dataset_subset(const sgdi_dataset *ds, const int64_t *removed, int64_t n_removed,
                                sgdi_dataset **out, sgdi_error *err);

#endif // SGDI_DATA_DATASET_H
