/*
 * csv.c — the CSV tokenizer (Python csv dialect "excel", universal newlines)
 * and the cell helpers: Python-float-like number parsing and printable
 * excerpts of hostile text for messages. See csv.h.
 */
#include "data/csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

// --- Reader scratch ---------------------------------------------------------------

void sgdi_csv_init(sgdi_csv *r, const char *data, size_t size, const char *name) {
    memset(r, 0, sizeof *r);
    r->name = name ? name : "<memory>";
    r->data = data;
    r->size = data ? size : 0;
    r->line = 1;
    if (r->size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
}

void sgdi_csv_free(sgdi_csv *r) {
    free(r->buf);
    free(r->offsets);
    free(r->fields);
    r->buf = NULL;
    r->offsets = NULL;
    r->fields = NULL;
    r->buf_len = r->buf_cap = 0;
    r->nfields = r->field_cap = 0;
}

// Makes room for `extra` more bytes in r->buf.
static bool reserve_bytes(sgdi_csv *r, size_t extra) {
    if (extra <= r->buf_cap - r->buf_len) return true;
    if (extra > SIZE_MAX / 2 - r->buf_len) return false;
    size_t need = r->buf_len + extra;
    size_t cap = r->buf_cap ? r->buf_cap : 256;
    while (cap < need) cap *= 2;
    char *p = realloc(r->buf, cap);
    if (!p) return false;
    r->buf = p;
    r->buf_cap = cap;
    return true;
}

static bool append(sgdi_csv *r, const char *bytes, size_t n) {
    if (!reserve_bytes(r, n)) return false;
    if (n) memcpy(r->buf + r->buf_len, bytes, n);
    r->buf_len += n;
    return true;
}

// Opens field number r->nfields at the current end of r->buf. Returns 0, or
// the status of the failure (with err filled).
static sgdi_status begin_field(sgdi_csv *r, sgdi_error *err) {
    if (r->nfields == r->field_cap) {
        if (r->field_cap >= SGDI_CSV_MAX_FIELDS)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: more than %d fields in one record",
                             r->name, (long long)r->record_line, SGDI_CSV_MAX_FIELDS);
        int64_t cap = r->field_cap ? r->field_cap * 2 : 16;
        if (cap > SGDI_CSV_MAX_FIELDS) cap = SGDI_CSV_MAX_FIELDS;
        // cap <= SGDI_CSV_MAX_FIELDS: the byte counts cannot overflow.
        size_t *offsets = realloc(r->offsets, (size_t)cap * sizeof *offsets);
        if (offsets) r->offsets = offsets;
        sgdi_csv_field *fields = offsets ? realloc(r->fields, (size_t)cap * sizeof *fields) : NULL;
        if (fields) r->fields = fields;
        if (!fields)
            return sgdi_fail(err, SGDI_ERR_NOMEM, "%s:%lld: out of memory reading fields", r->name,
                             (long long)r->record_line);
        r->field_cap = cap;
    }
    r->offsets[r->nfields++] = r->buf_len;
    return SGDI_OK;
}

// Points r->fields into r->buf once the record is complete (r->buf may have
// moved while it grew).
static void finish_record(sgdi_csv *r) {
    for (int64_t i = 0; i < r->nfields; i++) {
        size_t start = r->offsets[i];
        size_t end = i + 1 < r->nfields ? r->offsets[i + 1] : r->buf_len;
        r->fields[i].text = r->buf + start;
        r->fields[i].len = end - start - 1; // minus the terminating NUL
    }
}

static sgdi_status out_of_memory(sgdi_csv *r, sgdi_error *err) {
    return sgdi_fail(err, SGDI_ERR_NOMEM, "%s:%lld: out of memory reading a record", r->name,
                     (long long)r->record_line);
}

// --- Tokenizer --------------------------------------------------------------------

// Consumes a line break at data[pos] (LF, CR or CRLF) if there is one.
static bool eat_newline(sgdi_csv *r) {
    if (r->pos >= r->size) return false;
    char c = r->data[r->pos];
    if (c == '\n') {
        r->pos++;
    } else if (c == '\r') {
        r->pos++;
        if (r->pos < r->size && r->data[r->pos] == '\n') r->pos++;
    } else {
        return false;
    }
    r->line++;
    return true;
}

// Reads the rest of a quoted field, data[pos] being just after the opening
// quote, up to and including the closing quote.
static sgdi_status read_quoted(sgdi_csv *r, int64_t column, sgdi_error *err) {
    int64_t open_line = r->line;
    for (;;) {
        // Copy the run of ordinary bytes in one go.
        size_t run = r->pos;
        while (run < r->size && r->data[run] != '"' && r->data[run] != '\n' && r->data[run] != '\r')
            run++;
        if (!append(r, r->data + r->pos, run - r->pos)) return out_of_memory(r, err);
        r->pos = run;
        if (r->pos >= r->size)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s:%lld: column %lld: unterminated quoted field (the quote opens "
                             "at line %lld and is never closed)",
                             r->name, (long long)open_line, (long long)column,
                             (long long)open_line);
        if (r->data[r->pos] == '"') {
            r->pos++;
            if (r->pos < r->size && r->data[r->pos] == '"') {
                r->pos++;
                if (!append(r, "\"", 1)) return out_of_memory(r, err);
                continue;
            }
            return SGDI_OK;
        }
        eat_newline(r);
        if (!append(r, "\n", 1)) return out_of_memory(r, err);
    }
}

