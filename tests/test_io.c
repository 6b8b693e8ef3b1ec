/*
 * test_io.c — the output writers: number formatting, the JSON emitter, the
 * atomic file, and the four sgdi_result_write_* functions on a hand-filled
 * sgdi_result (no training involved).
 */
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/result.h"
#include "io/atomic.h"
#include "io/json.h"
#include "io/number.h"
#include "test_support.h"

static char tmpdir[64];

// --- Helpers -------------------------------------------------------------------

static void path_in(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void spit(const char *path, const char *text) {
    FILE *fp = fopen(path, "wb");
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

// How many entries of tmpdir have ".tmp." in their name (left-over temporaries).
static int count_temporaries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp.")) n++;
    closedir(d);
    return n;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

// What the JSON writer produces for a sequence of calls, via a memory stream.
typedef struct mem_out {
    char *buf;
    size_t len;
    FILE *fp;
} mem_out;

static void mem_open(mem_out *m) {
    m->buf = NULL;
    m->len = 0;
    m->fp = open_memstream(&m->buf, &m->len);
}

static void mem_close(mem_out *m) {
    fclose(m->fp);
}

static void check_escape(const char *in, const char *want) {
    mem_out m;
    mem_open(&m);
    sgdi_json_write_string(m.fp, in);
    mem_close(&m);
    CHECK_MSG(strcmp(m.buf, want) == 0, "escaped to %s, want %s", m.buf, want);
    free(m.buf);
}

// --- A hand-filled result ------------------------------------------------------

typedef struct fake {
    sgdi_result res;
    double scores[7];
    float params[3];
    int64_t epoch[3], step[3], begin[4], rows[5];
    double lr[3];
    int64_t vrows[2];
    double vactual[2], vestimated[2];
} fake;

static void fake_fill(fake *f) {
    memset(f, 0, sizeof *f);
    sgdi_result *r = &f->res;
    sgdi_options_init(&r->options);
    r->options.seed = 7;
    r->options.trials = 3;
    r->options.threads = 2;
    // Set explicitly: the library's defaults may change.
    r->options.lr = 0.05;
    r->options.dropout = 0.5;
    r->options.momentum = 0.9;
    r->options.weight_decay = 1e-4;
    r->options.batch_size = 64;
    r->options.epochs = 20;
    r->options.method = SGDI_METHOD_ALL;
    r->options.hessian = SGDI_HESSIAN_PLUGIN;
    r->options.network = SGDI_NETWORK_MLP;
    r->options.activation = SGDI_ACT_RELU;
    r->options.solver = SGDI_SOLVER_SGD;
    r->options.n_hidden = 2;
    r->options.hidden[0] = r->options.hidden[1] = 8;
    // Ties (rows 1, 3 and 5, 6 as -0 == 0) and a tiny value.
    const double s[7] = {0.5, -1.0, 0.5, -1.0, 1e-300, -0.0, 0.0};
    memcpy(f->scores, s, sizeof s);
    r->rows = 7;
    r->features = 4;
    r->classes = 2;
    r->scores = f->scores;
    r->parameters = 3;
    const float p[3] = {1.0f, -2.5f, 0.1f};
    memcpy(f->params, p, sizeof p);
    r->initial_parameters = f->params;
    r->steps = 3;
    r->seconds = 1.5;
    r->train_seconds = 1.0;
    r->score_seconds = 0.5;
    r->val_loss = 0.6931471805599453;
    r->adjoint_growth = 2.0;
    // Batch size 2 over 5 rows: two steps in epoch 0, one in epoch 1.
    const int64_t ep[3] = {0, 0, 1}, st[3] = {0, 1, 0}, be[4] = {0, 2, 3, 5};
    const int64_t rw[5] = {4, 0, 2, 3, 1};
    memcpy(f->epoch, ep, sizeof ep);
    memcpy(f->step, st, sizeof st);
    memcpy(f->begin, be, sizeof be);
    memcpy(f->rows, rw, sizeof rw);
    f->lr[0] = f->lr[1] = f->lr[2] = 0.05;
    r->trace = (sgdi_trace){3, f->epoch, f->step, f->lr, f->begin, f->rows};
}

static void fake_validate(fake *f) {
    f->vrows[0] = 1;
    f->vrows[1] = 4;
    f->vactual[0] = -0.25;
    f->vactual[1] = 0.125;
    f->vestimated[0] = -0.2;
    f->vestimated[1] = 0.1;
    f->res.has_validation = true;
    f->res.validation =
        (sgdi_validation){2, f->vrows, f->vactual, f->vestimated, NULL, 1.0, 1.0, NAN, NAN};
}

// --- Tests ---------------------------------------------------------------------

static void test_number_roundtrip(void) {
    char buf[SGDI_NUMBER_MAX];
    const double special[] = {0.1,         1.0 / 3.0,    -2.0 / 3.0, DBL_MIN,
                              DBL_MAX,     DBL_TRUE_MIN, -0.0,       1e-300,
                              123456789.0, 5e-324,       0.3,        -1.7976931348623157e308};
    for (size_t k = 0; k < sizeof special / sizeof special[0]; k++) {
        CHECK(sgdi_format_roundtrip(buf, special[k]));
        double back = strtod(buf, NULL);
        CHECK_MSG(memcmp(&back, &special[k], sizeof back) == 0, "%s", buf);
    }
    uint64_t x = 88172645463325252ull; // xorshift64 over arbitrary bit patterns
    int bad = 0;
    for (int k = 0; k < 100000; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v)) continue;
        sgdi_format_roundtrip(buf, v);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) != 0) bad++;
    }
    CHECK_MSG(bad == 0, "%d doubles did not round-trip", bad);
    CHECK(!sgdi_format_roundtrip(buf, NAN) && strcmp(buf, "nan") == 0);
    CHECK(!sgdi_format_roundtrip(buf, -INFINITY) && strcmp(buf, "-inf") == 0);
    CHECK(sgdi_format_double(buf, 0.05, 9) && strcmp(buf, "0.05") == 0);
    CHECK(sgdi_format_double(buf, (double)0.05f, 9) && strcmp(buf, "0.0500000007") == 0);
}

