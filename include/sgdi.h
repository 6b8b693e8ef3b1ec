/*
 * sgdi.h — public interface of libsgdi, the SGD-Influence engine.
 *
 * For every training sample, SGD-Influence estimates how the validation loss
 * would change had that sample been left out of training:
 *
 *     influence(j) = L_val(theta_T without j) - L_val(theta_T)
 *
 * Negative = removing the sample lowers the validation loss = the sample is
 * harmful. Positive = the sample helps.
 *
 * Usage:
 *
 *     sgdi_error err;
 *     sgdi_dataset *train = NULL, *val = NULL;
 *     sgdi_result *res = NULL;
 *     sgdi_options opt;
 *     sgdi_options_init(&opt);
 *     if (sgdi_dataset_load_csv("train.csv", &train, &err) != SGDI_OK ||
 *         sgdi_dataset_load_csv("val.csv", &val, &err) != SGDI_OK ||
 *         sgdi_run(&opt, train, val, NULL, NULL, &res, &err) != SGDI_OK) {
 *         fprintf(stderr, "%s\n", err.message);
 *     } else {
 *         sgdi_result_write_csv(res, "influence.csv", &err);
 *     }
 *     sgdi_result_free(res);
 *     sgdi_dataset_free(val);
 *     sgdi_dataset_free(train);
 *
 * Conventions:
 *   - Every function that can fail returns sgdi_status and fills the
 *     caller-owned sgdi_error (which may be NULL) with a message that says
 *     what went wrong and where (file, line, column, field).
 *   - Handles are opaque; each *_free accepts NULL.
 *   - The library never prints and never exits; there is no global state.
 *   - Results are deterministic: the same inputs, options and thread count
 *     give the same bytes of output.
 */
#ifndef SGDI_H
#define SGDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SGDI_VERSION_MAJOR 0
#define SGDI_VERSION_MINOR 1
#define SGDI_VERSION_PATCH 0
#define SGDI_VERSION_STRING "0.1.0"

// --- Errors ------------------------------------------------------------------

typedef enum sgdi_status {
    SGDI_OK = 0,
    SGDI_ERR_IO,          // a file could not be opened, read or written
    SGDI_ERR_FORMAT,      // an input file is malformed
    SGDI_ERR_INVALID,     // an option or argument is out of range
    SGDI_ERR_NOMEM,       // an allocation failed or a size overflowed
    SGDI_ERR_UNSUPPORTED, // valid input that this version cannot handle
    SGDI_ERR_NUMERIC,     // training or scoring produced NaN/Inf
    SGDI_STATUS_COUNT
} sgdi_status;

enum { SGDI_ERROR_MESSAGE_MAX = 1024 };

typedef struct sgdi_error {
    sgdi_status status;
    char message[SGDI_ERROR_MESSAGE_MAX];
} sgdi_error;

// A short, static description of a status code ("malformed input", ...).
const char *sgdi_strerror(sgdi_status status);

// --- Datasets ----------------------------------------------------------------

// A dataset in Neural Network Console's CSV layout: header cells NAME or
// NAME:comment, and y holding a non-negative integer class label. Columns
// whose header starts with '#' are comments; other variables are ignored.
//   - A table: columns x__0, x__1, ... forming the feature vector x (or one
//     column x) of numbers.
//   - Images: one column x (header x:image) whose cells are file names, as
//     NNC reads them: a cell that is not a number is a file, backslashes
//     are '/', and a relative name is relative to the CSV's folder. PNG and
//     JPEG (.png, .jpg, .jpeg in any case), grey, RGB or RGBA, 8 or 16 bits;
//     other file types are refused. Every image is decoded when the dataset
//     loads (a missing or broken one fails the load, naming the CSV line and
//     the file); the samples are channel-first floats, divided by 255 (or
//     65535 for 16 bits) unless no_image_normalization is set.
typedef struct sgdi_dataset sgdi_dataset;

typedef struct sgdi_dataset_options {
    // Decoded images kept in memory, in bytes (1, 3 or 4 bytes a pixel, twice
    // that for 16 bits); rows past this budget are decoded again whenever a
    // batch needs them, so a dataset larger than memory works. 0 = keep none.
    size_t image_cache_bytes;
    // Refuse images whose height and width differ from the network's input
    // instead of resizing them (bilinear, as nnabla's imresize).
    bool strict_image_size;
    // Pixel values as stored (0..255, 0..65535) instead of scaled to [0, 1],
    // as NNC's "no image normalization".
    bool no_image_normalization;
    int threads; // decoding threads; 0 = OpenMP's default
} sgdi_dataset_options;

