/*
 * cleanse_sidecar.c — finding the training CSV of an influence CSV from its
 * JSON sidecar (sgdi_cleanse_train_path, sgdi.h), and reading whole files.
 *
 * Only the top-level "train" string is wanted, so the reader below walks the
 * sidecar's top-level object and skips every other value without building
 * it; it accepts what src/io/json.c writes and stops with a message naming
 * the byte offset on anything it cannot follow.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/cleanse.h"
#include "util/error.h"
#include "util/path.h"

// strerror's text for `e`, thread-safe.
static const char *describe_errno(int e, char *buf, size_t cap) {
    if (strerror_r(e, buf, cap) != 0) snprintf(buf, cap, "error %d", e);
    return buf;
}

sgdi_status sgdi_cleanse_read_file(const char *path, char **data, size_t *size, sgdi_error *err) {
    char why[256];
    FILE *f = fopen(path, "rb");
    if (!f)
        return sgdi_fail(err, SGDI_ERR_IO, "cannot open '%s': %s", path,
                         describe_errno(errno, why, sizeof why));
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!bigger) free(buf);
        buf = bigger;
        cap *= 2;
    }
    bool failed = !buf || ferror(f);
    int e = errno;
    fclose(f);
    if (failed) {
        free(buf);
        if (!buf) return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory reading it", path);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot read '%s': %s", path,
                         describe_errno(e ? e : EIO, why, sizeof why));
    }
    *data = buf;
    *size = len;
    return SGDI_OK;
}

// --- Just enough JSON --------------------------------------------------------------

typedef struct json_cursor {
    const char *at, *end;
} json_cursor;

static void skip_space(json_cursor *c) {
    while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r'))
        c->at++;
}

static int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

// Four hex digits after "\u"; -1 if they are not.
static long read_hex4(json_cursor *c) {
    if (c->end - c->at < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(c->at[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    c->at += 4;
    return v;
}

static size_t put_utf8(char *out, long cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

// A string at c->at (on its opening quote), decoded into *out (malloc'd) if `out` is
// not NULL. False on a malformed string or when memory runs out (*out stays NULL).
static bool read_string(json_cursor *c, char **out) {
    if (c->at >= c->end || *c->at != '"') return false;
    c->at++;
    // Decoding never makes a string longer than its escaped form.
    char *text = out ? malloc((size_t)(c->end - c->at) + 1) : NULL;
    if (out && !text) return false;
    size_t len = 0;
    bool ok = false;
    while (c->at < c->end) {
        char ch = *c->at++;
        if (ch == '"') {
            ok = true;
            break;
        }
        if (ch != '\\') {
            if (text) text[len++] = ch;
            continue;
        }
        if (c->at >= c->end) break;
        char esc = *c->at++;
        const char *simple = strchr("\"\\/bfnrt", esc);
        if (esc && simple) {
            if (text) text[len++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        long cp = esc == 'u' ? read_hex4(c) : -1;
        if (cp >= 0xD800 && cp < 0xDC00 && c->end - c->at >= 2 && c->at[0] == '\\' &&
            c->at[1] == 'u') {
            c->at += 2;
            long low = read_hex4(c);
            cp = low >= 0xDC00 && low < 0xE000 ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                                               : -1;
        }
        if (cp < 0) break;
        if (text) len += put_utf8(text + len, cp);
    }
    if (!ok || !out) {
        free(text);
        return ok;
    }
    text[len] = '\0';
    *out = text;
    return true;
}

// Skips one value (a string, a number or literal, or a whole object or array).
static bool skip_value(json_cursor *c) {
    skip_space(c);
    if (c->at >= c->end) return false;
    if (*c->at == '"') return read_string(c, NULL);
    if (*c->at != '{' && *c->at != '[') {
        const char *start = c->at;
        while (c->at < c->end && !strchr(",}] \t\r\n", *c->at)) c->at++;
        return c->at > start;
    }
    int64_t depth = 0;
    while (c->at < c->end) {
        char ch = *c->at;
        if (ch == '"') {
            if (!read_string(c, NULL)) return false;
            continue;
        }
        c->at++;
        if (ch == '{' || ch == '[') depth++;
        if ((ch == '}' || ch == ']') && --depth == 0) return true;
    }
    return false;
}

// The string value of top-level member `key` into *value (NULL if absent or not a string).
static sgdi_status find_member(const char *path, const char *data, size_t size, const char *key,
                               char **value, sgdi_error *err) {
    json_cursor c = {data, data + size};
    *value = NULL;
    skip_space(&c);
    if (c.at >= c.end || *c.at++ != '{') goto malformed;
    for (;;) {
        skip_space(&c);
        if (c.at < c.end && *c.at == '}') return SGDI_OK;
        char *name = NULL;
        if (!read_string(&c, &name)) {
            free(name);
            goto malformed;
        }
        skip_space(&c);
        bool wanted = strcmp(name, key) == 0;
        free(name);
        if (c.at >= c.end || *c.at++ != ':') goto malformed;
        skip_space(&c);
        if (wanted && c.at < c.end && *c.at == '"') {
            if (!read_string(&c, value)) goto malformed;
            return SGDI_OK;
        }
        if (!skip_value(&c)) goto malformed;
        skip_space(&c);
        if (c.at < c.end && *c.at == ',') {
            c.at++;
            continue;
        }
        if (c.at < c.end && *c.at == '}') return SGDI_OK;
        goto malformed;
    }
malformed:
    return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: malformed JSON near byte %lld", path,
                     (long long)(c.at - data));
}

// --- The training CSV of a run -----------------------------------------------------

sgdi_status sgdi_cleanse_train_path(const char *influence_csv, char **train_csv, sgdi_error *err) {
    sgdi_error local; // the message of a failure is extended below
    if (!err) err = &local;
    if (!influence_csv || !*influence_csv || !train_csv)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_cleanse_train_path: no influence CSV");
    *train_csv = NULL;
    size_t len = strlen(influence_csv);
    char *sidecar = malloc(len + sizeof ".json");
    if (!sidecar) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    memcpy(sidecar, influence_csv, len);
    memcpy(sidecar + len, ".json", sizeof ".json");
    char *data = NULL, *recorded = NULL, *folder = NULL, *beside = NULL;
    size_t size = 0;
    sgdi_status st = sgdi_cleanse_read_file(sidecar, &data, &size, err);
    if (st != SGDI_OK) {
        char why[SGDI_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", err->message);
        sgdi_fail(err, st, "%s; without it, name the training CSV (-t)", why);
        goto done;
    }
    st = find_member(sidecar, data, size, "train", &recorded, err);
    if (st == SGDI_OK && !recorded)
        st = sgdi_fail(err, SGDI_ERR_FORMAT, "%s records no training CSV (\"train\"); name it (-t)",
                       sidecar);
    if (st != SGDI_OK) goto done;
    // Recorded as the run was given it: from the run's working directory, which is
    // most often this one, or else the influence CSV's (the run wrote it there).
    if (recorded[0] == '/' || access(recorded, F_OK) == 0) {
        *train_csv = recorded;
        recorded = NULL;
        goto done;
    }
    folder = sgdi_path_dirname(influence_csv);
    beside = folder ? sgdi_path_join(folder, recorded, strlen(recorded)) : NULL;
    if (!beside) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    } else if (access(beside, F_OK) == 0) {
        *train_csv = beside;
        beside = NULL;
    } else {
        st = sgdi_fail(err, SGDI_ERR_IO,
                       "%s names the training CSV '%s', found neither from here nor as '%s'; "
                       "name it (-t)",
                       sidecar, recorded, beside);
    }
done:
    free(beside);
    free(folder);
    free(recorded);
    free(data);
    free(sidecar);
    return st;
}
