/*
 * stats.h — agreement between estimated and actual changes of the loss, and the
 * ranking order of the influence CSV.
 */
#ifndef SGDI_INFLUENCE_STATS_H
#define SGDI_INFLUENCE_STATS_H

#include <stdint.h>

// Kendall's tau-b (ties in either vector handled); NaN if undefined.
double sgdi_kendall_tau(const double *a, const double *b, int64_t n);

// Pearson's correlation coefficient; NaN if undefined.
double sgdi_pearson_r(const double *a, const double *b, int64_t n);

// A training row and its score, for ranking.
typedef struct sgdi_ranked_row {
    double score;
    int64_t row;
} sgdi_ranked_row;

// Sorts rows[n] as the influence CSV lists them: ascending by score (most harmful
// first), ties by row, NaN (never expected) after everything.
void sgdi_rank_ascending(sgdi_ranked_row *rows, int64_t n);

#endif // SGDI_INFLUENCE_STATS_H
