/*
 * dataset_access.c — what the rest of the library reads from a loaded
 * dataset: sizes, rows and labels, batches gathered for a network input, and
 * whether a validation set fits a training set (see sgdi.h and dataset.h).
 */
#include <string.h>

#include "data/csv.h"
#include "data/dataset.h"
#include "data/images.h"
#include "util/error.h"

// A printable excerpt of a name for messages (see sgdi_csv_describe).
typedef struct excerpt {
    char text[72];
} excerpt;

static excerpt show_str(const char *s) {
    excerpt e;
    sgdi_csv_describe(e.text, sizeof e.text, s, strlen(s));
    return e;
}

// --- Access -----------------------------------------------------------------------

int64_t sgdi_dataset_rows(const sgdi_dataset *ds) {
    return ds ? ds->rows : 0;
}
int64_t sgdi_dataset_features(const sgdi_dataset *ds) {
    return ds ? ds->features : 0;
}
int32_t sgdi_dataset_classes(const sgdi_dataset *ds) {
    return ds ? ds->classes : 0;
}
const char *sgdi_dataset_path(const sgdi_dataset *ds) {
    return ds ? ds->path : NULL;
}

const float *sgdi_dataset_row(const sgdi_dataset *ds, int64_t row) {
    if (!ds || !ds->x || row < 0 || row >= ds->rows) return NULL;
    return ds->x + row * ds->features;
}

bool sgdi_dataset_is_image(const sgdi_dataset *ds) {
    return ds && ds->images;
}

int32_t sgdi_dataset_label(const sgdi_dataset *ds, int64_t row) {
    if (!ds || row < 0 || row >= ds->rows) return -1;
    return ds->y[row];
}

// --- Batches ----------------------------------------------------------------------

sgdi_shape sgdi_dataset_sample_shape(const sgdi_dataset *ds) {
    if (!ds->images) return (sgdi_shape){1, {ds->features}};
    sgdi_image_shape s = ds->images->shapes[0];
    return (sgdi_shape){3, {s.channels, s.height, s.width}};
}

// Elements of a shape, or -1 if it is not a valid one.
static int64_t shape_count(sgdi_shape shape) {
    if (shape.ndim < 1 || shape.ndim > SGDI_MAX_DIMS) return -1;
    int64_t count = 1;
    for (int d = 0; d < shape.ndim; d++)
        if (shape.dim[d] < 1 || !sgdi_mul_i64(count, shape.dim[d], &count)) return -1;
    return count;
}

sgdi_status sgdi_dataset_check_shape(const sgdi_dataset *ds, sgdi_shape shape, sgdi_error *err) {
    if (ds->images) return sgdi_images_check_shape(ds, shape, err);
    int64_t count = shape_count(shape);
    if (count != ds->features)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "%s: the network's input takes %lld values per sample, but the table has "
                         "%lld features",
                         ds->path, (long long)count, (long long)ds->features);
    return SGDI_OK;
}

sgdi_status sgdi_dataset_gather(const sgdi_dataset *ds, const int64_t *rows, int64_t n,
                                sgdi_shape shape, float *x, float *y, sgdi_error *err) {
    for (int64_t i = 0; i < n; i++)
        if (rows[i] < 0 || rows[i] >= ds->rows)
            return sgdi_fail(err, SGDI_ERR_INVALID, "%s: no row %lld (the dataset has %lld)",
                             ds->path, (long long)rows[i], (long long)ds->rows);
    sgdi_status st = SGDI_OK;
    if (ds->images) {
        st = sgdi_images_gather(ds, rows, n, shape, x, err);
    } else if ((st = sgdi_dataset_check_shape(ds, shape, err)) == SGDI_OK) {
        size_t f = (size_t)ds->features;
        for (int64_t i = 0; i < n; i++)
            memcpy(x + (size_t)i * f, ds->x + (size_t)rows[i] * f, f * sizeof *x);
    }
    if (st != SGDI_OK) return st;
    for (int64_t i = 0; i < n; i++) y[i] = (float)ds->y[rows[i]];
    return SGDI_OK;
}

// --- Compatibility ----------------------------------------------------------------

// The feature columns of two tables must be the same, in the same order.
static sgdi_status check_columns(const sgdi_dataset *train, const sgdi_dataset *val,
                                 sgdi_error *err) {
    const char *tp = train->path, *vp = val->path;
    int64_t common = train->features < val->features ? train->features : val->features;
    for (int64_t f = 0; f < common; f++) {
        if (strcmp(train->feature_names[f], val->feature_names[f]) == 0) continue;
        excerpt a = show_str(val->feature_names[f]), b = show_str(train->feature_names[f]);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s and %s have different feature columns: feature %lld is '%s' "
                         "(column %lld) in %s but '%s' (column %lld) in %s",
                         vp, tp, (long long)f + 1, a.text, (long long)val->feature_columns[f], vp,
                         b.text, (long long)train->feature_columns[f], tp);
    }
    if (val->features < train->features) {
        excerpt a = show_str(train->feature_names[common]);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s has %lld feature columns but %s has %lld: '%s' (column %lld of %s) "
                         "is missing from %s",
                         vp, (long long)val->features, tp, (long long)train->features, a.text,
                         (long long)train->feature_columns[common], tp, vp);
    }
    if (val->features > train->features) {
        excerpt a = show_str(val->feature_names[common]);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s has %lld feature columns but %s has %lld: '%s' (column %lld of %s) "
                         "does not occur in %s",
                         vp, (long long)val->features, tp, (long long)train->features, a.text,
                         (long long)val->feature_columns[common], vp, tp);
    }
    return SGDI_OK;
}

sgdi_status sgdi_dataset_check_compatible(const sgdi_dataset *train, const sgdi_dataset *val,
                                          sgdi_error *err) {
    if (!train || !val)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_dataset_check_compatible: NULL dataset");
    const char *tp = train->path, *vp = val->path;
    if (!train->images != !val->images)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s holds %s but %s holds %s: both must hold the same kind of data", tp,
                         train->images ? "images" : "a table of numbers", vp,
                         val->images ? "images" : "a table of numbers");
    // Images of any size and colour feed the same network: sgdi_dataset_gather converts them.
    sgdi_status st = train->images ? SGDI_OK : check_columns(train, val, err);
    if (st != SGDI_OK) return st;
    for (int64_t r = 0; r < val->rows; r++) {
        if (val->y[r] < train->classes) continue;
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: label %d does not occur in training (%s has classes 0..%d)", vp,
                         (long long)val->lines[r], (int)val->y[r], tp, (int)train->classes - 1);
    }
    return SGDI_OK;
}
