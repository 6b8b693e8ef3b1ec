/*
 * number.c — round-trip number formatting (see number.h).
 */
#include "io/number.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

bool sgdi_format_double(char out[SGDI_NUMBER_MAX], double v, int digits) {
    if (isnan(v)) {
        memcpy(out, "nan", 4);
        return false;
    }
    if (isinf(v)) {
        memcpy(out, v < 0 ? "-inf" : "inf", v < 0 ? 5 : 4);
        return false;
    }
    if (digits < 1) digits = 1;
    if (digits > 17) digits = 17;
    snprintf(out, SGDI_NUMBER_MAX, "%.*g", digits, v);
    return true;
}
