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

enum { SGDI_EXPAND_MAX = 1 << 14 }; // variables, functions of an unrolled network

typedef struct sgdi_expansion {
    const Network *orig; // the network as read (its repeat_info)
    Network *net;        // the result
    void **owned;        // everything allocated here, freed together
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

// The declared variable `name` of the network being built, or NULL.
const Variable *sgdi_expand_find_var(const Network *net, const char *name);

// repeat_info's times for `id`, or -1.
int64_t sgdi_expand_repeat_times(const Network *net, const char *id);

// "_R1[i1]_R2[i2]..." for the first `levels` repeat ids.
void sgdi_expand_suffix(char *out, size_t size, char **ids, const int64_t *index, int levels);

// Unrolls `c->f` at `index` when it is RecurrentInput, RecurrentOutput or Delay
// (expand_recurrent.c) and returns true; false for any other function.
bool sgdi_expand_recurrent(sgdi_expand_fn *c, const int64_t *index);

#endif // SGDI_MODEL_EXPAND_PRIVATE_H
