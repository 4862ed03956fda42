// SPDX-License-Identifier: MIT
/*
 * Unit tests of the INT8 primitives (hw/int8/enpu_quant.h) and of the
 * kernels' parameter validation, plus randomized equivalence of the fast
 * conv / depthwise / FC paths with a naive TFLite-style loop (including
 * the deep-filter fallbacks the goldens never reach).
 */
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <errno.h>
#include <stdint.h>

#include "kselftest_harness.h"

#include "enpu_int8.h"
#include "enpu_int8_internal.h"
#include "enpu_requant.h"
#include "enpu_simd.h"

/* ---- SaturatingRoundingDoublingHighMul ----------------------------------- */

TEST(srdhm_saturates_min_times_min)
{
	ASSERT_EQ(INT32_MAX, enpu_srdhm(INT32_MIN, INT32_MIN));
}

TEST(srdhm_values)
{
	/* 2^30 * 2^30 / 2^31 = 2^29 */
	ASSERT_EQ(1 << 29, enpu_srdhm(1 << 30, 1 << 30));
	/* -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly */
	ASSERT_EQ(-INT32_MAX, enpu_srdhm(INT32_MIN, INT32_MAX));
	ASSERT_EQ(INT32_MAX - 1, enpu_srdhm(INT32_MAX, INT32_MAX));
	/* Ties round toward +infinity: 0.5 -> 1, -0.5 -> 0, -1.5 -> -1 */
	ASSERT_EQ(1, enpu_srdhm(1, 1 << 30));
	ASSERT_EQ(0, enpu_srdhm(-1, 1 << 30));
	ASSERT_EQ(-1, enpu_srdhm(-3, 1 << 30));
	ASSERT_EQ(2, enpu_srdhm(3, 1 << 30));
	/* Non-ties round to nearest: 0.25 -> 0, -0.75 -> -1 */
	ASSERT_EQ(0, enpu_srdhm(1, 1 << 29));
	ASSERT_EQ(-1, enpu_srdhm(-3, 1 << 29));
}

/* ---- RoundingDivideByPOT --------------------------------------------------- */

TEST(rdbpot_negative_ties_away_from_zero)
{
	ASSERT_EQ(-2, enpu_rdbpot(-3, 1));	/* -1.5 -> -2 */
	ASSERT_EQ(2, enpu_rdbpot(3, 1));	/*  1.5 ->  2 */
	ASSERT_EQ(-1, enpu_rdbpot(-2, 2));	/* -0.5 -> -1 */
	ASSERT_EQ(1, enpu_rdbpot(2, 2));	/*  0.5 ->  1 */
	ASSERT_EQ(-1, enpu_rdbpot(-5, 2));	/* -1.25 -> -1 */
	ASSERT_EQ(-2, enpu_rdbpot(-7, 2));	/* -1.75 -> -2 */
	ASSERT_EQ(-1, enpu_rdbpot(-1, 1));	/* -0.5 -> -1 */
	ASSERT_EQ(0, enpu_rdbpot(-1, 2));	/* -0.25 -> 0 */
	ASSERT_EQ(-7, enpu_rdbpot(-7, 0));
	ASSERT_EQ(-1, enpu_rdbpot(INT32_MIN, 31));
	ASSERT_EQ(1, enpu_rdbpot(INT32_MAX, 31));
}

/* Round-half-away-from-zero reference in int64. */
static int32_t rdbpot_ref(int32_t x, int e)
{
	const int64_t half = e ? INT64_C(1) << (e - 1) : 0;
	const int64_t ax = x < 0 ? -(int64_t)x : x;
	const int64_t q = (ax + half) >> e;

	return (int32_t)(x < 0 ? -q : q);
}

TEST(rdbpot_matches_round_half_away)
{
	static const int32_t xs[] = {
		0, 1, -1, 2, -2, 3, -3, 5, -5, 1000, -1000, 12345678,
		-12345678, INT32_MAX, INT32_MIN + 1, 1 << 30, -(1 << 30),
	};

	for (int e = 0; e <= 31; e++)
		for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
			ASSERT_EQ(rdbpot_ref(xs[i], e), enpu_rdbpot(xs[i], e));
	for (int32_t x = -4096; x <= 4096; x++)
		for (int e = 0; e < 14; e++)
			ASSERT_EQ(rdbpot_ref(x, e), enpu_rdbpot(x, e));
}

TEST(mbqm_double_rounding)
{
	/* 0.5 * 3 = 1.5 -> 2 */
	ASSERT_EQ(2, enpu_mbqm(3, 1 << 30, 0));
	/* x * 0.5 * 2^-1: -3 / 4 = -0.75: SRDHM(-3, 2^30) = -1 (tie up),
	 * then -1 / 2 = -0.5 -> -1 (away): double rounding gives -1.
	 */
	ASSERT_EQ(-1, enpu_mbqm(-3, 1 << 30, -1));
	/* Left shift: 100 * 2^3 * 0.5 = 400 */
	ASSERT_EQ(400, enpu_mbqm(100, 1 << 30, 3));
	ASSERT_EQ(0, enpu_mbqm(123456, 0, 0));
}

/* ---- QuantizeMultiplier ------------------------------------------------------ */

static void qm(double real, int32_t *m, int *s)
{
	*m = -1;
	*s = -99;
	enpu_quantize_multiplier(real, m, s);
}

TEST(quantize_multiplier_known_values)
{
	int32_t m;
	int s;

	qm(0.5, &m, &s);
	ASSERT_EQ(1 << 30, m);
	ASSERT_EQ(0, s);
	qm(1.0, &m, &s);
	ASSERT_EQ(1 << 30, m);
	ASSERT_EQ(1, s);
	qm(0.75, &m, &s);
	ASSERT_EQ(1610612736, m);
	ASSERT_EQ(0, s);
	qm(3.0, &m, &s);
	ASSERT_EQ(1610612736, m);
	ASSERT_EQ(2, s);
	qm(0.0, &m, &s);
	ASSERT_EQ(0, m);
	ASSERT_EQ(0, s);
	/* 1/3: frexp -> 2/3 * 2^-1, round(2/3 * 2^31) = 1431655765 */
	qm(1.0 / 3.0, &m, &s);
	ASSERT_EQ(1431655765, m);
	ASSERT_EQ(-1, s);
}

TEST(quantize_multiplier_rounds_up_to_power_of_two)
{
	int32_t m;
	int s;

	/* q = 1 - 2^-40: q * 2^31 rounds to 2^31 -> halved, exponent + 1 */
	qm(1.0 - 0x1p-40, &m, &s);
	ASSERT_EQ(1 << 30, m);
	ASSERT_EQ(1, s);
	qm(0.5 - 0x1p-45, &m, &s);
	ASSERT_EQ(1 << 30, m);
	ASSERT_EQ(0, s);
	/* Just below the rounding boundary it stays 2^31 - 1. */
	qm(1.0 - 0x1p-31, &m, &s);
	ASSERT_EQ(INT32_MAX, m);
	ASSERT_EQ(0, s);
}

TEST(quantize_multiplier_tiny_values)
{
	int32_t m;
	int s;

	/* 2^-32 = 0.5 * 2^-31: still representable */
	qm(0x1p-32, &m, &s);
	ASSERT_EQ(1 << 30, m);
	ASSERT_EQ(-31, s);
	/* 3e-10 = 0.644 * 2^-31: kept */
	qm(3e-10, &m, &s);
	ASSERT_EQ(-31, s);
	ASSERT_NE(0, m);
	/* 2^-33 and below: exponent < -31 -> multiplier 0, shift 0 */
	qm(0x1p-33, &m, &s);
	ASSERT_EQ(0, m);
	ASSERT_EQ(0, s);
	qm(1e-12, &m, &s);
	ASSERT_EQ(0, m);
	ASSERT_EQ(0, s);
}

TEST(quantize_multiplier_rejects_non_finite)
{
	int32_t m;
	int s;

	ASSERT_EQ(-EINVAL, enpu_quantize_multiplier(NAN, &m, &s));
	ASSERT_EQ(-EINVAL, enpu_quantize_multiplier(INFINITY, &m, &s));
}

/* ---- activation ranges ------------------------------------------------------- */

TEST(activation_ranges)
{
	int32_t lo, hi;

	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_NONE, 0.1f, 5, &lo, &hi));
	ASSERT_EQ(-128, lo);
	ASSERT_EQ(127, hi);
	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_RELU, 0.1f, -10, &lo, &hi));
	ASSERT_EQ(-10, lo);
	ASSERT_EQ(127, hi);
	/* RELU6, scale 0.05, zp -128: 6 / 0.05 = 120 -> -8 */
	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_RELU6, 0.05f, -128, &lo, &hi));
	ASSERT_EQ(-128, lo);
	ASSERT_EQ(-8, hi);
	/* RELU6 tie: 6 / 4 = 1.5 -> 2 (half away from zero) */
	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_RELU6, 4.0f, 0, &lo, &hi));
	ASSERT_EQ(0, lo);
	ASSERT_EQ(2, hi);
	/* RELU_N1_TO_1 with scale 1/128: -1 -> -128, 1 -> 128 clamped */
	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_RELU_N1_TO_1, 1.0f / 128, 0,
						&lo, &hi));
	ASSERT_EQ(-128, lo);
	ASSERT_EQ(127, hi);
	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_RELU_N1_TO_1, 0.1f, 3,
						&lo, &hi));
	ASSERT_EQ(-7, lo);
	ASSERT_EQ(13, hi);
	/* TANH / SIGN_BIT do not clamp quantized outputs in TFLite */
	ASSERT_EQ(0, enpu_activation_range_int8(ENPU_ACT_TANH, 0.1f, 3, &lo, &hi));
	ASSERT_EQ(-128, lo);
	ASSERT_EQ(127, hi);
	ASSERT_EQ(-EINVAL, enpu_activation_range_int8(ENPU_ACT_RELU, 0.0f, 0, &lo, &hi));
	ASSERT_EQ(-EINVAL, enpu_activation_range_int8(ENPU_ACT_RELU, NAN, 0, &lo, &hi));
	ASSERT_EQ(-EINVAL, enpu_activation_range_int8((enum enpu_activation)9, 0.1f,
						      0, &lo, &hi));
	/* round(6 / 1e-38) does not fit an int32: TFLite refuses too */
	ASSERT_EQ(-EINVAL, enpu_activation_range_int8(ENPU_ACT_RELU6, 1e-38f, 0,
						      &lo, &hi));
}

TEST(compute_padding)
{
	int32_t out, before, offset;

	ASSERT_EQ(0, enpu_compute_padding(ENPU_PADDING_SAME, 5, 3, 2, 1, &out,
					  &before, &offset));
	ASSERT_EQ(3, out);
	ASSERT_EQ(1, before);
	ASSERT_EQ(0, offset);
	ASSERT_EQ(0, enpu_compute_padding(ENPU_PADDING_SAME, 6, 3, 2, 1, &out,
					  &before, &offset));
	ASSERT_EQ(3, out);
	ASSERT_EQ(0, before);
	ASSERT_EQ(1, offset);
	/* 5x5 kernel, dilation 2 on 13: eff 9, out 5 (stride 3), total 8 */
	ASSERT_EQ(0, enpu_compute_padding(ENPU_PADDING_SAME, 13, 5, 3, 2, &out,
					  &before, &offset));
	ASSERT_EQ(5, out);
	ASSERT_EQ(4, before);
	ASSERT_EQ(0, offset);
	ASSERT_EQ(0, enpu_compute_padding(ENPU_PADDING_VALID, 5, 3, 2, 1, &out,
					  &before, &offset));
	ASSERT_EQ(2, out);
	ASSERT_EQ(0, before);
	ASSERT_EQ(-EINVAL, enpu_compute_padding(ENPU_PADDING_SAME, 5, 3, 0, 1,
						&out, &before, &offset));
	ASSERT_EQ(-EINVAL, enpu_compute_padding(ENPU_PADDING_SAME, 5, 0, 1, 1,
						&out, &before, &offset));
	ASSERT_EQ(-EINVAL, enpu_compute_padding(ENPU_PADDING_VALID, 3, 7, 1, 1,
						&out, &before, &offset));
	ASSERT_EQ(-EINVAL, enpu_compute_padding((enum enpu_padding)0, 5, 3, 1, 1,
						&out, &before, &offset));
}

TEST(derive_helpers)
{
	int32_t m[2], s[2];
	const float ws[2] = { 0.5f, 0.25f };
	struct enpu_add_params ap;
	struct enpu_softmax_params sp;

	ASSERT_EQ(0, enpu_derive_per_channel(1.0f, ws, 2, 1.0f, m, s, 2));
	ASSERT_EQ(1 << 30, m[0]);
	ASSERT_EQ(0, s[0]);
	ASSERT_EQ(1 << 30, m[1]);
	ASSERT_EQ(-1, s[1]);
	/* one scale broadcast to all channels */
	ASSERT_EQ(0, enpu_derive_per_channel(1.0f, ws, 1, 1.0f, m, s, 2));
	ASSERT_EQ(0, s[1]);
	ASSERT_EQ(-EINVAL, enpu_derive_per_channel(1.0f, ws, 2, 0.0f, m, s, 2));
	ASSERT_EQ(-EINVAL, enpu_derive_per_channel(1.0f, ws, 3, 1.0f, m, s, 2));
	ASSERT_EQ(0, enpu_derive_rescale(1.0f, 2.0f, m, s));
	ASSERT_EQ(1 << 30, m[0]);
	ASSERT_EQ(0, s[0]);

	/* ADD: equal scales -> input multipliers 1/2, output 2 / 2^20 */
	ASSERT_EQ(0, enpu_add_derive(1.0f, 1.0f, 1.0f, &ap));
	ASSERT_EQ(20, ap.left_shift);
	ASSERT_EQ(1 << 30, ap.input1_multiplier);
	ASSERT_EQ(0, ap.input1_shift);
	ASSERT_EQ(1 << 30, ap.output_multiplier);
	ASSERT_EQ(-18, ap.output_shift);
	/* output multiplier >= 1 is rejected, as TFLite does */
	ASSERT_EQ(-EINVAL, enpu_add_derive(1.0f, 1.0f, 1e-7f, &ap));

	/* SOFTMAX: beta 1, scale 1/16 -> 2^22 = 0.5 * 2^23, radius 248 */
	ASSERT_EQ(0, enpu_softmax_derive(1.0f, 0.0625f, &sp));
	ASSERT_EQ(1 << 30, sp.input_multiplier);
	ASSERT_EQ(23, sp.input_left_shift);
	ASSERT_EQ(-248, sp.diff_min);
	/* beta * scale * 2^26 <= 1: TFLite CHECK-fails, we refuse */
	ASSERT_EQ(-EINVAL, enpu_softmax_derive(1.0f, 1e-9f, &sp));
}

/* ---- kernel parameter validation --------------------------------------------- */

static int8_t g_in[4096], g_w[4096], g_out[4096];
static int32_t g_bias[64], g_mult[64], g_shift[64];

static struct enpu_conv2d_params conv_ok(void)
{
	for (int i = 0; i < 64; i++) {
		g_mult[i] = 1 << 30;
		g_shift[i] = -4;
	}
	return (struct enpu_conv2d_params){
		.input = { 1, 8, 8, 4 }, .filter = { 6, 3, 3, 4 },
		.output = { 1, 8, 8, 6 },
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1,
		.input_zero_point = 3, .output_zero_point = -2,
		.act_min = -128, .act_max = 127,
		.multipliers = g_mult, .shifts = g_shift, .num_quant = 6,
	};
}

static int run_conv(const struct enpu_conv2d_params *p)
{
	return enpu_conv2d(p, g_in, sizeof(g_in), g_w, sizeof(g_w), g_bias, 64,
			   g_out, sizeof(g_out));
}

/* The kernel must not touch the output when it rejects the call. */
#define EXPECT_REJECTED(call) do {					\
	memset(g_out, 0x5a, sizeof(g_out));				\
	ASSERT_EQ(-EINVAL, (call));					\
	for (size_t _i = 0; _i < sizeof(g_out); _i++)			\
		ASSERT_EQ(0x5a, (uint8_t)g_out[_i]);			\
} while (0)

TEST(conv_validation)
{
	struct enpu_conv2d_params p = conv_ok();

	ASSERT_EQ(0, run_conv(&p));
	p = conv_ok(); p.stride_h = 0;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.stride_w = -1;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.dilation_w = 0;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.input.h = -8;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.output.w = 0;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.pad_top = -1;
	EXPECT_REJECTED(run_conv(&p));
	/* each dim valid, product overflowing size_t / ENPU_MAX_ELEMS */
	p = conv_ok();
	p.input = (struct enpu_nhwc){ 1 << 20, 1 << 20, 1 << 20, 4 };
	p.output.n = 1 << 20;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok();
	p.input = (struct enpu_nhwc){ 1, 1 << 16, 1 << 16, 4 };
	EXPECT_REJECTED(run_conv(&p));
	/* huge stride: coordinate arithmetic would overflow int32 */
	p = conv_ok(); p.stride_h = ENPU_MAX_DIM; p.output.h = 64;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.filter.c = 5;			/* Cin mismatch */
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.num_quant = 5;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.multipliers = NULL;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); g_shift[3] = 32;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); g_mult[2] = -1;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.act_min = 10; p.act_max = 9;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok(); p.input_zero_point = 128;
	EXPECT_REJECTED(run_conv(&p));
	p = conv_ok();
	EXPECT_REJECTED(enpu_conv2d(&p, g_in, 255, g_w, sizeof(g_w), NULL, 0,
				    g_out, sizeof(g_out)));	/* input short */
	EXPECT_REJECTED(enpu_conv2d(&p, g_in, sizeof(g_in), g_w, sizeof(g_w),
				    g_bias, 5, g_out, sizeof(g_out)));
	EXPECT_REJECTED(enpu_conv2d(&p, g_in, sizeof(g_in), g_w, sizeof(g_w),
				    NULL, 0, g_out, 383));	/* output short */
	EXPECT_REJECTED(enpu_conv2d(&p, NULL, sizeof(g_in), g_w, sizeof(g_w),
				    NULL, 0, g_out, sizeof(g_out)));
	EXPECT_REJECTED(enpu_conv2d(NULL, g_in, sizeof(g_in), g_w, sizeof(g_w),
				    NULL, 0, g_out, sizeof(g_out)));
	/* An output larger than the input's windows is still memory safe. */
	p = conv_ok(); p.output.h = 20; p.output.w = 20; p.pad_top = 30;
	p.input.c = 1; p.filter.c = 1;
	ASSERT_EQ(0, enpu_conv2d(&p, g_in, 64, g_w, 54, NULL, 0, g_out, 2400));
}

