/*
 * op_private.h — what the operator files share (private to src/ops/).
 *
 *   - the kernel declarations that op_table.c wires into sgdi_op_table;
 *   - small shape helpers for the infer_shape functions and the kernels;
 *   - sgdi_op_reason(), which writes an infer_shape's one-line reason.
 *
 * Each operator file defines, for its operator `name`:
 *
 *     sgdi_status sgdi_<name>_infer_shape(...);   // sgdi_infer_shape_fn
 *     void sgdi_<name>_forward(const sgdi_op_call *call);
 *     void sgdi_<name>_tangent_forward(const sgdi_op_call *call);
 *     void sgdi_<name>_backward(const sgdi_op_call *call);
 *     void sgdi_<name>_tangent_backward(const sgdi_op_call *call);
 */
#ifndef SGDI_OPS_OP_PRIVATE_H
#define SGDI_OPS_OP_PRIVATE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"

// --- Kernel declarations -------------------------------------------------------

#define SGDI_DECLARE_OP(name)                                                                      \
    sgdi_status sgdi_##name##_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,          \
                                          const bool *in_batched, int n_in, sgdi_shape *out,       \
                                          int n_out, char *msg, size_t msg_size);                  \
    void sgdi_##name##_forward(const sgdi_op_call *call);                                          \
    void sgdi_##name##_tangent_forward(const sgdi_op_call *call);                                  \
    void sgdi_##name##_backward(const sgdi_op_call *call);                                         \
    void sgdi_##name##_tangent_backward(const sgdi_op_call *call)

SGDI_DECLARE_OP(affine); // affine.c
SGDI_DECLARE_OP(relu);   // activations.c
void sgdi_relu_forward_with_tangent(const sgdi_op_call *call);
void sgdi_relu_backward_with_tangent(const sgdi_op_call *call);
SGDI_DECLARE_OP(leaky_relu);                // activations.c
SGDI_DECLARE_OP(elu);                       // activations.c
SGDI_DECLARE_OP(tanh);                      // activations.c
SGDI_DECLARE_OP(sigmoid);                   // activations.c
SGDI_DECLARE_OP(dropout);                   // dropout.c
SGDI_DECLARE_OP(softmax);                   // softmax.c
SGDI_DECLARE_OP(softmax_cross_entropy);     // softmax_cross_entropy.c
SGDI_DECLARE_OP(categorical_cross_entropy); // categorical_cross_entropy.c
SGDI_DECLARE_OP(sigmoid_cross_entropy);     // sigmoid_cross_entropy.c
SGDI_DECLARE_OP(binary_cross_entropy);      // binary_cross_entropy.c
SGDI_DECLARE_OP(squared_error);             // squared_error.c
SGDI_DECLARE_OP(sum);                       // reduce.c
SGDI_DECLARE_OP(mean);                      // reduce.c
SGDI_DECLARE_OP(reshape);                   // reshape.c
SGDI_DECLARE_OP(identity);                  // reshape.c
SGDI_DECLARE_OP(concatenate);               // concatenate.c
SGDI_DECLARE_OP(add2);                      // arithmetic2.c
SGDI_DECLARE_OP(sub2);                      // arithmetic2.c
SGDI_DECLARE_OP(mul2);                      // arithmetic2.c
SGDI_DECLARE_OP(div2);                      // arithmetic2.c
SGDI_DECLARE_OP(add_scalar);                // scalar.c
SGDI_DECLARE_OP(mul_scalar);                // scalar.c
SGDI_DECLARE_OP(pow_scalar);                // scalar.c
SGDI_DECLARE_OP(r_sub_scalar);              // scalar.c
SGDI_DECLARE_OP(r_div_scalar);              // scalar.c
SGDI_DECLARE_OP(r_pow_scalar);              // scalar.c
SGDI_DECLARE_OP(swish);                     // smooth_activations.c
SGDI_DECLARE_OP(selu);                      // smooth_activations.c
SGDI_DECLARE_OP(softplus);                  // smooth_activations.c
SGDI_DECLARE_OP(abs);                       // unary_math.c
SGDI_DECLARE_OP(exp);                       // unary_math.c
SGDI_DECLARE_OP(log);                       // unary_math.c
SGDI_DECLARE_OP(log_softmax);               // log_softmax.c
// [convolution declarations]
SGDI_DECLARE_OP(convolution);           // convolution.c
SGDI_DECLARE_OP(depthwise_convolution); // depthwise_convolution.c
SGDI_DECLARE_OP(deconvolution);         // deconvolution.c
#define SGDI_DECLARE_WORKSPACE(name)                                                               \
    int64_t sgdi_##name##_workspace(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in,      \
                                    const sgdi_shape *out, int64_t batch)
SGDI_DECLARE_WORKSPACE(convolution);
int64_t sgdi_convolution_cache_len(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in,
                                   const sgdi_shape *out, int64_t batch);
