/*
 * validate.h — the self-check: retrain without one row, measure the true
 * change of the validation loss (the counterfactual of the mathematics page:
 * same seed, same batches, same divisor, the row's weight set to 0).
 */
#ifndef SGDI_INFLUENCE_VALIDATE_H
#define SGDI_INFLUENCE_VALIDATE_H

#include "sgdi.h"
#include "train/trainer.h"

// Chooses `count` distinct rows: the ceil(count/4) most harmful and most
// helpful by `scores`, the rest uniformly at random (Philox stream VALIDATE).
// count >= N selects every row.
sgdi_status sgdi_validation_rows(const double *scores, int64_t n, int64_t count, uint64_t seed,
                                 int64_t *rows, sgdi_error *err);

// actual[k] = L_val(theta_T without rows[k]) - val_loss, retraining from theta0.
sgdi_status sgdi_leave_one_out(sgdi_trainer *tr, const sgdi_dataset *val, const float *theta0,
                               double val_loss, const int64_t *rows, int64_t count, double *actual,
                               sgdi_error *err);

#endif // SGDI_INFLUENCE_VALIDATE_H