TEST(depthwise_validation)
{
	struct enpu_dwconv2d_params p = {
		.input = { 1, 8, 8, 4 }, .filter = { 1, 3, 3, 8 },
		.output = { 1, 8, 8, 8 }, .depth_multiplier = 2,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1,
		.act_min = -128, .act_max = 127,
		.multipliers = g_mult, .shifts = g_shift, .num_quant = 8,
	};
	struct enpu_dwconv2d_params q;

	for (int i = 0; i < 64; i++) {
		g_mult[i] = 1 << 30;
		g_shift[i] = -4;
	}
	ASSERT_EQ(0, enpu_depthwise_conv2d(&p, g_in, sizeof(g_in), g_w, sizeof(g_w),
					   NULL, 0, g_out, sizeof(g_out)));
	q = p; q.depth_multiplier = 0;
	EXPECT_REJECTED(enpu_depthwise_conv2d(&q, g_in, sizeof(g_in), g_w,
					      sizeof(g_w), NULL, 0, g_out,
					      sizeof(g_out)));
	q = p; q.depth_multiplier = 3;		/* 4 * 3 != 8 */
	EXPECT_REJECTED(enpu_depthwise_conv2d(&q, g_in, sizeof(g_in), g_w,
					      sizeof(g_w), NULL, 0, g_out,
					      sizeof(g_out)));
	q = p; q.filter.n = 2;
	EXPECT_REJECTED(enpu_depthwise_conv2d(&q, g_in, sizeof(g_in), g_w,
					      sizeof(g_w), NULL, 0, g_out,
					      sizeof(g_out)));
	q = p; q.stride_w = 0;
	EXPECT_REJECTED(enpu_depthwise_conv2d(&q, g_in, sizeof(g_in), g_w,
					      sizeof(g_w), NULL, 0, g_out,
					      sizeof(g_out)));
	q = p;
	EXPECT_REJECTED(enpu_depthwise_conv2d(&q, g_in, sizeof(g_in), g_w, 71,
					      NULL, 0, g_out, sizeof(g_out)));
}

TEST(fc_validation)
{
	struct enpu_fc_params p = {
		.batches = 2, .input_depth = 16, .output_depth = 4,
		.act_min = -128, .act_max = 127,
		.multipliers = g_mult, .shifts = g_shift, .num_quant = 1,
	};
	struct enpu_fc_params q;

	g_mult[0] = 1 << 30;
	g_shift[0] = -3;
	ASSERT_EQ(0, enpu_fully_connected(&p, g_in, 32, g_w, 64, NULL, 0, g_out, 8));
	q = p; q.batches = 0;
	EXPECT_REJECTED(enpu_fully_connected(&q, g_in, 32, g_w, 64, NULL, 0, g_out, 8));
	q = p; q.num_quant = 3;
	EXPECT_REJECTED(enpu_fully_connected(&q, g_in, 32, g_w, 64, NULL, 0, g_out, 8));
	q = p; q.input_depth = 1 << 24; q.output_depth = 1 << 24;
	EXPECT_REJECTED(enpu_fully_connected(&q, g_in, 32, g_w, 64, NULL, 0, g_out, 8));
	EXPECT_REJECTED(enpu_fully_connected(&p, g_in, 32, g_w, 63, NULL, 0, g_out, 8));
	EXPECT_REJECTED(enpu_fully_connected(&p, g_in, 32, g_w, 64, g_bias, 3, g_out, 8));
	EXPECT_REJECTED(enpu_fully_connected(&p, g_in, 32, g_w, 64, NULL, 0, g_out, 7));
}

TEST(add_validation)
{
	struct enpu_add_params p;

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, enpu_add_derive(0.5f, 0.25f, 0.5f, &p));
	p.act_min = -128;
	p.act_max = 127;
	p.input1 = (struct enpu_shape){ 4, { 1, 2, 3, 4 } };
	p.input2 = (struct enpu_shape){ 1, { 4 } };
	p.output = p.input1;
	ASSERT_EQ(0, enpu_add(&p, g_in, 24, g_w, 4, g_out, 24));
	p.input2 = (struct enpu_shape){ 1, { 3 } };		/* 3 vs 4 */
	EXPECT_REJECTED(enpu_add(&p, g_in, 24, g_w, 3, g_out, 24));
	p.input2 = (struct enpu_shape){ 5, { 1, 1, 1, 1 } };	/* rank 5 */
	EXPECT_REJECTED(enpu_add(&p, g_in, 24, g_w, 3, g_out, 24));
	p.input2 = (struct enpu_shape){ 0, { 0 } };		/* scalar: ok */
	ASSERT_EQ(0, enpu_add(&p, g_in, 24, g_w, 1, g_out, 24));
	p.output = (struct enpu_shape){ 4, { 1, 2, 3, 5 } };	/* wrong out */
	EXPECT_REJECTED(enpu_add(&p, g_in, 24, g_w, 1, g_out, 30));
	p.output = p.input1;
	p.left_shift = 32;
	EXPECT_REJECTED(enpu_add(&p, g_in, 24, g_w, 1, g_out, 24));
}

TEST(pool_validation)
{
	struct enpu_pool_params p = {
		.input = { 1, 4, 4, 2 }, .output = { 1, 2, 2, 2 },
		.filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
		.act_min = -128, .act_max = 127,
	};
	struct enpu_pool_params q;

	ASSERT_EQ(0, enpu_avg_pool(&p, g_in, 32, g_out, 8));
	ASSERT_EQ(0, enpu_max_pool(&p, g_in, 32, g_out, 8));
	q = p; q.stride_h = 0;
	EXPECT_REJECTED(enpu_avg_pool(&q, g_in, 32, g_out, 8));
	/* a window entirely in the padding: TFLite fails, so do we */
	q = p; q.pad_left = 100;
	EXPECT_REJECTED(enpu_avg_pool(&q, g_in, 32, g_out, 8));
	EXPECT_REJECTED(enpu_max_pool(&q, g_in, 32, g_out, 8));
	q = p; q.output.c = 3;
	EXPECT_REJECTED(enpu_max_pool(&q, g_in, 32, g_out, 12));
	EXPECT_REJECTED(enpu_max_pool(&p, g_in, 31, g_out, 8));
}

TEST(pad_concat_reshape_validation)
{
	struct enpu_pad_params p = {
		.input = { 2, { 2, 3 } }, .before = { 1, 0 }, .after = { 0, 2 },
		.value = 7,
	};
	struct enpu_shape os, shapes[2];
	const int8_t *ins[2] = { g_in, g_w };
	size_t lens[2] = { 6, 6 };

	ASSERT_EQ(0, enpu_pad_output_shape(&p, &os));
	ASSERT_EQ(3, os.dims[0]);
	ASSERT_EQ(5, os.dims[1]);
	ASSERT_EQ(0, enpu_pad(&p, g_in, 6, g_out, 15));
	ASSERT_EQ(7, g_out[0]);
	EXPECT_REJECTED(enpu_pad(&p, g_in, 6, g_out, 14));
	p.before[1] = -1;
	EXPECT_REJECTED(enpu_pad(&p, g_in, 6, g_out, 15));
	p.before[1] = 0;
	p.input.rank = 0;
	EXPECT_REJECTED(enpu_pad(&p, g_in, 6, g_out, 15));

	shapes[0] = (struct enpu_shape){ 2, { 2, 3 } };
	shapes[1] = (struct enpu_shape){ 2, { 2, 3 } };
	os = (struct enpu_shape){ 2, { 2, 6 } };
	ASSERT_EQ(0, enpu_concatenation(-1, 2, shapes, ins, lens, &os, g_out, 12));
	EXPECT_REJECTED(enpu_concatenation(2, 2, shapes, ins, lens, &os, g_out, 12));
	EXPECT_REJECTED(enpu_concatenation(-3, 2, shapes, ins, lens, &os, g_out, 12));
	EXPECT_REJECTED(enpu_concatenation(0, 2, shapes, ins, lens, &os, g_out, 12));
	lens[1] = 5;
	EXPECT_REJECTED(enpu_concatenation(1, 2, shapes, ins, lens, &os, g_out, 12));

	ASSERT_EQ(0, enpu_reshape(g_in, 10, g_out, 10, 10));
	EXPECT_REJECTED(enpu_reshape(g_in, 9, g_out, 10, 10));
	EXPECT_REJECTED(enpu_reshape(g_in, 10, g_out, 9, 10));
}

TEST(softmax_mean_quantize_validation)
{
	struct enpu_softmax_params sp = { 1 << 30, 23, -248 };
	struct enpu_softmax_params bad;
	const int32_t axes_ok[2] = { 1, -2 }, axes_bad[1] = { 4 };
	struct enpu_mean_params mp = {
		.input = { 4, { 1, 3, 3, 2 } }, .axes = axes_ok, .num_axes = 2,
		.multiplier = 1 << 30, .shift = 1,
	};
	size_t n;
	float f[4] = { 0 };

	ASSERT_EQ(0, enpu_softmax(&sp, 2, 8, g_in, 16, g_out, 16));
	bad = sp; bad.diff_min = 1;
	EXPECT_REJECTED(enpu_softmax(&bad, 2, 8, g_in, 16, g_out, 16));
	bad = sp; bad.input_left_shift = 32;
	EXPECT_REJECTED(enpu_softmax(&bad, 2, 8, g_in, 16, g_out, 16));
	EXPECT_REJECTED(enpu_softmax(&sp, 0, 8, g_in, 16, g_out, 16));
	EXPECT_REJECTED(enpu_softmax(&sp, 2, 8, g_in, 15, g_out, 16));

	/* axes 1 and -2 (= 2, a duplicate) reduce H and W: 2 outputs */
	ASSERT_EQ(0, enpu_mean_output_count(&mp, &n));
	ASSERT_EQ(2, n);
	ASSERT_EQ(0, enpu_mean(&mp, g_in, 18, g_out, 2));
	EXPECT_REJECTED(enpu_mean(&mp, g_in, 18, g_out, 1));
	mp.axes = axes_bad;
	mp.num_axes = 1;
	EXPECT_REJECTED(enpu_mean(&mp, g_in, 18, g_out, 2));
	mp.axes = axes_ok;
	mp.shift = -32;
	EXPECT_REJECTED(enpu_mean(&mp, g_in, 18, g_out, 2));

	EXPECT_REJECTED(enpu_quantize_f32(f, 4, 0.0f, 0, g_out));
	EXPECT_REJECTED(enpu_quantize_f32(f, 4, 0.1f, 200, g_out));
	EXPECT_REJECTED(enpu_requantize_i8(g_in, 4, 0, 0, 1 << 30, 40, g_out));
	ASSERT_EQ(-EINVAL, enpu_dequantize_i8(g_in, 4, NAN, 0, f));
}

TEST(quantize_saturates_and_rounds)
{
	const float x[] = { 0.25f, -0.25f, 0.75f, 1e30f, -1e30f, INFINITY,
			    -INFINITY, 12.6f };
	int8_t y[8];

	/* scale 0.5: 0.5 -> 1 (tie away), -0.5 -> -1, 1.5 -> 2 */
	ASSERT_EQ(0, enpu_quantize_f32(x, 8, 0.5f, 0, y));
	ASSERT_EQ(1, y[0]);
	ASSERT_EQ(-1, y[1]);
	ASSERT_EQ(2, y[2]);
	ASSERT_EQ(127, y[3]);
	ASSERT_EQ(-128, y[4]);
	ASSERT_EQ(127, y[5]);
	ASSERT_EQ(-128, y[6]);
	ASSERT_EQ(25, y[7]);
}

/* ---- fast paths against a naive TFLite-style loop ------------------------------ */

static uint64_t rng_state = 0x1234567;

