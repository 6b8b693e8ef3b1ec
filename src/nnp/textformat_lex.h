/*
 * textformat_lex.h — internal: the tokenizer of the protobuf text-format
 * parser (textformat.c). Not part of the library's interface.
 *
 * Tokens point into the caller's text (never copied); the lexer never reads
 * at or past `end`. Token kinds:
 *   TF_IDENT   [A-Za-z_][A-Za-z0-9_]*            (names, true, inf, enum values)
 *   TF_NUMBER  [0-9] or '.'[0-9], then [0-9A-Za-z_.] and a sign right after
 *              an exponent 'e'/'E' (1e-08); validated by the parser per type
 *   TF_STRING  "..." or '...' on one line, quotes included; decoded by
 *              tf_decode_string
 *   TF_PUNCT   one of { } < > [ ] : ; , -
 *   TF_EOF     end of text
 * Whitespace and `#` comments separate tokens.
 */
#ifndef SGDI_NNP_TEXTFORMAT_LEX_H
#define SGDI_NNP_TEXTFORMAT_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

typedef enum tf_kind { TF_EOF, TF_IDENT, TF_NUMBER, TF_STRING, TF_PUNCT } tf_kind;

typedef struct tf_token {
    tf_kind kind;
    const char *p; // first byte of the token in the text
    size_t len;    // bytes
    int64_t line;  // 1-based
    int64_t col;   // 1-based, in bytes
} tf_token;

typedef struct tf_lexer {
    const char *pos, *end;
    int64_t line, col; // of `pos`
    const char *name;  // for messages
    sgdi_error *err;
    bool has_peek;
    tf_token peek;
} tf_lexer;

void tf_lex_init(tf_lexer *lx, const char *text, size_t size, const char *name, sgdi_error *err);

// The next token (consumed) / the next token without consuming it. Both
// return false after filling lx->err (unterminated string, stray byte).
bool tf_lex_next(tf_lexer *lx, tf_token *tok);
bool tf_lex_peek(tf_lexer *lx, tf_token *tok);

// True if `tok` is the punctuation character `c`.
static inline bool tf_is_punct(const tf_token *tok, char c) {
    return tok->kind == TF_PUNCT && tok->p[0] == c;
}

// True if `tok` is the identifier `word` (case-sensitive).
bool tf_is_word(const tf_token *tok, const char *word);

// Fails with "<name>:<line>:<col>: <message>" (status SGDI_ERR_FORMAT or the
// one given) and returns false.
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
bool tf_fail_at(tf_lexer *lx, int64_t line, int64_t col, const char *fmt, ...);
bool tf_fail_nomem(tf_lexer *lx);

// Writes a short printable rendering of the token (for messages) into buf.
const char *tf_describe(const tf_token *tok, char *buf, size_t size);

// Decodes a TF_STRING token's escapes, appending to *buf (malloc'd, grown as
// needed, *len bytes used, kept NUL-terminated). Fails at `max` bytes total.
bool tf_decode_string(tf_lexer *lx, const tf_token *tok, char **buf, size_t *len, size_t *cap,
                      size_t max);

// --- Scalar values (textformat_value.c) ----------------------------------------

#include <protobuf-c/protobuf-c.h>

// One scalar value of a field, as stored in a protobuf-c message.
typedef union tf_value {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    float f;
    double d;
    protobuf_c_boolean b;
    char *s;
    ProtobufCBinaryData bin;
} tf_value;

// Bytes one element of `type` takes in a protobuf-c message.
size_t tf_value_size(ProtobufCType type);

// "expected <what> for field '<field>', got <token>"; returns false.
bool tf_fail_expected(tf_lexer *lx, const tf_token *t, const char *what, const char *field);

// Reads one value of scalar field f (a string value may be several adjacent
// string tokens; *sbuf is scratch, reused). Strings/bytes are returned in a new
// malloc'd buffer owned by the caller.
bool tf_parse_value(tf_lexer *lx, const ProtobufCFieldDescriptor *f, tf_value *v, char **sbuf,
                    size_t *slen, size_t *scap);

#endif // SGDI_NNP_TEXTFORMAT_LEX_H
