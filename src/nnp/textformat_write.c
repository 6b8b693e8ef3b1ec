/*
 * textformat_write.c — protobuf-c message → protobuf text format, laid out as
 * nnabla's Python printer (google.protobuf.text_format) writes it. See
 * sgdi_textformat_write in textformat.h.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/textformat.h"
#include "nnp/textformat_lex.h"
#include "util/error.h"

typedef struct tf_out {
    char *buf;
    size_t len, cap;
    bool nomem;
} tf_out;

static void out_bytes(tf_out *o, const char *s, size_t n) {
    if (o->nomem) return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 1024;
        while (cap < o->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                o->nomem = true;
                return;
            }
            cap *= 2;
        }
        char *bigger = realloc(o->buf, cap);
        if (!bigger) {
            o->nomem = true;
            return;
        }
        o->buf = bigger;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void out_str(tf_out *o, const char *s) {
    out_bytes(o, s, strlen(s));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
out_fmt(tf_out *o, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) out_bytes(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void out_indent(tf_out *o, int depth) {
    for (int i = 0; i < depth; i++) out_bytes(o, "  ", 2);
}

// "..." with \n \r \t \" \' \\ escaped and other bytes outside 0x20..0x7e
// as 3-digit octal (Python's CEscape without as_utf8).
static void out_quoted(tf_out *o, const uint8_t *s, size_t n) {
    out_bytes(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (c) {
        case '\n':
            out_bytes(o, "\\n", 2);
            break;
        case '\r':
            out_bytes(o, "\\r", 2);
            break;
        case '\t':
            out_bytes(o, "\\t", 2);
            break;
        case '"':
            out_bytes(o, "\\\"", 2);
            break;
        case '\'':
            out_bytes(o, "\\'", 2);
            break;
        case '\\':
            out_bytes(o, "\\\\", 2);
            break;
        default:
            if (c < 0x20 || c >= 0x7f)
                out_fmt(o, "\\%03o", c);
            else
                out_bytes(o, (const char *)&c, 1);
        }
    }
    out_bytes(o, "\"", 1);
}

static void out_real(tf_out *o, double v, bool is_float) {
    if (isnan(v))
        out_str(o, signbit(v) ? "-nan" : "nan"); // the sign survives a round trip
    else if (isinf(v))
        out_str(o, v < 0 ? "-inf" : "inf");
    else
        out_fmt(o, is_float ? "%.9g" : "%.17g", v);
}

static bool write_message(tf_out *o, const ProtobufCMessage *msg, int depth);

// One `name: value` line or `name { ... }` block for the element at `member`.
static bool write_value(tf_out *o, const ProtobufCFieldDescriptor *f, const void *member,
                        int depth) {
    out_indent(o, depth);
    out_str(o, f->name);
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        out_str(o, " {\n");
        if (!write_message(o, *(ProtobufCMessage *const *)member, depth + 1)) return false;
        out_indent(o, depth);
        out_str(o, "}\n");
        return true;
    }
    out_str(o, ": ");
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        out_fmt(o, "%" PRId32, *(const int32_t *)member);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        out_fmt(o, "%" PRIu32, *(const uint32_t *)member);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        out_fmt(o, "%" PRId64, *(const int64_t *)member);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        out_fmt(o, "%" PRIu64, *(const uint64_t *)member);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        out_real(o, *(const float *)member, true);
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        out_real(o, *(const double *)member, false);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        out_str(o, *(const protobuf_c_boolean *)member ? "true" : "false");
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t v = *(const int32_t *)member;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        if (ev)
            out_str(o, ev->name);
        else
            out_fmt(o, "%" PRId32, v);
        break;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)member;
        out_quoted(o, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = member;
        out_quoted(o, b->data, b->data ? b->len : 0);
        break;
    }
    default:
        return false;
    }
    out_str(o, "\n");
    return true;
}

// True if a singular proto3 field holds its default (left out when writing):
// all bits zero, "" or no message — what protobuf-c's pack leaves out too.
static bool is_default(const ProtobufCFieldDescriptor *f, const void *member) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)member;
        return !s || !s[0];
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)member)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(const void *const *)member == NULL;
    case PROTOBUF_C_TYPE_BOOL:
        return *(const protobuf_c_boolean *)member == 0;
    default: {
        static const uint8_t zero[8];
        size_t n = f->type == PROTOBUF_C_TYPE_DOUBLE || f->type == PROTOBUF_C_TYPE_INT64 ||
                           f->type == PROTOBUF_C_TYPE_SINT64 ||
                           f->type == PROTOBUF_C_TYPE_SFIXED64 ||
                           f->type == PROTOBUF_C_TYPE_UINT64 || f->type == PROTOBUF_C_TYPE_FIXED64
                       ? 8
                       : 4;
        return memcmp(member, zero, n) == 0;
    }
    }
}

static bool write_message(tf_out *o, const ProtobufCMessage *msg, int depth) {
    if (!msg || depth > SGDI_TEXTFORMAT_MAX_DEPTH) return false;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const char *base = (const char *)msg;
    // desc->fields is in field-number order, as Python's ListFields().
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const void *member = base + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(const char *const *)member;
            size_t es = tf_value_size(f->type);
            for (size_t k = 0; k < n; k++)
                if (!write_value(o, f, arr + k * es, depth)) return false;
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *)(base + f->quantifier_offset) != f->id) continue;
        } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
                   f->type != PROTOBUF_C_TYPE_STRING) {
            if (!*(const protobuf_c_boolean *)(base + f->quantifier_offset)) continue;
        } else if (is_default(f, member)) {
            continue;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && !*(const void *const *)member) continue;
        if (!write_value(o, f, member, depth)) return false;
    }
    return true;
}

sgdi_status sgdi_textformat_write(const ProtobufCMessage *msg, char **out, size_t *out_size,
                                  sgdi_error *err) {
    if (!out || !msg)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_textformat_write: NULL argument");
    *out = NULL;
    tf_out o = {0};
    out_bytes(&o, "", 0);
    bool ok = write_message(&o, msg, 0);
    if (o.nomem || !ok) {
        free(o.buf);
        if (o.nomem) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing text format");
        return sgdi_fail(err, SGDI_ERR_INVALID, "message nested deeper than %d levels",
                         SGDI_TEXTFORMAT_MAX_DEPTH);
    }
    *out = o.buf;
    if (out_size) *out_size = o.len;
    sgdi_error_clear(err);
    return SGDI_OK;
}
