/*
 * test_solver.c — each solver's adjoint is the transpose of its update's
 * Jacobian: for the linear map (theta, s, g) -> (theta', s'),
 *   <a', Phi(dx, dg)> == <(dPhi/dx)^T a', dx> + <gbar, dg>.
 * The update is linear, so a difference of two updates is its Jacobian
 * applied exactly (up to float rounding).
 */
#include <stdlib.h>
#include <string.h>

#include "solver/solver.h"
#include "test_support.h"

enum { N = 7 };

static double frand(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return ((*s >> 8) * 0x1p-24) * 2.0 - 1.0;
}

static void check_adjoint(sgdi_solver_kind kind) {
    sgdi_solver solver = {.kind = kind, .momentum = 0.75, .n = N};
    int ns = sgdi_solver_state_count(&solver);
    const double lr = 0.375; // exact in float, so the float update is the map we transpose
    unsigned seed = 12345u + (unsigned)kind;
    float theta[N], state[N] = {0}, grad[N];
    double a_theta[N], a_state[N] = {0}, gbar[N];
    for (int i = 0; i < N; i++) {
        theta[i] = (float)frand(&seed);
        grad[i] = (float)frand(&seed);
        if (ns) state[i] = (float)frand(&seed);
        a_theta[i] = frand(&seed);
        if (ns) a_state[i] = frand(&seed);
    }
    // <a', Phi(x, g)> for the linear Phi.
    float t2[N], s2[N];
    memcpy(t2, theta, sizeof t2);
    memcpy(s2, state, sizeof s2);
    sgdi_solver_step(&solver, 0, lr, t2, s2, grad);
    double lhs = 0.0;
    for (int i = 0; i < N; i++) lhs += a_theta[i] * t2[i] + (ns ? a_state[i] * s2[i] : 0.0);
    // <(dPhi/dx)^T a', x> + <gbar, g>.
    sgdi_solver_adjoint(&solver, 0, lr, s2, a_theta, a_state, gbar);
    double rhs = 0.0;
    for (int i = 0; i < N; i++)
        rhs += a_theta[i] * theta[i] + (ns ? a_state[i] * state[i] : 0.0) + gbar[i] * grad[i];
    CHECK_MSG(fabs(lhs - rhs) < 1e-5 * (1.0 + fabs(lhs)), "%s: %.9g vs %.9g",
              kind == SGDI_SOLVER_SGD        ? "sgd"
              : kind == SGDI_SOLVER_MOMENTUM ? "momentum"
                                             : "nesterov",
              lhs, rhs);
}

static void test_sgd(void) {
    check_adjoint(SGDI_SOLVER_SGD);
}
static void test_momentum(void) {
    check_adjoint(SGDI_SOLVER_MOMENTUM);
}
static void test_nesterov(void) {
    check_adjoint(SGDI_SOLVER_NESTEROV);
}

static void test_momentum_matches_nnabla(void) {
    // v = mu v + lr g; theta -= v, twice, by hand.
    sgdi_solver solver = {.kind = SGDI_SOLVER_MOMENTUM, .momentum = 0.5, .n = 1};
    float theta = 1.0f, v = 0.0f, g = 2.0f;
    sgdi_solver_step(&solver, 0, 0.25, &theta, &v, &g);
    CHECK_NEAR(v, 0.5, 1e-7);
    CHECK_NEAR(theta, 0.5, 1e-7);
    sgdi_solver_step(&solver, 0, 0.25, &theta, &v, &g);
    CHECK_NEAR(v, 0.75, 1e-7);
    CHECK_NEAR(theta, -0.25, 1e-7);
}

static void test_nesterov_matches_nnabla(void) {
    // v_new = mu v - lr g; theta += -mu v + (1 + mu) v_new.
    sgdi_solver solver = {.kind = SGDI_SOLVER_NESTEROV, .momentum = 0.5, .n = 1};
    float theta = 1.0f, v = 0.0f, g = 2.0f;
    sgdi_solver_step(&solver, 0, 0.25, &theta, &v, &g);
    CHECK_NEAR(v, -0.5, 1e-7);
    CHECK_NEAR(theta, 1.0 + 1.5 * -0.5, 1e-7);
    sgdi_solver_step(&solver, 0, 0.25, &theta, &v, &g);
    CHECK_NEAR(v, -0.75, 1e-7);
    CHECK_NEAR(theta, 0.25 + 0.25 + 1.5 * -0.75, 1e-7);
}

int main(void) {
    RUN(test_sgd);
    RUN(test_momentum);
    RUN(test_nesterov);
    RUN(test_momentum_matches_nnabla);
    RUN(test_nesterov_matches_nnabla);
    return sgdi_test_finish();
}
