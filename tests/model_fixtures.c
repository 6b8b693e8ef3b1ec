/*
 * model_fixtures.c — the temporary files and made-up tables that
 * test_model.c and test_model_state.c share (see model_fixtures.h).
 */
#include "model_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *model_tmp_path(const char *dir, const char *name) {
    static char path[4][512];
    static int next = 0;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

void model_tmp_remove(const char *dir, const char *const *names, size_t n) {
    for (size_t k = 0; k < n; k++) unlink(model_tmp_path(dir, names[k]));
    rmdir(dir);
}

double lcg(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * 0x1p-24;
}

// A table of n rows, f features, labels 0..c-1 from a noisy linear rule.
sgdi_dataset *table(int n, int f, int c, unsigned seed) {
    size_t cap = (size_t)(n + 1) * (size_t)(f + 1) * 16 + 64, len = 0;
    char *csv = malloc(cap);
    for (int j = 0; j < f; j++) len += (size_t)snprintf(csv + len, cap - len, "x__%d,", j);
    len += (size_t)snprintf(csv + len, cap - len, "y\n");
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < f; j++) {
            double x = 2 * lcg(&seed) - 1;
            s += x * ((j % 3) - 1);
            len += (size_t)snprintf(csv + len, cap - len, "%.4f,", x);
        }
        int label = (int)((s + 0.5 * (lcg(&seed) - 0.5) + 2.0) * c / 4.0);
        label = label < 0 ? 0 : label >= c ? c - 1 : label;
        len += (size_t)snprintf(csv + len, cap - len, "%d\n", label);
    }
    sgdi_dataset *ds = NULL;
    sgdi_error err;
    if (sgdi_dataset_load_csv_buffer(csv, len, "table.csv", &ds, &err) != SGDI_OK)
        fprintf(stderr, "table: %s\n", err.message);
    free(csv);
    return ds;
}
