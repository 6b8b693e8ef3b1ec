/*
 * estimator.c — the backward recursion of Hara et al., generalised to
 * optimisers with state through the solver's adjoint (docs/ARCHITECTURE.md):
 *
 *   a = (grad L_val(theta_T), 0)
 *   for t = T-1 down to 0:
 *       gbar = (dPhi/dg)^T a;  a <- (dPhi/dx)^T a               solver adjoint
 *       score[j] -= <grad l_j(theta_t), gbar> / |S_t|, j in S_t   tangent forward
 *       a_theta += c H_t gbar                                     tangent backward
 *
 * One forward-over-reverse pass per step gives both the per-sample dot
 * products and the Hessian-vector product.
 */
#include "influence/estimator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

typedef struct walk {
    sgdi_trainer *tr;
    sgdi_hessian hessian;
    double *a_theta; // [P]
    double *a_state; // [S]
    double *gbar;    // [P]
    float *gbar_f;   // [P]
    float *hvp;      // [P]
    double *scores;  // [N]
    // The steps' parameters' version: method last walks every step at the final
    // parameters, whose transformed kernels the convolutions then keep (sgdi_pass).
    uint64_t theta_version;
} walk;

static double dot_fd(const float *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double norm(const double *a, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += a[i] * a[i];
    return sqrt(s);
}

// One step of the recursion at parameters theta_t, with the solver state after step t.
static sgdi_status walk_step(walk *w, int64_t t, const float *theta, const float *state_after,
                             sgdi_error *err) {
    sgdi_trainer *tr = w->tr;
    int64_t p = tr->params;
    sgdi_solver_adjoint(&tr->solver, t, tr->schedule.lr[t], state_after, w->a_theta, w->a_state,
                        w->gbar);
    SGDI_PARAMETER_LOOP(p)
    for (int64_t i = 0; i < p; i++) w->gbar_f[i] = (float)w->gbar[i];

    int64_t batch;
    sgdi_status st = sgdi_trainer_load_batch(tr, t, -1, &batch, err);
    if (st != SGDI_OK) return st;
    bool curved = w->hessian != SGDI_HESSIAN_NONE;
    sgdi_pass pass = {.batch = batch,
                      .x = tr->x,
                      .target = tr->target,
                      .scale = 1.0 / (double)batch,
                      .theta = theta,
                      .direction = w->gbar_f,
                      .hvp = curved ? w->hvp : NULL,
                      .sample_tangent = tr->sample_tangent,
                      .theta_version = w->theta_version,
                      .ctx = sgdi_trainer_ctx(tr, t)};
    sgdi_exec_forward(&tr->exec, &pass);

    double lambda = sgdi_trainer_weight_decay(tr);
    double decay_tangent = lambda != 0.0 ? lambda * dot_fd(theta, w->gbar, p) : 0.0;
    const int64_t *rows = pass.ctx.rows;
    for (int64_t i = 0; i < batch; i++)
        w->scores[rows[i]] -= (tr->sample_tangent[i] + decay_tangent) / (double)batch;

    if (!curved) return SGDI_OK;
    SGDI_PARAMETER_LOOP(p)
    for (int64_t i = 0; i < p; i++) w->hvp[i] = 0.0f;
    sgdi_exec_backward(&tr->exec, &pass);
    double c = w->hessian == SGDI_HESSIAN_PAPER ? 1.0 : 1.0 / (double)batch;
    SGDI_PARAMETER_LOOP(p)
    for (int64_t i = 0; i < p; i++) w->a_theta[i] += c * ((double)w->hvp[i] + lambda * w->gbar[i]);
    return SGDI_OK;
}

// Method all: replay each checkpoint segment forward, keeping every step's theta_t
// (and, for solvers with state, the state after step t), then walk it backwards.
// Segments are visited last to first.
static sgdi_status walk_all(walk *w, const sgdi_checkpoints *ckpt, sgdi_error *err) {
    sgdi_trainer *tr = w->tr;
    int64_t p = tr->params, s = tr->state_size, steps = tr->schedule.steps, k = ckpt->interval;
    int64_t theta_floats, state_floats;
    if (!sgdi_mul_i64(k + 1, p, &theta_floats) || !sgdi_mul_i64(k + 1, s, &state_floats))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "segment too large");
    float *thetas = sgdi_alloc_array(theta_floats, sizeof(float));
    float *states = s ? sgdi_alloc_array(state_floats, sizeof(float)) : NULL;
    if (!thetas || (s && !states)) {
        free(thetas);
        free(states);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for a replay segment (%lld steps)",
                         (long long)k);
    }
    sgdi_status st = SGDI_OK;
    for (int64_t c = ckpt->count - 1; c >= 0 && st == SGDI_OK; c--) {
        int64_t first = c * k, end = first + k < steps ? first + k : steps;
        // thetas[i] = theta_{first+i}; states[i] = state before step first+i, so
        // states[i+1] is the state after it. Without state, the last theta is not needed.
        const float *src = ckpt->data + c * ckpt->width;
        memcpy(thetas, src, (size_t)p * sizeof(float));
        if (s) memcpy(states, src + p, (size_t)s * sizeof(float));
        int64_t replay_end = s ? end : end - 1;
        for (int64_t t = first; t < replay_end && st == SGDI_OK; t++) {
            int64_t i = t - first;
            float *next = thetas + (i + 1) * p, *state = s ? states + (i + 1) * s : NULL;
            memcpy(next, thetas + i * p, (size_t)p * sizeof(float));
            if (s) memcpy(state, states + i * s, (size_t)s * sizeof(float));
            st = sgdi_trainer_step(tr, t, next, state, -1, err);
            sgdi_progress_advance(tr->progress, 1);
        }
        for (int64_t t = end - 1; t >= first && st == SGDI_OK; t--) {
            int64_t i = t - first;
            st = walk_step(w, t, thetas + i * p, s ? states + (i + 1) * s : NULL, err);
            sgdi_progress_advance(tr->progress, 1);
        }
    }
    free(thetas);
    free(states);
    return st;
}

