/*
 * bench_cnn.c — the built-in CNN's training step and scoring step against the machine's
 * GEMM peak.
 *
 * Builds the built-in `cnn` (3 blocks of 32, 64, 128 maps) for (1, 28, 28) images and 10
 * classes, fills a batch with random pixels and labels, and times on it:
 *   train: sgdi_exec_forward + sgdi_exec_backward into the gradient (one SGD step's work)
 *   score: forward with a direction (tangent forward: every sample's <grad l_j, v>) +
 *          backward into H v (tangent backward), but not the gradient: as the estimator
 *          (src/influence/estimator.c) runs a scoring step of `--method last`: every
 *          step at the final parameters, under one parameter version (the convolutions
 *          keep those parameters' transformed kernels from one step to the next)
 *   predict: the forward alone in evaluation mode (running statistics), under one
 *          parameter version: a batch of the final model's predictions over the training
 *          set (src/train/predict.c), which every run makes for its sidecar and report
 * each the minimum over --reps runs (after one warm-up), so that a machine shared with
 * other work shows its best figure. It prints the executor's buffer sizes (its arena:
 * the shared adjoints, values and tangents), ms per step, samples/s, and the GFLOP/s of
 * the convolutions' products next to the machine's single-precision GEMM peak measured in
 * the same run: the better of one large cblas_sgemm (minimum time of three) and, on every
 * thread at once, the small in-cache products Winograd's layers run (src/ops/small_gemm.c,
 * libxsmm's JIT kernels). The two differ where OpenBLAS does not use the machine's widest
 * vectors: OpenBLAS 0.3.21 runs its AVX2 kernel on AVX-512 CPUs it does not know.
 *
 * What counts as convolution work: 2 FLOP per multiply-add of the GEMMs a convolution
 * node runs, i.e. per product `W cols(x)`, `W^T y_bar` (input adjoint) or
 * `y_bar cols(x)^T` (weight gradient) 2 * out_ch * (in_ch * 9) * out_size per sample.
 * Per node: forward 1 product; train 3 (forward, input adjoint, weight gradient), 2 for
 * the first layer, whose input x has no adjoint; score 8 (forward 1, tangent forward 2,
 * input adjoint 1, tangent backward 4: the input adjoint's tangent 2, the weight
 * gradient's tangent 2), 3 for the first layer (x has no tangent and no adjoint:
 * forward 1, W' cols(x) 1, the weight gradient's tangent 1). im2col, bias,
 * batch-norm, ReLU, pooling and the final Affine are not counted (they are time, not
 * FLOPs, here). Layers that take Winograd's F(4x4, 3x3) or F(2x2, 3x3)
 * (src/ops/winograd.c) multiply less: "effective" GFLOP/s counts the im2col work (what the
 * layer is worth), "products run" the GEMMs actually run (36 multiply-adds per 4x4 tile
 * and channel pair, or 16 per 2x2).
 *
 * With --layers 1 it then runs each step --reps more times with the executor's per-node
 * clock on (sgdi_exec.node_seconds) and prints every node's mean forward and backward
 * milliseconds, and for each convolution its products' GFLOP/s against the peak.
 *
 * Usage: bench_cnn [--threads N] [--reps N] [--batch N] [--peak 0|1] [--layers 0|1]
 * (defaults 1, 5, 64, 1, 0; --peak 0 skips the GEMM peak, for profiling the steps alone)
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/builtin.h"
#include "graph/exec.h"
#include "ops/im2col.h"
#include "ops/small_gemm.h"
#include "ops/winograd.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// Uniform in [0, 1) from a 64-bit LCG: the bench needs varied data, not good randomness.
static float next_uniform(uint64_t *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)(*state >> 40) * (1.0f / 16777216.0f);
}

// The peak single-precision GEMM rate: the best of three 2048^3 products, in GFLOP/s.
static double gemm_peak_gflops(void) {
    const int n = 2048;
    float *a = malloc((size_t)n * n * sizeof *a), *b = malloc((size_t)n * n * sizeof *b),
          *c = malloc((size_t)n * n * sizeof *c);
    if (!a || !b || !c) {
        fprintf(stderr, "bench_cnn: out of memory for the GEMM peak\n");
        exit(1);
    }
    uint64_t state = 7;
    for (size_t i = 0; i < (size_t)n * n; i++) a[i] = next_uniform(&state), b[i] = a[i] - 0.5f;
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double start = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        double t = now() - start;
        if (t < best) best = t;
    }
    free(a), free(b), free(c);
    return 2.0 * n * n * (double)n / best / 1e9;
}

// The rate of the small products: every thread multiplies its own in-cache 128 x 128
// matrices by sgdi_small_gemm for about a quarter of a second; the best of three, in GFLOP/s.
static double small_gemm_peak_gflops(void) {
    enum { N = 128, PRODUCTS = 2000 };
    double best = 1e30;
    int threads = omp_get_max_threads();
    for (int rep = 0; rep < 3; rep++) {
        double t = 0;
#pragma omp parallel num_threads(threads) reduction(max : t)
        {
            float *a = malloc(3 * N * N * sizeof *a);
            if (a) {
                float *b = a + N * N, *c = b + N * N;
                uint64_t state = 11 + (uint64_t)omp_get_thread_num();
                for (int i = 0; i < N * N; i++) a[i] = next_uniform(&state), b[i] = a[i] - 0.5f;
                sgdi_small_gemm(N, N, N, a, N, b, N, false, c, N); // the kernel's generation
#pragma omp barrier
                double start = now();
                for (int k = 0; k < PRODUCTS; k++) sgdi_small_gemm(N, N, N, a, N, b, N, true, c, N);
                t = now() - start;
                free(a);
            }
        }
        if (t < best) best = t;
    }
    return 2.0 * N * N * (double)N * PRODUCTS * threads / best / 1e9;
}

// FLOPs of convolution node n for one forward pass ([0]), one training step ([1]) and one
// scoring step ([2]) over `batch` samples (see header): `direct` as im2col + GEMM computes
// them, `run` what the products actually multiply (Winograd's layers: 36 per 4x4 tile or
// 16 per 2x2 instead of 9 per output). Zero for other nodes.
static void node_conv_flops(const sgdi_graph *g, int n, int64_t batch, double direct[3],
                            double run[3]) {
    for (int k = 0; k < 3; k++) direct[k] = run[k] = 0;
    const sgdi_node *node = &g->nodes[n];
    if (node->op != SGDI_OP_CONVOLUTION) return;
    const sgdi_shape *w = &g->vars[node->in[1]].shape, *x = &g->vars[node->in[0]].shape;
    const sgdi_var *out = &g->vars[node->out[0]];
    const sgdi_shape *y = &out->shape;
    double taps = 1;
    for (int d = 1; d < w->ndim; d++) taps *= (double)w->dim[d];
    double product = 2.0 * (double)batch * (double)out->count * taps;
    sgdi_conv_plan plan = sgdi_conv_plan_make(&node->attr.window, w->dim + 2, x->dim[0], x->dim + 1,
                                              y->dim[0], y->dim + 1, node->attr.window.group);
    double multiplied = product;
    if (sgdi_winograd_applies(&plan))
        multiplied = 2.0 * (double)batch * (double)(plan.out_ch * plan.in_ch) *
                     (double)sgdi_winograd_multiplies(&plan);
    bool first = node->in[0] == g->input_var;
    double per_step[3] = {1, first ? 2 : 3, first ? 3 : 8};
    for (int k = 0; k < 3; k++)
        direct[k] = per_step[k] * product, run[k] = per_step[k] * multiplied;
}

// The sums of node_conv_flops over the graph.
static void conv_flops(const sgdi_graph *g, int64_t batch, double direct[3], double run[3]) {
    for (int k = 0; k < 3; k++) direct[k] = run[k] = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        double d[3], r[3];
        node_conv_flops(g, n, batch, d, r);
        for (int k = 0; k < 3; k++) direct[k] += d[k], run[k] += r[k];
    }
}

// The 1-minute load average, to say how busy the machine was.
static double load_average(void) {
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1) load = -1;
        fclose(f);
    }
    return load;
}

// The minimum time of one forward + backward of `pass` over `reps` runs, after a warm-up.
static double time_step(sgdi_exec *ex, const sgdi_pass *pass, int64_t n_params, int reps) {
    double best = 1e30;
    for (int rep = 0; rep <= reps; rep++) {
        if (pass->grad) memset(pass->grad, 0, (size_t)n_params * sizeof *pass->grad);
        if (pass->hvp) memset(pass->hvp, 0, (size_t)n_params * sizeof *pass->hvp);
        double start = now();
        sgdi_exec_forward(ex, pass);
        if (pass->grad || pass->hvp) sgdi_exec_backward(ex, pass);
        double t = now() - start;
        if (rep > 0 && t < best) best = t;
    }
    return best;
}

// ms[2 n_nodes]: the mean milliseconds of each node's forward and backward over `reps`
// runs of `pass` (after a warm-up), with the executor's per-node clock on.
static void profile_step(sgdi_exec *ex, const sgdi_pass *pass, int64_t n_params, int reps,
                         double *ms) {
    int n_nodes = ex->graph->n_nodes;
    (void)time_step(ex, pass, n_params, 0);
    for (int k = 0; k < 2 * n_nodes; k++) ms[k] = 0;
    ex->node_seconds = ms;
    for (int rep = 0; rep < reps; rep++) {
        sgdi_exec_forward(ex, pass);
        if (pass->grad || pass->hvp) sgdi_exec_backward(ex, pass);
    }
    ex->node_seconds = NULL;
    for (int k = 0; k < 2 * n_nodes; k++) ms[k] *= 1e3 / reps;
}

// The per-node table of --layers: each node's forward + backward ms in both steps, and
// for a convolution its rates in the scoring step: its im2col work ("effective") and the
// products it actually runs, each over the node's whole time (transforms included). A node
// the executor runs fused with the one before it has no row of its own: its time is in
// that node's ("BatchNormalization+ReLU").
static void print_layers(const sgdi_exec *ex, int64_t batch, const double *train_ms,
                         const double *score_ms, const double *predict_ms, double peak) {
    const sgdi_graph *g = ex->graph;
    int n_nodes = g->n_nodes;
    printf("\n| node | op | output (C, H, W) | train fwd + bwd ms | score fwd + bwd ms | "
           "predict ms | score effective GFLOP/s | of peak | products run GFLOP/s | of peak |\n");
    printf("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int n = 0; n < n_nodes; n++) {
        if (ex->skip[n]) continue;
        const sgdi_shape *y = &g->vars[ex->nodes[n].out[0]].shape;
        char shape[64] = "";
        int len = 0;
        for (int d = 0; d < y->ndim && len < (int)sizeof shape - 16; d++)
            len += snprintf(shape + len, sizeof shape - (size_t)len, "%s%lld", d ? ", " : "",
                            (long long)y->dim[d]);
        double direct[3], run[3];
        node_conv_flops(g, n, batch, direct, run);
        double t_score = score_ms[n] + score_ms[n_nodes + n];
        printf("| %d | %s | %s | %.2f + %.2f | %.2f + %.2f | %.2f |", n,
               sgdi_op_table[ex->nodes[n].op].name, shape, train_ms[n], train_ms[n_nodes + n],
               score_ms[n], score_ms[n_nodes + n], predict_ms[n]);
        if (run[2] > 0 && t_score > 0) {
            double rates[2] = {direct[2] / (t_score * 1e-3) / 1e9, run[2] / (t_score * 1e-3) / 1e9};
            for (int k = 0; k < 2; k++)
                printf(" %.1f | %.1f %% |", rates[k], peak > 0 ? 100.0 * rates[k] / peak : 0.0);
            printf("\n");
        } else {
            printf(" | | | |\n");
        }
    }
}

static double checksum(const float *v, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)v[i] * (double)((i % 7) + 1);
    return s;
}

static int usage(void) {
    fprintf(stderr,
            "usage: bench_cnn [--threads N] [--reps N] [--batch N] [--peak 0|1] [--layers 0|1]\n");
    return 2;
}

int main(int argc, char **argv) {
    int threads = 1, reps = 5, with_peak = 1, layers = 0;
    int64_t batch = 64;
    for (int k = 1; k < argc; k++) {
        if (k + 1 >= argc) return usage();
        long v = strtol(argv[k + 1], NULL, 10);
        if (!strcmp(argv[k], "--peak") || !strcmp(argv[k], "--layers")) { // 0 or 1
            if (!strcmp(argv[k], "--peak"))
                with_peak = v != 0;
            else
                layers = v != 0;
            k++;
            continue;
        }
        if (v < 1) return usage();
        if (!strcmp(argv[k], "--threads"))
            threads = (int)v;
        else if (!strcmp(argv[k], "--reps"))
            reps = (int)v;
        else if (!strcmp(argv[k], "--batch"))
            batch = v;
        else
            return usage();
        k++;
    }
    openblas_set_num_threads(threads);
    omp_set_num_threads(threads);

    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.network = SGDI_NETWORK_CNN;
    const int classes = 10;
    sgdi_shape sample = {3, {1, 28, 28}};
    sgdi_graph g;
    sgdi_graph_init(&g);
    sgdi_error err;
    sgdi_exec ex;
    if (sgdi_build_network(&opt, sample, classes, &g, &err) != SGDI_OK ||
        sgdi_exec_init(&ex, &g, batch, &err) != SGDI_OK) {
        fprintf(stderr, "bench_cnn: %s\n", err.message);
        return 1;
    }
    int64_t p = g.n_params, features = g.vars[g.input_var].count;
    float *theta = malloc((size_t)p * 4), *v = malloc((size_t)p * 4), *grad = malloc((size_t)p * 4),
          *hvp = malloc((size_t)p * 4), *x = malloc((size_t)(batch * features) * 4),
          *y = malloc((size_t)batch * 4), *ones = malloc((size_t)batch * 4);
    double *tangent = malloc((size_t)batch * 8);
    int64_t *rows = malloc((size_t)batch * 8);
    if (!theta || !v || !grad || !hvp || !x || !y || !ones || !tangent || !rows) {
        fprintf(stderr, "bench_cnn: out of memory\n");
        return 1;
    }
    sgdi_init_parameters(&g, 1, theta);
    uint64_t state = 42;
    for (int64_t i = 0; i < p; i++) v[i] = 1e-3f * (next_uniform(&state) - 0.5f);
    for (int64_t i = 0; i < batch * features; i++) x[i] = next_uniform(&state);
    for (int64_t i = 0; i < batch; i++)
        y[i] = (float)(int)(next_uniform(&state) * classes), rows[i] = i, ones[i] = 1;
    // Per-sample weights of 1, as the trainer passes them (0 marks a left-out sample).
    sgdi_pass train = {.batch = batch,
                       .x = x,
                       .target = y,
                       .weights = ones,
                       .scale = 1.0 / (double)batch,
                       .theta = theta,
                       .grad = grad,
                       .ctx = {.seed = 1, .rows = rows, .training = true, .weights = ones}};
    sgdi_pass score = train;
    score.grad = NULL;
    score.direction = v;
    score.hvp = hvp;
    score.sample_tangent = tangent;
    score.theta_version = sgdi_exec_theta_version(&ex);
    // The final model's predictions over the training set (evaluation mode, no gradient).
    sgdi_pass predict = train;
    predict.grad = NULL;
    predict.ctx.training = false;
    predict.theta_version = sgdi_exec_theta_version(&ex);

    double load_before = load_average();
    double peak_blas = with_peak ? gemm_peak_gflops() : 0;
    double peak_small = with_peak ? small_gemm_peak_gflops() : 0;
    double peak = peak_blas > peak_small ? peak_blas : peak_small;
    double t_train = time_step(&ex, &train, p, reps);
    double sum_grad = checksum(grad, p);
    double t_score = time_step(&ex, &score, p, reps);
    double t_predict = time_step(&ex, &predict, p, reps);
    double sum_hvp = checksum(hvp, p), sum_tan = 0;
    for (int64_t i = 0; i < batch; i++) sum_tan += tangent[i] * (double)(i + 1);
    double flops[3], run[3];
    conv_flops(&g, batch, flops, run);

    printf("bench_cnn: cnn 32-64-128 on (1, 28, 28), 10 classes, batch %lld, %lld parameters\n",
           (long long)batch, (long long)p);
    printf("threads %d, best of %d runs, load average %.2f before / %.2f after\n", threads, reps,
           load_before, load_average());
    printf("executor buffers %.1f MB: adjoints 2 x %.1f MB shared by liveness, values and "
           "tangents %.1f MB\n",
           4e-6 * (double)ex.arena_len, 4e-6 * (double)ex.adj_len,
           4e-6 * (double)(ex.arena_len - 2 * ex.adj_len));
    printf("convolution work as im2col + GEMM: forward %.3f GFLOP, train %.3f, score %.3f per "
           "step\n",
           flops[0] / 1e9, flops[1] / 1e9, flops[2] / 1e9);
    printf("products actually run (Winograd layers): forward %.3f GFLOP, train %.3f, score %.3f\n",
           run[0] / 1e9, run[1] / 1e9, run[2] / 1e9);
    printf("GEMM peak: %.1f GFLOP/s (cblas_sgemm 2048^3 %.1f, small in-cache 128^3 products "
           "on every thread %.1f)\n\n",
           peak, peak_blas, peak_small);
    printf("| step    | ms/step | samples/s | effective conv GFLOP/s | of peak | products run "
           "GFLOP/s | of peak |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    const char *names[3] = {"train", "score", "predict"};
    double times[3] = {t_train, t_score, t_predict}, work[3] = {flops[1], flops[2], flops[0]},
           done[3] = {run[1], run[2], run[0]};
    for (int k = 0; k < 3; k++) {
        double rate = work[k] / times[k] / 1e9, rate_run = done[k] / times[k] / 1e9;
        printf("| %-7s | %7.1f | %9.0f | %12.1f | %6.1f %% | %12.1f | %6.1f %% |\n", names[k],
               1e3 * times[k], (double)batch / times[k], rate, peak > 0 ? 100.0 * rate / peak : 0.0,
               rate_run, peak > 0 ? 100.0 * rate_run / peak : 0.0);
    }
    printf("\nchecksums: grad %.9g, hvp %.9g, tangents %.9g\n", sum_grad, sum_hvp, sum_tan);
    if (layers) {
        double *train_ms = malloc((size_t)(6 * g.n_nodes) * sizeof *train_ms);
        if (!train_ms) {
            fprintf(stderr, "bench_cnn: out of memory\n");
            return 1;
        }
        double *score_ms = train_ms + 2 * g.n_nodes, *predict_ms = score_ms + 2 * g.n_nodes;
        profile_step(&ex, &train, p, reps, train_ms);
        profile_step(&ex, &score, p, reps, score_ms);
        profile_step(&ex, &predict, p, reps, predict_ms);
        printf("\nper node, mean of %d runs with the per-node clock on:\n", reps);
        print_layers(&ex, batch, train_ms, score_ms, predict_ms, peak);
        free(train_ms);
    }
    sgdi_exec_free(&ex);
    sgdi_graph_free(&g);
    free(theta), free(v), free(grad), free(hvp), free(x), free(y), free(ones), free(tangent),
        free(rows);
    return 0;
}