// Defaults: a 1 GiB image cache, resizing, normalised pixels, 0 threads.
void sgdi_dataset_options_init(sgdi_dataset_options *opts);

// sgdi_dataset_load_csv_opts with the defaults.
sgdi_status sgdi_dataset_load_csv(const char *path, sgdi_dataset **out, sgdi_error *err);
// `opts` NULL = the defaults.
sgdi_status sgdi_dataset_load_csv_opts(const char *path, const sgdi_dataset_options *opts,
                                       sgdi_dataset **out, sgdi_error *err);

// Same as sgdi_dataset_load_csv, from memory; `name` is used in messages and
// as the base for relative paths.
sgdi_status sgdi_dataset_load_csv_buffer(const char *data, size_t size, const char *name,
                                         sgdi_dataset **out, sgdi_error *err);
sgdi_status sgdi_dataset_load_csv_buffer_opts(const char *data, size_t size, const char *name,
                                              const sgdi_dataset_options *opts, sgdi_dataset **out,
                                              sgdi_error *err);

void sgdi_dataset_free(sgdi_dataset *ds);

int64_t sgdi_dataset_rows(const sgdi_dataset *ds);
// Values per sample: the features of a table; channels x height x width of
// the first image of an image dataset.
int64_t sgdi_dataset_features(const sgdi_dataset *ds);
// One more than the largest label.
int32_t sgdi_dataset_classes(const sgdi_dataset *ds);
// Features of row `row`: sgdi_dataset_features() floats, owned by the
// dataset. NULL for an image dataset, whose samples are decoded on demand.
const float *sgdi_dataset_row(const sgdi_dataset *ds, int64_t row);
int32_t sgdi_dataset_label(const sgdi_dataset *ds, int64_t row);
const char *sgdi_dataset_path(const sgdi_dataset *ds);
// True for a dataset of images. sgdi_run keeps a pointer to its training
// dataset for sgdi_result_write_csv, which writes the image file names: an
// image training set must outlive the result until its CSV is written.
bool sgdi_dataset_is_image(const sgdi_dataset *ds);

// Fails with a message naming both files if `val` cannot be scored against a
// model trained on `train` (different feature columns, images against a
// table, unseen labels).
sgdi_status sgdi_dataset_check_compatible(const sgdi_dataset *train, const sgdi_dataset *val,
                                          sgdi_error *err);

// --- Models ------------------------------------------------------------------

// A model from a Neural Network Libraries / Neural Network Console .nnp file:
// its networks, the parameters it carries and the solver it was trained with.
typedef struct sgdi_model sgdi_model;

// Reads a .nnp file. A model whose network uses an operator the engine lacks
// still loads, for sgdi_model_describe; sgdi_model_unsupported says why it
// cannot be trained.
sgdi_status sgdi_model_load(const char *path, sgdi_model **out, sgdi_error *err);
void sgdi_model_free(sgdi_model *model);

// NULL if sgdi_run can train the model; otherwise a sentence naming what
// stops it (an operator, the solver, a missing optimizer). Owned by the model.
const char *sgdi_model_unsupported(const sgdi_model *model);

// The batch size the file's training network declares, 0 if none.
int64_t sgdi_model_batch_size(const sgdi_model *model);

// A human-readable description: networks with their inputs, outputs and
// operators (with shapes), parameters, solver, what the loader skipped, and
// whether everything is supported. *text is malloc'd; the caller frees it.
sgdi_status sgdi_model_describe(const sgdi_model *model, char **text, sgdi_error *err);

// --- Options -----------------------------------------------------------------

typedef enum sgdi_method {
    SGDI_METHOD_ALL,  // every step at its own parameters (Hara et al.; exact)
    SGDI_METHOD_LAST, // last epoch, at the final parameters (Suzuki et al.)
    SGDI_METHOD_AUTO, // as the plugins: last for image datasets, all for tables
} sgdi_method;

