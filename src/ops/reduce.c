/*
 * reduce.c — Sum and Mean (nnabla) over a set of per-sample axes.
 *
 * Ports: in[0] x (batched or not), out[0] y. Bit k of axes_mask set = reduce
 * per-sample dim k (the batch is never reduced; a mask of 0 reduces nothing
 * and copies). keep_dims keeps reduced dims as 1, otherwise they are removed
 * (reducing every dim gives a scalar per sample, ndim 0). Both operators are
 * linear, y = s R x with R the 0/1 reduction matrix and s = 1 (Sum) or
 * 1 / (number of elements reduced into each output) (Mean):
 *
 *     y' = s R x',  x_bar += s R^T y_bar (a broadcast),  x_bar' += s R^T y_bar'
 *
 * Every element of y is summed in increasing order of x's flat index, by one
 * thread: the result is the same bits on every run.
 */
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// How x's flat index maps to y's: y index = sum_k idx_k * ostride[k], with
// ostride[k] = 0 for a reduced dim.
typedef struct reduce_map {
    int ndim;
    int64_t dim[SGDI_MAX_DIMS], ostride[SGDI_MAX_DIMS];
    int64_t in_count, out_count;
    sgdi_real scale; // 1 (Sum) or 1 / reduced elements per output (Mean)
} reduce_map;

static reduce_map reduce_plan(const sgdi_op_call *call, bool mean) {
    const sgdi_shape *s = &call->in[0].shape;
    reduce_map m = {.ndim = s->ndim, .in_count = 1, .out_count = 1};
    int64_t reduced = 1;
    for (int k = s->ndim - 1; k >= 0; k--) {
        m.dim[k] = s->dim[k];
        m.in_count *= s->dim[k];
        if (call->attr->axes_mask & (1u << k)) {
            m.ostride[k] = 0;
            reduced *= s->dim[k];
        } else {
            m.ostride[k] = m.out_count;
            m.out_count *= s->dim[k];
        }
    }
    m.scale = mean ? (sgdi_real)(1.0 / (double)reduced) : 1;
    return m;
}

// y[B, out] = s R x (assigns). Walks x in flat order with an odometer index.
static void reduce_apply(const sgdi_op_call *call, const reduce_map *m, const sgdi_real *x,
                         sgdi_real *y) {
    int64_t batch = call->in[0].batched ? call->batch : 1;
    memset(y, 0, (size_t)(batch * m->out_count) * sizeof *y);
    for (int64_t b = 0; b < batch; b++) {
        const sgdi_real *xb = x + b * m->in_count;
        sgdi_real *yb = y + b * m->out_count;
        int64_t idx[SGDI_MAX_DIMS] = {0}, o = 0;
        for (int64_t i = 0; i < m->in_count; i++) {
            yb[o] += xb[i];
            for (int k = m->ndim - 1; k >= 0; k--) { // odometer step, last dim fastest
                o += m->ostride[k];
                if (++idx[k] < m->dim[k]) break;
                o -= m->ostride[k] * m->dim[k];
                idx[k] = 0;
            }
        }
        if (m->scale != 1)
            for (int64_t j = 0; j < m->out_count; j++) yb[j] *= m->scale;
    }
}

// x_bar[B, in] += s R^T y_bar (broadcast of y_bar over the reduced dims).
static void reduce_broadcast_add(const sgdi_op_call *call, const reduce_map *m,
                                 const sgdi_real *y_bar, sgdi_real *x_bar) {
    int64_t batch = call->in[0].batched ? call->batch : 1;
    for (int64_t b = 0; b < batch; b++) {
        sgdi_real *xb = x_bar + b * m->in_count;
        const sgdi_real *yb = y_bar + b * m->out_count;
        int64_t idx[SGDI_MAX_DIMS] = {0}, o = 0;
        for (int64_t i = 0; i < m->in_count; i++) {
            xb[i] += m->scale * yb[o];
            for (int k = m->ndim - 1; k >= 0; k--) {
                o += m->ostride[k];
                if (++idx[k] < m->dim[k]) break;
                o -= m->ostride[k] * m->dim[k];
                idx[k] = 0;
            }
        }
    }
}

