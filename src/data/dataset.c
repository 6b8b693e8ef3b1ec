/*
 * dataset.c — loading an NNC CSV dataset (sgdi.h, "Datasets") and checking
 * that a validation set fits a training set.
 *
 * The header names the columns (NAME, NAME:comment, NAME__INDEX; '#' starts
 * a comment column). The features are the variable x (x__0, x__1, ... in file
 * order, or one column x), the label is the single column y; other variables
 * are ignored. Every data row has as many fields as the header; blank lines
 * are skipped, as NNC does. A single column x whose first cell is not a
 * number holds image file names (NNC's rule): the dataset is then an image
 * dataset (src/data/images.h), decoded once the CSV is read. Input is
 * hostile: counts are capped, size products checked, and every message names
 * the file, line and column.
 */
#include "data/dataset.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"
#include "data/images.h"
#include "util/error.h"

// --- Helpers ----------------------------------------------------------------------

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

// realloc to n elements of `elem` bytes, with the product checked.
static void *realloc_array(void *p, int64_t n, size_t elem) {
    int64_t bytes;
    if (n <= 0 || !sgdi_mul_i64(n, (int64_t)elem, &bytes) || (uint64_t)bytes > SIZE_MAX)
        return NULL;
    return realloc(p, (size_t)bytes);
}

// A printable excerpt of a field for messages (see sgdi_csv_describe).
typedef struct excerpt {
    char text[72];
} excerpt;

static excerpt show(const char *text, size_t len) {
    excerpt e;
    sgdi_csv_describe(e.text, sizeof e.text, text, len);
    return e;
}

static excerpt show_str(const char *s) {
    return show(s, strlen(s));
}

// Writes "a,b,c" (shortened) from the current record for messages.
static void render_header(char *out, size_t cap, const sgdi_csv *r) {
    size_t o = 0;
    out[0] = '\0';
    for (int64_t i = 0; i < r->nfields; i++) {
        excerpt e = show(r->fields[i].text, r->fields[i].len);
        size_t n = strlen(e.text);
        if (o + n + 5 >= cap) {
            snprintf(out + o, cap - o, "%s...", i > 0 ? "," : "");
            return;
        }
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i > 0 ? "," : "", e.text);
    }
}

void sgdi_dataset_free(sgdi_dataset *ds) {
    if (!ds) return;
    free(ds->path);
    free(ds->x);
    free(ds->y);
    free(ds->lines);
    free(ds->feature_names);
    free(ds->feature_columns);
    free(ds->names);
    sgdi_images_free(ds->images);
    free(ds);
}

void sgdi_dataset_options_init(sgdi_dataset_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->image_cache_bytes = (size_t)1 << 30;
}

// --- Header -----------------------------------------------------------------------

typedef struct loader {
    const char *name; // for messages
    const sgdi_dataset_options *opts;
    sgdi_csv csv;
    sgdi_dataset *ds;
    bool single_x;    // x is one column: its cells may be image file names
    int64_t ncols;    // fields per record, from the header
    int64_t *x_field; // [F] 0-based field of each feature
    int64_t y_field;  // 0-based field of the label
    int64_t row_cap;
} loader;

// A named (non-comment) header cell: the name is the part before any ':'.
typedef struct named {
    const char *name;
    size_t len;
    int64_t field; // 0-based
} named;

static int compare_named(const void *pa, const void *pb) {
    const named *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->name, b->name, n);
    if (c != 0) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return (a->field > b->field) - (a->field < b->field);
}

// The variable a header name belongs to: the part before the first "__".
static size_t variable_length(const char *name, size_t len, bool *indexed) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (name[i] == '_' && name[i + 1] == '_') {
            *indexed = true;
            return i;
        }
    }
    *indexed = false;
    return len;
}

static bool is_variable(const named *c, const char *var) {
    bool indexed;
    size_t n = variable_length(c->name, c->len, &indexed);
    return n == strlen(var) && memcmp(c->name, var, n) == 0;
}

