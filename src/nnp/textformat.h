/*
 * textformat.h — protobuf text format (the `.nntxt` / `.prototxt` members of an
 * .nnp) read into, and written from, protobuf-c messages.
 *
 * One generic parser driven by protobuf-c's descriptors: it works for any
 * message type (NNablaProtoBuf in practice). Usage:
 *
 *     ProtobufCMessage *msg = NULL;
 *     sgdi_textformat_skipped skipped = {0};
 *     if (sgdi_textformat_parse(&nnabla_proto_buf__descriptor, text, size,
 *                               "net.nntxt", &msg, &skipped, &err) == SGDI_OK) {
 *         NNablaProtoBuf *nnp = (NNablaProtoBuf *)msg;
 *         ...
 *         protobuf_c_message_free_unpacked(msg, NULL);
 *     }
 *     sgdi_textformat_skipped_free(&skipped);
 *
 * Grammar accepted (everything seen in files written by nnabla and NNC):
 * `name: value`, `name { ... }`, `name: { ... }`, `name < ... >`, several
 * fields per line, optional `,`/`;` after a field, `#` comments, LF or CRLF,
 * strings in "..." or '...' with C escapes (\n \t \\ \" \' \ooo \xhh ...),
 * adjacent strings concatenated, raw UTF-8; integers in decimal, hex (0x)
 * or octal (0...), negative where signed; floats like 1e-08, .5, 2f, inf,
 * -inf, nan; booleans true/false/True/False/t/f/1/0; enums by name or number;
 * repeated fields either repeated (`dim: 1 dim: 2`) or as a list
 * (`dim: [1, 2]`, also `[{...}, {...}]` for messages). A singular field given
 * twice keeps the last scalar / merges the messages (as Python's
 * text_format.Merge does).
 *
 * Unknown field names are not an error: the value is skipped by syntax
 * (scalar, strings, list or nested block) and reported in `skipped`.
 *
 * Errors fill `err` with "<name>:<line>:<column>: <what>", line and column
 * 1-based (column in bytes), e.g.
 *     net.nntxt:12:5: expected '}' to close 'network' opened at 3:1
 *
 * Limits (hostile input): nesting depth SGDI_TEXTFORMAT_MAX_DEPTH, string
 * length SGDI_TEXTFORMAT_MAX_STRING bytes, SGDI_TEXTFORMAT_MAX_ELEMENTS
 * repeated elements per parse. The parser never reads text[size] or beyond;
 * NUL bytes inside the text are an error.
 */
#ifndef SGDI_NNP_TEXTFORMAT_H
#define SGDI_NNP_TEXTFORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "sgdi.h"

enum {
    SGDI_TEXTFORMAT_MAX_DEPTH = 64,         // nested messages (incl. skipped blocks)
    SGDI_TEXTFORMAT_MAX_STRING = 16 << 20,  // bytes in one (concatenated) string
    SGDI_TEXTFORMAT_MAX_ELEMENTS = 1 << 24, // repeated elements appended per parse
    SGDI_TEXTFORMAT_MAX_SKIPPED = 256,      // skipped fields kept in the list
};

// One unknown field that was skipped: its dotted path from the root message,
// e.g. "network.function.foo_param", and where its name starts.
typedef struct sgdi_textformat_skip {
    char *path; // malloc'd, NUL-terminated
    int64_t line;
    int64_t column;
} sgdi_textformat_skip;

// The skipped fields of one or more parses (appended to). Zero-initialise;
// release with sgdi_textformat_skipped_free. At most
// SGDI_TEXTFORMAT_MAX_SKIPPED items are kept; `total` counts all of them.
typedef struct sgdi_textformat_skipped {
    sgdi_textformat_skip *items; // [count]
    size_t count;
    size_t cap;
    size_t total;
} sgdi_textformat_skipped;

void sgdi_textformat_skipped_free(sgdi_textformat_skipped *skipped);

// Parses text[0..size) as a message of type `desc`. On success *out is a new
// message owned by the caller, freed with protobuf_c_message_free_unpacked(
// *out, NULL) (every part is malloc'd exactly as protobuf-c's unpack does).
// On failure *out is NULL. `name` (e.g. the member name) prefixes messages.
// `skipped` may be NULL (unknown fields are then skipped silently).
sgdi_status sgdi_textformat_parse(const ProtobufCMessageDescriptor *desc, const char *text,
                                  size_t size, const char *name, ProtobufCMessage **out,
                                  sgdi_textformat_skipped *skipped, sgdi_error *err);

// Parses text into the existing message `msg` (created by
// sgdi_textformat_parse, protobuf-c's unpack or protobuf_c_message_init on
// malloc'd memory): repeated fields are appended to, singular ones
// overwritten/merged — as nnabla merges several text members of one .nnp.
// On failure `msg` holds whatever was merged before the error; it stays valid
// for protobuf_c_message_free_unpacked.
sgdi_status sgdi_textformat_merge(ProtobufCMessage *msg, const char *text, size_t size,
                                  const char *name, sgdi_textformat_skipped *skipped,
                                  sgdi_error *err);

// Writes `msg` as text the way nnabla's Python printer lays it out: one
// `name: value` per line, `name {` ... `}` blocks, two-space indent per level,
// fields in declaration order, fields at their proto3 default (0, false, "",
// absent message) left out, strings escaped (non-printable and non-ASCII
// bytes as 3-digit octal), floats with %.9g and doubles with %.17g (so they
// read back bit-identically), inf/-inf/nan spelled so. On success *out is a
// malloc'd NUL-terminated string (caller frees) and *out_size (if not NULL)
// its length.
sgdi_status sgdi_textformat_write(const ProtobufCMessage *msg, char **out, size_t *out_size,
                                  sgdi_error *err);

#endif // SGDI_NNP_TEXTFORMAT_H
