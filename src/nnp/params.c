/*
 * params.c — the list of named parameter tensors.
 */
#include "nnp/params.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static const int64_t MAX_PARAM_ELEMENTS = (int64_t)1 << 34;

const sgdi_param_blob *sgdi_param_list_find(const sgdi_param_list *list, const char *name) {
    int64_t i = sgdi_name_index_get(&list->by_name, name);
    return i < 0 ? NULL : &list->items[i];
}

sgdi_status sgdi_param_list_add(sgdi_param_list *list, const char *name, sgdi_shape shape,
                                const float *data, bool need_grad, sgdi_error *err) {
    int64_t count = 1;
    if (shape.ndim < 0 || shape.ndim > SGDI_MAX_DIMS)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "parameter '%s': %d dimensions (at most %d)", name,
                         shape.ndim, SGDI_MAX_DIMS);
    for (int d = 0; d < shape.ndim; d++)
        if (shape.dim[d] < 0 || !sgdi_mul_i64(count, shape.dim[d], &count) ||
            count > MAX_PARAM_ELEMENTS)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "parameter '%s': shape too large or negative",
                             name);
    float *copy = malloc((size_t)(count > 0 ? count : 1) * sizeof(float));
    char *name_copy = strdup(name);
    if (!copy || !name_copy) {
        free(copy);
        free(name_copy);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for parameter '%s'", name);
    }
    if (count > 0) memcpy(copy, data, (size_t)count * sizeof(float));
    sgdi_param_blob blob = {name_copy, shape, count, copy, need_grad};
    int64_t same = sgdi_name_index_get(&list->by_name, name);
    if (same >= 0) { // the index keeps the first copy of the name: the item keeps it too
        sgdi_param_blob *old = &list->items[same];
        free(old->data);
        free(name_copy);
        blob.name = old->name;
        *old = blob;
        return SGDI_OK;
    }
    if (list->count == list->cap) {
        int64_t cap = list->cap ? 2 * list->cap : 16;
        sgdi_param_blob *items = realloc(list->items, (size_t)cap * sizeof *items);
        if (!items) {
            free(copy);
            free(name_copy);
            return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for parameter '%s'", name);
        }
        list->items = items;
        list->cap = cap;
    }
    if (!sgdi_name_index_put(&list->by_name, name_copy, list->count)) {
        free(copy);
        free(name_copy);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for parameter '%s'", name);
    }
    list->items[list->count++] = blob;
    return SGDI_OK;
}

void sgdi_param_list_free(sgdi_param_list *list) {
    if (!list) return;
    for (int64_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].data);
    }
    free(list->items);
    sgdi_name_index_free(&list->by_name);
    memset(list, 0, sizeof *list);
}