// Reports the first (by file column) name that repeats an earlier one.
static sgdi_status check_duplicates(loader *L, const named *cols, int64_t n, sgdi_error *err) {
    if (n < 2) return SGDI_OK;
    named *sorted = sgdi_alloc_array(n, sizeof *sorted);
    if (!sorted)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory reading the header", L->name);
    memcpy(sorted, cols, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, compare_named);
    int64_t first = -1, repeat = -1;
    for (int64_t i = 1; i < n; i++) {
        const named *a = &sorted[i - 1], *b = &sorted[i];
        // Only a group's first pair can pass the test on `repeat` (fields ascend within a
        // group), so `a` is then the earliest column with that name.
        if (a->len == b->len && memcmp(a->name, b->name, a->len) == 0 &&
            (repeat < 0 || b->field < repeat)) {
            first = a->field;
            repeat = b->field;
        }
    }
    sgdi_status st = SGDI_OK;
    if (repeat >= 0) {
        excerpt e = show(cols[0].name, 0);
        for (int64_t i = 0; i < n; i++)
            if (cols[i].field == repeat) e = show(cols[i].name, cols[i].len);
        st = sgdi_fail(err, SGDI_ERR_FORMAT,
                       "%s:%lld: column %lld '%s': duplicate column name (column %lld has it too)",
                       L->name, (long long)L->csv.record_line, (long long)repeat + 1, e.text,
                       (long long)first + 1);
    }
    free(sorted);
    return st;
}

// Finds x and y in the header record and fills ds->feature_* and L->x_field.
static sgdi_status classify(loader *L, const named *cols, int64_t n, sgdi_error *err) {
    const char *file = L->name;
    long long hline = (long long)L->csv.record_line;
    int64_t nx = 0, plain_x = -1, indexed_x = -1, ny = 0, y_first = -1, y_second = -1;
    for (int64_t i = 0; i < n; i++) {
        bool indexed;
        variable_length(cols[i].name, cols[i].len, &indexed);
        if (is_variable(&cols[i], "x")) {
            nx++;
            if (indexed && indexed_x < 0) indexed_x = i;
            if (!indexed && plain_x < 0) plain_x = i;
        } else if (is_variable(&cols[i], "y")) {
            if (ny == 0) y_first = i;
            if (ny == 1) y_second = i;
            ny++;
        }
    }
    if (nx == 0 || ny == 0) {
        char header[400];
        render_header(header, sizeof header, &L->csv);
        if (ny == 0)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: no column 'y' (the label); header is: %s",
                             file, header);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: no column 'x' or 'x__0', 'x__1', ... (the features); header is: %s",
                         file, header);
    }
    if (plain_x >= 0 && indexed_x >= 0) {
        excerpt e = show(cols[indexed_x].name, cols[indexed_x].len);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: column %lld 'x' and column %lld '%s' both define the features "
                         "x; use either one column x or columns x__0, x__1, ...",
                         file, hline, (long long)cols[plain_x].field + 1,
                         (long long)cols[indexed_x].field + 1, e.text);
    }
    if (ny > 1) {
        excerpt a = show(cols[y_first].name, cols[y_first].len);
        excerpt b = show(cols[y_second].name, cols[y_second].len);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: columns %lld '%s' and %lld '%s' both belong to the label y; the "
                         "label must be a single column",
                         file, hline, (long long)cols[y_first].field + 1, a.text,
                         (long long)cols[y_second].field + 1, b.text);
    }
    if (nx > SGDI_DATASET_MAX_FEATURES)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: %lld feature columns (at most %d)", file,
                         hline, (long long)nx, SGDI_DATASET_MAX_FEATURES);

    sgdi_dataset *ds = L->ds;
    L->single_x = plain_x >= 0;
    L->y_field = cols[y_first].field;
    ds->label_column = L->y_field + 1;
    ds->features = nx;
    int64_t bytes = 0;
    for (int64_t i = 0; i < n; i++)
        if (is_variable(&cols[i], "x")) bytes += (int64_t)cols[i].len + 1; // <= the record size
    L->x_field = sgdi_alloc_array(nx, sizeof *L->x_field);
    ds->feature_names = sgdi_alloc_array(nx, sizeof *ds->feature_names);
    ds->feature_columns = sgdi_alloc_array(nx, sizeof *ds->feature_columns);
    ds->names = sgdi_alloc_array(bytes, 1);
    if (!L->x_field || !ds->feature_names || !ds->feature_columns || !ds->names)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory reading the header", file);
    char *p = ds->names;
    int64_t f = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!is_variable(&cols[i], "x")) continue;
        memcpy(p, cols[i].name, cols[i].len);
        p[cols[i].len] = '\0';
        ds->feature_names[f] = p;
        ds->feature_columns[f] = cols[i].field + 1;
        L->x_field[f] = cols[i].field;
        p += cols[i].len + 1;
        f++;
    }
    return SGDI_OK;
}

