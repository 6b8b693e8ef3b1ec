/*
 * textformat_lex.c — tokenizer and string-escape decoder of the protobuf
 * text-format parser (see textformat_lex.h for the token grammar).
 */
#include "nnp/textformat_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

// --- Errors ------------------------------------------------------------------

bool tf_fail_at(tf_lexer *lx, int64_t line, int64_t col, const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    sgdi_fail(lx->err, SGDI_ERR_FORMAT, "%s:%lld:%lld: %s", lx->name, (long long)line,
              (long long)col, what);
    return false;
}

bool tf_fail_nomem(tf_lexer *lx) {
    sgdi_fail(lx->err, SGDI_ERR_NOMEM, "%s:%lld:%lld: out of memory", lx->name, (long long)lx->line,
              (long long)lx->col);
    return false;
}

bool tf_fail_expected(tf_lexer *lx, const tf_token *t, const char *what, const char *field) {
    char d[80];
    return tf_fail_at(lx, t->line, t->col, "expected %s for field '%s', got %s", what, field,
                      tf_describe(t, d, sizeof d));
}

const char *tf_describe(const tf_token *tok, char *buf, size_t size) {
    if (tok->kind == TF_EOF) {
        snprintf(buf, size, "end of file");
        return buf;
    }
    size_t n = tok->len < 24 ? tok->len : 24;
    size_t o = 0;
    buf[o++] = '\'';
    for (size_t i = 0; i < n && o + 5 < size; i++) {
        unsigned char c = (unsigned char)tok->p[i];
        if (c >= 0x20 && c < 0x7f) {
            buf[o++] = (char)c;
        } else {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
        }
    }
    if (n < tok->len && o + 4 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    if (o + 1 < size) buf[o++] = '\'';
    buf[o < size ? o : size - 1] = '\0';
    return buf;
}

// --- Tokens ------------------------------------------------------------------

void tf_lex_init(tf_lexer *lx, const char *text, size_t size, const char *name, sgdi_error *err) {
    memset(lx, 0, sizeof *lx);
    lx->pos = text;
    lx->end = text + size;
    lx->line = 1;
    lx->col = 1;
    lx->name = name ? name : "<text>";
    lx->err = err;
}

static bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static void advance(tf_lexer *lx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (lx->pos[i] == '\n') {
            lx->line++;
            lx->col = 1;
        } else {
            lx->col++;
        }
    }
    lx->pos += n;
}

static void skip_space(tf_lexer *lx) {
    while (lx->pos < lx->end) {
        char c = *lx->pos;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            advance(lx, 1);
        } else if (c == '#') {
            const char *nl = memchr(lx->pos, '\n', (size_t)(lx->end - lx->pos));
            size_t n = nl ? (size_t)(nl - lx->pos) : (size_t)(lx->end - lx->pos);
            lx->pos += n; // no newline inside: only the column moves
            lx->col += (int64_t)n;
        } else {
            break;
        }
    }
}

static bool lex_raw(tf_lexer *lx, tf_token *tok) {
    skip_space(lx);
    tok->p = lx->pos;
    tok->line = lx->line;
    tok->col = lx->col;
    tok->len = 0;
    if (lx->pos >= lx->end) {
        tok->kind = TF_EOF;
        return true;
    }
    const char *p = lx->pos, *end = lx->end;
    char c = *p;
    size_t n = 1;
    if (is_alpha(c)) {
        tok->kind = TF_IDENT;
        while (p + n < end && (is_alpha(p[n]) || is_digit(p[n]))) n++;
    } else if (is_digit(c) || (c == '.' && p + 1 < end && is_digit(p[1]))) {
        tok->kind = TF_NUMBER;
        bool hex = c == '0' && p + 1 < end && (p[1] == 'x' || p[1] == 'X');
        while (p + n < end) {
            char d = p[n];
            if (is_alpha(d) || is_digit(d) || d == '.') {
                n++;
            } else if ((d == '-' || d == '+') && !hex && (p[n - 1] == 'e' || p[n - 1] == 'E')) {
                n++;
            } else {
                break;
            }
        }
    } else if (c == '"' || c == '\'') {
        tok->kind = TF_STRING;
        for (;;) {
            if (p + n >= end || p[n] == '\n')
                return tf_fail_at(lx, tok->line, tok->col, "unterminated string");
            if (p[n] == '\\') {
                if (p + n + 1 >= end || p[n + 1] == '\n')
                    return tf_fail_at(lx, tok->line, tok->col, "unterminated string");
                n += 2;
            } else if (p[n] == c) {
                n++;
                break;
            } else {
                n++;
            }
        }
    } else if (strchr("{}<>[]:;,-", c) != NULL && c != '\0') {
        tok->kind = TF_PUNCT;
    } else {
        unsigned char u = (unsigned char)c;
        if (u >= 0x21 && u < 0x7f)
            return tf_fail_at(lx, tok->line, tok->col, "unexpected character '%c'", c);
        return tf_fail_at(lx, tok->line, tok->col, "unexpected byte 0x%02x", u);
    }
    tok->len = n;
    advance(lx, n);
    return true;
}

