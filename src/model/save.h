/*
 * save.h — writing models as .nnp files (see save.c).
 */
#ifndef SGDI_MODEL_SAVE_H
#define SGDI_MODEL_SAVE_H

#include "graph/graph.h"
#include "model/model.h"
#include "sgdi.h"

// A built-in network `g` trained with `opt`, with parameters theta[P].
sgdi_status sgdi_model_write_builtin(const sgdi_graph *g, const sgdi_options *opt,
                                     const float *theta, const char *path, sgdi_error *err);

// A loaded model with its trained network's parameters replaced by theta[P].
sgdi_status sgdi_model_write_loaded(const sgdi_model *m, const float *theta, const char *path,
                                    sgdi_error *err);

#endif // SGDI_MODEL_SAVE_H
