/*
 * function_attr.h — an operator's attributes from an nnabla Function's parameter message
 * (private to src/model/; network.c builds the graph with it).
 */
#ifndef SGDI_MODEL_FUNCTION_ATTR_H
#define SGDI_MODEL_FUNCTION_ATTR_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

// Fills `attr` for operator `kind` from f's parameter message; `in` is the per-sample
// shape of input 0 and *dropout_streams counts the Dropout functions seen (each gets its
// own random stream). On a value the engine cannot honour, writes why and returns false.
bool sgdi_function_attr(const Function *f, sgdi_op_kind kind, sgdi_shape in, sgdi_op_attr *attr,
                        int *dropout_streams, char *why, size_t why_size);

#endif // SGDI_MODEL_FUNCTION_ATTR_H