typedef enum sgdi_hessian {
    SGDI_HESSIAN_PLUGIN, // u -= (lr/|S|^2) sum H_i u: the plugins' damped recursion
    SGDI_HESSIAN_PAPER,  // u -= (lr/|S|)   sum H_i u: Hara et al.'s recursion
    SGDI_HESSIAN_NONE,   // no curvature term (TracIn-like)
    SGDI_HESSIAN_AUTO,   // plugin for image datasets, paper for tables
} sgdi_hessian;

typedef enum sgdi_network {
    SGDI_NETWORK_LOGREG, // affine -> softmax cross-entropy
    SGDI_NETWORK_MLP,    // (affine -> activation [-> dropout]) x hidden -> affine
    SGDI_NETWORK_CNN,    // the image plugin's CNN: per block conv-BN-ReLU, conv-ReLU, max
                         // pooling; then affine
    SGDI_NETWORK_AUTO,   // cnn for image datasets, logreg for tables
} sgdi_network;

typedef enum sgdi_activation {
    SGDI_ACT_RELU,
    SGDI_ACT_TANH,
    SGDI_ACT_SIGMOID,
    SGDI_ACT_ELU,
    SGDI_ACT_LEAKY_RELU,
} sgdi_activation;

typedef enum sgdi_solver_kind {
    SGDI_SOLVER_SGD,
    SGDI_SOLVER_MOMENTUM,
    SGDI_SOLVER_NESTEROV,
    // Adaptive solvers: the adjoint freezes the per-coordinate step at its value in each
    // step and linearises the rest (an approximation; see docs/sgd-influence.md).
    SGDI_SOLVER_ADAM,
    SGDI_SOLVER_ADAMW,
    SGDI_SOLVER_ADAGRAD,
    SGDI_SOLVER_RMSPROP,
    SGDI_SOLVER_ADADELTA,
} sgdi_solver_kind;

// Value of sgdi_options.eps and .decay meaning "nnabla's default for the chosen solver".
#define SGDI_SOLVER_DEFAULT (-1.0)

enum { SGDI_MAX_HIDDEN = 8, SGDI_MAX_BLOCKS = 8 };

typedef struct sgdi_options {
    uint64_t seed;      // first seed; trial k uses seed + k
    int trials;         // independent runs whose scores are averaged (>= 1)
    int64_t batch_size; // training mini-batch size
    int epochs;         // training epochs
    sgdi_method method;
    sgdi_hessian hessian;
    sgdi_network network;
    int hidden[SGDI_MAX_HIDDEN]; // MLP hidden layer widths
    int n_hidden;
    double dropout;                // MLP dropout probability after every hidden layer but the last
    int channels[SGDI_MAX_BLOCKS]; // CNN: output channels of each block's convolutions
    int n_blocks;
    sgdi_activation activation;
    sgdi_solver_kind solver;
    double lr;           // step size, constant over training
    double momentum;     // for Momentum and Nesterov
    double beta1;        // Adam, AdamW: first-moment decay (nnabla default 0.9)
    double beta2;        // Adam, AdamW: second-moment decay (nnabla default 0.999)
    double eps;          // Adam, AdamW, AdaGrad, RMSprop, Adadelta; SGDI_SOLVER_DEFAULT = nnabla's
                         // default for the solver (1e-6 for Adadelta, 1e-8 for the others)
    double decay;        // RMSprop, Adadelta: nnabla's `decay`; SGDI_SOLVER_DEFAULT = nnabla's
                         // default for the solver (0.9 for RMSprop, 0.95 for Adadelta)
    double wd;           // AdamW: decoupled weight decay rate (nnabla default 1e-4); not
                         // weight_decay, which is added to the gradient for every solver
    double weight_decay; // L2 coefficient lambda: each sample's loss carries lambda/2 |theta|^2
    int threads;         // worker threads for the matrix work (>= 1)
    int validate;        // leave-one-out retrainings for the self-check (0 = off)
    // A model to train instead of the built-in network (NULL = built-in): its
    // network, parameters, solver and schedule replace network, hidden, dropout,
    // activation, solver, lr, momentum, the Adam family's fields and
    // weight_decay above. Not owned; must outlive the run and its result.
    const sgdi_model *model;
} sgdi_options;

// Fills `opt` with the defaults documented in `sgd-influence --help`.
void sgdi_options_init(sgdi_options *opt);

// Checks every field; the message names the offending option.
sgdi_status sgdi_options_check(const sgdi_options *opt, sgdi_error *err);

