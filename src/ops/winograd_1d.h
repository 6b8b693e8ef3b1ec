/*
 * winograd_1d.h — the 1-D maps whose products along a tile's rows and columns are the 2-D
 * transforms of winograd_f4.c and winograd_f42.c (private to src/ops/):
 *
 *   F(2, 3):  B^T = [1  0 -1  0]     A^T = [1 1  1  0]
 *                   [0  1  1  0]           [0 1 -1 -1]
 *                   [0 -1  1  0]
 *                   [0  1  0 -1]
 *
 *   F(3, 3):  B^T = [2 -1 -2  1  0]     A^T = [1  1  1  1  0]     (points 0, 1, -1, 2 and
 *                   [0 -2 -1  1  0]           [0  1 -1  2  0]      infinity; derived as
 *                   [0  2 -3  1  0]           [0  1  1  4  1]      Lavin & Gray's)
 *                   [0 -1  0  1  0]
 *                   [0  2 -1 -2  1]
 *
 *   F(4, 3):  B^T = [4  0 -5  0  1  0]     A^T = [1  1  1  1  1  0]
 *                   [0 -4 -4  1  1  0]           [0  1 -1  2 -2  0]
 *                   [0  4 -4 -1  1  0]           [0  1  1  4  4  0]
 *                   [0 -2 -1  2  1  0]           [0  1 -1  8 -8  1]
 *                   [0  2 -1 -2  1  0]
 *                   [0  4  0 -5  0  1]
 *
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016), with B and A
 * their adjoints. Macros over named values rather than functions over arrays: gcc
 * vectorises a kernel's loop over the channels only when every value of the tile is a
 * scalar it can name, with the loops over a tile fully unrolled.
 */
#ifndef SGDI_OPS_WINOGRAD_1D_H
#define SGDI_OPS_WINOGRAD_1D_H

#include "ops/kernel_math.h"

// (r0 .. r3) = B^T (d0 .. d3) of F(2, 3)
#define F2_BT(d0, d1, d2, d3, r0, r1, r2, r3)                                                      \
    do {                                                                                           \
        const sgdi_real x0_ = (d0), x1_ = (d1), x2_ = (d2), x3_ = (d3);                            \
        (r0) = x0_ - x2_, (r1) = x1_ + x2_, (r2) = x2_ - x1_, (r3) = x1_ - x3_;                    \
    } while (0)

// (d0 .. d3) = B (r0 .. r3), the adjoint of F2_BT
#define F2_B(r0, r1, r2, r3, d0, d1, d2, d3)                                                       \
    do {                                                                                           \
        const sgdi_real x0_ = (r0), x1_ = (r1), x2_ = (r2), x3_ = (r3);                            \
        (d0) = x0_, (d1) = x1_ - x2_ + x3_, (d2) = x1_ + x2_ - x0_, (d3) = -x3_;                   \
    } while (0)

// (y0, y1) = A^T (x0 .. x3) of F(2, 3)
#define F2_AT(x0, x1, x2, x3, y0, y1)                                                              \
    do {                                                                                           \
        const sgdi_real x0_ = (x0), x1_ = (x1), x2_ = (x2), x3_ = (x3);                            \
        (y0) = x0_ + x1_ + x2_, (y1) = x1_ - x2_ - x3_;                                            \
    } while (0)

// (x0 .. x3) = A (y0, y1), the adjoint of F2_AT
#define F2_A(y0, y1, x0, x1, x2, x3)                                                               \
    do {                                                                                           \
        const sgdi_real y0_ = (y0), y1_ = (y1);                                                    \
        (x0) = y0_, (x1) = y0_ + y1_, (x2) = y0_ - y1_, (x3) = -y1_;                               \
    } while (0)

