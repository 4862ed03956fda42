/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: TRANSPOSE_CONV, SVDF, and the 16x8 kernels (int16 activations, int8 weights): CONV_2D, FULLY_CONNECTED, ADD. Included by enpu_int8.h. */
#ifndef ENPU_INT8_WIDE_H
#define ENPU_INT8_WIDE_H

#endif /* ENPU_INT8_WIDE_H */
