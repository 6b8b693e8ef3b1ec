/*
 * container.c — sorting the members of a .nnp archive into networks,
 * parameters, solver states, the version and the ignored rest (see
 * container.h), reading the bytes of those that are used.
 */
#include "nnp/container.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

// nnp_version.txt larger than this is not a version: it is listed as ignored.
enum { VERSION_CAP = 4096 };

static const char version_member[] = "nnp_version.txt";
static const uint8_t hdf5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// --- Classification --------------------------------------------------------------

// The extension as Python's os.path.splitext gives it: from the last '.' of
// the last component, unless that dot only belongs to leading dots. "" if none.
static const char *extension(const char *name) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    while (*base == '.') base++;
    const char *dot = strrchr(base, '.');
    return dot ? dot : "";
}

sgdi_nnp_kind sgdi_nnp_classify(const char *name) {
    if (strcmp(name, version_member) == 0) return SGDI_NNP_VERSION;
    const char *ext = extension(name);
    if (strcmp(ext, ".nntxt") == 0 || strcmp(ext, ".prototxt") == 0) return SGDI_NNP_NETWORK_TEXT;
    if (strcmp(ext, ".protobuf") == 0) return SGDI_NNP_PARAM_PROTOBUF;
    if (strcmp(ext, ".h5") == 0) return SGDI_NNP_PARAM_H5;
    if (strcmp(ext, ".optimizer") == 0) return SGDI_NNP_OPTIMIZER;
    return SGDI_NNP_IGNORED;
}

const char *sgdi_nnp_kind_name(sgdi_nnp_kind kind) {
    switch (kind) {
    case SGDI_NNP_VERSION:
        return "version";
    case SGDI_NNP_NETWORK_TEXT:
        return "network (text)";
    case SGDI_NNP_PARAM_PROTOBUF:
        return "parameters (protobuf)";
    case SGDI_NNP_PARAM_H5:
        return "parameters (HDF5)";
    case SGDI_NNP_OPTIMIZER:
        return "solver state";
    case SGDI_NNP_IGNORED:
        break;
    }
    return "ignored";
}

// --- Lists -----------------------------------------------------------------------

static void free_members(sgdi_nnp_member *m, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        free(m[i].name);
        free(m[i].data);
    }
    free(m);
}

void sgdi_nnp_container_free(sgdi_nnp_container *c) {
    if (!c) return;
    free(c->source);
    free(c->version);
    free_members(c->networks, c->n_networks);
    free_members(c->params, c->n_params);
    free_members(c->optimizers, c->n_optimizers);
    free_members(c->ignored, c->n_ignored);
    memset(c, 0, sizeof *c);
}

// Appends `m` to the list (taking its pointers). Lists are sized up front to
// the member count, so this cannot fail.
static void push(sgdi_nnp_member *list, int64_t *n, sgdi_nnp_member m) {
    list[(*n)++] = m;
}

// The version text with ASCII whitespace trimmed from both ends (malloc'ed).
static char *trimmed(const uint8_t *data, size_t size) {
    size_t a = 0, b = size;
    while (a < b && strchr(" \t\r\n\v\f", data[a]) && data[a]) a++;
    while (b > a && strchr(" \t\r\n\v\f", data[b - 1]) && data[b - 1]) b--;
    char *s = malloc(b - a + 1);
    if (!s) return NULL;
    memcpy(s, data + a, b - a);
    s[b - a] = '\0';
    return s;
}

// --- Loading ---------------------------------------------------------------------

