/*
 * describe.c — sgdi_model_describe: what a .nnp file holds, in plain text,
 * and whether the engine can train it. Works on every file the reader can
 * parse, also when some operators are unsupported: it names them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "ops/op.h"
#include "util/error.h"
#include "util/name_index.h"
#include "util/strbuf.h"

static void put_shape(sgdi_strbuf *t, const Shape *s) {
    sgdi_strbuf_printf(t, "(");
    for (size_t d = 0; s && d < s->n_dim; d++)
        sgdi_strbuf_printf(t, "%s%lld", d ? "," : "", (long long)s->dim[d]);
    sgdi_strbuf_printf(t, ")");
}

// A network's declared variables (their index) and its functions' outputs (the writer's
// index), by name: an unrolled network has thousands of each.
typedef struct names {
    sgdi_name_index decls, outputs;
} names;

static bool index_names(const Network *net, names *ix) {
    for (size_t i = 0; i < net->n_variable; i++)
        if (!sgdi_name_index_put(&ix->decls, net->variable[i]->name, (int64_t)i)) return false;
    for (size_t f = 0; f < net->n_function; f++)
        for (size_t o = 0; o < net->function[f]->n_output; o++)
            if (!sgdi_name_index_put(&ix->outputs, net->function[f]->output[o], (int64_t)f))
                return false;
    return true;
}

static void put_var(sgdi_strbuf *t, const Network *net, const names *ix, const char *name) {
    int64_t i = sgdi_name_index_get(&ix->decls, name);
    const Variable *v = i < 0 ? NULL : net->variable[i];
    sgdi_strbuf_printf(t, "%s", name);
    if (v) put_shape(t, v->shape);
}

static void describe_network(sgdi_strbuf *t, const Network *net, int64_t *unsupported) {
    sgdi_strbuf_printf(t, "  network '%s' (batch size %lld): %zu variables, %zu functions\n",
                       net->name, (long long)net->batch_size, net->n_variable, net->n_function);
    names ix = {0};
    if (!index_names(net, &ix)) {
        t->failed = true; // reported as out of memory
        sgdi_name_index_free(&ix.decls), sgdi_name_index_free(&ix.outputs);
        return;
    }
    // Inputs: buffers no function writes.
    sgdi_strbuf_printf(t, "    inputs:");
    for (size_t i = 0; i < net->n_variable; i++) {
        const Variable *v = net->variable[i];
        if (strcmp(v->type, "Buffer") != 0 || sgdi_name_index_get(&ix.outputs, v->name) >= 0)
            continue;
        sgdi_strbuf_printf(t, " ");
        put_var(t, net, &ix, v->name);
    }
    sgdi_strbuf_printf(t, "\n");
    for (size_t f = 0; f < net->n_function; f++) {
        const Function *fn = net->function[f];
        // Repeat and recurrent blocks are unrolled before the graph is built (expand.c).
        static const char *const unrolled[] = {"RepeatStart", "RepeatEnd", "RecurrentInput",
                                               "RecurrentOutput", "Delay"};
        bool ok = sgdi_op_find(fn->type) != SGDI_OP_COUNT;
        for (size_t k = 0; k < sizeof unrolled / sizeof *unrolled; k++)
            ok |= strcmp(fn->type, unrolled[k]) == 0;
        if (!ok) (*unsupported)++;
        sgdi_strbuf_printf(t, "    %-3s %-24s %-20s ", ok ? "" : "!!", fn->type, fn->name);
        for (size_t k = 0; k < fn->n_input; k++) {
            sgdi_strbuf_printf(t, k ? ", " : "");
            put_var(t, net, &ix, fn->input[k]);
        }
        sgdi_strbuf_printf(t, " -> ");
        for (size_t k = 0; k < fn->n_output; k++) {
            sgdi_strbuf_printf(t, k ? ", " : "");
            put_var(t, net, &ix, fn->output[k]);
        }
        sgdi_strbuf_printf(t, "%s\n", ok ? "" : "   [not supported]");
    }
    sgdi_name_index_free(&ix.decls), sgdi_name_index_free(&ix.outputs);
}

static void describe_solver(sgdi_strbuf *t, const sgdi_model *m) {
    const Optimizer *o = m->optimizer;
    sgdi_strbuf_printf(t, "optimizer '%s' trains network '%s'", o->name, o->network_name);
    for (size_t k = 0; k < o->n_loss_variable; k++)
        sgdi_strbuf_printf(t, ", loss '%s'", o->loss_variable[k]->variable_name);
    for (size_t k = 0; k < o->n_data_variable; k++)
        sgdi_strbuf_printf(t, ", data %s -> '%s'", o->data_variable[k]->data_name,
                           o->data_variable[k]->variable_name);
    sgdi_strbuf_printf(t, "\n");
    const Solver *s = o->solver;
    if (!s) return;
    const sgdi_options *so = &m->solver;
    sgdi_strbuf_printf(t, "  solver %s: lr %g, weight decay %g", s->type, so->lr, so->weight_decay);
    if (so->solver == SGDI_SOLVER_MOMENTUM || so->solver == SGDI_SOLVER_NESTEROV)
        sgdi_strbuf_printf(t, ", momentum %g", so->momentum);
    if (so->solver == SGDI_SOLVER_ADAM || so->solver == SGDI_SOLVER_ADAMW)
        sgdi_strbuf_printf(t, ", beta1 %g, beta2 %g, eps %g", so->beta1, so->beta2, so->eps);
    sgdi_strbuf_printf(t, "; schedule %s", sgdi_lr_type_name(m->schedule.type));
    if (m->schedule.warmup_iter)
        sgdi_strbuf_printf(t, " after %lld warm-up steps", (long long)m->schedule.warmup_iter);
    sgdi_strbuf_printf(t, "\n");
}

sgdi_status sgdi_model_describe(const sgdi_model *m, char **out, sgdi_error *err) {
    *out = NULL;
    sgdi_strbuf t = {0};
    const NNablaProtoBuf *p = m->proto;
    sgdi_strbuf_printf(&t, "model %s (nnp version %s)\n", m->path,
                       m->version ? m->version : "absent");
    sgdi_strbuf_printf(&t, "networks:\n");
    int64_t unsupported = 0;
    for (size_t i = 0; i < p->n_network; i++) describe_network(&t, p->network[i], &unsupported);
    if (m->expanded.net) {
        sgdi_strbuf_printf(&t, "the trained network with its blocks unrolled:\n");
        describe_network(&t, m->expanded.net, &unsupported);
    }
    int64_t values = 0, trained = 0;
    for (int64_t i = 0; i < m->params.count; i++) {
        values += m->params.items[i].count;
        if (m->params.items[i].need_grad) trained += m->params.items[i].count;
    }
    sgdi_strbuf_printf(&t, "parameters: %lld tensors, %lld values (%lld with need_grad)\n",
                       (long long)m->params.count, (long long)values, (long long)trained);
    if (m->optimizer) describe_solver(&t, m);
    for (size_t i = 0; i < p->n_executor; i++)
        sgdi_strbuf_printf(&t, "executor '%s' runs network '%s'\n", p->executor[i]->name,
                           p->executor[i]->network_name);
    if (m->state_note[0]) sgdi_strbuf_printf(&t, "solver state: %s\n", m->state_note);
    if (m->n_ignored) {
        sgdi_strbuf_printf(&t, "members not used:");
        for (int64_t i = 0; i < m->n_ignored; i++)
            sgdi_strbuf_printf(&t, " %s", m->ignored_members[i]);
        sgdi_strbuf_printf(&t, "\n");
    }
    if (m->skipped.total) {
        sgdi_strbuf_printf(&t, "fields skipped (not in the schema): %zu\n", m->skipped.total);
        for (size_t i = 0; i < m->skipped.count; i++)
            sgdi_strbuf_printf(&t, "  %s (line %lld)\n", m->skipped.items[i].path,
                               (long long)m->skipped.items[i].line);
    }
    if (m->unsupported[0])
        sgdi_strbuf_printf(&t, "status: cannot be trained: %s\n", m->unsupported);
    else
        sgdi_strbuf_printf(&t, "status: supported; %lld parameters in the trained network\n",
                           (long long)m->graph.n_params);
    if (t.failed) {
        free(t.data);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory describing %s", m->path);
    }
    *out = t.data;
    return SGDI_OK;
}
