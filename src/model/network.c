/*
 * network.c — an engine graph from the Network message of a .nnp file.
 *
 * Functions are taken in file order (nnabla writes them topologically). Each
 * input is a variable an earlier function wrote, a Parameter, or a data
 * variable bound by the optimizer's data_variable entries (data "x" is the
 * table's features, "y" its label). nnabla's axes count the batch dimension;
 * the engine's count per-sample dimensions, hence the "- 1" below, and an
 * operator that works across the batch is refused: scores need a per-sample
 * loss.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/error.h"
#include "util/name_index.h"

// SELU's constants, as nnabla defines them.
static const double SELU_SCALE = 1.05070098735548, SELU_ALPHA = 1.673263242354377;

// The names a network's functions are wired by: its declared variables (their index in
// the Network) and the graph's variables so far (their index in the graph), each the
// first of its name.
typedef struct names {
    sgdi_name_index decls, vars;
} names;

static const Variable *find_decl(const Network *net, const names *ix, const char *name) {
    int64_t i = sgdi_name_index_get(&ix->decls, name);
    return i < 0 ? NULL : net->variable[i];
}

// Graph variable `v`, named by the string `name` (which outlives the build), or -1 as is.
static int named_var(names *ix, int v, const char *name, sgdi_error *err) {
    if (v >= 0 && !sgdi_name_index_put(&ix->vars, name, v)) {
        sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory building the network");
        return -1;
    }
    return v;
}

// The shape of a declared variable: whole (parameters) or without its first,
// batch dimension (buffers).
static bool decl_shape(const Variable *decl, bool batched, sgdi_shape *out) {
    size_t first = batched ? 1 : 0;
    if (!decl->shape || decl->shape->n_dim < first || decl->shape->n_dim - first > SGDI_MAX_DIMS)
        return false;
    *out = (sgdi_shape){.ndim = (int)(decl->shape->n_dim - first)};
    for (int d = 0; d < out->ndim; d++) out->dim[d] = decl->shape->dim[first + (size_t)d];
    if (out->ndim == 0) *out = sgdi_shape1(1); // a per-sample scalar
    return true;
}

static bool same_shape(sgdi_shape a, sgdi_shape b) {
    int64_t ca = 1, cb = 1;
    for (int d = 0; d < a.ndim; d++) ca *= a.dim[d];
    for (int d = 0; d < b.ndim; d++) cb *= b.dim[d];
    return ca == cb; // nnabla's shapes may differ by unit dimensions, e.g. (-1,1) and (-1)
}

// --- Attributes ----------------------------------------------------------------------

// nnabla axis -> per-sample axis; fails for the batch axis.
static bool per_sample_axis(int64_t axis, int ndim, int *out) {
    if (axis < 0) axis += ndim + 1;
    if (axis < 1 || axis > ndim) return false;
    *out = (int)axis - 1;
    return true;
}

// Fills `attr` from the function's parameter message. `in` is the per-sample
// shape of input 0. On a value the engine cannot honour, writes why.
static bool function_attr(const Function *f, sgdi_op_kind kind, sgdi_shape in, sgdi_op_attr *attr,
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

// --- Inputs --------------------------------------------------------------------------

typedef struct binding {
    const char *x; // network variable bound to data "x"
    const char *y; // network variable bound to data "y"
} binding;

// The graph variable for input `name` of `f`, creating data and parameter
// variables on first use; -1 with err set if there is none.
static int input_var(sgdi_model *m, const binding *b, names *ix, const Function *f,
                     const char *name, sgdi_error *err) {
    sgdi_graph *g = &m->graph;
    int v = (int)sgdi_name_index_get(&ix->vars, name);
    if (v >= 0) return v;
    const Variable *decl = find_decl(m->network, ix, name);
    bool is_x = b->x && strcmp(name, b->x) == 0, is_y = b->y && strcmp(name, b->y) == 0;
    bool is_param = decl && strcmp(decl->type, "Parameter") == 0;
    sgdi_shape shape;
    if (!is_x && !is_y && !is_param) {
        sgdi_fail(err, SGDI_ERR_FORMAT,
                  "%s: network '%s': function '%s' (%s) reads '%s', which no earlier function "
                  "writes and no data_variable binds (an undefined input, or a cycle)",
                  m->path, m->network->name, f->name, f->type, name);
        return -1;
    }
    if (!decl || !decl_shape(decl, !is_param, &shape)) {
        sgdi_fail(err, SGDI_ERR_FORMAT, "%s: network '%s': variable '%s' has no usable shape",
                  m->path, m->network->name, name);
        return -1;
    }
    if (is_param) return named_var(ix, sgdi_graph_add_param(g, name, shape, err), name, err);
    v = named_var(ix, sgdi_graph_add_data(g, name, shape, err), name, err);
    if (is_x) g->input_var = v;
    if (is_y) g->target_var = v;
    return v;
}

// --- The graph -----------------------------------------------------------------------

static void note_unsupported(sgdi_model *m, const Function *f, const char *why) {
    size_t used = strlen(m->unsupported);
    if (used == 0)
        used = (size_t)snprintf(m->unsupported, sizeof m->unsupported,
                                "network '%s' uses what the engine cannot run:", m->network->name);
    if (used < sizeof m->unsupported)
        snprintf(m->unsupported + used, sizeof m->unsupported - used, " %s '%s' (%s);", f->type,
                 f->name, why);
}

static sgdi_status bind_parameters(sgdi_model *m, sgdi_error *err) {
    const sgdi_graph *g = &m->graph;
    m->theta0 = sgdi_alloc_array(g->n_params > 0 ? g->n_params : 1, sizeof(float));
    m->lr_mult = sgdi_alloc_array(g->n_params > 0 ? g->n_params : 1, sizeof(float));
    if (!m->theta0 || !m->lr_mult) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory");
    const Optimizer *opt = m->optimizer;
    for (int v = 0; v < g->n_vars; v++) {
        const sgdi_var *var = &g->vars[v];
        if (!var->is_param) continue;
        const sgdi_param_blob *blob = sgdi_param_list_find(&m->params, var->name);
        if (!blob)
            return sgdi_fail(err, SGDI_ERR_FORMAT, "%s: parameter '%s' is not in the file", m->path,
                             var->name);
        if (blob->count != var->count)
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: parameter '%s' holds %lld values, its variable's shape needs "
                             "%lld",
                             m->path, var->name, (long long)blob->count, (long long)var->count);
        memcpy(m->theta0 + var->param_offset, blob->data, (size_t)var->count * sizeof(float));
        // nnabla trains the parameters its optimizer lists (all, if it lists none).
        float mult = opt && opt->n_parameter_variable ? 0.0f : 1.0f;
        for (size_t k = 0; opt && k < opt->n_parameter_variable; k++)
            if (sgdi_repeat_name_matches(opt->parameter_variable[k]->variable_name, var->name))
                mult = opt->parameter_variable[k]->learning_rate_multiplier;
        if (!blob->need_grad) mult = 0.0f;
        for (int64_t i = 0; i < var->count; i++) m->lr_mult[var->param_offset + i] = mult;
    }
    return SGDI_OK;
}

static sgdi_status build(sgdi_model *m, names *ix, sgdi_error *err) {
    const Network *net = m->network;
    const Optimizer *opt = m->optimizer;
    sgdi_graph *g = &m->graph;
    binding b = {0};
    for (size_t k = 0; k < opt->n_data_variable && !m->unsupported[0]; k++) {
        const DataVariable *dv = opt->data_variable[k];
        const char **slot = strcmp(dv->data_name, "x") == 0   ? &b.x
                            : strcmp(dv->data_name, "y") == 0 ? &b.y
                                                              : NULL;
        if (!slot)
            snprintf(m->unsupported, sizeof m->unsupported,
                     "the optimizer reads data '%s'; a table provides only x and y", dv->data_name);
        else if (*slot)
            snprintf(m->unsupported, sizeof m->unsupported,
                     "data '%s' feeds two variables ('%s' and '%s'); only models whose loss "
                     "target is the label y are supported",
                     dv->data_name, *slot, dv->variable_name);
        else
            *slot = dv->variable_name;
    }
    if (m->unsupported[0]) return SGDI_OK;
    for (size_t i = 0; i < net->n_function; i++) {
        const Function *f = net->function[i];
        sgdi_op_kind kind = sgdi_op_find(f->type);
        if (kind == SGDI_OP_COUNT) {
            note_unsupported(m, f, "no such operator in the engine");
            continue;
        }
        if (m->unsupported[0]) continue; // keep listing what else is missing
        if (f->n_output != 1 || f->n_input < 1 || f->n_input > SGDI_MAX_PORTS) {
            note_unsupported(m, f, "takes an unsupported number of inputs or outputs");
            continue;
        }
        int inputs[SGDI_MAX_PORTS];
        for (size_t k = 0; k < f->n_input; k++)
            if ((inputs[k] = input_var(m, &b, ix, f, f->input[k], err)) < 0)
                return err ? err->status : SGDI_ERR_FORMAT;
        sgdi_op_attr attr;
        char why[160];
        if (!function_attr(f, kind, g->vars[inputs[0]].shape, &attr, &g->n_dropout, why,
                           sizeof why)) {
            note_unsupported(m, f, why);
            continue;
        }
        int out = named_var(
            ix, sgdi_graph_apply(g, kind, &attr, inputs, (int)f->n_input, f->output[0], err),
            f->output[0], err);
        if (out < 0) return err ? err->status : SGDI_ERR_FORMAT;
        const Variable *decl = find_decl(net, ix, f->output[0]);
        sgdi_shape declared;
        if (decl && decl_shape(decl, true, &declared) && !same_shape(declared, g->vars[out].shape))
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "%s: network '%s': '%s' is declared with another shape than "
                             "function '%s' (%s) gives it",
                             m->path, net->name, f->output[0], f->name, f->type);
    }
    size_t len = strlen(m->unsupported);
    if (len && m->unsupported[len - 1] == ';') m->unsupported[len - 1] = '.'; // end the list
    if (m->unsupported[0]) return SGDI_OK;
    const char *loss = opt->n_loss_variable ? opt->loss_variable[0]->variable_name : NULL;
    if (!loss || (g->loss_var = (int)sgdi_name_index_get(&ix->vars, loss)) < 0 ||
        g->vars[g->loss_var].is_param)
        snprintf(m->unsupported, sizeof m->unsupported,
                 "the optimizer's loss variable '%s' is not computed by network '%s'",
                 loss ? loss : "(none)", net->name);
    else if (g->input_var < 0 || g->target_var < 0)
        snprintf(m->unsupported, sizeof m->unsupported,
                 "network '%s' does not read both data x and y through the optimizer's "
                 "data_variable entries",
                 net->name);
    else if (g->vars[g->target_var].count != 1)
        snprintf(m->unsupported, sizeof m->unsupported,
                 "the label variable '%s' holds %lld values per sample; a table's y is one",
                 g->vars[g->target_var].name, (long long)g->vars[g->target_var].count);
    sgdi_status st = bind_parameters(m, err);
    if (st == SGDI_OK) m->graph_built = true;
    return st;
}

sgdi_status sgdi_model_build_graph(sgdi_model *m, sgdi_error *err) {
    sgdi_graph_init(&m->graph);
    names ix = {0};
    const Network *net = m->network;
    sgdi_status st = SGDI_OK;
    for (size_t i = 0; i < net->n_variable && st == SGDI_OK; i++)
        if (!sgdi_name_index_put(&ix.decls, net->variable[i]->name, (int64_t)i))
            st = sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory building the network");
    if (st == SGDI_OK) st = build(m, &ix, err);
    sgdi_name_index_free(&ix.decls), sgdi_name_index_free(&ix.vars);
    return st;
}
