/*
 * op.h — the operator contract of the network engine.
 *
 * Every operator is four plain functions over buffers, side by side in one
 * file under src/ops/, plus a shape function:
 *
 *   forward           y  = f(x, theta)
 *   tangent_forward   y' = J_x x' + J_theta theta'           (forward mode, JVP)
 *   backward          x_bar += J_x^T y_bar, theta_bar += J_theta^T y_bar
 *   tangent_backward  the tangent of backward along (x', theta'):
 *                     x_bar' += J_x^T y_bar' + (d/de J_x(x+e x', theta+e theta'))^T y_bar
 *                     (likewise for theta_bar')
 *
 * Forward-over-reverse through these gives, from ONE pass over a batch, every
 * sample's loss tangent <grad l_j, u> (tangent_forward of the loss) and the
 * Hessian-vector product H u (tangent_backward into the parameters).
 *
 * Conventions (read these before writing an operator):
 *   - A port is one tensor operand. Batched ports (activations, data) hold
 *     `batch` samples of `count` elements each, sample-major. Parameter ports
 *     are not batched: `count` elements, shared by all samples.
 *   - forward and tangent_forward ASSIGN their outputs (val, tan).
 *   - backward and tangent_backward ADD into input adjoints (adj, adj_tan),
 *     which the caller zeroes.
 *   - A NULL tangent (`tan`) means "identically zero"; a NULL adjoint (`adj`,
 *     `adj_tan`) means "not wanted": skip its computation. An output's adj_tan
 *     may be NULL too (zero). tangent_forward is only called when at least
 *     one input tangent is non-NULL; it assigns the output tangent fully.
 *   - Kernels are pure functions of their ports, attributes and context:
 *     no allocation, no hidden state, no I/O. Randomness (Dropout) is
 *     recomputed from the counter-based generator in every call.
 *   - Loss operators output a per-sample loss; their target input (labels)
 *     is never differentiated: its adj pointers are always NULL.
 *   - The element type is sgdi_real: float in the library, double in the
 *     derivative tests (the same sources compiled with SGDI_REAL_DOUBLE).
 */
#ifndef SGDI_OPS_OP_H
#define SGDI_OPS_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

#ifdef SGDI_REAL_DOUBLE
typedef double sgdi_real;
#else
typedef float sgdi_real;
#endif

enum { SGDI_MAX_DIMS = 6, SGDI_MAX_PORTS = 8 };

// A tensor shape. For batched ports the batch dimension is NOT included.
typedef struct sgdi_shape {
    int ndim;
    int64_t dim[SGDI_MAX_DIMS];
} sgdi_shape;

typedef struct sgdi_port {
    sgdi_real *val;     // value: [batch][count] or [count]; an output's, the forward's in
                        // every direction of the pass
    sgdi_real *tan;     // forward tangent, same layout; NULL = zero
    sgdi_real *adj;     // adjoint dL/dval, same layout; NULL = not wanted
    sgdi_real *adj_tan; // tangent of the adjoint; NULL = not wanted (or zero, for outputs)
    sgdi_shape shape;   // per-sample shape (batched) or full shape (parameter)
    int64_t count;      // product of shape
    bool batched;
    // Backward sweeps, batched inputs of ops with assigns_fresh_adjoint: adj and adj_tan
    // hold nothing yet (not even zeros); the op assigns every element instead of adding.
    bool adj_fresh;
} sgdi_port;

// Sliding-window operators (Convolution, DepthwiseConvolution, Deconvolution and the
// poolings) over the trailing `ndim` per-sample dims of a channel-first input
// (C, [H,] W). Per spatial dim k (0 = the first spatial dim):
typedef struct sgdi_window_attr {
    int ndim;                  // spatial dims: 1 or 2
    int64_t kernel[2];         // pooling window (convolutions take it from W's shape)
    int64_t pad[2];            // zero padding on both sides
    int64_t stride[2];         // >= 1
    int64_t dilation[2];       // >= 1 (convolutions)
    int64_t output_padding[2]; // Deconvolution
    int64_t group;             // Convolution/Deconvolution groups (>= 1);
                               // DepthwiseConvolution: the channel multiplier (>= 1)
    bool ignore_border;        // pooling: drop windows that do not fit (nnabla's default true)
    bool including_pad;        // AveragePooling: divide by the full window (nnabla's default true)
} sgdi_window_attr;

// BatchNormalization. Inputs x, beta, gamma, mean, variance (nnabla's order); beta is
// absent when no_bias, gamma when no_scale (then the inputs shift down).
typedef struct sgdi_norm_attr {
    int axis;          // the per-sample axis statistics are kept for (nnabla's axes[0] - 1)
    double decay_rate; // running statistics: r <- decay r + (1 - decay) batch statistic
    double eps;        // added to the variance
    bool batch_stat;   // true: batch statistics when ctx->training (else running ones)
    bool no_scale;
    bool no_bias;
} sgdi_norm_attr;

