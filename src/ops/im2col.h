/*
 * im2col.h — the machinery the convolution family shares (private to src/ops/).
 *
 * Every operator of the family is built from one grouped convolution seen from its two
 * sides: the IMAGE side (in_ch channels over the spatial grid in[]) and the COLUMN side
 * (out_ch channels over the grid out[]), joined by a weight W (out_ch, in_ch / group, K),
 * K = kernel[0] * kernel[1]:
 *
 *     col(img)[(c K + k), p] = img[c, p * stride - pad + k * dilation]   (zero outside)
 *     column[g-th out_ch / group rows] = W_g col(img)[g-th in_ch / group channels]
 *
 * Convolution maps image -> column (apply), its input adjoint is column -> image
 * (transpose), its weight gradient is the correlation of the two (weight_corr).
 * DepthwiseConvolution is the case group = in_ch. Deconvolution is Convolution read
 * backwards: its input is the column side, its output the image side.
 *
 * 3x3 stride-1 plans with enough channels take Winograd's F(4x4) or F(2x2) instead of columns
 * (winograd.h); the functions below choose. A 1-D operator is run as a 2-D one of height 1. Scratch
 * (call->work) has one slot per thread: a sample's columns and a partial weight gradient, whatever
 * the batch. Weight gradients are summed over fixed blocks of samples and the blocks' sums added in
 * order, so that they never depend on the thread count.
 */
#ifndef SGDI_OPS_IM2COL_H
#define SGDI_OPS_IM2COL_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

// One grouped convolution; sizes are per sample.
typedef struct sgdi_conv_plan {
    int64_t in_ch, out_ch, group;
    int64_t in[2], out[2], kernel[2], pad[2], stride[2], dilation[2]; // (height, width)
    int64_t in_size, out_size, ksize; // in[0] in[1], out[0] out[1], kernel[0] kernel[1]
    int64_t col_len;                  // in_ch * ksize * out_size: one sample's columns
    bool direct;                      // 1x1 kernel, stride 1, no padding: the image IS its columns
    // Optional (plan_make leaves them NULL / 0): the node's cache, which keeps the
    // transformed kernels of the weights `cached_w` while they keep their non-zero
    // `version` (sgdi_op_call.theta_version); Winograd's layers use it (cache_len()).
    sgdi_op_cache *cache;
    const sgdi_real *cached_w;
    uint64_t version;
} sgdi_conv_plan;

// The plan of a convolution whose image side is (in_ch, img...) and column side
// (out_ch, col...), with the window of `w` (ndim spatial dims, 1 or 2) and the kernel's
// spatial extent kernel[0..ndim). Pure arithmetic: infer_shape has checked the sizes.
sgdi_conv_plan sgdi_conv_plan_make(const sgdi_window_attr *w, const int64_t *kernel, int64_t in_ch,
                                   const int64_t *img, int64_t out_ch, const int64_t *col,
                                   int64_t group);

// Whether every size of that plan is in range: a sample's columns and either side at
// most 2^40 elements, every GEMM dimension within int. Checked by infer_shape, with the
// plan_make arguments, before any product is formed.
bool sgdi_conv_fits(const sgdi_window_attr *w, const int64_t *kernel, int64_t in_ch,
                    const int64_t *img, int64_t out_ch, const int64_t *col, int64_t group);

// Scratch elements the plan needs for `batch` samples: a slot per thread OpenMP offers
// now (fewer threads run if the scratch passed to the products has fewer slots).
int64_t sgdi_conv_workspace(const sgdi_conv_plan *p, int64_t batch);

// Elements of the cache (plan's `cache`) that keeps the plan's transformed kernels: 0 for
// plans that transform none.
int64_t sgdi_conv_cache_len(const sgdi_conv_plan *p);

// Output size of a window along one dim: (n + 2 pad - (dilation (k - 1) + 1)) / stride + 1,
// or 0 when the (dilated) window does not fit the padded input.
int64_t sgdi_conv_out_size(int64_t n, int64_t k, int64_t pad, int64_t stride, int64_t dilation);

// Checks the window attributes of an operator over an input with `spatial` spatial dims:
// ndim matches, pad >= 0, stride >= 1, dilation >= 1, and each at most 2^31.
sgdi_status sgdi_conv_check_window(const char *name, const sgdi_window_attr *w, int spatial,
                                   char *msg, size_t msg_size);

// col[batch][out_ch, out_size] += W[out_ch, in_ch / group * ksize] col(img[batch][in_ch, in_size])
// + W2 col(img2). In this and the next two, a pair with a NULL member is skipped (a term
// of a product rule whose tangent is zero).
void sgdi_conv_apply(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                     const sgdi_real *w, const sgdi_real *img, const sgdi_real *w2,
                     const sgdi_real *img2, sgdi_real *col);

// col[batch][out_ch, out_size] = b[out_ch] (0 when b is NULL) + the products of
// sgdi_conv_apply: a convolution's forward and its tangent. Winograd's layers write each
// output once, b added as its block leaves the transform domain, rather than filling
// col with b and adding into it.
void sgdi_conv_apply_bias(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                          const sgdi_real *w, const sgdi_real *img, const sgdi_real *w2,
                          const sgdi_real *img2, const sgdi_real *b, sgdi_real *col);

