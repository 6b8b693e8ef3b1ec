/*
 * solver.c — Sgd, Momentum and Nesterov: update and adjoint side by side; the
 * dispatch to every solver (the adaptive ones live in adam.c, adagrad.c,
 * rmsprop.c and adadelta.c).
 */
#include "solver/solver.h"
#include "solver/adaptive.h"

// nnabla's defaults (build-tools/code_generator/solvers.yaml); public in sgdi.h, defined here
// so that the solvers' own defaults stay with the solvers.
double sgdi_options_eps(const sgdi_options *opt) {
    if (opt->eps != SGDI_SOLVER_DEFAULT) return opt->eps;
    switch (opt->solver) {
    case SGDI_SOLVER_ADAM:
    case SGDI_SOLVER_ADAMW:
    case SGDI_SOLVER_ADAGRAD:
    case SGDI_SOLVER_RMSPROP:
        return 1e-8;
    case SGDI_SOLVER_ADADELTA:
        return 1e-6;
    default:
        return 0.0;
    }
}

double sgdi_options_decay(const sgdi_options *opt) {
    if (opt->decay != SGDI_SOLVER_DEFAULT) return opt->decay;
    return opt->solver == SGDI_SOLVER_RMSPROP    ? 0.9
           : opt->solver == SGDI_SOLVER_ADADELTA ? 0.95
                                                 : 0.0;
}

void sgdi_solver_init(sgdi_solver *solver, const sgdi_options *opt, int64_t n) {
    *solver = (sgdi_solver){
        .kind = opt->solver,
        .momentum = opt->momentum,
        .n = n,
        .lr_mult = NULL,
        .beta1 = opt->beta1,
        .beta2 = opt->beta2,
        .eps = sgdi_options_eps(opt),
        .decay = sgdi_options_decay(opt),
        .wd = opt->wd,
        .lr0 = opt->lr,
        .t0 = 0,
    };
}

int sgdi_solver_state_count(const sgdi_solver *solver) {
    switch (solver->kind) {
    case SGDI_SOLVER_SGD:
        return 0;
    case SGDI_SOLVER_ADAM:
    case SGDI_SOLVER_ADAMW:
        return 2; // mean, var
    case SGDI_SOLVER_ADADELTA:
        return 3; // e_sqr_grad, e_sqr_delta, the last step's ratio r
    default:
        return 1; // Momentum, Nesterov: v; AdaGrad, RMSprop: v
    }
}

// --- Sgd -----------------------------------------------------------------------------
// theta' = theta - lr g.
// Adjoint: gbar = -lr a_theta; a_theta unchanged (d theta'/d theta = I).

static void sgd_step(int64_t n, float lr, const float *mult, float *theta, const float *grad) {
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) theta[i] -= sgdi_lr_of(lr, mult, i) * grad[i];
}

static void sgd_adjoint(int64_t n, float lr, const float *mult, const double *a_theta,
                        double *gbar) {
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) gbar[i] = -(double)sgdi_lr_of(lr, mult, i) * a_theta[i];
}

// --- Momentum ------------------------------------------------------------------------
// v' = mu v + lr g;  theta' = theta - v'   (nnabla's Momentum).
// theta' = theta - mu v - lr g, so with adjoints (a_theta, a_v) of (theta', v'):
//   gbar = -lr (a_theta - a_v),  a_v <- mu (a_v - a_theta),  a_theta unchanged.

static void momentum_step(int64_t n, float lr, const float *mult, float mu, float *theta, float *v,
                          const float *grad) {
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        v[i] = mu * v[i] + sgdi_lr_of(lr, mult, i) * grad[i];
        theta[i] -= v[i];
    }
}

static void momentum_adjoint(int64_t n, float lr, const float *mult, double mu,
                             const double *a_theta, double *a_v, double *gbar) {
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        double diff = a_theta[i] - a_v[i];
        gbar[i] = -(double)sgdi_lr_of(lr, mult, i) * diff;
        a_v[i] = -mu * diff;
    }
}

// --- Nesterov ------------------------------------------------------------------------
// v' = mu v - lr g;  theta' = theta - mu v + (1 + mu) v'   (nnabla's Nesterov),
// i.e. theta' = theta + mu^2 v - (1 + mu) lr g. With adjoints (a_theta, a_v):
//   gbar = -lr ((1 + mu) a_theta + a_v),  a_v <- mu^2 a_theta + mu a_v.

static void nesterov_step(int64_t n, float lr, const float *mult, float mu, float *theta, float *v,
                          const float *grad) {
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        float v_old = v[i];
        v[i] = mu * v[i] - sgdi_lr_of(lr, mult, i) * grad[i];
        theta[i] = theta[i] - mu * v_old + (1.0f + mu) * v[i];
    }
}

static void nesterov_adjoint(int64_t n, float lr, const float *mult, double mu,
                             const double *a_theta, double *a_v, double *gbar) {
    SGDI_PARAMETER_LOOP(n)
    for (int64_t i = 0; i < n; i++) {
        gbar[i] = -(double)sgdi_lr_of(lr, mult, i) * ((1.0 + mu) * a_theta[i] + a_v[i]);
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
    case SGDI_SOLVER_ADAM:
    case SGDI_SOLVER_ADAMW:
        sgdi_adam_step(solver, t, lr, theta, state, grad);
        break;
    case SGDI_SOLVER_ADAGRAD:
        sgdi_adagrad_step(solver, t, lr, theta, state, grad);
        break;
    case SGDI_SOLVER_RMSPROP:
        sgdi_rmsprop_step(solver, t, lr, theta, state, grad);
        break;
    case SGDI_SOLVER_ADADELTA:
        sgdi_adadelta_step(solver, t, lr, theta, state, grad);
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
    case SGDI_SOLVER_ADAM:
    case SGDI_SOLVER_ADAMW:
        sgdi_adam_adjoint(solver, t, lr, state_after, a_theta, a_state, gbar);
        break;
    case SGDI_SOLVER_ADAGRAD:
        sgdi_adagrad_adjoint(solver, t, lr, state_after, a_theta, a_state, gbar);
        break;
    case SGDI_SOLVER_RMSPROP:
        sgdi_rmsprop_adjoint(solver, t, lr, state_after, a_theta, a_state, gbar);
        break;
    case SGDI_SOLVER_ADADELTA:
        sgdi_adadelta_adjoint(solver, t, lr, state_after, a_theta, a_state, gbar);
        break;
    }
}
