/*
 * h5read.c — the minimal HDF5 reader of h5read.h.
 *
 * This half reads the file's structure: superblock, object headers and
 * their messages, groups; h5read_data.c decodes datatypes, dataspaces,
 * layouts and values. Metadata may point anywhere, so the walk counts the
 * records it parses (WORK_CAP), remembers every object header it entered
 * (so that a cycle of groups is followed once, not forever) and bounds the
 * depth of groups and B-trees.
 *
 * Facts about the format come from the HDF5 File Format Specification
 * (versions 2 and 3), checked against files written by libhdf5 1.10.
 */
#include "nnp/h5read_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/h5params.h"
#include "util/error.h"

enum {
    MAX_BTREE_LEVEL = 32,
    WORK_CAP = 1 << 24, // metadata records parsed per file
};
static const uint8_t signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
sgdi_status
h5r_fail(reader *r, sgdi_status st, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->path_len == 0) return sgdi_fail(r->err, st, "%s: root group: %s", r->file, msg);
    return sgdi_fail(r->err, st, "%s: '%s': %s", r->file, r->path, msg);
}

static sgdi_status spend(reader *r, uint64_t records) {
    r->work += records;
    if (r->work > WORK_CAP)
        return h5r_fail(r, SGDI_ERR_FORMAT, "more than %d metadata records (a loop?)", WORK_CAP);
    return SGDI_OK;
}

uint64_t h5r_take_addr(reader *r, cursor *c) {
    uint64_t v = take(c, r->osize);
    return r->osize < 8 && v == (UINT64_C(1) << 8 * r->osize) - 1 ? H5R_UNDEFINED : v;
}

// The file from address `addr` (relative to the superblock) to its end.
cursor h5r_at(const reader *r, uint64_t addr) {
    if (addr == H5R_UNDEFINED || addr >= r->size - r->base) return sub(NULL, 0);
    return sub(r->buf + r->base + addr, r->size - r->base - addr);
}

static bool grow(void **items, size_t *cap, size_t n, size_t item_size) {
    if (n < *cap) return true;
    size_t bigger = *cap ? 2 * *cap : 8;
    void *p = realloc(*items, bigger * item_size);
    if (!p) return false;
    *items = p;
    *cap = bigger;
    return true;
}

// Adds a header offset to the visited set; false if it was there already.
static sgdi_status mark_seen(reader *r, uint64_t addr, bool *fresh) {
    if (2 * (r->seen_n + 1) > r->seen_cap) {
        uint64_t cap = r->seen_cap ? 2 * r->seen_cap : 64;
        uint64_t *table = calloc(cap, sizeof *table);
        if (!table) return h5r_fail(r, SGDI_ERR_NOMEM, "out of memory");
        for (uint64_t i = 0; i < r->seen_cap; i++) {
            if (!r->seen[i]) continue;
            uint64_t j = (r->seen[i] * UINT64_C(0x9E3779B97F4A7C15)) & (cap - 1);
            while (table[j]) j = (j + 1) & (cap - 1);
            table[j] = r->seen[i];
        }
        free(r->seen);
        r->seen = table;
        r->seen_cap = cap;
    }
    uint64_t key = addr + 1, j = (key * UINT64_C(0x9E3779B97F4A7C15)) & (r->seen_cap - 1);
    while (r->seen[j] && r->seen[j] != key) j = (j + 1) & (r->seen_cap - 1);
    *fresh = r->seen[j] == 0;
    if (*fresh) r->seen[j] = key, r->seen_n++;
    return SGDI_OK;
}

// --- Object headers ----------------------------------------------------------------

static sgdi_status add_link(reader *r, header *h, const uint8_t *name, size_t len, uint64_t addr) {
    if (++r->links > SGDI_H5_MAX_OBJECTS)
        return h5r_fail(r, SGDI_ERR_FORMAT, "more than %d links", SGDI_H5_MAX_OBJECTS);
    if (!grow((void **)&h->links, &h->cap_links, h->n_links, sizeof *h->links))
        return h5r_fail(r, SGDI_ERR_NOMEM, "out of memory");
    h->links[h->n_links++] = (link_view){name, len, addr};
    return SGDI_OK;
}

