/*
 * h5read.h — a small, bounds-checked reader for the part of the HDF5 format
 * that nnabla, h5py and libhdf5 (default or "latest" format bounds) write
 * for parameter and solver-state files, read from memory. The input is
 * hostile: every offset, length and count is checked against the buffer.
 *
 * Supported: superblock versions 0-3; groups as symbol tables (v1 B-tree +
 * local heap + SNOD nodes) or as compact link messages; object header
 * versions 1 and 2 with continuation blocks; fixed-point (1/2/4/8 bytes),
 * IEEE binary32/binary64 and enum (over an integer) datatypes in either
 * byte order; scalar and simple dataspaces; contiguous and compact data
 * layouts; attributes stored in the object header. Anything else a file
 * needs (chunked or filtered data, external files, dense link or attribute
 * storage, shared messages, ...) is refused with an error naming the
 * feature and the object path. Soft and external links are not followed.
 * Checksums of version-2 metadata are not verified: every structure is
 * checked on its own, so a wrong checksum cannot make the reader misbehave.
 *
 *     static sgdi_status visit(const sgdi_h5_object *obj, void *ctx, sgdi_error *err) {...}
 *     sgdi_h5_walk(bytes, size, "model.nnp:parameter.h5", visit, &ctx, err);
 */
#ifndef SGDI_NNP_H5READ_H
#define SGDI_NNP_H5READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"
#include "sgdi.h"

// HDF5 datatype classes the reader knows by name (others keep their number).
enum { SGDI_H5_INTEGER = 0, SGDI_H5_FLOAT = 1, SGDI_H5_ENUM = 8 };

typedef struct sgdi_h5_type {
    int type_class; // HDF5 class number: SGDI_H5_INTEGER, SGDI_H5_FLOAT, SGDI_H5_ENUM, other
    uint32_t size;  // bytes per element (for an enum: of its integer base)
    bool big_endian, is_signed;
} sgdi_h5_type;

typedef struct sgdi_h5_object_data sgdi_h5_object_data; // private to h5read.c

// One group or dataset, as handed to the visitor (valid during the call).
typedef struct sgdi_h5_object {
    const char *file; // the name given to sgdi_h5_walk, for messages
    const char *path; // "fc1/affine/W": link names from the root, '/'-separated
    bool is_group;
    // Datasets only:
    sgdi_shape shape; // ndim 0 = scalar
    int64_t count;    // product of shape
    sgdi_h5_type type;
    const sgdi_h5_object_data *data;
} sgdi_h5_object;

// Returns SGDI_OK to go on; anything else stops the walk and is returned
// (the visitor has filled err).
typedef sgdi_status (*sgdi_h5_visit_fn)(const sgdi_h5_object *obj, void *ctx, sgdi_error *err);

// Calls `visit` for every group and dataset reachable from the root group by
// hard links (depth first, the root itself excluded). Stops at the first
// error. An object with several hard links is visited under each path, but
// a group's links are followed once (a cycle ends there). At most
// SGDI_H5_MAX_OBJECTS links, groups nested at most SGDI_H5_MAX_DEPTH deep.
enum { SGDI_H5_MAX_DEPTH = 64, SGDI_H5_MAX_PATH = 4096 };
sgdi_status sgdi_h5_walk(const void *bytes, size_t size, const char *name, sgdi_h5_visit_fn visit,
                         void *ctx, sgdi_error *err);

// Looks up the attribute `attr` of `obj`: a single integer (any width) or,
// if `allow_enum`, an enum over an integer (h5py's bool). *found is false
// (and SGDI_OK returned) when the object has no such attribute.
sgdi_status sgdi_h5_int_attribute(const sgdi_h5_object *obj, const char *attr, bool allow_enum,
                                  bool *found, int64_t *value, sgdi_error *err);

// The dataset's elements converted to float32 (as a C cast would: integers
// rounded to nearest, doubles beyond float range become ±inf). out[count].
// Only for SGDI_H5_INTEGER and SGDI_H5_FLOAT types.
sgdi_status sgdi_h5_read_floats(const sgdi_h5_object *obj, float *out, sgdi_error *err);

// The first element of an integer dataset (count >= 1), as int64 (unsigned
// values above INT64_MAX saturate).
sgdi_status sgdi_h5_read_first_int(const sgdi_h5_object *obj, int64_t *out, sgdi_error *err);

#endif // SGDI_NNP_H5READ_H
