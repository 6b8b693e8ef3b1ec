/*
 * adam.c — Adam and AdamW as nnabla defines them (src/nbla/solver/generic/
 * adam.cpp, adamw.cpp), update and adjoint side by side.
 *
 * Update k = t0 + t + 1 (nnabla's per-parameter counter after its increment),
 * alpha the current step size, state (m, v) = nnabla's (mean, var):
 *   alpha_t = alpha * sqrt(1 - beta2^k) / (1 - beta1^k)
 *   m' = beta1 m + (1 - beta1) g
 *   v' = beta2 v + (1 - beta2) g^2
 *   Adam:  theta' = theta - alpha_t m' / (sqrt(v') + eps)
 *   AdamW: theta' = theta - alpha_t m' / (sqrt(v') + eps) - eta_t wd theta,
 *          eta_t = alpha / alpha_0 (the schedule's factor; theta is the old value)
 * in float, in nnabla's order of operations; the bias correction is computed
 * in double and rounded to float, as nnabla's std::pow promotes it.
 */
#include <math.h>
#include <stdint.h>

#include "solver/adaptive.h"

// sqrt(1 - beta2^k) / (1 - beta1^k) with k = t0 + t + 1, capped as nnabla caps its counter.
static float bias_correction(const sgdi_solver *s, int64_t t) {
    int64_t k = s->t0 + t + 1;
    if (k < 1) k = 1;
    if (k > (int64_t)UINT32_MAX - 1) k = (int64_t)UINT32_MAX - 1;
    double b1 = (float)s->beta1, b2 = (float)s->beta2; // nnabla keeps them as float
    return (float)(sqrt(1.0 - pow(b2, (double)k)) / (1.0 - pow(b1, (double)k)));
}

// AdamW's eta_t for a parameter with step size alpha: alpha / alpha_0 (nnabla's
// alpha_ / init_alpha_); with no alpha_0 the parameter's multiplier.
static float decay_factor(float alpha, float lr, float lr0) {
    float base = lr0 > 0.0f ? lr0 : lr;
    return base > 0.0f ? alpha / base : 0.0f;
}

void sgdi_adam_step(const sgdi_solver *s, int64_t t, double lr, float *theta, float *state,
                    const float *grad) {
    const int64_t n = s->n;
    const float *mult = s->lr_mult;
    float *m = state, *v = state + n;
    const float b1 = (float)s->beta1, b2 = (float)s->beta2, eps = (float)s->eps;
    const float lr_f = (float)lr, lr0 = (float)s->lr0, wd = (float)s->wd;
    const float bc = bias_correction(s, t);
    const int decoupled = s->kind == SGDI_SOLVER_ADAMW;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) continue;
        float alpha = sgdi_lr_of(lr_f, mult, i), alpha_t = alpha * bc;
        m[i] = b1 * m[i] + (1.0f - b1) * grad[i];
        v[i] = b2 * v[i] + (1.0f - b2) * grad[i] * grad[i];
        float step = alpha_t * m[i] / (sqrtf(v[i]) + eps);
        if (decoupled)
            theta[i] = theta[i] - step - decay_factor(alpha, lr_f, lr0) * wd * theta[i];
        else
            theta[i] = theta[i] - step;
    }
}

// Adjoint. Freeze the per-coordinate step D = alpha_t / (sqrt(v') + eps) at the v' after the
// step (state_after holds exactly the v' the update divided by) and drop g's share
// (1 - beta2) g^2 of v' (the documented approximation). What is left is linear:
//     m'     = beta1 m + (1 - beta1) g
//     v'     = beta2 v
//     theta' = c theta - D m',     c = 1 (Adam), 1 - eta_t wd (AdamW: exact, linear in theta)
// Pairing with the adjoints (a_theta, a_m, a_v) of (theta', m', v'), u = a_m - D a_theta:
//   <a_theta, theta'> + <a_m, m'> + <a_v, v'>
//     = <c a_theta, theta> + <u, m'> + <beta2 a_v, v>
//     = <c a_theta, theta> + <beta1 u, m> + <beta2 a_v, v> + <(1 - beta1) u, g>,
// so gbar = (1 - beta1) u,  a_m <- beta1 u,  a_v <- beta2 a_v,  a_theta <- c a_theta.
// A frozen parameter (multiplier 0) does not move: identity, gbar = 0.
void sgdi_adam_adjoint(const sgdi_solver *s, int64_t t, double lr, const float *state_after,
                       double *a_theta, double *a_state, double *gbar) {
    const int64_t n = s->n;
    const float *mult = s->lr_mult;
    const float *v = state_after + n;
    double *a_m = a_state, *a_v = a_state + n;
    // The values the forward step used.
    const float b1f = (float)s->beta1, b2f = (float)s->beta2, eps = (float)s->eps;
    const double b1 = b1f, one_b1 = 1.0f - b1f, b2 = b2f;
    const float lr_f = (float)lr, lr0 = (float)s->lr0, wd = (float)s->wd;
    const float bc = bias_correction(s, t);
    const int decoupled = s->kind == SGDI_SOLVER_ADAMW;
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        if (sgdi_frozen(mult, i)) {
            gbar[i] = 0.0;
            continue;
        }
        float alpha = sgdi_lr_of(lr_f, mult, i), alpha_t = alpha * bc;
        double d = (double)alpha_t / (double)(sqrtf(v[i]) + eps);
        double u = a_m[i] - d * a_theta[i];
        gbar[i] = one_b1 * u;
        a_m[i] = b1 * u;
        a_v[i] *= b2;
        if (decoupled) a_theta[i] *= 1.0 - (double)(decay_factor(alpha, lr_f, lr0) * wd);
    }
}
