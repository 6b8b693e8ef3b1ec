/*
 * adaptive.h — the adaptive solvers' updates and adjoints (adam.c, adagrad.c,
 * rmsprop.c, adadelta.c), called by the dispatch in solver.c. Same arguments
 * as sgdi_solver_step / sgdi_solver_adjoint.
 */
#ifndef SGDI_SOLVER_ADAPTIVE_H
#define SGDI_SOLVER_ADAPTIVE_H

#include <stdint.h>

#include "solver/solver.h"

// Parameter i's step size in float, as the update applies it: lr times its multiplier.
static inline float sgdi_lr_of(float lr, const float *mult, int64_t i) {
    return mult ? lr * mult[i] : lr;
}

// A parameter with multiplier 0 is not in the solver (nnabla leaves it out).
static inline int sgdi_frozen(const float *mult, int64_t i) {
    return mult && mult[i] == 0.0f;
}

// Adam and AdamW (kind tells which).
void sgdi_adam_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                    const float *grad);
void sgdi_adam_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                       double *a_theta, double *a_state, double *gbar);

void sgdi_adagrad_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                       const float *grad);
void sgdi_adagrad_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                          double *a_theta, double *a_state, double *gbar);

void sgdi_rmsprop_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                       const float *grad);
void sgdi_rmsprop_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                          double *a_theta, double *a_state, double *gbar);

void sgdi_adadelta_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                        const float *grad);
void sgdi_adadelta_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                           double *a_theta, double *a_state, double *gbar);

#endif // SGDI_SOLVER_ADAPTIVE_H
