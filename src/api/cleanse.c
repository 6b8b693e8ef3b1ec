/*
 * cleanse.c — sgdi_cleanse (sgdi.h): the training CSV without the rows an
 * influence CSV ranks most harmful.
 *
 * The training CSV is read twice from memory with the project's reader
 * (src/data/csv.h): once to learn its rows, labels and image files, and once,
 * after the influence CSV has been checked against it, to write the rows that
 * stay. The dataset loader is not used: it would decode every image, and the
 * output must keep every column of the input, also those the tool ignores.
 * Data rows are counted as the loader counts them (blank lines skipped), so
 * row r is the influence CSV's datasource_index r.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/cleanse.h"
#include "data/csv.h"
#include "io/atomic.h"
#include "io/csv_write.h"
#include "util/error.h"
#include "util/path.h"

void sgdi_cleanse_options_init(sgdi_cleanse_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->by = SGDI_CLEANSE_COUNT;
    opts->below = -INFINITY;
}

// --- Header cells ----------------------------------------------------------------

// Whether header cell `c` names variable `name`: the part before any ':' is `name`
// (exact = true), or starts with `name` followed by "__" (an indexed column).
static bool names_variable(const sgdi_csv_field *c, const char *name, bool exact) {
    size_t n = strlen(name);
    if (c->len < n || memcmp(c->text, name, n) != 0) return false;
    if (c->len == n || c->text[n] == ':') return true;
    return !exact && c->len >= n + 2 && c->text[n] == '_' && c->text[n + 1] == '_';
}

// The 0-based field of the first header cell that is exactly variable `name`, or -1.
static int64_t find_column(const sgdi_csv *r, const char *name) {
    for (int64_t i = 0; i < r->nfields; i++)
        if (names_variable(&r->fields[i], name, true)) return i;
    return -1;
}

// The first record that is not a blank line; false (err filled) if there is none.
static bool next_header(sgdi_csv *r, const char *path, sgdi_error *err) {
    int got;
    while ((got = sgdi_csv_next(r, err)) > 0 && r->nfields == 0) {
    }
    if (got == 0) sgdi_fail(err, SGDI_ERR_FORMAT, "%s: empty file (no header)", path);
    return got > 0;
}

// The next data record (blank lines skipped): 1, 0 at the end, -1 on error. A record
// whose field count differs from the header's is an error naming its line.
static int next_row(sgdi_csv *r, int64_t ncols, const char *path, sgdi_error *err) {
    int got;
    while ((got = sgdi_csv_next(r, err)) > 0 && r->nfields == 0) {
    }
    if (got > 0 && r->nfields != ncols) {
        sgdi_fail(err, SGDI_ERR_FORMAT,
                  "%s:%lld: row has %lld fields, expected %lld (as many as the header has)", path,
                  (long long)r->record_line, (long long)r->nfields, (long long)ncols);
        return -1;
    }
    return got;
}

// --- The training CSV ------------------------------------------------------------

typedef struct train_table {
    const char *path;
    char *data;
    size_t size;
    int64_t rows;
    int64_t ncols;
    int64_t x_field;       // an image dataset's file column, -1 for a table
    int64_t y_field;       // the label column, -1 if none
    double *labels;        // [rows] the y cells as numbers (NaN if not one); NULL without y
    char **images;         // [rows] each image's absolute normalised path; NULL for a table
    char *folder_absolute; // the CSV's folder, absolute and normalised
    int64_t cap;
} train_table;

static void train_free(train_table *t) {
    for (int64_t r = 0; t->images && r < t->rows; r++) free(t->images[r]);
    free(t->images);
    free(t->labels);
    free(t->folder_absolute);
    free(t->data);
}

// The absolute, normalised path of file cell text[0 .. len-1] read from `folder_absolute`.
static char *resolve_cell(const char *folder_absolute, const char *text, size_t len) {
    char *joined = sgdi_path_join(folder_absolute, text, len);
    char *absolute = joined ? sgdi_path_absolute(joined) : NULL; // normalises only
    free(joined);
    return absolute;
}

static sgdi_status grow_train(train_table *t, sgdi_error *err) {
    if (t->rows < t->cap) return SGDI_OK;
    int64_t cap = t->cap ? 2 * t->cap : 1024;
    if (t->y_field >= 0) {
        double *labels = realloc(t->labels, (size_t)cap * sizeof *labels);
        if (!labels) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", t->path);
        t->labels = labels;
    }
    if (t->x_field >= 0) {
        char **images = realloc(t->images, (size_t)cap * sizeof *images);
        if (!images) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", t->path);
        t->images = images;
    }
    t->cap = cap;
    return SGDI_OK;
}

// An image dataset, as the loader decides (src/data/dataset.c): one feature column,
// named x exactly, whose first data cell is not a number.
static void detect_images(train_table *t, const sgdi_csv *r, int64_t plain_x, int64_t x_columns) {
    double unused;
    const sgdi_csv_field *c = plain_x >= 0 ? &r->fields[plain_x] : NULL;
    if (x_columns == 1 && c &&
        sgdi_csv_parse_number(c->text, c->len, &unused) == SGDI_CSV_NOT_NUMBER)
        t->x_field = plain_x;
}

// Pass 1: counts the rows and keeps what the influence CSV is checked against.
static sgdi_status scan_train(train_table *t, sgdi_error *err) {
    sgdi_csv r;
    sgdi_csv_init(&r, t->data, t->size, t->path);
    sgdi_status st = SGDI_OK;
    int64_t plain_x = -1, x_columns = 0;
    if (!next_header(&r, t->path, err)) {
        st = err->status;
        goto done;
    }
    t->ncols = r.nfields;
    for (int64_t i = 0; i < r.nfields; i++) {
        const sgdi_csv_field *c = &r.fields[i];
        if (c->len > 0 && c->text[0] == '#') continue; // a comment column
        if (names_variable(c, "x", false)) x_columns++;
        if (names_variable(c, "x", true) && plain_x < 0) plain_x = i;
    }
    t->y_field = find_column(&r, "y");
    int got;
    while ((got = next_row(&r, t->ncols, t->path, err)) > 0) {
        if (t->rows == 0) detect_images(t, &r, plain_x, x_columns);
        if ((st = grow_train(t, err)) != SGDI_OK) goto done;
        if (t->y_field >= 0) {
            const sgdi_csv_field *y = &r.fields[t->y_field];
            double v;
            if (sgdi_csv_parse_number(y->text, y->len, &v) != SGDI_CSV_NUMBER) v = NAN;
            t->labels[t->rows] = v;
        }
        if (t->x_field >= 0) {
            const sgdi_csv_field *x = &r.fields[t->x_field];
            double unused;
            if (sgdi_csv_parse_number(x->text, x->len, &unused) != SGDI_CSV_NOT_NUMBER) {
                st = sgdi_fail(err, SGDI_ERR_FORMAT,
                               "%s:%lld: column %lld: a number in a column of image files", t->path,
                               (long long)r.record_line, (long long)t->x_field + 1);
                goto done;
            }
            t->images[t->rows] = resolve_cell(t->folder_absolute, x->text, x->len);
            if (!t->images[t->rows]) {
                st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", t->path);
                goto done;
            }
        }
        t->rows++;
    }
    if (got < 0)
        st = err->status;
    else if (t->rows == 0)
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: no data rows", t->path);
done:
    sgdi_csv_free(&r);
    return st;
}

// --- The influence CSV -----------------------------------------------------------

typedef struct ranking {
    int64_t *order;    // [rows] datasource_index of each line, most harmful first
    double *influence; // [rows] in the same order
    int64_t rows;
} ranking;

typedef struct influence_columns {
    int64_t influence, index, y, x; // 0-based fields; y and x are -1 if absent
} influence_columns;

static sgdi_status check_index(const char *path, const sgdi_csv *r, const sgdi_csv_field *c,
                               const train_table *t, int64_t *seen_line, int64_t *index,
                               sgdi_error *err) {
    double v;
    char shown[64];
    long long line = (long long)r->record_line;
    if (sgdi_csv_parse_number(c->text, c->len, &v) != SGDI_CSV_NUMBER || v != floor(v) || v < 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: datasource_index '%s' is not a row number (0, 1, ...)", path,
                         line, sgdi_csv_describe(shown, sizeof shown, c->text, c->len));
    if (v >= (double)t->rows)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: datasource_index %.0f is out of range: %s has %lld rows "
                         "(0 .. %lld); these scores are not of this training CSV",
                         path, line, v, t->path, (long long)t->rows, (long long)t->rows - 1);
    *index = (int64_t)v;
    if (seen_line[*index])
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: datasource_index %lld repeats line %lld; every training row "
                         "must be listed once",
                         path, line, (long long)*index, (long long)seen_line[*index]);
    seen_line[*index] = r->record_line;
    return SGDI_OK;
}

// The label and image of an influence line against the training row it names.
static sgdi_status check_row_matches(const char *path, const char *folder_absolute,
                                     const sgdi_csv *r, const influence_columns *cols,
                                     const train_table *t, int64_t row, sgdi_error *err) {
    long long line = (long long)r->record_line;
    if (cols->y >= 0 && t->labels) {
        const sgdi_csv_field *c = &r->fields[cols->y];
        double v;
        if (sgdi_csv_parse_number(c->text, c->len, &v) != SGDI_CSV_NUMBER || v != t->labels[row])
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s:%lld: label of training row %lld differs from %s's (%g); these "
                             "scores are not of this training CSV",
                             path, line, (long long)row, t->path, t->labels[row]);
    }
    if (cols->x >= 0 && t->images) {
        const sgdi_csv_field *c = &r->fields[cols->x];
        char *image = resolve_cell(folder_absolute, c->text, c->len);
        if (!image) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", path);
        bool same = strcmp(image, t->images[row]) == 0;
        free(image);
        if (!same) {
            char shown[200];
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s:%lld: image '%s' is not training row %lld's (%s); these scores "
                             "are not of this training CSV",
                             path, line, sgdi_csv_describe(shown, sizeof shown, c->text, c->len),
                             (long long)row, t->images[row]);
        }
    }
    return SGDI_OK;
}

static sgdi_status read_columns(sgdi_csv *r, const char *path, influence_columns *cols,
                                sgdi_error *err) {
    if (!next_header(r, path, err)) return err->status;
    cols->influence = find_column(r, "influence");
    cols->index = find_column(r, "datasource_index");
    cols->y = find_column(r, "y");
    cols->x = find_column(r, "x");
    if (cols->influence < 0 || cols->index < 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: no column '%s': not an influence CSV written by sgd-influence", path,
                         cols->influence < 0 ? "influence" : "datasource_index");
    return SGDI_OK;
}

// Reads and checks the influence CSV against the training table.
static sgdi_status read_ranking(const char *path, const char *data, size_t size,
                                const train_table *t, ranking *out, sgdi_error *err) {
    char *absolute = sgdi_path_absolute(path);
    char *folder = absolute ? sgdi_path_dirname(absolute) : NULL;
    free(absolute);
    int64_t *seen_line = sgdi_calloc_array(t->rows, sizeof *seen_line);
    out->order = sgdi_alloc_array(t->rows, sizeof *out->order);
    out->influence = sgdi_alloc_array(t->rows, sizeof *out->influence);
    out->rows = 0;
    sgdi_csv r;
    sgdi_csv_init(&r, data, size, path);
    sgdi_status st = SGDI_OK;
    influence_columns cols = {-1, -1, -1, -1};
    if (!folder || !seen_line || !out->order || !out->influence) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if ((st = read_columns(&r, path, &cols, err)) != SGDI_OK) goto done;
    int64_t ncols = r.nfields;
    int got;
    while ((got = next_row(&r, ncols, path, err)) > 0) {
        int64_t row = 0;
        if ((st = check_index(path, &r, &r.fields[cols.index], t, seen_line, &row, err)) != SGDI_OK)
            goto done;
        const sgdi_csv_field *c = &r.fields[cols.influence];
        double v;
        char shown[64];
        if (sgdi_csv_parse_number(c->text, c->len, &v) != SGDI_CSV_NUMBER) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: influence '%s' is not a finite number",
                           path, (long long)r.record_line,
                           sgdi_csv_describe(shown, sizeof shown, c->text, c->len));
            goto done;
        }
        if (out->rows > 0 && v < out->influence[out->rows - 1]) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT,
                           "%s:%lld: influence %.17g after %.17g: the file is not sorted "
                           "ascending (most harmful first) as sgd-influence writes it",
                           path, (long long)r.record_line, v, out->influence[out->rows - 1]);
            goto done;
        }
        if ((st = check_row_matches(path, folder, &r, &cols, t, row, err)) != SGDI_OK) goto done;
        out->order[out->rows] = row;
        out->influence[out->rows] = v;
        out->rows++;
    }
    if (got < 0) {
        st = err->status;
    } else if (out->rows != t->rows) {
        st = sgdi_fail(err, SGDI_ERR_FORMAT,
                       "%s has %lld rows but %s has %lld; these scores are not of this "
                       "training CSV",
                       path, (long long)out->rows, t->path, (long long)t->rows);
    }
done:
    sgdi_csv_free(&r);
    free(seen_line);
    free(folder);
    return st;
}

// --- Choosing and writing --------------------------------------------------------

// How many of the first rows of `rk` go.
static sgdi_status removal_count(const sgdi_cleanse_options *o, const ranking *rk, int64_t *k,
                                 sgdi_error *err) {
    int64_t n = rk->rows;
    switch (o->by) {
    case SGDI_CLEANSE_COUNT:
        if (o->count < 0)
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "cannot remove %lld rows: the count is negative", (long long)o->count);
        *k = o->count;
        break;
    case SGDI_CLEANSE_FRACTION:
        if (!(o->fraction >= 0 && o->fraction <= 1))
            return sgdi_fail(err, SGDI_ERR_INVALID, "fraction %g is not in [0, 1]", o->fraction);
        *k = (int64_t)floor(o->fraction * (double)n + 0.5);
        break;
    case SGDI_CLEANSE_BELOW:
        if (!isfinite(o->below))
            return sgdi_fail(err, SGDI_ERR_INVALID, "influence threshold %g is not finite",
                             o->below);
        *k = 0;
        while (*k < n && rk->influence[*k] < o->below) (*k)++;
        break;
    default:
        return sgdi_fail(err, SGDI_ERR_INVALID, "unknown cleanse mode %d", (int)o->by);
    }
    if (*k > n)
        return sgdi_fail(err, SGDI_ERR_INVALID, "cannot remove %lld rows: there are only %lld",
                         (long long)*k, (long long)n);
    if (*k == n)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "removing all %lld training rows would leave no data to train on",
                         (long long)n);
    return SGDI_OK;
}

// The record's cells, but field `replaced` (-1 = none), which is `name`.
static void write_record(FILE *fp, const sgdi_csv *r, int64_t replaced, const char *name) {
    for (int64_t i = 0; i < r->nfields; i++) {
        if (i) fputc(',', fp);
        if (i == replaced)
            sgdi_csv_write_cell(fp, name, strlen(name));
        else
            sgdi_csv_write_cell(fp, r->fields[i].text, r->fields[i].len);
    }
    fputc('\n', fp);
}

// Pass 2: the header and the rows that stay, image names seen from `out_folder`
// (NULL = keep them as written).
static sgdi_status write_rows(const train_table *t, const bool *removed, const char *out_folder,
                              FILE *fp, sgdi_error *err) {
    sgdi_csv r;
    sgdi_csv_init(&r, t->data, t->size, t->path);
    sgdi_status st = SGDI_OK;
    if (!next_header(&r, t->path, err)) {
        st = err->status;
        goto done;
    }
    write_record(fp, &r, -1, NULL);
    int64_t row = 0, rewrite = out_folder ? t->x_field : -1;
    int got;
    while ((got = next_row(&r, t->ncols, t->path, err)) > 0) {
        if (removed[row++]) continue;
        const sgdi_csv_field *x = rewrite >= 0 ? &r.fields[rewrite] : NULL;
        // An absolute name resolves from anywhere: it stays as the user wrote it.
        if (!x || (x->len > 0 && (x->text[0] == '/' || x->text[0] == '\\'))) {
            write_record(fp, &r, -1, NULL);
            continue;
        }
        char *name = sgdi_path_relative(t->images[row - 1], out_folder);
        if (!name) {
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", t->path);
            goto done;
        }
        write_record(fp, &r, rewrite, name);
        free(name);
    }
    if (got < 0) st = err->status;
done:
    sgdi_csv_free(&r);
    return st;
}

// Refuses an output that is one of the inputs (also through another name or a link).
static sgdi_status check_output(const char *output, const char *const *inputs, int n,
                                sgdi_error *err) {
    struct stat out;
    if (stat(output, &out) != 0) return SGDI_OK; // a new file is no input
    for (int i = 0; i < n; i++) {
        struct stat in;
        if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev &&
            in.st_ino == out.st_ino)
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "the output '%s' is the input '%s'; write the cleansed CSV to "
                             "another file",
                             output, inputs[i]);
    }
    return SGDI_OK;
}

static sgdi_status write_output(const sgdi_cleanse_options *o, const train_table *t,
                                const ranking *rk, int64_t k, sgdi_error *err) {
    bool *removed = sgdi_calloc_array(t->rows, sizeof *removed);
    char *out_absolute = sgdi_path_absolute(o->output);
    char *out_folder = out_absolute ? sgdi_path_dirname(out_absolute) : NULL;
    free(out_absolute);
    sgdi_status st = SGDI_OK;
    if (!removed || !out_folder) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing %s", o->output);
        goto done;
    }
    for (int64_t i = 0; i < k; i++) removed[rk->order[i]] = true;
    bool same_folder = strcmp(out_folder, t->folder_absolute) == 0;
    sgdi_atomic_file f;
    if ((st = sgdi_atomic_open(&f, o->output, err)) != SGDI_OK) goto done;
    st = write_rows(t, removed, same_folder ? NULL : out_folder, f.fp, err);
    if (st != SGDI_OK)
        sgdi_atomic_abort(&f);
    else
        st = sgdi_atomic_commit(&f, err);
done:
    free(out_folder);
    free(removed);
    return st;
}

sgdi_status sgdi_cleanse(const sgdi_cleanse_options *opts, sgdi_cleanse_summary *summary,
                         sgdi_error *err) {
    sgdi_error local; // the helpers read the status of their failures
    if (!err) err = &local;
    sgdi_error_clear(err);
    if (!opts || !opts->influence_csv || !*opts->influence_csv)
        return sgdi_fail(err, SGDI_ERR_INVALID, "no influence CSV given");
    if (!opts->output || !*opts->output)
        return sgdi_fail(err, SGDI_ERR_INVALID, "no output file given");
    char *train_path = NULL;
    if (opts->train_csv && *opts->train_csv)
        train_path = strdup(opts->train_csv);
    else if (sgdi_cleanse_train_path(opts->influence_csv, &train_path, err) != SGDI_OK)
        return err->status;
    if (!train_path) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    train_table t = {.path = train_path, .x_field = -1, .y_field = -1};
    ranking rk = {0};
    char *data = NULL;
    size_t size = 0;
    const char *inputs[] = {opts->influence_csv, train_path};
    sgdi_status st = check_output(opts->output, inputs, 2, err);
    if (st == SGDI_OK) st = sgdi_cleanse_read_file(train_path, &t.data, &t.size, err);
    if (st == SGDI_OK) {
        char *absolute = sgdi_path_absolute(train_path);
        t.folder_absolute = absolute ? sgdi_path_dirname(absolute) : NULL;
        free(absolute);
        if (!t.folder_absolute) st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    }
    if (st == SGDI_OK) st = scan_train(&t, err);
    if (st == SGDI_OK) st = sgdi_cleanse_read_file(opts->influence_csv, &data, &size, err);
    if (st == SGDI_OK) st = read_ranking(opts->influence_csv, data, size, &t, &rk, err);
    int64_t k = 0;
    if (st == SGDI_OK) st = removal_count(opts, &rk, &k, err);
    if (st == SGDI_OK) st = write_output(opts, &t, &rk, k, err);
    if (st == SGDI_OK && summary)
        *summary = (sgdi_cleanse_summary){t.rows, k, k > 0 ? rk.influence[k - 1] : NAN};
    free(rk.order);
    free(rk.influence);
    free(data);
    train_free(&t);
    free(train_path);
    return st;
}
