/*
 * csv.h — an RFC 4180-style CSV tokenizer over a memory buffer, and the cell
 * helpers the dataset reader needs.
 *
 * The dialect is Python's csv module with its defaults, as Neural Network
 * Console reads datasets: comma separator; a field that starts with '"' is
 * quoted, "" inside it is a literal quote, and it may hold commas and line
 * breaks; a '"' elsewhere is an ordinary character; text after a closing
 * quote is appended to the field; no whitespace trimming. Records end at LF,
 * CRLF or a lone CR (Python reads text with universal newlines; a line break
 * inside a quoted field is stored as "\n"). A UTF-8 byte-order mark at the
 * start is skipped. A blank line is a record with no fields.
 *
 * The input is hostile: it may hold NUL bytes and need not be NUL-terminated;
 * the reader never looks past `size`. Fields per record are capped.
 *
 *     sgdi_csv r;
 *     sgdi_csv_init(&r, data, size, "train.csv");
 *     int got;
 *     while ((got = sgdi_csv_next(&r, err)) > 0) {
 *         // r.fields[0 .. r.nfields-1], starting at physical line r.record_line
 *     }
 *     sgdi_csv_free(&r);
 *     if (got < 0) return err->status;
 */
#ifndef SGDI_DATA_CSV_H
#define SGDI_DATA_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

// Most fields one record may have.
enum { SGDI_CSV_MAX_FIELDS = 1000000 };

// One field of the current record. `text` is owned by the reader, valid until
// the next sgdi_csv_next/sgdi_csv_free, and NUL-terminated at text[len]
// (it may also contain NUL bytes before that).
typedef struct sgdi_csv_field {
    const char *text;
    size_t len;
} sgdi_csv_field;

typedef struct sgdi_csv {
    const char *name; // used in messages, not owned
    const char *data; // the input, not owned; never read at or past data[size]
    size_t size;
    size_t pos;             // next byte to read
    int64_t line;           // physical line (1-based) of data[pos]
    int64_t record_line;    // line where the current record starts
    sgdi_csv_field *fields; // [nfields] the current record (capacity field_cap)
    int64_t nfields;
    // Scratch: the current record's unescaped text, each field NUL-terminated.
    char *buf;
    size_t buf_len, buf_cap;
    size_t *offsets; // [field_cap] where each field starts in buf
    int64_t field_cap;
} sgdi_csv;

// Starts reading `data[0 .. size-1]`; a leading UTF-8 BOM is skipped. Cannot
// fail; `name` (may be NULL) must outlive the reader.
void sgdi_csv_init(sgdi_csv *r, const char *data, size_t size, const char *name);

// Frees the reader's scratch (not the input). Safe after init and twice.
void sgdi_csv_free(sgdi_csv *r);

// Reads the next record into r->fields / r->nfields (0 fields = a blank line)
// and sets r->record_line. Returns 1 for a record, 0 at the end of the input,
// -1 on error with `err` filled: SGDI_ERR_FORMAT for an unterminated quoted
// field or too many fields ("name:line: ..."), SGDI_ERR_NOMEM.
int sgdi_csv_next(sgdi_csv *r, sgdi_error *err);

// --- Cells ----------------------------------------------------------------------

typedef enum sgdi_csv_number {
    SGDI_CSV_NUMBER,     // a finite number
    SGDI_CSV_NOT_NUMBER, // not a decimal number
    SGDI_CSV_NAN,        // nan
    SGDI_CSV_INF,        // inf / infinity, or a decimal too large for a double
} sgdi_csv_number;

// Parses a cell as Python's float() would, restricted to decimal notation:
// surrounding ASCII whitespace, an optional sign, digits with an optional
// point and exponent, or inf / infinity / nan (any case). `text` must be
// NUL-terminated at text[len] (fields are). *out is set for SGDI_CSV_NUMBER.
sgdi_csv_number sgdi_csv_parse_number(const char *text, size_t len, double *out);

// Writes a printable, one-line, shortened copy of text[0 .. len-1] into
// out[cap] for messages: control bytes as \xNN, "..." when cut. Returns out.
char *sgdi_csv_describe(char *out, size_t cap, const char *text, size_t len);

#endif // SGDI_DATA_CSV_H