// Link message (0x0006): hard links are kept; soft and external ones skipped.
static sgdi_status parse_link(reader *r, header *h, cursor c) {
    unsigned version = (unsigned)take(&c, 1), flags = (unsigned)take(&c, 1);
    unsigned type = flags & 0x08 ? (unsigned)take(&c, 1) : 0;
    if (flags & 0x04) take_bytes(&c, 8); // creation order
    if (flags & 0x10) take_bytes(&c, 1); // name character set
    uint64_t len = take(&c, 1u << (flags & 3));
    const uint8_t *name = take_bytes(&c, len);
    uint64_t addr = type == 0 ? h5r_take_addr(r, &c) : 0;
    if (c.bad || version != 1 || len == 0)
        return h5r_fail(r, SGDI_ERR_FORMAT, "malformed link message");
    if (type == 1 || type >= 64) return add_link(r, h, NULL, 0, 0); // counted, not followed
    if (type != 0) return h5r_fail(r, SGDI_ERR_FORMAT, "link of unknown type %u", type);
    return add_link(r, h, name, (size_t)len, addr);
}

// Attribute message (0x000C), versions 1-3; the parts are decoded on lookup.
static sgdi_status parse_attribute(reader *r, header *h, cursor c) {
    unsigned version = (unsigned)take(&c, 1), flags = (unsigned)take(&c, 1);
    uint64_t name_size = take(&c, 2), type_size = take(&c, 2), space_size = take(&c, 2);
    if (version == 3) take_bytes(&c, 1); // name character set
    // Version 1 pads each part to a multiple of 8 bytes.
    uint64_t pad = version == 1 ? 7 : 0;
    attr_view a = {.shared = (flags & 3) != 0};
    a.name = take_bytes(&c, name_size);
    take_bytes(&c, ((name_size + pad) & ~pad) - name_size);
    a.type = sub(take_bytes(&c, type_size), type_size);
    take_bytes(&c, ((type_size + pad) & ~pad) - type_size);
    a.space = sub(take_bytes(&c, space_size), space_size);
    take_bytes(&c, ((space_size + pad) & ~pad) - space_size);
    if (c.bad || version < 1 || version > 3)
        return h5r_fail(r, SGDI_ERR_FORMAT, "malformed attribute message");
    a.value = sub(c.p + c.at, c.n - c.at);
    const uint8_t *nul = memchr(a.name, 0, (size_t)name_size);
    a.name_len = nul ? (size_t)(nul - a.name) : (size_t)name_size;
    if (!grow((void **)&h->attrs, &h->cap_attrs, h->n_attrs, sizeof *h->attrs))
        return h5r_fail(r, SGDI_ERR_NOMEM, "out of memory");
    h->attrs[h->n_attrs++] = a;
    return SGDI_OK;
}