// Reads the header record (already in L->csv).
static sgdi_status parse_header(loader *L, sgdi_error *err) {
    const sgdi_csv *r = &L->csv;
    long long hline = (long long)r->record_line;
    L->ncols = r->nfields;
    named *cols = sgdi_alloc_array(r->nfields, sizeof *cols);
    if (!cols)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory reading the header", L->name);
    int64_t n = 0;
    sgdi_status st = SGDI_OK;
    for (int64_t i = 0; i < r->nfields && st == SGDI_OK; i++) {
        const sgdi_csv_field *c = &r->fields[i];
        if (c->len > 0 && c->text[0] == '#') continue; // a comment column
        const char *colon = c->len ? memchr(c->text, ':', c->len) : NULL;
        size_t len = colon ? (size_t)(colon - c->text) : c->len;
        if (c->len == 0) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT,
                           "%s:%lld: column %lld: empty header cell (name every column, or start "
                           "its header with '#' to mark a comment)",
                           L->name, hline, (long long)i + 1);
        } else if (len == 0) {
            excerpt e = show(c->text, c->len);
            st = sgdi_fail(err, SGDI_ERR_FORMAT,
                           "%s:%lld: column %lld '%s': empty column name before ':'", L->name,
                           hline, (long long)i + 1, e.text);
        } else if (memchr(c->text, '\0', c->len)) {
            excerpt e = show(c->text, c->len);
            st =
                sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: column %lld '%s': NUL byte in the header",
                          L->name, hline, (long long)i + 1, e.text);
        } else {
            cols[n++] = (named){c->text, len, i};
        }
    }
    if (st == SGDI_OK) st = check_duplicates(L, cols, n, err);
    if (st == SGDI_OK) st = classify(L, cols, n, err);
    free(cols);
    return st;
}

// --- Data rows --------------------------------------------------------------------

static sgdi_status grow_rows(loader *L, sgdi_error *err) {
    sgdi_dataset *ds = L->ds;
    if (ds->rows < L->row_cap) return SGDI_OK;
    int64_t cap = L->row_cap;
    if (cap == 0) {
        cap = 65536 / ds->features; // start small when rows are wide
        cap = cap < 1 ? 1 : cap > 64 ? 64 : cap;
    } else if (cap > INT64_MAX / 2) {
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: too many rows", L->name);
    } else {
        cap *= 2;
    }
    int64_t cells;
    if (!sgdi_mul_i64(cap, ds->features, &cells))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: too many rows x features", L->name);
    float *x = ds->images ? NULL : realloc_array(ds->x, cells, sizeof *x); // images keep no x
    if (x) ds->x = x;
    int32_t *y = x || ds->images ? realloc_array(ds->y, cap, sizeof *y) : NULL;
    if (y) ds->y = y;
    int64_t *lines = y ? realloc_array(ds->lines, cap, sizeof *lines) : NULL;
    if (lines) ds->lines = lines;
    if (!lines)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory after %lld rows", L->name,
                         (long long)ds->rows);
    L->row_cap = cap;
    return SGDI_OK;
}

// Largest double that rounds to a finite float (FLT_MAX plus half an ulp, exclusive).
static const double float_limit = 0x1.ffffffp127;

static sgdi_status parse_feature(loader *L, int64_t field, const char *header, float *out,
                                 sgdi_error *err) {
    const sgdi_csv_field *c = &L->csv.fields[field];
    double v = 0;
    sgdi_csv_number kind = sgdi_csv_parse_number(c->text, c->len, &v);
    const char *what = NULL;
    if (kind == SGDI_CSV_NOT_NUMBER) what = "is not a number";
    if (kind == SGDI_CSV_NAN) what = "is NaN; features must be finite numbers";
    if (kind == SGDI_CSV_INF) what = "is infinite; features must be finite numbers";
    if (kind == SGDI_CSV_NUMBER && (v >= float_limit || v <= -float_limit))
        what = "is too large for float32 (magnitude above 3.4028235e+38)";
    if (what) {
        excerpt h = show_str(header), e = show(c->text, c->len);
        const char *hint = "";
        if (kind == SGDI_CSV_NOT_NUMBER && sgdi_image_cell_kind(c->text, c->len) != SGDI_CELL_OTHER)
            hint = L->single_x ? " (the first row's x is a number: every row must hold numbers, "
                                 "or every row a file name)"
                               : " (file names are read from a single column 'x' only)";
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: column %lld '%s': '%s' %s%s", L->name,
                         (long long)L->csv.record_line, (long long)field + 1, h.text, e.text, what,
                         hint);
    }
    *out = (float)v;
    return SGDI_OK;
}

