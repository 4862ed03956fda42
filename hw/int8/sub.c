// SPDX-License-Identifier: MIT
/*
 * SUB, int8 (TFLite reference_ops::Sub / BroadcastQuantSubSlow): ADD's
 * arithmetic (add.c) with the difference of the rescaled inputs:
 *
 *   a = MBQM((x1 - zp1) << left_shift, M1, s1)
 *   b = MBQM((x2 - zp2) << left_shift, M2, s2)
 *   out = clamp(MBQM(a - b, Mo, so) + zp_out, act_min, act_max)
 */
#include "enpu_int8_internal.h"

int enpu_sub_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_sub_params *p)
{
	if (!p || !isfinite(input1_scale) || !isfinite(input2_scale) ||
	    !isfinite(output_scale) || !(input1_scale > 0.0f) ||
	    !(input2_scale > 0.0f) || !(output_scale > 0.0f))
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

static void sub_row(const void *params, const void *vin1, size_t step1,
		    const void *vin2, size_t step2, void *vout, size_t n)
{
	const int8_t *in1 = vin1, *in2 = vin2;
	int8_t *out = vout;
	const struct enpu_sub_params *p = params;

	for (size_t i = 0; i < n; i++) {
		const int32_t a = enpu_mbqm(enpu_wrap_shl(in1[i * step1] -
							  p->input1_zero_point,
							  p->left_shift),
					    p->input1_multiplier, p->input1_shift);
		const int32_t b = enpu_mbqm(enpu_wrap_shl(in2[i * step2] -
							  p->input2_zero_point,
							  p->left_shift),
					    p->input2_multiplier, p->input2_shift);
		const int32_t diff = enpu_mbqm(enpu_wrap_sub(a, b),
					       p->output_multiplier,
					       p->output_shift);

		out[i] = enpu_out_i8(diff, p->output_zero_point, p->act_min,
				     p->act_max);
	}
}

int enpu_sub(const struct enpu_sub_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len)
{
	struct enpu_bcast b;

	if (!p || enpu_bcast_init(&p->input1, &p->input2, &p->output, &b) ||
	    enpu_check_zp(p->input1_zero_point) ||
	    enpu_check_zp(p->input2_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_act(p->act_min, p->act_max) ||
	    p->left_shift < 0 || p->left_shift > 31 ||
	    enpu_check_multiplier(p->input1_multiplier, p->input1_shift) ||
	    enpu_check_multiplier(p->input2_multiplier, p->input2_shift) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift) ||
	    enpu_check_buf(input1, input1_len, b.count1) ||
	    enpu_check_buf(input2, input2_len, b.count2) ||
	    enpu_check_buf(output, output_len, b.count_out))
		return -EINVAL;
	return enpu_bcast_run(&b, 1, input1, input2, output, sub_row, p, p->cancel);
}
