/* SPDX-License-Identifier: MIT */
/*
 * Fixed-point primitives of the INT8 arithmetic (TFLite-Micro reference
 * semantics, gemmlowp "double rounding"). Everything here is static inline,
 * C11 plus <math.h>, usable from the QEMU device model, the userspace
 * library and host tests alike.
 *
 * Conventions (as TFLite): a quantized multiplier is a Q0.31 int32 M with
 * an exponent "shift"; real = M * 2^(shift - 31). shift > 0 is a left
 * shift, shift < 0 a right shift.
 *
 * TFLite computes in plain int32 and relies on the absence of overflow;
 * here every operation that could overflow on untrusted input is done in
 * wrapping two's-complement arithmetic (through uint32_t), which equals
 * what TFLite computes whenever TFLite itself is well defined, and never
 * invokes undefined behaviour. Conversions of out-of-range uint32_t values
 * to int32_t rely on the modulo behaviour all supported compilers
 * (GCC, Clang) document.
 */
#ifndef ENPU_QUANT_H
#define ENPU_QUANT_H

#include <errno.h>
#include <math.h>
#include <stdint.h>

/* ---- wrapping int32 helpers ---------------------------------------------- */

static inline int32_t enpu_wrap_add(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t enpu_wrap_sub(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* a * 2^s with wrap-around; s in [0, 31]. */
static inline int32_t enpu_wrap_shl(int32_t a, int s)
{
	return (int32_t)((uint32_t)a << (s & 31));
}

static inline int32_t enpu_clamp_i32(int32_t v, int32_t lo, int32_t hi)
{
	/* Same order as TFLite: max with the lower bound first, then min. */
	v = v < lo ? lo : v;
	return v > hi ? hi : v;
}

/* ---- gemmlowp primitives ------------------------------------------------- */

/*
 * SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded to nearest,
 * saturating the single overflowing case INT32_MIN * INT32_MIN. The nudge
 * (+2^30, or 1 - 2^30 for negative products) is added before a division
 * that truncates toward zero, so ties round toward +infinity: 0.5 -> 1,
 * -0.5 -> 0, -1.5 -> -1.
 */
static inline int32_t enpu_srdhm(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	const int64_t ab = (int64_t)a * (int64_t)b;
	const int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : 1 - (INT64_C(1) << 30);
	return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/*
 * RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from
 * zero (the threshold is one larger for negative x). exponent in [0, 31].
 */
static inline int32_t enpu_rdbpot(int32_t x, int exponent)
{
	const int32_t mask = (int32_t)((INT64_C(1) << (exponent & 31)) - 1);
	const int32_t remainder = x & mask;
	const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

/*
 * MultiplyByQuantizedMultiplier, double rounding (TFLite without
 * TFLITE_SINGLE_ROUNDING): left shift first, then a rounding high
 * multiply, then a rounding right shift. shift must be in [-31, 31]
 * (the kernels validate this before calling).
 */
static inline int32_t enpu_mbqm(int32_t x, int32_t multiplier, int shift)
{
	const int left = shift > 0 ? shift : 0;
	const int right = shift > 0 ? 0 : -shift;
	return enpu_rdbpot(enpu_srdhm(enpu_wrap_shl(x, left), multiplier), right);
}

/*
 * MultiplyByQuantizedMultiplier for an int64 x (TFLite's 16x8 kernels with
 * int64 accumulators). This form rounds once: the multiplier is first
 * reduced to 16 bits (rounded, capped at 0x7fff), then x * reduced + half
 * is shifted right by 15 - shift and the result truncated to int32.
 * shift must be in [-31, 7] and |x| < 2^47 (TFLite asserts both); beyond
 * that range the product and the truncation wrap instead of being
 * undefined.
 */
static inline int32_t enpu_mbqm64(int64_t x, int32_t multiplier, int shift)
{
	const int32_t reduced = multiplier < 0x7fff0000 ?
				(multiplier + (1 << 15)) >> 16 : 0x7fff;
	const int total = 15 - shift;
	const uint64_t v = (uint64_t)x * (uint64_t)(int64_t)reduced +
			   (UINT64_C(1) << (total - 1));

	/* Arithmetic shift of the wrapped value, as GCC and Clang do. */
	return (int32_t)(uint32_t)(uint64_t)((int64_t)v >> total);
}

/* ---- multiplier derivation (TFLite QuantizeMultiplier) ------------------- */

/*
 * real = q * 2^shift with q in [0.5, 1) (frexp); multiplier = round(q * 2^31)
 * with ties away from zero. Rounding can reach 2^31, which is folded back
 * into range by halving and bumping the exponent. Exponents below -31 would
 * shift every bit out: TFLite then returns multiplier 0, shift 0.
 * Returns 0, or -EINVAL for a non-finite input (TFLite would abort).
 */
static inline int enpu_quantize_multiplier(double real, int32_t *multiplier,
					   int *shift)
{
	if (!isfinite(real))
		return -EINVAL;
	if (real == 0.0) {
		*multiplier = 0;
		*shift = 0;
		return 0;
	}
	int exp2;
	const double q = frexp(real, &exp2);
	int64_t q_fixed = (int64_t)round(q * 2147483648.0);

	if (q_fixed == (INT64_C(1) << 31)) {
		q_fixed /= 2;
		exp2++;
	}
	if (exp2 < -31) {
		exp2 = 0;
		q_fixed = 0;
	}
	*multiplier = (int32_t)q_fixed;
	*shift = exp2;
	return 0;
}

/* ---- fused activations --------------------------------------------------- */

/* TfLiteFusedActivation values, so options map one to one. */
enum enpu_activation {
	ENPU_ACT_NONE = 0,
	ENPU_ACT_RELU = 1,
	ENPU_ACT_RELU_N1_TO_1 = 2,
	ENPU_ACT_RELU6 = 3,
	ENPU_ACT_TANH = 4,	/* no clamp on quantized outputs (as TFLite) */
	ENPU_ACT_SIGN_BIT = 5,	/* no clamp on quantized outputs (as TFLite) */
};

/*
 * Quantize one real value into the output's integer domain as TFLite's
 * CalculateActivationRangeQuantized does: round(f / scale) in float (ties
 * away from zero), rejected when it does not fit an int32, plus the zero
 * point (saturated to int32 instead of overflowing).
 */
static inline int enpu_quantize_real(float scale, int32_t zero_point, float f,
				     int32_t *q)
{
	const float tmp = roundf(f / scale);

	if (!(tmp >= -2147483648.0f && tmp < 2147483648.0f))
		return -EINVAL;
	int64_t v = (int64_t)zero_point + (int64_t)tmp;
	if (v > INT32_MAX)
		v = INT32_MAX;
	if (v < INT32_MIN)
		v = INT32_MIN;
	*q = (int32_t)v;
	return 0;
}

/*
 * Output clamp range, within [qmin, qmax], of a quantized tensor (scale,
 * zero_point) for a fused activation: TFLite's
 * CalculateActivationRangeQuantized. Returns 0 or -EINVAL (unknown
 * activation, bad scale).
 */
static inline int enpu_activation_range(enum enpu_activation act, float scale,
					int32_t zero_point, int32_t qmin,
					int32_t qmax, int32_t *act_min,
					int32_t *act_max)
{
	int32_t lo = qmin, hi = qmax, q;

	if (!(scale > 0.0f) || !isfinite(scale))
		return -EINVAL;
	switch (act) {
	case ENPU_ACT_RELU:
		if (enpu_quantize_real(scale, zero_point, 0.0f, &q))
			return -EINVAL;
		lo = q > qmin ? q : qmin;
		break;
	case ENPU_ACT_RELU6:
		if (enpu_quantize_real(scale, zero_point, 0.0f, &q))
			return -EINVAL;
		lo = q > qmin ? q : qmin;
		if (enpu_quantize_real(scale, zero_point, 6.0f, &q))
			return -EINVAL;
		hi = q < qmax ? q : qmax;
		break;
	case ENPU_ACT_RELU_N1_TO_1:
		if (enpu_quantize_real(scale, zero_point, -1.0f, &q))
			return -EINVAL;
		lo = q > qmin ? q : qmin;
		if (enpu_quantize_real(scale, zero_point, 1.0f, &q))
			return -EINVAL;
		hi = q < qmax ? q : qmax;
		break;
	case ENPU_ACT_NONE:
	case ENPU_ACT_TANH:
	case ENPU_ACT_SIGN_BIT:
		break;
	default:
		return -EINVAL;
	}
	*act_min = lo;
	*act_max = hi;
	return 0;
}

/* Output clamp range of an int8 tensor for a fused activation. */
static inline int enpu_activation_range_int8(enum enpu_activation act,
					     float scale, int32_t zero_point,
					     int32_t *act_min, int32_t *act_max)
{
	return enpu_activation_range(act, scale, zero_point, -128, 127,
				     act_min, act_max);
}

/* Output clamp range of an int16 tensor for a fused activation. */
static inline int enpu_activation_range_int16(enum enpu_activation act,
					      float scale, int32_t zero_point,
					      int32_t *act_min, int32_t *act_max)
{
	return enpu_activation_range(act, scale, zero_point, -32768, 32767,
				     act_min, act_max);
}

#endif /* ENPU_QUANT_H */
