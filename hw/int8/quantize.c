// SPDX-License-Identifier: MIT
/*
 * QUANTIZE (float32 -> int8 or int16, int8 -> int8) and DEQUANTIZE (int8 or
 * int16 -> float32), TFLite reference_ops::AffineQuantize / Requantize /
 * Dequantize.
 */
#include <math.h>

#include "enpu_int8_internal.h"

/* One value: round(x / scale) + zero_point, saturated to [lo, hi]. */
static inline int32_t quantize_one(float x, float scale, int32_t zero_point, int32_t lo,
				   int32_t hi)
{
	/* Divide and round in float (roundf: half away from zero). */
	const float q = roundf(x / scale);

	/*
	 * Saturate before converting: out-of-range float -> int conversion
	 * is undefined in C. NaN maps to the minimum. Past the range's
	 * width no zero point brings a value back in.
	 */
	if (q >= (float)(hi - lo + 1))
		return hi;
	if (q > -2.0f * (float)(hi - lo + 1))
		return enpu_clamp_i32((int32_t)q + zero_point, lo, hi);
	return lo;
}

int enpu_quantize_f32(const float *input, size_t count, float scale,
		      int32_t zero_point, int8_t *output)
{
	if (!input || !output || count > ENPU_MAX_ELEMS ||
	    !isfinite(scale) || !(scale > 0.0f) || enpu_check_zp(zero_point))
		return -EINVAL;
	for (size_t i = 0; i < count; i++)
		output[i] = (int8_t)quantize_one(input[i], scale, zero_point, INT8_MIN,
						 INT8_MAX);
	return 0;
}

int enpu_quantize_f32_i16(const float *input, size_t count, float scale,
			  int32_t zero_point, int16_t *output)
{
	if (!input || !output || count > ENPU_MAX_ELEMS || !isfinite(scale) ||
	    !(scale > 0.0f) || zero_point < INT16_MIN || zero_point > INT16_MAX)
		return -EINVAL;
	for (size_t i = 0; i < count; i++)
		output[i] = (int16_t)quantize_one(input[i], scale, zero_point, INT16_MIN,
						  INT16_MAX);
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

/* An int8, int16 or int32 element as int32. */
static inline int32_t elem_get(const void *p, size_t size, size_t i)
{
	return size == 1 ? ((const int8_t *)p)[i] : size == 2 ? ((const int16_t *)p)[i] :
	       ((const int32_t *)p)[i];
}

/* The range of an int8, int16 or int32 element. */
static inline void elem_range(size_t size, int32_t *lo, int32_t *hi)
{
	*lo = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : INT32_MIN;
	*hi = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : INT32_MAX;
}

int enpu_requantize(const void *input, size_t input_size, size_t count,
		    int32_t input_zero_point, int32_t output_zero_point,
		    int32_t multiplier, int32_t shift, void *output, size_t output_size)
{
	int32_t ilo, ihi, lo, hi;

	if (!input || !output || count > ENPU_MAX_ELEMS ||
	    (input_size != 1 && input_size != 2 && input_size != 4) ||
	    (output_size != 1 && output_size != 2 && output_size != 4) ||
	    (input_size == 4 && output_size == 4) ||
	    enpu_check_multiplier(multiplier, shift))
		return -EINVAL;
	elem_range(input_size, &ilo, &ihi);
	elem_range(output_size, &lo, &hi);
	if (input_zero_point < ilo || input_zero_point > ihi ||
	    output_zero_point < lo || output_zero_point > hi)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		/* TFLite's int32 arithmetic; an int32 input may wrap as it does */
		const int32_t x = enpu_wrap_add(elem_get(input, input_size, i), -input_zero_point);
		const int64_t v = (int64_t)enpu_mbqm(x, multiplier, shift) + output_zero_point;
		const int32_t c = (int32_t)(v < lo ? lo : v > hi ? hi : v);

		if (output_size == 1)
			((int8_t *)output)[i] = (int8_t)c;
		else if (output_size == 2)
			((int16_t *)output)[i] = (int16_t)c;
		else
			((int32_t *)output)[i] = c;
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

int enpu_dequantize_i16(const int16_t *input, size_t count, float scale,
			int32_t zero_point, float *output)
{
	if (!input || !output || count > ENPU_MAX_ELEMS || !isfinite(scale) ||
	    zero_point < INT16_MIN || zero_point > INT16_MAX)
		return -EINVAL;
	const double s = (double)scale;

	for (size_t i = 0; i < count; i++)
		output[i] = (float)(s * (double)(input[i] - zero_point));
	return 0;
}