static uint32_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static int32_t rnd_range(int32_t lo, int32_t hi)
{
	return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static void fill_i8(int8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (int8_t)rnd();
}

/* Values that find requantisation's edges: the extremes, ties, powers of two. */
static const int32_t rq_edge_acc[] = {
	0, 1, -1, 2, -2, 3, -3, 1000, -1000, 1 << 30, -(1 << 30),
	INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1, 123456789,
	-123456789, (1 << 30) - 1, -(1 << 30) + 1, 65535, -65536,
};
static const int32_t rq_edge_mult[] = {
	0, 1, 2, 1 << 30, INT32_MAX, (1 << 30) - 1, 1518500250, 12345, 1073741825,
};

/*
 * A random table of @n channels (half of them without bias) and @n
 * accumulators, edge values and random ones mixed.
 */
static void rnd_rq_case(struct enpu_rq_table *t, int n, int with_bias, int32_t *x)
{
	int32_t bias[16], m[16], sh[16];
	const int32_t zp = rnd_range(-128, 127);
	const int32_t lo = rnd_range(-128, 0), hi = rnd_range(lo, 127);

	for (int j = 0; j < n; j++) {
		x[j] = rnd() & 1 ? rq_edge_acc[rnd() % (sizeof(rq_edge_acc) / sizeof(rq_edge_acc[0]))]
				 : (int32_t)rnd();
		m[j] = rnd() & 1 ? rq_edge_mult[rnd() % (sizeof(rq_edge_mult) /
							 sizeof(rq_edge_mult[0]))]
				 : (int32_t)(rnd() >> 1);
		sh[j] = rnd_range(-31, 31);
		bias[j] = rnd() & 3 ? 0 : (int32_t)rnd();
	}
	enpu_rq_prepare(t, n, with_bias ? bias : NULL, m, sh, 1, zp, lo, hi);
}

/*
 * The vector output stage (enpu_requant.h: pmuludq-based SRDHM/RDBPOT)
 * against the scalar primitives on edge values and random ones.
 */
TEST(requant_vector_matches_scalar)
{
	struct enpu_rq_table t;
	int32_t x[8];
	int8_t got[8];

	for (int trial = 0; trial < 20000; trial++) {
		rnd_rq_case(&t, 8, trial & 1, x);
		enpu_rq_store8(&t, 0, x, got);
		for (int j = 0; j < 8; j++) {
			int64_t want = (int64_t)enpu_mbqm(enpu_wrap_add(x[j], t.bias[j]), t.mult[j],
							  t.shift[j]) + t.out_zp;

			want = want < t.act_min ? t.act_min : want > t.act_max ? t.act_max : want;
			ASSERT_EQ(want, got[j]);
		}
		enpu_rq_store4(&t, 4, x + 4, 4, got);
		for (int j = 0; j < 4; j++)
			ASSERT_EQ(enpu_rq_one(&t, 4 + j, x[4 + j]), got[j]);
	}
}

/*
 * A GEMM row under every variant (enpu_row_u8(): the variant's to_u8, or
 * the plain one): each byte + 128, zeros up to the next multiple of four,
 * nothing written past them, at every length around each variant's
 * store widths.
 */
TEST(row_u8_every_variant_flips_and_pads)
{
	const enum enpu_simd was = enpu_simd_current();
	uint8_t dst[300];
	int8_t src[290];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (int8_t)(i * 37 + 11);
	for (int v = 0; v < ENPU_SIMD_COUNT; v++) {
		if (enpu_simd_use((enum enpu_simd)v))
			continue;
		for (size_t n = 0; n <= sizeof(src); n++) {
			const size_t padded = (n + 3) & ~(size_t)3;

			memset(dst, 0x5a, sizeof(dst));
			enpu_row_u8(enpu_dot_ops(), dst, src, n);
			for (size_t i = 0; i < sizeof(dst); i++) {
				const int want = i < n ? (uint8_t)(src[i] + 128) :
						 i < padded ? 0 : 0x5a;

				if (dst[i] != want) {
					enpu_simd_use(was);
					ASSERT_EQ(want, dst[i])
						TH_LOG("%s: byte %zu of a row of %zu",
						       enpu_simd_name((enum enpu_simd)v), i, n);
				}
			}
		}
	}
	enpu_simd_use(was);
}

/* A variant's sixteen-lane requantisation (enpu_dot_ops.rq_store16) against the scalar one. */
TEST(requant16_every_variant_matches_scalar)
{
	const enum enpu_simd was = enpu_simd_current();
	struct enpu_rq_table t;
	int32_t x[16];
	int8_t got[16];
	int ran = 0;

	for (int v = 0; v < ENPU_SIMD_COUNT; v++) {
		const struct enpu_dot_ops *ops;

		if (enpu_simd_use((enum enpu_simd)v))
			continue;
		ops = enpu_dot_ops();
		if (!ops->rq_store16)
			continue;
		ran++;
		for (int trial = 0; trial < 20000; trial++) {
			rnd_rq_case(&t, 16, trial & 1, x);
			ops->rq_store16(&t, 0, x, got);
			for (int j = 0; j < 16; j++)
				if (enpu_rq_one(&t, j, x[j]) != got[j]) {
					enpu_simd_use(was);
					ASSERT_EQ(enpu_rq_one(&t, j, x[j]), got[j])
						TH_LOG("%s: lane %d, acc %d, M %d, shift %d",
						       enpu_simd_name((enum enpu_simd)v), j, x[j],
						       t.mult[j], t.shift[j]);
				}
		}
	}
	enpu_simd_use(was);
	if (!ran)
		SKIP(return, "no variant with sixteen-lane requantisation on this CPU");
}

static int8_t requant_ref(int64_t acc, int32_t bias, int32_t m, int32_t s,
			  int32_t zp, int32_t lo, int32_t hi)
{
	int32_t v = enpu_wrap_add((int32_t)(uint32_t)(uint64_t)acc, bias);

	v = enpu_mbqm(v, m, s) + zp;
	return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/* Frees the @n buffers of a case. */
static void free_all(void *const *p, size_t n)
{
	while (n--)
		free(p[n]);
}

/* conv (depthwise when mult > 0) the way the TFLite reference does it */
static void conv_ref(const struct enpu_conv2d_params *p, int dw_mult,
		     const int8_t *in, const int8_t *w, const int32_t *bias,
		     int8_t *out)
{
	const struct enpu_nhwc is = p->input, fs = p->filter, os = p->output;

	for (int b = 0; b < os.n; b++)
	for (int oy = 0; oy < os.h; oy++)
	for (int ox = 0; ox < os.w; ox++)
	for (int oc = 0; oc < os.c; oc++) {
		int64_t acc = 0;

		for (int ky = 0; ky < fs.h; ky++)
		for (int kx = 0; kx < fs.w; kx++) {
			const int iy = oy * p->stride_h - p->pad_top + ky * p->dilation_h;
			const int ix = ox * p->stride_w - p->pad_left + kx * p->dilation_w;

			if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w)
				continue;
			if (dw_mult) {
				const int ic = oc / dw_mult;

				acc += (int64_t)w[(ky * fs.w + kx) * fs.c + oc] *
				       (in[((b * is.h + iy) * is.w + ix) * is.c + ic] -
					p->input_zero_point);
				continue;
			}
			for (int ic = 0; ic < is.c; ic++)
				acc += (int64_t)w[((oc * fs.h + ky) * fs.w + kx) * fs.c + ic] *
				       (in[((b * is.h + iy) * is.w + ix) * is.c + ic] -
					p->input_zero_point);
		}
		out[((b * os.h + oy) * os.w + ox) * os.c + oc] =
			requant_ref(acc, bias ? bias[oc] : 0, p->multipliers[oc],
				    p->shifts[oc], p->output_zero_point,
				    p->act_min, p->act_max);
	}
}

static int32_t *rnd_quant(int32_t n, int32_t **shifts, int32_t **bias)
{
	int32_t *m = malloc(n * sizeof(int32_t));

	*shifts = malloc(n * sizeof(int32_t));
	*bias = malloc(n * sizeof(int32_t));
	for (int32_t i = 0; i < n; i++) {
		m[i] = (int32_t)(rnd() >> 1) | (1 << 30);
		(*shifts)[i] = rnd_range(-14, -4);
		(*bias)[i] = rnd_range(-20000, 20000);
	}
	return m;
}

/*
 * Packed weights' requantisation tables made beforehand
 * (enpu_gemm_weights_requant(), as the CPU backend does): a third of the
 * time for the layer's own parameters, a third for another output zero
 * point, which the kernel must not use (it makes its own), a third none.
 */
static void requant_some(struct enpu_gemm_weights *pw, const int32_t *bias,
			 const int32_t *m, const int32_t *shifts, size_t qstep, int32_t in_zp,
			 int32_t out_zp, int32_t act_min, int32_t act_max)
{
	const int how = (int)(rnd() % 3);

	if (how == 2)
		return;
	if (how == 1)
		out_zp = out_zp == 127 ? 0 : out_zp + 1;
	if (enpu_gemm_weights_requant(pw, bias, m, shifts, qstep, in_zp, out_zp, act_min,
				      act_max))
		fprintf(stderr, "# enpu_gemm_weights_requant failed: the call makes its own\n");
}

/*
 * One random conv or depthwise case; deep / big kernels hit the fallbacks.
 * Wide convs have up to 100 output channels: several blocks of the u8 GEMM
 * (enpu_gemm.h) and several tables of requantization constants; wide
 * depthwise layers mostly one input channel per output channel and
 * channels in eights (blocks of 16 lanes and a last one of 8, as
 * enpu_dot_ops.dw_run takes them), or a depth multiplier of 8 or 16 (one
 * input byte for 8 or 16 lanes).
 */
static int conv_case_prepared(int depthwise, int big, int wide, int prepare)
{
	const int32_t k_h = big ? (depthwise ? 17 : 1) : rnd_range(1, 5);
	const int32_t k_w = big ? (depthwise ? 17 : 1) : rnd_range(1, 5);
	static const int32_t dw_wide_cin[] = { 8, 16, 24, 32, 48, 64, 72, 0 };
	/* a depth multiplier of 8 or 16 reads one input channel for 8 or 16 lanes */
	const int wide_mult = depthwise && wide && rnd() % 4 == 0;
	const int32_t mult = !depthwise ? 0 : wide_mult ? 8 << (rnd() & 1) :
			     wide && rnd() % 3 ? 1 : rnd_range(1, 3);
	const int32_t pick = dw_wide_cin[rnd() % 8];
	const int32_t cin = big && !depthwise ? 9000 : wide_mult ? rnd_range(1, 5) :
			    depthwise && wide && pick ? pick : rnd_range(1, wide ? 70 : 20);
	const int32_t cout = depthwise ? cin * mult : rnd_range(1, wide ? 100 : 13);
	const int32_t sh = rnd_range(1, 3), sw = rnd_range(1, 3);
	const int32_t dh = rnd_range(1, 2), dw = rnd_range(1, 2);
	const int32_t ih = rnd_range(1, 12), iw = rnd_range(1, 12);
	const enum enpu_padding pad = rnd() & 1 ? ENPU_PADDING_SAME : ENPU_PADDING_VALID;
	int32_t oh, ow, pt, pl, *shifts, *bias;
	int ok = 1;

	if (enpu_compute_padding(pad, ih, k_h, sh, dh, &oh, &pt, NULL) ||
	    enpu_compute_padding(pad, iw, k_w, sw, dw, &ow, &pl, NULL) ||
	    oh < 1 || ow < 1)
		return 1;	/* not a valid geometry: nothing to compare */

	int32_t *m = rnd_quant(cout, &shifts, &bias);
	struct enpu_gemm_weights pw = { 0 };
	struct enpu_conv2d_params p = {
		.input = { 2, ih, iw, cin },
		.filter = depthwise ? (struct enpu_nhwc){ 1, k_h, k_w, cout }
				    : (struct enpu_nhwc){ cout, k_h, k_w, cin },
		.output = { 2, oh, ow, cout },
		.stride_h = sh, .stride_w = sw, .dilation_h = dh, .dilation_w = dw,
		.pad_top = pt, .pad_left = pl,
		.input_zero_point = rnd_range(-128, 127),
		.output_zero_point = rnd_range(-128, 127),
		.act_min = rnd_range(-128, -100), .act_max = rnd_range(100, 127),
		.multipliers = m, .shifts = shifts, .num_quant = (size_t)cout,
	};
	const size_t n_in = (size_t)2 * ih * iw * cin;
	const size_t n_w = (size_t)cout * k_h * k_w * (depthwise ? 1 : cin);
	const size_t n_out = (size_t)2 * oh * ow * cout;
	int8_t *in = malloc(n_in), *w = malloc(n_w);
	int8_t *o1 = malloc(n_out), *o2 = malloc(n_out);
	const int with_bias = rnd() & 1;
	int r;

	fill_i8(in, n_in);
	fill_i8(w, n_w);
	/* half the wide convs with their weights packed beforehand (enpu_gemm_weights) */
	if (wide && !depthwise && rnd() & 1 &&
	    !enpu_gemm_weights_pack(&pw, w, cout, (size_t)k_h * k_w * cin)) {
		p.packed = &pw;
		requant_some(&pw, with_bias ? bias : NULL, m, shifts, 1, p.input_zero_point,
			     p.output_zero_point, p.act_min, p.act_max);
	}
	conv_ref(&p, depthwise ? mult : 0, in, w, with_bias ? bias : NULL, o1);
	if (depthwise) {
		struct enpu_dwconv2d_params q = {
			.input = p.input, .filter = p.filter, .output = p.output,
			.depth_multiplier = mult,
			.stride_h = sh, .stride_w = sw, .dilation_h = dh,
			.dilation_w = dw, .pad_top = pt, .pad_left = pl,
			.input_zero_point = p.input_zero_point,
			.output_zero_point = p.output_zero_point,
			.act_min = p.act_min, .act_max = p.act_max,
			.multipliers = m, .shifts = shifts, .num_quant = (size_t)cout,
		};
		struct enpu_dw_weights ready = { 0 };

		/* made ready where the variant runs such a layer; tables half the time */
		if (prepare && !enpu_dw_weights_prepare(&ready, &q, w)) {
			q.prepared = &ready;
			if (rnd() & 1 &&
			    enpu_dw_weights_requant(&ready, &q, with_bias ? bias : NULL))
				ok = 0;
		}
		r = enpu_depthwise_conv2d(&q, in, n_in, w, n_w,
					  with_bias ? bias : NULL, (size_t)cout,
					  o2, n_out);
		enpu_dw_weights_free(&ready);
	} else {
		r = enpu_conv2d(&p, in, n_in, w, n_w, with_bias ? bias : NULL,
				(size_t)cout, o2, n_out);
	}
	if (r || memcmp(o1, o2, n_out)) {
		fprintf(stderr, "# mismatch: dw %d k %dx%d cin %d cout %d s %d,%d d %d,%d in %dx%d packed %d r %d\n",
			depthwise, k_h, k_w, cin, cout, sh, sw, dh, dw, ih, iw, !!p.packed, r);
		ok = 0;
	}
	enpu_gemm_weights_free(&pw);
	free_all((void *[]){ in, w, o1, o2, m, shifts, bias }, 7);
	return ok;
}

static int conv_case_sized(int depthwise, int big, int wide)
{
	return conv_case_prepared(depthwise, big, wide, 0);
}

static int conv_case(int depthwise, int big)
{
	return conv_case_sized(depthwise, big, 0);
}

/*
 * @n random cases of @one under every INT8 variant this CPU runs
 * (enpu_simd.h), the variant in use restored: how many variants ran, or -1
 * with *@bad naming the one whose case failed.
 */
static int every_variant(int (*one)(void), int n, const char **bad)
{
	const enum enpu_simd was = enpu_simd_current();
	int ran = 0;

	for (int v = 0; v < ENPU_SIMD_COUNT && ran >= 0; v++) {
		if (enpu_simd_use((enum enpu_simd)v))
			continue;
		ran++;
		for (int i = 0; i < n; i++)
			if (!one()) {
				*bad = enpu_simd_name((enum enpu_simd)v);
				ran = -1;
				break;
			}
	}
	enpu_simd_use(was);
	return ran;
}

static int wide_conv(void)
{
	return conv_case_sized(0, 0, 1);
}

static int wide_depthwise(void)
{
	return conv_case_sized(1, 0, 1);
}

/* Wide random convs under every INT8 variant this CPU runs. */
TEST(conv_every_variant_matches_reference)
{
	const char *bad = NULL;

	ASSERT_LE(1, every_variant(wide_conv, 150, &bad)) TH_LOG("variant %s", bad);
}

/* Wide random depthwise layers under every INT8 variant this CPU runs. */
/*
 * An 8-channel depthwise layer, stride 1, no padding, an odd output width:
 * the last pixel of the last row reads the input's last bytes, and no
 * byte past them (ASan's red zone follows the buffer). Two pixels' bytes
 * are read at once where both are there (ENPU_DW_PAIR), not for a pixel
 * alone.
 */
static int dw_pair_edge(void)
{
	enum { H = 5, C = 8, K = 3, O = H - K + 1 };
	int32_t *shifts, *bias, *m = rnd_quant(C, &shifts, &bias);
	struct enpu_conv2d_params c = {
		.input = { 1, H, H, C }, .filter = { 1, K, K, C }, .output = { 1, O, O, C },
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.input_zero_point = rnd_range(-128, 127), .output_zero_point = rnd_range(-128, 127),
		.act_min = -128, .act_max = 127, .multipliers = m, .shifts = shifts,
		.num_quant = C,
	};
	const struct enpu_dwconv2d_params q = {
		.input = c.input, .filter = c.filter, .output = c.output, .depth_multiplier = 1,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.input_zero_point = c.input_zero_point, .output_zero_point = c.output_zero_point,
		.act_min = -128, .act_max = 127, .multipliers = m, .shifts = shifts,
		.num_quant = C,
	};
	int8_t *in = malloc(H * H * C), *w = malloc(K * K * C);
	int8_t *o1 = malloc(O * O * C), *o2 = malloc(O * O * C);
	int ok;

	fill_i8(in, H * H * C);
	fill_i8(w, K * K * C);
	conv_ref(&c, 1, in, w, bias, o1);
	ok = !enpu_depthwise_conv2d(&q, in, H * H * C, w, K * K * C, bias, C, o2, O * O * C) &&
	     !memcmp(o1, o2, O * O * C);
	free_all((void *[]){ in, w, o1, o2, m, shifts, bias }, 7);
	return ok;
}

TEST(depthwise_pairs_read_nothing_past_the_input)
{
	const char *bad = NULL;

	ASSERT_LE(1, every_variant(dw_pair_edge, 20, &bad)) TH_LOG("variant %s", bad);
}

TEST(depthwise_every_variant_matches_reference)
{
	const char *bad = NULL;

	ASSERT_LE(1, every_variant(wide_depthwise, 400, &bad)) TH_LOG("variant %s", bad);
}

/*
 * Depthwise layers whose filter rows take four taps or fewer
 * (enpu_dot_ops.dw_rows, where the variant has it) at the edges of that
 * path: several bands of output rows a layer (the band is about 32 KB of
 * spread rows), eight channels two pixels a chunk with an odd output width
 * (the last chunk stores eight bytes), one input channel for eight
 * (enpu_dot_ops.dw_spread8), strides and dilations, one to four
 * taps a row, up to eight rows; both batches; the weights made ready or
 * not. Each must equal the reference, bytes past the output untouched.
 */
static int dw_rows_edges(void)
{
	static const struct { int32_t h, w, c, kh, kw, s, d, m; } shape[] = {
		{ 48, 40, 16, 3, 3, 1, 1, 1 },	/* 40 * 64 bytes a spread row: 4 bands */
		{ 30, 7, 8, 3, 3, 1, 2, 1 },	/* eight channels, odd width, dilated */
		{ 25, 13, 32, 3, 3, 2, 1, 1 },	/* stride 2 */
		{ 9, 11, 48, 5, 4, 1, 1, 1 },	/* four taps a row, five rows */
		{ 12, 9, 16, 8, 1, 2, 1, 1 },	/* one tap a row, eight rows */
		{ 17, 5, 8, 2, 2, 1, 1, 1 },	/* eight channels, two taps */
		{ 66, 66, 64, 3, 3, 1, 1, 1 },	/* a band of one row's room */
		{ 41, 41, 8, 3, 3, 2, 1, 8 },	/* one input channel for eight, stride 2 */
		{ 20, 15, 8, 3, 4, 1, 2, 8 },	/* ... odd width, four taps, dilated rows */
		{ 7, 9, 8, 1, 1, 3, 1, 8 },	/* ... one tap, stride 3 */
	};
	int ok = 1;

	for (size_t k = 0; k < sizeof(shape) / sizeof(shape[0]) && ok; k++) {
		const int32_t c = shape[k].c, kh = shape[k].kh, kw = shape[k].kw;
		const int32_t s = shape[k].s, d = shape[k].d, mult = shape[k].m;
		int32_t oh, ow, pt, pl, *shifts, *bias, *m = rnd_quant(c, &shifts, &bias);

		enpu_compute_padding(ENPU_PADDING_SAME, shape[k].h, kh, s, d, &oh, &pt, NULL);
		/* a dilation of the rows only where the taps of a row must lie side by side */
		enpu_compute_padding(ENPU_PADDING_SAME, shape[k].w, kw, s, mult > 1 ? 1 : d, &ow,
				     &pl, NULL);

		const struct enpu_conv2d_params cp = {
			.input = { 2, shape[k].h, shape[k].w, c / mult }, .filter = { 1, kh, kw, c },
			.output = { 2, oh, ow, c }, .stride_h = s, .stride_w = s,
			.dilation_h = d, .dilation_w = mult > 1 ? 1 : d, .pad_top = pt, .pad_left = pl,
			.input_zero_point = rnd_range(-128, 127),
			.output_zero_point = rnd_range(-128, 127),
			.act_min = -128, .act_max = 127, .multipliers = m, .shifts = shifts,
			.num_quant = (size_t)c,
		};
		struct enpu_dwconv2d_params q = {
			.input = cp.input, .filter = cp.filter, .output = cp.output,
			.depth_multiplier = mult, .stride_h = s, .stride_w = s, .dilation_h = d,
			.dilation_w = cp.dilation_w, .pad_top = pt, .pad_left = pl,
			.input_zero_point = cp.input_zero_point,
			.output_zero_point = cp.output_zero_point, .act_min = -128, .act_max = 127,
			.multipliers = m, .shifts = shifts, .num_quant = (size_t)c,
		};
		const size_t n_in = (size_t)2 * shape[k].h * shape[k].w * (c / mult);
		const size_t n_w = (size_t)kh * kw * c, n_out = (size_t)2 * oh * ow * c;
		int8_t *in = malloc(n_in), *w = malloc(n_w);
		int8_t *want = malloc(n_out), *got = malloc(n_out + 64);
		struct enpu_dw_weights ready = { 0 };

		fill_i8(in, n_in);
		fill_i8(w, n_w);
		conv_ref(&cp, mult, in, w, bias, want);
		memset(got, 0x5a, n_out + 64);
		if (k % 2 && !enpu_dw_weights_prepare(&ready, &q, w)) {
			q.prepared = &ready;
			if (enpu_dw_weights_requant(&ready, &q, bias))
				ok = 0;
		}
		if (enpu_depthwise_conv2d(&q, in, n_in, w, n_w, bias, (size_t)c, got, n_out) ||
		    memcmp(want, got, n_out)) {
			fprintf(stderr, "# dw_rows shape %zu (%dx%dx%d k %dx%d s %d d %d): mismatch\n",
				k, shape[k].h, shape[k].w, c, kh, kw, s, d);
			ok = 0;
		}
		for (size_t i = n_out; i < n_out + 64; i++)
			if (got[i] != 0x5a) {
				fprintf(stderr, "# dw_rows shape %zu: byte %zu past the output written\n",
					k, i - n_out);
				ok = 0;
				break;
			}
		enpu_dw_weights_free(&ready);
		free_all((void *[]){ in, w, want, got, m, shifts, bias }, 7);
	}
	return ok;
}

TEST(depthwise_rows_bands_and_edges)
{
	const char *bad = NULL;

	ASSERT_LE(1, every_variant(dw_rows_edges, 3, &bad)) TH_LOG("variant %s", bad);
}

/* A thread's scratch: its calls and the check that nothing is left when it ends. */
static void *scratch_thread(void *arg)
{
	void *a = enpu_scratch_get(1000);

	*(int *)arg = a && ((uintptr_t)a & 63) == 0;
	if (a)
		memset(a, 1, 1000);
	enpu_scratch_put(a);
	return NULL;
}

/*
 * A thread keeps one buffer of scratch for its kernel calls (scratch.c):
 * a second call gets the same buffer, grown when it asks for more; a call
 * while it is out (nested) and one over ENPU_SCRATCH_KEEP get their own;
 * every buffer is on a cache line; a thread that ends frees its buffer
 * (enpu_scratch_kept() counts what the threads keep).
 */
TEST(scratch_kept_per_thread)
{
	void *a = enpu_scratch_get(100), *b, *c, *big;
	pthread_t t;
	size_t mine;
	int ok = 0;

	ASSERT_NE(NULL, a);
	enpu_scratch_put(a);
	b = enpu_scratch_get(50);
	EXPECT_EQ(a, b);
	c = enpu_scratch_get(50);		/* b is out: a buffer of its own */
	ASSERT_NE(NULL, c);
	EXPECT_NE(b, c);
	enpu_scratch_put(c);
	enpu_scratch_put(b);
	big = enpu_scratch_get(ENPU_SCRATCH_KEEP + 1);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(0, (uintptr_t)big & 63);
	memset(big, 0, ENPU_SCRATCH_KEEP + 1);
	enpu_scratch_put(big);
	a = enpu_scratch_get(ENPU_SCRATCH_KEEP);	/* grown: every byte usable */
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, (uintptr_t)a & 63);
	memset(a, 0, ENPU_SCRATCH_KEEP);
	enpu_scratch_put(a);
	mine = enpu_scratch_kept();
	EXPECT_LE(ENPU_SCRATCH_KEEP, mine);
	ASSERT_EQ(0, pthread_create(&t, NULL, scratch_thread, &ok));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, ok);
	EXPECT_EQ(mine, enpu_scratch_kept()) TH_LOG("the ended thread's scratch was not freed");
}

