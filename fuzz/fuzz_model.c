/*
 * fuzz_model.c — libFuzzer target for building the engine's graph from a
 * network description: text format → NNablaProtoBuf → optimizer, network,
 * solver, schedule → sgdi_graph with bound parameters (src/model/), then
 * --describe, and, when the graph is small enough, one forward, tangent,
 * backward and tangent-backward pass on a batch of two: hostile shapes, axes
 * and attributes must be refused with a message or run, never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/exec.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) abort();                                                                      \
    } while (0)

enum { BATCH = 2, MAX_ELEMENTS = 1 << 18 };

// One pass over a batch of two with every input zero and every label 0.
static void run_pass(const sgdi_model *m) {
    const sgdi_graph *g = &m->graph;
    int64_t elements = g->n_params;
    for (int v = 0; v < g->n_vars; v++)
        if (!g->vars[v].is_param) elements += BATCH * g->vars[v].count;
    if (elements > MAX_ELEMENTS) return;
    sgdi_exec ex;
    sgdi_error err;
    if (sgdi_exec_init(&ex, g, BATCH, &err) != SGDI_OK) return;
    size_t p = (size_t)(g->n_params > 0 ? g->n_params : 1);
    float *direction = calloc(p, sizeof(float)), *grad = calloc(p, sizeof(float)),
          *hvp = calloc(p, sizeof(float));
    FUZZ_REQUIRE(direction && grad && hvp);
    for (size_t i = 0; i < p; i++) direction[i] = 0.5f;
    double loss[BATCH], tangent[BATCH];
    int64_t rows[BATCH] = {0, 1};
    sgdi_pass pass = {.batch = BATCH,
                      .x = sgdi_exec_input(&ex),
                      .target = sgdi_exec_target(&ex),
                      .scale = 1.0 / BATCH,
                      .theta = m->theta0,
                      .direction = direction,
                      .grad = grad,
                      .hvp = hvp,
                      .sample_loss = loss,
                      .sample_tangent = tangent,
                      .ctx = {.seed = 1, .step = 0, .rows = rows, .training = true}};
    sgdi_exec_forward(&ex, &pass);
    sgdi_exec_backward(&ex, &pass);
    free(direction), free(grad), free(hvp);
    sgdi_exec_free(&ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sgdi_model *m = NULL;
    sgdi_error err;
    if (sgdi_model_load_text((const char *)data, size, "fuzz.nntxt", &m, &err) != SGDI_OK) {
        FUZZ_REQUIRE(m == NULL && err.message[0] != '\0');
        return 0;
    }
    char *text = NULL;
    FUZZ_REQUIRE(sgdi_model_describe(m, &text, &err) == SGDI_OK && text != NULL);
    free(text);
    if (m->graph_built && !m->unsupported[0]) run_pass(m);
    sgdi_model_free(m);
    return 0;
}
