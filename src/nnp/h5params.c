/*
 * h5params.c — reading parameter.h5 and HDF5 solver-state files from memory
 * in nnabla's layout (see h5params.h), over our own bounds-checked reader
 * (h5read.c; libhdf5 crashed on hostile files, fuzz/crashers/h5params/).
 *
 * The walk turns each dataset (and each group with an `index` attribute)
 * into an item: path, shape, float32 data and the need_grad / index
 * attributes. Parameters and solver states are then built from the items.
 */
#include "nnp/h5params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/h5read.h"
#include "util/error.h"

// Float bytes allowed beyond 4 per byte of the image (an int8 widens 4x):
// room for small datasets never written, which read as their fill value.
static const uint64_t UNWRITTEN_SLACK = 1 << 20;
// Most bytes of float data one file may produce in total.
static const uint64_t TOTAL_FLOAT_CAP = (uint64_t)4 << 30;

// --- Items: one per dataset or indexed group ---------------------------------------

typedef struct h5_item {
    char *path;
    bool is_group;
    sgdi_shape shape;
    int64_t count;
    float *data; // [count] (datasets)
    bool need_grad;
    bool has_index;
    int64_t index;
    bool has_ival; // an integer dataset of one element: its value
    int64_t ival;
    int64_t slot; // parameter.h5: the list entry of the same name it replaces, or -1
} h5_item;

typedef struct h5_walk {
    uint64_t budget; // float bytes still allowed
    h5_item *items;
    int64_t n, cap;
} h5_walk;

static void free_items(h5_item *items, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        free(items[i].path);
        free(items[i].data);
    }
    free(items);
}

static h5_item *new_item(h5_walk *w, const char *path) {
    if (w->n == w->cap) {
        int64_t cap = w->cap ? 2 * w->cap : 32;
        h5_item *items = realloc(w->items, (size_t)cap * sizeof *items);
        if (!items) return NULL;
        w->items = items;
        w->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) return NULL;
    h5_item *it = &w->items[w->n++];
    memset(it, 0, sizeof *it);
    it->path = copy;
    it->need_grad = true;
    return it;
}

static sgdi_status visit(const sgdi_h5_object *obj, void *ctx, sgdi_error *err) {
    h5_walk *w = ctx;
    bool found;
    int64_t index = 0;
    sgdi_status st = sgdi_h5_int_attribute(obj, "index", false, &found, &index, err);
    if (st != SGDI_OK) return st;
    if (obj->is_group) {
        h5_item *it = found ? new_item(w, obj->path) : NULL;
        if (found && !it) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", obj->file);
        if (it) it->is_group = true, it->has_index = true, it->index = index;
        return SGDI_OK;
    }
    int cls = obj->type.type_class;
    if (cls != SGDI_H5_INTEGER && cls != SGDI_H5_FLOAT)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: '%s': not a numeric dataset (HDF5 type class %d)", obj->file,
                         obj->path, cls);
    int64_t need_grad = 1;
    bool has_need_grad;
    st = sgdi_h5_int_attribute(obj, "need_grad", true, &has_need_grad, &need_grad, err);
    if (st != SGDI_OK) return st;
    uint64_t out_bytes = (uint64_t)obj->count * sizeof(float);
    if (out_bytes > w->budget)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: '%s': datasets add up to more data than allowed", obj->file,
                         obj->path);
    w->budget -= out_bytes;
    h5_item *it = new_item(w, obj->path);
    if (!it || !(it->data = malloc(obj->count > 0 ? (size_t)out_bytes : 1)))
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: '%s': out of memory", obj->file, obj->path);
    it->shape = obj->shape;
    it->count = obj->count;
    it->need_grad = !has_need_grad || need_grad != 0;
    it->has_index = found;
    it->index = index;
    st = sgdi_h5_read_floats(obj, it->data, err);
    if (st == SGDI_OK && cls == SGDI_H5_INTEGER && obj->count == 1) {
        it->has_ival = true;
        st = sgdi_h5_read_first_int(obj, &it->ival, err);
    }
    return st;
}

static int compare_paths(const void *pa, const void *pb) {
    return strcmp(((const h5_item *)pa)->path, ((const h5_item *)pb)->path);
}