int sgdi_csv_next(sgdi_csv *r, sgdi_error *err) {
    r->nfields = 0;
    r->buf_len = 0;
    r->record_line = r->line;
    if (r->pos >= r->size) return 0;
    if (eat_newline(r)) return 1; // a blank line: a record without fields

    for (;;) {
        if (begin_field(r, err) != SGDI_OK) return -1;
        if (r->data[r->pos] == '"') {
            r->pos++;
            if (read_quoted(r, r->nfields, err) != SGDI_OK) return -1;
        }
        // Unquoted text, or what follows a closing quote (appended as is).
        size_t run = r->pos;
        while (run < r->size && r->data[run] != ',' && r->data[run] != '\n' && r->data[run] != '\r')
            run++;
        if (!append(r, r->data + r->pos, run - r->pos) || !append(r, "", 1)) {
            out_of_memory(r, err);
            return -1;
        }
        r->pos = run;
        if (r->pos < r->size && r->data[r->pos] == ',') {
            r->pos++;
            if (r->pos < r->size) continue;
            // "a," at the very end: the record still has an empty last field.
            if (begin_field(r, err) != SGDI_OK) return -1;
            if (!append(r, "", 1)) {
                out_of_memory(r, err);
                return -1;
            }
            break;
        }
        eat_newline(r);
        break;
    }
    finish_record(r);
    return 1;
}

// --- Cells ------------------------------------------------------------------------

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Case-insensitive match of text[0 .. len-1] against lower-case `word`.
static bool equals_word(const char *text, size_t len, const char *word) {
    if (strlen(word) != len) return false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return false;
    }
    return true;
}

// Exact powers of ten of a double (10^22 is the largest).
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

sgdi_csv_number sgdi_csv_parse_number(const char *text, size_t len, double *out) {
    size_t b = 0, e = len;
    while (b < e && is_space(text[b])) b++;
    while (e > b && is_space(text[e - 1])) e--;
    size_t i = b;
    bool negative = false;
    if (i < e && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (equals_word(text + i, e - i, "nan")) return SGDI_CSV_NAN;
    if (equals_word(text + i, e - i, "inf") || equals_word(text + i, e - i, "infinity"))
        return SGDI_CSV_INF;
    // Decimal syntax only: digits [. digits] [e [sign] digits], a digit somewhere
    // in the mantissa. This keeps strtod's hex floats and nan(...) out. Along the
    // way, collect up to 19 significant digits for the fast path below.
    uint64_t mantissa = 0;
    int significant = 0, scale = 0;
    size_t digits = 0;
    for (int part = 0; part < 2; part++) {
        if (part == 1) {
            if (i >= e || text[i] != '.') break;
            i++;
        }
        for (; i < e && is_digit(text[i]); i++, digits++) {
            int d = text[i] - '0';
            if (part == 1) scale--;
            if (mantissa == 0 && d == 0) continue; // leading zeros
            if (significant < 19)
                mantissa = mantissa * 10 + (uint64_t)d;
            else if (part == 0)
                scale++;
            significant++;
        }
    }
    if (digits == 0) return SGDI_CSV_NOT_NUMBER;
    long exponent = 0;
    if (i < e && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        bool exp_negative = false;
        if (i < e && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        size_t exp_digits = 0;
        for (; i < e && is_digit(text[i]); i++, exp_digits++)
            if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
        if (exp_digits == 0) return SGDI_CSV_NOT_NUMBER;
        if (exp_negative) exponent = -exponent;
    }
    if (i != e) return SGDI_CSV_NOT_NUMBER;
    // Fast path (Clinger): an integer below 2^53 times or divided by an exact power
    // of ten is one correctly rounded operation, the same value strtod gives.
    long e10 = exponent + scale;
    if (mantissa == 0) {
        *out = negative ? -0.0 : 0.0;
        return SGDI_CSV_NUMBER;
    }
    if (significant <= 19 && mantissa <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)mantissa;
        v = e10 < 0 ? v / exact_pow10[-e10] : v * exact_pow10[e10];
        *out = negative ? -v : v;
        return SGDI_CSV_NUMBER;
    }
    // text[e] is whitespace or the terminating NUL, so strtod stops there.
    char *end = NULL;
    errno = 0;
    double v = strtod(text + b, &end);
    if (end != text + e) return SGDI_CSV_NOT_NUMBER; // e.g. a locale without '.'
    if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308) return SGDI_CSV_INF;
    *out = v;
    return SGDI_CSV_NUMBER;
}

char *sgdi_csv_describe(char *out, size_t cap, const char *text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    if (cap == 0) return out;
    size_t limit = cap > 64 ? 64 : cap; // a message names a cell, it does not quote a file
    size_t o = 0;
    size_t i = 0;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        bool plain = c >= 0x20 && c != 0x7f;
        size_t width = plain ? 1 : 4;
        if (o + width + 4 > limit) break; // keep room for "..." and the NUL
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (i < len) {
        // Do not end inside a UTF-8 sequence.
        while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80) o--;
        if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0) o--;
        if (o + 4 <= limit) {
            memcpy(out + o, "...", 3);
            o += 3;
        }
    }
    out[o < cap ? o : cap - 1] = '\0';
    return out;
}
