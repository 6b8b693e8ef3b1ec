/*
 * h5params.c — reading parameter.h5 and HDF5 solver-state files from memory,
 * and writing parameter.h5, in nnabla's layout (see h5params.h).
 *
 * Reading walks every hard link of the file once (H5Lvisit), opens each
 * object by address (so no path, soft or external link is ever resolved),
 * and turns each dataset into an item: path, shape, float32 data and the
 * need_grad / index attributes. Parameters and solver states are then built
 * from the items.
 */
#include "nnp/h5params.h"
#include "nnp/h5_errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "util/error.h"

#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t link_info;
#define OPEN_LINKED(file, info) H5Oopen_by_token((file), (info)->u.token)
#else
typedef H5L_info_t link_info;
#define OPEN_LINKED(file, info) H5Oopen_by_addr((file), (info)->u.address)
#endif

enum { MAX_PATH = 4096 };
// Slack allowed beyond the image size for unfiltered data (fill values of
// small datasets), and how much deflate may expand the image at most.
static const uint64_t UNFILTERED_SLACK = 64 * 1024;
static const uint64_t MAX_EXPANSION = 1100;
// Most bytes of float data one file may produce in total.
static const uint64_t TOTAL_FLOAT_CAP = (uint64_t)4 << 30;
static const uint8_t hdf5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// --- Items: one per dataset or group ---------------------------------------------

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
} h5_item;

typedef struct h5_walk {
    const char *file; // for messages
    hid_t fid;
    uint64_t image_size;
    uint64_t budget; // float bytes still allowed
    h5_item *items;
    int64_t n, cap;
    int64_t visited;
    sgdi_status st;
    sgdi_error *err;
} h5_walk;

static void free_items(h5_item *items, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        free(items[i].path);
        free(items[i].data);
    }
    free(items);
}

// Records a failure (the first one wins) and returns -1 to stop the walk.
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
walk_fail(h5_walk *w, sgdi_status st, const char *fmt, ...) {
    if (w->st != SGDI_OK) return -1;
    char msg[SGDI_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->st = sgdi_fail(w->err, st, "%s: %s", w->file, msg);
    return -1;
}

// Little helper: decodes `size` raw bytes of an integer in `order`/`sign`.
static int64_t decode_int(const uint8_t *raw, size_t size, H5T_order_t order, H5T_sign_t sign) {
    uint64_t u = 0;
    for (size_t k = 0; k < size; k++) {
        size_t at = order == H5T_ORDER_BE ? k : size - 1 - k;
        u = (u << 8) | raw[at];
    }
    if (sign == H5T_SGN_2 && size < 8 && (u >> (8 * size - 1)) & 1) u |= ~(uint64_t)0 << (8 * size);
    return (int64_t)u;
}

// Reads the scalar attribute `attr` of `obj` as an integer (any width) or,
// if `allow_enum`, an enum over an integer (h5py's bool). Returns 1 when read,
// 0 when absent, -1 on error (recorded in w).
static int read_int_attr(h5_walk *w, hid_t obj, const char *path, const char *attr, bool allow_enum,
                         int64_t *out) {
    htri_t exists = H5Aexists(obj, attr);
    if (exists == 0) return 0;
    h5_msg m;
    if (exists < 0)
        return walk_fail(w, SGDI_ERR_FORMAT, "'%s': attribute '%s': %s", path, attr, h5_reason(&m));
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
    hid_t type = a >= 0 ? H5Aget_type(a) : -1;
    hid_t space = a >= 0 ? H5Aget_space(a) : -1;
    hid_t super = -1;
    int rc = 1;
    if (a < 0 || type < 0 || space < 0) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': attribute '%s': %s", path, attr, h5_reason(&m));
        goto done;
    }
    if (H5Sget_simple_extent_npoints(space) != 1) {
        rc =
            walk_fail(w, SGDI_ERR_FORMAT, "'%s': attribute '%s' is not a single value", path, attr);
        goto done;
    }
    H5T_class_t cls = H5Tget_class(type);
    long long v = 0;
    if (cls == H5T_INTEGER) {
        if (H5Aread(a, H5T_NATIVE_LLONG, &v) < 0)
            rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': attribute '%s': %s", path, attr,
                           h5_reason(&m));
        *out = v;
    } else if (cls == H5T_ENUM && allow_enum) {
        // Read the raw bytes in the file's own type; decode the base integer.
        super = H5Tget_super(type);
        size_t size = super >= 0 ? H5Tget_size(super) : 0;
        uint8_t raw[16] = {0};
        if (size < 1 || size > 8 || H5Tget_size(type) != size ||
            H5Tget_class(super) != H5T_INTEGER || H5Aread(a, type, raw) < 0) {
            rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': attribute '%s' is not a usable enum", path,
                           attr);
            goto done;
        }
        *out = decode_int(raw, size, H5Tget_order(super), H5Tget_sign(super));
    } else {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': attribute '%s' is not an integer%s", path, attr,
                       allow_enum ? " or boolean" : "");
    }
