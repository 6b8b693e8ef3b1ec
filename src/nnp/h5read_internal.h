/*
 * h5read_internal.h — what the two halves of the HDF5 reader share:
 * h5read.c (file structure: superblock, object headers, groups, the walk)
 * and h5read_data.c (datatypes, dataspaces, data layouts and values).
 *
 * Every read goes through a cursor that knows where its bytes end: a read
 * past the end marks the cursor bad and yields zeros, and each parser checks
 * `bad` once after a group of reads.
 */
#ifndef SGDI_NNP_H5READ_INTERNAL_H
#define SGDI_NNP_H5READ_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "nnp/h5read.h"

#define H5R_UNDEFINED UINT64_MAX // an address of all 1 bits: "not allocated"
enum { H5R_MAX_CHUNKS = 1024 };  // header blocks of one object (its continuations)

typedef struct cursor {
    const uint8_t *p;
    uint64_t n, at;
    bool bad;
} cursor;

static inline uint64_t take(cursor *c, unsigned width) {
    if (c->bad || width > c->n - c->at) {
        c->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned k = width; k-- > 0;) v = v << 8 | c->p[c->at + k]; // little-endian
    c->at += width;
    return v;
}

static inline const uint8_t *take_bytes(cursor *c, uint64_t n) {
    if (c->bad || n > c->n - c->at) {
        c->bad = true;
        return NULL;
    }
    c->at += n;
    return c->p + c->at - n;
}

static inline bool take_tag(cursor *c, const char tag[4]) {
    const uint8_t *p = take_bytes(c, 4);
    return p && memcmp(p, tag, 4) == 0;
}

static inline cursor sub(const uint8_t *p, uint64_t n) {
    return (cursor){p, n, 0, p == NULL};
}

typedef struct attr_view {
    const uint8_t *name;
    size_t name_len;
    cursor type, space;
    cursor value;
    bool shared;
} attr_view;

typedef struct link_view {
    const uint8_t *name;
    size_t name_len;
    uint64_t addr;
} link_view;

// What one object header says (message bodies point into the file).
typedef struct header {
    cursor space, type, layout, fill, old_fill;
    bool has_space, has_type, has_layout, has_fill, has_old_fill;
    bool stab, linfo, dense_links, dense_attrs, external;
    uint64_t btree, heap;
    attr_view *attrs;
    size_t n_attrs, cap_attrs;
    link_view *links;
    size_t n_links, cap_links;
} header;

struct sgdi_h5_object_data {
    struct reader *r;
    const header *h;
    const uint8_t *raw;  // count * size bytes, or NULL: every element is `fill`
    const uint8_t *fill; // one element, or NULL: zeros
};

typedef struct reader {
    const uint8_t *buf;
    uint64_t size, base;
    unsigned osize, lsize; // bytes of addresses and of lengths
    const char *file;
    sgdi_error *err;
    sgdi_h5_visit_fn visit;
    void *ctx;
    uint64_t work;
    int64_t links;
    uint64_t *seen; // open-addressing set of header offsets + 1 (0 = empty)
    uint64_t seen_cap, seen_n;
    uint64_t chunk_at[H5R_MAX_CHUNKS], chunk_len[H5R_MAX_CHUNKS];
    int n_chunks;
    char path[SGDI_H5_MAX_PATH];
    size_t path_len;
} reader;

// Formats "<file>: '<path>': <message>" (or "<file>: root group: ...") into r->err.
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
sgdi_status
h5r_fail(reader *r, sgdi_status st, const char *fmt, ...);

// An address (H5R_UNDEFINED if all 1 bits), and the file from an address on.
uint64_t h5r_take_addr(reader *r, cursor *c);
cursor h5r_at(const reader *r, uint64_t addr);

// h5read_data.c. `what` prefixes messages ("attribute 'index': " or "").
sgdi_status h5r_parse_type(reader *r, cursor c, const char *what, sgdi_h5_type *t);
sgdi_status h5r_parse_space(reader *r, cursor c, const char *what, sgdi_shape *shape,
                            int64_t *count, bool *null);
sgdi_status h5r_locate_data(reader *r, const header *h, const sgdi_h5_object *o,
                            sgdi_h5_object_data *d);

#endif // SGDI_NNP_H5READ_INTERNAL_H
