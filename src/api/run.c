/*
 * run.c — sgdi_run: for each trial, train (keeping checkpoints for method
 * all), score every row by walking training backwards, and for trial 0 run
 * the leave-one-out self-check if asked. Also the result's accessors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/result.h"
#include "api/setup.h"
#include "data/dataset.h"
#include "graph/builtin.h"
#include "influence/estimator.h"
#include "influence/stats.h"
#include "influence/validate.h"
#include "model/model.h"
#include "model/save.h"
#include "train/predict.h"
#include "train/trainer.h"
#include "util/error.h"

// Above this growth of the adjoint from the last step back to the first, the
// early steps' scores outweigh the late ones a thousandfold: the ranking is
// dominated by the blow-up of the recursion (eta * lambda_max(H) > 2), not by
// the rows.
static const double DIVERGENCE_GROWTH = 1e3;

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// --- The self-check ------------------------------------------------------------------

static sgdi_status self_check(sgdi_result *res, sgdi_trainer *tr, const sgdi_dataset *val,
                              const sgdi_estimate_request *req, const float *theta0,
                              const double *scores, sgdi_error *err) {
    const sgdi_options *opt = &res->options;
    int64_t n = res->rows, count = opt->validate < n ? opt->validate : n;
    bool own_paper = opt->hessian == SGDI_HESSIAN_PAPER;
    res->validation_rows = sgdi_alloc_array(count, sizeof(int64_t));
    res->validation_actual = sgdi_alloc_array(count, sizeof(double));
    res->validation_estimated = sgdi_alloc_array(count, sizeof(double));
    res->validation_paper = own_paper ? NULL : sgdi_alloc_array(count, sizeof(double));
    double *paper_scores = own_paper ? NULL : sgdi_calloc_array(n, sizeof(double));
    sgdi_status st = SGDI_OK;
    if (!res->validation_rows || !res->validation_actual || !res->validation_estimated ||
        (!own_paper && (!res->validation_paper || !paper_scores))) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the self-check");
        goto done;
    }
    st = sgdi_validation_rows(scores, n, count, opt->seed, res->validation_rows, err);
    if (st != SGDI_OK) goto done;
    if (!own_paper) {
        sgdi_estimate_request paper = *req;
        paper.hessian = SGDI_HESSIAN_PAPER;
        double growth;
        st = sgdi_estimate(tr, &paper, paper_scores, &growth, err);
        if (st != SGDI_OK) goto done;
    }
    st = sgdi_leave_one_out(tr, val, theta0, res->val_loss, res->validation_rows, count,
                            res->validation_actual, err);
    if (st != SGDI_OK) goto done;

    sgdi_validation *v = &res->validation;
    for (int64_t k = 0; k < count; k++) {
        int64_t row = res->validation_rows[k];
        res->validation_estimated[k] = scores[row];
        if (paper_scores) res->validation_paper[k] = paper_scores[row];
    }
    *v = (sgdi_validation){.count = count,
                           .rows = res->validation_rows,
                           .actual = res->validation_actual,
                           .estimated = res->validation_estimated,
                           .paper = res->validation_paper};
    v->kendall_tau = sgdi_kendall_tau(v->actual, v->estimated, count);
    v->pearson_r = sgdi_pearson_r(v->actual, v->estimated, count);
    const double *paper_est = own_paper ? v->estimated : v->paper;
    v->paper_kendall_tau = sgdi_kendall_tau(v->actual, paper_est, count);
    v->paper_pearson_r = sgdi_pearson_r(v->actual, paper_est, count);
    res->has_validation = true;
done:
    free(paper_scores);
    return st;
}

// --- One trial -----------------------------------------------------------------------

// The final model's class and its probability for every training row, which the sidecar
// and the report show; left NULL when the loss is not over classes.
static sgdi_status predict_training_rows(sgdi_result *res, sgdi_trainer *tr,
                                         const sgdi_dataset *train, const float *theta,
                                         sgdi_error *err) {
    int64_t n = res->rows;
    sgdi_prediction_summary fit = {0};
    res->predictions = sgdi_alloc_array(n, sizeof *res->predictions);
    res->prediction_confidence = sgdi_alloc_array(n, sizeof *res->prediction_confidence);
    if (!res->predictions || !res->prediction_confidence)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for %lld predictions", (long long)n);
    sgdi_status st =
        sgdi_predict(tr, train, theta, res->predictions, res->prediction_confidence, &fit, err);
    if (st != SGDI_OK || !fit.has_accuracy) {
        free(res->predictions);
        free(res->prediction_confidence);
        res->predictions = NULL;
        res->prediction_confidence = NULL;
    }
    return st;
}

static sgdi_status run_trial(sgdi_result *res, const sgdi_train_plan *plan,
                             const float *model_theta0, const sgdi_dataset *train,
                             const sgdi_dataset *val, int trial, sgdi_progress_counter *pc,
                             sgdi_error *err) {
    const sgdi_options *opt = &res->options;
    const sgdi_graph *g = plan->graph;
    int64_t p = g->n_params, n = res->rows;
    sgdi_trainer tr;
    sgdi_checkpoints ckpt = {0};
    sgdi_status st = sgdi_trainer_init(&tr, opt, plan, train, opt->seed + (uint64_t)trial, err);
    if (st != SGDI_OK) return st;
    tr.progress = pc;
    pc->state.trial = trial;
    float *theta0 = sgdi_alloc_array(p, sizeof(float));
    float *theta = sgdi_alloc_array(p, sizeof(float));
    float *val_grad = sgdi_alloc_array(p, sizeof(float));
    float *state = tr.state_size ? sgdi_alloc_array(tr.state_size, sizeof(float)) : NULL;
    if (!theta0 || !theta || !val_grad || (tr.state_size && !state)) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for %lld parameters", (long long)p);
        goto done;
    }
    if (model_theta0)
        memcpy(theta0, model_theta0, (size_t)p * sizeof(float));
    else
        sgdi_init_parameters(g, tr.seed, theta0);
    memcpy(theta, theta0, (size_t)p * sizeof(float));
    sgdi_trainer_initial_state(&tr, state);
    if (opt->method == SGDI_METHOD_ALL && (st = sgdi_checkpoints_init(&ckpt, &tr, err)) != SGDI_OK)
        goto done;

    double t0 = seconds_now();
    sgdi_progress_phase(pc, SGDI_PHASE_TRAIN);
    st = sgdi_trainer_run(&tr, 0, tr.schedule.steps, theta, state, -1,
                          opt->method == SGDI_METHOD_ALL ? &ckpt : NULL, err);
    double val_loss = 0.0;
    if (st == SGDI_OK) st = sgdi_evaluate(&tr, val, theta, &val_loss, val_grad, err);
    double t1 = seconds_now();
    res->train_seconds += t1 - t0;
    if (st != SGDI_OK) goto done;

    sgdi_estimate_request req = {.method = opt->method,
                                 .hessian = opt->hessian,
                                 .checkpoints = &ckpt,
                                 .theta_final = theta,
                                 .state_final = state,
                                 .val_grad = val_grad};
    double *scores = res->trial_scores + (int64_t)trial * n, growth = 1.0;
    st = sgdi_estimate(&tr, &req, scores, &growth, err);
    res->score_seconds += seconds_now() - t1;
    if (st != SGDI_OK) goto done;

    if (trial == 0) {
        res->val_loss = val_loss;
        res->adjoint_growth = growth;
        res->diverged = !(growth <= DIVERGENCE_GROWTH);
        memcpy(res->initial_parameters, theta0, (size_t)p * sizeof(float));
        memcpy(res->final_parameters, theta, (size_t)p * sizeof(float));
        if ((st = predict_training_rows(res, &tr, train, theta, err)) != SGDI_OK) goto done;
        if (opt->validate > 0) st = self_check(res, &tr, val, &req, theta0, scores, err);
        res->trace = tr.schedule; // the result keeps trial 0's record
        memset(&tr.schedule, 0, sizeof tr.schedule);
    }
done:
    free(theta0);
    free(theta);
    free(val_grad);
    free(state);
    sgdi_checkpoints_free(&ckpt);
    sgdi_trainer_free(&tr);
    return st;
}

// --- sgdi_run ------------------------------------------------------------------------

// Units of work reported through the progress callback: one per training,
// replayed or scored step.
static int64_t work_units(const sgdi_options *opt, int64_t steps, int64_t last_epoch_steps,
                          int64_t rows) {
    int64_t score = opt->method == SGDI_METHOD_ALL ? 2 * steps : last_epoch_steps;
    int64_t total = opt->trials * (steps + score);
    if (opt->validate > 0) {
        int64_t count = opt->validate < rows ? opt->validate : rows;
        total += count * steps + (opt->hessian == SGDI_HESSIAN_PAPER ? 0 : score);
    }
    return total;
}

sgdi_status sgdi_run(const sgdi_options *opt, const sgdi_dataset *train, const sgdi_dataset *val,
                     sgdi_progress_fn progress, void *progress_user, sgdi_result **out,
                     sgdi_error *err) {
    double start = seconds_now();
    *out = NULL;
    if (!opt || !train || !val) return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_run: NULL argument");
    sgdi_status st = sgdi_dataset_check_compatible(train, val, err);
    if (st != SGDI_OK) return st;
    sgdi_setup setup;
    if ((st = sgdi_setup_init(&setup, opt, train, err)) != SGDI_OK) {
        sgdi_setup_free(&setup);
        return st;
    }
    const sgdi_graph *g = setup.plan.graph;
    sgdi_result *res = calloc(1, sizeof *res);
    if (!res) {
        sgdi_setup_free(&setup);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    }
    res->options = setup.opt;
    opt = &res->options; // with "auto" (and a model's solver) resolved
    res->rows = sgdi_dataset_rows(train);
    res->features = sgdi_dataset_features(train);
    res->classes = sgdi_dataset_classes(train);
    res->train = train; // for sgdi_result_write_csv: an image dataset's file names
    res->input_shape = g->vars[g->input_var].shape;
    // The validation set too must give samples of the network's input shape.
    if ((st = sgdi_dataset_check_shape(val, res->input_shape, err)) != SGDI_OK) goto fail;
    res->parameters = g->n_params;
    int64_t per_epoch = (res->rows + opt->batch_size - 1) / opt->batch_size;
    res->steps = per_epoch * opt->epochs;
    res->scores = sgdi_calloc_array(res->rows, sizeof(double));
    res->trial_scores = sgdi_calloc_array(res->rows * opt->trials, sizeof(double));
    res->initial_parameters = sgdi_alloc_array(res->parameters, sizeof(float));
    res->final_parameters = sgdi_alloc_array(res->parameters, sizeof(float));
    if (!res->scores || !res->trial_scores || !res->initial_parameters || !res->final_parameters) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for %lld scores", (long long)res->rows);
        goto fail;
    }
    sgdi_setup_threads(&setup);

    sgdi_progress_counter pc = {.fn = progress, .user = progress_user};
    pc.state.trials = opt->trials;
    pc.state.total = work_units(opt, res->steps, per_epoch, res->rows);
    for (int k = 0; k < opt->trials; k++)
        if ((st = run_trial(res, &setup.plan, setup.theta0, train, val, k, &pc, err)) != SGDI_OK)
            goto fail;
    for (int64_t i = 0; i < res->rows; i++) {
        double sum = 0.0;
        for (int k = 0; k < opt->trials; k++) sum += res->trial_scores[(int64_t)k * res->rows + i];
        res->scores[i] = sum / opt->trials;
    }
    sgdi_setup_free(&setup);
    res->seconds = seconds_now() - start;
    *out = res;
    return SGDI_OK;
fail:
    sgdi_setup_free(&setup);
    sgdi_result_free(res);
    return st;
}

// --- The result ----------------------------------------------------------------------

void sgdi_result_free(sgdi_result *res) {
    if (!res) return;
    free(res->scores);
    free(res->trial_scores);
    free(res->initial_parameters);
    free(res->final_parameters);
    free(res->predictions);
    free(res->prediction_confidence);
    sgdi_trace_free(&res->trace);
    free(res->validation_rows);
    free(res->validation_actual);
    free(res->validation_estimated);
    free(res->validation_paper);
    free(res);
}

const double *sgdi_result_scores(const sgdi_result *res) {
    return res->scores;
}
int64_t sgdi_result_rows(const sgdi_result *res) {
    return res->rows;
}
int64_t sgdi_result_steps(const sgdi_result *res) {
    return res->steps;
}
int64_t sgdi_result_parameters(const sgdi_result *res) {
    return res->parameters;
}
double sgdi_result_seconds(const sgdi_result *res) {
    return res->seconds;
}
double sgdi_result_val_loss(const sgdi_result *res) {
    return res->val_loss;
}
double sgdi_result_adjoint_growth(const sgdi_result *res) {
    return res->adjoint_growth;
}
int sgdi_result_diverged(const sgdi_result *res) {
    return res->diverged;
}
const sgdi_options *sgdi_result_options(const sgdi_result *res) {
    return &res->options;
}
const float *sgdi_result_initial_parameters(const sgdi_result *res) {
    return res->initial_parameters;
}
const sgdi_validation *sgdi_result_validation(const sgdi_result *res) {
    return res->has_validation ? &res->validation : NULL;
}

sgdi_status sgdi_result_write_model(const sgdi_result *res, const char *path, sgdi_error *err) {
    const sgdi_options *opt = &res->options;
    if (opt->model) return sgdi_model_write_loaded(opt->model, res->final_parameters, path, err);
    sgdi_graph g;
    sgdi_graph_init(&g);
    sgdi_status st = sgdi_build_network(opt, res->input_shape, res->classes, &g, err);
    if (st == SGDI_OK) st = sgdi_model_write_builtin(&g, opt, res->final_parameters, path, err);
    sgdi_graph_free(&g);
    return st;
}
