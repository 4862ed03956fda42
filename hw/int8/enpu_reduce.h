/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: REDUCE_MAX, SUM. Included by enpu_int8.h. */
#ifndef ENPU_INT8_REDUCE_H
#define ENPU_INT8_REDUCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enpu_int8.h"

/*
 * Reductions over a set of axes of a rank 1..4 input (MEAN, SUM,
 * REDUCE_MAX). axes: at most 64 entries, each in [-rank, rank) (negative
 * counts from the end), repeats ignored, none at all reducing nothing
 * (TFLite ResolveAxis). The output holds the kept dims in order; keep_dims
 * only changes its shape, not its data.
 */

/*
 * Output shape of a reduction: the reduced dims dropped, or kept as 1 with
 * keep_dims (TFLite's; reducing every dim without keep_dims gives rank 0).
 * -EINVAL for an invalid input shape or axis.
 */
int enpu_reduce_output_shape(const struct enpu_shape *input,
			     const int32_t *axes, size_t num_axes,
			     bool keep_dims, struct enpu_shape *out);

#endif /* ENPU_INT8_REDUCE_H */
