/*
 * textformat.c — the protobuf text-format parser: walks the tokens of
 * textformat_lex.c and fills any protobuf-c message through its descriptor
 * (field offsets, quantifier offsets, oneof cases), allocating every part the
 * way protobuf-c's unpack does, so protobuf_c_message_free_unpacked frees it.
 * Unknown fields are skipped by syntax and listed. See textformat.h.
 */
#include "nnp/textformat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/textformat_lex.h"
#include "util/error.h"

enum { PATH_MAX_LEN = 400 };

typedef struct tf_parser {
    tf_lexer lx;
    sgdi_textformat_skipped *skipped;
    int64_t elements;
    char path[PATH_MAX_LEN + 1];
    size_t path_len;
    // Capacity of the repeated array appended to last (arrays grow geometrically
    // while one field keeps being appended to; any other array is assumed full).
    const void *cache_msg;
    const ProtobufCFieldDescriptor *cache_field;
    size_t cache_cap;
    char *sbuf; // decoded-string scratch
    size_t slen, scap;
} tf_parser;

static bool parse_body(tf_parser *P, ProtobufCMessage *msg, const tf_token *open,
                       const tf_token *name, const char *what, int depth);
static bool skip_block(tf_parser *P, const tf_token *open, const tf_token *name, const char *what,
                       int depth);

void sgdi_textformat_skipped_free(sgdi_textformat_skipped *skipped) {
    if (!skipped) return;
    for (size_t i = 0; i < skipped->count; i++) free(skipped->items[i].path);
    free(skipped->items);
    memset(skipped, 0, sizeof *skipped);
}

// --- Helpers -------------------------------------------------------------------

static size_t path_push(tf_parser *P, const tf_token *name) {
    size_t old = P->path_len, room = PATH_MAX_LEN - P->path_len;
    size_t need = (old ? 1 : 0) + name->len;
    if (need <= room) {
        if (old) P->path[P->path_len++] = '.';
        memcpy(P->path + P->path_len, name->p, name->len);
        P->path_len += name->len;
    }
    P->path[P->path_len] = '\0';
    return old;
}

static void path_pop(tf_parser *P, size_t old) {
    P->path_len = old;
    P->path[old] = '\0';
}

static bool record_skip(tf_parser *P, const tf_token *name) {
    sgdi_textformat_skipped *s = P->skipped;
    if (!s) return true;
    s->total++;
    if (s->count >= SGDI_TEXTFORMAT_MAX_SKIPPED) return true;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        sgdi_textformat_skip *items = realloc(s->items, cap * sizeof *items);
        if (!items) return tf_fail_nomem(&P->lx);
        s->items = items;
        s->cap = cap;
    }
    size_t old = path_push(P, name);
    char *copy = strdup(P->path);
    path_pop(P, old);
    if (!copy) return tf_fail_nomem(&P->lx);
    s->items[s->count++] = (sgdi_textformat_skip){copy, name->line, name->col};
    return true;
}

static bool next(tf_parser *P, tf_token *t) {
    return tf_lex_next(&P->lx, t);
}
static bool peek(tf_parser *P, tf_token *t) {
    return tf_lex_peek(&P->lx, t);
}

static bool fail_tok(tf_parser *P, const tf_token *t, const char *expected, const char *field) {
    return tf_fail_expected(&P->lx, t, expected, field);
}

// Frees what `member` (of field f) owns, as free_unpacked would.
static void free_member(tf_parser *P, const ProtobufCFieldDescriptor *f, void *member) {
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        char *s = *(char **)member;
        if (s && s != (const char *)f->default_value) free(s);
        *(char **)member = NULL;
    } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
        ProtobufCBinaryData *b = member;
        const ProtobufCBinaryData *def = f->default_value;
        if (b->data && (!def || b->data != def->data)) free(b->data);
        b->data = NULL;
        b->len = 0;
    } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        ProtobufCMessage *m = *(ProtobufCMessage **)member;
        if (m) protobuf_c_message_free_unpacked(m, NULL);
        *(ProtobufCMessage **)member = NULL;
        P->cache_msg = NULL; // its address may be reused
    }
}

