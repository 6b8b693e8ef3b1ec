/*
 * expand_recurrent.c — Neural Network Console's recurrent blocks unrolled as
 * nnabla's loader does (nnabla/utils/load.py, _create_function; the same rules
 * are in nnabla/core/graph_def.py, expand_loop_control).
 *
 * A recurrent block is the functions and variables whose repeat ids end with the
 * block's id R; repeat_info gives its length T, and expand.c instantiates them
 * once per step t with the suffix "_R[t]" (parameters declared without R are
 * shared by every step; names with "{R}" get one copy per step). With `outer`
 * the suffix of the enclosing repeat levels, the three control functions become:
 *
 *   RecurrentInput(x) {axis a}, inside the block, made once per outer index:
 *       nnabla's Split of x along a into out+outer+"_R[t]", t < dim a of x's
 *       declared shape; here, per step, a Slice of row t and a Reshape that
 *       drops axis a.
 *   RecurrentOutput(y) {axis a, length L}, outside the block: nnabla's Stack of
 *       y+outer+"_R[t]", t < L, along a; here a Reshape per step (a unit axis at
 *       a) and a Concatenate along a (a tree of them past SGDI_MAX_PORTS steps).
 *   Delay(source, initial), inside the block: an Identity reading `initial` at
 *       step 0 (as it is, or with the outer suffix) and source+outer+"_R[t-1]"
 *       at step t.
 *
 * Shapes come from the variables' declarations, as nnabla's loader takes them.
 * Names of what unrolling adds: "<function><outer>/Slice_R[t]",
 * "<function><outer>/Reshape_R[t]", "<function><outer>/Concatenate<level>[g]";
 * the Concatenate that ends a RecurrentOutput keeps the function's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/expand_private.h"

enum { DECL_DIMS = SGDI_MAX_DIMS + 1 }; // a declared shape: the batch, then per-sample dims

typedef struct decl_shape {
    size_t n;               // dims, the batch included
    int64_t dim[DECL_DIMS]; // dim[0] is the batch (-1 in NNC's files)
} decl_shape;

static bool declared(const sgdi_expansion *x, const char *name) {
    return sgdi_expand_find_var(x, name) != NULL;
}

// The declared shape of variable `name`, every per-sample dim positive; refuses otherwise.
static bool shape_of(sgdi_expand_fn *c, const char *name, decl_shape *out) {
    const Variable *v = sgdi_expand_find_var(c->x, name);
    if (!v) {
        sgdi_expand_refuse(c->x, c->f, "'%s' is not a declared variable", name);
        return false;
    }
    const Shape *s = v->shape;
    if (!s || s->n_dim < 1 || s->n_dim > DECL_DIMS) {
        sgdi_expand_refuse(c->x, c->f, "'%s' has no usable declared shape", name);
        return false;
    }
    out->n = s->n_dim;
    for (size_t d = 0; d < s->n_dim; d++) {
        out->dim[d] = s->dim[d];
        if (d > 0 && s->dim[d] < 1) {
            sgdi_expand_refuse(c->x, c->f, "'%s' is declared with dim %zu = %lld", name, d,
                               (long long)s->dim[d]);
            return false;
        }
    }
    return true;
}

// Appends a function of `type` writing `output` with `n_in` input slots to fill.
static Function *push_function(sgdi_expand_fn *c, char *name, const char *type, size_t n_in,
                               char *output) {
    sgdi_expansion *x = c->x;
    if (*c->n >= SGDI_EXPAND_MAX) {
        x->failed = true;
        return NULL;
    }
    Function *g = sgdi_expand_own(x, malloc(sizeof *g));
    char **in = sgdi_expand_own(x, calloc(n_in ? n_in : 1, sizeof *in));
    char **out = sgdi_expand_own(x, calloc(1, sizeof *out));
    if (!g || !in || !out || !name || !output) {
        x->failed = true;
        return NULL;
    }
    *g = (Function)FUNCTION__INIT;
    g->name = name;
    g->type = (char *)type; // a string literal: never freed (not owned, not unpacked)
    g->n_input = n_in, g->input = in;
    g->n_output = 1, g->output = out;
    out[0] = output;
    c->out[(*c->n)++] = g;
    return g;
}

static int64_t *own_dims(sgdi_expansion *x, const int64_t *dims, size_t n) {
    int64_t *d = sgdi_expand_own(x, malloc((n ? n : 1) * sizeof *d));
    if (d) memcpy(d, dims, n * sizeof *d);
    return d;
}

// g becomes a Reshape to `dims` (nnabla's shape: the batch first).
static void set_reshape(sgdi_expansion *x, Function *g, const int64_t *dims, size_t n) {
    ReshapeParameter *p = sgdi_expand_own(x, malloc(sizeof *p));
    Shape *s = sgdi_expand_own(x, malloc(sizeof *s));
    int64_t *d = own_dims(x, dims, n);
    if (!g || !p || !s || !d) return;
    *s = (Shape)SHAPE__INIT;
    s->n_dim = n, s->dim = d;
    *p = (ReshapeParameter)RESHAPE_PARAMETER__INIT;
    p->shape = s;
    g->parameter_case = FUNCTION__PARAMETER_RESHAPE_PARAM;
    g->reshape_param = p;
}

// --- RecurrentInput ----------------------------------------------------------------------

// Step t of x (declared `xs`) along nnabla axis `axis`: per-sample entries only, so
// that nnabla's Slice takes the batch whole.
static void set_step_slice(sgdi_expansion *x, Function *g, const decl_shape *xs, size_t axis,
                           int64_t t) {
    int64_t start[DECL_DIMS], stop[DECL_DIMS], step[DECL_DIMS];
    size_t n = xs->n - 1;
    for (size_t d = 1; d < xs->n; d++) {
        start[d - 1] = d == axis ? t : 0;
        stop[d - 1] = d == axis ? t + 1 : xs->dim[d];
        step[d - 1] = 1;
    }
    SliceParameter *p = sgdi_expand_own(x, malloc(sizeof *p));
    int64_t *a = own_dims(x, start, n), *b = own_dims(x, stop, n), *s = own_dims(x, step, n);
    if (!g || !p || !a || !b || !s) return;
    *p = (SliceParameter)SLICE_PARAMETER__INIT;
    p->n_start = p->n_stop = p->n_step = n;
    p->start = a, p->stop = b, p->step = s;
    g->parameter_case = FUNCTION__PARAMETER_SLICE_PARAM;
    g->slice_param = p;
}

static void unroll_input(sgdi_expand_fn *c, const int64_t *index, const char *outer,
                         int64_t times) {
    const Function *f = c->f;
    const RecurrentParameter *rp = f->recurrent_param;
    sgdi_expansion *x = c->x;
    if (f->n_input != 1 || f->n_output != 1) {
        sgdi_expand_refuse(x, f, "takes one input and one output, not %zu and %zu", f->n_input,
                           f->n_output);
        return;
    }
    if (index[f->n_repeat_id - 1] > 0) return; // one split per outer index
    char *src = declared(x, f->input[0]) ? sgdi_expand_printf(x, "%s", f->input[0])
                                         : sgdi_expand_printf(x, "%s%s", f->input[0], outer);
    decl_shape xs;
    if (!src || !shape_of(c, src, &xs)) return;
    int64_t axis = rp->axis < 0 ? rp->axis + (int64_t)xs.n : rp->axis;
    if (axis < 1 || axis >= (int64_t)xs.n) {
        sgdi_expand_refuse(x, f, "axis %lld is the batch axis or outside the %zu axes of '%s'",
                           (long long)rp->axis, xs.n, src);
        return;
    }
    int64_t steps = xs.dim[axis];
    // nnabla takes the count from the shape; a length that disagrees is a broken block.
    if (steps != times || (rp->length != 0 && rp->length != times)) {
        sgdi_expand_refuse(x, f,
                           "splits '%s' into %lld steps along axis %lld, but its length is %lld "
                           "and repeat_info '%s' has %lld",
                           src, (long long)steps, (long long)axis, (long long)rp->length,
                           rp->repeat_id, (long long)times);
        return;
    }
    int64_t step_dims[DECL_DIMS];
    size_t n_step = 0;
    step_dims[n_step++] = -1;
    for (size_t d = 1; d < xs.n; d++)
        if ((int64_t)d != axis) step_dims[n_step++] = xs.dim[d];
    for (int64_t t = 0; t < steps && !x->failed; t++) {
        char *sliced = sgdi_expand_printf(x, "%s%s/Slice_%s[%lld]", f->name, outer, rp->repeat_id,
                                          (long long)t);
        Function *s = push_function(c, sliced, "Slice", 1, sliced);
        if (!s) return;
        s->input[0] = src;
        set_step_slice(x, s, &xs, (size_t)axis, t);
        Function *r = push_function(c,
                                    sgdi_expand_printf(x, "%s%s/Reshape_%s[%lld]", f->name, outer,
                                                       rp->repeat_id, (long long)t),
                                    "Reshape", 1,
                                    sgdi_expand_printf(x, "%s%s_%s[%lld]", f->output[0], outer,
                                                       rp->repeat_id, (long long)t));
        if (!r) return;
        r->input[0] = sliced;
        set_reshape(x, r, step_dims, n_step);
    }
}

// --- RecurrentOutput ---------------------------------------------------------------------

// Concatenates `n` variables along nnabla axis `axis` into `output` (named `name`),
// through intermediate Concatenates when n exceeds what one takes.
static void concatenate_tree(sgdi_expand_fn *c, char **parts, size_t n, int64_t axis, char *name,
                             char *output) {
    sgdi_expansion *x = c->x;
    ConcatenateParameter *p = sgdi_expand_own(x, malloc(sizeof *p));
    if (!p || !name) return;
    *p = (ConcatenateParameter)CONCATENATE_PARAMETER__INIT;
    p->axis = axis;
    for (int level = 0; n > SGDI_MAX_PORTS && !x->failed; level++) {
        size_t groups = (n + SGDI_MAX_PORTS - 1) / SGDI_MAX_PORTS;
        for (size_t g = 0; g < groups && !x->failed; g++) {
            size_t first = g * SGDI_MAX_PORTS,
                   k = n - first < SGDI_MAX_PORTS ? n - first : SGDI_MAX_PORTS;
            char *joined = sgdi_expand_printf(x, "%s/Concatenate%d[%zu]", name, level, g);
            Function *j = push_function(c, joined, "Concatenate", k, joined);
            if (!j) return;
            memcpy(j->input, parts + first, k * sizeof *parts);
            j->parameter_case = FUNCTION__PARAMETER_CONCATENATE_PARAM;
            j->concatenate_param = p;
            parts[g] = joined; // group g is read before slot g is overwritten
        }
        n = groups;
    }
    Function *j = push_function(c, name, "Concatenate", n, output);
    if (!j) return;
    memcpy(j->input, parts, n * sizeof *parts);
    j->parameter_case = FUNCTION__PARAMETER_CONCATENATE_PARAM;
    j->concatenate_param = p;
}

static void unroll_output(sgdi_expand_fn *c, const char *all, int64_t times) {
    const Function *f = c->f;
    const RecurrentParameter *rp = f->recurrent_param;
    sgdi_expansion *x = c->x;
    if (f->n_input != 1 || f->n_output != 1) {
        sgdi_expand_refuse(x, f, "takes one input and one output, not %zu and %zu", f->n_input,
                           f->n_output);
        return;
    }
    if (rp->length != times) {
        sgdi_expand_refuse(x, f, "stacks %lld steps, but repeat_info '%s' has %lld",
                           (long long)rp->length, rp->repeat_id, (long long)times);
        return;
    }
    char **parts = sgdi_expand_own(x, calloc((size_t)times, sizeof *parts));
    char *first = sgdi_expand_printf(x, "%s%s_%s[0]", f->input[0], all, rp->repeat_id);
    decl_shape ys;
    if (!parts || !first || !shape_of(c, first, &ys)) return;
    if (ys.n >= DECL_DIMS) {
        sgdi_expand_refuse(x, f, "stacks '%s' of %zu dims; the engine takes at most %d", first,
                           ys.n, (int)SGDI_MAX_DIMS);
        return;
    }
    int64_t axis = rp->axis < 0 ? rp->axis + (int64_t)ys.n + 1 : rp->axis;
    if (axis < 1 || axis > (int64_t)ys.n) {
        sgdi_expand_refuse(x, f,
                           "axis %lld is the batch axis or outside the %zu axes of its stacked "
                           "output",
                           (long long)rp->axis, ys.n + 1);
        return;
    }
    int64_t step_dims[DECL_DIMS];
    for (size_t d = 0, k = 0; d <= ys.n; d++)
        step_dims[d] = (int64_t)d == axis ? 1 : d == 0 ? -1 : ys.dim[++k];
    for (int64_t t = 0; t < times && !x->failed; t++) {
        char *step =
            sgdi_expand_printf(x, "%s%s_%s[%lld]", f->input[0], all, rp->repeat_id, (long long)t);
        if (step && !declared(x, step)) {
            sgdi_expand_refuse(x, f, "'%s' is not a variable of recurrence '%s'", f->input[0],
                               rp->repeat_id);
            return;
        }
        char *unit = sgdi_expand_printf(x, "%s%s/Reshape_%s[%lld]", f->name, all, rp->repeat_id,
                                        (long long)t);
        Function *r = push_function(c, unit, "Reshape", 1, unit);
        if (!r) return;
        r->input[0] = step;
        set_reshape(x, r, step_dims, ys.n + 1);
        parts[t] = unit;
    }
    char *output = sgdi_expand_printf(x, "%s%s", f->output[0], all);
    if (output && !declared(x, output)) output = sgdi_expand_printf(x, "%s", f->output[0]);
    if (!x->failed)
        concatenate_tree(c, parts, (size_t)times, axis, sgdi_expand_printf(x, "%s%s", f->name, all),
                         output);
}

// --- Delay -------------------------------------------------------------------------------

static void unroll_delay(sgdi_expand_fn *c, const int64_t *index, const char *outer,
                         const char *all) {
    const Function *f = c->f;
    const RecurrentParameter *rp = f->recurrent_param;
    sgdi_expansion *x = c->x;
    if (f->n_input < 2) {
        sgdi_expand_refuse(x, f,
                           "has no initial value: Delay reads the delayed variable and the value "
                           "of step 0");
        return;
    }
    if (f->n_input > 2 || f->n_output != 1) {
        sgdi_expand_refuse(x, f, "takes two inputs and one output, not %zu and %zu", f->n_input,
                           f->n_output);
        return;
    }
    int64_t t = index[f->n_repeat_id - 1];
    char *src;
    if (t == 0) {
        src = declared(x, f->input[1]) ? sgdi_expand_printf(x, "%s", f->input[1])
                                       : sgdi_expand_printf(x, "%s%s", f->input[1], outer);
    } else {
        src = sgdi_expand_printf(x, "%s%s_%s[%lld]", f->input[0], outer, rp->repeat_id,
                                 (long long)(t - 1));
        if (src && !declared(x, src)) {
            sgdi_expand_refuse(x, f, "its input '%s' is not a variable of recurrence '%s'",
                               f->input[0], rp->repeat_id);
            return;
        }
    }
    char *output = sgdi_expand_printf(x, "%s%s", f->output[0], all);
    if (output && !declared(x, output)) output = sgdi_expand_printf(x, "%s", f->output[0]);
    Function *g =
        push_function(c, sgdi_expand_printf(x, "%s%s", f->name, all), "Identity", 1, output);
    if (g) g->input[0] = src;
}

// --- Dispatch ----------------------------------------------------------------------------

bool sgdi_expand_recurrent(sgdi_expand_fn *c, const int64_t *index) {
    const Function *f = c->f;
    bool is_input = strcmp(f->type, "RecurrentInput") == 0;
    bool is_output = strcmp(f->type, "RecurrentOutput") == 0;
    bool is_delay = strcmp(f->type, "Delay") == 0;
    if (!is_input && !is_output && !is_delay) return false;
    sgdi_expansion *x = c->x;
    const RecurrentParameter *rp = f->recurrent_param;
    if (!rp || !rp->repeat_id || !rp->repeat_id[0]) {
        sgdi_expand_refuse(x, f, "has no recurrent_param naming its recurrence");
        return true;
    }
    int levels = (int)f->n_repeat_id;
    bool inside = false;
    for (int k = 0; k < levels; k++) inside |= strcmp(f->repeat_id[k], rp->repeat_id) == 0;
    if (is_output && inside) {
        sgdi_expand_refuse(x, f, "repeats with the recurrence '%s' it ends", rp->repeat_id);
        return true;
    }
    // nnabla takes the last repeat level as the step: the recurrence must be innermost.
    if (!is_output && (levels == 0 || strcmp(f->repeat_id[levels - 1], rp->repeat_id) != 0)) {
        sgdi_expand_refuse(x, f,
                           "is not inside its recurrence '%s' (its last repeat_id must name it)",
                           rp->repeat_id);
        return true;
    }
    int64_t times = sgdi_expand_repeat_times(x->orig, rp->repeat_id);
    if (times < 1 || times > SGDI_EXPAND_MAX) {
        sgdi_expand_refuse(x, f, "recurrence '%s' has no usable repeat_info", rp->repeat_id);
        return true;
    }
    char all[512], outer[512];
    sgdi_expand_suffix(all, sizeof all, f->repeat_id, index, levels);
    sgdi_expand_suffix(outer, sizeof outer, f->repeat_id, index, levels > 0 ? levels - 1 : 0);
    if (is_input) unroll_input(c, index, outer, times);
    if (is_output) unroll_output(c, all, times);
    if (is_delay) unroll_delay(c, index, outer, all);
    return true;
}
