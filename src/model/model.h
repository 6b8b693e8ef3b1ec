/*
 * model.h — a model read from a Neural Network Libraries .nnp file: the
 * description (protobuf), the engine graph of its training network, the
 * parameters it carries and the solver it was trained with. This is the
 * opaque sgdi_model of sgdi.h.
 *
 * A file whose network uses an operator the engine lacks still loads (so that
 * --describe can show it); `unsupported` then says what stops sgdi_run.
 */
#ifndef SGDI_MODEL_MODEL_H
#define SGDI_MODEL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/graph.h"
#include "nnp/nnabla.pb-c.h"
#include "nnp/params.h"
#include "nnp/textformat.h"
#include "sgdi.h"
#include "solver/schedule.h"

enum { SGDI_MODEL_REASON_MAX = 512 };

// A Network with its RepeatStart/RepeatEnd blocks unrolled (expand.c). It shares
// parameter messages with the original; `owned` is what the expansion allocated.
typedef struct sgdi_expanded_network {
    Network *net;
    void **owned;
    size_t n_owned;
} sgdi_expanded_network;

bool sgdi_network_has_repeats(const Network *net);
sgdi_status sgdi_network_expand(const Network *orig, sgdi_expanded_network *out, const char *path,
                                sgdi_error *err);
void sgdi_expanded_network_free(sgdi_expanded_network *e);
// Whether an optimizer's parameter name (with "{R}" placeholders) names `name`.
bool sgdi_repeat_name_matches(const char *pattern, const char *name);

struct sgdi_model {
    char *path;
    NNablaProtoBuf *proto;           // every text member merged, in archive order
    sgdi_textformat_skipped skipped; // fields the schema does not know
    char **ignored_members;          // archive members the loader does not use
    int64_t n_ignored;
    char *version;                  // nnp_version.txt, trimmed (NULL if absent)
    sgdi_param_list params;         // every parameter the file carries
    const Optimizer *optimizer;     // the optimizer that is trained (into proto), or NULL
    const Network *network;         // its network, or NULL
    sgdi_expanded_network expanded; // the unrolled copy, when the network has repeats
    sgdi_graph graph;               // built from `network` when it could be
    bool graph_built;
    char unsupported[SGDI_MODEL_REASON_MAX]; // why sgdi_run cannot train it; "" = it can
    float *theta0;                           // [graph.n_params] the file's parameter values
    float *lr_mult;      // [graph.n_params] 0 = fixed (need_grad false, not listed)
    sgdi_options solver; // solver kind, lr, hyper-parameters, weight decay
    sgdi_lr_schedule schedule;
    float *state0;        // [S] solver state from a *.optimizer member, or NULL
    int64_t t0;           // updates the solver had done (its `t`)
    char state_note[256]; // where the state came from, or why none was used
    int64_t batch_size;   // the network's batch size, 0 if not declared
};

// A model from one text description (network, optimizer and parameters in
// protobuf text format, as an .nntxt), without a zip around it: for tests and
// the fuzz target. `name` is used in messages.
sgdi_status sgdi_model_load_text(const char *text, size_t size, const char *name, sgdi_model **out,
                                 sgdi_error *err);

// Builds model->graph from model->network (bound to model->optimizer's data
// and loss variables), and theta0 / lr_mult from model->params. Operators the
// engine lacks are not an error: they fill model->unsupported.
sgdi_status sgdi_model_build_graph(sgdi_model *model, sgdi_error *err);

// Reads the optimizer's solver and schedule into model->solver and
// model->schedule; an unknown solver fills model->unsupported.
void sgdi_model_read_solver(sgdi_model *model);

// Takes the solver state (moments, accumulators, update count) for the trained
// parameters from an HDF5 *.optimizer member, in the layout of
// model->solver's state vectors; fills state0, t0 and state_note.
struct sgdi_h5_optimizer_state;
sgdi_status sgdi_model_use_state(sgdi_model *model, const struct sgdi_h5_optimizer_state *st,
                                 const char *member, sgdi_error *err);

#endif // SGDI_MODEL_MODEL_H
