/*
 * fuzz_textformat.c — libFuzzer target for the protobuf text-format parser
 * and writer (src/nnp/textformat*.c) on the NNablaProtoBuf schema.
 *
 * Checks what callers rely on: a failure leaves no message and a one-line
 * message naming the input with line:column; a parsed message packs to
 * binary, writes as text, and that text parses back to the same binary
 * bytes. Any violation aborts. The same function replays the saved corpus
 * and crashers as an ordinary test (tests/test_fuzz_replay.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnp/nnabla.pb-c.h"
#include "nnp/textformat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) abort();                                                                      \
    } while (0)

static uint8_t *pack(const ProtobufCMessage *m, size_t *len) {
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    FUZZ_REQUIRE(buf != NULL);
    FUZZ_REQUIRE(protobuf_c_message_pack(m, buf) == *len);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char name[] = "fuzz.nntxt";
    sgdi_error err;
    ProtobufCMessage *msg = NULL;
    sgdi_textformat_skipped skipped = {0};
    sgdi_status st = sgdi_textformat_parse(&nnabla_proto_buf__descriptor, (const char *)data, size,
                                           name, &msg, &skipped, &err);
    FUZZ_REQUIRE(err.status == st);
    FUZZ_REQUIRE(memchr(err.message, '\0', sizeof err.message) != NULL);
    FUZZ_REQUIRE(skipped.count <= skipped.total && skipped.count <= SGDI_TEXTFORMAT_MAX_SKIPPED);
    for (size_t i = 0; i < skipped.count; i++)
        FUZZ_REQUIRE(skipped.items[i].path && skipped.items[i].line >= 1);
    sgdi_textformat_skipped_free(&skipped);
    if (st != SGDI_OK) {
        FUZZ_REQUIRE(msg == NULL);
        FUZZ_REQUIRE(st == SGDI_ERR_FORMAT || st == SGDI_ERR_NOMEM);
        FUZZ_REQUIRE(strncmp(err.message, name, sizeof name - 1) == 0);
        FUZZ_REQUIRE(strchr(err.message, '\n') == NULL);
        return 0;
    }
    FUZZ_REQUIRE(msg != NULL);
    size_t len1, len2, tlen;
    uint8_t *bin1 = pack(msg, &len1);
    char *text = NULL;
    FUZZ_REQUIRE(sgdi_textformat_write(msg, &text, &tlen, &err) == SGDI_OK);
    FUZZ_REQUIRE(strlen(text) == tlen);
    ProtobufCMessage *again = NULL;
    st = sgdi_textformat_parse(&nnabla_proto_buf__descriptor, text, tlen, "rewritten", &again, NULL,
                               &err);
    FUZZ_REQUIRE(st == SGDI_OK);
    uint8_t *bin2 = pack(again, &len2);
    FUZZ_REQUIRE(len1 == len2 && memcmp(bin1, bin2, len1) == 0);
    // The binary form decodes again (protobuf-c's own reader agrees).
    ProtobufCMessage *unpacked =
        protobuf_c_message_unpack(&nnabla_proto_buf__descriptor, NULL, len1, bin1);
    FUZZ_REQUIRE(unpacked != NULL);
    protobuf_c_message_free_unpacked(unpacked, NULL);
    free(bin1);
    free(bin2);
    free(text);
    protobuf_c_message_free_unpacked(again, NULL);
    protobuf_c_message_free_unpacked(msg, NULL);
    return 0;
}
