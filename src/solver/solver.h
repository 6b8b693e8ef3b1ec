/*
 * solver.h — the optimisers, as nnabla defines them, and their adjoints.
 *
 * A step maps the state x = (theta, s) and the batch gradient g (weight decay
 * included) to x' = Phi(x, g). The estimator walks training backwards with
 * the adjoint a = (a_theta, a_s) of x'; sgdi_solver_adjoint returns
 *     gbar = (dPhi/dg)^T a          (the direction pushed through the network)
 * and replaces a by (dPhi/dx)^T a   (the part that does not go through g);
 * the caller then adds c * H gbar to a_theta. See docs/ARCHITECTURE.md.
 */
#ifndef SGDI_SOLVER_SOLVER_H
#define SGDI_SOLVER_SOLVER_H

#include <stdint.h>

#include "sgdi.h"

typedef struct sgdi_solver {
    sgdi_solver_kind kind;
    double momentum;      // mu, for Momentum and Nesterov
    int64_t n;            // parameters
    const float *lr_mult; // [n] per-parameter step-size multiplier (0 = frozen); NULL = all 1
} sgdi_solver;

// How many state vectors of n floats the solver keeps.
int sgdi_solver_state_count(const sgdi_solver *solver);

// Update t (0-based; adaptive solvers' bias corrections use t + 1) with step
// size lr. theta[n] and state[n * state_count] in place.
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
