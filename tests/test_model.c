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
 * (with a note) when absent.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "api/result.h"
#include "graph/builtin.h"
#include "model/model.h"
#include "model/save.h"
#include "nnp/protobin.h"
#include "nnp/zip.h"
#include "test_support.h"

static const char *const FIXTURES = "../../shared/fixtures/nnabla-real/";

static char tmp_dir[] = "/tmp/sgdi-test-model-XXXXXX";

static char *tmp_path(const char *name) {
    static char path[4][512];
    static int next = 0;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmp_dir, name);
    return p;
}

static double lcg(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * 0x1p-24;
}

// A table of n rows, f features, labels 0..c-1 from a noisy linear rule.
static sgdi_dataset *table(int n, int f, int c, unsigned seed) {
    size_t cap = (size_t)(n + 1) * (size_t)(f + 1) * 16 + 64, len = 0;
    char *csv = malloc(cap);
    for (int j = 0; j < f; j++) len += (size_t)snprintf(csv + len, cap - len, "x__%d,", j);
    len += (size_t)snprintf(csv + len, cap - len, "y\n");
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < f; j++) {
            double x = 2 * lcg(&seed) - 1;
            s += x * ((j % 3) - 1);
            len += (size_t)snprintf(csv + len, cap - len, "%.4f,", x);
        }
        int label = (int)((s + 0.5 * (lcg(&seed) - 0.5) + 2.0) * c / 4.0);
        label = label < 0 ? 0 : label >= c ? c - 1 : label;
        len += (size_t)snprintf(csv + len, cap - len, "%d\n", label);
    }
    sgdi_dataset *ds = NULL;
    sgdi_error err;
    if (sgdi_dataset_load_csv_buffer(csv, len, "table.csv", &ds, &err) != SGDI_OK)
        fprintf(stderr, "table: %s\n", err.message);
    free(csv);
    return ds;
}

static uint8_t *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)n + 1);
    *size = fread(data, 1, (size_t)n, f);
    fclose(f);
    return data;
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

// --- Continuing from the file's solver state -----------------------------------------

// An HDF5 solver-state file as nnabla writes one for Momentum: per parameter a group
// with dataset "m" (the velocity) and integer "t". Element i gets velocity * (i % 3 - 1):
// a velocity equal for every class would shift all logits alike, which softmax ignores.
static uint8_t *momentum_state(const sgdi_graph *g, float velocity, size_t *size) {
    const char *path = tmp_path("state.h5");
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        hsize_t dims[SGDI_MAX_DIMS];
        for (int d = 0; d < var->shape.ndim; d++) dims[d] = (hsize_t)var->shape.dim[d];
        float *m = malloc((size_t)var->count * sizeof(float));
        for (int64_t i = 0; i < var->count; i++) m[i] = velocity * (float)(i % 3 - 1);
        char name[SGDI_VAR_NAME_MAX + 8];
        snprintf(name, sizeof name, "%s/m", var->name);
        hid_t space = H5Screate_simple(var->shape.ndim, dims, NULL);
        hid_t set = H5Dcreate2(file, name, H5T_IEEE_F32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m);
        H5Dclose(set), H5Sclose(space), free(m);
        snprintf(name, sizeof name, "%s/t", var->name);
        long long t = 7;
        space = H5Screate(H5S_SCALAR);
        set = H5Dcreate2(file, name, H5T_STD_I64LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(set, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, &t);
        H5Dclose(set), H5Sclose(space);
    }
    H5Pclose(lcpl);
    H5Fclose(file);
    return read_file(path, size);
}

// A Momentum logistic regression (5 features, 3 classes) written as plain.nnp with the
// initial parameters of seed 3, and its text and parameter members read back: the
// archive the solver-state tests extend with a state member.
typedef struct momentum_fixture {
    sgdi_options opt;
    sgdi_graph g;
    float *theta;
    uint8_t *text, *params;
    size_t text_size, params_size;
} momentum_fixture;

