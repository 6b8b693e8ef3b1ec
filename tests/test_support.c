/*
 * test_support.c — counters and the closing line for the C tests.
 */
#include "test_support.h"

int sgdi_test_passed = 0;
int sgdi_test_failed = 0;

int sgdi_test_finish(void) {
    printf("%d passed, %d failed\n", sgdi_test_passed, sgdi_test_failed);
    return sgdi_test_failed > 100 ? 100 : sgdi_test_failed;
}