static sgdi_status parse_label(loader *L, int32_t *out, sgdi_error *err) {
    const sgdi_csv_field *c = &L->csv.fields[L->y_field];
    double v = 0;
    sgdi_csv_number kind = sgdi_csv_parse_number(c->text, c->len, &v);
    const char *what = NULL;
    if (kind == SGDI_CSV_NOT_NUMBER)
        what = "is not a number";
    else if (kind == SGDI_CSV_NAN)
        what = "is NaN, not a class index";
    else if (kind == SGDI_CSV_INF)
        what = "is infinite, not a class index";
    else if (v < 0)
        what = "is negative; labels are class indices 0, 1, 2, ...";
    else if (v != floor(v))
        what = "is not an integer class index";
    else if (v > SGDI_DATASET_MAX_LABEL)
        what = "is too large (the largest class index is 999999)";
    if (what) {
        excerpt e = show(c->text, c->len);
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: column %lld 'y': label '%s' %s", L->name,
                         (long long)L->csv.record_line, (long long)L->y_field + 1, e.text, what);
    }
    *out = (int32_t)v;
    return SGDI_OK;
}

// An x cell of an image dataset: a file name, never a number.
static sgdi_status parse_image_cell(loader *L, const sgdi_csv_field *c, sgdi_error *err) {
    double v;
    if (sgdi_csv_parse_number(c->text, c->len, &v) != SGDI_CSV_NOT_NUMBER) {
        excerpt e = show(c->text, c->len);
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: column %lld 'x': '%s' is a number, but the first row's x is an "
                         "image file: every row must name a file",
                         L->name, (long long)L->csv.record_line, (long long)L->x_field[0] + 1,
                         e.text);
    }
    return sgdi_images_add_row(L->ds, c->text, c->len, L->csv.record_line, err);
}

static sgdi_status parse_row(loader *L, sgdi_error *err) {
    sgdi_dataset *ds = L->ds;
    const sgdi_csv *r = &L->csv;
    if (r->nfields != L->ncols)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: row has %lld fields, expected %lld (as many as the header has)",
                         L->name, (long long)r->record_line, (long long)r->nfields,
                         (long long)L->ncols);
    const sgdi_csv_field *first = &r->fields[L->x_field[0]];
    double unused;
    if (ds->rows == 0 && L->single_x &&
        sgdi_csv_parse_number(first->text, first->len, &unused) == SGDI_CSV_NOT_NUMBER) {
        ds->images = sgdi_images_new(ds->path, L->x_field[0] + 1, L->opts);
        if (!ds->images) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", L->name);
    }
    sgdi_status st = grow_rows(L, err);
    if (st != SGDI_OK) return st;
    if (ds->images) {
        st = parse_image_cell(L, first, err);
    } else {
        float *x = ds->x + ds->rows * ds->features;
        for (int64_t f = 0; f < ds->features && st == SGDI_OK; f++)
            st = parse_feature(L, L->x_field[f], ds->feature_names[f], &x[f], err);
    }
    if (st != SGDI_OK) return st;
    int32_t y = 0;
    st = parse_label(L, &y, err);
    if (st != SGDI_OK) return st;
    if (y >= ds->classes) ds->classes = y + 1;
    ds->y[ds->rows] = y;
    ds->lines[ds->rows] = r->record_line;
    ds->rows++;
    return SGDI_OK;
}

// --- Loading ----------------------------------------------------------------------

