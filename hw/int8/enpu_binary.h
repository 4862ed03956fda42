/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: MUL, SUB, MAXIMUM, MINIMUM (with broadcasting). Included by enpu_int8.h. */
#ifndef ENPU_INT8_BINARY_H
#define ENPU_INT8_BINARY_H

#endif /* ENPU_INT8_BINARY_H */