static sgdi_status parse_message(reader *r, header *h, unsigned type, unsigned flags, cursor c) {
    static const char *const shared_kind[] = {[1] = "dataspace",
                                              [3] = "datatype",
                                              [4] = "fill value",
                                              [5] = "fill value",
                                              [12] = "attribute"};
    if ((flags & 0x02) && type < 13 && shared_kind[type])
        return h5r_fail(r, SGDI_ERR_UNSUPPORTED, "shared %s messages are not supported",
                        shared_kind[type]);
    uint64_t a, b;
    switch (type) {
    case 0x01: // dataspace; the first of each kind counts, as for libhdf5
        if (!h->has_space) h->space = c, h->has_space = true;
        return SGDI_OK;
    case 0x03: // datatype
        if (!h->has_type) h->type = c, h->has_type = true;
        return SGDI_OK;
    case 0x04: // fill value (old)
        if (!h->has_old_fill) h->old_fill = c, h->has_old_fill = true;
        return SGDI_OK;
    case 0x05: // fill value
        if (!h->has_fill) h->fill = c, h->has_fill = true;
        return SGDI_OK;
    case 0x08: // data layout
        if (!h->has_layout) h->layout = c, h->has_layout = true;
        return SGDI_OK;
    case 0x02: // link info: links in a fractal heap when its address is defined
        a = take(&c, 1), b = take(&c, 1);
        if (b & 1) take_bytes(&c, 8);
        h->dense_links = h5r_take_addr(r, &c) != H5R_UNDEFINED;
        h->linfo = true;
        if (c.bad || a != 0) return h5r_fail(r, SGDI_ERR_FORMAT, "malformed link info message");
        return SGDI_OK;
    case 0x15: // attribute info: likewise for attributes
        a = take(&c, 1), b = take(&c, 1);
        if (b & 1) take_bytes(&c, 2);
        h->dense_attrs = h5r_take_addr(r, &c) != H5R_UNDEFINED;
        if (c.bad || a != 0)
            return h5r_fail(r, SGDI_ERR_FORMAT, "malformed attribute info message");
        return SGDI_OK;
    case 0x06:
        return parse_link(r, h, c);
    case 0x07:
        h->external = true;
        return SGDI_OK;
    case 0x0C:
        return parse_attribute(r, h, c);
    case 0x11: // symbol table: v1 B-tree + local heap
        h->btree = h5r_take_addr(r, &c), h->heap = h5r_take_addr(r, &c), h->stab = true;
        if (c.bad) return h5r_fail(r, SGDI_ERR_FORMAT, "malformed symbol table message");
        return SGDI_OK;
    case 0x10: // continuation: another block of messages
        a = h5r_take_addr(r, &c), b = take(&c, r->lsize);
        if (c.bad || a == H5R_UNDEFINED || a >= r->size - r->base || b > r->size - r->base - a)
            return h5r_fail(r, SGDI_ERR_FORMAT, "object header continuation outside the file");
        if (r->n_chunks == H5R_MAX_CHUNKS)
            return h5r_fail(r, SGDI_ERR_FORMAT, "more than %d object header blocks",
                            H5R_MAX_CHUNKS);
        r->chunk_at[r->n_chunks] = r->base + a, r->chunk_len[r->n_chunks++] = b;
        return SGDI_OK;
    default: // NIL, group info, times, comments, B-tree K values, ...: not needed
        if (type > 0x17 && (flags & 0x80))
            return h5r_fail(r, SGDI_ERR_UNSUPPORTED, "unknown object header message type %u", type);
        return SGDI_OK;
    }
}

static sgdi_status read_header(reader *r, uint64_t addr, header *h) {
    cursor c = h5r_at(r, addr);
    bool v2 = c.n >= 4 && memcmp(c.p, "OHDR", 4) == 0;
    unsigned version, flags = 0;
    uint64_t len0;
    if (v2) {
        take_bytes(&c, 4);
        version = (unsigned)take(&c, 1), flags = (unsigned)take(&c, 1);
        if (flags & 0x20) take_bytes(&c, 16); // access/modification/change/birth times
        if (flags & 0x10) take_bytes(&c, 4);  // attribute storage phase change values
        len0 = take(&c, 1u << (flags & 3));
    } else {
        version = (unsigned)take(&c, 1);
        take_bytes(&c, 7); // reserved, message count, reference count
        len0 = take(&c, 4);
        take_bytes(&c, 4); // alignment of the messages to 8 bytes
    }
    if (c.bad)
        return h5r_fail(r, SGDI_ERR_FORMAT, "object header at %llu is outside the file",
                        (unsigned long long)addr);
    if (version != (v2 ? 2u : 1u))
        return h5r_fail(r, SGDI_ERR_UNSUPPORTED, "object header version %u is not supported",
                        version);
    if (len0 > c.n - c.at) return h5r_fail(r, SGDI_ERR_FORMAT, "object header runs past the file");
    r->n_chunks = 1;
    r->chunk_at[0] = (uint64_t)(c.p - r->buf) + c.at, r->chunk_len[0] = len0;
    unsigned msg_header = v2 ? 4 + (flags & 0x04 ? 2 : 0) : 8;
    for (int i = 0; i < r->n_chunks; i++) {
        cursor m = sub(r->buf + r->chunk_at[i], r->chunk_len[i]);
        if (v2 && i > 0 && !take_tag(&m, "OCHK"))
            return h5r_fail(r, SGDI_ERR_FORMAT, "object header continuation without its signature");
        if (v2 && i > 0) m.n = m.n >= 8 ? m.n - 4 : 4; // the checksum
        sgdi_status st = spend(r, 1);
        while (st == SGDI_OK && m.n - m.at >= msg_header) {
            unsigned type = (unsigned)take(&m, v2 ? 1 : 2), size = (unsigned)take(&m, 2);
            unsigned mflags = (unsigned)take(&m, 1);
            take_bytes(&m, msg_header - (v2 ? 4 : 5));
            const uint8_t *body = take_bytes(&m, size);
            if (!body)
                return h5r_fail(r, SGDI_ERR_FORMAT, "object header message runs past its block");
            st = spend(r, 1);
            if (st == SGDI_OK) st = parse_message(r, h, type, mflags, sub(body, size));
        }
        if (st != SGDI_OK) return st;
    }
    return SGDI_OK;
}

