/*
 * solver.c — Sgd, Momentum and Nesterov: update and adjoint side by side.
 */
#include "solver/solver.h"

// The step size of parameter i: lr times its multiplier, in float as the update applies it.
static inline float lr_of(float lr, const float *mult, int64_t i) {
    return mult ? lr * mult[i] : lr;
}

int sgdi_solver_state_count(const sgdi_solver *solver) {
    return solver->kind == SGDI_SOLVER_SGD ? 0 : 1;
}

// --- Sgd -----------------------------------------------------------------------------
// theta' = theta - lr g.
// Adjoint: gbar = -lr a_theta; a_theta unchanged (d theta'/d theta = I).

static void sgd_step(int64_t n, float lr, const float *mult, float *theta, const float *grad) {
    for (int64_t i = 0; i < n; i++) theta[i] -= lr_of(lr, mult, i) * grad[i];
}

static void sgd_adjoint(int64_t n, float lr, const float *mult, const double *a_theta,
                        double *gbar) {
    for (int64_t i = 0; i < n; i++) gbar[i] = -(double)lr_of(lr, mult, i) * a_theta[i];
}

// --- Momentum ------------------------------------------------------------------------
// v' = mu v + lr g;  theta' = theta - v'   (nnabla's Momentum).
// theta' = theta - mu v - lr g, so with adjoints (a_theta, a_v) of (theta', v'):
//   gbar = -lr (a_theta - a_v),  a_v <- mu (a_v - a_theta),  a_theta unchanged.

static void momentum_step(int64_t n, float lr, const float *mult, float mu, float *theta, float *v,
                          const float *grad) {
    for (int64_t i = 0; i < n; i++) {
        v[i] = mu * v[i] + lr_of(lr, mult, i) * grad[i];
        theta[i] -= v[i];
    }
}

static void momentum_adjoint(int64_t n, float lr, const float *mult, double mu,
                             const double *a_theta, double *a_v, double *gbar) {
    for (int64_t i = 0; i < n; i++) {
        double diff = a_theta[i] - a_v[i];
        gbar[i] = -(double)lr_of(lr, mult, i) * diff;
        a_v[i] = -mu * diff;
    }
}

// --- Nesterov ------------------------------------------------------------------------
// v' = mu v - lr g;  theta' = theta - mu v + (1 + mu) v'   (nnabla's Nesterov),
// i.e. theta' = theta + mu^2 v - (1 + mu) lr g. With adjoints (a_theta, a_v):
//   gbar = -lr ((1 + mu) a_theta + a_v),  a_v <- mu^2 a_theta + mu a_v.

static void nesterov_step(int64_t n, float lr, const float *mult, float mu, float *theta, float *v,
                          const float *grad) {
    for (int64_t i = 0; i < n; i++) {
        float v_old = v[i];
        v[i] = mu * v[i] - lr_of(lr, mult, i) * grad[i];
        theta[i] = theta[i] - mu * v_old + (1.0f + mu) * v[i];
    }
}

static void nesterov_adjoint(int64_t n, float lr, const float *mult, double mu,
                             const double *a_theta, double *a_v, double *gbar) {
    for (int64_t i = 0; i < n; i++) {
        gbar[i] = -(double)lr_of(lr, mult, i) * ((1.0 + mu) * a_theta[i] + a_v[i]);
        a_v[i] = mu * mu * a_theta[i] + mu * a_v[i];
    }
}

// --- Dispatch ------------------------------------------------------------------------

void sgdi_solver_step(const sgdi_solver *solver, int64_t t, double lr, float *theta, float *state,
                      const float *grad) {
    float lr_f = (float)lr, mu = (float)solver->momentum;
    const float *mult = solver->lr_mult;
    switch (solver->kind) {
    case SGDI_SOLVER_SGD:
        sgd_step(solver->n, lr_f, mult, theta, grad);
        break;
    case SGDI_SOLVER_MOMENTUM:
        momentum_step(solver->n, lr_f, mult, mu, theta, state, grad);
        break;
    case SGDI_SOLVER_NESTEROV:
        nesterov_step(solver->n, lr_f, mult, mu, theta, state, grad);
        break;
    }
}

void sgdi_solver_adjoint(const sgdi_solver *solver, int64_t t, double lr, const float *state_after,
                         double *a_theta, double *a_state, double *gbar) {
    float lr_f = (float)lr;
    double mu = (float)solver->momentum; // the values the forward step used
    const float *mult = solver->lr_mult;
    switch (solver->kind) {
    case SGDI_SOLVER_SGD:
        sgd_adjoint(solver->n, lr_f, mult, a_theta, gbar);
        break;
    case SGDI_SOLVER_MOMENTUM:
        momentum_adjoint(solver->n, lr_f, mult, mu, a_theta, a_state, gbar);
        break;
    case SGDI_SOLVER_NESTEROV:
        nesterov_adjoint(solver->n, lr_f, mult, mu, a_theta, a_state, gbar);
        break;
    }
}
