// SPDX-License-Identifier: MIT
/*
 * SOFTMAX, int8 -> int8 (TFLite reference_ops::Softmax with gemmlowp's
 * fixed-point exp and reciprocal, fixedpoint.c). Output scale 1/256, zero
 * point -128.
 *
 * Fixed-point formats below are written Qi.f: i integer bits, f = 31 - i
 * fractional bits, in an int32 (gemmlowp FixedPoint<int32_t, i>).
 * Multiplying Qa by Qb with SRDHM gives Q(a+b) with no shift needed.
 *
 * Per row: d = x - max(row) <= 0; entries with d < diff_min contribute
 * nothing (their exp is negligible). d is scaled by beta * input_scale
 * into Q5.26, exp() gives Q0.31, the sum of exps is kept in Q12.19, and
 * each output is exp * (1 / sum) rescaled to 8 bits.
 */
#include "enpu_int8_internal.h"

#define SCALED_DIFF_INT_BITS	5	/* Q5.26 exp() input */
#define ACCUM_INT_BITS		12	/* Q12.19 sum of exps */

/* exp() of a Q5.26 difference <= 0, in Q0.31 (fixedpoint.c). */
static inline int32_t exp_of_diff(int32_t scaled)
{
	return enpu_fp_exp_on_negative_values(scaled, SCALED_DIFF_INT_BITS);
}

int enpu_softmax_derive(float beta, float input_scale,
			struct enpu_softmax_params *p)
{
	int shift;

	if (!p || !isfinite(beta) || !isfinite(input_scale) ||
	    !(input_scale > 0.0f) || !(beta > 0.0f))
		return -EINVAL;

	/* PreprocessSoftmaxScaling: beta * scale * 2^(31 - 5), capped. */
	double real = (double)beta * (double)input_scale *
		      (double)(1 << (31 - SCALED_DIFF_INT_BITS));
	const double max_real = (double)((INT64_C(1) << 31) - 1);

	if (real > max_real)
		real = max_real;
	/* QuantizeMultiplierGreaterThanOne: TFLite CHECKs real > 1. */
	if (!(real > 1.0) ||
	    enpu_quantize_multiplier(real, &p->input_multiplier, &shift) ||
	    shift < 0 || shift > 31)
		return -EINVAL;
	p->input_left_shift = shift;

	/* CalculateInputRadius: floor((2^5 - 1) * 2^(31-5) / 2^shift). */
	const double radius = 1.0 * ((1 << SCALED_DIFF_INT_BITS) - 1) *
			      (double)(INT64_C(1) << (31 - SCALED_DIFF_INT_BITS)) /
			      (double)(INT64_C(1) << shift);
	p->diff_min = -(int32_t)floor(radius);
	return 0;
}

int enpu_softmax(const struct enpu_softmax_params *p,
		 int32_t outer_size, int32_t depth,
		 const int8_t *input, size_t input_len,
		 int8_t *output, size_t output_len)
{
	size_t count;

	if (!p || !enpu_dim_ok(outer_size) || !enpu_dim_ok(depth) ||
	    enpu_mul_size((size_t)outer_size, (size_t)depth, &count) ||
	    count > ENPU_MAX_ELEMS ||
	    p->input_multiplier < 0 || p->input_left_shift < 0 ||
	    p->input_left_shift > 31 || p->diff_min > 0 ||
	    enpu_check_buf(input, input_len, count) ||
	    enpu_check_buf(output, output_len, count))
		return -EINVAL;

	for (int32_t r = 0; r < outer_size; r++) {
		const int8_t *x = input + (size_t)r * depth;
		int8_t *out = output + (size_t)r * depth;
		int32_t max = -128;

		for (int32_t c = 0; c < depth; c++)
			if (x[c] > max)
				max = x[c];

		/* Sum of exp(d) in Q12.19 (wraps like TFLite's int32). */
		int32_t sum = 0;

		for (int32_t c = 0; c < depth; c++) {
			const int32_t d = x[c] - max;

			if (d >= p->diff_min) {
				const int32_t scaled = enpu_srdhm(
					enpu_wrap_shl(d, p->input_left_shift),
					p->input_multiplier);

				sum = enpu_wrap_add(sum,
					enpu_rdbpot(exp_of_diff(scaled),
						    ACCUM_INT_BITS));
			}
		}

		/*
		 * GetReciprocal: normalize the sum to 1 + f (f in [0, 1)) by
		 * its leading zeros, take 1 / (1 + f); the output exponent
		 * absorbs the normalization. d = 0 always passes diff_min
		 * <= 0, so sum >= 1.0 (2^19) unless it wrapped.
		 */
		const uint32_t usum = (uint32_t)sum;
		int headroom = 0;

		while (headroom < 32 && !(usum & (UINT32_C(0x80000000) >> headroom)))
			headroom++;
		const int bits_over_unit = ACCUM_INT_BITS - headroom;
		const int exponent = bits_over_unit + 31 - 8;

		if (headroom >= 32 || exponent < 0 || exponent > 31)
			return -EINVAL;	/* TFLite CHECK-fails here */
		const int32_t shifted_sum_minus_one =
			(int32_t)((usum << headroom) - UINT32_C(0x80000000));
		const int32_t scale =
			enpu_fp_one_over_one_plus_x(shifted_sum_minus_one);

		for (int32_t c = 0; c < depth; c++) {
			const int32_t d = x[c] - max;
			int32_t v = -128;

			if (d >= p->diff_min) {
				const int32_t scaled = enpu_srdhm(
					enpu_wrap_shl(d, p->input_left_shift),
					p->input_multiplier);
				const int32_t e = exp_of_diff(scaled);

				v = enpu_rdbpot(enpu_srdhm(scale, e), exponent) - 128;
				v = enpu_clamp_i32(v, -128, 127);
			}
			out[c] = (int8_t)v;
		}
	}
	return 0;
}
