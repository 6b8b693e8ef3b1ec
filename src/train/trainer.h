/*
 * trainer.h — training with mini-batch SGD, one step as a pure function.
 *
 * step(t, theta, state, excluded) applies training step t to (theta, state)
 * in place. The batch, the step size and every random number come from the
 * schedule and the seed, so training, replay from a checkpoint and the
 * leave-one-out counterfactual (excluded = a row whose weight is 0; the
 * batch's divisor stays |S_t|) all call the same code and agree bit for bit.
 */
#ifndef SGDI_TRAIN_TRAINER_H
#define SGDI_TRAIN_TRAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/exec.h"
#include "graph/graph.h"
#include "sgdi.h"
#include "solver/schedule.h"
#include "solver/solver.h"
#include "train/trace.h"
#include "util/progress.h"

// What a trainer trains besides the options: the network, and (from a model
// file) per-parameter step multipliers and a learning-rate schedule.
typedef struct sgdi_train_plan {
    const sgdi_graph *graph;
    const float *lr_mult;             // [P], NULL = all 1
    const sgdi_lr_schedule *schedule; // NULL = constant opt->lr
    const float *state0;              // [S] solver state to start from, NULL = zeros
    int64_t t0;                       // updates done before (schedule and bias corrections)
} sgdi_train_plan;

typedef struct sgdi_trainer {
    const sgdi_options *opt;
    const sgdi_graph *graph;
    const sgdi_dataset *train;
    uint64_t seed;
    sgdi_solver solver;
    sgdi_exec exec;
    sgdi_trace schedule; // every step's rows and step size
    int64_t params;      // P
    int64_t state_size;  // solver state floats (0 or P)
    // Scratch for one batch, allocated once.
    float *x;               // [B][F]
    float *target;          // [B]
    float *weights;         // [B]
    float *grad;            // [P]
    double *sample_loss;    // [B]
    double *sample_tangent; // [B]
    const float *state0;    // [state_size] the state every run starts from, NULL = zeros
    bool has_state_ops;     // the graph keeps running statistics (sgdi_exec_update_state)
    sgdi_progress_counter *progress;
} sgdi_trainer;

// The schedule of a trial: epochs of permutations of the training rows cut
// into batches; step sizes from the plan's schedule (constant without one).
sgdi_status sgdi_trainer_init(sgdi_trainer *tr, const sgdi_options *opt,
                              const sgdi_train_plan *plan, const sgdi_dataset *train, uint64_t seed,
                              sgdi_error *err);
void sgdi_trainer_free(sgdi_trainer *tr);

// state[state_size] = the solver state every run of this trainer starts from
// (the model file's, or zeros): training, replay and leave-one-out alike.
void sgdi_trainer_initial_state(const sgdi_trainer *tr, float *state);

// Fills tr->x, tr->target, tr->weights for step t (weight 0 for row
// `excluded`, -1 = none) and sets *batch to the batch size. The samples are
// gathered in the shape of the graph's input variable; fails if an image of
// the batch cannot be read any more.
sgdi_status sgdi_trainer_load_batch(sgdi_trainer *tr, int64_t t, int64_t excluded, int64_t *batch,
                                    sgdi_error *err);

// The execution context of step t (for dropout).
sgdi_exec_ctx sgdi_trainer_ctx(const sgdi_trainer *tr, int64_t t);

// The weight-decay coefficient lambda as the float kernels apply it; the
// estimator's adjoint uses the same value, so that training and its
// linearisation agree to the bit whatever precision lambda was given in.
static inline double sgdi_trainer_weight_decay(const sgdi_trainer *tr) {
    return (float)tr->opt->weight_decay;
}

// Training step t in place. Fails (SGDI_ERR_NUMERIC) if the loss is not finite.
sgdi_status sgdi_trainer_step(sgdi_trainer *tr, int64_t t, float *theta, float *state,
                              int64_t excluded, sgdi_error *err);

// Checkpoints of (theta, state) every `interval` steps: checkpoint c holds the
// state before step c * interval.
typedef struct sgdi_checkpoints {
    int64_t interval;
    int64_t count;
    int64_t width; // P + state floats
    float *data;   // [count][width]
} sgdi_checkpoints;

// Steps [t_begin, t_end) in place; if ckpt != NULL stores checkpoints of the
// states it passes (ckpt allocated by sgdi_checkpoints_init).
sgdi_status sgdi_trainer_run(sgdi_trainer *tr, int64_t t_begin, int64_t t_end, float *theta,
                             float *state, int64_t excluded, sgdi_checkpoints *ckpt,
                             sgdi_error *err);

// interval ~ sqrt(T (P + S) / P), the choice that minimises checkpoint plus
// segment memory.
sgdi_status sgdi_checkpoints_init(sgdi_checkpoints *ckpt, const sgdi_trainer *tr, sgdi_error *err);
void sgdi_checkpoints_free(sgdi_checkpoints *ckpt);

// Mean loss over `ds` in evaluation mode (no dropout, no weight decay) at
// theta; if grad != NULL also its gradient (grad[P], overwritten).
sgdi_status sgdi_evaluate(sgdi_trainer *tr, const sgdi_dataset *ds, const float *theta,
                          double *loss, float *grad, sgdi_error *err);

#endif // SGDI_TRAIN_TRAINER_H
