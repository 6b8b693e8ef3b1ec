/*
 * json.h — a tiny streaming JSON writer for the sidecar file.
 *
 * Objects are written one member per line, indented by two spaces; arrays
 * (and anything inside them) on one line. Strings are escaped as RFC 8259
 * requires; bytes that are not valid UTF-8 become U+FFFD, so the output is
 * always valid JSON in UTF-8. Non-finite numbers are written as null.
 * Write errors are left in the stream (ferror) for the caller to check.
 *
 *     sgdi_json j;
 *     sgdi_json_init(&j, fp);
 *     sgdi_json_begin_object(&j);
 *     sgdi_json_key(&j, "rows");  sgdi_json_int(&j, 42);
 *     sgdi_json_key(&j, "seeds"); sgdi_json_begin_array(&j);
 *     sgdi_json_uint(&j, 0);      sgdi_json_end_array(&j);
 *     sgdi_json_end_object(&j);   // ends with a newline at depth 0
 */
#ifndef SGDI_IO_JSON_H
#define SGDI_IO_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { SGDI_JSON_MAX_DEPTH = 32 };

typedef struct sgdi_json {
    FILE *out;
    int depth;                           // open containers
    bool first[SGDI_JSON_MAX_DEPTH];     // no element yet in container [depth-1]
    bool multiline[SGDI_JSON_MAX_DEPTH]; // container [depth-1] puts members on lines
    bool after_key;                      // a key was written, its value comes next
} sgdi_json;

void sgdi_json_init(sgdi_json *j, FILE *out);

void sgdi_json_begin_object(sgdi_json *j);
void sgdi_json_end_object(sgdi_json *j);
void sgdi_json_begin_array(sgdi_json *j);
void sgdi_json_end_array(sgdi_json *j);

// The name of the next member of the current object.
void sgdi_json_key(sgdi_json *j, const char *key);

void sgdi_json_string(sgdi_json *j, const char *s); // NULL writes null
void sgdi_json_number(sgdi_json *j, double v);      // %.17g; NaN/Inf write null
void sgdi_json_int(sgdi_json *j, int64_t v);
void sgdi_json_uint(sgdi_json *j, uint64_t v);
void sgdi_json_bool(sgdi_json *j, bool v);
void sgdi_json_null(sgdi_json *j);

// Writes s as a quoted, escaped JSON string to out (no separators).
void sgdi_json_write_string(FILE *out, const char *s);

#endif // SGDI_IO_JSON_H
