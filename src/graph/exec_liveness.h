/*
 * exec_liveness.h — where the executor keeps each variable's adjoint (exec.c's arena).
 *
 * A backward sweep needs a variable's adjoint only from its first writer to its last
 * reader; variables whose spans do not overlap can take turns in the same floats.
 */
#ifndef SGDI_GRAPH_EXEC_LIVENESS_H
#define SGDI_GRAPH_EXEC_LIVENESS_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/graph.h"

// Places the adjoint of every variable that has one of the executor's own (batched, not
// elided, not data x or y unless it is the loss) at offset[v] floats into a region of
// *len floats, each of count * max_batch floats; offset[v] = -1 for the others.
// `nodes` and `skip` are the nodes as the executor runs them (fused pairs), `elided` the
// variables left without buffers. With `share` false every adjoint has floats of its own
// (as before sharing; tests compare against it). Fails only when the sizes overflow or
// memory runs out (SGDI_ERR_NOMEM).
sgdi_status sgdi_exec_place_adjoints(const sgdi_graph *g, const sgdi_node *nodes, const bool *skip,
                                     const bool *elided, int64_t max_batch, bool share,
                                     int64_t *offset, int64_t *len, sgdi_error *err);

#endif // SGDI_GRAPH_EXEC_LIVENESS_H