done:
    if (super >= 0) H5Tclose(super);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (a >= 0) H5Aclose(a);
    return rc;
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

// Refuses storage that could read outside the image or crash HDF5's rarer filters.
static int check_storage(h5_walk *w, hid_t dset, const char *path, uint64_t file_bytes) {
    hid_t dcpl = H5Dget_create_plist(dset);
    h5_msg m;
    if (dcpl < 0) return walk_fail(w, SGDI_ERR_FORMAT, "'%s': %s", path, h5_reason(&m));
    int rc = 0;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    int nfilters = H5Pget_nfilters(dcpl);
    if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED)
        rc = walk_fail(w, SGDI_ERR_UNSUPPORTED, "'%s': unsupported storage layout %d", path,
                       (int)layout);
    else if (H5Pget_external_count(dcpl) != 0)
        rc = walk_fail(w, SGDI_ERR_UNSUPPORTED, "'%s': data in external files is not read", path);
    else if (nfilters < 0)
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': %s", path, h5_reason(&m));
    for (int f = 0; rc == 0 && f < nfilters; f++) {
        unsigned flags, conf;
        size_t nelem = 0;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)f, &flags, &nelem, NULL, 0, NULL, &conf);
        if (id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32)
            rc = walk_fail(w, SGDI_ERR_UNSUPPORTED, "'%s': unsupported HDF5 filter %d", path,
                           (int)id);
    }
    uint64_t limit = nfilters > 0 ? w->image_size * MAX_EXPANSION + UNFILTERED_SLACK
                                  : w->image_size + UNFILTERED_SLACK;
    if (rc == 0 && file_bytes > limit)
        rc = walk_fail(w, SGDI_ERR_FORMAT,
                       "'%s': declares %llu bytes of data, more than a %llu-byte file can hold",
                       path, (unsigned long long)file_bytes, (unsigned long long)w->image_size);
    H5Pclose(dcpl);
    return rc;
}

static int read_dataset(h5_walk *w, hid_t dset, const char *path) {
    h5_msg m;
    hid_t type = H5Dget_type(dset);
    hid_t space = H5Dget_space(dset);
    int rc = 0;
    h5_item *it = NULL;
    if (type < 0 || space < 0) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': %s", path, h5_reason(&m));
        goto done;
    }
    H5T_class_t cls = H5Tget_class(type);
    size_t tsize = H5Tget_size(type);
    if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || tsize < 1 || tsize > 8) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': not a numeric dataset (HDF5 type class %d)", path,
                       (int)cls);
        goto done;
    }
    H5S_class_t scls = H5Sget_simple_extent_type(space);
    int ndims = H5Sget_simple_extent_ndims(space);
    if (scls == H5S_NULL || ndims < 0 || ndims > SGDI_MAX_DIMS) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': %d dimensions (0 to %d allowed)", path, ndims,
                       SGDI_MAX_DIMS);
        goto done;
    }
    hsize_t dims[SGDI_MAX_DIMS] = {0};
    if (ndims > 0 && H5Sget_simple_extent_dims(space, dims, NULL) != ndims) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': %s", path, h5_reason(&m));
        goto done;
    }
    sgdi_shape shape = {.ndim = ndims};
    int64_t count = 1;
    for (int d = 0; d < ndims; d++) {
        if (dims[d] > (hsize_t)INT64_MAX || !sgdi_mul_i64(count, (int64_t)dims[d], &count) ||
            count > INT64_MAX / 8) {
            rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': shape too large", path);
            goto done;
        }
        shape.dim[d] = (int64_t)dims[d];
    }
    uint64_t out_bytes = (uint64_t)count * sizeof(float);
    if (check_storage(w, dset, path, (uint64_t)count * tsize) < 0) {
        rc = -1;
        goto done;
    }
    if (out_bytes > w->budget) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': datasets add up to more data than allowed", path);
        goto done;
    }
    w->budget -= out_bytes;
    it = new_item(w, path);
    if (!it || !(it->data = malloc(count > 0 ? (size_t)out_bytes : 1))) {
        rc = walk_fail(w, SGDI_ERR_NOMEM, "'%s': out of memory", path);
        goto done;
    }
    it->shape = shape;
    it->count = count;
    if (count > 0 && H5Dread(dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, it->data) < 0) {
        rc = walk_fail(w, SGDI_ERR_FORMAT, "'%s': cannot read: %s", path, h5_reason(&m));
        goto done;
    }
    long long iv = 0;
    if (cls == H5T_INTEGER && count == 1 &&
        H5Dread(dset, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, &iv) >= 0) {
        it->has_ival = true;
        it->ival = iv;
    }
    int64_t v = 1;
    int got = read_int_attr(w, dset, path, "need_grad", true, &v);
    if (got < 0) {
        rc = -1;
        goto done;
    }
    it->need_grad = got == 0 || v != 0;
    got = read_int_attr(w, dset, path, "index", false, &it->index);
    if (got < 0) rc = -1;
    it->has_index = got == 1;
