/*
 * test_engine.c — the engine end to end, below the CLI:
 *   - the executor's identities: the per-sample loss tangents sum to the
 *     directional derivative of the batch loss; H v is symmetric and matches
 *     finite differences of the gradient;
 *   - method all: replaying segments from checkpoints gives the same bits as
 *     checkpointing every step;
 *   - fidelity: on smooth models the estimate agrees with leave-one-out
 *     retraining (Kendall's tau, Pearson's r);
 *   - determinism: the same inputs give the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "graph/builtin.h"
#include "influence/estimator.h"
#include "test_support.h"
#include "train/trainer.h"
#include "util/error.h"

// --- A synthetic table -----------------------------------------------------------------

static double lcg(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * 0x1p-24;
}

// N rows of F standard-ish features; the label of a noisy linear model with C classes.
static sgdi_dataset *synthetic(int n, int f, int c, unsigned seed) {
    size_t cap = (size_t)(n + 1) * (size_t)(f + 1) * 24 + 64;
    char *csv = malloc(cap);
    size_t len = 0;
    for (int j = 0; j < f; j++) len += (size_t)snprintf(csv + len, cap - len, "x__%d,", j);
    len += (size_t)snprintf(csv + len, cap - len, "y\n");
    for (int i = 0; i < n; i++) {
        double score[8] = {0};
        for (int j = 0; j < f; j++) {
            double x = 2.0 * (lcg(&seed) + lcg(&seed) + lcg(&seed)) - 3.0;
            for (int k = 0; k < c; k++) score[k] += x * (((j + 2 * k) % 3) - 1.0);
            len += (size_t)snprintf(csv + len, cap - len, "%.6f,", x);
        }
        int label = 0;
        for (int k = 0; k < c; k++) {
            score[k] += 1.5 * (lcg(&seed) - 0.5);
            if (score[k] > score[label]) label = k;
        }
        len += (size_t)snprintf(csv + len, cap - len, "%d\n", label);
    }
    sgdi_dataset *ds = NULL;
    sgdi_error err;
    if (sgdi_dataset_load_csv_buffer(csv, len, "synthetic.csv", &ds, &err) != SGDI_OK)
        fprintf(stderr, "synthetic: %s\n", err.message);
    free(csv);
    return ds;
}

static sgdi_options base_options(void) {
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.batch_size = 8;
    opt.epochs = 3;
    opt.lr = 0.1;
    opt.weight_decay = 1e-3;
    return opt;
}

// --- Executor identities -------------------------------------------------------------

typedef struct fixture {
    sgdi_options opt;
    sgdi_dataset *train;
    sgdi_graph graph;
    sgdi_trainer tr;
    float *theta, *v, *u, *grad, *hv, *hu;
} fixture;

static void fixture_init(fixture *fx, sgdi_network net, sgdi_activation act) {
    memset(fx, 0, sizeof *fx);
    fx->opt = base_options();
    fx->opt.network = net;
    fx->opt.activation = act;
    fx->opt.dropout = 0.3;
    fx->train = synthetic(40, 5, 3, 7u);
    sgdi_graph_init(&fx->graph);
    sgdi_error err;
    CHECK(sgdi_build_network(&fx->opt, sgdi_shape1(5), 3, &fx->graph, &err) == SGDI_OK);
    sgdi_train_plan plan = {.graph = &fx->graph};
    CHECK(sgdi_trainer_init(&fx->tr, &fx->opt, &plan, fx->train, 11, &err) == SGDI_OK);
    int64_t p = fx->graph.n_params;
    float **bufs[] = {&fx->theta, &fx->v, &fx->u, &fx->grad, &fx->hv, &fx->hu};
    for (size_t k = 0; k < sizeof bufs / sizeof *bufs; k++) *bufs[k] = calloc((size_t)p, 4);
    sgdi_init_parameters(&fx->graph, 11, fx->theta);
    unsigned s = 99u;
    for (int64_t i = 0; i < p; i++) {
        fx->theta[i] += (float)(0.3 * (lcg(&s) - 0.5)); // non-zero biases too
        fx->v[i] = (float)(lcg(&s) - 0.5);
        fx->u[i] = (float)(lcg(&s) - 0.5);
    }
}

static void fixture_free(fixture *fx) {
    sgdi_trainer_free(&fx->tr);
    sgdi_graph_free(&fx->graph);
    sgdi_dataset_free(fx->train);
    float *bufs[] = {fx->theta, fx->v, fx->u, fx->grad, fx->hv, fx->hu};
    for (size_t k = 0; k < sizeof bufs / sizeof *bufs; k++) free(bufs[k]);
}

// Gradient (and H dir if hvp) of the mean batch loss of step 0 at theta.
static void batch_pass(fixture *fx, const float *theta, const float *dir, float *grad, float *hvp,
                       double *tangents) {
    int64_t batch = 0, p = fx->graph.n_params;
    CHECK(sgdi_trainer_load_batch(&fx->tr, 0, -1, &batch, NULL) == SGDI_OK);
    if (grad) memset(grad, 0, (size_t)p * 4);
    if (hvp) memset(hvp, 0, (size_t)p * 4);
    sgdi_pass pass = {.batch = batch,
                      .x = fx->tr.x,
                      .target = fx->tr.target,
                      .scale = 1.0 / (double)batch,
                      .theta = theta,
                      .direction = dir,
                      .grad = grad,
                      .hvp = hvp,
                      .sample_tangent = tangents,
                      .ctx = sgdi_trainer_ctx(&fx->tr, 0)};
    sgdi_exec_forward(&fx->tr.exec, &pass);
    if (grad || hvp) sgdi_exec_backward(&fx->tr.exec, &pass);
}

static double dot(const float *a, const float *b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static void check_identities(sgdi_network net, sgdi_activation act) {
    fixture fx;
    fixture_init(&fx, net, act);
    int64_t p = fx.graph.n_params, b = fx.opt.batch_size;
    double tangents[64];
    // sum_i l_i' / B == <grad L, v>
    batch_pass(&fx, fx.theta, fx.v, fx.grad, NULL, tangents);
    double sum = 0;
    for (int64_t i = 0; i < b; i++) sum += tangents[i] / (double)b;
    double gv = dot(fx.grad, fx.v, p);
    CHECK_MSG(fabs(sum - gv) <= 1e-5 * (1 + fabs(gv)), "tangent sum %.9g vs <g,v> %.9g", sum, gv);
    // u.Hv == v.Hu
    batch_pass(&fx, fx.theta, fx.v, NULL, fx.hv, NULL);
    batch_pass(&fx, fx.theta, fx.u, NULL, fx.hu, NULL);
    double uhv = dot(fx.u, fx.hv, p), vhu = dot(fx.v, fx.hu, p);
    CHECK_MSG(fabs(uhv - vhu) <= 1e-4 * (1 + fabs(uhv)), "u.Hv %.9g vs v.Hu %.9g", uhv, vhu);
    // Hv == (g(theta + e v) - g(theta - e v)) / 2e, to float accuracy.
    const float eps = 1e-2f;
    float *tp = calloc((size_t)p, 4), *gp = calloc((size_t)p, 4), *gm = calloc((size_t)p, 4);
    for (int64_t i = 0; i < p; i++) tp[i] = fx.theta[i] + eps * fx.v[i];
    batch_pass(&fx, tp, NULL, gp, NULL, NULL);
    for (int64_t i = 0; i < p; i++) tp[i] = fx.theta[i] - eps * fx.v[i];
    batch_pass(&fx, tp, NULL, gm, NULL, NULL);
    double err2 = 0, ref2 = 0;
    for (int64_t i = 0; i < p; i++) {
        double fd = ((double)gp[i] - gm[i]) / (2.0 * eps);
        err2 += (fd - fx.hv[i]) * (fd - fx.hv[i]);
        ref2 += fd * fd;
    }
    CHECK_MSG(sqrt(err2) <= 2e-2 * sqrt(ref2) + 1e-6, "|Hv - fd| = %.3g, |fd| = %.3g", sqrt(err2),
              sqrt(ref2));
    free(tp);
    free(gp);
    free(gm);
    fixture_free(&fx);
}

static void test_identities_logreg(void) {
    check_identities(SGDI_NETWORK_LOGREG, SGDI_ACT_TANH);
}
static void test_identities_mlp_tanh(void) {
    check_identities(SGDI_NETWORK_MLP, SGDI_ACT_TANH);
}
static void test_identities_mlp_elu(void) {
    check_identities(SGDI_NETWORK_MLP, SGDI_ACT_ELU);
}

// --- Replay from checkpoints ---------------------------------------------------------

// Scores of method all with checkpoints every `interval` steps (0 = the default).
static void all_scores(sgdi_solver_kind solver, int64_t interval, double *scores) {
    fixture fx;
    fixture_init(&fx, SGDI_NETWORK_MLP, SGDI_ACT_TANH);
    fx.opt.solver = solver;
    sgdi_error err;
    sgdi_checkpoints ckpt;
    CHECK(sgdi_checkpoints_init(&ckpt, &fx.tr, &err) == SGDI_OK);
    if (interval > 0) {
        free(ckpt.data);
        ckpt.interval = interval;
        ckpt.count = (fx.tr.schedule.steps + interval - 1) / interval;
        ckpt.data = malloc((size_t)(ckpt.count * ckpt.width) * 4);
    }
    int64_t p = fx.graph.n_params;
    float *state = calloc((size_t)p, 4), *val_grad = calloc((size_t)p, 4);
    sgdi_init_parameters(&fx.graph, 11, fx.theta);
    CHECK(sgdi_trainer_run(&fx.tr, 0, fx.tr.schedule.steps, fx.theta, state, -1, &ckpt, &err) ==
          SGDI_OK);
    double loss;
    CHECK(sgdi_evaluate(&fx.tr, fx.train, fx.theta, &loss, val_grad, &err) == SGDI_OK);
    sgdi_estimate_request req = {.method = SGDI_METHOD_ALL,
                                 .hessian = SGDI_HESSIAN_PAPER,
                                 .checkpoints = &ckpt,
                                 .theta_final = fx.theta,
                                 .val_grad = val_grad};
    double growth;
    memset(scores, 0, 40 * sizeof *scores);
    CHECK(sgdi_estimate(&fx.tr, &req, scores, &growth, &err) == SGDI_OK);
    free(state);
    free(val_grad);
    sgdi_checkpoints_free(&ckpt);
    fixture_free(&fx);
}

static void check_replay(sgdi_solver_kind solver) {
    double every_step[40], default_interval[40], odd_interval[40];
    all_scores(solver, 1, every_step);
    all_scores(solver, 0, default_interval);
    all_scores(solver, 7, odd_interval);
    CHECK(memcmp(every_step, default_interval, sizeof every_step) == 0);
    CHECK(memcmp(every_step, odd_interval, sizeof every_step) == 0);
    double norm = 0;
    for (int i = 0; i < 40; i++) norm += fabs(every_step[i]);
    CHECK(norm > 0);
}

static void test_replay_sgd(void) {
    check_replay(SGDI_SOLVER_SGD);
}
static void test_replay_nesterov(void) {
    check_replay(SGDI_SOLVER_NESTEROV);
}

// --- Fidelity against leave-one-out retraining --------------------------------------

static const sgdi_validation *run_validated(sgdi_options *opt, sgdi_result **res) {
    sgdi_dataset *train = synthetic(64, 6, 3, 3u), *val = synthetic(48, 6, 3, 5u);
    sgdi_error err;
    opt->validate = 64;
    *res = NULL;
    if (sgdi_run(opt, train, val, NULL, NULL, res, &err) != SGDI_OK)
        fprintf(stderr, "sgdi_run: %s\n", err.message);
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);
    return *res ? sgdi_result_validation(*res) : NULL;
}

static void check_fidelity(sgdi_network net, sgdi_solver_kind solver, sgdi_method method,
                           double min_tau, double min_r) {
    sgdi_options opt = base_options();
    opt.network = net;
    opt.activation = SGDI_ACT_TANH;
    opt.dropout = 0.2;
    opt.solver = solver;
    opt.method = method;
    opt.hessian = SGDI_HESSIAN_PAPER;
    opt.epochs = 4;
    opt.lr = solver == SGDI_SOLVER_SGD ? 0.05 : 0.01; // momentum 0.9: an effective step of 0.1
    sgdi_result *res;
    const sgdi_validation *v = run_validated(&opt, &res);
    CHECK(v != NULL);
    if (v) {
        fprintf(stderr, "  %s/%s/%s: tau %.3f r %.3f\n", sgdi_network_name(net),
                sgdi_solver_name(solver), sgdi_method_name(method), v->kendall_tau, v->pearson_r);
        CHECK_MSG(v->count == 64, "%lld rows", (long long)v->count);
        CHECK_MSG(v->kendall_tau >= min_tau, "tau %.3f < %.2f", v->kendall_tau, min_tau);
        CHECK_MSG(v->pearson_r >= min_r, "r %.3f < %.2f", v->pearson_r, min_r);
        CHECK(v->paper == NULL && v->kendall_tau == v->paper_kendall_tau);
    }
    sgdi_result_free(res);
}

static void test_fidelity_logreg_sgd(void) {
    check_fidelity(SGDI_NETWORK_LOGREG, SGDI_SOLVER_SGD, SGDI_METHOD_ALL, 0.9, 0.95);
}
static void test_fidelity_logreg_momentum(void) {
    check_fidelity(SGDI_NETWORK_LOGREG, SGDI_SOLVER_MOMENTUM, SGDI_METHOD_ALL, 0.9, 0.95);
}
static void test_fidelity_logreg_nesterov(void) {
    check_fidelity(SGDI_NETWORK_LOGREG, SGDI_SOLVER_NESTEROV, SGDI_METHOD_ALL, 0.9, 0.95);
}
static void test_fidelity_mlp_dropout(void) {
    check_fidelity(SGDI_NETWORK_MLP, SGDI_SOLVER_MOMENTUM, SGDI_METHOD_ALL, 0.7, 0.9);
}

// --- Determinism ---------------------------------------------------------------------

static void test_deterministic(void) {
    sgdi_dataset *train = synthetic(50, 4, 2, 21u), *val = synthetic(30, 4, 2, 22u);
    sgdi_options opt = base_options();
    opt.trials = 2;
    sgdi_result *a = NULL, *b = NULL, *c = NULL;
    sgdi_error err;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &a, &err) == SGDI_OK);
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &b, &err) == SGDI_OK);
    opt.seed = 1;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &c, &err) == SGDI_OK);
    if (a && b && c) {
        CHECK(memcmp(sgdi_result_scores(a), sgdi_result_scores(b), 50 * sizeof(double)) == 0);
        CHECK(memcmp(sgdi_result_scores(a), sgdi_result_scores(c), 50 * sizeof(double)) != 0);
    }
    sgdi_result_free(a);
    sgdi_result_free(b);
    sgdi_result_free(c);
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);
}

static void test_bad_options(void) {
    sgdi_dataset *train = synthetic(20, 3, 2, 1u), *val = synthetic(10, 3, 2, 2u);
    sgdi_options opt = base_options();
    opt.batch_size = 0;
    sgdi_result *res = NULL;
    sgdi_error err;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &res, &err) == SGDI_ERR_INVALID);
    CHECK(res == NULL && strstr(err.message, "batch") != NULL);
    opt = base_options();
    opt.lr = 1e30; // diverges
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &res, &err) == SGDI_ERR_NUMERIC);
    CHECK(res == NULL && strstr(err.message, "--lr") != NULL);
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);
}

// The built-in CNN's executor reused for a second batch gives the same bytes as a fresh
// executor: adjoint buffers that a first writer assigns instead of adding into
// (assigns_fresh_adjoint) must never show the previous pass's values, in a training pass
// (gradient) or a scoring pass (tangents and H v), whichever ran before.
static void cnn_pass(sgdi_exec *ex, const sgdi_graph *g, const float *x, const float *y,
                     const float *theta, const float *v, bool score, float *grad, float *hvp,
                     double *tangent) {
    enum { BATCH = 6 };
    static const int64_t rows[BATCH] = {0, 1, 2, 3, 4, 5};
    int64_t p = g->n_params;
    memset(grad, 0, (size_t)p * sizeof *grad);
    memset(hvp, 0, (size_t)p * sizeof *hvp);
    sgdi_pass pass = {.batch = BATCH,
                      .x = x,
                      .target = y,
                      .scale = 1.0 / BATCH,
                      .theta = theta,
                      .direction = score ? v : NULL,
                      .grad = grad,
                      .hvp = score ? hvp : NULL,
                      .sample_tangent = score ? tangent : NULL,
                      .ctx = {.seed = 1, .rows = rows, .training = true}};
    sgdi_exec_forward(ex, &pass);
    sgdi_exec_backward(ex, &pass);
}

// The small built-in CNN both tests below run (3 blocks of 4, 6, 8 maps on 12x12
// pictures, 3 classes) and two executors of it for batches of 6.
enum { CNN_BATCH = 6, CNN_SIDE = 12, CNN_CLASSES = 3 };
static void small_cnn(sgdi_graph *g, sgdi_exec *a, sgdi_exec *b) {
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.network = SGDI_NETWORK_CNN;
    opt.channels[0] = 4, opt.channels[1] = 6, opt.channels[2] = 8, opt.n_blocks = 3;
    sgdi_shape sample = {3, {1, CNN_SIDE, CNN_SIDE}};
    sgdi_graph_init(g);
    sgdi_error err;
    CHECK(sgdi_build_network(&opt, sample, CNN_CLASSES, g, &err) == SGDI_OK);
    CHECK(sgdi_exec_init(a, g, CNN_BATCH, &err) == SGDI_OK);
    CHECK(sgdi_exec_init(b, g, CNN_BATCH, &err) == SGDI_OK);
}

static void test_cnn_buffers_reused(void) {
    enum { BATCH = CNN_BATCH, SIDE = CNN_SIDE };
    sgdi_graph g;
    sgdi_exec used, fresh;
    small_cnn(&g, &used, &fresh);
    int64_t p = g.n_params, n = BATCH * SIDE * SIDE;
    float *theta = malloc((size_t)p * 4), *v = malloc((size_t)p * 4), *buf = malloc((size_t)p * 16);
    float *xa = malloc((size_t)n * 4), *xb = malloc((size_t)n * 4);
    float ya[BATCH] = {0, 1, 2, 0, 1, 2}, yb[BATCH] = {2, 2, 1, 1, 0, 0};
    double ta[BATCH], tb[BATCH];
    unsigned st = 99;
    sgdi_init_parameters(&g, 3, theta);
    for (int64_t i = 0; i < p; i++) v[i] = (float)(lcg(&st) - 0.5);
    for (int64_t i = 0; i < n; i++) xa[i] = (float)lcg(&st), xb[i] = (float)(2 * lcg(&st) - 1);
    float *g1 = buf, *h1 = buf + p, *g2 = buf + 2 * p, *h2 = buf + 3 * p;
    for (int order = 0; order < 4; order++) { // what ran first: train or score; then which
        bool first_score = order & 1, second_score = order & 2;
        cnn_pass(&used, &g, xa, ya, theta, v, first_score, g1, h1, ta);
        cnn_pass(&used, &g, xb, yb, theta, v, second_score, g1, h1, ta);
        cnn_pass(&fresh, &g, xb, yb, theta, v, second_score, g2, h2, tb);
        CHECK_MSG(memcmp(g1, g2, (size_t)p * 4) == 0, "order %d: gradient differs", order);
        CHECK_MSG(!second_score || memcmp(h1, h2, (size_t)p * 4) == 0, "order %d: H v differs",
                  order);
        CHECK_MSG(!second_score || memcmp(ta, tb, sizeof ta) == 0, "order %d: tangents differ",
                  order);
    }
    free(theta), free(v), free(buf), free(xa), free(xb);
    sgdi_exec_free(&used);
    sgdi_exec_free(&fresh);
    sgdi_graph_free(&g);
}

// The executor fuses each BatchNormalization and each MaxPooling with the ReLU after it
// (three pairs of each in the CNN, whose middle variables get no buffers) and gives the
// unfused graph's bytes: losses, gradient, Hessian-vector product and tangents of a
// training and a scoring pass, with a sample left out by its weight (BatchNormalization's
// weighted statistics). The ReLUs after the poolings cut some maxima: the fused kink is
// tested.
static void test_cnn_fused_same_bytes(void) {
    enum { BATCH = CNN_BATCH, SIDE = CNN_SIDE };
    sgdi_graph g;
    sgdi_exec fused, plain;
    small_cnn(&g, &fused, &plain);
    sgdi_exec_free(&plain);
    sgdi_error err;
    CHECK(sgdi_exec_init_fused(&plain, &g, BATCH, false, &err) == SGDI_OK);
    int bn_pairs = 0, pool_pairs = 0, elided = 0;
    for (int k = 0; k < g.n_nodes; k++) {
        CHECK(!plain.skip[k] && plain.nodes[k].op == g.nodes[k].op);
        if (!fused.skip[k]) continue;
        sgdi_op_kind head = fused.nodes[k - 1].op;
        bn_pairs += head == SGDI_OP_BATCH_NORMALIZATION_RELU;
        pool_pairs += head == SGDI_OP_MAX_POOLING_RELU;
        CHECK(g.nodes[k].op == SGDI_OP_RELU && fused.nodes[k - 1].out[0] == g.nodes[k].out[0]);
    }
    for (int v = 0; v < g.n_vars; v++) elided += fused.elided[v] && !fused.val[v];
    CHECK_MSG(bn_pairs == 3 && pool_pairs == 3 && elided == 6,
              "%d BatchNormalization+ReLU, %d MaxPooling+ReLU, %d variables elided", bn_pairs,
              pool_pairs, elided);
    int64_t p = g.n_params, n = BATCH * SIDE * SIDE;
    float *theta = malloc((size_t)p * 4), *v = malloc((size_t)p * 4), *buf = malloc((size_t)p * 16);
    float *x = malloc((size_t)n * 4), y[BATCH] = {0, 1, 2, 0, 1, 2}, w[BATCH] = {1, 0, 1, 1, 1, 1};
    double loss[2][BATCH], tan[2][BATCH];
    static const int64_t rows[BATCH] = {0, 1, 2, 3, 4, 5};
    unsigned st = 17;
    sgdi_init_parameters(&g, 4, theta);
    for (int64_t i = 0; i < p; i++) v[i] = (float)(lcg(&st) - 0.5);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(2 * lcg(&st) - 1);
    for (int score = 0; score < 2; score++) {
        for (int k = 0; k < 2; k++) {
            sgdi_pass pass = {.batch = BATCH,
                              .x = x,
                              .target = y,
                              .weights = w,
                              .scale = 1.0 / BATCH,
                              .theta = theta,
                              .direction = score ? v : NULL,
                              .grad = buf + 2 * k * p,
                              .hvp = score ? buf + (2 * k + 1) * p : NULL,
                              .sample_loss = loss[k],
                              .sample_tangent = score ? tan[k] : NULL,
                              .ctx = {.seed = 1, .rows = rows, .training = true, .weights = w}};
            memset(buf + 2 * k * p, 0, (size_t)(2 * p) * sizeof *buf);
            sgdi_exec *ex = k == 0 ? &fused : &plain;
            sgdi_exec_forward(ex, &pass);
            sgdi_exec_backward(ex, &pass);
        }
        // the unfused graph's pooled maps, which the fused executor never holds
        int64_t pooled = 0, cut = 0;
        for (int k = 0; k < g.n_nodes; k++) {
            if (g.nodes[k].op != SGDI_OP_MAX_POOLING) continue;
            int var = g.nodes[k].out[0];
            for (int64_t i = 0; i < g.vars[var].count * BATCH; i++) cut += plain.val[var][i] < 0;
            pooled += g.vars[var].count * BATCH;
        }
        CHECK_MSG(cut > 0 && cut < pooled, "score %d: %lld of %lld pooled values below 0", score,
                  (long long)cut, (long long)pooled);
        CHECK_MSG(memcmp(loss[0], loss[1], sizeof loss[0]) == 0, "score %d: losses differ", score);
        CHECK_MSG(memcmp(buf, buf + 2 * p, (size_t)(2 * p) * 4) == 0,
                  "score %d: gradient or H v differs", score);
        CHECK_MSG(!score || memcmp(tan[0], tan[1], sizeof tan[0]) == 0, "tangents differ");
    }
    free(theta), free(v), free(buf), free(x);
    sgdi_exec_free(&fused);
    sgdi_exec_free(&plain);
    sgdi_graph_free(&g);
}

// Passes at one theta with one parameter version keep the convolutions' transformed
// kernels between them (sgdi_pass.theta_version): they give the bytes of passes without a
// version, and a new version after theta changed (in the same buffer) derives afresh.
static void test_cnn_theta_version(void) {
    enum { BATCH = CNN_BATCH, SIDE = CNN_SIDE };
    sgdi_graph g;
    sgdi_exec cached, plain;
    small_cnn(&g, &cached, &plain);
    int64_t p = g.n_params, n = BATCH * SIDE * SIDE;
    float *theta = malloc((size_t)p * 4), *theta2 = malloc((size_t)p * 4);
    float *v = malloc((size_t)p * 4), *buf = malloc((size_t)p * 16);
    float *xa = malloc((size_t)n * 4), *xb = malloc((size_t)n * 4);
    float y[BATCH] = {0, 1, 2, 0, 1, 2};
    static const int64_t rows[BATCH] = {0, 1, 2, 3, 4, 5};
    double tan[2][BATCH];
    unsigned st = 5;
    sgdi_init_parameters(&g, 6, theta);
    sgdi_init_parameters(&g, 7, theta2);
    for (int64_t i = 0; i < p; i++) v[i] = (float)(lcg(&st) - 0.5);
    for (int64_t i = 0; i < n; i++) xa[i] = (float)lcg(&st), xb[i] = (float)(2 * lcg(&st) - 1);
    uint64_t first = 0;
    for (int round = 0; round < 3; round++) {
        // rounds 0 and 1: theta under one version; round 2: theta2 copied over it, a new one
        if (round == 2) memcpy(theta, theta2, (size_t)p * 4);
        uint64_t version = round == 1 ? first : sgdi_exec_theta_version(&cached);
        if (round == 0) first = version;
        CHECK(version != 0 && (round < 2 || version != first));
        for (int k = 0; k < 2; k++) {
            sgdi_pass pass = {.batch = BATCH,
                              .x = round == 0 ? xa : xb,
                              .target = y,
                              .scale = 1.0 / BATCH,
                              .theta = theta,
                              .direction = v,
                              .grad = buf + 2 * k * p,
                              .hvp = buf + (2 * k + 1) * p,
                              .sample_tangent = tan[k],
                              .theta_version = k == 0 ? version : 0,
                              .ctx = {.seed = 1, .rows = rows, .training = true}};
            memset(buf + 2 * k * p, 0, (size_t)(2 * p) * sizeof *buf);
            sgdi_exec *ex = k == 0 ? &cached : &plain;
            sgdi_exec_forward(ex, &pass);
            sgdi_exec_backward(ex, &pass);
        }
        CHECK_MSG(memcmp(buf, buf + 2 * p, (size_t)(2 * p) * 4) == 0,
                  "round %d: gradient or H v differs", round);
        CHECK_MSG(memcmp(tan[0], tan[1], sizeof tan[0]) == 0, "round %d: tangents differ", round);
        int kept = 0; // Winograd's layers hold both layouts of this version's kernels
        for (int k = 0; k < g.n_nodes; k++)
            kept += cached.caches[k].data && cached.caches[k].tag[0] == version &&
                    cached.caches[k].tag[1] == version;
        CHECK_MSG(kept > 0, "round %d: no convolution kept its kernels", round);
    }
    free(theta), free(theta2), free(v), free(buf), free(xa), free(xb);
    sgdi_exec_free(&cached);
    sgdi_exec_free(&plain);
    sgdi_graph_free(&g);
}

// A BatchNormalization or MaxPooling fuses with the ReLU after it only when that ReLU alone
// reads its output: read again (here by an Add2 beside the ReLU), the output needs its
// buffers and the two nodes run as themselves.
static void test_fusion_needs_the_only_reader(void) {
    for (int bn = 0; bn < 2; bn++)
        for (int read_again = 0; read_again < 2; read_again++) {
            sgdi_graph g;
            sgdi_error err;
            sgdi_graph_init(&g);
            g.input_var = sgdi_graph_add_data(&g, "x", (sgdi_shape){3, {2, 4, 4}}, &err);
            g.target_var = sgdi_graph_add_data(&g, "y", sgdi_shape1(1), &err);
            int x = g.input_var, head;
            if (bn) {
                int p[4];
                for (int k = 0; k < 4; k++) {
                    char name[16];
                    snprintf(name, sizeof name, "bn%d", k);
                    p[k] = sgdi_graph_add_param(&g, name, sgdi_shape4(1, 2, 1, 1), &err);
                }
                sgdi_op_attr norm = {.norm = {.decay_rate = 0.9, .eps = 1e-5, .batch_stat = true}};
                head = sgdi_graph_apply(&g, SGDI_OP_BATCH_NORMALIZATION, &norm,
                                        (int[]){x, p[0], p[1], p[2], p[3]}, 5, "head", &err);
            } else {
                sgdi_op_attr pool = {.window = {.ndim = 2,
                                                .kernel = {2, 2},
                                                .stride = {2, 2},
                                                .ignore_border = true,
                                                .including_pad = true}};
                head = sgdi_graph_apply(&g, SGDI_OP_MAX_POOLING, &pool, &x, 1, "head", &err);
            }
            sgdi_op_attr none = {0};
            int relu = sgdi_graph_apply(&g, SGDI_OP_RELU, &none, &head, 1, "relu", &err);
            int h = read_again ? sgdi_graph_apply(&g, SGDI_OP_ADD2, &none, (int[]){relu, head}, 2,
                                                  "add", &err)
                               : relu;
            int w = sgdi_graph_add_param(&g, "W", sgdi_shape2(g.vars[h].count, 3), &err);
            int z = sgdi_graph_apply(&g, SGDI_OP_AFFINE, &none, (int[]){h, w}, 2, "z", &err);
            g.loss_var = sgdi_graph_apply(&g, SGDI_OP_SOFTMAX_CROSS_ENTROPY, &none,
                                          (int[]){z, g.target_var}, 2, "loss", &err);
            CHECK(g.loss_var >= 0);
            sgdi_exec ex;
            CHECK(sgdi_exec_init(&ex, &g, 3, &err) == SGDI_OK);
            sgdi_op_kind fused = bn ? SGDI_OP_BATCH_NORMALIZATION_RELU : SGDI_OP_MAX_POOLING_RELU;
            bool fuses = !read_again;
            CHECK_MSG((ex.nodes[0].op == fused) == fuses && ex.skip[1] == fuses &&
                          ex.elided[head] == fuses && (ex.val[head] == NULL) == fuses,
                      "%s, read again %d: fused %d", bn ? "BatchNormalization" : "MaxPooling",
                      read_again, ex.nodes[0].op == fused);
            sgdi_exec_free(&ex);
            sgdi_graph_free(&g);
        }
}

// The executor's per-node clock (bench_cnn --layers) reads time and changes nothing else:
// the same bytes with it on, every node's slots non-negative, both sweeps timed, and a
// second pass adding to the first.
static void test_node_clock(void) {
    enum { BATCH = CNN_BATCH, SIDE = CNN_SIDE };
    sgdi_graph g;
    sgdi_exec plain, clocked;
    small_cnn(&g, &plain, &clocked);
    CHECK(plain.node_seconds == NULL);
    int64_t p = g.n_params, n = BATCH * SIDE * SIDE;
    float *theta = malloc((size_t)p * 4), *v = malloc((size_t)p * 4), *buf = malloc((size_t)p * 16);
    float *x = malloc((size_t)n * 4), y[BATCH] = {0, 1, 2, 0, 1, 2};
    double *seconds = calloc((size_t)(2 * g.n_nodes), sizeof *seconds), ta[BATCH], tb[BATCH];
    unsigned st = 5;
    sgdi_init_parameters(&g, 3, theta);
    for (int64_t i = 0; i < p; i++) v[i] = (float)(lcg(&st) - 0.5);
    for (int64_t i = 0; i < n; i++) x[i] = (float)lcg(&st);
    float *g1 = buf, *h1 = buf + p, *g2 = buf + 2 * p, *h2 = buf + 3 * p;
    clocked.node_seconds = seconds;
    cnn_pass(&plain, &g, x, y, theta, v, true, g1, h1, ta);
    cnn_pass(&clocked, &g, x, y, theta, v, true, g2, h2, tb);
    CHECK(memcmp(g1, g2, (size_t)p * 4) == 0 && memcmp(h1, h2, (size_t)p * 4) == 0);
    CHECK(memcmp(ta, tb, sizeof ta) == 0);
    double forward = 0, backward = 0;
    for (int k = 0; k < g.n_nodes; k++) {
        CHECK_MSG(seconds[k] >= 0 && seconds[g.n_nodes + k] >= 0, "node %d: negative time", k);
        forward += seconds[k], backward += seconds[g.n_nodes + k];
    }
    CHECK(forward > 0 && backward > 0);
    cnn_pass(&clocked, &g, x, y, theta, v, true, g2, h2, tb);
    double again = 0;
    for (int k = 0; k < 2 * g.n_nodes; k++) again += seconds[k];
    CHECK(again > forward + backward);
    free(theta), free(v), free(buf), free(x), free(seconds);
    sgdi_exec_free(&plain);
    sgdi_exec_free(&clocked);
    sgdi_graph_free(&g);
}

int main(void) {
    RUN(test_identities_logreg);
    RUN(test_identities_mlp_tanh);
    RUN(test_identities_mlp_elu);
    RUN(test_replay_sgd);
    RUN(test_replay_nesterov);
    RUN(test_fidelity_logreg_sgd);
    RUN(test_fidelity_logreg_momentum);
    RUN(test_fidelity_logreg_nesterov);
    RUN(test_fidelity_mlp_dropout);
    RUN(test_deterministic);
    RUN(test_cnn_buffers_reused);
    RUN(test_cnn_fused_same_bytes);
    RUN(test_cnn_theta_version);
    RUN(test_fusion_needs_the_only_reader);
    RUN(test_node_clock);
    RUN(test_bad_options);
    return sgdi_test_finish();
}
