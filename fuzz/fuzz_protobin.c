/*
 * fuzz_protobin.c — libFuzzer target for the binary parameter.protobuf reader
 * and writer (src/nnp/protobin.c).
 *
 * Checks: a failure has a one-line message naming the input and adds nothing
 * broken; every parameter read is consistent (name, shape product = count);
 * writing the list and reading it back gives the same names, shapes, bits and
 * need_grad flags. Any violation aborts. Replayed as an ordinary test by
 * tests/test_fuzz_replay.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/protobin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) abort();                                                                      \
    } while (0)

static void check_list(const sgdi_param_list *l) {
    for (int64_t i = 0; i < l->count; i++) {
        const sgdi_param_blob *b = &l->items[i];
        FUZZ_REQUIRE(b->name && b->name[0]);
        FUZZ_REQUIRE(b->shape.ndim >= 0 && b->shape.ndim <= SGDI_MAX_DIMS);
        int64_t n = 1;
        for (int d = 0; d < b->shape.ndim; d++) n *= b->shape.dim[d];
        FUZZ_REQUIRE(n == b->count && b->data != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char name[] = "fuzz.protobuf";
    sgdi_error err;
    sgdi_param_list list = {0};
    sgdi_status st = sgdi_protobin_read_params(data, size, name, &list, &err);
    FUZZ_REQUIRE(err.status == st);
    FUZZ_REQUIRE(memchr(err.message, '\0', sizeof err.message) != NULL);
    check_list(&list);
    if (st != SGDI_OK) {
        FUZZ_REQUIRE(st == SGDI_ERR_FORMAT || st == SGDI_ERR_UNSUPPORTED || st == SGDI_ERR_NOMEM);
        FUZZ_REQUIRE(strncmp(err.message, name, sizeof name - 1) == 0);
        sgdi_param_list_free(&list);
        return 0;
    }
    uint8_t *bin = NULL;
    size_t len = 0;
    FUZZ_REQUIRE(sgdi_protobin_write_params(&list, &bin, &len, &err) == SGDI_OK);
    sgdi_param_list again = {0};
    FUZZ_REQUIRE(sgdi_protobin_read_params(bin, len, "rewritten", &again, &err) == SGDI_OK);
    FUZZ_REQUIRE(again.count == list.count);
    for (int64_t i = 0; i < list.count; i++) {
        const sgdi_param_blob *a = &list.items[i], *b = &again.items[i];
        FUZZ_REQUIRE(strcmp(a->name, b->name) == 0 && a->count == b->count);
        FUZZ_REQUIRE(a->need_grad == b->need_grad && a->shape.ndim == b->shape.ndim);
        FUZZ_REQUIRE(memcmp(a->shape.dim, b->shape.dim, sizeof a->shape.dim) == 0);
        FUZZ_REQUIRE(memcmp(a->data, b->data, (size_t)a->count * sizeof(float)) == 0);
    }
    free(bin);
    sgdi_param_list_free(&again);
    sgdi_param_list_free(&list);
    return 0;
}