sgdi_status sgdi_estimate(sgdi_trainer *tr, const sgdi_estimate_request *req, double *scores,
                          double *growth, sgdi_error *err) {
    int64_t p = tr->params, s = tr->state_size;
    walk w = {.tr = tr, .hessian = req->hessian, .scores = scores};
    w.a_theta = sgdi_alloc_array(p, sizeof(double));
    w.a_state = sgdi_calloc_array(s > 0 ? s : 1, sizeof(double));
    w.gbar = sgdi_alloc_array(p, sizeof(double));
    w.gbar_f = sgdi_alloc_array(p, sizeof(float));
    w.hvp = sgdi_alloc_array(p, sizeof(float));
    sgdi_status st = SGDI_OK;
    if (!w.a_theta || !w.a_state || !w.gbar || !w.gbar_f || !w.hvp) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the estimator");
        goto done;
    }
    for (int64_t i = 0; i < p; i++) w.a_theta[i] = req->val_grad[i];
    double norm_final = norm(w.a_theta, p);

    sgdi_progress_phase(tr->progress, SGDI_PHASE_SCORE);
    if (req->method == SGDI_METHOD_ALL) {
        st = walk_all(&w, req->checkpoints, err);
    } else {
        const sgdi_trace *sched = &tr->schedule;
        w.theta_version = sgdi_exec_theta_version(&tr->exec);
        int64_t last_epoch = sched->epoch[sched->steps - 1];
        for (int64_t t = sched->steps - 1; t >= 0 && sched->epoch[t] == last_epoch && st == SGDI_OK;
             t--) {
            st = walk_step(&w, t, req->theta_final, req->state_final, err);
            sgdi_progress_advance(tr->progress, 1);
        }
    }
    if (st != SGDI_OK) goto done;
    double norm_first = norm(w.a_theta, p);
    *growth = norm_final > 0.0 ? norm_first / norm_final : 1.0;
    if (!isfinite(norm_first))
        st = sgdi_fail(err, SGDI_ERR_NUMERIC,
                       "the backward recursion diverged (the adjoint became infinite); "
                       "use --hessian plugin or none, or a smaller --lr");
done:
    free(w.a_theta);
    free(w.a_state);
    free(w.gbar);
    free(w.gbar_f);
    free(w.hvp);
    return st;
}
