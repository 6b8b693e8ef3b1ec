/*
 * test_solver.c — each solver's update follows nnabla's formulas, and its
 * adjoint is the transpose of a linear map's Jacobian: for the linear map
 * (theta, s, g) -> (theta', s'),
 *   <a', Phi(dx, dg)> == <(dPhi/dx)^T a', dx> + <gbar, dg>.
 * Sgd, Momentum and Nesterov are linear, so a difference of two updates is
 * their Jacobian applied exactly (up to float rounding). The adaptive solvers
 * are transposed with their per-coordinate step frozen at its value in the
 * step: that frozen map is written out below from nnabla's formulas, checked
 * against the real update at the real point, and transposed.
 */
#include <stdlib.h>
#include <string.h>

#include "solver/solver.h"
#include "test_support.h"

enum { N = 7, MAX_STATE = 3 };

static double frand(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return ((*s >> 8) * 0x1p-24) * 2.0 - 1.0;
}

static const sgdi_solver_kind ALL_KINDS[] = {
    SGDI_SOLVER_SGD,   SGDI_SOLVER_MOMENTUM, SGDI_SOLVER_NESTEROV, SGDI_SOLVER_ADAM,
    SGDI_SOLVER_ADAMW, SGDI_SOLVER_ADAGRAD,  SGDI_SOLVER_RMSPROP,  SGDI_SOLVER_ADADELTA,
};
enum { N_KINDS = sizeof ALL_KINDS / sizeof ALL_KINDS[0] };

// sgdi_solver_name lives in the api module, which this test does not link.
static const char *kind_name(sgdi_solver_kind kind) {
    static const char *const names[] = {"sgd",   "momentum", "nesterov", "adam",
                                        "adamw", "adagrad",  "rmsprop",  "adadelta"};
    return (unsigned)kind < N_KINDS ? names[kind] : "?";
}

// Hyper-parameters exact in float, so that the float update and the double map agree.
static sgdi_solver make_solver(sgdi_solver_kind kind, int64_t n, const float *mult) {
    return (sgdi_solver){.kind = kind,
                         .momentum = 0.75,
                         .n = n,
                         .lr_mult = mult,
                         .beta1 = 0.75,
                         .beta2 = 0.875,
                         .eps = 0.125,
                         .decay = 0.625,
                         .wd = 0.0625,
                         .lr0 = 0.5,
                         .t0 = 3};
}

// --- Exact solvers: the update itself is the linear map -------------------------------

static void check_adjoint(sgdi_solver_kind kind, const float *mult) {
    sgdi_solver solver = {.kind = kind, .momentum = 0.75, .n = N, .lr_mult = mult};
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
    CHECK_MSG(fabs(lhs - rhs) < 1e-5 * (1.0 + fabs(lhs)), "%s: %.9g vs %.9g", kind_name(kind), lhs,
              rhs);
}

static const float MULT[N] = {1.0f, 0.0f, 2.0f, 0.5f, 1.0f, 1.0f, 3.0f};

