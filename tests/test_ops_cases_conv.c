/*
 * test_ops_cases_conv.c — operator test cases (see test_ops_cases.h).
 */
#include "test_ops_cases.h"
