/*
 * trainer.c — the schedule, one training step, training runs with
 * checkpoints, and evaluation of the mean loss.
 */
#include "train/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "util/error.h"
#include "util/rng.h"

// --- Schedule ------------------------------------------------------------------------

static sgdi_status build_schedule(sgdi_trainer *tr, const sgdi_lr_schedule *lr_schedule,
                                  sgdi_error *err) {
    int64_t n = sgdi_dataset_rows(tr->train), b = tr->opt->batch_size;
    int64_t per_epoch = (n + b - 1) / b, steps, total_rows;
    if (!sgdi_mul_i64(per_epoch, tr->opt->epochs, &steps) ||
        !sgdi_mul_i64(n, tr->opt->epochs, &total_rows))
        return sgdi_fail(err, SGDI_ERR_INVALID, "too many training steps");
    sgdi_status st = sgdi_trace_init(&tr->schedule, steps, total_rows, err);
    if (st != SGDI_OK) return st;
    int64_t *perm = sgdi_alloc_array(n, sizeof *perm);
    if (!perm) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the batch order");
    sgdi_trace *s = &tr->schedule;
    int64_t t = 0;
    for (int64_t e = 0; e < tr->opt->epochs; e++) {
        sgdi_epoch_permutation(tr->seed, (uint64_t)e, n, perm);
        for (int64_t k = 0; k < per_epoch; k++, t++) {
            int64_t first = k * b, count = first + b <= n ? b : n - first;
            s->epoch[t] = e;
            s->step[t] = k;
            int64_t iter = tr->solver.t0 + t; // nnabla's global iteration
            double lr = lr_schedule ? sgdi_lr_at(lr_schedule, tr->opt->lr, iter) : tr->opt->lr;
            if (!(lr >= 0.0) || !isfinite(lr)) {
                free(perm);
                return sgdi_fail(err, SGDI_ERR_INVALID,
                                 "the learning-rate schedule gives no usable step size at "
                                 "iteration %lld (%s, base lr %g)",
                                 (long long)iter, sgdi_lr_type_name(lr_schedule->type),
                                 tr->opt->lr);
            }
            s->lr[t] = (float)lr; // the step size as the float kernels apply it
            memcpy(s->rows + s->begin[t], perm + first, (size_t)count * sizeof *perm);
            s->begin[t + 1] = s->begin[t] + count;
        }
    }
    free(perm);
    return SGDI_OK;
}

sgdi_status sgdi_trainer_init(sgdi_trainer *tr, const sgdi_options *opt,
                              const sgdi_train_plan *plan, const sgdi_dataset *train, uint64_t seed,
                              sgdi_error *err) {
    const sgdi_graph *g = plan->graph;
    memset(tr, 0, sizeof *tr);
    tr->opt = opt;
    tr->graph = g;
    tr->has_state_ops = sgdi_graph_has_state_ops(g);
    tr->train = train;
    tr->seed = seed;
    tr->params = g->n_params;
    sgdi_solver_init(&tr->solver, opt, g->n_params);
    tr->solver.lr_mult = plan->lr_mult;
    tr->solver.t0 = plan->t0;
    tr->state0 = plan->state0;
    tr->state_size = sgdi_solver_state_count(&tr->solver) * g->n_params;
    int64_t b = opt->batch_size;
    sgdi_status st = sgdi_exec_init(&tr->exec, g, b, err);
    if (st != SGDI_OK) return st;
    // Batches are gathered straight into the executor's input buffers.
    tr->x = sgdi_exec_input(&tr->exec);
    tr->target = sgdi_exec_target(&tr->exec);
    tr->weights = sgdi_alloc_array(b, sizeof(float));
    tr->grad = sgdi_alloc_array(g->n_params, sizeof(float));
    tr->sample_loss = sgdi_alloc_array(b, sizeof(double));
    tr->sample_tangent = sgdi_alloc_array(b, sizeof(double));
    if (!tr->x || !tr->target || !tr->weights || !tr->grad || !tr->sample_loss ||
        !tr->sample_tangent) {
        sgdi_trainer_free(tr);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the training buffers");
    }
    st = build_schedule(tr, plan->schedule, err); // after t0 is known
    if (st != SGDI_OK) sgdi_trainer_free(tr);
    return st;
}

