/*
 * report_text.c — what every part of the page needs to write text safely:
 * HTML escaping of input strings, base64 for embedded images, numbers.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"

// --- Base64 --------------------------------------------------------------------

size_t sgdi_report_base64_size(size_t n) {
    return (n + 2) / 3 * 4 + 1;
}

size_t sgdi_report_base64_encode(const unsigned char *bytes, size_t n, char *out) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, k = 0;
    for (; k + 3 <= n; k += 3) {
        unsigned long group =
            (unsigned long)bytes[k] << 16 | (unsigned long)bytes[k + 1] << 8 | bytes[k + 2];
        out[o++] = alphabet[group >> 18 & 63];
        out[o++] = alphabet[group >> 12 & 63];
        out[o++] = alphabet[group >> 6 & 63];
        out[o++] = alphabet[group & 63];
    }
    if (k < n) { // one or two bytes left: pad the group of four with '='
        unsigned long group = (unsigned long)bytes[k] << 16;
        if (k + 1 < n) group |= (unsigned long)bytes[k + 1] << 8;
        out[o++] = alphabet[group >> 18 & 63];
        out[o++] = alphabet[group >> 12 & 63];
        out[o++] = k + 1 < n ? alphabet[group >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

// --- HTML escaping -------------------------------------------------------------

// Length of the valid UTF-8 sequence at s[0 .. avail-1] (2..4), or 0 if there is
// none (overlong forms, surrogates and code points above U+10FFFF are invalid).
static size_t utf8_sequence(const unsigned char *s, size_t avail) {
    size_t len;
    unsigned min;
    unsigned cp;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2, min = 0x80, cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3, min = 0x800, cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (avail < len) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void sgdi_report_escape_n(FILE *out, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    for (size_t k = 0; k < len;) {
        unsigned char c = s[k];
        if (c >= 0x80) {
            size_t seq = utf8_sequence(s + k, len - k);
            if (seq) {
                fwrite(s + k, 1, seq, out);
                k += seq;
            } else {
                fputs("&#xFFFD;", out);
                k++;
            }
            continue;
        }
        switch (c) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        case '\t':
        case '\n':
        case '\r':
            fputc(c, out);
            break;
        default:
            if (c < 0x20 || c == 0x7F)
                fputs("&#xFFFD;", out);
            else
                fputc(c, out);
        }
        k++;
    }
}

void sgdi_report_escape(FILE *out, const char *text) {
    if (text) sgdi_report_escape_n(out, text, strlen(text));
}

// --- Numbers -------------------------------------------------------------------

const char *sgdi_report_number(char buf[32], double v, int digits) {
    if (!isfinite(v)) return strcpy(buf, "n/a");
    snprintf(buf, 32, "%.*g", digits, v);
    return buf;
}
