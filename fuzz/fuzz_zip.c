/*
 * fuzz_zip.c — libFuzzer target for the .nnp container reader: the input is
 * opened as a ZIP archive from memory (src/nnp/zip.c), every member is listed
 * and read under a small cap, and the member dispatch (src/nnp/container.c)
 * runs over the same archive. Any broken invariant aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/container.h"
#include "nnp/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Small caps keep each run fast and bounded in memory.
#define MEMBER_CAP ((uint64_t)1 << 22)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sgdi_error err;
    sgdi_zip *z = NULL;
    if (sgdi_zip_open_buffer(data, size, "fuzz.nnp", &z, &err) != SGDI_OK) {
        if (z != NULL || err.status == SGDI_OK || err.message[0] == '\0') abort();
        return 0;
    }
    int64_t n = sgdi_zip_count(z);
    if (n < 0 || n > SGDI_ZIP_MAX_MEMBERS) abort();
    for (int64_t i = 0; i < n; i++) {
        const sgdi_zip_entry *e = sgdi_zip_entry_at(z, i);
        if (!e || !e->name) abort();
        (void)sgdi_nnp_classify(e->name);
        uint8_t *bytes = NULL;
        size_t len = 0;
        sgdi_status st = sgdi_zip_read(z, i, MEMBER_CAP, &bytes, &len, &err);
        if (st == SGDI_OK) {
            if (!bytes || len != e->size || bytes[len] != 0) abort();
            // Touch every byte so that a short buffer shows up under ASan.
            unsigned sum = 0;
            for (size_t k = 0; k < len; k++) sum += bytes[k];
            if (sum == 0xFFFFFFFFu) abort();
        } else if (bytes != NULL || err.message[0] == '\0') {
            abort();
        }
        free(bytes);
    }
    if (sgdi_zip_entry_at(z, n) != NULL || sgdi_zip_entry_at(z, -1) != NULL) abort();
    sgdi_nnp_container c;
    sgdi_status st = sgdi_nnp_container_load(z, MEMBER_CAP, &c, &err);
    if (st == SGDI_OK) {
        if (c.n_networks < 1) abort();
        if (c.n_networks + c.n_params + c.n_optimizers + c.n_ignored > n) abort();
        for (int64_t i = 0; i < c.n_networks; i++)
            if (!c.networks[i].data || c.networks[i].data[c.networks[i].size] != 0) abort();
        if (c.version && c.version_ok != (strcmp(c.version, "0.1") == 0)) abort();
    } else if (c.networks != NULL || c.n_ignored != 0 || err.message[0] == '\0') {
        abort();
    }
    sgdi_nnp_container_free(&c);
    sgdi_zip_close(z);
    return 0;
}
