/*
 * report_html.c — sgdi_report_write: the page around the sections, its
 * stylesheet and self-check script, the run's settings and the summaries.
 *
 * The page must work offline and from any folder: a Content-Security-Policy
 * forbids every fetch but data: images, so anything that would need the
 * network fails loudly in the browser's console (the Chromium test looks
 * there) instead of silently working only online.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/atomic.h"
#include "report/report.h"
#include "util/error.h"

void sgdi_report_inputs_init(sgdi_report_inputs *in) {
    *in = (sgdi_report_inputs){.top = 20};
}

static const char stylesheet[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;"
    "max-width:1100px;padding:0 20px 40px;color:#1d232b;background:#fff}\n"
    "h1{font-size:24px;margin:22px 0 4px}h2{font-size:18px;margin:30px 0 8px;"
    "border-bottom:1px solid #d8dde3;padding-bottom:4px}\n"
    ".files{color:#56606b;margin:0 0 10px;word-break:break-all}\n"
    ".convention{background:#f3f6f9;border-left:4px solid #c0392b;padding:8px 12px;margin:10px 0}\n"
    "nav a{margin-right:14px;color:#2c5d8a}\n"
    "table{border-collapse:collapse}td,th{padding:3px 8px;text-align:left;"
    "border-bottom:1px solid #eceff2;vertical-align:top}th{background:#f6f8fa}\n"
    "dl.settings{display:grid;grid-template-columns:max-content 1fr max-content 1fr;"
    "gap:3px 14px;margin:0}dl.settings dt{font-weight:600}dl.settings dd{margin:0;"
    "overflow-wrap:anywhere}\n"
    ".scroll{overflow-x:auto;max-width:100%}.scroll.short{max-height:420px;overflow-y:auto}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}\n"
    ".card{margin:0;width:128px;padding:6px;border:1px solid #d8dde3;border-radius:6px;"
    "font-size:12px;line-height:1.35}\n"
    ".card img{display:block;width:84px;height:84px;object-fit:contain;margin:0 auto 4px;"
    "image-rendering:pixelated;background:#eef1f4}\n"
    ".card.unstable{border-color:#d68910;background:#fff8ec}\n"
    ".rank{color:#56606b}.score.harmful{color:#c0392b;font-weight:600}"
    ".score.helpful{color:#1f6fb2;font-weight:600}.std{color:#56606b}\n"
    ".flag{color:#9a5b00;font-weight:600}.ok{color:#1e7b34;font-weight:600}\n"
    "dl.summary{display:grid;grid-template-columns:max-content auto;gap:2px 14px}"
    "dl.summary dt{color:#56606b}dl.summary dd{margin:0}\n"
    "svg.plot{width:100%;max-width:760px;height:auto;font-size:11px}\n"
    "svg .axis,svg .tick{stroke:#56606b;fill:none}svg .tick-label{fill:#3a434d}"
    "svg .axis-label{fill:#1d232b;font-size:12px}\n"
    "svg .bar.harmful,svg .key.harmful{fill:#c0392b}svg .bar.helpful{fill:#1f6fb2}"
    "svg .zero,svg .diagonal{stroke:#1d232b;stroke-dasharray:4 3;fill:none}\n"
    "svg .band{stroke:none;opacity:.18}svg .band.harmful{fill:#c0392b}"
    "svg .band.random{fill:#7f8c8d}\n"
    "svg .line{fill:none;stroke-width:2}svg .line.harmful{stroke:#c0392b}"
    "svg .line.random{stroke:#7f8c8d}\n"
    "svg .dot.harmful{fill:#c0392b}svg .dot.random,svg .key.random{fill:#7f8c8d}"
    "svg .dot.point{fill:#1f6fb2;opacity:.8}\n"
    "footer{margin-top:36px;color:#56606b;font-size:12px}\n";

// Counts the thumbnails that decoded, once everything has loaded, and says so on the
// page: users see a broken picture at a glance, and the Chromium test reads the count.
static const char self_check_script[] =
    "(function () {\n"
    "  'use strict';\n"
    "  function check() {\n"
    "    var images = document.querySelectorAll('img.thumbnail');\n"
    "    var decoded = 0;\n"
    "    for (var i = 0; i < images.length; i++)\n"
    "      if (images[i].complete && images[i].naturalWidth > 0) decoded++;\n"
    "    var out = document.getElementById('thumbnails-decoded');\n"
    "    if (out) {\n"
    "      out.textContent = decoded + ' of ' + images.length;\n"
    "      out.className = decoded === images.length ? 'ok' : 'flag';\n"
    "    }\n"
    "    document.body.setAttribute('data-thumbnails-decoded', String(decoded));\n"
    "    document.body.setAttribute('data-self-check',\n"
    "                               decoded === images.length ? 'ok' : 'failed');\n"
    "  }\n"
    "  if (document.readyState === 'complete') check();\n"
    "  else window.addEventListener('load', check);\n"
    "})();\n";

// --- Settings ------------------------------------------------------------------

// A JSON value as short text: numbers with 6 digits, small arrays listed, objects as
// "key: value; ...", long arrays by their length.
static void write_value(FILE *out, json_object *v, int depth) {
    char num[32];
    switch (json_object_get_type(v)) {
    case json_type_null:
        fputs("—", out);
        break;
    case json_type_boolean:
        fputs(json_object_get_boolean(v) ? "yes" : "no", out);
        break;
    case json_type_int:
        fprintf(out, "%lld", (long long)json_object_get_int64(v));
        break;
    case json_type_double:
        fputs(sgdi_report_number(num, json_object_get_double(v), 6), out);
        break;
    case json_type_string:
        sgdi_report_escape_n(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        break;
    case json_type_array: {
        size_t n = json_object_array_length(v);
        if (n > 16 || depth > 3) {
            fprintf(out, "[%zu values]", n);
            break;
        }
        if (n == 0) fputs("none", out);
        for (size_t k = 0; k < n; k++) {
            if (k) fputs(", ", out);
            write_value(out, json_object_array_get_idx(v, k), depth + 1);
        }
        break;
    }
    case json_type_object: {
        if (depth > 3) {
            fputs("{…}", out);
            break;
        }
        bool first = true;
        json_object_object_foreach(v, key, member) {
            fputs(first ? "" : "; ", out);
            first = false;
            sgdi_report_escape(out, key);
            fputs(": ", out);
            write_value(out, member, depth + 1);
        }
        break;
    }
    }
}

// Every member of the sidecar but those shown elsewhere, in the sidecar's order, so
// that what later versions add shows up without a change here.
static void write_settings(FILE *out, const sgdi_report_data *data) {
    fputs("<section id=\"settings\"><h2>Settings of the run</h2>\n<dl class=\"settings\">\n", out);
    json_object_object_foreach(data->sidecar, key, value) {
        if (!strcmp(key, "tool") || !strcmp(key, "sign_convention") || !strcmp(key, "samples") ||
            !strcmp(key, "validation"))
            continue;
        fputs("<dt>", out);
        sgdi_report_escape(out, key);
        fputs("</dt><dd>", out);
        write_value(out, value, 0);
        fputs("</dd>\n", out);
    }
    fputs("</dl></section>\n", out);
}

// --- Sections ------------------------------------------------------------------

static const char *sidecar_string(const sgdi_report_data *data, const char *key) {
    json_object *v = NULL;
    if (!json_object_object_get_ex(data->sidecar, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static void write_header(FILE *out, const sgdi_report_data *data) {
    fputs("<header><h1>SGD-Influence report</h1>\n<p class=\"files\">", out);
    sgdi_report_escape(out, data->csv_path);
    fputs(" · ", out);
    sgdi_report_escape(out, data->sidecar_path);
    if (data->evaluation_path) {
        fputs(" · ", out);
        sgdi_report_escape(out, data->evaluation_path);
    }
    fputs("</p>\n", out);
    const char *convention = sidecar_string(data, "sign_convention");
    fputs("<p class=\"convention\" id=\"sign-convention\"><b>Sign convention:</b> ", out);
    if (convention)
        sgdi_report_escape(out, convention);
    else
        fputs("negative = removing the row lowers the validation loss = harmful", out);
    fputs(". Influence estimates how the validation loss would change had the row been left "
          "out of training.</p>\n<nav><a href=\"#summary\">summary</a><a href=\"#settings\">"
          "settings</a><a href=\"#harmful\">harmful</a><a href=\"#helpful\">helpful</a>"
          "<a href=\"#distribution\">distribution</a>",
          out);
    if (data->curve.count) fputs("<a href=\"#removal\">removal curve</a>", out);
    if (data->validation.count) fputs("<a href=\"#self-check\">self-check</a>", out);
    if (data->trials > 1 && data->samples.sign_agreement)
        fputs("<a href=\"#stability\">stability</a>", out);
    fputs("</nav></header>\n", out);
}

static void write_summary(FILE *out, const sgdi_report_data *data) {
    int64_t harmful = 0, helpful = 0;
    for (int64_t k = 0; k < data->count; k++) {
        harmful += data->rows[k].score < 0;
        helpful += data->rows[k].score > 0;
    }
    fprintf(out,
            "<section id=\"summary\"><h2>Summary</h2><dl class=\"summary\">\n"
            "<dt>rows scored</dt><dd><span id=\"rows-scored\">%lld</span> (%s)</dd>\n"
            "<dt>harmful (negative)</dt><dd><span id=\"rows-harmful\">%lld</span></dd>\n"
            "<dt>helpful (positive)</dt><dd><span id=\"rows-helpful\">%lld</span></dd>\n"
            "<dt>trials</dt><dd>%lld</dd>\n",
            (long long)data->count, data->images ? "images" : "table rows", (long long)harmful,
            (long long)helpful, (long long)data->trials);
    if (data->trials > 1 && data->samples.sign_agreement)
        fprintf(out, "<dt>rows whose sign changes</dt><dd>%lld</dd>\n",
                (long long)sgdi_report_unstable_count(data));
    if (data->images)
        fprintf(out,
                "<dt>thumbnails shown</dt><dd><span id=\"thumbnails-total\">%lld</span></dd>\n"
                "<dt>thumbnails decoded</dt><dd><span id=\"thumbnails-decoded\">not checked "
                "(scripts are off)</span></dd>\n",
                (long long)(sgdi_report_harmful_shown(data) + sgdi_report_helpful_shown(data)));
    fputs("</dl></section>\n", out);
}

static sgdi_status write_lists(FILE *out, const sgdi_report_data *data, sgdi_error *err) {
    fprintf(out,
            "<section id=\"harmful\"><h2>The %lld most harmful rows</h2>\n<p>Lowest influence "
            "first: leaving these rows out is estimated to lower the validation loss most.</p>\n",
            (long long)sgdi_report_harmful_shown(data));
    sgdi_status st = sgdi_report_write_samples(out, data, false, err);
    if (st != SGDI_OK) return st;
    fprintf(out,
            "</section>\n<section id=\"helpful\"><h2>The %lld most helpful rows</h2>\n<p>Highest "
            "influence first: leaving these rows out is estimated to raise the validation loss "
            "most.</p>\n",
            (long long)sgdi_report_helpful_shown(data));
    st = sgdi_report_write_samples(out, data, true, err);
    fputs("</section>\n", out);
    return st;
}

static sgdi_status write_distribution(FILE *out, const sgdi_report_data *data, sgdi_error *err) {
    double *scores = sgdi_alloc_array(data->count, sizeof *scores);
    if (!scores) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing the report");
    for (int64_t k = 0; k < data->count; k++) scores[k] = data->rows[k].score;
    char lo[32], mid[32], hi[32];
    // The rows are sorted with NaN last; the median of the finite ones.
    int64_t finite = 0;
    while (finite < data->count && !isnan(scores[finite])) finite++;
    double median = finite == 0  ? NAN
                    : finite % 2 ? scores[finite / 2]
                                 : (scores[finite / 2 - 1] + scores[finite / 2]) / 2;
    fprintf(out,
            "<section id=\"distribution\"><h2>Distribution of the scores</h2>\n<p>Lowest %s, "
            "median %s, highest %s. Bars left of the dashed line at 0 are harmful rows.</p>\n",
            sgdi_report_number(lo, finite ? scores[0] : NAN, 4), sgdi_report_number(mid, median, 4),
            sgdi_report_number(hi, finite ? scores[finite - 1] : NAN, 4));
    sgdi_report_svg_histogram(out, scores, data->count, 0);
    fputs("</section>\n", out);
    free(scores);
    return SGDI_OK;
}

static void write_curve(FILE *out, const sgdi_report_data *data) {
    const sgdi_report_curve *c = &data->curve;
    fprintf(out,
            "<section id=\"removal\"><h2>Removal curve</h2>\n<p>Test accuracy (the loss, for a "
            "network without classes) after retraining without the k most harmful rows, and "
            "without k random rows, over %lld seed%s: the mean, and a band of one standard "
            "deviation.</p>\n",
            (long long)c->seeds, c->seeds == 1 ? "" : "s");
    sgdi_report_svg_curve(out, c);
    fputs("<div class=\"scroll\"><table id=\"removal-table\"><thead><tr><th>k</th>"
          "<th>fraction</th><th>accuracy, harmful removed</th><th>accuracy, random removed</th>"
          "<th>loss, harmful removed</th><th>loss, random removed</th></tr></thead><tbody>\n",
          out);
    char a[32], b[32];
    for (int64_t k = 0; k < c->count; k++) {
        const sgdi_report_point *p = &c->points[k];
        fprintf(out, "<tr><td>%lld</td><td>%s</td>", (long long)p->k,
                sgdi_report_number(a, p->fraction, 3));
        for (int side = 0; side < 2; side++)
            fprintf(out, "<td>%s ± %s</td>", sgdi_report_number(a, p->accuracy_mean[side], 4),
                    sgdi_report_number(b, p->accuracy_std[side], 2));
        for (int side = 0; side < 2; side++)
            fprintf(out, "<td>%s ± %s</td>", sgdi_report_number(a, p->loss_mean[side], 4),
                    sgdi_report_number(b, p->loss_std[side], 2));
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div></section>\n", out);
}

static void write_self_check(FILE *out, const sgdi_report_data *data) {
    const sgdi_report_validation *v = &data->validation;
    char tau[32], r[32];
    fprintf(out,
            "<section id=\"self-check\"><h2>Leave-one-out self-check</h2>\n<p>%lld rows were "
            "each left out and the model retrained: the actual change of the validation loss "
            "against the estimate. Kendall's τ <b id=\"kendall-tau\">%s</b>, Pearson's r "
            "<b id=\"pearson-r\">%s</b>",
            (long long)v->count, sgdi_report_number(tau, v->kendall_tau, 3),
            sgdi_report_number(r, v->pearson_r, 3));
    if (isfinite(v->paper_kendall_tau))
        fprintf(out, " (with the paper's curvature: τ %s, r %s)",
                sgdi_report_number(tau, v->paper_kendall_tau, 3),
                sgdi_report_number(r, v->paper_pearson_r, 3));
    fputs(". Points on the dashed line are estimated exactly.</p>\n", out);
    sgdi_report_svg_scatter(out, v);
    fputs("</section>\n", out);
}

static sgdi_status write_page(FILE *out, const sgdi_report_data *data, sgdi_error *err) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>SGD-Influence report: ",
          out);
    sgdi_report_escape(out, data->csv_path);
    fprintf(out, "</title>\n<style>\n%s</style></head>\n<body>\n", stylesheet);
    write_header(out, data);
    write_summary(out, data);
    write_settings(out, data);
    sgdi_status st = write_lists(out, data, err);
    if (st == SGDI_OK) st = write_distribution(out, data, err);
    if (st != SGDI_OK) return st;
    if (data->curve.count) write_curve(out, data);
    if (data->validation.count) write_self_check(out, data);
    if (data->trials > 1 && data->samples.sign_agreement) {
        fputs("<section id=\"stability\"><h2>Stability across the trials</h2>\n", out);
        st = sgdi_report_write_stability(out, data, err);
        if (st != SGDI_OK) return st;
        fputs("</section>\n", out);
    }
    const char *version = sidecar_string(data, "version");
    fputs("<footer>Written by sgd-influence report " SGDI_VERSION_STRING, out);
    if (version) {
        fputs(" from a run of sgd-influence ", out);
        sgdi_report_escape(out, version);
    }
    fprintf(out, ".</footer>\n<script>\n%s</script>\n</body></html>\n", self_check_script);
    return SGDI_OK;
}

sgdi_status sgdi_report_write(const sgdi_report_inputs *in, const char *html_path,
                              sgdi_error *err) {
    if (!html_path || !*html_path)
        return sgdi_fail(err, SGDI_ERR_INVALID, "empty output file name");
    sgdi_report_data data;
    sgdi_status st = sgdi_report_load(in, &data, err);
    if (st != SGDI_OK) return st;
    sgdi_atomic_file f;
    st = sgdi_atomic_open(&f, html_path, err);
    if (st == SGDI_OK) {
        st = write_page(f.fp, &data, err);
        if (st == SGDI_OK)
            st = sgdi_atomic_commit(&f, err);
        else
            sgdi_atomic_abort(&f);
    }
    sgdi_report_data_free(&data);
    return st;
}
