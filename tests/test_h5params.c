/*
 * test_h5params.c — parameter.h5 and HDF5 solver states (src/nnp/h5params*.c
 * over the reader of src/nnp/h5read.c): the real NNC parameter file
 * (../../shared/fixtures/nnabla-real/, skipped if absent), writer -> reader
 * round trips, hand-made files with odd types, missing attributes, huge
 * declared shapes and garbage; the inputs that crashed libhdf5
 * (../fuzz/crashers/h5params/), every truncation and byte flip of small
 * files. Format variants and refused features: test_h5params_formats.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_h5params.h"
#include "test_support.h"

#define DELTA3 "../../shared/fixtures/nnabla-real/nnc_delta3_parameters.h5"

// --- Helpers: HDF5 files made in memory ----------------------------------------------

hid_t image_create_with(hid_t fcpl, bool latest) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 1 << 16, 0);
    if (latest) H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    static int serial;
    char name[64];
    snprintf(name, sizeof name, "test-image-%d", serial++);
    hid_t fid = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fapl);
    return fid;
}

static hid_t image_create(void) {
    return image_create_with(H5P_DEFAULT, false);
}

// Closes fid and returns its bytes.
uint8_t *image_finish(hid_t fid, size_t *size) {
    H5Fflush(fid, H5F_SCOPE_GLOBAL);
    ssize_t n = H5Fget_file_image(fid, NULL, 0);
    uint8_t *buf = malloc((size_t)n);
    H5Fget_file_image(fid, buf, (size_t)n);
    H5Fclose(fid);
    *size = (size_t)n;
    return buf;
}

void put_int_attr(hid_t obj, const char *name, hid_t type, long long value) {
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_LLONG, &value);
    H5Aclose(a);
    H5Sclose(space);
}

void put_bool_attr(hid_t obj, bool value) {
    hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t no = 0, yes = 1, v = value;
    H5Tenum_insert(type, "FALSE", &no);
    H5Tenum_insert(type, "TRUE", &yes);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, "need_grad", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, &v);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
}

hid_t put_dataset(hid_t loc, const char *path, hid_t type, int ndim, const hsize_t *dims,
                  const double *values) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t space = ndim == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(ndim, dims, NULL);
    hid_t d = H5Dcreate2(loc, path, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (values) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Sclose(space);
    H5Pclose(lcpl);
    return d;
}

bool contains(const char *haystack, const char *needle) {
    return strstr(haystack, needle) != NULL;
}

sgdi_status read_image(const uint8_t *bytes, size_t size, sgdi_param_list *list, sgdi_error *err) {
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, bytes, size);
    sgdi_status st = sgdi_h5params_read_buffer(copy, size, "parameter.h5", list, err);
    free(copy);
    return st;
}

// --- The real NNC file ----------------------------------------------------------------

static void test_delta3(void) {
    if (access(DELTA3, R_OK) != 0) {
        printf("skip: %s not found\n", DELTA3);
        return;
    }
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK_MSG(sgdi_h5params_read_file(DELTA3, &list, &err) == SGDI_OK, "%s", err.message);
    CHECK(list.count == 14);
    int64_t floats = 0;
    int bn_stats = 0;
    for (int64_t i = 0; i < list.count; i++) {
        const sgdi_param_blob *p = &list.items[i];
        floats += p->count;
        bool stat = contains(p->name, "/bn/mean") || contains(p->name, "/bn/var");
        bn_stats += stat;
        CHECK_MSG(p->need_grad == !stat, "%s need_grad %d", p->name, p->need_grad);
    }
    CHECK(bn_stats >= 2);
    CHECK(floats == 37697);
    if (list.count > 0) {
        const sgdi_param_blob *w = &list.items[0];
        CHECK(strcmp(w->name, "Affine/affine/W") == 0);
        CHECK(w->shape.ndim == 2 && w->shape.dim[0] == 256 && w->shape.dim[1] == 128);
        CHECK_NEAR(w->data[0], 0.15959023, 1e-8);
    }
    // A BN parameter is shaped [1, C] and comes after its Affine.
    const sgdi_param_blob *mean = NULL;
    for (int64_t i = 0; i < list.count; i++)
        if (contains(list.items[i].name, "/bn/mean")) mean = &list.items[i];
    CHECK(mean && mean->shape.ndim == 2 && mean->shape.dim[0] == 1);

    // Reading twice into the same list replaces, never duplicates.
    CHECK(sgdi_h5params_read_file(DELTA3, &list, &err) == SGDI_OK && list.count == 14);

    // Written back and read again: the same list, in the same order.
    uint8_t *bytes;
    size_t size;
    CHECK(sgdi_h5params_write_buffer(&list, &bytes, &size, &err) == SGDI_OK);
    sgdi_param_list again = {0};
    CHECK(read_image(bytes, size, &again, &err) == SGDI_OK && again.count == 14);
    for (int64_t i = 0; i < again.count && i < list.count; i++) {
        CHECK(strcmp(again.items[i].name, list.items[i].name) == 0);
        CHECK(again.items[i].need_grad == list.items[i].need_grad);
        CHECK(again.items[i].count == list.items[i].count &&
              memcmp(again.items[i].data, list.items[i].data,
                     (size_t)list.items[i].count * sizeof(float)) == 0);
    }
    // Damaged copies fail cleanly.
    for (size_t cut = 0; cut < size; cut += size / 7 + 1) {
        sgdi_param_list partial = {0};
        sgdi_status st = read_image(bytes, cut, &partial, &err);
        CHECK_MSG(st == SGDI_ERR_FORMAT || st == SGDI_OK, "cut %zu: %s", cut, err.message);
        CHECK(st != SGDI_OK || cut == 0 || partial.count <= 14);
        if (st != SGDI_OK) CHECK(partial.count == 0 && strchr(err.message, '\n') == NULL);
        sgdi_param_list_free(&partial);
    }
    free(bytes);
    sgdi_param_list_free(&again);
    sgdi_param_list_free(&list);
}

// --- Round trips --------------------------------------------------------------------

static void test_round_trip(void) {
    sgdi_param_list list = {0};
    sgdi_error err;
    float w[6] = {1, -2, 3.5f, 1e-30f, -0.0f, 7};
    float b[3] = {0.25f, 0.5f, 0.75f};
    float s = 42;
    // Written order differs from the alphabetical order HDF5 iterates in.
    CHECK(sgdi_param_list_add(&list, "z/affine/W", (sgdi_shape){2, {2, 3}}, w, true, &err) == 0);
    CHECK(sgdi_param_list_add(&list, "z/affine/b", (sgdi_shape){1, {3}}, b, false, &err) == 0);
    CHECK(sgdi_param_list_add(&list, "a/scalar", (sgdi_shape){0, {0}}, &s, true, &err) == 0);
    CHECK(sgdi_param_list_add(&list, "empty", (sgdi_shape){2, {0, 4}}, NULL, true, &err) == 0);
    char dir[] = "/tmp/sgdi_h5_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/parameter.h5", dir);
    CHECK_MSG(sgdi_h5params_write_file(path, &list, &err) == SGDI_OK, "%s", err.message);
    sgdi_param_list back = {0};
    CHECK_MSG(sgdi_h5params_read_file(path, &back, &err) == SGDI_OK, "%s", err.message);
    CHECK(back.count == 4);
    const char *order[] = {"z/affine/W", "z/affine/b", "a/scalar", "empty"};
    for (int i = 0; i < 4 && i < back.count; i++) {
        const sgdi_param_blob *p = &back.items[i], *q = &list.items[i];
        CHECK_MSG(strcmp(p->name, order[i]) == 0, "%d: %s", i, p->name);
        CHECK(p->need_grad == q->need_grad && p->count == q->count);
        CHECK(p->shape.ndim == q->shape.ndim);
        for (int d = 0; d < p->shape.ndim; d++) CHECK(p->shape.dim[d] == q->shape.dim[d]);
        if (p->count > 0 && p->count == q->count)
            CHECK(memcmp(p->data, q->data, (size_t)p->count * sizeof(float)) == 0);
    }
    sgdi_param_list_free(&back);
    remove(path);
    rmdir(dir);
    CHECK(sgdi_h5params_read_file(path, &back, &err) == SGDI_ERR_IO);
    CHECK(contains(err.message, path));

    // Names HDF5 would store as a different path are refused.
    uint8_t *bytes = NULL;
    size_t size;
    for (int i = 0; i < 4; i++) {
        const char *bad[] = {"/abs", "a//b", "a/./b", "trailing/"};
        sgdi_param_list one = {0};
        sgdi_param_list_add(&one, bad[i], (sgdi_shape){1, {1}}, &s, true, &err);
        CHECK(sgdi_h5params_write_buffer(&one, &bytes, &size, &err) == SGDI_ERR_INVALID);
        CHECK(bytes == NULL);
        sgdi_param_list_free(&one);
    }
    // A name that is both a dataset and a group cannot be written.
    sgdi_param_list clash = {0};
    sgdi_param_list_add(&clash, "a/b", (sgdi_shape){1, {1}}, &s, true, &err);
    sgdi_param_list_add(&clash, "a/b/c", (sgdi_shape){1, {1}}, &s, true, &err);
    CHECK(sgdi_h5params_write_buffer(&clash, &bytes, &size, &err) == SGDI_ERR_INVALID);
    CHECK(contains(err.message, "'a/b/c'"));
    sgdi_param_list_free(&clash);
    sgdi_param_list_free(&list);
}

// --- Hand-made files ------------------------------------------------------------------

static void test_types_and_attributes(void) {
    hid_t fid = image_create();
    const double ints[4] = {1, -2, 3, 100000};
    const hsize_t d4[1] = {4}, d22[2] = {2, 2};
    hid_t d = put_dataset(fid, "ints", H5T_STD_I32BE, 1, d4, ints);
    put_int_attr(d, "index", H5T_STD_U8LE, 2);
    put_int_attr(d, "need_grad", H5T_STD_I64LE, 0); // an integer bool
    H5Dclose(d);
    d = put_dataset(fid, "g/doubles", H5T_IEEE_F64BE, 2, d22, (const double[]){0.5, 1e40, -1, 2});
    put_int_attr(d, "index", H5T_STD_I16BE, -5);
    H5Dclose(d);
    H5Dclose(put_dataset(fid, "nothing/b", H5T_IEEE_F32LE, 1, d4, ints)); // no attributes
    H5Dclose(put_dataset(fid, "nothing/a", H5T_IEEE_F32LE, 1, d4, ints));
    d = put_dataset(fid, "enum_false", H5T_IEEE_F32LE, 1, d4, ints);
    put_int_attr(d, "index", H5T_STD_I64LE, 2);
    hid_t e = H5Tenum_create(H5T_STD_U16BE);
    const uint8_t be0[2] = {0, 0}, be1[2] = {0, 1};
    H5Tenum_insert(e, "no", be0); // values in the enum's own (big-endian) order
    H5Tenum_insert(e, "yes", be1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(d, "need_grad", e, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, e, be0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(e);
    H5Dclose(d);
    size_t size;
    uint8_t *bytes = image_finish(fid, &size);
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK_MSG(read_image(bytes, size, &list, &err) == SGDI_OK, "%s", err.message);
    const char *order[] = {"g/doubles", "enum_false", "ints", "nothing/a", "nothing/b"};
    CHECK(list.count == 5);
    for (int i = 0; i < 5 && i < list.count; i++)
        CHECK_MSG(strcmp(list.items[i].name, order[i]) == 0, "%d: %s", i, list.items[i].name);
    if (list.count == 5) {
        CHECK(list.items[0].data[0] == 0.5f && list.items[0].need_grad);
        CHECK(list.items[0].data[2] == -1.0f);
        CHECK(!list.items[1].need_grad);
        CHECK(list.items[2].data[3] == 100000.0f && !list.items[2].need_grad);
        CHECK(list.items[2].shape.ndim == 1 && list.items[2].shape.dim[0] == 4);
        CHECK(list.items[3].need_grad && list.items[4].need_grad);
    }
    sgdi_param_list_free(&list);
    free(bytes);
}

void expect_bad_at(int line, hid_t fid, sgdi_status status, const char *needle) {
    size_t size;
    uint8_t *bytes = image_finish(fid, &size);
    sgdi_param_list list = {0};
    sgdi_error err;
    sgdi_status st = read_image(bytes, size, &list, &err);
    CHECK_MSG(st == status, "line %d: status %d: %s", line, (int)st, err.message);
    CHECK_MSG(contains(err.message, needle), "line %d: '%s' not in: %s", line, needle, err.message);
    CHECK_MSG(contains(err.message, "parameter.h5: "), "line %d: %s", line, err.message);
    CHECK(list.count == 0 && strchr(err.message, '\n') == NULL);
    sgdi_param_list_free(&list);
    free(bytes);
}

static void test_bad_files(void) {
    // A string dataset.
    hid_t fid = image_create();
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 8);
    const hsize_t one[1] = {1};
    hid_t d = put_dataset(fid, "net/name", str, 1, one, NULL);
    H5Dclose(d);
    H5Tclose(str);
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "'net/name': not a numeric dataset");

    // A huge declared shape with no data behind it.
    fid = image_create();
    const hsize_t huge[2] = {(hsize_t)1 << 20, (hsize_t)1 << 20};
    H5Dclose(put_dataset(fid, "big/W", H5T_IEEE_F32LE, 2, huge, NULL));
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "'big/W': declares 4398046511104 bytes");

    // Too many dimensions.
    fid = image_create();
    const hsize_t seven[7] = {1, 1, 1, 1, 1, 1, 2};
    H5Dclose(put_dataset(fid, "deep", H5T_IEEE_F32LE, 7, seven, (const double[]){1, 2}));
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "'deep': 7 dimensions");

    // A float index and a need_grad that is an array.
    fid = image_create();
    d = put_dataset(fid, "w", H5T_IEEE_F32LE, 1, one, (const double[]){1});
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(d, "index", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    double idx = 1;
    H5Awrite(a, H5T_NATIVE_DOUBLE, &idx);
    H5Aclose(a);
    H5Sclose(space);
    H5Dclose(d);
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "'w': attribute 'index' is not an integer");

    fid = image_create();
    d = put_dataset(fid, "w", H5T_IEEE_F32LE, 1, one, (const double[]){1});
    const hsize_t two[1] = {2};
    space = H5Screate_simple(1, two, NULL);
    a = H5Acreate2(d, "need_grad", H5T_STD_I8LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_SCHAR, (const signed char[]){1, 0});
    H5Aclose(a);
    H5Sclose(space);
    H5Dclose(d);
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "'w': attribute 'need_grad' is not a single value");

    // Not HDF5 at all, and empty.
    sgdi_param_list list = {0};
    sgdi_error err;
    const char junk[] = "PK\x03\x04 this is no HDF5 file, just some words";
    CHECK(read_image((const uint8_t *)junk, sizeof junk, &list, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strcmp(err.message, "parameter.h5: not an HDF5 file") == 0, "%s", err.message);
    CHECK(read_image((const uint8_t *)junk, 0, &list, &err) == SGDI_ERR_FORMAT);
    // The signature alone.
    CHECK(read_image((const uint8_t *)"\x89HDF\r\n\x1a\n", 8, &list, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(contains(err.message, "parameter.h5: not a readable HDF5 file ("), "%s", err.message);
    CHECK(list.count == 0);
}

// The writer (libhdf5) restores HDF5's automatic error printing after each call.
static void test_error_handler_restored(void) {
    H5E_auto2_t before_fn, after_fn;
    void *before_data, *after_data;
    H5Eget_auto2(H5E_DEFAULT, &before_fn, &before_data);
    sgdi_param_list list = {0};
    sgdi_error err;
    float one = 1;
    sgdi_param_list_add(&list, "a//b", (sgdi_shape){1, {1}}, &one, true, &err);
    uint8_t *bytes = NULL;
    size_t size;
    CHECK(sgdi_h5params_write_buffer(&list, &bytes, &size, &err) != SGDI_OK);
    H5Eget_auto2(H5E_DEFAULT, &after_fn, &after_data);
    CHECK(before_fn == after_fn && before_data == after_data);
    sgdi_param_list_free(&list);
}

// --- Hostile input ------------------------------------------------------------------

// Reads `bytes` as parameters and as a solver state: no crash, and a failure
// leaves nothing behind and says so on one line. Returns the parameter status.
static sgdi_status read_both(const uint8_t *bytes, size_t size, sgdi_param_list *list) {
    sgdi_error err;
    sgdi_status st = read_image(bytes, size, list, &err);
    CHECK_MSG(st == SGDI_OK || st == SGDI_ERR_FORMAT || st == SGDI_ERR_UNSUPPORTED, "%d: %s",
              (int)st, err.message);
    if (st != SGDI_OK)
        CHECK(list->count == 0 && !strchr(err.message, '\n') &&
              contains(err.message, "parameter.h5: "));
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, bytes, size);
    sgdi_h5_optimizer_state s;
    sgdi_status so = sgdi_h5_optimizer_read_buffer(copy, size, "opt", &s, &err);
    CHECK(so == SGDI_OK || so == SGDI_ERR_FORMAT || so == SGDI_ERR_UNSUPPORTED);
    if (so != SGDI_OK) CHECK(s.count == 0 && !strchr(err.message, '\n'));
    sgdi_h5_optimizer_state_free(&s);
    free(copy);
    return st;
}

static bool same_lists(const sgdi_param_list *a, const sgdi_param_list *b) {
    if (a->count != b->count) return false;
    for (int64_t i = 0; i < a->count; i++) {
        const sgdi_param_blob *p = &a->items[i], *q = &b->items[i];
        if (strcmp(p->name, q->name) != 0 || p->count != q->count || p->need_grad != q->need_grad ||
            memcmp(p->data, q->data, (size_t)p->count * sizeof(float)) != 0)
            return false;
    }
    return true;
}

// The files that crashed libhdf5 1.10.8 (fuzz/crashers/h5params-libhdf5/README.md)
// are damaged: each is refused cleanly.
static void test_libhdf5_crashers(void) {
    const char *names[] = {"attr-decode-huge-calloc", "attr-decode-memcpy-overflow",
                           "attr-decode-memcpy-segv", "attr-name-strdup-overflow",
                           "link-table-bad-free",     "metadata-absurd-malloc",
                           "object-header-leak"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[256];
        snprintf(path, sizeof path, "../fuzz/crashers/h5params/%s.h5", names[i]);
        size_t size = 0;
        uint8_t *bytes = (uint8_t *)sgdi_test_read_file(path, &size);
        CHECK_MSG(bytes && size > 0, "cannot read %s", path);
        sgdi_param_list list = {0};
        if (bytes) CHECK_MSG(read_both(bytes, size, &list) != SGDI_OK, "%s reads", path);
        sgdi_param_list_free(&list);
        free(bytes);
    }
}

// Every prefix and every single-byte change of a small file: an error or, if
// what the reader needs is intact, the same parameters.
static void mangle(const uint8_t *bytes, size_t size) {
    sgdi_param_list full = {0};
    CHECK(read_both(bytes, size, &full) == SGDI_OK && full.count > 0);
    int cut_ok = 0;
    for (size_t cut = 0; cut < size; cut++) {
        sgdi_param_list part = {0};
        if (read_both(bytes, cut, &part) == SGDI_OK) {
            cut_ok++;
            CHECK_MSG(same_lists(&full, &part), "cut at %zu of %zu reads differently", cut, size);
        }
        sgdi_param_list_free(&part);
    }
    CHECK(cut_ok < 64); // only trailing bytes nobody points to may go
    uint8_t *copy = malloc(size);
    for (size_t at = 0; at < size; at++) {
        for (int k = 0; k < 3; k++) {
            memcpy(copy, bytes, size);
            copy[at] = k == 0 ? (uint8_t)~copy[at] : k == 1 ? copy[at] ^ 1 : 0x80;
            sgdi_param_list part = {0};
            read_both(copy, size, &part);
            sgdi_param_list_free(&part);
        }
    }
    free(copy);
    sgdi_param_list_free(&full);
}

static void test_truncated_and_flipped(void) {
    // Our writer's format, then libhdf5's newest one.
    sgdi_param_list list = {0};
    sgdi_error err;
    float w[6] = {1, 2, 3, 4, 5, 6}, s = -1;
    sgdi_param_list_add(&list, "fc/affine/W", (sgdi_shape){2, {2, 3}}, w, true, &err);
    sgdi_param_list_add(&list, "fc/affine/b", (sgdi_shape){1, {3}}, w, false, &err);
    sgdi_param_list_add(&list, "scale", (sgdi_shape){0, {0}}, &s, true, &err);
    uint8_t *bytes = NULL;
    size_t size = 0;
    CHECK(sgdi_h5params_write_buffer(&list, &bytes, &size, &err) == SGDI_OK);
    if (bytes) mangle(bytes, size);
    free(bytes);
    sgdi_param_list_free(&list);

    hid_t fid = image_create_with(H5P_DEFAULT, true);
    const hsize_t d3[1] = {3};
    hid_t d = put_dataset(fid, "net/W", H5T_IEEE_F32BE, 1, d3, (const double[]){1, 2, 3});
    put_bool_attr(d, false);
    put_int_attr(d, "index", H5T_STD_I64LE, 1);
    H5Dclose(d);
    d = put_dataset(fid, "net/sub/t", H5T_STD_I32LE, 0, NULL, (const double[]){7});
    put_int_attr(d, "index", H5T_STD_I64LE, 0);
    H5Dclose(d);
    bytes = image_finish(fid, &size);
    mangle(bytes, size);
    free(bytes);
}

// Two links of one name in a group (renamed in the local heap): which one
// wins would depend on sort order, so the file is refused.
static void test_duplicate_names(void) {
    sgdi_param_list list = {0};
    sgdi_error err;
    float v = 1;
    sgdi_param_list_add(&list, "pa", (sgdi_shape){0, {0}}, &v, true, &err);
    sgdi_param_list_add(&list, "pb", (sgdi_shape){0, {0}}, &v, true, &err);
    uint8_t *bytes = NULL;
    size_t size = 0, renamed = 0;
    CHECK(sgdi_h5params_write_buffer(&list, &bytes, &size, &err) == SGDI_OK);
    for (size_t i = 0; i + 3 <= size; i++)
        if (memcmp(bytes + i, "pb", 3) == 0) bytes[i + 1] = 'a', renamed++;
    CHECK(renamed == 1);
    sgdi_param_list back = {0};
    CHECK(read_image(bytes, size, &back, &err) == SGDI_ERR_FORMAT && back.count == 0);
    CHECK_MSG(contains(err.message, "parameter.h5: 'pa': two objects of this name"), "%s",
              err.message);
    free(bytes);
    sgdi_param_list_free(&list);
}

// --- Solver state ---------------------------------------------------------------------

static void test_optimizer(void) {
    hid_t fid = image_create();
    const hsize_t d3[1] = {3};
    const char *params[] = {"fc/affine/W", "fc/affine/b"};
    for (int p = 0; p < 2; p++) {
        hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        H5Pset_create_intermediate_group(lcpl, 1);
        hid_t g = H5Gcreate2(fid, params[p], lcpl, H5P_DEFAULT, H5P_DEFAULT);
        H5Pclose(lcpl);
        put_int_attr(g, "index", H5T_STD_I32LE, 1 - p); // b first
        hid_t d = put_dataset(g, "var", H5T_IEEE_F32LE, 1, d3, (const double[]){4, 5, 6});
        put_int_attr(d, "index", H5T_STD_I64LE, 1);
        H5Dclose(d);
        d = put_dataset(g, "mean", H5T_IEEE_F32LE, 1, d3, (const double[]){1, 2, 3 + p});
        put_int_attr(d, "index", H5T_STD_I64LE, 0);
        H5Dclose(d);
        H5Dclose(put_dataset(g, "t", H5T_STD_I64LE, 0, NULL, (const double[]){100 + p}));
        H5Gclose(g);
    }
    size_t size;
    uint8_t *bytes = image_finish(fid, &size);
    sgdi_h5_optimizer_state s;
    sgdi_error err;
    CHECK_MSG(sgdi_h5_optimizer_read_buffer(bytes, size, "opt.optimizer", &s, &err) == SGDI_OK,
              "%s", err.message);
    CHECK(s.count == 2);
    if (s.count == 2) {
        CHECK(strcmp(s.params[0].param, "fc/affine/b") == 0 && s.params[0].index == 0);
        CHECK(strcmp(s.params[1].param, "fc/affine/W") == 0 && s.params[1].has_index);
        CHECK(s.params[0].has_t && s.params[0].t == 101 && s.params[1].t == 100);
        CHECK(s.params[0].n_states == 2);
        if (s.params[0].n_states == 2) {
            CHECK(strcmp(s.params[0].states[0].name, "mean") == 0);
            CHECK(strcmp(s.params[0].states[1].name, "var") == 0);
            CHECK(s.params[0].states[0].count == 3 && s.params[0].states[0].data[2] == 4.0f);
        }
    }
    sgdi_h5_optimizer_state_free(&s);
    sgdi_h5_optimizer_state_free(&s);
    free(bytes);

    // A state dataset at the root belongs to no parameter.
    fid = image_create();
    H5Dclose(put_dataset(fid, "t", H5T_STD_I64LE, 0, NULL, (const double[]){1}));
    bytes = image_finish(fid, &size);
    CHECK(sgdi_h5_optimizer_read_buffer(bytes, size, "opt.optimizer", &s, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(contains(err.message, "dataset 't' is not inside a parameter group"), "%s",
              err.message);
    CHECK(s.count == 0);
    sgdi_h5_optimizer_state_free(&s);
    free(bytes);
}

int main(void) {
    RUN(test_delta3);
    RUN(test_round_trip);
    RUN(test_types_and_attributes);
    RUN(test_bad_files);
    RUN(test_error_handler_restored);
    RUN(test_optimizer);
    RUN(test_libhdf5_crashers);
    RUN(test_truncated_and_flipped);
    RUN(test_duplicate_names);
    RUN(test_numeric_types);
    RUN(test_format_variants);
    RUN(test_links_and_layouts);
    RUN(test_unsupported);
    return sgdi_test_finish();
}
