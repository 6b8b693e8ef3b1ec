/*
 * textformat_value.c — the scalar values of the protobuf text format
 * (integers, floats, booleans, enums, strings), read from the token stream
 * for one field descriptor. Internal to textformat.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/textformat.h"
#include "nnp/textformat_lex.h"

size_t tf_value_size(ProtobufCType type) {
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4; // int32, sint32, sfixed32, uint32, fixed32, float, enum
    }
}

// --- Scalar values ---------------------------------------------------------------

// Copies a number token into buf (NUL-terminated); false if too long.
static bool number_text(const tf_token *t, char *buf, size_t size) {
    if (t->len + 1 > size) return false;
    memcpy(buf, t->p, t->len);
    buf[t->len] = '\0';
    return true;
}

static bool parse_int(tf_lexer *lx, const ProtobufCFieldDescriptor *f, bool is_signed, int bits,
                      tf_value *v) {
    tf_token t;
    bool neg = false;
    if (!tf_lex_next(lx, &t)) return false;
    if (is_signed && tf_is_punct(&t, '-')) {
        neg = true;
        if (!tf_lex_next(lx, &t)) return false;
    }
    char buf[72];
    if (t.kind != TF_NUMBER) return tf_fail_expected(lx, &t, "an integer", f->name);
    if (!number_text(&t, buf, sizeof buf)) return tf_fail_expected(lx, &t, "an integer", f->name);
    bool hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
    if (hex && t.len == 2)
        return tf_fail_at(lx, t.line, t.col, "invalid integer '0x' for field '%s'", f->name);
    for (size_t i = hex ? 2 : 0; buf[i]; i++) {
        char c = buf[i];
        bool ok =
            (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
        if (!ok) {
            return tf_fail_at(lx, t.line, t.col, "invalid integer %s for field '%s'",
                              tf_describe(&t, buf, sizeof buf), f->name);
        }
    }
    if (!hex && buf[0] == '0' && buf[1] != '\0') {
        for (size_t i = 1; buf[i]; i++)
            if (buf[i] > '7')
                return tf_fail_at(lx, t.line, t.col, "invalid octal integer for field '%s'",
                                  f->name);
    }
    errno = 0;
    unsigned long long mag = strtoull(buf, NULL, 0);
    uint64_t limit = is_signed ? ((uint64_t)1 << (bits - 1)) - (neg ? 0 : 1)
                               : (bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1);
    if (errno == ERANGE || mag > limit)
        return tf_fail_at(lx, t.line, t.col, "integer out of range for field '%s'", f->name);
    if (is_signed) {
        int64_t s = neg ? (int64_t)(0 - (uint64_t)mag) : (int64_t)mag;
        if (bits == 32)
            v->i32 = (int32_t)s;
        else
            v->i64 = s;
    } else if (bits == 32) {
        v->u32 = (uint32_t)mag;
    } else {
        v->u64 = mag;
    }
    return true;
}

static bool word_ci(const tf_token *t, const char *w) {
    size_t n = strlen(w);
    if (t->kind != TF_IDENT || t->len != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = t->p[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != w[i]) return false;
    }
    return true;
}

static bool parse_real(tf_lexer *lx, const ProtobufCFieldDescriptor *f, double *out) {
    tf_token t;
    bool neg = false;
    if (!tf_lex_next(lx, &t)) return false;
    if (tf_is_punct(&t, '-')) {
        neg = true;
        if (!tf_lex_next(lx, &t)) return false;
    }
    double d;
    if (word_ci(&t, "inf") || word_ci(&t, "infinity") || word_ci(&t, "inff") ||
        word_ci(&t, "infinityf")) {
        d = INFINITY;
    } else if (word_ci(&t, "nan") || word_ci(&t, "nanf")) {
        d = NAN;
    } else if (t.kind == TF_NUMBER) {
        char buf[72];
        if (!number_text(&t, buf, sizeof buf)) return tf_fail_expected(lx, &t, "a number", f->name);
        size_t n = t.len;
        if (n > 1 && (buf[n - 1] == 'f' || buf[n - 1] == 'F')) buf[--n] = '\0';
        for (size_t i = 0; i < n; i++) {
            char c = buf[i];
            if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' ||
                  c == '+'))
                return tf_fail_at(lx, t.line, t.col, "invalid number %s for field '%s'",
                                  tf_describe(&t, buf, sizeof buf), f->name);
        }
        char *end = NULL;
        d = strtod(buf, &end);
        if (end != buf + n)
            return tf_fail_at(lx, t.line, t.col, "invalid number %s for field '%s'",
                              tf_describe(&t, buf, sizeof buf), f->name);
    } else {
        return tf_fail_expected(lx, &t, "a number", f->name);
    }
    *out = neg ? -d : d;
    return true;
}

static bool parse_bool(tf_lexer *lx, const ProtobufCFieldDescriptor *f, tf_value *v) {
    tf_token t;
    if (!tf_lex_next(lx, &t)) return false;
    if (tf_is_word(&t, "true") || tf_is_word(&t, "True") || tf_is_word(&t, "t") ||
        (t.kind == TF_NUMBER && t.len == 1 && t.p[0] == '1')) {
        v->b = 1;
    } else if (tf_is_word(&t, "false") || tf_is_word(&t, "False") || tf_is_word(&t, "f") ||
               (t.kind == TF_NUMBER && t.len == 1 && t.p[0] == '0')) {
        v->b = 0;
    } else {
        return tf_fail_expected(lx, &t, "a boolean", f->name);
    }
    return true;
}

static bool parse_enum(tf_lexer *lx, const ProtobufCFieldDescriptor *f, tf_value *v) {
    tf_token t;
    if (!tf_lex_peek(lx, &t)) return false;
    if (t.kind == TF_IDENT) {
        tf_lex_next(lx, &t);
        char name[128];
        if (t.len < sizeof name) {
            memcpy(name, t.p, t.len);
            name[t.len] = '\0';
            const ProtobufCEnumValue *ev =
                protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, name);
            if (ev) {
                v->i32 = ev->value;
                return true;
            }
        }
        char d[80];
        return tf_fail_at(lx, t.line, t.col, "unknown enum value %s for field '%s'",
                          tf_describe(&t, d, sizeof d), f->name);
    }
    return parse_int(lx, f, true, 32, v);
}

// One or more adjacent string tokens, decoded into a new malloc'd string.
static bool parse_string(tf_lexer *lx, const ProtobufCFieldDescriptor *f, tf_value *v, char **sbuf,
                         size_t *slen, size_t *scap) {
    tf_token t;
    if (!tf_lex_peek(lx, &t)) return false;
    if (t.kind != TF_STRING) {
        tf_lex_next(lx, &t);
        return tf_fail_expected(lx, &t, "a string", f->name);
    }
    *slen = 0;
    while (t.kind == TF_STRING) {
        tf_lex_next(lx, &t);
        if (!tf_decode_string(lx, &t, sbuf, slen, scap, SGDI_TEXTFORMAT_MAX_STRING)) return false;
        if (!tf_lex_peek(lx, &t)) return false;
    }
    char *copy = malloc(*slen + 1);
    if (!copy) return tf_fail_nomem(lx);
    if (*slen) memcpy(copy, *sbuf, *slen);
    copy[*slen] = '\0';
    if (f->type == PROTOBUF_C_TYPE_BYTES) {
        v->bin.data = (uint8_t *)copy;
        v->bin.len = *slen;
    } else {
        v->s = copy;
    }
    return true;
}

bool tf_parse_value(tf_lexer *lx, const ProtobufCFieldDescriptor *f, tf_value *v, char **sbuf,
                    size_t *slen, size_t *scap) {
    double d;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return parse_int(lx, f, true, 32, v);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return parse_int(lx, f, true, 64, v);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return parse_int(lx, f, false, 32, v);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return parse_int(lx, f, false, 64, v);
    case PROTOBUF_C_TYPE_FLOAT:
        if (!parse_real(lx, f, &d)) return false;
        v->f = (float)d;
        return true;
    case PROTOBUF_C_TYPE_DOUBLE:
        return parse_real(lx, f, &v->d);
    case PROTOBUF_C_TYPE_BOOL:
        return parse_bool(lx, f, v);
    case PROTOBUF_C_TYPE_ENUM:
        return parse_enum(lx, f, v);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
        return parse_string(lx, f, v, sbuf, slen, scap);
    default:
        return tf_fail_at(lx, lx->line, lx->col, "unsupported field type");
    }
}
