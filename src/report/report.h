/*
 * report.h — `sgd-influence report`: one self-contained HTML page about a run
 * (sgdi_report_write in sgdi.h), and the pieces it is made of.
 *
 * The inputs are read completely and checked first (report_inputs.c: the
 * influence CSV and the training table; report_json.c: the sidecar and
 * evaluate's JSON), so that a bad input fails before anything is written;
 * then the page is written in one pass (report_html.c: the page, settings
 * and checks; report_samples.c: the sample lists; report_svg.c: the plots;
 * report_text.c: escaping and base64). Optional parts of the inputs (the
 * sidecar's "samples" and "validation", evaluate's JSON) are NULL or empty
 * when absent, and their sections are left out.
 */
#ifndef SGDI_REPORT_REPORT_H
#define SGDI_REPORT_REPORT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sgdi.h"

// One line of the influence CSV, in file order (ascending score).
typedef struct sgdi_report_row {
    int64_t line;  // physical CSV line, for messages
    int64_t row;   // datasource_index: 0-based row of the training CSV
    double score;  // influence
    int64_t label; // y (images), or the training table's label; -1 if unknown
    char *image;   // the x cell as written (images), else NULL
} sgdi_report_row;

// The training table's header and the cells of the rows the page shows.
typedef struct sgdi_report_table {
    char *path;           // as resolved
    int64_t columns;      // header fields
    char **header;        // [columns]
    int64_t label_column; // 0-based column named y (or y:...), -1 if none
    int64_t rows;         // data rows (blank lines skipped, as the loader does)
    char ***cells;        // [rows] a shown row's [columns] cells, NULL for the others
} sgdi_report_table;

// The sidecar's "samples" (per training row, index = datasource_index).
typedef struct sgdi_report_samples {
    int64_t count;          // 0 when absent
    double *mean;           // [count] or NULL
    double *std;            // [count] or NULL
    double *sign_agreement; // [count] or NULL
    double *prediction;     // [count] or NULL (class numbers, read as doubles)
    double *confidence;     // [count] or NULL
} sgdi_report_samples;

// The sidecar's "validation": the leave-one-out self-check.
typedef struct sgdi_report_validation {
    int64_t count; // 0 when absent
    int64_t *rows; // [count] training rows, or NULL
    double *actual, *estimated;
    double kendall_tau, pearson_r; // NaN when the sidecar has null
    double paper_kendall_tau, paper_pearson_r;
} sgdi_report_validation;

// One point of evaluate's removal curve; [0] removing the most harmful, [1] random rows.
typedef struct sgdi_report_point {
    int64_t k;
    double fraction;
    double accuracy_mean[2], accuracy_std[2], loss_mean[2], loss_std[2];
} sgdi_report_point;

typedef struct sgdi_report_curve {
    int64_t count; // 0 when no evaluation was given
    sgdi_report_point *points;
    int64_t seeds; // length of "seeds", 0 if absent
} sgdi_report_curve;

typedef struct sgdi_report_data {
    char *csv_path, *sidecar_path, *evaluation_path; // as given (evaluation may be NULL)
    int64_t count;                                   // rows of the influence CSV
    sgdi_report_row *rows;                           // [count] in file order
    bool images;                                     // the CSV has an x column of image files
    char *csv_folder;                                // where image cells are resolved from
    json_object *sidecar;                            // the whole sidecar, for the settings table
    int64_t trials;                                  // sidecar "trials" (1 if absent)
    sgdi_report_samples samples;
    sgdi_report_validation validation;
    sgdi_report_curve curve;
    sgdi_report_table table; // tables only; columns == 0 otherwise
    int top;                 // rows shown at each end
} sgdi_report_data;

// --- Reading (report_inputs.c, report_json.c) ----------------------------------

// Reads and checks everything `in` names. On failure `data` is released.
sgdi_status sgdi_report_load(const sgdi_report_inputs *in, sgdi_report_data *data, sgdi_error *err);
void sgdi_report_data_free(sgdi_report_data *data);

