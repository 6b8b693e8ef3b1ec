/*
 * h5params_write.c — parameter.h5 to and from files: writing a parameter
 * list in nnabla's HDF5 layout (in memory with HDF5's core driver, then to
 * disk atomically), and reading a parameter.h5 file through the in-memory
 * reader of h5params.c. See h5params.h.
 */
#include "nnp/h5params.h"
#include "nnp/h5_errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/atomic.h"
#include "util/error.h"

enum { MAX_PATH = 4096 };

// --- Reading a file -----------------------------------------------------------------

// Reads a whole file into memory (at most `cap` bytes).
static sgdi_status slurp(const char *path, size_t cap, uint8_t **out, size_t *size,
                         sgdi_error *err) {
    *out = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return sgdi_fail(err, SGDI_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t *buf = NULL;
    size_t len = 0, room = 0;
    for (;;) {
        if (len == room) {
            if (room >= cap) {
                free(buf);
                fclose(f);
                return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: larger than %zu bytes", path, cap);
            }
            room = room ? (room > cap / 2 ? cap : 2 * room) : 65536;
            uint8_t *bigger = realloc(buf, room);
            if (!bigger) {
                free(buf);
                fclose(f);
                return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = bigger;
        }
        size_t got = fread(buf + len, 1, room - len, f);
        len += got;
        if (got == 0) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return sgdi_fail(err, SGDI_ERR_IO, "%s: read error", path);
    }
    *out = buf;
    *size = len;
    return SGDI_OK;
}

sgdi_status sgdi_h5params_read_file(const char *path, sgdi_param_list *list, sgdi_error *err) {
    uint8_t *bytes;
    size_t size;
    sgdi_status st = slurp(path, SGDI_H5_IMAGE_CAP + 1, &bytes, &size, err);
    if (st != SGDI_OK) return st;
    st = sgdi_h5params_read_buffer(bytes, size, path, list, err);
    free(bytes);
    return st;
}

// --- Writing ------------------------------------------------------------------------

// A name HDF5 stores as the same path: "a/b/c", no empty, "." or ".." parts.
static bool valid_path(const char *name) {
    size_t len = strlen(name);
    if (len == 0 || len >= MAX_PATH) return false;
    const char *part = name;
    for (;;) {
        const char *end = strchr(part, '/');
        size_t n = end ? (size_t)(end - part) : strlen(part);
        if (n == 0 || (n == 1 && part[0] == '.') || (n == 2 && part[0] == '.' && part[1] == '.'))
            return false;
        if (!end) return true;
        part = end + 1;
    }
}

// Writes one parameter as dataset + attributes; 0 or -1.
static int write_param(hid_t fid, hid_t lcpl, hid_t bool_type, hid_t scalar,
                       const sgdi_param_blob *p, int64_t index) {
    hsize_t dims[SGDI_MAX_DIMS];
    for (int d = 0; d < p->shape.ndim; d++) dims[d] = (hsize_t)p->shape.dim[d];
    hid_t space =
        p->shape.ndim == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(p->shape.ndim, dims, NULL);
    hid_t dset =
        space >= 0 ? H5Dcreate2(fid, p->name, H5T_IEEE_F32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT)
                   : -1;
    int rc = dset >= 0 ? 0 : -1;
    if (rc == 0 && p->count > 0 &&
        H5Dwrite(dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->data) < 0)
        rc = -1;
    int8_t need_grad = p->need_grad ? 1 : 0;
    hid_t a =
        rc == 0 ? H5Acreate2(dset, "need_grad", bool_type, scalar, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (a < 0 || H5Awrite(a, bool_type, &need_grad) < 0) rc = -1;
    if (a >= 0) H5Aclose(a);
    int64_t idx = index;
    a = rc == 0 ? H5Acreate2(dset, "index", H5T_STD_I64LE, scalar, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (a < 0 || H5Awrite(a, H5T_NATIVE_INT64, &idx) < 0) rc = -1;
    if (a >= 0) H5Aclose(a);
    if (dset >= 0) H5Dclose(dset);
    if (space >= 0) H5Sclose(space);
    return rc;
}

sgdi_status sgdi_h5params_write_buffer(const sgdi_param_list *list, uint8_t **out, size_t *out_size,
                                       sgdi_error *err) {
    *out = NULL;
    *out_size = 0;
    for (int64_t i = 0; i < list->count; i++)
        if (!valid_path(list->items[i].name))
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "parameter.h5: parameter name '%s' is not a valid HDF5 path",
                             list->items[i].name);
    h5_quiet q;
    quiet_begin(&q);
    h5_msg why;
    sgdi_status st = SGDI_OK;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    hid_t bool_type = H5Tenum_create(H5T_NATIVE_INT8);
    hid_t scalar = H5Screate(H5S_SCALAR);
    int8_t no = 0, yes = 1;
    hid_t fid = -1;
    if (fapl < 0 || lcpl < 0 || bool_type < 0 || scalar < 0 ||
        H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0 ||
        H5Tenum_insert(bool_type, "FALSE", &no) < 0 ||
        H5Tenum_insert(bool_type, "TRUE", &yes) < 0) {
        st =
            sgdi_fail(err, SGDI_ERR_NOMEM, "parameter.h5: cannot set up HDF5: %s", h5_reason(&why));
        goto done;
    }
    // The core driver tells files apart by name: unique to this call.
    char name[64];
    snprintf(name, sizeof name, "sgdi-write-%p", (void *)&fapl);
    fid = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fid < 0) {
        st = sgdi_fail(err, SGDI_ERR_IO, "parameter.h5: cannot create: %s", h5_reason(&why));
        goto done;
    }
    for (int64_t i = 0; i < list->count; i++) {
        if (write_param(fid, lcpl, bool_type, scalar, &list->items[i], i) < 0) {
            st = sgdi_fail(err, SGDI_ERR_INVALID, "parameter.h5: cannot write '%s': %s",
                           list->items[i].name, h5_reason(&why));
            goto done;
        }
    }
    ssize_t size = H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0 ? -1 : H5Fget_file_image(fid, NULL, 0);
    uint8_t *buf = size > 0 ? malloc((size_t)size) : NULL;
    if (!buf || H5Fget_file_image(fid, buf, (size_t)size) != size) {
        free(buf);
        st = sgdi_fail(err, SGDI_ERR_IO, "parameter.h5: cannot produce the file image: %s",
                       h5_reason(&why));
        goto done;
    }
    *out = buf;
    *out_size = (size_t)size;
done:
    if (fid >= 0) H5Fclose(fid);
    if (scalar >= 0) H5Sclose(scalar);
    if (bool_type >= 0) H5Tclose(bool_type);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (fapl >= 0) H5Pclose(fapl);
    quiet_end(&q);
    return st;
}

sgdi_status sgdi_h5params_write_file(const char *path, const sgdi_param_list *list,
                                     sgdi_error *err) {
    uint8_t *bytes;
    size_t size;
    sgdi_status st = sgdi_h5params_write_buffer(list, &bytes, &size, err);
    if (st != SGDI_OK) return st;
    sgdi_atomic_file f;
    st = sgdi_atomic_open(&f, path, err);
    if (st == SGDI_OK && fwrite(bytes, 1, size, f.fp) != size) {
        sgdi_atomic_abort(&f);
        st = sgdi_fail(err, SGDI_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    } else if (st == SGDI_OK) {
        st = sgdi_atomic_commit(&f, err);
    }
    free(bytes);
    return st;
}
