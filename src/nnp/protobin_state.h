/*
 * protobin_state.h — nnabla's binary protobuf solver state
 * (`*_optimizer.protobuf.optimizer` members of a .nnp).
 */
#ifndef SGDI_NNP_PROTOBIN_STATE_H
#define SGDI_NNP_PROTOBIN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "nnp/h5params.h"
#include "nnp/nnabla.pb-c.h"
#include "sgdi.h"

// Decodes data[0..size) into `out`, in the layout the HDF5 reader gives
// (parameters and their states in file order; t per parameter). The caller
// frees `out` with sgdi_h5_optimizer_state_free, also after a failure.
sgdi_status sgdi_protobin_read_optimizer_state(const uint8_t *data, size_t size, const char *name,
                                               sgdi_h5_optimizer_state *out, sgdi_error *err);

#endif // SGDI_NNP_PROTOBIN_STATE_H