sgdi_status sgdi_nnp_container_load(sgdi_zip *z, uint64_t member_cap, sgdi_nnp_container *out,
                                    sgdi_error *err) {
    memset(out, 0, sizeof *out);
    const char *src = sgdi_zip_name(z);
    int64_t n = sgdi_zip_count(z);
    int64_t slots = n > 0 ? n : 1;
    out->source = strdup(src);
    out->networks = sgdi_calloc_array(slots, sizeof *out->networks);
    out->params = sgdi_calloc_array(slots, sizeof *out->params);
    out->optimizers = sgdi_calloc_array(slots, sizeof *out->optimizers);
    out->ignored = sgdi_calloc_array(slots, sizeof *out->ignored);
    if (!out->source || !out->networks || !out->params || !out->optimizers || !out->ignored) {
        sgdi_nnp_container_free(out);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", src);
    }
    uint64_t total = 0;
    const uint64_t total_cap = member_cap > UINT64_MAX / 4 ? UINT64_MAX : 4 * member_cap;
    sgdi_status st = SGDI_OK;
    for (int64_t i = 0; i < n; i++) {
        const sgdi_zip_entry *e = sgdi_zip_entry_at(z, i);
        sgdi_nnp_kind kind = sgdi_nnp_classify(e->name);
        sgdi_nnp_member m = {NULL, kind, NULL, 0, false, e->method};
        // A directory entry ("dir/") or an oversized version file is skipped.
        size_t len = strlen(e->name);
        if (len > 0 && e->name[len - 1] == '/') kind = m.kind = SGDI_NNP_IGNORED;
        if (kind == SGDI_NNP_VERSION && e->size > VERSION_CAP) kind = m.kind = SGDI_NNP_IGNORED;
        m.name = strdup(e->name);
        if (!m.name) {
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", src);
            break;
        }
        if (kind == SGDI_NNP_IGNORED) {
            m.size = (size_t)(e->size < SIZE_MAX ? e->size : SIZE_MAX);
            push(out->ignored, &out->n_ignored, m);
            continue;
        }
        if (e->size > total_cap - total) {
            free(m.name);
            st = sgdi_fail(err, SGDI_ERR_FORMAT,
                           "%s: members add up to more than the limit of %llu bytes", src,
                           (unsigned long long)total_cap);
            break;
        }
        st = sgdi_zip_read(z, i, member_cap, &m.data, &m.size, err);
        if (st != SGDI_OK) {
            free(m.name);
            break;
        }
        total += m.size;
        m.is_hdf5 = m.size >= sizeof hdf5_signature &&
                    memcmp(m.data, hdf5_signature, sizeof hdf5_signature) == 0;
        switch (kind) {
        case SGDI_NNP_VERSION:
            free(out->version);
            out->version = trimmed(m.data, m.size);
            free(m.name);
            free(m.data);
            if (!out->version) st = sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", src);
            out->version_ok = out->version && strcmp(out->version, "0.1") == 0;
            break;
        case SGDI_NNP_NETWORK_TEXT:
            push(out->networks, &out->n_networks, m);
            break;
        case SGDI_NNP_PARAM_PROTOBUF:
        case SGDI_NNP_PARAM_H5:
            push(out->params, &out->n_params, m);
            break;
        case SGDI_NNP_OPTIMIZER:
            push(out->optimizers, &out->n_optimizers, m);
            break;
        case SGDI_NNP_IGNORED:
            break; // handled above
        }
        if (st != SGDI_OK) break;
    }
    if (st == SGDI_OK && out->n_networks == 0)
        st = sgdi_fail(err, SGDI_ERR_FORMAT,
                       "%s: no network description (*.nntxt or *.prototxt member)", src);
    if (st != SGDI_OK) sgdi_nnp_container_free(out);
    return st;
}

sgdi_status sgdi_nnp_container_open_file(const char *path, sgdi_nnp_container *out,
                                         sgdi_error *err) {
    memset(out, 0, sizeof *out);
    sgdi_zip *z;
    sgdi_status st = sgdi_zip_open_file(path, &z, err);
    if (st != SGDI_OK) return st;
    st = sgdi_nnp_container_load(z, SGDI_ZIP_MEMBER_CAP, out, err);
    sgdi_zip_close(z);
    return st;
}

sgdi_status sgdi_nnp_container_open_buffer(const void *data, size_t size, const char *name,
                                           sgdi_nnp_container *out, sgdi_error *err) {
    memset(out, 0, sizeof *out);
    sgdi_zip *z;
    sgdi_status st = sgdi_zip_open_buffer(data, size, name, &z, err);
    if (st != SGDI_OK) return st;
    st = sgdi_nnp_container_load(z, SGDI_ZIP_MEMBER_CAP, out, err);
    sgdi_zip_close(z);
    return st;
}
