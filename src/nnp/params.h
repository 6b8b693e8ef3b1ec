/*
 * params.h — named parameter tensors as a model file holds them, whichever
 * format they came from (parameter.protobuf, parameter.h5) or go to.
 */
#ifndef SGDI_NNP_PARAMS_H
#define SGDI_NNP_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"
#include "sgdi.h"
#include "util/name_index.h"

typedef struct sgdi_param_blob {
    char *name;       // e.g. "fc1/affine/W"
    sgdi_shape shape; // full shape
    int64_t count;    // product of shape
    float *data;      // [count], row-major
    bool need_grad;
} sgdi_param_blob;

typedef struct sgdi_param_list {
    sgdi_param_blob *items;
    int64_t count;
    int64_t cap;
    sgdi_name_index by_name; // item index by name: a model may hold thousands of tensors
} sgdi_param_list;

// Appends a copy of `data` (count = product of shape floats). A name already
// in the list is replaced (later sources win, as nnabla's loader merges). A zeroed
// list is empty; only these functions change one.
sgdi_status sgdi_param_list_add(sgdi_param_list *list, const char *name, sgdi_shape shape,
                                const float *data, bool need_grad, sgdi_error *err);
// The parameter called `name`, or NULL.
const sgdi_param_blob *sgdi_param_list_find(const sgdi_param_list *list, const char *name);
void sgdi_param_list_free(sgdi_param_list *list);

#endif // SGDI_NNP_PARAMS_H
