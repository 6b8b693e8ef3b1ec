/*
 * large_alloc.h — zeroed buffers of many megabytes (a network's activations for a batch),
 * backed by huge pages where the system offers them.
 */
#ifndef SGDI_UTIL_LARGE_ALLOC_H
#define SGDI_UTIL_LARGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

// n zeroed elements of `size` bytes, aligned to 64 bytes; from 2 MiB on, aligned to 2 MiB
// and marked for transparent huge pages (Linux's madvise mode). NULL on overflow, for
// more than PTRDIFF_MAX bytes once rounded, on exhaustion, or for n <= 0. Release with
// free().
void *sgdi_calloc_large(int64_t n, size_t size);

#endif // SGDI_UTIL_LARGE_ALLOC_H