static int prepared_depthwise(void)
{
	return conv_case_prepared(1, 0, 1, 1);
}

/* Wide random depthwise layers, their weights made ready first (enpu_dw_weights). */
TEST(depthwise_prepared_every_variant_matches_reference)
{
	const char *bad = NULL;

	ASSERT_LE(1, every_variant(prepared_depthwise, 400, &bad)) TH_LOG("variant %s", bad);
}

/*
 * Weights made ready are what a call on their variant runs: a call given
 * other weights of the same shape computes the ones made ready (that is
 * the contract: they are kept with their weights), and a call on another
 * variant, whose layout differs, reads the weights it is given.
 */
TEST(depthwise_prepared_weights_used_on_their_variant_only)
{
	enum { H = 6, C = 32, K = 3, O = H - K + 1 };
	const enum enpu_simd was = enpu_simd_current();
	int32_t *shifts, *bias, *m = rnd_quant(C, &shifts, &bias);
	struct enpu_conv2d_params c = {
		.input = { 1, H, H, C }, .filter = { 1, K, K, C }, .output = { 1, O, O, C },
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.input_zero_point = 7, .output_zero_point = -3,
		.act_min = -128, .act_max = 127, .multipliers = m, .shifts = shifts,
		.num_quant = C,
	};
	struct enpu_dwconv2d_params q = {
		.input = c.input, .filter = c.filter, .output = c.output, .depth_multiplier = 1,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.input_zero_point = 7, .output_zero_point = -3,
		.act_min = -128, .act_max = 127, .multipliers = m, .shifts = shifts,
		.num_quant = C,
	};
	static int8_t in[H * H * C], w[K * K * C], other[K * K * C];
	static int8_t want_w[O * O * C], want_other[O * O * C], got[O * O * C];
	struct enpu_dw_weights ready;
	int made = 0, crossed = 0;

	fill_i8(in, sizeof(in));
	fill_i8(w, sizeof(w));
	fill_i8(other, sizeof(other));
	conv_ref(&c, 1, in, w, bias, want_w);
	conv_ref(&c, 1, in, other, bias, want_other);
	ASSERT_NE(0, memcmp(want_w, want_other, sizeof(want_w)));
	for (int v = 0; v < ENPU_SIMD_COUNT; v++) {
		if (enpu_simd_use((enum enpu_simd)v) || enpu_dw_weights_prepare(&ready, &q, w))
			continue;
		made++;
		ASSERT_EQ(0, enpu_dw_weights_requant(&ready, &q, bias));
		q.prepared = &ready;
		ASSERT_EQ(0, enpu_depthwise_conv2d(&q, in, sizeof(in), other, sizeof(other), bias,
						   C, got, sizeof(got)));
		EXPECT_EQ(0, memcmp(got, want_w, sizeof(got)))
			TH_LOG("%s: the weights made ready were not used",
			       enpu_simd_name((enum enpu_simd)v));
		for (int u = 0; u < ENPU_SIMD_COUNT; u++) {
			if (u == v || enpu_simd_use((enum enpu_simd)u))
				continue;
			crossed++;
			ASSERT_EQ(0, enpu_depthwise_conv2d(&q, in, sizeof(in), other,
							   sizeof(other), bias, C, got,
							   sizeof(got)));
			EXPECT_EQ(0, memcmp(got, want_other, sizeof(got)))
				TH_LOG("made on %s, run on %s", enpu_simd_name((enum enpu_simd)v),
				       enpu_simd_name((enum enpu_simd)u));
		}
		q.prepared = NULL;
		enpu_dw_weights_free(&ready);
	}
	enpu_simd_use(was);
	free_all((void *[]){ m, shifts, bias }, 3);
	if (!made)
		SKIP(return, "no variant on this CPU runs depthwise layers from ready weights");
	ASSERT_LT(0, crossed);
}

TEST(conv_fast_path_matches_reference)
{
	for (int i = 0; i < 300; i++)
		ASSERT_TRUE(conv_case(0, 0));
}

TEST(conv_deep_filter_fallback_matches_reference)
{
	for (int i = 0; i < 3; i++)
		ASSERT_TRUE(conv_case(0, 1));
}

/*
 * A cancel request stops a deep filter's pixel between its channels: one
 * pixel of 1024 channels of 64 x 64 x 16 taps (67 M MACs of the scalar
 * fallback, a tenth of a second or more), cancelled 10 ms in, returns
 * -ECANCELED with channels left unwritten. Checked once a pixel, as it
 * was, the pixel ran to its end and the call succeeded.
 */
struct cancel_after {
	atomic_int flag;
	unsigned int ms;
};

static void *cancel_later(void *arg)
{
	struct cancel_after *c = arg;

	usleep(c->ms * 1000);
	atomic_store(&c->flag, 1);
	return NULL;
}

TEST(deep_conv_cancels_between_channels)
{
	enum { K = 64, C = 16, OC = 1024 };
	const size_t k_len = (size_t)K * K * C;
	struct cancel_after cancel = { .ms = 10 };
	int8_t *in = malloc(k_len), *w = malloc(k_len * OC), out[OC];
	int32_t mult[OC], shift[OC];
	pthread_t th;
	int ret, unwritten = 0;

	ASSERT_TRUE(in && w);
	memset(in, 3, k_len);
	memset(w, -2, k_len * OC);
	for (int i = 0; i < OC; i++) {
		mult[i] = 1 << 30;
		shift[i] = -20;
	}
	memset(out, 0x5a, sizeof(out));
	atomic_init(&cancel.flag, 0);
	const struct enpu_conv2d_params p = {
		.input = { 1, K, K, C }, .filter = { OC, K, K, C }, .output = { 1, 1, 1, OC },
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.act_min = -128, .act_max = 127, .multipliers = mult, .shifts = shift,
		.num_quant = OC, .cancel = &cancel.flag,
	};

	ASSERT_EQ(0, pthread_create(&th, NULL, cancel_later, &cancel));
	ret = enpu_conv2d(&p, in, k_len, w, k_len * OC, NULL, 0, out, OC);
	pthread_join(th, NULL);
	for (int i = 0; i < OC; i++)
		unwritten += out[i] == 0x5a;
	TH_LOG("%d of %d channels left unwritten", unwritten, OC);
	EXPECT_EQ(-ECANCELED, ret);
	EXPECT_LT(0, unwritten);
	free(in);
	free(w);
}

TEST(depthwise_fast_path_matches_reference)
{
	for (int i = 0; i < 300; i++)
		ASSERT_TRUE(conv_case(1, 0));
}

TEST(depthwise_large_kernel_fallback_matches_reference)
{
	for (int i = 0; i < 10; i++)
		ASSERT_TRUE(conv_case(1, 1));
}

/*
 * One random FULLY_CONNECTED case; with @pack the weights are packed first
 * (enpu_gemm_weights, as the CPU backend does) where the variant has the
 * GEMM, and up to 100 outputs make several channel blocks.
 */
static int fc_case_shaped(int32_t depth, int32_t outs, int per_channel, int pack)
{
	const int32_t batches = rnd_range(1, 5);
	int32_t *shifts, *bias, *m = rnd_quant(outs, &shifts, &bias);
	struct enpu_gemm_weights pw = { 0 };
	struct enpu_fc_params p = {
		.batches = batches, .input_depth = depth, .output_depth = outs,
		.input_zero_point = rnd_range(-128, 127),
		.output_zero_point = rnd_range(-128, 127),
		.act_min = -128, .act_max = 127,
		.multipliers = m, .shifts = shifts,
		.num_quant = per_channel ? (size_t)outs : 1,
	};
	const size_t n_in = (size_t)batches * depth, n_w = (size_t)outs * depth;
	const size_t n_out = (size_t)batches * outs;
	int8_t *in = malloc(n_in), *w = malloc(n_w);
	int8_t *o1 = malloc(n_out), *o2 = malloc(n_out);
	int ok;

	fill_i8(in, n_in);
	fill_i8(w, n_w);
	if (pack && !enpu_gemm_weights_pack(&pw, w, outs, (size_t)depth)) {
		p.packed = &pw;
		requant_some(&pw, bias, m, shifts, per_channel, p.input_zero_point,
			     p.output_zero_point, p.act_min, p.act_max);
	}
	for (int32_t b = 0; b < batches; b++)
		for (int32_t o = 0; o < outs; o++) {
			int64_t acc = 0;
			const int32_t q = per_channel ? o : 0;

			for (int32_t i = 0; i < depth; i++)
				acc += (int64_t)w[(size_t)o * depth + i] *
				       (in[(size_t)b * depth + i] - p.input_zero_point);
			o1[b * outs + o] = requant_ref(acc, bias[o], m[q], shifts[q],
						       p.output_zero_point, -128, 127);
		}
	ok = !enpu_fully_connected(&p, in, n_in, w, n_w, bias, (size_t)outs,
				   o2, n_out) && !memcmp(o1, o2, n_out);
	enpu_gemm_weights_free(&pw);
	free_all((void *[]){ in, w, o1, o2, m, shifts, bias }, 7);
	return ok;
}

static int fc_case_packed(int32_t depth, int per_channel, int pack)
{
	return fc_case_shaped(depth, rnd_range(1, pack ? 100 : 11), per_channel, pack);
}

static int fc_case(int32_t depth, int per_channel)
{
	return fc_case_packed(depth, per_channel, 0);
}

static int packed_fc(void)
{
	return fc_case_packed(rnd_range(1, 300), rnd() & 1, 1);
}

/*
 * FULLY_CONNECTED with weights packed beforehand, under every variant (a
 * variant without the GEMM gets none, and must still be right).
 */
TEST(fc_packed_every_variant_matches_reference)
{
	const char *bad = NULL;

	ASSERT_LE(1, every_variant(packed_fc, 200, &bad)) TH_LOG("variant %s", bad);
}

/*
 * A FULLY_CONNECTED of fewer than eight outputs (micro_speech's: 4 of
 * 4000 taps) is packed narrow where the variant has gemv_u8 -- each
 * channel's taps in order, zero-padded to a whole number of cache
 * lines -- and
 * gives the reference's bytes, at depths with and without a partial
 * last vector.
 */
TEST(narrow_fc_packed_for_gemv)
{
	static const int32_t depths[] = { 4000, 999, 64, 3 };
	const enum enpu_simd was = enpu_simd_current();
	static int8_t w[7 * 4000];
	int ran = 0;

	for (int v = 0; v < ENPU_SIMD_COUNT; v++) {
		if (enpu_simd_use((enum enpu_simd)v) || !enpu_dot_ops()->gemv_u8)
			continue;
		ran++;
		for (int32_t outs = 1; outs < 8; outs++) {
			for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
				/* each channel on lines of its own (enpu_gemv_stride) */
				const size_t depth = (size_t)depths[d];
				const size_t row = (((depth + 3) & ~(size_t)3) + 63) & ~(size_t)63;
				struct enpu_gemm_weights pw;

				fill_i8(w, (size_t)outs * depth);
				ASSERT_EQ(0, enpu_gemm_weights_pack(&pw, w, outs, depth))
					TH_LOG("%s: %d outputs", enpu_simd_name((enum enpu_simd)v),
					       outs);
				for (int32_t o = 0; o < outs; o++) {
					ASSERT_EQ(0, memcmp(pw.data + o * row, w + o * depth, depth));
					for (size_t k = depth; k < row; k++)
						ASSERT_EQ(0, pw.data[o * row + k]);
				}
				enpu_gemm_weights_free(&pw);
				ASSERT_TRUE(fc_case_shaped((int32_t)depth, outs, outs & 1, 1))
					TH_LOG("%s: %d outputs of %zu taps",
					       enpu_simd_name((enum enpu_simd)v), outs, depth);
			}
		}
	}
	enpu_simd_use(was);
	if (!ran)
		SKIP(return, "no variant with gemv_u8 on this CPU");
}

/*
 * What the kernels load 64 bytes at a time lies on cache lines: packed
 * GEMM weights (blocks and narrow), their requantisation tables (each
 * table of an array), depthwise weights made ready and their tables. A
 * load across two lines costs two: with malloc's 16-byte alignment the
 * GEMM ran at half its vpdpbusd rate.
 */
TEST(packed_weights_on_cache_lines)
{
	static const int32_t outs[] = { 3, 16, 70, 200 };
	const enum enpu_simd was = enpu_simd_current();
	static int8_t w[200 * 99];
	int ran = 0;

	fill_i8(w, sizeof(w));
	for (int v = 0; v < ENPU_SIMD_COUNT; v++) {
		if (enpu_simd_use((enum enpu_simd)v))
			continue;
		for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
			int32_t *shifts, *bias, *m = rnd_quant(outs[i], &shifts, &bias);
			const struct enpu_fc_params p = {
				.batches = 1, .input_depth = 99, .output_depth = outs[i],
				.act_min = -128, .act_max = 127, .multipliers = m,
				.shifts = shifts, .num_quant = (size_t)outs[i],
			};
			struct enpu_gemm_weights pw;

			if (enpu_gemm_weights_pack(&pw, w, outs[i], 99)) {
				free_all((void *[]){ m, shifts, bias }, 3);
				continue;
			}
			ran++;
			ASSERT_EQ(0, enpu_fc_requant(&pw, &p, bias));
			EXPECT_EQ(0, (uintptr_t)pw.data % 64)
				TH_LOG("%s: %d outputs", enpu_simd_name((enum enpu_simd)v), outs[i]);
			for (int32_t t = 0; t < (outs[i] + 63) / 64; t++) {
				EXPECT_EQ(0, (uintptr_t)&pw.rq[t] % 64)
					TH_LOG("%s: table %d", enpu_simd_name((enum enpu_simd)v), t);
			}
			enpu_gemm_weights_free(&pw);
			free_all((void *[]){ m, shifts, bias }, 3);
		}
		{
			enum { C = 80 };
			int32_t *shifts, *bias, *m = rnd_quant(C, &shifts, &bias);
			const struct enpu_dwconv2d_params q = {
				.input = { 1, 5, 5, C }, .filter = { 1, 3, 3, C },
				.output = { 1, 3, 3, C }, .depth_multiplier = 1,
				.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
				.act_min = -128, .act_max = 127, .multipliers = m,
				.shifts = shifts, .num_quant = C,
			};
			struct enpu_dw_weights ready;

			if (!enpu_dw_weights_prepare(&ready, &q, w)) {
				ran++;
				ASSERT_EQ(0, enpu_dw_weights_requant(&ready, &q, bias));
				EXPECT_EQ(0, (uintptr_t)ready.wide % 64)
					TH_LOG("%s: depthwise", enpu_simd_name((enum enpu_simd)v));
				EXPECT_EQ(0, (uintptr_t)&ready.rq[1] % 64)
					TH_LOG("%s: depthwise table 1",
					       enpu_simd_name((enum enpu_simd)v));
				enpu_dw_weights_free(&ready);
			}
			free_all((void *[]){ m, shifts, bias }, 3);
		}
	}
	enpu_simd_use(was);
	if (!ran)
		SKIP(return, "no variant on this CPU packs weights");
}

TEST(fc_fast_path_matches_reference)
{
	for (int i = 0; i < 200; i++)
		ASSERT_TRUE(fc_case(rnd_range(1, 300), i & 1));
}

TEST(fc_deep_fallback_matches_reference)
{
	ASSERT_TRUE(fc_case(9000, 0));
	ASSERT_TRUE(fc_case(20000, 1));
}

/* ---- data movement and reductions: parameter validation --------------------- */

/* g_in[i] = i - 64, so every value says where it came from. */
static void fill_ramp(void)
{
	for (size_t i = 0; i < sizeof(g_in); i++)
		g_in[i] = (int8_t)((int)(i % 256) - 64);
}

