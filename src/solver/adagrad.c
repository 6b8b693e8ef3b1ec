/*
 * adagrad.c — AdaGrad as nnabla defines it (src/nbla/solver/generic/adagrad.cpp),
 * update and adjoint side by side.
 *
 * Update, state G = nnabla's v (the running sum of squared gradients):
 *   G' = G + g^2
 *   theta' = theta - lr g / (sqrt(G') + eps)
 * in float, in nnabla's order of operations. No bias correction.
 */
#include <math.h>

#include "solver/adaptive.h"

void sgdi_adagrad_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                       const float *grad) {
    const float *mult = s->lr_mult;
    const float lr_f = (float)lr, eps = (float)s->eps;
    float *acc = state;
    const int64_t n = s->n;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) continue;
        acc[i] += grad[i] * grad[i];
        theta[i] -= sgdi_lr_of(lr_f, mult, i) * grad[i] / (sqrtf(acc[i]) + eps);
    }
}

// Adjoint. Freeze the per-coordinate step D = lr / (sqrt(G') + eps) at the G' after the step
// (state_after holds exactly the G' the update divided by) and drop g's share g^2 of G'.
// What is left is linear:
//     G'     = G
//     theta' = theta - D g
// Pairing with the adjoints (a_theta, a_G) of (theta', G'):
//   <a_theta, theta'> + <a_G, G'> = <a_theta, theta> + <a_G, G> + <-D a_theta, g>,
// so gbar = -D a_theta,  a_G and a_theta unchanged.
// A frozen parameter (multiplier 0) does not move: identity, gbar = 0.
void sgdi_adagrad_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                          double *a_theta, double *a_state, double *gbar) {
    const float *mult = s->lr_mult;
    const float lr_f = (float)lr, eps = (float)s->eps;
    const float *acc = state_after;
    const int64_t n = s->n;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) {
            gbar[i] = 0.0;
            continue;
        }
        double d = (double)sgdi_lr_of(lr_f, mult, i) / (double)(sqrtf(acc[i]) + eps);
        gbar[i] = -d * a_theta[i];
    }
}
