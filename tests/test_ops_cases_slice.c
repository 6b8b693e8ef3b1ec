/*
 * test_ops_cases_slice.c — operator test cases (see test_ops_cases.h): Slice, with
 * strides, offsets, stops short of the end and whole dims, in one to three dims.
 */
#include "test_ops_cases.h"

typedef struct slice_variant {
    sgdi_shape x;
    int64_t start[3], stop[3], step[3];
} slice_variant;

static const slice_variant SLICE_VARIANTS[] = {
    // (7): every second element from 1
    {{1, {7}}, {1}, {7}, {2}},
    // (4, 5): one row, as RecurrentInput takes one time step
    {{2, {4, 5}}, {2, 0}, {3, 5}, {1, 1}},
    // (5, 6): a strided box whose stop is not reached by the stride
    {{2, {5, 6}}, {1, 0}, {5, 5}, {3, 2}},
    // (3, 4, 5): an inner column, the middle dim whole
    {{3, {3, 4, 5}}, {0, 0, 4}, {3, 4, 5}, {2, 1, 1}},
    // (2, 3, 4): everything (the identity)
    {{3, {2, 3, 4}}, {0, 0, 0}, {2, 3, 4}, {1, 1, 1}},
    // (1): a per-sample scalar
    {{1, {1}}, {0}, {1}, {1}},
};

bool setup_slice(int variant, op_case *c) {
    if (variant >= (int)(sizeof SLICE_VARIANTS / sizeof SLICE_VARIANTS[0])) return false;
    const slice_variant *v = &SLICE_VARIANTS[variant];
    c->shape[c->n_in] = v->x;
    c->batched[c->n_in] = true;
    c->gen[c->n_in++] = GEN_NORMAL;
    for (int k = 0; k < v->x.ndim; k++) {
        c->attr.slice.start[k] = v->start[k];
        c->attr.slice.stop[k] = v->stop[k];
        c->attr.slice.step[k] = v->step[k];
    }
    return true;
}
