/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: REDUCE_MAX, SUM. Included by enpu_int8.h. */
#ifndef ENPU_INT8_REDUCE_H
#define ENPU_INT8_REDUCE_H

#endif /* ENPU_INT8_REDUCE_H */
