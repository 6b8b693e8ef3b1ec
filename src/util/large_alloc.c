/*
 * large_alloc.c — see large_alloc.h.
 *
 * A CNN step streams its batch's activations (tens of megabytes) through the cache several
 * times each way; with 4 KiB pages every 4 KiB of that stream costs a page walk once the
 * TLB's few megabytes of reach are exceeded. Where transparent huge pages are enabled
 * only on request (Debian's default "madvise"), asking for them took the built-in CNN's
 * training and scoring steps 1.5 % faster (bench/README.md). It is a hint: a system
 * without them, or out of them, gives ordinary pages and the same results.
 */
#define _DEFAULT_SOURCE 1 // madvise, MADV_HUGEPAGE (glibc)

#include "util/large_alloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "util/error.h"

enum { CACHE_LINE = 64 };
static const size_t HUGE_PAGE = (size_t)2 << 20;

void *sgdi_calloc_large(int64_t n, size_t size) {
    int64_t bytes;
    if (n <= 0 || !sgdi_mul_i64(n, (int64_t)size, &bytes)) return NULL;
    size_t len = (size_t)bytes, align = CACHE_LINE;
    if (len >= HUGE_PAGE) { // whole huge pages, so that none is shared with other data
        align = HUGE_PAGE;
        len = (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE; // no wrap: len <= INT64_MAX
    }
    if (len > PTRDIFF_MAX) return NULL; // no object can be that large: not even asked for
    void *p = NULL;
    if (posix_memalign(&p, align, len) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == HUGE_PAGE) (void)madvise(p, len, MADV_HUGEPAGE); // a hint: failure is fine
#endif
    memset(p, 0, len); // after the hint, so that the pages are first touched as huge ones
    return p;
}
