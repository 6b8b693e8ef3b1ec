/*
 * fuzz_csv.c — libFuzzer target for the CSV dataset reader.
 *
 * Feeds the input to sgdi_dataset_load_csv_buffer and checks what a caller
 * relies on: a loaded dataset is consistent (rows, features, finite
 * features, labels below classes), a failure has a one-line message naming
 * the input, and a dataset is compatible with itself. Any violation aborts.
 * A column x of file names makes an image dataset, whose files are looked
 * for relative to the working directory: they are (almost always) missing,
 * an input/output failure; fuzz_image.c covers decoding.
 * The same function replays the saved corpus and crashers as an ordinary test
 * (tests/test_fuzz_replay.c).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sgdi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) abort();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char name[] = "fuzz.csv";
    sgdi_error err;
    sgdi_dataset *ds = NULL;
    sgdi_status st = sgdi_dataset_load_csv_buffer((const char *)data, size, name, &ds, &err);
    FUZZ_REQUIRE(err.status == st);
    FUZZ_REQUIRE(memchr(err.message, '\0', sizeof err.message) != NULL);
    if (st != SGDI_OK) {
        FUZZ_REQUIRE(ds == NULL);
        FUZZ_REQUIRE(st == SGDI_ERR_FORMAT || st == SGDI_ERR_NOMEM || st == SGDI_ERR_IO ||
                     st == SGDI_ERR_UNSUPPORTED);
        FUZZ_REQUIRE(strncmp(err.message, name, sizeof name - 1) == 0);
        FUZZ_REQUIRE(strchr(err.message, '\n') == NULL && strchr(err.message, '\r') == NULL);
        return 0;
    }
    int64_t n = sgdi_dataset_rows(ds), f = sgdi_dataset_features(ds);
    int32_t classes = sgdi_dataset_classes(ds);
    FUZZ_REQUIRE(n >= 1 && f >= 1 && classes >= 1);
    FUZZ_REQUIRE(strcmp(sgdi_dataset_path(ds), name) == 0);
    bool images = sgdi_dataset_is_image(ds);
    for (int64_t r = 0; r < n; r++) {
        const float *x = sgdi_dataset_row(ds, r);
        FUZZ_REQUIRE((x == NULL) == images);
        for (int64_t j = 0; x && j < f; j++) FUZZ_REQUIRE(isfinite(x[j]));
        int32_t y = sgdi_dataset_label(ds, r);
        FUZZ_REQUIRE(y >= 0 && y < classes);
    }
    FUZZ_REQUIRE(sgdi_dataset_row(ds, n) == NULL && sgdi_dataset_label(ds, -1) == -1);
    FUZZ_REQUIRE(sgdi_dataset_check_compatible(ds, ds, &err) == SGDI_OK);
    sgdi_dataset_free(ds);
    return 0;
}