static void test_sgd(void) {
    check_adjoint(SGDI_SOLVER_SGD, NULL);
    check_adjoint(SGDI_SOLVER_SGD, MULT);
}
static void test_momentum(void) {
    check_adjoint(SGDI_SOLVER_MOMENTUM, NULL);
    check_adjoint(SGDI_SOLVER_MOMENTUM, MULT);
}
static void test_nesterov(void) {
    check_adjoint(SGDI_SOLVER_NESTEROV, NULL);
    check_adjoint(SGDI_SOLVER_NESTEROV, MULT);
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

// --- Adaptive solvers: two steps by hand, nnabla's formulas ---------------------------

static void test_adam_matches_nnabla(void) {
    // beta1 = 0.5, beta2 = 0.75, eps = 0.5, alpha = 0.25, theta = 1, m = v = 0.
    // k = 1, g = 2: m = 1, v = 0.25 * 4 = 1, alpha_1 = 0.25 * sqrt(0.25) / 0.5 = 0.25,
    //   theta = 1 - 0.25 * 1 / (1 + 0.5) = 0.8333...
    // k = 2, g = 1: m = 0.5 + 0.5 = 1, v = 0.75 + 0.25 = 1,
    //   alpha_2 = 0.25 * sqrt(1 - 0.5625) / (1 - 0.25) = 0.25 * 0.881917...,
    //   theta = 0.8333... - 0.25 * 0.881917... / 1.5 = 0.686347...
    sgdi_solver s = {.kind = SGDI_SOLVER_ADAM, .n = 1, .beta1 = 0.5, .beta2 = 0.75, .eps = 0.5};
    float theta = 1.0f, st[2] = {0.0f, 0.0f}, g = 2.0f;
    sgdi_solver_step(&s, 0, 0.25, &theta, st, &g);
    CHECK_NEAR(st[0], 1.0, 1e-7);
    CHECK_NEAR(st[1], 1.0, 1e-7);
    CHECK_NEAR(theta, 0.8333333333333334, 1e-6);
    g = 1.0f;
    sgdi_solver_step(&s, 1, 0.25, &theta, st, &g);
    CHECK_NEAR(st[0], 1.0, 1e-7);
    CHECK_NEAR(st[1], 1.0, 1e-7);
    CHECK_NEAR(theta, 0.6863471493853006, 1e-6);

    // Resumed after 5 iterations (t0 = 5): the first step uses k = 6,
    // alpha_6 = 0.25 * sqrt(1 - 0.75^6) / (1 - 0.5^6) = 0.25 * 0.921045...
    s.t0 = 5;
    theta = 1.0f, st[0] = st[1] = 0.0f, g = 2.0f;
    sgdi_solver_step(&s, 0, 0.25, &theta, st, &g);
    CHECK_NEAR(theta, 0.8464924436359365, 1e-6);
    // t0 + t is what counts.
    float theta2 = 1.0f, st2[2] = {0.0f, 0.0f};
    s.t0 = 2;
    sgdi_solver_step(&s, 3, 0.25, &theta2, st2, &g);
    CHECK(theta2 == theta);
}

static void test_adamw_matches_nnabla(void) {
    // As Adam, plus the decoupled decay eta_t wd theta (old theta), eta_t = alpha / alpha_0
    // = 0.25 / 0.5, wd = 0.5: theta = 1 - 1/6 - 0.25 * 1 = 0.58333...
    // then 0.58333... - 0.25 * 0.881917... / 1.5 - 0.25 * 0.58333... = 0.290513...
    sgdi_solver s = {.kind = SGDI_SOLVER_ADAMW,
                     .n = 1,
                     .beta1 = 0.5,
                     .beta2 = 0.75,
                     .eps = 0.5,
                     .wd = 0.5,
                     .lr0 = 0.5};
    float theta = 1.0f, st[2] = {0.0f, 0.0f}, g = 2.0f;
    sgdi_solver_step(&s, 0, 0.25, &theta, st, &g);
    CHECK_NEAR(theta, 0.5833333333333334, 1e-6);
    g = 1.0f;
    sgdi_solver_step(&s, 1, 0.25, &theta, st, &g);
    CHECK_NEAR(st[0], 1.0, 1e-7);
    CHECK_NEAR(st[1], 1.0, 1e-7);
    CHECK_NEAR(theta, 0.29051381605196724, 1e-6);
}

static void test_adagrad_matches_nnabla(void) {
    // lr = 0.5, eps = 0.5. g = 2: G = 4, theta = 1 - 0.5 * 2 / (2 + 0.5) = 0.6.
    // g = 1.5: G = 6.25, theta = 0.6 - 0.5 * 1.5 / (2.5 + 0.5) = 0.35.
    sgdi_solver s = {.kind = SGDI_SOLVER_ADAGRAD, .n = 1, .eps = 0.5};
    float theta = 1.0f, G = 0.0f, g = 2.0f;
    sgdi_solver_step(&s, 0, 0.5, &theta, &G, &g);
    CHECK_NEAR(G, 4.0, 1e-7);
    CHECK_NEAR(theta, 0.6, 1e-6);
    g = 1.5f;
    sgdi_solver_step(&s, 1, 0.5, &theta, &G, &g);
    CHECK_NEAR(G, 6.25, 1e-7);
    CHECK_NEAR(theta, 0.35, 1e-6);
}

static void test_rmsprop_matches_nnabla(void) {
    // decay = 0.5, eps = 0.5, lr = 0.25. g = 2: v = 0.5 * 4 = 2,
    //   theta = 1 - 0.25 / (sqrt(2) + 0.5) * 2 = 0.738796...
    // g = 1: v = 1 + 0.5 = 1.5, theta -= 0.25 / (sqrt(1.5) + 0.5) * 1 -> 0.593847...
    sgdi_solver s = {.kind = SGDI_SOLVER_RMSPROP, .n = 1, .eps = 0.5, .decay = 0.5};
    float theta = 1.0f, v = 0.0f, g = 2.0f;
    sgdi_solver_step(&s, 0, 0.25, &theta, &v, &g);
    CHECK_NEAR(v, 2.0, 1e-7);
    CHECK_NEAR(theta, 0.7387961250362586, 1e-6);
    g = 1.0f;
    sgdi_solver_step(&s, 1, 0.25, &theta, &v, &g);
    CHECK_NEAR(v, 1.5, 1e-7);
    CHECK_NEAR(theta, 0.5938471507579408, 1e-6);
}

static void test_adadelta_matches_nnabla(void) {
    // decay = 0.5, eps = 0.5, lr = 1. g = 2: E_g = 2, r = sqrt(0.5 / 2.5) = 0.447214,
    //   delta = 0.894427, E_d = 0.5 * 0.8 = 0.4, theta = 1 - 0.894427 = 0.105573.
    // g = 1: E_g = 1 + 0.5 = 1.5, r = sqrt(0.9 / 2) = 0.670820, delta = r,
    //   E_d = 0.2 + 0.5 * 0.45 = 0.425, theta = 0.105573 - 0.670820 = -0.565248.
    sgdi_solver s = {.kind = SGDI_SOLVER_ADADELTA, .n = 1, .eps = 0.5, .decay = 0.5};
    float theta = 1.0f, st[3] = {0.0f, 0.0f, 0.0f}, g = 2.0f;
    sgdi_solver_step(&s, 0, 1.0, &theta, st, &g);
    CHECK_NEAR(st[0], 2.0, 1e-7);
    CHECK_NEAR(st[1], 0.4, 1e-6);
    CHECK_NEAR(st[2], 0.4472135954999579, 1e-6);
    CHECK_NEAR(theta, 0.10557280900008414, 1e-6);
    g = 1.0f;
    sgdi_solver_step(&s, 1, 1.0, &theta, st, &g);
    CHECK_NEAR(st[0], 1.5, 1e-7);
    CHECK_NEAR(st[1], 0.425, 1e-6);
    CHECK_NEAR(st[2], 0.6708203932499369, 1e-6);
    CHECK_NEAR(theta, -0.5652475842498528, 1e-6);
}

// --- Adaptive solvers: the frozen linear map and its adjoint ---------------------------

// One step of an adaptive solver with its per-coordinate step frozen at its value in update
// t, read from `after` (the state after the real update), and g's share in the second-moment
// accumulators dropped. Linear in (theta, st, g). Written from nnabla's formulas:
//   Adam/AdamW  m' = b1 m + (1 - b1) g;  v' = b2 v;  theta' = c theta - D m',
//               D = alpha sqrt(1 - b2^k) / (1 - b1^k) / (sqrt(v_after) + eps), k = t0 + t + 1,
//               c = 1 (Adam), 1 - (alpha / alpha_0) wd (AdamW)
//   AdaGrad     G' = G;        theta' = theta - lr g / (sqrt(G_after) + eps)
//   RMSprop     v' = rho v;    theta' = theta - lr g / (sqrt(v_after) + eps)
//   Adadelta    E_g' = rho E_g;  E_d' = rho E_d;  r' = 0;  theta' = theta - lr r_after g
// with alpha, lr times the parameter's multiplier; multiplier 0: the identity.
static void frozen_map(const sgdi_solver *s, int64_t t, double lr, const float *after,
                       const double *theta, const double *st, const double *g, double *theta_out,
                       double *st_out) {
    const int64_t n = s->n;
    const int ns = sgdi_solver_state_count(s);
    double k = (double)(s->t0 + t + 1);
    double bc = sqrt(1.0 - pow(s->beta2, k)) / (1.0 - pow(s->beta1, k));
    for (int64_t i = 0; i < n; i++) {
        double mult = s->lr_mult ? s->lr_mult[i] : 1.0, lr_i = lr * mult;
        theta_out[i] = theta[i];
        for (int j = 0; j < ns; j++) st_out[j * n + i] = st[j * n + i];
        if (mult == 0.0) continue;
        switch (s->kind) {
        case SGDI_SOLVER_ADAM:
        case SGDI_SOLVER_ADAMW: {
            double d = lr_i * bc / (sqrt(after[n + i]) + s->eps);
            double c = s->kind == SGDI_SOLVER_ADAMW ? 1.0 - lr_i / s->lr0 * s->wd : 1.0;
            st_out[i] = s->beta1 * st[i] + (1.0 - s->beta1) * g[i];
            st_out[n + i] = s->beta2 * st[n + i];
            theta_out[i] = c * theta[i] - d * st_out[i];
            break;
        }
        case SGDI_SOLVER_ADAGRAD:
            theta_out[i] = theta[i] - lr_i * g[i] / (sqrt(after[i]) + s->eps);
            break;
        case SGDI_SOLVER_RMSPROP:
            st_out[i] = s->decay * st[i];
            theta_out[i] = theta[i] - lr_i * g[i] / (sqrt(after[i]) + s->eps);
            break;
        case SGDI_SOLVER_ADADELTA:
            st_out[i] = s->decay * st[i];
            st_out[n + i] = s->decay * st[n + i];
            st_out[2 * n + i] = 0.0;
            theta_out[i] = theta[i] - lr_i * after[2 * n + i] * g[i];
            break;
        default:
            break;
        }
    }
}

// A random point of the solver's domain: second-moment accumulators are >= 0.
static void random_state(sgdi_solver_kind kind, unsigned *seed, double *st) {
    for (int i = 0; i < N * MAX_STATE; i++) st[i] = frand(seed);
    int first_positive = kind == SGDI_SOLVER_ADAM || kind == SGDI_SOLVER_ADAMW ? N : 0;
    for (int i = first_positive; i < N * MAX_STATE; i++) st[i] = fabs(st[i]);
}

static void check_frozen_adjoint(sgdi_solver_kind kind, const float *mult) {
    sgdi_solver s = make_solver(kind, N, mult);
    const int ns = sgdi_solver_state_count(&s);
    const int64_t t = 2;
    const double lr = 0.375;
    unsigned seed = 777u + 31u * (unsigned)kind + (mult ? 1u : 0u);
    double theta[N], st[N * MAX_STATE], g[N];
    random_state(kind, &seed, st);
    for (int i = 0; i < N; i++) theta[i] = frand(&seed), g[i] = frand(&seed);

    // The real update from (theta, st, g); its state is where the step is frozen.
    float theta_f[N], after[N * MAX_STATE], grad_f[N];
    for (int i = 0; i < N; i++) theta_f[i] = (float)theta[i], grad_f[i] = (float)g[i];
    for (int i = 0; i < N * ns; i++) after[i] = (float)st[i];
    double theta0[N], st0[N * MAX_STATE];
    for (int i = 0; i < N; i++) theta0[i] = theta_f[i];
    for (int i = 0; i < N * ns; i++) st0[i] = after[i];
    sgdi_solver_step(&s, t, lr, theta_f, after, grad_f);

    // (1) The frozen map at the real point gives the real theta' (the step is the one the
    // update took; only the accumulators' g^2 shares are dropped) and Adam's real m'.
    double lin_theta[N], lin_st[N * MAX_STATE], g0[N];
    for (int i = 0; i < N; i++) g0[i] = grad_f[i];
    frozen_map(&s, t, lr, after, theta0, st0, g0, lin_theta, lin_st);
    for (int i = 0; i < N; i++) {
        CHECK_MSG(fabs(lin_theta[i] - theta_f[i]) < 1e-5, "%s theta[%d]: %.9g vs %.9g",
                  kind_name(kind), i, lin_theta[i], (double)theta_f[i]);
        if (kind == SGDI_SOLVER_ADAM || kind == SGDI_SOLVER_ADAMW)
            CHECK_NEAR(lin_st[i], after[i], 1e-6);
    }

    // (2) <a', Phi_lin(dx, dg)> == <(dPhi_lin/dx)^T a', dx> + <gbar, dg> at random (dx, dg).
    double dtheta[N], dst[N * MAX_STATE], dg[N], out_theta[N], out_st[N * MAX_STATE];
    double a_theta[N], a_st[N * MAX_STATE], gbar[N];
    for (int i = 0; i < N; i++) dtheta[i] = frand(&seed), dg[i] = frand(&seed);
    for (int i = 0; i < N * ns; i++) dst[i] = frand(&seed);
    for (int i = 0; i < N; i++) a_theta[i] = frand(&seed);
    for (int i = 0; i < N * ns; i++) a_st[i] = frand(&seed);
    frozen_map(&s, t, lr, after, dtheta, dst, dg, out_theta, out_st);
    double lhs = 0.0, rhs = 0.0;
    for (int i = 0; i < N; i++) lhs += a_theta[i] * out_theta[i];
    for (int i = 0; i < N * ns; i++) lhs += a_st[i] * out_st[i];
    sgdi_solver_adjoint(&s, t, lr, after, a_theta, a_st, gbar);
    for (int i = 0; i < N; i++) rhs += a_theta[i] * dtheta[i] + gbar[i] * dg[i];
    for (int i = 0; i < N * ns; i++) rhs += a_st[i] * dst[i];
    CHECK_MSG(fabs(lhs - rhs) < 1e-6 * (1.0 + fabs(lhs)), "%s%s: %.12g vs %.12g", kind_name(kind),
              mult ? " (lr_mult)" : "", lhs, rhs);
}

static void test_adaptive_adjoints(void) {
    for (int k = SGDI_SOLVER_ADAM; k <= SGDI_SOLVER_ADADELTA; k++) {
        check_frozen_adjoint((sgdi_solver_kind)k, NULL);
        check_frozen_adjoint((sgdi_solver_kind)k, MULT);
    }
}

// --- lr_mult: 0 freezes a parameter, 2 doubles its step --------------------------------

static void check_lr_mult(sgdi_solver_kind kind) {
    const float mult[3] = {1.0f, 0.0f, 2.0f};
    sgdi_solver s = make_solver(kind, 3, mult);
    const int ns = sgdi_solver_state_count(&s);
    float theta[3] = {1.0f, 1.0f, 1.0f}, st[3 * MAX_STATE] = {0}, g[3] = {0.5f, 0.5f, 0.5f};
    sgdi_solver_step(&s, 0, 0.25, theta, st, g);
    const char *name = kind_name(kind);
    CHECK_MSG(theta[1] == 1.0f, "%s: frozen parameter moved to %.9g", name, theta[1]);
    CHECK_MSG(fabs((theta[2] - 1.0) - 2.0 * (theta[0] - 1.0)) < 1e-6 && theta[0] != 1.0f,
              "%s: steps %.9g and %.9g", name, theta[0] - 1.0, theta[2] - 1.0);
    g[0] = g[1] = g[2] = -0.25f;
    sgdi_solver_step(&s, 1, 0.25, theta, st, g);
    CHECK_MSG(theta[1] == 1.0f, "%s: frozen parameter moved to %.9g", name, theta[1]);
    for (int j = 0; j < ns; j++) CHECK_MSG(st[j * 3 + 1] == 0.0f, "%s: frozen state moved", name);

    // The adjoint: gbar = 0 for the frozen parameter, whose a_theta stays; an adaptive
    // solver leaves it out entirely, so its state adjoints stay too (Momentum and Nesterov
    // keep decaying v for it, as their update does). Doubling: test_lr_mult_doubles_gbar.
    double a_theta[3] = {1.0, 1.0, 1.0}, a_st[3 * MAX_STATE], gbar[3];
    for (int i = 0; i < 3 * MAX_STATE; i++) a_st[i] = 0.5;
    sgdi_solver_adjoint(&s, 1, 0.25, st, a_theta, a_st, gbar);
    CHECK_MSG(gbar[1] == 0.0 && a_theta[1] == 1.0, "%s: frozen adjoint %g %g", name, gbar[1],
              a_theta[1]);
    CHECK_MSG(gbar[0] != 0.0 && gbar[2] != 0.0, "%s: gbar %g %g", name, gbar[0], gbar[2]);
    if (kind >= SGDI_SOLVER_ADAM)
        for (int j = 0; j < ns; j++)
            CHECK_MSG(a_st[j * 3 + 1] == 0.5, "%s: frozen state adjoint changed", name);
}

static void test_lr_mult(void) {
    for (int k = 0; k < N_KINDS; k++) check_lr_mult(ALL_KINDS[k]);
}

// gbar doubles with the multiplier at the same state: one coordinate, two multipliers.
static void test_lr_mult_doubles_gbar(void) {
    for (int k = 0; k < N_KINDS; k++) {
        const float one = 1.0f, two = 2.0f;
        sgdi_solver s1 = make_solver(ALL_KINDS[k], 1, &one),
                    s2 = make_solver(ALL_KINDS[k], 1, &two);
        float after[MAX_STATE] = {0.25f, 0.5f, 0.75f};
        double a1[1] = {1.0}, a2[1] = {1.0}, st1[MAX_STATE] = {0}, st2[MAX_STATE] = {0}, g1, g2;
        sgdi_solver_adjoint(&s1, 1, 0.25, after, a1, st1, &g1);
        sgdi_solver_adjoint(&s2, 1, 0.25, after, a2, st2, &g2);
        CHECK_MSG(fabs(g2 - 2.0 * g1) < 1e-9 && g1 != 0.0, "%s: gbar %.9g, %.9g",
                  kind_name(ALL_KINDS[k]), g1, g2);
    }
}

static void test_state_counts(void) {
    const int expected[N_KINDS] = {0, 1, 1, 2, 2, 1, 1, 3};
    for (int k = 0; k < N_KINDS; k++) {
        sgdi_solver s = make_solver(ALL_KINDS[k], 1, NULL);
        CHECK_MSG(sgdi_solver_state_count(&s) == expected[k], "%s", kind_name(ALL_KINDS[k]));
    }
}

// sgdi_solver_init resolves nnabla's per-solver defaults (the options' checks and
// sgdi_options_init are in the api module, which this test does not link).
static void test_init_from_options(void) {
    sgdi_options opt = {.solver = SGDI_SOLVER_ADADELTA,
                        .lr = 0.5,
                        .momentum = 0.9,
                        .beta1 = 0.9,
                        .beta2 = 0.999,
                        .eps = SGDI_SOLVER_DEFAULT,
                        .decay = SGDI_SOLVER_DEFAULT,
                        .wd = 1e-4};
    sgdi_solver s;
    sgdi_solver_init(&s, &opt, 5);
    CHECK(s.kind == SGDI_SOLVER_ADADELTA && s.n == 5 && s.lr_mult == NULL && s.t0 == 0);
    CHECK(s.eps == 1e-6 && s.decay == 0.95 && s.lr0 == 0.5);
    opt.solver = SGDI_SOLVER_RMSPROP;
    sgdi_solver_init(&s, &opt, 5);
    CHECK(s.eps == 1e-8 && s.decay == 0.9);
    opt.solver = SGDI_SOLVER_ADAMW;
    opt.eps = 1e-4;
    sgdi_solver_init(&s, &opt, 5);
    CHECK(s.eps == 1e-4 && s.beta1 == 0.9 && s.beta2 == 0.999 && s.wd == 1e-4);
    CHECK(sgdi_options_eps(&opt) == 1e-4 && sgdi_options_decay(&opt) == 0.0);
}

int main(void) {
    RUN(test_sgd);
    RUN(test_momentum);
    RUN(test_nesterov);
    RUN(test_momentum_matches_nnabla);
    RUN(test_nesterov_matches_nnabla);
    RUN(test_adam_matches_nnabla);
    RUN(test_adamw_matches_nnabla);
    RUN(test_adagrad_matches_nnabla);
    RUN(test_rmsprop_matches_nnabla);
    RUN(test_adadelta_matches_nnabla);
    RUN(test_adaptive_adjoints);
    RUN(test_lr_mult);
    RUN(test_lr_mult_doubles_gbar);
    RUN(test_state_counts);
    RUN(test_init_from_options);
    return sgdi_test_finish();
}
