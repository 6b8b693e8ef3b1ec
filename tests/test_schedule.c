/*
 * test_schedule.c — the step sizes of nnabla's learning-rate schedulers
 * (nnabla/utils/learning_rate_scheduler.py, as nnabla/utils/load.py builds
 * them), at a few iterations each, worked out by hand.
 */
#include <string.h>

#include "solver/schedule.h"
#include "test_support.h"

static const double LR = 0.1;

static sgdi_lr_schedule make(sgdi_lr_type type) {
    sgdi_lr_schedule s;
    sgdi_lr_schedule_init(&s);
    s.type = type;
    return s;
}

static void test_constant(void) {
    sgdi_lr_schedule s = make(SGDI_LR_CONSTANT);
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 0) == LR);
    CHECK(sgdi_lr_at(&s, LR, 123456) == LR);
}

static void test_exponential(void) {
    // lr * gamma ** (iter // iter_interval)
    sgdi_lr_schedule s = make(SGDI_LR_EXPONENTIAL);
    s.gamma = 0.5;
    s.iter_interval = 3;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 0) == LR);
    CHECK(sgdi_lr_at(&s, LR, 2) == LR);
    CHECK(sgdi_lr_at(&s, LR, 3) == LR * 0.5);
    CHECK(sgdi_lr_at(&s, LR, 8) == LR * 0.25);
    CHECK(sgdi_lr_at(&s, LR, 9) == LR * 0.125);
    // load.py: an interval of 0 or 1 decays every iteration.
    s.iter_interval = 0;
    CHECK(sgdi_lr_at(&s, LR, 2) == LR * 0.25);
    s.iter_interval = 1;
    CHECK(sgdi_lr_at(&s, LR, 2) == LR * 0.25);
    s.gamma = 0.9;
    CHECK_NEAR(sgdi_lr_at(&s, LR, 10), 0.1 * 0.3486784401, 1e-15);
}

static void test_polynomial(void) {
    // lr * (1 - iter / max_iter) ** power
    sgdi_lr_schedule s = make(SGDI_LR_POLYNOMIAL);
    s.max_iter = 10;
    s.power = 2.0;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 0) == LR);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 5), 0.025, 1e-17);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 9), 0.001, 1e-17);
    CHECK(sgdi_lr_at(&s, LR, 10) == 0.0);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 12), 0.004, 1e-17); // (-0.2)^2: real, as in Python
    s.power = 0.5;
    CHECK_NEAR(sgdi_lr_at(&s, LR, 6), 0.1 * sqrt(0.4), 1e-17);
    CHECK(isnan(sgdi_lr_at(&s, LR, 12))); // (-0.2)^0.5: Python gives a complex number
    // power 0: load.py keeps the constant scheduler, even without max_iter.
    s.power = 0.0;
    s.max_iter = 0;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 7) == LR);
    s.power = 1.0;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_ERR_INVALID);
}

static void test_cosine(void) {
    // lr * ((cos(iter / max_iter * pi) + 1) * 0.5)
    sgdi_lr_schedule s = make(SGDI_LR_COSINE);
    s.max_iter = 10;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 0) == LR);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 5), 0.05, 1e-17);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 10), 0.0, 1e-17);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 2), 0.1 * (cos(0.2 * 3.141592653589793) + 1.0) * 0.5, 1e-17);
    CHECK_NEAR(sgdi_lr_at(&s, LR, 15), 0.05, 1e-16); // past max_iter it rises again
    s.max_iter = 0;
    sgdi_error err;
    CHECK(sgdi_lr_schedule_check(&s, &err) == SGDI_ERR_INVALID);
    CHECK(strstr(err.message, "max_iter") != NULL);
}

static void test_step(void) {
    // lr * gamma for every step iter_steps[j] <= iter.
    sgdi_lr_schedule s = make(SGDI_LR_STEP);
    s.gamma = 0.1;
    s.iter_steps[0] = 6;
    s.iter_steps[1] = 3;
    s.n_steps = 2;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 2) == LR);
    CHECK(sgdi_lr_at(&s, LR, 3) == LR * 0.1);
    CHECK(sgdi_lr_at(&s, LR, 5) == LR * 0.1);
    CHECK(sgdi_lr_at(&s, LR, 6) == LR * 0.1 * 0.1); // multiplied in turn, as nnabla does
    CHECK(sgdi_lr_at(&s, LR, 1000) == LR * 0.1 * 0.1);
    s.n_steps = 0; // no steps: constant
    CHECK(sgdi_lr_at(&s, LR, 1000) == LR);
    s.n_steps = SGDI_LR_MAX_STEPS + 1;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_ERR_INVALID);
}

static void test_legacy(void) {
    // No lr_scheduler_type: ExponentialScheduler(lr, lr_decay if > 0 else 1,
    // lr_decay_interval if > 1 else 1) when either is set.
    sgdi_lr_schedule s = make(SGDI_LR_LEGACY);
    CHECK(sgdi_lr_at(&s, LR, 5) == LR); // neither set
    s.lr_decay = 0.5;
    s.lr_decay_interval = 2;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 1) == LR);
    CHECK(sgdi_lr_at(&s, LR, 2) == LR * 0.5);
    CHECK(sgdi_lr_at(&s, LR, 5) == LR * 0.25);
    s.lr_decay_interval = 0; // every iteration
    CHECK(sgdi_lr_at(&s, LR, 3) == LR * 0.125);
    s.lr_decay = 0.0; // gamma 1
    s.lr_decay_interval = 5;
    CHECK(sgdi_lr_at(&s, LR, 12) == LR);
}

static void test_warmup(void) {
    // lr *= (iter + 1) / warmup_iter while iter < warmup_iter, on top of the scheduler.
    sgdi_lr_schedule s = make(SGDI_LR_CONSTANT);
    s.warmup_iter = 4;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_OK);
    CHECK(sgdi_lr_at(&s, LR, 0) == LR * 0.25);
    CHECK(sgdi_lr_at(&s, LR, 1) == LR * 0.5);
    CHECK(sgdi_lr_at(&s, LR, 3) == LR);
    CHECK(sgdi_lr_at(&s, LR, 4) == LR);
    s = make(SGDI_LR_STEP);
    s.gamma = 0.5;
    s.iter_steps[0] = 2;
    s.n_steps = 1;
    s.warmup_iter = 4;
    CHECK(sgdi_lr_at(&s, LR, 1) == LR * 0.5);
    CHECK(sgdi_lr_at(&s, LR, 2) == LR * 0.5 * 0.75);
    CHECK(sgdi_lr_at(&s, LR, 4) == LR * 0.5);
    s = make(SGDI_LR_COSINE);
    s.max_iter = 10;
    s.warmup_iter = 2;
    CHECK_NEAR(sgdi_lr_at(&s, LR, 0), 0.05, 1e-17);
    s.warmup_iter = -1;
    CHECK(sgdi_lr_schedule_check(&s, NULL) == SGDI_ERR_INVALID);
}

static void test_names(void) {
    CHECK(strcmp(sgdi_lr_type_name(SGDI_LR_COSINE), "cosine") == 0);
    CHECK(strcmp(sgdi_lr_type_name(SGDI_LR_LEGACY), "legacy") == 0);
    CHECK(strcmp(sgdi_lr_type_name((sgdi_lr_type)99), "?") == 0);
}

int main(void) {
    RUN(test_constant);
    RUN(test_exponential);
    RUN(test_polynomial);
    RUN(test_cosine);
    RUN(test_step);
    RUN(test_legacy);
    RUN(test_warmup);
    RUN(test_names);
    return sgdi_test_finish();
}