const char *sgdi_method_name(sgdi_method m);
const char *sgdi_hessian_name(sgdi_hessian h);
const char *sgdi_network_name(sgdi_network n);
const char *sgdi_activation_name(sgdi_activation a);
const char *sgdi_solver_name(sgdi_solver_kind s);

// The eps and decay the solver of `opt` uses: the field, or nnabla's default for
// opt->solver when the field is SGDI_SOLVER_DEFAULT (0 for solvers without one).
double sgdi_options_eps(const sgdi_options *opt);
double sgdi_options_decay(const sgdi_options *opt);

// --- Progress ----------------------------------------------------------------

typedef enum sgdi_phase {
    SGDI_PHASE_TRAIN,    // training forward in time
    SGDI_PHASE_SCORE,    // walking the steps backwards
    SGDI_PHASE_VALIDATE, // leave-one-out retraining
} sgdi_phase;

typedef struct sgdi_progress {
    sgdi_phase phase;
    int trial; // 0-based
    int trials;
    int64_t done;  // units of work done in the whole run
    int64_t total; // units of work in the whole run
} sgdi_progress;

typedef void (*sgdi_progress_fn)(void *user, const sgdi_progress *progress);

// --- Running -----------------------------------------------------------------

typedef struct sgdi_result sgdi_result;

// Trains, scores every training row and (with opt->validate) runs the
// leave-one-out self-check. `progress` may be NULL.
sgdi_status sgdi_run(const sgdi_options *opt, const sgdi_dataset *train, const sgdi_dataset *val,
                     sgdi_progress_fn progress, void *progress_user, sgdi_result **out,
                     sgdi_error *err);

void sgdi_result_free(sgdi_result *res);

// Mean influence over the trials, one per training row, in row order.
const double *sgdi_result_scores(const sgdi_result *res);
int64_t sgdi_result_rows(const sgdi_result *res);
// Training steps per trial, and the number of parameters of the network.
int64_t sgdi_result_steps(const sgdi_result *res);
int64_t sgdi_result_parameters(const sgdi_result *res);
// Wall-clock seconds spent in sgdi_run.
double sgdi_result_seconds(const sgdi_result *res);
// Validation loss (mean, without weight decay) at the end of trial 0.
double sgdi_result_val_loss(const sgdi_result *res);
// How much the backward recursion grew the validation gradient from the last
// training step back to the first (trial 0), and whether that growth (over
// 1000x) means the scores are dominated by it rather than by the rows; the
// remedy is a smaller step size, --hessian plugin or none, or --method all.
double sgdi_result_adjoint_growth(const sgdi_result *res);
int sgdi_result_diverged(const sgdi_result *res);

// A copy of the options the run used.
const sgdi_options *sgdi_result_options(const sgdi_result *res);

// The leave-one-out self-check (opt->validate > 0).
typedef struct sgdi_validation {
    int64_t count;           // rows retrained without
    const int64_t *rows;     // [count] which rows
    const double *actual;    // [count] true change of the validation loss
    const double *estimated; // [count] the run's own estimate (trial 0)
    const double *paper;     // [count] estimate with hessian=paper, or NULL if the run used paper
    double kendall_tau;      // between actual and estimated
    double pearson_r;
    double paper_kendall_tau; // between actual and paper (NaN if paper is NULL)
    double paper_pearson_r;
} sgdi_validation;

// NULL when the run did not validate.
const sgdi_validation *sgdi_result_validation(const sgdi_result *res);

// The parameters of trial 0 before training, flat, in network order (see
// docs/ARCHITECTURE.md, "Parameter layout"); sgdi_result_parameters() floats.
const float *sgdi_result_initial_parameters(const sgdi_result *res);

// --- Writing -----------------------------------------------------------------
// Every writer writes a temporary file beside `path` and renames it over
// `path`, so a failure never leaves a partial file behind.

// Whether a file can be written at `path`: creates the writers' temporary file beside it
// and removes it again, leaving `path` as it was. A run checks its outputs with this
// before its work, so that a missing folder or a read-only one fails at the start, not
// after the minutes of training and scoring whose results it would lose.
sgdi_status sgdi_check_output_path(const char *path, sgdi_error *err);

