/*
 * expand.c — unrolling RepeatStart/RepeatEnd blocks as nnabla's loader does
 * (nnabla/utils/load.py, _network and _create_function), before the graph is
 * built: every variable and function carrying repeat ids is instantiated once
 * per index, names rewritten by nnabla's rules, and RepeatStart/RepeatEnd
 * become Identity functions wired to the previous iteration's output.
 *
 * Naming, for repeat id R with index i (one "_R[i]" per nesting level):
 *   - a name containing "{R}" gets "[i]" there (parameters: "fc{R}/affine/W"
 *     becomes "fc[0]/affine/W"), any other gets the suffix "_R[i]";
 *   - a function input is the first of: the name as it is, the name with every
 *     level's suffix, the name with the outer levels' suffixes;
 *   - RepeatStart reads input 0 at index 0 and input 1 of index i-1 after it;
 *     RepeatEnd reads its input of the last index.
 * Recurrent blocks (RecurrentInput, RecurrentOutput, Delay) repeat over their
 * repeat_info the same way; their control functions are unrolled by
 * expand_recurrent.c.
 * The expanded Network shares its parameter messages with the original; only
 * what expansion allocates is freed by sgdi_network_expanded_free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/expand_private.h"
#include "model/model.h"
#include "util/error.h"

enum { MAX_LEVELS = 4, MAX_EXPANDED = SGDI_EXPAND_MAX }; // nesting depth; variables, functions

typedef sgdi_expansion expansion;

void *sgdi_expand_own(expansion *x, void *p) {
    if (!p || x->failed) {
        x->failed = true;
        free(p);
        return NULL;
    }
    if (x->n_owned == x->cap_owned) {
        size_t cap = x->cap_owned ? 2 * x->cap_owned : 64;
        void **owned = realloc(x->owned, cap * sizeof *owned);
        if (!owned) {
            x->failed = true;
            free(p);
            return NULL;
        }
        x->owned = owned, x->cap_owned = cap;
    }
    return x->owned[x->n_owned++] = p;
}

static void *own(expansion *x, void *p) {
    return sgdi_expand_own(x, p);
}

char *sgdi_expand_printf(expansion *x, const char *fmt, ...) {
    char buf[1024];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    if (n < 0 || (size_t)n >= sizeof buf) {
        x->failed = true;
        return NULL;
    }
    return own(x, strdup(buf));
}

void sgdi_expand_refuse(expansion *x, const Function *f, const char *fmt, ...) {
    if (x->reason[0]) return;
    int n = snprintf(x->reason, sizeof x->reason, "%s '%s': ", f->type, f->name);
    va_list args;
    va_start(args, fmt);
    if (n > 0 && (size_t)n < sizeof x->reason)
        vsnprintf(x->reason + n, sizeof x->reason - (size_t)n, fmt, args);
    va_end(args);
}

int64_t sgdi_expand_repeat_times(const Network *net, const char *id) {
    for (size_t i = 0; i < net->n_repeat_info; i++)
        if (strcmp(net->repeat_info[i]->id, id) == 0) return net->repeat_info[i]->times;
    return -1;
}

void sgdi_expand_suffix(char *out, size_t size, char **ids, const int64_t *index, int levels) {
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < levels && used < size; k++)
        used += (size_t)snprintf(out + used, size - used, "_%s[%lld]", ids[k], (long long)index[k]);
}

// `name` with "{R}" replaced by "[i]" for each level; names without the
// placeholder get the level's suffix instead when `suffix_missing`.
static void repeat_rename(char *out, size_t size, const char *name, char **ids,
                          const int64_t *index, int levels, bool suffix_missing) {
    snprintf(out, size, "%s", name);
    for (int k = 0; k < levels; k++) {
        char placeholder[256], with[64], tmp[1024];
        snprintf(placeholder, sizeof placeholder, "{%s}", ids[k]);
        char *at = strstr(out, placeholder);
        if (at) {
            snprintf(with, sizeof with, "[%lld]", (long long)index[k]);
            snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)(at - out), out, with,
                     at + strlen(placeholder));
        } else if (suffix_missing) {
            snprintf(tmp, sizeof tmp, "%s_%s[%lld]", out, ids[k], (long long)index[k]);
        } else {
            continue;
        }
        snprintf(out, size, "%s", tmp);
    }
}

const Variable *sgdi_expand_find_var(const sgdi_expansion *x, const char *name) {
    int64_t i = sgdi_name_index_get(&x->vars, name);
    return i < 0 ? NULL : x->net->variable[i];
}

static bool has_var(const expansion *x, const char *name) {
    return sgdi_expand_find_var(x, name) != NULL;
}

// Calls `each(index)` for every index tuple over `ids`; false if a count is unusable.
static bool for_each_index(const Network *net, char **ids, size_t n, int64_t *index, size_t level,
                           void (*each)(void *, const int64_t *), void *ctx) {
    if (level == n) {
        each(ctx, index);
        return true;
    }
    int64_t times = sgdi_expand_repeat_times(net, ids[level]);
    if (times < 1 || times > MAX_EXPANDED) return false;
    for (index[level] = 0; index[level] < times; index[level]++)
        if (!for_each_index(net, ids, n, index, level + 1, each, ctx)) return false;
    return true;
}

// --- Variables -----------------------------------------------------------------------

typedef struct var_ctx {
    expansion *x;
    const Variable *v;
    Variable **out;
    size_t *n;
} var_ctx;

static void add_variable(void *p, const int64_t *index) {
    var_ctx *c = p;
    if (*c->n >= MAX_EXPANDED) {
        c->x->failed = true;
        return;
    }
    char name[1024];
    repeat_rename(name, sizeof name, c->v->name, c->v->repeat_id, index, (int)c->v->n_repeat_id,
                  true);
    Variable *v = own(c->x, malloc(sizeof *v));
    if (!v) return;
    *v = *c->v; // shares shape and initializer with the original
    v->name = own(c->x, strdup(name));
    v->n_repeat_id = 0;
    v->repeat_id = NULL;
    c->out[(*c->n)++] = v;
}

// --- Functions -----------------------------------------------------------------------

typedef sgdi_expand_fn fn_ctx;

static const char *input_name(fn_ctx *c, const char *name, const int64_t *index, int levels) {
    char renamed[1024], all[512], outer[512], cand[1536];
    repeat_rename(renamed, sizeof renamed, name, c->f->repeat_id, index, levels, false);
    if (has_var(c->x, renamed)) return own(c->x, strdup(renamed));
    sgdi_expand_suffix(all, sizeof all, c->f->repeat_id, index, levels);
    snprintf(cand, sizeof cand, "%s%s", renamed, all);
    if (has_var(c->x, cand)) return own(c->x, strdup(cand));
    sgdi_expand_suffix(outer, sizeof outer, c->f->repeat_id, index, levels > 0 ? levels - 1 : 0);
    return sgdi_expand_printf(c->x, "%s%s", renamed, outer);
}

static void add_function(void *p, const int64_t *index) {
    fn_ctx *c = p;
    const Function *f = c->f;
    int levels = (int)f->n_repeat_id;
    if (*c->n >= MAX_EXPANDED) {
        c->x->failed = true;
        return;
    }
    if (sgdi_expand_recurrent(c, index)) return;
    char all[512], outer[512];
    sgdi_expand_suffix(all, sizeof all, f->repeat_id, index, levels);
    sgdi_expand_suffix(outer, sizeof outer, f->repeat_id, index, levels > 0 ? levels - 1 : 0);
    Function *g = own(c->x, malloc(sizeof *g));
    char **in = own(c->x, calloc(f->n_input ? f->n_input : 1, sizeof *in));
    char **out = own(c->x, calloc(f->n_output ? f->n_output : 1, sizeof *out));
    if (!g || !in || !out) return;
    *g = *f; // shares the parameter message and context with the original
    g->name = sgdi_expand_printf(c->x, "%s%s", f->name, all);
    g->n_repeat_id = 0, g->repeat_id = NULL;
    g->input = in, g->output = out;
    bool is_start = strcmp(f->type, "RepeatStart") == 0, is_end = strcmp(f->type, "RepeatEnd") == 0;
    const char *rid = f->repeat_param ? f->repeat_param->repeat_id : "";
    if (is_start && f->n_input == 2 && levels > 0) {
        g->n_input = 1;
        int64_t t = index[levels - 1];
        in[0] = t == 0 ? (char *)(has_var(c->x, f->input[0])
                                      ? own(c->x, strdup(f->input[0]))
                                      : sgdi_expand_printf(c->x, "%s%s", f->input[0], outer))
                       : sgdi_expand_printf(c->x, "%s%s_%s[%lld]", f->input[1], outer, rid,
                                            (long long)(t - 1));
    } else if (is_end && f->n_input == 1 && f->repeat_param) {
        in[0] = sgdi_expand_printf(c->x, "%s%s_%s[%lld]", f->input[0], all, rid,
                                   (long long)(f->repeat_param->times - 1));
    } else {
        for (size_t k = 0; k < f->n_input; k++)
            in[k] = (char *)input_name(c, f->input[k], index, levels);
    }
    for (size_t k = 0; k < f->n_output; k++) {
        char cand[1024];
        snprintf(cand, sizeof cand, "%s%s", f->output[k], all);
        out[k] = has_var(c->x, cand) ? own(c->x, strdup(cand)) : own(c->x, strdup(f->output[k]));
    }
    if (is_start || is_end) {
        g->type = "Identity"; // a string literal: never freed (not owned, not unpacked)
        g->parameter_case = FUNCTION__PARAMETER__NOT_SET;
        g->repeat_param = NULL;
    }
    c->out[(*c->n)++] = g;
}

// --- Entry points ------------------------------------------------------------------------

bool sgdi_network_has_repeats(const Network *net) {
    if (net->n_repeat_info) return true;
    for (size_t i = 0; i < net->n_function; i++) {
        const Function *f = net->function[i];
        // A recurrent control function outside any block still goes through expansion,
        // which names what is wrong with it.
        if (f->n_repeat_id || strcmp(f->type, "RecurrentInput") == 0 ||
            strcmp(f->type, "RecurrentOutput") == 0 || strcmp(f->type, "Delay") == 0)
            return true;
    }
    return false;
}

sgdi_status sgdi_network_expand(const Network *orig, sgdi_expanded_network *out, const char *path,
                                sgdi_error *err) {
    memset(out, 0, sizeof *out);
    expansion x = {.orig = orig};
    x.net = own(&x, calloc(1, sizeof *x.net));
    size_t cap_v = MAX_EXPANDED, cap_f = MAX_EXPANDED, n_v = 0, n_f = 0;
    Variable **vars = own(&x, calloc(cap_v, sizeof *vars));
    Function **fns = own(&x, calloc(cap_f, sizeof *fns));
    int64_t index[MAX_LEVELS];
    const char *bad = NULL;
    if (!x.failed) {
        *x.net = *orig;
        x.net->n_repeat_info = 0, x.net->repeat_info = NULL;
        x.net->variable = vars, x.net->function = fns;
        for (size_t i = 0; i < orig->n_variable && !bad && !x.failed; i++) {
            const Variable *v = orig->variable[i];
            var_ctx c = {&x, v, vars, &n_v};
            x.net->n_variable = n_v;
            if (v->n_repeat_id > MAX_LEVELS ||
                !for_each_index(orig, v->repeat_id, v->n_repeat_id, index, 0, add_variable, &c))
                bad = v->name;
        }
        x.net->n_variable = n_v;
        for (size_t i = 0; i < n_v && !bad && !x.failed; i++)
            x.failed = !sgdi_name_index_put(&x.vars, vars[i]->name, (int64_t)i);
        for (size_t i = 0; i < orig->n_function && !bad && !x.failed && !x.reason[0]; i++) {
            const Function *f = orig->function[i];
            fn_ctx c = {&x, f, fns, &n_f};
            x.net->n_function = n_f;
            if (f->n_repeat_id > MAX_LEVELS ||
                !for_each_index(orig, f->repeat_id, f->n_repeat_id, index, 0, add_function, &c))
                bad = f->name;
        }
        x.net->n_function = n_f;
        if (!bad && !x.failed && !x.reason[0] && !sgdi_expand_order(fns, n_f)) x.failed = true;
    }
    sgdi_name_index_free(&x.vars);
    out->net = x.net;
    out->owned = x.owned;
    out->n_owned = x.n_owned;
    if (x.reason[0])
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: network '%s': %s", path, orig->name, x.reason);
    if (x.failed)
        return sgdi_fail(err, SGDI_ERR_NOMEM,
                         "%s: network '%s': out of memory, or a name too "
                         "long, expanding its repeats",
                         path, orig->name);
    if (bad)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: network '%s': '%s' repeats over an id without a usable repeat_info "
                         "(or nests more than %d deep)",
                         path, orig->name, bad, MAX_LEVELS);
    return SGDI_OK;
}

void sgdi_expanded_network_free(sgdi_expanded_network *e) {
    for (size_t i = 0; e && i < e->n_owned; i++) free(e->owned[i]);
    if (e) free(e->owned);
    if (e) memset(e, 0, sizeof *e);
}

// nnabla matches an optimizer's parameter_variable name against the expanded
// names with every "{R}" standing for "[digits]".
bool sgdi_repeat_name_matches(const char *pattern, const char *name) {
    while (*pattern) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            if (!close || *name != '[') return false;
            name++;
            if (*name < '0' || *name > '9') return false;
            while (*name >= '0' && *name <= '9') name++;
            if (*name++ != ']') return false;
            pattern = close + 1;
        } else if (*pattern++ != *name++) {
            return false;
        }
    }
    return *name == '\0';
}
