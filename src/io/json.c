/*
 * json.c — the streaming JSON writer (see json.h).
 */
#include "io/json.h"

#include <inttypes.h>

#include "io/number.h"

// --- Strings -------------------------------------------------------------------

// Length of the valid UTF-8 sequence at s (1..4), or 0 if s does not start one.
static int utf8_sequence(const unsigned char *s) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    unsigned char lo = 0x80, hi = 0xBF;
    int n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0; // no overlong forms
        if (c == 0xED) hi = 0x9F; // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90; // no overlong forms
        if (c == 0xF4) hi = 0x8F; // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) return 0; // also stops at the NUL
    for (int k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xBF) return 0;
    return n;
}

void sgdi_json_write_string(FILE *out, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\b':
                fputs("\\b", out);
                break;
            case '\f':
                fputs("\\f", out);
                break;
            case '\n':
                fputs("\\n", out);
                break;
            case '\r':
                fputs("\\r", out);
                break;
            case '\t':
                fputs("\\t", out);
                break;
            default:
                fprintf(out, "\\u%04x", c);
                break;
            }
            p++;
        } else {
            int n = utf8_sequence(p);
            if (n == 0) {
                fputs("\\ufffd", out);
                p++;
            } else {
                fwrite(p, 1, (size_t)n, out);
                p += n;
            }
        }
    }
    fputc('"', out);
}

// --- Structure -----------------------------------------------------------------

void sgdi_json_init(sgdi_json *j, FILE *out) {
    j->out = out;
    j->depth = 0;
    j->after_key = false;
}

static void newline_indent(sgdi_json *j, int depth) {
    fputc('\n', j->out);
    for (int k = 0; k < depth; k++) fputs("  ", j->out);
}

static bool level_multiline(const sgdi_json *j) {
    if (j->depth == 0) return true;
    return j->depth <= SGDI_JSON_MAX_DEPTH ? j->multiline[j->depth - 1] : false;
}

// Separator and indentation before a value or a key in the current container.
static void before_element(sgdi_json *j) {
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth == 0 || j->depth > SGDI_JSON_MAX_DEPTH) {
        if (j->depth > SGDI_JSON_MAX_DEPTH) fputc(' ', j->out);
        return;
    }
    bool *first = &j->first[j->depth - 1];
    if (!*first) fputc(',', j->out);
    if (j->multiline[j->depth - 1])
        newline_indent(j, j->depth);
    else if (!*first)
        fputc(' ', j->out);
    *first = false;
}

static void begin(sgdi_json *j, char open, bool multiline) {
    before_element(j);
    fputc(open, j->out);
    bool parent_multiline = level_multiline(j);
    if (j->depth < SGDI_JSON_MAX_DEPTH) {
        j->first[j->depth] = true;
        j->multiline[j->depth] = multiline && parent_multiline;
    }
    j->depth++;
}

static void end(sgdi_json *j, char close) {
    if (j->depth == 0) return;
    bool had_elements = false, multiline = false;
    if (j->depth <= SGDI_JSON_MAX_DEPTH) {
        had_elements = !j->first[j->depth - 1];
        multiline = j->multiline[j->depth - 1];
    }
    j->depth--;
    j->after_key = false;
    if (had_elements && multiline) newline_indent(j, j->depth);
    fputc(close, j->out);
    if (j->depth == 0) fputc('\n', j->out);
}

void sgdi_json_begin_object(sgdi_json *j) {
    begin(j, '{', true);
}
void sgdi_json_end_object(sgdi_json *j) {
    end(j, '}');
}
void sgdi_json_begin_array(sgdi_json *j) {
    begin(j, '[', false);
}
void sgdi_json_end_array(sgdi_json *j) {
    end(j, ']');
}

void sgdi_json_key(sgdi_json *j, const char *key) {
    before_element(j);
    sgdi_json_write_string(j->out, key ? key : "");
    fputs(": ", j->out);
    j->after_key = true;
}

// --- Values --------------------------------------------------------------------

void sgdi_json_string(sgdi_json *j, const char *s) {
    before_element(j);
    if (s)
        sgdi_json_write_string(j->out, s);
    else
        fputs("null", j->out);
}

void sgdi_json_number(sgdi_json *j, double v) {
    char buf[SGDI_NUMBER_MAX];
    before_element(j);
    fputs(sgdi_format_roundtrip(buf, v) ? buf : "null", j->out);
}

void sgdi_json_int(sgdi_json *j, int64_t v) {
    before_element(j);
    fprintf(j->out, "%" PRId64, v);
}

void sgdi_json_uint(sgdi_json *j, uint64_t v) {
    before_element(j);
    fprintf(j->out, "%" PRIu64, v);
}

void sgdi_json_bool(sgdi_json *j, bool v) {
    before_element(j);
    fputs(v ? "true" : "false", j->out);
}

void sgdi_json_null(sgdi_json *j) {
    before_element(j);
    fputs("null", j->out);
}