// Prepares the singular field f of msg for a new value: clears another oneof
// member, frees an old string/bytes, marks has_. Returns the member address.
static void *singular_slot(tf_parser *P, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f) {
    char *base = (char *)msg;
    void *member = base + f->offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t *which = (uint32_t *)(base + f->quantifier_offset);
        if (*which != 0 && *which != f->id) {
            const ProtobufCFieldDescriptor *old =
                protobuf_c_message_descriptor_get_field(msg->descriptor, *which);
            if (old) free_member(P, old, base + old->offset);
            memset(member, 0, tf_value_size(f->type));
        }
        *which = f->id;
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
               f->type != PROTOBUF_C_TYPE_STRING) {
        *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    }
    return member;
}

// Address of a new last element of repeated field f (not yet counted: the
// caller stores the value, then increments the count).
static void *append_slot(tf_parser *P, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f) {
    size_t *n = (size_t *)((char *)msg + f->quantifier_offset);
    void **arr = (void **)((char *)msg + f->offset);
    size_t esize = tf_value_size(f->type);
    if (P->elements >= SGDI_TEXTFORMAT_MAX_ELEMENTS) {
        tf_fail_at(&P->lx, P->lx.line, P->lx.col, "more than %d repeated elements",
                   SGDI_TEXTFORMAT_MAX_ELEMENTS);
        return NULL;
    }
    size_t cap = (P->cache_msg == msg && P->cache_field == f) ? P->cache_cap : *n;
    if (*n >= cap) {
        size_t grown = cap < 4 ? 4 : cap * 2;
        void *bigger = grown > SIZE_MAX / esize ? NULL : realloc(*arr, grown * esize);
        if (!bigger) {
            tf_fail_nomem(&P->lx);
            return NULL;
        }
        *arr = bigger;
        cap = grown;
    }
    P->cache_msg = msg;
    P->cache_field = f;
    P->cache_cap = cap;
    P->elements++;
    return (char *)*arr + *n * esize;
}

// Parses one value of scalar field f and stores it (appends if repeated).
static bool scalar_value(tf_parser *P, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f) {
    tf_value v;
    memset(&v, 0, sizeof v);
    if (!tf_parse_value(&P->lx, f, &v, &P->sbuf, &P->slen, &P->scap)) return false;
    size_t esize = tf_value_size(f->type);
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        void *slot = append_slot(P, msg, f);
        if (!slot) {
            if (f->type == PROTOBUF_C_TYPE_STRING) free(v.s);
            if (f->type == PROTOBUF_C_TYPE_BYTES) free(v.bin.data);
            return false;
        }
        memcpy(slot, &v, esize);
        (*(size_t *)((char *)msg + f->quantifier_offset))++;
    } else {
        void *member = singular_slot(P, msg, f);
        if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_BYTES)
            free_member(P, f, member);
        memcpy(member, &v, esize);
    }
    return true;
}

// --- Messages ----------------------------------------------------------------------

static ProtobufCMessage *new_message(tf_parser *P, const ProtobufCMessageDescriptor *d) {
    ProtobufCMessage *m = malloc(d->sizeof_message);
    if (!m) {
        tf_fail_nomem(&P->lx);
        return NULL;
    }
    protobuf_c_message_init(d, m);
    return m;
}

// Parses `{ ... }` or `< ... >` (the opening token next) into field f of msg.
static bool message_value(tf_parser *P, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                          const tf_token *name, int depth) {
    tf_token open;
    if (!next(P, &open)) return false;
    if (!tf_is_punct(&open, '{') && !tf_is_punct(&open, '<'))
        return fail_tok(P, &open, "'{'", f->name);
    ProtobufCMessage *sub;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        sub = new_message(P, f->descriptor);
        if (!sub) return false;
        void *slot = append_slot(P, msg, f);
        if (!slot) {
            protobuf_c_message_free_unpacked(sub, NULL);
            return false;
        }
        *(ProtobufCMessage **)slot = sub;
        (*(size_t *)((char *)msg + f->quantifier_offset))++;
    } else {
        char *base = (char *)msg;
        bool same_case = !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
                         *(uint32_t *)(base + f->quantifier_offset) == f->id;
        ProtobufCMessage **member = singular_slot(P, msg, f);
        if (!same_case) *member = NULL;
        if (!*member && !(*member = new_message(P, f->descriptor))) return false;
        sub = *member;
    }
    return parse_body(P, sub, &open, name, f->name, depth + 1);
}

