/*
 * h5read_data.c — datatypes, dataspaces and data layouts of the HDF5 reader
 * (h5read.h), and turning stored elements into values.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/h5read_internal.h"
#include "util/error.h"

// Unwritten data reads as its fill value; how far beyond the file size such
// a dataset may reach before it counts as a lie about its shape.
static const uint64_t FILL_SLACK = 64 * 1024;

// --- Datatypes, dataspaces, layouts ----------------------------------------------------

sgdi_status h5r_parse_type(reader *r, cursor c, const char *what, sgdi_h5_type *t) {
    unsigned head = (unsigned)take(&c, 1), bits = (unsigned)take(&c, 3);
    *t = (sgdi_h5_type){.type_class = (int)(head & 15), .size = (uint32_t)take(&c, 4)};
    bool numeric = t->type_class == SGDI_H5_INTEGER || t->type_class == SGDI_H5_FLOAT;
    unsigned offset = numeric ? (unsigned)take(&c, 2) : 0;
    unsigned precision = numeric ? (unsigned)take(&c, 2) : 0;
    if (c.bad || head >> 4 < 1 || head >> 4 > 5 || t->size == 0)
        return h5r_fail(r, SGDI_ERR_FORMAT, "%smalformed datatype", what);
    if (t->type_class == SGDI_H5_INTEGER) {
        t->big_endian = bits & 1, t->is_signed = bits & 8;
        if (precision == 0 || (uint64_t)offset + precision > 8 * (uint64_t)t->size)
            return h5r_fail(r, SGDI_ERR_FORMAT, "%smalformed integer datatype", what);
        if (offset != 0 || precision != 8 * t->size || (t->size & (t->size - 1)) || t->size > 8)
            return h5r_fail(r, SGDI_ERR_UNSUPPORTED,
                            "%s%u-bit integers in %u bytes (at bit %u) are not supported", what,
                            precision, t->size, offset);
    } else if (t->type_class == SGDI_H5_FLOAT) {
        // Only IEEE binary32 / binary64: byte order bits 0 and 6, sign bit in bits 8-15,
        // then exponent at/size, mantissa at/size, exponent bias.
        unsigned e_at = (unsigned)take(&c, 1), e_size = (unsigned)take(&c, 1);
        unsigned m_at = (unsigned)take(&c, 1), m_size = (unsigned)take(&c, 1);
        uint64_t bias = take(&c, 4);
        bool f32 = t->size == 4 && precision == 32 && e_at == 23 && e_size == 8 && m_size == 23 &&
                   bias == 127 && (bits >> 8 & 255) == 31;
        bool f64 = t->size == 8 && precision == 64 && e_at == 52 && e_size == 11 && m_size == 52 &&
                   bias == 1023 && (bits >> 8 & 255) == 63;
        t->big_endian = bits & 1;
        t->is_signed = true;
        if (c.bad || !(f32 || f64) || offset != 0 || m_at != 0 || (bits & 0x40) ||
            (bits >> 4 & 3) != 2)
            return h5r_fail(r, SGDI_ERR_UNSUPPORTED,
                            "%sfloating-point format other than IEEE binary32/binary64", what);
    } else if (t->type_class == SGDI_H5_ENUM) {
        // The base type follows, then member names and values (not needed). Checking
        // its class first keeps the recursion one level deep.
        sgdi_h5_type base;
        if (c.n < 9 || (c.p[8] & 15) != SGDI_H5_INTEGER)
            return h5r_fail(r, SGDI_ERR_UNSUPPORTED, "%senum over a non-integer type", what);
        sgdi_status st = h5r_parse_type(r, sub(c.p + 8, c.n - 8), what, &base);
        if (st != SGDI_OK) return st;
        if (base.size != t->size) return h5r_fail(r, SGDI_ERR_FORMAT, "%smalformed enum", what);
        t->big_endian = base.big_endian, t->is_signed = base.is_signed;
    }
    return SGDI_OK;
}

// Dataspace message (versions 1 and 2); *null is set for a null dataspace.
sgdi_status h5r_parse_space(reader *r, cursor c, const char *what, sgdi_shape *shape,
                            int64_t *count, bool *null) {
    unsigned version = (unsigned)take(&c, 1), ndims = (unsigned)take(&c, 1);
    take_bytes(&c, 1); // flags: maximum dimensions follow (not needed)
    unsigned kind = version == 1 ? (ndims > 0) : (unsigned)take(&c, 1);
    if (version == 1) take_bytes(&c, 5);
    *shape = (sgdi_shape){0};
    *count = kind == 2 ? 0 : 1;
    *null = kind == 2;
    if (c.bad || version < 1 || version > 2 || kind > 2)
        return h5r_fail(r, SGDI_ERR_FORMAT, "%smalformed dataspace", what);
    if (kind != 1) return SGDI_OK;
    if (ndims > SGDI_MAX_DIMS)
        return h5r_fail(r, SGDI_ERR_FORMAT, "%s%u dimensions (0 to %d allowed)", what, ndims,
                        SGDI_MAX_DIMS);
    shape->ndim = (int)ndims;
    for (unsigned d = 0; d < ndims; d++) {
        uint64_t dim = take(&c, r->lsize);
        if (c.bad) return h5r_fail(r, SGDI_ERR_FORMAT, "%smalformed dataspace", what);
        if (dim > (uint64_t)INT64_MAX || !sgdi_mul_i64(*count, (int64_t)dim, count))
            return h5r_fail(r, SGDI_ERR_FORMAT, "%sshape too large", what);
        shape->dim[d] = (int64_t)dim;
    }
    return SGDI_OK;
}

// Where a dataset's elements are: d->raw, or d->fill when never written.
sgdi_status h5r_locate_data(reader *r, const header *h, const sgdi_h5_object *o,
                            sgdi_h5_object_data *d) {
    int64_t bytes;
    if (!sgdi_mul_i64(o->count, o->type.size, &bytes) || (uint64_t)bytes > r->size + FILL_SLACK)
        return h5r_fail(r, SGDI_ERR_FORMAT,
                        "declares %llu bytes of data, more than a %llu-byte file "
                        "can hold",
                        (unsigned long long)o->count * o->type.size, (unsigned long long)r->size);
    if (h->external) return h5r_fail(r, SGDI_ERR_UNSUPPORTED, "data in external files is not read");
    cursor c = h->layout;
    unsigned version = (unsigned)take(&c, 1), layout = (unsigned)take(&c, 1);
    if (c.bad) return h5r_fail(r, SGDI_ERR_FORMAT, "malformed data layout message");
    if (version < 3 || version > 4)
        return h5r_fail(r, SGDI_ERR_UNSUPPORTED, "data layout message version %u is not supported",
                        version);
    uint64_t addr = H5R_UNDEFINED, size;
    if (layout == 0) { // compact: the data is in the message
        size = take(&c, 2);
        d->raw = take_bytes(&c, size);
    } else if (layout == 1) { // contiguous
        addr = h5r_take_addr(r, &c), size = take(&c, r->lsize);
        cursor data = h5r_at(r, addr);
        if (addr != H5R_UNDEFINED) d->raw = take_bytes(&data, size);
    } else {
        return h5r_fail(r, SGDI_ERR_UNSUPPORTED,
                        "%s storage is not supported (only contiguous and "
                        "compact datasets are read)",
                        layout == 2 ? "chunked" : "virtual or unknown");
    }
    if (c.bad || (addr != H5R_UNDEFINED && !d->raw))
        return h5r_fail(r, SGDI_ERR_FORMAT, "data layout points outside the file");
    if (size != (uint64_t)bytes && (d->raw || layout == 0))
        return h5r_fail(r, SGDI_ERR_FORMAT, "%llu bytes of data for %llu bytes of elements",
                        (unsigned long long)size, (unsigned long long)bytes);
    if (d->raw || bytes == 0) return SGDI_OK;
    // Never written: the fill value (new message, versions 1-3; else the old one), else 0.
    c = h->has_fill ? h->fill : h->old_fill;
    uint64_t fill_size = 0;
    if (h->has_fill) {
        version = (unsigned)take(&c, 1);
        unsigned flags = (unsigned)take(&c, 1); // v3 flags; v1/v2: allocation time
        take_bytes(&c, version < 3 ? 1 : 0);
        bool defined = version < 3 ? take(&c, 1) != 0 || version == 1 : (flags & 0x20) != 0;
        if (defined) fill_size = take(&c, 4);
        if (version < 1 || version > 3) c.bad = true;
    } else if (h->has_old_fill) {
        fill_size = take(&c, 4);
    }
    d->fill = fill_size > 0 ? take_bytes(&c, fill_size) : NULL;
    if (c.bad) return h5r_fail(r, SGDI_ERR_FORMAT, "malformed fill value message");
    if (d->fill && fill_size != o->type.size)
        return h5r_fail(r, SGDI_ERR_FORMAT, "fill value of %llu bytes for %u-byte elements",
                        (unsigned long long)fill_size, o->type.size);
    return SGDI_OK;
}

// --- Values ---------------------------------------------------------------------------

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static sgdi_status
object_fail(const sgdi_h5_object *o, sgdi_error *err, sgdi_status st, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sgdi_fail(err, st, "%s: '%s': %s", o->file, o->path, msg);
}

static uint64_t load_bits(const uint8_t *p, const sgdi_h5_type *t) {
    uint64_t v = 0;
    for (uint32_t k = 0; k < t->size; k++) v = v << 8 | p[t->big_endian ? k : t->size - 1 - k];
    return v;
}

static int64_t load_int(const uint8_t *p, const sgdi_h5_type *t) {
    uint64_t v = load_bits(p, t);
    unsigned bits = 8 * t->size;
    if (t->is_signed && bits < 64 && (v >> (bits - 1) & 1)) v |= ~UINT64_C(0) << bits;
    if (!t->is_signed && v > (uint64_t)INT64_MAX) return INT64_MAX;
    return (int64_t)v;
}

static float load_float(const uint8_t *p, const sgdi_h5_type *t) {
    uint64_t v = load_bits(p, t);
    if (t->type_class == SGDI_H5_FLOAT && t->size == 4) {
        uint32_t v32 = (uint32_t)v;
        float f;
        memcpy(&f, &v32, sizeof f);
        return f;
    }
    if (t->type_class == SGDI_H5_FLOAT) {
        double x;
        memcpy(&x, &v, sizeof x);
        return (float)x;
    }
    return t->is_signed ? (float)load_int(p, t) : (float)v;
}

static const uint8_t zeros[8];

static const uint8_t *element(const sgdi_h5_object *o, int64_t i) {
    if (o->data->raw) return o->data->raw + (uint64_t)i * o->type.size;
    return o->data->fill ? o->data->fill : zeros;
}

sgdi_status sgdi_h5_read_floats(const sgdi_h5_object *o, float *out, sgdi_error *err) {
    if (o->is_group ||
        (o->type.type_class != SGDI_H5_INTEGER && o->type.type_class != SGDI_H5_FLOAT))
        return object_fail(o, err, SGDI_ERR_INVALID, "not a numeric dataset");
    for (int64_t i = 0; i < o->count; i++) out[i] = load_float(element(o, i), &o->type);
    return SGDI_OK;
}

sgdi_status sgdi_h5_read_first_int(const sgdi_h5_object *o, int64_t *out, sgdi_error *err) {
    if (o->is_group || o->type.type_class != SGDI_H5_INTEGER || o->count < 1)
        return object_fail(o, err, SGDI_ERR_INVALID, "not an integer dataset");
    *out = load_int(element(o, 0), &o->type);
    return SGDI_OK;
}

// The parsers report through the reader, whose path is this object's while
// the visitor runs.
static sgdi_status find_attribute(reader *r, const sgdi_h5_object *o, const char *attr,
                                  bool allow_enum, bool *found, int64_t *value) {
    const header *h = o->data->h;
    size_t len = strlen(attr);
    for (size_t i = 0; i < h->n_attrs; i++) {
        const attr_view *a = &h->attrs[i];
        if (a->name_len != len || memcmp(a->name, attr, len) != 0) continue;
        if (a->shared)
            return h5r_fail(r, SGDI_ERR_UNSUPPORTED,
                            "attribute '%s' uses a shared datatype or "
                            "dataspace, which is not supported",
                            attr);
        char what[300];
        snprintf(what, sizeof what, "attribute '%s': ", attr);
        sgdi_shape shape;
        int64_t count;
        bool null;
        sgdi_h5_type t;
        sgdi_status st = h5r_parse_space(r, a->space, what, &shape, &count, &null);
        if (st != SGDI_OK) return st;
        if (count != 1)
            return h5r_fail(r, SGDI_ERR_FORMAT, "attribute '%s' is not a single value", attr);
        st = h5r_parse_type(r, a->type, what, &t);
        if (st != SGDI_OK) return st;
        if (t.type_class != SGDI_H5_INTEGER && !(allow_enum && t.type_class == SGDI_H5_ENUM))
            return h5r_fail(r, SGDI_ERR_FORMAT, "attribute '%s' is not an integer%s", attr,
                            allow_enum ? " or boolean" : "");
        if (a->value.n < t.size)
            return h5r_fail(r, SGDI_ERR_FORMAT, "attribute '%s' is truncated", attr);
        *value = load_int(a->value.p, &t);
        *found = true;
        return SGDI_OK;
    }
    if (h->dense_attrs)
        return h5r_fail(r, SGDI_ERR_UNSUPPORTED,
                        "attributes in dense storage (fractal heap) are "
                        "not supported; '%s' may be among them",
                        attr);
    return SGDI_OK;
}

sgdi_status sgdi_h5_int_attribute(const sgdi_h5_object *o, const char *attr, bool allow_enum,
                                  bool *found, int64_t *value, sgdi_error *err) {
    reader *r = o->data->r;
    sgdi_error *walk_err = r->err;
    r->err = err;
    *found = false;
    sgdi_status st = find_attribute(r, o, attr, allow_enum, found, value);
    r->err = walk_err;
    return st;
}
