/*
 * test_protobin.c — binary parameter.protobuf ↔ sgdi_param_list
 * (src/nnp/protobin.c): the real LeNet .nnp's parameters (read with libzip;
 * skipped when the fixture is absent), write → read round trips, and the
 * validation of malformed parameters.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "nnp/protobin.h"
#include "test_support.h"

#define FIXTURES "../../shared/fixtures/nnabla-real/"

// Packs one NNablaProtoBuf holding the given parameters.
static uint8_t *pack_params(Parameter **ps, size_t n, size_t *len) {
    NNablaProtoBuf m = NNABLA_PROTO_BUF__INIT;
    m.parameter = ps;
    m.n_parameter = n;
    *len = nnabla_proto_buf__get_packed_size(&m);
    uint8_t *buf = malloc(*len ? *len : 1);
    nnabla_proto_buf__pack(&m, buf);
    return buf;
}

static void expect_bad(Parameter *p, sgdi_status want, const char *fragment) {
    size_t len;
    uint8_t *bin = pack_params(&p, 1, &len);
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK(sgdi_protobin_read_params(bin, len, "p.protobuf", &list, &err) == want);
    CHECK_MSG(strstr(err.message, fragment) != NULL, "%s", err.message);
    CHECK(list.count == 0);
    sgdi_param_list_free(&list);
    free(bin);
}

static void test_lenet(void) {
    const char *path = FIXTURES "nnabla_lenet_010000.nnp";
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        fprintf(stderr, "skip: %s not found\n", path);
        return;
    }
    zip_stat_t st;
    CHECK(zip_stat(z, "parameter.protobuf", 0, &st) == 0);
    uint8_t *bin = malloc(st.size ? st.size : 1);
    zip_file_t *f = zip_fopen(z, "parameter.protobuf", 0);
    CHECK(f && zip_fread(f, bin, st.size) == (zip_int64_t)st.size);
    if (f) zip_fclose(f);
    zip_close(z);
    sgdi_param_list list = {0};
    sgdi_error err;
    CHECK_MSG(sgdi_protobin_read_params(bin, st.size, "parameter.protobuf", &list, &err) == SGDI_OK,
              "%s", err.message);
    CHECK(list.count == 8);
    int64_t total = 0;
    bool all_grad = true;
    for (int64_t i = 0; i < list.count; i++) {
        total += list.items[i].count;
        all_grad = all_grad && list.items[i].need_grad;
    }
    CHECK(total == 20192 && all_grad);
    const sgdi_param_blob *w = sgdi_param_list_find(&list, "conv1/conv/W");
    CHECK(w && w == &list.items[0]);
    CHECK(w && w->shape.ndim == 4 && w->shape.dim[0] == 16 && w->shape.dim[1] == 1 &&
          w->shape.dim[2] == 5 && w->shape.dim[3] == 5 && w->count == 400);
    CHECK(w && fabsf(w->data[0] - -0.095952824f) < 1e-9f);
    CHECK(strcmp(list.items[7].name, "fc4/affine/b") == 0 && list.items[7].count == 10);

    // Round trip: written bytes read back identically; and nnabla's own file
    // is byte-for-byte what we write (same order, packed encodings).
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(sgdi_protobin_write_params(&list, &out, &out_len, &err) == SGDI_OK);
    CHECK(out_len == st.size && memcmp(out, bin, out_len) == 0);
    sgdi_param_list again = {0};
    CHECK(sgdi_protobin_read_params(out, out_len, "again", &again, &err) == SGDI_OK);
    CHECK(again.count == list.count);
    for (int64_t i = 0; i < again.count && i < list.count; i++) {
        CHECK(strcmp(again.items[i].name, list.items[i].name) == 0);
        CHECK(again.items[i].count == list.items[i].count);
        CHECK(memcmp(again.items[i].data, list.items[i].data,
                     (size_t)list.items[i].count * sizeof(float)) == 0);
    }
    free(out);
    free(bin);
    sgdi_param_list_free(&again);
    sgdi_param_list_free(&list);
}

static void test_round_trip_small(void) {
    sgdi_param_list list = {0};
    sgdi_error err;
    float a[6] = {1, -2, 3.5f, NAN, INFINITY, -0.0f};
    float s = 7;
    CHECK(sgdi_param_list_add(&list, "a/W", (sgdi_shape){2, {2, 3}}, a, true, &err) == SGDI_OK);
    CHECK(sgdi_param_list_add(&list, "scalar", (sgdi_shape){0, {0}}, &s, false, &err) == SGDI_OK);
    CHECK(sgdi_param_list_add(&list, "empty", (sgdi_shape){2, {0, 4}}, NULL, false, &err) ==
          SGDI_OK);
    uint8_t *bin = NULL;
    size_t len = 0;
    CHECK(sgdi_protobin_write_params(&list, &bin, &len, &err) == SGDI_OK);
    sgdi_param_list back = {0};
    CHECK_MSG(sgdi_protobin_read_params(bin, len, "x", &back, &err) == SGDI_OK, "%s", err.message);
    CHECK(back.count == 3);
    if (back.count == 3) {
        CHECK(back.items[0].need_grad && !back.items[1].need_grad);
        CHECK(memcmp(back.items[0].data, a, sizeof a) == 0);
        CHECK(back.items[1].shape.ndim == 0 && back.items[1].count == 1 &&
              back.items[1].data[0] == 7);
        CHECK(back.items[2].count == 0 && back.items[2].shape.dim[1] == 4);
    }
    free(bin);
    sgdi_param_list_free(&back);
    // An empty list packs to zero bytes, which reads as no parameters.
    sgdi_param_list none = {0};
    CHECK(sgdi_protobin_write_params(&none, &bin, &len, &err) == SGDI_OK && len == 0);
    CHECK(sgdi_protobin_read_params(bin, len, "x", &back, &err) == SGDI_OK && back.count == 0);
    free(bin);
    sgdi_param_list_free(&list);
}

// The list itself: a replaced name keeps its place and the new values; thousands of
// names are all found (the list looks names up through an index).
static void test_list_add_find(void) {
    sgdi_param_list list = {0};
    sgdi_error err;
    enum { N = 5000 };
    bool ok = true;
    for (int i = 0; i < N && ok; i++) {
        char name[32];
        snprintf(name, sizeof name, "fc%d/affine/W", i);
        float v = (float)i;
        ok = sgdi_param_list_add(&list, name, (sgdi_shape){1, {1}}, &v, true, &err) == SGDI_OK;
    }
    CHECK(ok && list.count == N);
    float v2[2] = {-1.0f, -2.0f};
    CHECK(sgdi_param_list_add(&list, "fc7/affine/W", (sgdi_shape){1, {2}}, v2, false, &err) ==
          SGDI_OK);
    CHECK(list.count == N && strcmp(list.items[7].name, "fc7/affine/W") == 0);
    const sgdi_param_blob *b = sgdi_param_list_find(&list, "fc7/affine/W");
    CHECK(b == &list.items[7] && b->count == 2 && b->data[1] == -2.0f && !b->need_grad);
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "fc%d/affine/W", i);
        b = sgdi_param_list_find(&list, name);
        wrong += !b || b != &list.items[i] || (i != 7 && b->data[0] != (float)i);
    }
    CHECK_MSG(wrong == 0, "%d of %d names not found in place", wrong, N);
    CHECK(sgdi_param_list_find(&list, "fc5000/affine/W") == NULL);
    sgdi_param_list_free(&list);
    CHECK(list.count == 0 && sgdi_param_list_find(&list, "fc1/affine/W") == NULL);
}

static void test_malformed(void) {
    int64_t dims[7] = {2, 3, 1, 1, 1, 1, 1};
    float data[6] = {0};
    Shape shape = SHAPE__INIT;
    Parameter p = PARAMETER__INIT;
    p.variable_name = "w";
    p.shape = &shape;
    shape.dim = dims;
    shape.n_dim = 2;
    p.data = data;
    p.n_data = 5;
    expect_bad(&p, SGDI_ERR_FORMAT, "shape has 6 elements but data has 5");
    p.n_data = 6;
    dims[0] = -2;
    dims[1] = -3;
    expect_bad(&p, SGDI_ERR_FORMAT, "dimension 0 = -2");
    dims[0] = 2;
    dims[1] = 3;
    shape.n_dim = 7;
    expect_bad(&p, SGDI_ERR_UNSUPPORTED, "7 dimensions");
    shape.n_dim = 2;
    p.variable_name = "";
    expect_bad(&p, SGDI_ERR_FORMAT, "parameter 0 has no name");
    dims[0] = (int64_t)1 << 40;
    p.variable_name = "big";
    expect_bad(&p, SGDI_ERR_FORMAT, "too many elements");

    sgdi_param_list list = {0};
    sgdi_error err;
    static const uint8_t garbage[] = {0xc2, 0x0c, 0xff, 0xff, 0x01};
    CHECK(sgdi_protobin_read_params(garbage, sizeof garbage, "g.protobuf", &list, &err) ==
          SGDI_ERR_FORMAT);
    CHECK(strncmp(err.message, "g.protobuf: ", 12) == 0);
    CHECK(list.count == 0);
}

int main(void) {
    RUN(test_lenet);
    RUN(test_round_trip_small);
    RUN(test_list_add_find);
    RUN(test_malformed);
    return sgdi_test_finish();
}
