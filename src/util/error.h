/*
 * error.h — filling the caller's sgdi_error, and checked size arithmetic.
 */
#ifndef SGDI_UTIL_ERROR_H
#define SGDI_UTIL_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

// Sets err (if not NULL) to `status` with a printf-formatted message and
// returns `status`, so that failures read `return sgdi_fail(err, ...);`.
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
sgdi_status
sgdi_fail(sgdi_error *err, sgdi_status status, const char *fmt, ...);

// Clears err to SGDI_OK with an empty message.
void sgdi_error_clear(sgdi_error *err);

// *out = a * b, or false if that overflows (or either is negative).
static inline bool sgdi_mul_i64(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0) return false;
    if (a != 0 && b > INT64_MAX / a) return false;
    *out = a * b;
    return true;
}

// malloc/calloc of n elements of `size` bytes with the product checked;
// NULL on overflow or exhaustion (also for n == 0: callers allocate >= 1).
void *sgdi_alloc_array(int64_t n, size_t size);
void *sgdi_calloc_array(int64_t n, size_t size);

#endif // SGDI_UTIL_ERROR_H
