/*
 * dataset_subset.c — a dataset without some of its rows (see dataset.h), for
 * retraining without the rows a score ranks most harmful.
 *
 * The subset is a dataset of its own, freed by sgdi_dataset_free: a copy of
 * the kept rows' features, labels and CSV lines (messages still name the
 * original file and line), and for images their file names and the decoded
 * pixels the original kept in its cache. Copying, rather than viewing the
 * original through an index, keeps every reader of a dataset unchanged;
 * the price is the kept rows' memory once more while the subset lives.
 */
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/images.h"
#include "util/error.h"

static char *copy_string(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

// The feature names and columns: the names are consecutive NUL-terminated
// strings in ds->names. A table has one per feature; an image dataset one
// (its column x), whatever its features (pixels) are.
static bool copy_names(const sgdi_dataset *ds, sgdi_dataset *sub) {
    int64_t count = ds->images ? 1 : ds->features;
    size_t bytes = 0;
    for (int64_t f = 0; f < count; f++) bytes += strlen(ds->feature_names[f]) + 1;
    sub->names = malloc(bytes);
    sub->feature_names = sgdi_alloc_array(count, sizeof *sub->feature_names);
    sub->feature_columns = sgdi_alloc_array(count, sizeof *sub->feature_columns);
    if (!sub->names || !sub->feature_names || !sub->feature_columns) return false;
    char *p = sub->names;
    for (int64_t f = 0; f < count; f++) {
        size_t n = strlen(ds->feature_names[f]) + 1;
        memcpy(p, ds->feature_names[f], n);
        sub->feature_names[f] = p;
        sub->feature_columns[f] = ds->feature_columns[f];
        p += n;
    }
    return true;
}

// The image table of the kept rows keep[0 .. n-1]: the whole text block is
// copied (cells and paths keep their offsets), cached pixels are duplicated.
static bool copy_images(const sgdi_images *im, const int64_t *keep, int64_t n, sgdi_images **out) {
    sgdi_images *c = calloc(1, sizeof *c);
    *out = c;
    if (!c) return false;
    c->column = im->column;
    c->strict_size = im->strict_size;
    c->normalize = im->normalize;
    c->threads = im->threads;
    c->cap = n;
    c->folder = copy_string(im->folder);
    c->folder_absolute = copy_string(im->folder_absolute);
    c->text = malloc(im->text_len ? im->text_len : 1);
    c->cell_at = sgdi_alloc_array(n, sizeof *c->cell_at);
    c->path_at = sgdi_alloc_array(n, sizeof *c->path_at);
    c->shapes = sgdi_alloc_array(n, sizeof *c->shapes);
    c->cache = sgdi_calloc_array(n, sizeof *c->cache);
    if (!c->folder || (im->folder_absolute && !c->folder_absolute) || !c->text || !c->cell_at ||
        !c->path_at || !c->shapes || !c->cache)
        return false;
    memcpy(c->text, im->text, im->text_len);
    c->text_len = c->text_cap = im->text_len;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = keep[i];
        c->cell_at[i] = im->cell_at[r];
        c->path_at[i] = im->path_at[r];
        c->shapes[i] = im->shapes[r];
        if (!im->cache[r]) continue;
        size_t bytes = sgdi_image_bytes(im->shapes[r]);
        if (!(c->cache[i] = malloc(bytes))) return false;
        memcpy(c->cache[i], im->cache[r], bytes);
        c->cache_bytes += bytes;
    }
    return true;
}

// keep[0 .. N - n_removed - 1] = the rows not in removed[], ascending.
static sgdi_status kept_rows(const sgdi_dataset *ds, const int64_t *removed, int64_t n_removed,
                             int64_t *keep, sgdi_error *err) {
    int64_t n = ds->rows;
    unsigned char *gone = calloc((size_t)n, 1);
    if (!gone) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", ds->path);
    for (int64_t i = 0; i < n_removed; i++) {
        int64_t r = removed[i];
        const char *why = r < 0 || r >= n ? "no such row" : gone[r] ? "listed twice" : NULL;
        if (why) {
            free(gone);
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "%s: cannot remove row %lld (0-based): %s (the dataset has %lld "
                             "rows)",
                             ds->path, (long long)r, why, (long long)n);
        }
        gone[r] = 1;
    }
    int64_t k = 0;
    for (int64_t r = 0; r < n; r++)
        if (!gone[r]) keep[k++] = r;
    free(gone);
    return SGDI_OK;
}

sgdi_status sgdi_dataset_subset(const sgdi_dataset *ds, const int64_t *removed, int64_t n_removed,
                                sgdi_dataset **out, sgdi_error *err) {
    if (!out) return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_dataset_subset: out is NULL");
    *out = NULL;
    if (!ds || (n_removed > 0 && !removed) || n_removed < 0)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_dataset_subset: bad arguments");
    if (n_removed >= ds->rows)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "%s: removing %lld of its %lld rows leaves none to train on", ds->path,
                         (long long)n_removed, (long long)ds->rows);
    int64_t n = ds->rows - n_removed;
    int64_t *keep = sgdi_alloc_array(n, sizeof *keep);
    if (!keep) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", ds->path);
    sgdi_status st = kept_rows(ds, removed, n_removed, keep, err);
    if (st != SGDI_OK) {
        free(keep);
        return st;
    }
    sgdi_dataset *sub = calloc(1, sizeof *sub);
    bool ok = sub != NULL;
    if (ok) {
        // The classes stay the original's: a network built for the whole set must fit
        // the subset even when it lost every row of the last class.
        sub->rows = n;
        sub->features = ds->features;
        sub->classes = ds->classes;
        sub->label_column = ds->label_column;
        sub->path = copy_string(ds->path);
        sub->y = sgdi_alloc_array(n, sizeof *sub->y);
        sub->lines = sgdi_alloc_array(n, sizeof *sub->lines);
        ok = sub->path && sub->y && sub->lines && copy_names(ds, sub);
    }
    if (ok && !ds->images) {
        int64_t cells;
        ok = sgdi_mul_i64(n, ds->features, &cells) &&
             (sub->x = sgdi_alloc_array(cells, sizeof *sub->x)) != NULL;
        size_t f = (size_t)ds->features;
        for (int64_t i = 0; ok && i < n; i++)
            memcpy(sub->x + (size_t)i * f, ds->x + (size_t)keep[i] * f, f * sizeof *sub->x);
    } else if (ok) {
        ok = copy_images(ds->images, keep, n, &sub->images);
    }
    for (int64_t i = 0; ok && i < n; i++) {
        sub->y[i] = ds->y[keep[i]];
        sub->lines[i] = ds->lines[keep[i]];
    }
    free(keep);
    if (!ok) {
        sgdi_dataset_free(sub);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory for a subset of %lld rows",
                         ds->path, (long long)n);
    }
    *out = sub;
    return SGDI_OK;
}