// ImageAugmentation: the subset with a per-sample, replayable meaning. Output
// (C, out_h, out_w) is a crop of the input zero-padded by pad[] on each side, at a
// random offset, optionally flipped; identity-like (centre crop) in evaluation.
typedef struct sgdi_augment_attr {
    int64_t out_h, out_w;
    int64_t pad[2]; // (pad_h, pad_w)
    bool flip_lr;
    bool flip_ud;
} sgdi_augment_attr;

// Slice over the per-sample dims (nnabla's start/stop/step without the batch dim):
// element i of dim k is taken for i = start[k], start[k] + step[k], ... < stop[k]
// (step > 0; nnabla's negative steps are refused when the model is read).
typedef struct sgdi_slice_attr {
    int64_t start[SGDI_MAX_DIMS];
    int64_t stop[SGDI_MAX_DIMS];
    int64_t step[SGDI_MAX_DIMS];
} sgdi_slice_attr;

// Operator attributes: one struct for all operators; each uses what it needs.
typedef struct sgdi_op_attr {
    double alpha;            // LeakyReLU slope, ELU/SELU alpha; the `val` of AddScalar,
                             // MulScalar, PowScalar, RSubScalar, RDivScalar, RPowScalar
    double scale;            // SELU scale (lambda; nnabla's default 1.05070098735548)
    double beta;             // SoftPlus beta (nnabla's default 1), > 0
    double p;                // Dropout probability of dropping
    int axis;                // Softmax/LogSoftmax/SoftmaxCrossEntropy/CategoricalCrossEntropy/
                             // Concatenate axis, in per-sample dims (0 = first dim after the batch)
    int base_axis;           // Affine: per-sample dims [base_axis..) are the input vector;
                             // nnabla's base_axis minus one (0 for a (B, I) input)
    uint32_t axes_mask;      // Sum/Mean: bit k set = reduce per-sample dim k
    bool keep_dims;          // Sum/Mean
    uint32_t rng_stream;     // Dropout: distinguishes the random streams of two operators
    sgdi_shape shape;        // Reshape: the per-sample target shape (nnabla's `shape` without
                             // the batch dim); one dim may be -1, inferred from the count
    sgdi_window_attr window; // convolutions and pooling
    sgdi_norm_attr norm;     // BatchNormalization
    sgdi_augment_attr augment; // ImageAugmentation (its randomness: rng_stream)
    sgdi_slice_attr slice;     // Slice
} sgdi_op_attr;

// What an operator may know about the step it is part of.
typedef struct sgdi_exec_ctx {
    uint64_t seed;        // the trial's seed
    uint64_t step;        // global training step t (0-based), for per-step randomness
    const int64_t *rows;  // [batch] dataset row of each sample, for per-sample randomness
    bool training;        // Dropout drops only when training
    const float *weights; // [batch] 1 = present, 0 = left out; NULL = all present.
                          // BatchNormalization's batch statistics count present samples only.
} sgdi_exec_ctx;

// What one node keeps across its calls, derived from its parameters (a convolution's
// kernels carried into the transform domain), with the parameters' version each part was
// made from (sgdi_op_call.theta_version; 0: nothing kept yet).
typedef struct sgdi_op_cache {
    sgdi_real *data; // the op's cache_len() elements
    uint64_t tag[2];
} sgdi_op_cache;

typedef struct sgdi_op_call {
    const sgdi_op_attr *attr;
    const sgdi_exec_ctx *ctx;
    sgdi_port *in;
    int n_in;
    sgdi_port *out;
    int n_out;
    int64_t batch;
    sgdi_real *work;  // scratch of workspace() elements (ops without one: NULL)
    int64_t work_len; // its length in elements
    // This node's saved_len() doubles, kept from the pass's forward to its later
    // directions (the executor's; NULL: none, the op recomputes what it would read).
    double *saved;
    // This node's cache (NULL: the op has none, or the caller keeps nothing), and the
    // version of the parameters' values: calls with the same non-zero version read the
    // same parameter values, so what the cache derived from them is still right; 0: new
    // values, derive afresh.
    sgdi_op_cache *cache;
    uint64_t theta_version;
} sgdi_op_call;

