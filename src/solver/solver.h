/*
 * solver.h — the optimisers, as nnabla defines them, and their adjoints.
 *
 * A step maps the state x = (theta, s) and the batch gradient g (weight decay
 * included) to x' = Phi(x, g). The estimator walks training backwards with
 * the adjoint a = (a_theta, a_s) of x'; sgdi_solver_adjoint returns
 *     gbar = (dPhi/dg)^T a          (the direction pushed through the network)
 * and replaces a by (dPhi/dx)^T a   (the part that does not go through g);
 * the caller then adds c * H gbar to a_theta. See docs/ARCHITECTURE.md.
 *
 * Sgd, Momentum and Nesterov are linear, and their adjoints exact. Adam,
 * AdamW, AdaGrad, RMSprop and Adadelta are not: their adjoints transpose the
 * linear map left when each step's per-coordinate step size (bias
 * corrections included) is frozen at the value that step used, read from the
 * state after the step, and the gradient's share in the second-moment
 * accumulators is dropped (sgd-influence.md, "Other optimisers"). Each
 * solver's file derives its map above its adjoint.
 *
 * State layout (n floats each, in this order), nnabla's names:
 *   Momentum, Nesterov: v          Adam, AdamW: mean, var
 *   AdaGrad: v (sum of g^2)        RMSprop: v
 *   Adadelta: e_sqr_grad, e_sqr_delta, then r = the step's
 *             sqrt((e_sqr_delta + eps) / (e_sqr_grad + eps)), which the update
 *             writes and never reads (the adjoint needs it; nnabla keeps only
 *             the first two).
 *
 * lr_mult[i] scales parameter i's whole step (for AdamW also its decoupled
 * decay). An adaptive solver leaves a parameter with multiplier 0 and its
 * state untouched, as nnabla leaves out parameters with multiplier 0; its
 * adjoint is then the identity with gbar = 0.
 */
#ifndef SGDI_SOLVER_SOLVER_H
#define SGDI_SOLVER_SOLVER_H

#include <stdint.h>

// Before a loop over `count` parameters whose iterations are independent: the threads split
// it when there are enough parameters to pay for them (the same bytes either way).
#define SGDI_PRAGMA(x) _Pragma(#x)
#define SGDI_PARAMETER_LOOP(count)                                                                 \
    SGDI_PRAGMA(omp parallel for schedule(static) if ((count) >= 32768))

#include "sgdi.h"

typedef struct sgdi_solver {
    sgdi_solver_kind kind;
    double momentum;      // mu, for Momentum and Nesterov
    int64_t n;            // parameters
    const float *lr_mult; // [n] per-parameter step-size multiplier (0 = frozen); NULL = all 1
    double beta1, beta2;  // Adam, AdamW
    double eps;           // Adam, AdamW, AdaGrad, RMSprop, Adadelta (resolved: no sentinel)
    double decay;         // RMSprop, Adadelta (resolved: no sentinel)
    double wd;            // AdamW's decoupled weight decay rate
    double lr0;           // AdamW: initial step size; the decay is (lr / lr0) wd theta
                          // (nnabla's eta_t = alpha / init_alpha); 0 = take eta_t = 1
    int64_t t0;           // iterations already done (loaded solver state); Adam's and
                          // AdamW's bias corrections use k = t0 + t + 1
} sgdi_solver;

// Fills `solver` from the run options: kind, hyper-parameters with the
// solver's defaults resolved, lr0 = opt->lr, lr_mult = NULL, t0 = 0.
void sgdi_solver_init(sgdi_solver *solver, const sgdi_options *opt, int64_t n);

// How many state vectors of n floats the solver keeps.
int sgdi_solver_state_count(const sgdi_solver *solver);

// Update t (0-based; adaptive solvers' bias corrections use t0 + t + 1) with
// step size lr. theta[n] and state[n * state_count] in place.
void sgdi_solver_step(const sgdi_solver *solver, int64_t t, double lr, float *theta, float *state,
                      const float *grad);

// The adjoint of update t (see above); a_theta[n], a_state[n * state_count]
// in place, gbar[n] out. `state_after` is the solver state after update t:
// adaptive solvers freeze their per-coordinate step (their preconditioner)
// at its value there and linearise the rest (sgd-influence.md, "Other
// optimisers"); the others ignore it.
void sgdi_solver_adjoint(const sgdi_solver *solver, int64_t t, double lr, const float *state_after,
                         double *a_theta, double *a_state, double *gbar);

#endif // SGDI_SOLVER_SOLVER_H
