/*
 * container.h — which members of a .nnp archive hold what, as nnabla's
 * loader (utils/get_file_handle.py) decides it, independent of protobuf.
 *
 * Members are visited in archive order and dispatched on the extension of
 * their name, matched exactly and case-sensitively (os.path.splitext: the
 * text after the last '.' of the last path component, leading dots of that
 * component not counting):
 *   .nntxt / .prototxt   network description in protobuf text format
 *   .protobuf            parameters in binary protobuf
 *   .h5                  parameters in HDF5
 *   .optimizer           solver state (HDF5 or binary protobuf inside)
 *   nnp_version.txt      the format version (only "0.1" exists), trimmed
 *   anything else        ignored, listed in `ignored`
 *
 *     sgdi_nnp_container c;
 *     if (sgdi_nnp_container_open_file("model.nnp", &c, err) != SGDI_OK) return err->status;
 *     for (int64_t i = 0; i < c.n_networks; i++) parse_text(c.networks[i].data, ...);
 *     for (int64_t i = 0; i < c.n_params; i++)   c.params[i].kind says protobuf or h5
 *     sgdi_nnp_container_free(&c);
 */
#ifndef SGDI_NNP_CONTAINER_H
#define SGDI_NNP_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nnp/zip.h"
#include "sgdi.h"

typedef enum sgdi_nnp_kind {
    SGDI_NNP_IGNORED = 0,
    SGDI_NNP_VERSION,        // nnp_version.txt
    SGDI_NNP_NETWORK_TEXT,   // *.nntxt, *.prototxt
    SGDI_NNP_PARAM_PROTOBUF, // *.protobuf
    SGDI_NNP_PARAM_H5,       // *.h5
    SGDI_NNP_OPTIMIZER,      // *.optimizer
} sgdi_nnp_kind;

// The kind of a member called `name` (an archive path).
sgdi_nnp_kind sgdi_nnp_classify(const char *name);

// A short name for a kind: "network", "parameters (protobuf)", ...
const char *sgdi_nnp_kind_name(sgdi_nnp_kind kind);

typedef struct sgdi_nnp_member {
    char *name; // member name (owned)
    sgdi_nnp_kind kind;
    uint8_t *data; // [size] bytes plus a NUL after them (owned); NULL for ignored members
    size_t size;
    bool is_hdf5; // data starts with the HDF5 signature (for .optimizer: HDF5 or protobuf)
    int method;   // compression method in the archive (SGDI_ZIP_STORED, ...)
} sgdi_nnp_member;

typedef struct sgdi_nnp_container {
    char *source;    // archive name used in messages (owned)
    char *version;   // nnp_version.txt with whitespace trimmed, or NULL if absent (owned)
    bool version_ok; // version is "0.1" (anything else is recorded, not an error)
    // Each list in archive order; members own their bytes.
    sgdi_nnp_member *networks; // text network descriptions, to be merged in order
    int64_t n_networks;
    sgdi_nnp_member *params; // parameter members, .protobuf and .h5 interleaved as stored
    int64_t n_params;
    sgdi_nnp_member *optimizers; // solver-state members
    int64_t n_optimizers;
    sgdi_nnp_member *ignored; // names (and sizes) of skipped members; data is NULL
    int64_t n_ignored;
} sgdi_nnp_container;

// Reads every member that the loader uses (each at most `member_cap` bytes,
// all together at most 4 * member_cap) from the opened archive `z` and
// classifies them. Fails with "<archive>: no network description (*.nntxt
// or *.prototxt member)" if there is no network member. On failure `out` is
// left empty (free is still safe).
sgdi_status sgdi_nnp_container_load(sgdi_zip *z, uint64_t member_cap, sgdi_nnp_container *out,
                                    sgdi_error *err);

// Open + load with the default cap (SGDI_ZIP_MEMBER_CAP), from a path or memory.
sgdi_status sgdi_nnp_container_open_file(const char *path, sgdi_nnp_container *out,
                                         sgdi_error *err);
sgdi_status sgdi_nnp_container_open_buffer(const void *data, size_t size, const char *name,
                                           sgdi_nnp_container *out, sgdi_error *err);

// Frees everything the container owns and empties it; safe on an emptied one.
void sgdi_nnp_container_free(sgdi_nnp_container *c);

#endif // SGDI_NNP_CONTAINER_H
