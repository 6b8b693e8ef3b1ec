/*
 * schedule.c — nnabla's learning-rate schedulers (schedule.h), computed in
 * double in the order nnabla's Python computes them.
 */
#include "solver/schedule.h"

#include <math.h>
#include <string.h>

#include "util/error.h"

static const double pi = 3.14159265358979323846; // Python's math.pi

void sgdi_lr_schedule_init(sgdi_lr_schedule *s) {
    memset(s, 0, sizeof *s);
    s->type = SGDI_LR_CONSTANT;
    s->gamma = 1.0;
    s->iter_interval = 1;
    s->power = 1.0;
}

sgdi_status sgdi_lr_schedule_check(const sgdi_lr_schedule *s, sgdi_error *err) {
    const sgdi_status bad = SGDI_ERR_INVALID;
    if ((unsigned)s->type > SGDI_LR_LEGACY) return sgdi_fail(err, bad, "unknown lr scheduler");
    if (s->warmup_iter < 0)
        return sgdi_fail(err, bad, "warmup_iter must be >= 0 (got %lld)",
                         (long long)s->warmup_iter);
    switch (s->type) {
    case SGDI_LR_CONSTANT:
        break;
    case SGDI_LR_EXPONENTIAL:
        if (!isfinite(s->gamma))
            return sgdi_fail(err, bad, "exponential scheduler: gamma must be finite");
        if (s->iter_interval < 0)
            return sgdi_fail(err, bad,
                             "exponential scheduler: iter_interval must be >= 0 (got %lld)",
                             (long long)s->iter_interval);
        break;
    case SGDI_LR_POLYNOMIAL:
        if (!isfinite(s->power))
            return sgdi_fail(err, bad, "polynomial scheduler: power must be finite");
        if (s->power != 0.0 && s->max_iter <= 0)
            return sgdi_fail(err, bad, "polynomial scheduler: max_iter must be > 0 (got %lld)",
                             (long long)s->max_iter);
        break;
    case SGDI_LR_COSINE:
        if (s->max_iter <= 0)
            return sgdi_fail(err, bad, "cosine scheduler: max_iter must be > 0 (got %lld)",
                             (long long)s->max_iter);
        break;
    case SGDI_LR_STEP:
        if (!isfinite(s->gamma)) return sgdi_fail(err, bad, "step scheduler: gamma must be finite");
        if (s->n_steps < 0 || s->n_steps > SGDI_LR_MAX_STEPS)
            return sgdi_fail(err, bad, "step scheduler: 0 to %d iter_steps (got %d)",
                             SGDI_LR_MAX_STEPS, s->n_steps);
        for (int j = 0; j < s->n_steps; j++)
            if (s->iter_steps[j] < 0)
                return sgdi_fail(err, bad, "step scheduler: iter_steps must be >= 0 (got %lld)",
                                 (long long)s->iter_steps[j]);
        break;
    case SGDI_LR_LEGACY:
        if (!isfinite(s->lr_decay)) return sgdi_fail(err, bad, "lr_decay must be finite");
        if (s->lr_decay_interval < 0)
            return sgdi_fail(err, bad, "lr_decay_interval must be >= 0 (got %lld)",
                             (long long)s->lr_decay_interval);
        break;
    }
    return SGDI_OK;
}

// ExponentialScheduler: lr * gamma ** (iter // interval); Python's float ** int is C's pow.
static double exponential(double lr, double gamma, int64_t interval, int64_t iter) {
    if (interval < 1) interval = 1; // load.py: iter_interval if > 1 else 1
    int64_t q = iter / interval;
    if (iter < 0 && iter % interval != 0) q--; // Python's floor division
    return lr * pow(gamma, (double)q);
}

double sgdi_lr_at(const sgdi_lr_schedule *s, double base_lr, int64_t iter) {
    double lr = base_lr, i = (double)iter;
    switch (s->type) {
    case SGDI_LR_CONSTANT:
        break;
    case SGDI_LR_EXPONENTIAL:
        lr = exponential(base_lr, s->gamma, s->iter_interval, iter);
        break;
    case SGDI_LR_POLYNOMIAL:
        // load.py builds the scheduler only for power != 0.
        if (s->power != 0.0) lr = base_lr * pow(1.0 - i * 1.0 / (double)s->max_iter, s->power);
        break;
    case SGDI_LR_COSINE:
        lr = base_lr * ((cos(i * 1.0 / (double)s->max_iter * pi) + 1.0) * 0.5);
        break;
    case SGDI_LR_STEP:
        for (int j = 0; j < s->n_steps && j < SGDI_LR_MAX_STEPS; j++)
            if (iter >= s->iter_steps[j]) lr *= s->gamma;
        break;
    case SGDI_LR_LEGACY:
        if (s->lr_decay_interval != 0 || s->lr_decay != 0.0)
            lr = exponential(base_lr, s->lr_decay > 0.0 ? s->lr_decay : 1.0, s->lr_decay_interval,
                             iter);
        break;
    }
    if (iter < s->warmup_iter) lr *= (double)(iter + 1) * 1.0 / (double)s->warmup_iter;
    return lr;
}

const char *sgdi_lr_type_name(sgdi_lr_type type) {
    static const char *const names[] = {"constant", "exponential", "polynomial",
                                        "cosine",   "step",        "legacy"};
    return (unsigned)type <= SGDI_LR_LEGACY ? names[type] : "?";
}
