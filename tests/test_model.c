/*
 * test_model.c — models from .nnp files:
 *   - a built-in network written as .nnp and read back trains to the same
 *     bits (scores, validation loss) as the built-in network itself;
 *   - --save-model after training round-trips the trained parameters;
 *   - real files written by Neural Network Console and nnabla load, describe
 *     and (where the engine supports them) train;
 *   - every kind of bad file gets a clear error naming the file and the
 *     problem, never a crash.
 * Real fixtures are read from ../../shared/fixtures/nnabla-real/ and skipped
 * (with a note) when absent. Continuing from a file's solver state is tested
 * in test_model_state.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/result.h"
#include "graph/builtin.h"
#include "model/model.h"
#include "model/save.h"
#include "nnp/protobin.h"
#include "nnp/zip.h"
#include "model_fixtures.h"
#include "test_support.h"

static const char *const FIXTURES = "../../shared/fixtures/nnabla-real/";

static char tmp_dir[] = "/tmp/sgdi-test-model-XXXXXX";

static char *tmp_path(const char *name) {
    return model_tmp_path(tmp_dir, name);
}

// Writes an .nnp of the given text and parameter members.
static void write_nnp(const char *path, const char *text, size_t text_size,
                      const sgdi_param_list *params) {
    uint8_t *blob = NULL;
    size_t blob_size = 0;
    sgdi_error err;
    if (params) CHECK(sgdi_protobin_write_params(params, &blob, &blob_size, &err) == SGDI_OK);
    sgdi_zip_member members[] = {{"nnp_version.txt", "0.1\n", 4},
                                 {"net.nntxt", text, text_size},
                                 {"parameter.protobuf", blob, blob_size}};
    CHECK(sgdi_zip_write_file(path, members, params ? 3 : 2, &err) == SGDI_OK);
    free(blob);
}

// --- Built-in and file give the same bits --------------------------------------------

static void test_builtin_equals_file(void) {
    sgdi_dataset *train = table(60, 5, 3, 1u), *val = table(30, 5, 3, 2u);
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.epochs = 2, opt.batch_size = 16, opt.dropout = 0.3, opt.solver = SGDI_SOLVER_NESTEROV;
    opt.lr = 0.05, opt.weight_decay = 1e-3, opt.seed = 7;
    sgdi_result *a = NULL, *b = NULL;
    sgdi_error err;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &a, &err) == SGDI_OK);
    // The built-in network with trial 0's initial parameters, as a file.
    sgdi_graph g;
    sgdi_graph_init(&g);
    CHECK(sgdi_build_network(&opt, sgdi_shape1(5), 3, &g, &err) == SGDI_OK);
    CHECK(sgdi_model_write_builtin(&g, &opt, sgdi_result_initial_parameters(a),
                                   tmp_path("builtin.nnp"), &err) == SGDI_OK);
    sgdi_model *m = NULL;
    CHECK(sgdi_model_load(tmp_path("builtin.nnp"), &m, &err) == SGDI_OK);
    if (m) {
        CHECK_MSG(sgdi_model_unsupported(m) == NULL, "%s", sgdi_model_unsupported(m));
        sgdi_options from_file = opt;
        from_file.model = m;
        CHECK(sgdi_run(&from_file, train, val, NULL, NULL, &b, &err) == SGDI_OK);
    }
    if (a && b) {
        CHECK(memcmp(sgdi_result_scores(a), sgdi_result_scores(b), 60 * sizeof(double)) == 0);
        CHECK(sgdi_result_val_loss(a) == sgdi_result_val_loss(b));
        CHECK(sgdi_result_options(b)->solver == SGDI_SOLVER_NESTEROV);
    }
    // After training: the saved model carries trial 0's final parameters.
    if (b) {
        CHECK(sgdi_result_write_model(b, tmp_path("trained.nnp"), &err) == SGDI_OK);
        sgdi_model *t = NULL;
        CHECK(sgdi_model_load(tmp_path("trained.nnp"), &t, &err) == SGDI_OK);
        if (t)
            CHECK(memcmp(t->theta0, b->final_parameters, (size_t)b->parameters * sizeof(float)) ==
                  0);
        sgdi_model_free(t);
    }
    sgdi_result_free(a);
    sgdi_result_free(b);
    sgdi_model_free(m);
    sgdi_graph_free(&g);
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);
}

// --- Repeated blocks ---------------------------------------------------------------------

// Two Affine+Tanh blocks as an NNC RepeatStart/RepeatEnd loop (parameters named with
// nnabla's "{RepeatStart}" placeholder, stored as "fc[0]/..."), and the same network
// written out by hand; %s is the parameter section both share.
static const char REPEATED[] =
    "network { name: \"Main\" batch_size: 4\n"
    "  repeat_info { id: \"RepeatStart\" times: 2 }\n"
    "  variable { name: \"x\" type: \"Buffer\" shape: { dim: -1 dim: 3 } }\n"
    "  variable { name: \"y\" type: \"Buffer\" shape: { dim: -1 dim: 1 } }\n"
    "  variable { name: \"RepeatStart\" type: \"Buffer\" repeat_id: \"RepeatStart\"\n"
    "             shape: { dim: -1 dim: 3 } }\n"
    "  variable { name: \"fc\" type: \"Buffer\" repeat_id: \"RepeatStart\" shape: { dim: -1 dim: 3 "
    "} }\n"
    "  variable { name: \"fc{RepeatStart}/affine/W\" type: \"Parameter\" repeat_id: "
    "\"RepeatStart\"\n"
    "             shape: { dim: 3 dim: 3 } }\n"
    "  variable { name: \"t\" type: \"Buffer\" repeat_id: \"RepeatStart\" shape: { dim: -1 dim: 3 "
    "} }\n"
    "  variable { name: \"RepeatEnd\" type: \"Buffer\" shape: { dim: -1 dim: 3 } }\n"
    "  variable { name: \"out/affine/W\" type: \"Parameter\" shape: { dim: 3 dim: 3 } }\n"
    "  variable { name: \"h\" type: \"Buffer\" shape: { dim: -1 dim: 3 } }\n"
    "  variable { name: \"loss\" type: \"Buffer\" shape: { dim: -1 dim: 1 } }\n"
    "  function { name: \"RepeatStart\" type: \"RepeatStart\" repeat_id: \"RepeatStart\"\n"
    "    input: \"x\" input: \"t\" output: \"RepeatStart\"\n"
    "    repeat_param { repeat_id: \"RepeatStart\" times: 2 } }\n"
    "  function { name: \"fc\" type: \"Affine\" repeat_id: \"RepeatStart\" input: \"RepeatStart\"\n"
    "    input: \"fc{RepeatStart}/affine/W\" output: \"fc\" affine_param { base_axis: 1 } }\n"
    "  function { name: \"t\" type: \"Tanh\" repeat_id: \"RepeatStart\" input: \"fc\" output: "
    "\"t\" }\n"
    "  function { name: \"RepeatEnd\" type: \"RepeatEnd\" input: \"t\" output: \"RepeatEnd\"\n"
    "    repeat_param { repeat_id: \"RepeatStart\" times: 2 } }\n"
    "  function { name: \"out\" type: \"Affine\" input: \"RepeatEnd\" input: \"out/affine/W\"\n"
    "    output: \"h\" }\n"
    "  function { name: \"ce\" type: \"SoftmaxCrossEntropy\" input: \"h\" input: \"y\"\n"
    "    output: \"loss\" }\n"
    "}\n"
    "optimizer { name: \"o\" network_name: \"Main\"\n"
    "  solver { type: \"Sgd\" sgd_param { lr: 0.1 } }\n"
    "  data_variable { variable_name: \"x\" data_name: \"x\" }\n"
    "  data_variable { variable_name: \"y\" data_name: \"y\" }\n"
    "  loss_variable { variable_name: \"loss\" }\n"
    "  parameter_variable { variable_name: \"fc{RepeatStart}/affine/W\" learning_rate_multiplier: "
    "1 }\n"
    "  parameter_variable { variable_name: \"out/affine/W\" learning_rate_multiplier: 1 } }\n"
    "%s";

static const char UNROLLED[] =
    "network { name: \"Main\" batch_size: 4\n"
    "  variable { name: \"x\" type: \"Buffer\" shape: { dim: -1 dim: 3 } }\n"
    "  variable { name: \"y\" type: \"Buffer\" shape: { dim: -1 dim: 1 } }\n"
    "  variable { name: \"fc[0]/affine/W\" type: \"Parameter\" shape: { dim: 3 dim: 3 } }\n"
    "  variable { name: \"fc[1]/affine/W\" type: \"Parameter\" shape: { dim: 3 dim: 3 } }\n"
    "  variable { name: \"out/affine/W\" type: \"Parameter\" shape: { dim: 3 dim: 3 } }\n"
    "  function { name: \"f0\" type: \"Affine\" input: \"x\" input: \"fc[0]/affine/W\" output: "
    "\"a0\" }\n"
    "  function { name: \"t0\" type: \"Tanh\" input: \"a0\" output: \"t0\" }\n"
    "  function { name: \"f1\" type: \"Affine\" input: \"t0\" input: \"fc[1]/affine/W\" output: "
    "\"a1\" }\n"
    "  function { name: \"t1\" type: \"Tanh\" input: \"a1\" output: \"t1\" }\n"
    "  function { name: \"out\" type: \"Affine\" input: \"t1\" input: \"out/affine/W\" output: "
    "\"h\" }\n"
    "  function { name: \"ce\" type: \"SoftmaxCrossEntropy\" input: \"h\" input: \"y\" output: "
    "\"loss\" }\n"
    "}\n"
    "optimizer { name: \"o\" network_name: \"Main\"\n"
    "  solver { type: \"Sgd\" sgd_param { lr: 0.1 } }\n"
    "  data_variable { variable_name: \"x\" data_name: \"x\" }\n"
    "  data_variable { variable_name: \"y\" data_name: \"y\" }\n"
    "  loss_variable { variable_name: \"loss\" } }\n"
    "%s";

static void test_repeat_blocks(void) {
    char params[4096];
    size_t used = 0;
    const char *names[] = {"fc[0]/affine/W", "fc[1]/affine/W", "out/affine/W"};
    unsigned seed = 17u;
    for (int k = 0; k < 3; k++) {
        used +=
            (size_t)snprintf(params + used, sizeof params - used,
                             "parameter { variable_name: \"%s\" shape { dim: 3 dim: 3 }", names[k]);
        for (int i = 0; i < 9; i++)
            used += (size_t)snprintf(params + used, sizeof params - used, " data: %.6f",
                                     lcg(&seed) - 0.5);
        used += (size_t)snprintf(params + used, sizeof params - used, " need_grad: true }\n");
    }
    char repeated[8192], unrolled[8192];
    int nr = snprintf(repeated, sizeof repeated, REPEATED, params);
    int nu = snprintf(unrolled, sizeof unrolled, UNROLLED, params);
    sgdi_model *a = NULL, *b = NULL;
    sgdi_error err;
    CHECK_MSG(sgdi_model_load_text(repeated, (size_t)nr, "repeated.nntxt", &a, &err) == SGDI_OK,
              "%s", err.message);
    CHECK_MSG(sgdi_model_load_text(unrolled, (size_t)nu, "unrolled.nntxt", &b, &err) == SGDI_OK,
              "%s", err.message);
    if (!a || !b) {
        sgdi_model_free(a), sgdi_model_free(b);
        return;
    }
    CHECK_MSG(!sgdi_model_unsupported(a), "%s", sgdi_model_unsupported(a));
    CHECK(a->graph.n_params == 27 && b->graph.n_params == 27);
    // Every weight is trained: "{RepeatStart}" in the optimizer names both copies.
    for (int64_t i = 0; i < a->graph.n_params; i++) CHECK(a->lr_mult[i] == 1.0f);
    sgdi_dataset *train = table(24, 3, 3, 21u), *val = table(12, 3, 3, 22u);
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.epochs = 2;
    sgdi_result *ra = NULL, *rb = NULL;
    opt.model = a;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &ra, &err) == SGDI_OK);
    opt.model = b;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &rb, &err) == SGDI_OK);
    if (ra && rb)
        CHECK(memcmp(sgdi_result_scores(ra), sgdi_result_scores(rb), 24 * sizeof(double)) == 0);
    sgdi_result_free(ra), sgdi_result_free(rb);
    sgdi_dataset_free(train), sgdi_dataset_free(val);
    sgdi_model_free(a), sgdi_model_free(b);
}

// The learning-rate multiplier nnabla gives each parameter: the last of the optimizer's
// parameter_variable entries naming it, exactly or through a "{R}" placeholder.
static float mult_of(const sgdi_model *m, const char *name) {
    for (int v = 0; v < m->graph.n_vars; v++)
        if (m->graph.vars[v].is_param && strcmp(m->graph.vars[v].name, name) == 0)
            return m->lr_mult[m->graph.vars[v].param_offset];
    return NAN;
}

static void test_learning_rate_multipliers(void) {
    static const char listed[] =
        "  parameter_variable { variable_name: \"fc{RepeatStart}/affine/W\" "
        "learning_rate_multiplier: 1 }\n"
        "  parameter_variable { variable_name: \"out/affine/W\" learning_rate_multiplier: 1 } }\n";
    static const char *const lists[2] = {
        // the placeholder, then an exact entry after it; a name listed twice
        "  parameter_variable { variable_name: \"fc{RepeatStart}/affine/W\" "
        "learning_rate_multiplier: 3 }\n"
        "  parameter_variable { variable_name: \"fc[1]/affine/W\" learning_rate_multiplier: 0.5 }\n"
        "  parameter_variable { variable_name: \"out/affine/W\" learning_rate_multiplier: 2 }\n"
        "  parameter_variable { variable_name: \"out/affine/W\" learning_rate_multiplier: 4 } }\n",
        // an exact entry, then the placeholder after it; "out" not listed
        "  parameter_variable { variable_name: \"fc[1]/affine/W\" learning_rate_multiplier: 0.5 }\n"
        "  parameter_variable { variable_name: \"fc{RepeatStart}/affine/W\" "
        "learning_rate_multiplier: 3 } }\n"};
    const float want[2][3] = {{3.0f, 0.5f, 4.0f}, {3.0f, 3.0f, 0.0f}};
    const char *names[3] = {"fc[0]/affine/W", "fc[1]/affine/W", "out/affine/W"};
    char params[2048];
    size_t used = 0;
    for (int k = 0; k < 3; k++)
        used +=
            (size_t)snprintf(params + used, sizeof params - used,
                             "parameter { variable_name: \"%s\" shape { dim: 3 dim: 3 } data: 0 "
                             "data: 0 data: 0 data: 0 data: 0 data: 0 data: 0 data: 0 data: 0 "
                             "need_grad: true }\n",
                             names[k]);
    char text[8192];
    snprintf(text, sizeof text, REPEATED, params);
    char *at = strstr(text, listed);
    CHECK(at != NULL);
    if (!at) return;
    size_t head = (size_t)(at - text);
    for (int c = 0; c < 2; c++) {
        char variant[8192];
        snprintf(variant, sizeof variant, "%.*s%s%s", (int)head, text, lists[c],
                 at + strlen(listed));
        sgdi_model *m = NULL;
        sgdi_error err;
        CHECK_MSG(sgdi_model_load_text(variant, strlen(variant), "lr.nntxt", &m, &err) == SGDI_OK,
                  "%s", err.message);
        if (!m) continue;
        for (int k = 0; k < 3; k++)
            CHECK_MSG(mult_of(m, names[k]) == want[c][k], "case %d, %s: %g, want %g", c, names[k],
                      mult_of(m, names[k]), want[c][k]);
        sgdi_model_free(m);
    }
}

// --- Real files ----------------------------------------------------------------------

static char *fixture(const char *name) {
    static char path[512];
    snprintf(path, sizeof path, "%s%s", FIXTURES, name);
    return path;
}

static bool have_fixtures(void) {
    if (access(fixture("SOURCES.md"), R_OK) == 0) return true;
    fprintf(stderr, "  skipped: %s is absent\n", FIXTURES);
    return false;
}

// NNC's logistic regression (Affine, Sigmoid, BinaryCrossEntropy, Adam with the
// obsolete lr_decay fields) with parameters we supply: loads, trains, scores.
static void test_nnc_logreg(void) {
    if (!have_fixtures()) return;
    size_t size;
    uint8_t *text = (uint8_t *)sgdi_test_read_file(fixture("nnc_logreg_N00000025.nntxt"), &size);
    CHECK(text != NULL);
    if (!text) return;
    sgdi_param_list params = {0};
    sgdi_error err;
    float *w = calloc(784, sizeof(float)), b = 0.0f;
    unsigned s = 5u;
    for (int i = 0; i < 784; i++) w[i] = (float)(0.02 * (lcg(&s) - 0.5));
    CHECK(sgdi_param_list_add(&params, "Affine/affine/W", sgdi_shape2(784, 1), w, true, &err) ==
          SGDI_OK);
    CHECK(sgdi_param_list_add(&params, "Affine/affine/b", sgdi_shape1(1), &b, true, &err) ==
          SGDI_OK);
    write_nnp(tmp_path("logreg.nnp"), (const char *)text, size, &params);
    sgdi_model *m = NULL;
    CHECK(sgdi_model_load(tmp_path("logreg.nnp"), &m, &err) == SGDI_OK);
    if (m) {
        CHECK_MSG(sgdi_model_unsupported(m) == NULL, "%s", sgdi_model_unsupported(m));
        CHECK(m->solver.solver == SGDI_SOLVER_ADAM && fabs(m->solver.lr - 0.001) < 1e-9);
        char *desc = NULL;
        CHECK(sgdi_model_describe(m, &desc, &err) == SGDI_OK);
        CHECK(desc && strstr(desc, "BinaryCrossEntropy") && strstr(desc, "status: supported"));
        free(desc);
        sgdi_dataset *train = table(40, 784, 2, 3u), *val = table(20, 784, 2, 4u);
        sgdi_options opt;
        sgdi_options_init(&opt);
        opt.model = m, opt.epochs = 1, opt.batch_size = 8;
        sgdi_result *res = NULL;
        CHECK(sgdi_run(&opt, train, val, NULL, NULL, &res, &err) == SGDI_OK);
        if (res) {
            double norm = 0;
            for (int i = 0; i < 40; i++) norm += fabs(sgdi_result_scores(res)[i]);
            CHECK(norm > 0 && isfinite(norm));
        }
        // A table of the wrong width is refused with both sizes named.
        sgdi_dataset *narrow = table(10, 5, 2, 9u);
        sgdi_result *bad = NULL;
        CHECK(sgdi_run(&opt, narrow, narrow, NULL, NULL, &bad, &err) == SGDI_ERR_INVALID);
        CHECK(strstr(err.message, "784") && strstr(err.message, "5 features"));
        sgdi_dataset_free(narrow);
        sgdi_result_free(res);
        sgdi_dataset_free(train);
        sgdi_dataset_free(val);
    }
    sgdi_model_free(m);
    sgdi_param_list_free(&params);
    free(w);
    free(text);
}

// An autoencoder (data x feeds input and target) loads and is described, but
// sgdi_run says why it cannot train it.
static void test_nnc_autoencoder_unsupported(void) {
    if (!have_fixtures()) return;
    size_t size;
    uint8_t *text =
        (uint8_t *)sgdi_test_read_file(fixture("nnc_mlp_dropout_N00000027.nntxt"), &size);
    if (!text) return;
    write_nnp(tmp_path("ae.nnp"), (const char *)text, size, NULL);
    sgdi_model *m = NULL;
    sgdi_error err;
    CHECK(sgdi_model_load(tmp_path("ae.nnp"), &m, &err) == SGDI_OK);
    if (m) {
        const char *why = sgdi_model_unsupported(m);
        CHECK(why && strstr(why, "data 'x' feeds two variables"));
    }
    sgdi_model_free(m);
    free(text);
}

// The real lenet .nnp: convolutions and pooling, all supported; but no optimizer,
// so it describes and training is refused (saying why).
static void test_lenet_describe(void) {
    if (!have_fixtures()) return;
    sgdi_model *m = NULL;
    sgdi_error err;
    CHECK(sgdi_model_load(fixture("nnabla_lenet_010000.nnp"), &m, &err) == SGDI_OK);
    if (!m) return;
    char *desc = NULL;
    CHECK(sgdi_model_describe(m, &desc, &err) == SGDI_OK);
    CHECK(desc && strstr(desc, "Convolution") && strstr(desc, "MaxPooling") &&
          !strstr(desc, "[not supported]") && strstr(desc, "20192 values"));
    CHECK(sgdi_model_unsupported(m) && strstr(sgdi_model_unsupported(m), "no optimizer"));
    free(desc);
    sgdi_model_free(m);
}

// --- Bad files -----------------------------------------------------------------------

static const char LOGREG_TEXT[] =
    "network { name: \"Main\" batch_size: 4\n"
    "  variable { name: \"x\" type: \"Buffer\" shape: { dim: -1 dim: 3 } }\n"
    "  variable { name: \"y\" type: \"Buffer\" shape: { dim: -1 dim: 1 } }\n"
    "  variable { name: \"W\" type: \"Parameter\" shape: { dim: 3 dim: 2 } }\n"
    "  variable { name: \"h\" type: \"Buffer\" shape: { dim: -1 dim: 2 } }\n"
    "  variable { name: \"loss\" type: \"Buffer\" shape: { dim: -1 dim: 1 } }\n"
    "  function { name: \"fc\" type: \"Affine\" input: \"x\" input: \"W\" output: \"h\"\n"
    "             affine_param { base_axis: 1 } }\n"
    "  function { name: \"ce\" type: \"%s\" input: \"%s\" input: \"y\" output: \"loss\" }\n"
    "}\n"
    "optimizer { name: \"o\" network_name: \"Main\" solver { type: \"Sgd\" sgd_param { lr: 0.1 } "
    "%s }\n"
    "  data_variable { variable_name: \"x\" data_name: \"x\" }\n"
    "  data_variable { variable_name: \"y\" data_name: \"y\" }\n"
    "  loss_variable { variable_name: \"loss\" } }\n";

// Loads an .nnp made of LOGREG_TEXT (with the loss function `type` reading `input`, and
// `solver_extra` inside the solver's braces) and a W of shape w_shape (or none); returns
// the status, message in err.
static sgdi_status load_solver_variant(const char *type, const char *input, int64_t w_rows,
                                       const char *solver_extra, sgdi_error *err) {
    char text[4096];
    int n = snprintf(text, sizeof text, LOGREG_TEXT, type, input, solver_extra);
    sgdi_param_list params = {0};
    float w[8] = {0};
    if (w_rows > 0) sgdi_param_list_add(&params, "W", sgdi_shape2(w_rows, 2), w, true, err);
    write_nnp(tmp_path("variant.nnp"), text, (size_t)n, &params);
    sgdi_param_list_free(&params);
    sgdi_model *m = NULL;
    sgdi_status st = sgdi_model_load(tmp_path("variant.nnp"), &m, err);
    if (st == SGDI_OK && sgdi_model_unsupported(m)) {
        snprintf(err->message, sizeof err->message, "%s", sgdi_model_unsupported(m));
        st = SGDI_ERR_UNSUPPORTED;
    }
    sgdi_model_free(m);
    return st;
}

static sgdi_status load_variant(const char *type, const char *input, int64_t w_rows,
                                sgdi_error *err) {
    return load_solver_variant(type, input, w_rows, "", err);
}

static void test_bad_files(void) {
    sgdi_error err;
    sgdi_model *m = NULL;
    CHECK(load_variant("SoftmaxCrossEntropy", "h", 3, &err) == SGDI_OK);
    // Not a zip.
    FILE *f = fopen(tmp_path("garbage.nnp"), "wb");
    fputs("this is not a zip archive at all", f);
    fclose(f);
    CHECK(sgdi_model_load(tmp_path("garbage.nnp"), &m, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "garbage.nnp") != NULL, "%s", err.message);
    // Missing file.
    CHECK(sgdi_model_load(tmp_path("missing.nnp"), &m, &err) != SGDI_OK);
    CHECK(strstr(err.message, "missing.nnp") != NULL);
    // A zip without a network.
    sgdi_zip_member only_version[] = {{"nnp_version.txt", "0.1\n", 4}};
    CHECK(sgdi_zip_write_file(tmp_path("empty.nnp"), only_version, 1, &err) == SGDI_OK);
    CHECK(sgdi_model_load(tmp_path("empty.nnp"), &m, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "no network description"), "%s", err.message);
    // Malformed text: the message has the member, line and column.
    write_nnp(tmp_path("text.nnp"), "network {\n  name: \"Main\"\n  batch_size: oops\n}\n", 41,
              NULL);
    CHECK(sgdi_model_load(tmp_path("text.nnp"), &m, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "net.nntxt:3:"), "%s", err.message);
    // A parameter whose shape disagrees with its variable.
    CHECK(load_variant("SoftmaxCrossEntropy", "h", 4, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "'W'") && strstr(err.message, "8 values"), "%s", err.message);
    // A parameter missing.
    CHECK(load_variant("SoftmaxCrossEntropy", "h", 0, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "'W' is not in the file"), "%s", err.message);
    // An undefined input (or a cycle: a function reading what a later one writes).
    CHECK(load_variant("SoftmaxCrossEntropy", "nowhere", 3, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "'nowhere'") && strstr(err.message, "cycle"), "%s", err.message);
    // A name longer than the engine keeps is refused, not truncated into another name.
    char long_text[2048], long_name[320];
    memset(long_name, 'w', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    int n = snprintf(long_text, sizeof long_text,
                     "network { name: \"Main\" variable { name: \"x\" type: \"Buffer\" shape: "
                     "{ dim: -1 dim: 2 } } variable { name: \"y\" type: \"Buffer\" shape: { "
                     "dim: -1 dim: 1 } } variable { name: \"%s\" type: \"Parameter\" shape: { "
                     "dim: 2 dim: 2 } } function { name: \"f\" type: \"Affine\" input: \"x\" "
                     "input: \"%s\" output: \"h\" } } optimizer { name: \"o\" network_name: "
                     "\"Main\" solver { type: \"Sgd\" sgd_param { lr: 0.1 } } data_variable { "
                     "variable_name: \"x\" data_name: \"x\" } }",
                     long_name, long_name);
    CHECK(sgdi_model_load_text(long_text, (size_t)n, "long.nntxt", &m, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "longer than 255 bytes"), "%s", err.message);
    // An unsupported function, named with its type and layer.
    CHECK(load_variant("HingeLoss", "h", 3, &err) == SGDI_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(err.message, "HingeLoss 'ce'"), "%s", err.message);
    // A scheduler's max_iter (a float) too large for an iteration count: refused, not
    // converted (the conversion is undefined; found by the model fuzz target).
    const char *huge_cosine = "lr_scheduler_type: \"Cosine\" "
                              "cosine_scheduler_param { max_iter: 3.3e20 }";
    CHECK(load_solver_variant("SoftmaxCrossEntropy", "h", 3, huge_cosine, &err) ==
          SGDI_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(err.message, "cosine scheduler: max_iter") &&
                  strstr(err.message, "not an iteration count"),
              "%s", err.message);
    const char *fine_cosine = "lr_scheduler_type: \"Cosine\" "
                              "cosine_scheduler_param { max_iter: 1000 }";
    CHECK(load_solver_variant("SoftmaxCrossEntropy", "h", 3, fine_cosine, &err) == SGDI_OK);
}

int main(void) {
    if (!mkdtemp(tmp_dir)) return 1;
    RUN(test_builtin_equals_file);
    RUN(test_repeat_blocks);
    RUN(test_learning_rate_multipliers);
    RUN(test_nnc_logreg);
    RUN(test_nnc_autoencoder_unsupported);
    RUN(test_lenet_describe);
    RUN(test_bad_files);
    const char *names[] = {"builtin.nnp", "trained.nnp", "logreg.nnp", "ae.nnp",
                           "variant.nnp", "garbage.nnp", "empty.nnp",  "text.nnp"};
    model_tmp_remove(tmp_dir, names, sizeof names / sizeof *names);
    return sgdi_test_finish();
}
