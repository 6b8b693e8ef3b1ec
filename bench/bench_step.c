/*
 * bench_step.c — the cost of scoring one step against training it.
 *
 * For a few network sizes, times on the same batch:
 *   train: forward + backward into the parameter gradient (one SGD step's work)
 *   score: forward + tangent forward (every sample's <grad l_j, v>) + backward +
 *          tangent backward (H v) — one forward-over-reverse pass
 * and prints milliseconds per step, their ratio, and the GFLOP/s of the Affine
 * matrix products. Usage: bench_step [threads] (default 1).
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/builtin.h"
#include "graph/exec.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct config {
    const char *name;
    int features, classes, batch, hidden[2], n_hidden;
} config;

// Multiply-adds of the Affine layers in one forward pass of a batch.
static double forward_flops(const config *c) {
    double flops = 0, in = c->features;
    for (int k = 0; k < c->n_hidden; k++)
        flops += 2.0 * c->batch * in * c->hidden[k], in = c->hidden[k];
    return flops + 2.0 * c->batch * in * c->classes;
}

static void run(const config *c) {
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.network = c->n_hidden ? SGDI_NETWORK_MLP : SGDI_NETWORK_LOGREG;
    opt.n_hidden = c->n_hidden;
    memcpy(opt.hidden, c->hidden, sizeof c->hidden);
    sgdi_graph g;
    sgdi_graph_init(&g);
    sgdi_error err;
    sgdi_exec ex;
    if (sgdi_build_network(&opt, sgdi_shape1(c->features), c->classes, &g, &err) != SGDI_OK ||
        sgdi_exec_init(&ex, &g, c->batch, &err) != SGDI_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    int64_t p = g.n_params;
    float *theta = malloc((size_t)p * 4), *v = malloc((size_t)p * 4), *grad = malloc((size_t)p * 4),
          *hvp = malloc((size_t)p * 4), *x = malloc((size_t)c->batch * c->features * 4),
          *y = malloc((size_t)c->batch * 4);
    double *tangent = malloc((size_t)c->batch * 8);
    int64_t *rows = malloc((size_t)c->batch * 8);
    sgdi_init_parameters(&g, 1, theta);
    for (int64_t i = 0; i < p; i++) v[i] = 1e-3f * (float)((i * 7919) % 13 - 6);
    for (int64_t i = 0; i < (int64_t)c->batch * c->features; i++)
        x[i] = (float)((i * 31) % 17) / 8.0f - 1.0f;
    for (int i = 0; i < c->batch; i++) y[i] = (float)(i % c->classes), rows[i] = i;
    sgdi_pass train = {.batch = c->batch,
                       .x = x,
                       .target = y,
                       .scale = 1.0 / c->batch,
                       .theta = theta,
                       .grad = grad,
                       .ctx = {.seed = 1, .rows = rows, .training = true}};
    sgdi_pass score = train;
    score.grad = NULL;
    score.direction = v;
    score.hvp = hvp;
    score.sample_tangent = tangent;

    double seconds[2] = {0, 0};
    const sgdi_pass *passes[2] = {&train, &score};
    for (int which = 0; which < 2; which++) {
        int reps = 0;
        double start = now(), elapsed = 0;
        while (elapsed < 1.0 || reps < 5) {
            sgdi_exec_forward(&ex, passes[which]);
            sgdi_exec_backward(&ex, passes[which]);
            reps++;
            elapsed = now() - start;
        }
        seconds[which] = elapsed / reps;
    }
    double flops = forward_flops(c);
    // train: forward, input adjoints and weight gradients = 3 products per layer;
    // score: 1 + 2 (tangent) + 1 (adjoint) + 4 (adjoint tangent) = 8, first layer less.
    printf("| %-22s | %9lld | %9.4f | %9.4f | %5.2f | %6.1f | %6.1f |\n", c->name, (long long)p,
           1e3 * seconds[0], 1e3 * seconds[1], seconds[1] / seconds[0],
           3 * flops / seconds[0] / 1e9, 8 * flops / seconds[1] / 1e9);
    sgdi_exec_free(&ex);
    sgdi_graph_free(&g);
    free(theta), free(v), free(grad), free(hvp), free(x), free(y), free(tangent), free(rows);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    openblas_set_num_threads(threads);
    omp_set_num_threads(threads);
    const config configs[] = {
        {"logreg F=30 C=2 B=64", 30, 2, 64, {0, 0}, 0},
        {"mlp 8-8 F=30 C=2 B=64", 30, 2, 64, {8, 8}, 2},
        {"mlp 8-8 F=784 C=10 B=64", 784, 10, 64, {8, 8}, 2},
        {"mlp 1024-1024 F=784 B=64", 784, 10, 64, {1024, 1024}, 2},
    };
    printf("threads: %d\n\n", threads);
    printf("| network                | parameters | train ms | score ms | ratio | train GFLOP/s | "
           "score GFLOP/s |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (size_t k = 0; k < sizeof configs / sizeof *configs; k++) run(&configs[k]);
    return 0;
}
