/*
 * winograd.h — the three products of im2col.h for 3x3, stride-1 convolutions, by
 * Winograd's minimal filtering F(4x4, 3x3) or F(2x2, 3x3) (private to src/ops/).
 *
 * A 4x4 block of outputs costs 36 multiplications instead of 144 (a 2x2 block 16 instead
 * of 36): each 6x6 (4x4) tile of the image side and each 3x3 kernel are carried into a
 * 36-point (16-point) transform domain, where the convolution becomes independent matrix
 * products over (tiles, channels), one per point, and the products are carried back. The
 * two adjoints (the image-side adjoint and the weight gradient) are the transposes of
 * those same linear maps, so all three share the transforms and the tiling; their
 * arithmetic differs from im2col's only in rounding.
 *
 * Same contract as the im2col products they replace: the plan's image side and column
 * side, W (out_ch, in_ch, 3, 3), scratch of sgdi_winograd_workspace() handed over dirty,
 * results accumulated (+=) or assigned, the same bytes for any thread count. Each takes
 * up to two outputs of up to two terms each (a direction and its tangent, each a product
 * rule).
 */
#ifndef SGDI_OPS_WINOGRAD_H
#define SGDI_OPS_WINOGRAD_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/im2col.h"

// Whether the plan is one Winograd serves: 2-D, 3x3, stride 1, dilation 1, one group,
// and enough channels on both sides for the transforms to pay for themselves.
bool sgdi_winograd_applies(const sgdi_conv_plan *p);

// Multiplications per sample and pair of channels of one product of an applicable plan:
// its transform points times its tiles (im2col: 9 per output).
int64_t sgdi_winograd_multiplies(const sgdi_conv_plan *p);

// Scratch elements the products need for `batch` samples on up to `threads` threads.
int64_t sgdi_winograd_workspace(const sgdi_conv_plan *p, int64_t batch, int threads);

// Elements of a plan's cache (sgdi_conv_plan.cache): the points of its kernels in both
// layouts, the products' and the image adjoint's.
int64_t sgdi_winograd_cache_len(const sgdi_conv_plan *p);

// Each sums[s].col (+)= bias + the products of its pairs, as sgdi_conv_apply_sums (1 or
// 2 sums, each with at least one pair). The distinct images and weights the sums read are
// each transformed once (a forward and its tangent read x and W twice).
void sgdi_winograd_apply(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                         const sgdi_conv_sum *sums, int n_sums);

// Each adjoint of sgdi_conv_backward_adjoints (1 or 2, each with at least one term; its
// img_fresh only where some term has a w: then every element of img_bar is written). The
// distinct column sides, weights and images the terms read are each transformed once.
// Within an adjoint, the weight-gradient terms are summed in the order their images first
// appear among all the adjoints' terms, then in term order (the term order itself in a
// convolution's passes, which list x before x').
void sgdi_winograd_backward(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                            int64_t work_len, const sgdi_conv_adjoint *adj, int n_adj);

#endif // SGDI_OPS_WINOGRAD_H
