/*
 * slice.c — Slice (nnabla): a strided box of every sample.
 *
 * Ports: in[0] x (batched, per-sample shape (d_0, ..., d_{n-1})), out[0] y
 * (batched). attr->slice holds, per per-sample dim k, start_k, stop_k, step_k
 * already normalised by the model reader (nnabla's negative indices resolved,
 * stop clamped to d_k): 0 <= start_k < stop_k <= d_k, step_k >= 1. Then
 *
 *     y[b, i_0, ..., i_{n-1}] = x[b, start_0 + i_0 step_0, ..., start_{n-1} + i_{n-1} step_{n-1}]
 *
 * with y's dim k = (stop_k - 1 - start_k) / step_k + 1 (nnabla's size rule).
 * The map is a selection S (injective: step > 0), so
 *
 *     y' = S x',  x_bar += S^T y_bar (scatter-add),  x_bar' += S^T y_bar'
 */
#include <string.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"

// x (d_0, ..., d_{n-1}) -> y with dim k = (stop_k - 1 - start_k) / step_k + 1.
sgdi_status sgdi_slice_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                   const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                   char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_SLICE, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "Slice: x must be batched");
    const sgdi_slice_attr *s = &attr->slice;
    sgdi_shape y = in[0];
    for (int k = 0; k < in[0].ndim; k++) {
        int64_t d = in[0].dim[k], start = s->start[k], stop = s->stop[k], step = s->step[k];
        if (step < 1)
            return sgdi_op_reason(msg, msg_size, "Slice: step %lld of dim %d is not positive",
                                  (long long)step, k);
        if (start < 0 || start >= d)
            return sgdi_op_reason(msg, msg_size, "Slice: start %lld of dim %d is outside [0, %lld)",
                                  (long long)start, k, (long long)d);
        if (stop <= start || stop > d)
            return sgdi_op_reason(msg, msg_size,
                                  "Slice: stop %lld of dim %d is outside (start %lld, size %lld]",
                                  (long long)stop, k, (long long)start, (long long)d);
        y.dim[k] = (stop - 1 - start) / step + 1;
    }
    out[0] = y;
    return SGDI_OK;
}

// The row-major walk shared by the four kernels: for every output element, the
// offset of the input element it selects. The innermost dim is a strided run.
typedef struct slice_walk {
    int ndim;
    int64_t x_count, y_count;        // elements per sample
    int64_t x_stride[SGDI_MAX_DIMS]; // row-major strides of x
    int64_t run, run_step;           // innermost: y's last dim, x's stride along it
} slice_walk;

static slice_walk slice_plan(const sgdi_op_call *call) {
    const sgdi_shape *xs = &call->in[0].shape;
    slice_walk w = {.ndim = xs->ndim, .x_count = call->in[0].count, .y_count = call->out[0].count};
    int64_t stride = 1;
    for (int k = xs->ndim - 1; k >= 0; k--) {
        w.x_stride[k] = stride;
        stride *= xs->dim[k];
    }
    w.run = w.ndim ? call->out[0].shape.dim[w.ndim - 1] : 1;
    w.run_step = w.ndim ? call->attr->slice.step[w.ndim - 1] : 1;
    return w;
}

// For y[B, y_count] and x[B, x_count]: scatter false: y = S x (assigns);
// scatter true: x += S^T y. `x` is the input-side buffer, `y` the output-side one.
static void slice_apply(const sgdi_op_call *call, sgdi_real *x, sgdi_real *y, bool scatter) {
    const slice_walk w = slice_plan(call);
    const sgdi_slice_attr *s = &call->attr->slice;
    const sgdi_shape *ys = &call->out[0].shape;
    int outer_dims = w.ndim > 0 ? w.ndim - 1 : 0;
    for (int64_t b = 0; b < call->batch; b++) {
        int64_t index[SGDI_MAX_DIMS] = {0}; // odometer over y's dims but the last
        for (int64_t y_off = 0; y_off < w.y_count; y_off += w.run) {
            int64_t x_off = 0;
            for (int k = 0; k < w.ndim; k++)
                x_off +=
                    (s->start[k] + (k < outer_dims ? index[k] * s->step[k] : 0)) * w.x_stride[k];
            sgdi_real *xr = x + b * w.x_count + x_off, *yr = y + b * w.y_count + y_off;
            if (scatter)
                for (int64_t j = 0; j < w.run; j++) xr[j * w.run_step] += yr[j];
            else
                for (int64_t j = 0; j < w.run; j++) yr[j] = xr[j * w.run_step];
            for (int k = outer_dims - 1; k >= 0 && ++index[k] == ys->dim[k]; k--) index[k] = 0;
        }
    }
}

// y[B, y's shape] = x[B, start + i * step] per dim
void sgdi_slice_forward(const sgdi_op_call *call) {
    slice_apply(call, call->in[0].val, call->out[0].val, false);
}

// y'[B, y's shape] = the same selection of x', or 0 when x' is NULL
void sgdi_slice_tangent_forward(const sgdi_op_call *call) {
    if (call->in[0].tan)
        slice_apply(call, call->in[0].tan, call->out[0].tan, false);
    else
        memset(call->out[0].tan, 0, (size_t)(call->batch * call->out[0].count) * sizeof(sgdi_real));
}

// dy/dx = S: x_bar[B, x's shape] += S^T y_bar (each selected element gets its y_bar)
void sgdi_slice_backward(const sgdi_op_call *call) {
    if (call->in[0].adj && call->out[0].adj)
        slice_apply(call, call->in[0].adj, call->out[0].adj, true);
}

// linear in y_bar, independent of x: x_bar'[B, x's shape] += S^T y_bar'
void sgdi_slice_tangent_backward(const sgdi_op_call *call) {
    if (call->in[0].adj_tan && call->out[0].adj_tan)
        slice_apply(call, call->in[0].adj_tan, call->out[0].adj_tan, true);
}