// index,influence,datasource_index sorted by influence ascending (most harmful
// first; ties by row), scores printed with 17 significant digits.
sgdi_status sgdi_result_write_csv(const sgdi_result *res, const char *path, sgdi_error *err);

// The sidecar: method, seeds, epochs, steps, solver, sign convention, run
// time and the self-check. `train_path`/`val_path` are recorded as given.
sgdi_status sgdi_result_write_json(const sgdi_result *res, const char *train_path,
                                   const char *val_path, const char *path, sgdi_error *err);

// One line per training step of trial 0: "epoch step lr idx0 idx1 ...".
sgdi_status sgdi_result_write_trace(const sgdi_result *res, const char *path, sgdi_error *err);

// The model after training (trial 0's final parameters) as a .nnp file laid
// out as nnabla writes it: nnp_version.txt, network.nntxt, parameter.protobuf.
// With a loaded model its description is kept; a built-in network is written
// as Neural Network Console would describe it.
sgdi_status sgdi_result_write_model(const sgdi_result *res, const char *path, sgdi_error *err);

// The initial parameters of trial 0 as raw little-endian float32.
sgdi_status sgdi_result_write_initial_parameters(const sgdi_result *res, const char *path,
                                                 sgdi_error *err);

// --- Per-sample statistics over the trials -----------------------------------
// With --trials N (sgdi_options.trials) every row is scored N times, trial k with seed
// seed + k; sgdi_result_scores() is the mean. These say how far the trials agree; the
// sidecar (sgdi_result_write_json) carries them per row under "samples".

// Every trial's score: sgdi_result_options(res)->trials * sgdi_result_rows(res) values,
// trial-major (trial k's score of row i at k * rows + i). Owned by the result; NULL if
// the result holds none.
const double *sgdi_result_trial_scores(const sgdi_result *res);

// Per row, in row order, into caller-owned arrays of sgdi_result_rows() doubles (either
// may be NULL when not wanted):
//   std            the sample standard deviation of the row's scores over the trials
//                  (divisor trials - 1); 0 with one trial.
//   sign_agreement the fraction of trials whose score has the sign of the mean score,
//                  counting -1, 0 and +1 as the three signs (-0 is 0): 1 with one trial;
//                  a zero mean agrees only with the trials that scored exactly zero.
// Fails (SGDI_ERR_INVALID) if the result holds no per-trial scores.
sgdi_status sgdi_result_sample_stats(const sgdi_result *res, double *std, double *sign_agreement,
                                     sgdi_error *err);

// Trial 0's final model on its own training rows, in row order (sgdi_result_rows()
// values, owned by the result): the predicted class and the probability the model gives
// that class. NULL when the run did not compute them.
const int32_t *sgdi_result_predictions(const sgdi_result *res);
const float *sgdi_result_prediction_confidence(const sgdi_result *res);

// Extra columns of the influence CSV, after the plugin's.
typedef struct sgdi_csv_options {
    // influence_std: each row's sgdi_result_sample_stats() std, 17 significant digits.
    bool influence_std;
} sgdi_csv_options;

// The plugin's columns only (every field false).
void sgdi_csv_options_init(sgdi_csv_options *opts);

// sgdi_result_write_csv with the extra columns of `opts` (NULL = none, the same bytes as
// sgdi_result_write_csv).
sgdi_status sgdi_result_write_csv_opts(const sgdi_result *res, const char *path,
                                       const sgdi_csv_options *opts, sgdi_error *err);

// --- Removal curve (evaluate) ------------------------------------------------
// How much the rows a score ranks most harmful matter: retrain without the k
// most harmful rows and, separately, without k random rows, and measure both
// models on a test set, for several seeds. For eval seed i (opt->seed + i)
// both retrainings use training seed opt->seed + i, so the only difference
// between them is which rows are gone. Random rows are drawn from a Philox
// stream of that seed and nested (those of a smaller k are among those of a
// larger one); the harmful rows are the same for every seed.
//
//     int64_t counts[SGDI_EVALUATE_MAX_POINTS];
//     int n;
//     sgdi_evaluation *ev = NULL;
//     if (sgdi_removal_counts_parse("0,1%,5%", sgdi_dataset_rows(train), counts,
//                                   SGDI_EVALUATE_MAX_POINTS, &n, &err) == SGDI_OK &&
//         sgdi_evaluate_removal(&opt, train, test, sgdi_result_scores(res), counts, n, 3,
//                               NULL, NULL, &ev, &err) == SGDI_OK)
//         sgdi_evaluation_write_json(ev, NULL, "test.csv", "evaluation.json", &err);
//     sgdi_evaluation_free(ev);

