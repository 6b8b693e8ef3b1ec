/*
 * winograd.h — the three products of im2col.h for 3x3, stride-1 convolutions, by
 * Winograd's minimal filtering F(2x2, 3x3) (private to src/ops/).
 *
 * A 2x2 block of outputs costs 16 multiplications instead of 36: each 4x4 tile of the
 * image side and each 3x3 kernel are carried into a 16-point transform domain, where the
 * convolution becomes 16 independent matrix products over (channels, tiles), and the
 * products are carried back. The two adjoints (the image-side adjoint and the weight
 * gradient) are the transposes of those same linear maps, so all three share the
 * transforms and the tiling; their arithmetic differs from im2col's only in rounding.
 *
 * Same contract as the im2col products they replace: the plan's image side and column
 * side, W (out_ch, in_ch, 3, 3), scratch of sgdi_winograd_workspace() handed over dirty,
 * results accumulated (+=), the same bytes for any thread count. Each takes up to two
 * terms (the product rule of a tangent); a NULL second pair is skipped.
 */
#ifndef SGDI_OPS_WINOGRAD_H
#define SGDI_OPS_WINOGRAD_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/im2col.h"

// Whether the plan is one Winograd serves: 2-D, 3x3, stride 1, dilation 1, one group,
// and enough channels on both sides for the transforms to pay for themselves.
bool sgdi_winograd_applies(const sgdi_conv_plan *p);

// Scratch elements the products need for `batch` samples on up to `threads` threads.
int64_t sgdi_winograd_workspace(const sgdi_conv_plan *p, int64_t batch, int threads);

// col[batch][out_ch, out_size] += conv(img1, w1) + conv(img2, w2), or with `assign`
// col = bias[out_ch] (0 when bias is NULL) + conv(img1, w1) + conv(img2, w2)
void sgdi_winograd_apply(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                         const sgdi_real *w1, const sgdi_real *img1, const sgdi_real *w2,
                         const sgdi_real *img2, bool assign, const sgdi_real *bias, sgdi_real *col);

// img[batch][in_ch, in_size] += conv^T(col1, w1) + conv^T(col2, w2)
void sgdi_winograd_transpose(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                             int64_t work_len, const sgdi_real *w1, const sgdi_real *col1,
                             const sgdi_real *w2, const sgdi_real *col2, sgdi_real *img);

// img_bar += sum_k conv^T(terms[k].col, terms[k].w) (unless img_bar is NULL; = with
// img_assign, when some term has a w: every element is written) and
// w_bar += sum_k corr(terms[k].col, terms[k].img) (unless w_bar is NULL), 1 or 2 terms:
// a convolution's backward and the tangent of its backward, each column side carried
// into the transform domain once for both products.
void sgdi_winograd_backward(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                            int64_t work_len, const sgdi_conv_term *terms, int n_terms,
                            sgdi_real *img_bar, bool img_assign, sgdi_real *w_bar);

// w_bar[out_ch, in_ch, 3, 3] += sum over samples of corr(col1[n], img1[n]) + corr(col2, img2)
void sgdi_winograd_weight_corr(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                               int64_t work_len, const sgdi_real *col1, const sgdi_real *img1,
                               const sgdi_real *col2, const sgdi_real *img2, sgdi_real *w_bar);

#endif // SGDI_OPS_WINOGRAD_H
