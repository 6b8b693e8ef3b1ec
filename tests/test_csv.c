/*
 * test_csv.c — the CSV tokenizer (src/data/csv.c) and the NNC dataset reader
 * (src/data/dataset.c): good files in every supported shape, and every kind
 * of bad input giving the right status and a message that names the file,
 * line and column. Inputs are in memory (copied into exact-size buffers
 * without a terminating NUL) or small files under tests/data/csv/.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"
#include "data/dataset.h"
#include "sgdi.h"
#include "test_support.h"

// --- Helpers ----------------------------------------------------------------------

// Loads `text` from an exact-size copy (no terminating NUL to lean on).
static sgdi_status load_text(const char *name, const char *text, size_t len, sgdi_dataset **ds,
                             sgdi_error *err) {
    char *copy = malloc(len ? len : 1);
    if (!copy) return SGDI_ERR_NOMEM;
    memcpy(copy, text, len);
    sgdi_status st = sgdi_dataset_load_csv_buffer(copy, len, name, ds, err);
    free(copy);
    return st;
}

static sgdi_dataset *load_ok_at(int line, const char *name, const char *text) {
    sgdi_error err;
    sgdi_dataset *ds = NULL;
    sgdi_status st = load_text(name, text, strlen(text), &ds, &err);
    CHECK_MSG(st == SGDI_OK, "line %d: %s", line, err.message);
    return ds;
}
#define LOAD_OK(name, text) load_ok_at(__LINE__, name, text)

// Expects loading to fail with `status` and a message containing every needle.
static void expect_error_at(int line, const char *name, const char *text, size_t len,
                            sgdi_status status, const char *const *needles) {
    sgdi_error err;
    sgdi_dataset *ds = (sgdi_dataset *)&err; // must be reset to NULL
    sgdi_status st = load_text(name, text, len, &ds, &err);
    CHECK_MSG(st == status, "line %d: status %d (%s), expected %d", line, (int)st, err.message,
              (int)status);
    CHECK_MSG(err.status == st, "line %d", line);
    CHECK_MSG(ds == NULL, "line %d: dataset not NULL on failure", line);
    CHECK_MSG(strchr(err.message, '\n') == NULL, "line %d: multi-line message", line);
    for (; *needles; needles++)
        CHECK_MSG(strstr(err.message, *needles) != NULL, "line %d: '%s' not in: %s", line, *needles,
                  err.message);
    if (st == SGDI_OK) sgdi_dataset_free(ds);
}
#define EXPECT_ERROR(text, status, ...)                                                            \
    expect_error_at(__LINE__, "train.csv", text, strlen(text), status,                             \
                    (const char *const[]){__VA_ARGS__, NULL})

static void expect_compat_error_at(int line, const char *train_text, const char *val_text,
                                   const char *const *needles) {
    sgdi_dataset *train = load_ok_at(line, "train.csv", train_text);
    sgdi_dataset *val = load_ok_at(line, "val.csv", val_text);
    sgdi_error err;
    if (!train || !val) goto done;
    sgdi_status st = sgdi_dataset_check_compatible(train, val, &err);
    CHECK_MSG(st == SGDI_ERR_FORMAT, "line %d: status %d", line, (int)st);
    for (; *needles; needles++)
        CHECK_MSG(strstr(err.message, *needles) != NULL, "line %d: '%s' not in: %s", line, *needles,
                  err.message);
done:
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);
}
#define EXPECT_COMPAT_ERROR(train, val, ...)                                                       \
    expect_compat_error_at(__LINE__, train, val, (const char *const[]){__VA_ARGS__, NULL})

// A spread of magnitudes for the number tests: 10^-30 .. 10^30.
static double exact_scale(int i) {
    double s = 1;
    for (int k = 0; k < i % 31; k++) s *= 10;
    return i % 3 ? s : 1 / s;
}

// --- Tokenizer --------------------------------------------------------------------

// Appends printf output to out[cap] at *o, never past the end.
#define APPEND(out, cap, o, ...)                                                                   \
    do {                                                                                           \
        if (*(o) < (cap)) *(o) += (size_t)snprintf((out) + *(o), (cap) - *(o), __VA_ARGS__);       \
    } while (0)

// Reads all records of `text`, "|"-joining fields and ";"-ending records, with
// each record prefixed by its line: "1:a|b;3:c;".
static void tokenize(const char *text, size_t len, char *out, size_t cap, int *status) {
    sgdi_csv r;
    sgdi_error err;
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    sgdi_csv_init(&r, copy, len, "t.csv");
    size_t o = 0;
    out[0] = '\0';
    int got;
    while ((got = sgdi_csv_next(&r, &err)) > 0) {
        APPEND(out, cap, &o, "%lld:", (long long)r.record_line);
        for (int64_t i = 0; i < r.nfields; i++) {
            CHECK(r.fields[i].text[r.fields[i].len] == '\0');
            APPEND(out, cap, &o, "%s%.*s", i ? "|" : "", (int)r.fields[i].len, r.fields[i].text);
        }
        APPEND(out, cap, &o, ";");
    }
    *status = got;
    if (got < 0) {
        o = 0; // the message alone
        APPEND(out, cap, &o, "ERROR %.400s", err.message);
    }
    sgdi_csv_free(&r);
    free(copy);
}

static void check_tokens_at(int line, const char *text, size_t len, const char *want) {
    char got[512];
    int status;
    tokenize(text, len, got, sizeof got, &status);
    CHECK_MSG(strcmp(got, want) == 0, "line %d: got \"%s\", want \"%s\"", line, got, want);
}
#define CHECK_TOKENS(text, want) check_tokens_at(__LINE__, text, sizeof text - 1, want)

static void test_tokenizer(void) {
    CHECK_TOKENS("", "");
    CHECK_TOKENS("a,b\n1,2\n", "1:a|b;2:1|2;");
    CHECK_TOKENS("a,b\n1,2", "1:a|b;2:1|2;");       // no trailing newline
    CHECK_TOKENS("a,b\r\n1,2\r\n", "1:a|b;2:1|2;"); // CRLF
    CHECK_TOKENS("a,b\r1,2\r", "1:a|b;2:1|2;");     // lone CR, as universal newlines
    CHECK_TOKENS("\357\273\277a,b\n", "1:a|b;");    // BOM (EF BB BF) stripped
    CHECK_TOKENS("a\n\nb\n\n", "1:a;2:;3:b;4:;");   // blank lines are empty records
    CHECK_TOKENS(",\n", "1:|;");                    // two empty fields
    CHECK_TOKENS("a,", "1:a|;");                    // trailing comma at the very end
    CHECK_TOKENS(" a , b ", "1: a | b ;");          // no trimming
    CHECK_TOKENS("\"a,b\",c", "1:a,b|c;");          // quoted comma
    CHECK_TOKENS("\"say \"\"hi\"\"\",x", "1:say \"hi\"|x;");
    CHECK_TOKENS("\"\"\n", "1:;");             // one empty quoted field
    CHECK_TOKENS("a\"b,c\n", "1:a\"b|c;");     // a quote inside is literal
    CHECK_TOKENS("\"ab\"cd,e\n", "1:abcd|e;"); // text after the closing quote
    CHECK_TOKENS("\"l1\nl2\",x\nnext\n", "1:l1\nl2|x;3:next;");
    CHECK_TOKENS("\"l1\r\nl2\",x\r\nnext\r\n", "1:l1\nl2|x;3:next;");
    CHECK_TOKENS("a\0b,c\n", "1:a|c;"); // NUL kept (the printout stops at it; see below)

    char got[512];
    int status;
    const char bad[] = "a,b\n1,\"open\n2,3\n";
    tokenize(bad, sizeof bad - 1, got, sizeof got, &status);
    CHECK(status < 0);
    CHECK_MSG(strstr(got, "t.csv:2: column 2: unterminated quoted field") != NULL, "%s", got);

    sgdi_csv r;
    sgdi_csv_init(&r, "a\0b,c", 5, "t.csv");
    CHECK(sgdi_csv_next(&r, NULL) == 1 && r.nfields == 2 && r.fields[0].len == 3);
    CHECK(memcmp(r.fields[0].text, "a\0b", 4) == 0);
    sgdi_csv_free(&r);
    sgdi_csv_free(&r); // twice is fine

    // The field cap: n commas make n + 1 fields.
    size_t n = (size_t)SGDI_CSV_MAX_FIELDS;
    char *wide = malloc(n);
    memset(wide, ',', n);
    tokenize(wide, n, got, sizeof got, &status);
    CHECK(status < 0);
    CHECK_MSG(strstr(got, "t.csv:1: more than 1000000 fields") != NULL, "%s", got);
    tokenize(wide, n - 1, got, sizeof got, &status); // exactly the cap: fine
    CHECK(status == 0);
    free(wide);
}

static void test_parse_number(void) {
    static const struct {
        const char *text;
        sgdi_csv_number kind;
        double value;
    } cases[] = {
        {"1", SGDI_CSV_NUMBER, 1},
        {" 1.5 ", SGDI_CSV_NUMBER, 1.5},
        {"\t-2e3\n", SGDI_CSV_NUMBER, -2000},
        {".5", SGDI_CSV_NUMBER, 0.5},
        {"5.", SGDI_CSV_NUMBER, 5},
        {"+7E-1", SGDI_CSV_NUMBER, 0.7},
        {"-0", SGDI_CSV_NUMBER, 0},
        {"1e-400", SGDI_CSV_NUMBER, 0},
        {"", SGDI_CSV_NOT_NUMBER, 0},
        {"  ", SGDI_CSV_NOT_NUMBER, 0},
        {"abc", SGDI_CSV_NOT_NUMBER, 0},
        {"1e", SGDI_CSV_NOT_NUMBER, 0},
        {"0x10", SGDI_CSV_NOT_NUMBER, 0},
        {"1,5", SGDI_CSV_NOT_NUMBER, 0},
        {"1 2", SGDI_CSV_NOT_NUMBER, 0},
        {".", SGDI_CSV_NOT_NUMBER, 0},
        {"-", SGDI_CSV_NOT_NUMBER, 0},
        {"1.5x", SGDI_CSV_NOT_NUMBER, 0},
        {"nan(1)", SGDI_CSV_NOT_NUMBER, 0},
        {"./a.png", SGDI_CSV_NOT_NUMBER, 0},
        {"nan", SGDI_CSV_NAN, 0},
        {"-NaN", SGDI_CSV_NAN, 0},
        {"inf", SGDI_CSV_INF, 0},
        {" -Infinity ", SGDI_CSV_INF, 0},
        {"1e999", SGDI_CSV_INF, 0},
        {"-1e999", SGDI_CSV_INF, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -12345;
        sgdi_csv_number kind = sgdi_csv_parse_number(cases[i].text, strlen(cases[i].text), &v);
        CHECK_MSG(kind == cases[i].kind, "'%s': kind %d", cases[i].text, (int)kind);
        if (kind == SGDI_CSV_NUMBER) CHECK_NEAR(v, cases[i].value, 1e-12);
    }
}

// The fast path must give exactly what strtod gives (correct rounding).
static void test_parse_number_exact(void) {
    static const char *const fixed[] = {"0.1",
                                        "0.3",
                                        "9007199254740992",
                                        "9007199254740993",
                                        "12345678901234567890",
                                        "1e22",
                                        "1e23",
                                        "4.9e-324",
                                        "2.2250738585072014e-308",
                                        "0.000000000000000000001",
                                        "123.456e-20",
                                        "1797693134862315708145274237317043567981e269",
                                        "00000000000000000000000000001.5",
                                        "3.4028235e38",
                                        "-0.0"};
    int bad = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        double v = 0, want = strtod(fixed[i], NULL);
        CHECK(sgdi_csv_parse_number(fixed[i], strlen(fixed[i]), &v) == SGDI_CSV_NUMBER);
        CHECK_MSG(memcmp(&v, &want, sizeof v) == 0, "%s: %.17g vs %.17g", fixed[i], v, want);
    }
    uint64_t state = 88172645463325252u; // xorshift64: deterministic
    for (int i = 0; i < 20000; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        double x = (double)(state >> 11) * 0x1p-53 * 2 - 1;
        x *= exact_scale(i);
        char text[64];
        snprintf(text, sizeof text, i % 2 ? "%.*g" : "%.*e", 1 + i % 18, x);
        double v = 0, want = strtod(text, NULL);
        if (sgdi_csv_parse_number(text, strlen(text), &v) != SGDI_CSV_NUMBER ||
            memcmp(&v, &want, sizeof v) != 0)
            bad++;
    }
    CHECK_MSG(bad == 0, "%d of 20000 differ from strtod", bad);
}

static void test_describe(void) {
    char out[72];
    CHECK(strcmp(sgdi_csv_describe(out, sizeof out, "abc", 3), "abc") == 0);
    CHECK(strcmp(sgdi_csv_describe(out, sizeof out, "a\nb\0c", 5), "a\\x0ab\\x00c") == 0);
    char long_text[200];
    memset(long_text, 'z', sizeof long_text);
    sgdi_csv_describe(out, sizeof out, long_text, sizeof long_text);
    CHECK(strlen(out) < 64 && strcmp(out + strlen(out) - 3, "...") == 0);
}

// --- Good files -------------------------------------------------------------------

static void test_normal(void) {
    sgdi_dataset *ds = LOAD_OK("train.csv", "x__0,x__1,x__2,y\n"
                                            "1,2,3,0\n"
                                            "4.5,-5e-1,6,2\n");
    if (!ds) return;
    CHECK(sgdi_dataset_rows(ds) == 2);
    CHECK(sgdi_dataset_features(ds) == 3);
    CHECK(sgdi_dataset_classes(ds) == 3);
    CHECK(strcmp(sgdi_dataset_path(ds), "train.csv") == 0);
    const float *r1 = sgdi_dataset_row(ds, 1);
    CHECK(r1 && r1[0] == 4.5f && r1[1] == -0.5f && r1[2] == 6.0f);
    CHECK(sgdi_dataset_row(ds, 0)[2] == 3.0f);
    CHECK(sgdi_dataset_label(ds, 0) == 0 && sgdi_dataset_label(ds, 1) == 2);
    CHECK(sgdi_dataset_row(ds, 2) == NULL && sgdi_dataset_row(ds, -1) == NULL);
    CHECK(sgdi_dataset_label(ds, 2) == -1);
    CHECK(ds->lines[0] == 2 && ds->lines[1] == 3);
    CHECK(strcmp(ds->feature_names[2], "x__2") == 0 && ds->feature_columns[2] == 3);
    CHECK(ds->label_column == 4);
    sgdi_dataset_free(ds);
    sgdi_dataset_free(NULL);
    CHECK(sgdi_dataset_rows(NULL) == 0 && sgdi_dataset_path(NULL) == NULL);
}

static void test_shapes(void) {
    // One x column, labels written as floats, y before x.
    sgdi_dataset *ds = LOAD_OK("one.csv", "y,x\n3.0,0.25\n 1 ,-1\n1e0,3.4028235e38\n");
    if (ds) {
        CHECK(sgdi_dataset_features(ds) == 1 && sgdi_dataset_rows(ds) == 3);
        CHECK(sgdi_dataset_classes(ds) == 4);
        CHECK(sgdi_dataset_label(ds, 0) == 3 && sgdi_dataset_label(ds, 2) == 1);
        CHECK(sgdi_dataset_row(ds, 0)[0] == 0.25f && sgdi_dataset_row(ds, 2)[0] == FLT_MAX);
        sgdi_dataset_free(ds);
    }
    // name:comment headers, comment columns, other variables ignored, quoted fields,
    // a line break inside a quoted comment, features in file column order.
    ds = LOAD_OK("c.csv", "#id,x__1:Sepal width,z:image,x__0:Sepal length,\"#note\",y:label\n"
                          "\"a,b\",1,./img.png,2,\"say \"\"hi\"\"\",0\n"
                          "c,3,\"q,\"\"q\",4,\"two\nlines\",1\n"
                          "d,5,,6,,1\n");
    if (ds) {
        CHECK(sgdi_dataset_features(ds) == 2 && sgdi_dataset_rows(ds) == 3);
        CHECK(strcmp(ds->feature_names[0], "x__1") == 0 && ds->feature_columns[0] == 2);
        CHECK(strcmp(ds->feature_names[1], "x__0") == 0 && ds->feature_columns[1] == 4);
        CHECK(sgdi_dataset_row(ds, 1)[0] == 3.0f && sgdi_dataset_row(ds, 1)[1] == 4.0f);
        CHECK(ds->lines[0] == 2 && ds->lines[1] == 3 && ds->lines[2] == 5);
        CHECK(ds->label_column == 6 && sgdi_dataset_classes(ds) == 2);
        sgdi_dataset_free(ds);
    }
    // No trailing newline; blank lines in the middle and at the end are skipped.
    ds = LOAD_OK("b.csv", "x__0,y\n1,0\n\n2,1");
    if (ds) {
        CHECK(sgdi_dataset_rows(ds) == 2 && ds->lines[1] == 4);
        sgdi_dataset_free(ds);
    }
    ds = LOAD_OK("b.csv", "x__0,y\r\n1,0\r\n\r\n2,1\r\n\r\n\r\n");
    if (ds) {
        CHECK(sgdi_dataset_rows(ds) == 2 && ds->lines[1] == 4);
        sgdi_dataset_free(ds);
    }
}

static void test_files(void) {
    sgdi_error err;
    sgdi_dataset *ds = NULL;
    // The iris layout of the tabular plugin, CRLF line ends.
    sgdi_status st = sgdi_dataset_load_csv("data/csv/iris_crlf.csv", &ds, &err);
    CHECK_MSG(st == SGDI_OK, "%s", err.message);
    if (ds) {
        CHECK(sgdi_dataset_rows(ds) == 3 && sgdi_dataset_features(ds) == 4);
        CHECK(sgdi_dataset_classes(ds) == 3);
        CHECK(sgdi_dataset_row(ds, 2)[3] == 2.5f);
        CHECK(strcmp(sgdi_dataset_path(ds), "data/csv/iris_crlf.csv") == 0);
        CHECK(strcmp(ds->feature_names[0], "x__0") == 0);
        sgdi_dataset_free(ds);
        ds = NULL;
    }
    // A UTF-8 BOM and trailing blank lines.
    st = sgdi_dataset_load_csv("data/csv/bom.csv", &ds, &err);
    CHECK_MSG(st == SGDI_OK, "%s", err.message);
    if (ds) {
        CHECK(sgdi_dataset_rows(ds) == 2 && sgdi_dataset_features(ds) == 2);
        CHECK(strcmp(ds->feature_names[0], "x__0") == 0);
        sgdi_dataset_free(ds);
        ds = NULL;
    }
    // Unreadable files.
    st = sgdi_dataset_load_csv("data/csv/no-such-file.csv", &ds, &err);
    CHECK(st == SGDI_ERR_IO && ds == NULL);
    CHECK_MSG(strcmp(err.message,
                     "cannot open 'data/csv/no-such-file.csv': No such file or directory") == 0,
              "%s", err.message);
    st = sgdi_dataset_load_csv("data/csv", &ds, &err);
    CHECK(st == SGDI_ERR_IO && ds == NULL);
    CHECK_MSG(strstr(err.message, "'data/csv'") != NULL, "%s", err.message);
}

// --- Bad files --------------------------------------------------------------------

static void test_bad_cells(void) {
    const sgdi_status F = SGDI_ERR_FORMAT;
    EXPECT_ERROR("x__0,x__1,x__2,y\n1,2,3,0\n1,2,abc,0\n", F,
                 "train.csv:3: column 3 'x__2': 'abc' is not a number");
    EXPECT_ERROR("x__0,x__1:width,y\n1,./a.png,0\n", F,
                 "train.csv:2: column 2 'x__1': './a.png' is not a number");
    EXPECT_ERROR("x__0,y\n,0\n", F, "train.csv:2: column 1 'x__0': '' is not a number");
    EXPECT_ERROR("x__0,y\n1 2,0\n", F, "train.csv:2: column 1", "not a number");
    EXPECT_ERROR("x__0,y\nNaN,0\n", F, "train.csv:2: column 1 'x__0': 'NaN' is NaN");
    EXPECT_ERROR("x__0,y\n-inf,0\n", F, "train.csv:2: column 1 'x__0': '-inf' is infinite");
    EXPECT_ERROR("x__0,y\n1e999,0\n", F, "train.csv:2: column 1 'x__0'", "infinite");
    EXPECT_ERROR("x__0,y\n3.5e38,0\n", F, "train.csv:2: column 1 'x__0': '3.5e38' is too large");
    EXPECT_ERROR("x__0,y\n1,-1\n", F, "train.csv:2: column 2 'y': label '-1' is negative");
    EXPECT_ERROR("x__0,y\n1,3.5\n", F, "train.csv:2: column 2 'y': label '3.5' is not an integer");
    EXPECT_ERROR("x__0,y\n1,cat\n", F, "train.csv:2: column 2 'y': label 'cat' is not a number");
    EXPECT_ERROR("x__0,y\n1,nan\n", F, "train.csv:2: column 2 'y': label 'nan' is NaN");
    EXPECT_ERROR("x__0,y\n1,inf\n", F, "train.csv:2: column 2 'y'", "infinite");
    EXPECT_ERROR("x__0,y\n1,1000000\n", F, "train.csv:2: column 2 'y'", "too large");
    EXPECT_ERROR("x__0,y\n1,1e300\n", F, "train.csv:2: column 2 'y'", "too large");
    // A NUL byte inside a cell is not a number (the buffer need not be text).
    static const char nul[] = "x__0,y\n1\0,0\n";
    expect_error_at(__LINE__, "train.csv", nul, sizeof nul - 1, F,
                    (const char *const[]){"train.csv:2: column 1 'x__0': '1\\x00'", NULL});
}

static void test_bad_structure(void) {
    const sgdi_status F = SGDI_ERR_FORMAT;
    EXPECT_ERROR("x__0,x__1,y\n1,2,0\n1,2\n", F, "train.csv:3:", "2 fields, expected 3");
    EXPECT_ERROR("x__0,x__1,y\n1,2,0,9\n", F, "train.csv:2:", "4 fields, expected 3");
    EXPECT_ERROR("x__0,x__1,y\n1,2,0\n \n", F, "train.csv:3:", "1 fields, expected 3");
    EXPECT_ERROR("x__0,x__1\n1,2\n", F,
                 "train.csv: no column 'y' (the label); header is: x__0,x__1");
    EXPECT_ERROR("a,b:x,y\n1,2,0\n", F, "train.csv: no column 'x'", "header is: a,b:x,y");
    EXPECT_ERROR("x__0,,y\n1,2,0\n", F, "train.csv:1: column 2: empty header cell");
    EXPECT_ERROR(":foo,x,y\n1,2,0\n", F, "train.csv:1: column 1 ':foo': empty column name");
    EXPECT_ERROR("x__0,z,z:again,y\n1,2,3,0\n", F,
                 "train.csv:1: column 3 'z': duplicate column name (column 2");
    EXPECT_ERROR("x__0,x__1,x__0,y\n1,2,3,0\n", F, "train.csv:1: column 3 'x__0': duplicate");
    EXPECT_ERROR("x,x__0,y\n1,2,0\n", F, "train.csv:1: column 1 'x' and column 2 'x__0'");
    EXPECT_ERROR("x,y__0,y__1\n1,2,0\n", F, "train.csv:1: columns 2 'y__0' and 3 'y__1'",
                 "single column");
    EXPECT_ERROR("x__0,y\n1,\"0\n2,1\n", F, "train.csv:2: column 2: unterminated quoted field");
    EXPECT_ERROR("\n\nx__0,y\n1,0\n", F, "train.csv:1: blank line before the header");
    // Empty, header-only and blank-only inputs.
    EXPECT_ERROR("", F, "train.csv: no data rows");
    EXPECT_ERROR("\xEF\xBB\xBF", F, "train.csv: no data rows");
    EXPECT_ERROR("\n\n", F, "train.csv: no data rows");
    EXPECT_ERROR("x__0,y\n", F, "train.csv: no data rows");
    EXPECT_ERROR("x__0,y\n\n\n", F, "train.csv: no data rows");
    sgdi_error err;
    sgdi_dataset *ds = NULL;
    CHECK(sgdi_dataset_load_csv_buffer(NULL, 0, "none.csv", &ds, &err) == SGDI_ERR_FORMAT);
    CHECK(strstr(err.message, "none.csv: no data rows") != NULL);
    CHECK(sgdi_dataset_load_csv_buffer(NULL, 5, "none.csv", &ds, &err) == SGDI_ERR_INVALID);
    CHECK(sgdi_dataset_load_csv_buffer("x,y\n1,0\n", 8, NULL, &ds, NULL) == SGDI_OK);
    CHECK(ds && strcmp(sgdi_dataset_path(ds), "<memory>") == 0);
    sgdi_dataset_free(ds);
}

// --- Train and validation ---------------------------------------------------------

static void test_compatible(void) {
    sgdi_dataset *train = LOAD_OK("train.csv", "x__0,x__1,y\n1,2,0\n3,4,3\n");
    sgdi_dataset *val = LOAD_OK("val.csv", "#c,x__0:a,x__1:b,y\nq,1,2,3\nq,0,0,0\n");
    sgdi_error err;
    if (train && val)
        CHECK_MSG(sgdi_dataset_check_compatible(train, val, &err) == SGDI_OK, "%s", err.message);
    CHECK(sgdi_dataset_check_compatible(NULL, val, &err) == SGDI_ERR_INVALID);
    sgdi_dataset_free(train);
    sgdi_dataset_free(val);

    const char *tr = "x__0,x__1,y\n1,2,0\n3,4,3\n";
    EXPECT_COMPAT_ERROR(tr, "x__0,x__2,y\n1,2,0\n", "val.csv", "train.csv",
                        "feature 2 is 'x__2' (column 2) in val.csv but 'x__1' (column 2)");
    EXPECT_COMPAT_ERROR(tr, "x__0,y\n1,0\n", "val.csv has 1 feature columns but train.csv has 2",
                        "'x__1' (column 2 of train.csv) is missing from val.csv");
    EXPECT_COMPAT_ERROR(tr, "x__0,x__1,x__2,y\n1,2,3,0\n",
                        "val.csv has 3 feature columns but train.csv has 2",
                        "'x__2' (column 3 of val.csv) does not occur in train.csv");
    EXPECT_COMPAT_ERROR(tr, "x__0,x__1,y\n1,2,0\n\n1,2,1\n1,2,5\n",
                        "val.csv:5: label 5 does not occur in training (train.csv has classes "
                        "0..3)");
}

int main(void) {
    RUN(test_tokenizer);
    RUN(test_parse_number);
    RUN(test_parse_number_exact);
    RUN(test_describe);
    RUN(test_normal);
    RUN(test_shapes);
    RUN(test_files);
    RUN(test_bad_cells);
    RUN(test_bad_structure);
    RUN(test_compatible);
    return sgdi_test_finish();
}
