/*
 * pooling_private.h — what pooling.c (the poolings, their shapes and any window) and
 * pooling_max_2x2.c (the CNN's 2x2 MaxPooling, vectorised) share: one call's planes, the
 * ReLU that MaxPooling+ReLU fuses after a MaxPooling, and the 2x2 planes. The operators
 * and their formulas are described in pooling.c.
 */
#ifndef SGDI_OPS_POOLING_PRIVATE_H
#define SGDI_OPS_POOLING_PRIVATE_H

#include "ops/kernel_math.h"
#include "ops/op_private.h"

enum { POOL_PARALLEL_MIN = 1 << 15 }; // elements below which threads cost more than they save

// One call's planes: `planes` maps of (h, w) per call, each pooled into (oh, ow).
typedef struct pool_geom {
    int64_t planes, h, w, oh, ow;
    int64_t kh, kw, sh, sw, ph, pw;
    bool including_pad;
} pool_geom;

// The fused ReLU's part in one direction: none (no ReLU fused), its output (the forward), or
// its derivative as a factor (the tangent and both adjoints).
typedef enum { NO_RELU, RELU_OUTPUT, RELU_SLOPE } pool_relu;

// Element v gathered from (or scattered into) a window whose first maximum is m, through
// `relu`, in ReLU's own expressions (activations.c) applied to the pooled value m: the
// output m > 0 ? m : 0 (v is m there), the slope as the float product [m > 0] v (-0 for a
// negative v where m <= 0, as ReLU gives; a select would give +0).
static inline sgdi_real through_relu(pool_relu relu, sgdi_real m, sgdi_real v) {
    if (relu == RELU_OUTPUT) return m > 0 ? m : 0;
    if (relu == RELU_SLOPE) return (sgdi_real)(m > 0) * v;
    return v;
}

// One plane of the 2x2 stride-2 unpadded MaxPooling whose windows lie inside the plane
// (pooling.c's is_max_2x2), each window's first maximum found with window_argmax's
// comparisons in its order, every gathered or scattered value through `relu`.
// Shapes: x, t (x'), x_bar, x_bar' [h, w]; y, y', y_bar, y_bar' [oh, ow]. With `assign`
// (the windows must then cover the plane), = instead of +=.

// dst = src at each window's first maximum of x: y from x (src = x), or y' from x'
void sgdi_max_2x2_gather(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                         const sgdi_real *src, sgdi_real *dst);
// dst += src at each window's first maximum of x: x_bar from y_bar, or x_bar' from y_bar'
void sgdi_max_2x2_scatter_add(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                              const sgdi_real *src, bool assign, sgdi_real *dst);
// y and y' at once, the windows compared once; `relu` the forward's part (RELU_OUTPUT or none)
void sgdi_max_2x2_gather_with_tangent(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                                      const sgdi_real *t, sgdi_real *y, sgdi_real *yt);
// both scatters at once, the windows compared once: x_bar from y_bar, x_bar' from y_bar'
void sgdi_max_2x2_scatter_add_with_tangent(pool_relu relu, const pool_geom *g, const sgdi_real *x,
                                           const sgdi_real *y_bar, const sgdi_real *y_bar_tan,
                                           bool assign, sgdi_real *x_bar, sgdi_real *x_bar_tan);

#endif // SGDI_OPS_POOLING_PRIVATE_H
