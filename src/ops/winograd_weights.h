/*
 * winograd_weights.h — the kernel side of Winograd's F(mr x mc, 3x3), mr and mc 2, 3 or 4
 * (winograd.c): kernels into the transform domain and the weight gradient back (private
 * to src/ops/).
 */
#ifndef SGDI_OPS_WINOGRAD_WEIGHTS_H
#define SGDI_OPS_WINOGRAD_WEIGHTS_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/kernel_math.h"

// u[xi * ldu + k * C + c] (or + c * K + k when transposed) = (Gr g Gc^T)[xi] for every
// 3x3 kernel g = w[k][c] of w[K][C][3][3], xi < (mr + 2) (mc + 2), ldu >= K C, Gr of
// F(mr, 3) and Gc of F(mc, 3) (mr, mc: 2, 3 or 4); threads split the kernels.
void sgdi_winograd_weights_to_points(int mr, int mc, int64_t K, int64_t C, const sgdi_real *w,
                                     bool transposed, int64_t ldu, sgdi_real *u);

// w_bar[K][C][3][3] += the adjoint of sgdi_winograd_weights_to_points (not transposed)
// applied to u_bar.
void sgdi_winograd_points_to_weights(int mr, int mc, int64_t K, int64_t C, const sgdi_real *u_bar,
                                     int64_t ldu, sgdi_real *w_bar);

#endif // SGDI_OPS_WINOGRAD_WEIGHTS_H