bool tf_lex_next(tf_lexer *lx, tf_token *tok) {
    if (lx->has_peek) {
        *tok = lx->peek;
        lx->has_peek = false;
        return true;
    }
    return lex_raw(lx, tok);
}

bool tf_lex_peek(tf_lexer *lx, tf_token *tok) {
    if (!lx->has_peek) {
        if (!lex_raw(lx, &lx->peek)) return false;
        lx->has_peek = true;
    }
    *tok = lx->peek;
    return true;
}

bool tf_is_word(const tf_token *tok, const char *word) {
    size_t n = strlen(word);
    return tok->kind == TF_IDENT && tok->len == n && memcmp(tok->p, word, n) == 0;
}

// --- String escapes ----------------------------------------------------------

static bool put_byte(tf_lexer *lx, const tf_token *tok, char **buf, size_t *len, size_t *cap,
                     size_t max, char c) {
    if (*len >= max)
        return tf_fail_at(lx, tok->line, tok->col, "string longer than %zu bytes", max);
    if (*len + 1 >= *cap) {
        size_t want = *cap ? *cap * 2 : 32;
        char *bigger = realloc(*buf, want);
        if (!bigger) return tf_fail_nomem(lx);
        *buf = bigger;
        *cap = want;
    }
    (*buf)[(*len)++] = c;
    (*buf)[*len] = '\0';
    return true;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool tf_decode_string(tf_lexer *lx, const tf_token *tok, char **buf, size_t *len, size_t *cap,
                      size_t max) {
    // The token is quote ... quote, validated by the lexer (escapes are pairs).
    const char *p = tok->p + 1, *end = tok->p + tok->len - 1;
    if (*cap == 0) { // so that an empty string is still an allocated ""
        *buf = malloc(32);
        if (!*buf) return tf_fail_nomem(lx);
        *cap = 32;
        (*buf)[0] = '\0';
    }
    while (p < end) {
        char c = *p++;
        if (c != '\\') {
            if (c == '\0') return tf_fail_at(lx, tok->line, tok->col, "NUL byte inside a string");
            if (!put_byte(lx, tok, buf, len, cap, max, c)) return false;
            continue;
        }
        char e = *p++; // p < end is guaranteed: a backslash never ends the body
        unsigned v;
        switch (e) {
        case 'n':
            v = '\n';
            break;
        case 't':
            v = '\t';
            break;
        case 'r':
            v = '\r';
            break;
        case 'a':
            v = '\a';
            break;
        case 'b':
            v = '\b';
            break;
        case 'f':
            v = '\f';
            break;
        case 'v':
            v = '\v';
            break;
        case '\\':
            v = '\\';
            break;
        case '\'':
            v = '\'';
            break;
        case '"':
            v = '"';
            break;
        case '?':
            v = '?';
            break;
        case 'x':
        case 'X': {
            int d = p < end ? hex_value(*p) : -1;
            if (d < 0) return tf_fail_at(lx, tok->line, tok->col, "invalid \\x escape in string");
            v = (unsigned)d;
            p++;
            if (p < end && (d = hex_value(*p)) >= 0) {
                v = v * 16 + (unsigned)d;
                p++;
            }
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                v = (unsigned)(e - '0');
                for (int k = 0; k < 2 && p < end && *p >= '0' && *p <= '7'; k++)
                    v = v * 8 + (unsigned)(*p++ - '0');
                if (v > 255) return tf_fail_at(lx, tok->line, tok->col, "octal escape above \\377");
                break;
            }
            return tf_fail_at(lx, tok->line, tok->col, "invalid escape '\\%c' in string",
                              (e >= 0x20 && e < 0x7f) ? e : '?');
        }
        if (v == 0) return tf_fail_at(lx, tok->line, tok->col, "NUL byte inside a string");
        if (!put_byte(lx, tok, buf, len, cap, max, (char)v)) return false;
    }
    return true;
}
