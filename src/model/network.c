/*
 * network.c — an engine graph from the Network message of a .nnp file.
 *
 * Functions are taken in file order (nnabla writes them topologically). Each
 * input is a variable an earlier function wrote, a Parameter, or a data
 * variable bound by the optimizer's data_variable entries (data "x" is the
 * table's features, "y" its label). nnabla's axes count the batch dimension;
 * the engine's count per-sample dimensions, hence the "- 1" below, and an
 * operator that works across the batch is refused: scores need a per-sample
 * loss.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/function_attr.h"
#include "model/model.h"
#include "util/error.h"
#include "util/name_index.h"

// The names a network's functions are wired by: its declared variables (their index in
// the Network) and the graph's variables so far (their index in the graph), each the
// first of its name.
typedef struct names {
    sgdi_name_index decls, vars;
} names;

static const Variable *find_decl(const Network *net, const names *ix, const char *name) {
    int64_t i = sgdi_name_index_get(&ix->decls, name);
    return i < 0 ? NULL : net->variable[i];
}

// Graph variable `v`, named by the string `name` (which outlives the build), or -1 as is.
static int named_var(names *ix, int v, const char *name, sgdi_error *err) {
    if (v >= 0 && !sgdi_name_index_put(&ix->vars, name, v)) {
        sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory building the network");
        return -1;
    }
    return v;
}

// The shape of a declared variable: whole (parameters) or without its first,
// batch dimension (buffers).
static bool decl_shape(const Variable *decl, bool batched, sgdi_shape *out) {
    size_t first = batched ? 1 : 0;
    if (!decl->shape || decl->shape->n_dim < first || decl->shape->n_dim - first > SGDI_MAX_DIMS)
        return false;
    *out = (sgdi_shape){.ndim = (int)(decl->shape->n_dim - first)};
    for (int d = 0; d < out->ndim; d++) out->dim[d] = decl->shape->dim[first + (size_t)d];
    if (out->ndim == 0) *out = sgdi_shape1(1); // a per-sample scalar
    return true;
}

static bool same_shape(sgdi_shape a, sgdi_shape b) {
    int64_t ca = 1, cb = 1;
    for (int d = 0; d < a.ndim; d++) ca *= a.dim[d];
    for (int d = 0; d < b.ndim; d++) cb *= b.dim[d];
    return ca == cb; // nnabla's shapes may differ by unit dimensions, e.g. (-1,1) and (-1)
}

// --- Inputs --------------------------------------------------------------------------

typedef struct binding {
    const char *x; // network variable bound to data "x"
    const char *y; // network variable bound to data "y"
} binding;

// The graph variable for input `name` of `f`, creating data and parameter
// variables on first use; -1 with err set if there is none.
static int input_var(sgdi_model *m, const binding *b, names *ix, const Function *f,
                     const char *name, sgdi_error *err) {
    sgdi_graph *g = &m->graph;
    int v = (int)sgdi_name_index_get(&ix->vars, name);
    if (v >= 0) return v;
    const Variable *decl = find_decl(m->network, ix, name);
    bool is_x = b->x && strcmp(name, b->x) == 0, is_y = b->y && strcmp(name, b->y) == 0;
    bool is_param = decl && strcmp(decl->type, "Parameter") == 0;
    sgdi_shape shape;
    if (!is_x && !is_y && !is_param) {
        sgdi_fail(err, SGDI_ERR_FORMAT,
                  "%s: network '%s': function '%s' (%s) reads '%s', which no earlier function "
                  "writes and no data_variable binds (an undefined input, or a cycle)",
                  m->path, m->network->name, f->name, f->type, name);
        return -1;
    }
    if (!decl || !decl_shape(decl, !is_param, &shape)) {
        sgdi_fail(err, SGDI_ERR_FORMAT, "%s: network '%s': variable '%s' has no usable shape",
                  m->path, m->network->name, name);
        return -1;
    }
    if (is_param) return named_var(ix, sgdi_graph_add_param(g, name, shape, err), name, err);
    v = named_var(ix, sgdi_graph_add_data(g, name, shape, err), name, err);
    if (is_x) g->input_var = v;
    if (is_y) g->target_var = v;
    return v;
}

// --- The graph -----------------------------------------------------------------------

static void note_unsupported(sgdi_model *m, const Function *f, const char *why) {
    size_t used = strlen(m->unsupported);
    if (used == 0)
        used = (size_t)snprintf(m->unsupported, sizeof m->unsupported,
                                "network '%s' uses what the engine cannot run:", m->network->name);
    if (used < sizeof m->unsupported)
        snprintf(m->unsupported + used, sizeof m->unsupported - used, " %s '%s' (%s);", f->type,
                 f->name, why);
}

// The optimizer's parameter_variable entries: the last entry naming each parameter
// exactly, by name, and the entries with a "{R}" placeholder, in order. A file may list
// thousands of parameters; matching each against every entry was quadratic.
typedef struct listed_params {
    sgdi_name_index exact;
    size_t *patterns, n_patterns;
} listed_params;

static bool list_params(const Optimizer *opt, listed_params *lp) {
    size_t n = opt ? opt->n_parameter_variable : 0;
    lp->patterns = malloc((n ? n : 1) * sizeof *lp->patterns);
    if (!lp->patterns) return false;
    for (size_t k = n; k-- > 0;) { // from the end: the index keeps the first put, the last entry
        const char *name = opt->parameter_variable[k]->variable_name;
        if (!strchr(name, '{') && !sgdi_name_index_put(&lp->exact, name, (int64_t)k)) return false;
    }
    for (size_t k = 0; k < n; k++)
        if (strchr(opt->parameter_variable[k]->variable_name, '{'))
            lp->patterns[lp->n_patterns++] = k;
    return true;
}

// The learning-rate multiplier of the last parameter_variable entry matching `name`,
// or `otherwise`.
static float listed_mult(const Optimizer *opt, const listed_params *lp, const char *name,
                         float otherwise) {
    int64_t last = sgdi_name_index_get(&lp->exact, name);
    for (size_t j = lp->n_patterns; j-- > 0 && (int64_t)lp->patterns[j] > last;)
        if (sgdi_repeat_name_matches(opt->parameter_variable[lp->patterns[j]]->variable_name, name))
            last = (int64_t)lp->patterns[j];
    return last < 0 ? otherwise : opt->parameter_variable[last]->learning_rate_multiplier;
}

static sgdi_status bind_parameters(sgdi_model *m, const listed_params *lp, sgdi_error *err) {
    const sgdi_graph *g = &m->graph;
    m->theta0 = sgdi_alloc_array(g->n_params > 0 ? g->n_params : 1, sizeof(float));
    m->lr_mult = sgdi_alloc_array(g->n_params > 0 ? g->n_params : 1, sizeof(float));
    if (!m->theta0 || !m->lr_mult) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    const Optimizer *opt = m->optimizer;
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        const sgdi_param_blob *blob = sgdi_param_list_find(&m->params, var->name);
        if (!blob)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: parameter '%s' is not in the file", m->path,
                             var->name);
        if (blob->count != var->count)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: parameter '%s' holds %lld values, its variable's shape needs "
                             "%lld",
                             m->path, var->name, (long long)blob->count, (long long)var->count);
        memcpy(m->theta0 + var->param_offset, blob->data, (size_t)var->count * sizeof(float));
        // nnabla trains the parameters its optimizer lists (all, if it lists none).
        float mult =
            listed_mult(opt, lp, var->name, opt && opt->n_parameter_variable ? 0.0f : 1.0f);
        if (!blob->need_grad) mult = 0.0f;
        for (int64_t i = 0; i < var->count; i++) m->lr_mult[var->param_offset + i] = mult;
    }
    return SGDI_OK;
}

static sgdi_status build(sgdi_model *m, names *ix, sgdi_error *err) {
    const Network *net = m->network;
    const Optimizer *opt = m->optimizer;
    sgdi_graph *g = &m->graph;
    binding b = {0};
    for (size_t k = 0; k < opt->n_data_variable && !m->unsupported[0]; k++) {
        const DataVariable *dv = opt->data_variable[k];
        const char **slot = strcmp(dv->data_name, "x") == 0   ? &b.x
                            : strcmp(dv->data_name, "y") == 0 ? &b.y
                                                              : NULL;
        if (!slot)
            snprintf(m->unsupported, sizeof m->unsupported,
                     "the optimizer reads data '%s'; a table provides only x and y", dv->data_name);
        else if (*slot)
            snprintf(m->unsupported, sizeof m->unsupported,
                     "data '%s' feeds two variables ('%s' and '%s'); only models whose loss "
                     "target is the label y are supported",
                     dv->data_name, *slot, dv->variable_name);
        else
            *slot = dv->variable_name;
    }
    if (m->unsupported[0]) return SGDI_OK;
    for (size_t i = 0; i < net->n_function; i++) {
        const Function *f = net->function[i];
        sgdi_op_kind kind = sgdi_op_find(f->type);
        if (kind == SGDI_OP_COUNT) {
            note_unsupported(m, f, "no such operator in the engine");
            continue;
        }
        if (m->unsupported[0]) continue; // keep listing what else is missing
        if (f->n_output != 1 || f->n_input < 1 || f->n_input > SGDI_MAX_PORTS) {
            note_unsupported(m, f, "takes an unsupported number of inputs or outputs");
            continue;
        }
        int inputs[SGDI_MAX_PORTS];
        for (size_t k = 0; k < f->n_input; k++)
            if ((inputs[k] = input_var(m, &b, ix, f, f->input[k], err)) < 0)
                return err ? err->status : SGDI_ERR_FORMAT;
        sgdi_op_attr attr;
        char why[160];
        if (!sgdi_function_attr(f, kind, g->vars[inputs[0]].shape, &attr, &g->n_dropout, why,
                                sizeof why)) {
            note_unsupported(m, f, why);
            continue;
        }
        int out = named_var(
            ix, sgdi_graph_apply(g, kind, &attr, inputs, (int)f->n_input, f->output[0], err),
            f->output[0], err);
        if (out < 0) return err ? err->status : SGDI_ERR_FORMAT;
        const Variable *decl = find_decl(net, ix, f->output[0]);
        sgdi_shape declared;
        if (decl && decl_shape(decl, true, &declared) && !same_shape(declared, g->vars[out].shape))
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: network '%s': '%s' is declared with another shape than "
                             "function '%s' (%s) gives it",
                             m->path, net->name, f->output[0], f->name, f->type);
    }
    size_t len = strlen(m->unsupported);
    if (len && m->unsupported[len - 1] == ';') m->unsupported[len - 1] = '.'; // end the list
    if (m->unsupported[0]) return SGDI_OK;
    const char *loss = opt->n_loss_variable ? opt->loss_variable[0]->variable_name : NULL;
    if (!loss || (g->loss_var = (int)sgdi_name_index_get(&ix->vars, loss)) < 0 ||
        g->vars[g->loss_var].is_param)
        snprintf(m->unsupported, sizeof m->unsupported,
                 "the optimizer's loss variable '%s' is not computed by network '%s'",
                 loss ? loss : "(none)", net->name);
    else if (g->input_var < 0 || g->target_var < 0)
        snprintf(m->unsupported, sizeof m->unsupported,
                 "network '%s' does not read both data x and y through the optimizer's "
                 "data_variable entries",
                 net->name);
    else if (g->vars[g->target_var].count != 1)
        snprintf(m->unsupported, sizeof m->unsupported,
                 "the label variable '%s' holds %lld values per sample; a table's y is one",
                 g->vars[g->target_var].name, (long long)g->vars[g->target_var].count);
    listed_params lp = {0};
    sgdi_status st = list_params(opt, &lp)
                         ? bind_parameters(m, &lp, err)
                         : sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory reading the optimizer");
    sgdi_name_index_free(&lp.exact);
    free(lp.patterns);
    if (st == SGDI_OK) m->graph_built = true;
    return st;
}

sgdi_status sgdi_model_build_graph(sgdi_model *m, sgdi_error *err) {
    sgdi_graph_init(&m->graph);
    names ix = {0};
    const Network *net = m->network;
    sgdi_status st = SGDI_OK;
    for (size_t i = 0; i < net->n_variable && st == SGDI_OK; i++)
        if (!sgdi_name_index_put(&ix.decls, net->variable[i]->name, (int64_t)i))
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory building the network");
    if (st == SGDI_OK) st = build(m, &ix, err);
    sgdi_name_index_free(&ix.decls), sgdi_name_index_free(&ix.vars);
    return st;
}
