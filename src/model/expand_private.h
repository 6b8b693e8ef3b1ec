/*
 * expand_private.h — what expand.c (RepeatStart/RepeatEnd, naming, order) shares
 * with expand_recurrent.c (RecurrentInput/RecurrentOutput/Delay). Private to
 * src/model/.
 */
#ifndef SGDI_MODEL_EXPAND_PRIVATE_H
#define SGDI_MODEL_EXPAND_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "util/name_index.h"

enum { SGDI_EXPAND_MAX = 1 << 14 }; // variables, functions of an unrolled network

typedef struct sgdi_expansion {
    const Network *orig; // the network as read (its repeat_info)
    Network *net;        // the result
    // net's variables by name, once all are added: an unrolled network has up to
    // SGDI_EXPAND_MAX of them, looked up for every function's inputs and outputs.
    sgdi_name_index vars;
    void **owned; // everything allocated here, freed together
    size_t n_owned, cap_owned;
    bool failed;      // out of memory, or a name too long
    char reason[384]; // why a function cannot be unrolled ("" = it can)
} sgdi_expansion;

// One original function being instantiated per repeat index.
typedef struct sgdi_expand_fn {
    sgdi_expansion *x;
    const Function *f;
    Function **out; // the unrolled functions, SGDI_EXPAND_MAX slots
    size_t *n;
} sgdi_expand_fn;

// Takes ownership of `p` (NULL or an expansion that failed: frees it, marks failure).
void *sgdi_expand_own(sgdi_expansion *x, void *p);

// An owned printf-formatted string; NULL (and failure) when too long.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
char *
sgdi_expand_printf(sgdi_expansion *x, const char *fmt, ...);

// Records why `f` cannot be unrolled (the first reason wins).
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void
sgdi_expand_refuse(sgdi_expansion *x, const Function *f, const char *fmt, ...);

// The declared variable `name` of the network being built (the first declared of that
// name), or NULL.
const Variable *sgdi_expand_find_var(const sgdi_expansion *x, const char *name);

// repeat_info's times for `id`, or -1.
int64_t sgdi_expand_repeat_times(const Network *net, const char *id);

// "_R1[i1]_R2[i2]..." for the first `levels` repeat ids.
void sgdi_expand_suffix(char *out, size_t size, char **ids, const int64_t *index, int levels);

// Unrolls `c->f` at `index` when it is RecurrentInput, RecurrentOutput or Delay
// (expand_recurrent.c) and returns true; false for any other function.
bool sgdi_expand_recurrent(sgdi_expand_fn *c, const int64_t *index);

// Reorders fns[0..n) into a stable topological order: again and again the first function
// (in the current order) whose inputs' writers have all been placed, as nnabla sorts its
// graph; what never becomes ready keeps its relative place at the end, for the builder
// to report. An input's writer is the first other function with that output. False when
// out of memory (fns unchanged). O(n log n + inputs + outputs) (expand_order.c).
bool sgdi_expand_order(Function **fns, size_t n);

#endif // SGDI_MODEL_EXPAND_PRIVATE_H
