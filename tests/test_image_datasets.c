/*
 * test_image_datasets.c — image datasets in NNC's CSV layout end to end in the
 * library, on files this test writes: paths as NNC resolves them, samples
 * gathered in any shape a network takes, the cache and its budget, strict
 * sizes, every bad input named by file and CSV line, and the influence CSV
 * written for an image training set, which loads again as a dataset.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/result.h"
#include "data/dataset.h"
#include "data/images.h"
#include "image_files.h"
#include "test_support.h"
#include "util/path.h"

static char dir[512];

static const char *at(const char *name) {
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static sgdi_dataset_options options(size_t cache, bool strict, int threads) {
    sgdi_dataset_options o;
    sgdi_dataset_options_init(&o);
    o.image_cache_bytes = cache;
    o.strict_image_size = strict;
    o.threads = threads;
    return o;
}

static sgdi_dataset *load_at(int line, const char *path, sgdi_dataset_options o) {
    sgdi_error err;
    sgdi_dataset *ds = NULL;
    sgdi_status st = sgdi_dataset_load_csv_opts(path, &o, &ds, &err);
    CHECK_MSG(st == SGDI_OK, "line %d: %s", line, err.message);
    return ds;
}
#define LOAD(path, o) load_at(__LINE__, path, o)

// Writes `text` as dir/sub/<name> and expects loading it to fail with every needle.
static void expect_load_error_at(int line, const char *name, const char *text, sgdi_status status,
                                 const char *const *needles) {
    char csv[1024];
    snprintf(csv, sizeof csv, "%s/sub/%s", dir, name);
    CHECK(test_write_text(csv, text));
    sgdi_dataset_options o = options((size_t)1 << 30, false, 4);
    sgdi_error err = {SGDI_OK, ""};
    sgdi_dataset *ds = (sgdi_dataset *)&err; // must be reset
    sgdi_status st = sgdi_dataset_load_csv_opts(csv, &o, &ds, &err);
    CHECK_MSG(st == status, "line %d: status %d (%s)", line, (int)st, err.message);
    CHECK_MSG(ds == NULL, "line %d: a dataset on failure", line);
    CHECK_MSG(strstr(err.message, csv) != NULL, "line %d: '%s' not named in: %s", line, csv,
              err.message);
    for (; *needles; needles++)
        CHECK_MSG(strstr(err.message, *needles) != NULL, "line %d: '%s' not in: %s", line, *needles,
                  err.message);
}
#define EXPECT_LOAD_ERROR(name, text, status, ...)                                                 \
    expect_load_error_at(__LINE__, name, text, status, (const char *const[]){__VA_ARGS__, NULL})

static float *gather(const sgdi_dataset *ds, const int64_t *rows, int64_t n, sgdi_shape shape,
                     float *labels) {
    int64_t count = 1;
    for (int d = 0; d < shape.ndim; d++) count *= shape.dim[d];
    float *x = malloc(sizeof(float) * (size_t)(n * count) + 1);
    float scratch[64];
    sgdi_error err;
    sgdi_status st = sgdi_dataset_gather(ds, rows, n, shape, x, labels ? labels : scratch, &err);
    CHECK_MSG(st == SGDI_OK, "%s", err.message);
    return x;
}

static const int64_t all_rows[] = {0, 1, 2, 3, 4, 5};

// --- The files --------------------------------------------------------------------

static uint8_t grey[16], rgb[48];
static uint16_t rgba16[64];

static void make_files(void) {
    for (int i = 0; i < 16; i++) grey[i] = (uint8_t)(i * 16);
    for (int i = 0; i < 48; i++) rgb[i] = (uint8_t)(i * 5 + 3);
    for (int i = 0; i < 64; i++) rgba16[i] = (uint16_t)(i * 1000 + 7);
    CHECK(test_write_png(at("sub/img/a.png"), &TEST_PNG(4, 4, PNG_COLOR_TYPE_GRAY, 8, grey)));
    CHECK(test_write_png(at("sub/img/b.png"), &TEST_PNG(4, 4, PNG_COLOR_TYPE_RGB, 8, rgb)));
    CHECK(
        test_write_png(at("sub/img/c.png"), &TEST_PNG(4, 4, PNG_COLOR_TYPE_RGB_ALPHA, 16, rgba16)));
    CHECK(test_write_jpeg(at("sub/img/e.JPEG"), 4, 4, 3, rgb, 90));
    CHECK(test_write_png(at("abs/z.png"), &TEST_PNG(4, 4, PNG_COLOR_TYPE_GRAY, 8, grey)));
    CHECK(test_write_png(at("sub/img/x,y.png"), &TEST_PNG(4, 4, PNG_COLOR_TYPE_GRAY, 8, grey)));
    static uint8_t big[30];
    for (int i = 0; i < 30; i++) big[i] = (uint8_t)(i * 8);
    CHECK(test_write_png(at("sub/img/big.png"), &TEST_PNG(5, 6, PNG_COLOR_TYPE_GRAY, 8, big)));
    // The training set: a subfolder, "./", a backslash, an upper-case extension, an
    // absolute path and a comma that needs quoting.
    char csv[4096];
    snprintf(csv, sizeof csv,
             "x:image,y:label\nimg/a.png,0\n./img/b.png,1\nimg\\c.png,2\nimg/e.JPEG,1\n"
             "%s/abs/z.png,0\n\"img/x,y.png\",1\n",
             dir);
    CHECK(test_write_text(at("sub/train.csv"), csv));
    CHECK(test_write_text(at("sub/sizes.csv"), "x,y\nimg/a.png,0\nimg/big.png,1\n"));
}

// --- Loading and gathering --------------------------------------------------------

static void test_layout(void) {
    sgdi_dataset *ds = LOAD(at("sub/train.csv"), options((size_t)1 << 30, false, 2));
    if (!ds) return;
    CHECK(sgdi_dataset_is_image(ds) && sgdi_dataset_rows(ds) == 6);
    CHECK(sgdi_dataset_features(ds) == 16 && sgdi_dataset_classes(ds) == 3);
    CHECK(sgdi_dataset_row(ds, 0) == NULL && sgdi_dataset_label(ds, 2) == 2);
    sgdi_shape s = sgdi_dataset_sample_shape(ds);
    CHECK(s.ndim == 3 && s.dim[0] == 1 && s.dim[1] == 4 && s.dim[2] == 4);
    const sgdi_images *im = ds->images;
    CHECK(strcmp(sgdi_images_path(im, 0), at("sub/img/a.png")) == 0);
    CHECK(strcmp(sgdi_images_path(im, 1), at("sub/./img/b.png")) == 0);
    CHECK(strcmp(sgdi_images_path(im, 2), at("sub/img/c.png")) == 0);
    CHECK(strcmp(sgdi_images_cell(im, 2), "img\\c.png") == 0);
    CHECK(strcmp(sgdi_images_path(im, 4), at("abs/z.png")) == 0);
    CHECK(im->shapes[2].channels == 4 && im->shapes[2].depth == 16);
    CHECK(im->shapes[3].channels == 3 && im->shapes[3].depth == 8);

    // As (3, 4, 4): grey replicated, RGB as it is, RGBA without its alpha; scaled.
    float labels[6];
    float *x = gather(ds, all_rows, 6, (sgdi_shape){3, {3, 4, 4}}, labels);
    CHECK(labels[0] == 0 && labels[2] == 2 && labels[5] == 1);
    CHECK(x[0] == 0 && x[16 + 5] == (float)(grey[5] * (1.0 / 255.0)) && x[32 + 15] == x[15]);
    CHECK(x[48 + 0] == (float)(rgb[0] * (1.0 / 255.0)));           // row 1, R of pixel 0
    CHECK(x[48 + 16 + 3] == (float)(rgb[10] * (1.0 / 255.0)));     // row 1, G of pixel 3
    CHECK(x[96 + 32 + 1] == (float)(rgba16[6] * (1.0 / 65535.0))); // row 2, B of pixel 1
    free(x);
    // The natural view (16): grey as it is, RGB as its luma.
    x = gather(ds, (const int64_t[]){1, 0}, 2, (sgdi_shape){1, {16}}, labels);
    unsigned luma = (rgb[3] * 19595u + rgb[4] * 38470u + rgb[5] * 7471u + 0x8000u) >> 16;
    CHECK(x[1] == (float)(luma * (1.0 / 255.0)) && x[16 + 7] == (float)(grey[7] * (1.0 / 255.0)));
    CHECK(labels[0] == 1 && labels[1] == 0);
    free(x);
    // Resized: the same as converting the decoded pixels directly.
    x = gather(ds, (const int64_t[]){2}, 1, (sgdi_shape){3, {3, 7, 5}}, NULL);
    float want[105];
    uint16_t scratch[64 * 4];
    sgdi_image_to_chw(im->cache[2], im->shapes[2], 3, 7, 5, true, scratch, want);
    CHECK(memcmp(x, want, sizeof want) == 0);
    free(x);

    sgdi_error err;
    float out[64 * 6], y[6];
    CHECK(sgdi_dataset_gather(ds, all_rows, 1, (sgdi_shape){1, {20}}, out, y, &err) ==
          SGDI_ERR_INVALID);
    CHECK_MSG(strstr(err.message, "takes 20 values per sample, but the images are 1x4x4"), "%s",
              err.message);
    CHECK(sgdi_dataset_check_shape(ds, (sgdi_shape){3, {2, 4, 4}}, &err) == SGDI_ERR_INVALID);
    CHECK_MSG(strstr(err.message, "has 2 channels"), "%s", err.message);
    CHECK(sgdi_dataset_gather(ds, (const int64_t[]){6}, 1, s, out, y, &err) == SGDI_ERR_INVALID);
    CHECK(sgdi_dataset_check_shape(ds, (sgdi_shape){3, {4, 9, 9}}, &err) == SGDI_OK);
    sgdi_dataset_free(ds);
}

static void test_tables(void) {
    sgdi_dataset *ds = NULL;
    sgdi_error err;
    CHECK(sgdi_dataset_load_csv_buffer("x__0,x__1,y\n1,2,0\n3,4,1\n", 24, "t.csv", &ds, &err) ==
          SGDI_OK);
    if (!ds) return;
    CHECK(!sgdi_dataset_is_image(ds));
    float x[4], y[2];
    CHECK(sgdi_dataset_gather(ds, (const int64_t[]){1, 0}, 2, (sgdi_shape){1, {2}}, x, y, &err) ==
          SGDI_OK);
    CHECK(x[0] == 3 && x[1] == 4 && x[2] == 1 && x[3] == 2 && y[0] == 1 && y[1] == 0);
    CHECK(sgdi_dataset_gather(ds, (const int64_t[]){0}, 1, (sgdi_shape){2, {1, 2}}, x, y, &err) ==
          SGDI_OK);
    CHECK(sgdi_dataset_check_shape(ds, (sgdi_shape){1, {3}}, &err) == SGDI_ERR_INVALID);
    CHECK_MSG(strstr(err.message, "t.csv: the network's input takes 3 values per sample, but the "
                                  "table has 2 features"),
              "%s", err.message);
    sgdi_dataset *images = LOAD(at("sub/train.csv"), options(0, false, 1));
    if (images) {
        CHECK(sgdi_dataset_check_compatible(images, ds, &err) == SGDI_ERR_FORMAT);
        CHECK_MSG(strstr(err.message, "holds images but t.csv holds a table"), "%s", err.message);
        CHECK(sgdi_dataset_check_compatible(ds, images, &err) == SGDI_ERR_FORMAT);
        sgdi_dataset *sizes = LOAD(at("sub/sizes.csv"), options(0, false, 1));
        if (sizes) CHECK(sgdi_dataset_check_compatible(images, sizes, &err) == SGDI_OK);
        if (sizes) CHECK(sgdi_dataset_check_compatible(sizes, images, &err) == SGDI_ERR_FORMAT);
        sgdi_dataset_free(sizes);
    }
    sgdi_dataset_free(images);
    sgdi_dataset_free(ds);
}

// The same bytes whatever the cache holds and however many threads decode.
static void test_cache(void) {
    const sgdi_shape shape = {3, {3, 5, 3}};
    sgdi_dataset *cached = LOAD(at("sub/train.csv"), options((size_t)1 << 30, false, 1));
    sgdi_dataset *none = LOAD(at("sub/train.csv"), options(0, false, 3));
    // Each row in order is kept if it still fits: a (16 bytes), b (48), not c (128) nor
    // e (48), but z (16); then the budget is full.
    sgdi_dataset *some = LOAD(at("sub/train.csv"), options(80, false, 2));
    if (!cached || !none || !some) goto done;
    CHECK(cached->images->cache_bytes == 16 + 48 + 128 + 48 + 16 + 16);
    for (int r = 0; r < 6; r++) CHECK(cached->images->cache[r] && !none->images->cache[r]);
    CHECK(none->images->cache_bytes == 0 && some->images->cache_bytes == 80);
    CHECK(some->images->cache[0] && some->images->cache[1] && !some->images->cache[2]);
    CHECK(!some->images->cache[3] && some->images->cache[4] && !some->images->cache[5]);
    float *a = gather(cached, all_rows, 6, shape, NULL),
          *b = gather(none, all_rows, 6, shape, NULL);
    float *c = gather(some, all_rows, 6, shape, NULL);
    CHECK(memcmp(a, b, sizeof(float) * 6 * 45) == 0 && memcmp(a, c, sizeof(float) * 6 * 45) == 0);
    free(a);
    free(b);
    free(c);
    // Not normalised: the stored values.
    sgdi_dataset_options raw = options(0, false, 2);
    raw.no_image_normalization = true;
    sgdi_dataset *r = LOAD(at("sub/train.csv"), raw);
    if (r) {
        a = gather(r, (const int64_t[]){0, 2}, 2, (sgdi_shape){3, {3, 4, 4}}, NULL);
        CHECK(a[5] == grey[5] && a[48 + 16 + 1] == rgba16[5]);
        free(a);
    }
    sgdi_dataset_free(r);
done:
    sgdi_dataset_free(cached);
    sgdi_dataset_free(none);
    sgdi_dataset_free(some);
}

static void test_strict_sizes(void) {
    sgdi_error err;
    sgdi_dataset *loose = LOAD(at("sub/sizes.csv"), options((size_t)1 << 30, false, 2));
    sgdi_dataset *strict = LOAD(at("sub/sizes.csv"), options((size_t)1 << 30, true, 2));
    if (!loose || !strict) goto done;
    sgdi_shape four = {3, {1, 4, 4}};
    CHECK(sgdi_dataset_check_shape(loose, four, &err) == SGDI_OK);
    float *x = gather(loose, (const int64_t[]){1}, 1, four, NULL);
    float want[16];
    sgdi_image_to_chw(loose->images->cache[1], loose->images->shapes[1], 1, 4, 4, true, NULL, want);
    CHECK(memcmp(x, want, sizeof want) == 0);
    free(x);
    CHECK(sgdi_dataset_check_shape(strict, four, &err) == SGDI_ERR_INVALID);
    char where[2048];
    snprintf(where, sizeof where,
             "%s:3: image 'img/big.png' (%s) is 6x5 pixels (height x width) "
             "but the network takes 4x4",
             at("sub/sizes.csv"), at("sub/img/big.png"));
    CHECK_MSG(strstr(err.message, where), "%s", err.message);
    float out[32], y[2];
    CHECK(sgdi_dataset_gather(strict, (const int64_t[]){0}, 1, four, out, y, &err) == SGDI_OK);
    CHECK(sgdi_dataset_gather(strict, (const int64_t[]){0, 1}, 2, four, out, y, &err) ==
          SGDI_ERR_INVALID);
    CHECK(sgdi_dataset_gather(strict, (const int64_t[]){1}, 1, (sgdi_shape){1, {16}}, out, y,
                              &err) == SGDI_ERR_INVALID);
    CHECK(sgdi_dataset_check_shape(strict, (sgdi_shape){3, {1, 6, 5}}, &err) == SGDI_ERR_INVALID);
    CHECK_MSG(strstr(err.message, ":2: image 'img/a.png'"), "%s", err.message);
done:
    sgdi_dataset_free(loose);
    sgdi_dataset_free(strict);
}

// --- Bad input --------------------------------------------------------------------

static void test_errors(void) {
    const sgdi_status F = SGDI_ERR_FORMAT, U = SGDI_ERR_UNSUPPORTED;
    size_t size;
    uint8_t *png = (uint8_t *)sgdi_test_read_file(at("sub/img/b.png"), &size);
    CHECK(png && test_write_file(at("sub/img/cut.png"), png, size / 2));
    free(png);
    uint8_t *jpeg = (uint8_t *)sgdi_test_read_file(at("sub/img/e.JPEG"), &size);
    if (jpeg && size > 60) jpeg[size - 20] = 0xFF, jpeg[size - 19] = 0xD5;
    CHECK(jpeg && test_write_file(at("sub/img/bad.jpg"), jpeg, size));
    free(jpeg);
    CHECK(test_write_file(at("sub/img/empty.png"), "", 0));
    char name[1024];
    snprintf(name, sizeof name, "%s/sub/img/none.png", dir);

    EXPECT_LOAD_ERROR("missing.csv", "x:image,y:label\nimg/a.png,0\nimg/none.png,1\n", SGDI_ERR_IO,
                      ":3: image 'img/none.png' (", name,
                      "): cannot open: No such file or directory");
    EXPECT_LOAD_ERROR("cut.csv", "x,y\nimg/a.png,0\n\nimg/cut.png,1\n", F,
                      ":4: image 'img/cut.png' (", "truncated PNG");
    EXPECT_LOAD_ERROR("bad.csv", "x,y\nimg/bad.jpg,0\n", F, ":2: image 'img/bad.jpg'",
                      "invalid JPEG: Corrupt JPEG data");
    EXPECT_LOAD_ERROR("empty.csv", "x,y\nimg/a.png,1\nimg/empty.png,0\n", F,
                      ":3: image 'img/empty.png'", "the file is empty");
    EXPECT_LOAD_ERROR("bmp.csv", "x:image,y:label\nimg/a.png,0\nimg/a.bmp,1\n", U,
                      ":3: column 1 'x': 'img/a.bmp': .bmp images are not supported");
    EXPECT_LOAD_ERROR("npy.csv", "#c,x,y\nq,img/a.NPY,0\n", U,
                      ":2: column 2 'x': 'img/a.NPY': .npy files are not supported");
    EXPECT_LOAD_ERROR("other.csv", "x,y\nimg/readme,0\n", F,
                      ":2: column 1 'x': 'img/readme' is neither a number nor a PNG or JPEG");
    EXPECT_LOAD_ERROR("number.csv", "x,y\nimg/a.png,0\n3.5,1\n", F,
                      ":3: column 1 'x': '3.5' is a number, but the first row's x is an image");
    EXPECT_LOAD_ERROR("path_later.csv", "x,y\n3.5,1\nimg/a.png,0\n", F,
                      ":3: column 1 'x': 'img/a.png' is not a number (the first row's x is a");
    EXPECT_LOAD_ERROR("vector.csv", "x__0,x__1,y\n1,img/a.png,0\n", F,
                      ":2: column 2 'x__1': 'img/a.png' is not a number (file names are read");
    EXPECT_LOAD_ERROR("label.csv", "x,y\nimg/a.png,cat\n", F, ":2: column 2 'y': label 'cat'");

    // Of several broken rows the first is named, however many threads decode.
    char csv[8192] = "x,y\n";
    for (int r = 0; r < 60; r++) {
        const char *file = r == 17              ? "img/cut.png"
                           : r == 23 || r == 50 ? "img/none.png"
                                                : "img/b.png";
        size_t used = strlen(csv);
        snprintf(csv + used, sizeof csv - used, "%s,%d\n", file, r % 2);
    }
    EXPECT_LOAD_ERROR("many.csv", csv, F, ":19: image 'img/cut.png'", "truncated PNG");
}

// An image that goes away, or changes, after loading: the batch that needs it fails.
static void test_files_change(void) {
    CHECK(test_write_png(at("sub/img/gone.png"), &TEST_PNG(4, 4, PNG_COLOR_TYPE_GRAY, 8, grey)));
    CHECK(test_write_text(at("sub/gone.csv"), "x,y\nimg/a.png,0\nimg/gone.png,1\n"));
    sgdi_dataset *cached = LOAD(at("sub/gone.csv"), options((size_t)1 << 30, false, 2));
    sgdi_dataset *uncached = LOAD(at("sub/gone.csv"), options(0, false, 2));
    CHECK(test_write_png(at("sub/img/gone.png"), &TEST_PNG(2, 2, PNG_COLOR_TYPE_GRAY, 8, grey)));
    float out[32], y[2];
    sgdi_error err;
    const sgdi_shape shape = {3, {1, 4, 4}};
    if (cached) CHECK(sgdi_dataset_gather(cached, all_rows, 2, shape, out, y, &err) == SGDI_OK);
    if (uncached) {
        CHECK(sgdi_dataset_gather(uncached, all_rows, 2, shape, out, y, &err) == SGDI_ERR_FORMAT);
        CHECK_MSG(strstr(err.message, ":3: image 'img/gone.png'") &&
                      strstr(err.message, "changed since the dataset was loaded"),
                  "%s", err.message);
        remove(at("sub/img/gone.png"));
        CHECK(sgdi_dataset_gather(uncached, all_rows, 2, shape, out, y, &err) == SGDI_ERR_IO);
        CHECK_MSG(strstr(err.message, "gone.csv:3: image 'img/gone.png'") &&
                      strstr(err.message, "No such file"),
                  "%s", err.message);
    }
    sgdi_dataset_free(cached);
    sgdi_dataset_free(uncached);
}

// --- The influence CSV ------------------------------------------------------------

static void test_output_csv(void) {
    sgdi_dataset *ds = LOAD(at("sub/train.csv"), options((size_t)1 << 30, false, 2));
    if (!ds) return;
    double scores[6] = {0.5, -1, 0.25, -1, 3, 0};
    struct sgdi_result res = {.rows = 6, .scores = scores, .train = ds};
    sgdi_error err;
    CHECK_MSG(sgdi_result_write_csv(&res, at("out/deeper/inf.csv"), &err) == SGDI_ERR_IO, "%s",
              err.message); // no such folder: nothing is written
    CHECK(test_write_text(at("out/keep.txt"), "the folder exists"));
    CHECK_MSG(sgdi_result_write_csv(&res, at("out/inf.csv"), &err) == SGDI_OK, "%s", err.message);
    size_t size;
    char *text = sgdi_test_read_file(at("out/inf.csv"), &size);
    const char *want = "x:image,y:label,influence,datasource_index\n"
                       "../sub/img/b.png,1,-1,1\n"
                       "../sub/img/e.JPEG,1,-1,3\n"
                       "\"../sub/img/x,y.png\",1,0,5\n"
                       "../sub/img/c.png,2,0.25,2\n"
                       "../sub/img/a.png,0,0.5,0\n"
                       "../abs/z.png,0,3,4\n";
    CHECK_MSG(text && strcmp(text, want) == 0, "got:\n%s", text ? text : "(nothing)");
    free(text);
    // The output is a dataset: the same images, in the output's order.
    sgdi_dataset *again = LOAD(at("out/inf.csv"), options(0, false, 2));
    if (again) {
        CHECK(sgdi_dataset_rows(again) == 6 && sgdi_dataset_label(again, 3) == 2);
        const int64_t order[] = {1, 3, 5, 2, 0, 4};
        const sgdi_shape shape = {3, {3, 4, 4}};
        float *a = gather(ds, order, 6, shape, NULL), *b = gather(again, all_rows, 6, shape, NULL);
        CHECK(memcmp(a, b, sizeof(float) * 6 * 48) == 0);
        free(a);
        free(b);
    }
    sgdi_dataset_free(again);
    // Written from another working directory, beside the training CSV.
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(dir) == 0);
    CHECK(sgdi_result_write_csv(&res, "sub/inf.csv", &err) == SGDI_OK);
    CHECK(chdir(cwd) == 0);
    text = sgdi_test_read_file(at("sub/inf.csv"), &size);
    CHECK_MSG(text && strstr(text, "\nimg/b.png,1,-1,1\n") && strstr(text, "\n../abs/z.png,0,3,4"),
              "%s", text ? text : "(nothing)");
    free(text);
    sgdi_dataset_free(ds);
}

// --- Path arithmetic (src/util/path.c) ---------------------------------------------

static bool equals_freed(char *got, const char *want) {
    bool same = got && strcmp(got, want) == 0;
    if (!same) fprintf(stderr, "got '%s', want '%s'\n", got ? got : "(null)", want);
    free(got);
    return same;
}

static void test_paths(void) {
    CHECK(equals_freed(sgdi_path_dirname("a/b.csv"), "a"));
    CHECK(equals_freed(sgdi_path_dirname("b.csv"), ""));
    CHECK(equals_freed(sgdi_path_dirname("/b.csv"), "/"));
    CHECK(equals_freed(sgdi_path_dirname("a//b.csv"), "a"));
    CHECK(equals_freed(sgdi_path_join("", "x\\y.png", 7), "x/y.png"));
    CHECK(equals_freed(sgdi_path_join("d", "./x.png", 7), "d/./x.png"));
    CHECK(equals_freed(sgdi_path_join("d/", "x.png", 5), "d/x.png"));
    CHECK(equals_freed(sgdi_path_join("d", "/abs/x.png", 10), "/abs/x.png"));
    CHECK(equals_freed(sgdi_path_join("d", "\\abs\\x.png", 10), "/abs/x.png"));
    CHECK(equals_freed(sgdi_path_absolute("/a/./b/../c//d/"), "/a/c/d"));
    CHECK(equals_freed(sgdi_path_absolute("/../x/.."), "/"));
    CHECK(equals_freed(sgdi_path_relative("/a/b/c.png", "/a/b"), "c.png"));
    CHECK(equals_freed(sgdi_path_relative("/a/b/c.png", "/x/y"), "../../a/b/c.png"));
    CHECK(equals_freed(sgdi_path_relative("/a", "/a/b/c"), "../.."));
    CHECK(equals_freed(sgdi_path_relative("/a", "/a"), "."));
    CHECK(equals_freed(sgdi_path_relative("/ab/c", "/a"), "../ab/c"));
    CHECK(equals_freed(sgdi_path_relative("/x.png", "/"), "x.png"));
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) {
        char want[4200];
        snprintf(want, sizeof want, "%s/q.png", strcmp(cwd, "/") == 0 ? "" : cwd);
        CHECK(equals_freed(sgdi_path_absolute("./p/../q.png"), want));
    }
}

int main(void) {
    if (!test_make_temp_dir(dir, sizeof dir)) {
        fprintf(stderr, "cannot make a temporary folder\n");
        return 1;
    }
    make_files();
    RUN(test_paths);
    RUN(test_layout);
    RUN(test_tables);
    RUN(test_cache);
    RUN(test_strict_sizes);
    RUN(test_errors);
    RUN(test_files_change);
    RUN(test_output_csv);
    test_remove_tree(dir);
    return sgdi_test_finish();
}
