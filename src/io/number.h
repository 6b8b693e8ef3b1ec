/*
 * number.h — printing doubles so that reading them back gives the same bits.
 *
 * "%.17g" round-trips every finite double. Output is in the C locale's
 * notation (the CLI never calls setlocale), e.g. "-0.0012345678901234567",
 * "1e-300", "0".
 */
#ifndef SGDI_IO_NUMBER_H
#define SGDI_IO_NUMBER_H

#include <stdbool.h>

// Large enough for any "%.17g" or "%.9g" of a double, with its NUL.
enum { SGDI_NUMBER_MAX = 32 };

// Writes v with `digits` significant digits ("%.*g") into out. NaN and
// infinities come out as "nan", "inf", "-inf". Returns isfinite(v).
bool sgdi_format_double(char out[SGDI_NUMBER_MAX], double v, int digits);

// Same with the 17 digits that round-trip a double.
static inline bool sgdi_format_roundtrip(char out[SGDI_NUMBER_MAX], double v) {
    return sgdi_format_double(out, v, 17);
}

#endif // SGDI_IO_NUMBER_H
