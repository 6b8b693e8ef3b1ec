/*
 * rng.h — the counter-based random number generator (Philox4x32-10,
 * Salmon et al., SC'11).
 *
 * Every random number in a run is a pure function of (seed, counter): batch
 * order, dropout masks and initial parameters can be recomputed at any time,
 * in any order, on any thread, which is what replaying training from a
 * checkpoint and the leave-one-out counterfactual need.
 *
 * Streams (word 3 of the counter) keep the uses apart; see docs/ARCHITECTURE.md
 * ("Randomness") for the exact counter layout of each use.
 */
#ifndef SGDI_UTIL_RNG_H
#define SGDI_UTIL_RNG_H

#include <stdint.h>

enum {
    SGDI_RNG_DROPOUT = 0x10000,  // ctr = (element, row, step, DROPOUT | op stream)
    SGDI_RNG_SHUFFLE = 0x20000,  // ctr = (position, epoch, 0, SHUFFLE)
    SGDI_RNG_INIT = 0x30000,     // ctr = (element, 0, 0, INIT | parameter index)
    SGDI_RNG_VALIDATE = 0x40000, // ctr = (draw, 0, 0, VALIDATE)
    SGDI_RNG_AUGMENT = 0x50000   // ctr = (0, row, step, AUGMENT | op stream)
};

// out = Philox4x32-10(counter, key = (seed low word, seed high word)).
void sgdi_philox(uint64_t seed, const uint32_t counter[4], uint32_t out[4]);

// A uniform float in [0, 1) with 24 random bits, from word 0 of the output.
static inline double sgdi_uniform24(uint32_t word) {
    return (double)(word >> 8) * 0x1p-24;
}

// A 64-bit random number from words 0 and 1.
static inline uint64_t sgdi_u64(const uint32_t out[4]) {
    return (uint64_t)out[0] | ((uint64_t)out[1] << 32);
}

// The permutation of 0..n-1 used as the batch order of `epoch`: Fisher-Yates
// where the swap at position i (from n-1 down to 1) takes j = r % (i + 1),
// r = u64 of ctr (i, epoch, 0, SHUFFLE).
void sgdi_epoch_permutation(uint64_t seed, uint64_t epoch, int64_t n, int64_t *perm);

#endif // SGDI_UTIL_RNG_H
