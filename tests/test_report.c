/*
 * test_report.c — `sgd-influence report` without a browser: base64 against
 * RFC 4648's vectors, HTML escaping of hostile strings, the histogram on a
 * hand-made case, every malformed input named by file and line or field, and
 * pages for a table and for images built from files written here (the thumbnails
 * are the files' own bytes). tests/report/chromium.sh renders a real page.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_files.h"
#include "report/report.h"
#include "test_support.h"

static char dir[512];

static char *path_in(const char *name) {
    static char buf[8][1024]; // a few paths alive at once
    static int next;
    char *out = buf[next++ % 8];
    snprintf(out, sizeof buf[0], "%s/%s", dir, name);
    return out;
}

// What `write` prints into a string (malloc'd).
#define CAPTURE(text, write)                                                                       \
    do {                                                                                           \
        size_t capture_size_;                                                                      \
        FILE *capture_ = open_memstream(&(text), &capture_size_);                                  \
        write;                                                                                     \
        fclose(capture_);                                                                          \
    } while (0)

static int count_of(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

// --- Text ----------------------------------------------------------------------

static void test_base64_vectors(void) {
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char out[16];
    for (int k = 0; k < 7; k++) {
        size_t n = strlen(plain[k]);
        CHECK(sgdi_report_base64_size(n) == strlen(coded[k]) + 1);
        size_t len = sgdi_report_base64_encode((const unsigned char *)plain[k], n, out);
        CHECK_MSG(len == strlen(coded[k]) && strcmp(out, coded[k]) == 0, "'%s' -> '%s'", plain[k],
                  out);
    }
    // High bytes reach the last letters of the alphabet, '+' and '/' (Python's
    // base64.b64encode gives the expected text).
    const unsigned char binary[] = {0x00, 0xFF, 0xFE, 0xFB, 0xEF, 0xBE, 0x80};
    sgdi_report_base64_encode(binary, sizeof binary, out);
    CHECK_MSG(strcmp(out, "AP/+++++gA==") == 0, "%s", out);
}

static void test_escape(void) {
    char *text = NULL;
    CAPTURE(text, sgdi_report_escape(capture_, "<a href=\"x\">&'</a>"));
    CHECK_MSG(strcmp(text, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;") == 0, "%s", text);
    free(text);
    // Valid UTF-8 stays; invalid bytes, overlong forms, surrogates, cut sequences and
    // control bytes become U+FFFD; tab and line breaks stay; NUL inside the length too.
    const char hostile[] = "\xC3\xA9|\xFF|\xC0\x80|\xED\xA0\x80|\x01\t\n|\0|\xE2\x82";
    CAPTURE(text, sgdi_report_escape_n(capture_, hostile, sizeof hostile - 1));
    CHECK_MSG(strcmp(text, "\xC3\xA9|&#xFFFD;|&#xFFFD;&#xFFFD;|&#xFFFD;&#xFFFD;&#xFFFD;|"
                           "&#xFFFD;\t\n|&#xFFFD;|&#xFFFD;&#xFFFD;") == 0,
              "%s", text);
    free(text);
    CAPTURE(text, sgdi_report_escape(capture_, NULL));
    CHECK(text && text[0] == '\0');
    free(text);
}

// --- Histogram -----------------------------------------------------------------

static void test_histogram_counts(void) {
    // Bins [0, 1), [1, 2), [2, 3]: a value on an edge goes up, the maximum stays in.
    const double v[] = {0, 0, 0.9, 1, 2, 2.5, 3, 3, NAN, INFINITY};
    int64_t counts[3];
    double lo, hi;
    CHECK(sgdi_report_histogram(v, 10, 3, &lo, &hi, counts) == 8);
    CHECK(lo == 0 && hi == 3);
    CHECK_MSG(counts[0] == 3 && counts[1] == 1 && counts[2] == 4, "%lld %lld %lld",
              (long long)counts[0], (long long)counts[1], (long long)counts[2]);
    const double same[] = {5, 5};
    int64_t one[2];
    CHECK(sgdi_report_histogram(same, 2, 2, &lo, &hi, one) == 2);
    CHECK(lo < 5 && hi > 5 && one[0] + one[1] == 2);
}

// The bars' data-count and height attributes, in order.
static int read_bars(const char *svg, long long *count, double *height, char (*cls)[16], int max) {
    int n = 0;
    for (const char *p = svg; n < max && (p = strstr(p, "<rect class=\"bar ")); p++, n++) {
        sscanf(p, "<rect class=\"bar %15[a-z]\" data-count=\"%lld\"", cls[n], &count[n]);
        const char *h = strstr(p, "height=\"");
        height[n] = h ? atof(h + 8) : -1;
    }
    return n;
}

static void test_histogram_svg(void) {
    const double v[] = {-2, -1.5, -1.5, 1, 2, 2, 2, 2};
    char *svg = NULL;
    CAPTURE(svg, sgdi_report_svg_histogram(capture_, v, 8, 2));
    long long count[4];
    double height[4];
    char cls[4][16];
    int bars = read_bars(svg, count, height, cls, 4);
    CHECK(bars == 2);
    CHECK(count[0] == 3 && count[1] == 5);
    CHECK(strcmp(cls[0], "harmful") == 0 && strcmp(cls[1], "helpful") == 0);
    CHECK_NEAR(height[0] / height[1], 3.0 / 5.0, 0.01);
    CHECK(count_of(svg, "class=\"zero\"") == 1); // the range spans 0
    CHECK(count_of(svg, "<svg") == 1 && count_of(svg, "</svg>") == 1);
    free(svg);
    // The default bin count from n, and no zero line when all scores are positive.
    double many[400];
    for (int k = 0; k < 400; k++) many[k] = 1 + k % 37;
    CAPTURE(svg, sgdi_report_svg_histogram(capture_, many, 400, 0));
    CHECK(count_of(svg, "<rect class=\"bar ") == 20);
    CHECK(count_of(svg, "class=\"zero\"") == 0);
    long long sum = 0, c[64];
    double h[64];
    char k[64][16];
    int n = read_bars(svg, c, h, k, 64);
    for (int b = 0; b < n; b++) sum += c[b];
    CHECK(sum == 400);
    free(svg);
}

static void test_curve_svg(void) {
    sgdi_report_point points[3] = {
        {.k = 0, .fraction = 0, .accuracy_mean = {0.8, 0.8}, .accuracy_std = {0.01, 0.01}},
        {.k = 5, .fraction = 0.05, .accuracy_mean = {0.9, 0.7}, .accuracy_std = {NAN, 0.02}},
        {.k = 10, .fraction = 0.1, .accuracy_mean = {NAN, 0.6}, .accuracy_std = {0, 0}},
    };
    sgdi_report_curve curve = {.count = 3, .points = points, .seeds = 2};
    char *svg = NULL;
    CAPTURE(svg, sgdi_report_svg_curve(capture_, &curve));
    CHECK(strstr(svg, "aria-label=\"test accuracy"));
    CHECK(count_of(svg, "<circle class=\"dot harmful\"") == 2); // the NaN point is left out
    CHECK(count_of(svg, "<circle class=\"dot random\"") == 3);
    CHECK(count_of(svg, "class=\"band ") == 2 && count_of(svg, "class=\"line ") == 2);
    free(svg);
    // Without any accuracy (a loss that is not over classes) the curve is of the loss.
    for (int k = 0; k < 3; k++)
        for (int side = 0; side < 2; side++) {
            points[k].accuracy_mean[side] = NAN;
            points[k].loss_mean[side] = 1 - 0.1 * k;
            points[k].loss_std[side] = 0.05;
        }
    CAPTURE(svg, sgdi_report_svg_curve(capture_, &curve));
    CHECK(strstr(svg, "aria-label=\"test loss"));
    CHECK(count_of(svg, "<circle class=\"dot ") == 6);
    free(svg);
}

// --- Inputs ----------------------------------------------------------------------

static const char table_csv[] = "x__0:size <b>,x__1,y\n1.5,2,0\n\n-3,4,1\n5,6,1\n";
static const char influence_csv[] =
    "index,influence,datasource_index\n1,-0.5,1\n2,0.25,2\n0,0.75,0\n";

// A sidecar for three rows; `extra` is appended inside the object.
static void write_sidecar(const char *name, const char *train, int trials, const char *extra) {
    char text[4096];
    snprintf(text, sizeof text,
             "{\"tool\": \"sgd-influence\", \"version\": \"0.1.0\",\n"
             " \"sign_convention\": \"negative = harmful <script>\",\n"
             " \"train\": \"%s\", \"method\": \"all\", \"trials\": %d, \"seeds\": [0, 1],\n"
             " \"solver\": {\"name\": \"sgd\", \"lr\": 0.1, \"momentum\": null},\n"
             " \"rows\": 3, \"validation\": null%s}\n",
             train, trials, extra);
    CHECK(test_write_text(path_in(name), text));
}

static const char samples_json[] =
    ", \"samples\": {\"mean\": [0.75, -0.5, 0.25], \"std\": [0.1, 0.2, 0.3],"
    " \"sign_agreement\": [1, 1, 0.5], \"prediction\": [0, 1, 0], \"confidence\": [0.9, 0.8, "
    "0.6]}, \"extra_setting\": \"<i>\"";

static sgdi_status report(const char *csv, const char *evaluation, const char *train,
                          const char *out, sgdi_error *err) {
    sgdi_report_inputs in;
    sgdi_report_inputs_init(&in);
    in.influence_csv = path_in(csv);
    in.evaluation = evaluation ? path_in(evaluation) : NULL;
    in.train = train ? path_in(train) : NULL;
    return sgdi_report_write(&in, path_in(out), err);
}

// The report of `csv` fails with `status` and a message holding every `parts` string.
static void expect_failure(const char *what, const char *csv, const char *evaluation,
                           sgdi_status status, const char *part1, const char *part2) {
    sgdi_error err = {SGDI_OK, ""};
    remove(path_in("fail.html"));
    sgdi_status s = report(csv, evaluation, NULL, "fail.html", &err);
    CHECK_MSG(s == status, "%s: status %d, expected %d (%s)", what, (int)s, (int)status,
              err.message);
    CHECK_MSG(strstr(err.message, part1) && (!part2 || strstr(err.message, part2)),
              "%s: message '%s' lacks '%s' / '%s'", what, err.message, part1, part2 ? part2 : "");
    FILE *fp = fopen(path_in("fail.html"), "r");
    CHECK_MSG(!fp, "%s: a page was written", what);
    if (fp) fclose(fp);
}

static void test_malformed_inputs(void) {
    CHECK(test_write_text(path_in("train.csv"), table_csv));
    write_sidecar("good.csv.json", path_in("train.csv"), 1, "");
    CHECK(test_write_text(path_in("good.csv"), influence_csv));
    expect_failure("missing CSV", "absent.csv", NULL, SGDI_ERR_IO, "absent.csv", NULL);
    const struct {
        const char *csv, *part1, *part2;
    } csvs[] = {
        {"", "no header", NULL},
        {"index,score,datasource_index\n0,1,0\n", "bad.csv:1:", "'influence'"},
        {"index,influence\n0,1\n", "bad.csv:1:", "'datasource_index'"},
        {"index,influence,datasource_index\n0,1,0\n1,abc,1\n", "bad.csv:3:", "'abc'"},
        {"index,influence,datasource_index\n0,1,0\n1,2\n", "bad.csv:3:", "2 fields"},
        {"index,influence,datasource_index\n0,1,0\n1,2,0.5\n", "bad.csv:3:", "'0.5'"},
        {"index,influence,datasource_index\n0,1,0\n1,2,0\n",
         "bad.csv:3:", "twice (also on line 2)"},
        {"index,influence,datasource_index\n0,1,0\n1,2,7\n", "bad.csv:3:", "only 2 rows"},
        {"index,influence,datasource_index\n", "no data rows", NULL},
        {"index,influence,datasource_index\n0,1,0\n\"1,2,1\n", "bad.csv:3", NULL},
    };
    for (size_t k = 0; k < sizeof csvs / sizeof *csvs; k++) {
        CHECK(test_write_text(path_in("bad.csv"), csvs[k].csv));
        write_sidecar("bad.csv.json", path_in("train.csv"), 1, "");
        expect_failure(csvs[k].csv, "bad.csv", NULL, SGDI_ERR_FORMAT, csvs[k].part1, csvs[k].part2);
    }

    CHECK(test_write_text(path_in("nosidecar.csv"), influence_csv));
    expect_failure("no sidecar", "nosidecar.csv", NULL, SGDI_ERR_IO, "nosidecar.csv.json", NULL);
    const struct {
        const char *json, *part1, *part2;
    } sidecars[] = {
        {"{\"tool\": \"sgd-influence\",\n\"rows\": 3,\n\"trials\": 1,,\n}",
         "side.csv.json:3:", "malformed JSON"},
        {"{\"tool\": \"sgd-influence\",\n\"rows\": 3\n", "side.csv.json:", "ends early"},
        {"{\"tool\": \"sgd-influence\", \"rows\": 3} x", "side.csv.json:1:", "after the value"},
        {"[1, 2]", "side.csv.json", "JSON object"},
        {"{\"tool\": \"other\", \"rows\": 3}", "side.csv.json", "not the sidecar"},
        {"{\"tool\": \"sgd-influence\", \"rows\": 4}", "side.csv.json: rows", "another run"},
        {"{\"tool\": \"sgd-influence\", \"rows\": \"3\"}", "side.csv.json: rows", "number"},
        {"{\"tool\": \"sgd-influence\", \"trials\": 0}", "side.csv.json: trials", NULL},
        {"{\"tool\": \"sgd-influence\", \"samples\": {\"std\": [1, 2]}}",
         "side.csv.json: samples.std: 2 values, expected 3", NULL},
        {"{\"tool\": \"sgd-influence\", \"samples\": {\"std\": [1, \"x\", 2]}}",
         "side.csv.json: samples.std[1]: expected a number", NULL},
        {"{\"tool\": \"sgd-influence\", \"samples\": [1]}", "side.csv.json: samples:", NULL},
        {"{\"tool\": \"sgd-influence\", \"validation\": {\"actual\": [1], \"estimated\": [1, 2]}}",
         "validation.estimated: 2 values", NULL},
        {"{\"tool\": \"sgd-influence\", \"validation\": {\"actual\": [1], \"estimated\": [1], "
         "\"kendall_tau\": true}}",
         "validation.kendall_tau: expected a number", NULL},
    };
    CHECK(test_write_text(path_in("side.csv"), influence_csv));
    for (size_t k = 0; k < sizeof sidecars / sizeof *sidecars; k++) {
        CHECK(test_write_text(path_in("side.csv.json"), sidecars[k].json));
        expect_failure(sidecars[k].json, "side.csv", NULL, SGDI_ERR_FORMAT, sidecars[k].part1,
                       sidecars[k].part2);
    }

    const struct {
        const char *json, *part;
    } evaluations[] = {
        {"{\"tool\": \"sgd-influence evaluate\"}", "eval.json: points: expected an array"},
        {"{\"points\": [{\"k\": 1, \"fraction\": 0.1}]}", "eval.json: points[0].harmful"},
        {"{\"points\": [{\"k\": -1}]}", "eval.json: points[0].k"},
        {"{\"points\": [{\"k\": 1, \"fraction\": 0.1, \"harmful\": {\"accuracy_mean\": \"x\"}}]}",
         "eval.json: points[0].harmful.accuracy_mean: expected a number"},
        {"{\"points\": [\n{\"k\": 1,\n\"fraction\": }]}", "eval.json:3: malformed JSON"},
    };
    for (size_t k = 0; k < sizeof evaluations / sizeof *evaluations; k++) {
        CHECK(test_write_text(path_in("eval.json"), evaluations[k].json));
        expect_failure(evaluations[k].json, "good.csv", "eval.json", SGDI_ERR_FORMAT,
                       evaluations[k].part, NULL);
    }
    expect_failure("missing evaluation", "good.csv", "absent.json", SGDI_ERR_IO, "absent.json",
                   NULL);

    // The training table: not found (the message says how to name it), or of another run.
    write_sidecar("good.csv.json", "nowhere/train.csv", 1, "");
    expect_failure("train not found", "good.csv", NULL, SGDI_ERR_IO, "nowhere/train.csv",
                   "--train");
    CHECK(test_write_text(path_in("short.csv"), "x,y\n1,0\n2,1\n"));
    write_sidecar("good.csv.json", path_in("short.csv"), 1, "");
    expect_failure("train of another run", "good.csv", NULL, SGDI_ERR_FORMAT, "2 data rows",
                   "scores 3");
    CHECK(test_write_text(path_in("ragged.csv"), "x,y\n1,0\n2\n3,1\n"));
    write_sidecar("good.csv.json", path_in("ragged.csv"), 1, "");
    expect_failure("ragged train", "good.csv", NULL, SGDI_ERR_FORMAT, "ragged.csv:3: 1 fields",
                   NULL);
}

// --- Pages ---------------------------------------------------------------------

static char *read_text(const char *name) {
    size_t size;
    return sgdi_test_read_file(path_in(name), &size);
}

static void test_table_page(void) {
    CHECK(test_write_text(path_in("train.csv"), table_csv));
    CHECK(test_write_text(path_in("t.csv"), influence_csv));
    // The sidecar names the table relative to its own folder, as a run from there would.
    write_sidecar("t.csv.json", "train.csv", 2, samples_json);
    CHECK(test_write_text(
        path_in("e.json"),
        "{\"seeds\": [0, 1], \"points\": [{\"k\": 0, \"fraction\": 0, \"harmful\": "
        "{\"accuracy_mean\": 0.8, \"accuracy_std\": 0.01, \"loss_mean\": 0.5, \"loss_std\": null},"
        " \"random\": {\"accuracy_mean\": 0.8, \"accuracy_std\": 0.01, \"loss_mean\": 0.5, "
        "\"loss_std\": 0.1}}, {\"k\": 1, \"fraction\": 0.34, \"harmful\": {\"accuracy_mean\": 0.9,"
        " \"accuracy_std\": 0.02, \"loss_mean\": 0.4, \"loss_std\": 0.1}, \"random\": "
        "{\"accuracy_mean\": 0.79, \"accuracy_std\": 0.03, \"loss_mean\": 0.5, \"loss_std\": "
        "0.1}}]}"));
    sgdi_error err = {SGDI_OK, ""};
    CHECK_MSG(report("t.csv", "e.json", NULL, "t.html", &err) == SGDI_OK, "%s", err.message);
    char *page = read_text("t.html");
    CHECK(page != NULL);
    if (!page) return;
    CHECK(strstr(page, "<span id=\"rows-scored\">3</span>"));
    CHECK(strstr(page, "id=\"harmful-list\" data-shown=\"3\""));
    CHECK(strstr(page, "id=\"helpful-list\" data-shown=\"0\""));
    // Strings from the inputs are escaped: the header cell, the sign convention.
    CHECK(strstr(page, "<th>x__0:size &lt;b&gt;</th>"));
    CHECK(strstr(page, "negative = harmful &lt;script&gt;"));
    CHECK(strstr(page, "<dt>extra_setting</dt><dd>&lt;i&gt;</dd>"));
    CHECK(count_of(page, "<script>") == 1);
    // Most harmful first: row 1 (-0.5) with its cells, label and prediction.
    const char *first = strstr(page, "<tr class=\"sample");
    CHECK(first && strstr(first, "data-row=\"1\"") == strstr(first, "data-row"));
    CHECK(strstr(page, "<td>1</td><td><b>1</b> (80%)</td><td>-3</td><td>4</td>"));
    // Row 2 changes sign (agreement 0.5): flagged and listed.
    CHECK(strstr(page, "<tr class=\"sample unstable\" data-row=\"2\""));
    CHECK(strstr(page, "<span id=\"unstable-count\">1</span>"));
    CHECK(count_of(page, "<tr class=\"unstable-row\">") == 1);
    CHECK(strstr(page, "id=\"removal-curve\"") && strstr(page, "id=\"removal-table\""));
    CHECK(strstr(page, "<td>0.9 ± 0.02</td>"));
    CHECK(!strstr(page, "id=\"self-check\"")); // "validation": null
    CHECK(!strstr(page, "<img"));
    CHECK(!strstr(page, "http://") || strstr(page, "http://www.w3.org/2000/svg"));
    // The same inputs give the same bytes.
    CHECK(report("t.csv", "e.json", NULL, "t2.html", &err) == SGDI_OK);
    char *again = read_text("t2.html");
    CHECK(again && strcmp(page, again) == 0);
    free(again);
    free(page);

    // An older sidecar (one trial, no samples): no stability section, no predictions.
    write_sidecar("t.csv.json", "train.csv", 1, "");
    CHECK(report("t.csv", NULL, NULL, "t3.html", &err) == SGDI_OK);
    page = read_text("t3.html");
    CHECK(page && !strstr(page, "id=\"stability\"") && !strstr(page, "predicted"));
    free(page);
}

static void test_validation_section(void) {
    CHECK(test_write_text(path_in("v.csv"), influence_csv));
    char text[1024];
    snprintf(text, sizeof text,
             "{\"tool\": \"sgd-influence\", \"rows\": 3, \"train\": \"%s\", \"validation\": "
             "{\"count\": 3, \"rows\": [1, 2, 0], \"actual\": [0.1, -0.2, 0.3], \"estimated\": "
             "[0.11, -0.19, null], \"kendall_tau\": 0.8125, \"pearson_r\": null}}",
             path_in("train.csv"));
    CHECK(test_write_text(path_in("v.csv.json"), text));
    sgdi_error err = {SGDI_OK, ""};
    CHECK_MSG(report("v.csv", NULL, NULL, "v.html", &err) == SGDI_OK, "%s", err.message);
    char *page = read_text("v.html");
    CHECK(page && strstr(page, "<b id=\"kendall-tau\">0.812</b>"));
    CHECK(page && strstr(page, "<b id=\"pearson-r\">n/a</b>"));
    // The point with a null estimate is left out of the scatter.
    CHECK(page && count_of(page, "<circle class=\"dot point\"") == 2);
    free(page);
}

static void test_image_page(void) {
    uint8_t grey[16 * 16], rgb[8 * 8 * 3];
    for (int k = 0; k < 256; k++) grey[k] = (uint8_t)k;
    for (int k = 0; k < 192; k++) rgb[k] = (uint8_t)(k * 7);
    CHECK(test_write_png(path_in("img/a.png"), &TEST_PNG(16, 16, PNG_COLOR_TYPE_GRAY, 8, grey)));
    CHECK(test_write_jpeg(path_in("img/b.jpg"), 8, 8, 3, rgb, 90));
    CHECK(test_write_png(path_in("img/c b&.png"), &TEST_PNG(16, 16, PNG_COLOR_TYPE_GRAY, 8, grey)));
    CHECK(test_write_text(path_in("i.csv"), "x:image,y:label,influence,datasource_index\n"
                                            "./img/b.jpg,3,-2,1\nimg/a.png,1,-1,0\n"
                                            "\"img/c b&.png\",2,5,2\n"));
    write_sidecar("i.csv.json", "nowhere.csv", 2, samples_json); // images need no table
    sgdi_report_inputs in;
    sgdi_report_inputs_init(&in);
    char csv[1024];
    snprintf(csv, sizeof csv, "%s", path_in("i.csv"));
    in.influence_csv = csv;
    in.top = 1;
    sgdi_error err = {SGDI_OK, ""};
    CHECK_MSG(sgdi_report_write(&in, path_in("i.html"), &err) == SGDI_OK, "%s", err.message);
    char *page = read_text("i.html");
    CHECK(page != NULL);
    if (!page) return;
    CHECK(strstr(page, "<span id=\"thumbnails-total\">2</span>"));
    CHECK(count_of(page, "<img class=\"thumbnail\"") == 2);
    // The thumbnails are the files' bytes: the most harmful (the JPEG), the most helpful.
    const char *names[] = {"img/b.jpg", "img/c b&.png"};
    const char *mimes[] = {"data:image/jpeg;base64,", "data:image/png;base64,"};
    const char *at = page;
    for (int k = 0; k < 2; k++) {
        size_t size;
        uint8_t *bytes = (uint8_t *)sgdi_test_read_file(path_in(names[k]), &size);
        char *b64 = malloc(strlen(mimes[k]) + sgdi_report_base64_size(size));
        strcpy(b64, mimes[k]);
        sgdi_report_base64_encode(bytes, size, b64 + strlen(mimes[k]));
        const char *found = strstr(at, b64);
        CHECK_MSG(found != NULL, "%s is not embedded (in order)", names[k]);
        if (found) at = found;
        free(b64);
        free(bytes);
    }
    CHECK(strstr(page, "title=\"img/c b&amp;.png\""));
    CHECK(strstr(page, "label <b>3</b> · predicted <b>1</b> (80%)"));
    CHECK(strstr(page, "sign changes (50% agree)")); // row 2
    free(page);

    // A missing image and a file that is no picture are named with the CSV line.
    CHECK(test_write_text(path_in("img/not.png"), "plain text"));
    CHECK(test_write_text(path_in("i.csv"), "x:image,y:label,influence,datasource_index\n"
                                            "img/a.png,3,-2,1\nimg/not.png,1,-1,0\n"
                                            "img/gone.png,2,5,2\n"));
    in.top = 2;
    CHECK(sgdi_report_write(&in, path_in("i.html"), &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "i.csv:3: image 'img/not.png'") &&
                  strstr(err.message, "neither PNG nor JPEG"),
              "%s", err.message);
    in.top = 1; // the most helpful is the missing one
    CHECK(sgdi_report_write(&in, path_in("i.html"), &err) == SGDI_ERR_IO);
    CHECK_MSG(strstr(err.message, "i.csv:4: image 'img/gone.png'"), "%s", err.message);
}

int main(void) {
    if (!test_make_temp_dir(dir, sizeof dir)) {
        fprintf(stderr, "cannot make a temporary folder\n");
        return 1;
    }
    RUN(test_base64_vectors);
    RUN(test_escape);
    RUN(test_histogram_counts);
    RUN(test_histogram_svg);
    RUN(test_curve_svg);
    RUN(test_malformed_inputs);
    RUN(test_table_page);
    RUN(test_validation_section);
    RUN(test_image_page);
    test_remove_tree(dir);
    return sgdi_test_finish();
}
