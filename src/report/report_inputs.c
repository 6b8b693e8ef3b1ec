/*
 * report_inputs.c — reading what the report shows: the influence CSV, its
 * sidecar, evaluate's JSON and (for tables) the training CSV, each checked
 * and named by file and line or field when it is wrong.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv.h"
#include "report/report.h"
#include "util/error.h"
#include "util/path.h"

sgdi_status sgdi_report_read_file(const char *path, char **text, size_t *size, sgdi_error *err) {
    *text = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return sgdi_fail(err, SGDI_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        used += fread(buf + used, 1, cap - used - 1, fp);
        if (used < cap - 1) break;
        char *grown = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!grown) free(buf);
        buf = grown;
        cap *= 2;
    }
    bool failed = buf && ferror(fp);
    fclose(fp);
    if (!buf) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", path);
    if (failed) {
        free(buf);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot read %s", path);
    }
    buf[used] = '\0';
    *text = buf;
    *size = used;
    return SGDI_OK;
}

// --- Cells -----------------------------------------------------------------------

// The column name as NNC reads it: the part before ':' ("x:image" -> "x").
static bool column_is(const sgdi_csv_field *f, const char *name) {
    size_t n = strlen(name);
    return f->len >= n && memcmp(f->text, name, n) == 0 && (f->len == n || f->text[n] == ':');
}

// A 0-based row number or label: a whole number in [0, 2^53).
static bool parse_index(const sgdi_csv_field *f, int64_t *out) {
    double v;
    if (sgdi_csv_parse_number(f->text, f->len, &v) != SGDI_CSV_NUMBER) return false;
    if (!(v >= 0 && v < 9007199254740992.0) || v != floor(v)) return false;
    *out = (int64_t)v;
    return true;
}

static sgdi_status bad_cell(sgdi_error *err, const char *name, const sgdi_csv *r,
                            const char *column, const sgdi_csv_field *f, const char *expected) {
    char shown[64];
    sgdi_csv_describe(shown, sizeof shown, f->text, f->len);
    return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: %s '%s' is not %s", name,
                     (long long)r->record_line, column, shown, expected);
}

// --- The influence CSV ---------------------------------------------------------

typedef struct influence_columns {
    int64_t score, row, image, label; // 0-based, -1 if absent
} influence_columns;

static sgdi_status read_header(sgdi_csv *r, const char *name, influence_columns *c,
                               sgdi_error *err) {
    int got;
    while ((got = sgdi_csv_next(r, err)) > 0 && r->nfields == 0) {
    }
    if (got < 0) return err ? err->status : SGDI_ERR_FORMAT;
    if (got == 0) return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: empty file, no header", name);
    *c = (influence_columns){-1, -1, -1, -1};
    for (int64_t k = 0; k < r->nfields; k++) {
        const sgdi_csv_field *f = &r->fields[k];
        if (column_is(f, "influence") && c->score < 0) c->score = k;
        if (column_is(f, "datasource_index") && c->row < 0) c->row = k;
        if (column_is(f, "x") && c->image < 0) c->image = k;
        if (column_is(f, "y") && c->label < 0) c->label = k;
    }
    if (c->score < 0 || c->row < 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s:%lld: the header has no '%s' column: is it an influence CSV "
                         "written by sgd-influence?",
                         name, (long long)r->record_line,
                         c->score < 0 ? "influence" : "datasource_index");
    return SGDI_OK;
}

// Reads one data record into `row`.
static sgdi_status read_row(const sgdi_csv *r, const char *name, const influence_columns *c,
                            int64_t columns, sgdi_report_row *row, sgdi_error *err) {
    if (r->nfields != columns)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: %lld fields, the header has %lld", name,
                         (long long)r->record_line, (long long)r->nfields, (long long)columns);
    const sgdi_csv_field *score = &r->fields[c->score];
    *row = (sgdi_report_row){.line = r->record_line, .label = -1};
    // NaN and infinities are numbers here: the page shows them as "n/a".
    if (sgdi_csv_parse_number(score->text, score->len, &row->score) == SGDI_CSV_NOT_NUMBER)
        return bad_cell(err, name, r, "influence", score, "a number");
    if (!parse_index(&r->fields[c->row], &row->row))
        return bad_cell(err, name, r, "datasource_index", &r->fields[c->row], "a row number");
    if (c->label >= 0 && !parse_index(&r->fields[c->label], &row->label))
        return bad_cell(err, name, r, "label", &r->fields[c->label], "a class number");
    if (c->image >= 0) {
        const sgdi_csv_field *x = &r->fields[c->image];
        if (memchr(x->text, '\0', x->len)) return bad_cell(err, name, r, "image", x, "a file name");
        row->image = strdup(x->text);
        if (!row->image) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
    }
    return SGDI_OK;
}

// Ascending by score, ties by row, NaN last: the order the CSV writer uses, so that a
// CSV sorted another way still shows its most harmful rows first.
static int compare_rows(const void *pa, const void *pb) {
    const sgdi_report_row *a = pa, *b = pb;
    bool na = isnan(a->score), nb = isnan(b->score);
    if (na != nb) return na ? 1 : -1;
    if (!na && a->score != b->score) return a->score < b->score ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

// Every datasource_index below the row count and listed once.
static sgdi_status check_rows(const char *name, sgdi_report_row *rows, int64_t n, sgdi_error *err) {
    int64_t *line_of = sgdi_calloc_array(n > 0 ? n : 1, sizeof *line_of);
    if (!line_of) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
    sgdi_status st = SGDI_OK;
    for (int64_t k = 0; k < n && st == SGDI_OK; k++) {
        int64_t r = rows[k].row;
        if (r >= n)
            st = sgdi_fail(err, SGDI_ERR_FORMAT,
                           "%s:%lld: datasource_index %lld, but the file lists only %lld rows",
                           name, (long long)rows[k].line, (long long)r, (long long)n);
        else if (line_of[r])
            st = sgdi_fail(err, SGDI_ERR_FORMAT,
                           "%s:%lld: datasource_index %lld is listed twice (also on line %lld)",
                           name, (long long)rows[k].line, (long long)r, (long long)line_of[r]);
        else
            line_of[r] = rows[k].line;
    }
    free(line_of);
    return st;
}

sgdi_status sgdi_report_parse_influence(const char *text, size_t size, const char *name,
                                        sgdi_report_data *data, sgdi_error *err) {
    sgdi_csv r;
    sgdi_csv_init(&r, text, size, name);
    influence_columns c = {-1, -1, -1, -1};
    sgdi_status st = read_header(&r, name, &c, err);
    int64_t columns = r.nfields, cap = 0, n = 0;
    sgdi_report_row *rows = NULL;
    int got = 0;
    while (st == SGDI_OK && (got = sgdi_csv_next(&r, err)) > 0) {
        if (r.nfields == 0) continue; // blank lines, as the dataset reader skips them
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            sgdi_report_row *grown = realloc(rows, (size_t)cap * sizeof *rows);
            if (!grown) {
                st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
                break;
            }
            rows = grown;
        }
        st = read_row(&r, name, &c, columns, &rows[n], err);
        if (st == SGDI_OK) n++;
    }
    if (st == SGDI_OK && got < 0) st = err ? err->status : SGDI_ERR_FORMAT;
    if (st == SGDI_OK && n == 0) st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: no data rows", name);
    if (st == SGDI_OK) st = check_rows(name, rows, n, err);
    // Image rows: the x column holds file names (NNC's rule: the first cell is not a number).
    double ignored;
    bool images = st == SGDI_OK && c.image >= 0 &&
                  sgdi_csv_parse_number(rows[0].image, strlen(rows[0].image), &ignored) ==
                      SGDI_CSV_NOT_NUMBER;
    sgdi_csv_free(&r);
    if (st != SGDI_OK) {
        for (int64_t k = 0; k < n; k++) free(rows[k].image);
        free(rows);
        return st;
    }
    qsort(rows, (size_t)n, sizeof *rows, compare_rows);
    data->rows = rows;
    data->count = n;
    data->images = images;
    return SGDI_OK;
}

// --- The training table --------------------------------------------------------

// Marks the rows whose cells the page shows: both ends of the ranking.
static bool *shown_rows(const sgdi_report_data *data) {
    bool *shown = sgdi_calloc_array(data->count, sizeof *shown);
    if (!shown) return NULL;
    int64_t harmful = sgdi_report_harmful_shown(data), helpful = sgdi_report_helpful_shown(data);
    for (int64_t k = 0; k < harmful; k++) shown[data->rows[k].row] = true;
    for (int64_t k = 0; k < helpful; k++) shown[data->rows[data->count - 1 - k].row] = true;
    return shown;
}

static char **copy_cells(const sgdi_csv *r) {
    char **cells = sgdi_calloc_array(r->nfields, sizeof *cells);
    for (int64_t k = 0; cells && k < r->nfields; k++) {
        cells[k] = strdup(r->fields[k].text);
        if (!cells[k]) {
            while (k-- > 0) free(cells[k]);
            free(cells);
            return NULL;
        }
    }
    return cells;
}

// Reads the table's header, the cells of the shown rows and every row's label.
static sgdi_status parse_table(const char *text, size_t size, sgdi_report_data *data,
                               int64_t *labels, const bool *shown, sgdi_error *err) {
    sgdi_report_table *t = &data->table;
    sgdi_csv r;
    sgdi_csv_init(&r, text, size, t->path);
    int got;
    while ((got = sgdi_csv_next(&r, err)) > 0 && r.nfields == 0) {
    }
    sgdi_status st = got < 0 ? (err ? err->status : SGDI_ERR_FORMAT) : SGDI_OK;
    if (st == SGDI_OK && got == 0)
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: empty file, no header", t->path);
    if (st == SGDI_OK && !(t->header = copy_cells(&r)))
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", t->path);
    if (st == SGDI_OK) t->columns = r.nfields;
    t->label_column = -1;
    for (int64_t k = 0; st == SGDI_OK && k < r.nfields && t->label_column < 0; k++)
        if (column_is(&r.fields[k], "y")) t->label_column = k;
    if (st == SGDI_OK && !(t->cells = sgdi_calloc_array(data->count, sizeof *t->cells)))
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", t->path);
    while (st == SGDI_OK && (got = sgdi_csv_next(&r, err)) > 0) {
        if (r.nfields == 0) continue;
        if (r.nfields != t->columns) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: %lld fields, the header has %lld",
                           t->path, (long long)r.record_line, (long long)r.nfields,
                           (long long)t->columns);
        } else if (t->rows < data->count) {
            if (t->label_column < 0 || !parse_index(&r.fields[t->label_column], &labels[t->rows]))
                labels[t->rows] = -1;
            if (shown[t->rows] && !(t->cells[t->rows] = copy_cells(&r)))
                st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", t->path);
        }
        t->rows++;
    }
    if (st == SGDI_OK && got < 0) st = err ? err->status : SGDI_ERR_FORMAT;
    sgdi_csv_free(&r);
    if (st == SGDI_OK && t->rows != data->count)
        st = sgdi_fail(err, SGDI_ERR_FORMAT,
                       "%s has %lld data rows, but %s scores %lld: is it the training CSV of "
                       "this run? (--train names another)",
                       t->path, (long long)t->rows, data->csv_path, (long long)data->count);
    return st;
}

// The training CSV: --train as given; else the sidecar's "train" as given, or
// relative to the sidecar's folder when that is where it is.
static sgdi_status find_table(const sgdi_report_inputs *in, sgdi_report_data *data,
                              sgdi_error *err) {
    if (in->train) {
        data->table.path = strdup(in->train);
        return data->table.path ? SGDI_OK : sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    }
    json_object *train = NULL;
    if (!json_object_object_get_ex(data->sidecar, "train", &train) ||
        !json_object_is_type(train, json_type_string))
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: no \"train\": name the training CSV with --train",
                         data->sidecar_path);
    const char *given = json_object_get_string(train);
    if (access(given, R_OK) == 0) {
        data->table.path = strdup(given);
        return data->table.path ? SGDI_OK : sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    }
    char *folder = sgdi_path_dirname(data->sidecar_path);
    char *beside = folder ? sgdi_path_join(folder, given, strlen(given)) : NULL;
    free(folder);
    if (!beside) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    if (access(beside, R_OK) != 0) {
        sgdi_status st = sgdi_fail(err, SGDI_ERR_IO,
                                   "the training CSV '%s' named by %s is neither there nor at %s: "
                                   "name it with --train",
                                   given, data->sidecar_path, beside);
        free(beside);
        return st;
    }
    data->table.path = beside;
    return SGDI_OK;
}

static sgdi_status load_table(const sgdi_report_inputs *in, sgdi_report_data *data,
                              sgdi_error *err) {
    sgdi_status st = find_table(in, data, err);
    if (st != SGDI_OK) return st;
    char *text;
    size_t size;
    st = sgdi_report_read_file(data->table.path, &text, &size, err);
    if (st != SGDI_OK) return st;
    int64_t *labels = sgdi_alloc_array(data->count, sizeof *labels);
    bool *shown = shown_rows(data);
    if (!labels || !shown)
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", data->table.path);
    if (st == SGDI_OK) st = parse_table(text, size, data, labels, shown, err);
    for (int64_t k = 0; st == SGDI_OK && k < data->count; k++)
        data->rows[k].label = labels[data->rows[k].row];
    free(labels);
    free(shown);
    free(text);
    return st;
}

// --- Everything ----------------------------------------------------------------

static char *copy_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

static sgdi_status load_json_file(const char *path, json_object **out, sgdi_error *err) {
    char *text;
    size_t size;
    sgdi_status st = sgdi_report_read_file(path, &text, &size, err);
    if (st != SGDI_OK) return st;
    st = sgdi_report_parse_json(text, size, path, out, err);
    free(text);
    return st;
}

sgdi_status sgdi_report_load(const sgdi_report_inputs *in, sgdi_report_data *data,
                             sgdi_error *err) {
    *data = (sgdi_report_data){.trials = 1};
    if (!in || !in->influence_csv || !*in->influence_csv)
        return sgdi_fail(err, SGDI_ERR_INVALID, "no influence CSV to report on");
    if (in->top < 1) return sgdi_fail(err, SGDI_ERR_INVALID, "top must be at least 1");
    data->top = in->top;
    data->csv_path = strdup(in->influence_csv);
    size_t len = strlen(in->influence_csv);
    data->sidecar_path = in->sidecar ? strdup(in->sidecar) : malloc(len + sizeof ".json");
    if (data->sidecar_path && !in->sidecar) { // the CLI's default: CSV + ".json"
        memcpy(data->sidecar_path, in->influence_csv, len);
        memcpy(data->sidecar_path + len, ".json", sizeof ".json");
    }
    data->evaluation_path = copy_or_null(in->evaluation);
    data->csv_folder = sgdi_path_dirname(in->influence_csv);
    if (!data->csv_path || !data->sidecar_path || !data->csv_folder ||
        (in->evaluation && !data->evaluation_path)) {
        sgdi_report_data_free(data);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    }
    char *text;
    size_t size;
    sgdi_status st = sgdi_report_read_file(data->csv_path, &text, &size, err);
    if (st == SGDI_OK) {
        st = sgdi_report_parse_influence(text, size, data->csv_path, data, err);
        free(text);
    }
    if (st == SGDI_OK) st = load_json_file(data->sidecar_path, &data->sidecar, err);
    if (st == SGDI_OK) st = sgdi_report_read_sidecar(data, err);
    if (st == SGDI_OK && data->evaluation_path) {
        json_object *evaluation = NULL;
        st = load_json_file(data->evaluation_path, &evaluation, err);
        if (st == SGDI_OK)
            st = sgdi_report_read_evaluation(evaluation, data->evaluation_path, &data->curve, err);
        json_object_put(evaluation);
    }
    if (st == SGDI_OK && !data->images) st = load_table(in, data, err);
    if (st != SGDI_OK) sgdi_report_data_free(data);
    return st;
}

void sgdi_report_data_free(sgdi_report_data *data) {
    if (!data) return;
    for (int64_t k = 0; data->rows && k < data->count; k++) free(data->rows[k].image);
    free(data->rows);
    free(data->csv_path);
    free(data->sidecar_path);
    free(data->evaluation_path);
    free(data->csv_folder);
    json_object_put(data->sidecar);
    sgdi_report_samples *s = &data->samples;
    free(s->mean), free(s->std), free(s->sign_agreement), free(s->prediction), free(s->confidence);
    sgdi_report_validation *v = &data->validation;
    free(v->rows), free(v->actual), free(v->estimated);
    free(data->curve.points);
    sgdi_report_table *t = &data->table;
    for (int64_t k = 0; t->header && k < t->columns; k++) free(t->header[k]);
    free(t->header);
    for (int64_t r = 0; t->cells && r < data->count; r++) {
        for (int64_t k = 0; t->cells[r] && k < t->columns; k++) free(t->cells[r][k]);
        free(t->cells[r]);
    }
    free(t->cells);
    free(t->path);
    *data = (sgdi_report_data){0};
}