void sgdi_trainer_free(sgdi_trainer *tr) {
    if (!tr) return;
    sgdi_exec_free(&tr->exec);
    sgdi_trace_free(&tr->schedule);
    free(tr->weights);
    free(tr->grad);
    free(tr->sample_loss);
    free(tr->sample_tangent);
    memset(tr, 0, sizeof *tr);
}

void sgdi_trainer_initial_state(const sgdi_trainer *tr, float *state) {
    if (!state || tr->state_size == 0) return;
    if (tr->state0)
        memcpy(state, tr->state0, (size_t)tr->state_size * sizeof(float));
    else
        memset(state, 0, (size_t)tr->state_size * sizeof(float));
}

// --- One step ------------------------------------------------------------------------

// The per-sample shape the graph's data input takes: batches are gathered in it.
static sgdi_shape input_shape(const sgdi_trainer *tr) {
    return tr->graph->vars[tr->graph->input_var].shape;
}

sgdi_status sgdi_trainer_load_batch(sgdi_trainer *tr, int64_t t, int64_t excluded, int64_t *batch,
                                    sgdi_error *err) {
    const sgdi_trace *s = &tr->schedule;
    const int64_t *rows = s->rows + s->begin[t];
    int64_t n = s->begin[t + 1] - s->begin[t];
    sgdi_status st =
        sgdi_dataset_gather(tr->train, rows, n, input_shape(tr), tr->x, tr->target, err);
    if (st != SGDI_OK) return st;
    for (int64_t i = 0; i < n; i++) tr->weights[i] = rows[i] == excluded ? 0.0f : 1.0f;
    *batch = n;
    return SGDI_OK;
}

sgdi_exec_ctx sgdi_trainer_ctx(const sgdi_trainer *tr, int64_t t) {
    return (sgdi_exec_ctx){.seed = tr->seed,
                           .step = (uint64_t)t,
                           .rows = tr->schedule.rows + tr->schedule.begin[t],
                           .training = true,
                           .weights = tr->weights};
}

sgdi_status sgdi_trainer_step(sgdi_trainer *tr, int64_t t, float *theta, float *state,
                              int64_t excluded, sgdi_error *err) {
    int64_t batch;
    sgdi_status st = sgdi_trainer_load_batch(tr, t, excluded, &batch, err);
    if (st != SGDI_OK) return st;
    sgdi_pass pass = {.batch = batch,
                      .x = tr->x,
                      .target = tr->target,
                      .weights = tr->weights,
                      .scale = 1.0 / (double)batch,
                      .theta = theta,
                      .grad = tr->grad,
                      .sample_loss = tr->sample_loss,
                      .ctx = sgdi_trainer_ctx(tr, t)};
    memset(tr->grad, 0, (size_t)tr->params * sizeof(float));
    sgdi_exec_forward(&tr->exec, &pass);
    sgdi_exec_backward(&tr->exec, &pass);

    // Each present sample carries (lambda/2)|theta|^2: the batch gradient gets
    // lambda * (sum of weights / |S|) * theta.
    double present = 0.0, loss = 0.0;
    for (int64_t i = 0; i < batch; i++) {
        present += tr->weights[i];
        loss += tr->weights[i] * tr->sample_loss[i];
    }
    if (!isfinite(loss)) {
        const sgdi_trace *s = &tr->schedule;
        return sgdi_fail(err, SGDI_ERR_NUMERIC,
                         "training diverged at epoch %lld, step %lld (the loss is not finite); "
                         "try a smaller --lr",
                         (long long)s->epoch[t] + 1, (long long)s->step[t] + 1);
    }
    float decay = (float)(sgdi_trainer_weight_decay(tr) * present / (double)batch);
    const int64_t n = tr->params;
    float *grad = tr->grad;
    if (decay != 0.0f) {
        SGDI_PARAMETER_LOOP(n)
        for (int64_t i = 0; i < n; i++) grad[i] += decay * theta[i];
    }
    sgdi_solver_step(&tr->solver, t, tr->schedule.lr[t], theta, state, tr->grad);
    // Running statistics (BatchNormalization) follow the batch, not the gradient: the
    // solver left them alone (their multiplier is 0) and they move here.
    if (tr->has_state_ops) sgdi_exec_update_state(&tr->exec, &pass, theta);
    return SGDI_OK;
}