static void momentum_fixture_init(momentum_fixture *f) {
    memset(f, 0, sizeof *f);
    sgdi_options_init(&f->opt);
    f->opt.network = SGDI_NETWORK_LOGREG, f->opt.solver = SGDI_SOLVER_MOMENTUM;
    f->opt.lr = 0.01, f->opt.batch_size = 10, f->opt.epochs = 2;
    sgdi_graph_init(&f->g);
    sgdi_error err;
    CHECK(sgdi_build_network(&f->opt, sgdi_shape1(5), 3, &f->g, &err) == SGDI_OK);
    f->theta = calloc((size_t)f->g.n_params, sizeof(float));
    sgdi_init_parameters(&f->g, 3, f->theta);
    CHECK(sgdi_model_write_builtin(&f->g, &f->opt, f->theta, tmp_path("plain.nnp"), &err) ==
          SGDI_OK);
    sgdi_zip *z = NULL;
    CHECK(sgdi_zip_open_file(tmp_path("plain.nnp"), &z, &err) == SGDI_OK);
    if (z) {
        CHECK(sgdi_zip_read(z, sgdi_zip_find(z, "network.nntxt"), 1 << 20, &f->text, &f->text_size,
                            &err) == SGDI_OK);
        CHECK(sgdi_zip_read(z, sgdi_zip_find(z, "parameter.protobuf"), 1 << 20, &f->params,
                            &f->params_size, &err) == SGDI_OK);
    }
    sgdi_zip_close(z);
}

static void momentum_fixture_free(momentum_fixture *f) {
    free(f->text), free(f->params), free(f->theta);
    sgdi_graph_free(&f->g);
}

// The same state as momentum_state, in nnabla's binary protobuf variant: an
// NNablaProtoBuf whose optimizer's solver maps each parameter to {t, "m": tensor}.
static uint8_t *momentum_state_protobuf(const sgdi_graph *g, float velocity, size_t *size) {
    int n = 0;
    for (int v = 0; v < g->n_vars; v++) n += g->vars[v].is_param;
    Solver__StatesEntry *entries = calloc((size_t)n, sizeof *entries);
    Solver__StatesEntry **entry_ptrs = calloc((size_t)n, sizeof *entry_ptrs);
    SolverState *states = calloc((size_t)n, sizeof *states);
    SolverState__StateParameterEntry *tensors = calloc((size_t)n, sizeof *tensors);
    SolverState__StateParameterEntry **tensor_ptrs = calloc((size_t)n, sizeof *tensor_ptrs);
    SolverStateParameter *values = calloc((size_t)n, sizeof *values);
    Shape *shapes = calloc((size_t)n, sizeof *shapes);
    int k = 0;
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        shape__init(&shapes[k]);
        shapes[k].n_dim = (size_t)var->shape.ndim;
        shapes[k].dim = (int64_t *)var->shape.dim;
        solver_state_parameter__init(&values[k]);
        values[k].shape = &shapes[k];
        values[k].n_data = (size_t)var->count;
        values[k].data = malloc((size_t)var->count * sizeof(float));
        for (int64_t i = 0; i < var->count; i++) values[k].data[i] = velocity * (float)(i % 3 - 1);
        solver_state__state_parameter_entry__init(&tensors[k]);
        tensors[k].key = "m";
        tensors[k].value = &values[k];
        tensor_ptrs[k] = &tensors[k];
        solver_state__init(&states[k]);
        states[k].t = 7;
        states[k].n_state_parameter = 1;
        states[k].state_parameter = &tensor_ptrs[k];
        solver__states_entry__init(&entries[k]);
        entries[k].key = (char *)var->name;
        entries[k].value = &states[k];
        entry_ptrs[k] = &entries[k];
        k++;
    }
    Solver solver;
    solver__init(&solver);
    solver.type = "Momentum";
    solver.n_states = (size_t)n;
    solver.states = entry_ptrs;
    Optimizer optimizer;
    optimizer__init(&optimizer);
    optimizer.solver = &solver;
    Optimizer *optimizers[] = {&optimizer};
    NNablaProtoBuf msg;
    nnabla_proto_buf__init(&msg);
    msg.n_optimizer = 1;
    msg.optimizer = optimizers;
    *size = nnabla_proto_buf__get_packed_size(&msg);
    uint8_t *out = malloc(*size);
    nnabla_proto_buf__pack(&msg, out);
    for (int i = 0; i < n; i++) free(values[i].data);
    free(entries), free(entry_ptrs), free(states), free(tensors), free(tensor_ptrs), free(values);
    free(shapes);
    return out;
}

