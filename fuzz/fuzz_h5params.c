/*
 * fuzz_h5params.c — libFuzzer target for the HDF5 readers (src/nnp/h5params.c
 * over src/nnp/h5read.c): the input is read from memory as a parameter.h5 and
 * as a solver-state file. A parameter list that reads back is written again
 * with the writer (libhdf5, trusted input) and must read back identically.
 * Any broken invariant aborts.
 *
 * Until the reader was ours, libhdf5 1.10.8 crashed, leaked and asked malloc
 * for absurd sizes on some of these inputs (fuzz/crashers/h5params-libhdf5/
 * README.md); the leak suppressions and allocator_may_return_null this target
 * needed then are gone, so LeakSanitizer and ASan's allocator checks see
 * everything again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/h5params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    for (int64_t i = 0; i < s.count; i++) {
        const sgdi_h5_param_state *p = &s.params[i];
        if (!p->param || p->n_states < 0) abort();
        for (int64_t j = 0; j < p->n_states; j++) {
            int64_t count = 1;
            for (int d = 0; d < p->states[j].shape.ndim; d++) count *= p->states[j].shape.dim[d];
            if (!p->states[j].name || count != p->states[j].count || !p->states[j].data) abort();
        }
    }
    sgdi_h5_optimizer_state_free(&s);
    return 0;
}