// Collects all items of the image into w.
static sgdi_status walk_image(const void *data, size_t size, const char *name, h5_walk *w,
                              sgdi_error *err) {
    memset(w, 0, sizeof *w);
    if (size > SGDI_H5_IMAGE_CAP)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: %zu bytes, more than the HDF5 limit of %zu",
                         name, size, SGDI_H5_IMAGE_CAP);
    uint64_t budget = (uint64_t)size * 4 + UNWRITTEN_SLACK;
    w->budget = budget < TOTAL_FLOAT_CAP ? budget : TOTAL_FLOAT_CAP;
    sgdi_status st = sgdi_h5_walk(data, size, name, visit, w, err);
    // Two links of one name in a group would make the result depend on sort order.
    if (st == SGDI_OK && w->n > 1) {
        qsort(w->items, (size_t)w->n, sizeof *w->items, compare_paths);
        for (int64_t i = 1; i < w->n; i++)
            if (strcmp(w->items[i - 1].path, w->items[i].path) == 0) {
                st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: '%s': two objects of this name", name,
                               w->items[i].path);
                break;
            }
    }
    if (st != SGDI_OK) {
        free_items(w->items, w->n);
        w->items = NULL;
        w->n = 0;
    }
    return st;
}

// (has_index first, index, name) order.
static int compare_order(bool ha, int64_t ia, const char *na, bool hb, int64_t ib, const char *nb) {
    if (ha != hb) return ha ? -1 : 1;
    if (ha && ia != ib) return ia < ib ? -1 : 1;
    return strcmp(na, nb);
}

static int compare_items(const void *pa, const void *pb) {
    const h5_item *a = pa, *b = pb;
    return compare_order(a->has_index, a->index, a->path, b->has_index, b->index, b->path);
}

// --- parameter.h5 ----------------------------------------------------------------

sgdi_status sgdi_h5params_read_buffer(const void *data, size_t size, const char *name,
                                      sgdi_param_list *list, sgdi_error *err) {
    h5_walk w;
    sgdi_status st = walk_image(data, size, name, &w, err);
    if (st != SGDI_OK) return st;
    // Datasets only (still by path), each matched to the list entry it replaces, in
    // load order.
    int64_t n = 0;
    for (int64_t i = 0; i < w.n; i++) {
        if (w.items[i].is_group) {
            free(w.items[i].path);
            continue;
        }
        w.items[n] = w.items[i];
        w.items[n++].slot = -1;
    }
    for (int64_t j = 0; j < list->count && n > 0; j++) {
        h5_item key = {.path = list->items[j].name};
        h5_item *same = bsearch(&key, w.items, (size_t)n, sizeof *w.items, compare_paths);
        if (same) same->slot = j;
    }
    if (n > 1) qsort(w.items, (size_t)n, sizeof *w.items, compare_items);
    // Room for all first, so that the merge below cannot fail half-way.
    if (list->count > INT64_MAX / 2 - n) {
        free_items(w.items, n);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: too many parameters", name);
    }
    if (list->count + n > list->cap) {
        int64_t cap = list->count + n;
        sgdi_param_blob *items = realloc(list->items, (size_t)cap * sizeof *items);
        if (!items) {
            free_items(w.items, n);
            return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
        }
        list->items = items;
        list->cap = cap;
    }
    if (!sgdi_name_index_reserve(&list->by_name, (size_t)n)) {
        free_items(w.items, n);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
    }
    for (int64_t i = 0; i < n; i++) {
        h5_item *it = &w.items[i];
        sgdi_param_blob blob = {it->path, it->shape, it->count, it->data, it->need_grad};
        it->path = NULL;
        it->data = NULL;
        int64_t at = it->slot >= 0 ? it->slot : list->count;
        if (at < list->count) { // the list's index keeps the entry's first copy of the name
            free(blob.name);
            blob.name = list->items[at].name;
            free(list->items[at].data);
        } else {
            sgdi_name_index_put(&list->by_name, blob.name, at); // cannot fail: reserved
            list->count++;
        }
        list->items[at] = blob;
    }
    free_items(w.items, n);
    return SGDI_OK;
}

// --- Solver state ----------------------------------------------------------------

// Length of the parent group path of `path` ("a/b/mean" -> 3), 0 at the root.
static size_t parent_len(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) : 0;
}

static int compare_parents(const void *pa, const void *pb) {
    const h5_item *a = pa, *b = pb;
    size_t la = parent_len(a->path), lb = parent_len(b->path);
    int c = memcmp(a->path, b->path, la < lb ? la : lb);
    if (c != 0) return c;
    return la == lb ? 0 : (la < lb ? -1 : 1);
}

