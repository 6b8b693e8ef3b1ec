/*
 * zip.c — reading and writing ZIP archives (the .nnp container) over libzip;
 * see zip.h. Every size that comes from the archive is checked against a
 * cap before it is used to allocate.
 */
#include "nnp/zip.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

#include "io/atomic.h"
#include "util/error.h"

struct sgdi_zip {
    zip_t *za;
    char *name;
    sgdi_zip_entry *entries; // [count]
    int64_t count;
};

// --- Errors ----------------------------------------------------------------------

// Turns a libzip open error into a status and a one-line message naming `name`.
static sgdi_status open_failure(sgdi_error *err, const char *name, zip_error_t *ze) {
    int code = zip_error_code_zip(ze);
    const char *what = zip_error_strerror(ze);
    switch (code) {
    case ZIP_ER_NOZIP:
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: not a zip archive", name);
    case ZIP_ER_INCONS:
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: corrupt zip archive (%s)", name, what);
    case ZIP_ER_MEMORY:
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory opening the zip archive", name);
    case ZIP_ER_OPEN:
    case ZIP_ER_NOENT:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
        return sgdi_fail(err, SGDI_ERR_IO, "%s: cannot read: %s", name, what);
    default:
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: cannot open the zip archive: %s", name, what);
    }
}

// A failed member read (libzip error `ze`) as a status and message.
static sgdi_status member_failure(sgdi_error *err, const sgdi_zip *z, const sgdi_zip_entry *e,
                                  zip_error_t *ze) {
    int code = zip_error_code_zip(ze);
    char method[32];
    switch (code) {
    case ZIP_ER_CRC:
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: member '%s' is truncated or corrupt (CRC error)", z->name, e->name);
    case ZIP_ER_COMPNOTSUPP:
        return sgdi_fail(err, SGDI_ERR_UNSUPPORTED,
                         "%s: member '%s' uses compression method '%s', which is not supported",
                         z->name, e->name, sgdi_zip_method_name(e->method, method, sizeof method));
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_WRONGPASSWD:
        return sgdi_fail(err, SGDI_ERR_UNSUPPORTED, "%s: member '%s' is encrypted", z->name,
                         e->name);
    case ZIP_ER_MEMORY:
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory reading member '%s'", z->name,
                         e->name);
    default:
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: member '%s' is corrupt: %s", z->name, e->name,
                         zip_error_strerror(ze));
    }
}

const char *sgdi_zip_method_name(int method, char *buf, size_t buf_size) {
    if (method == SGDI_ZIP_STORED) return "stored";
    if (method == SGDI_ZIP_DEFLATED) return "deflated";
    snprintf(buf, buf_size, "method %d", method);
    return buf;
}

// --- Opening ---------------------------------------------------------------------

// Takes ownership of `za` (closing it on failure) and lists its members.
static sgdi_status wrap_archive(zip_t *za, const char *name, sgdi_zip **out, sgdi_error *err) {
    sgdi_zip *z = calloc(1, sizeof *z);
    char *name_copy = strdup(name);
    if (!z || !name_copy) {
        free(z);
        free(name_copy);
        zip_discard(za);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
    }
    z->za = za;
    z->name = name_copy;
    zip_int64_t n = zip_get_num_entries(za, 0);
    sgdi_status st = SGDI_OK;
    if (n < 0 || n > SGDI_ZIP_MAX_MEMBERS) {
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: %lld members (at most %d)", name, (long long)n,
                       SGDI_ZIP_MAX_MEMBERS);
        goto fail;
    }
    if (n > 0) {
        z->entries = sgdi_calloc_array(n, sizeof *z->entries);
        if (!z->entries) {
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
            goto fail;
        }
    }
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t s;
        zip_stat_init(&s);
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &s) != 0) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: member %lld: %s", name, (long long)i,
                           zip_strerror(za));
            goto fail;
        }
        const zip_uint64_t need =
            ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
        if ((s.valid & need) != need || !s.name) {
            st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: member %lld has no name or size", name,
                           (long long)i);
            goto fail;
        }
        z->entries[i] = (sgdi_zip_entry){s.name, s.size, s.comp_size, (int)s.comp_method};
    }
    z->count = n;
    *out = z;
    return SGDI_OK;
