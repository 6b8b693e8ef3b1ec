/*
 * test_large_alloc.c — src/util/large_alloc.c: zeroed, aligned (2 MiB from 2 MiB on),
 * writable to the last byte, and NULL for sizes that cannot be allocated.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "test_support.h"
#include "util/large_alloc.h"

static bool all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static void check_buffer(int64_t n, size_t size, uintptr_t alignment) {
    unsigned char *p = sgdi_calloc_large(n, size);
    CHECK_MSG(p != NULL, "%lld x %zu bytes: NULL", (long long)n, size);
    if (!p) return;
    size_t bytes = (size_t)n * size;
    CHECK_MSG((uintptr_t)p % alignment == 0, "%zu bytes at %p: not aligned to %zu", bytes,
              (void *)p, (size_t)alignment);
    CHECK_MSG(all_zero(p, bytes), "%zu bytes: not zeroed", bytes);
    for (size_t i = 0; i < bytes; i += 4093) p[i] = 1; // every page, under ASan too
    p[bytes - 1] = 1;
    free(p);
}

static void test_sizes(void) {
    check_buffer(1, 1, 64);
    check_buffer(1000, sizeof(float), 64);
    check_buffer((2 << 20) / 4 - 1, sizeof(float), 64); // just below a huge page
    check_buffer((2 << 20) / 4, sizeof(float), (uintptr_t)2 << 20);
    check_buffer(3 * (1 << 20) + 7, sizeof(float), (uintptr_t)2 << 20); // not a whole page
}

static void test_refused(void) {
    CHECK(sgdi_calloc_large(0, sizeof(float)) == NULL);
    CHECK(sgdi_calloc_large(-1, sizeof(float)) == NULL);
    CHECK(sgdi_calloc_large(INT64_MAX / 2, sizeof(float)) == NULL); // overflows
    // rounded up to whole huge pages it exceeds PTRDIFF_MAX: refused before the allocator
    // (which, under AddressSanitizer, would abort on such a request instead of failing)
    CHECK(sgdi_calloc_large(INT64_MAX, 1) == NULL);
    CHECK(sgdi_calloc_large(INT64_MAX - 1000, 1) == NULL);
}

int main(void) {
    RUN(test_sizes);
    RUN(test_refused);
    return sgdi_test_finish();
}
