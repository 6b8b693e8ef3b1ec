/*
 * state.c — continuing training from the solver state a .nnp file carries
 * (nnabla's *.optimizer members): per parameter, the state tensors under
 * nnabla's names and the update count t.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "nnp/h5params.h"
#include "solver/solver.h"
#include "util/error.h"

// nnabla's state names, in the order of our state vectors (src/solver/*.c).
static int state_names(sgdi_solver_kind kind, const char *names[2]) {
    switch (kind) {
    case SGDI_SOLVER_MOMENTUM:
    case SGDI_SOLVER_NESTEROV:
        names[0] = "m";
        return 1;
    case SGDI_SOLVER_ADAM:
    case SGDI_SOLVER_ADAMW:
        names[0] = "mean", names[1] = "var";
        return 2;
    case SGDI_SOLVER_ADAGRAD:
    case SGDI_SOLVER_RMSPROP:
        names[0] = "v";
        return 1;
    case SGDI_SOLVER_ADADELTA:
        names[0] = "e_sqr_grad", names[1] = "e_sqr_delta";
        return 2;
    default:
        return 0;
    }
}

static const sgdi_h5_param_state *find_param(const sgdi_h5_optimizer_state *st, const char *name) {
    for (int64_t i = 0; i < st->count; i++)
        if (strcmp(st->params[i].param, name) == 0) return &st->params[i];
    return NULL;
}

static const sgdi_h5_tensor *find_tensor(const sgdi_h5_param_state *ps, const char *name) {
    for (int64_t i = 0; i < ps->n_states; i++)
        if (strcmp(ps->states[i].name, name) == 0) return &ps->states[i];
    return NULL;
}

sgdi_status sgdi_model_use_state(sgdi_model *m, const sgdi_h5_optimizer_state *st,
                                 const char *member, sgdi_error *err) {
    const char *names[2];
    int n_names = state_names(m->solver.solver, names);
    if (n_names == 0) {
        snprintf(m->state_note, sizeof m->state_note, "'%s' not used: %s keeps no state", member,
                 sgdi_solver_name(m->solver.solver));
        return SGDI_OK;
    }
    const sgdi_graph *g = &m->graph;
    sgdi_solver solver;
    sgdi_solver_init(&solver, &m->solver, g->n_params);
    int64_t p = g->n_params, size = sgdi_solver_state_count(&solver) * p;
    float *state = sgdi_calloc_array(size > 0 ? size : 1, sizeof(float));
    if (!state) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the solver state");
    int64_t t = -1;
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param || m->lr_mult[var->param_offset] == 0.0f) continue; // not trained
        const sgdi_h5_param_state *ps = find_param(st, var->name);
        const char *missing = !ps ? "its state" : NULL;
        for (int k = 0; k < n_names && !missing; k++) {
            const sgdi_h5_tensor *x = find_tensor(ps, names[k]);
            if (!x || x->count != var->count) {
                missing = names[k];
                break;
            }
            memcpy(state + (int64_t)k * p + var->param_offset, x->data,
                   (size_t)var->count * sizeof(float));
        }
        if (!missing && ps->has_t && t >= 0 && ps->t != t) missing = "the same t as the others";
        if (missing) {
            free(state);
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: solver state '%s': parameter '%s' lacks %s (a %s state holds "
                             "%s%s%s of the parameter's shape, and t)",
                             m->path, member, var->name, missing,
                             sgdi_solver_name(m->solver.solver), names[0],
                             n_names > 1 ? " and " : "", n_names > 1 ? names[1] : "");
        }
        if (ps->has_t) t = ps->t;
    }
    free(m->state0);
    m->state0 = state;
    m->t0 = t > 0 ? t : 0;
    snprintf(m->state_note, sizeof m->state_note, "continues from '%s' (t = %lld)", member,
             (long long)m->t0);
    return SGDI_OK;
}