// --- Groups stored as symbol tables ------------------------------------------------

static sgdi_status read_snod(reader *r, uint64_t addr, cursor heap, header *h) {
    cursor c = h5r_at(r, addr);
    bool tagged = take_tag(&c, "SNOD");
    unsigned version = (unsigned)take(&c, 1);
    take_bytes(&c, 1);
    uint64_t n = take(&c, 2);
    if (c.bad || !tagged || version != 1)
        return h5r_fail(r, SGDI_ERR_FORMAT, "malformed symbol table node at %llu",
                        (unsigned long long)addr);
    sgdi_status st = spend(r, n);
    for (uint64_t i = 0; st == SGDI_OK && i < n; i++) {
        uint64_t name_at = take(&c, r->osize), obj = h5r_take_addr(r, &c);
        uint64_t cache = take(&c, 4);
        take_bytes(&c, 20); // reserved, scratch pad
        const uint8_t *name = name_at < heap.n ? heap.p + name_at : NULL;
        const uint8_t *nul = name ? memchr(name, 0, (size_t)(heap.n - name_at)) : NULL;
        if (c.bad || !nul)
            return h5r_fail(r, SGDI_ERR_FORMAT, "malformed symbol table entry at %llu",
                            (unsigned long long)addr);
        // Cache type 2 marks a soft link: counted, not followed.
        st = add_link(r, h, cache == 2 ? NULL : name, cache == 2 ? 0 : (size_t)(nul - name), obj);
    }
    return st;
}

// A group's v1 B-tree (node type 0): keys are heap offsets, leaves are SNODs.
static sgdi_status read_btree(reader *r, uint64_t addr, int level, cursor heap, header *h) {
    cursor c = h5r_at(r, addr);
    bool tagged = take_tag(&c, "TREE");
    unsigned type = (unsigned)take(&c, 1), node_level = (unsigned)take(&c, 1);
    uint64_t entries = take(&c, 2);
    take_bytes(&c, 2 * r->osize); // siblings
    if (c.bad || !tagged || type != 0)
        return h5r_fail(r, SGDI_ERR_FORMAT, "malformed group B-tree node at %llu",
                        (unsigned long long)addr);
    if ((level >= 0 && (int)node_level != level) || node_level > MAX_BTREE_LEVEL)
        return h5r_fail(r, SGDI_ERR_FORMAT, "group B-tree node at %llu has level %u",
                        (unsigned long long)addr, node_level);
    sgdi_status st = spend(r, entries + 1);
    for (uint64_t i = 0; st == SGDI_OK && i < entries; i++) {
        take_bytes(&c, r->lsize);
        uint64_t child = h5r_take_addr(r, &c);
        if (c.bad)
            return h5r_fail(r, SGDI_ERR_FORMAT, "group B-tree node at %llu is truncated",
                            (unsigned long long)addr);
        st = node_level == 0 ? read_snod(r, child, heap, h)
                             : read_btree(r, child, (int)node_level - 1, heap, h);
    }
    return st;
}

