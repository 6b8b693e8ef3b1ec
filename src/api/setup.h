/*
 * setup.h — what every training of a run shares, decided once from the options and
 * the training set: "auto" resolved, the network (the model's, or the built-in one
 * built for the data), the model's solver copied into the options, and the number of
 * threads. sgdi_run and the removal curve's retrainings both start here, so they
 * train the same network the same way.
 */
#ifndef SGDI_API_SETUP_H
#define SGDI_API_SETUP_H

#include "graph/graph.h"
#include "sgdi.h"
#include "train/trainer.h"

typedef struct sgdi_setup {
    sgdi_options opt;     // "auto" resolved; with a model, its solver and step size
    sgdi_train_plan plan; // the network and, from a model, multipliers, schedule, state
    const float *theta0;  // the model's parameters; NULL = initialise from the seed
    sgdi_graph builtin;   // the built-in network when there is no model
    float *builtin_lr_mult;
} sgdi_setup;

// Checks the options, resolves them and builds (or takes) the network; checks that the
// training set fits it: its samples' shape (images resized or refused per the dataset's
// options), a table's feature count, and its labels against the classes of the loss.
sgdi_status sgdi_setup_init(sgdi_setup *s, const sgdi_options *opt, const sgdi_dataset *train,
                            sgdi_error *err);
void sgdi_setup_free(sgdi_setup *s);

// Sets the process-wide thread count of OpenBLAS and OpenMP for this network.
void sgdi_setup_threads(const sgdi_setup *s);

#endif // SGDI_API_SETUP_H
