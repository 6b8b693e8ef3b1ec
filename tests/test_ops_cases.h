/*
 * test_ops_cases.h — the table of operator test cases (test_ops_cases.c)
 * shared with the derivative harness (test_ops.c).
 *
 * op_cases is indexed by sgdi_op_kind; a kind whose setup is NULL fails the
 * harness's "every op has a case" check. A setup fills variant `variant` of
 * its operator (shapes, batched-ness, input generators, attributes) and
 * returns false past its last variant.
 */
#ifndef SGDI_TESTS_TEST_OPS_CASES_H
#define SGDI_TESTS_TEST_OPS_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

enum { MAX_IN = SGDI_MAX_PORTS };

typedef enum gen_kind {
    GEN_NORMAL,  // N(0, 1), kept 1e-3 away from 0 (the kink of ReLU-like functions)
    GEN_LOW,     // N(-1, 1), kept 1e-3 away from 0: the maximum of 2x2 such values is below 0
                 // about half the time (MaxPooling+ReLU's kink, which N(0, 1) rarely reaches)
    GEN_LABEL,   // class index in [0, C), C = dim `axis` of input 0
    GEN_BINARY,  // 0 or 1
    GEN_PROB,    // uniform in [0.1, 0.9]
    GEN_SOFTMAX, // softmax of N(0, 1) along `axis`
    GEN_POSITIVE // uniform in [0.5, 2] (Log, Div2's divisor, fractional powers)
} gen_kind;

typedef struct op_case {
    int n_in;
    sgdi_shape shape[MAX_IN];
    bool batched[MAX_IN];
    gen_kind gen[MAX_IN];
    sgdi_op_attr attr;
    bool training;
    const float *weights;  // ctx->weights (NULL = all present), >= 4 entries (the largest batch)
    uint32_t fixed_inputs; // bit k: input k is state the op does not differentiate (BN's
                           // running statistics): never perturbed, no adjoint asked for
} op_case;

// Fills case `variant` of an operator; false when there is no such variant.
typedef bool (*case_setup_fn)(int variant, op_case *c);

typedef struct op_case_entry {
    case_setup_fn setup;
    bool loss; // the output summed is a scalar loss: check Hessian symmetry
} op_case_entry;

extern const op_case_entry op_cases[SGDI_OP_COUNT];

// Setups defined in test_ops_cases_conv.c (convolutions) and test_ops_cases_norm.c
// (pooling, normalization, augmentation).
// [convolution setups]
bool setup_convolution(int variant, op_case *c);
bool setup_depthwise_convolution(int variant, op_case *c);
bool setup_deconvolution(int variant, op_case *c);
// [pooling and normalization setups]
// [slice setups]
bool setup_slice(int variant, op_case *c); // test_ops_cases_slice.c
bool setup_max_pooling(int variant, op_case *c);
bool setup_max_pooling_relu(int variant, op_case *c);
bool setup_average_pooling(int variant, op_case *c);
bool setup_sum_pooling(int variant, op_case *c);
bool setup_global_average_pooling(int variant, op_case *c);
bool setup_batch_normalization(int variant, op_case *c);
bool setup_image_augmentation(int variant, op_case *c);

// A uniform integer in [lo, hi] from the harness's fixed-seed generator (test_ops.c).
int64_t rand_int(int64_t lo, int64_t hi);

#endif // SGDI_TESTS_TEST_OPS_CASES_H
