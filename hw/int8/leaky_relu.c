// SPDX-License-Identifier: MIT
/*
 * LEAKY_RELU, int8 (TFLite reference_ops::QuantizeLeakyRelu): the input,
 * relative to its zero point, is requantized by one of two multipliers,
 * "identity" (in_scale / out_scale) for values >= 0 and "alpha" (in_scale
 * * alpha / out_scale) below, then offset and clamped to int8.
 */
#include "enpu_int8_internal.h"

int enpu_leaky_relu_derive(float alpha, float input_scale,
			   int32_t input_zero_point, float output_scale,
			   int32_t output_zero_point,
			   struct enpu_leaky_relu_params *p)
{
	int32_t m_alpha, m_identity;
	int s_alpha, s_identity;

	if (!p || !isfinite(alpha) || enpu_check_scale(input_scale) ||
	    enpu_check_scale(output_scale) || enpu_check_zp(input_zero_point) ||
	    enpu_check_zp(output_zero_point))
		return -EINVAL;
	/* Both ratios are computed in float (left to right), then widened. */
	const float real_alpha = input_scale * alpha / output_scale;
	const float real_identity = input_scale / output_scale;

	if (enpu_quantize_multiplier((double)real_alpha, &m_alpha, &s_alpha) ||
	    enpu_quantize_multiplier((double)real_identity, &m_identity,
				     &s_identity) ||
	    enpu_check_multiplier(m_identity, s_identity) ||
	    s_alpha < -31 || s_alpha > 31)
		return -EINVAL;
	/*
	 * A negative alpha whose mantissa rounds to -1.0 gives INT32_MIN,
	 * whose magnitude TFLite's kernel cannot take (it would overflow).
	 */
	if (m_alpha == INT32_MIN)
		return -EINVAL;
	p->input_zero_point = input_zero_point;
	p->output_zero_point = output_zero_point;
	p->output_multiplier_alpha = m_alpha;
	p->output_shift_alpha = s_alpha;
	p->output_multiplier_identity = m_identity;
	p->output_shift_identity = s_identity;
	return 0;
}

static int8_t leaky_relu_one(const void *ctx, int32_t x)
{
	const struct enpu_leaky_relu_params *p = ctx;
	const int32_t d = x - p->input_zero_point;
	int32_t v;

	if (d >= 0) {
		v = enpu_mbqm(d, p->output_multiplier_identity,
			      p->output_shift_identity);
	} else if (p->output_multiplier_alpha < 0) {
		/* MBQM needs a non-negative multiplier: negate around it */
		v = enpu_wrap_sub(0, enpu_mbqm(d, -p->output_multiplier_alpha,
					       p->output_shift_alpha));
	} else {
		v = enpu_mbqm(d, p->output_multiplier_alpha,
			      p->output_shift_alpha);
	}
	return enpu_out_i8(v, p->output_zero_point, -128, 127);
}

int enpu_leaky_relu(const struct enpu_leaky_relu_params *p, size_t count,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len)
{
	if (!p || enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_multiplier(p->output_multiplier_identity,
				  p->output_shift_identity) ||
	    p->output_multiplier_alpha == INT32_MIN ||
	    p->output_shift_alpha < -31 || p->output_shift_alpha > 31 ||
	    enpu_check_unary(count, input, input_len, output, output_len))
		return -EINVAL;
	enpu_map_i8(count, input, output, leaky_relu_one, p);
	return 0;
}
