/*
 * test_sample_stats.c — per-row statistics over the trials: standard deviation
 * and sign agreement on hand-made trial scores (one trial, zeros, sign flips,
 * large offsets), the public accessors, the influence_std column of the CSV and
 * the sidecar's "samples" object.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/result.h"
#include "api/sample_stats.h"
#include "sgdi.h"
#include "test_support.h"

static char tmpdir[64];

static void path_in(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

// The mean as sgdi_run forms it: summed in trial order, divided by the trial count.
static void trial_mean(const double *scores, int trials, int64_t rows, double *mean) {
    for (int64_t i = 0; i < rows; i++) {
        double sum = 0.0;
        for (int k = 0; k < trials; k++) sum += scores[(int64_t)k * rows + i];
        mean[i] = sum / trials;
    }
}

static void test_one_trial(void) {
    // One trial: the mean is the score, nothing varies, every sign agrees with itself.
    const double scores[5] = {0.25, -3.0, 0.0, -0.0, 1e-300};
    double mean[5], std[5], agree[5];
    trial_mean(scores, 1, 5, mean);
    sgdi_sample_stats_compute(scores, 1, 5, mean, std, agree);
    for (int i = 0; i < 5; i++) {
        CHECK_MSG(std[i] == 0.0, "row %d: std %g", i, std[i]);
        CHECK_MSG(agree[i] == 1.0, "row %d: agreement %g", i, agree[i]);
    }
}

static void test_three_trials(void) {
    enum { TRIALS = 3, ROWS = 8 };
    // Row-wise: {1,2,3}, {-1,2,5}, {0,0,0}, {1,-1,0}, {-0,0,3}, {-2,-4,-6}, {4,-1,-1},
    // {1e9+1,1e9+2,1e9+3}; stored trial-major.
    const double by_row[ROWS][TRIALS] = {
        {1, 2, 3},    {-1, 2, 5},   {0, 0, 0},   {1, -1, 0},
        {-0.0, 0, 3}, {-2, -4, -6}, {4, -1, -1}, {1e9 + 1, 1e9 + 2, 1e9 + 3},
    };
    double scores[TRIALS * ROWS];
    for (int k = 0; k < TRIALS; k++)
        for (int i = 0; i < ROWS; i++) scores[k * ROWS + i] = by_row[i][k];
    double mean[ROWS], std[ROWS], agree[ROWS];
    trial_mean(scores, TRIALS, ROWS, mean);
    sgdi_sample_stats_compute(scores, TRIALS, ROWS, mean, std, agree);
    const double want_std[ROWS] = {1, 3, 0, 1, sqrt(3.0), 2, sqrt(25.0 / 3.0), 1};
    // Row 3: mean 0 agrees only with the trial that scored 0; row 4: -0 and 0 are zero,
    // not positive like the mean 1; row 6: one positive trial against a positive mean.
    const double want_agree[ROWS] = {1, 2.0 / 3, 1, 1.0 / 3, 1.0 / 3, 1, 1.0 / 3, 1};
    for (int i = 0; i < ROWS; i++) {
        CHECK_NEAR(std[i], want_std[i], 1e-15 * (1 + want_std[i]));
        CHECK_MSG(agree[i] == want_agree[i], "row %d: agreement %.17g, want %.17g", i, agree[i],
                  want_agree[i]);
    }
    // Either output may be left out.
    double std_only[ROWS], agree_only[ROWS];
    sgdi_sample_stats_compute(scores, TRIALS, ROWS, mean, std_only, NULL);
    sgdi_sample_stats_compute(scores, TRIALS, ROWS, mean, NULL, agree_only);
    CHECK(memcmp(std_only, std, sizeof std) == 0);
    CHECK(memcmp(agree_only, agree, sizeof agree) == 0);
}

static void test_nan_mean(void) {
    const double scores[2] = {NAN, 1.0};
    double mean = NAN, std, agree;
    sgdi_sample_stats_compute(scores, 2, 1, &mean, &std, &agree);
    CHECK(isnan(agree));
    CHECK(isnan(std));
}

// --- Through a result ----------------------------------------------------------------

typedef struct fake {
    sgdi_result res;
    double scores[4];
    double trial_scores[2 * 4];
    int32_t predictions[4];
    float confidence[4];
} fake;

// Two trials over four rows: {1, 3}, {-2, 2}, {0.5, 0.5}, {-1, -4}.
static void fake_fill(fake *f) {
    memset(f, 0, sizeof *f);
    sgdi_options_init(&f->res.options);
    f->res.options.trials = 2;
    f->res.rows = 4;
    const double trial_scores[8] = {1, -2, 0.5, -1, 3, 2, 0.5, -4};
    memcpy(f->trial_scores, trial_scores, sizeof trial_scores);
    trial_mean(f->trial_scores, 2, 4, f->scores);
    f->res.scores = f->scores;
    f->res.trial_scores = f->trial_scores;
}

static void test_result_accessors(void) {
    fake f;
    fake_fill(&f);
    sgdi_error err;
    CHECK(sgdi_result_trial_scores(&f.res) == f.trial_scores);
    CHECK(sgdi_result_predictions(&f.res) == NULL);
    CHECK(sgdi_result_prediction_confidence(&f.res) == NULL);
    double std[4], agree[4];
    CHECK_MSG(sgdi_result_sample_stats(&f.res, std, agree, &err) == SGDI_OK, "%s", err.message);
    const double want_std[4] = {sqrt(2.0), sqrt(8.0), 0, sqrt(4.5)};
    // Row 1's mean is 0 and neither trial scored 0: no trial has the mean's sign.
    const double want_agree[4] = {1, 0, 1, 1};
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(std[i], want_std[i], 1e-15);
        CHECK(agree[i] == want_agree[i]);
    }
    CHECK(sgdi_result_sample_stats(&f.res, NULL, NULL, &err) == SGDI_OK);

    f.res.predictions = f.predictions;
    f.res.prediction_confidence = f.confidence;
    CHECK(sgdi_result_predictions(&f.res) == f.predictions);
    CHECK(sgdi_result_prediction_confidence(&f.res) == f.confidence);

    f.res.trial_scores = NULL;
    CHECK(sgdi_result_trial_scores(&f.res) == NULL);
    CHECK(sgdi_result_sample_stats(&f.res, std, agree, &err) == SGDI_ERR_INVALID);
    CHECK(strstr(err.message, "per-trial scores") != NULL);
    CHECK(sgdi_result_sample_stats(NULL, std, agree, &err) == SGDI_ERR_INVALID);
    CHECK(sgdi_result_trial_scores(NULL) == NULL);
}

static void test_csv_column(void) {
    fake f;
    fake_fill(&f);
    sgdi_error err;
    char plain[256], opts_null[256], with_std[256];
    path_in(plain, sizeof plain, "plain.csv");
    path_in(opts_null, sizeof opts_null, "opts_null.csv");
    path_in(with_std, sizeof with_std, "with_std.csv");
    CHECK(sgdi_result_write_csv(&f.res, plain, &err) == SGDI_OK);
    CHECK(sgdi_result_write_csv_opts(&f.res, opts_null, NULL, &err) == SGDI_OK);
    sgdi_csv_options opts;
    sgdi_csv_options_init(&opts);
    CHECK(!opts.influence_std);
    opts.influence_std = true;
    CHECK_MSG(sgdi_result_write_csv_opts(&f.res, with_std, &opts, &err) == SGDI_OK, "%s",
              err.message);
    char *a = sgdi_test_read_file(plain, NULL), *b = sgdi_test_read_file(opts_null, NULL),
         *c = sgdi_test_read_file(with_std, NULL);
    // Means 2, 0, 0.5, -2.5: ascending, the std of each row after the plugin's columns
    // (no two rows share a std, so a std taken from the rank instead of the row shows).
    const char *want_plain = "index,influence,datasource_index\n"
                             "3,-2.5,3\n"
                             "1,0,1\n"
                             "2,0.5,2\n"
                             "0,2,0\n";
    const char *want_std = "index,influence,datasource_index,influence_std\n"
                           "3,-2.5,3,2.1213203435596424\n"
                           "1,0,1,2.8284271247461903\n"
                           "2,0.5,2,0\n"
                           "0,2,0,1.4142135623730951\n";
    CHECK_MSG(a && strcmp(a, want_plain) == 0, "got:\n%s", a ? a : "(none)");
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK_MSG(c && strcmp(c, want_std) == 0, "got:\n%s", c ? c : "(none)");
    free(a);
    free(b);
    free(c);

    // Without per-trial scores the column cannot be written, and nothing is.
    char missing[256];
    path_in(missing, sizeof missing, "missing.csv");
    f.res.trial_scores = NULL;
    CHECK(sgdi_result_write_csv_opts(&f.res, missing, &opts, &err) == SGDI_ERR_INVALID);
    CHECK(strstr(err.message, "missing.csv") != NULL);
    CHECK(access(missing, F_OK) != 0);
    CHECK(sgdi_result_write_csv(&f.res, missing, &err) == SGDI_OK); // the plugin's columns
    unlink(plain);
    unlink(opts_null);
    unlink(with_std);
    unlink(missing);
}

static void test_sidecar_samples(void) {
    fake f;
    fake_fill(&f);
    sgdi_error err;
    char path[256];
    path_in(path, sizeof path, "side.json");
    CHECK(sgdi_result_write_json(&f.res, "t.csv", "v.csv", path, &err) == SGDI_OK);
    char *text = sgdi_test_read_file(path, NULL);
    const char *want[] = {"\"samples\": {", "\"mean\": [2, 0, 0.5, -2.5]",
                          "\"std\": [1.4142135623730951, 2.8284271247461903, 0, "
                          "2.1213203435596424]",
                          "\"sign_agreement\": [1, 0, 1, 1]"};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        CHECK_MSG(text && strstr(text, want[k]), "missing %s in:\n%s", want[k],
                  text ? text : "(no file)");
    CHECK(text && !strstr(text, "\"prediction\"") && !strstr(text, "\"confidence\""));
    free(text);

    const int32_t pred[4] = {1, 0, 2, 1};
    const float conf[4] = {0.5f, 0.75f, 1.0f, 0.25f};
    memcpy(f.predictions, pred, sizeof pred);
    memcpy(f.confidence, conf, sizeof conf);
    f.res.predictions = f.predictions;
    f.res.prediction_confidence = f.confidence;
    CHECK(sgdi_result_write_json(&f.res, "t.csv", "v.csv", path, &err) == SGDI_OK);
    text = sgdi_test_read_file(path, NULL);
    CHECK_MSG(text && strstr(text, "\"prediction\": [1, 0, 2, 1]"), "%s", text);
    CHECK_MSG(text && strstr(text, "\"confidence\": [0.5, 0.75, 1, 0.25]"), "%s", text);
    free(text);

    // A hand-made result without per-trial scores: the mean, and null for the rest.
    f.res.trial_scores = NULL;
    f.res.predictions = NULL;
    CHECK(sgdi_result_write_json(&f.res, "t.csv", "v.csv", path, &err) == SGDI_OK);
    text = sgdi_test_read_file(path, NULL);
    CHECK_MSG(text && strstr(text, "\"std\": null") && strstr(text, "\"sign_agreement\": null") &&
                  strstr(text, "\"mean\": [2, 0, 0.5, -2.5]"),
              "%s", text);
    free(text);
    unlink(path);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sgdi_test_stats.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_one_trial);
    RUN(test_three_trials);
    RUN(test_nan_mean);
    RUN(test_result_accessors);
    RUN(test_csv_column);
    RUN(test_sidecar_samples);
    rmdir(tmpdir);
    return sgdi_test_finish();
}