enum { SGDI_EVALUATE_MAX_POINTS = 64, SGDI_EVALUATE_MAX_SEEDS = 1000 };

typedef enum sgdi_removal {
    SGDI_REMOVE_HARMFUL, // the k rows of lowest influence (ties by row)
    SGDI_REMOVE_RANDOM,  // k rows drawn at random
} sgdi_removal;

typedef struct sgdi_evaluation sgdi_evaluation;

// Parses removal sizes, comma-separated: counts ("23") or percentages of
// `rows` ("5%", "2.5%", rounded to the nearest count), each leaving at least
// one row, into counts[0 .. *n-1] (at most `max`), in the order given. The
// message names the offending item. rows = 0 checks the form alone.
sgdi_status sgdi_removal_counts_parse(const char *spec, int64_t rows, int64_t *counts, int max,
                                      int *n, sgdi_error *err);

// Reads an influence CSV as sgdi_result_write_csv writes it (either layout;
// columns found by their names influence and datasource_index) into
// scores[rows], in training-row order. Fails unless every row 0 .. rows-1
// appears exactly once.
sgdi_status sgdi_influence_csv_read(const char *path, int64_t rows, double *scores,
                                    sgdi_error *err);

// Trains as sgdi_run does (opt, and opt->model if set, give the network, the
// starting parameters and the solver) on `train` without counts[p] rows, for
// every point p, removal and eval seed, and measures each model on `test`
// (evaluation mode): its accuracy, when the network's loss is over classes,
// and its mean loss. influence[rows of train] ranks the rows (negative =
// harmful), e.g. sgdi_result_scores. `progress` (may be NULL) counts training
// steps; its trial/trials number the retrainings.
sgdi_status sgdi_evaluate_removal(const sgdi_options *opt, const sgdi_dataset *train,
                                  const sgdi_dataset *test, const double *influence,
                                  const int64_t *counts, int n_counts, int seeds,
                                  sgdi_progress_fn progress, void *progress_user,
                                  sgdi_evaluation **out, sgdi_error *err);
void sgdi_evaluation_free(sgdi_evaluation *ev);

int sgdi_evaluation_points(const sgdi_evaluation *ev);
int sgdi_evaluation_seeds(const sgdi_evaluation *ev);
// The training seed of eval seed s (0-based).
uint64_t sgdi_evaluation_seed(const sgdi_evaluation *ev, int s);
// Training rows before any removal.
int64_t sgdi_evaluation_rows(const sgdi_evaluation *ev);
// False when the network's loss is not over classes: accuracies are then NaN.
bool sgdi_evaluation_has_accuracy(const sgdi_evaluation *ev);
// k of point p, and k / rows.
int64_t sgdi_evaluation_count(const sgdi_evaluation *ev, int point);
double sgdi_evaluation_fraction(const sgdi_evaluation *ev, int point);
// Test accuracy and mean test loss of the model retrained for (point, removal,
// eval seed s); NaN for arguments out of range.
double sgdi_evaluation_accuracy(const sgdi_evaluation *ev, int point, sgdi_removal removal, int s);
double sgdi_evaluation_loss(const sgdi_evaluation *ev, int point, sgdi_removal removal, int s);

// Mean and sample standard deviation over the eval seeds (std 0 with one seed).
typedef struct sgdi_removal_summary {
    double accuracy_mean, accuracy_std;
    double loss_mean, loss_std;
} sgdi_removal_summary;
sgdi_removal_summary sgdi_evaluation_summary(const sgdi_evaluation *ev, int point,
                                             sgdi_removal removal);

// One line per point: k,fraction, then mean and std of the harmful and random
// accuracies and losses (empty cells for accuracies without classes).
sgdi_status sgdi_evaluation_write_csv(const sgdi_evaluation *ev, const char *path, sgdi_error *err);
// {"tool", "influence_csv", "test", "seeds", "points": [{"k", "fraction",
// "harmful": {"accuracy": [per seed], "loss": [...], "accuracy_mean", ...},
// "random": {...}}]}; influence_csv and test are recorded as given (NULL =
// null).
sgdi_status sgdi_evaluation_write_json(const sgdi_evaluation *ev, const char *influence_csv,
                                       const char *test_path, const char *path, sgdi_error *err);

