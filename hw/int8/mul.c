// SPDX-License-Identifier: MIT
/*
 * MUL, int8 (TFLite reference_integer_ops::Mul / BroadcastMul6DSlow):
 *
 *   out = clamp(MBQM((x1 - zp1) * (x2 - zp2), M, s) + zp_out, act_min, act_max)
 *
 * with M, s = QuantizeMultiplier(s1 * s2 / s_out).
 */
#include "enpu_int8_internal.h"

int enpu_mul_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_mul_params *p)
{
	int32_t m;
	int s;

	if (!p || enpu_check_scale(input1_scale) ||
	    enpu_check_scale(input2_scale) || enpu_check_scale(output_scale))
		return -EINVAL;
	/* All in double: the product of two floats is exact there. */
	const double real = (double)input1_scale * (double)input2_scale /
			    (double)output_scale;

	if (enpu_quantize_multiplier(real, &m, &s) || enpu_check_multiplier(m, s))
		return -EINVAL;
	p->output_multiplier = m;
	p->output_shift = s;
	return 0;
}

static void mul_row(const void *params, const void *vin1, size_t step1,
		    const void *vin2, size_t step2, void *vout, size_t n)
{
	const int8_t *in1 = vin1, *in2 = vin2;
	int8_t *out = vout;
	const struct enpu_mul_params *p = params;

	for (size_t i = 0; i < n; i++) {
		/* |product| <= 255 * 255: no overflow before the requantization. */
		const int32_t prod = (in1[i * step1] - p->input1_zero_point) *
				     (in2[i * step2] - p->input2_zero_point);

		out[i] = enpu_out_i8(enpu_mbqm(prod, p->output_multiplier,
					       p->output_shift),
				     p->output_zero_point, p->act_min, p->act_max);
	}
}

int enpu_mul_i8(const struct enpu_mul_params *p,
		const int8_t *input1, size_t input1_len,
		const int8_t *input2, size_t input2_len,
		int8_t *output, size_t output_len)
{
	struct enpu_bcast b;

	if (!p || enpu_bcast_check(&p->input1, &p->input2, &p->output, input1,
				   input1_len, input2, input2_len, output,
				   output_len, &b) ||
	    enpu_check_binary_q(INT8_MIN, INT8_MAX, p->input1_zero_point,
				p->input2_zero_point, p->output_zero_point,
				p->act_min, p->act_max) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift))
		return -EINVAL;
	return enpu_bcast_run(&b, 1, input1, input2, output, mul_row, p, p->cancel);
}
