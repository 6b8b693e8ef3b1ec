/*
 * report_samples.c — the page's lists of training rows: the most harmful and
 * most helpful ones (thumbnails for images, the row's cells for tables) and
 * the rows whose score changes sign across the trials.
 *
 * Thumbnails are the image files' own bytes in data: URIs, so the page shows
 * exactly the pictures the model was trained on, without re-encoding them and
 * without any file beside the page.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/error.h"
#include "util/path.h"

int64_t sgdi_report_harmful_shown(const sgdi_report_data *data) {
    return data->count < data->top ? data->count : data->top;
}

int64_t sgdi_report_helpful_shown(const sgdi_report_data *data) {
    int64_t rest = data->count - sgdi_report_harmful_shown(data);
    return rest < data->top ? rest : data->top;
}

// Whether row `row` gets a different sign in some trial (NaN agreement: unknown, no).
static bool sign_changes(const sgdi_report_data *data, int64_t row) {
    const sgdi_report_samples *s = &data->samples;
    return data->trials > 1 && s->sign_agreement && row < s->count && s->sign_agreement[row] < 1;
}

int64_t sgdi_report_unstable_count(const sgdi_report_data *data) {
    int64_t n = 0;
    for (int64_t r = 0; r < data->count; r++) n += sign_changes(data, r);
    return n;
}

// --- Thumbnails ----------------------------------------------------------------

// The image of `r` as a data: URI into *uri (malloc'd); PNG and JPEG by content.
static sgdi_status image_uri(const sgdi_report_data *data, const sgdi_report_row *r, char **uri,
                             sgdi_error *err) {
    *uri = NULL;
    char *path = sgdi_path_join(data->csv_folder, r->image, strlen(r->image));
    if (!path) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    char *bytes = NULL;
    size_t size = 0;
    sgdi_error read_err = {SGDI_OK, ""};
    sgdi_status st = sgdi_report_read_file(path, &bytes, &size, &read_err);
    const char *mime = NULL;
    if (st == SGDI_OK) {
        const unsigned char *b = (const unsigned char *)bytes;
        if (size >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
            mime = "image/png";
        else if (size >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
            mime = "image/jpeg";
        else
            st = sgdi_fail(&read_err, SGDI_ERR_FORMAT, "%s is neither PNG nor JPEG", path);
    }
    if (st == SGDI_OK) {
        size_t prefix = strlen("data:;base64,") + strlen(mime);
        *uri = malloc(prefix + sgdi_report_base64_size(size));
        if (!*uri) {
            st = sgdi_fail(&read_err, SGDI_ERR_NOMEM, "out of memory");
        } else {
            snprintf(*uri, prefix + 1, "data:%s;base64,", mime);
            sgdi_report_base64_encode((const unsigned char *)bytes, size, *uri + prefix);
        }
    }
    if (st != SGDI_OK)
        sgdi_fail(err, st, "%s:%lld: image '%s': %s", data->csv_path, (long long)r->line, r->image,
                  read_err.message);
    free(bytes);
    free(path);
    return st;
}

// --- Cards and rows ------------------------------------------------------------

// "predicted 3 (87%)" after `before`, or nothing when the sidecar has no prediction.
static void write_prediction(FILE *out, const sgdi_report_data *data, int64_t row,
                             const char *before) {
    const sgdi_report_samples *s = &data->samples;
    if (!s->prediction || row >= s->count || !isfinite(s->prediction[row])) return;
    fprintf(out, "%s<b>%.0f</b>", before, s->prediction[row]);
    if (s->confidence && isfinite(s->confidence[row]))
        fprintf(out, " (%.0f%%)", 100 * s->confidence[row]);
}

static void write_score(FILE *out, const sgdi_report_data *data, const sgdi_report_row *r) {
    char num[32];
    fprintf(out, "<span class=\"score %s\">%s</span>", r->score < 0 ? "harmful" : "helpful",
            sgdi_report_number(num, r->score, 4));
    const sgdi_report_samples *s = &data->samples;
    if (data->trials > 1 && s->std && r->row < s->count)
        fprintf(out, " <span class=\"std\">± %s</span>",
                sgdi_report_number(num, s->std[r->row], 2));
}

static sgdi_status write_card(FILE *out, const sgdi_report_data *data, int64_t rank,
                              const sgdi_report_row *r, sgdi_error *err) {
    char *uri;
    sgdi_status st = image_uri(data, r, &uri, err);
    if (st != SGDI_OK) return st;
    bool unstable = sign_changes(data, r->row);
    fprintf(out, "<figure class=\"sample card%s\" data-row=\"%lld\" title=\"",
            unstable ? " unstable" : "", (long long)r->row);
    sgdi_report_escape(out, r->image);
    fprintf(out, "\"><img class=\"thumbnail\" src=\"%s\" alt=\"training row %lld\">", uri,
            (long long)r->row);
    free(uri);
    fprintf(out, "<figcaption><span class=\"rank\">#%lld</span> row %lld<br>", (long long)rank,
            (long long)r->row);
    if (r->label >= 0) fprintf(out, "label <b>%lld</b>", (long long)r->label);
    write_prediction(out, data, r->row, r->label >= 0 ? " · predicted " : "predicted ");
    fputs("<br>", out);
    write_score(out, data, r);
    if (unstable)
        fprintf(out, "<br><span class=\"flag\">sign changes (%.0f%% agree)</span>",
                100 * data->samples.sign_agreement[r->row]);
    fputs("</figcaption></figure>\n", out);
    return SGDI_OK;
}

static bool has_predictions(const sgdi_report_data *data) {
    return data->samples.prediction != NULL;
}

static void write_table_head(FILE *out, const sgdi_report_data *data) {
    const sgdi_report_table *t = &data->table;
    fputs("<div class=\"scroll\"><table class=\"samples\"><thead><tr><th>#</th><th>row</th>"
          "<th>influence</th><th>label</th>",
          out);
    if (has_predictions(data)) fputs("<th>predicted</th>", out);
    for (int64_t c = 0; c < t->columns; c++) {
        if (c == t->label_column) continue;
        fputs("<th>", out);
        sgdi_report_escape(out, t->header[c]);
        fputs("</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
}

static void write_table_row(FILE *out, const sgdi_report_data *data, int64_t rank,
                            const sgdi_report_row *r) {
    const sgdi_report_table *t = &data->table;
    bool unstable = sign_changes(data, r->row);
    fprintf(out, "<tr class=\"sample%s\" data-row=\"%lld\"><td>%lld</td><td>%lld</td><td>",
            unstable ? " unstable" : "", (long long)r->row, (long long)rank, (long long)r->row);
    write_score(out, data, r);
    if (unstable) fputs(" <span class=\"flag\">sign changes</span>", out);
    fputs("</td><td>", out);
    char **cells = t->cells ? t->cells[r->row] : NULL;
    if (cells && t->label_column >= 0) sgdi_report_escape(out, cells[t->label_column]);
    fputs("</td>", out);
    if (has_predictions(data)) {
        fputs("<td>", out);
        write_prediction(out, data, r->row, "");
        fputs("</td>", out);
    }
    for (int64_t c = 0; c < t->columns; c++) {
        if (c == t->label_column) continue;
        fputs("<td>", out);
        if (cells) sgdi_report_escape(out, cells[c]);
        fputs("</td>", out);
    }
    fputs("</tr>\n", out);
}

sgdi_status sgdi_report_write_samples(FILE *out, const sgdi_report_data *data, bool helpful,
                                      sgdi_error *err) {
    int64_t shown = helpful ? sgdi_report_helpful_shown(data) : sgdi_report_harmful_shown(data);
    fprintf(out, "<div class=\"samples-list%s\" id=\"%s-list\" data-shown=\"%lld\">\n",
            data->images ? " cards" : "", helpful ? "helpful" : "harmful", (long long)shown);
    if (!data->images) write_table_head(out, data);
    for (int64_t k = 0; k < shown; k++) {
        // Helpful: from the end of the ranking, most helpful first.
        int64_t at = helpful ? data->count - 1 - k : k;
        int64_t rank = at + 1;
        if (data->images) {
            sgdi_status st = write_card(out, data, rank, &data->rows[at], err);
            if (st != SGDI_OK) return st;
        } else {
            write_table_row(out, data, rank, &data->rows[at]);
        }
    }
    if (!data->images) fputs("</tbody></table></div>\n", out);
    fputs("</div>\n", out);
    return SGDI_OK;
}

// --- Stability -----------------------------------------------------------------

typedef struct unstable_row {
    double agreement;
    int64_t rank; // 0-based position in the ranking
} unstable_row;

static int compare_unstable(const void *pa, const void *pb) {
    const unstable_row *a = pa, *b = pb;
    if (a->agreement != b->agreement) return a->agreement < b->agreement ? -1 : 1;
    return (a->rank > b->rank) - (a->rank < b->rank);
}

sgdi_status sgdi_report_write_stability(FILE *out, const sgdi_report_data *data, sgdi_error *err) {
    int64_t n = sgdi_report_unstable_count(data);
    unstable_row *list = sgdi_alloc_array(n > 0 ? n : 1, sizeof *list);
    if (!list) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing the report");
    int64_t used = 0;
    for (int64_t k = 0; k < data->count; k++)
        if (sign_changes(data, data->rows[k].row))
            list[used++] = (unstable_row){data->samples.sign_agreement[data->rows[k].row], k};
    qsort(list, (size_t)used, sizeof *list, compare_unstable);
    fprintf(out,
            "<p><span id=\"unstable-count\">%lld</span> of %lld rows change sign across the "
            "%lld trials (their scores do not all have the sign of the mean); they are flagged "
            "above and listed here, least agreement first.</p>\n",
            (long long)used, (long long)data->count, (long long)data->trials);
    if (used > 0) {
        fputs("<div class=\"scroll short\"><table class=\"samples\" id=\"unstable-list\">"
              "<thead><tr><th>rank</th><th>row</th><th>label</th>",
              out);
        if (data->images) fputs("<th>image</th>", out);
        fputs("<th>mean</th><th>std</th><th>sign agreement</th></tr></thead><tbody>\n", out);
    }
    const sgdi_report_samples *s = &data->samples;
    char a[32], b[32];
    for (int64_t k = 0; k < used; k++) {
        const sgdi_report_row *r = &data->rows[list[k].rank];
        fprintf(out, "<tr class=\"unstable-row\"><td>%lld</td><td>%lld</td><td>",
                (long long)list[k].rank + 1, (long long)r->row);
        if (r->label >= 0) fprintf(out, "%lld", (long long)r->label);
        fputs("</td>", out);
        if (data->images) {
            fputs("<td>", out);
            sgdi_report_escape(out, r->image);
            fputs("</td>", out);
        }
        double mean = s->mean ? s->mean[r->row] : r->score;
        fprintf(out, "<td>%s</td><td>%s</td><td>%.0f%%</td></tr>\n", sgdi_report_number(a, mean, 4),
                sgdi_report_number(b, s->std ? s->std[r->row] : NAN, 2), 100 * list[k].agreement);
    }
    if (used > 0) fputs("</tbody></table></div>\n", out);
    free(list);
    return SGDI_OK;
}
