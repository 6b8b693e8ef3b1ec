/*
 * function_attr.c — an operator's attributes from the parameter message of an nnabla
 * Function (see function_attr.h): axes from nnabla's count (the batch included) to the
 * engine's (per sample), defaults where the message has none, and a reason for every
 * value the engine cannot honour.
 */
#include "model/function_attr.h"

#include <stdio.h>
#include <string.h>

// SELU's constants, as nnabla defines them.
static const double SELU_SCALE = 1.05070098735548, SELU_ALPHA = 1.673263242354377;

// nnabla axis -> per-sample axis; fails for the batch axis.
static bool per_sample_axis(int64_t axis, int ndim, int *out) {
    if (axis < 0) axis += ndim + 1;
    if (axis < 1 || axis > ndim) return false;
    *out = (int)axis - 1;
    return true;
}

bool sgdi_function_attr(const Function *f, sgdi_op_kind kind, sgdi_shape in, sgdi_op_attr *attr,
                        int *dropout_streams, char *why, size_t why_size) {
    *attr = (sgdi_op_attr){0};
    int64_t axis;
    switch (kind) {
    case SGDI_OP_AFFINE: {
        int64_t base =
            f->parameter_case == FUNCTION__PARAMETER_AFFINE_PARAM ? f->affine_param->base_axis : 1;
        if (base < 1 || base > in.ndim) {
            snprintf(why, why_size, "base_axis %lld folds the batch", (long long)base);
            return false;
        }
        attr->base_axis = (int)base - 1;
        return true;
    }
    case SGDI_OP_LEAKY_RELU:
        attr->alpha = f->parameter_case == FUNCTION__PARAMETER_LEAKY_RELU_PARAM
                          ? f->leaky_relu_param->alpha
                          : 0.1;
        return true;
    case SGDI_OP_ELU:
        attr->alpha =
            f->parameter_case == FUNCTION__PARAMETER_ELU_PARAM ? f->elu_param->alpha : 1.0;
        return true;
    case SGDI_OP_SELU:
        attr->scale = SELU_SCALE, attr->alpha = SELU_ALPHA;
        if (f->parameter_case == FUNCTION__PARAMETER_SELU_PARAM)
            attr->scale = f->selu_param->scale, attr->alpha = f->selu_param->alpha;
        return true;
    case SGDI_OP_SOFTPLUS:
        attr->beta = 1.0;
        return true;
    case SGDI_OP_DROPOUT:
        attr->p =
            f->parameter_case == FUNCTION__PARAMETER_DROPOUT_PARAM ? f->dropout_param->p : 0.5;
        attr->rng_stream = (uint32_t)(*dropout_streams)++;
        return true;
    case SGDI_OP_SOFTMAX:
    case SGDI_OP_LOG_SOFTMAX:
    case SGDI_OP_SOFTMAX_CROSS_ENTROPY:
    case SGDI_OP_CATEGORICAL_CROSS_ENTROPY:
    case SGDI_OP_CONCATENATE:
        axis = in.ndim; // nnabla's default: the last axis
        if (f->parameter_case == FUNCTION__PARAMETER_SOFTMAX_PARAM) axis = f->softmax_param->axis;
        if (f->parameter_case == FUNCTION__PARAMETER_LOG_SOFTMAX_PARAM)
            axis = f->log_softmax_param->axis;
        if (f->parameter_case == FUNCTION__PARAMETER_SOFTMAX_CROSS_ENTROPY_PARAM)
            axis = f->softmax_cross_entropy_param->axis;
        if (f->parameter_case == FUNCTION__PARAMETER_CATEGORICAL_CROSS_ENTROPY_PARAM)
            axis = f->categorical_cross_entropy_param->axis;
        if (f->parameter_case == FUNCTION__PARAMETER_CONCATENATE_PARAM)
            axis = f->concatenate_param->axis;
        if (!per_sample_axis(axis, in.ndim, &attr->axis)) {
            snprintf(why, why_size, "axis %lld is the batch axis", (long long)axis);
            return false;
        }
        return true;
    case SGDI_OP_SUM:
    case SGDI_OP_MEAN: {
        size_t n = 0;
        const int64_t *axes = NULL;
        if (f->parameter_case == FUNCTION__PARAMETER_SUM_PARAM)
            n = f->sum_param->n_axes, axes = f->sum_param->axes,
            attr->keep_dims = f->sum_param->keep_dims;
        if (f->parameter_case == FUNCTION__PARAMETER_MEAN_PARAM)
            n = f->mean_param->n_axes, axes = f->mean_param->axes,
            attr->keep_dims = f->mean_param->keep_dims;
        for (size_t k = 0; k < n; k++) {
            int a;
            if (!per_sample_axis(axes[k], in.ndim, &a)) {
                snprintf(why, why_size, "reduces over the batch axis");
                return false;
            }
            attr->axes_mask |= 1u << a;
        }
        if (n == 0) {
            snprintf(why, why_size, "reduces over every axis, the batch included");
            return false;
        }
        return true;
    }
    case SGDI_OP_RESHAPE: {
        const Shape *s =
            f->parameter_case == FUNCTION__PARAMETER_RESHAPE_PARAM ? f->reshape_param->shape : NULL;
        if (!s || s->n_dim < 1 || s->n_dim - 1 > SGDI_MAX_DIMS) {
            snprintf(why, why_size, "has no usable target shape");
            return false;
        }
        attr->shape.ndim = (int)s->n_dim - 1;
        for (int d = 0; d < attr->shape.ndim; d++) attr->shape.dim[d] = s->dim[d + 1];
        if (attr->shape.ndim == 0) attr->shape = sgdi_shape1(1);
        return true;
    }
    case SGDI_OP_ADD_SCALAR:
    case SGDI_OP_MUL_SCALAR:
    case SGDI_OP_POW_SCALAR:
    case SGDI_OP_R_SUB_SCALAR:
    case SGDI_OP_R_DIV_SCALAR:
    case SGDI_OP_R_POW_SCALAR:
        switch (f->parameter_case) {
        case FUNCTION__PARAMETER_ADD_SCALAR_PARAM:
            attr->alpha = f->add_scalar_param->val;
            break;
        case FUNCTION__PARAMETER_MUL_SCALAR_PARAM:
            attr->alpha = f->mul_scalar_param->val;
            break;
        case FUNCTION__PARAMETER_POW_SCALAR_PARAM:
            attr->alpha = f->pow_scalar_param->val;
            break;
        case FUNCTION__PARAMETER_R_SUB_SCALAR_PARAM:
            attr->alpha = f->r_sub_scalar_param->val;
            break;
        case FUNCTION__PARAMETER_R_DIV_SCALAR_PARAM:
            attr->alpha = f->r_div_scalar_param->val;
            break;
        case FUNCTION__PARAMETER_R_POW_SCALAR_PARAM:
            attr->alpha = f->r_pow_scalar_param->val;
            break;
        default:
            attr->alpha = kind == SGDI_OP_ADD_SCALAR ? 0.0 : 1.0;
            break;
        }
        return true;
    // [convolution attributes]
    case SGDI_OP_CONVOLUTION:
    case SGDI_OP_DEPTHWISE_CONVOLUTION:
    case SGDI_OP_DECONVOLUTION: {
        // nnabla's defaults, also for an absent parameter: base_axis 1, channels first, no
        // padding, stride and dilation 1, one group (multiplier 1), no output_padding.
        static const char *const win_name[4] = {"pad", "stride", "dilation", "output_padding"};
        static const int64_t win_default[4] = {0, 1, 1, 0};
        int64_t base = 1, group = 1;
        bool channel_last = false;
        const Shape *win[4] = {NULL, NULL, NULL, NULL}; // in win_name's order
        if (f->parameter_case == FUNCTION__PARAMETER_CONVOLUTION_PARAM) {
            const ConvolutionParameter *p = f->convolution_param;
            base = p->base_axis, group = p->group, channel_last = p->channel_last;
            win[0] = p->pad, win[1] = p->stride, win[2] = p->dilation;
        } else if (f->parameter_case == FUNCTION__PARAMETER_DEPTHWISE_CONVOLUTION_PARAM) {
            const DepthwiseConvolutionParameter *p = f->depthwise_convolution_param;
            base = p->base_axis, group = p->multiplier;
            win[0] = p->pad, win[1] = p->stride, win[2] = p->dilation;
        } else if (f->parameter_case == FUNCTION__PARAMETER_DECONVOLUTION_PARAM) {
            const DeconvolutionParameter *p = f->deconvolution_param;
            base = p->base_axis, group = p->group, channel_last = p->channel_last;
            win[0] = p->pad, win[1] = p->stride, win[2] = p->dilation, win[3] = p->output_padding;
        }
        if (base < 0) base += in.ndim + 1; // nnabla counts negative axes from the end
        if (base != 1) {
            snprintf(why, why_size,
                     "base_axis %lld: only 1 (one sample per batch row) is supported",
                     (long long)base);
            return false;
        }
        if (channel_last) {
            snprintf(why, why_size, "channel_last inputs are not supported");
            return false;
        }
        int spatial = in.ndim - 1;
        if (spatial < 1 || spatial > 2) {
            snprintf(why, why_size, "needs (C, W) or (C, H, W) samples, not %d dimensions",
                     in.ndim);
            return false;
        }
        attr->window.ndim = spatial;
        attr->window.group = group == 0 ? 1 : group; // proto3 reads an unwritten field as 0
        int64_t *dst[4] = {attr->window.pad, attr->window.stride, attr->window.dilation,
                           attr->window.output_padding};
        for (int k = 0; k < 4; k++) {
            bool given = win[k] && win[k]->n_dim > 0;
            if (given && win[k]->n_dim != (size_t)spatial) {
                snprintf(why, why_size, "%s has %zu values for %d spatial dimensions", win_name[k],
                         win[k]->n_dim, spatial);
                return false;
            }
            for (int d = 0; d < spatial; d++) dst[k][d] = given ? win[k]->dim[d] : win_default[k];
        }
        return true;
    }
    // [pooling and normalization attributes]
    case SGDI_OP_MAX_POOLING:
    case SGDI_OP_AVERAGE_POOLING:
    case SGDI_OP_SUM_POOLING: {
        // nnabla's defaults: stride = kernel, no padding, ignore_border and including_pad.
        // Inside a written parameter an absent bool is false (nnabla's writer omits them).
        const Shape *kernel = NULL, *stride = NULL, *pad = NULL;
        bool channel_last = false;
        attr->window.ignore_border = attr->window.including_pad = true;
        if (f->parameter_case == FUNCTION__PARAMETER_MAX_POOLING_PARAM) {
            const MaxPoolingParameter *p = f->max_pooling_param;
            kernel = p->kernel, stride = p->stride, pad = p->pad;
            attr->window.ignore_border = p->ignore_border, channel_last = p->channel_last;
        } else if (f->parameter_case == FUNCTION__PARAMETER_AVERAGE_POOLING_PARAM) {
            const AveragePoolingParameter *p = f->average_pooling_param;
            kernel = p->kernel, stride = p->stride, pad = p->pad;
            attr->window.ignore_border = p->ignore_border, channel_last = p->channel_last;
            attr->window.including_pad = p->including_pad;
        } else if (f->parameter_case == FUNCTION__PARAMETER_SUM_POOLING_PARAM) {
            const SumPoolingParameter *p = f->sum_pooling_param;
            kernel = p->kernel, stride = p->stride, pad = p->pad;
            attr->window.ignore_border = p->ignore_border, channel_last = p->channel_last;
        }
        if (channel_last) {
            snprintf(why, why_size, "channel_last: only channel-first pooling is supported");
            return false;
        }
        if (!kernel || kernel->n_dim < 1 || kernel->n_dim > 2) {
            snprintf(why, why_size, "kernel of %zu dims: only 1-D and 2-D pooling are supported",
                     kernel ? kernel->n_dim : (size_t)0);
            return false;
        }
        size_t nd = kernel->n_dim;
        if ((stride && stride->n_dim && stride->n_dim != nd) ||
            (pad && pad->n_dim && pad->n_dim != nd)) {
            snprintf(why, why_size, "stride or pad has another length than the kernel (%zu)", nd);
            return false;
        }
        attr->window.ndim = (int)nd;
        for (size_t k = 0; k < nd; k++) {
            attr->window.kernel[k] = kernel->dim[k];
            attr->window.stride[k] = stride && stride->n_dim ? stride->dim[k] : kernel->dim[k];
            attr->window.pad[k] = pad && pad->n_dim ? pad->dim[k] : 0;
        }
        return true;
    }
    case SGDI_OP_BATCH_NORMALIZATION: {
        // nnabla's defaults for an absent parameter: axes [1], decay_rate 0.9, eps 1e-5,
        // batch_stat true.
        int64_t bn_axis = 1;
        attr->norm = (sgdi_norm_attr){.decay_rate = 0.9, .eps = 1e-5, .batch_stat = true};
        if (f->parameter_case == FUNCTION__PARAMETER_BATCH_NORMALIZATION_PARAM) {
            const BatchNormalizationParameter *p = f->batch_normalization_param;
            if (p->n_axes > 1) {
                snprintf(why, why_size, "normalises per %zu axes; only one is supported",
                         p->n_axes);
                return false;
            }
            if (p->n_axes == 1) bn_axis = p->axes[0];
            attr->norm.decay_rate = p->decay_rate, attr->norm.eps = p->eps;
            attr->norm.batch_stat = p->batch_stat;
            attr->norm.no_scale = p->no_scale, attr->norm.no_bias = p->no_bias;
        }
        if (!per_sample_axis(bn_axis, in.ndim, &attr->norm.axis)) {
            snprintf(why, why_size, "axis %lld is the batch axis", (long long)bn_axis);
            return false;
        }
        if (!(attr->norm.eps > 0) || !(attr->norm.decay_rate >= 0 && attr->norm.decay_rate <= 1)) {
            snprintf(why, why_size, "eps %g must be positive and decay_rate %g in [0, 1]",
                     attr->norm.eps, attr->norm.decay_rate);
            return false;
        }
        return true;
    }
    case SGDI_OP_IMAGE_AUGMENTATION: {
        // Only a crop of the zero-padded image and flips have a per-sample, replayable
        // meaning here (src/ops/image_augmentation.c); every other transformation is refused.
        const ImageAugmentationParameter *p =
            f->parameter_case == FUNCTION__PARAMETER_IMAGE_AUGMENTATION_PARAM
                ? f->image_augmentation_param
                : NULL;
        if (!p || !p->shape || p->shape->n_dim < 2 || p->shape->n_dim > (size_t)in.ndim) {
            snprintf(why, why_size, "needs an output shape of 2 to %d dims", in.ndim);
            return false;
        }
        size_t n = p->shape->n_dim;
        for (size_t k = 0; k + 2 < n; k++)
            if (p->shape->dim[k] != in.dim[(size_t)in.ndim - n + k]) {
                snprintf(why, why_size, "shape changes dim %zu, not only height and width", k);
                return false;
            }
        attr->augment.out_h = p->shape->dim[n - 2], attr->augment.out_w = p->shape->dim[n - 1];
        if (p->pad && p->pad->n_dim) {
            if (p->pad->n_dim != 2) {
                snprintf(why, why_size, "pad has %zu dims, expected 2", p->pad->n_dim);
                return false;
            }
            attr->augment.pad[0] = p->pad->dim[0], attr->augment.pad[1] = p->pad->dim[1];
        }
        // Scale-like fields default to 1; an omitted one reads 0 (proto3), accepted as 1.
        const struct {
            const char *name;
            float value, neutral;
        } fields[] = {{"min_scale", p->min_scale, 1},
                      {"max_scale", p->max_scale, 1},
                      {"aspect_ratio", p->aspect_ratio, 1},
                      {"contrast", p->contrast, 1},
                      {"angle", p->angle, 0},
                      {"distortion", p->distortion, 0},
                      {"brightness", p->brightness, 0},
                      {"noise", p->noise, 0}};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (fields[k].value != fields[k].neutral && fields[k].value != 0) {
                snprintf(why, why_size, "%s %g: only crops and flips are supported", fields[k].name,
                         (double)fields[k].value);
                return false;
            }
        attr->augment.flip_lr = p->flip_lr, attr->augment.flip_ud = p->flip_ud;
        attr->rng_stream = (uint32_t)(*dropout_streams)++; // random operators share the numbering
        return true;
    }
    // [slice attributes]
    case SGDI_OP_SLICE: {
        // nnabla's Slice (function/generic/slice.cpp): start/stop/step may leave out
        // leading axes (taken whole); otherwise the first entry is the batch axis.
        // Negative start/stop count from the end of the axis, stop is clamped to its
        // size, and 0x7fffffff stands for an omitted (None) value.
        const int64_t none = 0x7fffffff, every_batch = (int64_t)1 << 20; // options' largest
        size_t n = 0, axes = (size_t)in.ndim + 1;                        // batch included
        const int64_t *start = NULL, *stop = NULL, *step = NULL;
        if (f->parameter_case == FUNCTION__PARAMETER_SLICE_PARAM) {
            const SliceParameter *p = f->slice_param;
            n = p->n_start, start = p->start, stop = p->stop, step = p->step;
            if (p->n_stop != n || p->n_step != n) {
                snprintf(why, why_size, "start, stop and step have %zu, %zu and %zu entries", n,
                         p->n_stop, p->n_step);
                return false;
            }
        }
        if (n > axes) {
            snprintf(why, why_size, "has %zu entries for %zu axes (the batch included)", n, axes);
            return false;
        }
        for (int d = 0; d < in.ndim; d++)
            attr->slice.start[d] = 0, attr->slice.stop[d] = in.dim[d], attr->slice.step[d] = 1;
        for (size_t a = axes - n; a < axes; a++) {
            size_t e = a - (axes - n);
            int64_t first = start[e], end = stop[e], stride = step[e] == none ? 1 : step[e];
            if (stride <= 0) {
                snprintf(why, why_size, "step %lld on axis %zu: only positive steps are supported",
                         (long long)stride, a);
                return false;
            }
            if (a == 0) {
                // The run's batch size is not known here: only the whole batch is certain.
                if ((first != 0 && first != none) || stride != 1 ||
                    (end != none && end < every_batch)) {
                    snprintf(why, why_size,
                             "slices the batch axis (start %lld, stop %lld, step %lld); only the "
                             "whole batch is supported",
                             (long long)first, (long long)end, (long long)stride);
                    return false;
                }
                continue;
            }
            int64_t size = in.dim[a - 1];
            if (first < 0) first += size;
            if (end < 0) end += size;
            if (first == none) first = 0;
            if (end == none || end > size) end = size;
            if (first < 0 || first >= size || end <= first) {
                snprintf(why, why_size,
                         "start %lld, stop %lld on axis %zu (size %lld) select nothing or start "
                         "outside it",
                         (long long)start[e], (long long)stop[e], a, (long long)size);
                return false;
            }
            attr->slice.start[a - 1] = first, attr->slice.stop[a - 1] = end;
            attr->slice.step[a - 1] = stride;
        }
        return true;
    }
    default:
        return true;
    }
}
