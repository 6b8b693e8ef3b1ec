/*
 * describe.c — sgdi_model_describe: what a .nnp file holds, in plain text,
 * and whether the engine can train it. Works on every file the reader can
 * parse, also when some operators are unsupported: it names them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "ops/op.h"
#include "util/error.h"

typedef struct text {
    char *data;
    size_t size;
    size_t cap;
    bool failed;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(text *t, const char *fmt, ...) {
    if (t->failed) return;
    for (;;) {
        va_list args;
        va_start(args, fmt);
        int n = vsnprintf(t->data ? t->data + t->size : NULL, t->data ? t->cap - t->size : 0, fmt,
                          args);
        va_end(args);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->data && t->size + (size_t)n < t->cap) {
            t->size += (size_t)n;
            return;
        }
        size_t cap = (t->cap ? 2 * t->cap : 4096) + (size_t)n;
        char *data = realloc(t->data, cap);
        if (!data) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->cap = cap;
    }
}

static void put_shape(text *t, const Shape *s) {
    put(t, "(");
    for (size_t d = 0; s && d < s->n_dim; d++) put(t, "%s%lld", d ? "," : "", (long long)s->dim[d]);
    put(t, ")");
}

static const Variable *find_decl(const Network *net, const char *name) {
    for (size_t i = 0; i < net->n_variable; i++)
        if (strcmp(net->variable[i]->name, name) == 0) return net->variable[i];
    return NULL;
}

static void put_var(text *t, const Network *net, const char *name) {
    const Variable *v = find_decl(net, name);
    put(t, "%s", name);
    if (v) put_shape(t, v->shape);
}

static void describe_network(text *t, const Network *net, int64_t *unsupported) {
    put(t, "  network '%s' (batch size %lld): %zu variables, %zu functions\n", net->name,
        (long long)net->batch_size, net->n_variable, net->n_function);
    // Inputs: buffers no function writes.
    put(t, "    inputs:");
    for (size_t i = 0; i < net->n_variable; i++) {
        const Variable *v = net->variable[i];
        if (strcmp(v->type, "Buffer") != 0) continue;
        bool written = false;
        for (size_t f = 0; f < net->n_function && !written; f++)
            for (size_t o = 0; o < net->function[f]->n_output; o++)
                written |= strcmp(net->function[f]->output[o], v->name) == 0;
        if (!written) {
            put(t, " ");
            put_var(t, net, v->name);
        }
    }
    put(t, "\n");
    for (size_t f = 0; f < net->n_function; f++) {
        const Function *fn = net->function[f];
        bool ok = sgdi_op_find(fn->type) != SGDI_OP_COUNT;
        if (!ok) (*unsupported)++;
        put(t, "    %-3s %-24s %-20s ", ok ? "" : "!!", fn->type, fn->name);
        for (size_t k = 0; k < fn->n_input; k++) {
            put(t, k ? ", " : "");
            put_var(t, net, fn->input[k]);
        }
        put(t, " -> ");
        for (size_t k = 0; k < fn->n_output; k++) {
            put(t, k ? ", " : "");
            put_var(t, net, fn->output[k]);
        }
        put(t, "%s\n", ok ? "" : "   [not supported]");
    }
}

static void describe_solver(text *t, const sgdi_model *m) {
    const Optimizer *o = m->optimizer;
    put(t, "optimizer '%s' trains network '%s'", o->name, o->network_name);
    for (size_t k = 0; k < o->n_loss_variable; k++)
        put(t, ", loss '%s'", o->loss_variable[k]->variable_name);
    for (size_t k = 0; k < o->n_data_variable; k++)
        put(t, ", data %s -> '%s'", o->data_variable[k]->data_name,
            o->data_variable[k]->variable_name);
    put(t, "\n");
    const Solver *s = o->solver;
    if (!s) return;
    const sgdi_options *so = &m->solver;
    put(t, "  solver %s: lr %g, weight decay %g", s->type, so->lr, so->weight_decay);
    if (so->solver == SGDI_SOLVER_MOMENTUM || so->solver == SGDI_SOLVER_NESTEROV)
        put(t, ", momentum %g", so->momentum);
    if (so->solver == SGDI_SOLVER_ADAM || so->solver == SGDI_SOLVER_ADAMW)
        put(t, ", beta1 %g, beta2 %g, eps %g", so->beta1, so->beta2, so->eps);
    put(t, "; schedule %s", sgdi_lr_type_name(m->schedule.type));
    if (m->schedule.warmup_iter)
        put(t, " after %lld warm-up steps", (long long)m->schedule.warmup_iter);
    put(t, "\n");
}

sgdi_status sgdi_model_describe(const sgdi_model *m, char **out, sgdi_error *err) {
    *out = NULL;
    text t = {0};
    const NNablaProtoBuf *p = m->proto;
    put(&t, "model %s (nnp version %s)\n", m->path, m->version ? m->version : "absent");
    put(&t, "networks:\n");
    int64_t unsupported = 0;
    for (size_t i = 0; i < p->n_network; i++) describe_network(&t, p->network[i], &unsupported);
    int64_t values = 0, trained = 0;
    for (int64_t i = 0; i < m->params.count; i++) {
        values += m->params.items[i].count;
        if (m->params.items[i].need_grad) trained += m->params.items[i].count;
    }
    put(&t, "parameters: %lld tensors, %lld values (%lld with need_grad)\n",
        (long long)m->params.count, (long long)values, (long long)trained);
    if (m->optimizer) describe_solver(&t, m);
    for (size_t i = 0; i < p->n_executor; i++)
        put(&t, "executor '%s' runs network '%s'\n", p->executor[i]->name,
            p->executor[i]->network_name);
    if (m->n_ignored) {
        put(&t, "members not used:");
        for (int64_t i = 0; i < m->n_ignored; i++) put(&t, " %s", m->ignored_members[i]);
        put(&t, "\n");
    }
    if (m->skipped.total) {
        put(&t, "fields skipped (not in the schema): %zu\n", m->skipped.total);
        for (size_t i = 0; i < m->skipped.count; i++)
            put(&t, "  %s (line %lld)\n", m->skipped.items[i].path,
                (long long)m->skipped.items[i].line);
    }
    if (m->unsupported[0])
        put(&t, "status: cannot be trained: %s\n", m->unsupported);
    else
        put(&t, "status: supported; %lld parameters in the trained network\n",
            (long long)m->graph.n_params);
    if (t.failed) {
        free(t.data);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory describing %s", m->path);
    }
    *out = t.data;
    return SGDI_OK;
}