static int compare_states(const void *pa, const void *pb) {
    const sgdi_h5_tensor *a = pa, *b = pb;
    return compare_order(a->has_index, a->index, a->name, b->has_index, b->index, b->name);
}

static int compare_param_states(const void *pa, const void *pb) {
    const sgdi_h5_param_state *a = pa, *b = pb;
    return compare_order(a->has_index, a->index, a->param, b->has_index, b->index, b->param);
}

void sgdi_h5_optimizer_state_free(sgdi_h5_optimizer_state *s) {
    if (!s) return;
    for (int64_t i = 0; i < s->count; i++) {
        sgdi_h5_param_state *p = &s->params[i];
        for (int64_t j = 0; j < p->n_states; j++) {
            free(p->states[j].name);
            free(p->states[j].data);
        }
        free(p->states);
        free(p->param);
    }
    free(s->params);
    memset(s, 0, sizeof *s);
}

// Builds one parameter's state from the datasets items[0..n) sharing the
// parent path of length plen; takes their data.
static sgdi_status build_param(sgdi_h5_param_state *ps, h5_item *items, int64_t n, size_t plen,
                               const h5_item *groups, int64_t n_groups) {
    ps->param = strndup(items[0].path, plen);
    ps->states = calloc((size_t)n, sizeof *ps->states);
    if (!ps->param || !ps->states) return SGDI_ERR_NOMEM;
    h5_item key = {.path = ps->param};
    const h5_item *g = n_groups > 0
                           ? bsearch(&key, groups, (size_t)n_groups, sizeof *groups, compare_paths)
                           : NULL;
    if (g) {
        ps->has_index = true;
        ps->index = g->index;
    }
    for (int64_t k = 0; k < n; k++) {
        h5_item *it = &items[k];
        const char *base = it->path + plen + 1;
        if (strcmp(base, "t") == 0 && it->has_ival && !ps->has_t) {
            ps->has_t = true;
            ps->t = it->ival;
            continue;
        }
        sgdi_h5_tensor *s = &ps->states[ps->n_states];
        s->name = strdup(base);
        if (!s->name) return SGDI_ERR_NOMEM;
        ps->n_states++;
        s->shape = it->shape;
        s->count = it->count;
        s->data = it->data;
        it->data = NULL;
        s->has_index = it->has_index;
        s->index = it->index;
    }
    if (ps->n_states > 1)
        qsort(ps->states, (size_t)ps->n_states, sizeof *ps->states, compare_states);
    return SGDI_OK;
}

sgdi_status sgdi_h5_optimizer_read_buffer(const void *data, size_t size, const char *name,
                                          sgdi_h5_optimizer_state *out, sgdi_error *err) {
    memset(out, 0, sizeof *out);
    h5_walk w;
    sgdi_status st = walk_image(data, size, name, &w, err);
    if (st != SGDI_OK) return st;
    // Groups (with an index) to the front, sorted by path; datasets by parent.
    int64_t n_groups = 0;
    for (int64_t i = 0; i < w.n; i++) {
        if (!w.items[i].is_group) continue;
        h5_item tmp = w.items[n_groups];
        w.items[n_groups++] = w.items[i];
        w.items[i] = tmp;
    }
    h5_item *dsets = w.items ? w.items + n_groups : NULL;
    int64_t n_dsets = w.n - n_groups;
    if (n_groups > 1) qsort(w.items, (size_t)n_groups, sizeof *w.items, compare_paths);
    if (n_dsets > 1) qsort(dsets, (size_t)n_dsets, sizeof *dsets, compare_parents);
    if (n_dsets > 0 && !(out->params = calloc((size_t)n_dsets, sizeof *out->params)))
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
    for (int64_t i = 0; st == SGDI_OK && i < n_dsets;) {
        size_t plen = parent_len(dsets[i].path);
        if (plen == 0) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: dataset '%s' is not inside a parameter group",
                           name, dsets[i].path);
            break;
        }
        int64_t j = i + 1;
        while (j < n_dsets && compare_parents(&dsets[i], &dsets[j]) == 0) j++;
        if (build_param(&out->params[out->count++], dsets + i, j - i, plen, w.items, n_groups) !=
            SGDI_OK)
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
        i = j;
    }
    free_items(w.items, w.n);
    if (st != SGDI_OK) {
        sgdi_h5_optimizer_state_free(out);
        return st;
    }
    if (out->count > 1)
        qsort(out->params, (size_t)out->count, sizeof *out->params, compare_param_states);
    return SGDI_OK;
}
