/*
 * test_zip.c — the .nnp container: src/nnp/zip.c (listing, reading with
 * caps, CRC and truncation errors, writing) and src/nnp/container.c (member
 * dispatch as nnabla's loader does it). Uses the real nnabla LeNet .nnp from
 * ../../shared/fixtures/nnabla-real/ when present (skipped otherwise) and
 * archives built in memory, some with libzip directly (deflate).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "nnp/container.h"
#include "nnp/zip.h"
#include "test_support.h"

#define FIXTURES "../../shared/fixtures/nnabla-real/"
#define LENET FIXTURES "nnabla_lenet_010000.nnp"

// --- Helpers ----------------------------------------------------------------------

// The whole file, or NULL (and a skip line) if it is absent.
static uint8_t *read_fixture(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("skip: %s not found\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *size = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    return buf;
}

static bool contains(const char *haystack, const char *needle) {
    return strstr(haystack, needle) != NULL;
}

// An archive made with libzip, every member compressed with `method`.
static uint8_t *libzip_archive(const sgdi_zip_member *m, int n, int method, size_t *size) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_source_keep(src);
    for (int i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, m[i].data, m[i].size, 0);
        zip_int64_t idx = zip_file_add(za, m[i].name, s, 0);
        zip_set_file_compression(za, (zip_uint64_t)idx, method, 0);
    }
    CHECK(zip_close(za) == 0);
    zip_stat_t st;
    zip_source_stat(src, &st);
    uint8_t *buf = malloc(st.size);
    zip_source_open(src);
    *size = (size_t)zip_source_read(src, buf, st.size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    return buf;
}

// --- The real LeNet .nnp ----------------------------------------------------------

static void check_lenet(sgdi_zip *z) {
    CHECK(sgdi_zip_count(z) == 3);
    const char *names[] = {"nnp_version.txt", "network.nntxt", "parameter.protobuf"};
    for (int i = 0; i < 3 && i < sgdi_zip_count(z); i++) {
        const sgdi_zip_entry *e = sgdi_zip_entry_at(z, i);
        CHECK_MSG(strcmp(e->name, names[i]) == 0, "member %d is %s", i, e->name);
        CHECK(e->method == SGDI_ZIP_STORED);
        CHECK(e->size == e->comp_size);
    }
    uint8_t *data;
    size_t size;
    sgdi_error err;
    CHECK(sgdi_zip_read(z, 0, SGDI_ZIP_MEMBER_CAP, &data, &size, &err) == SGDI_OK);
    CHECK(size == 4 && memcmp(data, "0.1\n", 4) == 0 && data[4] == 0);
    free(data);
    int64_t p = sgdi_zip_find(z, "parameter.protobuf");
    CHECK(p == 2);
    CHECK(sgdi_zip_read(z, p, SGDI_ZIP_MEMBER_CAP, &data, &size, &err) == SGDI_OK);
    CHECK(size == sgdi_zip_entry_at(z, p)->size && size > 80000);
    free(data);
    CHECK(sgdi_zip_find(z, "Network.nntxt") == -1);
}

static void test_lenet(void) {
    size_t size;
    uint8_t *bytes = read_fixture(LENET, &size);
    if (!bytes) return;
    sgdi_error err;
    sgdi_zip *z;
    CHECK_MSG(sgdi_zip_open_file(LENET, &z, &err) == SGDI_OK, "%s", err.message);
    if (z) check_lenet(z);
    sgdi_zip_close(z);
    CHECK_MSG(sgdi_zip_open_buffer(bytes, size, "lenet.nnp", &z, &err) == SGDI_OK, "%s",
              err.message);
    if (z) check_lenet(z);
    sgdi_zip_close(z);

    sgdi_nnp_container c;
    CHECK_MSG(sgdi_nnp_container_open_buffer(bytes, size, "lenet.nnp", &c, &err) == SGDI_OK, "%s",
              err.message);
    CHECK(c.version && strcmp(c.version, "0.1") == 0 && c.version_ok);
    CHECK(c.n_networks == 1 && c.n_params == 1 && c.n_optimizers == 0 && c.n_ignored == 0);
    if (c.n_networks == 1) {
        CHECK(strcmp(c.networks[0].name, "network.nntxt") == 0);
        CHECK(contains((const char *)c.networks[0].data, "network {"));
        CHECK(c.networks[0].kind == SGDI_NNP_NETWORK_TEXT);
    }
    if (c.n_params == 1) {
        CHECK(c.params[0].kind == SGDI_NNP_PARAM_PROTOBUF && !c.params[0].is_hdf5);
        CHECK(c.params[0].method == SGDI_ZIP_STORED);
    }
    sgdi_nnp_container_free(&c);
    sgdi_nnp_container_free(&c); // emptied: safe twice
    free(bytes);
}

// Cut short, and one byte of member data changed.
static void test_lenet_damaged(void) {
    size_t size;
    uint8_t *bytes = read_fixture(LENET, &size);
    if (!bytes) return;
    sgdi_error err;
    sgdi_zip *z = (sgdi_zip *)&err;
    sgdi_status st = sgdi_zip_open_buffer(bytes, size / 2, "model.nnp", &z, &err);
    CHECK(st == SGDI_ERR_FORMAT && z == NULL);
    CHECK_MSG(strcmp(err.message, "model.nnp: not a zip archive") == 0, "%s", err.message);
    // Only the central directory cut: still no archive.
    st = sgdi_zip_open_buffer(bytes, size - 30, "model.nnp", &z, &err);
    CHECK(st == SGDI_ERR_FORMAT);

    // Flip a byte inside parameter.protobuf's data (after its local header).
    const char name[] = "parameter.protobuf";
    uint8_t *at = NULL;
    for (size_t i = 0; i + sizeof name < size && !at; i++)
        if (memcmp(bytes + i, name, sizeof name - 1) == 0) at = bytes + i;
    CHECK(at != NULL);
    if (at) at[sizeof name - 1 + 1000] ^= 0x5a;
    CHECK(sgdi_zip_open_buffer(bytes, size, "model.nnp", &z, &err) == SGDI_OK);
    if (z) {
        uint8_t *data = (uint8_t *)&err;
        size_t n;
        st = sgdi_zip_read(z, 2, SGDI_ZIP_MEMBER_CAP, &data, &n, &err);
        CHECK(st == SGDI_ERR_FORMAT && data == NULL);
        CHECK_MSG(strcmp(err.message, "model.nnp: member 'parameter.protobuf' is truncated or "
                                      "corrupt (CRC error)") == 0,
                  "%s", err.message);
        // The other members are still readable.
        CHECK(sgdi_zip_read(z, 1, SGDI_ZIP_MEMBER_CAP, &data, &n, &err) == SGDI_OK);
        free(data);
        sgdi_zip_close(z);
    }
    sgdi_nnp_container c;
    CHECK(sgdi_nnp_container_open_buffer(bytes, size, "model.nnp", &c, &err) == SGDI_ERR_FORMAT);
    CHECK(contains(err.message, "CRC error"));
    CHECK(c.networks == NULL && c.n_params == 0);
    free(bytes);
}

// --- Archives written here ---------------------------------------------------------

static char *repeated_text(size_t size) {
    char *s = malloc(size + 1);
    for (size_t i = 0; i < size; i++) s[i] = "network { name: \"Main\" }\n"[i % 25];
    s[size] = 0;
    return s;
}

static void test_deflate(void) {
    char *text = repeated_text(20000);
    uint8_t blob[3000];
    for (size_t i = 0; i < sizeof blob; i++) blob[i] = (uint8_t)(i * 7919u >> 3);
    const sgdi_zip_member m[] = {
        {"nnp_version.txt", "0.1\r\n", 5},
        {"net.nntxt", text, 20000},
        {"parameter.h5", blob, sizeof blob},
        {"notes/readme.md", "hello", 5},
        {"Optimizer_Adam_optimizer.h5.optimizer", blob, 100},
        {"more.prototxt", "", 0},
    };
    size_t size;
    uint8_t *zipped = libzip_archive(m, 6, ZIP_CM_DEFLATE, &size);
    sgdi_error err;
    sgdi_zip *z;
    CHECK_MSG(sgdi_zip_open_buffer(zipped, size, "deflated.nnp", &z, &err) == SGDI_OK, "%s",
              err.message);
    if (z) {
        CHECK(sgdi_zip_count(z) == 6);
        const sgdi_zip_entry *e = sgdi_zip_entry_at(z, 1);
        CHECK(strcmp(e->name, "net.nntxt") == 0 && e->method == SGDI_ZIP_DEFLATED);
        CHECK(e->size == 20000 && e->comp_size < 2000);
        char buf[32];
        CHECK(strcmp(sgdi_zip_method_name(e->method, buf, sizeof buf), "deflated") == 0);
        CHECK(strcmp(sgdi_zip_method_name(12, buf, sizeof buf), "method 12") == 0);
        uint8_t *data;
        size_t n;
        CHECK(sgdi_zip_read(z, 1, SGDI_ZIP_MEMBER_CAP, &data, &n, &err) == SGDI_OK);
        CHECK(n == 20000 && memcmp(data, text, n) == 0);
        free(data);
        // The cap is checked against the declared size before anything is read.
        data = (uint8_t *)&err;
        CHECK(sgdi_zip_read(z, 1, 19999, &data, &n, &err) == SGDI_ERR_FORMAT && data == NULL);
        CHECK_MSG(strcmp(err.message, "deflated.nnp: member 'net.nntxt' declares 20000 bytes, "
                                      "more than the limit of 19999") == 0,
                  "%s", err.message);
        CHECK(sgdi_zip_read(z, 1, 20000, &data, &n, &err) == SGDI_OK);
        free(data);
        CHECK(sgdi_zip_read(z, 6, 100, &data, &n, &err) == SGDI_ERR_INVALID);
        sgdi_zip_close(z);
    }
    sgdi_nnp_container c;
    CHECK_MSG(sgdi_nnp_container_open_buffer(zipped, size, "deflated.nnp", &c, &err) == SGDI_OK,
              "%s", err.message);
    CHECK(c.version && strcmp(c.version, "0.1") == 0 && c.version_ok);
    CHECK(c.n_networks == 2 && c.n_params == 1 && c.n_optimizers == 1 && c.n_ignored == 1);
    if (c.n_networks == 2) {
        CHECK(strcmp(c.networks[0].name, "net.nntxt") == 0 && c.networks[0].size == 20000);
        CHECK(strcmp(c.networks[1].name, "more.prototxt") == 0 && c.networks[1].size == 0);
        CHECK(c.networks[1].data && c.networks[1].data[0] == 0);
    }
    if (c.n_params == 1) CHECK(c.params[0].kind == SGDI_NNP_PARAM_H5 && !c.params[0].is_hdf5);
    if (c.n_ignored == 1) {
        CHECK(strcmp(c.ignored[0].name, "notes/readme.md") == 0 && c.ignored[0].data == NULL);
        CHECK(c.ignored[0].size == 5);
    }
    sgdi_nnp_container_free(&c);
    free(zipped);
    free(text);
}

static uint32_t get32(const uint8_t *p) {
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v) {
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
}

// Adds `extra` to the uncompressed size of member `name` in both its local
// header and its central directory entry (the CRC stays as it was).
static void inflate_declared_size(uint8_t *zip, size_t size, const char *name, uint32_t extra) {
    size_t len = strlen(name);
    for (size_t p = 0; p + 46 + len <= size; p++) {
        if (memcmp(zip + p, "PK\x03\x04", 4) == 0 && zip[p + 26] == len &&
            memcmp(zip + p + 30, name, len) == 0)
            put32(zip + p + 22, get32(zip + p + 22) + extra);
        if (memcmp(zip + p, "PK\x01\x02", 4) == 0 && zip[p + 28] == len &&
            memcmp(zip + p + 46, name, len) == 0)
            put32(zip + p + 24, get32(zip + p + 24) + extra);
    }
}

// A deflated member whose declared size is larger than its data inflates to.
static void test_truncated_member(void) {
    uint8_t blob[1024];
    for (size_t i = 0; i < sizeof blob; i++) blob[i] = (uint8_t)i;
    const sgdi_zip_member m[] = {{"net.nntxt", "network {}", 10}, {"parameter.h5", blob, 1024}};
    size_t size;
    uint8_t *zipped = libzip_archive(m, 2, ZIP_CM_DEFLATE, &size);
    inflate_declared_size(zipped, size, "parameter.h5", 10);
    sgdi_error err;
    sgdi_zip *z;
    CHECK_MSG(sgdi_zip_open_buffer(zipped, size, "model.nnp", &z, &err) == SGDI_OK, "%s",
              err.message);
    if (z) {
        uint8_t *data;
        size_t n;
        CHECK(sgdi_zip_entry_at(z, 1)->size == 1034);
        CHECK(sgdi_zip_read(z, 1, SGDI_ZIP_MEMBER_CAP, &data, &n, &err) == SGDI_ERR_FORMAT);
        CHECK_MSG(strcmp(err.message,
                         "model.nnp: truncated member 'parameter.h5' (1024 of 1034 bytes)") == 0,
                  "%s", err.message);
        CHECK(sgdi_zip_read(z, 0, SGDI_ZIP_MEMBER_CAP, &data, &n, &err) == SGDI_OK);
        free(data);
        sgdi_zip_close(z);
    }
    // And one that inflates to more than it declares.
    free(zipped);
    zipped = libzip_archive(m, 2, ZIP_CM_DEFLATE, &size);
    inflate_declared_size(zipped, size, "parameter.h5", (uint32_t)-10);
    CHECK(sgdi_zip_open_buffer(zipped, size, "model.nnp", &z, &err) == SGDI_OK);
    if (z) {
        uint8_t *data;
        size_t n;
        CHECK(sgdi_zip_read(z, 1, SGDI_ZIP_MEMBER_CAP, &data, &n, &err) == SGDI_ERR_FORMAT);
        CHECK_MSG(contains(err.message, "'parameter.h5'"), "%s", err.message);
        sgdi_zip_close(z);
    }
    free(zipped);
}

static void test_write_order(void) {
    const sgdi_zip_member m[] = {
        {"nnp_version.txt", "0.1\n", 4},           {"zeta.nntxt", "a", 1},
        {"alpha.h5", "\x89HDF\r\n\x1a\nrest", 12}, {"mid.protobuf", "pb", 2},
        {"Optimizer.protobuf.optimizer", "", 0},
    };
    uint8_t *bytes, *again;
    size_t size, size2;
    sgdi_error err;
    CHECK(sgdi_zip_write_buffer(m, 5, &bytes, &size, &err) == SGDI_OK);
    CHECK(sgdi_zip_write_buffer(m, 5, &again, &size2, &err) == SGDI_OK);
    CHECK(size == size2 && memcmp(bytes, again, size) == 0); // deterministic
    free(again);
    sgdi_zip *z;
    CHECK(sgdi_zip_open_buffer(bytes, size, "w.nnp", &z, &err) == SGDI_OK);
    if (z) {
        CHECK(sgdi_zip_count(z) == 5);
        for (int i = 0; i < 5 && i < sgdi_zip_count(z); i++) {
            CHECK(strcmp(sgdi_zip_entry_at(z, i)->name, m[i].name) == 0);
            CHECK(sgdi_zip_entry_at(z, i)->method == SGDI_ZIP_STORED);
        }
        sgdi_zip_close(z);
    }
    sgdi_nnp_container c;
    CHECK(sgdi_nnp_container_open_buffer(bytes, size, "w.nnp", &c, &err) == SGDI_OK);
    CHECK(c.n_params == 2 && c.n_optimizers == 1 && c.n_networks == 1);
    if (c.n_params == 2) {
        CHECK(strcmp(c.params[0].name, "alpha.h5") == 0 && c.params[0].is_hdf5);
        CHECK(strcmp(c.params[1].name, "mid.protobuf") == 0);
    }
    sgdi_nnp_container_free(&c);
    free(bytes);

    // To a file, atomically; duplicates and empty lists are refused.
    char dir[] = "/tmp/sgdi_zip_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.nnp", dir);
    CHECK(sgdi_zip_write_file(path, m, 5, &err) == SGDI_OK);
    CHECK(sgdi_nnp_container_open_file(path, &c, &err) == SGDI_OK);
    CHECK(c.n_networks == 1 && c.networks && c.networks[0].size == 1);
    sgdi_nnp_container_free(&c);
    const sgdi_zip_member dup[] = {{"a.nntxt", "x", 1}, {"a.nntxt", "y", 1}};
    CHECK(sgdi_zip_write_file(path, dup, 2, &err) == SGDI_ERR_INVALID);
    CHECK(sgdi_zip_write_buffer(m, 0, &bytes, &size, &err) == SGDI_ERR_INVALID);
    CHECK(sgdi_nnp_container_open_file(path, &c, &err) == SGDI_OK); // old file intact
    sgdi_nnp_container_free(&c);
    remove(path);
    CHECK(sgdi_zip_open_file(path, &z, &err) == SGDI_ERR_IO && contains(err.message, path));
    FILE *f = fopen(path, "wb");
    if (f) fclose(f);
    CHECK(sgdi_zip_open_file(path, &z, &err) == SGDI_ERR_FORMAT);
    CHECK(contains(err.message, "not a zip archive"));
    remove(path);
    rmdir(dir);
}

static void test_garbage(void) {
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 2654435761u >> 13);
    sgdi_error err;
    sgdi_zip *z;
    CHECK(sgdi_zip_open_buffer(junk, sizeof junk, "model.nnp", &z, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strcmp(err.message, "model.nnp: not a zip archive") == 0, "%s", err.message);
    CHECK(sgdi_zip_open_buffer(junk, 0, "model.nnp", &z, &err) == SGDI_ERR_FORMAT);
    CHECK(contains(err.message, "not a zip archive"));
    // An end-of-central-directory record alone: an empty archive, no network.
    const uint8_t eocd[22] = {'P', 'K', 5, 6};
    sgdi_nnp_container c;
    sgdi_status st = sgdi_nnp_container_open_buffer(eocd, sizeof eocd, "model.nnp", &c, &err);
    CHECK(st == SGDI_ERR_FORMAT);
    CHECK_MSG(strcmp(err.message,
                     "model.nnp: no network description (*.nntxt or *.prototxt member)") == 0,
              "%s", err.message);
}

static void test_no_network(void) {
    const sgdi_zip_member m[] = {
        {"nnp_version.txt", " 0.2 \n", 6},
        {"parameter.h5", "x", 1},
        {"network.NNTXT", "x", 1},
    };
    uint8_t *bytes;
    size_t size;
    sgdi_error err;
    CHECK(sgdi_zip_write_buffer(m, 3, &bytes, &size, &err) == SGDI_OK);
    sgdi_nnp_container c;
    CHECK(sgdi_nnp_container_open_buffer(bytes, size, "model.nnp", &c, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strcmp(err.message,
                     "model.nnp: no network description (*.nntxt or *.prototxt member)") == 0,
              "%s", err.message);
    free(bytes);
    // An unexpected version is recorded, not an error.
    const sgdi_zip_member m2[] = {{"nnp_version.txt", " 0.2 \n", 6}, {"n.prototxt", "", 0}};
    CHECK(sgdi_zip_write_buffer(m2, 2, &bytes, &size, &err) == SGDI_OK);
    CHECK(sgdi_nnp_container_open_buffer(bytes, size, "model.nnp", &c, &err) == SGDI_OK);
    CHECK(c.version && strcmp(c.version, "0.2") == 0 && !c.version_ok);
    sgdi_nnp_container_free(&c);
    free(bytes);
}

static void test_classify(void) {
    CHECK(sgdi_nnp_classify("nnp_version.txt") == SGDI_NNP_VERSION);
    CHECK(sgdi_nnp_classify("sub/nnp_version.txt") == SGDI_NNP_IGNORED);
    CHECK(sgdi_nnp_classify("net.nntxt") == SGDI_NNP_NETWORK_TEXT);
    CHECK(sgdi_nnp_classify("dir/x.prototxt") == SGDI_NNP_NETWORK_TEXT);
    CHECK(sgdi_nnp_classify("x.NNTXT") == SGDI_NNP_IGNORED);
    CHECK(sgdi_nnp_classify(".nntxt") == SGDI_NNP_IGNORED); // splitext: no extension
    CHECK(sgdi_nnp_classify("a/.h5") == SGDI_NNP_IGNORED);
    CHECK(sgdi_nnp_classify("a..h5") == SGDI_NNP_PARAM_H5);
    CHECK(sgdi_nnp_classify("parameter.h5") == SGDI_NNP_PARAM_H5);
    CHECK(sgdi_nnp_classify("parameter.protobuf") == SGDI_NNP_PARAM_PROTOBUF);
    CHECK(sgdi_nnp_classify("Optimizer_Adam_optimizer.h5.optimizer") == SGDI_NNP_OPTIMIZER);
    CHECK(sgdi_nnp_classify("x.nntxt.bak") == SGDI_NNP_IGNORED);
    CHECK(sgdi_nnp_classify("x.d/readme") == SGDI_NNP_IGNORED);
    CHECK(sgdi_nnp_classify("") == SGDI_NNP_IGNORED);
    CHECK(strcmp(sgdi_nnp_kind_name(SGDI_NNP_PARAM_H5), "parameters (HDF5)") == 0);
}

int main(void) {
    RUN(test_lenet);
    RUN(test_lenet_damaged);
    RUN(test_deflate);
    RUN(test_truncated_member);
    RUN(test_write_order);
    RUN(test_garbage);
    RUN(test_no_network);
    RUN(test_classify);
    return sgdi_test_finish();
}
