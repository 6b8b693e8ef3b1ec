/*
 * validate.c — leave-one-out retraining for the self-check.
 */
#include "influence/validate.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/rng.h"

typedef struct scored_row {
    double score;
    int64_t row;
} scored_row;

static int by_score(const void *a, const void *b) {
    const scored_row *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

sgdi_status sgdi_validation_rows(const double *scores, int64_t n, int64_t count, uint64_t seed,
                                 int64_t *rows, sgdi_error *err) {
    if (count >= n) {
        for (int64_t i = 0; i < n; i++) rows[i] = i;
        return SGDI_OK;
    }
    scored_row *order = malloc((size_t)n * sizeof *order);
    if (!order) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory choosing rows to validate");
    for (int64_t i = 0; i < n; i++) order[i] = (scored_row){scores[i], i};
    qsort(order, (size_t)n, sizeof *order, by_score);
    int64_t extremes = (count + 3) / 4, k = 0;
    // order[lo..hi) are the rows not yet taken, still sorted by score.
    int64_t lo = 0, hi = n;
    for (int64_t e = 0; e < extremes && k < count; e++) rows[k++] = order[lo++].row;
    for (int64_t e = 0; e < extremes && k < count; e++) rows[k++] = order[--hi].row;
    // The rest: a partial Fisher-Yates over the middle.
    for (int64_t draw = 0; k < count; draw++) {
        uint32_t ctr[4] = {(uint32_t)draw, 0, 0, SGDI_RNG_VALIDATE}, out[4];
        sgdi_philox(seed, ctr, out);
        int64_t span = hi - lo, j = lo + (int64_t)(sgdi_u64(out) % (uint64_t)span);
        scored_row tmp = order[lo];
        order[lo] = order[j];
        order[j] = tmp;
        rows[k++] = order[lo++].row;
    }
    free(order);
    return SGDI_OK;
}

sgdi_status sgdi_leave_one_out(sgdi_trainer *tr, const sgdi_dataset *val, const float *theta0,
                               double val_loss, const int64_t *rows, int64_t count, double *actual,
                               sgdi_error *err) {
    int64_t p = tr->params, s = tr->state_size;
    float *theta = sgdi_alloc_array(p, sizeof(float));
    float *state = s ? sgdi_alloc_array(s, sizeof(float)) : NULL;
    if (!theta || (s && !state)) {
        free(theta);
        free(state);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for leave-one-out retraining");
    }
    sgdi_status st = SGDI_OK;
    sgdi_progress_phase(tr->progress, SGDI_PHASE_VALIDATE);
    for (int64_t k = 0; k < count && st == SGDI_OK; k++) {
        memcpy(theta, theta0, (size_t)p * sizeof(float));
        sgdi_trainer_initial_state(tr, state);
        st = sgdi_trainer_run(tr, 0, tr->schedule.steps, theta, state, rows[k], NULL, err);
        double loss = 0.0;
        if (st == SGDI_OK) st = sgdi_evaluate(tr, val, theta, &loss, NULL, err);
        actual[k] = loss - val_loss;
    }
    free(theta);
    free(state);
    return st;
}
