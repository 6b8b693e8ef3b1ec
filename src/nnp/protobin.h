/*
 * protobin.h — binary `parameter.protobuf` (an NNablaProtoBuf holding only
 * `parameter` entries, field 200) to and from sgdi_param_list.
 *
 *     sgdi_param_list params = {0};
 *     if (sgdi_protobin_read_params(bytes, size, "parameter.protobuf", &params,
 *                                   &err) != SGDI_OK) ...;
 *     uint8_t *bin; size_t n;
 *     sgdi_protobin_write_params(&params, &bin, &n, &err);   // for --save-model
 *     free(bin);
 *     sgdi_param_list_free(&params);
 *
 * Every Parameter is checked: non-empty name, a shape of at most
 * SGDI_MAX_DIMS dims each >= 0 (absent shape = 0-d scalar, 1 element), and
 * exactly product(shape) floats of data. Networks, optimizers etc. in the
 * same message are ignored (nnabla does the same for binary members).
 */
#ifndef SGDI_NNP_PROTOBIN_H
#define SGDI_NNP_PROTOBIN_H

#include <stddef.h>
#include <stdint.h>

#include "nnp/nnabla.pb-c.h"
#include "nnp/params.h"
#include "sgdi.h"

// Decodes data[0..size) (binary NNablaProtoBuf) and appends its parameters to
// `list` in file order (a name already in the list is replaced). `name` is
// used in messages. On failure the list keeps the parameters added before.
sgdi_status sgdi_protobin_read_params(const uint8_t *data, size_t size, const char *name,
                                      sgdi_param_list *list, sgdi_error *err);

// Appends the `parameter` entries of an already decoded message (e.g. a
// parsed .nntxt that carries parameters), with the same checks.
sgdi_status sgdi_protobin_params_from_message(const NNablaProtoBuf *msg, const char *name,
                                              sgdi_param_list *list, sgdi_error *err);

// Packs `list` as a binary NNablaProtoBuf with one `parameter` per item, in
// list order (need_grad written when true). *out is malloc'd (caller frees),
// *out_size its length.
sgdi_status sgdi_protobin_write_params(const sgdi_param_list *list, uint8_t **out, size_t *out_size,
                                       sgdi_error *err);

#endif // SGDI_NNP_PROTOBIN_H