static sgdi_status load(loader *L, sgdi_error *err) {
    sgdi_csv *r = &L->csv;
    int got;
    // The header: the first record. A file of blank lines has no data rows.
    int64_t first_line = 1;
    while ((got = sgdi_csv_next(r, err)) > 0 && r->nfields == 0) {
    }
    if (got < 0) return err->status; // err is never NULL here
    if (got == 0) return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: no data rows", L->name);
    if (r->record_line != first_line)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: blank line before the header (the header must be line 1)",
                         L->name, (long long)first_line);
    sgdi_status st = parse_header(L, err);
    if (st != SGDI_OK) return st;
    while ((got = sgdi_csv_next(r, err)) > 0) {
        if (r->nfields == 0) continue; // a blank line, skipped as NNC does
        st = parse_row(L, err);
        if (st != SGDI_OK) return st;
    }
    if (got < 0) return err->status; // err is never NULL here
    if (L->ds->rows == 0) return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: no data rows", L->name);
    if (L->ds->images) return sgdi_images_decode_all(L->ds, L->opts->image_cache_bytes, err);
    return SGDI_OK;
}

sgdi_status sgdi_dataset_load_csv_buffer(const char *data, size_t size, const char *name,
                                         sgdi_dataset **out, sgdi_error *err) {
    return sgdi_dataset_load_csv_buffer_opts(data, size, name, NULL, out, err);
}

sgdi_status sgdi_dataset_load_csv_buffer_opts(const char *data, size_t size, const char *name,
                                              const sgdi_dataset_options *opts, sgdi_dataset **out,
                                              sgdi_error *err) {
    if (!out) return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_dataset_load_csv_buffer: out is NULL");
    sgdi_dataset_options defaults;
    sgdi_dataset_options_init(&defaults);
    *out = NULL;
    if (!name) name = "<memory>";
    if (!data && size > 0)
        return sgdi_fail(err, SGDI_ERR_INVALID, "%s: no data (NULL buffer)", name);
    sgdi_error local; // the reader needs the status of its failures
    if (!err) err = &local;
    sgdi_error_clear(err);
    loader L;
    memset(&L, 0, sizeof L);
    L.name = name;
    L.opts = opts ? opts : &defaults;
    L.ds = calloc(1, sizeof *L.ds);
    if (!L.ds) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
    L.ds->path = copy_string(name);
    if (!L.ds->path) {
        free(L.ds);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
    }
    L.name = L.ds->path;
    sgdi_csv_init(&L.csv, data, size, L.name);
    sgdi_status st = load(&L, err);
    sgdi_csv_free(&L.csv);
    free(L.x_field);
    if (st != SGDI_OK) {
        if (err->status == SGDI_OK) sgdi_fail(err, st, "%s: cannot load", name);
        sgdi_dataset_free(L.ds);
        return st;
    }
    *out = L.ds;
    return SGDI_OK;
}

// Reads a whole file (also a pipe) into *data (*size bytes, not terminated).
static sgdi_status read_file(const char *path, char **data, size_t *size, sgdi_error *err) {
    char why[256];
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (strerror_r(e, why, sizeof why) != 0) snprintf(why, sizeof why, "error %d", e);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot open '%s': %s", path, why);
    }
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    sgdi_status st = SGDI_OK;
    for (;;) {
        if (!buf) {
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory reading the file", path);
            break;
        }
        errno = 0;
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                if (strerror_r(e, why, sizeof why) != 0) snprintf(why, sizeof why, "error %d", e);
                st = sgdi_fail(err, SGDI_ERR_IO, "cannot read '%s': %s", path, why);
            }
            break;
        }
        char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!bigger) free(buf);
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (st != SGDI_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *size = len;
    return SGDI_OK;
}

sgdi_status sgdi_dataset_load_csv(const char *path, sgdi_dataset **out, sgdi_error *err) {
    return sgdi_dataset_load_csv_opts(path, NULL, out, err);
}

sgdi_status sgdi_dataset_load_csv_opts(const char *path, const sgdi_dataset_options *opts,
                                       sgdi_dataset **out, sgdi_error *err) {
    if (!out) return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_dataset_load_csv: out is NULL");
    *out = NULL;
    if (!path) return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_dataset_load_csv: path is NULL");
    char *data = NULL;
    size_t size = 0;
    sgdi_status st = read_file(path, &data, &size, err);
    if (st != SGDI_OK) return st;
    st = sgdi_dataset_load_csv_buffer_opts(data, size, path, opts, out, err);
    free(data);
    return st;
}
