/*
 * predict.h — what a trained network answers on a dataset, in evaluation mode
 * (no dropout, running statistics, no weight decay): each row's predicted
 * class and the probability the network gives it, the mean loss and the
 * accuracy.
 *
 * The class scores are read from the network's prediction variable: the
 * input of the node that computes the loss, when that loss is over classes
 * (SoftmaxCrossEntropy: logits; CategoricalCrossEntropy: probabilities). A
 * network trained with another loss (squared error, sigmoid or binary cross
 * entropy) predicts values, not classes: it has a loss but no accuracy.
 */
#ifndef SGDI_TRAIN_PREDICT_H
#define SGDI_TRAIN_PREDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/graph.h"
#include "sgdi.h"
#include "train/trainer.h"

// Where a network's class scores are.
typedef struct sgdi_prediction_source {
    int var;            // the loss node's first input
    int64_t classes;    // scores per sample
    bool probabilities; // the values are probabilities already (else logits)
} sgdi_prediction_source;

// The number of classes the loss of `g` takes (the size of its class axis), or 0 if
// the loss is not over classes (probabilities or values rather than class indices).
int64_t sgdi_loss_classes(const sgdi_graph *g);

// Fills *out and returns true when the loss of `g` is over classes and its
// input holds one score per class and sample; false otherwise (no accuracy).
bool sgdi_prediction_source_find(const sgdi_graph *g, sgdi_prediction_source *out);

typedef struct sgdi_prediction_summary {
    int64_t rows;
    double loss;       // mean per-sample loss
    bool has_accuracy; // the loss is over classes (sgdi_prediction_source_find)
    int64_t correct;   // rows whose predicted class is their label
    double accuracy;   // correct / rows; NaN without classes
} sgdi_prediction_summary;

// Runs the network of `tr` at `theta` over every row of `ds` in batches of
// the trainer's size. When the loss is over classes and predicted /
// confidence are not NULL, fills predicted[N] (the class with the highest
// score, the first one on ties) and confidence[N] (the probability of that
// class); without classes they are left untouched. Fails if a batch cannot
// be gathered or the loss is not finite.
sgdi_status sgdi_predict(sgdi_trainer *tr, const sgdi_dataset *ds, const float *theta,
                         int32_t *predicted, float *confidence, sgdi_prediction_summary *out,
                         sgdi_error *err);

#endif // SGDI_TRAIN_PREDICT_H
