/*
 * setup.c — the network, resolved options and thread count of a run (see setup.h).
 */
#include "api/setup.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>

#include "data/dataset.h"
#include "graph/builtin.h"
#include "model/model.h"
#include "train/predict.h"
#include "util/error.h"

// "auto": images get the CNN, method last and the plugins' damped curvature, as the
// image plugin; tables logistic regression (see docs/ARCHITECTURE.md for why not the
// MLP), method all and Hara et al.'s curvature.
static void resolve_auto(sgdi_options *o, const sgdi_dataset *train) {
    bool images = sgdi_dataset_is_image(train);
    if (o->method == SGDI_METHOD_AUTO) o->method = images ? SGDI_METHOD_LAST : SGDI_METHOD_ALL;
    if (o->hessian == SGDI_HESSIAN_AUTO)
        o->hessian = images ? SGDI_HESSIAN_PLUGIN : SGDI_HESSIAN_PAPER;
    if (o->network == SGDI_NETWORK_AUTO)
        o->network = images ? SGDI_NETWORK_CNN : SGDI_NETWORK_LOGREG;
}

// Takes the network, parameters, solver and schedule from the model.
static sgdi_status use_model(sgdi_setup *s, const sgdi_model *m, const sgdi_dataset *train,
                             sgdi_error *err) {
    if (m->unsupported[0])
        return sgdi_fail(err, SGDI_ERR_UNSUPPORTED, "%s: %s", m->path, m->unsupported);
    const sgdi_graph *g = &m->graph;
    int64_t inputs = g->vars[g->input_var].count, features = sgdi_dataset_features(train);
    if (!sgdi_dataset_is_image(train) && inputs != features)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "%s: input '%s' takes %lld values per sample; the table has %lld "
                         "features",
                         m->path, g->vars[g->input_var].name, (long long)inputs,
                         (long long)features);
    int64_t classes = sgdi_loss_classes(g);
    if (classes > 0 && sgdi_dataset_classes(train) > classes)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "%s: the table's labels go up to %d, but the model's loss has %lld "
                         "classes",
                         m->path, (int)sgdi_dataset_classes(train) - 1, (long long)classes);
    sgdi_options *o = &s->opt;
    const sgdi_options *from = &m->solver;
    o->solver = from->solver, o->lr = from->lr, o->momentum = from->momentum;
    o->beta1 = from->beta1, o->beta2 = from->beta2, o->eps = from->eps, o->decay = from->decay;
    o->wd = from->wd, o->weight_decay = from->weight_decay;
    s->plan = (sgdi_train_plan){.graph = g,
                                .lr_mult = m->lr_mult,
                                .schedule = &m->schedule,
                                .state0 = m->state0,
                                .t0 = m->t0};
    s->theta0 = m->theta0;
    return SGDI_OK;
}

sgdi_status sgdi_setup_init(sgdi_setup *s, const sgdi_options *opt, const sgdi_dataset *train,
                            sgdi_error *err) {
    *s = (sgdi_setup){.opt = *opt};
    sgdi_graph_init(&s->builtin);
    sgdi_status st = sgdi_options_check(opt, err);
    if (st != SGDI_OK) return st;
    resolve_auto(&s->opt, train);
    if (opt->model) {
        st = use_model(s, opt->model, train, err);
    } else {
        st = sgdi_build_network(&s->opt, sgdi_dataset_sample_shape(train),
                                sgdi_dataset_classes(train), &s->builtin, err);
        if (st == SGDI_OK) st = sgdi_graph_lr_mult(&s->builtin, &s->builtin_lr_mult, err);
        s->plan = (sgdi_train_plan){.graph = &s->builtin, .lr_mult = s->builtin_lr_mult};
    }
    if (st != SGDI_OK) return st;
    const sgdi_graph *g = s->plan.graph;
    return sgdi_dataset_check_shape(train, g->vars[g->input_var].shape, err);
}

void sgdi_setup_free(sgdi_setup *s) {
    if (!s) return;
    sgdi_graph_free(&s->builtin);
    free(s->builtin_lr_mult);
    s->builtin_lr_mult = NULL;
}

void sgdi_setup_threads(const sgdi_setup *s) {
    // The matrix work's thread count is process-wide in OpenBLAS and OpenMP. Below this
    // many parameters the products are too thin for threads to pay (bench_step: two
    // threads are 1.5-2.6x slower on the 8-8 MLP), so they run on one; the choice depends
    // on the network only, so results stay deterministic for a given --threads.
    enum { THREADED_MIN_PARAMETERS = 100000 };
    int threads = s->plan.graph->n_params < THREADED_MIN_PARAMETERS ? 1 : s->opt.threads;
    openblas_set_num_threads(threads);
    omp_set_num_threads(threads);
}
