/*
 * strbuf.h — a growable, NUL-terminated text buffer written with printf.
 */
#ifndef SGDI_UTIL_STRBUF_H
#define SGDI_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sgdi_strbuf {
    char *data;  // malloc'd, NUL-terminated (NULL until something is written)
    size_t size; // bytes before the NUL
    size_t cap;
    bool failed; // an allocation failed: the content is incomplete, discard it
} sgdi_strbuf;

// Appends printf-formatted text; after a failure it does nothing.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sgdi_strbuf_printf(sgdi_strbuf *b, const char *fmt, ...);

// Frees the content and empties the buffer.
void sgdi_strbuf_free(sgdi_strbuf *b);

#endif // SGDI_UTIL_STRBUF_H
