/*
 * test_ops_cases_norm.c — operator test cases (see test_ops_cases.h).
 */
#include "test_ops_cases.h"
