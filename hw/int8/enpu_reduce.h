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

/* ---- REDUCE_MAX ------------------------------------------------------------- */

/*
 * int8 REDUCE_MAX (TFLite reference_ops::ReduceGeneric with max): each
 * output is the largest raw int8 value of its inputs. TFLite requires the
 * output to have the input's scale and zero point, so nothing is
 * requantized and there are no quantization parameters.
 */
struct enpu_reduce_max_params {
	struct enpu_shape input;
	const int32_t *axes;
	size_t num_axes;
};

int enpu_reduce_max(const struct enpu_reduce_max_params *p,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len);

/* ---- SUM -------------------------------------------------------------------- */

/*
 * int8 SUM (TFLite-Micro: QuantizedMeanOrSumExtraArgs with compute_sum):
 * per output the int32 (wrapping) sum of the raw values minus
 * input_zero_point * n, n the inputs per output, requantized:
 * clamp(MBQM(sum - in_zp * n, output_multiplier, output_shift) + out_zp).
 * Checks the shape and axes, both zero points, the multiplier and shift
 * and the buffers' lengths.
 */
struct enpu_sum_params {
	struct enpu_shape input;
	const int32_t *axes;
	size_t num_axes;
	int32_t input_zero_point, output_zero_point;
	int32_t output_multiplier, output_shift;
};

/*
 * SUM's Prepare: QuantizeMultiplier(double(input_scale) /
 * double(output_scale)) into output_multiplier/output_shift (no 1/n: that
 * is MEAN's). -EINVAL for a bad scale or a shift outside [-31, 31].
 */
int enpu_sum_derive(float input_scale, float output_scale,
		    struct enpu_sum_params *p);

int enpu_sum(const struct enpu_sum_params *p,
	     const int8_t *input, size_t input_len,
	     int8_t *output, size_t output_len);

#endif /* ENPU_INT8_REDUCE_H */
