/*
 * solver.c — Sgd, Momentum and Nesterov: update and adjoint side by side.
 */
#include "solver/solver.h"

int sgdi_solver_state_count(const sgdi_solver *solver) {
    return solver->kind == SGDI_SOLVER_SGD ? 0 : 1;
}

// --- Sgd -----------------------------------------------------------------------------
// theta' = theta - lr g.
// Adjoint: gbar = -lr a_theta; a_theta unchanged (d theta'/d theta = I).

static void sgd_step(int64_t n, float lr, float *theta, const float *grad) {
    for (int64_t i = 0; i < n; i++) theta[i] -= lr * grad[i];
}

static void sgd_adjoint(int64_t n, double lr, const double *a_theta, double *gbar) {
    for (int64_t i = 0; i < n; i++) gbar[i] = -lr * a_theta[i];
}

// --- Momentum ------------------------------------------------------------------------
// v' = mu v + lr g;  theta' = theta - v'   (nnabla's Momentum).
// theta' = theta - mu v - lr g, so with adjoints (a_theta, a_v) of (theta', v'):
//   gbar = -lr (a_theta - a_v),  a_v <- mu (a_v - a_theta),  a_theta unchanged.

static void momentum_step(int64_t n, float lr, float mu, float *theta, float *v,
                          const float *grad) {
    for (int64_t i = 0; i < n; i++) {
        v[i] = mu * v[i] + lr * grad[i];
        theta[i] -= v[i];
    }
}

static void momentum_adjoint(int64_t n, double lr, double mu, const double *a_theta, double *a_v,
                             double *gbar) {
    for (int64_t i = 0; i < n; i++) {
        double diff = a_theta[i] - a_v[i];
        gbar[i] = -lr * diff;
        a_v[i] = -mu * diff;
    }
}

// --- Nesterov ------------------------------------------------------------------------
// v' = mu v - lr g;  theta' = theta - mu v + (1 + mu) v'   (nnabla's Nesterov),
// i.e. theta' = theta + mu^2 v - (1 + mu) lr g. With adjoints (a_theta, a_v):
//   gbar = -lr ((1 + mu) a_theta + a_v),  a_v <- mu^2 a_theta + mu a_v.

static void nesterov_step(int64_t n, float lr, float mu, float *theta, float *v,
                          const float *grad) {
    for (int64_t i = 0; i < n; i++) {
        float v_old = v[i];
        v[i] = mu * v[i] - lr * grad[i];
        theta[i] = theta[i] - mu * v_old + (1.0f + mu) * v[i];
    }
}

static void nesterov_adjoint(int64_t n, double lr, double mu, const double *a_theta, double *a_v,
                             double *gbar) {
    for (int64_t i = 0; i < n; i++) {
        gbar[i] = -lr * ((1.0 + mu) * a_theta[i] + a_v[i]);
        a_v[i] = mu * mu * a_theta[i] + mu * a_v[i];
    }
}

// --- Dispatch ------------------------------------------------------------------------

void sgdi_solver_step(const sgdi_solver *solver, double lr, float *theta, float *state,
                      const float *grad) {
    float lr_f = (float)lr, mu = (float)solver->momentum;
    switch (solver->kind) {
    case SGDI_SOLVER_SGD:
        sgd_step(solver->n, lr_f, theta, grad);
        break;
    case SGDI_SOLVER_MOMENTUM:
        momentum_step(solver->n, lr_f, mu, theta, state, grad);
        break;
    case SGDI_SOLVER_NESTEROV:
        nesterov_step(solver->n, lr_f, mu, theta, state, grad);
        break;
    }
}

void sgdi_solver_adjoint(const sgdi_solver *solver, double lr, double *a_theta, double *a_state,
                         double *gbar) {
    double mu = (float)solver->momentum; // the value the forward step used
    switch (solver->kind) {
    case SGDI_SOLVER_SGD:
        sgd_adjoint(solver->n, lr, a_theta, gbar);
        break;
    case SGDI_SOLVER_MOMENTUM:
        momentum_adjoint(solver->n, lr, mu, a_theta, a_state, gbar);
        break;
    case SGDI_SOLVER_NESTEROV:
        nesterov_adjoint(solver->n, lr, mu, a_theta, a_state, gbar);
        break;
    }
}
