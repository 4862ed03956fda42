// SPDX-License-Identifier: MIT
/*
 * RELU and RELU6, int8 (TFLM activations.cc: ReluQuantized and
 * Relu6Quantized). The two differ more than their names suggest: RELU
 * requantizes to the output's scale and zero point, RELU6 clamps in the
 * input's and ignores the output's.
 */
#include "enpu_int8_internal.h"

int enpu_relu_derive(float input_scale, int32_t input_zero_point,
		     float output_scale, int32_t output_zero_point,
		     struct enpu_relu_params *p)
{
	int32_t multiplier, zero;
	int shift;

	if (!p || enpu_check_scale(input_scale) ||
	    enpu_check_scale(output_scale) || enpu_check_zp(input_zero_point) ||
	    enpu_check_zp(output_zero_point))
		return -EINVAL;
	/* TFLM divides the float scales in float, then widens. */
	const float real = input_scale / output_scale;

	if (enpu_quantize_multiplier((double)real, &multiplier, &shift) ||
	    enpu_check_multiplier(multiplier, shift) ||
	    enpu_quantize_real(output_scale, output_zero_point, 0.0f, &zero))
		return -EINVAL;
	p->input_zero_point = input_zero_point;
	p->output_zero_point = output_zero_point;
	p->output_multiplier = multiplier;
	p->output_shift = shift;
	p->quantized_activation_min = zero > -128 ? zero : -128;
	p->quantized_activation_max = 127;
	return 0;
}

static int8_t relu_one(const void *ctx, int32_t x)
{
	const struct enpu_relu_params *p = ctx;

	return enpu_out_i8(enpu_mbqm(x - p->input_zero_point,
				     p->output_multiplier, p->output_shift),
			   p->output_zero_point, p->quantized_activation_min,
			   p->quantized_activation_max);
}

int enpu_relu(const struct enpu_relu_params *p, size_t count,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len)
{
	if (!p || enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift) ||
	    enpu_check_act(p->quantized_activation_min,
			   p->quantized_activation_max) ||
	    enpu_check_unary(count, input, input_len, output, output_len))
		return -EINVAL;
	enpu_map_i8(count, input, output, relu_one, p);
	return 0;
}

int enpu_relu6_derive(float input_scale, int32_t input_zero_point,
		      struct enpu_relu6_params *p)
{
	int32_t six;

	if (!p || enpu_check_scale(input_scale) ||
	    enpu_check_zp(input_zero_point) ||
	    enpu_quantize_real(input_scale, input_zero_point, 6.0f, &six))
		return -EINVAL;
	/* FloatToQuantizedType: round(6 / scale) + zp, clamped to int8 */
	p->six = enpu_clamp_i32(six, -128, 127);
	p->zero = input_zero_point;
	return 0;
}

static int8_t relu6_one(const void *ctx, int32_t x)
{
	const struct enpu_relu6_params *p = ctx;

	return (int8_t)(x > p->six ? p->six : x < p->zero ? p->zero : x);
}

int enpu_relu6(const struct enpu_relu6_params *p, size_t count,
	       const int8_t *input, size_t input_len,
	       int8_t *output, size_t output_len)
{
	if (!p || enpu_check_act(p->zero, p->six) ||
	    enpu_check_unary(count, input, input_len, output, output_len))
		return -EINVAL;
	enpu_map_i8(count, input, output, relu6_one, p);
	return 0;
}
