/*
 * test_model_state.c — models from .nnp files that carry a solver state (nnabla's
 * Momentum state, as HDF5 and as binary protobuf):
 *   - the state loads (velocities and t) and is named when the model is described;
 *   - training continues from it, and leave-one-out retraining starts from it too,
 *     so the self-check still agrees;
 *   - the protobuf state trains to the same bits as the HDF5 one, and a truncated
 *     one gets a clear error.
 */
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "graph/builtin.h"
#include "model/model.h"
#include "model/save.h"
#include "nnp/zip.h"
#include "model_fixtures.h"
#include "test_support.h"

static char tmp_dir[] = "/tmp/sgdi-test-model-state-XXXXXX";

static char *tmp_path(const char *name) {
    return model_tmp_path(tmp_dir, name);
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
    return (uint8_t *)sgdi_test_read_file(path, size);
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

int main(void) {
    if (!mkdtemp(tmp_dir)) return 1;
    RUN(test_solver_state);
    RUN(test_protobuf_solver_state);
    const char *names[] = {"plain.nnp",    "state.nnp",    "state.h5",
                           "state_h5.nnp", "state_pb.nnp", "state_bad.nnp"};
    model_tmp_remove(tmp_dir, names, sizeof names / sizeof *names);
    return sgdi_test_finish();
}