// (r0 .. r4) = B^T (d0 .. d4) of F(3, 3)
#define F3_BT(d0, d1, d2, d3, d4, r0, r1, r2, r3, r4)                                              \
    do {                                                                                           \
        const sgdi_real x0_ = (d0), x1_ = (d1), x2_ = (d2), x3_ = (d3), x4_ = (d4);                \
        (r0) = 2 * (x0_ - x2_) + x3_ - x1_;                                                        \
        (r1) = x3_ - x2_ - 2 * x1_;                                                                \
        (r2) = x3_ + 2 * x1_ - 3 * x2_;                                                            \
        (r3) = x3_ - x1_;                                                                          \
        (r4) = x4_ - x2_ + 2 * (x1_ - x3_);                                                        \
    } while (0)

// (d0 .. d4) = B (r0 .. r4), the adjoint of F3_BT
#define F3_B(r0, r1, r2, r3, r4, d0, d1, d2, d3, d4)                                               \
    do {                                                                                           \
        const sgdi_real x0_ = (r0), x1_ = (r1), x2_ = (r2), x3_ = (r3), x4_ = (r4);                \
        (d0) = 2 * x0_;                                                                            \
        (d1) = 2 * (x2_ - x1_ + x4_) - x0_ - x3_;                                                  \
        (d2) = -2 * x0_ - x1_ - 3 * x2_ - x4_;                                                     \
        (d3) = x0_ + x1_ + x2_ + x3_ - 2 * x4_;                                                    \
        (d4) = x4_;                                                                                \
    } while (0)

// (y0 .. y2) = A^T (x0 .. x4) of F(3, 3)
#define F3_AT(x0, x1, x2, x3, x4, y0, y1, y2)                                                      \
    do {                                                                                           \
        const sgdi_real x0_ = (x0), x1_ = (x1), x2_ = (x2), x3_ = (x3), x4_ = (x4);                \
        (y0) = x0_ + x1_ + x2_ + x3_;                                                              \
        (y1) = x1_ - x2_ + 2 * x3_;                                                                \
        (y2) = x1_ + x2_ + 4 * x3_ + x4_;                                                          \
    } while (0)

// (x0 .. x4) = A (y0 .. y2), the adjoint of F3_AT
#define F3_A(y0, y1, y2, x0, x1, x2, x3, x4)                                                       \
    do {                                                                                           \
        const sgdi_real y0_ = (y0), y1_ = (y1), y2_ = (y2);                                        \
        (x0) = y0_, (x1) = y0_ + y1_ + y2_, (x2) = y0_ - y1_ + y2_;                                \
        (x3) = y0_ + 2 * y1_ + 4 * y2_, (x4) = y2_;                                                \
    } while (0)

// (r0 .. r5) = B^T (d0 .. d5)
#define F4_BT(d0, d1, d2, d3, d4, d5, r0, r1, r2, r3, r4, r5)                                      \
    do {                                                                                           \
        const sgdi_real x0_ = (d0), x1_ = (d1), x2_ = (d2), x3_ = (d3), x4_ = (d4), x5_ = (d5);    \
        (r0) = 4 * x0_ - 5 * x2_ + x4_;                                                            \
        (r1) = x3_ + x4_ - 4 * (x1_ + x2_);                                                        \
        (r2) = x4_ - x3_ + 4 * (x1_ - x2_);                                                        \
        (r3) = x4_ - x2_ + 2 * (x3_ - x1_);                                                        \
        (r4) = x4_ - x2_ - 2 * (x3_ - x1_);                                                        \
        (r5) = 4 * x1_ - 5 * x3_ + x5_;                                                            \
    } while (0)

// (d0 .. d5) = B (r0 .. r5), the adjoint of F4_BT
#define F4_B(r0, r1, r2, r3, r4, r5, d0, d1, d2, d3, d4, d5)                                       \
    do {                                                                                           \
        const sgdi_real x0_ = (r0), x1_ = (r1), x2_ = (r2), x3_ = (r3), x4_ = (r4), x5_ = (r5);    \
        (d0) = 4 * x0_;                                                                            \
        (d1) = 4 * (x2_ - x1_ + x5_) + 2 * (x4_ - x3_);                                            \
        (d2) = -5 * x0_ - 4 * (x1_ + x2_) - x3_ - x4_;                                             \
        (d3) = x1_ - x2_ + 2 * (x3_ - x4_) - 5 * x5_;                                              \
        (d4) = x0_ + x1_ + x2_ + x3_ + x4_;                                                        \
        (d5) = x5_;                                                                                \
    } while (0)