// Parses the influence CSV text (`name` for messages) into data->rows/count/images.
sgdi_status sgdi_report_parse_influence(const char *text, size_t size, const char *name,
                                        sgdi_report_data *data, sgdi_error *err);

// Reads a whole file; *text is NUL-terminated at text[*size]. Malloc'd.
sgdi_status sgdi_report_read_file(const char *path, char **text, size_t *size, sgdi_error *err);

// Parses JSON text (one value, nothing but whitespace after it); errors name the line.
sgdi_status sgdi_report_parse_json(const char *text, size_t size, const char *name,
                                   json_object **out, sgdi_error *err);

// The parts of the parsed sidecar and evaluation JSON the page uses.
sgdi_status sgdi_report_read_sidecar(sgdi_report_data *data, sgdi_error *err);
sgdi_status sgdi_report_read_evaluation(json_object *root, const char *name,
                                        sgdi_report_curve *curve, sgdi_error *err);

// --- Text (report_text.c) -----------------------------------------------------

// Base64 (RFC 4648, with padding) of bytes[0 .. n-1] into out, which holds
// sgdi_report_base64_size(n) bytes (the NUL included). Returns the length.
size_t sgdi_report_base64_size(size_t n);
size_t sgdi_report_base64_encode(const unsigned char *bytes, size_t n, char *out);

// Writes text[0 .. len-1] escaped for HTML text and attribute values: & < > " '
// as entities; control bytes other than tab and line breaks, and bytes that
// are not valid UTF-8, as U+FFFD, so that any input gives well-formed text.
void sgdi_report_escape_n(FILE *out, const char *text, size_t len);
void sgdi_report_escape(FILE *out, const char *text); // NULL writes nothing

// "%.*g" of v, or "n/a" when it is not finite. Returns buf (32 bytes).
const char *sgdi_report_number(char buf[32], double v, int digits);

// --- Plots (report_svg.c) -----------------------------------------------------

// Counts finite values into `bins` equal bins over [*lo, *hi] (the values' range,
// widened when all are equal; the maximum falls in the last bin). Returns how many
// values were counted (the non-finite ones are not).
enum { SGDI_REPORT_MAX_BINS = 64 };
int64_t sgdi_report_histogram(const double *values, int64_t n, int bins, double *lo, double *hi,
                              int64_t *counts);

// The score distribution: a histogram of `bins` bars (0 = chosen from n; at most
// SGDI_REPORT_MAX_BINS), one
// <rect class="bar" data-count="..."> per bin, harmful bins (centre below 0) in the
// harmful colour, with a line at 0 and axes.
void sgdi_report_svg_histogram(FILE *out, const double *values, int64_t n, int bins);

// Accuracy against the fraction removed: harmful and random, mean with a band of
// one standard deviation.
void sgdi_report_svg_curve(FILE *out, const sgdi_report_curve *curve);

// Estimated against actual change of the validation loss, with the line y = x.
void sgdi_report_svg_scatter(FILE *out, const sgdi_report_validation *v);

// --- Sections (report_samples.c) ----------------------------------------------

// The most harmful (`helpful` false) or most helpful rows as cards (images) or a
// table (tables). Fails if an image cannot be read.
sgdi_status sgdi_report_write_samples(FILE *out, const sgdi_report_data *data, bool helpful,
                                      sgdi_error *err);

// The rows whose score changes sign across the trials.
sgdi_status sgdi_report_write_stability(FILE *out, const sgdi_report_data *data, sgdi_error *err);

// How many rows change sign across the trials (sign agreement below 1).
int64_t sgdi_report_unstable_count(const sgdi_report_data *data);

// How many rows each list shows: harmful = min(top, count), helpful = the
// rest up to `top`, so that no row appears in both.
int64_t sgdi_report_harmful_shown(const sgdi_report_data *data);
int64_t sgdi_report_helpful_shown(const sgdi_report_data *data);

#endif // SGDI_REPORT_REPORT_H
