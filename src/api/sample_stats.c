/*
 * sample_stats.c — per-row statistics over the trials of a run (--trials N):
 * standard deviation and sign agreement of each row's score, and the public
 * accessors of sgdi.h's "Per-sample statistics" section.
 *
 * The mean is the result's own (sgdi_run averages the trials), so that the
 * sign agreement is measured against exactly the score the CSV ranks by.
 */
#include <math.h>

#include "api/result.h"
#include "api/sample_stats.h"
#include "util/error.h"

// -1, 0 or +1; -0 is 0, so that a row no trial moves counts as agreeing.
static int sign_of(double x) {
    return (x > 0.0) - (x < 0.0);
}

// trial_scores [trials * rows], mean [rows] -> std [rows], sign_agreement [rows]
void sgdi_sample_stats_compute(const double *trial_scores, int trials, int64_t rows,
                               const double *mean, double *std, double *sign_agreement) {
    for (int64_t i = 0; i < rows; i++) {
        double m = mean[i];
        // Two passes (around the known mean) rather than sums of squares, which cancel
        // catastrophically when the trials agree to many digits.
        double squares = 0.0;
        int agreeing = 0;
        for (int k = 0; k < trials; k++) {
            double x = trial_scores[(int64_t)k * rows + i];
            squares += (x - m) * (x - m);
            agreeing += sign_of(x) == sign_of(m);
        }
        if (std) std[i] = trials > 1 ? sqrt(squares / (trials - 1)) : 0.0;
        if (sign_agreement) sign_agreement[i] = isnan(m) ? NAN : (double)agreeing / trials;
    }
}

const double *sgdi_result_trial_scores(const sgdi_result *res) {
    return res ? res->trial_scores : NULL;
}

sgdi_status sgdi_result_sample_stats(const sgdi_result *res, double *std, double *sign_agreement,
                                     sgdi_error *err) {
    if (!res) return sgdi_fail(err, SGDI_ERR_INVALID, "sample statistics: no result");
    if (res->rows < 0 || res->options.trials < 1)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "sample statistics: the result has %lld rows and %d trials",
                         (long long)res->rows, res->options.trials);
    if (res->rows > 0 && (!res->scores || !res->trial_scores))
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "sample statistics: the result holds no per-trial scores");
    sgdi_sample_stats_compute(res->trial_scores, res->options.trials, res->rows, res->scores, std,
                              sign_agreement);
    return SGDI_OK;
}

const int32_t *sgdi_result_predictions(const sgdi_result *res) {
    return res ? res->predictions : NULL;
}

const float *sgdi_result_prediction_confidence(const sgdi_result *res) {
    return res ? res->prediction_confidence : NULL;
}
