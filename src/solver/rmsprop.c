/*
 * rmsprop.c — RMSprop as nnabla defines it (src/nbla/solver/generic/rmsprop.cpp),
 * update and adjoint side by side.
 *
 * Update, rho = nnabla's decay, state v = nnabla's v:
 *   v' = rho v + (1 - rho) g^2
 *   theta' = theta - lr / (sqrt(v') + eps) g
 * in float, in nnabla's order of operations. No bias correction.
 */
#include <math.h>

#include "solver/adaptive.h"

void sgdi_rmsprop_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                       const float *grad) {
    const float *mult = s->lr_mult;
    const float lr_f = (float)lr, eps = (float)s->eps, rho = (float)s->decay;
    float *v = state;
    const int64_t n = s->n;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) continue;
        v[i] = v[i] * rho + grad[i] * grad[i] * (1.0f - rho);
        theta[i] -= sgdi_lr_of(lr_f, mult, i) / (sqrtf(v[i]) + eps) * grad[i];
    }
}

// Adjoint. Freeze the per-coordinate step D = lr / (sqrt(v') + eps) at the v' after the step
// (state_after holds exactly the v' the update divided by) and drop g's share
// (1 - rho) g^2 of v'. What is left is linear:
//     v'     = rho v
//     theta' = theta - D g
// Pairing with the adjoints (a_theta, a_v) of (theta', v'):
//   <a_theta, theta'> + <a_v, v'> = <a_theta, theta> + <rho a_v, v> + <-D a_theta, g>,
// so gbar = -D a_theta,  a_v <- rho a_v,  a_theta unchanged.
// A frozen parameter (multiplier 0) does not move: identity, gbar = 0.
void sgdi_rmsprop_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                          double *a_theta, double *a_state, double *gbar) {
    const float *mult = s->lr_mult;
    const float lr_f = (float)lr, eps = (float)s->eps;
    const double rho = (float)s->decay; // the value the forward step used
    const float *v = state_after;
    double *a_v = a_state;
    const int64_t n = s->n;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) {
            gbar[i] = 0.0;
            continue;
        }
        double d = (double)sgdi_lr_of(lr_f, mult, i) / (double)(sqrtf(v[i]) + eps);
        gbar[i] = -d * a_theta[i];
        a_v[i] *= rho;
    }
}
