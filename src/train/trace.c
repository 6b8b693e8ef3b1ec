/*
 * trace.c — allocation of the training record.
 */
#include "train/trace.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

sgdi_status sgdi_trace_init(sgdi_trace *trace, int64_t steps, int64_t total_rows, sgdi_error *err) {
    memset(trace, 0, sizeof *trace);
    trace->steps = steps;
    trace->epoch = sgdi_alloc_array(steps, sizeof *trace->epoch);
    trace->step = sgdi_alloc_array(steps, sizeof *trace->step);
    trace->lr = sgdi_alloc_array(steps, sizeof *trace->lr);
    trace->begin = sgdi_alloc_array(steps + 1, sizeof *trace->begin);
    trace->rows = sgdi_alloc_array(total_rows, sizeof *trace->rows);
    if (!trace->epoch || !trace->step || !trace->lr || !trace->begin || !trace->rows) {
        sgdi_trace_free(trace);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for the training trace (%lld steps)",
                         (long long)steps);
    }
    trace->begin[0] = 0;
    return SGDI_OK;
}

void sgdi_trace_free(sgdi_trace *trace) {
    if (!trace) return;
    free(trace->epoch);
    free(trace->step);
    free(trace->lr);
    free(trace->begin);
    free(trace->rows);
    memset(trace, 0, sizeof *trace);
}