TEST(transpose_validation)
{
	struct enpu_transpose_params p = {
		.input = { 3, { 2, 3, 4 } }, .perm = { 2, 0, 1 },
	};
	struct enpu_shape os;

	fill_ramp();
	ASSERT_EQ(0, enpu_transpose_output_shape(&p, &os));
	ASSERT_EQ(3, os.rank);
	ASSERT_EQ(4, os.dims[0]);
	ASSERT_EQ(2, os.dims[1]);
	ASSERT_EQ(3, os.dims[2]);
	ASSERT_EQ(0, enpu_transpose(&p, g_in, 24, g_out, 24));
	/* out[k][i][j] = in[i][j][k]: out[1][0][1] = in[0][1][1] = in[5] */
	ASSERT_EQ(g_in[5], g_out[1 * 6 + 0 * 3 + 1]);
	EXPECT_REJECTED(enpu_transpose(&p, g_in, 23, g_out, 24));
	EXPECT_REJECTED(enpu_transpose(&p, g_in, 24, g_out, 23));
	p.perm[1] = 2;		/* { 2, 2, 1 }: not a permutation */
	EXPECT_REJECTED(enpu_transpose(&p, g_in, 24, g_out, 24));
	p.perm[1] = 3;		/* out of range */
	EXPECT_REJECTED(enpu_transpose(&p, g_in, 24, g_out, 24));
	p.perm[1] = -1;
	EXPECT_REJECTED(enpu_transpose(&p, g_in, 24, g_out, 24));
	p.perm[1] = 0;
	p.input.rank = 0;
	EXPECT_REJECTED(enpu_transpose(&p, g_in, 24, g_out, 24));
	/* 2^24 * 2^24 elements: the size check must not overflow */
	p = (struct enpu_transpose_params){
		.input = { 2, { 1 << 24, 1 << 24 } }, .perm = { 1, 0 },
	};
	EXPECT_REJECTED(enpu_transpose(&p, g_in, SIZE_MAX, g_out, SIZE_MAX));
}

TEST(strided_slice_validation)
{
	struct enpu_strided_slice_params p = {
		.input = { 2, { 4, 6 } }, .begin = { 1, -1 }, .end = { 4, 0 },
		.strides = { 2, -2 },
	};
	struct enpu_shape os;

	fill_ramp();
	/* rows 1, 3; columns 5, 3, 1 */
	ASSERT_EQ(0, enpu_strided_slice_output_shape(&p, &os));
	ASSERT_EQ(2, os.rank);
	ASSERT_EQ(2, os.dims[0]);
	ASSERT_EQ(3, os.dims[1]);
	ASSERT_EQ(0, enpu_strided_slice(&p, g_in, 24, g_out, 6));
	ASSERT_EQ(g_in[6 + 5], g_out[0]);
	ASSERT_EQ(g_in[18 + 1], g_out[5]);
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 23, g_out, 6));
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 24, g_out, 5));
	p.strides[0] = 0;
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 24, g_out, 6));
	p.strides[0] = 2;
	p.begin[0] = 4;		/* empty: shapes have no zero dims */
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 24, g_out, 6));
	p.begin[0] = 1;
	p.shrink_axis_mask = 2;	/* shrunk axis with a negative stride */
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 24, g_out, 6));
	p.input.rank = 5;
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 24, g_out, 6));

	/*
	 * TFLite-Micro's quirk: begin_mask applies on a shrunk axis, so
	 * x[-4] of a [5] with begin_mask is x[0] (TF would give x[1]).
	 */
	p = (struct enpu_strided_slice_params){
		.input = { 1, { 5 } }, .begin = { -4 }, .end = { 0 },
		.strides = { 1 }, .begin_mask = 1, .shrink_axis_mask = 1,
	};
	ASSERT_EQ(0, enpu_strided_slice_output_shape(&p, &os));
	ASSERT_EQ(0, os.rank);
	ASSERT_EQ(0, enpu_strided_slice(&p, g_in, 5, g_out, 1));
	ASSERT_EQ(g_in[0], g_out[0]);
	p.begin_mask = 0;
	ASSERT_EQ(0, enpu_strided_slice(&p, g_in, 5, g_out, 1));
	ASSERT_EQ(g_in[1], g_out[0]);
	p.begin[0] = 5;		/* a shrunk index past the end */
	EXPECT_REJECTED(enpu_strided_slice(&p, g_in, 5, g_out, 1));
}

TEST(split_validation)
{
	struct enpu_split_params p = { .input = { 2, { 2, 6 } }, .axis = -1,
				       .num_splits = 3 };
	int8_t *outs[3] = { g_out, g_out + 4, g_out + 8 };
	size_t lens[3] = { 4, 4, 4 };
	struct enpu_shape os;

	fill_ramp();
	ASSERT_EQ(0, enpu_split_output_shape(&p, &os));
	ASSERT_EQ(2, os.dims[1]);
	ASSERT_EQ(0, enpu_split(&p, g_in, 12, outs, lens));
	/* output 1 = columns 2..3 of both rows */
	ASSERT_EQ(g_in[2], g_out[4]);
	ASSERT_EQ(g_in[6 + 3], g_out[7]);
	EXPECT_REJECTED(enpu_split(&p, g_in, 11, outs, lens));
	lens[2] = 3;		/* the last output short: none is written */
	EXPECT_REJECTED(enpu_split(&p, g_in, 12, outs, lens));
	lens[2] = 4;
	outs[1] = NULL;
	EXPECT_REJECTED(enpu_split(&p, g_in, 12, outs, lens));
	outs[1] = g_out + 4;
	p.num_splits = 4;	/* 6 is not a multiple of 4 */
	EXPECT_REJECTED(enpu_split(&p, g_in, 12, outs, lens));
	p.num_splits = 0;
	EXPECT_REJECTED(enpu_split(&p, g_in, 12, outs, lens));
	p.num_splits = 3;
	p.axis = 2;
	EXPECT_REJECTED(enpu_split(&p, g_in, 12, outs, lens));
	p.axis = -3;
	EXPECT_REJECTED(enpu_split(&p, g_in, 12, outs, lens));
}

TEST(resize_validation)
{
	struct enpu_resize_params p = {
		.input = { 1, 2, 2, 1 }, .output_height = 3, .output_width = 4,
	};
	struct enpu_nhwc os;

	fill_ramp();
	ASSERT_EQ(0, enpu_resize_output_shape(&p, &os));
	ASSERT_EQ(3, os.h);
	ASSERT_EQ(4, os.w);
	ASSERT_EQ(0, enpu_resize_nearest_neighbor(&p, g_in, 4, g_out, 12));
	ASSERT_EQ(0, enpu_resize_bilinear(&p, g_in, 4, g_out, 12));
	EXPECT_REJECTED(enpu_resize_bilinear(&p, g_in, 3, g_out, 12));
	EXPECT_REJECTED(enpu_resize_nearest_neighbor(&p, g_in, 4, g_out, 11));
	/* both options: TFLite-Micro runs nearest neighbour, not bilinear */
	p.align_corners = p.half_pixel_centers = true;
	ASSERT_EQ(0, enpu_resize_nearest_neighbor(&p, g_in, 4, g_out, 12));
	EXPECT_REJECTED(enpu_resize_bilinear(&p, g_in, 4, g_out, 12));
	p.align_corners = false;
	p.output_width = 0;
	EXPECT_REJECTED(enpu_resize_nearest_neighbor(&p, g_in, 4, g_out, 12));
	p.output_width = (1 << 20) + 1;
	EXPECT_REJECTED(enpu_resize_nearest_neighbor(&p, g_in, 4, g_out, 4096));
	/*
	 * 1 -> 1500 rows: the rounded scale (1/1024 pixel) puts the last row
	 * at source row 1, past the input: TFLite would read out of bounds.
	 */
	p = (struct enpu_resize_params){
		.input = { 1, 1, 1, 1 }, .output_height = 1500,
		.output_width = 1,
	};
	EXPECT_REJECTED(enpu_resize_bilinear(&p, g_in, 1, g_out, 1500));
	ASSERT_EQ(0, enpu_resize_nearest_neighbor(&p, g_in, 1, g_out, 1500));
	p.output_height = 1000;
	ASSERT_EQ(0, enpu_resize_bilinear(&p, g_in, 1, g_out, 1000));
	ASSERT_EQ(g_in[0], g_out[999]);
}

TEST(reduce_max_sum_validation)
{
	const int32_t axes[2] = { -1, 1 }, bad_axes[1] = { 3 };
	struct enpu_reduce_max_params mp = {
		.input = { 3, { 2, 3, 4 } }, .axes = axes, .num_axes = 2,
	};
	struct enpu_sum_params sp = {
		.input = { 3, { 2, 3, 4 } }, .axes = axes, .num_axes = 2,
		.input_zero_point = -3, .output_zero_point = 5,
	};
	struct enpu_shape os;

	fill_ramp();
	ASSERT_EQ(0, enpu_reduce_output_shape(&mp.input, axes, 2, true, &os));
	ASSERT_EQ(3, os.rank);
	ASSERT_EQ(2, os.dims[0]);
	ASSERT_EQ(1, os.dims[2]);
	ASSERT_EQ(0, enpu_reduce_output_shape(&mp.input, axes, 2, false, &os));
	ASSERT_EQ(1, os.rank);
	ASSERT_EQ(0, enpu_reduce_max(&mp, g_in, 24, g_out, 2));
	ASSERT_EQ(g_in[11], g_out[0]);
	ASSERT_EQ(g_in[23], g_out[1]);
	EXPECT_REJECTED(enpu_reduce_max(&mp, g_in, 23, g_out, 2));
	EXPECT_REJECTED(enpu_reduce_max(&mp, g_in, 24, g_out, 1));
	mp.axes = bad_axes;
	mp.num_axes = 1;
	EXPECT_REJECTED(enpu_reduce_max(&mp, g_in, 24, g_out, 2));
	mp.axes = NULL;
	EXPECT_REJECTED(enpu_reduce_max(&mp, g_in, 24, g_out, 2));
	mp.input = (struct enpu_shape){ 2, { 1 << 24, 1 << 24 } };
	mp.num_axes = 0;
	EXPECT_REJECTED(enpu_reduce_max(&mp, g_in, SIZE_MAX, g_out, SIZE_MAX));

	/* scale 1 -> 1: M = 2^30, shift 1; sums of 12 values, minus 12 * -3 */
	ASSERT_EQ(0, enpu_sum_derive(0.5f, 0.5f, &sp));
	ASSERT_EQ(1 << 30, sp.output_multiplier);
	ASSERT_EQ(1, sp.output_shift);
	ASSERT_EQ(-EINVAL, enpu_sum_derive(0.5f, 0.0f, &sp));
	ASSERT_EQ(0, enpu_sum_derive(0.5f, 0.5f, &sp));
	ASSERT_EQ(0, enpu_sum(&sp, g_in, 24, g_out, 2));
	/* row 0: g_in[0..11] = -64..-53, sum -702 + 36 + 5 saturates */
	ASSERT_EQ(-128, g_out[0]);
	EXPECT_REJECTED(enpu_sum(&sp, g_in, 24, g_out, 1));
	sp.input_zero_point = 128;
	EXPECT_REJECTED(enpu_sum(&sp, g_in, 24, g_out, 2));
	sp.input_zero_point = 0;
	sp.output_zero_point = -129;
	EXPECT_REJECTED(enpu_sum(&sp, g_in, 24, g_out, 2));
	sp.output_zero_point = 0;
	sp.output_shift = -32;
	EXPECT_REJECTED(enpu_sum(&sp, g_in, 24, g_out, 2));
	sp.output_shift = 1;
	sp.output_multiplier = -1;
	EXPECT_REJECTED(enpu_sum(&sp, g_in, 24, g_out, 2));
}

/* ---- binary element-wise operators: MUL, SUB, MAXIMUM, MINIMUM ------------------ */

TEST(binary_derive)
{
	struct enpu_mul_params mp;
	struct enpu_sub_params sp;
	struct enpu_add_params ap;

	/* 0.5 * 0.9 / 1e-3 = 450: a multiplier above 1, shift 9 */
	ASSERT_EQ(0, enpu_mul_derive(0.5f, 0.9f, 1e-3f, &mp));
	ASSERT_EQ(9, mp.output_shift);
	ASSERT_EQ(0, enpu_mul_derive(1.0f, 1.0f, 1.0f, &mp));
	ASSERT_EQ(1 << 30, mp.output_multiplier);
	ASSERT_EQ(1, mp.output_shift);
	/* below 2^-31: TFLite's multiplier 0, shift 0 */
	ASSERT_EQ(0, enpu_mul_derive(1e-20f, 1e-20f, 1.0f, &mp));
	ASSERT_EQ(0, mp.output_multiplier);
	ASSERT_EQ(0, mp.output_shift);
	/* 2^40 needs a shift of 41 */
	ASSERT_EQ(-EINVAL, enpu_mul_derive(1e6f, 1e6f, 1.0f, &mp));
	ASSERT_EQ(-EINVAL, enpu_mul_derive(0.0f, 1.0f, 1.0f, &mp));
	ASSERT_EQ(-EINVAL, enpu_mul_derive(1.0f, NAN, 1.0f, &mp));

	ASSERT_EQ(0, enpu_sub_derive(1.0f, 1.0f, 1.0f, &sp));
	ASSERT_EQ(20, sp.left_shift);
	ASSERT_EQ(1 << 30, sp.input1_multiplier);
	ASSERT_EQ(0, sp.input1_shift);
	/* output multiplier 2 / 2^20 >= 1 when the output scale is tiny */
	ASSERT_EQ(-EINVAL, enpu_sub_derive(1.0f, 1.0f, 1e-7f, &sp));
	ASSERT_EQ(-EINVAL, enpu_sub_derive(1.0f, -1.0f, 1.0f, &sp));
	/* SUB divides in float, ADD in double: 0.1 / 0.6 differs in the low bits */
	ASSERT_EQ(0, enpu_sub_derive(0.1f, 0.3f, 0.2f, &sp));
	ASSERT_EQ(0, enpu_add_derive(0.1f, 0.3f, 0.2f, &ap));
	ASSERT_EQ(ap.input1_shift, sp.input1_shift);
	ASSERT_NE(ap.input1_multiplier, sp.input1_multiplier);
	ASSERT_EQ(0, sp.input1_multiplier & 0xff);	/* a float's 24 bits */
}

static struct enpu_mul_params mul_ok(void)
{
	struct enpu_mul_params p;

	memset(&p, 0, sizeof(p));
	p.input1 = (struct enpu_shape){ 4, { 1, 2, 3, 4 } };
	p.input2 = (struct enpu_shape){ 2, { 3, 1 } };
	p.output = p.input1;
	p.input1_zero_point = -128;
	p.input2_zero_point = 127;
	p.output_zero_point = 5;
	p.output_multiplier = 1 << 30;
	p.output_shift = -3;
	p.act_min = -128;
	p.act_max = 127;
	return p;
}

TEST(mul_validation)
{
	struct enpu_mul_params p = mul_ok(), q;

	ASSERT_EQ(0, enpu_mul_i8(&p, g_in, 24, g_w, 3, g_out, 24));
	EXPECT_REJECTED(enpu_mul_i8(NULL, g_in, 24, g_w, 3, g_out, 24));
	/* short or missing buffers */
	EXPECT_REJECTED(enpu_mul_i8(&p, g_in, 23, g_w, 3, g_out, 24));
	EXPECT_REJECTED(enpu_mul_i8(&p, g_in, 24, g_w, 2, g_out, 24));
	EXPECT_REJECTED(enpu_mul_i8(&p, g_in, 24, g_w, 3, g_out, 23));
	EXPECT_REJECTED(enpu_mul_i8(&p, g_in, 24, NULL, 3, g_out, 24));
	/* shapes that do not broadcast, or a wrong output */
	q = p; q.input2 = (struct enpu_shape){ 2, { 2, 1 } };
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 2, g_out, 24));
	q = p; q.output = (struct enpu_shape){ 4, { 2, 2, 3, 4 } };
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 48));
	q = p; q.output = (struct enpu_shape){ 3, { 2, 3, 4 } };	/* rank 3 < 4 */
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.input2 = (struct enpu_shape){ 5, { 1, 1, 1, 1 } };
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.input2 = (struct enpu_shape){ -1, { 0 } };
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.input1.dims[0] = 0;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	/* 2^24 * 2^24 * 4 elements overflow the element limit */
	q = p;
	q.input1 = (struct enpu_shape){ 3, { 1 << 24, 1 << 24, 4 } };
	q.input2 = (struct enpu_shape){ 1, { 4 } };
	q.output = q.input1;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, SIZE_MAX, g_w, 4, g_out, SIZE_MAX));
	/* quantization parameters */
	q = p; q.input1_zero_point = 128;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.output_zero_point = -129;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.act_min = 10; q.act_max = 9;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.output_shift = 32;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
	q = p; q.output_multiplier = -1;
	EXPECT_REJECTED(enpu_mul_i8(&q, g_in, 24, g_w, 3, g_out, 24));
}

