/*
 * error.c — status strings and error messages.
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const status_text[SGDI_STATUS_COUNT] = {
    [SGDI_OK] = "success",
    [SGDI_ERR_IO] = "input/output error",
    [SGDI_ERR_FORMAT] = "malformed input",
    [SGDI_ERR_INVALID] = "invalid argument",
    [SGDI_ERR_NOMEM] = "out of memory",
    [SGDI_ERR_UNSUPPORTED] = "not supported",
    [SGDI_ERR_NUMERIC] = "numerical failure",
};

const char *sgdi_strerror(sgdi_status status) {
    if ((unsigned)status >= SGDI_STATUS_COUNT) return "unknown status";
    return status_text[status];
}

sgdi_status sgdi_fail(sgdi_error *err, sgdi_status status, const char *fmt, ...) {
    if (err) {
        err->status = status;
        va_list args;
        va_start(args, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
    }
    return status;
}

void sgdi_error_clear(sgdi_error *err) {
    if (!err) return;
    err->status = SGDI_OK;
    err->message[0] = '\0';
}

void *sgdi_alloc_array(int64_t n, size_t size) {
    int64_t bytes;
    if (n <= 0 || !sgdi_mul_i64(n, (int64_t)size, &bytes)) return NULL;
    return malloc((size_t)bytes);
}

void *sgdi_calloc_array(int64_t n, size_t size) {
    if (n <= 0 || (uint64_t)n > SIZE_MAX / (size > 0 ? size : 1)) return NULL;
    return calloc((size_t)n, size);
}
