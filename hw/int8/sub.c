// SPDX-License-Identifier: MIT
/*
 * SUB, int8 (TFLite reference_ops::Sub / BroadcastQuantSubSlow): ADD's
 * arithmetic and checks (add.c) with the difference of the rescaled inputs:
 *
 *   a = MBQM((x1 - zp1) << left_shift, M1, s1)
 *   b = MBQM((x2 - zp2) << left_shift, M2, s2)
 *   out = clamp(MBQM(a - b, Mo, so) + zp_out, act_min, act_max)
 */
#include "enpu_int8_internal.h"

int enpu_sub_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_sub_params *p)
{
	if (!p || enpu_check_scale(input1_scale) ||
	    enpu_check_scale(input2_scale) || enpu_check_scale(output_scale))
		return -EINVAL;

	const int32_t left_shift = 20;
	/*
	 * TFLite-Micro's sub_common.cc divides in float and widens the
	 * quotients (ADD divides in double). Each step goes through a float
	 * variable so that no excess precision survives whatever the
	 * compiler's FLT_EVAL_METHOD.
	 */
	const float twice_max = 2.0f * (input1_scale > input2_scale ?
					input1_scale : input2_scale);
	const float q1 = input1_scale / twice_max;
	const float q2 = input2_scale / twice_max;
	const float out_denom = (float)(1 << left_shift) * output_scale;
	const float q_out = twice_max / out_denom;

	if (enpu_quantize_multiplier_below_one((double)q1, &p->input1_multiplier,
					       &p->input1_shift) ||
	    enpu_quantize_multiplier_below_one((double)q2, &p->input2_multiplier,
					       &p->input2_shift) ||
	    enpu_quantize_multiplier_below_one((double)q_out,
					       &p->output_multiplier,
					       &p->output_shift))
		return -EINVAL;
	p->left_shift = left_shift;
	return 0;
}

int enpu_sub(const struct enpu_sub_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len)
{
	if (!p)
		return -EINVAL;

	/* SUB's parameters are ADD's, and so are its checks and its walk. */
	const struct enpu_add_params add = {
		.input1 = p->input1,
		.input2 = p->input2,
		.output = p->output,
		.input1_zero_point = p->input1_zero_point,
		.input2_zero_point = p->input2_zero_point,
		.output_zero_point = p->output_zero_point,
		.left_shift = p->left_shift,
		.input1_multiplier = p->input1_multiplier,
		.input1_shift = p->input1_shift,
		.input2_multiplier = p->input2_multiplier,
		.input2_shift = p->input2_shift,
		.output_multiplier = p->output_multiplier,
		.output_shift = p->output_shift,
		.act_min = p->act_min,
		.act_max = p->act_max,
		.cancel = p->cancel,
	};

	return enpu_add_or_sub_i8(&add, 1, input1, input1_len, input2,
				  input2_len, output, output_len);
}
