// SPDX-License-Identifier: MIT
/*
 * SOFTMAX, int8 -> int8 (TFLite reference_ops::Softmax with gemmlowp's
 * fixed-point exp and reciprocal). Output scale 1/256, zero point -128.
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

/*
 * Left shift by `exponent` with saturation to [INT32_MIN, INT32_MAX]
 * (gemmlowp SaturatingRoundingMultiplyByPOT for a positive exponent).
 */
static int32_t sat_shl(int32_t x, int exponent)
{
	const int32_t threshold = (int32_t)((INT64_C(1) << (31 - exponent)) - 1);

	if (x > threshold)
		return INT32_MAX;
	if (x < -threshold)
		return INT32_MIN;
	return enpu_wrap_shl(x, exponent);
}

/*
 * exp(a) for a in [-1/4, 0), a and result in Q0.31: fourth-order Taylor
 * expansion around -1/8, with x = a + 1/8:
 *   exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24)
 */
static int32_t exp_on_quarter_interval(int32_t a)
{
	const int32_t exp_minus_one_eighth = 1895147668;	/* exp(-1/8) */
	const int32_t one_third = 715827883;			/* 1/3 */
	const int32_t x = enpu_wrap_add(a, 1 << 28);		/* + 1/8 */
	const int32_t x2 = enpu_srdhm(x, x);
	const int32_t x3 = enpu_srdhm(x2, x);
	const int32_t x4 = enpu_srdhm(x2, x2);
	const int32_t x4_over_4 = enpu_rdbpot(x4, 2);
	/* ((x^4/4 + x^3) / 3 + x^2) / 2 = x^4/24 + x^3/6 + x^2/2 */
	const int32_t poly = enpu_rdbpot(
		enpu_wrap_add(enpu_srdhm(enpu_wrap_add(x4_over_4, x3), one_third),
			      x2), 1);

	return enpu_wrap_add(exp_minus_one_eighth,
			     enpu_srdhm(exp_minus_one_eighth,
					enpu_wrap_add(x, poly)));
}

/*
 * exp(a) for a <= 0 given in Q5.26; result in Q0.31. a is split into
 * (a mod 1/4) - 1/4 in [-1/4, 0), handled by the polynomial, plus a
 * non-negative multiple of 1/4 whose bits select the factors
 * exp(-1/4), exp(-1/2), exp(-1), ..., exp(-16) (a barrel shifter).
 */
static int32_t exp_on_negative_values(int32_t a)
{
	static const int32_t exp_of_minus_pow2[7] = {
		1672461947,	/* exp(-1/4) */
		1302514674,	/* exp(-1/2) */
		790015084,	/* exp(-1) */
		290630308,	/* exp(-2) */
		39332535,	/* exp(-4) */
		720401,		/* exp(-8) */
		242,		/* exp(-16) */
	};
	const int frac_bits = 31 - SCALED_DIFF_INT_BITS;
	const int32_t one_quarter = 1 << (frac_bits - 2);
	const int32_t a_mod_minus_quarter =
		enpu_wrap_sub(a & (one_quarter - 1), one_quarter);
	/* Q5.26 -> Q0.31 */
	int32_t result = exp_on_quarter_interval(
		sat_shl(a_mod_minus_quarter, SCALED_DIFF_INT_BITS));
	const int32_t remainder = enpu_wrap_sub(a_mod_minus_quarter, a);

	for (int i = 0; i < 7; i++)
		if (remainder & (1 << (frac_bits - 2 + i)))
			result = enpu_srdhm(result, exp_of_minus_pow2[i]);
	/* With 5 integer bits no clamp below -32 is needed (gemmlowp). */
	if (a == 0)
		result = INT32_MAX;	/* exactly 1 */
	return result;
}

/*
 * 1 / (1 + a) for a in [0, 1), Q0.31 in and out: Newton-Raphson on the
 * half denominator (1 + a) / 2 in [1/2, 1), starting from
 * 48/17 - 32/17 * d, three iterations, in Q2.29.
 */
static int32_t one_over_one_plus_x(int32_t a)
{
	const int32_t q2_one = 1 << 29;
	const int32_t c48_17 = 1515870810;	/* 48/17 in Q2.29 */
	const int32_t c_neg32_17 = -1010580540;	/* -32/17 in Q2.29 */
	/* RoundingHalfSum(a, 1): (a + INT32_MAX) / 2 rounded half away. */
	const int64_t sum = (int64_t)a + INT32_MAX;
	const int32_t half_denominator =
		(int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
	int32_t x = enpu_wrap_add(c48_17, enpu_srdhm(half_denominator, c_neg32_17));

	for (int i = 0; i < 3; i++) {
		const int32_t hd_x = enpu_srdhm(half_denominator, x);	/* Q2 */
		const int32_t one_minus = enpu_wrap_sub(q2_one, hd_x);	/* Q2 */
		/* Q2 * Q2 = Q4, rescaled to Q2 by a saturating << 2 */
		x = enpu_wrap_add(x, sat_shl(enpu_srdhm(x, one_minus), 2));
	}
	/* x ~ 2 / (1 + a) in Q2.29; read as Q1.30 it is 1 / (1 + a);
	 * rescale Q1 -> Q0 with a saturating << 1.
	 */
	return sat_shl(x, 1);
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
					enpu_rdbpot(exp_on_negative_values(scaled),
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
		const int32_t scale = one_over_one_plus_x(shifted_sum_minus_one);

		for (int32_t c = 0; c < depth; c++) {
			const int32_t d = x[c] - max;
			int32_t v = -128;

			if (d >= p->diff_min) {
				const int32_t scaled = enpu_srdhm(
					enpu_wrap_shl(d, p->input_left_shift),
					p->input_multiplier);
				const int32_t e = exp_on_negative_values(scaled);

				v = enpu_rdbpot(enpu_srdhm(scale, e), exponent) - 128;
				v = enpu_clamp_i32(v, -128, 127);
			}
			out[c] = (int8_t)v;
		}
	}
	return 0;
}
