// SPDX-License-Identifier: MIT
/*
 * SUM, int8: TFLite-Micro runs QuantizedMeanOrSum with compute_sum, the
 * same sum and requantization as MEAN without the 1/n (reduce.c).
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
	struct enpu_reduction r;

	if (!p || enpu_reduction_init(&p->input, p->axes, p->num_axes, &r) ||
	    enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift) ||
	    enpu_check_buf(input, input_len, r.in_count) ||
	    enpu_check_buf(output, output_len, r.out_count))
		return -EINVAL;
	enpu_reduction_mean_or_sum(&r, input, output, p->input_zero_point,
				   p->output_zero_point, p->output_multiplier,
				   p->output_shift, 1);
	return 0;
}