// `[ v, v, ... ]` for repeated field f (the '[' already consumed).
static bool list_value(tf_parser *P, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                       const tf_token *name, int depth) {
    tf_token t;
    if (!peek(P, &t)) return false;
    if (tf_is_punct(&t, ']')) return next(P, &t);
    for (;;) {
        bool ok = f->type == PROTOBUF_C_TYPE_MESSAGE ? message_value(P, msg, f, name, depth)
                                                     : scalar_value(P, msg, f);
        if (!ok || !next(P, &t)) return false;
        if (tf_is_punct(&t, ']')) return true;
        if (!tf_is_punct(&t, ',')) return fail_tok(P, &t, "',' or ']'", f->name);
    }
}

static bool known_field(tf_parser *P, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                        const tf_token *name, int depth) {
    tf_token t;
    bool colon = false;
    if (!peek(P, &t)) return false;
    if (tf_is_punct(&t, ':')) {
        colon = true;
        next(P, &t);
        if (!peek(P, &t)) return false;
    }
    if (tf_is_punct(&t, '[')) {
        if (f->label != PROTOBUF_C_LABEL_REPEATED)
            return tf_fail_at(&P->lx, t.line, t.col, "field '%s' is not repeated", f->name);
        if (f->type != PROTOBUF_C_TYPE_MESSAGE && !colon) return fail_tok(P, &t, "':'", f->name);
        next(P, &t);
        return list_value(P, msg, f, name, depth);
    }
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) return message_value(P, msg, f, name, depth);
    if (!colon) {
        next(P, &t);
        if (tf_is_punct(&t, '{') || tf_is_punct(&t, '<'))
            return tf_fail_at(&P->lx, t.line, t.col, "field '%s' is not a message", f->name);
        return fail_tok(P, &t, "':'", f->name);
    }
    return scalar_value(P, msg, f);
}

// --- Skipping unknown fields --------------------------------------------------------

static bool skip_scalar(tf_parser *P, const char *what) {
    tf_token t;
    if (!next(P, &t)) return false;
    bool neg = tf_is_punct(&t, '-');
    if (neg && !next(P, &t)) return false;
    if (t.kind == TF_NUMBER || t.kind == TF_IDENT) return true;
    if (neg) return fail_tok(P, &t, "a number", what);
    if (t.kind != TF_STRING) return fail_tok(P, &t, "a value", what);
    while (peek(P, &t)) {
        if (t.kind != TF_STRING) return true;
        next(P, &t);
    }
    return false;
}

static bool skip_field_value(tf_parser *P, const tf_token *name, const char *what, int depth) {
    tf_token t;
    bool colon = false;
    if (!peek(P, &t)) return false;
    if (tf_is_punct(&t, ':')) {
        colon = true;
        next(P, &t);
        if (!peek(P, &t)) return false;
    }
    if (tf_is_punct(&t, '{') || tf_is_punct(&t, '<')) {
        next(P, &t);
        return skip_block(P, &t, name, what, depth + 1);
    }
    if (tf_is_punct(&t, '[')) {
        next(P, &t);
        if (!peek(P, &t)) return false;
        if (tf_is_punct(&t, ']')) return next(P, &t);
        for (;;) {
            if (!peek(P, &t)) return false;
            if (tf_is_punct(&t, '{') || tf_is_punct(&t, '<')) {
                next(P, &t);
                if (!skip_block(P, &t, name, what, depth + 1)) return false;
            } else if (!skip_scalar(P, what)) {
                return false;
            }
            if (!next(P, &t)) return false;
            if (tf_is_punct(&t, ']')) return true;
            if (!tf_is_punct(&t, ',')) return fail_tok(P, &t, "',' or ']'", what);
        }
    }
    if (!colon) {
        next(P, &t);
        return fail_tok(P, &t, "':' or '{'", what);
    }
    return skip_scalar(P, what);
}

static bool check_depth(tf_parser *P, const tf_token *open, int depth) {
    if (depth <= SGDI_TEXTFORMAT_MAX_DEPTH) return true;
    return tf_fail_at(&P->lx, open->line, open->col, "nesting deeper than %d levels",
                      SGDI_TEXTFORMAT_MAX_DEPTH);
}

