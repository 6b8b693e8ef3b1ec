/*
 * test_evaluate.c — the pieces of the removal curve: a dataset without given
 * rows (tables and images), predictions and accuracy on hand-built networks
 * whose answers are known, the list of removal sizes, reading an influence
 * CSV back; and the curve itself on the bundled breast-cancer table, where
 * removing the 5 % most harmful rows must beat removing 5 % random rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/result.h"
#include "data/dataset.h"
#include "data/images.h"
#include "graph/builtin.h"
#include "test_support.h"
#include "train/predict.h"
#include "train/trainer.h"

static sgdi_dataset *load_text(const char *text, const char *name) {
    sgdi_dataset *ds = NULL;
    sgdi_error err;
    if (sgdi_dataset_load_csv_buffer(text, strlen(text), name, &ds, &err) != SGDI_OK)
        fprintf(stderr, "load %s: %s\n", name, err.message);
    return ds;
}

// --- Subsets -------------------------------------------------------------------------

static const char table[] = "x__0:a,x__1:b,y\n"
                            "0,10,0\n"
                            "1,11,1\n"
                            "\n" // blank line: CSV lines and rows part here
                            "2,12,2\n"
                            "3,13,0\n"
                            "4,14,1\n";

static void test_subset_table(void) {
    sgdi_dataset *ds = load_text(table, "t.csv"), *sub = NULL;
    sgdi_error err;
    CHECK(ds != NULL);
    if (!ds) return;
    CHECK(sgdi_dataset_subset(ds, (int64_t[]){3, 2}, 2, &sub, &err) == SGDI_OK);
    if (!sub) return;
    CHECK(sgdi_dataset_rows(sub) == 3);
    CHECK(sgdi_dataset_features(sub) == 2);
    // Row 2 held the only label 2: the classes stay those of the whole set.
    CHECK(sgdi_dataset_classes(sub) == 3);
    const int64_t kept[] = {0, 1, 4}, lines[] = {2, 3, 7};
    for (int i = 0; i < 3; i++) {
        const float *x = sgdi_dataset_row(sub, i);
        CHECK(x && x[0] == (float)kept[i] && x[1] == (float)(10 + kept[i]));
        CHECK(sgdi_dataset_label(sub, i) == sgdi_dataset_label(ds, kept[i]));
        CHECK(sub->lines[i] == lines[i]);
    }
    CHECK(strcmp(sub->feature_names[1], "x__1") == 0 && sub->feature_columns[1] == 2);
    CHECK(strcmp(sgdi_dataset_path(sub), "t.csv") == 0);
    CHECK(sgdi_dataset_check_compatible(ds, sub, &err) == SGDI_OK);
    sgdi_dataset_free(sub);

    // Removing nothing copies; bad lists are refused with the row named.
    CHECK(sgdi_dataset_subset(ds, NULL, 0, &sub, &err) == SGDI_OK && sgdi_dataset_rows(sub) == 5);
    sgdi_dataset_free(sub);
    sub = NULL;
    CHECK(sgdi_dataset_subset(ds, (int64_t[]){1, 1}, 2, &sub, &err) == SGDI_ERR_INVALID);
    CHECK(strstr(err.message, "row 1") && strstr(err.message, "twice") && !sub);
    CHECK(sgdi_dataset_subset(ds, (int64_t[]){5}, 1, &sub, &err) == SGDI_ERR_INVALID);
    CHECK(strstr(err.message, "row 5") && strstr(err.message, "no such row"));
    CHECK(sgdi_dataset_subset(ds, (int64_t[]){0, 1, 2, 3, 4}, 5, &sub, &err) == SGDI_ERR_INVALID);
    CHECK(strstr(err.message, "leaves none") != NULL);
    sgdi_dataset_free(ds);
}

// Image rows: the subset gathers the same samples as the original's kept rows, whether
// their pixels were cached or are decoded again.
static void test_subset_images(void) {
    for (int cached = 0; cached < 2; cached++) {
        sgdi_dataset_options opts;
        sgdi_dataset_options_init(&opts);
        if (!cached) opts.image_cache_bytes = 0;
        sgdi_dataset *ds = NULL, *sub = NULL;
        sgdi_error err;
        CHECK(sgdi_dataset_load_csv_opts("../examples/fashion_mnist/train.csv", &opts, &ds, &err) ==
              SGDI_OK);
        if (!ds) return;
        int64_t removed[] = {299, 0, 17, 5};
        CHECK(sgdi_dataset_subset(ds, removed, 4, &sub, &err) == SGDI_OK);
        if (!sub) return;
        CHECK(sgdi_dataset_is_image(sub) && sgdi_dataset_rows(sub) == 296);
        CHECK(sub->images->cache_bytes == (cached ? ds->images->cache_bytes - 4 * 784 : 0));
        sgdi_shape shape = sgdi_dataset_sample_shape(ds);
        int64_t sub_rows[] = {0, 3, 4, 15, 295}, orig_rows[] = {1, 4, 6, 18, 298};
        float *a = malloc(5 * 784 * sizeof *a), *b = malloc(5 * 784 * sizeof *b);
        float ya[5], yb[5];
        CHECK(sgdi_dataset_gather(sub, sub_rows, 5, shape, a, ya, &err) == SGDI_OK);
        CHECK(sgdi_dataset_gather(ds, orig_rows, 5, shape, b, yb, &err) == SGDI_OK);
        CHECK(memcmp(a, b, 5 * 784 * sizeof *a) == 0 && memcmp(ya, yb, sizeof ya) == 0);
        CHECK(strcmp(sgdi_images_cell(sub->images, 4), sgdi_images_cell(ds->images, 6)) == 0);
        free(a);
        free(b);
        sgdi_dataset_free(sub);
        sgdi_dataset_free(ds);
    }
}

// --- Predictions ---------------------------------------------------------------------

// Labels and logits (class 0: x0, class 1: -x0) chosen so that 3 of 4 rows are right.
static const char two_class[] = "x__0,x__1,y\n"
                                "1,5,0\n"
                                "-1,2,1\n"
                                "2,0,1\n"
                                "-0.5,1,1\n";

static double softplus(double v) {
    return log1p(exp(v));
}

// Runs sgdi_predict on `two_class` through graph g at theta; batches of 3 (a partial one).
static sgdi_status predict_two_class(const sgdi_graph *g, const float *theta, int32_t *pred,
                                     float *conf, sgdi_prediction_summary *sum) {
    sgdi_dataset *ds = load_text(two_class, "two.csv");
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.batch_size = 3;
    sgdi_train_plan plan = {.graph = g};
    sgdi_trainer tr;
    sgdi_error err;
    sgdi_status st = sgdi_trainer_init(&tr, &opt, &plan, ds, 0, &err);
    if (st == SGDI_OK) {
        st = sgdi_predict(&tr, ds, theta, pred, conf, sum, &err);
        sgdi_trainer_free(&tr);
    }
    if (st != SGDI_OK) fprintf(stderr, "predict: %s\n", err.message);
    sgdi_dataset_free(ds);
    return st;
}

static void check_two_class(const int32_t *pred, const float *conf,
                            const sgdi_prediction_summary *sum) {
    const int32_t want[] = {0, 1, 0, 1};
    for (int i = 0; i < 4; i++) CHECK(pred[i] == want[i]);
    CHECK(sum->has_accuracy && sum->rows == 4 && sum->correct == 3);
    CHECK_NEAR(sum->accuracy, 0.75, 0);
    // softmax(x0, -x0)[best] = 1 / (1 + exp(-2 |x0|))
    CHECK_NEAR(conf[0], 1 / (1 + exp(-2.0)), 1e-6);
    CHECK_NEAR(conf[2], 1 / (1 + exp(-4.0)), 1e-6);
    CHECK_NEAR(conf[3], 1 / (1 + exp(-1.0)), 1e-6);
    double loss = (softplus(-2) + softplus(-2) + softplus(4) + softplus(-1)) / 4;
    CHECK_NEAR(sum->loss, loss, 1e-6);
}

static void test_predict_logits(void) {
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.network = SGDI_NETWORK_LOGREG;
    sgdi_graph g;
    sgdi_graph_init(&g);
    sgdi_error err;
    CHECK(sgdi_build_network(&opt, sgdi_shape1(2), 2, &g, &err) == SGDI_OK);
    const float theta[] = {1, -1, 0, 0, 0, 0}; // W (2 x 2) row-major, then b
    CHECK(g.n_params == 6);
    sgdi_prediction_source src;
    CHECK(sgdi_prediction_source_find(&g, &src) && src.classes == 2 && !src.probabilities);
    int32_t pred[4];
    float conf[4];
    sgdi_prediction_summary sum;
    if (predict_two_class(&g, theta, pred, conf, &sum) == SGDI_OK)
        check_two_class(pred, conf, &sum);
    sgdi_graph_free(&g);
}

// x -> Affine -> Softmax -> CategoricalCrossEntropy: the scores are probabilities.
static void test_predict_probabilities(void) {
    sgdi_graph g;
    sgdi_graph_init(&g);
    sgdi_error err;
    g.input_var = sgdi_graph_add_data(&g, "x", sgdi_shape1(2), &err);
    g.target_var = sgdi_graph_add_data(&g, "y", sgdi_shape1(1), &err);
    int w = sgdi_graph_add_param(&g, "W", sgdi_shape2(2, 2), &err);
    int b = sgdi_graph_add_param(&g, "b", sgdi_shape1(2), &err);
    sgdi_op_attr none = {0}, axis0 = {.axis = 0};
    int h = sgdi_graph_apply(&g, SGDI_OP_AFFINE, &none, (int[]){g.input_var, w, b}, 3, "fc", &err);
    int p = sgdi_graph_apply(&g, SGDI_OP_SOFTMAX, &axis0, &h, 1, "p", &err);
    g.loss_var = sgdi_graph_apply(&g, SGDI_OP_CATEGORICAL_CROSS_ENTROPY, &axis0,
                                  (int[]){p, g.target_var}, 2, "loss", &err);
    CHECK(g.loss_var >= 0);
    sgdi_prediction_source src;
    CHECK(sgdi_prediction_source_find(&g, &src) && src.var == p && src.probabilities);
    const float theta[] = {1, -1, 0, 0, 0, 0};
    int32_t pred[4];
    float conf[4];
    sgdi_prediction_summary sum;
    if (predict_two_class(&g, theta, pred, conf, &sum) == SGDI_OK)
        check_two_class(pred, conf, &sum);
    sgdi_graph_free(&g);
}

// x -> Affine(1) -> SquaredError: values, not classes: a loss but no accuracy.
static void test_predict_without_classes(void) {
    sgdi_graph g;
    sgdi_graph_init(&g);
    sgdi_error err;
    g.input_var = sgdi_graph_add_data(&g, "x", sgdi_shape1(2), &err);
    g.target_var = sgdi_graph_add_data(&g, "y", sgdi_shape1(1), &err);
    int w = sgdi_graph_add_param(&g, "W", sgdi_shape2(2, 1), &err);
    int b = sgdi_graph_add_param(&g, "b", sgdi_shape1(1), &err);
    sgdi_op_attr none = {0};
    int h = sgdi_graph_apply(&g, SGDI_OP_AFFINE, &none, (int[]){g.input_var, w, b}, 3, "fc", &err);
    g.loss_var = sgdi_graph_apply(&g, SGDI_OP_SQUARED_ERROR, &none, (int[]){h, g.target_var}, 2,
                                  "loss", &err);
    CHECK(g.loss_var >= 0);
    sgdi_prediction_source src;
    CHECK(!sgdi_prediction_source_find(&g, &src));
    const float theta[] = {1, 0, 0}; // prediction = x0
    int32_t pred[4] = {-7, -7, -7, -7};
    float conf[4];
    sgdi_prediction_summary sum;
    if (predict_two_class(&g, theta, pred, conf, &sum) == SGDI_OK) {
        CHECK(!sum.has_accuracy && isnan(sum.accuracy) && pred[0] == -7);
        // (x0 - y)^2: 1, 4, 1, 2.25
        CHECK_NEAR(sum.loss, (1 + 4 + 1 + 2.25) / 4, 1e-6);
    }
    sgdi_graph_free(&g);
}

// --- Removal sizes and influence files ----------------------------------------------

static void test_removal_counts(void) {
    int64_t k[SGDI_EVALUATE_MAX_POINTS];
    int n = -1;
    sgdi_error err;
    CHECK(sgdi_removal_counts_parse("0,1%,2%,5%,10%", 455, k, SGDI_EVALUATE_MAX_POINTS, &n, &err) ==
          SGDI_OK);
    // 4.55 -> 5, 9.1 -> 9, 22.75 -> 23, 45.5 -> 46
    CHECK(n == 5 && k[0] == 0 && k[1] == 5 && k[2] == 9 && k[3] == 23 && k[4] == 46);
    CHECK(sgdi_removal_counts_parse("7,2.5%,.5%,454", 455, k, 8, &n, &err) == SGDI_OK);
    CHECK(n == 4 && k[0] == 7 && k[1] == 11 && k[2] == 2 && k[3] == 454);
    struct {
        const char *spec, *mention;
    } bad[] = {
        {"", "empty"},
        {"5,,6", "empty size"},
        {"abc", "'abc'"},
        {"-1", "'-1'"},
        {"1.5", "'1.5'"},
        {" 5", "' 5'"},
        {"5%%", "'5%%'"},
        {"%", "'%'"},
        {"101%", "between 0% and 100%"},
        {"100%", "at least one"},
        {"455", "455 of the 455"},
        {"1,2,", "empty size"},
        {"99999999999999999999", "'99999999999999999999'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sgdi_status st = sgdi_removal_counts_parse(bad[i].spec, 455, k, 8, &n, &err);
        CHECK_MSG(st == SGDI_ERR_INVALID && strstr(err.message, bad[i].mention), "'%s': %s",
                  bad[i].spec, err.message);
    }
    CHECK(sgdi_removal_counts_parse("1,2,3", 455, k, 2, &n, &err) == SGDI_ERR_INVALID);
    // rows 0: the form alone, any size.
    CHECK(sgdi_removal_counts_parse("100%,1000000", 0, k, 8, &n, &err) == SGDI_OK && n == 2);
    CHECK(sgdi_removal_counts_parse("5%x", 0, k, 8, &n, &err) == SGDI_ERR_INVALID);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_influence_read(void) {
    char path[] = "/tmp/sgdi-test-evaluate-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    double s[3];
    sgdi_error err;
    // Any order, extra columns, either layout.
    write_text(path, "index,influence,datasource_index,influence_std\n"
                     "2,-0.5,2,0\n0,0.25,0,0\n1,1e-3,1,0\n");
    CHECK(sgdi_influence_csv_read(path, 3, s, &err) == SGDI_OK);
    CHECK(s[0] == 0.25 && s[1] == 1e-3 && s[2] == -0.5);
    write_text(path, "x:image,y:label,influence,datasource_index\n"
                     "\"a,b.png\",1,-1,1\nc.png,0,2,0\nd.png,0,3,2\n");
    CHECK(sgdi_influence_csv_read(path, 3, s, &err) == SGDI_OK);
    CHECK(s[0] == 2 && s[1] == -1 && s[2] == 3);
    struct {
        const char *text, *mention;
    } bad[] = {
        {"index,score\n0,1\n", "not an influence CSV"},
        {"influence,datasource_index\n1,0\n2,1\n", "scores 2 rows"},
        {"influence,datasource_index\n1,0\n2,0\n3,2\n", ":3: datasource_index 0 appears twice"},
        {"influence,datasource_index\n1,0\n2,3\n3,2\n", ":3: datasource_index '3'"},
        {"influence,datasource_index\n1,0\nx,1\n3,2\n", ":3: influence 'x'"},
        {"influence,datasource_index\n1,0\n2\n", ":3: 1 fields"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i].text);
        sgdi_status st = sgdi_influence_csv_read(path, 3, s, &err);
        CHECK_MSG(st == SGDI_ERR_FORMAT && strstr(err.message, bad[i].mention), "%s", err.message);
    }
    unlink(path);
    CHECK(sgdi_influence_csv_read(path, 3, s, &err) == SGDI_ERR_IO && strstr(err.message, path));
}

// --- The curve on the breast-cancer table ------------------------------------------

// The header and the data rows 1, 3, 5, ... (odd) or 2, 4, 6, ... of a CSV.
static sgdi_dataset *half_of(const char *path, bool odd, const char *name) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *out = calloc(1, 1 << 20), line[4096];
    size_t used = 0;
    for (int n = 0; fgets(line, sizeof line, f); n++) {
        if (n > 0 && (n % 2 == 1) != odd) continue;
        size_t len = strlen(line);
        if (used + len < (1 << 20)) memcpy(out + used, line, len), used += len;
    }
    fclose(f);
    sgdi_dataset *ds = load_text(out, name);
    free(out);
    return ds;
}

static void test_curve_breast_cancer(void) {
    const char *dir = "../examples/breast_cancer";
    char path[256];
    sgdi_error err;
    sgdi_dataset *train = NULL, *val = NULL, *test = NULL;
    snprintf(path, sizeof path, "%s/train.csv", dir);
    CHECK(sgdi_dataset_load_csv(path, &train, &err) == SGDI_OK);
    snprintf(path, sizeof path, "%s/val.csv", dir);
    // No test set: val.csv's odd data rows score, its even ones test (bench/evaluate.sh).
    val = half_of(path, true, "val.odd.csv");
    test = half_of(path, false, "val.even.csv");
    CHECK(val && test && sgdi_dataset_rows(val) == 57 && sgdi_dataset_rows(test) == 57);
    if (!train || !val || !test) return;
    sgdi_options opt;
    sgdi_options_init(&opt);
    sgdi_result *res = NULL;
    CHECK(sgdi_run(&opt, train, val, NULL, NULL, &res, &err) == SGDI_OK);
    // The predictions of the final model on its own rows (sgdi_run, for the sidecar).
    if (res) {
        int64_t right = 0;
        CHECK(res->predictions && res->prediction_confidence);
        for (int64_t r = 0; res->predictions && r < res->rows; r++) {
            right += res->predictions[r] == sgdi_dataset_label(train, r);
            CHECK(res->prediction_confidence[r] >= 0.5f && res->prediction_confidence[r] <= 1.0f);
        }
        // 23 of the 455 labels are flipped: a good fit gets most of the others.
        CHECK_MSG(right > 400 && right < 455, "%lld right", (long long)right);
    }
    int64_t counts[2];
    int n;
    CHECK(sgdi_removal_counts_parse("0,5%", sgdi_dataset_rows(train), counts, 2, &n, &err) ==
          SGDI_OK);
    sgdi_evaluation *ev = NULL;
    if (res)
        CHECK(sgdi_evaluate_removal(&opt, train, test, sgdi_result_scores(res), counts, n, 3, NULL,
                                    NULL, &ev, &err) == SGDI_OK);
    if (ev) {
        CHECK(sgdi_evaluation_points(ev) == 2 && sgdi_evaluation_seeds(ev) == 3);
        CHECK(sgdi_evaluation_count(ev, 1) == 23 && sgdi_evaluation_has_accuracy(ev));
        for (int s = 0; s < 3; s++) {
            CHECK(sgdi_evaluation_accuracy(ev, 0, SGDI_REMOVE_HARMFUL, s) ==
                  sgdi_evaluation_accuracy(ev, 0, SGDI_REMOVE_RANDOM, s));
            CHECK(sgdi_evaluation_seed(ev, s) == opt.seed + (uint64_t)s);
        }
        sgdi_removal_summary h = sgdi_evaluation_summary(ev, 1, SGDI_REMOVE_HARMFUL);
        sgdi_removal_summary r = sgdi_evaluation_summary(ev, 1, SGDI_REMOVE_RANDOM);
        sgdi_removal_summary all = sgdi_evaluation_summary(ev, 0, SGDI_REMOVE_HARMFUL);
        fprintf(stderr,
                "k=23: harmful acc %.4f +- %.4f loss %.4f; random acc %.4f +- %.4f "
                "loss %.4f; none acc %.4f loss %.4f\n",
                h.accuracy_mean, h.accuracy_std, h.loss_mean, r.accuracy_mean, r.accuracy_std,
                r.loss_mean, all.accuracy_mean, all.loss_mean);
        CHECK(h.accuracy_mean > r.accuracy_mean);
        CHECK(h.loss_mean < r.loss_mean && h.loss_mean < all.loss_mean);
        CHECK(isnan(sgdi_evaluation_accuracy(ev, 2, SGDI_REMOVE_HARMFUL, 0)));
    }
    // Too large a k, and the influence of another table, are refused.
    sgdi_evaluation *bad = NULL;
    if (res) {
        CHECK(sgdi_evaluate_removal(&opt, train, test, sgdi_result_scores(res), (int64_t[]){455}, 1,
                                    3, NULL, NULL, &bad, &err) == SGDI_ERR_INVALID &&
              !bad);
        CHECK(strstr(err.message, "455 of the 455") != NULL);
    }
    sgdi_evaluation_free(ev);
    sgdi_result_free(res);
    sgdi_dataset_free(test);
    sgdi_dataset_free(val);
    sgdi_dataset_free(train);
}

int main(void) {
    RUN(test_subset_table);
    RUN(test_subset_images);
    RUN(test_predict_logits);
    RUN(test_predict_probabilities);
    RUN(test_predict_without_classes);
    RUN(test_removal_counts);
    RUN(test_influence_read);
    RUN(test_curve_breast_cancer);
    return sgdi_test_finish();
}
