/*
 * result_write.c — the sgdi_result_write_* functions of sgdi.h but the model:
 * the influence CSV, the JSON sidecar, the trace and the initial parameters.
 *
 * Every file goes through src/io/atomic.h, so a failure leaves the target as
 * it was. The formats are described in docs/ARCHITECTURE.md, "Files written".
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/result.h"
#include "api/sample_stats.h"
#include "data/images.h"
#include "influence/stats.h"
#include "io/atomic.h"
#include "io/csv_write.h"
#include "io/json.h"
#include "io/number.h"
#include "util/error.h"
#include "util/path.h"

// The sign convention, word for word as the sidecar records it.
static const char sign_convention[] =
    "negative = removing the row lowers the validation loss = harmful";

static sgdi_status check_result(const sgdi_result *res, const char *path, sgdi_error *err) {
    if (!res) return sgdi_fail(err, SGDI_ERR_INVALID, "no result to write");
    if (!path || !*path) return sgdi_fail(err, SGDI_ERR_INVALID, "empty output file name");
    return SGDI_OK;
}

// --- Influence CSV -------------------------------------------------------------

// Where row `row`'s image is seen from folder `out_folder` (absolute and normalised,
// or NULL if unknown): a relative path if there is one, else an absolute one, else
// the path as the dataset resolved it. Malloc'd; NULL if memory runs out.
static char *image_name_from(const sgdi_images *im, int64_t row, const char *out_folder) {
    const char *cell = sgdi_images_cell(im, row);
    if (!im->folder_absolute) return strdup(sgdi_images_path(im, row));
    char *joined = sgdi_path_join(im->folder_absolute, cell, strlen(cell));
    char *absolute = joined ? sgdi_path_absolute(joined) : NULL; // normalises only
    free(joined);
    if (!absolute || !out_folder) return absolute;
    char *relative = sgdi_path_relative(absolute, out_folder);
    free(absolute);
    return relative;
}

// The columns after the plugin's, one value per training row (NULL = absent).
typedef struct extra_columns {
    const double *influence_std; // [N]
} extra_columns;

static void write_extra_header(FILE *fp, const extra_columns *extra) {
    if (extra->influence_std) fputs(",influence_std", fp);
    fputc('\n', fp);
}

static void write_extra_cells(FILE *fp, const extra_columns *extra, int64_t row) {
    char num[SGDI_NUMBER_MAX];
    if (extra->influence_std) {
        sgdi_format_roundtrip(num, extra->influence_std[row]);
        fprintf(fp, ",%s", num);
    }
    fputc('\n', fp);
}

// The image plugin's layout: x:image,y:label,influence,datasource_index, with every
// image named so that the output is itself a dataset CSV read from its own folder.
static sgdi_status write_image_rows(const sgdi_result *res, const sgdi_ranked_row *order,
                                    const extra_columns *extra, const char *path, FILE *fp,
                                    sgdi_error *err) {
    const sgdi_dataset *ds = res->train;
    char *out_absolute = sgdi_path_absolute(path);
    char *out_folder = out_absolute ? sgdi_path_dirname(out_absolute) : NULL;
    free(out_absolute);
    fputs("x:image,y:label,influence,datasource_index", fp);
    write_extra_header(fp, extra);
    char num[SGDI_NUMBER_MAX];
    sgdi_status st = SGDI_OK;
    for (int64_t k = 0; k < res->rows && st == SGDI_OK; k++) {
        int64_t r = order[k].row;
        char *name = image_name_from(ds->images, r, out_folder);
        if (!name) {
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing %s", path);
            break;
        }
        sgdi_csv_write_cell(fp, name, strlen(name));
        free(name);
        sgdi_format_roundtrip(num, order[k].score);
        fprintf(fp, ",%d,%s,%" PRId64, (int)ds->y[r], num, r);
        write_extra_cells(fp, extra, r);
    }
    free(out_folder);
    return st;
}

// The tabular plugin's layout: index,influence,datasource_index.
static void write_table_rows(const sgdi_result *res, const sgdi_ranked_row *order,
                             const extra_columns *extra, FILE *fp) {
    fputs("index,influence,datasource_index", fp);
    write_extra_header(fp, extra);
    char num[SGDI_NUMBER_MAX];
    for (int64_t k = 0; k < res->rows; k++) {
        sgdi_format_roundtrip(num, order[k].score);
        fprintf(fp, "%" PRId64 ",%s,%" PRId64, order[k].row, num, order[k].row);
        write_extra_cells(fp, extra, order[k].row);
    }
}

void sgdi_csv_options_init(sgdi_csv_options *opts) {
    *opts = (sgdi_csv_options){.influence_std = false};
}

sgdi_status sgdi_result_write_csv(const sgdi_result *res, const char *path, sgdi_error *err) {
    return sgdi_result_write_csv_opts(res, path, NULL, err);
}

// Fills the columns `opts` asks for; *std_out is malloc'd (or NULL) for the caller to free.
static sgdi_status extra_columns_fill(const sgdi_result *res, const sgdi_csv_options *opts,
                                      const char *path, extra_columns *extra, double **std_out,
                                      sgdi_error *err) {
    *extra = (extra_columns){NULL};
    *std_out = NULL;
    if (!opts || !opts->influence_std) return SGDI_OK;
    double *std = sgdi_alloc_array(res->rows > 0 ? res->rows : 1, sizeof *std);
    if (!std) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing %s", path);
    sgdi_error why;
    sgdi_status s = sgdi_result_sample_stats(res, std, NULL, &why);
    if (s != SGDI_OK) {
        free(std);
        return sgdi_fail(err, s, "writing %s with influence_std: %s", path, why.message);
    }
    extra->influence_std = *std_out = std;
    return SGDI_OK;
}

sgdi_status sgdi_result_write_csv_opts(const sgdi_result *res, const char *path,
                                       const sgdi_csv_options *opts, sgdi_error *err) {
    sgdi_status s = check_result(res, path, err);
    if (s != SGDI_OK) return s;
    if (res->rows < 0 || (res->rows > 0 && !res->scores))
        return sgdi_fail(err, SGDI_ERR_INVALID, "the result holds no scores to write");
    extra_columns extra;
    double *std = NULL;
    s = extra_columns_fill(res, opts, path, &extra, &std, err);
    if (s != SGDI_OK) return s;
    sgdi_ranked_row *order = NULL;
    if (res->rows > 0) {
        order = sgdi_alloc_array(res->rows, sizeof *order);
        if (!order) {
            free(std);
            return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing %s", path);
        }
        for (int64_t r = 0; r < res->rows; r++) order[r] = (sgdi_ranked_row){res->scores[r], r};
        sgdi_rank_ascending(order, res->rows);
    }
    sgdi_atomic_file f;
    s = sgdi_atomic_open(&f, path, err);
    if (s == SGDI_OK) {
        if (res->train && res->train->images && res->train->rows == res->rows)
            s = write_image_rows(res, order, &extra, path, f.fp, err);
        else
            write_table_rows(res, order, &extra, f.fp);
        if (s == SGDI_OK)
            s = sgdi_atomic_commit(&f, err);
        else
            sgdi_atomic_abort(&f);
    }
    free(order);
    free(std);
    return s;
}

// --- JSON sidecar --------------------------------------------------------------

static void json_double_array(sgdi_json *j, const double *v, int64_t n) {
    if (!v) {
        sgdi_json_null(j);
        return;
    }
    sgdi_json_begin_array(j);
    for (int64_t k = 0; k < n; k++) sgdi_json_number(j, v[k]);
    sgdi_json_end_array(j);
}

static void json_network(sgdi_json *j, const sgdi_options *o) {
    bool mlp = o->network == SGDI_NETWORK_MLP;
    sgdi_json_begin_object(j);
    sgdi_json_key(j, "type");
    sgdi_json_string(j, sgdi_network_name(o->network));
    sgdi_json_key(j, "hidden");
    sgdi_json_begin_array(j);
    for (int k = 0; mlp && k < o->n_hidden && k < SGDI_MAX_HIDDEN; k++)
        sgdi_json_int(j, o->hidden[k]);
    sgdi_json_end_array(j);
    sgdi_json_key(j, "channels");
    sgdi_json_begin_array(j);
    for (int k = 0; o->network == SGDI_NETWORK_CNN && k < o->n_blocks && k < SGDI_MAX_BLOCKS; k++)
        sgdi_json_int(j, o->channels[k]);
    sgdi_json_end_array(j);
    // Activation and dropout mean nothing to logistic regression or the CNN.
    sgdi_json_key(j, "activation");
    sgdi_json_string(j, mlp ? sgdi_activation_name(o->activation) : NULL);
    sgdi_json_key(j, "dropout");
    if (mlp)
        sgdi_json_number(j, o->dropout);
    else
        sgdi_json_null(j);
    sgdi_json_end_object(j);
}

static void json_solver(sgdi_json *j, const sgdi_options *o) {
    sgdi_json_begin_object(j);
    sgdi_json_key(j, "name");
    sgdi_json_string(j, sgdi_solver_name(o->solver));
    sgdi_json_key(j, "lr");
    sgdi_json_number(j, o->lr);
    sgdi_json_key(j, "momentum"); // only Momentum and Nesterov have one
    if (o->solver != SGDI_SOLVER_MOMENTUM && o->solver != SGDI_SOLVER_NESTEROV)
        sgdi_json_null(j);
    else
        sgdi_json_number(j, o->momentum);
    sgdi_json_key(j, "weight_decay");
    sgdi_json_number(j, o->weight_decay);
    bool adaptive = o->solver > SGDI_SOLVER_NESTEROV;
    if (adaptive) {
        bool adam = o->solver == SGDI_SOLVER_ADAM || o->solver == SGDI_SOLVER_ADAMW;
        if (adam) {
            sgdi_json_key(j, "beta1");
            sgdi_json_number(j, o->beta1);
            sgdi_json_key(j, "beta2");
            sgdi_json_number(j, o->beta2);
        }
        sgdi_json_key(j, "eps");
        sgdi_json_number(j, sgdi_options_eps(o));
        if (o->solver == SGDI_SOLVER_RMSPROP || o->solver == SGDI_SOLVER_ADADELTA) {
            sgdi_json_key(j, "decay");
            sgdi_json_number(j, sgdi_options_decay(o));
        }
        if (o->solver == SGDI_SOLVER_ADAMW) {
            sgdi_json_key(j, "wd");
            sgdi_json_number(j, o->wd);
        }
    }
    sgdi_json_key(j, "influence");
    sgdi_json_string(j, adaptive ? "approximate: each step's per-coordinate step size is frozen "
                                   "at its value after the step; the rest is linearised exactly"
                                 : "exact linearisation of the update");
    sgdi_json_end_object(j);
}

static void json_validation(sgdi_json *j, const sgdi_result *res) {
    if (!res->has_validation) {
        sgdi_json_null(j);
        return;
    }
    // The arrays are owned by the result; the public struct points at them.
    sgdi_validation v0 = res->validation;
    if (!v0.rows) v0.rows = res->validation_rows;
    if (!v0.actual) v0.actual = res->validation_actual;
    if (!v0.estimated) v0.estimated = res->validation_estimated;
    if (!v0.paper) v0.paper = res->validation_paper;
    const sgdi_validation *v = &v0;
    sgdi_json_begin_object(j);
    sgdi_json_key(j, "count");
    sgdi_json_int(j, v->count);
    sgdi_json_key(j, "rows");
    if (v->rows) {
        sgdi_json_begin_array(j);
        for (int64_t k = 0; k < v->count; k++) sgdi_json_int(j, v->rows[k]);
        sgdi_json_end_array(j);
    } else {
        sgdi_json_null(j);
    }
    sgdi_json_key(j, "actual");
    json_double_array(j, v->actual, v->count);
    sgdi_json_key(j, "estimated");
    json_double_array(j, v->estimated, v->count);
    sgdi_json_key(j, "paper");
    json_double_array(j, v->paper, v->count);
    sgdi_json_key(j, "kendall_tau");
    sgdi_json_number(j, v->kendall_tau);
    sgdi_json_key(j, "pearson_r");
    sgdi_json_number(j, v->pearson_r);
    sgdi_json_key(j, "paper_kendall_tau");
    sgdi_json_number(j, v->paper ? v->paper_kendall_tau : NAN);
    sgdi_json_key(j, "paper_pearson_r");
    sgdi_json_number(j, v->paper ? v->paper_pearson_r : NAN);
    sgdi_json_end_object(j);
}

// Per training row, in row order: "samples": {"mean", "std", "sign_agreement" and, when
// the run computed them, "prediction", "confidence"}. std and sign_agreement are null
// for a result without per-trial scores; "samples" is null for one without scores.
static void json_samples(sgdi_json *j, const sgdi_result *res, const double *std,
                         const double *sign_agreement) {
    int64_t n = res->rows > 0 ? res->rows : 0;
    if (n > 0 && !res->scores) {
        sgdi_json_null(j);
        return;
    }
    if (n == 0) { // empty arrays, not null (json_double_array writes null for NULL)
        static const double none[1] = {0.0};
        std = sign_agreement = none;
    }
    sgdi_json_begin_object(j);
    sgdi_json_key(j, "mean");
    json_double_array(j, n ? res->scores : std, n);
    sgdi_json_key(j, "std");
    json_double_array(j, std, n);
    sgdi_json_key(j, "sign_agreement");
    json_double_array(j, sign_agreement, n);
    if (res->predictions) {
        sgdi_json_key(j, "prediction");
        sgdi_json_begin_array(j);
        for (int64_t k = 0; k < n; k++) sgdi_json_int(j, res->predictions[k]);
        sgdi_json_end_array(j);
        if (res->prediction_confidence) {
            sgdi_json_key(j, "confidence");
            sgdi_json_begin_array(j);
            for (int64_t k = 0; k < n; k++) sgdi_json_number(j, res->prediction_confidence[k]);
            sgdi_json_end_array(j);
        }
    }
    sgdi_json_end_object(j);
}

static void json_sidecar(sgdi_json *j, const sgdi_result *res, const char *train_path,
                         const char *val_path, const double *std, const double *sign_agreement) {
    const sgdi_options *o = &res->options;
    sgdi_json_begin_object(j);
    sgdi_json_key(j, "tool");
    sgdi_json_string(j, "sgd-influence");
    sgdi_json_key(j, "version");
    sgdi_json_string(j, SGDI_VERSION_STRING);
    sgdi_json_key(j, "sign_convention");
    sgdi_json_string(j, sign_convention);
    sgdi_json_key(j, "train");
    sgdi_json_string(j, train_path);
    sgdi_json_key(j, "val");
    sgdi_json_string(j, val_path);
    sgdi_json_key(j, "method");
    sgdi_json_string(j, sgdi_method_name(o->method));
    sgdi_json_key(j, "hessian");
    sgdi_json_string(j, sgdi_hessian_name(o->hessian));
    sgdi_json_key(j, "network");
    json_network(j, o);
    sgdi_json_key(j, "solver");
    json_solver(j, o);
    sgdi_json_key(j, "batch_size");
    sgdi_json_int(j, o->batch_size);
    sgdi_json_key(j, "epochs");
    sgdi_json_int(j, o->epochs);
    sgdi_json_key(j, "trials");
    sgdi_json_int(j, o->trials);
    sgdi_json_key(j, "seeds");
    sgdi_json_begin_array(j);
    for (int k = 0; k < o->trials; k++) sgdi_json_uint(j, o->seed + (uint64_t)k);
    sgdi_json_end_array(j);
    sgdi_json_key(j, "steps");
    sgdi_json_int(j, res->steps);
    sgdi_json_key(j, "parameters");
    sgdi_json_int(j, res->parameters);
    sgdi_json_key(j, "rows");
    sgdi_json_int(j, res->rows);
    sgdi_json_key(j, "features");
    sgdi_json_int(j, res->features);
    sgdi_json_key(j, "classes");
    sgdi_json_int(j, res->classes);
    sgdi_json_key(j, "threads");
    sgdi_json_int(j, o->threads);
    sgdi_json_key(j, "val_loss");
    sgdi_json_number(j, res->val_loss);
    sgdi_json_key(j, "diverged");
    sgdi_json_bool(j, res->diverged);
    sgdi_json_key(j, "adjoint_growth");
    sgdi_json_number(j, res->adjoint_growth);
    sgdi_json_key(j, "seconds");
    sgdi_json_begin_object(j);
    sgdi_json_key(j, "total");
    sgdi_json_number(j, res->seconds);
    sgdi_json_key(j, "train");
    sgdi_json_number(j, res->train_seconds);
    sgdi_json_key(j, "score");
    sgdi_json_number(j, res->score_seconds);
    sgdi_json_end_object(j);
    sgdi_json_key(j, "validation");
    json_validation(j, res);
    sgdi_json_key(j, "samples");
    json_samples(j, res, std, sign_agreement);
    sgdi_json_end_object(j);
}

sgdi_status sgdi_result_write_json(const sgdi_result *res, const char *train_path,
                                   const char *val_path, const char *path, sgdi_error *err) {
    sgdi_status s = check_result(res, path, err);
    if (s != SGDI_OK) return s;
    // The statistics exist only where every trial's score does (not in hand-made results).
    double *std = NULL, *sign_agreement = NULL;
    if (res->rows > 0 && res->scores && res->trial_scores && res->options.trials >= 1) {
        std = sgdi_alloc_array(res->rows, sizeof *std);
        sign_agreement = sgdi_alloc_array(res->rows, sizeof *sign_agreement);
        if (!std || !sign_agreement) {
            free(std);
            free(sign_agreement);
            return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing %s", path);
        }
        sgdi_sample_stats_compute(res->trial_scores, res->options.trials, res->rows, res->scores,
                                  std, sign_agreement);
    }
    sgdi_atomic_file f;
    s = sgdi_atomic_open(&f, path, err);
    if (s == SGDI_OK) {
        sgdi_json j;
        sgdi_json_init(&j, f.fp);
        json_sidecar(&j, res, train_path, val_path, std, sign_agreement);
        s = sgdi_atomic_commit(&f, err);
    }
    free(std);
    free(sign_agreement);
    return s;
}

// --- Output paths --------------------------------------------------------------

sgdi_status sgdi_check_output_path(const char *path, sgdi_error *err) {
    sgdi_atomic_file f;
    sgdi_status s = sgdi_atomic_open(&f, path, err);
    if (s == SGDI_OK) sgdi_atomic_abort(&f);
    return s;
}

// --- Trace ---------------------------------------------------------------------

sgdi_status sgdi_result_write_trace(const sgdi_result *res, const char *path, sgdi_error *err) {
    sgdi_status s = check_result(res, path, err);
    if (s != SGDI_OK) return s;
    const sgdi_trace *tr = &res->trace;
    if (tr->steps < 0 ||
        (tr->steps > 0 && (!tr->epoch || !tr->step || !tr->lr || !tr->begin || !tr->rows)))
        return sgdi_fail(err, SGDI_ERR_INVALID, "the result holds no training trace to write");
    sgdi_atomic_file f;
    s = sgdi_atomic_open(&f, path, err);
    if (s != SGDI_OK) return s;
    char lr[SGDI_NUMBER_MAX];
    for (int64_t t = 0; t < tr->steps; t++) {
        sgdi_format_double(lr, tr->lr[t], 9);
        fprintf(f.fp, "%" PRId64 " %" PRId64 " %s", tr->epoch[t], tr->step[t], lr);
        for (int64_t k = tr->begin[t]; k < tr->begin[t + 1]; k++)
            fprintf(f.fp, " %" PRId64, tr->rows[k]);
        fputc('\n', f.fp);
    }
    return sgdi_atomic_commit(&f, err);
}

// --- Initial parameters --------------------------------------------------------

sgdi_status sgdi_result_write_initial_parameters(const sgdi_result *res, const char *path,
                                                 sgdi_error *err) {
    sgdi_status s = check_result(res, path, err);
    if (s != SGDI_OK) return s;
    if (res->parameters < 0 || (res->parameters > 0 && !res->initial_parameters))
        return sgdi_fail(err, SGDI_ERR_INVALID, "the result holds no initial parameters");
    sgdi_atomic_file f;
    s = sgdi_atomic_open(&f, path, err);
    if (s != SGDI_OK) return s;
    // Byte by byte from the bit pattern, so the file is little-endian on any host.
    unsigned char buf[4096];
    size_t used = 0;
    for (int64_t k = 0; k < res->parameters; k++) {
        uint32_t bits;
        memcpy(&bits, &res->initial_parameters[k], sizeof bits);
        for (int b = 0; b < 4; b++) buf[used++] = (unsigned char)(bits >> (8 * b));
        if (used == sizeof buf) {
            fwrite(buf, 1, used, f.fp);
            used = 0;
        }
    }
    if (used) fwrite(buf, 1, used, f.fp);
    return sgdi_atomic_commit(&f, err);
}
