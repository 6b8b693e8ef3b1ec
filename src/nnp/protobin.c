/*
 * protobin.c — parameter.protobuf (binary NNablaProtoBuf) ↔ sgdi_param_list,
 * through the protobuf-c code generated from nnabla.proto. See protobin.h.
 */
#include "nnp/protobin.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static const int64_t MAX_ELEMENTS = (int64_t)1 << 34;

// Checks one Parameter and converts its shape; count = product of dims.
static sgdi_status check_param(const Parameter *p, size_t index, const char *name,
                               sgdi_shape *shape, int64_t *count, sgdi_error *err) {
    if (!p->variable_name || !p->variable_name[0])
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: parameter %zu has no name", name, index);
    const char *pn = p->variable_name;
    memset(shape, 0, sizeof *shape);
    size_t ndim = p->shape ? p->shape->n_dim : 0;
    if (ndim > SGDI_MAX_DIMS)
        return sgdi_fail(err, SGDI_ERR_UNSUPPORTED,
                         "%s: parameter '%.200s' has %zu dimensions (at most %d)", name, pn, ndim,
                         SGDI_MAX_DIMS);
    int64_t n = 1;
    for (size_t d = 0; d < ndim; d++) {
        int64_t dim = p->shape->dim[d];
        if (dim < 0)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: parameter '%.200s' has dimension %zu = %lld", name, pn, d,
                             (long long)dim);
        if (!sgdi_mul_i64(n, dim, &n) || n > MAX_ELEMENTS)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: parameter '%.200s' has too many elements",
                             name, pn);
        shape->dim[d] = dim;
    }
    shape->ndim = (int)ndim;
    if ((uint64_t)n != (uint64_t)p->n_data)
        return sgdi_fail(err, SGDI_ERR_FORMAT,
                         "%s: parameter '%.200s': shape has %lld elements but data has %zu", name,
                         pn, (long long)n, p->n_data);
    *count = n;
    return SGDI_OK;
}

sgdi_status sgdi_protobin_params_from_message(const NNablaProtoBuf *msg, const char *name,
                                              sgdi_param_list *list, sgdi_error *err) {
    if (!msg || !list) return sgdi_fail(err, SGDI_ERR_INVALID, "protobin: NULL argument");
    name = name ? name : "parameter.protobuf";
    for (size_t i = 0; i < msg->n_parameter; i++) {
        const Parameter *p = msg->parameter[i];
        sgdi_shape shape;
        int64_t count = 0;
        sgdi_status st = check_param(p, i, name, &shape, &count, err);
        if (st != SGDI_OK) return st;
        static const float none[1] = {0};
        st = sgdi_param_list_add(list, p->variable_name, shape, count ? p->data : none,
                                 p->need_grad != 0, err);
        if (st != SGDI_OK) return st;
    }
    sgdi_error_clear(err);
    return SGDI_OK;
}

sgdi_status sgdi_protobin_read_params(const uint8_t *data, size_t size, const char *name,
                                      sgdi_param_list *list, sgdi_error *err) {
    name = name ? name : "parameter.protobuf";
    if ((!data && size) || !list)
        return sgdi_fail(err, SGDI_ERR_INVALID, "protobin: NULL argument");
    NNablaProtoBuf *msg = nnabla_proto_buf__unpack(NULL, size, data ? data : (const uint8_t *)"");
    if (!msg)
        return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: not a valid binary NNablaProtoBuf (%zu bytes)",
                         name, size);
    sgdi_status st = sgdi_protobin_params_from_message(msg, name, list, err);
    nnabla_proto_buf__free_unpacked(msg, NULL);
    return st;
}

sgdi_status sgdi_protobin_write_params(const sgdi_param_list *list, uint8_t **out, size_t *out_size,
                                       sgdi_error *err) {
    if (!list || !out || !out_size)
        return sgdi_fail(err, SGDI_ERR_INVALID, "protobin: NULL argument");
    *out = NULL;
    *out_size = 0;
    size_t n = (size_t)(list->count > 0 ? list->count : 0);
    // One allocation for the message skeleton; tensors point into the list.
    Parameter *params = sgdi_calloc_array((int64_t)(n ? n : 1), sizeof *params);
    Shape *shapes = sgdi_calloc_array((int64_t)(n ? n : 1), sizeof *shapes);
    Parameter **ptrs = sgdi_calloc_array((int64_t)(n ? n : 1), sizeof *ptrs);
    sgdi_status st = SGDI_OK;
    if (!params || !shapes || !ptrs) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory packing %zu parameters", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const sgdi_param_blob *b = &list->items[i];
        shape__init(&shapes[i]);
        shapes[i].n_dim = (size_t)b->shape.ndim;
        shapes[i].dim = (int64_t *)b->shape.dim;
        parameter__init(&params[i]);
        params[i].variable_name = b->name;
        params[i].shape = &shapes[i];
        params[i].n_data = (size_t)b->count;
        params[i].data = b->data;
        params[i].need_grad = b->need_grad;
        ptrs[i] = &params[i];
    }
    NNablaProtoBuf msg = NNABLA_PROTO_BUF__INIT;
    msg.n_parameter = n;
    msg.parameter = ptrs;
    size_t len = nnabla_proto_buf__get_packed_size(&msg);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory packing %zu bytes of parameters", len);
        goto done;
    }
    size_t packed = nnabla_proto_buf__pack(&msg, buf);
    if (packed != len) {
        free(buf);
        st = sgdi_fail(err, SGDI_ERR_INVALID, "protobuf packing gave %zu bytes, expected %zu",
                       packed, len);
        goto done;
    }
    *out = buf;
    *out_size = len;
    sgdi_error_clear(err);
done:
    free(params);
    free(shapes);
    free(ptrs);
    return st;
}
