// SPDX-License-Identifier: MIT
/*
 * SUM, int8: TFLite-Micro runs QuantizedMeanOrSum with compute_sum, the
 * same sum and requantization as MEAN without the 1/n (mean.c).
 */
#include "enpu_int8_internal.h"

int enpu_sum_derive(float input_scale, float output_scale,
		    struct enpu_sum_params *p)
{
	if (!p)
		return -EINVAL;
	return enpu_derive_rescale(input_scale, output_scale,
				   &p->output_multiplier, &p->output_shift);
}

int enpu_sum(const struct enpu_sum_params *p,
	     const int8_t *input, size_t input_len,
	     int8_t *output, size_t output_len)
{
	if (!p)
		return -EINVAL;

	/* SUM's parameters are MEAN's, but for the multiplier's meaning. */
	const struct enpu_mean_params mean = {
		.input = p->input,
		.axes = p->axes,
		.num_axes = p->num_axes,
		.input_zero_point = p->input_zero_point,
		.output_zero_point = p->output_zero_point,
		.multiplier = p->output_multiplier,
		.shift = p->output_shift,
	};

	return enpu_mean_or_sum(&mean, input, input_len, output, output_len, 1);
}