TEST(sub_minmax_validation)
{
	struct enpu_sub_params p, q;
	struct enpu_minmax_params m = {
		.input1 = { 0, { 0 } }, .input2 = { 3, { 2, 1, 4 } },
		.output = { 3, { 2, 1, 4 } },
	};

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, enpu_sub_derive(0.5f, 0.25f, 0.5f, &p));
	p.act_min = -128;
	p.act_max = 127;
	p.input1 = (struct enpu_shape){ 2, { 3, 1 } };
	p.input2 = (struct enpu_shape){ 2, { 1, 5 } };	/* mutual broadcast */
	p.output = (struct enpu_shape){ 2, { 3, 5 } };
	ASSERT_EQ(0, enpu_sub(&p, g_in, 3, g_w, 5, g_out, 15));
	EXPECT_REJECTED(enpu_sub(&p, g_in, 3, g_w, 5, g_out, 14));
	EXPECT_REJECTED(enpu_sub(&p, g_in, 2, g_w, 5, g_out, 15));
	q = p; q.output = (struct enpu_shape){ 2, { 3, 1 } };
	EXPECT_REJECTED(enpu_sub(&q, g_in, 3, g_w, 5, g_out, 15));
	q = p; q.left_shift = 32;
	EXPECT_REJECTED(enpu_sub(&q, g_in, 3, g_w, 5, g_out, 15));
	q = p; q.input2_shift = -32;
	EXPECT_REJECTED(enpu_sub(&q, g_in, 3, g_w, 5, g_out, 15));
	q = p; q.input2_zero_point = 200;
	EXPECT_REJECTED(enpu_sub(&q, g_in, 3, g_w, 5, g_out, 15));
	q = p; q.act_max = 128;
	EXPECT_REJECTED(enpu_sub(&q, g_in, 3, g_w, 5, g_out, 15));

	/* a scalar against [2, 1, 4] */
	ASSERT_EQ(0, enpu_maximum(&m, g_in, 1, g_w, 8, g_out, 8));
	ASSERT_EQ(0, enpu_minimum(&m, g_in, 1, g_w, 8, g_out, 8));
	EXPECT_REJECTED(enpu_maximum(&m, g_in, 0, g_w, 8, g_out, 8));
	EXPECT_REJECTED(enpu_minimum(&m, g_in, 1, g_w, 8, g_out, 7));
	EXPECT_REJECTED(enpu_minimum(&m, g_in, 1, g_w, 8, NULL, 8));
	m.output = (struct enpu_shape){ 3, { 2, 2, 4 } };
	EXPECT_REJECTED(enpu_maximum(&m, g_in, 1, g_w, 8, g_out, 16));
	m.output = (struct enpu_shape){ 3, { 2, 1, ENPU_MAX_DIM + 1 } };
	EXPECT_REJECTED(enpu_minimum(&m, g_in, 1, g_w, 8, g_out, 8));
}

TEST(binary_cancel)
{
	atomic_int stop = 1;
	struct enpu_minmax_params m = {
		.input1 = { 1, { 8 } }, .input2 = { 1, { 8 } },
		.output = { 1, { 8 } }, .cancel = &stop,
	};
	struct enpu_mul_params p = mul_ok();

	ASSERT_EQ(-ECANCELED, enpu_maximum(&m, g_in, 8, g_w, 8, g_out, 8));
	p.cancel = &stop;
	ASSERT_EQ(-ECANCELED, enpu_mul_i8(&p, g_in, 24, g_w, 3, g_out, 24));
	atomic_store(&stop, 0);
	ASSERT_EQ(0, enpu_maximum(&m, g_in, 8, g_w, 8, g_out, 8));
	ASSERT_EQ(0, enpu_mul_i8(&p, g_in, 24, g_w, 3, g_out, 24));
}

/* One element of each binary operator, straight from TFLite's formulas. */
static int8_t binary_ref(int op, const void *params, int8_t x1, int8_t x2)
{
	if (op == 0) {
		const struct enpu_mul_params *p = params;
		const int32_t v = enpu_mbqm((x1 - p->input1_zero_point) *
					    (x2 - p->input2_zero_point),
					    p->output_multiplier, p->output_shift) +
				  p->output_zero_point;

		return (int8_t)(v < p->act_min ? p->act_min :
				v > p->act_max ? p->act_max : v);
	}
	if (op == 1 || op == 2) {
		/* SUB and ADD share the field names, not the struct */
		const struct enpu_sub_params *p = params;
		const struct enpu_add_params *q = params;
		const int sub = op == 1;
		const int32_t zp1 = sub ? p->input1_zero_point : q->input1_zero_point;
		const int32_t zp2 = sub ? p->input2_zero_point : q->input2_zero_point;
		const int32_t a = enpu_mbqm((x1 - zp1) * (1 << 20),
					    sub ? p->input1_multiplier : q->input1_multiplier,
					    sub ? p->input1_shift : q->input1_shift);
		const int32_t b = enpu_mbqm((x2 - zp2) * (1 << 20),
					    sub ? p->input2_multiplier : q->input2_multiplier,
					    sub ? p->input2_shift : q->input2_shift);
		const int32_t v = enpu_mbqm(sub ? a - b : a + b,
					    sub ? p->output_multiplier : q->output_multiplier,
					    sub ? p->output_shift : q->output_shift) +
				  (sub ? p->output_zero_point : q->output_zero_point);
		const int32_t lo = sub ? p->act_min : q->act_min;
		const int32_t hi = sub ? p->act_max : q->act_max;

		return (int8_t)(v < lo ? lo : v > hi ? hi : v);
	}
	if (op == 3)
		return x1 > x2 ? x1 : x2;
	return x1 < x2 ? x1 : x2;
}

/*
 * Random shapes of rank 0..4 (or the given 4-D ones, right-aligned at
 * rank r1, r2, ro) through every binary operator, against a naive walk
 * that computes each output's input indices from its coordinates.
 */
static int binary_case(const int32_t *given1, const int32_t *given2)
{
	int32_t d1[4], d2[4], dout[4], r1, r2, ro;
	struct enpu_shape s1, s2, so;
	size_t n1 = 1, n2 = 1, no = 1;
	int ok = 1;

	for (int i = 0; i < 4; i++) {
		const int32_t d = rnd_range(1, 5);

		d1[i] = given1 ? given1[i] : rnd() & 1 ? d : 1;
		d2[i] = given2 ? given2[i] : rnd() & 1 ? d : 1;
		dout[i] = d1[i] > d2[i] ? d1[i] : d2[i];
		n1 *= (size_t)d1[i];
		n2 *= (size_t)d2[i];
		no *= (size_t)dout[i];
	}
	/* The lowest rank that still holds every dimension other than 1. */
	int32_t min1 = 0, min2 = 0;

	for (int i = 0; i < 4; i++) {
		if (d1[i] != 1 && !min1)
			min1 = 4 - i;
		if (d2[i] != 1 && !min2)
			min2 = 4 - i;
	}
	r1 = rnd_range(min1, 4);
	r2 = rnd_range(min2, 4);
	ro = rnd_range(r1 > r2 ? r1 : r2, 4);
	s1.rank = r1;
	s2.rank = r2;
	so.rank = ro;
	for (int i = 0; i < 4; i++) {
		if (i < r1)
			s1.dims[i] = d1[4 - r1 + i];
		if (i < r2)
			s2.dims[i] = d2[4 - r2 + i];
		if (i < ro)
			so.dims[i] = dout[4 - ro + i];
	}

	int8_t *a = malloc(n1), *b = malloc(n2), *got = malloc(no);

	if (!a || !b || !got) {
		free(a);
		free(b);
		free(got);
		return 0;
	}
	fill_i8(a, n1);
	fill_i8(b, n2);

	struct enpu_mul_params mp = {
		.input1 = s1, .input2 = s2, .output = so,
		.input1_zero_point = rnd_range(-128, 127),
		.input2_zero_point = rnd_range(-128, 127),
		.output_zero_point = rnd_range(-128, 127),
		.act_min = rnd_range(-128, -50), .act_max = rnd_range(50, 127),
	};
	struct enpu_sub_params sp = {
		.input1 = s1, .input2 = s2, .output = so,
		.input1_zero_point = mp.input1_zero_point,
		.input2_zero_point = mp.input2_zero_point,
		.output_zero_point = mp.output_zero_point,
		.act_min = mp.act_min, .act_max = mp.act_max,
	};
	struct enpu_add_params ap = {
		.input1 = s1, .input2 = s2, .output = so,
		.input1_zero_point = mp.input1_zero_point,
		.input2_zero_point = mp.input2_zero_point,
		.output_zero_point = mp.output_zero_point,
		.act_min = mp.act_min, .act_max = mp.act_max,
	};
	const struct enpu_minmax_params xp = { .input1 = s1, .input2 = s2, .output = so };
	const float sa = (float)rnd_range(1, 1000) / 1000, sb = (float)rnd_range(1, 1000) / 1000;
	const float so_ = (float)rnd_range(1, 1000) / 2000;

	if (enpu_mul_derive(sa, sb, so_ / 16, &mp) || enpu_sub_derive(sa, sb, so_, &sp) ||
	    enpu_add_derive(sa, sb, so_, &ap))
		ok = 0;
	for (int op = 0; ok && op < 5; op++) {
		const void *params = op == 0 ? (const void *)&mp : op == 1 ? (const void *)&sp :
				     op == 2 ? (const void *)&ap : (const void *)&xp;
		int r;

		memset(got, 0x5a, no);
		switch (op) {
		case 0: r = enpu_mul_i8(&mp, a, n1, b, n2, got, no); break;
		case 1: r = enpu_sub(&sp, a, n1, b, n2, got, no); break;
		case 2: r = enpu_add(&ap, a, n1, b, n2, got, no); break;
		case 3: r = enpu_maximum(&xp, a, n1, b, n2, got, no); break;
		default: r = enpu_minimum(&xp, a, n1, b, n2, got, no); break;
		}
		if (r) {
			ok = 0;
			break;
		}
		size_t o = 0;

		for (int32_t i0 = 0; i0 < dout[0]; i0++)
		for (int32_t i1 = 0; i1 < dout[1]; i1++)
		for (int32_t i2 = 0; i2 < dout[2]; i2++)
		for (int32_t i3 = 0; i3 < dout[3]; i3++, o++) {
			const int32_t c[4] = { i0, i1, i2, i3 };
			size_t x1 = 0, x2 = 0;

			for (int k = 0; k < 4; k++) {
				x1 = x1 * (size_t)d1[k] + (size_t)(d1[k] == 1 ? 0 : c[k]);
				x2 = x2 * (size_t)d2[k] + (size_t)(d2[k] == 1 ? 0 : c[k]);
			}
			if (got[o] != binary_ref(op, params, a[x1], b[x2]))
				ok = 0;
		}
	}
	free(a);
	free(b);
	free(got);
	return ok;
}

TEST(binary_broadcast_matches_naive)
{
	/* rows longer than the 64 Ki elements between cancel reads */
	static const int32_t big[4] = { 1, 3, 1, 100000 }, row[4] = { 1, 3, 1, 1 };
	static const int32_t one[4] = { 1, 1, 1, 1 }, wide[4] = { 2, 1, 70000, 1 };

	for (int i = 0; i < 500; i++)
		ASSERT_TRUE(binary_case(NULL, NULL));
	ASSERT_TRUE(binary_case(big, big));
	ASSERT_TRUE(binary_case(big, row));
	ASSERT_TRUE(binary_case(one, big));
	ASSERT_TRUE(binary_case(wide, row));
}

/* ---- element-wise activations --------------------------------------------- */

/* Every int8 value once ascending, then once descending: 512 elements. */
static void fill_ramp2(int8_t *p)
{
	for (int i = 0; i < 256; i++) {
		p[i] = (int8_t)(i - 128);
		p[511 - i] = (int8_t)(i - 128);
	}
}

TEST(activation_derivations)
{
	struct enpu_relu_params rp;
	struct enpu_relu6_params r6;
	struct enpu_leaky_relu_params lp;
	struct enpu_logistic_params gp;
	struct enpu_tanh_params tp;
	struct enpu_hard_swish_params hp;

	/* equal scales: a multiplier of exactly 1, the range [zp, 127] */
	ASSERT_EQ(0, enpu_relu_derive(0.5f, -3, 0.5f, 7, &rp));
	ASSERT_EQ(1 << 30, rp.output_multiplier);
	ASSERT_EQ(1, rp.output_shift);
	ASSERT_EQ(7, rp.quantized_activation_min);
	ASSERT_EQ(127, rp.quantized_activation_max);
	ASSERT_EQ(-EINVAL, enpu_relu_derive(0.0f, 0, 0.5f, 0, &rp));
	ASSERT_EQ(-EINVAL, enpu_relu_derive(0.5f, 128, 0.5f, 0, &rp));
	ASSERT_EQ(-EINVAL, enpu_relu_derive(0.5f, 0, NAN, 0, &rp));
	/* a shift past 31 would be undefined in TFLite's MBQM */
	ASSERT_EQ(-EINVAL, enpu_relu_derive(1e6f, 0, 1e-6f, 0, &rp));

	/* RELU6 in the input's quantization: 6 / 0.1 - 100 = -40 */
	ASSERT_EQ(0, enpu_relu6_derive(0.1f, -100, &r6));
	ASSERT_EQ(-40, r6.six);
	ASSERT_EQ(-100, r6.zero);
	ASSERT_EQ(0, enpu_relu6_derive(1e-3f, 0, &r6));
	ASSERT_EQ(127, r6.six);
	ASSERT_EQ(-EINVAL, enpu_relu6_derive(-1.0f, 0, &r6));

	/* a negative alpha keeps its sign in the multiplier */
	ASSERT_EQ(0, enpu_leaky_relu_derive(-0.5f, 0.25f, 0, 0.25f, 0, &lp));
	ASSERT_EQ(-(1 << 30), lp.output_multiplier_alpha);
	ASSERT_EQ(0, lp.output_shift_alpha);
	ASSERT_EQ(1 << 30, lp.output_multiplier_identity);
	ASSERT_EQ(1, lp.output_shift_identity);
	ASSERT_EQ(-EINVAL, enpu_leaky_relu_derive(NAN, 0.25f, 0, 0.25f, 0, &lp));
	ASSERT_EQ(-EINVAL, enpu_leaky_relu_derive(INFINITY, 0.25f, 0, 0.25f, 0,
						  &lp));

	/* scale 1: 2^27 = 0.5 * 2^28, radius floor(15 / 2) */
	ASSERT_EQ(0, enpu_logistic_derive(1.0f, -128, 1.0f / 256, -128, &gp));
	ASSERT_EQ(1 << 30, gp.input_multiplier);
	ASSERT_EQ(28, gp.input_left_shift);
	ASSERT_EQ(7, gp.input_range_radius);
	/* the output quantization the kernel assumes, and no other */
	ASSERT_EQ(-EINVAL, enpu_logistic_derive(1.0f, 0, 1.0f / 256, 0, &gp));
	ASSERT_EQ(-EINVAL, enpu_logistic_derive(1.0f, 0, 1.0f / 128, -128, &gp));
	ASSERT_EQ(-EINVAL, enpu_tanh_derive(1.0f, 0, 1.0f / 256, -128, &tp));
	ASSERT_EQ(-EINVAL, enpu_tanh_derive(1.0f, 0, 1.0f / 128, 1, &tp));
	ASSERT_EQ(0, enpu_tanh_derive(1.0f / 16, 3, 1.0f / 128, 0, &tp));
	ASSERT_EQ(1 << 30, tp.input_multiplier);
	ASSERT_EQ(24, tp.input_left_shift);
	ASSERT_EQ(120, tp.input_range_radius);
	/* below 2^-28 TFLM's shift is negative (undefined radius) */
	ASSERT_EQ(-EINVAL, enpu_tanh_derive(1e-9f, 0, 1.0f / 128, 0, &tp));
	/* from scale 8 on the radius is 0 and the shift is never used */
	ASSERT_EQ(0, enpu_tanh_derive(16.0f, 0, 1.0f / 128, 0, &tp));
	ASSERT_EQ(32, tp.input_left_shift);
	ASSERT_EQ(0, tp.input_range_radius);

	/* HARD_SWISH: in 1 -> out 1/127 is the output exponent 0 case */
	ASSERT_EQ(0, enpu_hard_swish_derive(1.0f, 0, 1.0f / 127, 0, &hp));
	ASSERT_EQ(21845, hp.reluish_multiplier_fixedpoint_int16);
	ASSERT_EQ(7, hp.reluish_multiplier_exponent);
	ASSERT_EQ(32512, hp.output_multiplier_fixedpoint_int16);
	ASSERT_EQ(0, hp.output_multiplier_exponent);
	/* out_scale <= in_scale / 128 needs a left shift: TFLM refuses */
	ASSERT_EQ(-EINVAL, enpu_hard_swish_derive(1.0f, 0, 1.0f / 256, 0, &hp));
	ASSERT_EQ(-EINVAL, enpu_hard_swish_derive(1.0f, 0, 0.1f, -129, &hp));
}

static struct enpu_relu_params relu_ok(void)
{
	struct enpu_relu_params p;

	memset(&p, 0, sizeof(p));
	enpu_relu_derive(0.05f, 3, 0.03f, -5, &p);
	return p;
}

