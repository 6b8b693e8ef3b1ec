/*
 * test_cleanse.c — sgdi_cleanse and sgdi_cleanse_train_path on small CSVs
 * written here: the three ways of choosing rows, the bytes written (columns,
 * quoting, order), image names seen from another folder, the sidecar lookup,
 * and every refused input leaving no output and the inputs as they were.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sgdi.h"
#include "test_support.h"

static char tmpdir[64];

static void spit(const char *path, const char *text) {
    FILE *fp = fopen(path, "wb");
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static bool file_is(const char *path, const char *expected) {
    char *got = sgdi_test_read_file(path, NULL);
    bool same = got && strcmp(got, expected) == 0;
    if (!same)
        fprintf(stderr, "%s holds:\n%s\nexpected:\n%s\n", path, got ? got : "(none)", expected);
    free(got);
    return same;
}

// A table with a comment column, a quoted cell, a blank line and a CRLF line end.
static const char train_table[] = "#id,x__0,x__1,y\n"
                                  "a,1,2,0\n"
                                  "\"b,c\",3,4,1\r\n"
                                  "\n"
                                  "\"say \"\"hi\"\"\",5,6,0\n"
                                  "d,7,8,1\n"
                                  "e,9,10,0\n";

// Scores of rows 0..4: row 3 most harmful, then 1, then 4 (a tie with 0 at 0.25).
static const char influence_table[] = "index,influence,datasource_index\n"
                                      "3,-0.5,3\n"
                                      "1,-0.125,1\n"
                                      "4,0.25,4\n"
                                      "0,0.25,0\n"
                                      "2,1.5,2\n";

static const char header_out[] = "#id,x__0,x__1,y\n";
static const char row0[] = "a,1,2,0\n", row1[] = "\"b,c\",3,4,1\n",
                  row2[] = "\"say \"\"hi\"\"\",5,6,0\n", row3[] = "d,7,8,1\n",
                  row4[] = "e,9,10,0\n";

static sgdi_status cleanse_by(sgdi_cleanse_by by, int64_t count, double x, const char *influence,
                              const char *train, const char *output, sgdi_cleanse_summary *sum,
                              sgdi_error *err) {
    sgdi_cleanse_options o;
    sgdi_cleanse_options_init(&o);
    o.influence_csv = influence;
    o.train_csv = train;
    o.output = output;
    o.by = by;
    o.count = count;
    o.fraction = x;
    o.below = x;
    return sgdi_cleanse(&o, sum, err);
}

static void expect_rows(const char *path, const char *a, const char *b, const char *c,
                        const char *d, const char *e) {
    char want[512];
    snprintf(want, sizeof want, "%s%s%s%s%s%s", header_out, a, b, c, d, e);
    CHECK(file_is(path, want));
}

static void test_count(void) {
    spit("train.csv", train_table);
    spit("influence.csv", influence_table);
    sgdi_error err;
    sgdi_cleanse_summary sum;
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 2, 0, "influence.csv", "train.csv", "k2.csv", &sum,
                     &err) == SGDI_OK);
    CHECK(sum.rows == 5 && sum.removed == 2 && sum.largest_removed == -0.125);
    expect_rows("k2.csv", row0, "", row2, "", row4);
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 0, 0, "influence.csv", "train.csv", "k0.csv", &sum,
                     &err) == SGDI_OK);
    CHECK(sum.removed == 0 && isnan(sum.largest_removed));
    expect_rows("k0.csv", row0, row1, row2, row3, row4);
    // The tie at 0.25 is broken by the influence CSV's order: row 4 goes first.
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 3, 0, "influence.csv", "train.csv", "k3.csv", &sum,
                     &err) == SGDI_OK);
    expect_rows("k3.csv", row0, "", row2, "", "");
    CHECK(file_is("train.csv", train_table));
}

static void test_fraction(void) {
    sgdi_error err;
    sgdi_cleanse_summary sum;
    // floor(F * 5 + 0.5): 0.1 -> 1, 0.3 -> 2, 0.69 -> 3, 0 -> 0.
    const double fractions[] = {0.1, 0.3, 0.69, 0};
    const int64_t expected[] = {1, 2, 3, 0};
    for (int i = 0; i < 4; i++) {
        CHECK(cleanse_by(SGDI_CLEANSE_FRACTION, 0, fractions[i], "influence.csv", "train.csv",
                         "f.csv", &sum, &err) == SGDI_OK);
        CHECK_MSG(sum.removed == expected[i], "fraction %g removed %lld", fractions[i],
                  (long long)sum.removed);
    }
    expect_rows("f.csv", row0, row1, row2, row3, row4);
    CHECK(cleanse_by(SGDI_CLEANSE_FRACTION, 0, 0.3, "influence.csv", "train.csv", "f.csv", &sum,
                     &err) == SGDI_OK);
    expect_rows("f.csv", row0, "", row2, "", row4);
}

static void test_below(void) {
    sgdi_error err;
    sgdi_cleanse_summary sum;
    CHECK(cleanse_by(SGDI_CLEANSE_BELOW, 0, 0, "influence.csv", "train.csv", "b.csv", &sum, &err) ==
          SGDI_OK);
    CHECK(sum.removed == 2);
    expect_rows("b.csv", row0, "", row2, "", row4);
    // Strictly below: the rows at 0.25 stay.
    CHECK(cleanse_by(SGDI_CLEANSE_BELOW, 0, 0.25, "influence.csv", "train.csv", "b.csv", &sum,
                     &err) == SGDI_OK);
    CHECK(sum.removed == 2);
    CHECK(cleanse_by(SGDI_CLEANSE_BELOW, 0, 0.2500001, "influence.csv", "train.csv", "b.csv", &sum,
                     &err) == SGDI_OK);
    CHECK(sum.removed == 4 && sum.largest_removed == 0.25);
    expect_rows("b.csv", "", "", row2, "", "");
    CHECK(cleanse_by(SGDI_CLEANSE_BELOW, 0, -1, "influence.csv", "train.csv", "b.csv", &sum,
                     &err) == SGDI_OK);
    CHECK(sum.removed == 0);
}

// Images named relative to data/, scores and output in out/.
static void test_images(void) {
    CHECK(mkdir("data", 0777) == 0 && mkdir("out", 0777) == 0);
    spit("data/train.csv", "x:image,y:label,#note\n"
                           "img/a.png,0,first\n"
                           "./img/b.png,1,\"two, words\"\n"
                           "/abs/c.png,0,x\n"
                           "img\\d.png,1,y\n");
    // As the tool writes it: names seen from out/, ascending.
    spit("out/influence.csv", "x:image,y:label,influence,datasource_index\n"
                              "../data/img/b.png,1,-2,1\n"
                              "../data/img/d.png,1,-1,3\n"
                              "/abs/c.png,0,0,2\n"
                              "../data/img/a.png,0,3,0\n");
    sgdi_error err;
    sgdi_cleanse_summary sum;
    CHECK_MSG(cleanse_by(SGDI_CLEANSE_COUNT, 1, 0, "out/influence.csv", "data/train.csv",
                         "out/clean.csv", &sum, &err) == SGDI_OK,
              "%s", err.message);
    CHECK(file_is("out/clean.csv", "x:image,y:label,#note\n"
                                   "../data/img/a.png,0,first\n"
                                   "/abs/c.png,0,x\n"
                                   "../data/img/d.png,1,y\n"));
    // From the training CSV's own folder the names stay as written.
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 2, 0, "out/influence.csv", "data/train.csv",
                     "data/clean.csv", &sum, &err) == SGDI_OK);
    CHECK(file_is("data/clean.csv", "x:image,y:label,#note\n"
                                    "img/a.png,0,first\n"
                                    "/abs/c.png,0,x\n"));
    // From a folder below: one more "..".
    CHECK(mkdir("out/deeper", 0777) == 0);
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 3, 0, "out/influence.csv", "./data//train.csv",
                     "out/deeper/clean.csv", &sum, &err) == SGDI_OK);
    CHECK(file_is("out/deeper/clean.csv", "x:image,y:label,#note\n"
                                          "../../data/img/a.png,0,first\n"));
    // Another image or label than the training row's: not these scores.
    spit("out/other.csv", "x:image,y:label,influence,datasource_index\n"
                          "../data/img/b.png,1,-2,1\n"
                          "../data/img/a.png,1,-1,3\n"
                          "/abs/c.png,0,0,2\n"
                          "../data/img/a.png,0,3,0\n");
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 1, 0, "out/other.csv", "data/train.csv", "out/o.csv", &sum,
                     &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "out/other.csv:3: image '../data/img/a.png'"), "%s", err.message);
    spit("out/other.csv", "x:image,y:label,influence,datasource_index\n"
                          "../data/img/b.png,0,-2,1\n"
                          "../data/img/d.png,1,-1,3\n"
                          "/abs/c.png,0,0,2\n"
                          "../data/img/a.png,0,3,0\n");
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 1, 0, "out/other.csv", "data/train.csv", "out/o.csv", &sum,
                     &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "out/other.csv:2: label of training row 1"), "%s", err.message);
    CHECK(!exists("out/o.csv"));
}

static void test_sidecar(void) {
    char *path = NULL;
    sgdi_error err;
    // "train" inside a nested object does not count; escapes are decoded.
    spit("out/influence.csv.json", "{\n  \"tool\": \"sgd-influence\",\n"
                                   "  \"nested\": {\"train\": \"wrong.csv\", \"a\": [1, \"]\"]},\n"
                                   "  \"pretrain\": \"wrong.csv\",\n"
                                   "  \"t\\u0072ain\": \"data\\/train.csv\",\n  \"rows\": 4\n}\n");
    CHECK(sgdi_cleanse_train_path("out/influence.csv", &path, &err) == SGDI_OK);
    CHECK(path && strcmp(path, "data/train.csv") == 0);
    free(path);
    path = NULL;
    // Not from the working directory: from the influence CSV's folder.
    spit("out/influence.csv.json", "{\"train\": \"../data/train.csv\"}");
    CHECK(sgdi_cleanse_train_path("out/influence.csv", &path, &err) == SGDI_OK);
    CHECK_MSG(path && strcmp(path, "out/../data/train.csv") == 0, "%s", path ? path : "NULL");
    free(path);
    path = NULL;
    // sgdi_cleanse without train_csv uses it.
    sgdi_cleanse_summary sum;
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 1, 0, "out/influence.csv", NULL, "out/s.csv", &sum,
                     &err) == SGDI_OK);
    CHECK(sum.rows == 4 && sum.removed == 1);
    // Neither place has it; no sidecar; no "train"; broken JSON.
    spit("out/influence.csv.json", "{\"train\": \"nowhere.csv\"}");
    CHECK(sgdi_cleanse_train_path("out/influence.csv", &path, &err) == SGDI_ERR_IO && !path);
    CHECK_MSG(strstr(err.message, "'nowhere.csv'") && strstr(err.message, "(-t)"), "%s",
              err.message);
    CHECK(sgdi_cleanse_train_path("missing.csv", &path, &err) == SGDI_ERR_IO && !path);
    CHECK_MSG(strstr(err.message, "missing.csv.json") && strstr(err.message, "(-t)"), "%s",
              err.message);
    spit("out/influence.csv.json", "{\"rows\": 4, \"val\": \"v.csv\"}");
    CHECK(sgdi_cleanse_train_path("out/influence.csv", &path, &err) == SGDI_ERR_FORMAT);
    spit("out/influence.csv.json", "{\"rows\": 4, \"train\" \"v.csv\"}");
    CHECK(sgdi_cleanse_train_path("out/influence.csv", &path, &err) == SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "malformed JSON near byte"), "%s", err.message);
    CHECK(cleanse_by(SGDI_CLEANSE_COUNT, 1, 0, "out/influence.csv", NULL, "out/s2.csv", &sum,
                     &err) == SGDI_ERR_FORMAT);
    CHECK(!exists("out/s2.csv"));
}

// A failure: the status, a message holding `says`, no output, the inputs untouched.
static void expect_failure(sgdi_status status, const char *says, const char *influence_text,
                           sgdi_cleanse_by by, int64_t count, double x, const char *output) {
    spit("bad.csv", influence_text);
    bool existed = exists(output); // an input given as the output
    sgdi_error err;
    sgdi_cleanse_summary sum = {-1, -1, 0};
    sgdi_status got = cleanse_by(by, count, x, "bad.csv", "train.csv", output, &sum, &err);
    CHECK_MSG(got == status, "status %d, expected %d: %s", (int)got, (int)status, err.message);
    CHECK_MSG(strstr(err.message, says), "'%s' lacks '%s'", err.message, says);
    CHECK(sum.rows == -1); // untouched on failure
    CHECK(existed || !exists(output));
    CHECK(file_is("train.csv", train_table));
    CHECK(file_is("bad.csv", influence_text));
}

static void test_bad_inputs(void) {
    const sgdi_cleanse_by count = SGDI_CLEANSE_COUNT;
    expect_failure(SGDI_ERR_FORMAT, "bad.csv has 4 rows but train.csv has 5",
                   "index,influence,datasource_index\n3,-0.5,3\n1,-0.1,1\n4,0.2,4\n0,0.3,0\n",
                   count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "bad.csv:3: datasource_index 5 is out of range",
                   "index,influence,datasource_index\n3,-0.5,3\n5,-0.1,5\n", count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "bad.csv:3: datasource_index 3 repeats line 2",
                   "index,influence,datasource_index\n3,-0.5,3\n3,-0.1,3\n", count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "bad.csv:2: datasource_index '1.5' is not a row number",
                   "index,influence,datasource_index\n1,-0.5,1.5\n", count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "bad.csv:3: influence 'nan' is not a finite number",
                   "index,influence,datasource_index\n3,-0.5,3\n1,nan,1\n", count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "not sorted ascending",
                   "index,influence,datasource_index\n3,-0.5,3\n1,-0.7,1\n", count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "no column 'influence'", "index,score,datasource_index\n",
                   count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_FORMAT, "bad.csv:2: row has 2 fields",
                   "index,influence,datasource_index\n3,-0.5\n", count, 1, 0, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "cannot remove 6 rows: there are only 5", influence_table,
                   count, 6, 0, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "removing all 5 training rows", influence_table, count, 5, 0,
                   "o.csv");
    expect_failure(SGDI_ERR_INVALID, "removing all 5 training rows", influence_table,
                   SGDI_CLEANSE_FRACTION, 0, 1, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "removing all 5 training rows", influence_table,
                   SGDI_CLEANSE_BELOW, 0, 2, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "negative", influence_table, count, -1, 0, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "fraction nan is not in [0, 1]", influence_table,
                   SGDI_CLEANSE_FRACTION, 0, NAN, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "fraction -0.1", influence_table, SGDI_CLEANSE_FRACTION, 0,
                   -0.1, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "threshold nan is not finite", influence_table,
                   SGDI_CLEANSE_BELOW, 0, NAN, "o.csv");
    expect_failure(SGDI_ERR_INVALID, "is the input 'bad.csv'", influence_table, count, 1, 0,
                   "bad.csv");
    expect_failure(SGDI_ERR_INVALID, "the output './train.csv' is the input 'train.csv'",
                   influence_table, count, 1, 0, "./train.csv");
    CHECK(symlink("train.csv", "link.csv") == 0);
    expect_failure(SGDI_ERR_INVALID, "is the input 'train.csv'", influence_table, count, 1, 0,
                   "link.csv");
    expect_failure(SGDI_ERR_IO, "", influence_table, count, 1, 0, "no/such/folder/o.csv");

    sgdi_error err;
    CHECK(cleanse_by(count, 1, 0, "none.csv", "train.csv", "o.csv", NULL, &err) == SGDI_ERR_IO);
    CHECK_MSG(strstr(err.message, "cannot open 'none.csv'"), "%s", err.message);
    CHECK(cleanse_by(count, 1, 0, "bad.csv", "none.csv", "o.csv", NULL, &err) == SGDI_ERR_IO);
    CHECK(cleanse_by(count, 1, 0, NULL, "train.csv", "o.csv", NULL, &err) == SGDI_ERR_INVALID);
    CHECK(cleanse_by(count, 1, 0, "bad.csv", "train.csv", NULL, NULL, &err) == SGDI_ERR_INVALID);
    CHECK(cleanse_by(count, 1, 0, "bad.csv", "train.csv", NULL, NULL, NULL) == SGDI_ERR_INVALID);
    // A training CSV with a ragged row.
    spit("ragged.csv", "x__0,y\n1,0\n2\n");
    CHECK(cleanse_by(count, 0, 0, "influence.csv", "ragged.csv", "o.csv", NULL, &err) ==
          SGDI_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "ragged.csv:3: row has 1 fields"), "%s", err.message);
    CHECK(!exists("o.csv"));
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sgdi-cleanse-XXXXXX");
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0) {
        perror("temporary directory");
        return 1;
    }
    RUN(test_count);
    RUN(test_fraction);
    RUN(test_below);
    RUN(test_images);
    RUN(test_sidecar);
    RUN(test_bad_inputs);
    int status = sgdi_test_finish();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (chdir("/") != 0 || system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return status;
}
