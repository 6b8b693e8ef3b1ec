/*
 * dropout.c — Dropout (nnabla): in training, each element is kept with
 * probability 1 - p and scaled by 1 / (1 - p); otherwise dropped to zero.
 * Outside training the operator is the identity.
 *
 * Ports: in[0] x (batched), out[0] y, same shape. With the fixed mask
 * m = keep / (1 - p) the operator is linear, y = m * x, so
 *
 *     tangent_forward y' = m x',  backward x_bar += m y_bar,
 *     tangent_backward x_bar' += m y_bar'   (no second-order term).
 *
 * The mask is a pure function of (seed, step, dataset row, element, stream)
 * through the counter-based generator (docs/ARCHITECTURE.md, "Randomness"),
 * recomputed in each of the four functions: nothing is stored between calls,
 * and a sample's mask does not depend on its position in the batch.
 */
#include <assert.h>

#include "ops/kernel_math.h"
#include "ops/op_private.h"
#include "util/rng.h"

bool sgdi_dropout_keep(const sgdi_exec_ctx *ctx, uint32_t stream, int64_t row, int64_t element,
                       double p) {
    // One Philox block serves four consecutive elements: element e takes word e & 3 of
    // the block at counter (e >> 2, row, step), each word truncated to 32 bits.
    uint32_t ctr[4] = {(uint32_t)(element >> 2), (uint32_t)row, (uint32_t)ctx->step,
                       (uint32_t)SGDI_RNG_DROPOUT | stream};
    uint32_t out[4];
    sgdi_philox(ctx->seed, ctr, out);
    return sgdi_uniform24(out[element & 3]) >= p;
}

// dst[b, e] (+)= m[b, e] src[b, e], m = keep(rows[b], e) / (1 - p) in training, 1
// otherwise; dst, src: [batch, count]. Shared by all four directions.
static void dropout_apply(const sgdi_op_call *call, const sgdi_real *src, sgdi_real *dst,
                          bool accumulate) {
    const sgdi_exec_ctx *ctx = call->ctx;
    const sgdi_port *x = &call->in[0];
    int64_t n = sgdi_port_len(call, x);
    assert(ctx != NULL);
    if (!ctx->training) {
        for (int64_t i = 0; i < n; i++) dst[i] = accumulate ? dst[i] + src[i] : src[i];
        return;
    }
    assert(ctx->rows != NULL && x->batched);
    double p = call->attr->p;
    sgdi_real scale = (sgdi_real)(1.0 / (1.0 - p));
    int64_t count = x->count;
    for (int64_t b = 0; b < call->batch; b++) {
        int64_t row = ctx->rows[b];
        const sgdi_real *s = src + b * count;
        sgdi_real *d = dst + b * count;
        // The mask of sgdi_dropout_keep, one Philox block per four elements.
        for (int64_t first = 0; first < count; first += 4) {
            uint32_t ctr[4] = {(uint32_t)(first >> 2), (uint32_t)row, (uint32_t)ctx->step,
                               (uint32_t)SGDI_RNG_DROPOUT | call->attr->rng_stream};
            uint32_t out[4];
            sgdi_philox(ctx->seed, ctr, out);
            for (int64_t e = first; e < first + 4 && e < count; e++) {
                sgdi_real v = sgdi_uniform24(out[e & 3]) >= p ? scale * s[e] : 0;
                d[e] = accumulate ? d[e] + v : v;
            }
        }
    }
}

// x (any shape), y the same; 0 <= p < 1.
sgdi_status sgdi_dropout_infer_shape(const sgdi_op_attr *attr, const sgdi_shape *in,
                                     const bool *in_batched, int n_in, sgdi_shape *out, int n_out,
                                     char *msg, size_t msg_size) {
    sgdi_status st = sgdi_op_check_inputs(SGDI_OP_DROPOUT, in, n_in, n_out, msg, msg_size);
    if (st != SGDI_OK) return st;
    if (!(attr->p >= 0 && attr->p < 1))
        return sgdi_op_reason(msg, msg_size, "Dropout: p = %g outside [0, 1)", attr->p);
    if (!in_batched[0]) return sgdi_op_reason(msg, msg_size, "Dropout: input must be batched");
    out[0] = in[0];
    return SGDI_OK;
}

// y[B, N] = m x
void sgdi_dropout_forward(const sgdi_op_call *call) {
    dropout_apply(call, call->in[0].val, call->out[0].val, false);
}

// y'[B, N] = m x'
void sgdi_dropout_tangent_forward(const sgdi_op_call *call) {
    const sgdi_real *x_tan = call->in[0].tan;
    sgdi_real *y_tan = call->out[0].tan;
    if (x_tan) {
        dropout_apply(call, x_tan, y_tan, false);
    } else {
        int64_t n = sgdi_port_len(call, &call->in[0]);
        for (int64_t i = 0; i < n; i++) y_tan[i] = 0;
    }
}

// dy/dx = diag(m): x_bar[B, N] += m y_bar
void sgdi_dropout_backward(const sgdi_op_call *call) {
    if (call->in[0].adj && call->out[0].adj)
        dropout_apply(call, call->out[0].adj, call->in[0].adj, true);
}

// the backward is linear in y_bar and independent of x: x_bar'[B, N] += m y_bar'
void sgdi_dropout_tangent_backward(const sgdi_op_call *call) {
    if (call->in[0].adj_tan && call->out[0].adj_tan)
        dropout_apply(call, call->out[0].adj_tan, call->in[0].adj_tan, true);
}
