/*
 * test_support.h — the few macros every C test uses.
 *
 * A test program is a list of functions run by RUN(); CHECK failures print
 * file:line and the expression, and the program's exit status is the number
 * of failed checks (capped), so CTest sees any failure. Each program ends by
 * printing "N passed, M failed".
 */
#ifndef SGDI_TEST_SUPPORT_H
#define SGDI_TEST_SUPPORT_H

#include <math.h>
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

#endif // SGDI_TEST_SUPPORT_H
