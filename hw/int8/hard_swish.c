// SPDX-License-Identifier: MIT
/*
 * HARD_SWISH, int8 (TFLite reference_ops::HardSwish<int8_t>):
 * x * relu6(x + 3) / 6, computed in 16-bit fixed point. With
 * d = x - input_zp and h = d * 2^7 (the "high-res" input):
 *
 *   pre  = SRDHM16(h, output_multiplier)            h on the output scale
 *   r    = h rescaled by the reluish multiplier so that 3.0 is 2^15,
 *          saturating: (x + 3) / 6 in [0, 1] after r = (r + 2^15) / 2
 *   out  = RDBPOT16(SDHM16(r, pre), -output_exponent) + output_zp
 *
 * Everything is int16 as in TFLite, with gemmlowp's int16 primitives;
 * their corner cases are reproduced rather than "fixed".
 */
#include "enpu_int8_internal.h"

/* int32 -> int16 keeping the low 16 bits (C++'s implicit narrowing). */
static inline int16_t wrap16(int32_t v)
{
	return (int16_t)(uint16_t)(uint32_t)v;
}

static inline int16_t sat16(int64_t v)
{
	return (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
}

/* gemmlowp SaturatingRoundingDoublingHighMul for int16 (ties upward). */
static int16_t srdhm16(int16_t a, int16_t b)
{
	if (a == INT16_MIN && b == INT16_MIN)
		return INT16_MAX;
	const int32_t ab = (int32_t)a * b;
	const int32_t nudge = ab >= 0 ? (1 << 14) : 1 - (1 << 14);

	return wrap16((ab + nudge) / (1 << 15));
}

/*
 * TFLite's SaturatingDoublingHighMul: as above but truncating toward
 * zero, which TFLite chose to cancel the upward bias of the former.
 */
static int16_t sdhm16(int16_t a, int16_t b)
{
	if (a == INT16_MIN && b == INT16_MIN)
		return INT16_MAX;
	return wrap16(((int32_t)a * b) / (1 << 15));
}

/*
 * gemmlowp RoundingDivideByPOT for int16, exponent in [0, 31]. Its mask,
 * 2^exponent - 1, is narrowed to int16: from exponent 16 on it is -1 and
 * the result degenerates to 1 for x >= 0 and -1 for x < 0. That is what
 * TFLite computes, so it is kept.
 */
static int16_t rdbpot16(int16_t x, int exponent)
{
	const int16_t mask = wrap16((int32_t)((INT64_C(1) << exponent) - 1));
	const int16_t remainder = (int16_t)(x & mask);
	const int16_t threshold = wrap16((mask >> 1) + (x < 0 ? 1 : 0));

	return wrap16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* TFLite's SaturatingLeftShift for int16; amount in [0, 30]. */
static inline int16_t sat_shl16(int16_t v, int amount)
{
	return sat16((int64_t)v * (INT64_C(1) << amount));
}

/* DownScaleInt32ToInt16Multiplier: round a Q0.31 multiplier to Q0.15. */
static int16_t downscale_multiplier(int32_t m)
{
	if (m >= INT32_MAX - (1 << 15))
		return INT16_MAX;
	return (int16_t)((m + (1 << 15)) >> 16);
}

int enpu_hard_swish_derive(float input_scale, int32_t input_zero_point,
			   float output_scale, int32_t output_zero_point,
			   struct enpu_hard_swish_params *p)
{
	int32_t m_out, m_reluish;
	int e_out, e_reluish;

	if (!p || enpu_check_scale(input_scale) ||
	    enpu_check_scale(output_scale) || enpu_check_zp(input_zero_point) ||
	    enpu_check_zp(output_zero_point))
		return -EINVAL;
	/* All in float, as HardSwishPrepare, each ratio widened at the end. */
	const float hires_input_scale = (1.0f / 128.0f) * input_scale;
	const float reluish_scale = 3.0f / 32768.0f;
	const float real_out = hires_input_scale / output_scale;
	const float real_reluish = hires_input_scale / reluish_scale;

	if (enpu_quantize_multiplier((double)real_out, &m_out, &e_out) ||
	    enpu_quantize_multiplier((double)real_reluish, &m_reluish,
				     &e_reluish))
		return -EINVAL;
	/*
	 * TFLM refuses an output exponent > 0; a reluish exponent past 31
	 * would overflow TFLite's saturating shift (its 1 << amount).
	 */
	if (e_out > 0 || e_out < -31 || e_reluish > 31 || e_reluish < -31)
		return -EINVAL;
	p->input_zero_point = input_zero_point;
	p->output_zero_point = output_zero_point;
	p->reluish_multiplier_fixedpoint_int16 = downscale_multiplier(m_reluish);
	p->reluish_multiplier_exponent = e_reluish;
	p->output_multiplier_fixedpoint_int16 = downscale_multiplier(m_out);
	p->output_multiplier_exponent = e_out;
	return 0;
}

static int8_t hard_swish_one(const void *ctx, int32_t x)
{
	const struct enpu_hard_swish_params *p = ctx;
	/* |x - zp| <= 255, so both fit int16 exactly */
	const int16_t input_value = (int16_t)(x - p->input_zero_point);
	const int16_t hires = (int16_t)(input_value * (1 << 7));
	const int16_t preshift_output =
		srdhm16(hires, p->output_multiplier_fixedpoint_int16);
	const int32_t e = p->reluish_multiplier_exponent;
	int16_t reluish = hires;

	/*
	 * Left shifts: all but the last bit before the multiply, the last
	 * one after, so that only the final shift can saturate the result.
	 */
	if (e > 0)
		reluish = sat_shl16(reluish, e - 1);
	reluish = srdhm16(reluish, p->reluish_multiplier_fixedpoint_int16);
	if (e > 0)
		reluish = sat_shl16(reluish, 1);
	if (e < 0)
		reluish = rdbpot16(reluish, -e);
	/* [-1, 1] -> [0, 1] */
	reluish = (int16_t)((reluish + (1 << 15)) >> 1);

	const int16_t preshift = sdhm16(reluish, preshift_output);
	/* int16 += int16 wraps in TFLite before its clamp: so here */
	const int16_t out = wrap16(rdbpot16(preshift,
					    -p->output_multiplier_exponent) +
				   p->output_zero_point);

	return (int8_t)enpu_clamp_i32(out, -128, 127);
}

int enpu_hard_swish(const struct enpu_hard_swish_params *p, size_t count,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len)
{
	if (!p || enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    p->reluish_multiplier_fixedpoint_int16 < 0 ||
	    p->output_multiplier_fixedpoint_int16 < 0 ||
	    p->reluish_multiplier_exponent < -31 ||
	    p->reluish_multiplier_exponent > 31 ||
	    p->output_multiplier_exponent < -31 ||
	    p->output_multiplier_exponent > 0 ||
	    enpu_check_unary(count, input, input_len, output, output_len))
		return -EINVAL;
	enpu_map_i8(count, input, output, hard_swish_one, p);
	return 0;
}
