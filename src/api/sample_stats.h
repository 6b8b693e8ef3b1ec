/*
 * sample_stats.h — how stable each training row's score is across the trials
 * of a run: the kernel behind sgdi_result_sample_stats (sgdi.h), shared with
 * the writers in result_write.c.
 */
#ifndef SGDI_API_SAMPLE_STATS_H
#define SGDI_API_SAMPLE_STATS_H

#include <stdint.h>

// trial_scores [trials * rows] trial-major (trial k's score of row i at k * rows + i),
// mean [rows] -> std [rows], sign_agreement [rows]; either output may be NULL.
// std: sample standard deviation over the trials (divisor trials - 1), 0 with one trial.
// sign_agreement: the fraction of trials whose score has the sign of mean[i], where the
// sign is -1, 0 or +1 and -0 counts as 0 (a zero mean agrees with the trials scoring
// exactly zero); NaN if mean[i] is NaN. Rows are independent and summed in trial order.
void sgdi_sample_stats_compute(const double *trial_scores, int trials, int64_t rows,
                               const double *mean, double *std, double *sign_agreement);

#endif // SGDI_API_SAMPLE_STATS_H