TEST(activation_validation)
{
	const size_t huge = (size_t)ENPU_MAX_ELEMS + 1;
	struct enpu_relu_params rp = relu_ok(), rb;
	struct enpu_relu6_params r6 = { .six = 60, .zero = -10 }, r6b;
	struct enpu_leaky_relu_params lp, lb;
	struct enpu_logistic_params gp, gb;
	struct enpu_tanh_params tp, tb;
	struct enpu_hard_swish_params hp, hb;

	ASSERT_EQ(0, enpu_leaky_relu_derive(0.1f, 0.05f, 3, 0.03f, -5, &lp));
	ASSERT_EQ(0, enpu_logistic_derive(0.05f, 3, 1.0f / 256, -128, &gp));
	ASSERT_EQ(0, enpu_tanh_derive(0.05f, 3, 1.0f / 128, 0, &tp));
	ASSERT_EQ(0, enpu_hard_swish_derive(0.05f, 3, 0.03f, -5, &hp));

	/* counts: at least one element, at most ENPU_MAX_ELEMS, and buffers
	 * that hold them (a length that claims more is still refused)
	 */
	ASSERT_EQ(0, enpu_relu(&rp, 100, g_in, 100, g_out, 100));
	EXPECT_REJECTED(enpu_relu(&rp, 0, g_in, 100, g_out, 100));
	EXPECT_REJECTED(enpu_relu(&rp, huge, g_in, SIZE_MAX, g_out, SIZE_MAX));
	EXPECT_REJECTED(enpu_relu(&rp, SIZE_MAX, g_in, SIZE_MAX, g_out, SIZE_MAX));
	EXPECT_REJECTED(enpu_relu(&rp, 100, g_in, 99, g_out, 100));
	EXPECT_REJECTED(enpu_relu(&rp, 100, g_in, 100, g_out, 99));
	EXPECT_REJECTED(enpu_relu(&rp, 100, NULL, 100, g_out, 100));
	EXPECT_REJECTED(enpu_relu(NULL, 100, g_in, 100, g_out, 100));
	rb = rp; rb.input_zero_point = -129;
	EXPECT_REJECTED(enpu_relu(&rb, 100, g_in, 100, g_out, 100));
	rb = rp; rb.output_shift = 32;
	EXPECT_REJECTED(enpu_relu(&rb, 100, g_in, 100, g_out, 100));
	rb = rp; rb.output_multiplier = -1;
	EXPECT_REJECTED(enpu_relu(&rb, 100, g_in, 100, g_out, 100));
	rb = rp; rb.quantized_activation_min = 127; rb.quantized_activation_max = 0;
	EXPECT_REJECTED(enpu_relu(&rb, 100, g_in, 100, g_out, 100));

	ASSERT_EQ(0, enpu_relu6(&r6, 300, g_in, 300, g_out, 300));
	EXPECT_REJECTED(enpu_relu6(&r6, 300, g_in, 300, g_out, 299));
	r6b = r6; r6b.six = -11;		/* six below zero */
	EXPECT_REJECTED(enpu_relu6(&r6b, 300, g_in, 300, g_out, 300));
	r6b = r6; r6b.six = 128;
	EXPECT_REJECTED(enpu_relu6(&r6b, 300, g_in, 300, g_out, 300));

	ASSERT_EQ(0, enpu_leaky_relu(&lp, 300, g_in, 300, g_out, 300));
	EXPECT_REJECTED(enpu_leaky_relu(&lp, huge, g_in, huge, g_out, huge));
	lb = lp; lb.output_multiplier_alpha = INT32_MIN;
	EXPECT_REJECTED(enpu_leaky_relu(&lb, 300, g_in, 300, g_out, 300));
	lb = lp; lb.output_shift_alpha = -32;
	EXPECT_REJECTED(enpu_leaky_relu(&lb, 300, g_in, 300, g_out, 300));
	lb = lp; lb.output_multiplier_identity = -5;
	EXPECT_REJECTED(enpu_leaky_relu(&lb, 300, g_in, 300, g_out, 300));
	lb = lp; lb.output_zero_point = 128;
	EXPECT_REJECTED(enpu_leaky_relu(&lb, 300, g_in, 300, g_out, 300));

	ASSERT_EQ(0, enpu_logistic(&gp, 300, g_in, 300, g_out, 300));
	EXPECT_REJECTED(enpu_logistic(&gp, 300, g_in, 299, g_out, 300));
	gb = gp; gb.input_range_radius = -1;
	EXPECT_REJECTED(enpu_logistic(&gb, 300, g_in, 300, g_out, 300));
	/* a shift MBQM cannot take, with a radius that would use it */
	gb = gp; gb.input_left_shift = 40;
	EXPECT_REJECTED(enpu_logistic(&gb, 300, g_in, 300, g_out, 300));
	gb.input_range_radius = 0;
	ASSERT_EQ(0, enpu_logistic(&gb, 300, g_in, 300, g_out, 300));
	gb = gp; gb.input_multiplier = -1;
	EXPECT_REJECTED(enpu_logistic(&gb, 300, g_in, 300, g_out, 300));

	ASSERT_EQ(0, enpu_tanh(&tp, 300, g_in, 300, g_out, 300));
	EXPECT_REJECTED(enpu_tanh(&tp, 0, g_in, 300, g_out, 300));
	tb = tp; tb.input_zero_point = 200;
	EXPECT_REJECTED(enpu_tanh(&tb, 300, g_in, 300, g_out, 300));
	tb = tp; tb.input_left_shift = -32;
	EXPECT_REJECTED(enpu_tanh(&tb, 300, g_in, 300, g_out, 300));

	ASSERT_EQ(0, enpu_hard_swish(&hp, 300, g_in, 300, g_out, 300));
	EXPECT_REJECTED(enpu_hard_swish(&hp, 300, g_in, 300, NULL, 300));
	hb = hp; hb.output_multiplier_exponent = 1;
	EXPECT_REJECTED(enpu_hard_swish(&hb, 300, g_in, 300, g_out, 300));
	hb = hp; hb.reluish_multiplier_exponent = 32;
	EXPECT_REJECTED(enpu_hard_swish(&hb, 300, g_in, 300, g_out, 300));
	hb = hp; hb.reluish_multiplier_fixedpoint_int16 = -1;
	EXPECT_REJECTED(enpu_hard_swish(&hb, 300, g_in, 300, g_out, 300));
	hb = hp; hb.input_zero_point = 128;
	EXPECT_REJECTED(enpu_hard_swish(&hb, 300, g_in, 300, g_out, 300));
}

TEST(activation_known_values)
{
	struct enpu_relu6_params r6 = { .six = 60, .zero = -10 };
	struct enpu_logistic_params gp;
	struct enpu_tanh_params tp;
	struct enpu_hard_swish_params hp;
	const int8_t x[5] = { -128, -11, 5, 61, 127 };

	ASSERT_EQ(0, enpu_relu6(&r6, 5, x, 5, g_out, 5));
	ASSERT_EQ(-10, g_out[0]);
	ASSERT_EQ(-10, g_out[1]);
	ASSERT_EQ(5, g_out[2]);
	ASSERT_EQ(60, g_out[3]);
	ASSERT_EQ(60, g_out[4]);

	/* logistic(0) = 1/2 -> 0; tanh(0) = 0; far inputs saturate */
	ASSERT_EQ(0, enpu_logistic_derive(0.1f, 5, 1.0f / 256, -128, &gp));
	ASSERT_EQ(0, enpu_tanh_derive(0.1f, 5, 1.0f / 128, 0, &tp));
	ASSERT_EQ(0, enpu_logistic(&gp, 5, x, 5, g_out, 5));
	ASSERT_EQ(-128, g_out[0]);
	ASSERT_EQ(0, g_out[2]);
	ASSERT_EQ(127, g_out[4]);
	ASSERT_EQ(0, enpu_tanh(&tp, 5, x, 5, g_out, 5));
	ASSERT_EQ(-128, g_out[0]);
	ASSERT_EQ(0, g_out[2]);
	ASSERT_EQ(127, g_out[4]);
	/* radius 0 (scale >= 8): TFLM sends the zero point itself low */
	ASSERT_EQ(0, enpu_tanh_derive(8.0f, 5, 1.0f / 128, 0, &tp));
	ASSERT_EQ(0, tp.input_range_radius);
	ASSERT_EQ(0, enpu_tanh(&tp, 5, x, 5, g_out, 5));
	ASSERT_EQ(-128, g_out[2]);
	ASSERT_EQ(127, g_out[3]);

	/*
	 * hard_swish(0) = 0, but with an output exponent of -16 TFLite's
	 * int16 RoundingDivideByPOT (its mask narrowed to -1) gives +1 for
	 * every x >= 0 and -1 below: reproduced, checked against TFLite.
	 */
	ASSERT_EQ(0, enpu_hard_swish_derive(1e-3f, 0, 1.0f, 0, &hp));
	ASSERT_EQ(-16, hp.output_multiplier_exponent);
	ASSERT_EQ(0, enpu_hard_swish(&hp, 5, x, 5, g_out, 5));
	ASSERT_EQ(-1, g_out[0]);
	ASSERT_EQ(-1, g_out[1]);
	ASSERT_EQ(1, g_out[2]);
	ASSERT_EQ(1, g_out[4]);
	/* hs(5e-3) = 2.504e-3 and hs(-0.128) = -0.0613: TFLite's 3, -61 */
	ASSERT_EQ(0, enpu_hard_swish_derive(1e-3f, 0, 1e-3f, 0, &hp));
	ASSERT_EQ(0, enpu_hard_swish(&hp, 5, x, 5, g_out, 5));
	ASSERT_EQ(3, g_out[2]);
	ASSERT_EQ(-61, g_out[0]);
}

/*
 * Past 256 elements the kernels apply a table of their 256 values; below
 * they compute each element. Both must give the same bytes, for random
 * quantizations of each operator.
 */
TEST(activation_table_matches_direct)
{
	static int8_t ramp[512], direct[256], table[512];

	fill_ramp2(ramp);
	for (int i = 0; i < 300; i++) {
		const float in_s = (float)rnd_range(1, 100000) * 1e-5f;
		const float out_s = (float)rnd_range(1, 100000) * 1e-5f;
		const int32_t in_zp = rnd_range(-128, 127);
		const int32_t out_zp = rnd_range(-128, 127);
		const float alpha = (float)rnd_range(-2000, 5000) * 1e-3f;
		struct enpu_relu_params rp;
		struct enpu_relu6_params r6;
		struct enpu_leaky_relu_params lp;
		struct enpu_logistic_params gp;
		struct enpu_tanh_params tp;
		struct enpu_hard_swish_params hp;

		for (int op = 0; op < 6; op++) {
			int r1 = 0, r2 = 0;

#define BOTH(fn, p) (r1 = fn(p, 256, ramp, 256, direct, 256),		\
		     r2 = fn(p, 512, ramp, 512, table, 512))
			switch (op) {
			case 0:
				ASSERT_EQ(0, enpu_relu_derive(in_s, in_zp, out_s,
							      out_zp, &rp));
				BOTH(enpu_relu, &rp);
				break;
			case 1:
				ASSERT_EQ(0, enpu_relu6_derive(in_s, in_zp, &r6));
				BOTH(enpu_relu6, &r6);
				break;
			case 2:
				ASSERT_EQ(0, enpu_leaky_relu_derive(alpha, in_s,
						in_zp, out_s, out_zp, &lp));
				BOTH(enpu_leaky_relu, &lp);
				break;
			case 3:
				ASSERT_EQ(0, enpu_logistic_derive(in_s, in_zp,
						1.0f / 256, -128, &gp));
				BOTH(enpu_logistic, &gp);
				break;
			case 4:
				ASSERT_EQ(0, enpu_tanh_derive(in_s, in_zp,
						1.0f / 128, 0, &tp));
				BOTH(enpu_tanh, &tp);
				break;
			default:
				if (enpu_hard_swish_derive(in_s, in_zp, out_s,
							   out_zp, &hp))
					continue;	/* out_s <= in_s / 128 */
				BOTH(enpu_hard_swish, &hp);
				break;
			}
#undef BOTH
			ASSERT_EQ(0, r1);
			ASSERT_EQ(0, r2);
			for (int k = 0; k < 256; k++) {
				ASSERT_EQ(direct[k], table[k]);
				ASSERT_EQ(direct[k], table[511 - k]);
			}
		}
	}
}

/* ---- TRANSPOSE_CONV, SVDF and the 16x8 kernels (enpu_wide.h) ------------------ */

TEST(mbqm64_values)
{
	/* 2^20 * 0.5: the multiplier reduces to 2^14, one rounding shift */
	ASSERT_EQ(1 << 19, enpu_mbqm64(INT64_C(1) << 20, 1 << 30, 0));
	/* ties round up: -1.5 -> -1, 1.5 -> 2 (not away from zero) */
	ASSERT_EQ(-1, enpu_mbqm64(-3, 1 << 30, 0));
	ASSERT_EQ(2, enpu_mbqm64(3, 1 << 30, 0));
	/* the reduction caps 0x7fff8000 at 0x7fff (0x8000 would give 2^16) */
	ASSERT_EQ(2 * 0x7fff, enpu_mbqm64(INT64_C(1) << 16, 0x7fff8000, 0));
	/* (2^30 + 2^15) >> 16 = 2^14 + 1 (rounded up from .5) */
	ASSERT_EQ((1 << 14) + 1, enpu_mbqm64(INT64_C(1) << 15, (1 << 30) + (1 << 15), 0));
	/* left shift 7 and the largest right shift */
	ASSERT_EQ(1 << 7, enpu_mbqm64(1, INT32_MAX, 7));
	ASSERT_EQ(1 << 14, enpu_mbqm64(INT64_C(1) << 46, 1 << 30, -31));
	ASSERT_EQ(0, enpu_mbqm64(INT64_C(1) << 40, 0, -5));
	/* unlike the int32 form, the 16-bit multiplier loses precision */
	ASSERT_EQ(1000000, enpu_mbqm(1000000, 1 << 30, 1));
	ASSERT_EQ(1000000, enpu_mbqm64(1000000, 1 << 30, 1));
	/* 1518500250 / 2^31 = 0.70710678, reduced 23170 / 2^15 = 0.70709229 */
	ASSERT_EQ(707107, enpu_mbqm(1000000, 1518500250, 0));
	ASSERT_EQ(707092, enpu_mbqm64(1000000, 1518500250, 0));
}

TEST(activation_range_int16)
{
	int32_t lo, hi;

	ASSERT_EQ(0, enpu_activation_range_int16(ENPU_ACT_NONE, 1e-3f, 0, &lo, &hi));
	ASSERT_EQ(-32768, lo);
	ASSERT_EQ(32767, hi);
	ASSERT_EQ(0, enpu_activation_range_int16(ENPU_ACT_RELU6, 1e-3f, 0, &lo, &hi));
	ASSERT_EQ(0, lo);
	ASSERT_EQ(6000, hi);
	ASSERT_EQ(0, enpu_activation_range_int16(ENPU_ACT_RELU_N1_TO_1, 1e-5f, 0,
						 &lo, &hi));
	ASSERT_EQ(-32768, lo);
	ASSERT_EQ(32767, hi);
	ASSERT_EQ(-EINVAL, enpu_activation_range_int16(ENPU_ACT_RELU, 0.0f, 0,
						       &lo, &hi));
}

static struct enpu_transpose_conv_params tconv_ok(void)
{
	struct enpu_transpose_conv_params p = {
		.input = { 1, 3, 3, 4 }, .filter = { 5, 3, 3, 4 },
		.output = { 1, 6, 6, 5 },
		.stride_h = 2, .stride_w = 2,
		.input_zero_point = 7, .output_zero_point = -3,
	};
	static const float ws[] = { 0.01f, 0.02f, 0.005f, 0.03f, 0.001f };

	if (enpu_transpose_conv_derive(ENPU_PADDING_SAME, ENPU_ACT_RELU, 0.05f,
				       ws, 5, 0.1f, &p, g_mult, g_shift, 5))
		p.num_channels = 0;
	return p;
}

static int run_tconv(const struct enpu_transpose_conv_params *p)
{
	return enpu_transpose_conv(p, g_in, sizeof(g_in), g_w, sizeof(g_w),
				   g_bias, 64, g_out, sizeof(g_out));
}

TEST(transpose_conv_derive)
{
	struct enpu_transpose_conv_params p = tconv_ok();

	ASSERT_EQ(5u, p.num_channels);
	/* SAME from the 6x6 output back to 3x3 with a 3x3 filter, stride 2 */
	ASSERT_EQ(0, p.padding_height);
	ASSERT_EQ(0, p.padding_width);
	ASSERT_EQ(-3, p.output_activation_min);
	ASSERT_EQ(127, p.output_activation_max);
	ASSERT_TRUE(p.output_multiplier == g_mult && p.output_shift == g_shift);
	/* 7x7 output, 5x5 filter, stride 1: SAME pads 2 */
	p.output = (struct enpu_nhwc){ 1, 7, 7, 5 };
	p.filter = (struct enpu_nhwc){ 5, 5, 5, 4 };
	p.stride_h = p.stride_w = 1;
	ASSERT_EQ(0, enpu_transpose_conv_derive(ENPU_PADDING_SAME, ENPU_ACT_NONE,
						0.05f, (const float[]){ 0.01f }, 1,
						0.1f, &p, g_mult, g_shift, 5));
	ASSERT_EQ(2, p.padding_height);
	ASSERT_EQ(2, p.padding_width);
	/* VALID with a filter larger than output + stride: TFLite gives up
	 * on the padding of both axes
	 */
	p.output = (struct enpu_nhwc){ 1, 9, 1, 5 };
	p.filter = (struct enpu_nhwc){ 5, 12, 3, 4 };
	ASSERT_EQ(0, enpu_transpose_conv_derive(ENPU_PADDING_VALID, ENPU_ACT_NONE,
						0.05f, (const float[]){ 0.01f }, 1,
						0.1f, &p, g_mult, g_shift, 5));
	ASSERT_EQ(0, p.padding_height);
	ASSERT_EQ(0, p.padding_width);
	ASSERT_EQ(-EINVAL, enpu_transpose_conv_derive(ENPU_PADDING_VALID,
						      ENPU_ACT_NONE, 0.05f,
						      (const float[]){ 0.01f }, 1,
						      0.1f, &p, g_mult, g_shift, 4));
}

TEST(transpose_conv_validation)
{
	struct enpu_transpose_conv_params p = tconv_ok();

	ASSERT_EQ(0, run_tconv(&p));
	p = tconv_ok(); p.stride_w = 0;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.padding_height = -1;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.filter.c = 3;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.output.c = 4;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.num_channels = 4;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.input_zero_point = 128;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.output_activation_min = 100; p.output_activation_max = 99;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok(); p.output_multiplier = NULL;
	EXPECT_REJECTED(run_tconv(&p));
	/* 2^24 x 2^24 output pixels: the element count overflows */
	p = tconv_ok(); p.output.h = 1 << 24; p.output.w = 1 << 24;
	EXPECT_REJECTED(run_tconv(&p));
	p = tconv_ok();
	EXPECT_REJECTED(enpu_transpose_conv(&p, g_in, 35, g_w, sizeof(g_w),
					    NULL, 0, g_out, sizeof(g_out)));
	EXPECT_REJECTED(enpu_transpose_conv(&p, g_in, sizeof(g_in), g_w, 179,
					    NULL, 0, g_out, sizeof(g_out)));
	EXPECT_REJECTED(enpu_transpose_conv(&p, g_in, sizeof(g_in), g_w,
					    sizeof(g_w), g_bias, 4, g_out,
					    sizeof(g_out)));
	EXPECT_REJECTED(enpu_transpose_conv(&p, g_in, sizeof(g_in), g_w,
					    sizeof(g_w), NULL, 0, g_out, 179));
}