// img[batch][in_ch, in_size] += col^T(W^T col1 + W2^T col2), per group. col^T is the adjoint of
// col(): it adds each column entry back into the pixel it was read from.
void sgdi_conv_transpose(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                         const sgdi_real *w, const sgdi_real *col1, const sgdi_real *w2,
                         const sgdi_real *col2, sgdi_real *img);

// W_bar[out_ch, in_ch / group * ksize] += sum over samples n (in order) of
// col[n] col(img[n])^T + col2[n] col(img2[n])^T, per group, summed over fixed blocks of
// samples.
void sgdi_conv_weight_corr(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                           int64_t work_len, const sgdi_real *col, const sgdi_real *img,
                           const sgdi_real *col2, const sgdi_real *img2, sgdi_real *w_bar);

// One term of a backward pass: a column-side adjoint, the weight its image adjoint goes
// through (NULL: no image-adjoint term) and the image its weight gradient pairs it with
// (NULL: no weight-gradient term).
typedef struct sgdi_conv_term {
    const sgdi_real *col, *w, *img;
} sgdi_conv_term;

// img_bar += sum_k cols^T(terms[k].w^T terms[k].col) (unless img_bar is NULL; = when
// img_fresh: img_bar holds nothing yet) and w_bar += sum_k terms[k].col cols(terms[k].img)^T
// (unless w_bar is NULL), 0, 1 or 2 terms: the backward of a convolution and its tangent,
// whose two products read the same column-side adjoints (Winograd's plans transform them
// once for both).
void sgdi_conv_backward_terms(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                              int64_t work_len, const sgdi_conv_term *terms, int n_terms,
                              sgdi_real *img_bar, bool img_fresh, sgdi_real *w_bar);

// One adjoint of sgdi_conv_backward_adjoints: sgdi_conv_backward_terms's arguments, and
// the bias's: b_bar[out_ch] += the channel sums of the column side bias_col over the
// batch (unless either is NULL; Winograd's plans sum it from the copy they transform).
typedef struct sgdi_conv_adjoint {
    sgdi_conv_term terms[2];
    int n_terms;
    sgdi_real *img_bar;
    bool img_fresh;
    sgdi_real *w_bar;
    const sgdi_real *bias_col;
    sgdi_real *b_bar;
} sgdi_conv_adjoint;

// sgdi_conv_backward_terms for each of 1 or 2 adjoints (with the same results): a
// convolution's backward and the tangent of its backward in one call, which read the same
// x, W and y_bar. Winograd's plans carry each distinct one into the transform domain once
// for both adjoints instead of once per product.
void sgdi_conv_backward_adjoints(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work,
                                 int64_t work_len, const sgdi_conv_adjoint *adj, int n_adj);

// One output of sgdi_conv_apply_sums: col = bias (0 when NULL) + the products of its
// pairs (`assign`), or col += them; a pair with a NULL member is skipped.
typedef struct sgdi_conv_sum {
    const sgdi_real *w[2], *img[2];
    const sgdi_real *bias;
    bool assign;
    sgdi_real *col;
} sgdi_conv_sum;

// Each of 1 or 2 sums, as sgdi_conv_apply or sgdi_conv_apply_bias give it: a
// convolution's forward and its tangent in one call, which read the same x and W
// (Winograd's plans transform each distinct one once for both).
void sgdi_conv_apply_sums(const sgdi_conv_plan *p, int64_t batch, sgdi_real *work, int64_t work_len,
                          const sgdi_conv_sum *sums, int n_sums);

// dst[batch][channels, size] = b[channel], or 0 when b is NULL.
void sgdi_conv_fill_channels(sgdi_real *dst, const sgdi_real *b, int64_t batch, int64_t channels,
                             int64_t size);

// b_bar[channel] += sum over samples and positions of src[batch][channels, size], in a
// fixed order (samples in turn, each plane in 8 partial sums).
void sgdi_conv_add_channel_sums(sgdi_real *b_bar, const sgdi_real *src, int64_t batch,
                                int64_t channels, int64_t size);

// The four kernels of a convolution-shaped operator (x on the image side, y on the column
// side, bias per output channel), given its plan: Convolution and DepthwiseConvolution
// differ only in how they read their shapes. Defined in convolution.c.
void sgdi_conv_like_forward(const sgdi_op_call *call, const sgdi_conv_plan *p);
void sgdi_conv_like_tangent_forward(const sgdi_op_call *call, const sgdi_conv_plan *p);
void sgdi_conv_like_backward(const sgdi_op_call *call, const sgdi_conv_plan *p);
void sgdi_conv_like_tangent_backward(const sgdi_op_call *call, const sgdi_conv_plan *p);
// forward + tangent_forward, backward + tangent_backward, each in one call (op.h)
void sgdi_conv_like_forward_with_tangent(const sgdi_op_call *call, const sgdi_conv_plan *p);
void sgdi_conv_like_backward_with_tangent(const sgdi_op_call *call, const sgdi_conv_plan *p);

#endif // SGDI_OPS_IM2COL_H
