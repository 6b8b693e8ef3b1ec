/*
 * test_ops_f32.c — the operators as the library builds them (sgdi_real =
 * float): infer_shape's results and one-line reasons, Dropout's mask (the
 * documented counter layout; a function of the dataset row, not of the slot
 * in the batch), and float kernels against plain double-precision loops.
 *
 * The derivatives are tested in double precision by test_ops.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "test_support.h"
#include "util/rng.h"

static sgdi_test_rng rng = {0x0f32f32ULL};

static double normal(void) {
    return sgdi_test_rng_normal(&rng);
}
static sgdi_shape shp(int ndim, int64_t d0, int64_t d1, int64_t d2) {
    sgdi_shape s = {.ndim = ndim, .dim = {d0, d1, d2}};
    return s;
}

// infer_shape: the expected output shapes, and one-line reasons for bad inputs.
static sgdi_status infer(sgdi_op_kind kind, const sgdi_op_attr *attr, int n_in,
                         const sgdi_shape *in, sgdi_shape *out, char *msg) {
    bool batched[4 + 1] = {true, false, false, true, true};
    if (kind != SGDI_OP_AFFINE) batched[1] = batched[2] = true;
    msg[0] = '\0';
    return sgdi_op_table[kind].infer_shape(attr, in, batched, n_in, out, 1, msg, 256);
}

static void test_infer_shape(void) {
    char msg[256];
    sgdi_shape out, in[4 + 1];
    sgdi_op_attr attr = {0};
    // Affine base_axis 1: x (2, 3, 4), W (12, 5, 6) -> (2, 5, 6)
    in[0] = shp(3, 2, 3, 4), in[1] = shp(3, 12, 5, 6);
    attr.base_axis = 1;
    CHECK(infer(SGDI_OP_AFFINE, &attr, 2, in, &out, msg) == SGDI_OK);
    CHECK(out.ndim == 3 && out.dim[0] == 2 && out.dim[1] == 5 && out.dim[2] == 6);
    in[1] = shp(2, 11, 5, 0);
    CHECK(infer(SGDI_OP_AFFINE, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. Affine: %s\n", msg);
    in[1] = shp(2, 12, 5, 0), in[2] = shp(1, 4, 0, 0);
    CHECK(infer(SGDI_OP_AFFINE, &attr, 3, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    CHECK(infer(SGDI_OP_AFFINE, &attr, 1, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.base_axis = 3;
    CHECK(infer(SGDI_OP_AFFINE, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.base_axis = 0;
    // SoftmaxCrossEntropy: x (4, 3) axis 1 -> t and l (4, 1)
    in[0] = shp(2, 4, 3, 0), in[1] = shp(2, 4, 1, 0);
    attr.axis = 1;
    CHECK(infer(SGDI_OP_SOFTMAX_CROSS_ENTROPY, &attr, 2, in, &out, msg) == SGDI_OK);
    CHECK(out.ndim == 2 && out.dim[0] == 4 && out.dim[1] == 1);
    in[1] = shp(2, 1, 3, 0);
    CHECK(infer(SGDI_OP_SOFTMAX_CROSS_ENTROPY, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT);
    printf("  e.g. SoftmaxCrossEntropy: %s\n", msg);
    CHECK(infer(SGDI_OP_CATEGORICAL_CROSS_ENTROPY, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT);
    attr.axis = 2;
    CHECK(infer(SGDI_OP_SOFTMAX, &attr, 1, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.axis = 0;
    // Sum over dims 0 and 2 of (2, 3, 4): (3) or (1, 3, 1); a mask bit past ndim fails
    in[0] = shp(3, 2, 3, 4);
    attr.axes_mask = 0x5;
    CHECK(infer(SGDI_OP_SUM, &attr, 1, in, &out, msg) == SGDI_OK);
    CHECK(out.ndim == 1 && out.dim[0] == 3);
    attr.keep_dims = true;
    CHECK(infer(SGDI_OP_MEAN, &attr, 1, in, &out, msg) == SGDI_OK);
    CHECK(out.ndim == 3 && out.dim[0] == 1 && out.dim[1] == 3 && out.dim[2] == 1);
    attr.axes_mask = 0x8;
    CHECK(infer(SGDI_OP_SUM, &attr, 1, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.axes_mask = 0;
    // elementwise pairs must match; Dropout needs 0 <= p < 1; zero dims are refused
    in[0] = shp(1, 3, 0, 0), in[1] = shp(1, 4, 0, 0);
    CHECK(infer(SGDI_OP_SQUARED_ERROR, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    CHECK(infer(SGDI_OP_BINARY_CROSS_ENTROPY, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT);
    CHECK(infer(SGDI_OP_SIGMOID_CROSS_ENTROPY, &attr, 2, in, &out, msg) == SGDI_ERR_FORMAT);
    attr.p = 1.0;
    CHECK(infer(SGDI_OP_DROPOUT, &attr, 1, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.p = 0.5;
    in[0] = shp(2, 3, 0, 0);
    CHECK(infer(SGDI_OP_RELU, &attr, 1, in, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    // every operator refuses one input too many
    for (int k = 0; k < SGDI_OP_COUNT; k++) {
        const sgdi_op_def *d = &sgdi_op_table[k];
        if (!d->infer_shape || d->max_inputs >= 4) continue;
        for (int i = 0; i <= d->max_inputs; i++) in[i] = shp(1, 3, 0, 0);
        CHECK_MSG(infer((sgdi_op_kind)k, &attr, d->max_inputs + 1, in, &out, msg) ==
                          SGDI_ERR_FORMAT &&
                      msg[0],
                  "%s accepts %d inputs", d->name, d->max_inputs + 1);
    }
}

// Dropout's mask: the documented counter layout, and a function of the row, not the slot.
static void test_dropout_mask(void) {
    sgdi_exec_ctx ctx = {.seed = 0x123456789abcULL, .step = (1ULL << 32) + 5, .training = true};
    // keep iff uniform24(philox(seed, (e >> 2, row, step, DROPOUT | stream))[e & 3]) >= p
    for (int64_t e = 0; e < 50; e++) {
        uint32_t ctr[4] = {(uint32_t)(e >> 2), 77u, 5u, SGDI_RNG_DROPOUT | 2u}, o[4];
        sgdi_philox(ctx.seed, ctr, o);
        CHECK(sgdi_dropout_keep(&ctx, 2, 77, e, 0.4) == (sgdi_uniform24(o[e & 3]) >= 0.4));
    }
    // the kept fraction is about 1 - p; a different stream, step or seed gives another mask
    int kept = 0, diff_stream = 0, diff_step = 0, diff_seed = 0;
    sgdi_exec_ctx other_step = ctx, other_seed = ctx;
    other_step.step++;
    other_seed.seed++;
    for (int64_t e = 0; e < 4000; e++) {
        bool k = sgdi_dropout_keep(&ctx, 0, 9, e, 0.5);
        kept += k;
        diff_stream += k != sgdi_dropout_keep(&ctx, 1, 9, e, 0.5);
        diff_step += k != sgdi_dropout_keep(&other_step, 0, 9, e, 0.5);
        diff_seed += k != sgdi_dropout_keep(&other_seed, 0, 9, e, 0.5);
    }
    CHECK_MSG(kept > 1800 && kept < 2200, "kept %d of 4000", kept);
    CHECK(diff_stream > 1000 && diff_step > 1000 && diff_seed > 1000);

    // forward over a batch: training scales kept values by 1 / (1 - p), zeroes the others;
    // permuting the batch (rows and data together) permutes the output; evaluation copies.
    enum { B = 3, N = 16 };
    int64_t rows[B] = {40, 2, 17}, rows_perm[B] = {17, 40, 2};
    sgdi_real x[B * N], xp[B * N], y[B * N], yp[B * N];
    for (int i = 0; i < B * N; i++) x[i] = (sgdi_real)normal();
    for (int e = 0; e < N; e++) // slot 0 <- row 17 (slot 2), 1 <- 40 (slot 0), 2 <- 2 (slot 1)
        xp[0 * N + e] = x[2 * N + e], xp[1 * N + e] = x[0 * N + e], xp[2 * N + e] = x[1 * N + e];
    sgdi_op_attr attr = {.p = 0.25, .rng_stream = 3};
    sgdi_port in = {.val = x, .shape = shp(1, N, 0, 0), .count = N, .batched = true};
    sgdi_port out = {.val = y, .shape = in.shape, .count = N, .batched = true};
    ctx.rows = rows;
    sgdi_op_call call = {
        .attr = &attr, .ctx = &ctx, .in = &in, .n_in = 1, .out = &out, .n_out = 1, .batch = B};
    sgdi_op_table[SGDI_OP_DROPOUT].forward(&call);
    int zeros = 0;
    for (int b = 0; b < B; b++)
        for (int e = 0; e < N; e++) {
            bool keep = sgdi_dropout_keep(&ctx, 3, rows[b], e, 0.25);
            CHECK(y[b * N + e] == (keep ? (sgdi_real)(1 / 0.75) * x[b * N + e] : 0));
            zeros += !keep;
        }
    CHECK(zeros > 0 && zeros < B * N);
    in.val = xp, out.val = yp, ctx.rows = rows_perm;
    sgdi_op_table[SGDI_OP_DROPOUT].forward(&call);
    for (int e = 0; e < N; e++)
        CHECK(yp[0 * N + e] == y[2 * N + e] && yp[1 * N + e] == y[0 * N + e] &&
              yp[2 * N + e] == y[1 * N + e]);
    ctx.training = false;
    ctx.rows = NULL;
    sgdi_op_table[SGDI_OP_DROPOUT].forward(&call);
    CHECK(memcmp(yp, xp, sizeof yp) == 0);
}

// Affine and SoftmaxCrossEntropy in float against double loops: a logreg step.
static void test_float_kernels(void) {
    enum { B = 5, I = 7, C = 4 };
    sgdi_real x[B * I], w[I * C], b[C], z[B * C], t[B], l[B], l_bar[B], z_bar[B * C];
    sgdi_real w_bar[I * C] = {0};
    for (int i = 0; i < B * I; i++) x[i] = (sgdi_real)normal();
    for (int i = 0; i < I * C; i++) w[i] = (sgdi_real)normal();
    for (int i = 0; i < C; i++) b[i] = (sgdi_real)normal();
    for (int i = 0; i < B; i++) t[i] = (sgdi_real)(i % C), l_bar[i] = 1;
    memset(z_bar, 0, sizeof z_bar);
    sgdi_op_attr attr = {0};
    sgdi_exec_ctx ctx = {0};
    sgdi_port aff_in[3] = {{.val = x, .shape = shp(1, I, 0, 0), .count = I, .batched = true},
                           {.val = w, .adj = w_bar, .shape = shp(2, I, C, 0), .count = I * C},
                           {.val = b, .shape = shp(1, C, 0, 0), .count = C}};
    sgdi_port aff_out = {
        .val = z, .adj = z_bar, .shape = shp(1, C, 0, 0), .count = C, .batched = true};
    sgdi_port sce_in[2] = {
        {.val = z, .adj = z_bar, .shape = shp(1, C, 0, 0), .count = C, .batched = true},
        {.val = t, .shape = shp(1, 1, 0, 0), .count = 1, .batched = true}};
    sgdi_port sce_out = {
        .val = l, .adj = l_bar, .shape = shp(1, 1, 0, 0), .count = 1, .batched = true};
    sgdi_op_call aff = {.attr = &attr,
                        .ctx = &ctx,
                        .in = aff_in,
                        .n_in = 3,
                        .out = &aff_out,
                        .n_out = 1,
                        .batch = B};
    sgdi_op_call sce = {.attr = &attr,
                        .ctx = &ctx,
                        .in = sce_in,
                        .n_in = 2,
                        .out = &sce_out,
                        .n_out = 1,
                        .batch = B};
    sgdi_op_table[SGDI_OP_AFFINE].forward(&aff);
    sgdi_op_table[SGDI_OP_SOFTMAX_CROSS_ENTROPY].forward(&sce);
    sgdi_op_table[SGDI_OP_SOFTMAX_CROSS_ENTROPY].backward(&sce);
    sgdi_op_table[SGDI_OP_AFFINE].backward(&aff);
    double ref_w_bar[I * C] = {0}, err_z = 0, err_l = 0, err_w = 0;
    for (int s = 0; s < B; s++) {
        double zr[C], m = -INFINITY, sum = 0;
        for (int o = 0; o < C; o++) {
            zr[o] = b[o];
            for (int i = 0; i < I; i++) zr[o] += (double)x[s * I + i] * w[i * C + o];
            err_z = fmax(err_z, fabs(zr[o] - z[s * C + o]));
            m = fmax(m, zr[o]);
        }
        for (int o = 0; o < C; o++) sum += exp(zr[o] - m);
        int label = (int)t[s];
        err_l = fmax(err_l, fabs(m + log(sum) - zr[label] - l[s]));
        for (int o = 0; o < C; o++) {
            double g = exp(zr[o] - m) / sum - (o == label);
            for (int i = 0; i < I; i++) ref_w_bar[i * C + o] += x[s * I + i] * g;
        }
    }
    for (int k = 0; k < I * C; k++) err_w = fmax(err_w, fabs(ref_w_bar[k] - w_bar[k]));
    printf("  float vs double: affine %.2e, softmax cross entropy %.2e, dL/dW %.2e\n", err_z, err_l,
           err_w);
    CHECK(err_z < 1e-5 && err_l < 1e-5 && err_w < 1e-5);
}

// Large elementwise calls take the threaded path: every element as the serial formula.
static void test_threaded_elementwise(void) {
    enum { B = 2, N = 1 << 16 };
    sgdi_real *x = malloc(B * N * sizeof *x), *y = malloc(B * N * sizeof *y);
    sgdi_real *y_bar = malloc(B * N * sizeof *y), *x_bar = calloc(B * N, sizeof *x);
    if (!x || !y || !y_bar || !x_bar) abort();
    for (int i = 0; i < B * N; i++) x[i] = (sgdi_real)normal(), y_bar[i] = 1;
    sgdi_op_attr attr = {0};
    sgdi_port in = {.val = x, .adj = x_bar, .shape = shp(1, N, 0, 0), .count = N, .batched = true};
    sgdi_port out = {.val = y, .adj = y_bar, .shape = in.shape, .count = N, .batched = true};
    sgdi_op_call call = {.attr = &attr, .in = &in, .n_in = 1, .out = &out, .n_out = 1, .batch = B};
    sgdi_op_table[SGDI_OP_TANH].forward(&call);
    sgdi_op_table[SGDI_OP_TANH].backward(&call);
    int bad = 0;
    for (int i = 0; i < B * N; i++) {
        sgdi_real t = tanhf(x[i]);
        bad += y[i] != t || x_bar[i] != 1 - t * t;
    }
    CHECK_MSG(bad == 0, "%d of %d elements differ", bad, B * N);
    free(x), free(y), free(y_bar), free(x_bar);
}

// infer_shape with explicit batched flags.
static sgdi_status infer_b(sgdi_op_kind kind, const sgdi_op_attr *attr, int n_in,
                           const sgdi_shape *in, const bool *batched, sgdi_shape *out, char *msg) {
    msg[0] = '\0';
    return sgdi_op_table[kind].infer_shape(attr, in, batched, n_in, out, 1, msg, 256);
}

static bool shape_is(const sgdi_shape *s, int ndim, int64_t d0, int64_t d1, int64_t d2) {
    sgdi_shape t = shp(ndim, d0, d1, d2);
    if (s->ndim != ndim) return false;
    for (int k = 0; k < ndim; k++)
        if (s->dim[k] != t.dim[k]) return false;
    return true;
}

// Broadcasting of the binary operators, Reshape's target, Concatenate, attribute checks.
static void test_infer_shape_more(void) {
    char msg[256];
    sgdi_shape out, in[3];
    sgdi_op_attr attr = {0};
    const bool bb[2] = {true, true}, bp[2] = {true, false}, pb[2] = {false, true};
    const bool pp[2] = {false, false};
    // per-sample broadcasting of both sides; a (1, C) parameter; a parameter padded left
    in[0] = shp(3, 2, 1, 4), in[1] = shp(3, 1, 3, 1);
    CHECK(infer_b(SGDI_OP_MUL2, &attr, 2, in, bb, &out, msg) == SGDI_OK);
    CHECK(shape_is(&out, 3, 2, 3, 4));
    in[0] = shp(2, 1, 3, 0), in[1] = shp(1, 3, 0, 0);
    CHECK(infer_b(SGDI_OP_ADD2, &attr, 2, in, pb, &out, msg) == SGDI_OK &&
          shape_is(&out, 1, 3, 0, 0));
    in[0] = shp(2, 2, 3, 0), in[1] = shp(1, 3, 0, 0);
    CHECK(infer_b(SGDI_OP_SUB2, &attr, 2, in, bp, &out, msg) == SGDI_OK);
    CHECK(shape_is(&out, 2, 2, 3, 0));
    // refused: a dim that neither matches nor is 1; batched inputs of different ndim; a
    // parameter's leading dim facing the batch that is not 1; two parameters
    in[1] = shp(1, 4, 0, 0);
    CHECK(infer_b(SGDI_OP_ADD2, &attr, 2, in, bp, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. Add2: %s\n", msg);
    in[1] = shp(1, 3, 0, 0);
    CHECK(infer_b(SGDI_OP_ADD2, &attr, 2, in, bb, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    in[0] = shp(1, 3, 0, 0), in[1] = shp(2, 2, 3, 0);
    CHECK(infer_b(SGDI_OP_DIV2, &attr, 2, in, bp, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. Div2: %s\n", msg);
    CHECK(infer_b(SGDI_OP_MUL2, &attr, 2, in, pp, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    // Reshape: counts must agree; one -1 is inferred
    in[0] = shp(3, 2, 3, 4);
    attr.shape = shp(2, 4, -1, 0);
    CHECK(infer_b(SGDI_OP_RESHAPE, &attr, 1, in, bb, &out, msg) == SGDI_OK);
    CHECK(shape_is(&out, 2, 4, 6, 0));
    attr.shape = shp(2, 5, 5, 0);
    CHECK(infer_b(SGDI_OP_RESHAPE, &attr, 1, in, bb, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. Reshape: %s\n", msg);
    attr.shape = shp(2, -1, -1, 0);
    CHECK(infer_b(SGDI_OP_RESHAPE, &attr, 1, in, bb, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.shape = shp(2, 5, -1, 0);
    CHECK(infer_b(SGDI_OP_RESHAPE, &attr, 1, in, bb, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    // Concatenate: only dim `axis` may differ
    in[0] = shp(2, 2, 3, 0), in[1] = shp(2, 2, 5, 0), in[2] = shp(2, 2, 1, 0);
    attr.axis = 1;
    const bool b3[3] = {true, true, true};
    CHECK(infer_b(SGDI_OP_CONCATENATE, &attr, 3, in, b3, &out, msg) == SGDI_OK);
    CHECK(shape_is(&out, 2, 2, 9, 0));
    attr.axis = 0;
    CHECK(infer_b(SGDI_OP_CONCATENATE, &attr, 3, in, b3, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. Concatenate: %s\n", msg);
    attr.axis = 2;
    CHECK(infer_b(SGDI_OP_LOG_SOFTMAX, &attr, 1, in, b3, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.axis = 0;
    // attribute checks, and elementwise operators on a parameter alone
    in[0] = shp(1, 3, 0, 0);
    CHECK(infer_b(SGDI_OP_SOFTPLUS, &attr, 1, in, bb, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    CHECK(infer_b(SGDI_OP_SELU, &attr, 1, in, bb, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    attr.alpha = -1;
    CHECK(infer_b(SGDI_OP_R_POW_SCALAR, &attr, 1, in, bb, &out, msg) == SGDI_ERR_FORMAT);
    CHECK(infer_b(SGDI_OP_EXP, &attr, 1, in, pp, &out, msg) == SGDI_ERR_FORMAT && msg[0]);
    printf("  e.g. Exp: %s\n", msg);
}

// The new elementwise operators in float against double formulas (y and dy/dx).
typedef struct ew_ref {
    sgdi_op_kind kind;
    double alpha, scale, beta;
    bool positive; // x in [0.5, 2] rather than N(0, 1)
} ew_ref;

static double ew_value(const ew_ref *r, double x, double *d1) {
    double v = r->alpha, s = 1 / (1 + exp(-x));
    switch (r->kind) {
    case SGDI_OP_ADD_SCALAR:
        *d1 = 1;
        return x + v;
    case SGDI_OP_MUL_SCALAR:
        *d1 = v;
        return v * x;
    case SGDI_OP_POW_SCALAR:
        *d1 = v * pow(x, v - 1);
        return pow(x, v);
    case SGDI_OP_R_SUB_SCALAR:
        *d1 = -1;
        return v - x;
    case SGDI_OP_R_DIV_SCALAR:
        *d1 = -v / (x * x);
        return v / x;
    case SGDI_OP_R_POW_SCALAR:
        *d1 = log(v) * pow(v, x);
        return pow(v, x);
    case SGDI_OP_SWISH:
        *d1 = s + x * s * (1 - s);
        return x * s;
    case SGDI_OP_SELU:
        *d1 = x > 0 ? r->scale : r->scale * v * exp(x);
        return x > 0 ? r->scale * x : r->scale * v * (exp(x) - 1);
    case SGDI_OP_SOFTPLUS:
        *d1 = 1 / (1 + exp(-r->beta * x));
        return log1p(exp(r->beta * x)) / r->beta;
    case SGDI_OP_ABS:
        *d1 = x > 0 ? 1 : -1;
        return fabs(x);
    case SGDI_OP_EXP:
        *d1 = exp(x);
        return exp(x);
    case SGDI_OP_LOG:
        *d1 = 1 / x;
        return log(x);
    default:
        *d1 = NAN;
        return NAN;
    }
}

static void test_float_elementwise(void) {
    enum { B = 3, N = 20 };
    static const ew_ref refs[] = {
        {SGDI_OP_ADD_SCALAR, 1.5, 0, 0, false},
        {SGDI_OP_MUL_SCALAR, -0.3, 0, 0, false},
        {SGDI_OP_POW_SCALAR, 3, 0, 0, false},
        {SGDI_OP_POW_SCALAR, -1.5, 0, 0, true},
        {SGDI_OP_R_SUB_SCALAR, 2, 0, 0, false},
        {SGDI_OP_R_DIV_SCALAR, 1.5, 0, 0, true},
        {SGDI_OP_R_POW_SCALAR, 0.5, 0, 0, false},
        {SGDI_OP_SWISH, 0, 0, 0, false},
        {SGDI_OP_SELU, 1.673263242354377, 1.05070098735548, 0, false},
        {SGDI_OP_SOFTPLUS, 0, 0, 2.5, false},
        {SGDI_OP_ABS, 0, 0, 0, false},
        {SGDI_OP_EXP, 0, 0, 0, false},
        {SGDI_OP_LOG, 0, 0, 0, true},
    };
    double worst = 0;
    for (size_t r = 0; r < sizeof refs / sizeof refs[0]; r++) {
        const ew_ref *ref = &refs[r];
        sgdi_real x[B * N], y[B * N], ones[B * N], x_bar[B * N];
        for (int i = 0; i < B * N; i++) {
            x[i] = (sgdi_real)(ref->positive ? 0.5 + 1.5 * sgdi_test_rng_unif(&rng) : normal());
            ones[i] = 1, x_bar[i] = 0;
        }
        sgdi_op_attr attr = {.alpha = ref->alpha, .scale = ref->scale, .beta = ref->beta};
        sgdi_port in = {
            .val = x, .adj = x_bar, .shape = shp(1, N, 0, 0), .count = N, .batched = true};
        sgdi_port out = {.val = y, .adj = ones, .shape = in.shape, .count = N, .batched = true};
        sgdi_op_call call = {
            .attr = &attr, .in = &in, .n_in = 1, .out = &out, .n_out = 1, .batch = B};
        sgdi_op_table[ref->kind].forward(&call);
        sgdi_op_table[ref->kind].backward(&call);
        double err = 0;
        for (int i = 0; i < B * N; i++) {
            double d1, v = ew_value(ref, x[i], &d1);
            err = fmax(err, fabs(v - y[i]) / fmax(fabs(v), 1));
            err = fmax(err, fabs(d1 - x_bar[i]) / fmax(fabs(d1), 1));
        }
        CHECK_MSG(err < 1e-5, "%s: float vs double %.3g", sgdi_op_table[ref->kind].name, err);
        worst = fmax(worst, err);
    }
    printf("  float vs double, elementwise operators: largest relative error %.2e\n", worst);
}

// Mul2 with a (1, C) parameter over x (B, R, C), LogSoftmax, Concatenate in float.
static void test_float_broadcast(void) {
    enum { B = 4, R = 3, C = 5 };
    sgdi_real x[B * R * C], w[C], y[B * R * C], y_bar[B * R * C], x_bar[B * R * C] = {0};
    sgdi_real w_bar[C] = {0};
    for (int i = 0; i < B * R * C; i++) x[i] = (sgdi_real)normal(), y_bar[i] = (sgdi_real)normal();
    for (int c = 0; c < C; c++) w[c] = (sgdi_real)normal();
    sgdi_op_attr attr = {0};
    sgdi_port in[2] = {
        {.val = x, .adj = x_bar, .shape = shp(2, R, C, 0), .count = R * C, .batched = true},
        {.val = w, .adj = w_bar, .shape = shp(2, 1, C, 0), .count = C}};
    sgdi_port out = {
        .val = y, .adj = y_bar, .shape = shp(2, R, C, 0), .count = R * C, .batched = true};
    sgdi_op_call call = {.attr = &attr, .in = in, .n_in = 2, .out = &out, .n_out = 1, .batch = B};
    sgdi_op_table[SGDI_OP_MUL2].forward(&call);
    sgdi_op_table[SGDI_OP_MUL2].backward(&call);
    double err_y = 0, err_x = 0, err_w = 0, ref_w[C] = {0};
    for (int i = 0; i < B * R * C; i++) {
        int c = i % C;
        err_y = fmax(err_y, fabs((double)x[i] * w[c] - y[i]));
        err_x = fmax(err_x, fabs((double)w[c] * y_bar[i] - x_bar[i]));
        ref_w[c] += (double)x[i] * y_bar[i];
    }
    for (int c = 0; c < C; c++) err_w = fmax(err_w, fabs(ref_w[c] - w_bar[c]));
    // LogSoftmax along C of x (B, R, C)
    attr.axis = 1;
    sgdi_op_call ls = {.attr = &attr, .in = in, .n_in = 1, .out = &out, .n_out = 1, .batch = B};
    sgdi_op_table[SGDI_OP_LOG_SOFTMAX].forward(&ls);
    double err_ls = 0;
    for (int r = 0; r < B * R; r++) {
        double m = -INFINITY, sum = 0;
        for (int c = 0; c < C; c++) m = fmax(m, x[r * C + c]);
        for (int c = 0; c < C; c++) sum += exp(x[r * C + c] - m);
        for (int c = 0; c < C; c++)
            err_ls = fmax(err_ls, fabs(x[r * C + c] - m - log(sum) - y[r * C + c]));
    }
    printf("  float vs double: Mul2 %.2e, dL/dx %.2e, dL/dw (sum over batch) %.2e, LogSoftmax "
           "%.2e\n",
           err_y, err_x, err_w, err_ls);
    CHECK(err_y < 1e-5 && err_x < 1e-5 && err_w < 1e-4 && err_ls < 1e-5);
    // Concatenate x (R, C) ++ w-sized rows (R, 1) along axis 1 copies exactly
    sgdi_real z[B * R], cat[B * R * (C + 1)];
    for (int i = 0; i < B * R; i++) z[i] = (sgdi_real)i;
    sgdi_port cin[2] = {in[0], {.val = z, .shape = shp(2, R, 1, 0), .count = R, .batched = true}};
    sgdi_port cout = {
        .val = cat, .shape = shp(2, R, C + 1, 0), .count = R * (C + 1), .batched = true};
    sgdi_op_call cc = {.attr = &attr, .in = cin, .n_in = 2, .out = &cout, .n_out = 1, .batch = B};
    sgdi_op_table[SGDI_OP_CONCATENATE].forward(&cc);
    int bad = 0;
    for (int r = 0; r < B * R; r++)
        for (int c = 0; c <= C; c++) bad += cat[r * (C + 1) + c] != (c < C ? x[r * C + c] : z[r]);
    CHECK_MSG(bad == 0, "Concatenate: %d elements misplaced", bad);
}

// Large Mul2 calls of equal shapes take the threaded path: every element as the serial formula.
static void test_threaded_binary(void) {
    enum { B = 4, N = 1 << 15 };
    sgdi_real *a = malloc(B * N * sizeof *a), *b = malloc(B * N * sizeof *b);
    sgdi_real *y = malloc(B * N * sizeof *y), *a_bar = calloc(B * N, sizeof *a);
    if (!a || !b || !y || !a_bar) abort();
    for (int i = 0; i < B * N; i++) a[i] = (sgdi_real)normal(), b[i] = (sgdi_real)normal();
    sgdi_op_attr attr = {0};
    sgdi_port in[2] = {
        {.val = a, .adj = a_bar, .shape = shp(1, N, 0, 0), .count = N, .batched = true},
        {.val = b, .shape = shp(1, N, 0, 0), .count = N, .batched = true}};
    sgdi_port out = {.val = y, .adj = b, .shape = in[0].shape, .count = N, .batched = true};
    sgdi_op_call call = {.attr = &attr, .in = in, .n_in = 2, .out = &out, .n_out = 1, .batch = B};
    sgdi_op_table[SGDI_OP_MUL2].forward(&call);
    sgdi_op_table[SGDI_OP_MUL2].backward(&call); // a_bar = b * y_bar with y_bar = b
    int bad = 0;
    for (int i = 0; i < B * N; i++) bad += y[i] != a[i] * b[i] || a_bar[i] != b[i] * b[i];
    CHECK_MSG(bad == 0, "%d of %d elements differ", bad, B * N);
    free(a), free(b), free(y), free(a_bar);
}

// --- MaxPooling+ReLU -----------------------------------------------------------------------

// One geometry of x (c, h, w) per sample and square windows.
typedef struct pool_relu_case {
    int64_t c, h, w, kernel, stride, pad;
    bool ignore_border;
} pool_relu_case;

// What one way of running MaxPooling then ReLU gives: y, y' [ny]; x_bar, x_bar' [nx].
typedef struct pool_relu_result {
    sgdi_real *y, *yt, *xb, *xbt;
} pool_relu_result;

static sgdi_real *reals(int64_t n) {
    sgdi_real *p = malloc((size_t)n * sizeof *p);
    if (!p) abort();
    return p;
}

// MaxPooling+ReLU, the executor's fusion, gives the bytes of MaxPooling then ReLU in every
// direction, called one by one or both at once, into fresh adjoints and into ones it adds
// to: on the CNN's 2x2 windows (the vector loops, once with enough planes for threads) and
// on windows the general loops take. x is N(-0.5, 1) with exact zeros of both signs in it,
// so that window maxima fall below, at (ReLU's rule at 0) and above 0; y_bar has both signs
// (ReLU's 0 times a negative y_bar is -0, where a select would give +0).
static void test_max_pooling_relu_is_the_pair(void) {
    static const pool_relu_case cases[] = {
        {9, 44, 44, 2, 2, 0, true}, // 2x2, 9 * 44 * 44 elements per sample: threads
        {3, 8, 6, 2, 2, 0, true},   // 2x2
        {2, 5, 7, 2, 2, 0, true},   // 2x2 leaving the last row and column out
        {2, 5, 7, 2, 2, 0, false},  // 2x2, the last windows clipped: the general loops
        {2, 7, 6, 3, 2, 1, true},   // 3x3 at stride 2, padded: the general loops
    };
    enum { B = 2 };
    const sgdi_op_def *pool = &sgdi_op_table[SGDI_OP_MAX_POOLING];
    const sgdi_op_def *relu = &sgdi_op_table[SGDI_OP_RELU];
    const sgdi_op_def *fused = &sgdi_op_table[SGDI_OP_MAX_POOLING_RELU];
    int64_t at_zero = 0, negative_zeros = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const pool_relu_case *pc = &cases[k];
        sgdi_op_attr attr = {.window = {.ndim = 2,
                                        .kernel = {pc->kernel, pc->kernel},
                                        .stride = {pc->stride, pc->stride},
                                        .pad = {pc->pad, pc->pad},
                                        .ignore_border = pc->ignore_border,
                                        .including_pad = true}};
        sgdi_shape xs = shp(3, pc->c, pc->h, pc->w), ys;
        bool batched = true;
        char msg[256] = "";
        CHECK_MSG(fused->infer_shape(&attr, &xs, &batched, 1, &ys, 1, msg, sizeof msg) == SGDI_OK,
                  "case %zu: %s", k, msg);
        int64_t x_count = pc->c * pc->h * pc->w, y_count = ys.dim[0] * ys.dim[1] * ys.dim[2];
        int64_t nx = B * x_count, ny = B * y_count;
        sgdi_real *x = reals(nx), *xt = reals(nx), *pre = reals(nx), *pre_t = reals(nx);
        sgdi_real *yb = reals(ny), *ybt = reals(ny);
        sgdi_real *p = reals(ny), *pt = reals(ny), *pb = reals(ny), *pbt = reals(ny);
        for (int64_t i = 0; i < nx; i++) {
            x[i] = i % 13 == 0 ? 0 : i % 17 == 0 ? -(sgdi_real)0 : (sgdi_real)(normal() - 0.5);
            xt[i] = (sgdi_real)normal(), pre[i] = (sgdi_real)normal();
            pre_t[i] = (sgdi_real)normal();
        }
        for (int64_t i = 0; i < ny; i++) yb[i] = (sgdi_real)normal(), ybt[i] = (sgdi_real)normal();
        pool_relu_result r[3]; // the pair, the fused op's calls one by one, both at once
        for (int j = 0; j < 3; j++)
            r[j] = (pool_relu_result){reals(ny), reals(ny), reals(nx), reals(nx)};
        for (int fresh = 0; fresh < 2; fresh++) {
            for (int j = 0; j < 3; j++)
                for (int64_t i = 0; i < nx; i++) // garbage where the op must assign
                    r[j].xb[i] = fresh ? NAN : pre[i], r[j].xbt[i] = fresh ? NAN : pre_t[i];
            sgdi_port px[3], py[3];
            for (int j = 0; j < 3; j++) {
                px[j] = (sgdi_port){.val = x,
                                    .tan = xt,
                                    .adj = r[j].xb,
                                    .adj_tan = r[j].xbt,
                                    .shape = xs,
                                    .count = x_count,
                                    .batched = true,
                                    .adj_fresh = fresh};
                py[j] = (sgdi_port){.val = r[j].y,
                                    .tan = r[j].yt,
                                    .adj = yb,
                                    .adj_tan = ybt,
                                    .shape = ys,
                                    .count = y_count,
                                    .batched = true};
            }
            // The pair as the executor runs it: the ReLU alone writes the pooled adjoints.
            sgdi_port pooled = {.val = p,
                                .tan = pt,
                                .adj = pb,
                                .adj_tan = pbt,
                                .shape = ys,
                                .count = y_count,
                                .batched = true,
                                .adj_fresh = true};
            sgdi_op_call pool_call = {
                .attr = &attr, .in = &px[0], .n_in = 1, .out = &pooled, .n_out = 1, .batch = B};
            sgdi_op_call relu_call = {
                .attr = &attr, .in = &pooled, .n_in = 1, .out = &py[0], .n_out = 1, .batch = B};
            pool->forward(&pool_call), relu->forward(&relu_call);
            pool->tangent_forward(&pool_call), relu->tangent_forward(&relu_call);
            relu->backward(&relu_call), relu->tangent_backward(&relu_call);
            pool->backward(&pool_call), pool->tangent_backward(&pool_call);
            sgdi_op_call one = {
                .attr = &attr, .in = &px[1], .n_in = 1, .out = &py[1], .n_out = 1, .batch = B};
            fused->forward(&one), fused->tangent_forward(&one);
            fused->backward(&one), fused->tangent_backward(&one);
            sgdi_op_call both = {
                .attr = &attr, .in = &px[2], .n_in = 1, .out = &py[2], .n_out = 1, .batch = B};
            fused->forward_with_tangent(&both), fused->backward_with_tangent(&both);
            for (int j = 1; j < 3; j++)
                CHECK_MSG(memcmp(r[0].y, r[j].y, (size_t)ny * sizeof *x) == 0 &&
                              memcmp(r[0].yt, r[j].yt, (size_t)ny * sizeof *x) == 0 &&
                              memcmp(r[0].xb, r[j].xb, (size_t)nx * sizeof *x) == 0 &&
                              memcmp(r[0].xbt, r[j].xbt, (size_t)nx * sizeof *x) == 0,
                          "case %zu, fresh %d, %s: MaxPooling+ReLU differs from the pair", k, fresh,
                          j == 1 ? "one by one" : "both directions at once");
            for (int64_t i = 0; i < ny; i++) at_zero += p[i] == 0;
            for (int64_t i = 0; i < nx; i++)
                negative_zeros += r[0].xb[i] == 0 && signbit(r[0].xb[i]);
        }
        for (int j = 0; j < 3; j++) free(r[j].y), free(r[j].yt), free(r[j].xb), free(r[j].xbt);
        free(x), free(xt), free(pre), free(pre_t), free(yb), free(ybt);
        free(p), free(pt), free(pb), free(pbt);
    }
    CHECK_MSG(at_zero > 0 && negative_zeros > 0,
              "the cases lack windows whose maximum is 0 (%lld) or -0 adjoints (%lld)",
              (long long)at_zero, (long long)negative_zeros);
}

int main(void) {
    RUN(test_infer_shape);
    RUN(test_dropout_mask);
    RUN(test_float_kernels);
    RUN(test_threaded_elementwise);
    RUN(test_infer_shape_more);
    RUN(test_float_elementwise);
    RUN(test_float_broadcast);
    RUN(test_threaded_binary);
    RUN(test_max_pooling_relu_is_the_pair);
    return sgdi_test_finish();
}
