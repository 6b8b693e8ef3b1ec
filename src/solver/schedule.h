/*
 * schedule.h — nnabla's learning-rate schedulers, as its command-line trainer
 * builds them from an Optimizer's Solver message (nnabla/utils/load.py) and
 * calls them (nnabla/utils/cli/train.py): before every update, with `iter` the
 * 0-based global iteration (counting the iterations of a resumed run's earlier
 * epochs), the solver's step size is set to get_learning_rate(iter).
 *
 * With the base step size lr (the solver's lr / alpha) and i = iter:
 *   CONSTANT     lr                                   (no scheduler: Exponential(lr, 1, 1))
 *   EXPONENTIAL  lr * gamma^floor(i / iter_interval)  (iter_interval <= 1 counts as 1)
 *   POLYNOMIAL   lr * (1 - i / max_iter)^power        (power == 0: constant)
 *   COSINE       lr * (cos(i / max_iter * pi) + 1) / 2
 *   STEP         lr * gamma for each iter_steps[j] <= i, multiplied in turn
 *   LEGACY       the obsolete lr_decay / lr_decay_interval pair, with no lr_scheduler_type:
 *                EXPONENTIAL with gamma = lr_decay if > 0 else 1 and iter_interval =
 *                lr_decay_interval (both 0: constant)
 * then, with warmup_iter > 0 (lr_warmup_scheduler_type "Linear"), for i < warmup_iter the
 * value is multiplied by (i + 1) / warmup_iter.
 *
 * Past max_iter, POLYNOMIAL with a non-integer power has no real value (nnabla's
 * Python yields a complex number and fails) and gives NaN here; COSINE rises again,
 * as nnabla's does. sgdi_lr_schedule_check rejects what nnabla cannot run.
 */
#ifndef SGDI_SOLVER_SCHEDULE_H
#define SGDI_SOLVER_SCHEDULE_H

#include <stdint.h>

#include "sgdi.h"

typedef enum sgdi_lr_type {
    SGDI_LR_CONSTANT,
    SGDI_LR_EXPONENTIAL,
    SGDI_LR_POLYNOMIAL,
    SGDI_LR_COSINE,
    SGDI_LR_STEP,
    SGDI_LR_LEGACY,
} sgdi_lr_type;

enum { SGDI_LR_MAX_STEPS = 32 };

typedef struct sgdi_lr_schedule {
    sgdi_lr_type type;
    double gamma;                          // EXPONENTIAL, STEP
    int64_t iter_interval;                 // EXPONENTIAL
    int64_t max_iter;                      // POLYNOMIAL, COSINE
    double power;                          // POLYNOMIAL
    int64_t iter_steps[SGDI_LR_MAX_STEPS]; // STEP, any order
    int n_steps;
    double lr_decay;           // LEGACY
    int64_t lr_decay_interval; // LEGACY
    int64_t warmup_iter;       // linear warm-up over the first warmup_iter iterations; 0 = none
} sgdi_lr_schedule;

// A constant schedule without warm-up (nnabla's default).
void sgdi_lr_schedule_init(sgdi_lr_schedule *s);

// Fails with a message naming the parameter if nnabla could not run `s`
// (max_iter <= 0 for POLYNOMIAL (power != 0) and COSINE, negative intervals or
// steps, n_steps out of range, a warm-up below 0, non-finite numbers).
sgdi_status sgdi_lr_schedule_check(const sgdi_lr_schedule *s, sgdi_error *err);

// The step size nnabla uses at 0-based global iteration `iter` with base step size base_lr.
double sgdi_lr_at(const sgdi_lr_schedule *s, double base_lr, int64_t iter);

// "constant", "exponential", "polynomial", "cosine", "step", "legacy".
const char *sgdi_lr_type_name(sgdi_lr_type type);

#endif // SGDI_SOLVER_SCHEDULE_H
