// SPDX-License-Identifier: MIT
/*
 * QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 ->
 * float32), TFLite reference_ops::AffineQuantize / Requantize / Dequantize.
 */
#include <math.h>

#include "enpu_int8_internal.h"

int enpu_quantize_f32(const float *input, size_t count, float scale,
		      int32_t zero_point, int8_t *output)
{
	if (!input || !output || count > ENPU_MAX_ELEMS ||
	    !isfinite(scale) || !(scale > 0.0f) || enpu_check_zp(zero_point))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		/* Divide and round in float (roundf: half away from zero). */
		const float q = roundf(input[i] / scale);
		int32_t v;

		/* Saturate before converting: out-of-range float -> int
		 * conversion is undefined in C. NaN maps to the minimum.
		 */
		if (q >= 256.0f)
			v = 127;
		else if (q > -512.0f)
			v = enpu_clamp_i32((int32_t)q + zero_point, -128, 127);
		else
			v = -128;
		output[i] = (int8_t)v;
	}
	return 0;
}

int enpu_requantize_i8(const int8_t *input, size_t count,
		       int32_t input_zero_point, int32_t output_zero_point,
		       int32_t multiplier, int32_t shift, int8_t *output)
{
	if (!input || !output || count > ENPU_MAX_ELEMS ||
	    enpu_check_zp(input_zero_point) || enpu_check_zp(output_zero_point) ||
	    enpu_check_multiplier(multiplier, shift))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		const int32_t v = enpu_mbqm(input[i] - input_zero_point,
					    multiplier, shift);

		output[i] = enpu_out_i8(v, output_zero_point, -128, 127);
	}
	return 0;
}

int enpu_dequantize_i8(const int8_t *input, size_t count, float scale,
		       int32_t zero_point, float *output)
{
	if (!input || !output || count > ENPU_MAX_ELEMS || !isfinite(scale) ||
	    enpu_check_zp(zero_point))
		return -EINVAL;
	/* The product is formed in double, then rounded once to float. */
	const double s = (double)scale;

	for (size_t i = 0; i < count; i++)
		output[i] = (float)(s * (double)(input[i] - zero_point));
	return 0;
}
