/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by the INT8 kernels: parameter validation and
 * overflow-checked size arithmetic. Not part of the public API.
 */
#ifndef ENPU_INT8_INTERNAL_H
#define ENPU_INT8_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "enpu_int8.h"

/* r = a * b, -EINVAL on size_t overflow. */
static inline int enpu_mul_size(size_t a, size_t b, size_t *r)
{
	if (a != 0 && b > SIZE_MAX / a)
		return -EINVAL;
	*r = a * b;
	return 0;
}

static inline int enpu_dim_ok(int32_t d)
{
	return d >= 1 && d <= ENPU_MAX_DIM;
}

/* A buffer of len elements able to hold need elements. */
static inline int enpu_check_buf(const void *buf, size_t len, size_t need)
{
	return buf && len >= need ? 0 : -EINVAL;
}

static inline int enpu_check_zp(int32_t zp)
{
	return zp >= -128 && zp <= 127 ? 0 : -EINVAL;
}

static inline int enpu_check_act(int32_t act_min, int32_t act_max)
{
	return act_min >= -128 && act_max <= 127 && act_min <= act_max ?
	       0 : -EINVAL;
}

static inline int enpu_check_multiplier(int32_t multiplier, int32_t shift)
{
	return multiplier >= 0 && shift >= -31 && shift <= 31 ? 0 : -EINVAL;
}

/* Whether a kernel's cancel flag (enpu_int8.h) is set. */
static inline int enpu_cancelled(const atomic_int *cancel)
{
	return cancel && atomic_load_explicit(cancel, memory_order_relaxed);
}

/* Element count of an NHWC shape (all dims validated). */
int enpu_nhwc_count(const struct enpu_nhwc *s, size_t *count);

/* num per-channel multipliers/shifts, all valid. */
int enpu_check_quant_array(const int32_t *multipliers, const int32_t *shifts,
			   size_t num);

/*
 * One spatial axis of a windowed op: in, out, k, stride, dilation in
 * [1, ENPU_MAX_DIM], pad in [0, ENPU_MAX_DIM], and the furthest input
 * coordinate (out - 1) * stride + (k - 1) * dilation small enough that
 * all coordinate arithmetic fits comfortably in int32.
 */
int enpu_check_window(int32_t in, int32_t out, int32_t k, int32_t stride,
		      int32_t dilation, int32_t pad);

/*
 * First and one-past-last filter tap index whose input coordinate
 * origin + tap * dilation lies in [0, in_size).
 */
static inline void enpu_tap_range(int32_t origin, int32_t dilation,
				  int32_t taps, int32_t in_size,
				  int32_t *first, int32_t *end)
{
	int32_t lo = 0, hi = taps;

	if (origin < 0)
		lo = (-origin + dilation - 1) / dilation;
	if (origin + (int64_t)(taps - 1) * dilation >= in_size) {
		/* smallest t with origin + t * dilation >= in_size */
		const int64_t t = ((int64_t)in_size - origin + dilation - 1) /
				  dilation;
		hi = t < 0 ? 0 : (int32_t)t;
	}
	if (lo > hi)
		lo = hi;
	*first = lo;
	*end = hi;
}

/* int64 -> int32 keeping the low 32 bits (what int32 accumulation gives). */
static inline int32_t enpu_wrap_i64(int64_t v)
{
	return (int32_t)(uint32_t)(uint64_t)v;
}

/*
 * v + zero point, clamped to [act_min, act_max]. The addition saturates
 * (TFLite adds in int32; where that would overflow its behaviour is
 * undefined, here the clamp simply saturates).
 */
static inline int8_t enpu_out_i8(int32_t v, int32_t zero_point,
				 int32_t act_min, int32_t act_max)
{
	int64_t o = (int64_t)v + zero_point;

	o = o < act_min ? act_min : o;
	o = o > act_max ? act_max : o;
	return (int8_t)o;
}

/* An element-wise op's count (in [1, ENPU_MAX_ELEMS]) and its two buffers. */
static inline int enpu_check_unary(size_t count, const int8_t *input,
				   size_t input_len, const int8_t *output,
				   size_t output_len)
{
	return count >= 1 && count <= ENPU_MAX_ELEMS &&
	       !enpu_check_buf(input, input_len, count) &&
	       !enpu_check_buf(output, output_len, count) ? 0 : -EINVAL;
}

static inline int enpu_check_scale(float scale)
{
	return isfinite(scale) && scale > 0.0f ? 0 : -EINVAL;
}

/*
 * output[i] = fn(ctx, input[i]) for an element-wise int8 function. Past
 * 256 elements the function is tabulated once for every int8 value and
 * the table is applied: the same bytes, for a fraction of the work.
 */
static inline void enpu_map_i8(size_t count, const int8_t *input,
			       int8_t *output,
			       int8_t (*fn)(const void *ctx, int32_t x),
			       const void *ctx)
{
	if (count > 256) {
		int8_t table[256];

		for (int32_t v = -128; v <= 127; v++)
			table[(uint8_t)v] = fn(ctx, v);
		for (size_t i = 0; i < count; i++)
			output[i] = table[(uint8_t)input[i]];
		return;
	}
	for (size_t i = 0; i < count; i++)
		output[i] = fn(ctx, input[i]);
}

/*
 * x * 2^exponent, exponent in [0, 31], saturating to [INT32_MIN,
 * INT32_MAX] (gemmlowp SaturatingRoundingMultiplyByPOT / Rescale with a
 * positive exponent).
 */
static inline int32_t enpu_sat_shl(int32_t x, int exponent)
{
	const int32_t threshold =
		(int32_t)((INT64_C(1) << (31 - (exponent & 31))) - 1);

	if (x > threshold)
		return INT32_MAX;
	if (x < -threshold)
		return INT32_MIN;
	return enpu_wrap_shl(x, exponent);
}

/*
 * gemmlowp's fixed-point transcendental functions (fixedpoint.c), int32
 * raw values. Qi is a value with i integer bits and 31 - i fractional
 * bits; results are Q0.31. integer_bits is in [0, 28].
 */
/* exp(a) for a <= 0 in Q(integer_bits); exp(0) is INT32_MAX. */
int32_t enpu_fp_exp_on_negative_values(int32_t a, int integer_bits);
/* 1 / (1 + a) for a in [0, 1) in Q0. */
int32_t enpu_fp_one_over_one_plus_x(int32_t a);
/* (1 - a) / (1 + a) for a in [0, 1) in Q0. */
int32_t enpu_fp_one_minus_x_over_one_plus_x(int32_t a);
/* logistic(a) = 1 / (1 + exp(-a)), a in Q(integer_bits). */
int32_t enpu_fp_logistic(int32_t a, int integer_bits);
/* tanh(a), a in Q(integer_bits). */
int32_t enpu_fp_tanh(int32_t a, int integer_bits);

/*
 * The output stage of conv / depthwise / FC for one channel (the slow
 * paths; the fast ones use enpu_requant.h, which computes the same):
 * acc (+ bias) -> MultiplyByQuantizedMultiplier -> + output zero point ->
 * clamp to the activation range.
 */
static inline int8_t enpu_requant_one(int32_t acc, const int32_t *bias,
				      int32_t multiplier, int32_t shift,
				      int32_t output_zero_point,
				      int32_t act_min, int32_t act_max)
{
	if (bias)
		acc = enpu_wrap_add(acc, *bias);
	return enpu_out_i8(enpu_mbqm(acc, multiplier, shift),
			   output_zero_point, act_min, act_max);
}

#endif /* ENPU_INT8_INTERNAL_H */
