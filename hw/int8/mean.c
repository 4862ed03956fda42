// SPDX-License-Identifier: MIT
/*
 * MEAN, int8 (TFLite reference_ops::QuantizedMeanOrSum, the path TFLite
 * Micro takes for every int8 MEAN): the int32 sum of each output's inputs,
 * requantized with 1/n folded into the multiplier (reduce.c has the
 * arithmetic, shared with SUM). M/shift requantize input scale -> output
 * scale (enpu_derive_rescale).
 */
#include "enpu_int8_internal.h"

int enpu_mean_output_count(const struct enpu_mean_params *p, size_t *count)
{
	struct enpu_reduction r;

	if (!p || !count ||
	    enpu_reduction_init(&p->input, p->axes, p->num_axes, &r))
		return -EINVAL;
	*count = r.out_count;
	return 0;
}

int enpu_mean_or_sum(const struct enpu_mean_params *p,
		     const int8_t *input, size_t input_len,
		     int8_t *output, size_t output_len, int compute_sum)
{
	struct enpu_reduction r;

	if (!p || enpu_reduction_init(&p->input, p->axes, p->num_axes, &r) ||
	    enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_multiplier(p->multiplier, p->shift) ||
	    enpu_check_buf(input, input_len, r.in_count) ||
	    enpu_check_buf(output, output_len, r.out_count))
		return -EINVAL;
	enpu_reduction_mean_or_sum(&r, input, output, p->input_zero_point,
				   p->output_zero_point, p->multiplier,
				   p->shift, compute_sum);
	return 0;
}

int enpu_mean(const struct enpu_mean_params *p,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len)
{
	return enpu_mean_or_sum(p, input, input_len, output, output_len, 0);
}
