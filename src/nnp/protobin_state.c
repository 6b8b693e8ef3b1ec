/*
 * protobin_state.c — nnabla's protobuf solver state (a `*.protobuf.optimizer`
 * member): a binary NNablaProtoBuf whose optimizer's solver carries
 * `states`, a map from parameter name to SolverState {t, state_parameter: map
 * from state name ("m", "mean", "var", ...) to {shape, data}}. Converted to
 * the same sgdi_h5_optimizer_state the HDF5 variant gives, so that one piece
 * of code (src/model/state.c) continues training from either.
 */
#include "nnp/protobin_state.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static const int64_t MAX_ELEMENTS = (int64_t)1 << 34;

static sgdi_status convert_tensor(const SolverState__StateParameterEntry *e, const char *name,
                                  const char *param, sgdi_h5_tensor *out, sgdi_error *err) {
    const SolverStateParameter *v = e->value;
    const char *key = e->key ? e->key : "";
    if (!key[0])
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: parameter '%.200s' has a state without a name",
                         name, param);
    size_t ndim = v && v->shape ? v->shape->n_dim : 0;
    if (ndim > SGDI_MAX_DIMS)
        return sgdi_fail(err, SGDI_ERR_UNSUPPORTED,
                         "%s: state '%.100s' of '%.200s' has %zu dimensions (at most %d)", name,
                         key, param, ndim, SGDI_MAX_DIMS);
    int64_t n = 1;
    for (size_t d = 0; d < ndim; d++) {
        int64_t dim = v->shape->dim[d];
        if (dim < 0 || !sgdi_mul_i64(n, dim, &n) || n > MAX_ELEMENTS)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: state '%.100s' of '%.200s' has a bad dimension %zu", name, key,
                             param, d);
        out->shape.dim[d] = dim;
    }
    out->shape.ndim = (int)ndim;
    size_t n_data = v ? v->n_data : 0;
    if ((uint64_t)n != (uint64_t)n_data)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: state '%.100s' of '%.200s': shape has %lld elements but data has %zu",
                         name, key, param, (long long)n, n_data);
    out->count = n;
    out->name = strdup(key);
    out->data = sgdi_alloc_array(n > 0 ? n : 1, sizeof(float));
    if (!out->name || !out->data) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    if (n > 0) memcpy(out->data, v->data, (size_t)n * sizeof(float));
    return SGDI_OK;
}

static sgdi_status convert_param(const Solver__StatesEntry *e, const char *name,
                                 sgdi_h5_param_state *out, sgdi_error *err) {
    const char *param = e->key ? e->key : "";
    if (!param[0])
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: a state has no parameter name", name);
    if (!(out->param = strdup(param))) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    const SolverState *s = e->value;
    out->has_t = s != NULL;
    out->t = s ? (int64_t)s->t : 0;
    size_t n = s ? s->n_state_parameter : 0;
    if (n == 0) return SGDI_OK;
    if (!(out->states = calloc(n, sizeof *out->states)))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        sgdi_status st = convert_tensor(s->state_parameter[k], name, param, &out->states[k], err);
        out->n_states = (int64_t)k + 1; // what is allocated is freed on failure
        if (st != SGDI_OK) return st;
    }
    return SGDI_OK;
}

sgdi_status sgdi_protobin_read_optimizer_state(const uint8_t *data, size_t size, const char *name,
                                               sgdi_h5_optimizer_state *out, sgdi_error *err) {
    memset(out, 0, sizeof *out);
    if (!data && size) return sgdi_fail(err, SGDI_ERR_INVALID, "protobin: NULL argument");
    NNablaProtoBuf *msg = nnabla_proto_buf__unpack(NULL, size, data);
    if (!msg)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: not a valid binary protobuf solver state (truncated or corrupt)",
                         name);
    const Solver *solver = NULL;
    for (size_t i = 0; i < msg->n_optimizer && !solver; i++)
        if (msg->optimizer[i]->solver && msg->optimizer[i]->solver->n_states > 0)
            solver = msg->optimizer[i]->solver;
    sgdi_status st = SGDI_OK;
    if (!solver) {
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: the solver state holds no states", name);
        goto done;
    }
    if (!(out->params = calloc(solver->n_states, sizeof *out->params))) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < solver->n_states; k++) {
        out->count = (int64_t)k + 1;
        if ((st = convert_param(solver->states[k], name, &out->params[k], err)) != SGDI_OK) break;
    }
done:
    nnabla_proto_buf__free_unpacked(msg, NULL);
    return st;
}
