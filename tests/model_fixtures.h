/*
 * model_fixtures.h — what test_model.c and test_model_state.c share: paths in the
 * program's temporary folder, and tables of made-up data from a fixed seed.
 */
#ifndef SGDI_TESTS_MODEL_FIXTURES_H
#define SGDI_TESTS_MODEL_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "sgdi.h"

// dir/name, in one of four buffers used in turn: the last four paths stay valid. The
// caller owns dir (made with mkdtemp).
char *model_tmp_path(const char *dir, const char *name);
// Removes the files dir/names[0 .. n), then the folder dir.
void model_tmp_remove(const char *dir, const char *const *names, size_t n);

// The next number in [0, 1) of a linear congruential generator whose state is *s.
double lcg(unsigned *s);
// A table of n rows, f features, labels 0..c-1 from a noisy linear rule.
sgdi_dataset *table(int n, int f, int c, unsigned seed);

#endif // SGDI_TESTS_MODEL_FIXTURES_H
