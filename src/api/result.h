/*
 * result.h — what sgdi_run hands back (the opaque sgdi_result of sgdi.h).
 * Owned by the result: every pointer below is freed by sgdi_result_free.
 */
#ifndef SGDI_API_RESULT_H
#define SGDI_API_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"
#include "sgdi.h"
#include "train/trace.h"

struct sgdi_result {
    sgdi_options options;
    int64_t rows;              // N training rows
    int64_t features;          // F
    sgdi_shape input_shape;    // per-sample shape of the network's input (images: C, H, W)
    int32_t classes;           // C
    double *scores;            // [N] mean influence over the trials
    double *trial_scores;      // [trials * N] each trial's influence, trial-major
    int64_t steps;             // T training steps per trial
    int64_t parameters;        // P
    double seconds;            // wall-clock time of sgdi_run
    double val_loss;           // validation loss at the end of trial 0
    double train_seconds;      // time spent training (all trials)
    double score_seconds;      // time spent scoring (all trials)
    float *initial_parameters; // [P] theta_0 of trial 0
    float *final_parameters;   // [P] theta_T of trial 0
    sgdi_trace trace;          // trial 0
    bool diverged;             // the backward recursion grew past any use (see sidecar)
    double adjoint_growth;     // |a_0| / |a_T| of trial 0
    bool has_validation;
    sgdi_validation validation; // arrays below are owned here
    int64_t *validation_rows;
    double *validation_actual;
    double *validation_estimated;
    double *validation_paper;
    // Trial 0's final model on its own training rows: the predicted class and the
    // probability it gives that class ([N] each), NULL if not computed.
    int32_t *predictions;
    float *prediction_confidence;
    // The training set, not owned: sgdi_result_write_csv names an image dataset's files.
    const sgdi_dataset *train;
};

#endif // SGDI_API_RESULT_H