static void test_json_escaping(void) {
    check_escape("plain", "\"plain\"");
    check_escape("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
    check_escape("\b\f\n\r\t\x01\x1f\x7f", "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"");
    check_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                 "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    check_escape("\xff", "\"\\ufffd\"");                                    // never valid
    check_escape("\xc0\xaf", "\"\\ufffd\\ufffd\"");                         // overlong '/'
    check_escape("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");              // a surrogate
    check_escape("\xe2\x82", "\"\\ufffd\\ufffd\"");                         // cut short by the end
    check_escape("\xf4\x90\x80\x80x", "\"\\ufffd\\ufffd\\ufffd\\ufffdx\""); // > U+10FFFF
}

static void test_json_layout(void) {
    mem_out m;
    mem_open(&m);
    sgdi_json j;
    sgdi_json_init(&j, m.fp);
    sgdi_json_begin_object(&j);
    sgdi_json_key(&j, "a");
    sgdi_json_int(&j, -3);
    sgdi_json_key(&j, "b");
    sgdi_json_begin_array(&j);
    sgdi_json_number(&j, 0.5);
    sgdi_json_number(&j, NAN);
    sgdi_json_number(&j, INFINITY);
    sgdi_json_uint(&j, UINT64_MAX);
    sgdi_json_end_array(&j);
    sgdi_json_key(&j, "c");
    sgdi_json_begin_object(&j);
    sgdi_json_key(&j, "d\"");
    sgdi_json_bool(&j, true);
    sgdi_json_key(&j, "e");
    sgdi_json_string(&j, NULL);
    sgdi_json_end_object(&j);
    sgdi_json_key(&j, "empty");
    sgdi_json_begin_array(&j);
    sgdi_json_end_array(&j);
    sgdi_json_key(&j, "o");
    sgdi_json_begin_object(&j);
    sgdi_json_end_object(&j);
    sgdi_json_end_object(&j);
    mem_close(&m);
    const char *want = "{\n"
                       "  \"a\": -3,\n"
                       "  \"b\": [0.5, null, null, 18446744073709551615],\n"
                       "  \"c\": {\n"
                       "    \"d\\\"\": true,\n"
                       "    \"e\": null\n"
                       "  },\n"
                       "  \"empty\": [],\n"
                       "  \"o\": {}\n"
                       "}\n";
    CHECK_MSG(strcmp(m.buf, want) == 0, "got:\n%s", m.buf);
    free(m.buf);
}

static void test_atomic_commit_and_abort(void) {
    char path[256];
    path_in(path, sizeof path, "atomic.txt");
    spit(path, "old content\n");
    sgdi_error err;
    sgdi_atomic_file f;
    CHECK(sgdi_atomic_open(&f, path, &err) == SGDI_OK);
    fputs("new", f.fp);
    CHECK(count_temporaries(tmpdir) == 1);
    sgdi_atomic_abort(&f);
    CHECK(count_temporaries(tmpdir) == 0);
    char *text = sgdi_test_read_file(path, NULL);
    CHECK(text && strcmp(text, "old content\n") == 0);
    free(text);
    sgdi_atomic_abort(&f); // twice is harmless

    CHECK(sgdi_atomic_open(&f, path, &err) == SGDI_OK);
    fputs("new", f.fp);
    CHECK(sgdi_atomic_commit(&f, &err) == SGDI_OK);
    text = sgdi_test_read_file(path, NULL);
    CHECK(text && strcmp(text, "new") == 0);
    free(text);
    CHECK(count_temporaries(tmpdir) == 0);

    // A new file gets 0666 minus the umask, as fopen would give it.
    char fresh[256];
    path_in(fresh, sizeof fresh, "fresh.txt");
    mode_t old_mask = umask(027);
    CHECK(sgdi_atomic_open(&f, fresh, &err) == SGDI_OK);
    CHECK(sgdi_atomic_commit(&f, &err) == SGDI_OK);
    umask(old_mask);
    struct stat st;
    CHECK(stat(fresh, &st) == 0 && (st.st_mode & 0777) == 0640);
    unlink(fresh);
    unlink(path);
}

static void test_atomic_failures(void) {
    sgdi_error err;
    sgdi_atomic_file f;
    char path[256];
    // The directory does not exist.
    path_in(path, sizeof path, "missing/out.csv");
    CHECK(sgdi_atomic_open(&f, path, &err) == SGDI_ERR_IO);
    CHECK(strstr(err.message, "missing/out.csv") != NULL);
    CHECK(!exists(path));
    CHECK(sgdi_atomic_open(&f, "", &err) == SGDI_ERR_INVALID);

    // The target is a directory: the rename fails after the data was written.
    path_in(path, sizeof path, "a_directory");
    CHECK(mkdir(path, 0755) == 0);
    CHECK(sgdi_atomic_open(&f, path, &err) == SGDI_OK);
    fputs("data", f.fp);
    CHECK(sgdi_atomic_commit(&f, &err) == SGDI_ERR_IO);
    CHECK(strstr(err.message, "a_directory") != NULL);
    CHECK(count_temporaries(tmpdir) == 0);
    rmdir(path);

    // A read-only directory (root may write anyway, so only as a normal user).
    if (geteuid() != 0) {
        char dir[200];
        path_in(dir, sizeof dir, "readonly");
        CHECK(mkdir(dir, 0755) == 0);
        snprintf(path, sizeof path, "%s/out.csv", dir);
        spit(path, "keep\n");
        chmod(dir, 0555);
        CHECK(sgdi_atomic_open(&f, path, &err) == SGDI_ERR_IO);
        chmod(dir, 0755);
        char *text = sgdi_test_read_file(path, NULL);
        CHECK(text && strcmp(text, "keep\n") == 0);
        free(text);
        CHECK(count_temporaries(dir) == 0);
        unlink(path);
        rmdir(dir);
    }
}

// Writes that fail half-way (here: past the file size limit, even as root)
// leave the existing target whole and no temporary behind.
static void test_atomic_write_error(void) {
    char path[256];
    path_in(path, sizeof path, "limited.csv");
    spit(path, "previous run\n");
    fake f;
    fake_fill(&f);
    enum { N = 20000 };
    double *many = malloc(N * sizeof *many);
    for (int k = 0; k < N; k++) many[k] = k * 0.001;
    f.res.scores = many;
    f.res.rows = N;

    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    sgdi_error err;
    sgdi_status s = sgdi_result_write_csv(&f.res, path, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    CHECK(s == SGDI_ERR_IO);
    CHECK(strstr(err.message, "limited.csv") != NULL);
    char *text = sgdi_test_read_file(path, NULL);
    CHECK(text && strcmp(text, "previous run\n") == 0);
    free(text);
    CHECK(count_temporaries(tmpdir) == 0);
    // Without the limit the same call succeeds.
    CHECK(sgdi_result_write_csv(&f.res, path, &err) == SGDI_OK);
    free(many);
    unlink(path);
}

static void test_csv_sorted_with_ties(void) {
    fake f;
    fake_fill(&f);
    char path[256];
    path_in(path, sizeof path, "influence.csv");
    sgdi_error err;
    CHECK(sgdi_result_write_csv(&f.res, path, &err) == SGDI_OK);
    char *text = sgdi_test_read_file(path, NULL);
    const char *want = "index,influence,datasource_index\n"
                       "1,-1,1\n"
                       "3,-1,3\n"
                       "5,-0,5\n"
                       "6,0,6\n"
                       "4,1e-300,4\n"
                       "0,0.5,0\n"
                       "2,0.5,2\n";
    CHECK_MSG(text && strcmp(text, want) == 0, "got:\n%s", text ? text : "(none)");
    free(text);
    unlink(path);
}

static void test_csv_digits_roundtrip(void) {
    enum { N = 1000 };
    fake f;
    fake_fill(&f);
    double *scores = malloc(N * sizeof *scores);
    uint64_t x = 12345;
    for (int k = 0; k < N; k++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        scores[k] = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * pow(10.0, (int)(k % 13) - 8);
    }
    f.res.scores = scores;
    f.res.rows = N;
    char path[256];
    path_in(path, sizeof path, "digits.csv");
    sgdi_error err;
    CHECK(sgdi_result_write_csv(&f.res, path, &err) == SGDI_OK);
    FILE *fp = fopen(path, "r");
    char line[256];
    CHECK(fp && fgets(line, sizeof line, fp) &&
          strcmp(line, "index,influence,datasource_index\n") == 0);
    int lines = 0, bad = 0, unsorted = 0;
    char *seen = calloc(N, 1);
    double prev = -INFINITY;
    long long index, source;
    char num[64];
    while (fp && fgets(line, sizeof line, fp)) {
        if (sscanf(line, "%lld,%63[^,],%lld", &index, num, &source) != 3 || index != source ||
            index < 0 || index >= N || seen[index]++) {
            bad++;
            continue;
        }
        double v = strtod(num, NULL);
        if (memcmp(&v, &scores[index], sizeof v) != 0) bad++;
        if (v < prev) unsorted++;
        prev = v;
        lines++;
    }
    if (fp) fclose(fp);
    CHECK(lines == N && bad == 0 && unsorted == 0);
    free(seen);
    free(scores);
    unlink(path);
}

static void test_json_sidecar(void) {
    fake f;
    fake_fill(&f);
    fake_validate(&f);
    char path[256];
    path_in(path, sizeof path, "influence.csv.json");
    sgdi_error err;
    CHECK(sgdi_result_write_json(&f.res, "dir/tr\"ain.csv", "val\\x.csv", path, &err) == SGDI_OK);
    char *text = sgdi_test_read_file(path, NULL);
    const char *want[] = {
        "\"tool\": \"sgd-influence\"",
        "\"version\": \"" SGDI_VERSION_STRING "\"",
        ("\"sign_convention\": \"negative = removing the row lowers the validation loss = "
         "harmful\""),
        "\"train\": \"dir/tr\\\"ain.csv\"",
        "\"val\": \"val\\\\x.csv\"",
        "\"method\": \"all\"",
        "\"hessian\": \"plugin\"",
        "\"type\": \"mlp\"",
        "\"hidden\": [8, 8]",
        "\"activation\": \"relu\"",
        "\"dropout\": 0.5",
        "\"name\": \"sgd\"",
        "\"lr\": 0.050000000000000003",
        "\"momentum\": null",
        "\"weight_decay\": 0.0001",
        "\"batch_size\": 64",
        "\"epochs\": 20",
        "\"trials\": 3",
        "\"seeds\": [7, 8, 9]",
        "\"steps\": 3",
        "\"parameters\": 3",
        "\"rows\": 7",
        "\"features\": 4",
        "\"classes\": 2",
        "\"threads\": 2",
        "\"val_loss\": 0.69314718055994529",
        "\"diverged\": false",
        "\"adjoint_growth\": 2",
        "\"total\": 1.5",
        "\"count\": 2",
        "\"rows\": [1, 4]",
        "\"actual\": [-0.25, 0.125]",
        "\"estimated\": [-0.20000000000000001, 0.10000000000000001]",
        "\"paper\": null",
        "\"kendall_tau\": 1",
        "\"paper_kendall_tau\": null",
        "\"paper_pearson_r\": null",
    };
    for (size_t k = 0; text && k < sizeof want / sizeof want[0]; k++)
        CHECK_MSG(strstr(text, want[k]) != NULL, "missing %s", want[k]);
    CHECK(text && text[strlen(text) - 1] == '\n');
    free(text);

    // Logistic regression, momentum, no validation.
    f.res.options.network = SGDI_NETWORK_LOGREG;
    f.res.options.solver = SGDI_SOLVER_MOMENTUM;
    f.res.has_validation = false;
    f.res.val_loss = NAN;
    CHECK(sgdi_result_write_json(&f.res, "t.csv", "v.csv", path, &err) == SGDI_OK);
    text = sgdi_test_read_file(path, NULL);
    const char *want2[] = {"\"type\": \"logreg\"", "\"hidden\": []",    "\"activation\": null",
                           "\"dropout\": null",    "\"momentum\": 0.9", "\"validation\": null",
                           "\"val_loss\": null"};
    for (size_t k = 0; text && k < sizeof want2 / sizeof want2[0]; k++)
        CHECK_MSG(strstr(text, want2[k]) != NULL, "missing %s", want2[k]);
    free(text);
    unlink(path);
}

static void test_trace_and_parameters(void) {
    fake f;
    fake_fill(&f);
    char path[256];
    path_in(path, sizeof path, "trace.txt");
    sgdi_error err;
    CHECK(sgdi_result_write_trace(&f.res, path, &err) == SGDI_OK);
    char *text = sgdi_test_read_file(path, NULL);
    const char *want = "0 0 0.05 4 0\n"
                       "0 1 0.05 2\n"
                       "1 0 0.05 3 1\n";
    CHECK_MSG(text && strcmp(text, want) == 0, "got:\n%s", text ? text : "(none)");
    free(text);
    unlink(path);

    path_in(path, sizeof path, "theta0.bin");
    CHECK(sgdi_result_write_initial_parameters(&f.res, path, &err) == SGDI_OK);
    size_t len = 0;
    unsigned char *bytes = (unsigned char *)sgdi_test_read_file(path, &len);
    const unsigned char want_bytes[12] = {0x00, 0x00, 0x80, 0x3f,  // 1.0f
                                          0x00, 0x00, 0x20, 0xc0,  // -2.5f
                                          0xcd, 0xcc, 0xcc, 0x3d}; // 0.1f
    CHECK(bytes && len == 12 && memcmp(bytes, want_bytes, 12) == 0);
    free(bytes);
    unlink(path);

    // Nothing to write is an error, and creates nothing.
    f.res.initial_parameters = NULL;
    CHECK(sgdi_result_write_initial_parameters(&f.res, path, &err) == SGDI_ERR_INVALID);
    CHECK(!exists(path));
    CHECK(sgdi_result_write_csv(NULL, path, &err) == SGDI_ERR_INVALID);
    CHECK(!exists(path));
}

static void test_writers_into_missing_directory(void) {
    fake f;
    fake_fill(&f);
    char path[256];
    path_in(path, sizeof path, "nowhere/out");
    sgdi_error err;
    CHECK(sgdi_result_write_csv(&f.res, path, &err) == SGDI_ERR_IO);
    CHECK(sgdi_result_write_json(&f.res, "t", "v", path, &err) == SGDI_ERR_IO);
    CHECK(sgdi_result_write_trace(&f.res, path, &err) == SGDI_ERR_IO);
    CHECK(sgdi_result_write_initial_parameters(&f.res, path, &err) == SGDI_ERR_IO);
    CHECK(strstr(err.message, "nowhere/out") != NULL);
    CHECK(count_temporaries(tmpdir) == 0);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sgdi_test_io.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_number_roundtrip);
    RUN(test_json_escaping);
    RUN(test_json_layout);
    RUN(test_atomic_commit_and_abort);
    RUN(test_atomic_failures);
    RUN(test_atomic_write_error);
    RUN(test_csv_sorted_with_ties);
    RUN(test_csv_digits_roundtrip);
    RUN(test_json_sidecar);
    RUN(test_trace_and_parameters);
    RUN(test_writers_into_missing_directory);
    CHECK(count_temporaries(tmpdir) == 0);
    CHECK_MSG(rmdir(tmpdir) == 0, "%s not empty: %s", tmpdir, strerror(errno));
    return sgdi_test_finish();
}
