/*
 * test_h5params_formats.c — the parts of HDF5 the reader (src/nnp/h5read.c)
 * supports, made with libhdf5: every integer width and both byte orders,
 * the newest file format, compact data, fill values, header continuation
 * blocks, deep group B-trees, soft/external/duplicate/cyclic links, a user
 * block; and the features it refuses, each named with its object's path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nnp/h5read.h"
#include "test_h5params.h"
#include "test_support.h"

static const sgdi_param_blob *find(const sgdi_param_list *list, const char *name) {
    const sgdi_param_blob *p = sgdi_param_list_find(list, name);
    CHECK_MSG(p != NULL, "no parameter '%s'", name);
    return p;
}

void test_numeric_types(void) {
    hid_t fid = image_create_with(H5P_DEFAULT, false);
    const hsize_t d3[1] = {3};
    const struct {
        const char *name;
        hid_t type;
        long long v[3];
    } ints[] = {{"i8", H5T_STD_I8LE, {-128, 0, 127}},
                {"u8", H5T_STD_U8BE, {0, 1, 255}},
                {"i16", H5T_STD_I16BE, {-32768, -1, 32767}},
                {"u16", H5T_STD_U16LE, {0, 40000, 65535}},
                {"i32", H5T_STD_I32LE, {INT32_MIN, -7, INT32_MAX}},
                {"u32", H5T_STD_U32BE, {0, 3000000000LL, UINT32_MAX}},
                {"i64", H5T_STD_I64BE, {INT64_MIN, -3, INT64_MAX}}};
    int n_ints = (int)(sizeof ints / sizeof *ints);
    for (int i = 0; i < n_ints; i++) {
        hid_t d = put_dataset(fid, ints[i].name, ints[i].type, 1, d3, NULL);
        H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, ints[i].v);
        put_int_attr(d, "index", H5T_STD_I8LE, i);
        H5Dclose(d);
    }
    const unsigned long long u64[3] = {0, 1ULL << 63, UINT64_MAX};
    hid_t d = put_dataset(fid, "u64", H5T_STD_U64LE, 1, d3, NULL);
    H5Dwrite(d, H5T_NATIVE_ULLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, u64);
    H5Dclose(d);
    const float f32[3] = {-1.5f, 1e-40f, 3e38f};
    d = put_dataset(fid, "f32be", H5T_IEEE_F32BE, 1, d3, NULL);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, f32);
    H5Dclose(d);
    H5Dclose(put_dataset(fid, "f64", H5T_IEEE_F64LE, 1, d3, (const double[]){0.1, -1e40, 1e-50}));
    size_t size;
    uint8_t *bytes = image_finish(fid, &size);
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK_MSG(read_image(bytes, size, &list, &err) == SGDI_OK, "%s", err.message);
    CHECK(list.count == n_ints + 3);
    for (int i = 0; i < n_ints && i < list.count; i++) {
        const sgdi_param_blob *p = &list.items[i]; // in index order
        CHECK_MSG(strcmp(p->name, ints[i].name) == 0, "%d: %s", i, p->name);
        for (int k = 0; k < 3; k++)
            CHECK_MSG(p->data[k] == (float)ints[i].v[k], "%s[%d] = %.9g", p->name, k, p->data[k]);
    }
    const sgdi_param_blob *p = find(&list, "u64");
    if (p)
        for (int k = 0; k < 3; k++) CHECK(p->data[k] == (float)u64[k]);
    p = find(&list, "f32be");
    if (p) CHECK(memcmp(p->data, f32, sizeof f32) == 0);
    p = find(&list, "f64");
    if (p) CHECK(p->data[0] == (float)0.1 && isinf(p->data[1]) && p->data[1] < 0);
    if (p) CHECK(p->data[2] == 0.0f);
    sgdi_param_list_free(&list);
    free(bytes);

    // A solver state's update count of any integer type; unsigned ones saturate.
    for (int big = 0; big < 2; big++) {
        fid = image_create_with(H5P_DEFAULT, big);
        H5Dclose(put_dataset(fid, "w/m", H5T_IEEE_F32LE, 1, d3, (const double[]){1, 2, 3}));
        d = put_dataset(fid, "w/t", big ? H5T_STD_U64BE : H5T_STD_I8LE, 0, NULL, NULL);
        long long t = big ? -1 : -5; // -1 as unsigned long long is UINT64_MAX
        H5Dwrite(d, big ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, &t);
        H5Dclose(d);
        bytes = image_finish(fid, &size);
        sgdi_h5_optimizer_state s;
        CHECK_MSG(sgdi_h5_optimizer_read_buffer(bytes, size, "o", &s, &err) == SGDI_OK, "%s",
                  err.message);
        CHECK(s.count == 1 && s.params[0].has_t && s.params[0].n_states == 1);
        if (s.count == 1) CHECK(s.params[0].t == (big ? INT64_MAX : -5));
        sgdi_h5_optimizer_state_free(&s);
        free(bytes);
    }
}

// One file with the shapes of data nnabla's files can hold, in the default
// format and in the newest one.
void test_format_variants(void) {
    for (int latest = 0; latest < 2; latest++) {
        hid_t fid = image_create_with(H5P_DEFAULT, latest);
        const hsize_t d22[2] = {2, 2}, d5[1] = {5};
        hid_t d = put_dataset(fid, "a/b/W", H5T_IEEE_F32LE, 2, d22, (const double[]){1, 2, 3, 4});
        put_bool_attr(d, false);
        put_int_attr(d, "index", H5T_STD_I32LE, 0);
        H5Dclose(d);
        d = put_dataset(fid, "a/b/c", H5T_STD_I16LE, 0, NULL, (const double[]){-9});
        put_bool_attr(d, true);
        put_int_attr(d, "index", H5T_STD_I64LE, 1);
        H5Dclose(d);
        // Compact layout: the data lives in the object header.
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_layout(dcpl, H5D_COMPACT);
        hid_t space = H5Screate_simple(1, d5, NULL);
        d = H5Dcreate2(fid, "compact", H5T_IEEE_F64BE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                 (const double[]){0.5, 1.5, 2.5, 3.5, 4.5});
        H5Dclose(d);
        H5Pclose(dcpl);
        // Never written: the fill value, or zeros.
        dcpl = H5Pcreate(H5P_DATASET_CREATE);
        float fill = 2.5f;
        H5Pset_fill_value(dcpl, H5T_NATIVE_FLOAT, &fill);
        H5Dclose(H5Dcreate2(fid, "filled", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
        H5Dclose(
            H5Dcreate2(fid, "zeros", H5T_STD_I32BE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        H5Pclose(dcpl);
        H5Sclose(space);
        // Many attributes push need_grad and index into continuation blocks.
        dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_attr_phase_change(dcpl, 200, 100); // keep them in the header
        H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED);
        space = H5Screate_simple(1, d5, NULL);
        d = H5Dcreate2(fid, "many", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                 (const double[]){5, 4, 3, 2, 1});
        for (int k = 0; k < 40; k++) {
            char name[64];
            snprintf(name, sizeof name, "a_rather_long_attribute_name_number_%02d", k);
            put_int_attr(d, name, H5T_STD_I32LE, k);
        }
        put_bool_attr(d, false);
        put_int_attr(d, "index", H5T_STD_I64LE, 2);
        H5Dclose(d);
        H5Sclose(space);
        H5Pclose(dcpl);
        size_t size;
        uint8_t *bytes = image_finish(fid, &size);
        CHECK(bytes[8] == (latest ? 3 : 0)); // the superblock version
        sgdi_param_list list = {0};
        sgdi_error err;
        CHECK_MSG(read_image(bytes, size, &list, &err) == SGDI_OK, "%s", err.message);
        const char *order[] = {"a/b/W", "a/b/c", "many", "compact", "filled", "zeros"};
        CHECK(list.count == 6);
        for (int i = 0; i < 6 && i < list.count; i++)
            CHECK_MSG(strcmp(list.items[i].name, order[i]) == 0, "%d: %s", i, list.items[i].name);
        if (list.count == 6) {
            const sgdi_param_blob *it = list.items;
            CHECK(!it[0].need_grad && it[0].shape.ndim == 2 && it[0].data[3] == 4);
            CHECK(it[1].need_grad && it[1].shape.ndim == 0 && it[1].data[0] == -9);
            CHECK(!it[2].need_grad && it[2].count == 5 && it[2].data[0] == 5);
            CHECK(it[3].data[0] == 0.5f && it[3].data[4] == 4.5f);
            CHECK(it[4].data[0] == 2.5f && it[4].data[4] == 2.5f);
            CHECK(it[5].data[0] == 0 && it[5].data[4] == 0);
        }
        sgdi_param_list_free(&list);
        free(bytes);
    }
}

void test_links_and_layouts(void) {
    // Symbol-table B-trees several levels deep (tiny node sizes), and a user
    // block (which only a file on disk has).
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_sym_k(fcpl, 2, 1);
    H5Pset_userblock(fcpl, 512);
    char dir[] = "/tmp/sgdi_h5f_XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/userblock.h5", dir);
    hid_t fid = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    for (int i = 0; i < 60; i++) {
        char name[32];
        snprintf(name, sizeof name, "g/p%02d", i);
        hid_t d = put_dataset(fid, name, H5T_IEEE_F32LE, 0, NULL, (const double[]){i});
        put_int_attr(d, "index", H5T_STD_I32LE, 59 - i);
        H5Dclose(d);
    }
    H5Fclose(fid);
    size_t size = 0;
    uint8_t *bytes = (uint8_t *)sgdi_test_read_file(path, &size);
    remove(path);
    rmdir(dir);
    CHECK(bytes && size > 600 && memcmp(bytes + 512, "\x89HDF", 4) == 0);
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK_MSG(read_image(bytes, size, &list, &err) == SGDI_OK, "%s", err.message);
    CHECK(list.count == 60);
    for (int i = 0; i < 60 && i < list.count; i++) CHECK(list.items[i].data[0] == 59 - i);
    sgdi_param_list_free(&list);
    free(bytes);

    // Soft and external links are not followed; a second hard link to a dataset
    // reads it twice; a link back to the root is not followed again.
    for (int latest = 0; latest < 2; latest++) {
        fid = image_create_with(H5P_DEFAULT, latest);
        hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        H5Gclose(H5Gcreate2(fid, "x", H5P_DEFAULT, gcpl, H5P_DEFAULT));
        H5Pclose(gcpl);
        H5Dclose(put_dataset(fid, "x/W", H5T_IEEE_F32LE, 0, NULL, (const double[]){3}));
        H5Lcreate_soft("/x/W", fid, "soft", H5P_DEFAULT, H5P_DEFAULT);
        H5Lcreate_external("elsewhere.h5", "/W", fid, "x/ext", H5P_DEFAULT, H5P_DEFAULT);
        H5Lcreate_hard(fid, "x/W", fid, "alias", H5P_DEFAULT, H5P_DEFAULT);
        H5Lcreate_hard(fid, ".", fid, "x/loop", H5P_DEFAULT, H5P_DEFAULT);
        bytes = image_finish(fid, &size);
        CHECK_MSG(read_image(bytes, size, &list, &err) == SGDI_OK, "%s", err.message);
        CHECK(list.count == 2 && find(&list, "alias") && find(&list, "x/W"));
        sgdi_param_list_free(&list);
        free(bytes);
    }

    // Groups nested deeper than the reader goes.
    fid = image_create_with(H5P_DEFAULT, false);
    char deep[4 * (SGDI_H5_MAX_DEPTH + 2) + 2] = "";
    for (int i = 0; i <= SGDI_H5_MAX_DEPTH; i++) strcat(deep, "abc/");
    strcat(deep, "W");
    H5Dclose(put_dataset(fid, deep, H5T_IEEE_F32LE, 0, NULL, (const double[]){1}));
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "groups nested more than 64 deep");
}

void test_unsupported(void) {
    const hsize_t d4[1] = {4}, chunk[1] = {2};
    for (int deflate = 0; deflate < 2; deflate++) {
        hid_t fid = image_create_with(H5P_DEFAULT, false);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, 1, chunk);
        if (deflate) H5Pset_deflate(dcpl, 6);
        hid_t space = H5Screate_simple(1, d4, NULL);
        hid_t g = H5Gcreate2(fid, "c", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hid_t d = H5Dcreate2(g, "W", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, (const double[]){1, 2, 3, 4});
        H5Dclose(d), H5Gclose(g), H5Sclose(space), H5Pclose(dcpl);
        EXPECT_BAD(fid, SGDI_ERR_UNSUPPORTED, "parameter.h5: 'c/W': chunked storage");
    }

    hid_t fid = image_create_with(H5P_DEFAULT, false);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_external(dcpl, "raw.bin", 0, H5F_UNLIMITED);
    hid_t space = H5Screate_simple(1, d4, NULL);
    H5Dclose(H5Dcreate2(fid, "e", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    EXPECT_BAD(fid, SGDI_ERR_UNSUPPORTED, "'e': data in external files");

    // The newest format moves a group of more than 8 links, and an object with
    // more than 8 attributes, into fractal heaps.
    fid = image_create_with(H5P_DEFAULT, true);
    for (int i = 0; i < 9; i++) {
        char name[32];
        snprintf(name, sizeof name, "dense/p%d", i);
        H5Dclose(put_dataset(fid, name, H5T_IEEE_F32LE, 0, NULL, (const double[]){i}));
    }
    EXPECT_BAD(fid, SGDI_ERR_UNSUPPORTED, "'dense': dense link storage");
    fid = image_create_with(H5P_DEFAULT, true);
    hid_t d = put_dataset(fid, "w", H5T_IEEE_F32LE, 0, NULL, (const double[]){1});
    for (int k = 0; k < 9; k++) {
        char name[32];
        snprintf(name, sizeof name, "note%d", k);
        put_int_attr(d, name, H5T_STD_I32LE, k);
    }
    H5Dclose(d);
    EXPECT_BAD(fid, SGDI_ERR_UNSUPPORTED, "'w': attributes in dense storage");

    // A committed datatype: skipped itself, refused where a dataset shares it.
    fid = image_create_with(H5P_DEFAULT, false);
    hid_t type = H5Tcopy(H5T_IEEE_F32LE);
    H5Tcommit2(fid, "float_type", type, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(put_dataset(fid, "plain", H5T_IEEE_F32LE, 1, d4, (const double[]){1, 2, 3, 4}));
    size_t size;
    uint8_t *bytes = image_finish(fid, &size);
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK_MSG(read_image(bytes, size, &list, &err) == SGDI_OK && list.count == 1, "%s",
              err.message);
    sgdi_param_list_free(&list);
    free(bytes);
    H5Tclose(type);
    fid = image_create_with(H5P_DEFAULT, false);
    type = H5Tcopy(H5T_IEEE_F32LE);
    H5Tcommit2(fid, "float_type", type, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(H5Dcreate2(fid, "shared", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Tclose(type);
    EXPECT_BAD(fid, SGDI_ERR_UNSUPPORTED, "'shared': shared datatype messages");

    // A null dataspace holds nothing.
    fid = image_create_with(H5P_DEFAULT, false);
    hid_t null = H5Screate(H5S_NULL);
    H5Dclose(H5Dcreate2(fid, "none", H5T_IEEE_F32LE, null, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(null);
    H5Sclose(space);
    EXPECT_BAD(fid, SGDI_ERR_FORMAT, "'none': null dataspace");
}