fail:
    sgdi_zip_close(z);
    return st;
}

sgdi_status sgdi_zip_open_file(const char *path, sgdi_zip **out, sgdi_error *err) {
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sgdi_fail(err, SGDI_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    // libzip takes an empty file for an empty archive; it is not a .nnp.
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: not a zip archive (empty file)", path);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_file_create(path, 0, -1, &ze);
    if (!src) {
        sgdi_status st = open_failure(err, path, &ze);
        zip_error_fini(&ze);
        return st;
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!za) {
        zip_source_free(src);
        sgdi_status st = open_failure(err, path, &ze);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    return wrap_archive(za, path, out, err);
}

sgdi_status sgdi_zip_open_buffer(const void *data, size_t size, const char *name, sgdi_zip **out,
                                 sgdi_error *err) {
    *out = NULL;
    if (size == 0 || !data)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: not a zip archive (empty file)", name);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
    if (!src) {
        sgdi_status st = open_failure(err, name, &ze);
        zip_error_fini(&ze);
        return st;
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!za) {
        zip_source_free(src);
        sgdi_status st = open_failure(err, name, &ze);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    return wrap_archive(za, name, out, err);
}

void sgdi_zip_close(sgdi_zip *z) {
    if (!z) return;
    if (z->za) zip_discard(z->za); // read-only: nothing to write back
    free(z->entries);
    free(z->name);
    free(z);
}

const char *sgdi_zip_name(const sgdi_zip *z) {
    return z->name;
}

int64_t sgdi_zip_count(const sgdi_zip *z) {
    return z->count;
}

const sgdi_zip_entry *sgdi_zip_entry_at(const sgdi_zip *z, int64_t i) {
    if (i < 0 || i >= z->count) return NULL;
    return &z->entries[i];
}

int64_t sgdi_zip_find(const sgdi_zip *z, const char *name) {
    for (int64_t i = 0; i < z->count; i++)
        if (strcmp(z->entries[i].name, name) == 0) return i;
    return -1;
}

// --- Reading a member ------------------------------------------------------------

sgdi_status sgdi_zip_read(sgdi_zip *z, int64_t i, uint64_t cap, uint8_t **data, size_t *size,
                          sgdi_error *err) {
    *data = NULL;
    *size = 0;
    if (i < 0 || i >= z->count)
        return sgdi_fail(err, SGDI_ERR_INVALID, "%s: no member %lld", z->name, (long long)i);
    const sgdi_zip_entry *e = &z->entries[i];
    if (e->size > cap || e->size >= SIZE_MAX)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: member '%s' declares %llu bytes, more than the limit of %llu",
                         z->name, e->name, (unsigned long long)e->size, (unsigned long long)cap);
    zip_file_t *f = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
    if (!f) return member_failure(err, z, e, zip_get_error(z->za));
    uint8_t *buf = malloc((size_t)e->size + 1);
    if (!buf) {
        zip_fclose(f);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory for member '%s' (%llu bytes)",
                         z->name, e->name, (unsigned long long)e->size);
    }
    sgdi_status st = SGDI_OK;
    uint64_t got = 0;
    while (got < e->size) {
        zip_int64_t n = zip_fread(f, buf + got, e->size - got);
        if (n < 0) {
            st = member_failure(err, z, e, zip_file_get_error(f));
            goto done;
        }
        if (n == 0) break;
        got += (uint64_t)n;
    }
    if (got != e->size) {
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s: truncated member '%s' (%llu of %llu bytes)",
                       z->name, e->name, (unsigned long long)got, (unsigned long long)e->size);
        goto done;
    }
    // One more read reaches the end of the data, where libzip checks the CRC,
    // and shows data beyond the declared size.
    uint8_t extra;
    zip_int64_t n = zip_fread(f, &extra, 1);
    if (n < 0) {
        st = member_failure(err, z, e, zip_file_get_error(f));
        goto done;
    }
    if (n > 0) {
        st = sgdi_fail(err, SGDI_ERR_FORMAT,
                       "%s: member '%s' is longer than its declared %llu bytes", z->name, e->name,
                       (unsigned long long)e->size);
        goto done;
    }
done:;
    int close_code = zip_fclose(f);
    if (st == SGDI_OK && close_code != 0) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, close_code);
        st = member_failure(err, z, e, &ze);
        zip_error_fini(&ze);
    }
    if (st != SGDI_OK) {
        free(buf);
        return st;
    }
    buf[e->size] = 0;
    *data = buf;
    *size = (size_t)e->size;
    return SGDI_OK;
}