// (y0 .. y3) = A^T (x0 .. x5)
#define F4_AT(x0, x1, x2, x3, x4, x5, y0, y1, y2, y3)                                              \
    do {                                                                                           \
        const sgdi_real x0_ = (x0), x1_ = (x1), x2_ = (x2), x3_ = (x3), x4_ = (x4), x5_ = (x5);    \
        (y0) = x0_ + x1_ + x2_ + x3_ + x4_;                                                        \
        (y1) = x1_ - x2_ + 2 * (x3_ - x4_);                                                        \
        (y2) = x1_ + x2_ + 4 * (x3_ + x4_);                                                        \
        (y3) = x1_ - x2_ + 8 * (x3_ - x4_) + x5_;                                                  \
    } while (0)

// (x0 .. x5) = A (y0 .. y3), the adjoint of F4_AT
#define F4_A(y0, y1, y2, y3, x0, x1, x2, x3, x4, x5)                                               \
    do {                                                                                           \
        const sgdi_real y0_ = (y0), y1_ = (y1), y2_ = (y2), y3_ = (y3);                            \
        (x0) = y0_;                                                                                \
        (x1) = y0_ + y1_ + y2_ + y3_;                                                              \
        (x2) = y0_ - y1_ + y2_ - y3_;                                                              \
        (x3) = y0_ + 2 * y1_ + 4 * y2_ + 8 * y3_;                                                  \
        (x4) = y0_ - 2 * y1_ + 4 * y2_ - 8 * y3_;                                                  \
        (x5) = y3_;                                                                                \
    } while (0)

// The 1-D maps over arrays, by the outputs per tile (2, 3 or 4): in[a] -> out[a] for B^T
// and B, in[a] -> out[m] for A^T, in[m] -> out[a] for A (a = m + 2).
#define WINOGRAD_BT_2(i, o) F2_BT(i[0], i[1], i[2], i[3], o[0], o[1], o[2], o[3])
#define WINOGRAD_BT_3(i, o) F3_BT(i[0], i[1], i[2], i[3], i[4], o[0], o[1], o[2], o[3], o[4])
#define WINOGRAD_BT_4(i, o)                                                                        \
    F4_BT(i[0], i[1], i[2], i[3], i[4], i[5], o[0], o[1], o[2], o[3], o[4], o[5])
#define WINOGRAD_B_2(i, o) F2_B(i[0], i[1], i[2], i[3], o[0], o[1], o[2], o[3])
#define WINOGRAD_B_3(i, o) F3_B(i[0], i[1], i[2], i[3], i[4], o[0], o[1], o[2], o[3], o[4])
#define WINOGRAD_B_4(i, o)                                                                         \
    F4_B(i[0], i[1], i[2], i[3], i[4], i[5], o[0], o[1], o[2], o[3], o[4], o[5])
#define WINOGRAD_AT_2(i, o) F2_AT(i[0], i[1], i[2], i[3], o[0], o[1])
#define WINOGRAD_AT_3(i, o) F3_AT(i[0], i[1], i[2], i[3], i[4], o[0], o[1], o[2])
#define WINOGRAD_AT_4(i, o) F4_AT(i[0], i[1], i[2], i[3], i[4], i[5], o[0], o[1], o[2], o[3])
#define WINOGRAD_A_2(i, o) F2_A(i[0], i[1], o[0], o[1], o[2], o[3])
#define WINOGRAD_A_3(i, o) F3_A(i[0], i[1], i[2], o[0], o[1], o[2], o[3], o[4])
#define WINOGRAD_A_4(i, o) F4_A(i[0], i[1], i[2], i[3], o[0], o[1], o[2], o[3], o[4], o[5])

#endif // SGDI_OPS_WINOGRAD_1D_H