// --- Cleansing ---------------------------------------------------------------
// A cleansed training CSV: the training CSV without the rows an influence CSV ranks most
// harmful. The influence CSV (sgdi_result_write_csv) lists every training row once,
// ascending by influence, so the rows to remove are its first ones.

// Which rows go: the first `count`, the first floor(fraction * N + 0.5) of the N rows,
// or every row whose influence is below `below`.
typedef enum sgdi_cleanse_by {
    SGDI_CLEANSE_COUNT,
    SGDI_CLEANSE_FRACTION,
    SGDI_CLEANSE_BELOW,
} sgdi_cleanse_by;

typedef struct sgdi_cleanse_options {
    const char *influence_csv; // the scores (required)
    const char *train_csv;     // the training CSV they score; NULL = the one the sidecar
                               // influence_csv + ".json" names (sgdi_cleanse_train_path)
    const char *output;        // the cleansed CSV (required); must not be an input
    sgdi_cleanse_by by;
    int64_t count;   // SGDI_CLEANSE_COUNT: 0 <= count < N
    double fraction; // SGDI_CLEANSE_FRACTION: 0 <= fraction <= 1
    double below;    // SGDI_CLEANSE_BELOW: a finite influence
} sgdi_cleanse_options;

typedef struct sgdi_cleanse_summary {
    int64_t rows;           // N, the training rows
    int64_t removed;        // rows left out; rows - removed were written
    double largest_removed; // the highest influence among the removed rows; NaN if none
} sgdi_cleanse_summary;

// No file names; SGDI_CLEANSE_COUNT with count 0, fraction 0, below -infinity.
void sgdi_cleanse_options_init(sgdi_cleanse_options *opts);

// Writes opts->output atomically: the training CSV's header as it is and its rows in
// their order, but the removed ones (blank lines dropped), every cell quoted as Python's
// csv writer does. An image dataset's relative file names are rewritten to resolve from
// the output's folder (kept as written when it is the training CSV's folder). Fails,
// writing nothing, when the influence CSV does not score this training CSV (other row
// count, a datasource_index out of range or repeated, another label or image), is not
// sorted ascending, or when the removal would leave no row. `summary` may be NULL.
sgdi_status sgdi_cleanse(const sgdi_cleanse_options *opts, sgdi_cleanse_summary *summary,
                         sgdi_error *err);

// The training CSV named by the sidecar of `influence_csv` (its "train", recorded as
// given to the run): that path if it exists from the working directory, else the same
// path from the influence CSV's folder. *train_csv is malloc'd; the caller frees it.
sgdi_status sgdi_cleanse_train_path(const char *influence_csv, char **train_csv, sgdi_error *err);

// --- Report ------------------------------------------------------------------
// One self-contained HTML page about a run (sgd-influence report): its settings and
// sign convention, the most harmful and most helpful rows (thumbnails for images, the
// row's cells for tables), the score distribution, and, when the inputs hold them, the
// removal curve (evaluate), the leave-one-out self-check (--validate) and how stable
// each row's score is across the trials (--trials). Nothing on the page is fetched:
// images are embedded, plots are inline SVG, and a short script of the page counts the
// thumbnails that decoded.

typedef struct sgdi_report_inputs {
    const char *influence_csv; // the influence CSV (required)
    const char *sidecar;       // its sidecar; NULL: influence_csv + ".json"
    const char *evaluation;    // evaluate's JSON file, or NULL (no removal curve)
    const char *train;         // the training CSV, whose cells a table's rows show;
                               // NULL: the sidecar's "train", as recorded or from the
                               // sidecar's folder. Not read for images.
    int top;                   // rows shown at each end of the ranking (default 20)
} sgdi_report_inputs;

// No files; top 20.
void sgdi_report_inputs_init(sgdi_report_inputs *in);

// Reads and checks every input (errors name the file and line or field), then writes
// the page to `html_path` atomically. The same inputs give the same bytes.
sgdi_status sgdi_report_write(const sgdi_report_inputs *in, const char *html_path, sgdi_error *err);

#ifdef __cplusplus
}
#endif

#endif // SGDI_H