// --- Writing ---------------------------------------------------------------------

// DOS date of 1980-01-01 (year 0, month 1, day 1), time 00:00:00.
static const zip_uint16_t fixed_dos_date = (1 << 5) | 1;

sgdi_status sgdi_zip_write_buffer(const sgdi_zip_member *members, int64_t n, uint8_t **out,
                                  size_t *out_size, sgdi_error *err) {
    *out = NULL;
    *out_size = 0;
    if (n <= 0 || n > SGDI_ZIP_MAX_MEMBERS)
        return sgdi_fail(err, SGDI_ERR_INVALID, "zip: %lld members (1 to %d)", (long long)n,
                         SGDI_ZIP_MAX_MEMBERS);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (!za) {
        if (src) zip_source_free(src);
        zip_error_fini(&ze);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "zip: cannot create an archive in memory");
    }
    zip_error_fini(&ze);
    zip_source_keep(src); // survives zip_close, which writes the archive into it
    sgdi_status st = SGDI_OK;
    for (int64_t i = 0; i < n; i++) {
        const sgdi_zip_member *m = &members[i];
        zip_source_t *s = zip_source_buffer(za, m->data, m->size, 0);
        zip_int64_t idx = s ? zip_file_add(za, m->name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (s) zip_source_free(s);
            st = sgdi_fail(err, SGDI_ERR_INVALID, "zip: cannot add member '%s': %s", m->name,
                           zip_strerror(za));
            break;
        }
        if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) != 0 ||
            zip_file_set_dostime(za, (zip_uint64_t)idx, 0, fixed_dos_date, 0) != 0) {
            st =
                sgdi_fail(err, SGDI_ERR_INVALID, "zip: member '%s': %s", m->name, zip_strerror(za));
            break;
        }
    }
    if (st != SGDI_OK) {
        zip_discard(za);
        zip_source_free(src);
        return st;
    }
    if (zip_close(za) != 0) {
        st = sgdi_fail(err, SGDI_ERR_IO, "zip: cannot write the archive: %s", zip_strerror(za));
        zip_discard(za);
        zip_source_free(src);
        return st;
    }
    zip_stat_t s;
    zip_stat_init(&s);
    uint8_t *buf = NULL;
    if (zip_source_stat(src, &s) != 0 || !(s.valid & ZIP_STAT_SIZE) || s.size == 0 ||
        s.size >= SIZE_MAX || zip_source_open(src) != 0) {
        zip_source_free(src);
        return sgdi_fail(err, SGDI_ERR_IO, "zip: cannot read back the written archive");
    }
    buf = malloc((size_t)s.size);
    zip_int64_t got = buf ? zip_source_read(src, buf, s.size) : -1;
    zip_source_close(src);
    zip_source_free(src);
    if (!buf) return sgdi_fail(err, SGDI_ERR_NOMEM, "zip: out of memory");
    if (got < 0 || (zip_uint64_t)got != s.size) {
        free(buf);
        return sgdi_fail(err, SGDI_ERR_IO, "zip: cannot read back the written archive");
    }
    *out = buf;
    *out_size = (size_t)s.size;
    return SGDI_OK;
}

sgdi_status sgdi_zip_write_file(const char *path, const sgdi_zip_member *members, int64_t n,
                                sgdi_error *err) {
    uint8_t *bytes;
    size_t size;
    sgdi_status st = sgdi_zip_write_buffer(members, n, &bytes, &size, err);
    if (st != SGDI_OK) return st;
    sgdi_atomic_file f;
    st = sgdi_atomic_open(&f, path, err);
    if (st != SGDI_OK) {
        free(bytes);
        return st;
    }
    if (fwrite(bytes, 1, size, f.fp) != size) {
        sgdi_atomic_abort(&f);
        free(bytes);
        return sgdi_fail(err, SGDI_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    free(bytes);
    return sgdi_atomic_commit(&f, err);
}
