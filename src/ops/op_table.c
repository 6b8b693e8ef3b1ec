/*
 * op_table.c — the operator table, lookup by nnabla name, and the helpers the
 * infer_shape functions share.
 *
 * sgdi_op_table is indexed by sgdi_op_kind with designated initialisers, so a
 * row can neither be misplaced nor silently forgotten: a kind without a row
 * has NULL functions, which the operator tests report as a failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ops/op_private.h"

// clang-format off
#define SGDI_OP_FIELDS(nnabla_name, fn, min_in, max_in, targets)   \
        .name = nnabla_name,                                         \
        .min_inputs = min_in,                                        \
        .max_inputs = max_in,                                        \
        .n_outputs = 1,                                              \
        .target_inputs = targets,                                    \
        .infer_shape = sgdi_##fn##_infer_shape,                    \
        .forward = sgdi_##fn##_forward,                            \
        .tangent_forward = sgdi_##fn##_tangent_forward,            \
        .backward = sgdi_##fn##_backward,                          \
        .tangent_backward = sgdi_##fn##_tangent_backward

#define SGDI_OP_ROW(nnabla_name, fn, min_in, max_in, targets)      \
    { SGDI_OP_FIELDS(nnabla_name, fn, min_in, max_in, targets) }

// A row whose operator needs scratch (im2col columns): SGDI_OP_ROW plus its workspace().
#define SGDI_OP_ROW_WS(nnabla_name, fn, min_in, max_in, targets)   \
    { SGDI_OP_FIELDS(nnabla_name, fn, min_in, max_in, targets),    \
      .workspace = sgdi_##fn##_workspace }

// BatchNormalization and its fusion with ReLU: the same inputs, state and saved statistics.
#define SGDI_BN_ROW(nnabla_name, fn)                               \
    { SGDI_OP_FIELDS(nnabla_name, fn, 3, 5, 0),                    \
      .forward_with_tangent = sgdi_##fn##_forward_with_tangent,    \
      .backward_with_tangent = sgdi_##fn##_backward_with_tangent,  \
      .update_state = sgdi_batch_normalization_update_state,       \
      .saved_len = sgdi_batch_normalization_saved_len,             \
      .assigns_fresh_adjoint = true }

// MaxPooling and its fusion with ReLU: one input, both directions in one pass each.
#define SGDI_MAX_POOL_ROW(nnabla_name, fn)                         \
    { SGDI_OP_FIELDS(nnabla_name, fn, 1, 1, 0),                    \
      .forward_with_tangent = sgdi_##fn##_forward_with_tangent,    \
      .backward_with_tangent = sgdi_##fn##_backward_with_tangent,  \
      .assigns_fresh_adjoint = true }

const sgdi_op_def sgdi_op_table[SGDI_OP_COUNT] = {
    [SGDI_OP_AFFINE]                    = SGDI_OP_ROW("Affine", affine, 2, 3, 0),
    [SGDI_OP_RELU]                      = {SGDI_OP_FIELDS("ReLU", relu, 1, 1, 0),
                                           .forward_with_tangent =
                                               sgdi_relu_forward_with_tangent,
                                           .backward_with_tangent =
                                               sgdi_relu_backward_with_tangent,
                                           .assigns_fresh_adjoint = true},
    [SGDI_OP_LEAKY_RELU]                = SGDI_OP_ROW("LeakyReLU", leaky_relu, 1, 1, 0),
    [SGDI_OP_ELU]                       = SGDI_OP_ROW("ELU", elu, 1, 1, 0),
    [SGDI_OP_TANH]                      = SGDI_OP_ROW("Tanh", tanh, 1, 1, 0),
    [SGDI_OP_SIGMOID]                   = SGDI_OP_ROW("Sigmoid", sigmoid, 1, 1, 0),
    [SGDI_OP_DROPOUT]                   = SGDI_OP_ROW("Dropout", dropout, 1, 1, 0),
    [SGDI_OP_SOFTMAX]                   = SGDI_OP_ROW("Softmax", softmax, 1, 1, 0),
    [SGDI_OP_SOFTMAX_CROSS_ENTROPY]     = SGDI_OP_ROW("SoftmaxCrossEntropy",
                                                      softmax_cross_entropy, 2, 2, 1u << 1),
    [SGDI_OP_CATEGORICAL_CROSS_ENTROPY] = SGDI_OP_ROW("CategoricalCrossEntropy",
                                                      categorical_cross_entropy, 2, 2, 1u << 1),
    [SGDI_OP_SIGMOID_CROSS_ENTROPY]     = SGDI_OP_ROW("SigmoidCrossEntropy",
                                                      sigmoid_cross_entropy, 2, 2, 1u << 1),
    [SGDI_OP_BINARY_CROSS_ENTROPY]      = SGDI_OP_ROW("BinaryCrossEntropy",
                                                      binary_cross_entropy, 2, 2, 1u << 1),
    [SGDI_OP_SQUARED_ERROR]             = SGDI_OP_ROW("SquaredError", squared_error, 2, 2, 0),
    [SGDI_OP_SUM]                       = SGDI_OP_ROW("Sum", sum, 1, 1, 0),
    [SGDI_OP_MEAN]                      = SGDI_OP_ROW("Mean", mean, 1, 1, 0),
    [SGDI_OP_RESHAPE]                   = SGDI_OP_ROW("Reshape", reshape, 1, 1, 0),
    [SGDI_OP_IDENTITY]                  = SGDI_OP_ROW("Identity", identity, 1, 1, 0),
    [SGDI_OP_CONCATENATE]               = SGDI_OP_ROW("Concatenate", concatenate, 1,
                                                      SGDI_MAX_PORTS, 0),
    [SGDI_OP_ADD2]                      = SGDI_OP_ROW("Add2", add2, 2, 2, 0),
    [SGDI_OP_SUB2]                      = SGDI_OP_ROW("Sub2", sub2, 2, 2, 0),
    [SGDI_OP_MUL2]                      = SGDI_OP_ROW("Mul2", mul2, 2, 2, 0),
    [SGDI_OP_DIV2]                      = SGDI_OP_ROW("Div2", div2, 2, 2, 0),
    [SGDI_OP_ADD_SCALAR]                = SGDI_OP_ROW("AddScalar", add_scalar, 1, 1, 0),
    [SGDI_OP_MUL_SCALAR]                = SGDI_OP_ROW("MulScalar", mul_scalar, 1, 1, 0),
    [SGDI_OP_POW_SCALAR]                = SGDI_OP_ROW("PowScalar", pow_scalar, 1, 1, 0),
    [SGDI_OP_R_SUB_SCALAR]              = SGDI_OP_ROW("RSubScalar", r_sub_scalar, 1, 1, 0),
    [SGDI_OP_R_DIV_SCALAR]              = SGDI_OP_ROW("RDivScalar", r_div_scalar, 1, 1, 0),
    [SGDI_OP_R_POW_SCALAR]              = SGDI_OP_ROW("RPowScalar", r_pow_scalar, 1, 1, 0),
    [SGDI_OP_SWISH]                     = SGDI_OP_ROW("Swish", swish, 1, 1, 0),
    [SGDI_OP_SELU]                      = SGDI_OP_ROW("SELU", selu, 1, 1, 0),
    [SGDI_OP_SOFTPLUS]                  = SGDI_OP_ROW("SoftPlus", softplus, 1, 1, 0),
    [SGDI_OP_ABS]                       = SGDI_OP_ROW("Abs", abs, 1, 1, 0),
    [SGDI_OP_EXP]                       = SGDI_OP_ROW("Exp", exp, 1, 1, 0),
    [SGDI_OP_LOG]                       = SGDI_OP_ROW("Log", log, 1, 1, 0),
    [SGDI_OP_LOG_SOFTMAX]               = SGDI_OP_ROW("LogSoftmax", log_softmax, 1, 1, 0),
    // [convolution rows]
    [SGDI_OP_CONVOLUTION]               = {SGDI_OP_FIELDS("Convolution", convolution, 2, 3, 0),
                                           .workspace = sgdi_convolution_workspace,
                                           .cache_len = sgdi_convolution_cache_len,
                                           .forward_with_tangent =
                                               sgdi_convolution_forward_with_tangent,
                                           .backward_with_tangent =
                                               sgdi_convolution_backward_with_tangent,
                                           .assigns_fresh_adjoint = true},
    [SGDI_OP_DEPTHWISE_CONVOLUTION]     = SGDI_OP_ROW_WS("DepthwiseConvolution",
                                                         depthwise_convolution, 2, 3, 0),
    [SGDI_OP_DECONVOLUTION]             = SGDI_OP_ROW_WS("Deconvolution", deconvolution, 2, 3, 0),
    // [pooling and normalization rows]
    // [slice rows]
    [SGDI_OP_SLICE]                     = SGDI_OP_ROW("Slice", slice, 1, 1, 0),
    [SGDI_OP_MAX_POOLING]               = SGDI_MAX_POOL_ROW("MaxPooling", max_pooling),
    [SGDI_OP_AVERAGE_POOLING]           = SGDI_OP_ROW("AveragePooling", average_pooling, 1, 1, 0),
    [SGDI_OP_SUM_POOLING]               = SGDI_OP_ROW("SumPooling", sum_pooling, 1, 1, 0),
    [SGDI_OP_GLOBAL_AVERAGE_POOLING]    = SGDI_OP_ROW("GlobalAveragePooling",
                                                      global_average_pooling, 1, 1, 0),
    // Running mean and variance are state, not differentiated (they follow the batches).
    [SGDI_OP_BATCH_NORMALIZATION]       = SGDI_BN_ROW("BatchNormalization", batch_normalization),
    [SGDI_OP_IMAGE_AUGMENTATION]        = SGDI_OP_ROW("ImageAugmentation", image_augmentation,
                                                      1, 1, 0),
    // Fused by the executor: BatchNormalization's ports, ReLU's output. Its state and
    // saved statistics are BatchNormalization's.
    [SGDI_OP_BATCH_NORMALIZATION_RELU]  = SGDI_BN_ROW("BatchNormalization+ReLU",
                                                      batch_normalization_relu),
    // Fused by the executor: MaxPooling's ports, ReLU's output.
    [SGDI_OP_MAX_POOLING_RELU]          = SGDI_MAX_POOL_ROW("MaxPooling+ReLU", max_pooling_relu),
};
// clang-format on

// A new kind must get a row above (and a test case in tests/test_ops.c).
_Static_assert(SGDI_OP_MAX_POOLING_RELU + 1 == SGDI_OP_COUNT,
               "sgdi_op_table has a row per sgdi_op_kind");
_Static_assert(sizeof sgdi_op_table / sizeof sgdi_op_table[0] == SGDI_OP_COUNT,
               "sgdi_op_table is indexed by sgdi_op_kind");

sgdi_op_kind sgdi_op_find(const char *name) {
    if (!name) return SGDI_OP_COUNT;
    for (int k = 0; k < SGDI_OP_FIRST_FUSED; k++)
        if (sgdi_op_table[k].name && strcmp(sgdi_op_table[k].name, name) == 0)
            return (sgdi_op_kind)k;
    return SGDI_OP_COUNT;
}

// --- infer_shape helpers -----------------------------------------------------------

// Per-sample (or per-parameter) element cap: keeps every product of dims, and
// batch * count, far from overflowing int64_t.
static const int64_t SGDI_MAX_ELEMENTS = (int64_t)1 << 40;

sgdi_status sgdi_op_reason(char *msg, size_t msg_size, const char *fmt, ...) {
    if (msg && msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msg_size, fmt, ap);
        va_end(ap);
    }
    return SGDI_ERR_FORMAT;
}

const char *sgdi_shape_str(const sgdi_shape *s, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, size, "(");
    for (int k = 0; k < s->ndim && used < size; k++)
        used +=
            (size_t)snprintf(buf + used, size - used, k ? ", %lld" : "%lld", (long long)s->dim[k]);
    if (used < size) snprintf(buf + used, size - used, ")");
    return buf;
}

sgdi_status sgdi_op_check_inputs(sgdi_op_kind kind, const sgdi_shape *in, int n_in, int n_out,
                                 char *msg, size_t msg_size) {
    const sgdi_op_def *def = &sgdi_op_table[kind];
    if (n_in < def->min_inputs || n_in > def->max_inputs) {
        if (def->min_inputs == def->max_inputs)
            return sgdi_op_reason(msg, msg_size, "%s takes %d inputs, got %d", def->name,
                                  def->min_inputs, n_in);
        return sgdi_op_reason(msg, msg_size, "%s takes %d to %d inputs, got %d", def->name,
                              def->min_inputs, def->max_inputs, n_in);
    }
    if (n_out != def->n_outputs)
        return sgdi_op_reason(msg, msg_size, "%s has %d output(s), got %d", def->name,
                              def->n_outputs, n_out);
    for (int i = 0; i < n_in; i++) {
        if (in[i].ndim < 0 || in[i].ndim > SGDI_MAX_DIMS)
            return sgdi_op_reason(msg, msg_size, "%s: input %d has %d dimensions, at most %d",
                                  def->name, i, in[i].ndim, (int)SGDI_MAX_DIMS);
        int64_t count = 1;
        for (int k = 0; k < in[i].ndim; k++) {
            if (in[i].dim[k] < 1)
                return sgdi_op_reason(msg, msg_size, "%s: dimension %d of input %d is %lld",
                                      def->name, k, i, (long long)in[i].dim[k]);
            if (in[i].dim[k] > SGDI_MAX_ELEMENTS / count)
                return sgdi_op_reason(msg, msg_size, "%s: input %d has more than %lld elements",
                                      def->name, i, (long long)SGDI_MAX_ELEMENTS);
            count *= in[i].dim[k];
        }
    }
    return SGDI_OK;
}

sgdi_status sgdi_op_check_same(const sgdi_shape *in, const bool *in_batched, int i, int j,
                               char *msg, size_t msg_size) {
    char a[96], b[96];
    if (!sgdi_shape_equal(&in[i], &in[j]))
        return sgdi_op_reason(msg, msg_size, "input %d has shape %s, input %d has shape %s", j,
                              sgdi_shape_str(&in[j], a, sizeof a), i,
                              sgdi_shape_str(&in[i], b, sizeof b));
    if (in_batched[i] != in_batched[j])
        return sgdi_op_reason(msg, msg_size, "inputs %d and %d must both be batched or both not", i,
                              j);
    return SGDI_OK;
}

sgdi_status sgdi_op_check_labels(const char *name, int axis, const sgdi_shape *in,
                                 const bool *in_batched, sgdi_shape *out, char *msg,
                                 size_t msg_size) {
    if (axis < 0 || axis >= in[0].ndim)
        return sgdi_op_reason(msg, msg_size, "%s: axis %d outside [0, %d)", name, axis, in[0].ndim);
    sgdi_shape t = in[0];
    t.dim[axis] = 1;
    if (!sgdi_shape_equal(&in[1], &t)) {
        char a[96], b[96];
        return sgdi_op_reason(msg, msg_size, "%s: labels have shape %s, expected %s", name,
                              sgdi_shape_str(&in[1], a, sizeof a), sgdi_shape_str(&t, b, sizeof b));
    }
    if (!in_batched[0] || !in_batched[1])
        return sgdi_op_reason(msg, msg_size, "%s: both inputs must be batched", name);
    out[0] = t;
    return SGDI_OK;
}