// nnabla's protobuf solver state continues training exactly as the HDF5 one.
static void test_protobuf_solver_state(void) {
    sgdi_dataset *train = table(60, 5, 3, 11u), *val = table(30, 5, 3, 12u);
    momentum_fixture f;
    momentum_fixture_init(&f);
    sgdi_options opt = f.opt;
    const sgdi_graph *g = &f.g;
    sgdi_error err;
    uint8_t *text = f.text, *params = f.params;
    size_t text_size = f.text_size, params_size = f.params_size;
    size_t h5_size = 0, pb_size = 0;
    uint8_t *h5 = momentum_state(g, 0.05f, &h5_size);
    uint8_t *pb = momentum_state_protobuf(g, 0.05f, &pb_size);
    const char *files[] = {"state_h5.nnp", "state_pb.nnp", "state_bad.nnp"};
    sgdi_zip_member members[] = {{"nnp_version.txt", "0.1\n", 4},
                                 {"network.nntxt", text, text_size},
                                 {"parameter.protobuf", params, params_size},
                                 {"Optimizer_Momentum_optimizer.h5.optimizer", h5, h5_size}};
    CHECK(sgdi_zip_write_file(tmp_path(files[0]), members, 4, &err) == SGDI_OK);
    members[3] = (sgdi_zip_member){"Optimizer_Momentum_optimizer.protobuf.optimizer", pb, pb_size};
    CHECK(sgdi_zip_write_file(tmp_path(files[1]), members, 4, &err) == SGDI_OK);
    members[3].size = pb_size / 2; // truncated
    CHECK(sgdi_zip_write_file(tmp_path(files[2]), members, 4, &err) == SGDI_OK);

    sgdi_model *a = NULL, *b = NULL, *bad = NULL;
    CHECK(sgdi_model_load(tmp_path(files[0]), &a, &err) == SGDI_OK);
    CHECK(sgdi_model_load(tmp_path(files[1]), &b, &err) == SGDI_OK);
    CHECK(sgdi_model_load(tmp_path(files[2]), &bad, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "protobuf.optimizer"), "%s", err.message);
    if (a && b) {
        CHECK(b->state0 && b->t0 == 7);
        CHECK(a->state0 && b->state0 &&
              memcmp(a->state0, b->state0, (size_t)g->n_params * sizeof(float)) == 0);
        sgdi_options oa = opt, ob = opt;
        oa.model = a, ob.model = b;
        sgdi_result *ra = NULL, *rb = NULL;
        CHECK(sgdi_run(&oa, train, val, NULL, NULL, &ra, &err) == SGDI_OK);
        CHECK(sgdi_run(&ob, train, val, NULL, NULL, &rb, &err) == SGDI_OK);
        if (ra && rb)
            CHECK(!memcmp(sgdi_result_scores(ra), sgdi_result_scores(rb), 60 * sizeof(double)));
        sgdi_result_free(ra);
        sgdi_result_free(rb);
    }
    sgdi_model_free(a);
    sgdi_model_free(b);
    sgdi_model_free(bad);
    free(h5), free(pb);
    momentum_fixture_free(&f);
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);
}

