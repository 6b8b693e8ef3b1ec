/*
 * test_support.h — the few macros every C test uses, and a fixed-seed random generator.
 *
 * A test program is a list of functions run by RUN(); CHECK failures print
 * file:line and the expression, and the program's exit status is the number
 * of failed checks (capped), so CTest sees any failure. Each program ends by
 * printing "N passed, M failed".
 */
#ifndef SGDI_TEST_SUPPORT_H
#define SGDI_TEST_SUPPORT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

extern int sgdi_test_passed;
extern int sgdi_test_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            sgdi_test_passed++;                                                                    \
        } else {                                                                                   \
            sgdi_test_failed++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (cond) {                                                                                \
            sgdi_test_passed++;                                                                    \
        } else {                                                                                   \
            sgdi_test_failed++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%.17g vs %.17g (tol %g)", (double)(a),    \
              (double)(b), (double)(tol))

#define RUN(test_fn)                                                                               \
    do {                                                                                           \
        int failed_before = sgdi_test_failed;                                                      \
        test_fn();                                                                                 \
        fprintf(stderr, "%s %s\n", sgdi_test_failed == failed_before ? "ok  " : "FAIL", #test_fn); \
    } while (0)

// Prints the closing "N passed, M failed" line and returns the exit status.
int sgdi_test_finish(void);

// The whole file at `path`, NUL-terminated (so text can be read as a string); its length
// in *size when size is not NULL. NULL if it cannot be opened or memory runs out.
char *sgdi_test_read_file(const char *path, size_t *size);

// --- Random numbers (splitmix64) ----------------------------------------------------------
//
// The caller owns the state, one generator per test program with its own seed (e.g.
// `static sgdi_test_rng rng = {0x5eed1234abcdULL};`): tolerances are tuned to the numbers
// a seed draws, so the sequence must never change.
typedef struct sgdi_test_rng {
    uint64_t state;
} sgdi_test_rng;

// The next 64 random bits (splitmix64: the state advances by the golden-ratio step).
uint64_t sgdi_test_rng_u64(sgdi_test_rng *r);
// Uniform in [0, 1): the top 53 bits of one draw, so every value is exact.
double sgdi_test_rng_unif(sgdi_test_rng *r);
// Standard normal from two uniforms (Box-Muller, cosine branch); the first is kept off 0.
double sgdi_test_rng_normal(sgdi_test_rng *r);
// p[0 .. n) = n standard normals, in order.
void sgdi_test_rng_fill_normal(sgdi_test_rng *r, double *p, int64_t n);

#endif // SGDI_TEST_SUPPORT_H