/* TFLite's scatter formulation, with its int32 scratch. */
static void tconv_ref(const struct enpu_transpose_conv_params *p,
		      const int8_t *in, const int8_t *w, const int32_t *bias,
		      int8_t *out)
{
	const struct enpu_nhwc is = p->input, fs = p->filter, os = p->output;
	const size_t n = (size_t)os.n * os.h * os.w * os.c;
	uint32_t *acc = calloc(n, sizeof(*acc));

	for (int b = 0; b < is.n; b++)
	for (int iy = 0; iy < is.h; iy++)
	for (int ix = 0; ix < is.w; ix++)
	for (int ic = 0; ic < is.c; ic++)
	for (int ky = 0; ky < fs.h; ky++)
	for (int kx = 0; kx < fs.w; kx++)
	for (int oc = 0; oc < fs.n; oc++) {
		const int oy = iy * p->stride_h - p->padding_height + ky;
		const int ox = ix * p->stride_w - p->padding_width + kx;

		if (oy < 0 || oy >= os.h || ox < 0 || ox >= os.w)
			continue;
		acc[((b * os.h + oy) * os.w + ox) * os.c + oc] += (uint32_t)(
			(in[((b * is.h + iy) * is.w + ix) * is.c + ic] -
			 p->input_zero_point) *
			w[((oc * fs.h + ky) * fs.w + kx) * fs.c + ic]);
	}
	for (size_t i = 0; i < n; i++)
		out[i] = requant_ref((int32_t)acc[i], bias ? bias[i % os.c] : 0,
				     p->output_multiplier[i % os.c],
				     p->output_shift[i % os.c], p->output_zero_point,
				     p->output_activation_min,
				     p->output_activation_max);
	free(acc);
}

TEST(transpose_conv_matches_scatter)
{
	for (int i = 0; i < 300; i++) {
		struct enpu_transpose_conv_params p = {
			.input = { rnd_range(1, 2), rnd_range(1, 6), rnd_range(1, 6),
				   rnd_range(1, 8) },
			.stride_h = rnd_range(1, 4), .stride_w = rnd_range(1, 4),
			.padding_height = rnd_range(0, 4),
			.padding_width = rnd_range(0, 4),
			.input_zero_point = rnd_range(-128, 127),
			.output_zero_point = rnd_range(-128, 127),
			.output_activation_min = rnd_range(-128, -50),
			.output_activation_max = rnd_range(50, 127),
		};
		int32_t *shifts, *bias, *m;

		p.filter = (struct enpu_nhwc){ rnd_range(1, 8), rnd_range(1, 5),
					       rnd_range(1, 5), p.input.c };
		/* Any output size: larger, smaller or unrelated to the input. */
		p.output = (struct enpu_nhwc){ p.input.n, rnd_range(1, 20),
					       rnd_range(1, 20), p.filter.n };
		m = rnd_quant(p.filter.n, &shifts, &bias);
		p.output_multiplier = m;
		p.output_shift = shifts;
		p.num_channels = (size_t)p.filter.n;

		const size_t n_in = (size_t)p.input.n * p.input.h * p.input.w * p.input.c;
		const size_t n_w = (size_t)p.filter.n * p.filter.h * p.filter.w * p.filter.c;
		const size_t n_out = (size_t)p.output.n * p.output.h * p.output.w * p.output.c;
		int8_t *in = malloc(n_in), *w = malloc(n_w);
		int8_t *o1 = malloc(n_out), *o2 = malloc(n_out);

		fill_i8(in, n_in);
		fill_i8(w, n_w);
		tconv_ref(&p, in, w, i & 1 ? bias : NULL, o1);
		ASSERT_EQ(0, enpu_transpose_conv(&p, in, n_in, w, n_w,
						 i & 1 ? bias : NULL, (size_t)p.filter.n,
						 o2, n_out));
		ASSERT_EQ(0, memcmp(o1, o2, n_out));
		free(in);
		free(w);
		free(o1);
		free(o2);
		free(m);
		free(shifts);
		free(bias);
	}
}

static int16_t g_wt[4096], g_state[4096], g_state2[4096];

static struct enpu_svdf_params svdf_ok(void)
{
	struct enpu_svdf_params p = {
		.batches = 2, .input_size = 5, .units = 3, .rank = 2,
		.memory_size = 4, .input_zero_point = -5, .output_zero_point = 9,
	};

	if (enpu_svdf_derive(0.02f, 0.004f, 0.0005f, 0.0f, 0.003f, 0.05f, &p))
		p.rank = 0;
	return p;
}

static int run_svdf(const struct enpu_svdf_params *p)
{
	return enpu_svdf(p, g_in, 10, g_w, 30, g_wt, 24, g_bias, 3, g_state, 48,
			 g_out, 6);
}

/* A rejected SVDF writes neither its output nor its state. */
#define EXPECT_SVDF_REJECTED(call) do {					\
	for (int _i = 0; _i < 4096; _i++)				\
		g_state[_i] = (int16_t)(_i * 7);			\
	EXPECT_REJECTED(call);						\
	for (int _i = 0; _i < 4096; _i++)				\
		ASSERT_EQ((int16_t)(_i * 7), g_state[_i]);		\
} while (0)

TEST(svdf_validation)
{
	struct enpu_svdf_params p = svdf_ok();

	ASSERT_EQ(2, p.rank);
	ASSERT_EQ(0, run_svdf(&p));
	p = svdf_ok(); p.rank = 0;
	EXPECT_SVDF_REJECTED(run_svdf(&p));
	p = svdf_ok(); p.memory_size = -1;
	EXPECT_SVDF_REJECTED(run_svdf(&p));
	p = svdf_ok(); p.output_zero_point = -129;
	EXPECT_SVDF_REJECTED(run_svdf(&p));
	p = svdf_ok(); p.state_zero_point = 32768;
	EXPECT_SVDF_REJECTED(run_svdf(&p));
	p = svdf_ok(); p.effective_scale_2_b = 32;
	EXPECT_SVDF_REJECTED(run_svdf(&p));
	/* units * rank * memory * batches overflows */
	p = svdf_ok(); p.units = 1 << 24; p.rank = 1 << 24;
	EXPECT_SVDF_REJECTED(run_svdf(&p));
	p = svdf_ok();
	EXPECT_SVDF_REJECTED(enpu_svdf(&p, g_in, 10, g_w, 30, g_wt, 24, g_bias, 3,
				       g_state, 47, g_out, 6));
	EXPECT_SVDF_REJECTED(enpu_svdf(&p, g_in, 10, g_w, 30, g_wt, 23, g_bias, 3,
				       g_state, 48, g_out, 6));
	EXPECT_SVDF_REJECTED(enpu_svdf(&p, g_in, 10, g_w, 30, g_wt, 24, g_bias, 2,
				       g_state, 48, g_out, 6));
	EXPECT_SVDF_REJECTED(enpu_svdf(&p, g_in, 10, g_w, 30, g_wt, 24, NULL, 0,
				       g_state, 48, g_out, 5));
	EXPECT_SVDF_REJECTED(enpu_svdf(&p, g_in, 10, g_w, 30, g_wt, 24, NULL, 0,
				       NULL, 48, g_out, 6));
	/* the bias scale must match state * weights_time, as TFLite checks */
	ASSERT_EQ(-EINVAL, enpu_svdf_derive(0.02f, 0.004f, 0.0005f, 1e-4f, 0.003f,
					    0.05f, &p));
	ASSERT_EQ(0, enpu_svdf_derive(0.02f, 0.004f, 0.0005f, 1.5e-6f, 0.003f,
				      0.05f, &p));
}

/*
 * The state after each call: every filter's memory one step older, and
 * the newest slot the feature activation (as TFLite-Micro shifts it).
 */
TEST(svdf_state_shifts)
{
	struct enpu_svdf_params p = svdf_ok();
	const int filters = p.units * p.rank, mem = p.memory_size;

	p.state_zero_point = 0;
	fill_i8(g_in, 10);
	fill_i8(g_w, 30);
	for (int i = 0; i < 24; i++)
		g_wt[i] = (int16_t)rnd();
	for (int i = 0; i < 48; i++)
		g_state[i] = g_state2[i] = (int16_t)(1000 * i - 20000);
	for (int call = 0; call < 3; call++) {
		ASSERT_EQ(0, run_svdf(&p));
		for (int b = 0; b < p.batches; b++)
		for (int f = 0; f < filters; f++) {
			const int16_t *old = g_state2 + (b * filters + f) * mem;
			const int16_t *now = g_state + (b * filters + f) * mem;
			int32_t dot = 0;

			for (int m = 0; m + 1 < mem; m++)
				ASSERT_EQ(old[m + 1], now[m]);
			for (int i = 0; i < p.input_size; i++)
				dot += g_w[f * p.input_size + i] *
				       (g_in[b * p.input_size + i] - p.input_zero_point);
			dot = enpu_mbqm(dot, p.effective_scale_1_a,
					p.effective_scale_1_b);
			dot = dot < -32768 ? -32768 : dot > 32767 ? 32767 : dot;
			ASSERT_EQ(dot, now[mem - 1]);
		}
		memcpy(g_state2, g_state, sizeof(g_state));
		/* A new input frame for the next call. */
		fill_i8(g_in, 10);
	}
}

static int16_t g_in16[4096], g_out16[4096];
static int64_t g_bias64[64];

/* The 16x8 kernels must not touch the output when they reject the call. */
#define EXPECT_REJECTED16(call) do {					\
	for (size_t _i = 0; _i < 4096; _i++)				\
		g_out16[_i] = 0x5a5a;					\
	ASSERT_EQ(-EINVAL, (call));					\
	for (size_t _i = 0; _i < 4096; _i++)				\
		ASSERT_EQ(0x5a5a, g_out16[_i]);				\
} while (0)

static struct enpu_conv2d_params conv16_ok(void)
{
	struct enpu_conv2d_params p = conv_ok();

	p.input_zero_point = p.output_zero_point = 0;
	p.act_min = -32768;
	p.act_max = 32767;
	return p;
}

static int run_conv16(const struct enpu_conv2d_params *p)
{
	return enpu_conv2d_16x8(p, g_in16, 4096, g_w, sizeof(g_w), g_bias64, 64,
				g_out16, 4096);
}

TEST(conv2d_16x8_validation)
{
	struct enpu_conv2d_params p = conv16_ok();

	ASSERT_EQ(0, run_conv16(&p));
	p = conv16_ok(); p.input_zero_point = 1;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok(); p.output_zero_point = -1;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok(); g_shift[2] = 8;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok(); p.act_min = -32769;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok(); p.dilation_h = 0;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok(); p.num_quant = 5;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok(); p.input.n = 1 << 24; p.output.n = 1 << 24;
	EXPECT_REJECTED16(run_conv16(&p));
	p = conv16_ok();
	EXPECT_REJECTED16(enpu_conv2d_16x8(&p, g_in16, 255, g_w, sizeof(g_w),
					   NULL, 0, g_out16, 4096));
	EXPECT_REJECTED16(enpu_conv2d_16x8(&p, g_in16, 4096, g_w, sizeof(g_w),
					   g_bias64, 5, g_out16, 4096));
	EXPECT_REJECTED16(enpu_conv2d_16x8(&p, g_in16, 4096, g_w, sizeof(g_w),
					   NULL, 0, g_out16, 383));
}

/* The 16x8 conv against TFLite's loop with an int64 accumulator. */
TEST(conv2d_16x8_matches_reference)
{
	for (int i = 0; i < 100; i++) {
		struct enpu_conv2d_params p = {
			.input = { rnd_range(1, 2), rnd_range(1, 9), rnd_range(1, 9),
				   rnd_range(1, 6) },
			.stride_h = rnd_range(1, 3), .stride_w = rnd_range(1, 3),
			.dilation_h = rnd_range(1, 2), .dilation_w = rnd_range(1, 2),
			.act_min = rnd_range(-32768, -100),
			.act_max = rnd_range(100, 32767),
		};
		int32_t *shifts, *bias32, *m;

		p.filter = (struct enpu_nhwc){ rnd_range(1, 6), rnd_range(1, 4),
					       rnd_range(1, 4), p.input.c };
		if (enpu_compute_padding(ENPU_PADDING_SAME, p.input.h, p.filter.h,
					 p.stride_h, p.dilation_h, &p.output.h,
					 &p.pad_top, NULL) ||
		    enpu_compute_padding(ENPU_PADDING_SAME, p.input.w, p.filter.w,
					 p.stride_w, p.dilation_w, &p.output.w,
					 &p.pad_left, NULL))
			ASSERT_TRUE(0);
		p.output.n = p.input.n;
		p.output.c = p.filter.n;
		m = rnd_quant(p.filter.n, &shifts, &bias32);
		p.multipliers = m;
		p.shifts = shifts;
		p.num_quant = (size_t)p.filter.n;

		const size_t n_in = (size_t)p.input.n * p.input.h * p.input.w * p.input.c;
		const size_t n_w = (size_t)p.filter.n * p.filter.h * p.filter.w * p.filter.c;
		const size_t n_out = (size_t)p.output.n * p.output.h * p.output.w * p.output.c;
		int16_t *in = malloc(n_in * 2), *o1 = malloc(n_out * 2), *o2 = malloc(n_out * 2);
		int8_t *w = malloc(n_w);
		int64_t bias[8];

		for (size_t j = 0; j < n_in; j++)
			in[j] = (int16_t)rnd();
		fill_i8(w, n_w);
		for (int j = 0; j < p.filter.n; j++)
			bias[j] = (int64_t)bias32[j] * 64;
		const struct enpu_nhwc is = p.input, fs = p.filter, os = p.output;

		for (int b = 0; b < os.n; b++)
		for (int oy = 0; oy < os.h; oy++)
		for (int ox = 0; ox < os.w; ox++)
		for (int oc = 0; oc < os.c; oc++) {
			int64_t acc = bias[oc];

			for (int ky = 0; ky < fs.h; ky++)
			for (int kx = 0; kx < fs.w; kx++)
			for (int ic = 0; ic < is.c; ic++) {
				const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
				const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;

				if (iy >= 0 && iy < is.h && ix >= 0 && ix < is.w)
					acc += w[((oc * fs.h + ky) * fs.w + kx) * fs.c + ic] *
					       in[((b * is.h + iy) * is.w + ix) * is.c + ic];
			}
			int32_t v = enpu_mbqm64(acc, m[oc], shifts[oc]);

			v = v < p.act_min ? p.act_min : v > p.act_max ? p.act_max : v;
			o1[((b * os.h + oy) * os.w + ox) * os.c + oc] = (int16_t)v;
		}
		ASSERT_EQ(0, enpu_conv2d_16x8(&p, in, n_in, w, n_w, bias,
					      (size_t)p.filter.n, o2, n_out));
		ASSERT_EQ(0, memcmp(o1, o2, n_out * 2));
		free(in);
		free(w);
		free(o1);
		free(o2);
		free(m);
		free(shifts);
		free(bias32);
	}
}

TEST(fully_connected_16x8_validation)
{
	struct enpu_fc_params p = {
		.batches = 2, .input_depth = 16, .output_depth = 4,
		.act_min = -32768, .act_max = 32767,
		.multipliers = g_mult, .shifts = g_shift, .num_quant = 1,
	};
	struct enpu_fc_params q;

	g_mult[0] = 1 << 30;
	g_shift[0] = -3;
	ASSERT_EQ(0, enpu_fully_connected_16x8(&p, g_in16, 32, g_w, 64, NULL, 0,
					       g_out16, 8));
	q = p; q.num_quant = 3;
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&q, g_in16, 32, g_w, 64, NULL,
						    0, g_out16, 8));
	q = p; q.act_max = 32768;
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&q, g_in16, 32, g_w, 64, NULL,
						    0, g_out16, 8));
	q = p; q.output_zero_point = -32769;
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&q, g_in16, 32, g_w, 64, NULL,
						    0, g_out16, 8));
	g_shift[0] = 8;
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&p, g_in16, 32, g_w, 64, NULL,
						    0, g_out16, 8));
	g_shift[0] = -3;
	q = p; q.input_depth = 1 << 24; q.output_depth = 1 << 24;
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&q, g_in16, 32, g_w, 64, NULL,
						    0, g_out16, 8));
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&p, g_in16, 31, g_w, 64, NULL,
						    0, g_out16, 8));
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&p, g_in16, 32, g_w, 64,
						    g_bias64, 3, g_out16, 8));
	EXPECT_REJECTED16(enpu_fully_connected_16x8(&p, g_in16, 32, g_w, 64, NULL,
						    0, g_out16, 7));
}

TEST(add_int16)
{
	struct enpu_add_params p;

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, enpu_add_int16_derive(2e-4f, 1e-4f, 3e-4f, &p));
	ASSERT_EQ(15, p.left_shift);
	p.act_min = -32768;
	p.act_max = 32767;
	p.input1 = (struct enpu_shape){ 2, { 3, 4 } };
	p.input2 = (struct enpu_shape){ 1, { 4 } };
	p.output = p.input1;
	for (int i = 0; i < 12; i++)
		g_in16[i] = (int16_t)(i * 5000 - 30000);
	for (int i = 0; i < 4; i++)
		g_in16[100 + i] = (int16_t)(i * 10000 - 32768);
	ASSERT_EQ(0, enpu_add_int16(&p, g_in16, 12, g_in16 + 100, 4, g_out16, 12));
	for (int i = 0; i < 12; i++) {
		/* 2x + y in units of 3e-4 at the output */
		const double want = (2e-4 * g_in16[i] + 1e-4 * g_in16[100 + i % 4]) / 3e-4;
		const double clamped = want > 32767 ? 32767 : want < -32768 ? -32768 : want;

		ASSERT_TRUE(g_out16[i] - clamped < 1.01 && clamped - g_out16[i] < 1.01);
	}
	p.output_zero_point = 32768;
	EXPECT_REJECTED16(enpu_add_int16(&p, g_in16, 12, g_in16 + 100, 4, g_out16, 12));
	p.output_zero_point = 0;
	p.act_min = -32769;
	EXPECT_REJECTED16(enpu_add_int16(&p, g_in16, 12, g_in16 + 100, 4, g_out16, 12));
	p.act_min = -32768;
	EXPECT_REJECTED16(enpu_add_int16(&p, g_in16, 12, g_in16 + 100, 3, g_out16, 12));
	EXPECT_REJECTED16(enpu_add_int16(&p, g_in16, 12, g_in16 + 100, 4, g_out16, 11));
	p.input2 = (struct enpu_shape){ 1, { 3 } };
	EXPECT_REJECTED16(enpu_add_int16(&p, g_in16, 12, g_in16 + 100, 4, g_out16, 12));
}

TEST_HARNESS_MAIN
