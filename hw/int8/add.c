// SPDX-License-Identifier: MIT
/*
 * ADD, int8 (TFLite reference_integer_ops::Add / BroadcastAdd4DSlow).
 * Both inputs are brought to a common scale with 20 bits of headroom:
 *
 *   a = MBQM((x1 - zp1) << left_shift, M1, s1)
 *   b = MBQM((x2 - zp2) << left_shift, M2, s2)
 *   out = clamp(MBQM(a + b, Mo, so) + zp_out, act_min, act_max)
 */
#include "enpu_int8_internal.h"

int enpu_add_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_add_params *p)
{
	if (!p || !isfinite(input1_scale) || !isfinite(input2_scale) ||
	    !isfinite(output_scale) || !(input1_scale > 0.0f) ||
	    !(input2_scale > 0.0f) || !(output_scale > 0.0f))
		return -EINVAL;

	const int32_t left_shift = 20;
	/* The max is taken in float, then widened. */
	const double twice_max = 2 * (double)(input1_scale > input2_scale ?
					      input1_scale : input2_scale);
	const double real1 = (double)input1_scale / twice_max;
	const double real2 = (double)input2_scale / twice_max;
	const double real_out = twice_max /
				((double)(1 << left_shift) * (double)output_scale);

	if (enpu_quantize_multiplier_below_one(real1, &p->input1_multiplier,
					       &p->input1_shift) ||
	    enpu_quantize_multiplier_below_one(real2, &p->input2_multiplier,
					       &p->input2_shift) ||
	    enpu_quantize_multiplier_below_one(real_out, &p->output_multiplier,
					       &p->output_shift))
		return -EINVAL;
	p->left_shift = left_shift;
	return 0;
}

static inline int8_t add_one(const struct enpu_add_params *p, int8_t x1,
			     int8_t x2)
{
	const int32_t a = enpu_mbqm(enpu_wrap_shl(x1 - p->input1_zero_point,
						  p->left_shift),
				    p->input1_multiplier, p->input1_shift);
	const int32_t b = enpu_mbqm(enpu_wrap_shl(x2 - p->input2_zero_point,
						  p->left_shift),
				    p->input2_multiplier, p->input2_shift);
	const int32_t sum = enpu_mbqm(enpu_wrap_add(a, b), p->output_multiplier,
				      p->output_shift);

	return enpu_out_i8(sum, p->output_zero_point, p->act_min, p->act_max);
}

static void add_row(const void *params, const int8_t *in1, size_t step1,
		    const int8_t *in2, size_t step2, int8_t *out, size_t n)
{
	const struct enpu_add_params *p = params;

	for (size_t i = 0; i < n; i++)
		out[i] = add_one(p, in1[i * step1], in2[i * step2]);
}

int enpu_add(const struct enpu_add_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len)
{
	struct enpu_bcast b;

	if (!p || enpu_bcast_init(&p->input1, &p->input2, &p->output, &b))
		return -EINVAL;
	if (enpu_check_zp(p->input1_zero_point) ||
	    enpu_check_zp(p->input2_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_act(p->act_min, p->act_max) ||
	    p->left_shift < 0 || p->left_shift > 31 ||
	    enpu_check_multiplier(p->input1_multiplier, p->input1_shift) ||
	    enpu_check_multiplier(p->input2_multiplier, p->input2_shift) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift))
		return -EINVAL;
	if (enpu_check_buf(input1, input1_len, b.count1) ||
	    enpu_check_buf(input2, input2_len, b.count2) ||
	    enpu_check_buf(output, output_len, b.count_out))
		return -EINVAL;
	return enpu_bcast_run(&b, input1, input2, output, add_row, p, p->cancel);
}