void sgdi_convolution_forward_with_tangent(const sgdi_op_call *call);
void sgdi_convolution_backward_with_tangent(const sgdi_op_call *call);
SGDI_DECLARE_WORKSPACE(depthwise_convolution);
SGDI_DECLARE_WORKSPACE(deconvolution);
// [pooling and normalization declarations]
// [slice declarations]
SGDI_DECLARE_OP(slice);       // slice.c
SGDI_DECLARE_OP(max_pooling); // pooling.c
void sgdi_max_pooling_forward_with_tangent(const sgdi_op_call *call);
void sgdi_max_pooling_backward_with_tangent(const sgdi_op_call *call);
SGDI_DECLARE_OP(max_pooling_relu); // pooling.c (fused by the executor: MaxPooling, then ReLU)
void sgdi_max_pooling_relu_forward_with_tangent(const sgdi_op_call *call);
void sgdi_max_pooling_relu_backward_with_tangent(const sgdi_op_call *call);
SGDI_DECLARE_OP(average_pooling);        // pooling.c
SGDI_DECLARE_OP(sum_pooling);            // pooling.c
SGDI_DECLARE_OP(global_average_pooling); // pooling.c
SGDI_DECLARE_OP(batch_normalization);    // batch_normalization.c
void sgdi_batch_normalization_update_state(const sgdi_op_call *call);
void sgdi_batch_normalization_backward_with_tangent(const sgdi_op_call *call);
void sgdi_batch_normalization_forward_with_tangent(const sgdi_op_call *call);
int64_t sgdi_batch_normalization_saved_len(const sgdi_op_attr *attr, const sgdi_shape *in,
                                           int n_in);
SGDI_DECLARE_OP(batch_normalization_relu); // batch_normalization.c
void sgdi_batch_normalization_relu_backward_with_tangent(const sgdi_op_call *call);
void sgdi_batch_normalization_relu_forward_with_tangent(const sgdi_op_call *call);
SGDI_DECLARE_OP(image_augmentation); // image_augmentation.c

// --- Shapes ----------------------------------------------------------------------

// Number of elements of a shape (1 for ndim 0).
static inline int64_t sgdi_shape_count(const sgdi_shape *s) {
    int64_t n = 1;
    for (int k = 0; k < s->ndim; k++) n *= s->dim[k];
    return n;
}

// Number of elements a port holds in this call: batch * count, or count.
static inline int64_t sgdi_port_len(const sgdi_op_call *call, const sgdi_port *p) {
    return p->batched ? call->batch * p->count : p->count;
}

// A fresh adjoint (sgdi_port.adj_fresh) an op will not otherwise write: zeros.
static inline void sgdi_clear_if_fresh(const sgdi_op_call *call, const sgdi_port *p,
                                       sgdi_real *buf) {
    if (!p->adj_fresh || !buf) return;
    int64_t n = sgdi_port_len(call, p);
    for (int64_t i = 0; i < n; i++) buf[i] = 0;
}

// Splits a per-sample shape around `axis`: outer = prod dim[0..axis),
// n = dim[axis], inner = prod dim(axis..ndim). The batch is not included.
static inline void sgdi_shape_split(const sgdi_shape *s, int axis, int64_t *outer, int64_t *n,
                                    int64_t *inner) {
    *outer = 1;
    *inner = 1;
    for (int k = 0; k < axis; k++) *outer *= s->dim[k];
    for (int k = axis + 1; k < s->ndim; k++) *inner *= s->dim[k];
    *n = s->dim[axis];
}

// The rows of a batched tensor along one per-sample axis: row r (of
// batch * outer * inner) has n elements, the first at offset
// sgdi_axis_row(v, r), the others at stride v.inner.
typedef struct sgdi_axis_view {
    int64_t rows, n, inner;
} sgdi_axis_view;

static inline sgdi_axis_view sgdi_axis_view_of(const sgdi_shape *s, int axis, int64_t batch) {
    int64_t outer, n, inner;
    sgdi_shape_split(s, axis, &outer, &n, &inner);
    return (sgdi_axis_view){.rows = batch * outer * inner, .n = n, .inner = inner};
}

static inline int64_t sgdi_axis_row(sgdi_axis_view v, int64_t r) {
    return (r / v.inner) * v.n * v.inner + r % v.inner;
}

// The class index held by label t (a real number), or -1 when t is not in
// [0, n): that is a bug (the data layer validates labels), so it asserts; in a
// release build the row's loss becomes NaN and its gradient is skipped, never
// read out of bounds.
static inline int64_t sgdi_label_index(sgdi_real t, int64_t n) {
    if (!(t >= 0 && t < (sgdi_real)n)) {
        assert(!"class label outside [0, classes)");
        return -1;
    }
    return (int64_t)t;
}

static inline bool sgdi_shape_equal(const sgdi_shape *a, const sgdi_shape *b) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (a->dim[k] != b->dim[k]) return false;
    return true;
}

// --- infer_shape helpers (op_table.c) ---------------------------------------------

// Writes a printf-formatted one-line reason into msg[msg_size] (if msg is not
// NULL) and returns SGDI_ERR_FORMAT: `return sgdi_op_reason(msg, size, "...", ...);`.
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
sgdi_status
sgdi_op_reason(char *msg, size_t msg_size, const char *fmt, ...);

// Writes "(d0, d1, ...)" into buf[size]; returns buf.
const char *sgdi_shape_str(const sgdi_shape *s, char *buf, size_t size);

// Checks the arity against the op table row of `kind` and that every shape is
// sane (0 <= ndim <= SGDI_MAX_DIMS, dims >= 1). SGDI_OK or a reason.
sgdi_status sgdi_op_check_inputs(sgdi_op_kind kind, const sgdi_shape *in, int n_in, int n_out,
                                 char *msg, size_t msg_size);

// Checks that inputs i and j have equal shapes and the same batched-ness.
// For the class-index losses: x (..., C, ...) with 0 <= axis < ndim, and a
// label input t of x's shape with dim `axis` set to 1, batched like x; the
// output gets t's shape.
sgdi_status sgdi_op_check_labels(const char *name, int axis, const sgdi_shape *in,
                                 const bool *in_batched, sgdi_shape *out, char *msg,
                                 size_t msg_size);

sgdi_status sgdi_op_check_same(const sgdi_shape *in, const bool *in_batched, int i, int j,
                               char *msg, size_t msg_size);

#endif // SGDI_OPS_OP_PRIVATE_H