static void test_solver_state(void) {
    sgdi_dataset *train = table(60, 5, 3, 11u), *val = table(30, 5, 3, 12u);
    momentum_fixture f;
    momentum_fixture_init(&f);
    sgdi_options opt = f.opt;
    const sgdi_graph *g = &f.g;
    sgdi_error err;
    uint8_t *text = f.text, *params = f.params;
    size_t text_size = f.text_size, params_size = f.params_size;
    // The same archive plus a solver-state member.
    size_t state_size = 0;
    uint8_t *state = momentum_state(g, 0.05f, &state_size);
    sgdi_zip_member members[] = {{"nnp_version.txt", "0.1\n", 4},
                                 {"network.nntxt", text, text_size},
                                 {"parameter.protobuf", params, params_size},
                                 {"Optimizer_Momentum_optimizer.h5.optimizer", state, state_size}};
    CHECK(sgdi_zip_write_file(tmp_path("state.nnp"), members, 4, &err) == SGDI_OK);

    sgdi_model *plain = NULL, *resumed = NULL;
    CHECK(sgdi_model_load(tmp_path("plain.nnp"), &plain, &err) == SGDI_OK);
    CHECK(sgdi_model_load(tmp_path("state.nnp"), &resumed, &err) == SGDI_OK);
    if (plain && resumed) {
        CHECK(plain->state0 == NULL && resumed->state0 != NULL && resumed->t0 == 7);
        CHECK(resumed->state0 && resumed->state0[0] == -0.05f && resumed->state0[2] == 0.05f);
        char *desc = NULL;
        CHECK(sgdi_model_describe(resumed, &desc, &err) == SGDI_OK);
        CHECK_MSG(desc && strstr(desc, "continues from 'Optimizer_Momentum_optimizer.h5."
                                       "optimizer' (t = 7)"),
                  "%s", desc ? desc : "");
        free(desc);
        // The state changes training; leave-one-out starts from it too, so the
        // self-check still agrees (it would not if retraining started from zero).
        sgdi_options a = opt, b = opt;
        a.model = plain, b.model = resumed, b.validate = 60;
        sgdi_result *ra = NULL, *rb = NULL;
        CHECK(sgdi_run(&a, train, val, NULL, NULL, &ra, &err) == SGDI_OK);
        CHECK(sgdi_run(&b, train, val, NULL, NULL, &rb, &err) == SGDI_OK);
        if (ra && rb) {
            CHECK(memcmp(sgdi_result_scores(ra), sgdi_result_scores(rb), 60 * sizeof(double)));
            const sgdi_validation *v = sgdi_result_validation(rb);
            CHECK_MSG(v && v->kendall_tau > 0.9, "tau %.3f", v ? v->kendall_tau : -1.0);
            // Ranks are blind to a shift common to every retraining (what starting
            // retraining from another state would cause); the levels must agree too.
            double bias = 0, spread = 0;
            for (int64_t k = 0; v && k < v->count; k++) {
                bias += (v->actual[k] - v->estimated[k]) / (double)v->count;
                spread += fabs(v->actual[k]) / (double)v->count;
            }
            fprintf(stderr, "  mean error %.3g, mean |actual| %.3g\n", bias, spread);
            CHECK_MSG(fabs(bias) < 0.2 * spread, "mean error %.3g vs mean |actual| %.3g", bias,
                      spread);
        }
        sgdi_result_free(ra);
        sgdi_result_free(rb);
    }
    sgdi_model_free(plain);
    sgdi_model_free(resumed);
    free(state);
    momentum_fixture_free(&f);
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
    uint8_t *text = read_file(fixture("nnc_logreg_N00000025.nntxt"), &size);
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
    uint8_t *text = read_file(fixture("nnc_mlp_dropout_N00000027.nntxt"), &size);
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
    RUN(test_solver_state);
    RUN(test_protobuf_solver_state);
    RUN(test_repeat_blocks);
    RUN(test_nnc_logreg);
    RUN(test_nnc_autoencoder_unsupported);
    RUN(test_lenet_describe);
    RUN(test_bad_files);
    const char *names[] = {"plain.nnp",    "state.nnp",    "state.h5",      "builtin.nnp",
                           "state_h5.nnp", "state_pb.nnp", "state_bad.nnp", "trained.nnp",
                           "logreg.nnp",   "ae.nnp",       "variant.nnp",   "garbage.nnp",
                           "empty.nnp",    "text.nnp"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) unlink(tmp_path(names[k]));
    rmdir(tmp_dir);
    return sgdi_test_finish();
}
