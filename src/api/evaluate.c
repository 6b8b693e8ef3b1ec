/*
 * evaluate.c — the removal curve (sgdi.h, "Removal curve"): retraining
 * without the rows a score ranks most harmful, and without as many random
 * rows, and the test accuracy and loss of each model; the list of removal
 * sizes, reading an influence CSV back, and the two files written.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"
#include "data/dataset.h"
#include "api/setup.h"
#include "graph/builtin.h"
#include "influence/stats.h"
#include "io/atomic.h"
#include "io/json.h"
#include "io/number.h"
#include "model/model.h"
#include "train/predict.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/rng.h"

// The Philox stream of the random rows, ctr = (draw, 0, 0, stream): apart from
// every stream of src/util/rng.h, so that the random rows do not follow the
// batch order or the initialisation of the same seed.
enum { EVALUATE_RNG_STREAM = 0x60000 };

enum { REMOVALS = 2 }; // harmful, random

struct sgdi_evaluation {
    int points, seeds;
    uint64_t first_seed;
    int64_t rows;
    bool has_accuracy;
    int64_t *counts;  // [points]
    double *accuracy; // [points][REMOVALS][seeds]
    double *loss;     // [points][REMOVALS][seeds]
};

// --- Removal sizes -------------------------------------------------------------------

// One item of the list: "23" or "5%" / "2.5%" of `rows` (0 = the form alone).
static sgdi_status parse_count(const char *item, int64_t rows, int64_t *out, sgdi_error *err) {
    size_t len = strlen(item);
    bool percent = len > 0 && item[len - 1] == '%';
    char number[64];
    memcpy(number, item, len - (percent ? 1 : 0));
    number[len - (percent ? 1 : 0)] = '\0';
    char *end = NULL;
    errno = 0;
    double v = 0.0;
    long long count = 0;
    if (isdigit((unsigned char)number[0]) || (percent && number[0] == '.')) {
        if (percent)
            v = strtod(number, &end);
        else
            count = strtoll(number, &end, 10);
    }
    if (!end || *end || errno == ERANGE || (percent && !isfinite(v)))
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "'%s' is neither a count of rows (23) nor a percentage (5%%)", item);
    if (percent && v > 100.0)
        return sgdi_fail(err, SGDI_ERR_INVALID, "'%s' is not a percentage between 0%% and 100%%",
                         item);
    if (percent) {
        double nearest = floor(v / 100.0 * (double)rows + 0.5);
        count = nearest < (double)rows ? (long long)nearest : rows;
    }
    if (rows > 0 && count >= rows)
        return sgdi_fail(err, SGDI_ERR_INVALID,
                         "'%s' removes %lld of the %lld training rows: at least one must stay",
                         item, count, (long long)rows);
    *out = count;
    return SGDI_OK;
}

sgdi_status sgdi_removal_counts_parse(const char *spec, int64_t rows, int64_t *counts, int max,
                                      int *n, sgdi_error *err) {
    if (n) *n = 0;
    if (!spec || !counts || !n || max < 1 || rows < 0)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_removal_counts_parse: bad arguments");
    if (!*spec) return sgdi_fail(err, SGDI_ERR_INVALID, "empty list of removal sizes");
    for (const char *p = spec;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        if (len == 0) return sgdi_fail(err, SGDI_ERR_INVALID, "empty size in '%s'", spec);
        if (len >= sizeof item)
            return sgdi_fail(err, SGDI_ERR_INVALID, "'%.20s...' is not a size", p);
        if (*n == max)
            return sgdi_fail(err, SGDI_ERR_INVALID, "more than %d sizes in '%s'", max, spec);
        memcpy(item, p, len);
        item[len] = '\0';
        sgdi_status st = parse_count(item, rows, &counts[*n], err);
        if (st != SGDI_OK) return st;
        (*n)++;
        if (!comma) return SGDI_OK;
        p = comma + 1;
    }
}

// --- Reading an influence CSV --------------------------------------------------------

// The whole of a (regular) file into *data, *size bytes.
static sgdi_status read_whole_file(const char *path, char **data, size_t *size, sgdi_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return sgdi_fail(err, SGDI_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *buf = len >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)len + 1) : NULL;
    bool ok = buf && fread(buf, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    if (!ok) {
        free(buf);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot read '%s'", path);
    }
    *data = buf;
    *size = (size_t)len;
    return SGDI_OK;
}

// The 0-based field named `name` in the header record, or -1.
static int64_t find_column(const sgdi_csv *r, const char *name) {
    for (int64_t i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].text, name) == 0) return i;
    return -1;
}

// The data rows of an influence CSV into scores[rows]; seen[rows] is zeroed scratch.
static sgdi_status read_scores(sgdi_csv *r, const char *path, int64_t rows, double *scores,
                               unsigned char *seen, sgdi_error *err) {
    int got;
    while ((got = sgdi_csv_next(r, err)) > 0 && r->nfields == 0) {
    }
    if (got < 0) return err->status;
    int64_t header = r->nfields, at_score = find_column(r, "influence"),
            at_row = find_column(r, "datasource_index");
    if (got == 0 || at_score < 0 || at_row < 0)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: not an influence CSV (its header lacks 'influence' or "
                         "'datasource_index')",
                         path);
    int64_t count = 0;
    while ((got = sgdi_csv_next(r, err)) > 0) {
        if (r->nfields == 0) continue;
        long long line = (long long)r->record_line;
        if (r->nfields != header)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: %lld fields, the header has %lld",
                             path, line, (long long)r->nfields, (long long)header);
        double row, score;
        const sgdi_csv_field *fr = &r->fields[at_row], *fs = &r->fields[at_score];
        if (sgdi_csv_parse_number(fr->text, fr->len, &row) != SGDI_CSV_NUMBER || row < 0 ||
            row != floor(row) || row >= (double)rows)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s:%lld: datasource_index '%.40s' is not a row of the training "
                             "table (0 to %lld)",
                             path, line, fr->text, (long long)rows - 1);
        sgdi_csv_number kind = sgdi_csv_parse_number(fs->text, fs->len, &score);
        if (kind == SGDI_CSV_NOT_NUMBER)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: influence '%.40s' is not a number",
                             path, line, fs->text);
        if (kind == SGDI_CSV_NAN) score = NAN;
        if (seen[(int64_t)row])
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s:%lld: datasource_index %lld appears twice",
                             path, line, (long long)row);
        seen[(int64_t)row] = 1;
        scores[(int64_t)row] = score;
        count++;
    }
    if (got < 0) return err->status;
    if (count != rows)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s scores %lld rows, but the training table has %lld: another table's?",
                         path, (long long)count, (long long)rows);
    return SGDI_OK;
}

sgdi_status sgdi_influence_csv_read(const char *path, int64_t rows, double *scores,
                                    sgdi_error *err) {
    if (!path || !scores || rows < 1)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_influence_csv_read: bad arguments");
    sgdi_error local;
    if (!err) err = &local; // the reader needs the status of its failures
    char *data = NULL;
    size_t size = 0;
    sgdi_status st = read_whole_file(path, &data, &size, err);
    if (st != SGDI_OK) return st;
    unsigned char *seen = calloc((size_t)rows, 1);
    if (!seen) {
        free(data);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory", path);
    }
    sgdi_csv r;
    sgdi_csv_init(&r, data, size, path);
    st = read_scores(&r, path, rows, scores, seen, err);
    sgdi_csv_free(&r);
    free(seen);
    free(data);
    return st;
}

// --- Retraining ----------------------------------------------------------------------

// What every retraining shares: the network and resolved options (as sgdi_run's), the
// test set and the progress count.
typedef struct retrainer {
    sgdi_setup setup;
    const sgdi_dataset *test;
    sgdi_progress_counter progress;
} retrainer;

static sgdi_status retrainer_init(retrainer *rt, const sgdi_options *opt, const sgdi_dataset *train,
                                  const sgdi_dataset *test, sgdi_error *err) {
    rt->test = test;
    sgdi_status st = sgdi_dataset_check_compatible(train, test, err);
    if (st == SGDI_OK) st = sgdi_setup_init(&rt->setup, opt, train, err);
    if (st != SGDI_OK) return st;
    const sgdi_graph *g = rt->setup.plan.graph;
    if ((st = sgdi_dataset_check_shape(test, g->vars[g->input_var].shape, err)) != SGDI_OK)
        return st;
    sgdi_setup_threads(&rt->setup);
    return SGDI_OK;
}

// Trains on `train` from the seed's (or the model's) parameters and measures the test set.
static sgdi_status retrain(retrainer *rt, const sgdi_dataset *train, uint64_t seed,
                           sgdi_prediction_summary *out, sgdi_error *err) {
    const sgdi_graph *g = rt->setup.plan.graph;
    sgdi_trainer tr;
    sgdi_status st = sgdi_trainer_init(&tr, &rt->setup.opt, &rt->setup.plan, train, seed, err);
    if (st != SGDI_OK) return st;
    tr.progress = &rt->progress;
    float *theta = sgdi_alloc_array(g->n_params, sizeof(float));
    float *state = tr.state_size ? sgdi_alloc_array(tr.state_size, sizeof(float)) : NULL;
    if (!theta || (tr.state_size && !state)) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for %lld parameters",
                       (long long)g->n_params);
    } else {
        if (rt->setup.theta0)
            memcpy(theta, rt->setup.theta0, (size_t)g->n_params * sizeof(float));
        else
            sgdi_init_parameters(g, seed, theta);
        sgdi_trainer_initial_state(&tr, state);
        st = sgdi_trainer_run(&tr, 0, tr.schedule.steps, theta, state, -1, NULL, err);
        if (st == SGDI_OK) st = sgdi_predict(&tr, rt->test, theta, NULL, NULL, out, err);
    }
    free(theta);
    free(state);
    sgdi_trainer_free(&tr);
    return st;
}

// --- The curve -----------------------------------------------------------------------

// perm[0 .. k-1] = k random rows of 0..n-1 for `seed`: the first k steps of a
// Fisher-Yates shuffle, so that a smaller k takes a prefix of a larger one's.
static void random_rows(uint64_t seed, int64_t n, int64_t k, int64_t *perm) {
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = 0; i < k; i++) {
        uint32_t ctr[4] = {(uint32_t)i, (uint32_t)((uint64_t)i >> 32), 0, EVALUATE_RNG_STREAM};
        uint32_t out[4];
        sgdi_philox(seed, ctr, out);
        int64_t j = i + (int64_t)(sgdi_u64(out) % (uint64_t)(n - i));
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static int64_t slot(const sgdi_evaluation *ev, int point, sgdi_removal removal, int s) {
    return ((int64_t)point * REMOVALS + (int64_t)removal) * ev->seeds + s;
}

// Every retraining of one eval seed. `order`: the rows most harmful first; `perm`: scratch [N].
static sgdi_status evaluate_seed(sgdi_evaluation *ev, retrainer *rt, const sgdi_dataset *train,
                                 const int64_t *order, int64_t *perm, int s, sgdi_error *err) {
    uint64_t seed = ev->first_seed + (uint64_t)s;
    int64_t most = 0;
    for (int p = 0; p < ev->points; p++)
        if (ev->counts[p] > most) most = ev->counts[p];
    random_rows(seed, ev->rows, most, perm);
    for (int p = 0; p < ev->points; p++) {
        int64_t k = ev->counts[p];
        for (int r = 0; r < REMOVALS; r++) {
            sgdi_prediction_summary sum;
            int64_t at = slot(ev, p, (sgdi_removal)r, s);
            if (k == 0 && r == SGDI_REMOVE_RANDOM) { // nothing removed: the same model
                ev->accuracy[at] = ev->accuracy[slot(ev, p, SGDI_REMOVE_HARMFUL, s)];
                ev->loss[at] = ev->loss[slot(ev, p, SGDI_REMOVE_HARMFUL, s)];
                continue;
            }
            sgdi_dataset *subset = NULL;
            sgdi_status st = SGDI_OK;
            if (k > 0)
                st = sgdi_dataset_subset(train, r == SGDI_REMOVE_HARMFUL ? order : perm, k, &subset,
                                         err);
            if (st == SGDI_OK) st = retrain(rt, subset ? subset : train, seed, &sum, err);
            sgdi_dataset_free(subset);
            rt->progress.state.trial++;
            if (st != SGDI_OK) return st;
            ev->has_accuracy = sum.has_accuracy;
            ev->accuracy[at] = sum.accuracy;
            ev->loss[at] = sum.loss;
        }
    }
    return SGDI_OK;
}

// Training steps of all the retrainings, for the progress count.
static void count_work(const sgdi_evaluation *ev, const sgdi_options *opt, sgdi_progress *pr) {
    int64_t b = opt->batch_size;
    pr->trials = 0, pr->total = 0;
    for (int p = 0; p < ev->points; p++) {
        int64_t n = ev->rows - ev->counts[p];
        int runs = ev->counts[p] == 0 ? 1 : REMOVALS;
        pr->trials += runs * ev->seeds;
        pr->total += (int64_t)runs * ev->seeds * opt->epochs * ((n + b - 1) / b);
    }
}

sgdi_status sgdi_evaluate_removal(const sgdi_options *opt, const sgdi_dataset *train,
                                  const sgdi_dataset *test, const double *influence,
                                  const int64_t *counts, int n_counts, int seeds,
                                  sgdi_progress_fn progress, void *progress_user,
                                  sgdi_evaluation **out, sgdi_error *err) {
    if (!out) return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_evaluate_removal: out is NULL");
    *out = NULL;
    if (!opt || !train || !test || !influence || !counts)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_evaluate_removal: NULL argument");
    int64_t n = sgdi_dataset_rows(train);
    if (n_counts < 1 || n_counts > SGDI_EVALUATE_MAX_POINTS)
        return sgdi_fail(err, SGDI_ERR_INVALID, "between 1 and %d removal sizes, not %d",
                         SGDI_EVALUATE_MAX_POINTS, n_counts);
    if (seeds < 1 || seeds > SGDI_EVALUATE_MAX_SEEDS)
        return sgdi_fail(err, SGDI_ERR_INVALID, "between 1 and %d eval seeds, not %d",
                         SGDI_EVALUATE_MAX_SEEDS, seeds);
    for (int p = 0; p < n_counts; p++)
        if (counts[p] < 0 || counts[p] >= n)
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "cannot remove %lld of the %lld training rows: one must stay",
                             (long long)counts[p], (long long)n);
    sgdi_evaluation *ev = calloc(1, sizeof *ev);
    if (!ev) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    *ev = (sgdi_evaluation){.points = n_counts, .seeds = seeds, .first_seed = opt->seed, .rows = n};
    int64_t results = (int64_t)n_counts * REMOVALS * seeds;
    ev->counts = sgdi_alloc_array(n_counts, sizeof *ev->counts);
    ev->accuracy = sgdi_alloc_array(results, sizeof *ev->accuracy);
    ev->loss = sgdi_alloc_array(results, sizeof *ev->loss);
    int64_t *order = sgdi_alloc_array(n, sizeof *order), *perm = sgdi_alloc_array(n, sizeof *perm);
    sgdi_ranked_row *scratch = sgdi_alloc_array(n, sizeof *scratch);
    retrainer rt = {.progress = {.fn = progress, .user = progress_user}};
    sgdi_status st = SGDI_OK;
    if (!ev->counts || !ev->accuracy || !ev->loss || !order || !perm || !scratch)
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for %lld rows", (long long)n);
    if (st == SGDI_OK) st = retrainer_init(&rt, opt, train, test, err);
    if (st == SGDI_OK) {
        memcpy(ev->counts, counts, (size_t)n_counts * sizeof *counts);
        for (int64_t i = 0; i < n; i++) scratch[i] = (sgdi_ranked_row){influence[i], i};
        sgdi_rank_ascending(scratch, n); // most harmful first
        for (int64_t i = 0; i < n; i++) order[i] = scratch[i].row;
        count_work(ev, opt, &rt.progress.state);
        sgdi_progress_phase(&rt.progress, SGDI_PHASE_TRAIN);
    }
    for (int s = 0; s < seeds && st == SGDI_OK; s++)
        st = evaluate_seed(ev, &rt, train, order, perm, s, err);
    sgdi_setup_free(&rt.setup);
    free(order);
    free(perm);
    free(scratch);
    if (st != SGDI_OK) {
        sgdi_evaluation_free(ev);
        return st;
    }
    *out = ev;
    return SGDI_OK;
}

void sgdi_evaluation_free(sgdi_evaluation *ev) {
    if (!ev) return;
    free(ev->counts);
    free(ev->accuracy);
    free(ev->loss);
    free(ev);
}

// --- Accessors -----------------------------------------------------------------------

int sgdi_evaluation_points(const sgdi_evaluation *ev) {
    return ev ? ev->points : 0;
}
int sgdi_evaluation_seeds(const sgdi_evaluation *ev) {
    return ev ? ev->seeds : 0;
}
uint64_t sgdi_evaluation_seed(const sgdi_evaluation *ev, int s) {
    return ev ? ev->first_seed + (uint64_t)s : 0;
}
int64_t sgdi_evaluation_rows(const sgdi_evaluation *ev) {
    return ev ? ev->rows : 0;
}
bool sgdi_evaluation_has_accuracy(const sgdi_evaluation *ev) {
    return ev && ev->has_accuracy;
}
int64_t sgdi_evaluation_count(const sgdi_evaluation *ev, int point) {
    return ev && point >= 0 && point < ev->points ? ev->counts[point] : -1;
}
double sgdi_evaluation_fraction(const sgdi_evaluation *ev, int point) {
    if (!ev || point < 0 || point >= ev->points) return NAN;
    return (double)ev->counts[point] / (double)ev->rows;
}

static bool in_range(const sgdi_evaluation *ev, int point, sgdi_removal removal, int s) {
    return ev && point >= 0 && point < ev->points &&
           (removal == SGDI_REMOVE_HARMFUL || removal == SGDI_REMOVE_RANDOM) && s >= 0 &&
           s < ev->seeds;
}

double sgdi_evaluation_accuracy(const sgdi_evaluation *ev, int point, sgdi_removal removal, int s) {
    return in_range(ev, point, removal, s) ? ev->accuracy[slot(ev, point, removal, s)] : NAN;
}
double sgdi_evaluation_loss(const sgdi_evaluation *ev, int point, sgdi_removal removal, int s) {
    return in_range(ev, point, removal, s) ? ev->loss[slot(ev, point, removal, s)] : NAN;
}

// Mean and sample standard deviation of v[0 .. n-1] (std 0 for one value).
static void mean_std(const double *v, int n, double *mean, double *std) {
    double sum = 0.0, squares = 0.0;
    for (int i = 0; i < n; i++) sum += v[i];
    *mean = sum / n;
    for (int i = 0; i < n; i++) squares += (v[i] - *mean) * (v[i] - *mean);
    *std = n > 1 ? sqrt(squares / (n - 1)) : 0.0 * *mean; // NaN stays NaN
}

sgdi_removal_summary sgdi_evaluation_summary(const sgdi_evaluation *ev, int point,
                                             sgdi_removal removal) {
    sgdi_removal_summary s = {NAN, NAN, NAN, NAN};
    if (!in_range(ev, point, removal, 0)) return s;
    int64_t at = slot(ev, point, removal, 0);
    mean_std(ev->accuracy + at, ev->seeds, &s.accuracy_mean, &s.accuracy_std);
    mean_std(ev->loss + at, ev->seeds, &s.loss_mean, &s.loss_std);
    return s;
}

// --- Writing -------------------------------------------------------------------------

// A CSV cell: the round-trip number, or nothing for NaN (no accuracy).
static void write_number_cell(FILE *fp, double v) {
    char buf[SGDI_NUMBER_MAX];
    fprintf(fp, ",%s", sgdi_format_roundtrip(buf, v) ? buf : "");
}

sgdi_status sgdi_evaluation_write_csv(const sgdi_evaluation *ev, const char *path,
                                      sgdi_error *err) {
    if (!ev || !path || !*path)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_evaluation_write_csv: bad arguments");
    sgdi_atomic_file f;
    sgdi_status st = sgdi_atomic_open(&f, path, err);
    if (st != SGDI_OK) return st;
    fputs("k,fraction,harmful_accuracy_mean,harmful_accuracy_std,random_accuracy_mean,"
          "random_accuracy_std,harmful_loss_mean,harmful_loss_std,random_loss_mean,"
          "random_loss_std\n",
          f.fp);
    for (int p = 0; p < ev->points; p++) {
        sgdi_removal_summary s[REMOVALS];
        for (int r = 0; r < REMOVALS; r++) s[r] = sgdi_evaluation_summary(ev, p, (sgdi_removal)r);
        fprintf(f.fp, "%lld", (long long)ev->counts[p]);
        write_number_cell(f.fp, sgdi_evaluation_fraction(ev, p));
        for (int r = 0; r < REMOVALS; r++)
            write_number_cell(f.fp, s[r].accuracy_mean), write_number_cell(f.fp, s[r].accuracy_std);
        for (int r = 0; r < REMOVALS; r++)
            write_number_cell(f.fp, s[r].loss_mean), write_number_cell(f.fp, s[r].loss_std);
        fputc('\n', f.fp);
    }
    return sgdi_atomic_commit(&f, err);
}

// "key": [v[0], ..., v[n-1]]
static void write_array(sgdi_json *j, const char *key, const double *v, int n) {
    sgdi_json_key(j, key);
    sgdi_json_begin_array(j);
    for (int i = 0; i < n; i++) sgdi_json_number(j, v[i]);
    sgdi_json_end_array(j);
}

static void write_removal_json(sgdi_json *j, const sgdi_evaluation *ev, int p, sgdi_removal r) {
    sgdi_removal_summary s = sgdi_evaluation_summary(ev, p, r);
    const char *keys[] = {"accuracy_mean", "accuracy_std", "loss_mean", "loss_std"};
    double values[] = {s.accuracy_mean, s.accuracy_std, s.loss_mean, s.loss_std};
    sgdi_json_begin_object(j);
    write_array(j, "accuracy", ev->accuracy + slot(ev, p, r, 0), ev->seeds);
    write_array(j, "loss", ev->loss + slot(ev, p, r, 0), ev->seeds);
    for (int k = 0; k < 4; k++) {
        sgdi_json_key(j, keys[k]);
        sgdi_json_number(j, values[k]);
    }
    sgdi_json_end_object(j);
}

sgdi_status sgdi_evaluation_write_json(const sgdi_evaluation *ev, const char *influence_csv,
                                       const char *test_path, const char *path, sgdi_error *err) {
    if (!ev || !path || !*path)
        return sgdi_fail(err, SGDI_ERR_INVALID, "sgdi_evaluation_write_json: bad arguments");
    sgdi_atomic_file f;
    sgdi_status st = sgdi_atomic_open(&f, path, err);
    if (st != SGDI_OK) return st;
    sgdi_json j;
    sgdi_json_init(&j, f.fp);
    sgdi_json_begin_object(&j);
    const char *strings[][2] = {
        {"tool", "sgd-influence evaluate"}, {"influence_csv", influence_csv}, {"test", test_path}};
    for (int k = 0; k < 3; k++) {
        sgdi_json_key(&j, strings[k][0]);
        sgdi_json_string(&j, strings[k][1]);
    }
    sgdi_json_key(&j, "training_rows");
    sgdi_json_int(&j, ev->rows);
    sgdi_json_key(&j, "has_accuracy");
    sgdi_json_bool(&j, ev->has_accuracy);
    sgdi_json_key(&j, "seeds");
    sgdi_json_begin_array(&j);
    for (int s = 0; s < ev->seeds; s++) sgdi_json_uint(&j, sgdi_evaluation_seed(ev, s));
    sgdi_json_end_array(&j);
    sgdi_json_key(&j, "points");
    sgdi_json_begin_array(&j);
    for (int p = 0; p < ev->points; p++) {
        sgdi_json_begin_object(&j);
        sgdi_json_key(&j, "k");
        sgdi_json_int(&j, ev->counts[p]);
        sgdi_json_key(&j, "fraction");
        sgdi_json_number(&j, sgdi_evaluation_fraction(ev, p));
        sgdi_json_key(&j, "harmful");
        write_removal_json(&j, ev, p, SGDI_REMOVE_HARMFUL);
        sgdi_json_key(&j, "random");
        write_removal_json(&j, ev, p, SGDI_REMOVE_RANDOM);
        sgdi_json_end_object(&j);
    }
    sgdi_json_end_array(&j);
    sgdi_json_end_object(&j);
    return sgdi_atomic_commit(&f, err);
}