static sgdi_status reduce_infer_shape(sgdi_op_kind kind, const sgdi_op_attr *attr,
                                      const sgdi_shape *in, int n_in, sgdi_shape *out, int n_out,
                                      char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(kind, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (in[0].ndim < 32 && (attr->axes_mask >> in[0].ndim) != 0)
        return sgdi_op_reason(msg, msg_size, "%s: axes_mask 0x%x names a dim >= ndim %d",
                              sgdi_op_table[kind].name, (unsigned)attr->axes_mask, in[0].ndim);
    sgdi_shape o = {.ndim = 0};
    for (int k = 0; k < in[0].ndim; k++) {
        if (!(attr->axes_mask & (1u << k)))
            o.dim[o.ndim++] = in[0].dim[k];
        else if (attr->keep_dims)
            o.dim[o.ndim++] = 1;
    }
    out[0] = o;
    return SGDI_OK;
}

// --- Sum ------------------------------------------------------------------------------

// x (d0, ..., dn) -> y with the masked dims removed (or 1 with keep_dims)
sgdi_status sgdi_sum_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                 const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                 char *msg, size_t msg_size) {
    return reduce_infer_shape(SGDI_OP_SUM, attr, in, n_in, out, n_out, msg, msg_size);
}

// y[B, out] = R x
void sgdi_sum_forward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, false);
    reduce_apply(call, &m, call->in[0].val, call->out[0].val);
}

// y'[B, out] = R x'
void sgdi_sum_tangent_forward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, false);
    int64_t n = sgdi_port_len(call, &call->out[0]);
    if (call->in[0].tan)
        reduce_apply(call, &m, call->in[0].tan, call->out[0].tan);
    else
        memset(call->out[0].tan, 0, (size_t)n * sizeof(sgdi_real));
}

// dy/dx = R: x_bar[B, in] += R^T y_bar
void sgdi_sum_backward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, false);
    if (call->in[0].adj && call->out[0].adj)
        reduce_broadcast_add(call, &m, call->out[0].adj, call->in[0].adj);
}

// linear in y_bar, independent of x: x_bar'[B, in] += R^T y_bar'
void sgdi_sum_tangent_backward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, false);
    if (call->in[0].adj_tan && call->out[0].adj_tan)
        reduce_broadcast_add(call, &m, call->out[0].adj_tan, call->in[0].adj_tan);
}

// --- Mean -----------------------------------------------------------------------------

// x (d0, ..., dn) -> y with the masked dims removed (or 1 with keep_dims)
sgdi_status sgdi_mean_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                  const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                  char *msg, size_t msg_size) {
    return reduce_infer_shape(SGDI_OP_MEAN, attr, in, n_in, out, n_out, msg, msg_size);
}

// y[B, out] = s R x
void sgdi_mean_forward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, true);
    reduce_apply(call, &m, call->in[0].val, call->out[0].val);
}

// y'[B, out] = s R x'
void sgdi_mean_tangent_forward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, true);
    int64_t n = sgdi_port_len(call, &call->out[0]);
    if (call->in[0].tan)
        reduce_apply(call, &m, call->in[0].tan, call->out[0].tan);
    else
        memset(call->out[0].tan, 0, (size_t)n * sizeof(sgdi_real));
}

// dy/dx = s R: x_bar[B, in] += s R^T y_bar
void sgdi_mean_backward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, true);
    if (call->in[0].adj && call->out[0].adj)
        reduce_broadcast_add(call, &m, call->out[0].adj, call->in[0].adj);
}

// linear in y_bar, independent of x: x_bar'[B, in] += s R^T y_bar'
void sgdi_mean_tangent_backward(const sgdi_op_call *call) {
    reduce_map m = reduce_plan(call, true);
    if (call->in[0].adj_tan && call->out[0].adj_tan)
        reduce_broadcast_add(call, &m, call->out[0].adj_tan, call->in[0].adj_tan);
}
