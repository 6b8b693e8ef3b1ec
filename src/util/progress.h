/*
 * progress.h — counting units of work and telling the caller's callback.
 */
#ifndef SGDI_UTIL_PROGRESS_H
#define SGDI_UTIL_PROGRESS_H

#include "sgdi.h"

typedef struct sgdi_progress_counter {
    sgdi_progress_fn fn; // NULL = nobody listens
    void *user;
    sgdi_progress state;
} sgdi_progress_counter;

static inline void sgdi_progress_phase(sgdi_progress_counter *pc, sgdi_phase phase) {
    if (pc) pc->state.phase = phase;
}

static inline void sgdi_progress_advance(sgdi_progress_counter *pc, int64_t units) {
    if (!pc) return;
    pc->state.done += units;
    if (pc->fn) pc->fn(pc->user, &pc->state);
}

#endif // SGDI_UTIL_PROGRESS_H