static sgdi_status read_symbol_table(reader *r, header *h) {
    cursor c = h5r_at(r, h->heap);
    bool tagged = take_tag(&c, "HEAP");
    unsigned version = (unsigned)take(&c, 1);
    take_bytes(&c, 3);
    uint64_t size = take(&c, r->lsize);
    take_bytes(&c, r->lsize); // free list
    cursor data = h5r_at(r, h5r_take_addr(r, &c));
    if (c.bad || !tagged || version != 0 || data.bad || size > data.n)
        return h5r_fail(r, SGDI_ERR_FORMAT, "malformed local heap at %llu",
                        (unsigned long long)h->heap);
    data.n = size;
    return read_btree(r, h->btree, -1, data, h);
}

// --- The walk ------------------------------------------------------------------------

static sgdi_status visit_object(reader *r, uint64_t addr, int depth);

static sgdi_status follow_links(reader *r, header *h, int depth) {
    if (h->linfo && h->dense_links)
        return h5r_fail(r, SGDI_ERR_UNSUPPORTED,
                        "dense link storage (fractal heap) is not supported; "
                        "only groups with symbol tables or compact links are read");
    sgdi_status st = h->linfo ? SGDI_OK : read_symbol_table(r, h);
    size_t saved = r->path_len;
    for (size_t i = 0; st == SGDI_OK && i < h->n_links; i++) {
        const link_view *l = &h->links[i];
        if (!l->name) continue; // soft or external
        bool dots = (l->name_len == 1 && l->name[0] == '.') ||
                    (l->name_len == 2 && l->name[0] == '.' && l->name[1] == '.');
        if (l->name_len == 0 || dots || memchr(l->name, '/', l->name_len) ||
            memchr(l->name, 0, l->name_len))
            return h5r_fail(r, SGDI_ERR_FORMAT, "malformed link name");
        size_t need = saved + (saved > 0) + l->name_len;
        if (need >= sizeof r->path)
            return h5r_fail(r, SGDI_ERR_FORMAT, "an object path is longer than %d bytes",
                            SGDI_H5_MAX_PATH - 1);
        if (saved > 0) r->path[saved] = '/';
        memcpy(r->path + saved + (saved > 0), l->name, l->name_len);
        r->path[need] = '\0';
        r->path_len = need;
        st = visit_object(r, l->addr, depth + 1);
        r->path_len = saved;
        r->path[saved] = '\0';
    }
    return st;
}

static sgdi_status visit_object(reader *r, uint64_t addr, int depth) {
    // An object reached again (several hard links, or a cycle) is reported under
    // each path, as H5Lvisit does, but a group's links are followed only once.
    bool fresh = false;
    sgdi_status st = mark_seen(r, addr, &fresh);
    if (st != SGDI_OK) return st;
    if (depth > SGDI_H5_MAX_DEPTH)
        return h5r_fail(r, SGDI_ERR_FORMAT, "groups nested more than %d deep", SGDI_H5_MAX_DEPTH);
    header h = {0};
    st = read_header(r, addr, &h);
    sgdi_h5_object_data d = {r, &h, NULL, NULL};
    sgdi_h5_object o = {.file = r->file, .path = r->path, .data = &d};
    // A committed (named) datatype holds a datatype but no dataspace: skipped, as
    // nnabla's loader skips it.
    bool group = h.linfo || h.stab, dataset = !group && (h.has_layout || h.has_space);
    bool named_type = !group && !dataset && h.has_type;
    if (st == SGDI_OK && depth == 0 && !group)
        st = h5r_fail(r, SGDI_ERR_FORMAT, "the object is not a group");
    else if (st == SGDI_OK && !group && !dataset && !named_type)
        st = h5r_fail(r, SGDI_ERR_FORMAT, "neither a group nor a dataset");
    if (st == SGDI_OK && group) {
        o.is_group = true;
        if (depth > 0) st = r->visit(&o, r->ctx, r->err);
        if (st == SGDI_OK && fresh) st = follow_links(r, &h, depth);
    } else if (st == SGDI_OK && dataset) {
        bool null = false;
        if (!h.has_type || !h.has_space || !h.has_layout)
            st = h5r_fail(r, SGDI_ERR_FORMAT,
                          "dataset without a datatype, dataspace or data layout message");
        if (st == SGDI_OK) st = h5r_parse_space(r, h.space, "", &o.shape, &o.count, &null);
        if (st == SGDI_OK && null)
            st = h5r_fail(r, SGDI_ERR_FORMAT, "null dataspace (no elements)");
        if (st == SGDI_OK) st = h5r_parse_type(r, h.type, "", &o.type);
        if (st == SGDI_OK) st = h5r_locate_data(r, &h, &o, &d);
        if (st == SGDI_OK) st = r->visit(&o, r->ctx, r->err);
    }
    free(h.attrs);
    free(h.links);
    return st;
}

