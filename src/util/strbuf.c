/*
 * strbuf.c — the growable text buffer.
 */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sgdi_strbuf_printf(sgdi_strbuf *b, const char *fmt, ...) {
    while (!b->failed) {
        size_t room = b->cap - b->size;
        va_list args;
        va_start(args, fmt);
        int n = vsnprintf(b->data ? b->data + b->size : NULL, b->data ? room : 0, fmt, args);
        va_end(args);
        if (n < 0) {
            b->failed = true;
        } else if (b->data && (size_t)n < room) {
            b->size += (size_t)n;
            return;
        } else {
            size_t cap = 2 * b->cap + (size_t)n + 1024;
            char *data = realloc(b->data, cap);
            if (!data) {
                b->failed = true;
                return;
            }
            b->data = data;
            b->cap = cap;
        }
    }
}

void sgdi_strbuf_free(sgdi_strbuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}
