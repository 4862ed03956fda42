// SPDX-License-Identifier: MIT
/*
 * gemmlowp's fixed-point exp, reciprocal, logistic and tanh (the scalar
 * int32 paths of fixedpoint.h), as TFLite's SOFTMAX, LOGISTIC and TANH
 * use them. Formats are written Qi: i integer bits and 31 - i fractional
 * bits in an int32 (gemmlowp FixedPoint<int32_t, i>); multiplying Qa by
 * Qb with SRDHM gives Q(a+b) with no shift. gemmlowp adds and negates in
 * plain int32; here the same operations wrap, which is equal wherever
 * gemmlowp is defined.
 */
#include "enpu_int8_internal.h"

/*
 * exp(a) for a in [-1/4, 0), a and result in Q0: fourth-order Taylor
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
 * a is split into (a mod 1/4) - 1/4 in [-1/4, 0), handled by the
 * polynomial, plus a non-negative multiple of 1/4 whose bits select the
 * factors exp(-1/4), exp(-1/2), exp(-1), ..., exp(-16) (a barrel
 * shifter). Only the bits the format has are looked at: with 4 integer
 * bits the exp(-16) factor never applies.
 */
int32_t enpu_fp_exp_on_negative_values(int32_t a, int integer_bits)
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
	const int frac_bits = 31 - integer_bits;
	const int32_t one_quarter = INT32_C(1) << (frac_bits - 2);
	const int32_t a_mod_minus_quarter =
		enpu_wrap_sub(a & (one_quarter - 1), one_quarter);
	int32_t result = exp_on_quarter_interval(
		enpu_sat_shl(a_mod_minus_quarter, integer_bits));
	const uint32_t remainder =
		(uint32_t)enpu_wrap_sub(a_mod_minus_quarter, a);

	/* factor k is exp(-2^k), selected by the bit of weight 2^k */
	for (int k = -2; k <= 4 && k < integer_bits; k++)
		if (remainder & (UINT32_C(1) << (frac_bits + k)))
			result = enpu_srdhm(result, exp_of_minus_pow2[k + 2]);
	/* Below -32 the product would underflow anyway; gemmlowp flushes. */
	if (integer_bits > 5 && a < -(INT32_C(1) << (36 - integer_bits)))
		result = 0;
	if (a == 0)
		result = INT32_MAX;	/* exactly 1 */
	return result;
}

/* (a + b) / 2 rounded half away from zero (gemmlowp RoundingHalfSum). */
static int32_t rounding_half_sum(int32_t a, int32_t b)
{
	const int64_t sum = (int64_t)a + b;

	return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/*
 * 2 / (1 + a) for a in [0, 1) in Q0, result in Q2: Newton-Raphson on the
 * half denominator d = (1 + a) / 2 in [1/2, 1), starting from
 * 48/17 - 32/17 * d, three iterations.
 */
static int32_t two_over_one_plus_x_q2(int32_t a)
{
	const int32_t q2_one = 1 << 29;
	const int32_t c48_17 = 1515870810;	/* 48/17 in Q2 */
	const int32_t c_neg32_17 = -1010580540;	/* -32/17 in Q2 */
	const int32_t half_denominator = rounding_half_sum(a, INT32_MAX);
	int32_t x = enpu_wrap_add(c48_17,
				  enpu_srdhm(half_denominator, c_neg32_17));

	for (int i = 0; i < 3; i++) {
		const int32_t hd_x = enpu_srdhm(half_denominator, x);	/* Q2 */
		const int32_t one_minus = enpu_wrap_sub(q2_one, hd_x);	/* Q2 */

		/* Q2 * Q2 = Q4, back to Q2 with a saturating << 2 */
		x = enpu_wrap_add(x, enpu_sat_shl(enpu_srdhm(x, one_minus), 2));
	}
	return x;
}

int32_t enpu_fp_one_over_one_plus_x(int32_t a)
{
	/* 2 / (1 + a) in Q2 read as Q1 is 1 / (1 + a); Q1 -> Q0 */
	return enpu_sat_shl(two_over_one_plus_x_q2(a), 1);
}

int32_t enpu_fp_one_minus_x_over_one_plus_x(int32_t a)
{
	/* (1 - a) / (1 + a) = 2 / (1 + a) - 1, in Q2, then Q2 -> Q0 */
	return enpu_sat_shl(enpu_wrap_sub(two_over_one_plus_x_q2(a), 1 << 29),
			    2);
}

/*
 * For a > 0 logistic(a) = 1 / (1 + exp(-a)); for a < 0 it is
 * 1 - logistic(-a), and logistic(0) is exactly 1/2.
 */
int32_t enpu_fp_logistic(int32_t a, int integer_bits)
{
	if (a == 0)
		return 1 << 30;

	const int32_t neg_abs = a > 0 ? enpu_wrap_sub(0, a) : a;
	const int32_t positive = enpu_fp_one_over_one_plus_x(
		enpu_fp_exp_on_negative_values(neg_abs, integer_bits));

	return a > 0 ? positive : enpu_wrap_sub(INT32_MAX, positive);
}

/*
 * tanh(|a|) = (1 - exp(-2|a|)) / (1 + exp(-2|a|)): -2|a| is the same raw
 * value read with one more integer bit. tanh is odd, tanh(0) = 0.
 */
int32_t enpu_fp_tanh(int32_t a, int integer_bits)
{
	if (a == 0)
		return 0;

	const int32_t neg_abs = a < 0 ? a : enpu_wrap_sub(0, a);
	const int32_t t = enpu_fp_one_minus_x_over_one_plus_x(
		enpu_fp_exp_on_negative_values(neg_abs, integer_bits + 1));

	return a < 0 ? enpu_wrap_sub(0, t) : t;
}
