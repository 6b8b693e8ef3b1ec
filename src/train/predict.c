/*
 * predict.c — a trained network's predictions, loss and accuracy on a dataset
 * (see predict.h).
 */
#include "train/predict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "util/error.h"

// The node computing the loss when that loss is over classes, else NULL.
static const sgdi_node *class_loss_node(const sgdi_graph *g) {
    for (int n = 0; n < g->n_nodes; n++) {
        const sgdi_node *node = &g->nodes[n];
        if (node->out[0] != g->loss_var) continue;
        bool over_classes = node->op == SGDI_OP_SOFTMAX_CROSS_ENTROPY ||
                            node->op == SGDI_OP_CATEGORICAL_CROSS_ENTROPY;
        const sgdi_var *x = &g->vars[node->in[0]];
        int axis = node->attr.axis;
        return over_classes && axis >= 0 && axis < x->shape.ndim ? node : NULL;
    }
    return NULL;
}

int64_t sgdi_loss_classes(const sgdi_graph *g) {
    const sgdi_node *node = class_loss_node(g);
    return node ? g->vars[node->in[0]].shape.dim[node->attr.axis] : 0;
}

bool sgdi_prediction_source_find(const sgdi_graph *g, sgdi_prediction_source *out) {
    const sgdi_node *node = class_loss_node(g);
    if (!node) return false;
    const sgdi_var *x = &g->vars[node->in[0]];
    // Scores spread over more than the class axis (per pixel, per time step) are many
    // predictions per sample, not one.
    if (x->is_param || x->shape.dim[node->attr.axis] != x->count) return false;
    *out = (sgdi_prediction_source){.var = node->in[0],
                                    .classes = x->count,
                                    .probabilities = node->op == SGDI_OP_CATEGORICAL_CROSS_ENTROPY};
    return true;
}

// The class with the highest score (the first on ties) and its probability.
// Shapes: scores [classes].
static int32_t best_class(const float *scores, int64_t classes, bool probabilities,
                          float *confidence) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; c++)
        if (scores[c] > scores[best]) best = c;
    if (probabilities) {
        *confidence = scores[best];
    } else {
        // softmax(l)[best] = 1 / sum_c exp(l_c - l_best), exact for the largest logit.
        double sum = 0.0;
        for (int64_t c = 0; c < classes; c++) sum += exp((double)scores[c] - (double)scores[best]);
        *confidence = (float)(1.0 / sum);
    }
    return (int32_t)best;
}

sgdi_status sgdi_predict(sgdi_trainer *tr, const sgdi_dataset *ds, const float *theta,
                         int32_t *predicted, float *confidence, sgdi_prediction_summary *out,
                         sgdi_error *err) {
    const sgdi_graph *g = tr->graph;
    sgdi_prediction_source src;
    bool classes = sgdi_prediction_source_find(g, &src);
    int64_t n = sgdi_dataset_rows(ds), b = tr->exec.max_batch, correct = 0;
    sgdi_shape shape = g->vars[g->input_var].shape;
    double sum = 0.0;
    uint64_t version = sgdi_exec_theta_version(&tr->exec); // one theta for every batch
    int64_t *rows = sgdi_alloc_array(b, sizeof *rows);
    if (!rows) return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory for a prediction batch");
    sgdi_status st = SGDI_OK;
    for (int64_t first = 0; first < n && st == SGDI_OK; first += b) {
        int64_t batch = first + b <= n ? b : n - first;
        for (int64_t i = 0; i < batch; i++) rows[i] = first + i;
        st = sgdi_dataset_gather(ds, rows, batch, shape, tr->x, tr->target, err);
        if (st != SGDI_OK) break;
        sgdi_pass pass = {.batch = batch,
                          .x = tr->x,
                          .target = tr->target,
                          .scale = 1.0 / (double)n,
                          .theta = theta,
                          .sample_loss = tr->sample_loss,
                          .theta_version = version,
                          .ctx = {.seed = tr->seed, .training = false}};
        sgdi_exec_forward(&tr->exec, &pass);
        for (int64_t i = 0; i < batch; i++) sum += tr->sample_loss[i];
        if (!classes) continue;
        const float *scores = tr->exec.val[src.var];
        for (int64_t i = 0; i < batch; i++) {
            float p;
            int32_t c = best_class(scores + i * src.classes, src.classes, src.probabilities, &p);
            if (c == sgdi_dataset_label(ds, first + i)) correct++;
            if (predicted) predicted[first + i] = c;
            if (confidence) confidence[first + i] = p;
        }
    }
    free(rows);
    if (st != SGDI_OK) return st;
    double loss = sum / (double)n;
    if (!isfinite(loss))
        return sgdi_fail(err, SGDI_ERR_NUMERIC, "%s: the loss of the trained network is not finite",
                         sgdi_dataset_path(ds));
    *out = (sgdi_prediction_summary){.rows = n,
                                     .loss = loss,
                                     .has_accuracy = classes,
                                     .correct = classes ? correct : 0,
                                     .accuracy = classes ? (double)correct / (double)n : NAN};
    return SGDI_OK;
}