// The fields of a block opened by `open` ('{' or '<'; NULL = top level, ends
// at end of file), all skipped.
static bool skip_block(tf_parser *P, const tf_token *open, const tf_token *name, const char *what,
                       int depth) {
    if (!check_depth(P, open, depth)) return false;
    char close = open->p[0] == '<' ? '>' : '}';
    tf_token t;
    for (;;) {
        if (!next(P, &t)) return false;
        if (t.kind == TF_EOF)
            return tf_fail_at(&P->lx, t.line, t.col,
                              "expected '%c' to close '%s' opened at %lld:%lld", close, what,
                              (long long)name->line, (long long)name->col);
        if (tf_is_punct(&t, close)) return true;
        if (tf_is_punct(&t, ';') || tf_is_punct(&t, ',')) continue;
        if (t.kind != TF_IDENT) return fail_tok(P, &t, "a field name", what);
        char field[64];
        size_t n = t.len < sizeof field - 1 ? t.len : sizeof field - 1;
        memcpy(field, t.p, n);
        field[n] = '\0';
        if (!skip_field_value(P, &t, field, depth)) return false;
    }
}

// --- Message bodies -----------------------------------------------------------------

static bool parse_body(tf_parser *P, ProtobufCMessage *msg, const tf_token *open,
                       const tf_token *name, const char *what, int depth) {
    if (open && !check_depth(P, open, depth)) return false;
    char close = open ? (open->p[0] == '<' ? '>' : '}') : '\0';
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    tf_token t;
    for (;;) {
        if (!next(P, &t)) return false;
        if (t.kind == TF_EOF) {
            if (!open) return true;
            return tf_fail_at(&P->lx, t.line, t.col,
                              "expected '%c' to close '%s' opened at %lld:%lld", close, what,
                              (long long)name->line, (long long)name->col);
        }
        if (open && tf_is_punct(&t, close)) return true;
        if (tf_is_punct(&t, ';') || tf_is_punct(&t, ',')) continue;
        if (t.kind != TF_IDENT) {
            char d[80];
            if (open)
                return tf_fail_at(&P->lx, t.line, t.col,
                                  "expected a field name or '%c' in '%s', got %s", close, what,
                                  tf_describe(&t, d, sizeof d));
            return tf_fail_at(&P->lx, t.line, t.col, "expected a field name, got %s",
                              tf_describe(&t, d, sizeof d));
        }
        char field[128];
        const ProtobufCFieldDescriptor *f = NULL;
        size_t n = t.len < sizeof field - 1 ? t.len : sizeof field - 1;
        memcpy(field, t.p, n);
        field[n] = '\0';
        if (n == t.len) f = protobuf_c_message_descriptor_get_field_by_name(desc, field);
        size_t old = path_push(P, &t);
        bool ok;
        if (f) {
            ok = known_field(P, msg, f, &t, depth);
        } else {
            path_pop(P, old);
            ok = record_skip(P, &t) && skip_field_value(P, &t, field, depth);
        }
        path_pop(P, old);
        if (!ok) return false;
    }
}

// --- Entry points ------------------------------------------------------------------

sgdi_status sgdi_textformat_merge(ProtobufCMessage *msg, const char *text, size_t size,
                                  const char *name, sgdi_textformat_skipped *skipped,
                                  sgdi_error *err) {
    if (!msg || (!text && size > 0))
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_textformat_merge: NULL argument");
    tf_parser *P = calloc(1, sizeof *P);
    if (!P) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name ? name : "<text>");
    tf_lex_init(&P->lx, text ? text : "", size, name, err);
    P->skipped = skipped;
    bool ok = parse_body(P, msg, NULL, NULL, "", 0);
    free(P->sbuf);
    free(P);
    if (!ok) return err ? err->status : SGDI_ERR_FORMAT;
    sgdi_error_clear(err);
    return SGDI_OK;
}

sgdi_status sgdi_textformat_parse(const ProtobufCMessageDescriptor *desc, const char *text,
                                  size_t size, const char *name, ProtobufCMessage **out,
                                  sgdi_textformat_skipped *skipped, sgdi_error *err) {
    if (!out || !desc)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_textformat_parse: NULL argument");
    *out = NULL;
    ProtobufCMessage *msg = malloc(desc->sizeof_message);
    if (!msg) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", name ? name : "<text>");
    protobuf_c_message_init(desc, msg);
    sgdi_error local;
    sgdi_error *e = err ? err : &local;
    sgdi_status st = sgdi_textformat_merge(msg, text, size, name, skipped, e);
    if (st != SGDI_OK) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return st;
    }
    *out = msg;
    return SGDI_OK;
}
