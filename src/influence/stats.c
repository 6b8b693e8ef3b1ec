/*
 * stats.c — Kendall's tau-b and Pearson's r, in double precision; the ranking order.
 *
 * Kendall's tau is computed over all pairs, O(n^2): the self-check retrains
 * once per row, which dwarfs this for any n it can afford.
 */
#include "influence/stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

static int sign(double x) {
    return (x > 0) - (x < 0);
}

double sgdi_kendall_tau(const double *a, const double *b, int64_t n) {
    double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = i + 1; j < n; j++) {
            int sa = sign(a[i] - a[j]), sb = sign(b[i] - b[j]);
            if (sa == 0 && sb == 0) continue;
            if (sa == 0)
                ties_a++;
            else if (sb == 0)
                ties_b++;
            else if (sa == sb)
                concordant++;
            else
                discordant++;
        }
    }
    double denom = sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
    return denom > 0 ? (concordant - discordant) / denom : NAN;
}

double sgdi_pearson_r(const double *a, const double *b, int64_t n) {
    if (n < 2) return NAN;
    double mean_a = 0, mean_b = 0;
    for (int64_t i = 0; i < n; i++) mean_a += a[i], mean_b += b[i];
    mean_a /= (double)n, mean_b /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (int64_t i = 0; i < n; i++) {
        double da = a[i] - mean_a, db = b[i] - mean_b;
        sab += da * db, saa += da * da, sbb += db * db;
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

static int compare_ranked(const void *pa, const void *pb) {
    const sgdi_ranked_row *a = pa, *b = pb;
    bool na = isnan(a->score), nb = isnan(b->score);
    if (na != nb) return na ? 1 : -1;
    if (!na && a->score != b->score) return a->score < b->score ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

void sgdi_rank_ascending(sgdi_ranked_row *rows, int64_t n) {
    if (n > 1) qsort(rows, (size_t)n, sizeof *rows, compare_ranked);
}
