/*
 * trace.h — the record of one training run: which rows formed each step's
 * batch, in which epoch, with which step size. The estimator walks it
 * backwards; --trace writes it out.
 */
#ifndef SGDI_TRAIN_TRACE_H
#define SGDI_TRAIN_TRACE_H

#include <stdint.h>

#include "sgdi.h"

typedef struct sgdi_trace {
    int64_t steps;  // T
    int64_t *epoch; // [T] 0-based epoch of each step
    int64_t *step;  // [T] 0-based step within its epoch
    double *lr;     // [T] step size used
    int64_t *begin; // [T + 1] step t's rows are rows[begin[t] .. begin[t+1])
    int64_t *rows;  // [begin[T]] 0-based training rows
} sgdi_trace;

// Allocates room for `steps` steps holding `total_rows` rows in all; begin[0] = 0.
sgdi_status sgdi_trace_init(sgdi_trace *trace, int64_t steps, int64_t total_rows, sgdi_error *err);
void sgdi_trace_free(sgdi_trace *trace);

#endif // SGDI_TRAIN_TRACE_H