// --- Runs and checkpoints ------------------------------------------------------------

sgdi_status sgdi_checkpoints_init(sgdi_checkpoints *ckpt, const sgdi_trainer *tr, sgdi_error *err) {
    memset(ckpt, 0, sizeof *ckpt);
    int64_t steps = tr->schedule.steps, p = tr->params;
    ckpt->width = p + tr->state_size;
    double ratio = (double)ckpt->width / (double)p;
    ckpt->interval = (int64_t)ceil(sqrt((double)steps * ratio));
    if (ckpt->interval < 1) ckpt->interval = 1;
    ckpt->count = (steps + ckpt->interval - 1) / ckpt->interval;
    int64_t floats;
    if (!sgdi_mul_i64(ckpt->count, ckpt->width, &floats) ||
        !(ckpt->data = sgdi_alloc_array(floats, sizeof(float))))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for %lld checkpoints",
                         (long long)ckpt->count);
    return SGDI_OK;
}

void sgdi_checkpoints_free(sgdi_checkpoints *ckpt) {
    if (!ckpt) return;
    free(ckpt->data);
    memset(ckpt, 0, sizeof *ckpt);
}

sgdi_status sgdi_trainer_run(sgdi_trainer *tr, int64_t t_begin, int64_t t_end, float *theta,
                             float *state, int64_t excluded, sgdi_checkpoints *ckpt,
                             sgdi_error *err) {
    for (int64_t t = t_begin; t < t_end; t++) {
        if (ckpt && t % ckpt->interval == 0) {
            float *dst = ckpt->data + (t / ckpt->interval) * ckpt->width;
            memcpy(dst, theta, (size_t)tr->params * sizeof(float));
            if (tr->state_size)
                memcpy(dst + tr->params, state, (size_t)tr->state_size * sizeof(float));
        }
        sgdi_status st = sgdi_trainer_step(tr, t, theta, state, excluded, err);
        if (st != SGDI_OK) return st;
        sgdi_progress_advance(tr->progress, 1);
    }
    return SGDI_OK;
}

// --- Evaluation ----------------------------------------------------------------------

sgdi_status sgdi_evaluate(sgdi_trainer *tr, const sgdi_dataset *ds, const float *theta,
                          double *loss, float *grad, sgdi_error *err) {
    int64_t n = sgdi_dataset_rows(ds), b = tr->exec.max_batch;
    double sum = 0.0;
    uint64_t version = sgdi_exec_theta_version(&tr->exec); // one theta for every batch
    if (grad) memset(grad, 0, (size_t)tr->params * sizeof(float));
    int64_t *rows = sgdi_alloc_array(b, sizeof *rows);
    if (!rows) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for an evaluation batch");
    for (int64_t first = 0; first < n; first += b) {
        int64_t batch = first + b <= n ? b : n - first;
        for (int64_t i = 0; i < batch; i++) rows[i] = first + i;
        sgdi_status st =
            sgdi_dataset_gather(ds, rows, batch, input_shape(tr), tr->x, tr->target, err);
        if (st != SGDI_OK) {
            free(rows);
            return st;
        }
        sgdi_pass pass = {.batch = batch,
                          .x = tr->x,
                          .target = tr->target,
                          .scale = 1.0 / (double)n,
                          .theta = theta,
                          .grad = grad,
                          .sample_loss = tr->sample_loss,
                          .theta_version = version,
                          .ctx = {.seed = tr->seed, .training = false}};
        sgdi_exec_forward(&tr->exec, &pass);
        if (grad) sgdi_exec_backward(&tr->exec, &pass);
        for (int64_t i = 0; i < batch; i++) sum += tr->sample_loss[i];
    }
    free(rows);
    *loss = sum / (double)n;
    if (!isfinite(*loss))
        return sgdi_fail(err, SGDI_ERR_NUMERIC,
                         "the validation loss is not finite at the end of training; "
                         "try a smaller --lr");
    return SGDI_OK;
}