typedef enum sgdi_op_kind {
    SGDI_OP_AFFINE,
    SGDI_OP_RELU,
    SGDI_OP_LEAKY_RELU,
    SGDI_OP_ELU,
    SGDI_OP_TANH,
    SGDI_OP_SIGMOID,
    SGDI_OP_DROPOUT,
    SGDI_OP_SOFTMAX,
    SGDI_OP_SOFTMAX_CROSS_ENTROPY,
    SGDI_OP_CATEGORICAL_CROSS_ENTROPY,
    SGDI_OP_SIGMOID_CROSS_ENTROPY,
    SGDI_OP_BINARY_CROSS_ENTROPY,
    SGDI_OP_SQUARED_ERROR,
    SGDI_OP_SUM,
    SGDI_OP_MEAN,
    SGDI_OP_RESHAPE,
    SGDI_OP_IDENTITY,
    SGDI_OP_CONCATENATE,
    SGDI_OP_ADD2,
    SGDI_OP_SUB2,
    SGDI_OP_MUL2,
    SGDI_OP_DIV2,
    SGDI_OP_ADD_SCALAR,
    SGDI_OP_MUL_SCALAR,
    SGDI_OP_POW_SCALAR,
    SGDI_OP_R_SUB_SCALAR,
    SGDI_OP_R_DIV_SCALAR,
    SGDI_OP_R_POW_SCALAR,
    SGDI_OP_SWISH,
    SGDI_OP_SELU,
    SGDI_OP_SOFTPLUS,
    SGDI_OP_ABS,
    SGDI_OP_EXP,
    SGDI_OP_LOG,
    SGDI_OP_LOG_SOFTMAX,
    SGDI_OP_CONVOLUTION,
    SGDI_OP_DEPTHWISE_CONVOLUTION,
    SGDI_OP_DECONVOLUTION,
    SGDI_OP_MAX_POOLING,
    SGDI_OP_AVERAGE_POOLING,
    SGDI_OP_SUM_POOLING,
    SGDI_OP_GLOBAL_AVERAGE_POOLING,
    SGDI_OP_BATCH_NORMALIZATION,
    SGDI_OP_IMAGE_AUGMENTATION,
    SGDI_OP_SLICE,
    // Kinds from here on are pairs the executor fuses (graph/exec.c): never in a graph or a
    // file, and sgdi_op_find does not know them.
    SGDI_OP_BATCH_NORMALIZATION_RELU, // BatchNormalization, then ReLU of its output
    SGDI_OP_MAX_POOLING_RELU,         // MaxPooling, then ReLU of its output
    SGDI_OP_COUNT
} sgdi_op_kind;

#define SGDI_OP_FIRST_FUSED SGDI_OP_BATCH_NORMALIZATION_RELU

// Shape inference: fills out_shapes[0..n_out) from the input shapes (batched
// inputs without the batch dim; parameters with their full shape). On a
// mismatch returns SGDI_ERR_FORMAT and writes a one-line reason into
// msg[msg_size] (e.g. "input 1 has 3 rows, expected 4").
typedef sgdi_status (*sgdi_infer_shape_fn)(const sgdi_op_attr *attr, const sgdi_shape *in,
                                           const bool *in_batched, int n_in, sgdi_shape *out,
                                           int n_out, char *msg, size_t msg_size);
typedef void (*sgdi_kernel_fn)(const sgdi_op_call *call);

// Scratch elements (sgdi_real) one call over `batch` samples needs, from the shapes
// infer_shape saw and gave; the caller provides them as call->work (im2col buffers).
typedef int64_t (*sgdi_workspace_fn)(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in,
                                     const sgdi_shape *out, int64_t batch);

// Doubles an operator keeps per node between the directions of one pass (what its
// forward computes and its tangent and backward would otherwise recompute), from the
// shapes infer_shape saw; the executor provides them as call->saved.
typedef int64_t (*sgdi_saved_fn)(const sgdi_op_attr *attr, const sgdi_shape *in, int n_in);

typedef struct sgdi_op_def {
    const char *name; // nnabla's function type name, e.g. "SoftmaxCrossEntropy"
    int min_inputs;
    int max_inputs;
    int n_outputs;
    uint32_t target_inputs; // bit k set = input k is a label/target, never differentiated
    sgdi_infer_shape_fn infer_shape;
    sgdi_kernel_fn forward;
    sgdi_kernel_fn tangent_forward;
    sgdi_kernel_fn backward;
    sgdi_kernel_fn tangent_backward;
    sgdi_workspace_fn workspace; // NULL = needs no scratch
    sgdi_saved_fn saved_len;     // NULL = keeps nothing between directions
    sgdi_workspace_fn cache_len; // elements of its sgdi_op_cache (batch unused); NULL = none
    // forward then tangent_forward, and backward then tangent_backward, each in one call
    // with the same results, for operators whose two directions read the same operands
    // (a convolution transforms x and W once for both). NULL: the two are called in turn.
    sgdi_kernel_fn forward_with_tangent;
    sgdi_kernel_fn backward_with_tangent;
    // Its backward and tangent_backward honour in[k].adj_fresh (see sgdi_port): the
    // executor need not clear an adjoint buffer this op writes first.
    bool assigns_fresh_adjoint;
    // Operators with running state (BatchNormalization's mean and variance): after a
    // training forward of the same call, writes the new state into the state inputs'
    // val, which the caller points at the parameters of the next step (in place: they
    // hold the old state on entry). NULL = no running state.
    sgdi_kernel_fn update_state;
} sgdi_op_def;

// Indexed by sgdi_op_kind; a NULL function is a visible gap, never a silent zero.
extern const sgdi_op_def sgdi_op_table[SGDI_OP_COUNT];

// The op whose nnabla name is `name`, or SGDI_OP_COUNT (also for a fused kind's name).
sgdi_op_kind sgdi_op_find(const char *name);

// Dropout's mask: whether element `element` of the sample from dataset row
// `row` is kept at step ctx->step. A pure function of (seed, step, row,
// stream, element), so that training, replay and scoring agree.
bool sgdi_dropout_keep(const sgdi_exec_ctx *ctx, uint32_t stream, int64_t row, int64_t element,
                       double p);

#endif // SGDI_OPS_OP_H
