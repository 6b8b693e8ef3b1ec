/*
 * h5_errors.h — HDF5's process-global error stack, for the readers and writer
 * of parameter.h5: silenced for the length of one call (the library never
 * prints), and its innermost message turned into ours.
 */
#ifndef SGDI_NNP_H5_ERRORS_H
#define SGDI_NNP_H5_ERRORS_H

#include <hdf5.h>
#include <stdio.h>

// HDF5 prints its error stack by default; each entry point switches that off
// and puts the previous handler back on the way out (it is process-global).
typedef struct h5_quiet {
    H5E_auto2_t func;
    void *data;
} h5_quiet;

static inline void quiet_begin(h5_quiet *q) {
    q->func = NULL;
    q->data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static inline void quiet_end(h5_quiet *q) {
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

typedef struct h5_msg {
    char text[256];
} h5_msg;

static inline herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data) {
    (void)n;
    h5_msg *m = data;
    if (e->desc && e->desc[0]) snprintf(m->text, sizeof m->text, "%s", e->desc);
    return 0;
}

// The innermost description on HDF5's error stack (then cleared).
static inline const char *h5_reason(h5_msg *m) {
    snprintf(m->text, sizeof m->text, "HDF5 error");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_innermost, m);
    H5Eclear2(H5E_DEFAULT);
    return m->text;
}

#endif // SGDI_NNP_H5_ERRORS_H
