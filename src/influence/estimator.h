/*
 * estimator.h — SGD-Influence of every training row for one trained trial:
 * the adjoint of training, walked backwards from the validation gradient.
 */
#ifndef SGDI_INFLUENCE_ESTIMATOR_H
#define SGDI_INFLUENCE_ESTIMATOR_H

#include "sgdi.h"
#include "train/trainer.h"

typedef struct sgdi_estimate_request {
    sgdi_method method;
    sgdi_hessian hessian;
    const sgdi_checkpoints *checkpoints; // method all: from the training run
    const float *theta_final;            // theta_T
    const float *state_final;            // the solver state after training (NULL if none)
    const float *val_grad;               // [P] gradient of the mean validation loss at theta_T
} sgdi_estimate_request;

// Adds every row's influence to scores[N]. *growth = |a_0| / |a_T|, how much
// the adjoint grew on the way back (>> 1 means the recursion blew up).
sgdi_status sgdi_estimate(sgdi_trainer *tr, const sgdi_estimate_request *req, double *scores,
                          double *growth, sgdi_error *err);

#endif // SGDI_INFLUENCE_ESTIMATOR_H
