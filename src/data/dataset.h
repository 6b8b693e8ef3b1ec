/*
 * dataset.h — the in-memory dataset behind the opaque sgdi_dataset handle.
 *
 * A dataset is an NNC CSV table reduced to what training needs: the feature
 * vector x of every row (row-major floats) and its integer class label y,
 * plus what messages need (the path as given, the feature column names, the
 * CSV line of every row). The library's other modules read the fields
 * directly; only src/data/ creates or frees a dataset (see sgdi.h).
 */
#ifndef SGDI_DATA_DATASET_H
#define SGDI_DATA_DATASET_H

#include <stdint.h>

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
};

#endif // SGDI_DATA_DATASET_H