static sgdi_status read_superblock(reader *r, uint64_t *root) {
    // A user block may come first: the superblock is at 0, 512, 1024, 2048, ...
    uint64_t found = H5R_UNDEFINED;
    for (uint64_t p = 0; found == H5R_UNDEFINED && p + sizeof signature <= r->size;
         p = p ? 2 * p : 512)
        if (memcmp(r->buf + p, signature, sizeof signature) == 0) found = p;
    if (found == H5R_UNDEFINED)
        return sgdi_fail(r->err, SGDI_ERR_FORMAT, "%s: not an HDF5 file", r->file);
    // Addresses count from the superblock (libhdf5 does the same when a user
    // block was added after the file was written).
    r->base = found;
    cursor c = sub(r->buf + found + 8, r->size - found - 8);
    unsigned version = (unsigned)take(&c, 1);
    if (version <= 1) take_bytes(&c, 4); // versions of free space, root entry, shared headers
    r->osize = (unsigned)take(&c, 1), r->lsize = (unsigned)take(&c, 1);
    const char *problem = NULL;
    if (version > 3)
        problem = "superblock version not supported";
    else if ((r->osize != 2 && r->osize != 4 && r->osize != 8) ||
             (r->lsize != 2 && r->lsize != 4 && r->lsize != 8))
        problem = "unsupported size of addresses or lengths";
    if (!problem && version <= 1) {
        take_bytes(&c, 1 + 4 + 4 + (version == 1 ? 4 : 0)); // K values, flags
        take_bytes(&c, 4 * (uint64_t)r->osize);             // base, free space, end of file, driver
        take_bytes(&c, r->osize);                           // root entry: link name offset
        *root = h5r_take_addr(r, &c);
    } else if (!problem) {
        take_bytes(&c, 1 + 3 * (uint64_t)r->osize); // flags, base, extension, end of file
        *root = h5r_take_addr(r, &c);
    }
    if (!problem && c.bad) problem = "superblock is truncated";
    if (problem)
        return sgdi_fail(r->err, SGDI_ERR_FORMAT, "%s: not a readable HDF5 file (%s)", r->file,
                         problem);
    return SGDI_OK;
}

sgdi_status sgdi_h5_walk(const void *bytes, size_t size, const char *name, sgdi_h5_visit_fn visit,
                         void *ctx, sgdi_error *err) {
    reader *r = calloc(1, sizeof *r); // zeroed: empty path, no chunks, empty visited set
    if (!r) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name);
    r->buf = bytes, r->size = size, r->file = name, r->err = err;
    r->visit = visit, r->ctx = ctx;
    uint64_t root = H5R_UNDEFINED;
    sgdi_status st = read_superblock(r, &root);
    if (st == SGDI_OK) st = visit_object(r, root, 0);
    free(r->seen);
    free(r);
    return st;
}
