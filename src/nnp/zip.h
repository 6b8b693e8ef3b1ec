/*
 * zip.h — the .nnp container as a ZIP archive, over libzip: open from a path
 * or a memory buffer, list members, read one member into memory with a size
 * cap, and write an archive of in-memory members (stored, as nnabla does).
 *
 *     sgdi_zip *z;
 *     if (sgdi_zip_open_file("model.nnp", &z, err) != SGDI_OK) return err->status;
 *     for (int64_t i = 0; i < sgdi_zip_count(z); i++) {
 *         const sgdi_zip_entry *e = sgdi_zip_entry_at(z, i);   // owned by z
 *         uint8_t *bytes; size_t size;
 *         if (sgdi_zip_read(z, i, SGDI_ZIP_MEMBER_CAP, &bytes, &size, err) != SGDI_OK) ...
 *         free(bytes);                                          // caller owns
 *     }
 *     sgdi_zip_close(z);
 *
 * Inputs are hostile: the archive is opened with libzip's consistency checks,
 * member counts and sizes are capped before anything is allocated, a read
 * must give exactly the declared size, and CRC errors are reported. Messages
 * name the archive as given (`name`), e.g. "model.nnp: not a zip archive".
 */
#ifndef SGDI_NNP_ZIP_H
#define SGDI_NNP_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

// Default cap on one member's uncompressed size (1 GiB).
#define SGDI_ZIP_MEMBER_CAP ((uint64_t)1 << 30)
// At most this many members in an archive.
enum { SGDI_ZIP_MAX_MEMBERS = 65536 };

// Compression methods as stored in the archive (same values as libzip's ZIP_CM_*).
enum { SGDI_ZIP_STORED = 0, SGDI_ZIP_DEFLATED = 8 };

typedef struct sgdi_zip sgdi_zip;

typedef struct sgdi_zip_entry {
    const char *name;   // member name as libzip decodes it (UTF-8), owned by the archive
    uint64_t size;      // declared uncompressed size
    uint64_t comp_size; // declared compressed size
    int method;         // SGDI_ZIP_STORED, SGDI_ZIP_DEFLATED or another ZIP method number
} sgdi_zip_entry;

// Opens the archive at `path` read-only. Messages name `path`.
sgdi_status sgdi_zip_open_file(const char *path, sgdi_zip **out, sgdi_error *err);

// Opens an archive held in memory. `data` must stay valid and unchanged until
// sgdi_zip_close; `name` is used in messages (and copied).
sgdi_status sgdi_zip_open_buffer(const void *data, size_t size, const char *name, sgdi_zip **out,
                                 sgdi_error *err);

// Closes the archive; NULL is fine.
void sgdi_zip_close(sgdi_zip *z);

// The archive's name as given to open, for messages.
const char *sgdi_zip_name(const sgdi_zip *z);

// Number of members, and member `i` (0 <= i < count) in archive order.
int64_t sgdi_zip_count(const sgdi_zip *z);
const sgdi_zip_entry *sgdi_zip_entry_at(const sgdi_zip *z, int64_t i);

// Index of the member called exactly `name`, or -1.
int64_t sgdi_zip_find(const sgdi_zip *z, const char *name);

// "stored", "deflated", or "method N" (N written into buf of buf_size bytes).
const char *sgdi_zip_method_name(int method, char *buf, size_t buf_size);

// Reads member `i` fully. Refuses a member whose declared size exceeds `cap`
// before allocating. On success *data is a malloc'ed buffer of *size bytes
// plus one NUL byte after them (so text members can be used as C strings);
// the caller frees it. On failure *data is NULL.
sgdi_status sgdi_zip_read(sgdi_zip *z, int64_t i, uint64_t cap, uint8_t **data, size_t *size,
                          sgdi_error *err);

// --- Writing --------------------------------------------------------------------

typedef struct sgdi_zip_member {
    const char *name;
    const void *data;
    size_t size;
} sgdi_zip_member;

// Builds an archive of the `n` members, in the given order, all stored (no
// compression) with a fixed 1980-01-01 timestamp, so the same members give
// the same bytes. *out is malloc'ed (caller frees), *out_size its length.
sgdi_status sgdi_zip_write_buffer(const sgdi_zip_member *members, int64_t n, uint8_t **out,
                                  size_t *out_size, sgdi_error *err);

// As sgdi_zip_write_buffer, written to `path` atomically (src/io/atomic.h):
// readers see the old file or the complete new one.
sgdi_status sgdi_zip_write_file(const char *path, const sgdi_zip_member *members, int64_t n,
                                sgdi_error *err);

#endif // SGDI_NNP_ZIP_H
