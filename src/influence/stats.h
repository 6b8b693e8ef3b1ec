/*
 * stats.h — agreement between estimated and actual changes of the loss.
 */
#ifndef SGDI_INFLUENCE_STATS_H
#define SGDI_INFLUENCE_STATS_H

#include <stdint.h>

// Kendall's tau-b (ties in either vector handled); NaN if undefined.
double sgdi_kendall_tau(const double *a, const double *b, int64_t n);

// Pearson's correlation coefficient; NaN if undefined.
double sgdi_pearson_r(const double *a, const double *b, int64_t n);

#endif // SGDI_INFLUENCE_STATS_H