done:
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Eclear2(H5E_DEFAULT);
    return rc;
}

static herr_t visit_link(hid_t group, const char *name, const link_info *info, void *op) {
    h5_walk *w = op;
    if (++w->visited > SGDI_H5_MAX_OBJECTS)
        return walk_fail(w, SGDI_ERR_FORMAT, "more than %d links", SGDI_H5_MAX_OBJECTS);
    if (info->type != H5L_TYPE_HARD) return 0; // soft and external links are not followed
    if (strlen(name) >= MAX_PATH)
        return walk_fail(w, SGDI_ERR_FORMAT, "an object path is longer than %d bytes", MAX_PATH);
    hid_t obj = OPEN_LINKED(w->fid, info);
    h5_msg m;
    if (obj < 0) return walk_fail(w, SGDI_ERR_FORMAT, "'%s': %s", name, h5_reason(&m));
    int rc = 0;
    H5I_type_t t = H5Iget_type(obj);
    if (t == H5I_DATASET) {
        rc = read_dataset(w, obj, name);
    } else if (t == H5I_GROUP) {
        int64_t index;
        int got = read_int_attr(w, obj, name, "index", false, &index);
        if (got < 0) rc = -1;
        h5_item *it = got == 1 ? new_item(w, name) : NULL;
        if (got == 1 && !it) rc = walk_fail(w, SGDI_ERR_NOMEM, "out of memory");
        if (it)
            *it = (h5_item){.path = it->path, .is_group = true, .has_index = true, .index = index};
    }
    H5Oclose(obj);
    return rc;
}

// Opens the image and collects all items into w. The caller holds a quiet section.
static sgdi_status walk_image(const void *data, size_t size, const char *name, h5_walk *w,
                              sgdi_error *err) {
    memset(w, 0, sizeof *w);
    w->file = name;
    w->err = err;
    w->image_size = size;
    uint64_t budget = (uint64_t)size * MAX_EXPANSION + (1u << 20);
    w->budget = budget < TOTAL_FLOAT_CAP ? budget : TOTAL_FLOAT_CAP;
    if (size > SGDI_H5_IMAGE_CAP)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: %zu bytes, more than the HDF5 limit of %zu",
                         name, size, SGDI_H5_IMAGE_CAP);
    // HDF5 looks for its superblock at 0, 512, 1024, 2048, ...; check first.
    bool found = false;
    for (size_t at = 0; !found && at + sizeof hdf5_signature <= size; at = at ? 2 * at : 512)
        found = memcmp((const uint8_t *)data + at, hdf5_signature, sizeof hdf5_signature) == 0;
    if (!found) return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: not an HDF5 file", name);
    h5_msg m;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl, (void *)data, size) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: cannot set up HDF5: %s", name, h5_reason(&m));
    }
    // The core driver tells files apart by name: make it unique to this image.
    char image_name[64];
    snprintf(image_name, sizeof image_name, "sgdi-image-%p-%zu", data, size);
    hid_t fid = H5Fopen(image_name, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (fid < 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: not a readable HDF5 file (%s)", name,
                         h5_reason(&m));
    w->fid = fid;
    w->st = SGDI_OK;
    herr_t rc = H5Lvisit(fid, H5_INDEX_NAME, H5_ITER_INC, visit_link, w);
    if (rc < 0 && w->st == SGDI_OK)
        w->st =
            sgdi_fail(err, SGDI_ERR_FORMAT, "%s: cannot list the file: %s", name, h5_reason(&m));
    H5Fclose(fid);
    if (w->st != SGDI_OK) {
        free_items(w->items, w->n);
        w->items = NULL;
        w->n = 0;
    }
    return w->st;
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
    h5_quiet q;
    quiet_begin(&q);
    h5_walk w;
    sgdi_status st = walk_image(data, size, name, &w, err);
    quiet_end(&q);
    if (st != SGDI_OK) return st;
    // Datasets only, in load order.
    int64_t n = 0;
    for (int64_t i = 0; i < w.n; i++) {
        if (w.items[i].is_group) {
            free(w.items[i].path);
            continue;
        }
        w.items[n++] = w.items[i];
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
    for (int64_t i = 0; i < n; i++) {
        h5_item *it = &w.items[i];
        sgdi_param_blob blob = {it->path, it->shape, it->count, it->data, it->need_grad};
        it->path = NULL;
        it->data = NULL;
        int64_t at = list->count;
        for (int64_t j = 0; j < list->count; j++)
            if (strcmp(list->items[j].name, blob.name) == 0) at = j;
        if (at < list->count) {
            free(list->items[at].name);
            free(list->items[at].data);
        } else {
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

static int compare_paths(const void *pa, const void *pb) {
    return strcmp(((const h5_item *)pa)->path, ((const h5_item *)pb)->path);
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
    h5_quiet q;
    quiet_begin(&q);
    h5_walk w;
    sgdi_status st = walk_image(data, size, name, &w, err);
    quiet_end(&q);
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
