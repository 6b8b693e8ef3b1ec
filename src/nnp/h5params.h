/*
 * h5params.h — parameters and solver states in nnabla's HDF5 layout
 * (parameter.h5 and *.optimizer members of a .nnp): read by our own reader
 * (h5read.h), written with the HDF5 C library.
 *
 * parameter.h5: one dataset per parameter at its name path ("fc1/affine/W"
 * is dataset W in group fc1/affine), float32, with attributes `need_grad`
 * (scalar enum over int8 FALSE/TRUE, h5py's bool) and `index` (scalar
 * integer of any width). Parameters load in (index, name) order; those
 * without `index` come after the indexed ones, by name; a missing need_grad
 * means true. Any integer or float dataset is converted to float32.
 *
 *     sgdi_param_list params = {0};
 *     if (sgdi_h5params_read_buffer(bytes, size, "model.nnp:parameter.h5", &params, err))
 *         return err->status;
 *
 * Files are read from memory and the input is hostile: images are capped,
 * every offset and length is checked (h5read.h), dimensions and element
 * counts are capped and must fit what the image can hold, links other than
 * hard links are not followed, and the float data one file may produce is
 * bounded. Only the subset of HDF5 that nnabla/h5py/libhdf5 write is read
 * (h5read.h); chunked or filtered datasets, dense link or attribute storage
 * and the like are refused, SGDI_ERR_UNSUPPORTED naming the feature. Errors
 * are one-line messages naming the file and the object path. The readers
 * keep no global state and may run on several threads; the writers call
 * libhdf5, which is not thread-safe.
 */
#ifndef SGDI_NNP_H5PARAMS_H
#define SGDI_NNP_H5PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nnp/params.h"
#include "sgdi.h"

// Largest HDF5 image accepted (1 GiB), and most datasets + groups in a file.
#define SGDI_H5_IMAGE_CAP ((size_t)1 << 30)
enum { SGDI_H5_MAX_OBJECTS = 1 << 20 };

// --- parameter.h5 ----------------------------------------------------------------

// Reads a parameter.h5 image and adds its parameters to `list` in (index,
// name) order (a name already in the list is replaced, as sgdi_param_list_add
// does). `name` is used in messages. On failure `list` is unchanged.
sgdi_status sgdi_h5params_read_buffer(const void *data, size_t size, const char *name,
                                      sgdi_param_list *list, sgdi_error *err);

// Same, from a file.
sgdi_status sgdi_h5params_read_file(const char *path, sgdi_param_list *list, sgdi_error *err);

// Writes `list` as parameter.h5 the way nnabla does (float32 datasets at the
// name paths, need_grad enum attribute, int64 index attribute = position in
// the list). Names must be non-empty '/'-separated paths without empty, "."
// or ".." components. *out is malloc'ed (caller frees).
sgdi_status sgdi_h5params_write_buffer(const sgdi_param_list *list, uint8_t **out, size_t *out_size,
                                       sgdi_error *err);

// Same, to `path`, atomically (src/io/atomic.h).
sgdi_status sgdi_h5params_write_file(const char *path, const sgdi_param_list *list,
                                     sgdi_error *err);

// --- Solver state (*.optimizer, HDF5) ----------------------------------------------
//
// Layout as nnabla writes it: a group per parameter at the parameter's name
// path, carrying an `index` attribute; inside it one dataset per state
// (Adam: `mean`, `var`, each with its own `index`) and a scalar integer
// dataset `t` (the update count). Every dataset is read; the one called `t`
// becomes sgdi_h5_param_state.t, the others become states. A dataset
// directly at the root belongs to no parameter and is an error.

typedef struct sgdi_h5_tensor {
    char *name; // state name, e.g. "mean" (owned)
    sgdi_shape shape;
    int64_t count; // product of shape
    float *data;   // [count] (owned)
    int64_t index; // `index` attribute, if has_index
    bool has_index;
} sgdi_h5_tensor;

typedef struct sgdi_h5_param_state {
    char *param;   // parameter name = group path, e.g. "fc1/affine/W" (owned)
    int64_t index; // the group's `index` attribute, if has_index
    bool has_index;
    int64_t t; // value of the `t` dataset, if has_t
    bool has_t;
    sgdi_h5_tensor *states; // [n_states], in (index, name) order (owned)
    int64_t n_states;
} sgdi_h5_param_state;

typedef struct sgdi_h5_optimizer_state {
    sgdi_h5_param_state *params; // [count], in (index, name) order (owned)
    int64_t count;
} sgdi_h5_optimizer_state;

// Reads an HDF5 solver-state image into `out` (which the caller frees with
// sgdi_h5_optimizer_state_free, also after a failure).
sgdi_status sgdi_h5_optimizer_read_buffer(const void *data, size_t size, const char *name,
                                          sgdi_h5_optimizer_state *out, sgdi_error *err);

void sgdi_h5_optimizer_state_free(sgdi_h5_optimizer_state *s);

#endif // SGDI_NNP_H5PARAMS_H
