/*
 * report_json.c — the parts of the sidecar (src/api/result_write.c) and of
 * evaluate's JSON that the report shows, read with json-c and checked, so that
 * a malformed file is named with the line or the field that is wrong.
 *
 * Numbers may be null where the writer had NaN (src/io/json.c writes
 * non-finite numbers as null); they are read as NaN.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/error.h"

sgdi_status sgdi_report_parse_json(const char *text, size_t size, const char *name,
                                   json_object **out, sgdi_error *err) {
    *out = NULL;
    if (size > INT_MAX) return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: too large for JSON", name);
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
    json_object *root = json_tokener_parse_ex(tok, text, (int)size);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    const char *problem = NULL;
    if (root && jerr == json_tokener_success) {
        while (end < size && text[end] && strchr(" \t\r\n", text[end])) end++;
        if (end == size) {
            *out = root;
            return SGDI_OK;
        }
        json_object_put(root);
        problem = "text after the value";
    } else if (jerr == json_tokener_continue) {
        problem = "the file ends early";
    } else {
        problem = json_tokener_error_desc(jerr);
    }
    int64_t line = 1;
    for (size_t k = 0; k < end && k < size; k++) line += text[k] == '\n';
    return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: malformed JSON: %s", name, (long long)line,
                     problem);
}

// --- Fields --------------------------------------------------------------------

static const char *type_name(json_object *v) {
    return v ? json_type_to_name(json_object_get_type(v)) : "nothing";
}

// *out = the number at `v` (null = NaN); fails naming `field`.
static sgdi_status number_at(json_object *v, const char *name, const char *field, double *out,
                             sgdi_error *err) {
    if (!v) { // json-c keeps null as a NULL member
        *out = NAN;
        return SGDI_OK;
    }
    json_type t = json_object_get_type(v);
    if (t != json_type_double && t != json_type_int)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: %s: expected a number, found %s", name, field,
                         type_name(v));
    *out = json_object_get_double(v);
    return SGDI_OK;
}

// The member `key` of `obj` (NULL if absent or null); *present tells them apart.
static json_object *member(json_object *obj, const char *key, bool *present) {
    json_object *v = NULL;
    bool has = obj && json_object_object_get_ex(obj, key, &v);
    if (present) *present = has;
    return v;
}

static sgdi_status number_member(json_object *obj, const char *key, const char *name,
                                 const char *prefix, double *out, sgdi_error *err) {
    char field[128];
    snprintf(field, sizeof field, "%s%s", prefix, key);
    return number_at(member(obj, key, NULL), name, field, out, err);
}

// A numeric array member of exactly `n` values (n < 0: any length, stored in *count).
// Absent or null: *out stays NULL.
static sgdi_status number_array(json_object *obj, const char *key, const char *name,
                                const char *prefix, int64_t n, double **out, int64_t *count,
                                sgdi_error *err) {
    *out = NULL;
    json_object *arr = member(obj, key, NULL);
    if (!arr) return SGDI_OK;
    if (!json_object_is_type(arr, json_type_array))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: %s%s: expected an array, found %s", name,
                         prefix, key, type_name(arr));
    int64_t len = (int64_t)json_object_array_length(arr);
    if (n >= 0 && len != n)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: %s%s: %lld values, expected %lld (one per training row)", name,
                         prefix, key, (long long)len, (long long)n);
    double *v = sgdi_alloc_array(len > 0 ? len : 1, sizeof *v);
    if (!v) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
    for (int64_t k = 0; k < len; k++) {
        char field[160];
        snprintf(field, sizeof field, "%s%s[%lld]", prefix, key, (long long)k);
        sgdi_status s =
            number_at(json_object_array_get_idx(arr, (size_t)k), name, field, &v[k], err);
        if (s != SGDI_OK) {
            free(v);
            return s;
        }
    }
    *out = v;
    if (count) *count = len;
    return SGDI_OK;
}

// --- The sidecar ---------------------------------------------------------------

static sgdi_status read_samples(sgdi_report_data *data, int64_t rows, sgdi_error *err) {
    const char *name = data->sidecar_path;
    json_object *obj = member(data->sidecar, "samples", NULL);
    if (!obj) return SGDI_OK; // older sidecars: the page leaves the stability out
    if (!json_object_is_type(obj, json_type_object))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: samples: expected an object, found %s", name,
                         type_name(obj));
    sgdi_report_samples *s = &data->samples;
    sgdi_status st = number_array(obj, "mean", name, "samples.", rows, &s->mean, NULL, err);
    if (st == SGDI_OK) st = number_array(obj, "std", name, "samples.", rows, &s->std, NULL, err);
    if (st == SGDI_OK)
        st = number_array(obj, "sign_agreement", name, "samples.", rows, &s->sign_agreement, NULL,
                          err);
    if (st == SGDI_OK)
        st = number_array(obj, "prediction", name, "samples.", rows, &s->prediction, NULL, err);
    if (st == SGDI_OK)
        st = number_array(obj, "confidence", name, "samples.", rows, &s->confidence, NULL, err);
    if (st == SGDI_OK) s->count = rows;
    return st;
}

static sgdi_status read_validation(sgdi_report_data *data, sgdi_error *err) {
    const char *name = data->sidecar_path;
    json_object *obj = member(data->sidecar, "validation", NULL);
    if (!obj) return SGDI_OK; // no --validate
    if (!json_object_is_type(obj, json_type_object))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: validation: expected an object, found %s", name,
                         type_name(obj));
    sgdi_report_validation *v = &data->validation;
    const char *p = "validation.";
    int64_t count = 0;
    double *rows = NULL;
    sgdi_status st = number_array(obj, "actual", name, p, -1, &v->actual, &count, err);
    if (st == SGDI_OK)
        st = number_array(obj, "estimated", name, p, count, &v->estimated, NULL, err);
    if (st == SGDI_OK) st = number_array(obj, "rows", name, p, count, &rows, NULL, err);
    if (st == SGDI_OK) st = number_member(obj, "kendall_tau", name, p, &v->kendall_tau, err);
    if (st == SGDI_OK) st = number_member(obj, "pearson_r", name, p, &v->pearson_r, err);
    if (st == SGDI_OK)
        st = number_member(obj, "paper_kendall_tau", name, p, &v->paper_kendall_tau, err);
    if (st == SGDI_OK)
        st = number_member(obj, "paper_pearson_r", name, p, &v->paper_pearson_r, err);
    if (st == SGDI_OK && (!v->actual || !v->estimated))
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: validation: 'actual' and 'estimated' are needed",
                       name);
    if (st == SGDI_OK && rows) {
        v->rows = sgdi_alloc_array(count > 0 ? count : 1, sizeof *v->rows);
        if (!v->rows) st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
        for (int64_t k = 0; st == SGDI_OK && k < count; k++) {
            if (!(rows[k] >= 0 && rows[k] < 9007199254740992.0) || rows[k] != floor(rows[k]))
                st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: validation.rows[%lld]: not a row number",
                               name, (long long)k);
            else
                v->rows[k] = (int64_t)rows[k];
        }
    }
    free(rows);
    if (st == SGDI_OK) v->count = count;
    return st;
}

sgdi_status sgdi_report_read_sidecar(sgdi_report_data *data, sgdi_error *err) {
    const char *name = data->sidecar_path;
    json_object *root = data->sidecar;
    if (!json_object_is_type(root, json_type_object))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: expected a JSON object, found %s", name,
                         type_name(root));
    json_object *tool = member(root, "tool", NULL);
    if (!tool || !json_object_is_type(tool, json_type_string) ||
        strcmp(json_object_get_string(tool), "sgd-influence") != 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: not the sidecar of an sgd-influence run (\"tool\" is not "
                         "\"sgd-influence\")",
                         name);
    double trials = 1, rows = (double)data->count;
    bool has_rows;
    member(root, "rows", &has_rows);
    sgdi_status st = number_member(root, "trials", name, "", &trials, err);
    if (st == SGDI_OK && has_rows) st = number_member(root, "rows", name, "", &rows, err);
    if (st != SGDI_OK) return st;
    if (isnan(trials)) trials = 1;
    if (!(trials >= 1 && trials <= INT_MAX) || trials != floor(trials))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: trials: %g is not a number of trials", name,
                         trials);
    if (!(rows >= 0 && rows < 9007199254740992.0) || rows != floor(rows))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: rows: %g is not a number of rows", name, rows);
    if ((int64_t)rows != data->count)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: rows: the run scored %lld rows, but %s lists %lld: is it the "
                         "sidecar of another run?",
                         name, (long long)rows, data->csv_path, (long long)data->count);
    data->trials = (int64_t)trials;
    st = read_samples(data, (int64_t)rows, err);
    if (st == SGDI_OK) st = read_validation(data, err);
    return st;
}

// --- evaluate's JSON -----------------------------------------------------------

static sgdi_status read_side(json_object *point, const char *side, int which, int64_t index,
                             const char *name, sgdi_report_point *p, sgdi_error *err) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "points[%lld].%s", (long long)index, side);
    json_object *obj = member(point, side, NULL);
    if (!obj || !json_object_is_type(obj, json_type_object))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: %s: expected an object, found %s", name, prefix,
                         type_name(obj));
    strcat(prefix, ".");
    sgdi_status st =
        number_member(obj, "accuracy_mean", name, prefix, &p->accuracy_mean[which], err);
    if (st == SGDI_OK)
        st = number_member(obj, "accuracy_std", name, prefix, &p->accuracy_std[which], err);
    if (st == SGDI_OK)
        st = number_member(obj, "loss_mean", name, prefix, &p->loss_mean[which], err);
    if (st == SGDI_OK) st = number_member(obj, "loss_std", name, prefix, &p->loss_std[which], err);
    return st;
}

sgdi_status sgdi_report_read_evaluation(json_object *root, const char *name,
                                        sgdi_report_curve *curve, sgdi_error *err) {
    *curve = (sgdi_report_curve){0};
    if (!json_object_is_type(root, json_type_object))
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: expected a JSON object, found %s", name,
                         type_name(root));
    json_object *points = member(root, "points", NULL);
    if (!points || !json_object_is_type(points, json_type_array))
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: points: expected an array, found %s (is it evaluate's JSON?)", name,
                         type_name(points));
    int64_t n = (int64_t)json_object_array_length(points);
    sgdi_report_point *p = sgdi_calloc_array(n > 0 ? n : 1, sizeof *p);
    if (!p) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading %s", name);
    sgdi_status st = SGDI_OK;
    for (int64_t k = 0; k < n && st == SGDI_OK; k++) {
        json_object *point = json_object_array_get_idx(points, (size_t)k);
        char prefix[48];
        snprintf(prefix, sizeof prefix, "points[%lld].", (long long)k);
        double kk = NAN;
        if (!json_object_is_type(point, json_type_object))
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: points[%lld]: expected an object, found %s",
                           name, (long long)k, type_name(point));
        if (st == SGDI_OK) st = number_member(point, "k", name, prefix, &kk, err);
        if (st == SGDI_OK && (!(kk >= 0 && kk < 9007199254740992.0) || kk != floor(kk)))
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: points[%lld].k: not a number of rows", name,
                           (long long)k);
        if (st == SGDI_OK) st = number_member(point, "fraction", name, prefix, &p[k].fraction, err);
        if (st == SGDI_OK) st = read_side(point, "harmful", 0, k, name, &p[k], err);
        if (st == SGDI_OK) st = read_side(point, "random", 1, k, name, &p[k], err);
        if (st == SGDI_OK) p[k].k = (int64_t)kk;
    }
    if (st != SGDI_OK) {
        free(p);
        return st;
    }
    json_object *seeds = member(root, "seeds", NULL);
    if (seeds && json_object_is_type(seeds, json_type_array))
        curve->seeds = (int64_t)json_object_array_length(seeds);
    curve->points = p;
    curve->count = n;
    return SGDI_OK;
}
