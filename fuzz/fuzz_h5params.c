/*
 * fuzz_h5params.c — libFuzzer target for the HDF5 readers (src/nnp/h5params.c):
 * the input is read from memory as a parameter.h5 and as a solver-state
 * file. A parameter list that reads back is written again with the writer
 * and must read back identically. Any broken invariant aborts.
 *
 * Known issue outside this project: libhdf5 1.10.8 leaks a metadata-cache
 * block (H5FL_blk_malloc under H5C_protect/H5O_protect) when an object header
 * fails to decode, so LeakSanitizer reports for allocations made inside
 * libhdf5 are suppressed in the libFuzzer build (SGDI_H5_LEAK_SUPPRESSIONS,
 * set by fuzz/CMakeLists.txt). The suppression also hides our own leaks made
 * inside HDF5 callbacks, so test_h5params and the corpus replay
 * (test_fuzz_replay_h5params) run without it and check leaks fully.
 *
 * libhdf5 also trusts lengths read from the file when it allocates
 * metadata-cache entries (H5C_protect), so a small corrupt file can make it
 * ask malloc for absurd sizes (e.g. 0x52000000000000b0 bytes). glibc returns
 * NULL and HDF5 fails cleanly; ASan aborts instead unless
 * allocator_may_return_null is set, which SGDI_H5_ALLOCATOR_MAY_FAIL does
 * for this target and its replay test, so that they behave as production.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/h5params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef SGDI_H5_ALLOCATOR_MAY_FAIL
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1";
}
#endif

#ifdef SGDI_H5_LEAK_SUPPRESSIONS
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
    return "leak:H5FL_blk_malloc\nleak:libhdf5\n";
}
#endif

static void check_list(const sgdi_param_list *list) {
    for (int64_t i = 0; i < list->count; i++) {
        const sgdi_param_blob *p = &list->items[i];
        int64_t count = 1;
        if (!p->name || !p->data || p->shape.ndim < 0 || p->shape.ndim > SGDI_MAX_DIMS) abort();
        for (int d = 0; d < p->shape.ndim; d++) count *= p->shape.dim[d];
        if (count != p->count) abort();
        float sum = 0;
        for (int64_t k = 0; k < p->count; k++) sum += p->data[k];
        (void)sum;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sgdi_error err;
    sgdi_param_list list = {0};
    sgdi_status st = sgdi_h5params_read_buffer(data, size, "fuzz.h5", &list, &err);
    if (st != SGDI_OK && (list.count != 0 || err.message[0] == '\0')) abort();
    check_list(&list);
    if (st == SGDI_OK && list.count > 0) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        if (sgdi_h5params_write_buffer(&list, &bytes, &len, &err) == SGDI_OK) {
            sgdi_param_list back = {0};
            if (sgdi_h5params_read_buffer(bytes, len, "again.h5", &back, &err) != SGDI_OK) abort();
            if (back.count != list.count) abort();
            for (int64_t i = 0; i < back.count; i++) {
                const sgdi_param_blob *a = &list.items[i], *b = &back.items[i];
                if (strcmp(a->name, b->name) != 0 || a->count != b->count ||
                    a->need_grad != b->need_grad ||
                    memcmp(a->data, b->data, (size_t)a->count * sizeof(float)) != 0)
                    abort();
            }
            sgdi_param_list_free(&back);
        }
        free(bytes);
    }
    sgdi_param_list_free(&list);

    sgdi_h5_optimizer_state s;
    st = sgdi_h5_optimizer_read_buffer(data, size, "fuzz.optimizer", &s, &err);
    if (st != SGDI_OK && (s.count != 0 || err.message[0] == '\0')) abort();
    for (int64_t i = 0; i < s.count; i++)
        if (!s.params[i].param || s.params[i].n_states < 0) abort();
    sgdi_h5_optimizer_state_free(&s);
    return 0;
}
