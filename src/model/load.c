/*
 * load.c — sgdi_model_load: a .nnp file into a model, as nnabla's loader
 * reads it: text members merged in archive order, then parameters from the
 * text, parameter.protobuf and parameter.h5 members (later ones win), then the
 * optimizer that trains (the first one), its network and its solver.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "nnp/container.h"
#include "nnp/h5params.h"
#include "nnp/protobin_state.h"
#include "nnp/protobin.h"
#include "util/error.h"

// --- Solver --------------------------------------------------------------------------

// A scheduler's max_iter (a float in nnabla's proto) as the schedule's iteration count;
// false when it is no count at all (not finite, or beyond 2^53, where the conversion to
// an integer is undefined), which the caller reports. Zero and negative counts pass, for
// sgdi_lr_schedule_check to refuse with its own message.
static bool iteration_count(float v, int64_t *out) {
    if (!(v >= -9.0e15f && v <= 9.0e15f)) return false;
    *out = (int64_t)v;
    return true;
}

static void read_schedule(sgdi_model *m, const Solver *s) {
    sgdi_lr_schedule *sch = &m->schedule;
    sgdi_lr_schedule_init(sch);
    const char *type = s->lr_scheduler_type;
    if (strcmp(type, "Exponential") == 0 && s->exponential_scheduler_param) {
        sch->type = SGDI_LR_EXPONENTIAL;
        sch->gamma = s->exponential_scheduler_param->gamma;
        sch->iter_interval = s->exponential_scheduler_param->iter_interval;
        if (sch->gamma == 1.0) sch->type = SGDI_LR_CONSTANT;
    } else if (strcmp(type, "Polynomial") == 0 && s->polynomial_scheduler_param) {
        sch->type = SGDI_LR_POLYNOMIAL;
        float max_iter = s->polynomial_scheduler_param->max_iter;
        if (!iteration_count(max_iter, &sch->max_iter))
            snprintf(m->unsupported, sizeof m->unsupported,
                     "polynomial scheduler: max_iter %g is not an iteration count", max_iter);
        sch->power = s->polynomial_scheduler_param->power;
        if (sch->power == 0.0) sch->type = SGDI_LR_CONSTANT;
    } else if (strcmp(type, "Cosine") == 0 && s->cosine_scheduler_param) {
        sch->type = SGDI_LR_COSINE;
        float max_iter = s->cosine_scheduler_param->max_iter;
        if (!iteration_count(max_iter, &sch->max_iter))
            snprintf(m->unsupported, sizeof m->unsupported,
                     "cosine scheduler: max_iter %g is not an iteration count", max_iter);
    } else if (strcmp(type, "Step") == 0 && s->step_scheduler_param) {
        sch->type = SGDI_LR_STEP;
        sch->gamma = s->step_scheduler_param->gamma;
        size_t n = s->step_scheduler_param->n_iter_steps;
        sch->n_steps = (int)(n < SGDI_LR_MAX_STEPS ? n : SGDI_LR_MAX_STEPS);
        for (int k = 0; k < sch->n_steps; k++)
            sch->iter_steps[k] = s->step_scheduler_param->iter_steps[k];
    } else if (type[0] == '\0' && s->lr_decay != 0.0f && s->lr_decay != 1.0f) {
        sch->type = SGDI_LR_LEGACY; // the obsolete lr_decay / lr_decay_interval pair
        sch->lr_decay = s->lr_decay;
        sch->lr_decay_interval = s->lr_decay_interval;
    } else if (type[0] != '\0' && strcmp(type, "None") != 0 && strcmp(type, "Exponential") != 0) {
        snprintf(m->unsupported, sizeof m->unsupported, "learning-rate scheduler '%s'", type);
    }
    if (strcmp(s->lr_warmup_scheduler_type, "Linear") == 0 && s->linear_warmup_scheduler_param)
        sch->warmup_iter = s->linear_warmup_scheduler_param->warmup_iter;
}

void sgdi_model_read_solver(sgdi_model *m) {
    sgdi_options *o = &m->solver;
    sgdi_options_init(o);
    const Solver *s = m->optimizer ? m->optimizer->solver : NULL;
    if (!s) {
        snprintf(m->unsupported, sizeof m->unsupported, "the optimizer has no solver");
        return;
    }
    o->weight_decay = s->weight_decay;
    switch (s->parameter_case) {
    case SOLVER__PARAMETER_SGD_PARAM:
        o->solver = SGDI_SOLVER_SGD, o->lr = s->sgd_param->lr;
        break;
    case SOLVER__PARAMETER_MOMENTUM_PARAM:
        o->solver = SGDI_SOLVER_MOMENTUM, o->lr = s->momentum_param->lr;
        o->momentum = s->momentum_param->momentum;
        break;
    case SOLVER__PARAMETER_NESTEROV_PARAM:
        o->solver = SGDI_SOLVER_NESTEROV, o->lr = s->nesterov_param->lr;
        o->momentum = s->nesterov_param->momentum;
        break;
    case SOLVER__PARAMETER_ADAM_PARAM:
        o->solver = SGDI_SOLVER_ADAM, o->lr = s->adam_param->alpha;
        o->beta1 = s->adam_param->beta1, o->beta2 = s->adam_param->beta2;
        o->eps = s->adam_param->eps;
        break;
    case SOLVER__PARAMETER_ADAMW_PARAM:
        o->solver = SGDI_SOLVER_ADAMW, o->lr = s->adamw_param->alpha;
        o->beta1 = s->adamw_param->beta1, o->beta2 = s->adamw_param->beta2;
        o->eps = s->adamw_param->eps, o->wd = s->adamw_param->wd;
        break;
    case SOLVER__PARAMETER_ADAGRAD_PARAM:
        o->solver = SGDI_SOLVER_ADAGRAD, o->lr = s->adagrad_param->lr;
        o->eps = s->adagrad_param->eps;
        break;
    case SOLVER__PARAMETER_RMSPROP_PARAM:
        o->solver = SGDI_SOLVER_RMSPROP, o->lr = s->rmsprop_param->lr;
        o->decay = s->rmsprop_param->decay, o->eps = s->rmsprop_param->eps;
        break;
    case SOLVER__PARAMETER_ADADELTA_PARAM:
        o->solver = SGDI_SOLVER_ADADELTA, o->lr = s->adadelta_param->lr;
        o->decay = s->adadelta_param->decay, o->eps = s->adadelta_param->eps;
        break;
    default:
        snprintf(m->unsupported, sizeof m->unsupported, "solver '%s'",
                 s->type[0] ? s->type : "(none)");
        return;
    }
    read_schedule(m, s);
}

// --- Loading -------------------------------------------------------------------------

static sgdi_status read_members(sgdi_model *m, const sgdi_nnp_container *c, sgdi_error *err) {
    sgdi_status st;
    m->proto = NULL;
    for (int64_t i = 0; i < c->n_networks; i++) {
        const sgdi_nnp_member *mem = &c->networks[i];
        char where[1024];
        snprintf(where, sizeof where, "%s:%s", m->path, mem->name);
        if (!m->proto)
            st = sgdi_textformat_parse(&nnabla_proto_buf__descriptor, (const char *)mem->data,
                                       mem->size, where, (ProtobufCMessage **)&m->proto,
                                       &m->skipped, err);
        else
            st = sgdi_textformat_merge(&m->proto->base, (const char *)mem->data, mem->size, where,
                                       &m->skipped, err);
        if (st != SGDI_OK) return st;
    }
    if ((st = sgdi_protobin_params_from_message(m->proto, m->path, &m->params, err)) != SGDI_OK)
        return st;
    for (int64_t i = 0; i < c->n_params; i++) {
        const sgdi_nnp_member *mem = &c->params[i];
        char where[1024];
        snprintf(where, sizeof where, "%s:%s", m->path, mem->name);
        st = mem->kind == SGDI_NNP_PARAM_H5
                 ? sgdi_h5params_read_buffer(mem->data, mem->size, where, &m->params, err)
                 : sgdi_protobin_read_params(mem->data, mem->size, where, &m->params, err);
        if (st != SGDI_OK) return st;
    }
    m->n_ignored = c->n_ignored;
    if (c->n_ignored) {
        m->ignored_members = calloc((size_t)c->n_ignored, sizeof *m->ignored_members);
        if (!m->ignored_members) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < c->n_ignored; i++)
            if (!(m->ignored_members[i] = strdup(c->ignored[i].name)))
                return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    }
    if (c->version && !(m->version = strdup(c->version)))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    return SGDI_OK;
}

// The first solver-state member, if the file has one (HDF5 or nnabla's binary
// protobuf variant).
static sgdi_status read_state(sgdi_model *m, const sgdi_nnp_container *c, sgdi_error *err) {
    if (c->n_optimizers == 0) {
        snprintf(m->state_note, sizeof m->state_note, "none in the file: starts from zero");
        return SGDI_OK;
    }
    const sgdi_nnp_member *mem = &c->optimizers[0];
    char where[1024];
    snprintf(where, sizeof where, "%s:%s", m->path, mem->name);
    sgdi_h5_optimizer_state state = {0};
    sgdi_status st =
        mem->is_hdf5 ? sgdi_h5_optimizer_read_buffer(mem->data, mem->size, where, &state, err)
                     : sgdi_protobin_read_optimizer_state(mem->data, mem->size, where, &state, err);
    if (st == SGDI_OK) st = sgdi_model_use_state(m, &state, mem->name, err);
    sgdi_h5_optimizer_state_free(&state);
    return st;
}

static const Network *find_network(const NNablaProtoBuf *proto, const char *name) {
    for (size_t i = 0; i < proto->n_network; i++)
        if (strcmp(proto->network[i]->name, name) == 0) return proto->network[i];
    return NULL;
}

static sgdi_model *model_new(const char *path) {
    sgdi_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path))) {
        free(m);
        return NULL;
    }
    sgdi_graph_init(&m->graph);
    return m;
}

// Everything after reading the members: the optimizer, its network and solver,
// the graph, and the solver state (from `c`, if given).
static sgdi_status build(sgdi_model *m, const sgdi_nnp_container *c, sgdi_error *err) {
    if (m->proto->n_optimizer == 0) {
        snprintf(m->unsupported, sizeof m->unsupported,
                 "the file has no optimizer: nothing says which network to train and what "
                 "its loss is");
        return SGDI_OK;
    }
    m->optimizer = m->proto->optimizer[0];
    m->network = find_network(m->proto, m->optimizer->network_name);
    if (!m->network)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: optimizer '%s' trains network '%s', which the file does not "
                         "define",
                         m->path, m->optimizer->name, m->optimizer->network_name);
    m->batch_size = m->network->batch_size;
    if (sgdi_network_has_repeats(m->network)) {
        sgdi_status st = sgdi_network_expand(m->network, &m->expanded, m->path, err);
        if (st != SGDI_OK) return st;
        m->network = m->expanded.net;
    }
    sgdi_model_read_solver(m);
    sgdi_status st = sgdi_model_build_graph(m, err);
    if (st == SGDI_OK && c && m->graph_built && !m->unsupported[0]) st = read_state(m, c, err);
    return st;
}

sgdi_status sgdi_model_load(const char *path, sgdi_model **out, sgdi_error *err) {
    *out = NULL;
    sgdi_model *m = model_new(path);
    if (!m) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    sgdi_nnp_container c = {0};
    sgdi_status st = sgdi_nnp_container_open_file(path, &c, err);
    if (st == SGDI_OK) st = read_members(m, &c, err);
    if (st == SGDI_OK) st = build(m, &c, err);
    sgdi_nnp_container_free(&c);
    if (st != SGDI_OK) {
        sgdi_model_free(m);
        return st;
    }
    *out = m;
    return SGDI_OK;
}

sgdi_status sgdi_model_load_text(const char *text, size_t size, const char *name, sgdi_model **out,
                                 sgdi_error *err) {
    *out = NULL;
    sgdi_model *m = model_new(name);
    if (!m) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    sgdi_status st = sgdi_textformat_parse(&nnabla_proto_buf__descriptor, text, size, name,
                                           (ProtobufCMessage **)&m->proto, &m->skipped, err);
    if (st == SGDI_OK) st = sgdi_protobin_params_from_message(m->proto, name, &m->params, err);
    if (st == SGDI_OK) st = build(m, NULL, err);
    if (st != SGDI_OK) {
        sgdi_model_free(m);
        return st;
    }
    *out = m;
    return SGDI_OK;
}

void sgdi_model_free(sgdi_model *m) {
    if (!m) return;
    if (m->proto) protobuf_c_message_free_unpacked(&m->proto->base, NULL);
    sgdi_textformat_skipped_free(&m->skipped);
    for (int64_t i = 0; i < m->n_ignored; i++) free(m->ignored_members[i]);
    free(m->ignored_members);
    free(m->version);
    sgdi_param_list_free(&m->params);
    sgdi_graph_free(&m->graph);
    free(m->theta0);
    free(m->lr_mult);
    free(m->state0);
    sgdi_expanded_network_free(&m->expanded);
    free(m->path);
    free(m);
}

const char *sgdi_model_unsupported(const sgdi_model *m) {
    return m->unsupported[0] ? m->unsupported : NULL;
}

int64_t sgdi_model_batch_size(const sgdi_model *m) {
    return m->batch_size;
}
