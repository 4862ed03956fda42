// SPDX-License-Identifier: MIT
/*
 * LOGISTIC and TANH, int8 (TFLite reference_integer_ops::Logistic and
 * ::Tanh): inputs far enough from the zero point saturate; the others are
 * scaled into Q4.27 and go through gemmlowp's fixed-point logistic or
 * tanh (fixedpoint.c), whose Q0.31 result is rounded to 8 bits.
 */
#include "enpu_int8_internal.h"

#define INPUT_INT_BITS	4	/* Q4.27 input of the fixed-point function */

/*
 * The Prepare of both operators (the fields are the same): frexp of
 * in_scale * 2^27 is the multiplier and shift taking an int8 difference
 * to Q4.27, and the radius is the largest |difference| that stays below
 * 15 (2^4 - 1) there, floor(15 * 2^27 / 2^shift). The four fields are
 * written only on success.
 */
static int derive_q4(float input_scale, int32_t input_zero_point,
		     int32_t *zero_point, int32_t *multiplier, int32_t *shift,
		     int32_t *radius)
{
	int exp2;

	if (enpu_check_scale(input_scale) || enpu_check_zp(input_zero_point))
		return -EINVAL;
	const double real = (double)input_scale *
			    (double)(1 << (31 - INPUT_INT_BITS));
	const double q = frexp(real, &exp2);
	/* A float scale has 24 significant bits: q * 2^31 is exact. */
	const double m = round(q * 2147483648.0);

	/*
	 * A negative shift (scale < 2^-28) makes TFLM's radius computation
	 * undefined, and so does one past 62. From 31 on the radius is 0:
	 * every input saturates and the shift is never used.
	 */
	if (exp2 < 0 || exp2 > 62 || m > INT32_MAX)
		return -EINVAL;
	*zero_point = input_zero_point;
	*multiplier = (int32_t)m;
	*shift = exp2;
	*radius = (int32_t)floor(1.0 * ((1 << INPUT_INT_BITS) - 1) *
				 (double)(INT64_C(1) << (31 - INPUT_INT_BITS)) /
				 (double)(INT64_C(1) << exp2));
	return 0;
}

int enpu_logistic_derive(float input_scale, int32_t input_zero_point,
			 float output_scale, int32_t output_zero_point,
			 struct enpu_logistic_params *p)
{
	if (!p || output_scale != 1.0f / 256 || output_zero_point != -128)
		return -EINVAL;
	return derive_q4(input_scale, input_zero_point, &p->input_zero_point,
			 &p->input_multiplier, &p->input_left_shift,
			 &p->input_range_radius);
}

int enpu_tanh_derive(float input_scale, int32_t input_zero_point,
		     float output_scale, int32_t output_zero_point,
		     struct enpu_tanh_params *p)
{
	if (!p || output_scale != 1.0f / 128 || output_zero_point != 0)
		return -EINVAL;
	return derive_q4(input_scale, input_zero_point, &p->input_zero_point,
			 &p->input_multiplier, &p->input_left_shift,
			 &p->input_range_radius);
}

/* A shift MBQM cannot take is fine if the radius leaves MBQM unused. */
static int check_q4(int32_t zero_point, int32_t multiplier, int32_t shift,
		    int32_t radius)
{
	if (enpu_check_zp(zero_point) || multiplier < 0 || radius < 0 ||
	    shift < -31 || shift > 62 || (shift > 31 && radius != 0))
		return -EINVAL;
	return 0;
}

/*
 * logistic(x) or, with is_tanh, tanh(x) of one input: saturated outside
 * the radius, else through Q4.27 and the Q0.31 fixed-point function,
 * rounded to Q0.8 offset by -128 (logistic: scale 1/256, zero point -128)
 * or to Q0.7 (tanh: scale 1/128, zero point 0). Both callers pass a
 * constant is_tanh.
 */
static inline int8_t q4_one(int32_t x, int32_t zero_point, int32_t multiplier,
			    int32_t shift, int32_t radius, int is_tanh)
{
	const int32_t d = x - zero_point;

	if (d <= -radius)
		return -128;
	if (d >= radius)
		return 127;

	const int32_t q4 = enpu_mbqm(d, multiplier, shift);

	if (is_tanh)
		return (int8_t)enpu_clamp_i32(enpu_rdbpot(enpu_fp_tanh(q4, INPUT_INT_BITS),
							  31 - 7), -128, 127);
	return (int8_t)enpu_clamp_i32(enpu_rdbpot(enpu_fp_logistic(q4, INPUT_INT_BITS),
						  31 - 8) - 128, -128, 127);
}

static int8_t logistic_one(const void *ctx, int32_t x)
{
	const struct enpu_logistic_params *p = ctx;

	return q4_one(x, p->input_zero_point, p->input_multiplier,
		      p->input_left_shift, p->input_range_radius, 0);
}

static int8_t tanh_one(const void *ctx, int32_t x)
{
	const struct enpu_tanh_params *p = ctx;

	return q4_one(x, p->input_zero_point, p->input_multiplier,
		      p->input_left_shift, p->input_range_radius, 1);
}

/*
 * Validate the fields both parameter blocks share and the buffers, then
 * map every input through one_fn(ctx, x).
 */
static int q4_map(int32_t zero_point, int32_t multiplier, int32_t shift,
		  int32_t radius, size_t count, const int8_t *input,
		  size_t input_len, int8_t *output, size_t output_len,
		  int8_t (*one_fn)(const void *ctx, int32_t x), const void *ctx)
{
	if (check_q4(zero_point, multiplier, shift, radius) ||
	    enpu_check_unary(count, input, input_len, output, output_len))
		return -EINVAL;
	enpu_map_i8(count, input, output, one_fn, ctx);
	return 0;
}

int enpu_logistic(const struct enpu_logistic_params *p, size_t count,
		  const int8_t *input, size_t input_len,
		  int8_t *output, size_t output_len)
{
	if (!p)
		return -EINVAL;
	return q4_map(p->input_zero_point, p->input_multiplier,
		      p->input_left_shift, p->input_range_radius, count,
		      input, input_len, output, output_len, logistic_one, p);
}

int enpu_tanh(const struct enpu_tanh_params *p, size_t count,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len)
{
	if (!p)
		return -EINVAL;
	return q4_map(p->input_zero_point, p->input_multiplier,
		      p->input_left_shift, p->input_range_radius, count,
		      input, input_len, output, output_len, tanh_one, p);
}
