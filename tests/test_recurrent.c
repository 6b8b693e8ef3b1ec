/*
 * test_recurrent.c — Neural Network Console's recurrent blocks and the Slice they
 * unroll into:
 *   - an Elman RNN written with RecurrentInput / Affine / Delay / Add2 / Tanh /
 *     RecurrentOutput trains to the same bits as the same network unrolled by
 *     hand (3 steps, and 10 steps, past what one Concatenate takes);
 *   - the unrolled functions carry nnabla's names and wiring (Delay reads its
 *     initial value at step 0, the previous step after it; parameters are shared);
 *   - broken blocks are refused with an error naming the function;
 *   - Slice: values against a reference loop, infer_shape's reasons, and nnabla's
 *     start/stop/step (negative, omitted, batch entry) read from a model.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "ops/op.h"
#include "test_support.h"
#include "util/strbuf.h"

static const int HIDDEN = 4, CLASSES = 3;

static double lcg(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * 0x1p-24;
}

// A table of n rows of f features in [-1, 1) and random labels.
static sgdi_dataset *table(int n, int f, unsigned seed) {
    sgdi_strbuf b = {0};
    for (int j = 0; j < f; j++) sgdi_strbuf_printf(&b, "x__%d,", j);
    sgdi_strbuf_printf(&b, "y\n");
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < f; j++) sgdi_strbuf_printf(&b, "%.4f,", 2 * lcg(&seed) - 1);
        sgdi_strbuf_printf(&b, "%d\n", (int)(CLASSES * lcg(&seed)));
    }
    sgdi_dataset *ds = NULL;
    sgdi_error err;
    if (b.failed || sgdi_dataset_load_csv_buffer(b.data, b.size, "table.csv", &ds, &err) != SGDI_OK)
        fprintf(stderr, "table: %s\n", b.failed ? "out of memory" : err.message);
    sgdi_strbuf_free(&b);
    return ds;
}

// --- The networks ------------------------------------------------------------------------

// What a recurrent block may get wrong (NONE: nothing).
typedef enum defect {
    NONE,
    BATCH_AXIS,        // RecurrentInput splits the batch axis
    OUTPUT_LENGTH,     // RecurrentOutput stacks more steps than the block has
    STEPS_MISMATCH,    // the split variable is declared with another step count
    NO_INITIAL,        // Delay without its initial value
    DELAY_OUTSIDE,     // Delay outside the block
    NO_PARAM,          // RecurrentInput without recurrent_param
    OUTPUT_INSIDE,     // RecurrentOutput repeats with the block it ends
    DELAY_NOT_STEPPED, // Delay delays a variable that is not per step
} defect;

typedef struct net_shape {
    int steps, features; // x is (steps * features), reshaped to (steps, features)
} net_shape;

// The parameters both versions share: name, rows, columns (0: a vector).
typedef struct param_decl {
    const char *name;
    int rows, cols;
} param_decl;

static int param_decls(net_shape s, param_decl *p) {
    const param_decl all[] = {{"Init/affine/W", s.steps * s.features, HIDDEN},
                              {"Init/affine/b", HIDDEN, 0},
                              {"Affine/affine/W", s.features, HIDDEN},
                              {"Affine/affine/b", HIDDEN, 0},
                              {"Affine_2/affine/W", HIDDEN, HIDDEN},
                              {"Out/affine/W", s.steps * HIDDEN, CLASSES},
                              {"Out/affine/b", CLASSES, 0}};
    memcpy(p, all, sizeof all);
    return (int)(sizeof all / sizeof all[0]);
}

// A buffer variable (batch first) of the given per-sample dims, in block `repeat` or none.
static void buffer(sgdi_strbuf *b, const char *name, const char *repeat, int d0, int d1) {
    sgdi_strbuf_printf(b, "  variable { name: \"%s\" type: \"Buffer\"", name);
    if (repeat) sgdi_strbuf_printf(b, " repeat_id: \"%s\"", repeat);
    sgdi_strbuf_printf(b, " shape: { dim: -1 dim: %d", d0);
    if (d1) sgdi_strbuf_printf(b, " dim: %d", d1);
    sgdi_strbuf_printf(b, " } }\n");
}

// What both versions start with: the declarations of data and parameters, and
// x reshaped to (steps, features) into `reshaped`, the initial state
// InitTanh = tanh(x W0 + b0): the Delay's value at step 0.
static void common_start(sgdi_strbuf *b, net_shape s, const char *repeat_info,
                         const char *reshaped) {
    param_decl p[8];
    int n = param_decls(s, p);
    sgdi_strbuf_printf(b, "network { name: \"Main\" batch_size: 4\n%s", repeat_info);
    buffer(b, "x", NULL, s.steps * s.features, 0);
    buffer(b, "y", NULL, 1, 0);
    buffer(b, "InitTanh", NULL, HIDDEN, 0);
    for (int k = 0; k < n; k++) {
        sgdi_strbuf_printf(b, "  variable { name: \"%s\" type: \"Parameter\" shape: { dim: %d",
                           p[k].name, p[k].rows);
        if (p[k].cols) sgdi_strbuf_printf(b, " dim: %d", p[k].cols);
        sgdi_strbuf_printf(b, " } }\n");
    }
    sgdi_strbuf_printf(
        b,
        "  function { name: \"Reshape\" type: \"Reshape\" input: \"x\" output: \"%s\"\n"
        "    reshape_param { shape { dim: -1 dim: %d dim: %d } } }\n"
        "  function { name: \"Init\" type: \"Affine\" input: \"x\" input: \"Init/affine/W\"\n"
        "    input: \"Init/affine/b\" output: \"Init\" affine_param { base_axis: 1 } }\n"
        "  function { name: \"InitTanh\" type: \"Tanh\" input: \"Init\" output: \"InitTanh\" }\n",
        reshaped, s.steps, s.features);
}

// What both versions end with: the classifier over the stacked states, the optimizer
// and the parameter values.
static void common_end(sgdi_strbuf *b, const char *stacked, const char *params) {
    sgdi_strbuf_printf(
        b,
        "  function { name: \"Out\" type: \"Affine\" input: \"%s\" input: \"Out/affine/W\"\n"
        "    input: \"Out/affine/b\" output: \"Out\" affine_param { base_axis: 1 } }\n"
        "  function { name: \"CE\" type: \"SoftmaxCrossEntropy\" input: \"Out\" input: \"y\" "
        "output: \"CE\" }\n"
        "}\n"
        "optimizer { name: \"o\" network_name: \"Main\"\n"
        "  solver { type: \"Sgd\" sgd_param { lr: 0.1 } }\n"
        "  data_variable { variable_name: \"x\" data_name: \"x\" }\n"
        "  data_variable { variable_name: \"y\" data_name: \"y\" }\n"
        "  loss_variable { variable_name: \"CE\" } }\n%s",
        stacked, params);
}

static char *finish(sgdi_strbuf *b) {
    if (b->failed) sgdi_strbuf_free(b);
    return b->data;
}

// The Elman RNN as NNC writes it: a block "RecurrentInput" (NNC names the block after
// its RecurrentInput) whose Delay feeds Tanh back; parameters declared without the
// block's id, so shared by the steps.
static char *recurrent_text(net_shape s, defect bad, const char *params) {
    sgdi_strbuf b = {0};
    const char *R = "RecurrentInput", *in_block = "repeat_id: \"RecurrentInput\"";
    char info[128], split[160] = "";
    snprintf(info, sizeof info, "  repeat_info { id: \"%s\" times: %d }\n", R, s.steps);
    if (bad != NO_PARAM)
        snprintf(split, sizeof split, "recurrent_param { %s length: %d axis: %d }", in_block,
                 s.steps, bad == BATCH_AXIS ? 0 : 1);
    common_start(&b, s, info, "Reshape");
    buffer(&b, "Reshape", NULL, s.steps + (bad == STEPS_MISMATCH), s.features);
    buffer(&b, "RecurrentInput", R, s.features, 0);
    const char *per_step[] = {"Affine", "Delay", "Affine_2", "Add2", "Tanh"};
    for (int k = 0; k < 5; k++) buffer(&b, per_step[k], R, HIDDEN, 0);
    buffer(&b, "RecurrentOutput", NULL, s.steps, HIDDEN);
    sgdi_strbuf_printf(
        &b,
        "  function { name: \"RecurrentInput\" type: \"RecurrentInput\" %s input: \"Reshape\"\n"
        "    output: \"RecurrentInput\" %s }\n"
        "  function { name: \"Affine\" type: \"Affine\" %s input: \"RecurrentInput\"\n"
        "    input: \"Affine/affine/W\" input: \"Affine/affine/b\" output: \"Affine\"\n"
        "    affine_param { base_axis: 1 } }\n"
        "  function { name: \"Delay\" type: \"Delay\" %s input: \"%s\" %s output: \"Delay\"\n"
        "    recurrent_param { %s length: %d } }\n"
        "  function { name: \"Affine_2\" type: \"Affine\" %s input: \"Delay\"\n"
        "    input: \"Affine_2/affine/W\" output: \"Affine_2\" affine_param { base_axis: 1 } }\n"
        "  function { name: \"Add2\" type: \"Add2\" %s input: \"Affine\" input: \"Affine_2\"\n"
        "    output: \"Add2\" }\n"
        "  function { name: \"Tanh\" type: \"Tanh\" %s input: \"Add2\" output: \"Tanh\" }\n"
        "  function { name: \"RecurrentOutput\" type: \"RecurrentOutput\" %s input: \"Tanh\"\n"
        "    output: \"RecurrentOutput\" recurrent_param { %s length: %d axis: 1 } }\n",
        in_block, split, in_block, bad == DELAY_OUTSIDE ? "" : in_block,
        bad == DELAY_NOT_STEPPED ? "InitTanh" : "Tanh",
        bad == NO_INITIAL ? "" : "input: \"InitTanh\"", in_block, s.steps, in_block, in_block,
        in_block, bad == OUTPUT_INSIDE ? in_block : "", in_block, s.steps + (bad == OUTPUT_LENGTH));
    common_end(&b, "RecurrentOutput", params);
    return finish(&b);
}

// The same network unrolled by hand: per step a Slice of the reshaped x (in nnabla's
// several spellings: the batch entry left out or whole, 2147483647 = None, negative
// start and stop counted from the end, a stop past the end clamped), the Affines and
// Tanh; the steps joined by Concatenate (two of them past eight steps).
static char *unrolled_text(net_shape s, const char *params) {
    sgdi_strbuf b = {0};
    common_start(&b, s, "", "r");
    for (int t = 0; t < s.steps; t++) {
        char slice[256], prev[32];
        if (t % 3 == 0)
            snprintf(slice, sizeof slice, "start: %d start: 0 stop: %d stop: %d step: 1 step: 1", t,
                     t + 1, s.features);
        if (t % 3 == 1)
            snprintf(slice, sizeof slice,
                     "start: 0 start: %d start: 0 stop: 2147483647 stop: %d stop: 99 step: 1 "
                     "step: 1 step: 1",
                     t, t + 1);
        if (t % 3 == 2)
            snprintf(slice, sizeof slice,
                     "start: %d start: 0 stop: %d stop: 2147483647 step: 1 step: 2147483647",
                     t - s.steps, t + 1 == s.steps ? 2147483647 : t + 1 - s.steps);
        snprintf(prev, sizeof prev, t == 0 ? "InitTanh" : "h%d", t - 1);
        sgdi_strbuf_printf(
            &b,
            "  function { name: \"s%d\" type: \"Slice\" input: \"r\" output: \"s%d\"\n"
            "    slice_param { %s } }\n"
            "  function { name: \"x%d\" type: \"Reshape\" input: \"s%d\" output: \"x%d\"\n"
            "    reshape_param { shape { dim: -1 dim: %d } } }\n"
            "  function { name: \"a%d\" type: \"Affine\" input: \"x%d\" input: "
            "\"Affine/affine/W\"\n"
            "    input: \"Affine/affine/b\" output: \"a%d\" affine_param { base_axis: 1 } }\n"
            "  function { name: \"b%d\" type: \"Affine\" input: \"%s\" input: "
            "\"Affine_2/affine/W\"\n"
            "    output: \"b%d\" affine_param { base_axis: 1 } }\n"
            "  function { name: \"c%d\" type: \"Add2\" input: \"a%d\" input: \"b%d\" output: "
            "\"c%d\" }\n"
            "  function { name: \"h%d\" type: \"Tanh\" input: \"c%d\" output: \"h%d\" }\n"
            "  function { name: \"o%d\" type: \"Reshape\" input: \"h%d\" output: \"o%d\"\n"
            "    reshape_param { shape { dim: -1 dim: 1 dim: %d } } }\n",
            t, t, slice, t, t, t, s.features, t, t, t, t, prev, t, t, t, t, t, t, t, t, t, t, t,
            HIDDEN);
    }
    sgdi_strbuf_printf(&b, "  function { name: \"st\" type: \"Concatenate\"");
    for (int t = 0; t < s.steps && t < 8; t++) sgdi_strbuf_printf(&b, " input: \"o%d\"", t);
    sgdi_strbuf_printf(&b, " output: \"st\" concatenate_param { axis: 1 } }\n");
    if (s.steps > 8) {
        sgdi_strbuf_printf(&b, "  function { name: \"st2\" type: \"Concatenate\" input: \"st\"");
        for (int t = 8; t < s.steps; t++) sgdi_strbuf_printf(&b, " input: \"o%d\"", t);
        sgdi_strbuf_printf(&b, " output: \"st2\" concatenate_param { axis: 1 } }\n");
    }
    common_end(&b, s.steps > 8 ? "st2" : "st", params);
    return finish(&b);
}

// The parameter values both versions share, from a fixed generator.
static char *params_text(net_shape s) {
    param_decl p[8];
    int n = param_decls(s, p);
    sgdi_strbuf b = {0};
    unsigned seed = 17u;
    for (int k = 0; k < n; k++) {
        sgdi_strbuf_printf(&b, "parameter { variable_name: \"%s\" shape { dim: %d", p[k].name,
                           p[k].rows);
        if (p[k].cols) sgdi_strbuf_printf(&b, " dim: %d", p[k].cols);
        sgdi_strbuf_printf(&b, " }");
        for (int i = 0; i < p[k].rows * (p[k].cols ? p[k].cols : 1); i++)
            sgdi_strbuf_printf(&b, " data: %.6f", lcg(&seed) - 0.5);
        sgdi_strbuf_printf(&b, " need_grad: true }\n");
    }
    return finish(&b);
}

static sgdi_model *load(const char *text, const char *name, sgdi_error *err) {
    sgdi_model *m = NULL;
    if (!text) return NULL;
    if (sgdi_model_load_text(text, strlen(text), name, &m, err) != SGDI_OK) return NULL;
    return m;
}

// The recurrent network of shape `s` with defect `bad`, loaded as `name`; NULL with err set
// when it does not load.
static sgdi_model *load_recurrent(net_shape s, defect bad, const char *name, sgdi_error *err) {
    char *params = params_text(s), *text = params ? recurrent_text(s, bad, params) : NULL;
    *err = (sgdi_error){.status = SGDI_ERR_NOMEM, .message = "out of memory"};
    sgdi_model *m = load(text, name, err);
    free(text), free(params);
    return m;
}

static const Function *find_function(const sgdi_model *m, const char *name) {
    for (size_t i = 0; i < m->network->n_function; i++)
        if (strcmp(m->network->function[i]->name, name) == 0) return m->network->function[i];
    fprintf(stderr, "  no function '%s' in the unrolled network\n", name);
    return NULL;
}

// --- Recurrent and unrolled by hand give the same bits ------------------------------------

static void check_same_bits(net_shape s) {
    char *params = params_text(s);
    char *rec = recurrent_text(s, NONE, params), *hand = unrolled_text(s, params);
    sgdi_error err, err_b;
    sgdi_model *a = load(rec, "recurrent.nntxt", &err), *b = load(hand, "unrolled.nntxt", &err_b);
    free(rec), free(hand), free(params);
    const char *why_a = a ? sgdi_model_unsupported(a) : err.message,
               *why_b = b ? sgdi_model_unsupported(b) : err_b.message;
    CHECK_MSG(!why_a && !why_b, "%s / %s", why_a ? why_a : "-", why_b ? why_b : "-");
    if (why_a || why_b) {
        sgdi_model_free(a), sgdi_model_free(b);
        return;
    }
    // Parameters declared without the block's id are shared by every step.
    int64_t expected = (int64_t)s.steps * s.features * HIDDEN + HIDDEN + s.features * HIDDEN +
                       HIDDEN + HIDDEN * HIDDEN + (int64_t)s.steps * HIDDEN * CLASSES + CLASSES;
    CHECK(a->graph.n_params == expected && b->graph.n_params == expected);
    for (int64_t i = 0; i < a->graph.n_params; i++) CHECK(a->lr_mult[i] == 1.0f);
    int n = 24;
    sgdi_dataset *train = table(n, s.steps * s.features, 21u),
                 *val = table(12, s.steps * s.features, 22u);
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.epochs = 2;
    sgdi_result *ra = NULL, *rb = NULL;
    opt.model = a;
    CHECK_MSG(sgdi_run(&opt, train, val, NULL, NULL, &ra, &err) == SGDI_OK, "%s", err.message);
    opt.model = b;
    CHECK_MSG(sgdi_run(&opt, train, val, NULL, NULL, &rb, &err) == SGDI_OK, "%s", err.message);
    if (ra && rb) {
        const double *sa = sgdi_result_scores(ra), *sb = sgdi_result_scores(rb);
        CHECK(memcmp(sa, sb, (size_t)n * sizeof(double)) == 0);
        CHECK(sgdi_result_val_loss(ra) == sgdi_result_val_loss(rb));
        bool nonzero = false;
        for (int i = 0; i < n; i++) nonzero |= sa[i] != 0;
        CHECK(nonzero); // the scores say something
    }
    sgdi_result_free(ra), sgdi_result_free(rb);
    sgdi_dataset_free(train), sgdi_dataset_free(val);
    sgdi_model_free(a), sgdi_model_free(b);
}

static void test_elman_equals_unrolled(void) {
    check_same_bits((net_shape){.steps = 3, .features = 2});
}

// Ten steps: RecurrentOutput needs a second level of Concatenate.
static void test_long_recurrence_equals_unrolled(void) {
    check_same_bits((net_shape){.steps = 10, .features = 1});
}

// --- The unrolled network's names and wiring ----------------------------------------------

static bool inputs_are(const Function *f, int n, const char *const *names) {
    if (!f || f->n_input != (size_t)n) return false;
    for (int k = 0; k < n; k++)
        if (strcmp(f->input[k], names[k]) != 0) return false;
    return true;
}

static void test_unrolled_names(void) {
    net_shape s = {.steps = 3, .features = 2};
    sgdi_error err;
    sgdi_model *m = load_recurrent(s, NONE, "recurrent.nntxt", &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (!m) return;
    for (size_t i = 0; i < m->network->n_function; i++) {
        const char *type = m->network->function[i]->type;
        CHECK_MSG(strncmp(type, "Recurrent", 9) != 0 && strcmp(type, "Delay") != 0, "%s left",
                  type);
    }
    // Delay: the initial value at step 0, the previous step's Tanh after it.
    const Function *d0 = find_function(m, "Delay_RecurrentInput[0]"),
                   *d2 = find_function(m, "Delay_RecurrentInput[2]");
    CHECK(d0 && strcmp(d0->type, "Identity") == 0 &&
          inputs_are(d0, 1, (const char *[]){"InitTanh"}));
    CHECK(inputs_are(d2, 1, (const char *[]){"Tanh_RecurrentInput[1]"}) &&
          strcmp(d2->output[0], "Delay_RecurrentInput[2]") == 0);
    // RecurrentInput: a Slice of the step's row, then a Reshape dropping the axis.
    const Function *s1 = find_function(m, "RecurrentInput/Slice_RecurrentInput[1]"),
                   *r1 = find_function(m, "RecurrentInput/Reshape_RecurrentInput[1]");
    CHECK(s1 && strcmp(s1->type, "Slice") == 0 && inputs_are(s1, 1, (const char *[]){"Reshape"}));
    const SliceParameter *p = s1 ? s1->slice_param : NULL; // the step's row, the batch whole
    CHECK(p && p->n_start == 2 && p->start[0] == 1 && p->start[1] == 0 && p->n_stop == 2 &&
          p->stop[0] == 2 && p->stop[1] == s.features);
    CHECK(r1 && strcmp(r1->type, "Reshape") == 0 &&
          strcmp(r1->output[0], "RecurrentInput_RecurrentInput[1]") == 0);
    // Steps share the parameters declared without the block's id.
    CHECK(inputs_are(find_function(m, "Affine_RecurrentInput[2]"), 3,
                     (const char *[]){"RecurrentInput_RecurrentInput[2]", "Affine/affine/W",
                                      "Affine/affine/b"}));
    // RecurrentOutput: a unit axis per step, joined along it under the function's name.
    const Function *ro = find_function(m, "RecurrentOutput");
    CHECK(ro && strcmp(ro->type, "Concatenate") == 0 &&
          strcmp(ro->output[0], "RecurrentOutput") == 0);
    CHECK(inputs_are(ro, 3,
                     (const char *[]){"RecurrentOutput/Reshape_RecurrentInput[0]",
                                      "RecurrentOutput/Reshape_RecurrentInput[1]",
                                      "RecurrentOutput/Reshape_RecurrentInput[2]"}));
    CHECK(inputs_are(find_function(m, "RecurrentOutput/Reshape_RecurrentInput[1]"), 1,
                     (const char *[]){"Tanh_RecurrentInput[1]"}));
    sgdi_model_free(m);

    // Past eight steps the Concatenate becomes a tree: groups of eight, then the rest.
    s = (net_shape){.steps = 10, .features = 1};
    m = load_recurrent(s, NONE, "recurrent10.nntxt", &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (!m) return;
    const Function *g0 = find_function(m, "RecurrentOutput/Concatenate0[0]"),
                   *g1 = find_function(m, "RecurrentOutput/Concatenate0[1]");
    ro = find_function(m, "RecurrentOutput");
    CHECK(g0 && g0->n_input == 8 && g1 && g1->n_input == 2);
    CHECK(inputs_are(
        ro, 2,
        (const char *[]){"RecurrentOutput/Concatenate0[0]", "RecurrentOutput/Concatenate0[1]"}));
    CHECK(g1 && strcmp(g1->input[1], "RecurrentOutput/Reshape_RecurrentInput[9]") == 0);
    sgdi_model_free(m);
}

// --- Broken blocks ------------------------------------------------------------------------

static void test_bad_blocks(void) {
    const struct {
        defect bad;
        const char *message;
    } cases[] = {
        {BATCH_AXIS, "RecurrentInput 'RecurrentInput': axis 0 is the batch axis"},
        {OUTPUT_LENGTH,
         "RecurrentOutput 'RecurrentOutput': stacks 4 steps, but repeat_info 'RecurrentInput' "
         "has 3"},
        {STEPS_MISMATCH, "RecurrentInput 'RecurrentInput': splits 'Reshape' into 4 steps along "
                         "axis 1, but its length is 3 and repeat_info 'RecurrentInput' has 3"},
        {NO_INITIAL, "Delay 'Delay': has no initial value"},
        {DELAY_OUTSIDE, "Delay 'Delay': is not inside its recurrence 'RecurrentInput'"},
        {NO_PARAM, "RecurrentInput 'RecurrentInput': has no recurrent_param"},
        {OUTPUT_INSIDE,
         "RecurrentOutput 'RecurrentOutput': repeats with the recurrence 'RecurrentInput'"},
        {DELAY_NOT_STEPPED, "Delay 'Delay': its input 'InitTanh' is not a variable of "
                            "recurrence 'RecurrentInput'"},
    };
    net_shape s = {.steps = 3, .features = 2};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sgdi_error err;
        sgdi_model *m = load_recurrent(s, cases[k].bad, "bad.nntxt", &err);
        CHECK_MSG(m == NULL && err.status == SGDI_ERR_FORMAT, "case %zu: status %d", k,
                  (int)err.status);
        CHECK_MSG(strstr(err.message, "bad.nntxt: network 'Main': ") &&
                      strstr(err.message, cases[k].message),
                  "case %zu: %s", k, err.message);
        sgdi_model_free(m);
    }
    // A Delay in a network without any block (no repeat_info) is refused too: the hand-
    // unrolled network with its first Tanh turned into one.
    char *params = params_text(s), *hand = params ? unrolled_text(s, params) : NULL;
    char *at = hand ? strstr(hand, "\"Tanh\" input: \"c0\"") : NULL;
    if (at) memcpy(at, "\"Delay\" input:\"c0\"", 18); // the same length
    sgdi_error err;
    sgdi_model *m = at ? load(hand, "stray.nntxt", &err) : NULL;
    CHECK_MSG(at && !m &&
                  strstr(err.message, "stray.nntxt: network 'Main': Delay 'h0': has no "
                                      "recurrent_param naming its recurrence"),
              "%s", at ? err.message : "no Tanh to replace");
    sgdi_model_free(m);
    free(hand), free(params);
}

// --- Slice -------------------------------------------------------------------------------

// Forward against a reference loop over x (3, 4, 5), y = x[:, 1:3, 0:4:2, 1:5:3]; backward
// scatters into pre-filled adjoints.
static void test_slice_values(void) {
    enum { B = 2, D0 = 3, D1 = 4, D2 = 5, Y0 = 2, Y1 = 2, Y2 = 2 };
    sgdi_op_attr attr = {.slice = {.start = {1, 0, 1}, .stop = {3, 4, 5}, .step = {1, 2, 3}}};
    sgdi_shape xs = {3, {D0, D1, D2}}, ys;
    bool batched = true;
    char why[128] = "";
    const sgdi_op_def *def = &sgdi_op_table[SGDI_OP_SLICE];
    CHECK(strcmp(def->name, "Slice") == 0 && sgdi_op_find("Slice") == SGDI_OP_SLICE);
    CHECK_MSG(def->infer_shape(&attr, &xs, &batched, 1, &ys, 1, why, sizeof why) == SGDI_OK, "%s",
              why);
    CHECK(ys.ndim == 3 && ys.dim[0] == Y0 && ys.dim[1] == Y1 && ys.dim[2] == Y2);
    sgdi_real x[B * D0 * D1 * D2], y[B * Y0 * Y1 * Y2], x_bar[B * D0 * D1 * D2],
        y_bar[B * Y0 * Y1 * Y2], y_tan[B * Y0 * Y1 * Y2];
    for (int i = 0; i < B * D0 * D1 * D2; i++) x[i] = (sgdi_real)i, x_bar[i] = 1;
    for (int i = 0; i < B * Y0 * Y1 * Y2; i++) y_bar[i] = (sgdi_real)(100 + i), y_tan[i] = -1;
    sgdi_port in = {.val = x, .adj = x_bar, .shape = xs, .count = D0 * D1 * D2, .batched = true};
    sgdi_port out = {
        .val = y, .tan = y_tan, .adj = y_bar, .shape = ys, .count = Y0 * Y1 * Y2, .batched = true};
    sgdi_exec_ctx ctx = {0};
    sgdi_op_call call = {
        .attr = &attr, .ctx = &ctx, .in = &in, .n_in = 1, .out = &out, .n_out = 1, .batch = B};
    def->forward(&call);
    def->backward(&call);
    def->tangent_forward(&call); // x' NULL: y' = 0
    bool forward_ok = true, scatter_ok = true, untouched = true, zero_tangent = true;
    for (int k = 0; k < B * Y0 * Y1 * Y2; k++) { // k = ((b Y0 + i) Y1 + j) Y2 + l
        int b = k / (Y0 * Y1 * Y2), i = k / (Y1 * Y2) % Y0, j = k / Y2 % Y1, l = k % Y2;
        int at = ((b * D0 + 1 + i) * D1 + 2 * j) * D2 + 1 + 3 * l;
        forward_ok &= y[k] == x[at];
        scatter_ok &= x_bar[at] == 1 + y_bar[k];
        zero_tangent &= y_tan[k] == 0;
        x_bar[at] = 1; // what remains must be untouched
    }
    for (int i = 0; i < B * D0 * D1 * D2; i++) untouched &= x_bar[i] == 1;
    CHECK(forward_ok && scatter_ok && untouched && zero_tangent);

    // infer_shape's reasons.
    const struct {
        int dim;
        int64_t start, stop, step;
        bool batched;
        const char *reason;
    } bad[] = {// clang-format off
        {1, 0, 4, 0, true, "Slice: step 0 of dim 1 is not positive"},
               {1, 4, 4, 1, true, "Slice: start 4 of dim 1 is outside [0, 4)"},
               {2, 3, 3, 1, true, "Slice: stop 3 of dim 2 is outside (start 3, size 5]"},
               {2, 0, 6, 1, true, "Slice: stop 6 of dim 2 is outside (start 0, size 5]"},
               {0, 0, 3, 1, false, "Slice: x must be batched"}};
    // clang-format on
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        sgdi_op_attr a = {.slice = {.start = {0, 0, 0}, .stop = {3, 4, 5}, .step = {1, 1, 1}}};
        a.slice.start[bad[c].dim] = bad[c].start, a.slice.stop[bad[c].dim] = bad[c].stop;
        a.slice.step[bad[c].dim] = bad[c].step;
        why[0] = '\0';
        CHECK(def->infer_shape(&a, &xs, &bad[c].batched, 1, &ys, 1, why, sizeof why) ==
              SGDI_ERR_FORMAT);
        CHECK_MSG(strcmp(why, bad[c].reason) == 0, "%s", why);
    }
}

// A model x (6) -> Slice 'S' -> SoftmaxCrossEntropy, with nnabla's start/stop/step.
static sgdi_model *slice_model(const char *slice_param, sgdi_error *err) {
    char text[2048];
    snprintf(text, sizeof text,
             "network { name: \"Main\" batch_size: 4\n"
             "  variable { name: \"x\" type: \"Buffer\" shape: { dim: -1 dim: 6 } }\n"
             "  variable { name: \"y\" type: \"Buffer\" shape: { dim: -1 dim: 1 } }\n"
             "  function { name: \"S\" type: \"Slice\" input: \"x\" output: \"s\"\n"
             "    slice_param { %s } }\n"
             "  function { name: \"CE\" type: \"SoftmaxCrossEntropy\" input: \"s\" input: \"y\" "
             "output: \"CE\" }\n"
             "}\n"
             "optimizer { name: \"o\" network_name: \"Main\"\n"
             "  solver { type: \"Sgd\" sgd_param { lr: 0.1 } }\n"
             "  data_variable { variable_name: \"x\" data_name: \"x\" }\n"
             "  data_variable { variable_name: \"y\" data_name: \"y\" }\n"
             "  loss_variable { variable_name: \"CE\" } }\n",
             slice_param);
    return load(text, "slice.nntxt", err);
}

// nnabla's start/stop/step: taken as the engine's per-sample slice, or refused with a reason.
static void test_slice_parameters(void) {
    const struct {
        const char *param;
        int64_t start, stop, step, out; // when accepted
        const char *reason;             // when refused
    } cases[] = {
        // clang-format off
        {"start: -4 stop: 2147483647 step: 2", 2, 6, 2, 2, NULL}, // no batch entry
        {"start: 0 start: 1 stop: 2147483647 stop: -1 step: 1 step: 1", 1, 5, 1, 4, NULL},
        {"start: 2147483647 start: 3 stop: 1048576 stop: 100 step: 2147483647 step: 2147483647",
         3, 6, 1, 3, NULL},
        {"start: 0 stop: 6 step: -1", 0, 0, 0, 0,
         "Slice 'S' (step -1 on axis 1: only positive steps are supported)"},
        {"start: 1 start: 0 stop: 4 stop: 6 step: 1 step: 1", 0, 0, 0, 0,
         "Slice 'S' (slices the batch axis (start 1, stop 4, step 1); only the whole batch"},
        {"start: 0 start: 0 stop: 4 stop: 6 step: 1 step: 1", 0, 0, 0, 0, "slices the batch axis"},
        {"start: 6 stop: 7 step: 1", 0, 0, 0, 0, "start 6, stop 7 on axis 1 (size 6) select nothing"},
        {"start: 3 stop: -3 step: 1", 0, 0, 0, 0, "start 3, stop -3 on axis 1 (size 6) select"},
        {"start: 0 start: 0 stop: 6 step: 1", 0, 0, 0, 0, "start, stop and step have 2, 1 and 1"},
        {"start: 0 start: 0 start: 0 stop: 1 stop: 1 stop: 1 step: 1 step: 1 step: 1", 0, 0, 0, 0,
         "has 3 entries for 2 axes (the batch included)"},
        // clang-format on
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sgdi_error err;
        sgdi_model *m = slice_model(cases[c].param, &err);
        CHECK_MSG(m != NULL, "%s", err.message);
        if (!m) continue;
        const char *why = sgdi_model_unsupported(m);
        const sgdi_node *node = m->graph.n_nodes > 0 ? &m->graph.nodes[0] : NULL;
        if (cases[c].reason) {
            CHECK_MSG(why && strstr(why, cases[c].reason), "case %zu: %s", c, why ? why : "-");
        } else {
            CHECK_MSG(!why && node && node->op == SGDI_OP_SLICE, "case %zu: %s", c,
                      why ? why : "-");
            const sgdi_slice_attr *a = node ? &node->attr.slice : NULL;
            CHECK_MSG(a && a->start[0] == cases[c].start && a->stop[0] == cases[c].stop &&
                          a->step[0] == cases[c].step &&
                          m->graph.vars[node->out[0]].shape.dim[0] == cases[c].out,
                      "case %zu", c);
        }
        sgdi_model_free(m);
    }
}

// --- --describe -------------------------------------------------------------------------

static void test_describe(void) {
    net_shape s = {.steps = 3, .features = 2};
    sgdi_error err;
    sgdi_model *m = load_recurrent(s, NONE, "recurrent.nntxt", &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (!m) return;
    char *text = NULL;
    CHECK(sgdi_model_describe(m, &text, &err) == SGDI_OK);
    const char *unrolled =
        text ? strstr(text, "the trained network with its blocks unrolled:\n") : NULL;
    CHECK_MSG(unrolled, "%s", text ? text : "(none)");
    if (unrolled) {
        // The control functions are understood, and their unrolled operators listed.
        CHECK(!strstr(text, "[not supported]") && !strstr(text, "!!"));
        const char *expected[] = {
            "Slice                    RecurrentInput/Slice_RecurrentInput[2] Reshape(-1,3,2)",
            "Identity                 Delay_RecurrentInput[1] Tanh_RecurrentInput[0](-1,4)",
            "Concatenate              RecurrentOutput      "
            "RecurrentOutput/Reshape_RecurrentInput[0]"};
        for (size_t k = 0; k < sizeof expected / sizeof *expected; k++)
            CHECK_MSG(strstr(unrolled, expected[k]), "missing: %s", expected[k]);
        CHECK(strstr(text, "status: supported; 95 parameters"));
    }
    free(text);
    sgdi_model_free(m);
}

int main(void) {
    RUN(test_elman_equals_unrolled);
    RUN(test_long_recurrence_equals_unrolled);
    RUN(test_unrolled_names);
    RUN(test_bad_blocks);
    RUN(test_slice_values);
    RUN(test_slice_parameters);
    RUN(test_describe);
    return sgdi_test_finish();
}
