/*
 * test_textformat.c — the protobuf text-format parser and writer
 * (src/nnp/textformat*.c) on the NNablaProtoBuf schema: every grammar form,
 * exact line:column error messages, unknown fields skipped and listed,
 * write → parse round trips (compared as packed binary), and the real
 * .nntxt files of ../shared/fixtures/nnabla-real/ (skipped when absent),
 * including network.nntxt inside the real LeNet .nnp (read with libzip).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "nnp/nnabla.pb-c.h"
#include "nnp/textformat.h"
#include "test_support.h"

#define FIXTURES "../../shared/fixtures/nnabla-real/"

// --- Helpers -------------------------------------------------------------------

// Parses `text` (copied into an exact-size buffer, so ASan sees any overread).
static NNablaProtoBuf *parse(const char *text, sgdi_textformat_skipped *skipped, sgdi_error *err) {
    size_t n = strlen(text);
    char *exact = malloc(n ? n : 1);
    memcpy(exact, text, n);
    ProtobufCMessage *m = NULL;
    sgdi_status st =
        sgdi_textformat_parse(&nnabla_proto_buf__descriptor, exact, n, "t.nntxt", &m, skipped, err);
    free(exact);
    CHECK((st == SGDI_OK) == (m != NULL));
    return (NNablaProtoBuf *)m;
}

static void expect_error(const char *text, const char *message) {
    sgdi_error err;
    NNablaProtoBuf *m = parse(text, NULL, &err);
    CHECK(m == NULL);
    CHECK_MSG(strcmp(err.message, message) == 0, "got \"%s\", want \"%s\"", err.message, message);
    if (m) nnabla_proto_buf__free_unpacked(m, NULL);
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) break;
    }
    fclose(f);
    return buf;
}

static uint8_t *pack(const NNablaProtoBuf *m, size_t *len) {
    *len = nnabla_proto_buf__get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    CHECK(nnabla_proto_buf__pack(m, buf) == *len);
    return buf;
}

// write → parse gives a message that packs to the same bytes.
static void check_round_trip(const NNablaProtoBuf *m) {
    char *text = NULL;
    size_t tlen = 0;
    sgdi_error err;
    CHECK(sgdi_textformat_write(&m->base, &text, &tlen, &err) == SGDI_OK);
    if (!text) return;
    ProtobufCMessage *again = NULL;
    CHECK_MSG(sgdi_textformat_parse(&nnabla_proto_buf__descriptor, text, tlen, "rt", &again, NULL,
                                    &err) == SGDI_OK,
              "%s", err.message);
    if (again) {
        size_t a, b;
        uint8_t *pa = pack(m, &a), *pb = pack((NNablaProtoBuf *)again, &b);
        CHECK(a == b && memcmp(pa, pb, a) == 0);
        free(pa);
        free(pb);
        protobuf_c_message_free_unpacked(again, NULL);
    }
    free(text);
}

static const Network *network_named(const NNablaProtoBuf *m, const char *name) {
    for (size_t i = 0; i < m->n_network; i++)
        if (strcmp(m->network[i]->name, name) == 0) return m->network[i];
    return NULL;
}

// --- Grammar ---------------------------------------------------------------------

static void test_grammar(void) {
    const char *text =
        "# a comment\n"
        "version: \"0.1\" ;  # trailing comment\r\n"
        "global_config: { default_context { backends: \"cpu:float\"\n"
        "  backends: ['cuda:float', \"x\"] array_class: 'CpuCachedArray' } }\r\n"
        "training_config < max_epoch: 0x10 iter_per_epoch: -0 save_best: True monitor_interval: "
        "010 >\n"
        "network { name: \"ab\" 'c\\\\d\\\"e\\343\\201\\202' batch_size:-1\n"
        "  variable { name: 'y\\'' shape: { dim:-1 dim: 2, dim: [3, 4] dim: [] }\n"
        "             initializer { type: \"Normal\" multiplier: .5 } },\n"
        "  function { name: \"f\" type: \"Dropout\" dropout_param { p: 1e-08 seed: -5 }\n"
        "             input: \"a\" output: [\"b\"] }\n"
        "  function { type: \"LeakyReLU\" leaky_relu_param { alpha: 2f inplace: t } }\n"
        "  function { type: \"ReLU\" relu_param { inplace: 1 } relu_param { inplace: false } }\n"
        "  function { affine_param { base_axis: 1 } softmax_param { axis: 3 } }\n"
        "}\n"
        "dataset { name: \"\xe6\x97\xa5\xe6\x9c\xac\" uri: \"C:\\\\tmp\\\\a.csv\" shuffle: f }\n"
        "optimizer { solver { adam_param { alpha: inf beta1: -inf beta2: nan eps: -1.5e+3 } }\n"
        "  update_interval: 1; parameter_variable [{ variable_name: \"w\" }, { "
        "learning_rate_multiplier: 0 }] }\n";
    sgdi_error err;
    NNablaProtoBuf *m = parse(text, NULL, &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (!m) return;
    CHECK(strcmp(m->version, "0.1") == 0);
    Context *ctx = m->global_config->default_context;
    CHECK(ctx->n_backends == 3 && strcmp(ctx->backends[1], "cuda:float") == 0);
    CHECK(strcmp(ctx->array_class, "CpuCachedArray") == 0);
    TrainingConfig *tc = m->training_config;
    CHECK(tc->max_epoch == 16 && tc->iter_per_epoch == 0 && tc->save_best &&
          tc->monitor_interval == 8);
    Network *net = m->network[0];
    CHECK(strcmp(net->name, "abc\\d\"e\343\201\202") == 0);
    CHECK(net->batch_size == -1);
    Variable *v = net->variable[0];
    CHECK(strcmp(v->name, "y'") == 0);
    CHECK(v->shape->n_dim == 4 && v->shape->dim[0] == -1 && v->shape->dim[3] == 4);
    CHECK(v->initializer->multiplier == 0.5f);
    CHECK(net->n_function == 4);
    Function *f = net->function[0];
    CHECK(f->parameter_case == FUNCTION__PARAMETER_DROPOUT_PARAM);
    CHECK(f->dropout_param->p == 1e-08 && f->dropout_param->seed == -5);
    CHECK(f->n_input == 1 && f->n_output == 1 && strcmp(f->output[0], "b") == 0);
    f = net->function[1];
    CHECK(f->leaky_relu_param->alpha == 2.0f && f->leaky_relu_param->inplace);
    f = net->function[2];
    CHECK(f->parameter_case == FUNCTION__PARAMETER_RELU_PARAM && !f->relu_param->inplace);
    f = net->function[3]; // the last oneof member given wins
    CHECK(f->parameter_case == FUNCTION__PARAMETER_SOFTMAX_PARAM && f->softmax_param->axis == 3);
    CHECK(strcmp(m->dataset[0]->name, "\xe6\x97\xa5\xe6\x9c\xac") == 0);
    CHECK(strcmp(m->dataset[0]->uri, "C:\\tmp\\a.csv") == 0 && !m->dataset[0]->shuffle);
    AdamParameter *adam = m->optimizer[0]->solver->adam_param;
    CHECK(isinf(adam->alpha) && adam->alpha > 0 && isinf(adam->beta1) && adam->beta1 < 0);
    CHECK(isnan(adam->beta2) && adam->eps == -1500.0f);
    CHECK(m->optimizer[0]->n_parameter_variable == 2);
    CHECK(m->optimizer[0]->update_interval == 1);
    check_round_trip(m);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

static void test_writer_layout(void) {
    sgdi_error err;
    NNablaProtoBuf *m =
        parse("network{variable{name:\"x\" type:\"\" shape{dim:-1 dim:2}}"
              "function{type:\"Dropout\" dropout_param{p:0.1 seed:0}}}"
              "parameter{variable_name:\"q\\n\" data:[0.1,1e-08,-0] need_grad:false}",
              NULL, &err);
    CHECK(m != NULL);
    if (!m) return;
    char *text = NULL;
    CHECK(sgdi_textformat_write(&m->base, &text, NULL, &err) == SGDI_OK);
    const char *want = "network {\n  variable {\n    name: \"x\"\n    shape {\n      dim: -1\n"
                       "      dim: 2\n    }\n  }\n  function {\n    type: \"Dropout\"\n"
                       "    dropout_param {\n      p: 0.10000000000000001\n    }\n  }\n}\n"
                       "parameter {\n  variable_name: \"q\\n\"\n  data: 0.100000001\n"
                       "  data: 9.99999994e-09\n  data: -0\n}\n";
    CHECK_MSG(text && strcmp(text, want) == 0, "got:\n%s", text ? text : "(null)");
    free(text);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

static void test_merge(void) {
    sgdi_error err;
    NNablaProtoBuf *m = parse("network { name: \"a\" } version: \"x\"", NULL, &err);
    CHECK(m != NULL);
    if (!m) return;
    const char *more = "network { name: \"b\" } version: \"y\" parameter { variable_name: \"p\" }";
    CHECK(sgdi_textformat_merge(&m->base, more, strlen(more), "b.nntxt", NULL, &err) == SGDI_OK);
    CHECK(m->n_network == 2 && strcmp(m->network[1]->name, "b") == 0);
    CHECK(strcmp(m->version, "y") == 0 && m->n_parameter == 1);
    // A failed merge leaves a message that still frees cleanly.
    const char *bad = "network { name: \"c\" batch_size: x }";
    CHECK(sgdi_textformat_merge(&m->base, bad, strlen(bad), "c.nntxt", NULL, &err) ==
          SGDI_ERR_FORMAT);
    CHECK(m->n_network == 3);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

// --- Errors ------------------------------------------------------------------------

static void test_errors(void) {
    expect_error("network {\n  name: \"abc\n}\n", "t.nntxt:2:9: unterminated string");
    expect_error("network { name: 'abc", "t.nntxt:1:17: unterminated string");
    expect_error("version: \"a\\", "t.nntxt:1:10: unterminated string");
    expect_error("\n\nnetwork {\n  name: \"a\"\n  variable {\n  }\n",
                 "t.nntxt:7:1: expected '}' to close 'network' opened at 3:1");
    expect_error("network < name: \"a\" }",
                 "t.nntxt:1:21: expected a field name or '>' in 'network', got '}'");
    expect_error("network { batch_size: 12x }",
                 "t.nntxt:1:23: invalid integer '12x' for field 'batch_size'");
    expect_error("network { batch_size: 1.5 }",
                 "t.nntxt:1:23: invalid integer '1.5' for field 'batch_size'");
    expect_error("network { batch_size: 9223372036854775808 }",
                 "t.nntxt:1:23: integer out of range for field 'batch_size'");
    expect_error("parameter { data: 1e5x }",
                 "t.nntxt:1:19: invalid number '1e5x' for field 'data'");
    expect_error("network { name: 5 }",
                 "t.nntxt:1:17: expected a string for field 'name', got '5'");
    expect_error("network { batch_size: \"a\" }",
                 "t.nntxt:1:23: expected an integer for field 'batch_size', got '\"a\"'");
    expect_error("network { variable: 3 }",
                 "t.nntxt:1:21: expected '{' for field 'variable', got '3'");
    expect_error("training_config { save_best: yes }",
                 "t.nntxt:1:30: expected a boolean for field 'save_best', got 'yes'");
    expect_error("network { name { } }", "t.nntxt:1:16: field 'name' is not a message");
    expect_error("network { name: [\"a\"] }", "t.nntxt:1:17: field 'name' is not repeated");
    expect_error("network { name \"a\" }",
                 "t.nntxt:1:16: expected ':' for field 'name', got '\"a\"'");
    expect_error("version: \"a\\q\"", "t.nntxt:1:10: invalid escape '\\q' in string");
    expect_error("version: \"\\0\"", "t.nntxt:1:10: NUL byte inside a string");
    expect_error("network { @ }", "t.nntxt:1:11: unexpected character '@'");
    expect_error("}", "t.nntxt:1:1: expected a field name, got '}'");
    expect_error("network { foo }", "t.nntxt:1:15: expected ':' or '{' for field 'foo', got '}'");
    // Nesting: the 65th '{' of unknown blocks is one too many.
    char deep[200] = {0};
    for (int i = 0; i < 70; i++) memcpy(deep + 2 * i, "x{", 2);
    expect_error(deep, "t.nntxt:1:130: nesting deeper than 64 levels");
    // A NUL byte in the text.
    sgdi_error err;
    ProtobufCMessage *m = NULL;
    CHECK(sgdi_textformat_parse(&nnabla_proto_buf__descriptor, "version: 1\0", 11, "n.nntxt", &m,
                                NULL, &err) == SGDI_ERR_FORMAT);
    CHECK(m == NULL);
}

static void test_unknown_fields(void) {
    sgdi_textformat_skipped skipped = {0};
    sgdi_error err;
    NNablaProtoBuf *m =
        parse("network { name: \"n\" foo_param { a: 1 b { c: \"x\" } d: [1, {e: 2}] }\n"
              "  bar: [1, -2] baz: -inf qux: \"a\" 'b' empty: []\n"
              "  function { type: \"Foo\" foo_param < x: 1 > input: \"i\" } }\n"
              "toplevel: 3\n",
              &skipped, &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (!m) return;
    CHECK(m->n_network == 1 && strcmp(m->network[0]->name, "n") == 0);
    CHECK(m->network[0]->n_function == 1 && m->network[0]->function[0]->n_input == 1);
    const char *paths[] = {"network.foo_param", "network.bar",   "network.baz",
                           "network.qux",       "network.empty", "network.function.foo_param",
                           "toplevel"};
    CHECK(skipped.count == 7 && skipped.total == 7);
    for (size_t i = 0; i < skipped.count && i < 7; i++)
        CHECK_MSG(strcmp(skipped.items[i].path, paths[i]) == 0, "%s", skipped.items[i].path);
    if (skipped.count == 7) {
        CHECK(skipped.items[0].line == 1 && skipped.items[0].column == 21);
        CHECK(skipped.items[5].line == 3 && skipped.items[5].column == 26);
    }
    sgdi_textformat_skipped_free(&skipped);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

// --- Real files ----------------------------------------------------------------------

static NNablaProtoBuf *parse_fixture(const char *file) {
    size_t len;
    char path[512];
    snprintf(path, sizeof path, FIXTURES "%s", file);
    char *text = read_all(path, &len);
    if (!text) {
        fprintf(stderr, "skip: %s not found\n", path);
        return NULL;
    }
    sgdi_textformat_skipped skipped = {0};
    sgdi_error err;
    ProtobufCMessage *m = NULL;
    CHECK_MSG(sgdi_textformat_parse(&nnabla_proto_buf__descriptor, text, len, file, &m, &skipped,
                                    &err) == SGDI_OK,
              "%s", err.message);
    CHECK_MSG(skipped.total == 0, "%s: %zu fields skipped, first %s", file, skipped.total,
              skipped.count ? skipped.items[0].path : "");
    sgdi_textformat_skipped_free(&skipped);
    free(text);
    return (NNablaProtoBuf *)m;
}

static void check_networks(const NNablaProtoBuf *m, const size_t counts[3]) {
    const char *names[3] = {"Main", "MainValidation", "MainRuntime"};
    CHECK(m->n_network == 3);
    for (int i = 0; i < 3; i++) {
        const Network *n = network_named(m, names[i]);
        CHECK_MSG(n && n->n_function == counts[i], "%s", names[i]);
    }
}

static void test_fixture_mlp_dropout(void) {
    NNablaProtoBuf *m = parse_fixture("nnc_mlp_dropout_N00000027.nntxt");
    if (!m) return;
    check_networks(m, (size_t[3]){6, 5, 4});
    const Network *main = network_named(m, "Main");
    const Function *drop = NULL;
    for (size_t i = 0; main && i < main->n_function; i++)
        if (strcmp(main->function[i]->type, "Dropout") == 0) drop = main->function[i];
    CHECK(drop && drop->parameter_case == FUNCTION__PARAMETER_DROPOUT_PARAM);
    CHECK(drop && drop->dropout_param->p == 0.5 && drop->dropout_param->seed == -1);
    CHECK(strcmp(m->global_config->default_context->backend, "cpu|cuda") == 0);
    CHECK(m->training_config->max_epoch == 100 && m->training_config->save_best);
    CHECK(main && main->variable[0]->shape->n_dim == 4 && main->variable[0]->shape->dim[0] == -1);
    check_round_trip(m);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

static void test_fixture_logreg(void) {
    NNablaProtoBuf *m = parse_fixture("nnc_logreg_N00000025.nntxt");
    if (!m) return;
    check_networks(m, (size_t[3]){3, 3, 2});
    CHECK(m->n_executor == 1 && m->executor[0]->n_output_variable == 1);
    CHECK(m->n_executor == 1 && strcmp(m->executor[0]->output_variable[0]->data_name, "y'") == 0);
    CHECK(m->n_dataset == 2 && !m->dataset[0]->overwrite_cache);
    check_round_trip(m);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

static void test_fixture_delta3(void) {
    NNablaProtoBuf *m = parse_fixture("nnc_delta3_net.nntxt");
    if (!m) return;
    check_networks(m, (size_t[3]){9, 9, 8});
    CHECK(m->n_optimizer == 1);
    if (m->n_optimizer == 1) {
        const Solver *s = m->optimizer[0]->solver;
        CHECK(strcmp(s->type, "Adam") == 0 && s->parameter_case == SOLVER__PARAMETER_ADAM_PARAM);
        CHECK(s->adam_param->alpha == 0.001f && s->adam_param->eps == 1e-08f);
        CHECK(s->lr_decay == 1.0f && s->lr_decay_interval == 34);
        CHECK(m->optimizer[0]->update_interval == 1);
    }
    CHECK(m->n_dataset == 2 && m->dataset[0]->no_image_normalization);
    const Network *main = network_named(m, "Main");
    const Function *bn = NULL;
    for (size_t i = 0; main && i < main->n_function; i++)
        if (main->function[i]->parameter_case == FUNCTION__PARAMETER_BATCH_NORMALIZATION_PARAM)
            bn = main->function[i];
    CHECK(bn && bn->n_input == 5 && bn->batch_normalization_param->batch_stat);
    check_round_trip(m);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

static void test_fixture_lenet_nnp(void) {
    const char *path = FIXTURES "nnabla_lenet_010000.nnp";
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        fprintf(stderr, "skip: %s not found\n", path);
        return;
    }
    zip_stat_t st;
    CHECK(zip_stat(z, "network.nntxt", 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE));
    char *text = malloc(st.size ? st.size : 1);
    zip_file_t *f = zip_fopen(z, "network.nntxt", 0);
    CHECK(f && zip_fread(f, text, st.size) == (zip_int64_t)st.size);
    if (f) zip_fclose(f);
    zip_close(z);
    ProtobufCMessage *pm = NULL;
    sgdi_error err;
    CHECK_MSG(sgdi_textformat_parse(&nnabla_proto_buf__descriptor, text, st.size, "network.nntxt",
                                    &pm, NULL, &err) == SGDI_OK,
              "%s", err.message);
    free(text);
    NNablaProtoBuf *m = (NNablaProtoBuf *)pm;
    if (!m) return;
    CHECK(m->n_network == 1 && strcmp(m->network[0]->name, "runtime") == 0);
    const Network *n = m->network[0];
    CHECK(n->batch_size == 128 && n->n_variable == 19 && n->n_function == 10);
    CHECK(n->function[0]->parameter_case == FUNCTION__PARAMETER_MUL_SCALAR_PARAM);
    const Function *conv = n->function[1];
    CHECK(strcmp(conv->type, "Convolution") == 0 &&
          conv->parameter_case == FUNCTION__PARAMETER_CONVOLUTION_PARAM);
    CHECK(conv->convolution_param->base_axis == 1 && conv->convolution_param->pad->n_dim == 2);
    CHECK(m->n_executor == 1 && strcmp(m->executor[0]->name, "runtime") == 0);
    check_round_trip(m);
    nnabla_proto_buf__free_unpacked(m, NULL);
}

int main(void) {
    RUN(test_grammar);
    RUN(test_writer_layout);
    RUN(test_merge);
    RUN(test_errors);
    RUN(test_unknown_fields);
    RUN(test_fixture_mlp_dropout);
    RUN(test_fixture_logreg);
    RUN(test_fixture_delta3);
    RUN(test_fixture_lenet_nnp);
    return sgdi_test_finish();
}
