/*
 * adadelta.c — Adadelta as nnabla defines it (src/nbla/solver/generic/adadelta.cpp),
 * update and adjoint side by side.
 *
 * Update, rho = nnabla's decay, state (E_g, E_d) = nnabla's (e_sqr_grad, e_sqr_delta):
 *   E_g' = rho E_g + (1 - rho) g^2
 *   r    = sqrt((E_d + eps) / (E_g' + eps))
 *   delta = r g
 *   E_d' = rho E_d + (1 - rho) delta^2
 *   theta' = theta - lr delta
 * in float, in nnabla's order of operations. No bias correction.
 *
 * r depends on E_d before the step, which the state after the step no longer
 * holds, so the update also stores r in a third state vector (write-only for
 * the update; nnabla has no such vector) for the adjoint to freeze.
 */
#include <math.h>

#include "solver/adaptive.h"

void sgdi_adadelta_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                        const float *grad) {
    const int64_t n = s->n;
    const float *mult = s->lr_mult;
    const float lr_f = (float)lr, eps = (float)s->eps, rho = (float)s->decay;
    float *e_g = state, *e_d = state + n, *ratio = state + 2 * n;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) continue;
        e_g[i] = e_g[i] * rho + grad[i] * grad[i] * (1.0f - rho);
        float r = sqrtf((e_d[i] + eps) / (e_g[i] + eps));
        float delta = r * grad[i];
        e_d[i] = e_d[i] * rho + delta * delta * (1.0f - rho);
        theta[i] -= sgdi_lr_of(lr_f, mult, i) * delta;
        ratio[i] = r;
    }
}

// Adjoint. Freeze the per-coordinate step D = lr r at the r the step used (the third state
// vector after the step) and drop g's shares (1 - rho) g^2 of E_g' and (1 - rho) r^2 g^2 of
// E_d'. What is left is linear (r' is the constant r, whose linear part is 0):
//     E_g'   = rho E_g
//     E_d'   = rho E_d
//     r'     = 0
//     theta' = theta - D g
// Pairing with the adjoints (a_theta, a_Eg, a_Ed, a_r) of (theta', E_g', E_d', r'):
//   <a_theta, theta'> + <a_Eg, E_g'> + <a_Ed, E_d'> + <a_r, r'>
//     = <a_theta, theta> + <rho a_Eg, E_g> + <rho a_Ed, E_d> + <0, r> + <-D a_theta, g>,
// so gbar = -D a_theta,  a_Eg <- rho a_Eg,  a_Ed <- rho a_Ed,  a_r <- 0,  a_theta unchanged.
// A frozen parameter (multiplier 0) does not move: identity, gbar = 0.
void sgdi_adadelta_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                           double *a_theta, double *a_state, double *gbar) {
    const int64_t n = s->n;
    const float *mult = s->lr_mult;
    const float lr_f = (float)lr;
    const double rho = (float)s->decay; // the value the forward step used
    const float *ratio = state_after + 2 * n;
    double *a_eg = a_state, *a_ed = a_state + n, *a_r = a_state + 2 * n;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) {
            gbar[i] = 0.0;
            continue;
        }
        double d = (double)sgdi_lr_of(lr_f, mult, i) * (double)ratio[i];
        gbar[i] = -d * a_theta[i];
        a_eg[i] *= rho;
        a_ed[i] *= rho;
        a_r[i] = 0.0;
    }
}
